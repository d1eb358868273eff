"""The pages in a real browser: Playwright for Python driving Debian's chromium.

Skips (with the reason) when chromium or Playwright is missing. Screenshots of the
home and story pages go to test-artifacts/ (the README shows one).
"""

from __future__ import annotations

import re

import pytest

from storywire import Store, load_settings
from storywire.web import create_app

from tests.support import reader_side
from tests.support.browser import ARTIFACTS, headings_in_order
from tests.support.discoversite import news_site as discover_site
from tests.support.imagestore import build_images, image_site
from tests.support.live import LiveServer
from tests.support.newsserver import NewsServer
from tests.support.webfixture import build


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "storywire.db"
    ids = build(db)
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
    yield server.base_url, ids
    server.close()
    store.close()


def test_home_then_story_then_citation(page, site):
    base, ids = site
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Stories"
    items = page.locator("li.story-item")
    assert items.count() == 3
    quake = items.filter(has_text="earthquake")
    assert quake.locator(".outlets").inner_text() == "4 outlets"
    bar = quake.locator(".coverage")
    assert bar.locator(".cov-left").inner_text() == "Left 1"  # The Guardian
    assert bar.locator(".cov-center").inner_text() == "Center 3"  # Reuters, AP, BBC News
    assert "GB 3 · US 1" in bar.locator(".cov-countries").inner_text()
    assert quake.locator(".top-highlight").inner_text()
    headings_in_order(page)
    external = page.evaluate("""() => [...document.querySelectorAll(
        'link[href], script[src], img[src], iframe[src]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src'))
        .filter(u => /^(https?:)?\\/\\//.test(u))""")
    assert external == [], "every asset is served locally"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    quake.locator("h2 a").click()
    page.wait_for_url(f"**/stories/{ids['quake']}")
    assert "earthquake" in page.locator("h1").inner_text().lower()
    sections = page.locator("article.story h2").all_text_contents()
    assert sections == ["Highlights", "Story", "Opinions", "What changed", "Sources"]
    assert page.locator("p.end").inner_text() == "You've reached the end"
    assert "New outlet: The Guardian." in page.locator("ul.changes").inner_text()
    headings_in_order(page)
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)
    # The screenshot story (the README's) reads as the seed page: each fact once, no
    # highlight repeated in the Story, no sentence leaning on one it does not follow or
    # pointing back at what it does not name, no highlight that is mostly a quote.
    told = [t.strip() for t in page.locator("p.body span.sentence").all_inner_texts()]
    told = [re.sub(r"\s*[\d,]+$", "", t) for t in told]  # the citation marks
    bullets = [
        re.sub(r"\s*[\d,]+$", "", t.strip())
        for t in page.locator("ul.highlights li").all_inner_texts()
    ]
    assert told and not reader_side.has_repeated_fact(told), told
    assert not any(reader_side.highlight_repeated(h, told) for h in bullets), bullets
    assert not any(reader_side.opener(t) or reader_side.broken_quote(t) for t in told), told
    assert not any(reader_side.leans_back(t) for t in told), told
    assert not any(reader_side.mostly_quoted(h) for h in bullets), bullets

    numbers = page.locator("ul.sources li[id^=source-] .sid").all_inner_texts()
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    cite = page.locator("p.body sup.cite a").first
    n = cite.inner_text()
    cite.click()
    assert page.url.endswith(f"#source-{n}")
    target = page.locator(f"#source-{n}")
    assert target.is_visible() and target.locator(".sid").inner_text() == n
    assert page.evaluate("() => document.querySelector(':target').id") == f"source-{n}"


def test_keyboard_reaches_stories(page, site):
    base, _ = site
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('li.story-item')"):
            break
    else:
        pytest.fail("no story link reachable with Tab")
    title = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stories/*")
    assert page.locator("h1").inner_text() == title


def test_search(page, site):
    base, ids = site
    page.goto(base + "/")
    page.get_by_label("Search stories and articles").fill("tsunami evacuation")
    page.get_by_label("Search stories and articles").press("Enter")
    page.wait_for_url("**/search?q=tsunami+evacuation")
    assert page.locator("h1").inner_text() == "Search"
    stories = page.locator("section[aria-labelledby=h-found-stories] li")
    assert stories.count() == 1
    articles = page.locator("section[aria-labelledby=h-found-articles] li")
    assert articles.count() >= 3
    articles.first.locator("h3 a").click()
    page.wait_for_url(f"**/stories/{ids['quake']}#article-*")
    assert page.locator(":target").count() == 1
    headings_in_order(page)


