"""A small fault-injection news site: a few feeds of synthetic articles on 127.0.0.1.

Each feed path serves an RSS feed of its own articles. ``FaultSite.fault(path, hook)``
replaces what one path serves (an error, a redirect, a raw socket behaviour ...).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tests.support.newsserver import (
    HTML_TYPE,
    RSS_TYPE,
    ArticleInfo,
    Entry,
    Raw,
    Request,
    Site,
    _rss,
    article_html,
    ok,
)

_TEXT = (
    "council budget river bridge school teachers strike vote senator minister harbour "
    "storm flood rescue hospital nurses court judge appeal police station election "
    "campaign mayor railway tunnel airport runway farmers harvest drought wildfire "
    "museum library festival orchestra stadium coach season market prices energy "
    "pipeline factory workers union wages tax reform housing rents tenants landlord "
    "climate summit treaty border talks ceasefire army navy satellite launch rocket"
)
_WORDS = _TEXT.split()


def paragraphs(seed: int, count: int = 4) -> tuple[str, ...]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(45)]
        out.append(" ".join(words).capitalize() + ".")
    return tuple(out)


class FaultSite(Site):
    def __init__(self) -> None:
        super().__init__()
        self.faults: dict[str, object] = {}
        self.add_hook(self._fault)
        self._feeds: dict[str, list[ArticleInfo]] = {}
        self._n = 0
        self.base = datetime(2025, 5, 1, 8, tzinfo=UTC)

    def _fault(self, request: Request, base_url: str) -> Entry | Raw | None:
        fault = self.faults.get(request.path.split("?", 1)[0])
        if fault is None:
            return None
        if callable(fault):
            return fault(request, base_url)  # type: ignore[no-any-return]
        return fault  # type: ignore[return-value]

    def feed(self, path: str, articles: int = 2) -> str:
        self._feeds[path] = []
        self.add_lazy(path, lambda base: ok(_rss(path, base, self._feeds[path]), RSS_TYPE))
        self.feed_paths.append(path)
        for _ in range(articles):
            self.article(path)
        return path

    def article(self, feed_path: str) -> ArticleInfo:
        self._n += 1
        n = self._n
        info = ArticleInfo(
            path=f"/news/story-{n}",
            title=f"Story number {n} about the council",
            paragraphs=paragraphs(n),
            published=self.base + timedelta(minutes=7 * n),
            author="A. Reporter",
            site_name="Fault Gazette",
            source=feed_path,
            guid=f"g{n}",
        )
        self.articles[info.path] = info
        self._feeds[feed_path].append(info)

        def render(base: str, i: ArticleInfo = info) -> Entry:
            return ok(
                article_html(
                    i.title, i.paragraphs, i.published, i.author, i.site_name, base + i.path
                ),
                HTML_TYPE,
            )

        self.add_lazy(info.path, render)
        return info
