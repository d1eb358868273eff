"""Opinion and analysis pieces: listed apart, with a one-sentence gist from the piece."""

from __future__ import annotations

from ..models import Opinion, StoredArticle
from .scoring import usable
from .sentences import split_sentences
from .titles import clean_title


def opinion(article: StoredArticle, outlets: tuple[str, ...] = ()) -> Opinion:
    sentences = [
        s for s in split_sentences(article.text or article.summary) if usable(s, article.title)
    ]
    gist = sentences[0] if sentences else article.summary or article.title
    return Opinion(
        article_id=article.id,
        outlet=article.outlet,
        author=article.author,
        title=clean_title(article.title, outlets) or article.title,
        gist=gist,
        url=article.url,
        kind=article.kind,
    )
