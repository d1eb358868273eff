"""The answers of the search API for a fixed set of queries, to compare search code
before and after a change: the same store must give byte-identical output.

    python -m bench.search_answers STORE OUT.jsonl

STORE: a SQLite file or a postgresql:// URL (a store built by ``bench/scale.py --keep``).
Queries: the 400 word pairs of ``bench/scale.py``'s search rotation and a few others
(single words, prefixes, accents, a word no article holds), pages 1 and 2 (offset 0
and 20): 814 requests through the real route (``/api/v1/search``, in-process), one JSON
body per line. Prints the line count and the SHA-256 of the file; compare two runs with
``cmp``.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from urllib.parse import quote_plus

from bench.scale import SEARCH_WORDS

OTHERS = ["trump", "sen", "climate change policy", "Élysée", "covid vacc", "xyzzyq", "a"]


def queries() -> list[str]:
    """The 407 queries: the bench's pairs, then the others."""
    return [f"{a} {b}" for a in SEARCH_WORDS for b in SEARCH_WORDS] + OTHERS


def main() -> None:
    from starlette.testclient import TestClient

    from storywire import Store, load_settings
    from storywire.web import create_app

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    store = Store(args.store)
    settings = load_settings(page_cache_seconds=0)
    lines = []
    try:
        with TestClient(create_app(settings, store), base_url="http://127.0.0.1") as client:
            for q in queries():
                for offset in (0, 20):
                    r = client.get(f"/api/v1/search?q={quote_plus(q)}&offset={offset}")
                    r.raise_for_status()
                    lines.append(r.content)
    finally:
        store.close()
    data = b"\n".join(lines) + b"\n"
    args.out.write_bytes(data)
    print(f"{len(lines)} answers, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
