"""Story clustering: online assignment of articles to stories."""

from .model import PairModel
from .online import Doc, OnlineClusterer
from .runner import cluster_stream

__all__ = ["Doc", "OnlineClusterer", "PairModel", "cluster_stream"]
