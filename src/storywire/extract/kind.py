"""Tell news from opinion and analysis.

Rules, first match wins (each is a signal publishers set on purpose):
1. schema.org type: ``OpinionNewsArticle`` -> opinion; ``AnalysisNewsArticle`` -> analysis.
2. URL path segment: /opinion(s)/, /commentisfree/, /comment/, /editorial(s)/, /op-ed/,
   /columns/, /columnists/, /blogs/opinion -> opinion; /analysis/ -> analysis.
3. Section or category metadata naming opinion, comment, editorial, op-ed, column ->
   opinion; analysis -> analysis.
4. Title prefix "Opinion:", "Op-Ed:", "Editorial:", "Column:", "Commentary:" -> opinion;
   "Analysis:" -> analysis.
5. The feed's own kind when the whole feed is an opinion feed.
Otherwise news.
"""

from __future__ import annotations

import re

from ..models import Kind

_OPINION_PATH = re.compile(
    r"/(opinions?|commentisfree|comment|commentary|editorials?|op-?eds?|columns?|columnists?"
    r"|voices|letters|blogs/opinion)(/|$|-)",
    re.I,
)
_ANALYSIS_PATH = re.compile(r"/(analysis|news-analysis)(/|$|-)", re.I)
_OPINION_WORDS = re.compile(
    r"\b(opinion|opinions|comment|commentary|editorials?|op-?eds?|columns?|columnists?)\b", re.I
)
_ANALYSIS_WORDS = re.compile(r"\banalysis\b", re.I)
_OPINION_TITLE = re.compile(r"^\s*(opinion|op-?ed|editorial|column|commentary)\s*[:|]", re.I)
_ANALYSIS_TITLE = re.compile(r"^\s*(news\s+)?analysis\s*[:|]", re.I)


def classify(
    *,
    url: str = "",
    title: str = "",
    section: str = "",
    schema_types: tuple[str, ...] = (),
    feed_kind: str = "",
) -> Kind:
    types = {t.lower() for t in schema_types}
    if "opinionnewsarticle" in types:
        return Kind.OPINION
    if "analysisnewsarticle" in types:
        return Kind.ANALYSIS
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I)
    if _OPINION_PATH.search(path):
        return Kind.OPINION
    if _ANALYSIS_PATH.search(path):
        return Kind.ANALYSIS
    if section and _OPINION_WORDS.search(section):
        return Kind.OPINION
    if section and _ANALYSIS_WORDS.search(section):
        return Kind.ANALYSIS
    if _OPINION_TITLE.match(title):
        return Kind.OPINION
    if _ANALYSIS_TITLE.match(title):
        return Kind.ANALYSIS
    if feed_kind == "opinion":
        return Kind.OPINION
    return Kind.NEWS
