"""Coverage bars, the Blindspot page and outlet pages in a real browser (Playwright
driving Debian's chromium; skips without them). Screenshots go to test-artifacts/."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from click.testing import CliRunner

from storywire import Store, load_settings
from storywire.cli import main
from storywire.web import create_app

from tests.support.browser import ARTIFACTS, headings_in_order
from tests.support.live import LiveServer
from tests.support.outletfixture import build_outlets

ALLSIDES = "corpus/allsides-article-bias/articles.jsonl.gz"


def serve(db):
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
    return server, store


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser-outlets") / "storywire.db"
    ids = build_outlets(db)
    server, store = serve(db)
    yield server.base_url, ids
    server.close()
    store.close()


def shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / name), full_page=True)


def bar_counts(bar) -> dict[str, int]:
    """{side: count} as the bar's text says it (words and numbers, no colour needed)."""
    out = {}
    for text in bar.locator(".cov-bar li").all_inner_texts():
        name, n = text.rsplit(" ", 1)
        out[name.lower()] = int(n)
    return out


def test_coverage_bar_on_card_and_story(page, site):  # noqa: F811
    base, ids = site
    page.goto(base + "/")
    card = page.locator("li.story-item").filter(has_text="Senate passes wildfire")
    bar = card.locator(".coverage")
    assert bar_counts(bar) == {"left": 5, "right": 1, "unknown": 1}
    assert bar.locator(".cov-countries").inner_text().endswith("US 4 · CA 1 · GB 1 · unknown 1")
    assert bar.get_attribute("aria-label") == "Coverage: 7 outlets by side and country"
    widths = [b["width"] for b in (s.bounding_box() for s in bar.locator(".cov-bar li").all())]
    assert widths[0] > 2 * widths[1], "the segments' widths follow the counts"
    card.locator("h2 a").click()
    page.wait_for_url(f"**/stories/{ids['wildfire']}")
    assert bar_counts(page.locator("article.story .coverage")) == {
        "left": 5,
        "right": 1,
        "unknown": 1,
    }
    headings_in_order(page)
    shot(page, "coverage-story.png")


def test_blindspot_page(page, site):  # noqa: F811
    base, ids = site
    page.goto(base + "/")
    page.get_by_role("link", name="Blindspot").click()
    page.wait_for_url("**/blindspot")
    assert page.locator("h1").inner_text() == "Blindspot"
    items = page.locator("li.story-item")
    assert items.count() == 1, "the balanced rates story is not a blindspot"
    assert items.locator(".blind-side").inner_text().lower() == "covered mostly by the left"
    assert bar_counts(items.locator(".coverage")) == {"left": 5, "right": 1, "unknown": 1}
    headings_in_order(page)
    shot(page, "blindspot.png")
    items.locator("h2 a").click()
    page.wait_for_url(f"**/stories/{ids['wildfire']}")


def test_outlet_page_from_a_story(page, site):  # noqa: F811
    base, ids = site
    page.goto(base + f"/stories/{ids['rates']}")
    page.locator("ul.sources h3 a", has_text="Patriot Review").click()
    page.wait_for_url(f"**/outlets/{ids['Patriot Review']}")
    assert page.locator("h1").inner_text() == "Patriot Review"
    assert page.locator("dd.lean").inner_text() == "lean right (from import)"
    assert page.locator("dd.country").inner_text() == "US (from import)"
    stories = page.locator("li.story-item h3 a")
    assert stories.all_inner_texts() == [page.locator("li.story-item h3 a").first.inner_text()]
    assert "Federal Reserve" in stories.first.inner_text()
    headings_in_order(page)
    shot(page, "outlet.png")


@pytest.fixture(scope="module")
def allsides_site(tmp_path_factory, data_dir):
    """One week of the AllSides corpus imported with each outlet's rating."""
    folder = tmp_path_factory.mktemp("allsides")
    week = folder / "week.jsonl"
    with gzip.open(data_dir / ALLSIDES, "rt", encoding="utf-8") as src, week.open("w") as out:
        for line in src:
            if "2020-06-01" <= json.loads(line)["date"] <= "2020-06-07":
                out.write(line)
    db = folder / "storywire.db"
    args = ["--db", str(db), "import", str(week), "--field", "outlet=source"]
    for pair in ("text=content_original", "published=date", "author=authors", "lean=bias_text"):
        args += ["--field", pair]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    server, store = serve(db)
    yield server.base_url
    server.close()
    store.close()


def test_coverage_bar_on_an_allsides_story(page, allsides_site):  # noqa: F811
    base = allsides_site
    top = httpx.get(base + "/api/v1/stories", params={"limit": 1}).json()["stories"][0]
    assert top["outlet_count"] >= 5
    lean = top["coverage"]["lean"]
    assert sum(lean.values()) == top["outlet_count"]
    assert lean["unknown"] == 0, "every AllSides outlet got its rating from the import"
    page.goto(base + top["url"])
    shown = bar_counts(page.locator("article.story .coverage"))
    assert shown == {k: v for k, v in lean.items() if v}
    countries = page.locator("article.story .cov-countries").inner_text()
    for code, n in list(top["coverage"]["countries"].items())[:8]:
        assert f"{code} {n}" in countries
    shot(page, "coverage-allsides.png")


def test_timeline_chain(page, site):  # noqa: F811
    base, ids = site
    page.goto(base + f"/stories/{ids['saga2']}")
    chain = page.locator("section.timeline ol.chain li")
    assert chain.count() == 3
    texts = chain.all_inner_texts()
    assert texts[0].startswith("Earlier · Jul 1, 2025") and "Senate passes wildfire" in texts[0]
    assert texts[1].startswith("This story")
    assert texts[2].startswith("Later · Jul 21, 2025") and "ask for more wildfire" in texts[2]
    headings_in_order(page)
    shot(page, "timeline.png")
    chain.nth(2).locator("a").click()
    page.wait_for_url(f"**/stories/{ids['saga3']}")
    earlier = page.locator("section.timeline li.earlier a").all_inner_texts()
    assert len(earlier) == 2 and "Senate passes wildfire" in earlier[0]