@pytest.fixture(scope="module")
def news_site():
    with NewsServer(discover_site()) as server:
        yield server


def test_add_and_remove_a_feed(page, site, news_site):
    base, _ = site
    feed_url = news_site.url("/world.atom")
    page.goto(base + "/feeds")
    assert page.locator("table.feeds tbody tr").count() == 1
    page.get_by_label("Feed address").fill(feed_url)
    page.get_by_label("Outlet name").fill("Example World")
    page.get_by_role("button", name="Add feed").click()
    assert page.locator("p.note").inner_text() == "Feed added."
    row = page.locator("tr", has_text=feed_url)
    assert "Example World" in row.inner_text() and "new" in row.inner_text()
    row.get_by_role("button", name="Remove").click()
    assert page.locator("p.note").inner_text() == "Feed removed (its articles stay)."
    assert page.locator("tr", has_text=feed_url).count() == 0


def test_feed_autodiscovery_through_the_form(page, site, news_site):
    """A site's home page in the form: the feeds it advertises are added and listed."""
    base, _ = site
    page.goto(base + "/feeds")
    page.get_by_label("Feed address").fill(news_site.url("/"))
    page.get_by_role("button", name="Add feed").click()
    assert (
        page.locator("p.note").inner_text() == "The page advertises 2 feeds: 2 new, listed below."
    )
    for path, title in (("/rss/top.xml", "Top stories"), ("/world.atom", "World")):
        row = page.locator("tr", has_text=news_site.url(path))
        assert row.count() == 1 and f"127.0.0.1 · {title}" in row.inner_text()
    assert page.locator("tr", has_text="comments").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "feeds-autodiscovery.png"), full_page=True)
    page.get_by_label("Feed address").fill(news_site.url("/gone/"))
    page.get_by_role("button", name="Add feed").click()
    assert "Nothing added" in page.locator("p.error").inner_text()
    assert "HTTP 404" in page.locator("p.error").inner_text()
    for path in ("/rss/top.xml", "/world.atom"):
        page.locator("tr", has_text=news_site.url(path)).get_by_role(
            "button", name="Remove"
        ).click()


def test_import_opml(page, site, tmp_path):
    base, _ = site
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline text="Tech" title="Tech">'
        '<outline type="rss" text="Ars" xmlUrl="https://ars.example/feed" />'
        '<outline type="rss" text="&lt;img src=x onerror=alert(1)&gt;" '
        'xmlUrl="https://evil.example/feed" htmlUrl="javascript:alert(1)" />'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    page.goto(base + "/feeds")
    page.get_by_label("Import feeds from an OPML file").set_input_files(str(opml))
    page.get_by_role("button", name="Import OPML").click()
    assert page.locator("p.note").inner_text() == "OPML imported: 2 feeds, 2 new."
    assert page.locator("tr", has_text="https://ars.example/feed").count() == 1
    evil = page.locator("tr", has_text="https://evil.example/feed")
    assert "<img src=x onerror=alert(1)>" in evil.inner_text()
    assert page.locator("img").count() == 0 and page.locator("[onerror]").count() == 0
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline", encoding="utf-8")
    page.get_by_label("Import feeds from an OPML file").set_input_files(str(broken))
    page.get_by_role("button", name="Import OPML").click()
    assert "Nothing imported" in page.locator("p.error").inner_text()


