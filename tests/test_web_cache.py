"""The response caches under threads: pages are rendered in the thread pool."""

import threading

from storywire.web.cache import LRU, TTLCache


def test_lru_keeps_its_bound_and_order_under_many_threads():
    cache: LRU[int] = LRU(size=16)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(n: int) -> None:
        start.wait()
        try:
            for i in range(3000):
                key = (n * 7 + i) % 40
                assert cache.get_or_make(key, lambda key=key: key * 2) == key * 2
                cache.peek(key)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache.items) <= 16
    assert all(cache.items[k] == k * 2 for k in cache.items)


def test_ttl_cache_stores_from_many_threads():
    cache: TTLCache[int] = TTLCache(60.0, size=8)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(2000):
                key = (n + i) % 20
                assert cache.get_or_make(key, lambda key=key: key + 1) == key + 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache.items) <= 8


def test_ttl_cache_computes_a_cold_key_once_for_concurrent_readers():
    """Single flight: 50 readers of a key with no value yet share one computation (a
    cold home page at 300,000 articles took a second per computation), and a failure
    reaches every reader of that flight and is not kept."""
    import asyncio
    import time

    cache: TTLCache[int] = TTLCache(60.0)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    def broken() -> int:
        calls.append(1)
        time.sleep(0.05)
        raise RuntimeError("database away")

    async def main() -> None:
        got = await asyncio.gather(*(cache.get_async("home", slow) for _ in range(50)))
        assert got == [1] * 50 and len(calls) == 1
        assert await cache.get_async("home", slow) == 1 and len(calls) == 1  # cached
        calls.clear()
        failed = await asyncio.gather(
            *(cache.get_async("other", broken) for _ in range(20)), return_exceptions=True
        )
        assert len(calls) == 1 and all(isinstance(x, RuntimeError) for x in failed)
        assert cache.flights == {} and "other" not in cache.items
        calls.clear()
        assert await cache.get_async("other", slow) == 1  # the next reader tries again

    asyncio.run(main())


def test_served_app_is_moved_out_of_the_garbage_collector():
    """`storywire serve` freezes what start-up made: a full collection walked 120,000
    long-lived objects (hundreds of ms on a loaded machine) in the middle of requests."""
    import gc

    from storywire.web.server import frozen

    marker = object()
    try:
        assert frozen(marker) is marker  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
