"""storywire: a self-hostable news story engine.

Feeds in, one page per real-world story out: title, highlights, a synthesis of
all outlets' reports with every sentence traceable to its sources, the opinion
pieces kept apart, and the list of sources.
"""

import logging

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
from .pipeline import Pipeline
from .settings import Settings, load_settings
from .store import Store

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
