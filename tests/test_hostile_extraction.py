"""A page whose extraction hangs: the worker is stopped after ``extract_timeout`` and
replaced, the other pages are extracted, and closing the pool does not wait for it."""

from __future__ import annotations

import asyncio
import time

import pytest

from storywire.errors import ExtractError
from storywire.workers import Extractor

from tests.support.hangs import count
from tests.support.newsserver import article_html

HTML = "text/html; charset=utf-8"


def page(title: str) -> bytes:
    body = [f"{title} was reported on Monday by officials in the capital city."] * 6
    return article_html(title, body, None, "A. Writer", "Gazette", "https://x.example/a").encode()


async def extract_all(extractor: Extractor, titles: list[str]) -> list[object]:
    async def one(title: str) -> object:
        try:
            prepared = await extractor.prepare(
                page(title), "https://x.example/a", "news", HTML, title
            )
        except ExtractError as exc:
            return str(exc)
        return prepared.counts

    return await asyncio.gather(*(one(t) for t in titles))


@pytest.mark.parametrize("hang", ["SLEEPS", "SPINS"])
def test_hanging_page_is_stopped_and_the_worker_replaced(hang):
    extractor = Extractor(2, count, timeout=1.0)
    titles = ["Good one", f"Bad page that {hang}", "Good two"]
    start = time.monotonic()
    try:
        first = asyncio.run(extract_all(extractor, titles))
        second = asyncio.run(extract_all(extractor, ["Good three", "Good four"]))
    finally:
        extractor.close()
    took = time.monotonic() - start
    assert "timed out" in str(first[1]) or "worker" in str(first[1]), first
    if hang == "SLEEPS":  # the soft timeout: the other pages of the chunk are kept
        assert isinstance(first[0], int) and isinstance(first[2], int), first
    assert all(isinstance(c, int) for c in second), second  # a working pool again
    assert took < 30, took


def test_closing_the_pool_does_not_wait_for_a_hanging_page():
    extractor = Extractor(1, count, timeout=600.0)

    async def start_and_close() -> float:
        task = asyncio.ensure_future(
            extractor.prepare(page("It SLEEPS"), "https://x.example/a", "news", HTML, "It SLEEPS")
        )
        await asyncio.sleep(3)  # the worker is inside the page now
        began = time.monotonic()
        extractor.close()
        took = time.monotonic() - began
        task.cancel()
        return took

    assert asyncio.run(start_and_close()) < 5
