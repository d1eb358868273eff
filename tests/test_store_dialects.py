"""The same input imported into SQLite and into PostgreSQL gives the same stories, and the
web pages, API and search answer the same on both."""

import gzip
import json

import httpx
from click.testing import CliRunner

from storywire import Store, load_settings
from storywire.cli import main
from storywire.web import create_app

MAPPING = ["text=content_original", "outlet=source", "published=date", "id=ID"]


def _import(month, target):
    sqlite = "://" not in target
    args = ["--db", target] if sqlite else []
    args += ["import", str(month)]
    for pair in MAPPING:
        args += ["--field", pair]
    env = {"STORYWIRE_DATABASE_URL": "" if sqlite else target}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output


def _stories(store):
    """Each written story: its title, outlet count and its articles' URLs."""
    found = set()
    for story, title in store.list_stories(limit=10_000):
        urls = frozenset(a.url for a in store.story_articles(story.id))
        found.add((title, story.outlet_count, urls))
    return found


def test_import_gives_the_same_stories_on_sqlite_and_postgresql(
    tmp_path, data_dir, postgres, live_server
):
    corpus = data_dir / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    month = tmp_path / "2018-09-part.jsonl.gz"
    with gzip.open(corpus, "rt") as src, gzip.open(month, "wt") as dst:
        kept = [line for line in src if json.loads(line)["date"].startswith("2018-09-1")]
        dst.writelines(kept)
    targets = [str(tmp_path / "lite.db"), postgres.create_database()]
    answers = []
    for target in targets:
        _import(month, target)
        store = Store(target)
        try:
            assert store.article_count() == len(kept)
            stories = _stories(store)
            server = live_server(create_app(load_settings(database_url=target), store))
            api = httpx.get(server.base_url + "/api/v1/stories").json()["stories"]
            home = httpx.get(server.base_url + "/")
            assert home.status_code == 200 and api
            page = httpx.get(server.base_url + f"/stories/{api[0]['id']}")
            assert page.status_code == 200
            word = api[0]["title"].split()[0]
            search = httpx.get(server.base_url + "/api/v1/search", params={"q": word})
            assert search.status_code == 200
            answers.append((stories, [(s["title"], s["outlet_count"]) for s in api], search.json()))
        finally:
            store.close()
    lite, pg = answers
    assert len(lite[0]) > 20 and any(outlets >= 3 for _, outlets, _ in lite[0])
    assert lite[0] == pg[0]  # the same stories, of the same articles
    assert lite[1] == pg[1]  # ranked in the same order
