"""Neutral story titles from the articles' headlines.

Cleaning removes what belongs to one outlet or one format rather than to the
event: outlet names after a separator ("... - BBC News", "... | Reuters"),
format prefixes ("LIVE:", "WATCH:", "BREAKING:", "Opinion:", "EXCLUSIVE:") and
trailing clickbait ("(VIDEO)", "[PHOTOS]", "- here's why").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..models import StoredArticle

_PREFIX = re.compile(
    r"^\s*((live|watch|breaking|opinion|op-?ed|exclusive|update[d]?|analysis|editorial|video"
    r"|photos?|just in|developing|column|commentary|fact check|explainer)\b\s*(updates?)?"
    r"\s*[:|—–-]\s*)+",
    re.I,
)
_SUFFIX_TAG = re.compile(r"\s*[(\[](video|photos?|watch|live|updated?|opinion)[)\]]\s*$", re.I)
_CLICKBAIT = re.compile(
    r"\s*[:—–-]\s*(here'?s (why|what|how)\b.*|what (we|you) (know|need to know)|"
    r"you won'?t believe.*|report)\.?\s*$|,\s*explained\.?\s*$",
    re.I,
)
# Not a headline of the event (the reader-side bench's checks): a label, a listicle, an
# explainer, a question, a format tag.
_LISTICLE = re.compile(
    r"^\s*(\d+|three|four|five|six|seven|eight|nine|ten)\s+(\w+\s+)?(takeaways?|things|ways"
    r"|reasons|questions|moments|lessons|facts|highlights|winners|losers|signs|tips)\b",
    re.I,
)
_EXPLAINER = re.compile(
    r"(\bexplained\b|\bexplainer\b|\bwhat (we|you) (know|need to know)|^here'?s\b"
    r"|\bwhat to know\b|\bwhat it means\b|^(how|why|what|who|where|when)\b)",
    re.I,
)
_TAG = re.compile(r"^\s*(video|watch|live|breaking|opinion|photos?|listen)\s*[:|]", re.I)
# Words that take a side; a plainer headline is preferred when one exists.
_LOADED = re.compile(
    r"\b(slams?|blasts?|rips?|destroys?|lashes out|scorch\w*|radical|extremists?|regime"
    r"|illegals?|illegal aliens?|scheme|meltdown|bombshell|hysteria|smears?|unhinged"
    r"|shocking|caves?|cronies|sham|hoax|witch ?hunt|outrage\w*|disgrac\w*|epic"
    r"|brutal(ly)?|stunning|massive|huge|crazy|insane|furious|fumes?|mocks?|trashes?)\b",
    re.I,
)
_SEPARATOR = re.compile(r"\s+[|—–-]\s+(?=[^|—–-]+$)")


def clean_title(title: str, outlets: tuple[str, ...] = ()) -> str:
    title = " ".join(title.split())
    for _ in range(2):
        title = _PREFIX.sub("", title)
        title = _SUFFIX_TAG.sub("", title)
        title = _CLICKBAIT.sub("", title)
        title = _strip_outlet_suffix(title, outlets)
    return title.strip(" -|:—–")


def _strip_outlet_suffix(title: str, outlets: tuple[str, ...]) -> str:
    m = _SEPARATOR.search(title)
    if not m:
        return title
    tail = title[m.end() :].strip()
    tail_key = _key(tail)
    names = {_key(o) for o in outlets if o}
    # A short tail after a separator is an outlet or section name, not part of the event.
    if (
        tail_key in names
        or any(n and (n in tail_key or tail_key in n) for n in names)
        or (len(tail.split()) <= 3 and tail[:1].isupper() and len(title[: m.start()].split()) >= 4)
    ):
        return title[: m.start()]
    return title


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().removeprefix("the "))


def is_headline(title: str) -> bool:
    """A headline of the event: more than three words, not a listicle, an explainer,
    a question or a format tag."""
    return (
        len(title.split()) > 3
        and not _LISTICLE.match(title)
        and not _EXPLAINER.search(title)
        and not title.rstrip(" .").endswith("?")
        and not _TAG.match(title)
    )


TITLE_LOADED_PENALTY = 0.5
TITLE_BODY_WEIGHT = 0.5  # agreement with the articles' leads, beside the other headlines
TITLE_LENGTH_PENALTY = 0.07  # per word: a wire headline is short


def choose_title(
    articles: Sequence[StoredArticle], outlets: tuple[str, ...], fallback: str = ""
) -> str:
    """The headline most like the other headlines and the articles' leads, short
    preferred, without one side's loaded words when a plainer one exists; cleaned of
    outlet names and format tags; never a label, listicle, explainer or question while
    ``fallback`` (the lead fact, shortened) or another headline is one. Tuned on NeuS
    train."""
    from .sentences import split_sentences

    pairs = [(clean_title(a.title, outlets), a) for a in articles]
    pairs = [(t, a) for t, a in pairs if t]
    headlines = [(t, a) for t, a in pairs if is_headline(t)]
    if not headlines and fallback and is_headline(fallback):
        return fallback.rstrip(".")
    pairs = headlines or pairs
    if not pairs:
        return next((a.title for a in articles if a.title), "Untitled story")
    titles = [t for t, _ in pairs]
    leads = [" ".join(split_sentences(a.text or a.summary)[:3]) for _, a in pairs]
    try:
        X = TfidfVectorizer(stop_words="english").fit_transform(titles + leads)
    except ValueError:
        return min(titles, key=len)
    T, B = X[: len(titles)], X[len(titles) :]
    agreement = (
        np.asarray((T @ T.T).sum(axis=1)).ravel()
        - 1
        + TITLE_BODY_WEIGHT * np.asarray((T @ B.T).sum(axis=1)).ravel()
    )
    score = agreement - TITLE_LENGTH_PENALTY * np.array([len(t.split()) for t in titles])
    loaded = np.array([bool(_LOADED.search(t)) for t in titles])
    if not loaded.all():
        score = score - TITLE_LOADED_PENALTY * loaded
    return titles[int(np.argmax(score))]
