"""Which rows the stats count: a stats filter as SQL, shared by every stats query.

Filters select articles (status, the article's own date, full-text search) and, separately,
spans/actions/decisions (annotator). The date range is the article's date rather than the
annotation time so that every section describes one set of articles. A status is the
annotator's own (their layer) when the filter names one, else the furthest any layer got
(``articles.status_sql``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from partybuild_tui.core.store.articles import fts_query, status_sql

WORKED = ("in_progress", "done")


class Filter(Protocol):
    """What the queries read of a ``core.stats.StatsFilter`` (the store knows no stats type)."""

    @property
    def status(self) -> tuple[str, ...]: ...

    @property
    def annotator(self) -> str | None: ...

    @property
    def since(self) -> str | None: ...

    @property
    def until(self) -> str | None: ...

    @property
    def search(self) -> str | None: ...


def articles_where(f: Filter, *, worked_only: bool = False) -> tuple[str, list[Any]]:
    """Conditions on ``articles a`` (always true-able: starts with the live-version test)."""
    clauses = ["a.superseded_by IS NULL"]
    params: list[Any] = []
    statuses = f.status or (WORKED if worked_only else ())
    if statuses:
        status, status_params = article_status(f)
        clauses.append(f"{status} IN ({', '.join('?' * len(statuses))})")
        params.extend([*status_params, *statuses])
    if f.since:
        clauses.append("substr(a.date, 1, 10) >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("substr(a.date, 1, 10) <= ?")
        params.append(f.until)
    match = fts_query(f.search or "")
    if match:
        # "+": probe the matches while scanning the small covering index instead of
        # reading each matching article's row (its long text's overflow pages)
        clauses.append("+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(match)
    return " AND ".join(clauses), params


def article_status(f: Filter) -> tuple[str, list[Any]]:
    """The status of ``articles a`` the filter means: the annotator's layer, or anyone's."""
    return status_sql(f.annotator)


def selects_articles(f: Filter) -> bool:
    return bool(f.status or f.since or f.until or fts_query(f.search or ""))


def scope_sql(
    conn: sqlite3.Connection,
    f: Filter,
    alias: str,
    *,
    annotator_column: str | None = "annotator",
) -> tuple[str, list[Any]]:
    """What follows ``FROM <table> <alias>`` to keep rows of the filtered articles only.

    Inside ``scoped`` the filter's article ids sit in a temporary table to join on (the
    planner then scans covering indexes and probes an integer key); elsewhere a subquery does.
    Unfiltered, only rows of superseded versions are left out, and only if there are any.
    """
    join = ""
    clauses: list[str] = ["1"]
    params: list[Any] = []
    if selects_articles(f) and _scope_table_holds(conn, f):
        join = f"JOIN temp.stats_scope c ON c.id = {alias}.article_id "
    elif selects_articles(f):
        where, where_params = articles_where(f)
        clauses.append(f"{alias}.article_id IN (SELECT a.id FROM articles a WHERE {where})")
        params.extend(where_params)
    elif _has_superseded(conn):
        clauses.append(
            f"{alias}.article_id NOT IN (SELECT id FROM articles WHERE superseded_by IS NOT NULL)"
        )
    if f.annotator and annotator_column:
        clauses.append(f"{alias}.{annotator_column} = ?")
        params.append(f.annotator)
    return f"{join}WHERE {' AND '.join(clauses)}", params


def articles_scope_sql(conn: sqlite3.Connection, f: Filter) -> tuple[str, list[Any]]:
    """What follows ``FROM articles a`` to keep the filtered articles (as ``scope_sql``)."""
    if selects_articles(f) and _scope_table_holds(conn, f):
        return "JOIN temp.stats_scope c ON c.id = a.id WHERE 1", []
    where, params = articles_where(f)
    return f"WHERE {where}", params


def _scope_key(f: Filter) -> str:
    return repr((f.status, f.annotator if f.status else None, f.since, f.until, f.search))


def _scope_table_holds(conn: sqlite3.Connection, f: Filter) -> bool:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'stats_scope_key'"
    ).fetchone()
    if exists is None:
        return False
    held = conn.execute("SELECT key FROM temp.stats_scope_key").fetchone()
    return held is not None and held[0] == _scope_key(f)


@contextmanager
def scoped(conn: sqlite3.Connection, f: Filter) -> Iterator[None]:
    """Hold the filtered article ids in ``temp.stats_scope`` while the figures are read."""
    if not selects_articles(f):
        yield
        return
    where, params = articles_where(f)
    conn.execute("DROP TABLE IF EXISTS temp.stats_scope")
    conn.execute("DROP TABLE IF EXISTS temp.stats_scope_key")
    conn.execute("CREATE TEMP TABLE stats_scope (id INTEGER PRIMARY KEY)")
    conn.execute(f"INSERT INTO temp.stats_scope SELECT a.id FROM articles a WHERE {where}", params)
    conn.execute("CREATE TEMP TABLE stats_scope_key (key TEXT)")
    conn.execute("INSERT INTO temp.stats_scope_key VALUES (?)", (_scope_key(f),))
    try:
        yield
    finally:
        conn.execute("DROP TABLE temp.stats_scope")
        conn.execute("DROP TABLE temp.stats_scope_key")


def _has_superseded(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM articles WHERE superseded_by IS NOT NULL LIMIT 1")
    return row.fetchone() is not None
