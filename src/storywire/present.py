"""The story page as data: one dict feeds the JSON API, the HTML page and the CLI text.

The dicts are typed (TypedDict): their keys are the JSON API's (docs/api.md).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, TypedDict

from .models import Changes, Opinion, OpinionText, Sentence, StoredArticle, Story, StoryVersion
from .store import Store
from .store.listing import Listed
from .store.outlets import Coverage, empty_coverage
from .text import plural
from .timeutil import display_time, to_iso

_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


class StorySummary(TypedDict):
    id: int
    title: str
    published: str
    updated: str
    written: str
    outlet_count: int
    article_count: int
    version: int
    url: str


class ListingItem(StorySummary):
    """A story in a listing (home page, API list)."""

    top_highlight: str
    score: float
    coverage: Coverage
    image: str


class FoundStory(StorySummary):
    """A story found by search."""

    top_highlight: str


class Cited(TypedDict):
    """A sentence with its supporting article ids and their numbers on the page."""

    text: str
    sources: list[int]
    refs: list[int]


class OpinionItem(OpinionText):
    article_id: int
    ref: int | None


class SourceArticle(TypedDict):
    id: int
    title: str
    url: str
    published: str
    kind: str
    author: str
    duplicate_of: int | None
    image: str
    n: int


class SourceGroup(TypedDict):
    outlet: str
    outlet_id: int | None  # its page: /outlets/{id}
    articles: list[SourceArticle]


class LeadImage(TypedDict):
    """A story's lead image: its URL, and the source (number, outlet, page) it is from."""

    url: str
    n: int
    outlet: str
    article_url: str


class StoryPage(StorySummary):
    """The whole page of one written version."""

    writer: str
    highlights: list[Cited]
    body: list[Cited]
    opinions: list[OpinionItem]
    sources: list[SourceGroup]
    coverage: Coverage
    # Stories this one continues / that continue it (filled for the current version).
    timeline: dict[str, list[dict[str, Any]]]
    changes: dict[str, list[Any]]
    what_changed: list[str]
    top_highlight: str
    language: str
    image: LeadImage | None


def story_summary(story: Story, title: str) -> StorySummary:
    return {
        "id": story.id,
        "title": title,
        "published": to_iso(story.first_published),
        # "updated" is news time: when the newest article of the story was published
        # (an imported 2016 story was not updated today); "written" is when the current
        # version was written.
        "updated": to_iso(story.last_published),
        "written": to_iso(story.updated_at),
        "outlet_count": story.outlet_count,
        "article_count": story.article_count,
        "version": story.version,
        "url": f"/stories/{story.id}",
    }


def story_page(store: Store, story_id: int) -> StoryPage | None:
    """The whole story page, or None when the story does not exist or is unwritten."""
    story = store.get_story(story_id)
    found = store.latest_version(story_id) if story else None
    if story is None or found is None:
        return None
    return version_page(store, story, *found)


def version_page(
    store: Store, story: Story, version: StoryVersion, article_ids: list[int]
) -> StoryPage:
    """One written version as a page. Only the articles that version covered are listed,
    so the page of a version never changes once written (it can be cached forever).

    Sources are numbered 1..n in the order the page lists them; each sentence and
    highlight carries ``sources`` (article ids) and ``refs`` (those numbers).
    """
    articles = store.articles_by_ids(article_ids) or store.story_articles(story.id)
    summary = story_summary(story, version.title)
    groups = sources(articles, store.outlet_ids([a.outlet for a in articles]))
    number = {a["id"]: a["n"] for g in groups for a in g["articles"]}
    if articles:  # the counts and times as of this version, not as of today
        summary.update(
            {
                "outlet_count": len(groups),
                "article_count": len(articles),
                "published": to_iso(articles[0].published),
                "updated": to_iso(max(a.published for a in articles)),
            }
        )
    summary.update({"version": version.version, "written": to_iso(version.written_at)})
    return {
        **summary,
        "writer": version.writer,
        "highlights": [_cited(s, number) for s in version.highlights],
        "body": [_cited(s, number) for s in version.body],
        "opinions": [_opinion(o, number) for o in version.opinions],
        "sources": groups,
        "coverage": store.coverage_of_articles([a.id for a in articles]),
        "timeline": {"earlier": [], "later": []},
        "changes": version.changes.to_json(),
        "what_changed": what_changed(version.changes, number, articles),
        "top_highlight": (version.highlights or version.body or (Sentence("", ()),))[0].text,
        "language": story_language(articles),
        "image": lead_image(groups),
    }


def story_language(articles: list[StoredArticle]) -> str:
    """The language most of the story's articles are in ("" when none says)."""
    counts = Counter(a.language.lower() for a in articles if _LANG.fullmatch(a.language or ""))
    return counts.most_common(1)[0][0] if counts else ""


