"""Full-text search over stories and articles, best match first.

Two indexes per entity. The full ones hold every article (title, author, the first
2,000 characters of summary + text) and story (current title, highlights, body): SQLite
FTS5 tables (``articles_fts``, contentless; ``stories_fts``), PostgreSQL narrow tables
of ``tsvector`` with GIN indexes (``articles_fts.doc``, ``stories_fts.doc``). The
windows hold compact documents of the newest only: an article's title, author and lead
(600 characters), a story's whole document, for the articles numbered within 20,000 of
the newest and the active stories within 10,000 (``articles_recent``,
``stories_recent``: a merged story leaves it, so its reads need no filter).
Both fold case and accents (FTS5 ``remove_diacritics``; the ``storywire`` text search
configuration: unaccent). A query is its words ANDed, the last also matching as a
prefix. PostgreSQL writes the GIN indexes without a pending list (``fastupdate =
off``): every search would read the whole list, and on the full index the planner then
chose a sequential scan.

A search ranks the matches in the window: bm25 on SQLite, ``ts_rank`` with bm25's
length normalisation idea (rank / (1 + log(length))) on PostgreSQL; of a very common
word only the newest ``RANKED`` matches of the window. When the window holds fewer
matches than the page asks for, the other matches follow from the full index, unranked:
those holding the last word itself newest first, then, only when still short, those
holding only a word it begins, newest first. SQLite: in rowid order; the words it
begins are the window's words starting with it (an FTS5 prefix query expands the prefix
over the whole index; when the window has no such word, the prefix query: a rare
prefix). PostgreSQL: the GIN bitmap of the matches (see ``_pg_found``).

Why: ranking and prefix expansion cost per match and per indexed occurrence of the
words, so on the full index a search's cost grew with the store (at 300,000 articles on
SQLite: bm25's document-frequency pass over all 135,000 "trump" matches and the prefix
expansion of "senate*" took 25-30 ms per query; on PostgreSQL every match's tsvector
was read from TOAST). The window bounds both; the full index is read only newest first
and only for queries the window cannot fill (a rare pair of words). For news the
newest matches are what a reader asks for.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..models import StoredArticle
from ..text import words
from . import rows
from .listing import Listed, ListingQueries

RANKED = 300  # the newest matches of the window a search ranks (a deeper page ranks more)
COMPLETIONS = 30  # window words completing a query's last word against the full index


def query_words(query: str) -> list[str]:
    """The words of a user's query (at most 20); [] for none."""
    return words(query, "plain")[:20]


def fts_query(query: str) -> str:
    """User text to a safe FTS5 query: words ANDed, the last as a prefix; '' for none.

    Every word is double-quoted, so FTS5 operators, quotes and SQL in the input are
    plain words; nothing the user types can be a syntax error.
    """
    return _quoted_words(query, '"', "*", " ")


def ts_query(query: str, *, prefix: bool = True) -> str:
    """User text to a safe PostgreSQL ``to_tsquery`` input: quoted words ANDed, the last
    as a prefix (``:*``; ``prefix=False``: as itself); '' for none. Words hold only
    letters, digits and '_', so no tsquery operator or quote can come from the input."""
    return _quoted_words(query, "'", ":*" if prefix else "", " & ")


def _quoted_words(query: str, quote: str, prefix: str, conjunction: str) -> str:
    """The query's words each in ``quote``, the last followed by ``prefix``, joined."""
    quoted = [f"{quote}{w}{quote}" for w in query_words(query)]
    if quoted:
        quoted[-1] += prefix
    return conjunction.join(quoted)


def folded(word: str) -> str:
    """A word as FTS5's ``unicode61 remove_diacritics 2`` stores it: lower case, no marks."""
    parts = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in parts if not unicodedata.combining(c))


# Per entity and dialect: the window, the full index and the key the rows are fetched by.
_SQLITE = {
    "articles": ("articles_recent", "articles_fts"),
    "stories": ("stories_recent", "stories_fts"),
}
_POSTGRESQL = {
    "articles": ("articles_recent", "id", "articles_fts", "id"),
    "stories": ("stories_recent", "story_id", "stories_fts", "story_id"),
}
# Stories are listed only while active (a merged one redirects to the story it joined).
# ``rid`` qualified on SQLite: a bare ``rowid`` in the subquery is the story row's own.
# The full story indexes hold merged stories too (the window does not, 0018).
_ACTIVE = " AND EXISTS (SELECT 1 FROM stories s WHERE s.id = {rid} AND s.status = 'active')"
# PostgreSQL: not one of the few inactive stories (the partial index stories_inactive):
# one hash per search instead of a probe of `stories` per match (0014).
_PG_ACTIVE = " AND {rid} NOT IN (SELECT id FROM stories WHERE status <> 'active')"
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def _pg_params(sql: str) -> str:
    """``:name`` parameters (sqlite3's style) in psycopg's ``%(name)s``."""
    return _NAMED.sub(r"%(\1)s", sql)


