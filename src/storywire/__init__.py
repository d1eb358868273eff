"""storywire: a self-hostable news story engine.

Feeds in, one page per real-world story out: title, highlights, a synthesis of
all outlets' reports with every sentence traceable to its sources, the opinion
pieces kept apart, and the list of sources.
"""

import logging
import typing as _typing

from .errors import (
    ConfigError,
    ExtractError,
    FetchError,
    ParseError,
    StoreError,
    StorywireError,
    WriterError,
)
from .models import Article, Kind, Sentence, Story, StoryVersion
from .settings import Settings, load_settings
from .store import Store

if _typing.TYPE_CHECKING:
    from .pipeline import Pipeline

__version__ = "0.1.0"
__all__ = [
    "Article",
    "ConfigError",
    "ExtractError",
    "FetchError",
    "Kind",
    "ParseError",
    "Pipeline",
    "Sentence",
    "Settings",
    "Store",
    "StoreError",
    "Story",
    "StoryVersion",
    "StorywireError",
    "WriterError",
    "__version__",
    "load_settings",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> _typing.Any:
    """``storywire.Pipeline`` on first use: it loads the clustering and extraction stack
    (scikit-learn, scipy, trafilatura: seconds of imports), which a web process or a
    ``storywire scheduler`` never needs."""
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
