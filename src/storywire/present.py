"""The story page as data: one dict feeds the JSON API, the HTML page and the CLI text."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .models import Sentence, StoredArticle, Story, StoryVersion
from .store import Store
from .store.outlets import empty_coverage
from .store.reader import Listed
from .timeutil import display_time, to_iso


def story_summary(story: Story, title: str) -> dict[str, Any]:
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


def story_page(store: Store, story_id: int) -> dict[str, Any] | None:
    """The whole story page, or None when the story does not exist or is unwritten."""
    story = store.get_story(story_id)
    found = store.latest_version(story_id) if story else None
    if story is None or found is None:
        return None
    return version_page(store, story, *found)


def version_page(
    store: Store, story: Story, version: StoryVersion, article_ids: list[int]
) -> dict[str, Any]:
    """One written version as a page. Only the articles that version covered are listed,
    so the page of a version never changes once written (it can be cached forever).

    Sources are numbered 1..n in the order the page lists them; each sentence and
    highlight carries ``sources`` (article ids) and ``refs`` (those numbers).
    """
    articles = store.articles_by_ids(article_ids) or store.story_articles(story.id)
    page = story_summary(story, version.title)
    groups = sources(articles)
    outlet_ids = store.outlet_ids([g["outlet"] for g in groups])
    for g in groups:
        g["outlet_id"] = outlet_ids.get(g["outlet"])
    number = {a["id"]: a["n"] for g in groups for a in g["articles"]}
    if articles:  # the counts and times as of this version, not as of today
        page.update(
            outlet_count=len(groups),
            article_count=len(articles),
            published=to_iso(articles[0].published),
            updated=to_iso(max(a.published for a in articles)),
        )
    page.update(
        version=version.version,
        written=to_iso(version.written_at),
        writer=version.writer,
        highlights=[_cited(s, number) for s in version.highlights],
        body=[_cited(s, number) for s in version.body],
        opinions=[
            {**asdict(o), "kind": str(o.kind), "ref": number.get(o.article_id)}
            for o in version.opinions
        ],
        sources=groups,
        coverage=store.coverage_of_articles([a.id for a in articles]),
        changes=version.changes,
        what_changed=what_changed(version.changes, number, articles),
        top_highlight=version.highlights[0].text if version.highlights else "",
    )
    return page


def _cited(sentence: Sentence, number: dict[int, int]) -> dict[str, Any]:
    refs = sorted({number[i] for i in sentence.sources if i in number})
    return {"text": sentence.text, "sources": list(sentence.sources), "refs": refs}


def what_changed(
    changes: dict[str, Any], number: dict[int, int], articles: list[StoredArticle]
) -> list[str]:
    """Plain sentences saying what this version added to the previous one."""
    lines: list[str] = []
    outlets = changes.get("new_outlets") or []
    if outlets:
        lines.append("New outlets: " + ", ".join(str(o) for o in outlets) + ".")
    new = [i for i in changes.get("new_articles") or [] if i in number]
    if new:
        by_id = {a.id: a for a in articles}
        titles = "; ".join(f"[{number[i]}] {by_id[i].title}" for i in new[:10])
        lines.append(f"{len(new)} new article{'s' if len(new) != 1 else ''}: {titles}.")
    sentences = changes.get("new_sentences") or []
    if sentences:
        lines.append(
            f"{len(sentences)} new sentence{'s' if len(sentences) != 1 else ''} in the story."
        )
    return lines


def listing_item(listed: Listed, coverage: dict[str, Any] | None) -> dict[str, Any]:
    """A story as shown on the home page and in the API list. ``coverage``: its outlets
    by side (lean left folded into left, lean right into right) and by country."""
    item = story_summary(listed.story, listed.title)
    item.update(
        top_highlight=listed.top_highlight,
        score=round(listed.score, 4),
        coverage=coverage or empty_coverage(),
    )
    return item


def sources(articles: list[StoredArticle]) -> list[dict[str, Any]]:
    """Articles grouped by outlet (outlets by first report), each group oldest first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for a in sorted(articles, key=lambda a: (a.published, a.id)):
        groups.setdefault(a.outlet, []).append(
            {
                "id": a.id,
                "title": a.title,
                "url": a.url,
                "published": to_iso(a.published),
                "kind": str(a.kind),
                "author": a.author,
                "duplicate_of": a.duplicate_of,
            }
        )
    n = 0
    for items in groups.values():
        for item in items:
            n += 1
            item["n"] = n
    return [{"outlet": name, "articles": items} for name, items in groups.items()]


def _when(iso: str) -> str:
    return display_time(iso)


def render_text(page: dict[str, Any]) -> str:
    """The page in the plain-text layout of DESIGN.md; [n] cites source n of the page."""
    lines = [
        f"{_when(page['published'])} · updated {_when(page['updated'])} · "
        f"{page['outlet_count']} outlets",
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
