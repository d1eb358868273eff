"""When is a story worth rewriting? Only on a meaningful change.

A change is meaningful when an article arrives from an outlet the current version
does not cite, when an opinion or analysis piece joins (the Opinions list changes),
or when a new article brings new facts: at least NEW_FACTS names or numbers in its
lead that no article of the current version mentions. Another outlet's copy of
the same wire story, or a follow-up that repeats what is known, changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..models import Changes, Kind, StoredArticle, StoryVersion
from ..text import names
from .sentences import split_sentences

NEW_FACTS = 3
MAX_FACTS = 20  # new facts recorded per version
LEAD = 6  # sentences of a new article searched for new facts
_COMMON = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "He",
    "She",
    "It",
    "They",
    "We",
    "This",
    "That",
    "These",
    "Those",
    "His",
    "Her",
    "Their",
    "Its",
    "Mr",
    "Mrs",
    "Ms",
    "As",
    "After",
    "Before",
    "When",
    "While",
    "If",
    "For",
    "Of",
    "To",
    "With",
    "By",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
}


@dataclass(frozen=True)
class Change:
    new_articles: tuple[int, ...]
    new_outlets: tuple[str, ...]
    new_views: tuple[int, ...]  # opinion / analysis pieces
    new_facts: tuple[str, ...]

    @property
    def meaningful(self) -> bool:
        return bool(self.new_outlets or self.new_views or len(self.new_facts) >= NEW_FACTS)


def facts(text: str) -> set[str]:
    return {f.rstrip(".,") for f in names(text, any_script=False) if f not in _COMMON}


def change(old: Sequence[StoredArticle], new: Sequence[StoredArticle]) -> Change:
    """What the new articles add to the ones the current version was written from."""
    originals = [a for a in new if a.duplicate_of is None]
    old_outlets = {a.outlet for a in old}
    known: set[str] = set()
    for a in old:
        known |= facts(f"{a.title}\n{a.text or a.summary}")
    fresh: list[str] = []
    for a in originals:
        if a.kind != Kind.NEWS:
            continue
        lead = " ".join(split_sentences(a.text or a.summary)[:LEAD])
        fresh.extend(sorted(facts(f"{a.title}\n{lead}") - known - set(fresh)))
    return Change(
        new_articles=tuple(a.id for a in new),
        new_outlets=tuple(sorted({a.outlet for a in new} - old_outlets)),
        new_views=tuple(a.id for a in originals if a.kind != Kind.NEWS),
        new_facts=tuple(fresh),
    )


class _Writes(Protocol):
    def write(self, articles: list[StoredArticle]) -> Any: ...


def decide(
    previous: StoryVersion | None,
    previous_ids: Sequence[int],
    articles: list[StoredArticle],
    writer: _Writes,
) -> tuple[Any, Changes] | None:
    """The rewrite decision: (draft, what changed) when the story is new or changed
    meaningfully (new outlets, opinion pieces, facts, or articles gone from it, e.g. by
    a merge); None when the current version still stands."""
    known = set(previous_ids)
    old = [a for a in articles if a.id in known]
    new = [a for a in articles if a.id not in known]
    delta = change(old, new)
    dropped = bool(known - {a.id for a in articles})
    if previous and not delta.meaningful and not dropped:
        return None
    draft = writer.write(articles)
    if previous is None:
        return draft, Changes()
    old_text = {s.text for s in previous.body} | {s.text for s in previous.highlights}
    return draft, Changes(
        new_articles=delta.new_articles,
        new_outlets=delta.new_outlets,
        new_opinions=delta.new_views,
        new_facts=delta.new_facts[:MAX_FACTS],
        new_sentences=tuple(s.text for s in draft.body if s.text not in old_text),
    )
