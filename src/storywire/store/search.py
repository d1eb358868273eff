"""Full-text search over stories and articles, best match first.

SQLite: FTS5 tables (``articles_fts``, contentless; ``stories_fts``), ranked by bm25.
PostgreSQL: ``tsvector`` columns with GIN indexes (``articles.search``, generated from
the same text; ``stories_fts.doc``, written by a trigger), ranked by ``ts_rank`` with
the same length normalisation idea as bm25 (rank / (1 + log(length))). Both index the
title, author and the first 2,000 characters of summary + text of an article, and the
title, highlights and body of a story's current version; both fold case and accents
(FTS5 ``remove_diacritics``; the ``storywire`` text search configuration: unaccent).
A query is its words ANDed, the last also matching as a prefix.

Only the newest ``RANKED`` matches (by id: articles and stories are numbered as they
come) are ranked, then cut to the page asked; the page's rows alone are then read
(stories: the current title and first highlight, JSON work). Ranking is per match
(bm25 reads each match's positions, ~1-3 us; ``ts_rank`` each match's tsvector, out of
line in TOAST, ~10 us), so ranking every match of a common word made a search's cost
grow with the store: "trump" matched 8,000 of 20,000 AllSides articles (13 ms of CPU to
rank on SQLite; 4 ms for the newest 1,000). A query with fewer matches is ranked
exactly as before; one with more gets the best of its newest ``RANKED`` matches, which
for news is what a reader asks for.
"""

from __future__ import annotations

from sqlalchemy import text

from ..models import StoredArticle
from ..text import words
from . import rows
from .listing import Listed, ListingQueries, listed

RANKED = 300  # the newest matches a search ranks (a deeper page ranks more)


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
    def _matches(self, table: str, key: str, column: str, query: str) -> tuple[str, str]:
        """The newest ``:m`` matches of ``query`` in a search table (``rid``, ``rank``:
        lower is better), and the match text to bind as ``:q``; '' for a query without
        words. Only these are ranked (see the module doc)."""
        if self.dialect.name == "sqlite":
            newest = (
                f"SELECT rowid FROM {table} WHERE {table} MATCH :q"
                " ORDER BY rowid DESC LIMIT 1 OFFSET :m - 1"
            )
            # FTS5 takes the rowid bound into its scan: bm25 runs on the newest matches only.
            sql = (
                f"SELECT rowid AS rid, rank FROM {table} WHERE {table} MATCH :q"
                f" AND rowid >= coalesce(({newest}), 0)"
            )
            return sql, fts_query(query)
        sql = (
            f"SELECT {key} AS rid, -ts_rank({column}, to_tsquery('storywire', :q), 1) AS rank"
            f" FROM (SELECT {key}, {column} FROM {table}"
            f" WHERE {column} @@ to_tsquery('storywire', :q) ORDER BY {key} DESC LIMIT :m) c"
        )
        return sql, ts_query(query)

    def search_stories(self, query: str, *, limit: int = 20, offset: int = 0) -> list[Listed]:
        """Written stories whose current title, highlights or body match, best first."""
        matches, match = self._matches("stories_fts", "story_id", "doc", query)
        if not match:
            return []
        # Ranked and cut to the page first; the title and first highlight (JSON work)
        # only for the page's stories.
        top = (
            f"SELECT m.rid, m.rank FROM ({matches}) m JOIN stories s ON s.id = m.rid"
            " WHERE s.status = 'active' ORDER BY m.rank, m.rid DESC LIMIT :limit OFFSET :offset"
        )
        sql = (
            self._listed_sql().replace(
                "FROM stories s", f"FROM ({top}) t JOIN stories s ON s.id = t.rid"
            )
            + " ORDER BY t.rank, s.id DESC"
        )
        params = {"q": match, "limit": limit, "offset": offset, "m": _ranked(limit, offset)}
        with self._tx() as conn:
            return [listed(r) for r in conn.execute(text(sql), params)]

    def search_articles(
        self, query: str, *, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]:
        """Articles whose title, author, summary or text start match, best first."""
        table = "articles_fts" if self.dialect.name == "sqlite" else "articles"
        matches, match = self._matches(table, "id", "search", query)
        if not match:
            return []
        top = (
            f"SELECT rid, rank FROM ({matches}) m"
            " ORDER BY rank, rid DESC LIMIT :limit OFFSET :offset"
        )
        sql = rows.ARTICLE_SELECT.replace(
            "FROM articles a", f"FROM ({top}) t JOIN articles a ON a.id = t.rid"
        )
        params = {"q": match, "limit": limit, "offset": offset, "m": _ranked(limit, offset)}
        with self._tx() as conn:
            found = conn.execute(text(sql + " ORDER BY t.rank, a.id DESC"), params)
            return [rows.article(r._mapping) for r in found]


def _ranked(limit: int, offset: int) -> int:
    """How many of the newest matches to rank: RANKED, or enough for the page asked."""
    return max(RANKED, limit + offset)
