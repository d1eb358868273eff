"""Story clustering: online assignment of articles to stories, and the story engine
(dedup + clustering loop) that the pipeline, ``batch`` and the benchmarks share."""

from .engine import EngineConfig, MemoryLedger, StoryEngine, cluster_stream, doc_of
from .model import PairModel
from .online import Doc, OnlineClusterer

__all__ = [
    "Doc",
    "EngineConfig",
    "MemoryLedger",
    "OnlineClusterer",
    "PairModel",
    "StoryEngine",
    "cluster_stream",
    "doc_of",
]
