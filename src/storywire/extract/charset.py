"""Bytes of an HTML page to text, honouring the declared character set.

Order: a byte-order mark; the HTTP ``Content-Type`` charset; ``<meta charset>``
or ``<meta http-equiv="Content-Type">`` in the first 4 KB; the XML declaration.
A declaration that the bytes contradict (decoding fails) is skipped, then UTF-8
is tried, then charset-normalizer guesses. Labels are resolved as browsers do (the
WHATWG Encoding Standard, via ``webencodings``): ``iso-8859-1``/``ascii`` are read as
windows-1252, ``gb2312``/``gbk``/``x-gbk`` as GB18030, ``x-sjis`` as Shift_JIS...
"""

from __future__ import annotations

import codecs
import re

import webencodings
from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG decoders Python names differently: the GBK decoder is the GB18030 one.
_PYTHON_CODEC = {"gbk": "gb18030"}


def _codec(label: str | bytes | None) -> str | None:
    """The Python codec a browser would use for ``label`` (None: unknown label)."""
    if not label:
        return None
    name = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip()
    found = webencodings.lookup(name)
    if found is None:  # not a WHATWG label: Python's own name, if it knows one
        try:
            return codecs.lookup(name).name
        except LookupError:
            return None
    if found.name in ("replacement", "x-user-defined"):
        return None
    python = found.codec_info.name
    return _PYTHON_CODEC.get(python, python)


def declared_charsets(body: bytes, content_type: str = "") -> list[str]:
    found: list[str | None] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            found.append(name)
    if h := _HEADER.search(content_type or ""):
        found.append(_codec(h.group(1)))
    head = body[:4096]
    for pattern in (_META, _XML_DECL):
        if m := pattern.search(head):
            found.append(_codec(m.group(1)))
    return [c for c in dict.fromkeys(found) if c]


def decode_html(body: bytes, content_type: str = "") -> str:
    """The page as text; never raises (a last resort replaces undecodable bytes)."""
    for name in [*declared_charsets(body, content_type), "utf-8"]:
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    guess = from_bytes(body[:200_000]).best()
    if guess is not None and guess.encoding:
        return body.decode(guess.encoding, "replace")
    return body.decode("utf-8", "replace")
