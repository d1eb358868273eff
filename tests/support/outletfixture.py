"""A small real store for the outlet, coverage and Blindspot tests (API and browser).

Two stories, each reported by invented outlets whose lean and country are set the way
``import --field lean=...`` sets them:
- "wildfire": 7 outlets, 6 of known lean, 5 of those on the left (83%): a blindspot;
- "rates": 6 outlets, 3 left and 3 right: not a blindspot;
- "saga2", "saga3": the wildfire relief story continued 10 and 20 days later (2 outlets
  each): a timeline chain wildfire -> saga2 -> saga3.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storywire import Article, Pipeline, Store, load_settings

# outlet -> (lean, country)
OUTLETS = {
    "Left Ledger": ("left", "US"),
    "Progressive Post": ("left", "US"),
    "Harbour Herald": ("lean left", "GB"),
    "Union Daily": ("left", "US"),
    "Civic Chronicle": ("lean left", "CA"),
    "Liberty Wire": ("right", "US"),
    "Plain Gazette": ("", ""),  # unknown lean, unknown country
    "Freedom Times": ("right", "US"),
    "Patriot Review": ("lean right", "US"),
}
WILDFIRE = [
    "Left Ledger",
    "Progressive Post",
    "Harbour Herald",
    "Union Daily",
    "Civic Chronicle",
    "Liberty Wire",
    "Plain Gazette",
]
RATES = [
    "Left Ledger",
    "Progressive Post",
    "Union Daily",
    "Liberty Wire",
    "Freedom Times",
    "Patriot Review",
]
START = datetime(2025, 7, 1, 8, tzinfo=UTC)

WILDFIRE_TEXT = (
    "The Senate passed a wildfire relief bill on Tuesday that sends emergency money to "
    "firefighters and families in Oregon and California. The measure passed 71 to 28 after "
    "a night of debate over how the aid is paid for. Governors of both states welcomed the "
    "vote and said the money would reach burned towns within weeks."
)
RATES_TEXT = (
    "The Federal Reserve raised its benchmark interest rate by a quarter point on Wednesday "
    "and signalled one more increase this year as inflation stayed above its target. Jerome "
    "Powell said the labour market remained strong. Stocks fell after the announcement and "
    "Treasury yields rose."
)


# The wildfire relief saga continues: two later stories the timeline links to it.
SAGA = [
    (
        10,
        "Wildfire relief bill money reaches Oregon and California towns",
        "The first payments from the wildfire relief bill reached burned towns in Oregon and "
        "California on Thursday, ten days after the Senate vote. Mayors said the money would "
        "pay for temporary housing and debris removal.",
    ),
    (
        20,
        "Oregon and California ask for more wildfire relief as bill money runs out",
        "Governors of Oregon and California asked Congress on Saturday for more wildfire "
        "relief, saying the money from last month's bill had run out. Thousands of families "
        "are still in temporary housing.",
    ),
]


def _articles() -> list[Article]:
    out = []
    for i, outlet in enumerate(WILDFIRE):
        slug = outlet.lower().replace(" ", "")
        out.append(
            Article(
                url=f"https://{slug}.example/wildfire-relief",
                title=f"Senate passes wildfire relief bill for Oregon and California ({i})",
                text=WILDFIRE_TEXT + f" Reported by {outlet}.",
                published=START + timedelta(minutes=20 * i),
                outlet=outlet,
            )
        )
    for i, outlet in enumerate(RATES):
        slug = outlet.lower().replace(" ", "")
        out.append(
            Article(
                url=f"https://{slug}.example/fed-rates",
                title=f"Federal Reserve raises interest rates by a quarter point ({i})",
                text=RATES_TEXT + f" Reported by {outlet}.",
                published=START + timedelta(days=1, minutes=20 * i),
                outlet=outlet,
            )
        )
    for day, title, text in SAGA:
        for i, outlet in enumerate(("Liberty Wire", "Civic Chronicle")):
            slug = outlet.lower().replace(" ", "")
            out.append(
                Article(
                    url=f"https://{slug}.example/wildfire-{day}",
                    title=title,
                    text=text + f" Reported by {outlet}.",
                    published=START + timedelta(days=day, minutes=30 * i),
                    outlet=outlet,
                )
            )
    return out


def build_outlets(db: Path) -> dict[str, int]:
    """Fill ``db``; return the story ids ("wildfire", "rates") and outlet ids by name."""
    store = Store(db)
    store.migrate()
    try:
        facts = {
            name: {"lean": lean, "country": country} for name, (lean, country) in OUTLETS.items()
        }
        store.set_outlets_by_name(facts, "import")
        pipeline = Pipeline(store, load_settings(db=db))
        pipeline.import_articles(_articles())
        pipeline.write_dirty()
        ids: dict[str, int] = {}
        names = {0: "wildfire", 1: "rates", 10: "saga2", 20: "saga3"}
        for s, _ in store.list_stories(limit=50):
            ids[names[(s.first_published - START).days]] = s.id
        for o in store.list_outlets():
            ids[o["name"]] = o["id"]
    finally:
        store.close()
    return ids
