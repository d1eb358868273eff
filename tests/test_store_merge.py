"""Store.merge_stories (both databases): articles move, the absorbed story redirects."""

from datetime import UTC, datetime, timedelta

from storywire.models import Article

T0 = datetime(2024, 4, 3, tzinfo=UTC)


def test_merge_moves_articles_and_marks_the_absorbed_story(store):
    stories = [store.create_story(T0), store.create_story(T0), store.create_story(T0)]
    for n, (story, outlet) in enumerate([(0, "A"), (1, "B"), (1, "C"), (2, "D")]):
        art = Article(
            url=f"https://x.example/{n}",
            title=f"t{n}",
            text="x",
            published=T0 + timedelta(hours=n),
            outlet=outlet,
        )
        aid = store.add_article(art, content_hash=f"h{n}")
        assert aid is not None
        store.assign_story(aid, stories[story])
    a, b, c = stories
    store.merge_stories(b, a)
    store.merge_stories(a, c)  # a chain: b must now point at c too
    merged_b, merged_a, kept = store.get_story(b), store.get_story(a), store.get_story(c)
    assert merged_b and merged_a and kept
    assert (merged_b.status, merged_b.merged_into) == ("merged", c)
    assert (merged_a.status, merged_a.merged_into, merged_a.article_count) == ("merged", c, 0)
    assert (kept.status, kept.article_count, kept.outlet_count) == ("active", 4, 4)
    assert kept.first_published == T0 and kept.last_published == T0 + timedelta(hours=3)
    assert sorted(x.outlet for x in store.story_articles(c)) == ["A", "B", "C", "D"]
