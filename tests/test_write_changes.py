"""Story versions: rewritten only on meaningful change, each kept with what changed."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from storywire import Pipeline, Store, load_settings
from storywire.dedup import content_hash
from storywire.models import Article, Changes, Kind, StoryVersion
from storywire.write import ExtractiveWriter, decide

from tests.support.realstories import basil_stories


@pytest.fixture
def setup(tmp_path, data_dir):
    (arts, _), (other, _) = basil_stories(data_dir, limit=2)
    store = Store(tmp_path / "s.db")
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=tmp_path / "s.db", story_words=150))
    story = store.create_story(arts[0].published)

    def add(a, **changes) -> int:
        base = Article(
            url=a.url,
            title=a.title,
            text=a.text,
            published=a.published,
            outlet=a.outlet,
            kind=a.kind,
            author=a.author,
        )
        art = replace(base, **changes)
        article_id = store.add_article(art, content_hash=content_hash(art.title, art.text))
        assert article_id is not None
        store.assign_story(article_id, story)
        return article_id

    yield store, pipeline, story, arts, other, add
    store.close()


def test_versions_follow_meaningful_changes_only(setup):
    store, pipeline, story, arts, other, add = setup
    add(arts[0])
    add(arts[1])
    assert pipeline.write_story(story)
    v1, ids1 = store.latest_version(story)
    assert v1.version == 1 and len(ids1) == 2

    # The same outlet repeating what is known (a shortened rewrite): no new version.
    first = arts[0]
    shorter = "\n".join(first.text.split("\n")[:2])
    add(
        first,
        url=first.url + "?update=1",
        text=shorter,
        title=first.title + " (updated)",
        published=first.published + timedelta(hours=1),
    )
    assert not pipeline.write_story(story)
    assert store.latest_version(story)[0].version == 1

    # A third outlet joins: new version, with the outlet and the new sentences recorded.
    third = add(arts[2])
    assert pipeline.write_story(story)
    v2, ids2 = store.latest_version(story)
    assert v2.version == 2 and third in ids2
    assert v2.changes.new_outlets == (arts[2].outlet,)
    assert third in v2.changes.new_articles
    assert v2.written_at >= v1.written_at
    assert set(v2.changes.new_sentences) <= {s.text for s in v2.body}

    # New facts from a known outlet: another event's text under the same outlet.
    add(
        other[0],
        outlet=arts[0].outlet,
        url=other[0].url + "#x",
        published=arts[0].published + timedelta(hours=2),
    )
    assert pipeline.write_story(story)
    v3, _ = store.latest_version(story)
    assert v3.version == 3 and v3.changes.new_outlets == ()
    assert len(v3.changes.new_facts) >= 3

    # An opinion piece joins: the Opinions list changes, the body does not take from it.
    op = add(
        other[1],
        kind=Kind.OPINION,
        outlet=arts[1].outlet,
        url=other[1].url + "#op",
        published=arts[0].published + timedelta(hours=3),
    )
    assert pipeline.write_story(story)
    v4, _ = store.latest_version(story)
    assert v4.changes.new_opinions == (op,)
    assert [o.article_id for o in v4.opinions] == [op]
    assert all(op not in s.sources for s in v4.body + v4.highlights)


def test_changes_round_trip_through_json_and_read_old_rows():
    changes = Changes(new_articles=(3, 4), new_outlets=("BBC",), new_sentences=("A b c.",))
    assert Changes.from_json(json.loads(json.dumps(changes.to_json()))) == changes
    # a row written before the typed record: unknown keys ignored, missing ones empty
    assert Changes.from_json({"new_outlets": ["AP"], "other": 1}) == Changes(new_outlets=("AP",))


def test_first_version_has_empty_changes_and_unchanged_story_is_not_rewritten(data_dir):
    arts = basil_stories(data_dir, limit=1)[0][0]
    writer = ExtractiveWriter()
    draft, changes = decide(None, [], arts, writer)
    assert changes == Changes() and draft.body
    version = StoryVersion(
        1, 1, arts[0].published, "extractive", draft.title, draft.highlights, draft.body, (),
        changes,
    )  # fmt: skip
    assert decide(version, [a.id for a in arts], arts, writer) is None
