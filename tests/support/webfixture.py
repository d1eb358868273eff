"""A small real store for the web, API and browser tests: three stories (one rewritten
to a second version), one merged-away story, hostile content, a feed, a JSON Lines
shaped the way the pipeline stores it.

The articles (ARTICLES, XSS with hostile markup) also feed tests/test_web.py's own store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storywire import Article, Kind, Pipeline, Store, load_settings
from storywire.models import FeedInfo

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def news(url: str, outlet: str, when: datetime, title: str, text: str, **kw: Any) -> Article:
    return Article(url=url, title=title, text=text, published=when, outlet=outlet, **kw)


ARTICLES = [
    news(
        "https://reuters.example/chile-quake",
        "Reuters",
        at(4, 6),
        "Magnitude 7.1 earthquake strikes off coast of southern Chile",
        "A magnitude 7.1 earthquake struck off the coast of southern Chile on Tuesday, the US "
        "Geological Survey said. Chile's disaster agency ordered a tsunami evacuation of "
        "coastal areas in the Los Lagos region. There were no reports of casualties.",
    ),
    news(
        "https://apnews.example/chile-earthquake",
        "Associated Press",
        at(4, 7),
        "Strong earthquake shakes southern Chile, tsunami evacuation ordered",
        "A strong magnitude 7.1 earthquake shook southern Chile on Tuesday and authorities "
        "ordered a tsunami evacuation along the coast of the Los Lagos region. The US "
        "Geological Survey said the quake was centred at sea. No casualties were reported.",
    ),
    news(
        "https://bbc.example/news/world-chile",
        "BBC News",
        at(4, 8),
        "Chile earthquake: tsunami warning lifted after magnitude 7.1 quake",
        "Chilean authorities lifted a tsunami warning hours after a magnitude 7.1 earthquake "
        "struck off the southern coast on Tuesday. Residents of the Los Lagos region were "
        "allowed to return home. The US Geological Survey said no casualties were reported.",
    ),
    news(
        "https://reuters.example/ecb-cut",
        "Reuters",
        at(6, 13),
        "European Central Bank cuts interest rates by a quarter point",
        "The European Central Bank cut its deposit rate by a quarter point to 2.5 percent on "
        "Thursday as euro zone inflation eased. Christine Lagarde said monetary policy was "
        "becoming meaningfully less restrictive.",
    ),
    news(
        "https://ft.example/ecb-deposit-rate",
        "Financial Times",
        at(6, 14),
        "ECB lowers deposit rate to 2.5 percent as euro zone inflation eases",
        "The European Central Bank lowered its deposit rate to 2.5 percent on Thursday, a "
        "quarter point cut, as euro zone inflation eased. Christine Lagarde said the ECB's "
        "monetary policy was becoming meaningfully less restrictive.",
    ),
]
XSS = [
    news(
        "javascript:alert(1)",
        "Evil Gazette",
        at(8, 9),
        f"Hackers deface city council website {SCRIPT}",
        f"Hackers defaced the city council website on Saturday and inserted {SCRIPT} into "
        f"its homepage. The council said the injected code {IMG} was removed within an hour. "
        "Residents were told not to click links on the city council website.",
        author=IMG,
    ),
    news(
        "JavaScript:alert(document.cookie)",
        "Evil Tribune",
        at(8, 12),
        f"The city council website hack {SCRIPT} was a warning",
        f"Hackers defaced the city council website on Saturday with {SCRIPT} and {IMG}. "
        "The council removed the code within an hour, but the city council website hack "
        "should worry every resident.",
        author=SCRIPT,
        kind=Kind.OPINION,
    ),
]
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
