"""``storywire worker``, ``storywire scheduler`` and ``storywire cluster``."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import click

from ..cli_base import Command
from ..errors import StoreError
from ..settings import Settings
from ..store import open_store

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _stopping() -> Iterator[threading.Event]:
    """An event set by SIGTERM or Ctrl-C (systemd's stop, a terminal)."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def wait_for_store(settings: Settings, stop: threading.Event, retry: float = 2.0) -> bool:
    """Open and migrate the store, retrying every ``retry`` seconds while the database is
    unreachable (starting beside a restarting PostgreSQL), as the scheduler and the
    cluster consumer do; False when ``stop`` was set first."""
    failing = False
    while not stop.is_set():
        store = open_store(settings)
        try:
            store.migrate()
            if failing:
                log.info("worker: database reachable again")
            return True
        except StoreError as exc:
            log.warning("worker: %s; retrying in %g s", exc, retry)
            failing = True
        finally:
            store.close()
        stop.wait(retry)
    return False


@click.command(cls=Command)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=4,
    show_default=True,
    help="Feeds polled at once by this process.",
)
@click.option(
    "--pool",
    type=click.Choice(["threads", "prefork", "solo"]),
    default="threads",
    show_default=True,
    help="Celery execution pool (threads: fetching waits on the network; add processes "
    "or hosts for more extraction CPU).",
)
@click.option("--hostname", help="Worker name [default storywire@HOST.PID].")
@click.pass_obj
def worker(obj: Any, concurrency: int, pool: str, hostname: str | None) -> None:
    """Poll feeds from the queue: fetch, extract, store articles for `storywire cluster`
    (stateless: run any number, on any host; needs broker_url and a shared database).

    \b
    Example:
      storywire worker --concurrency 4
    """
    import os

    from . import tasks  # noqa: F401  (registers poll_feed, with its imports)
    from .app import make_app

    settings = obj.settings()
    with _stopping() as stop:  # migrate once before taking tasks
        if not wait_for_store(settings, stop):
            return
    app = make_app(settings)
    name = hostname or f"storywire@{socket.gethostname()}.{os.getpid()}"
    app.worker_main(
        [
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            f"--hostname={name}",
            f"--loglevel={settings.log_level.upper()}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


@click.command(cls=Command)
@click.pass_obj
def scheduler(obj: Any) -> None:
    """Enqueue due feeds for the workers every scheduler_tick seconds (one is enough;
    more are safe: a feed is leased before it is enqueued).

    \b
    Example:
      storywire scheduler --config storywire.toml
    """
    from .scheduler import run_scheduler

    settings = obj.settings()
    with _stopping() as stop:
        run_scheduler(settings, stop)


@click.command(cls=Command)
@click.pass_obj
def cluster(obj: Any) -> None:
    """Cluster the articles workers stored and write the changed stories (exactly one
    runs: a second waits for the first's lock).

    \b
    Example:
      storywire cluster --log-level INFO
    """
    from .consumer import run_consumer

    settings = obj.settings()
    with _stopping() as stop:
        run_consumer(settings, stop)
