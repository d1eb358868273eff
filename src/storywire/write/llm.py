"""The optional LLM writer: one chat-completions request per story, grounded.

Works with any OpenAI-compatible server (``llm_base_url``, ``llm_model``,
``llm_api_key``). The request numbers the story's news articles [1]..[n] and asks
for JSON: a title, highlights and story sentences, each sentence citing the
numbers of the articles it comes from. The answer is validated; each sentence is
kept only if a cited article supports it (``grounding.supported_by``: content-word
overlap, every number present) and then records those articles as its sources.
If the answer is unusable (timeout, HTTP error, malformed JSON, wrong shape, no
supported story sentence) the extractive draft is used and the reason is logged.
Opinion pieces are never sent: the Opinions list always comes from the pieces.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import openai

from ..errors import WriterError
from ..models import Kind, Sentence, StoredArticle
from .extractive import Draft, ExtractiveWriter
from .grounding import supported_by
from .sentences import split_sentences, word_count
from .titles import clean_title

log = logging.getLogger(__name__)
ARTICLE_CHARS = 1500  # of each article's text sent to the model
MAX_ARTICLES = 12

SYSTEM = (
    "You are a careful, neutral wire editor. Write only facts stated in the numbered "
    "articles. Answer with one JSON object and nothing else."
)
INSTRUCTIONS = """Write a news story from these articles.
Return JSON: {{"title": "...", "highlights": [{{"text": "...", "cites": [1]}}, ...],
"story": [{{"text": "...", "cites": [1, 2]}}, ...]}}
- title: a neutral headline, no outlet names, no opinion.
- highlights: exactly 3 sentences on different aspects (who/what/why).
- story: at most {words} words, one sentence per item, in chronological order.
- cites: the numbers of the articles that state the sentence's facts.

{articles}"""


class LLMWriter:
    name = "llm"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 30.0,
        words: int = 250,
        fallback: ExtractiveWriter | None = None,
    ):
        self.model = model
        self.words = words
        self.fallback = fallback or ExtractiveWriter(words=words)
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
        )

    def write(self, articles: list[StoredArticle]) -> Draft:
        extractive = self.fallback.write(articles)
        news = [a for a in articles if a.duplicate_of is None and a.kind == Kind.NEWS]
        news = sorted(news, key=lambda a: a.published)[:MAX_ARTICLES]
        if not news:
            return extractive
        try:
            answer = self._ask(news)
            return self._grounded(answer, news, articles, extractive)
        # The server is untrusted input: a non-JSON or oddly shaped body surfaces from
        # the client as ValueError/TypeError/AttributeError, not as an OpenAIError.
        except (openai.OpenAIError, WriterError, ValueError, TypeError, AttributeError) as exc:
            log.warning("LLM writer fell back to extractive: %s: %s", type(exc).__name__, exc)
            return extractive

    def _ask(self, news: list[StoredArticle]) -> dict[str, Any]:
        listing = "\n\n".join(
            f"[{n}] {a.outlet}: {a.title}\n{(a.text or a.summary)[:ARTICLE_CHARS]}"
            for n, a in enumerate(news, 1)
        )
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": SYSTEM},
                {
                    "role": "user",
                    "content": INSTRUCTIONS.format(words=self.words, articles=listing),
                },
            ],
            response_format={"type": "json_object"},
            temperature=0,
        )
        if not resp.choices or not resp.choices[0].message.content:
            raise WriterError("empty answer")
        return parse_answer(resp.choices[0].message.content)

    def _grounded(
        self,
        answer: dict[str, Any],
        news: list[StoredArticle],
        everyone: list[StoredArticle],
        extractive: Draft,
    ) -> Draft:
        outlets = tuple(sorted({a.outlet for a in everyone if a.outlet}))
        story = ground(answer["story"], news)
        kept: list[Sentence] = []
        used = 0
        for s in story:
            if used + word_count(s.text) > self.words and kept:
                break
            kept.append(s)
            used += word_count(s.text)
        if not kept:
            raise WriterError("no story sentence is supported by its cited articles")
        highlights = tuple(ground(answer["highlights"], news)[:3]) or extractive.highlights
        title = clean_title(answer["title"], outlets)
        if not title or any(o.lower() in title.lower() for o in outlets if len(o) > 3):
            title = extractive.title
        dropped = len(answer["story"]) - len(story)
        if dropped:
            log.info("LLM writer dropped %d unsupported sentence(s)", dropped)
        return replace(
            extractive, title=title, highlights=highlights, body=tuple(kept), writer=self.name
        )


def parse_answer(content: str) -> dict[str, Any]:
    """The model's JSON answer, validated: title str, highlights/story lists of
    {text: str, cites: [int]}. A fenced ```json block is accepted."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise WriterError(f"answer is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise WriterError("answer lacks a title string")
    for key in ("highlights", "story"):
        items = data.get(key)
        if not isinstance(items, list):
            raise WriterError(f"answer's {key} is not a list")
        for item in items:
            if not (
                isinstance(item, dict)
                and isinstance(item.get("text"), str)
                and isinstance(item.get("cites"), list)
                and all(isinstance(c, int) and not isinstance(c, bool) for c in item["cites"])
            ):
                raise WriterError(f"answer's {key} item is not {{text, cites}}: {item!r:.80}")
    return data


def ground(items: list[dict[str, Any]], news: list[StoredArticle]) -> list[Sentence]:
    """Sentences whose cited articles support them; sources = those articles."""
    out = []
    for item in items:
        for text in split_sentences(item["text"]):
            cited = [news[c - 1] for c in item["cites"] if 1 <= c <= len(news)]
            support = tuple(sorted(a.id for a in cited if supported_by(text, a)))
            if support:
                out.append(Sentence(text, support))
    return out
