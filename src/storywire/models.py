"""Plain data passed between the stages. Frozen: stages never mutate their inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict


class Kind(StrEnum):
    """What an article is. Only NEWS feeds the story body and highlights."""

    NEWS = "news"
    OPINION = "opinion"
    ANALYSIS = "analysis"


@dataclass(frozen=True)
class FeedInfo:
    """A feed as declared in OPML or on the command line."""

    url: str
    title: str = ""
    outlet: str = ""
    country: str = ""
    language: str = ""
    kind: str = "news"  # news, wire, opinion: the feed's default article kind hint
    category: str = ""
    html_url: str = ""
    # Outlet facts an OPML outline may set (docs/configuration.md, "Outlets").
    lean: str = ""
    owner: str = ""
    typology: str = ""


@dataclass(frozen=True)
class Feed(FeedInfo):
    """A feed row in the store, with its polling state."""

    id: int = 0
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_status: str = "new"  # new, ok, not_modified, error, failing
    last_error: str | None = None
    error_count: int = 0
    article_count: int = 0
    poll_interval: float | None = None  # adaptive seconds between polls; None until known


@dataclass(frozen=True)
class Entry:
    """One item of a parsed feed: a pointer to an article page."""

    url: str
    title: str = ""
    summary: str = ""
    published: datetime | None = None
    author: str = ""
    guid: str = ""
    tags: tuple[str, ...] = ()
    image: str = ""  # the entry's own image (media:thumbnail, media:content, enclosure)


@dataclass(frozen=True)
class Article:
    """An article ready to store: from a fetched page or an imported corpus line."""

    url: str
    title: str
    text: str
    published: datetime
    outlet: str
    kind: Kind = Kind.NEWS
    author: str = ""
    language: str = ""
    section: str = ""
    summary: str = ""
    external_id: str = ""
    feed_id: int | None = None
    fetched_at: datetime | None = None
    title_from_text: bool = False  # no headline was given: derived from the text
    image: str = ""  # lead image URL (http(s) only), from the page's og:image


@dataclass(frozen=True)
class StoredArticle(Article):
    """An article as read back from the store."""

    id: int = 0
    story_id: int | None = None
    duplicate_of: int | None = None
    content_hash: str = ""


@dataclass(frozen=True)
class Sentence:
    """A sentence of a written story with the ids of the articles that support it."""

    text: str
    sources: tuple[int, ...]


class OpinionText(TypedDict):
    """An opinion piece as the story page and ``storywire batch`` show it."""

    outlet: str
    author: str
    title: str
    gist: str
    url: str
    kind: str


@dataclass(frozen=True)
class Opinion:
    article_id: int
    outlet: str
    author: str
    title: str
    gist: str
    url: str
    kind: Kind = Kind.OPINION

    def as_text(self) -> OpinionText:
        return {
            "outlet": self.outlet,
            "author": self.author,
            "title": self.title,
            "gist": self.gist,
            "url": self.url,
            "kind": str(self.kind),
        }


@dataclass(frozen=True)
class Changes:
    """What a version added to the previous one (all empty for a first version).
    Written by ``write.changes.decide``, stored as JSON, shown on the page."""

    new_articles: tuple[int, ...] = ()
    new_outlets: tuple[str, ...] = ()
    new_opinions: tuple[int, ...] = ()  # opinion and analysis pieces
    new_facts: tuple[str, ...] = ()  # names and numbers no earlier article mentioned
    new_sentences: tuple[str, ...] = ()  # Story sentences the previous version lacked

    def to_json(self) -> dict[str, list[Any]]:
        return {k: list(v) for k, v in vars(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Changes:
        """From the stored JSON; unknown keys ignored, missing ones empty."""
        return cls(**{k: tuple(data.get(k) or ()) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class StoryVersion:
    """One written version of a story page."""

    story_id: int
    version: int
    written_at: datetime
    writer: str
    title: str
    highlights: tuple[Sentence, ...]
    body: tuple[Sentence, ...]
    opinions: tuple[Opinion, ...]
    changes: Changes = field(default_factory=Changes)


@dataclass(frozen=True)
class Story:
    id: int
    first_published: datetime
    last_published: datetime
    updated_at: datetime
    status: str  # active, merged
    article_count: int
    outlet_count: int
    version: int = 0
    merged_into: int | None = None
