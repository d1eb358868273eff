"""`storywire import` on the real AllSides corpus with its field mapping, then the web
home page lists multi-outlet stories. One month of the corpus keeps it fast."""

import gzip
import html
import json
import re

import httpx
from click.testing import CliRunner

from storywire import Store, load_settings
from storywire.cli import main
from storywire.web import create_app

MAPPING = ["text=content_original", "outlet=source", "published=date", "id=ID"]


def test_allsides_month_imports_into_multi_outlet_stories(tmp_path, data_dir, live_server):
    corpus = data_dir / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    month = tmp_path / "2018-09.jsonl.gz"
    with gzip.open(corpus, "rt") as src, gzip.open(month, "wt") as dst:
        kept = [line for line in src if json.loads(line)["date"].startswith("2018-09")]
        dst.writelines(kept)
    db = tmp_path / "corpus.db"
    args = ["--db", str(db), "import", str(month)]
    for pair in MAPPING:
        args += ["--field", pair]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{len(kept)} new articles" in result.output
    assert "write stories" not in result.output  # no progress bars: not a terminal

    store = Store(db)
    try:
        assert store.article_count() == len(kept)
        server = live_server(create_app(load_settings(db=db), store))
        home = html.unescape(httpx.get(server.base_url + "/").text)
        counts = [int(n) for n in re.findall(r"(\d+) outlets", home)]
        assert counts and max(counts) >= 5, "top stories should gather many outlets"
        # Ranked by score (outlets, recency, growth) relative to the newest 2018-09 article.
        listing = httpx.get(server.base_url + "/api/v1/stories").json()
        scores = [s["score"] for s in listing["stories"]]
        assert len(scores) == 30 and scores == sorted(scores, reverse=True)
        assert listing["reference_time"].startswith("2018-09")
    finally:
        store.close()
