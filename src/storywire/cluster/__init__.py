"""Story clustering: online assignment of articles to stories."""

from .online import Doc, OnlineClusterer

__all__ = ["Doc", "OnlineClusterer"]
