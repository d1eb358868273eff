"""The Celery app: broker, reliability options, and the settings a worker runs with.

Tasks are acknowledged late (after they finish) and rejected back to the queue when the
worker process running them is lost, one at a time per worker process (no prefetching):
a killed worker's task is redone by another. Redis gives an unacknowledged task back
after ``task_visibility_timeout`` seconds; the task is idempotent (``tasks.poll_feed``).
"""

from __future__ import annotations

from celery import Celery

from ..settings import Settings

POLL_FEED = "storywire.poll_feed"

_settings: Settings | None = None


def make_app(settings: Settings) -> Celery:
    """A Celery app for these settings (the worker's tasks read them back from here)."""
    global _settings
    _settings = settings
    app = Celery("storywire", broker=settings.broker_url, include=["storywire.queue.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_transport_options={"visibility_timeout": settings.task_visibility_timeout},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # Redis restarting: wait for it, never give up
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        task_default_queue="storywire",
    )
    return app


def current_settings() -> Settings:
    """The settings the worker was started with (``make_app``)."""
    if _settings is None:
        from ..settings import load_settings

        return load_settings()
    return _settings
