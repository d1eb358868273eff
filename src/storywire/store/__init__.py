"""The only place with SQL. See :class:`Store`."""

from .store import Store

__all__ = ["Store"]
