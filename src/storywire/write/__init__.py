"""Story writing: title, highlights, body, opinions, with supporting article ids."""

from .extractive import Draft, ExtractiveWriter

__all__ = ["Draft", "ExtractiveWriter"]
