"""Articles, versions and written stories for store tests (a fixed clock, T0)."""

from datetime import UTC, datetime, timedelta

from storywire.models import Article, Changes, Opinion, Sentence, StoryVersion

T0 = datetime(2024, 4, 3, 12, tzinfo=UTC)


def make_article(n, *, outlet="Daily", title=None, text="", hours=0, **extra):
    return Article(
        url=f"https://news.example/{n}",
        title=title or f"Headline number {n}",
        text=text or f"Body of article {n}.",
        published=T0 + timedelta(hours=hours),
        outlet=outlet,
        **extra,
    )


def make_version(story_id, n, title, *, highlight="", body="", ids=(1,)):
    return StoryVersion(
        story_id=story_id,
        version=n,
        written_at=T0 + timedelta(hours=n),
        writer="extractive",
        title=title,
        highlights=(Sentence(highlight or f"{title} highlight", ids),),
        body=(Sentence(body or f"{title} body", ids),),
        opinions=(Opinion(ids[0], "Op", "Al", "A view", "gist", "https://op.example/1"),),
        changes=Changes(new_articles=tuple(ids)),
    )


def make_story(store, articles, title, **version):
    """A written story of ``articles``; its id."""
    story = store.create_story(articles[0].published)
    ids = []
    for a in articles:
        aid = store.add_article(a, content_hash=a.url)
        store.assign_story(aid, story)
        ids.append(aid)
    store.add_version(make_version(story, 1, title, ids=tuple(ids), **version), ids)
    return story
