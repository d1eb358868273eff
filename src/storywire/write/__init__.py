"""Story writing: title, highlights, body, opinions, with supporting article ids."""

from ..settings import Settings
from .extractive import Draft, ExtractiveWriter
from .llm import LLMWriter
from .versions import Change, change


def make_writer(settings: Settings) -> ExtractiveWriter | LLMWriter:
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


__all__ = ["Change", "Draft", "ExtractiveWriter", "LLMWriter", "change", "make_writer"]
