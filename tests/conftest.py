import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import LiveServer

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
