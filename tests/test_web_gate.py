"""Searches pass a FIFO gate: at most ``search_concurrency`` at once per process, the
others in arrival order, with the same answers."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from storywire import Store, load_settings
from storywire.web import create_app
from storywire.web.gate import FifoGate

from tests.support.live import LiveServer
from tests.support.webfixture import build


def _wait_for(check, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


@pytest.mark.parametrize("places", [1, 2])
def test_gate_bounds_and_serves_in_arrival_order(places):
    gate = FifoGate(places)
    inside, most, order = 0, 0, []
    count = threading.Lock()
    release = threading.Event()

    def visit(name):
        nonlocal inside, most
        with gate:
            with count:
                inside += 1
                most = max(most, inside)
                order.append(name)
            release.wait(10)
            with count:
                inside -= 1

    threads = []
    for i in range(8):
        t = threading.Thread(target=visit, args=(i,))
        t.start()
        threads.append(t)
        # The next thread arrives only once this one holds a place or waits in line.
        _wait_for(lambda i=i: len(order) + gate.waiting() == i + 1)
    assert order == list(range(places)) and gate.waiting() == 8 - places
    release.set()
    for t in threads:
        t.join(10)
    assert most == places and gate.waiting() == 0
    if places == 1:
        assert order == list(range(8))  # one at a time: exactly in arrival order
    else:  # two holders at once record in either order
        assert sorted(order) == list(range(8))
    with gate:  # every place free again
        assert gate.waiting() == 0


def test_gate_hands_its_place_on_when_a_holder_fails():
    gate = FifoGate(1)
    with pytest.raises(RuntimeError), gate:
        raise RuntimeError("search failed")
    with gate:
        assert gate.waiting() == 0
    with pytest.raises(ValueError):
        FifoGate(0)


def test_coroutines_and_threads_share_one_line_in_arrival_order():
    """Coroutines (the search routes) and threads (the feeds) wait in one line: a freed
    place goes to the longest waiting, whichever kind it is."""
    gate = FifoGate(1)
    order: list[str] = []

    async def main():
        async def visit(name):
            async with gate:
                order.append(name)

        def thread_visit(name):
            with gate:
                order.append(name)

        await gate.__aenter__()  # the place is held while the others arrive
        threads, tasks = [], []
        for i in range(6):
            name = f"{'c' if i % 2 == 0 else 't'}{i}"
            if i % 2 == 0:
                tasks.append(asyncio.ensure_future(visit(name)))
            else:
                t = threading.Thread(target=thread_visit, args=(name,))
                t.start()
                threads.append(t)
            while gate.waiting() < i + 1:  # the next one arrives once this one waits
                await asyncio.sleep(0.002)
        await gate.__aexit__(None, None, None)  # the place passes down the line
        await asyncio.gather(*tasks)
        for t in threads:
            t.join(10)

    asyncio.run(main())
    assert order == ["c0", "t1", "c2", "t3", "c4", "t5"]
    assert gate.waiting() == 0


def test_a_cancelled_coroutine_leaves_the_line_and_passes_its_place_on():
    gate = FifoGate(1)
    order: list[str] = []

    async def main():
        async def visit(name):
            async with gate:
                order.append(name)

        await gate.__aenter__()  # the place is held
        first = asyncio.ensure_future(visit("gone"))
        second = asyncio.ensure_future(visit("kept"))
        while gate.waiting() < 2:
            await asyncio.sleep(0)
        first.cancel()  # a waiter leaves the line (its client went away)
        with pytest.raises(asyncio.CancelledError):
            await first
        assert gate.waiting() == 1
        await gate.__aexit__(None, None, None)
        await second
        # Cancelled after its place was handed over but before it ran: passed on.
        await gate.__aenter__()
        late = asyncio.ensure_future(visit("late"))
        after = asyncio.ensure_future(visit("after"))
        while gate.waiting() < 2:
            await asyncio.sleep(0)
        await gate.__aexit__(None, None, None)  # hands the place to `late` (scheduled)
        late.cancel()
        with pytest.raises(asyncio.CancelledError):
            await late
        await after
        async with gate:  # every place free again
            assert gate.waiting() == 0

    asyncio.run(main())
    assert order == ["kept", "after"]


class CountingStore(Store):
    """A real store that records how many searches run in it at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.inside = 0
        self.most = 0

    def _enter(self):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.01)  # long enough for the other requests to arrive meanwhile

    def _leave(self):
        with self.lock:
            self.inside -= 1

    def search(self, *args, **kwargs):  # search_stories and search_articles call it too
        self._enter()
        try:
            return super().search(*args, **kwargs)
        finally:
            self._leave()