class SearchQueries(ListingQueries):
    """Searches run their SQL on the driver connection (sqlite3, psycopg) under a Core
    transaction, with constant statement texts (id lists are one JSON or array
    parameter): sqlite3 reuses its prepared statements, psycopg prepares them on the
    server after a few uses, and no row goes through SQLAlchemy's result layer (a search
    runs 4-6 statements; that layer and per-call compiling were ~1.5 ms of its CPU)."""

    def _pg_sql(self, sql: str) -> str:
        """``sql`` in psycopg's parameter style, remembered for the first 1,000 texts (the
        PostgreSQL statements carry their LIMITs: one text per page depth)."""
        converted = self._fast_sql.get(sql)
        if converted is None:
            converted = _pg_params(sql)
            if len(self._fast_sql) < 1000:
                self._fast_sql[sql] = converted
        return converted

    def _run(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """The rows of ``sql`` (``:name`` parameters) run on the driver connection."""
        raw = conn.connection.driver_connection
        assert raw is not None
        if self.path is None:
            sql = self._pg_sql(sql)
        return raw.execute(sql, params).fetchall()

    def _column(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """The first column (``c``) of the rows of SQLite ``sql``, in order, fetched as ONE
        row (a JSON array): sqlite3 lets go of the GIL and takes it back for every row it
        steps to. The aggregate reads the subquery's rows in the order its ORDER BY gives
        (SQLite runs an ordered, limited subquery as a co-routine; the 814 answers of
        bench/search_answers.py are byte-identical)."""
        got = self._run(conn, f"SELECT json_group_array(c) FROM ({sql})", params)
        return list(json.loads(got[0][0]))

    def _records(
        self, conn: Connection, sql: str, params: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """The rows of SQLite ``sql`` as dicts by column name."""
        raw = conn.connection.driver_connection
        assert raw is not None
        return _dicts(raw.execute(sql, params))

    def _pg_generic(
        self, conn: Connection, statements: list[tuple[str, dict[str, Any]]]
    ) -> list[list[dict[str, Any]]]:
        """The rows of each PostgreSQL statement (``:name`` parameters) as dicts, all
        run in ONE round trip (a pipeline) on their generic plans: ``SET
        plan_cache_mode``, the statements, ``RESET`` (an error rolls the SET back with
        the pipeline's implicit transaction, or with the caller's transaction).

        psycopg prepares a statement after 5 uses; PostgreSQL then chooses, per
        connection, between one generic plan and a custom plan made for each execution's
        words, by their estimated costs. For these statements the estimates favour
        custom plans after a few rare words, and a connection could stay on them: ~0.5
        ms of planning per statement (300,000 articles, "storm tax": 4.04 ms of database
        CPU for both statements, 2.51 on generic plans). Both plans read the same
        indexes the same way (execution over the 400 queries of bench/scale.py: generic
        0.81 + 1.09 ms, custom 0.80 + 1.10)."""
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.pipeline():
            raw.execute("SET plan_cache_mode = force_generic_plan")
            cursors = [raw.cursor().execute(self._pg_sql(sql), p) for sql, p in statements]
            raw.execute("RESET plan_cache_mode")
        return [_dicts(cur) for cur in cursors]

    def _search_ids(
        self, conn: Connection, entity: str, query: str, limit: int, offset: int
    ) -> list[int]:
        """SQLite: ids of the page of matches: the window's ranked, then the full index's
        others newest first (see the module doc)."""
        found = query_words(query)
        if not found:
            return []
        need = limit + offset
        active = entity == "stories"
        ranked = self._sqlite_window(conn, entity, query, need)
        if len(ranked) < need:
            ranked += self._sqlite_older(conn, entity, found, ranked, need, active)
        return ranked[offset:need]

    def _sqlite_window(self, conn: Connection, entity: str, query: str, need: int) -> list[int]:
        window, _ = _SQLITE[entity]
        # ONE scan of the MATCH, newest first, stopping at the RANKED-th match, with each
        # row's bm25 (its statistics are the whole index's, so a row's rank is the same
        # whatever else is read); SQLite sorts them (without the GIL: sorting them in
        # Python was slower under load). Two scans were ~0.15 ms more per search: the
        # RANKED-th newest match's rowid, then bm25 over the matches from it on.
        sql = (
            f"WITH m AS MATERIALIZED (SELECT rowid AS c, rank AS r FROM {window}"
            f" WHERE {window} MATCH :q ORDER BY rowid DESC LIMIT :m)"
            " SELECT c FROM m ORDER BY r, c DESC LIMIT :need"
        )
        params = {"q": fts_query(query), "m": max(RANKED, need), "need": need}
        return self._column(conn, sql, params)

    def _sqlite_older(
        self,
        conn: Connection,
        entity: str,
        found: list[str],
        seen: list[int],
        need: int,
        active: bool,
    ) -> list[int]:
        """The full index's matches not in ``seen``, newest first: those with the last
        word itself, then, only when still short, those with a word it begins. The
        completions are the window's words (FTS5's own prefix query reads every indexed
        word with that prefix, over the whole store); when the window holds none, the
        prefix query (a prefix no recent article has is a rare one)."""
        head = [f'"{w}"' for w in found[:-1]]
        older = self._sqlite_full(conn, entity, [*head, f'"{found[-1]}"'], seen, need, active)
        if len(seen) + len(older) >= need:
            return older
        last = folded(found[-1])
        completions = []
        if last:
            after = last[:-1] + chr(ord(last[-1]) + 1)
            completions = self._column(
                conn,
                "SELECT term AS c FROM articles_recent_terms WHERE term > :w"
                " AND term < :after ORDER BY term LIMIT :n",
                {"w": last, "after": after, "n": COMPLETIONS},
            )
        if completions:
            ored = "(" + " OR ".join(f'"{t}"' for t in completions) + ")"
        else:
            ored = f'"{found[-1]}"*'
        return older + self._sqlite_full(conn, entity, [*head, ored], seen + older, need, active)

    def _sqlite_full(
        self,
        conn: Connection,
        entity: str,
        terms: list[str],
        seen: list[int],
        need: int,
        active: bool,
    ) -> list[int]:
        """The full index's matches of all ``terms`` (FTS5 syntax) not in ``seen``, newest
        first, as many as ``need`` asks beyond ``seen``."""
        _, full = _SQLITE[entity]
        sql = (
            f"SELECT rowid AS c FROM {full} WHERE {full} MATCH :q"
            + (" AND rowid NOT IN (SELECT value FROM json_each(:seen))" if seen else "")
            + (_ACTIVE.format(rid=f"{full}.rowid") if active else "")
            + " ORDER BY rowid DESC LIMIT :n"
        )
        params = {"q": " AND ".join(terms), "n": need - len(seen), "seen": json.dumps(seen)}
        return self._column(conn, sql, params)

    def _pg_found(
        self, entity: str, query: str, need: int, offset: int, rows_sql: str
    ) -> tuple[str, dict[str, Any]]:
        """The statement and parameters for the rows of the page of matches (ranks
        ``offset`` < n <= ``need``) in order, in ONE statement: the window's ranked
        (``w``), then, only when it holds fewer than ``need``, the full index's others
        newest first (``o``; a one-time filter skips the scan otherwise), then the rows
        (``rows_sql``, its ``{page}``: the page's keys). Four to six round trips were
        one each.

        The limits are numbers in the text, not parameters: psycopg prepares a repeated
        statement, and PostgreSQL's generic plan for an unknown LIMIT joined the story
        window with ``stories`` by walking its primary key backwards (~6,000 rows per
        "trump court*"): 1.5 ms of database CPU per search instead of 0.7. The full
        index is read as the GIN bitmap of the matches, sorted ("+ 0": not in key order,
        else the planner may walk the primary key backwards testing every row's
        document, read from TOAST, until enough match: 13 s for a rare pair at 300,000
        articles). A query reads it when the window holds few of its matches, so the
        store holds few too, as a rule."""
        window, key, full, _ = _POSTGRESQL[entity]
        active = _PG_ACTIVE.format(rid=key) if entity == "stories" else ""
        tsq = "to_tsquery('storywire', :q)"
        older = (
            f"SELECT {key} AS k FROM {full} WHERE doc @@ to_tsquery('storywire', :{{q}})"
            f" AND {{short}} < {need} AND {key} <> ALL(ARRAY({{seen}})){active}"
            f" ORDER BY {key} + 0 DESC LIMIT {need}"
        )
        sql = (
            f"WITH w AS MATERIALIZED (SELECT k, row_number() OVER"
            f" (ORDER BY ts_rank(doc, {tsq}, 1) DESC, k DESC) AS n FROM"
            f" (SELECT {key} AS k, doc FROM {window} WHERE doc @@ {tsq}"
            f" ORDER BY {key} DESC LIMIT {int(max(RANKED, need))}) c ORDER BY n LIMIT {need}),"
            # The full index's others: the last word itself first (e), then, only when
            # still short, the words it begins (x). A complete common word ("house") as
            # a prefix made GIN gather every word it begins over the whole store.
            " e AS MATERIALIZED ("
            + older.format(q="e", short="(SELECT count(*) FROM w)", seen="SELECT k FROM w")
            + "), x AS MATERIALIZED ("
            + older.format(
                q="q",
                short="((SELECT count(*) FROM w) + (SELECT count(*) FROM e))",
                seen="SELECT k FROM w UNION ALL SELECT k FROM e",
            )
            + "),"
            f" o AS (SELECT k, (SELECT count(*) FROM w)"
            f" + row_number() OVER (ORDER BY x, k DESC) AS n FROM"
            f" (SELECT k, 0 AS x FROM e UNION ALL SELECT k, 1 FROM x) f),"
            f" page AS (SELECT k, n FROM w WHERE n > {offset}"
            f" UNION ALL SELECT k, n FROM o WHERE n > {offset} AND n <= {need})"
            f" SELECT r.*, p.n AS search_n FROM page p"
            f" JOIN ({rows_sql.format(page='(SELECT k FROM page)')}) r ON r.id = p.k"
            " ORDER BY p.n"
        )
        return sql, {"q": ts_query(query), "e": ts_query(query, prefix=False)}

    def _found(
        self, conn: Connection, query: str, pages: list[tuple[str, int, int, str]]
    ) -> list[list[dict[str, Any]]]:
        """Per page asked for (entity, limit, offset, ``rows_sql``: the rows' SELECT,
        ``{page}`` standing for the page's ids): its rows of matches of ``query``, best
        first. PostgreSQL: all pages in one round trip."""
        if not query_words(query):
            return [[] for _ in pages]
        if self.path is None:
            return self._pg_generic(
                conn,
                [
                    self._pg_found(entity, query, limit + offset, offset, rows_sql)
                    for entity, limit, offset, rows_sql in pages
                ],
            )
        return [self._sqlite_found(conn, query, *page) for page in pages]

    def _sqlite_found(
        self, conn: Connection, query: str, entity: str, limit: int, offset: int, rows_sql: str
    ) -> list[dict[str, Any]]:
        ids = self._search_ids(conn, entity, query, limit, offset)
        if not ids:
            return []
        got = self._records(
            conn,
            rows_sql.format(page="(SELECT value FROM json_each(:ids))"),
            {"ids": json.dumps(ids)},
        )
        found = {m["id"]: m for m in got}
        return [found[i] for i in ids if i in found]

    def search(
        self,
        query: str,
        *,
        stories: tuple[int, int] | None = None,
        articles: tuple[int, int] | None = None,
        with_text: bool = False,
    ) -> tuple[list[Listed] | None, list[StoredArticle] | None]:
        """The stories and articles matching ``query``, best first, each asked for as
        (limit, offset) or None (not searched, None returned). Written stories match by
        their current title, highlights or body; articles by title, author, summary or
        text start. ``with_text=False``: the articles' ``text`` left empty (results
        show the summary: reading 20 full texts was a fifth of a search request's CPU).
        """
        pages = []
        if stories is not None:
            pages.append(("stories", *stories, self._listed_sql() + " AND s.id IN {page}"))
        if articles is not None:
            select = (
                rows.ARTICLE_SELECT
                if with_text
                else rows.ARTICLE_SELECT.replace("a.text,", "'' AS text,")
            )
            pages.append(("articles", *articles, select + " WHERE a.id IN {page}"))
        with self._tx() as conn:
            got = iter(self._found(conn, query, pages))
        found_stories = found_articles = None
        if stories is not None:
            found_stories = [
                Listed(rows.story(m), m["title"], m["top_highlight"]) for m in next(got)
            ]
        if articles is not None:
            found_articles = [rows.article(m) for m in next(got)]
        return found_stories, found_articles

    def search_stories(self, query: str, *, limit: int = 20, offset: int = 0) -> list[Listed]:
        """Written stories whose current title, highlights or body match, best first."""
        found, _ = self.search(query, stories=(limit, offset))
        assert found is not None
        return found

    def search_articles(
        self, query: str, *, limit: int = 20, offset: int = 0, with_text: bool = True
    ) -> list[StoredArticle]:
        """Articles whose title, author, summary or text start match, best first (see
        ``search`` for ``with_text``)."""
        _, found = self.search(query, articles=(limit, offset), with_text=with_text)
        assert found is not None
        return found


def _dicts(cur: Any) -> list[dict[str, Any]]:
    """A driver cursor's rows as dicts by column name."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
