"""Run the web app with uvicorn until Ctrl-C."""

from __future__ import annotations

from contextlib import suppress

import uvicorn

from ..settings import Settings
from .app import create_app


def serve_forever(settings: Settings) -> None:
    config = uvicorn.Config(create_app(settings), host=settings.host, port=settings.port,
                            log_level=settings.log_level.lower(), access_log=False)
    # uvicorn re-raises the Ctrl-C it handled once it has shut down: that is a clean stop.
    with suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