@pytest.mark.parametrize("places", [1, 3])
def test_web_searches_at_most_search_concurrency_at_once(tmp_path, places):
    db = tmp_path / "storywire.db"
    build(db)
    store = CountingStore(db)
    settings = load_settings(db=db, page_cache_seconds=0, search_concurrency=places)
    server = LiveServer(create_app(settings, store))
    urls = [
        "/api/v1/search?q=tsunami+evacuation",
        "/api/v1/search?q=Lagar&type=articles",
        "/search?q=tsunami",
        "/stories.json?q=quake",
    ]
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            alone = {u: client.get(u).content for u in urls}
            assert store.most == 1
            with ThreadPoolExecutor(16) as pool:
                got = list(pool.map(lambda u: (u, client.get(u).content), urls * 6))
        assert all(body == alone[u] for u, body in got)  # the same answers
        assert store.most == places  # the bound is reached and never passed
    finally:
        server.close()
        store.close()


def test_search_concurrency_zero_is_4_at_most_the_pool(database):
    store = Store(database, pool=5)
    small = Store(database, pool=2)
    try:
        automatic = create_app(load_settings(db=database, search_concurrency=0), store)
        assert automatic.state.web.search_gate.places == 4
        few = create_app(load_settings(db=database, search_concurrency=0), small)
        assert few.state.web.search_gate.places == (4 if store.path is not None else 2)
        chosen = create_app(load_settings(db=database, search_concurrency=3), store)
        assert chosen.state.web.search_gate.places == 3
    finally:
        store.close()
        small.close()


class OrderStore(Store):
    """A real store that records the order searches reach it; the first waits until
    ``go`` is set, holding the gate's place while the others arrive."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[str] = []
        self.go = threading.Event()
        self.armed = False

    def search(self, query, *args, **kwargs):
        self.seen.append(query)
        if self.armed and len(self.seen) == 1:
            self.go.wait(30)
        return super().search(query, *args, **kwargs)


def test_web_searches_wait_on_the_event_loop_and_are_answered_in_arrival_order(tmp_path):
    db = tmp_path / "storywire.db"
    build(db)
    store = OrderStore(db)
    settings = load_settings(db=db, page_cache_seconds=0, search_concurrency=1)
    app = create_app(settings, store)
    gate = app.state.web.search_gate
    server = LiveServer(app)
    words = ["tsunami", "quake", "lagar", "evacuation", "tsunami warning", "quake lagar"]
    urls = ["/api/v1/search?q=first"] + [
        (f"/search?q={w}" if i % 3 == 2 else f"/api/v1/search?q={w}") for i, w in enumerate(words)
    ]
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            alone = {u: client.get(u).content for u in urls[1:]}
            store.seen.clear()
            store.armed = True
            with ThreadPoolExecutor(len(urls)) as pool:
                futures = []
                for i, u in enumerate(urls):
                    futures.append(pool.submit(client.get, u))
                    # The next request is sent once this one holds the place or waits.
                    _wait_for(lambda i=i: len(store.seen) == 1 and gate.waiting() == i)
                store.go.set()
                got = [f.result() for f in futures]
        assert all(r.status_code == 200 for r in got)
        assert store.seen == ["first", *words]  # served in the order they came
        assert all(r.content == alone[u] for u, r in zip(urls[1:], got[1:], strict=True))
        assert gate.waiting() == 0
    finally:
        server.close()
        store.close()
