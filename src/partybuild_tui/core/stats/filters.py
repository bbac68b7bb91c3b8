"""Which articles and whose work the stats count, as SQL shared by every section.

Filters select articles (status, the article's own date, full-text search) and, separately,
spans/actions/decisions (annotator). The date range is the article's date rather than the
annotation time so that every section describes one set of articles.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from partybuild_tui.core.store import STATUSES, fts_query
from partybuild_tui.errors import UserError

WORKED = ("in_progress", "done")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsFilter:
    """Which articles (status, article date, search) and whose work (annotator) to count."""

    status: tuple[str, ...] = ()
    annotator: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None

    def __post_init__(self) -> None:
        for value in self.status:
            if value not in STATUSES:
                raise UserError(f"unknown status {value!r}; use one of {', '.join(STATUSES)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _valid_date(value):
                raise UserError(f"--{name} {value!r} is not a date; write it as YYYY-MM-DD")

    def articles_sql(self, *, worked_only: bool = False) -> tuple[str, list[Any]]:
        """Conditions on ``articles a`` (always true-able: starts with the live-version test)."""
        clauses = ["a.superseded_by IS NULL"]
        params: list[Any] = []
        statuses = self.status or (WORKED if worked_only else ())
        if statuses:
            clauses.append(f"a.status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if self.since:
            clauses.append("substr(a.date, 1, 10) >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("substr(a.date, 1, 10) <= ?")
            params.append(self.until)
        match = fts_query(self.search or "")
        if match:
            # "+": probe the matches while scanning the small covering index instead of
            # reading each matching article's row (its long text's overflow pages)
            clauses.append("+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(match)
        return " AND ".join(clauses), params

    @property
    def selects_articles(self) -> bool:
        return bool(self.status or self.since or self.until or fts_query(self.search or ""))


def _valid_date(value: str) -> bool:
    if not _DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def scope_sql(
    conn: sqlite3.Connection,
    f: StatsFilter,
    alias: str,
    *,
    annotator_column: str | None = "annotator",
) -> tuple[str, list[Any]]:
    """What follows ``FROM <table> <alias>`` to keep rows of the filtered articles only.

    Inside ``compute`` the filter's article ids sit in a temporary table to join on (the
    planner then scans covering indexes and probes an integer key); elsewhere a subquery does.
    Unfiltered, only rows of superseded versions are left out, and only if there are any.
    """
    join = ""
    clauses: list[str] = ["1"]
    params: list[Any] = []
    if f.selects_articles and _scope_table_holds(conn, f):
        join = f"JOIN temp.stats_scope c ON c.id = {alias}.article_id "
    elif f.selects_articles:
        where, where_params = f.articles_sql()
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


def articles_scope_sql(conn: sqlite3.Connection, f: StatsFilter) -> tuple[str, list[Any]]:
    """What follows ``FROM articles a`` to keep the filtered articles (as ``scope_sql``)."""
    if f.selects_articles and _scope_table_holds(conn, f):
        return "JOIN temp.stats_scope c ON c.id = a.id WHERE 1", []
    where, params = f.articles_sql()
    return f"WHERE {where}", params


def _scope_key(f: StatsFilter) -> str:
    return repr((f.status, f.since, f.until, f.search))


def _scope_table_holds(conn: sqlite3.Connection, f: StatsFilter) -> bool:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'stats_scope_key'"
    ).fetchone()
    if exists is None:
        return False
    held = conn.execute("SELECT key FROM temp.stats_scope_key").fetchone()
    return held is not None and held[0] == _scope_key(f)


@contextmanager
def scoped(conn: sqlite3.Connection, f: StatsFilter) -> Iterator[None]:
    """Hold the filtered article ids in ``temp.stats_scope`` while the figures are read."""
    if not f.selects_articles:
        yield
        return
    where, params = f.articles_sql()
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
