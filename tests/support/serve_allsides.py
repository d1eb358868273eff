"""The AllSides news site (newsserver.allsides_site) in a process of its own, for the
ingest benchmark: its CPU is then measured apart from the pipeline's.

    python -m tests.support.serve_allsides CORPUS FEEDS ARTICLES [REAL_PAGES_DIR]

Prints "<base url> <feeds> <templates>" on one line once listening, then serves until
its stdin closes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.support.newsserver import NewsServer, allsides_site
from tests.support.realpages import load_templates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("feeds", type=int)
    ap.add_argument("articles", type=int)
    ap.add_argument("real_pages", type=Path, nargs="?", help="real news pages to fill")
    args = ap.parse_args()
    templates = load_templates(args.real_pages) if args.real_pages else []
    site = allsides_site(args.corpus, feeds=args.feeds, articles=args.articles, templates=templates)
    with NewsServer(site, quiet=True) as server:
        print(server.base_url, len(site.feed_paths), len(templates), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
