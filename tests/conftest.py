import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

# Every test server listens on 127.0.0.1, which the SSRF guard refuses by default; tests of
# the guard build their settings with allow_private_addresses=False explicitly. Set at import
# time so subprocesses (CLI tests) inherit it too.
os.environ.setdefault("STORYWIRE_ALLOW_PRIVATE_ADDRESSES", "true")

# Test helpers (e.g. newsserver) live next to the tests and are imported by name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared evaluation data (STORYWIRE_DATA); tests needing it skip without it."""
    value = os.environ.get("STORYWIRE_DATA")
    if not value:
        pytest.skip("STORYWIRE_DATA is not set: point it at ../shared/data to run this test")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"STORYWIRE_DATA={value} is not a folder")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real uvicorn server on 127.0.0.1 in a background thread."""

    def __init__(self, app: object):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server() -> Iterator[type[LiveServer]]:
    started: list[LiveServer] = []

    def start(app: object) -> LiveServer:
        server = LiveServer(app)
        started.append(server)
        return server

    yield start  # type: ignore[misc]
    for server in started:
        server.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A PostgreSQL server for the contract tests (see pgserver.py). Without PostgreSQL
    the tests that need it skip, except in CI (CI=true), where they fail."""
    from pgserver import PostgresServer

    try:
        server = PostgresServer(os.environ.get("STORYWIRE_TEST_DATABASE_URL") or None)
    except Exception as exc:  # not installed, cannot start
        detail = getattr(exc, "stderr", "") or ""
        message = f"PostgreSQL is not available: {exc} {detail}".strip()
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each dialect: a SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "sw.db")
    server = request.getfixturevalue("postgres")
    return str(server.create_database())


@pytest.fixture
def store(database: str) -> Iterator[object]:
    """A migrated store on each dialect: the contract tests run on both."""
    from storywire import Store

    store = Store(database)
    store.migrate()
    yield store
    store.close()
