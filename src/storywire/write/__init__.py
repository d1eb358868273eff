"""Story writing: title, highlights, body, opinions, with supporting article ids."""

from typing import Protocol

from ..models import StoredArticle
from ..settings import Settings
from .changes import Change, change, decide
from .extractive import Draft, ExtractiveWriter
from .llm import LLMWriter


class Writer(Protocol):
    """What the pipeline asks of a writer: one story's draft from its articles."""

    name: str

    def write(self, articles: list[StoredArticle]) -> Draft: ...


def make_writer(settings: Settings) -> Writer:
    """The LLM writer when a server and model are configured, else the extractive one."""
    extractive = ExtractiveWriter(words=settings.story_words)
    if settings.llm_base_url and settings.llm_model:
        return LLMWriter(
            settings.llm_base_url,
            settings.llm_model,
            settings.llm_api_key,
            timeout=settings.llm_timeout,
            words=settings.story_words,
            fallback=extractive,
        )
    return extractive


__all__ = [
    "Change",
    "Draft",
    "ExtractiveWriter",
    "LLMWriter",
    "Writer",
    "change",
    "decide",
    "make_writer",
]
