"""Rows to models: the one place that knows each table's columns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..models import Changes, Feed, Kind, Opinion, Sentence, StoredArticle, Story, StoryVersion
from ..timeutil import from_iso

# An article with its outlet's name (``a``: articles, ``s``: sources). The columns are
# named: PostgreSQL keeps a search vector beside them that no reader needs.
ARTICLE_SELECT = (
    "SELECT a.id, a.url, a.external_id, a.feed_id, a.source_id, a.title, a.author,"
    " a.published_at, a.fetched_at, a.language, a.section, a.kind, a.summary, a.text,"
    " a.content_hash, a.duplicate_of, a.story_id, a.image, s.name AS outlet"
    " FROM articles a JOIN sources s ON s.id = a.source_id"
)
STORY_COLUMNS = (
    "s.id, s.first_published, s.last_published, s.created_at, s.updated_at, s.status,"
    " s.merged_into, s.article_count, s.outlet_count, s.version"
)


def _opt_time(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def article(m: Mapping[Any, Any]) -> StoredArticle:
    return StoredArticle(
        id=m["id"],
        url=m["url"],
        title=m["title"],
        text=m["text"],
        published=from_iso(m["published_at"]),
        outlet=m["outlet"],
        kind=Kind(m["kind"]),
        author=m["author"],
        language=m["language"],
        section=m["section"],
        summary=m["summary"],
        external_id=m["external_id"],
        feed_id=m["feed_id"],
        fetched_at=from_iso(m["fetched_at"]),
        story_id=m["story_id"],
        duplicate_of=m["duplicate_of"],
        content_hash=m["content_hash"],
        image=m["image"],
    )


def story(m: Mapping[Any, Any]) -> Story:
    return Story(
        id=m["id"],
        first_published=from_iso(m["first_published"]),
        last_published=from_iso(m["last_published"]),
        updated_at=from_iso(m["updated_at"]),
        status=m["status"],
        article_count=m["article_count"],
        outlet_count=m["outlet_count"],
        version=m["version"],
        merged_into=m["merged_into"],
    )


def version(m: Mapping[Any, Any]) -> StoryVersion:
    return StoryVersion(
        story_id=m["story_id"],
        version=m["version"],
        written_at=from_iso(m["written_at"]),
        writer=m["writer"],
        title=m["title"],
        highlights=tuple(_sentence(s) for s in json.loads(m["highlights"])),
        body=tuple(_sentence(s) for s in json.loads(m["body"])),
        opinions=tuple(_opinion(o) for o in json.loads(m["opinions"])),
        changes=Changes.from_json(json.loads(m["changes"])),
    )


def _sentence(data: dict[str, Any]) -> Sentence:
    return Sentence(text=data["text"], sources=tuple(data["sources"]))


def _opinion(data: dict[str, Any]) -> Opinion:
    return Opinion(**{**data, "kind": Kind(data["kind"])})


def feed(m: Mapping[Any, Any]) -> Feed:
    return Feed(
        id=m["id"],
        url=m["url"],
        title=m["title"],
        outlet=m["outlet"] or "",
        country=m["country"] or "",
        language=m["language"] or "",
        kind=m["kind"],
        category=m["category"],
        html_url=m["html_url"],
        lean=m["lean"] or "",
        owner=m["owner"] or "",
        typology=m["typology"] or "",
        etag=m["etag"],
        last_modified=m["last_modified"],
        next_check_at=_opt_time(m["next_check_at"]),
        last_checked_at=_opt_time(m["last_checked_at"]),
        last_status=m["last_status"],
        last_error=m["last_error"],
        error_count=m["error_count"],
        article_count=m["article_count"],
        poll_interval=m["poll_interval"],
    )
