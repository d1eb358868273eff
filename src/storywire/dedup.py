"""Canonical URLs and exact-duplicate detection.

The canonical URL is the article's identity in the store: courlan strips
tracking parameters and normalises case and ports; we also drop the fragment,
a trailing slash, AMP variants and the ``m.``/``mobile.`` host prefix.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

_AMP_PATH = re.compile(r"(/amp(?=/|$)|\.amp(?=$|\.html?$))", re.I)
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp|amp=1)(?=&|$)", re.I)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.", re.I)
_WORD = re.compile(r"\w+")


def canonical_url(url: str) -> str:
    try:
        url = normalize_url(url.strip(), strict=True)
    except (ValueError, TypeError):
        url = url.strip()
    parts = urlsplit(url)
    host = _MOBILE_HOST.sub("www.", parts.netloc)
    path = _AMP_PATH.sub("", parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = _AMP_QUERY.sub("", parts.query).strip("&")
    return urlunsplit((parts.scheme, host, path or "/", query, ""))


def content_hash(title: str, text: str) -> str:
    """Hash of the words of the text (or title when there is no text), case-folded."""
    words = _WORD.findall((text or title).casefold())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()
