"""Searches pass a FIFO gate: at most ``search_concurrency`` at once per process, the
others in arrival order, with the same answers."""

from __future__ import annotations

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

    def search_stories(self, *args, **kwargs):
        self._enter()
        try:
            return super().search_stories(*args, **kwargs)
        finally:
            self._leave()

    def search_articles(self, *args, **kwargs):
        self._enter()
        try:
            return super().search_articles(*args, **kwargs)
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


def test_search_concurrency_zero_is_4_on_sqlite_and_the_pool_on_postgresql(database):
    store = Store(database, pool=5)
    try:
        automatic = create_app(load_settings(db=database, search_concurrency=0), store)
        expected = 4 if store.path is not None else 5
        assert automatic.state.web.search_gate.places == expected
        chosen = create_app(load_settings(db=database, search_concurrency=3), store)
        assert chosen.state.web.search_gate.places == 3
    finally:
        store.close()
