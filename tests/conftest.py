import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import browser, page  # noqa: F401 (fixtures for every test)
from tests.support.clicorpus import cli  # noqa: F401 (a fixture for every test)
from tests.support.live import LiveServer
from tests.support.pgserver import PostgresServer

# Every test server listens on 127.0.0.1, which the SSRF guard refuses by default; tests of
# the guard build their settings with allow_private_addresses=False explicitly. Set at import
# time so subprocesses (CLI tests) inherit it too.
os.environ.setdefault("STORYWIRE_ALLOW_PRIVATE_ADDRESSES", "true")


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
    """A PostgreSQL server for the contract tests (tests/support/pgserver.py). Without
    PostgreSQL the tests that need it skip, except in CI (CI=true), where they fail."""
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
