"""A small real store for the web, API and browser tests: three stories (one rewritten
to a second version), one merged-away story, hostile content, a feed, a JSON Lines
shaped the way the pipeline stores it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from storywire import Pipeline, Store, load_settings
from storywire.models import FeedInfo

from test_web import ARTICLES, XSS, news


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


LATE_QUAKE = news(
    "https://guardian.example/chile-quake-aftershock",
    "The Guardian",
    at(4, 11),
    "Aftershocks rattle southern Chile after magnitude 7.1 earthquake",
    "Aftershocks rattled southern Chile on Tuesday after a magnitude 7.1 earthquake struck off "
    "the coast of the Los Lagos region. Chile's disaster agency said the tsunami evacuation "
    "order had been lifted. The US Geological Survey said no casualties were reported.",
    section="World",
    language="en",
)
LONE = news(
    "https://local.example/bridge",
    "Local Courier",
    at(5, 10),
    "Old river bridge closes for repairs in Valdivia",
    "The old river bridge in Valdivia closed on Wednesday for three months of repairs. "
    "Drivers were told to use the northern bypass while engineers replace the deck.",
)


def build(db: Path) -> dict[str, int]:
    """Fill ``db``; return ids worth knowing: quake, ecb, xss, merged (story ids)."""
    store = Store(db)
    store.migrate()
    try:
        store.add_feeds(
            [
                FeedInfo(
                    url="https://reuters.example/feed.xml",
                    outlet="Reuters",
                    country="GB",
                    kind="wire",
                    category="World",
                )
            ]
        )
        pipeline = Pipeline(store, load_settings(db=db))
        pipeline.import_articles(ARTICLES + XSS + [LONE])
        pipeline.write_dirty()
        pipeline.import_articles([LATE_QUAKE])
        pipeline.write_dirty()
        ids = {}
        for s, title in store.list_stories(limit=50):
            t = title.lower()
            key = (
                "quake"
                if "chile" in t and "bridge" not in t
                else "ecb"
                if "rate" in t
                else "bridge"
                if "bridge" in t
                else "xss"
            )
            ids[key] = s.id
    finally:
        store.close()
    # The merge itself belongs to the cluster stage; here the columns are set directly.
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE stories SET status='merged', merged_into=? WHERE id=?",
            (ids["quake"], ids["bridge"]),
        )
    conn.close()
    ids["merged"] = ids.pop("bridge")
    return ids
