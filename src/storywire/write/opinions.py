"""Opinion and analysis pieces: listed apart, with a one-sentence gist from the piece.

The gist states the piece's claim: among the piece's first GIST_SENTENCES usable
sentences that stand alone (no dangling opener, no unbalanced quote, not a question),
the one sharing most content words with the headline, with a bonus for the words a
claim is made with ("should", "must", "it is time", "wrong") and a small cost per
place in the piece; the first usable sentence when none stands alone.
"""

from __future__ import annotations

import re

from ..models import Opinion, StoredArticle
from .readable import stands_alone
from .scoring import concepts, usable
from .sentences import split_sentences
from .titles import clean_title

GIST_SENTENCES = 10
CLAIM_BONUS, PLACE_COST = 0.3, 0.03
_CLAIM = re.compile(
    r"\b(should|must|need(s)? to|ought|it'?s time|is time|wrong|right to|mistake|fail(s|ed)?"
    r"|deserve[sd]?|cannot|can't afford|has to|have to|the (real|truth|point|problem))\b",
    re.I,
)

# The author's biography ("Jane Roe, a media analyst for CNN, is the author of ...").
_BIO = re.compile(
    r"^[A-Z][\w.'-]+( [A-Z][\w.'-]+){1,3},? (is|was|a|an|the)\b.{0,120}\b(analyst|columnist"
    r"|contributor|writer|author|professor|editor|fellow|commentator|host|director)\b"
)


def gist(article: StoredArticle) -> str:
    sentences = [
        s for s in split_sentences(article.text or article.summary) if usable(s, article.title)
    ][:GIST_SENTENCES]
    if not sentences:
        return article.summary or article.title
    title = {k for k in concepts(article.title) if " " not in k}
    best, best_score = sentences[0], float("-inf")
    for place, s in enumerate(sentences):
        if not stands_alone(s) or s.rstrip("\"'”’ ").endswith("?") or _BIO.match(s):
            continue
        words = {k for k in concepts(s) if " " not in k}
        score = len(words & title) / max(1, len(title)) + CLAIM_BONUS * bool(_CLAIM.search(s))
        score -= PLACE_COST * place
        if score > best_score:
            best, best_score = s, score
    return best


def opinion(article: StoredArticle, outlets: tuple[str, ...] = ()) -> Opinion:
    return Opinion(
        article_id=article.id,
        outlet=article.outlet,
        author=article.author,
        title=clean_title(article.title, outlets) or article.title,
        gist=gist(article),
        url=article.url,
        kind=article.kind,
    )
