"""A store whose stories carry lead images and languages, for the image, share-tag and
lang tests: a German story (two articles with images served by a local NewsServer), and
a French one-article story whose stored image URLs are hostile (javascript:, a quote
that would close the attribute)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

from storywire import Pipeline, Store, load_settings
from storywire.models import Article

from tests.support.newsserver import Site

HOSTILE_IMAGE = 'https://evil.example/x.jpg" onerror="alert(1)'


def png(width: int, height: int) -> bytes:
    """A real PNG: a blue-to-orange gradient, so a screenshot shows it loaded."""
    rows = b"".join(
        b"\0"
        + b"".join(bytes((40 + 200 * x // width, 90, 200 - 160 * x // width)) for x in range(width))
        for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def image_site() -> Site:
    site = Site()
    site.add("/img/lead.png", png(640, 360), "image/png")
    site.add("/img/second.png", png(320, 180), "image/png")
    return site


def _at(hour: int) -> datetime:
    return datetime(2025, 3, 4, hour, tzinfo=UTC)


def articles(image_base: str) -> list[Article]:
    text = (
        "Der Bundestag hat am Dienstag ein neues Klimaschutzgesetz beschlossen. Das Gesetz "
        "schreibt vor, dass Deutschland bis 2045 klimaneutral werden soll. Die Opposition "
        "kritisierte die Pläne der Bundesregierung als unzureichend und zu teuer."
    )
    return [
        Article(
            url="https://tagesschau.example/klima",
            title="Bundestag beschließt neues Klimaschutzgesetz",
            text=text,
            published=_at(8),
            outlet="Tagesschau",
            language="de",
            image=image_base + "/img/lead.png",
        ),
        Article(
            url="https://spiegel.example/klima",
            title="Bundestag beschließt Klimaschutzgesetz: Klimaneutral bis 2045",
            text=text.replace("am Dienstag", "am Dienstagabend"),
            published=_at(9),
            outlet="Der Spiegel",
            language="de",
            image=image_base + "/img/second.png",
        ),
        Article(
            url="https://lemonde.example/greve",
            title="Grève nationale des cheminots en France",
            text="Les cheminots français ont entamé mardi une grève nationale pour protester "
            "contre la réforme des retraites. La SNCF prévoit de fortes perturbations.",
            published=_at(10),
            outlet="Le Monde",
            language="fr",
            image=HOSTILE_IMAGE,
        ),
    ]


def build_images(db: Path, image_base: str) -> dict[str, int]:
    """Fill ``db``; return the story ids: de, fr."""
    store = Store(db)
    store.migrate()
    try:
        pipeline = Pipeline(store, load_settings(db=db))
        pipeline.import_articles(articles(image_base))
        pipeline.write_dirty()
        ids = {}
        for story, title in store.list_stories():
            ids["fr" if "Grève" in title or "cheminots" in title else "de"] = story.id
    finally:
        store.close()
    return ids
