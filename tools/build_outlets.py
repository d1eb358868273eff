"""Build the shipped outlet data, ``src/storywire/data/outlets.json``.

    python -m tools.build_outlets [--data ../shared/data] [--out src/storywire/data/outlets.json]

Inputs (only facts are kept; no description text is copied):
- Kagi ``feeds/kite/media_data.json``: country (name -> ISO code), owner (kept only when it
  is a short name, not a sentence) and typology of each outlet, with its domains;
- the AllSides corpus ``corpus/allsides-article-bias/articles.jsonl.gz``: each outlet's
  rating (``bias_text``, the majority of its articles when they disagree) and domain;
- the Leaning column of ``docs/default-feeds.md`` and the outlet/country/domain of
  ``src/storywire/data/default-feeds.opml``.
Records are merged by domain; every value says where it came from.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from storywire.outlets import domain_of, name_key, normalize_lean

ROOT = Path(__file__).resolve().parent.parent
# Country names as media_data.json writes them -> ISO 3166-1 alpha-2.
COUNTRIES = {
    "Argentina": "AR", "Australia": "AU", "Bahrain": "BH", "Belgium": "BE", "Bulgaria": "BG",
    "Canada": "CA", "China": "CN", "Croatia": "HR", "Cyprus": "CY", "Czech Republic": "CZ",
    "Egypt": "EG", "Estonia": "EE", "Finland": "FI", "France": "FR", "Germany": "DE",
    "Hong Kong": "HK", "Hungary": "HU", "India": "IN", "Iran": "IR", "Iraq": "IQ",
    "Ireland": "IE", "Israel": "IL", "Italy": "IT", "Japan": "JP", "Jordan": "JO",
    "Kuwait": "KW", "Lebanon": "LB", "The Netherlands": "NL", "Netherlands": "NL",
    "Netherlands/Morocco": "NL", "New Zealand": "NZ", "Oman": "OM", "Pakistan": "PK",
    "Palestine": "PS", "Qatar": "QA", "Russia": "RU", "Saint Kitts and Nevis": "KN",
    "Saudi Arabia": "SA", "Singapore": "SG", "South Korea": "KR", "Spain": "ES",
    "Switzerland": "CH", "Syria": "SY", "Taiwan": "TW", "Taiwan/South Africa": "TW",
    "Turkey": "TR", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US", "Yemen": "YE",
}  # fmt: skip
OWNER_MAX = 60  # longer "owner" values are descriptions, not names: left out


class Builder:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.by_domain: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, dict[str, Any]] = {}

    def record(self, name: str, domains: list[str], lean: str = "") -> dict[str, Any]:
        """The record of this outlet (found by name, then by any domain), or a new one.
        A domain's record with another lean is not this outlet (an outlet's opinion
        section rated apart from its news): a new record, found by name only."""
        found = self.by_name.get(name_key(name))
        for d in domains:
            found = found or self.by_domain.get(d)
        if found is not None and lean and found["values"].get("lean", lean) != lean:
            found, domains = self.by_name.get(name_key(name)), []
        if found is None:
            found = {"name": name, "aliases": [], "domains": [], "values": {}, "origins": {}}
            self.records.append(found)
        if name_key(name) != name_key(found["name"]) and name not in found["aliases"]:
            found["aliases"].append(name)
        for d in domains:
            if d and d not in found["domains"]:
                found["domains"].append(d)
            self.by_domain.setdefault(d, found)
        self.by_name.setdefault(name_key(name), found)
        return found

    @staticmethod
    def put(rec: dict[str, Any], key: str, value: str, origin: str) -> None:
        if value and key not in rec["values"]:
            rec["values"][key], rec["origins"][key] = value, origin


def add_kite(b: Builder, path: Path) -> int:
    n = 0
    for item in json.loads(path.read_text(encoding="utf-8")):
        domains = [domain_of(d) for d in item.get("domains") or [] if d]
        if not item.get("organization") or not domains:
            continue
        rec = b.record(item["organization"].strip(), domains)
        b.put(rec, "country", COUNTRIES.get(item.get("country", "").strip(), ""), "kite")
        owner = (item.get("owner") or "").strip()
        if len(owner) <= OWNER_MAX and not owner.endswith("."):
            b.put(rec, "owner", owner, "kite")
        b.put(rec, "typology", (item.get("typology") or "").strip()[:OWNER_MAX], "kite")
        n += 1
    return n


def add_allsides(b: Builder, path: Path) -> int:
    ratings: dict[str, Counter[str]] = defaultdict(Counter)
    hosts: dict[str, Counter[str]] = defaultdict(Counter)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            ratings[obj["source"]][obj["bias_text"]] += 1
            hosts[obj["source"]][domain_of(obj.get("source_url") or "")] += 1
    # Most articles first: an outlet claims its domain before its columnists do.
    for source, counts in sorted(ratings.items(), key=lambda kv: -sum(kv[1].values())):
        host = hosts[source].most_common(1)[0][0]
        # Bylines such as "Guest Writer - Right" share a real outlet's domain: by name only.
        lean = normalize_lean(counts.most_common(1)[0][0]) or ""
        rec = b.record(source, [host] if "writer" not in source.lower() else [], lean)
        b.put(rec, "lean", lean, "allsides")
    return len(ratings)


def add_default_feeds(b: Builder, opml: Path, table: Path) -> int:
    leaning: dict[str, str] = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 5 and cells[1] and cells[1] not in ("Outlet", "---"):
            lean = normalize_lean(cells[4].replace("†", "").strip())
            if lean:
                leaning[cells[1]] = lean
    n = 0
    for node in ET.parse(opml).iter("outline"):
        outlet, html_url = node.get("outlet"), node.get("htmlUrl") or node.get("xmlUrl") or ""
        if not outlet:
            continue
        rec = b.record(outlet, [domain_of(html_url)])
        b.put(rec, "country", (node.get("country") or "").upper(), "default-feeds")
        b.put(rec, "language", node.get("language") or "", "default-feeds")
        b.put(rec, "lean", leaning.get(outlet, ""), "default-feeds")
        n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "")))
    ap.add_argument("--out", type=Path, default=ROOT / "src/storywire/data/outlets.json")
    args = ap.parse_args()
    b = Builder()
    # Order = precedence when two sources give the same field: AllSides ratings first.
    n_all = add_allsides(b, args.data / "corpus/allsides-article-bias/articles.jsonl.gz")
    n_kite = add_kite(b, args.data / "feeds/kite/media_data.json")
    n_def = add_default_feeds(
        b, ROOT / "src/storywire/data/default-feeds.opml", ROOT / "docs/default-feeds.md"
    )
    for rec in b.records:
        if not rec["aliases"]:
            del rec["aliases"]
    b.records.sort(key=lambda r: name_key(r["name"]))
    out = {
        "about": "Outlet facts for storywire, built by tools/build_outlets.py from Kagi "
        "media_data.json (MIT), the AllSides article corpus (Apache-2.0) and storywire's "
        "default feed list. origins: where each value came from.",
        "outlets": b.records,
    }
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    args.out.write_text(re.sub(r'\},\{"', '},\n{"', text) + "\n", encoding="utf-8")
    with_lean = sum(1 for r in b.records if "lean" in r["values"])
    print(
        f"{len(b.records)} outlets ({with_lean} with a lean) from {n_all} AllSides sources, "
        f"{n_kite} kite outlets, {n_def} default feeds -> {args.out}"
    )


if __name__ == "__main__":
    main()
