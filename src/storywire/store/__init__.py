"""The only place with SQL. See :class:`Store`."""

from pathlib import Path

from ..settings import Settings
from .listing import Listed, StoryFilter
from .store import Store

__all__ = ["Listed", "Store", "StoryFilter", "open_store"]


def open_store(settings: Settings) -> Store:
    """The store the settings name: ``database_url`` when set, else the SQLite file ``db``."""
    target: Path | str = settings.database_url or settings.db
    return Store(target, pool=settings.database_pool)
