"""The story page as data: one dict feeds the JSON API, the HTML page and the CLI text."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .models import StoredArticle, Story
from .store import Store
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
    version, _ = found
    articles = store.story_articles(story_id)
    page = story_summary(story, version.title)
    page.update(
        written=to_iso(version.written_at),
        writer=version.writer,
        highlights=[asdict(s) for s in version.highlights],
        body=[asdict(s) for s in version.body],
        opinions=[{**asdict(o), "kind": str(o.kind)} for o in version.opinions],
        sources=sources(articles),
        changes=version.changes,
    )
    return page


def sources(articles: list[StoredArticle]) -> list[dict[str, Any]]:
    """Articles grouped by outlet (outlets by first report), each group oldest first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for a in sorted(articles, key=lambda a: (a.published, a.id)):
        groups.setdefault(a.outlet, []).append({
            "id": a.id, "title": a.title, "url": a.url, "published": to_iso(a.published),
            "kind": str(a.kind), "author": a.author, "duplicate_of": a.duplicate_of,
        })
    return [{"outlet": name, "articles": items} for name, items in groups.items()]


def _when(iso: str) -> str:
    return display_time(iso)


def render_text(page: dict[str, Any]) -> str:
    """The page in the plain-text layout of DESIGN.md, with [article id] citations."""
    lines = [
        f"{_when(page['published'])} · updated {_when(page['updated'])} · "
        f"{page['outlet_count']} outlets",
        page["title"],
        "",
        "Highlights",
    ]
    lines += [f"  • {s['text']} {_cite(s['sources'])}" for s in page["highlights"]]
    lines += ["", "Story"]
    lines += [f"  {s['text']} {_cite(s['sources'])}" for s in page["body"]]
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
            lines.append(f"    [{a['id']}] {a['title']} · {_when(a['published'])} · {a['kind']}")
    lines += ["", "You've reached the end", ""]
    return "\n".join(lines)


def _cite(ids: list[int]) -> str:
    return "[" + ", ".join(str(i) for i in ids) + "]"