def lead_image(groups: list[SourceGroup]) -> LeadImage | None:
    """The story's lead image: that of its first news article with one (else of its
    first article with one), with the source number and outlet it comes from."""
    found = [(a["kind"] != "news", a["n"], a, g["outlet"]) for g in groups for a in g["articles"]]
    for _, n, a, outlet in sorted((f for f in found if f[2]["image"]), key=lambda f: f[:2]):
        return {"url": a["image"], "n": n, "outlet": outlet, "article_url": a["url"]}
    return None


def _opinion(o: Opinion, number: dict[int, int]) -> OpinionItem:
    return {"article_id": o.article_id, **o.as_text(), "ref": number.get(o.article_id)}


def _cited(sentence: Sentence, number: dict[int, int]) -> Cited:
    refs = sorted({number[i] for i in sentence.sources if i in number})
    return {"text": sentence.text, "sources": list(sentence.sources), "refs": refs}


def what_changed(
    changes: Changes, number: dict[int, int], articles: list[StoredArticle]
) -> list[str]:
    """Plain sentences saying what this version added to the previous one."""
    lines: list[str] = []
    outlets = changes.new_outlets
    if outlets:
        label = "New outlets: " if len(outlets) > 1 else "New outlet: "
        lines.append(label + ", ".join(str(o) for o in outlets) + ".")
    new = [i for i in changes.new_articles if i in number]
    if new:
        by_id = {a.id: a for a in articles}
        titles = "; ".join(f"[{number[i]}] {by_id[i].title}" for i in new[:10])
        lines.append(f"{plural(len(new), 'new article')}: {titles}.")
    sentences = changes.new_sentences
    if sentences:
        lines.append(f"{plural(len(sentences), 'new sentence')} in the story.")
    return lines


def listing_item(listed: Listed, coverage: Coverage | None, image: str = "") -> ListingItem:
    """A story as shown on the home page and in the API list. ``coverage``: its outlets
    by side (lean left folded into left, lean right into right) and by country."""
    return {
        **story_summary(listed.story, listed.title),
        "top_highlight": listed.top_highlight,
        "score": round(listed.score, 4),
        "coverage": coverage or empty_coverage(),
        "image": image,
    }


def found_story(listed: Listed) -> FoundStory:
    """A story as search lists it."""
    return {**story_summary(listed.story, listed.title), "top_highlight": listed.top_highlight}


def sources(
    articles: list[StoredArticle], outlet_ids: dict[str, int] | None = None
) -> list[SourceGroup]:
    """Articles grouped by outlet (outlets by first report), each group oldest first,
    numbered 1..n in that order; ``outlet_ids`` gives each outlet's id."""
    groups: dict[str, list[StoredArticle]] = {}
    for a in sorted(articles, key=lambda a: (a.published, a.id)):
        groups.setdefault(a.outlet, []).append(a)
    out: list[SourceGroup] = []
    n = 0
    for name, members in groups.items():
        items: list[SourceArticle] = []
        for a in members:
            n += 1
            items.append(
                {
                    "id": a.id,
                    "title": a.title,
                    "url": a.url,
                    "published": to_iso(a.published),
                    "kind": str(a.kind),
                    "author": a.author,
                    "duplicate_of": a.duplicate_of,
                    "image": a.image,
                    "n": n,
                }
            )
        out.append({"outlet": name, "outlet_id": (outlet_ids or {}).get(name), "articles": items})
    return out


def _when(iso: str) -> str:
    return display_time(iso)


def render_text(page: StoryPage) -> str:
    """The page as plain text, in the HTML page's order: times and outlet count, title,
    Highlights, Story, Opinions, Sources, the end line; [n] cites source n of the page."""
    lines = [
        f"{_when(page['published'])} · updated {_when(page['updated'])} · "
        + plural(page["outlet_count"], "outlet"),
        page["title"],
        "",
        "Highlights",
    ]
    lines += [f"  • {s['text']} {_cite(s['refs'])}" for s in page["highlights"]]
    lines += ["", "Story"]
    lines += [f"  {s['text']} {_cite(s['refs'])}" for s in page["body"]]
    if not page["body"]:
        lines.append("  No news reports yet: see the opinions and sources below.")
    lines += ["", "Opinions"]
    if not page["opinions"]:
        lines.append("  No opinion pieces yet.")
    for o in page["opinions"]:
        by = f", {o['author']}" if o["author"] else ""
        lines.append(f"  {o['outlet']}{by}: {o['title']}")
        lines.append(f"    {o['gist']}")
        lines.append(f"    {o['url']}")
    lines += ["", "Sources"]
    for group in page["sources"]:
        lines.append(f"  {group['outlet']}")
        for a in group["articles"]:
            lines.append(f"    [{a['n']}] {a['title']} · {_when(a['published'])} · {a['kind']}")
    lines += ["", "You've reached the end", ""]
    return "\n".join(lines)


def _cite(ids: list[int]) -> str:
    return "[" + ", ".join(str(i) for i in ids) + "]"
