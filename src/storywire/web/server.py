"""Run the web app with uvicorn until Ctrl-C (one process, or ``workers`` processes)."""

from __future__ import annotations

import gc
import os
from contextlib import suppress
from typing import Any

import uvicorn
from fastapi import FastAPI

from ..settings import Settings
from .app import create_app

_ENV = "_STORYWIRE_SERVE_SETTINGS"  # settings handed to worker processes


def app_from_env() -> FastAPI:
    """App factory for worker processes: the settings the parent resolved."""
    return frozen(create_app(Settings.model_validate_json(os.environ[_ENV])))


def frozen(app: FastAPI) -> FastAPI:
    """``app``, with every object made so far moved out of the garbage collector's
    generations (``gc.freeze``): the modules, templates and store live as long as the
    process, and a full collection walking them all (120,000 objects, ~120 ms on a
    loaded machine) stopped every request in flight: the story pages' p99."""
    gc.collect()
    gc.freeze()
    return app


def serve_forever(settings: Settings) -> None:
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": False,
        "log_level": settings.log_level.lower(),
    }
    # uvicorn re-raises the Ctrl-C it handled once it has shut down: that is a clean stop.
    with suppress(KeyboardInterrupt):
        if settings.workers > 1:
            os.environ[_ENV] = settings.model_dump_json()
            uvicorn.run(
                "storywire.web.server:app_from_env",
                factory=True,
                workers=settings.workers,
                **common,
            )
        else:
            uvicorn.Server(uvicorn.Config(frozen(create_app(settings)), **common)).run()
