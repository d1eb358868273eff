"""Outlet knowledge: who an outlet is (country, owner, typology) and where it leans.

Values come from several origins, each recorded per field (``origins``). A value is
replaced only by one from an origin of the same or higher rank::

    user (storywire outlets set) > opml (feed list attributes) > import (--field)
        > allsides > kite > default-feeds (the data shipped in data/outlets.json)

The shipped data is built by ``tools/build_outlets.py`` from Kagi's ``media_data.json``
(country, owner, typology, matched by domain), the AllSides article corpus (each
outlet's rating, by majority of its articles) and the Leaning column of the default
feed list. No text descriptions are copied.

Lean is five-point (left, lean left, center, lean right, right) or unknown (""). Coverage
counts fold it to three sides: lean left counts as left, lean right as right.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

LEANS = ("left", "lean left", "center", "lean right", "right")
SIDES = ("left", "center", "right", "unknown")
FIELDS = ("country", "language", "owner", "typology", "lean")
ORIGIN_RANK = {
    "default-feeds": 1,
    "kite": 2,
    "allsides": 3,
    "feed": 4,
    "import": 5,
    "opml": 6,
    "user": 7,
}
_LEAN_WORDS = {
    "left": "left",
    "far left": "left",
    "lean left": "lean left",
    "leans left": "lean left",
    "centre-left": "lean left",
    "center-left": "lean left",
    "centre left": "lean left",
    "center left": "lean left",
    "left-leaning": "lean left",
    "center": "center",
    "centre": "center",
    "centrist": "center",
    "least biased": "center",
    "lean right": "lean right",
    "leans right": "lean right",
    "centre-right": "lean right",
    "center-right": "lean right",
    "centre right": "lean right",
    "center right": "lean right",
    "right-leaning": "lean right",
    "right": "right",
    "far right": "right",
    "": "",
    "unknown": "",
    "mixed": "",
}
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def normalize_lean(value: str) -> str | None:
    """A lean as written anywhere (``Centre-left``, ``lean_left``, ``-1``...) to one of
    LEANS or '' (unknown); None when it is not a lean at all."""
    word = re.sub(r"[\s_]+", " ", (value or "").strip().lower())
    numeric = {"-2": "left", "-1": "lean left", "0": "center", "1": "lean right", "2": "right"}
    if word in numeric:
        return numeric[word]
    return _LEAN_WORDS.get(word)


def side(lean: str) -> str:
    """The coverage side of a lean: lean left folds into left, lean right into right."""
    if lean in ("left", "lean left"):
        return "left"
    if lean in ("right", "lean right"):
        return "right"
    return "center" if lean == "center" else "unknown"


def normalize_country(value: str) -> str | None:
    """ISO 3166-1 alpha-2 in upper case, '' for unknown; None when not a code."""
    value = (value or "").strip()
    if not value:
        return ""
    return value.upper() if _COUNTRY.match(value) else None


def domain_of(url_or_host: str) -> str:
    """Host without ``www.``, lower case: ``https://www.nytimes.com/x`` -> nytimes.com."""
    text = (url_or_host or "").strip().lower()
    if "//" in text:
        try:
            text = urlsplit(text).hostname or ""
        except ValueError:
            return ""
    text = text.split("/")[0].split(":")[0]
    return text[4:] if text.startswith(("www.", "www1.")) and text.count(".") > 1 else text


def name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (name or "").lower()).strip()


@dataclass(frozen=True)
class Known:
    """Shipped knowledge about one outlet; ``origins`` says where each value came from."""

    name: str
    domains: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)


class Knowledge:
    """Shipped outlet data, looked up by outlet name, then by domain (and parents)."""

    def __init__(self, records: list[dict[str, Any]]):
        self.by_name: dict[str, Known] = {}
        self.by_domain: dict[str, Known] = {}
        for r in records:
            known = Known(
                name=r["name"],
                domains=tuple(r.get("domains") or ()),
                values={k: v for k, v in r.get("values", {}).items() if k in FIELDS},
                origins=dict(r.get("origins", {})),
            )
            for alias in [known.name, *r.get("aliases", ())]:
                self.by_name.setdefault(name_key(alias), known)
            for d in known.domains:
                self.by_domain.setdefault(d, known)

    def find(self, name: str, domain: str = "") -> Known | None:
        found = self.by_name.get(name_key(name))
        if found is not None:
            return found
        host = domain_of(domain)
        while host.count(".") >= 1:
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.split(".", 1)[1]
        return None


@lru_cache(maxsize=1)
def shipped() -> Knowledge:
    """The outlet data shipped in the package (``storywire/data/outlets.json``)."""
    path = resources.files("storywire") / "data" / "outlets.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return Knowledge(data["outlets"])


def merge(
    current: Mapping[str, str],
    origins: Mapping[str, str],
    new: Mapping[str, str],
    origin: str,
) -> tuple[dict[str, str], dict[str, str]]:
    """Values and origins after offering ``new`` (from ``origin``): a field changes only
    when its current origin does not outrank ``origin``. Empty new values are ignored,
    except from the user (``outlets set --lean unknown`` clears a lean)."""
    values, sources = dict(current), dict(origins)
    rank = ORIGIN_RANK.get(origin, 0)
    for key, value in new.items():
        if key not in FIELDS or value is None or (value == "" and origin != "user"):
            continue
        if ORIGIN_RANK.get(sources.get(key, ""), 0) > rank:
            continue
        values[key], sources[key] = value, origin
    return values, sources


def clean_fields(raw: Mapping[str, str]) -> dict[str, str]:
    """User-given outlet fields checked and normalised; raises ValueError naming the field."""
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key not in FIELDS:
            raise ValueError(f"unknown outlet field {key!r} (known: {', '.join(FIELDS)})")
        value = (value or "").strip()
        if key == "lean":
            lean = normalize_lean(value)
            if lean is None:
                raise ValueError(f"lean {value!r}: use one of {', '.join(LEANS)} or unknown")
            value = lean
        elif key == "country":
            code = normalize_country(value)
            if code is None:
                raise ValueError(f"country {value!r}: use an ISO 3166-1 two-letter code")
            value = code
        out[key] = value[:200]
    return out


def initial_values(name: str, info: Mapping[str, str], origin: str) -> dict[str, str]:
    """Column values of a new outlet: the shipped knowledge, then ``info`` over it."""
    domain = domain_of(info.get("domain", ""))
    known = shipped().find(name, domain)
    values: dict[str, str] = dict(known.values) if known else {}
    origins: dict[str, str] = dict(known.origins) if known else {}
    values, origins = merge(values, origins, info, origin)
    domains = list(known.domains) if known else []
    if domain and domain not in domains:
        domains.insert(0, domain)
    out = {k: values.get(k, "") for k in FIELDS}
    out.update(domain=domain, domains=json.dumps(domains), origins=json.dumps(origins))
    return out
