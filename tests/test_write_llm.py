"""The optional LLM writer against a real local chat-completions server."""

import json
import logging
import time
from dataclasses import replace

import pytest

from storywire import Pipeline, Store, load_settings
from storywire.models import Article, Kind
from storywire.write import ExtractiveWriter, LLMWriter, make_writer
from storywire.write.sentences import split_sentences

from tests.support.chatserver import ChatServer
from tests.support.realstories import basil_stories

INVENTED = "Aliens landed in Ohio on Tuesday, killing 4,000 penguins at the zoo."


@pytest.fixture(scope="module")
def story(data_dir):
    articles, _ = basil_stories(data_dir, limit=1)[0]
    opinion = replace(
        articles[0],
        id=999,
        kind=Kind.OPINION,
        title="Opinion: A SECRET VIEW",
        url="https://example.org/op",
    )
    return articles + [opinion]


def _answer(articles, extra=()) -> str:
    news = [a for a in articles if a.kind == Kind.NEWS]
    s0 = split_sentences(news[0].text)[0]
    s1 = split_sentences(news[1].text)[0]
    story = [{"text": s0, "cites": [1]}, {"text": s1, "cites": [2, 3]}, *extra]
    return json.dumps(
        {
            "title": f"{news[0].title} - Fox News",
            "highlights": [{"text": s1, "cites": [2]}, {"text": INVENTED, "cites": [1]}],
            "story": story,
        }
    )


def _writer(server, **kw):
    return LLMWriter(
        server.base_url,
        "test-model",
        api_key="sekret",
        timeout=kw.pop("timeout", 5),
        words=kw.pop("words", 250),
    )


def test_grounded_answer_keeps_supported_sentences_only(story):
    with ChatServer(lambda req: _answer(story, [{"text": INVENTED, "cites": [1, 2]}])) as srv:
        draft = _writer(srv).write(story)
        request = srv.requests[0]
    assert draft.writer == "llm"
    texts = [s.text for s in draft.body]
    assert INVENTED not in texts and len(texts) == 2
    assert INVENTED not in [s.text for s in draft.highlights]
    news_ids = {a.id for a in story if a.kind == Kind.NEWS}
    assert all(s.sources and set(s.sources) <= news_ids for s in draft.body + draft.highlights)
    assert "fox news" not in draft.title.lower()  # outlet suffix cleaned
    assert [o.article_id for o in draft.opinions] == [999]
    # one structured request; opinion pieces are never sent
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "test-model"
    assert request["body"]["response_format"] == {"type": "json_object"}
    assert request["auth"] == "Bearer sekret"
    prompt = request["body"]["messages"][-1]["content"]
    assert "A SECRET VIEW" not in prompt and story[0].title in prompt


def test_fenced_json_is_accepted(story):
    with ChatServer(lambda req: "```json\n" + _answer(story) + "\n```") as srv:
        assert _writer(srv).write(story).writer == "llm"


@pytest.mark.parametrize(
    "reply",
    [
        "this is not json {",
        json.dumps({"title": "x", "highlights": [], "story": [{"text": "a", "cites": ["1"]}]}),
        json.dumps({"highlights": [], "story": []}),
        json.dumps(["a list"]),
        ("raw", 500, '{"error": {"message": "boom"}}'),
        ("raw", 200, "<html>not a completion</html>"),
        json.dumps({"title": "T", "highlights": [], "story": [{"text": INVENTED, "cites": [1]}]}),
    ],
)
def test_bad_answers_fall_back_to_extractive_and_are_logged(story, reply, caplog):
    expected = ExtractiveWriter(words=250).write(story)
    with ChatServer(lambda req: reply) as srv, caplog.at_level(logging.WARNING):
        draft = _writer(srv).write(story)
    assert draft == expected and draft.writer == "extractive"
    assert "fell back to extractive" in caplog.text


def test_slow_server_times_out_and_falls_back(story, caplog):
    with (
        ChatServer(lambda req: ("sleep", 3, _answer(story))) as srv,
        caplog.at_level(logging.WARNING),
    ):
        start = time.monotonic()
        draft = _writer(srv, timeout=0.5).write(story)
        elapsed = time.monotonic() - start
    assert draft.writer == "extractive" and draft.body
    assert elapsed < 2.5
    assert "fell back to extractive" in caplog.text


def test_unreachable_server_falls_back(story, caplog):
    from tests.support.live import free_port

    writer = LLMWriter(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2)
    with caplog.at_level(logging.WARNING):
        assert writer.write(story).writer == "extractive"
    assert "fell back" in caplog.text


def test_story_budget_is_respected(story):
    with ChatServer(lambda req: _answer(story)) as srv:
        draft = _writer(srv, words=20).write(story)
    assert draft.writer == "llm" and len(draft.body) == 1


def test_settings_choose_the_writer_and_pipeline_records_it(story, tmp_path):
    assert isinstance(make_writer(load_settings(db=tmp_path / "a.db")), ExtractiveWriter)
    with ChatServer(lambda req: _answer(story)) as srv:
        settings = load_settings(
            db=tmp_path / "s.db", llm_base_url=srv.base_url, llm_model="m", llm_timeout=5
        )
        store = Store(settings.db)
        store.migrate()
        pipeline = Pipeline(store, settings)
        assert isinstance(pipeline.writer, LLMWriter)
        for a in story:
            pipeline.add_article(
                Article(
                    url=a.url,
                    title=a.title,
                    text=a.text,
                    published=a.published,
                    outlet=a.outlet,
                    kind=a.kind,
                )
            )
        assert pipeline.write_dirty() >= 1
        versions = [store.latest_version(s.id) for s, _ in store.list_stories()]
    assert any(v and v[0].writer == "llm" for v in versions)
