"""Full-text search over stories and articles, best match first.

SQLite: FTS5 tables (``articles_fts``, contentless; ``stories_fts``), ranked by bm25.
PostgreSQL: ``tsvector`` columns with GIN indexes (``articles.search``, generated from
the same text; ``stories_fts.doc``, written by a trigger), ranked by ``ts_rank`` with
the same length normalisation idea as bm25 (rank / (1 + log(length))). Both index the
title, author and the first 2,000 characters of summary + text of an article, and the
title, highlights and body of a story's current version; both fold case and accents
(FTS5 ``remove_diacritics``; the ``storywire`` text search configuration: unaccent).
A query is its words ANDed, the last also matching as a prefix.
"""

from __future__ import annotations

from sqlalchemy import text

from ..models import StoredArticle
from ..text import words
from . import rows
from .listing import Listed, ListingQueries, listed


def query_words(query: str) -> list[str]:
    """The words of a user's query (at most 20); [] for none."""
    return words(query, "plain")[:20]


def fts_query(query: str) -> str:
    """User text to a safe FTS5 query: words ANDed, the last as a prefix; '' for none.

    Every word is double-quoted, so FTS5 operators, quotes and SQL in the input are
    plain words; nothing the user types can be a syntax error.
    """
    return _quoted_words(query, '"', "*", " ")


def ts_query(query: str) -> str:
    """User text to a safe PostgreSQL ``to_tsquery`` input: quoted words ANDed, the last
    as a prefix (``:*``); '' for none. Words hold only letters, digits and '_', so no
    tsquery operator or quote can come from the input."""
    return _quoted_words(query, "'", ":*", " & ")


def _quoted_words(query: str, quote: str, prefix: str, conjunction: str) -> str:
    """The query's words each in ``quote``, the last followed by ``prefix``, joined."""
    quoted = [f"{quote}{w}{quote}" for w in query_words(query)]
    if quoted:
        quoted[-1] += prefix
    return conjunction.join(quoted)


class SearchQueries(ListingQueries):
    def search_stories(self, query: str, *, limit: int = 20, offset: int = 0) -> list[Listed]:
        """Written stories whose current title, highlights or body match, best first."""
        if self.dialect.name == "sqlite":
            match, source, rank = (
                fts_query(query),
                "stories_fts JOIN stories s ON s.id = stories_fts.rowid",
                "stories_fts.rank",
            )
            condition = "stories_fts MATCH :q"
        else:
            match, source = ts_query(query), "stories_fts f JOIN stories s ON s.id = f.story_id"
            condition = "f.doc @@ to_tsquery('storywire', :q)"
            rank = "-ts_rank(f.doc, to_tsquery('storywire', :q), 1)"
        if not match:
            return []
        sql = (
            self._listed_sql().replace("FROM stories s", f"FROM {source}")
            + f" AND {condition} ORDER BY {rank}, s.id DESC LIMIT :limit OFFSET :offset"
        )
        with self._tx() as conn:
            found = conn.execute(text(sql), {"q": match, "limit": limit, "offset": offset})
            return [listed(r) for r in found]

    def search_articles(
        self, query: str, *, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]:
        """Articles whose title, author, summary or text start match, best first."""
        if self.dialect.name == "sqlite":
            match = fts_query(query)
            matches = (
                "SELECT rowid AS rid, rank FROM articles_fts WHERE articles_fts MATCH :q"
                " ORDER BY rank LIMIT :limit OFFSET :offset"
            )
        else:
            match = ts_query(query)
            matches = (
                "SELECT id AS rid, -ts_rank(search, to_tsquery('storywire', :q), 1) AS rank"
                " FROM articles WHERE search @@ to_tsquery('storywire', :q)"
                " ORDER BY rank, id DESC LIMIT :limit OFFSET :offset"
            )
        if not match:
            return []
        sql = rows.ARTICLE_SELECT.replace(
            "FROM articles a", f"FROM ({matches}) m JOIN articles a ON a.id = m.rid"
        )
        with self._tx() as conn:
            found = conn.execute(
                text(sql + " ORDER BY m.rank, a.id DESC"),
                {"q": match, "limit": limit, "offset": offset},
            )
            return [rows.article(r._mapping) for r in found]