def test_hostile_content_never_runs(page, site):
    """Titles, text, authors and links carrying script tags, event handlers and
    javascript: URLs are shown as text; nothing runs and no such link exists."""
    base, ids = site
    page.add_init_script(
        "window.__ran = []; const a = window.alert;"
        "window.alert = (m) => { window.__ran.push(String(m)); };"
    )
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    for path in (
        "/",
        f"/stories/{ids['xss']}",
        "/search?q=hackers+council",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/feeds",
        f"/stories/{ids['xss']}/versions",
    ):
        page.goto(base + path)
        assert page.evaluate("() => window.__ran") == [], path
        scripts = page.evaluate(
            "() => [...document.scripts].map(s => [s.getAttribute('src'), s.text.trim()])"
        )
        assert scripts == [["/static/localtime.js", ""]], (path, scripts)  # ours, no inline
        assert page.locator("img").count() == 0, path
        handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
            e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))""")
        assert handlers == [], path
        hrefs = page.evaluate(
            "() => [...document.querySelectorAll('[href],[src]')]"
            ".map(e => e.getAttribute('href') || e.getAttribute('src'))"
        )
        assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    page.goto(base + f"/stories/{ids['xss']}")
    assert page.get_by_text("<script>alert(1)</script>").count() >= 1  # shown, as text
    assert (
        "<img src=x onerror=alert(1)>"
        in page.locator("ul.opinions").inner_text() + page.locator("ul.sources").inner_text()
    )
    links = page.locator("ul.sources li[id^=source-] a[href]")  # (h3 links: outlet pages)
    assert links.count() == 0, "javascript: links stay text"
    assert not [c for c in console if "alert" in c]


# -- lead images, dark mode, local time -------------------------------------------------


@pytest.fixture(scope="module")
def image_sites(tmp_path_factory):
    """The image store served twice: images on and images off; the images themselves
    come from a local NewsServer."""
    with NewsServer(image_site()) as images:
        db = tmp_path_factory.mktemp("browser-images") / "storywire.db"
        ids = build_images(db, images.base_url)
        store = Store(db)
        on = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
        off = LiveServer(
            create_app(load_settings(db=db, page_cache_seconds=0, show_images=False), store)
        )
        yield on.base_url, off.base_url, ids, images
        on.close()
        off.close()
        store.close()


LOADED = "(img) => img.complete && img.naturalWidth > 0"


def test_lead_images_on_and_off(page, image_sites):
    on, off, ids, images = image_sites
    page.goto(on + "/")
    thumb = page.locator("li.story-item img.thumb")
    assert thumb.count() == 1, "the story with a hostile image URL shows none"
    assert thumb.get_attribute("loading") == "lazy" and thumb.get_attribute("alt") == ""
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('img.thumb'))")
    box = thumb.bounding_box()
    assert box and round(box["width"]) == 128 and round(box["height"]) == 84
    page.goto(on + f"/stories/{ids['de']}")
    assert page.locator("html").get_attribute("lang") == "de"
    lead = page.locator("figure.lead img")
    assert lead.get_attribute("src") == images.url("/img/lead.png")
    lead.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('figure.lead img'))")
    assert "Image: Tagesschau" in page.locator("figure.lead figcaption").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "story-image.png"), full_page=True)
    for path in ("/", f"/stories/{ids['de']}"):
        page.goto(off + path)
        assert page.locator("img").count() == 0, path
    page.screenshot(path=str(ARTIFACTS / "story-images-off.png"), full_page=True)
    got = [r.path for r in images.requests]
    assert got and set(got) <= {"/img/lead.png"}, "only the lead image was loaded"


def test_dark_mode(browser, site):
    base, ids = site
    context = browser.new_context(viewport={"width": 1000, "height": 900}, color_scheme="dark")
    page = context.new_page()
    try:
        for path, shot in (("/", "home-dark.png"), (f"/stories/{ids['quake']}", "story-dark.png")):
            page.goto(base + path)
            bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            fg = page.evaluate("() => getComputedStyle(document.body).color")
            assert bg == "rgb(20, 22, 25)" and fg == "rgb(230, 230, 230)", (path, bg, fg)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    finally:
        context.close()
    light = browser.new_context(color_scheme="light")
    try:
        page = light.new_page()
        page.goto(base + "/")
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == (
            "rgb(255, 255, 255)"
        )
    finally:
        light.close()


def test_times_in_the_readers_time_zone(browser, site):
    base, ids = site
    tokyo = browser.new_context(timezone_id="Asia/Tokyo", locale="en-US")
    try:
        page = tokyo.new_page()
        page.goto(base + f"/stories/{ids['quake']}")
        first = page.locator("ul.sources time").first
        stamp = first.get_attribute("datetime")
        assert stamp == "2025-03-04T06:00:00Z"
        assert first.inner_text() == "Mar 4, 2025, 3:00 PM GMT+9"
        assert first.get_attribute("title") == "Mar 4, 2025, 6:00 AM UTC"
    finally:
        tokyo.close()
    no_js = browser.new_context(java_script_enabled=False)
    try:
        page = no_js.new_page()
        page.goto(base + f"/stories/{ids['quake']}")
        assert page.locator("ul.sources time").first.inner_text() == "Mar 4, 2025, 6:00 AM UTC"
    finally:
        no_js.close()
