"""The queries of the agreement figures: which layers finished which articles, and their spans.

Rows come out ordered by article id so that ``core.stats.agreement`` can stream bodies and spans
side by side, one article at a time, instead of holding 10,000 articles' spans at once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence

from partybuild_tui.core.store.queries.scope import Filter, articles_scope_sql


def done_layers(conn: sqlite3.Connection, f: Filter) -> list[tuple[int, str]]:
    """(article id, layer) for every current filtered article a layer marked done."""
    scope, params = articles_scope_sql(conn, f)
    sql = (
        "SELECT st.article_id, st.annotator FROM articles a "
        f"JOIN article_status st ON st.article_id = a.id {scope} AND st.status = 'done' "
        "ORDER BY 1, 2"
    )
    return conn.execute(sql, params).fetchall()


def bodies(conn: sqlite3.Connection, ids: Sequence[int]) -> Iterator[tuple[int, int, str]]:
    """(id, body start, body text) of these articles, by id."""
    return conn.execute(
        "SELECT a.id, a.body_start, substr(a.text, a.body_start + 1, a.body_end - a.body_start) "
        "FROM articles a WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id",
        (json.dumps(list(ids)),),
    )


def done_spans(
    conn: sqlite3.Connection, ids: Sequence[int], label: str | None = None
) -> Iterator[tuple[int, str, int, int, str]]:
    """(article id, layer, start, end, label) of the spans of layers that finished these
    articles, by article, layer and start (``label``: only that label's)."""
    only = "AND s.label = ? " if label is not None else ""
    return conn.execute(
        'SELECT s.article_id, s.annotator, s.start, s."end", s.label FROM spans s '
        "JOIN article_status st ON st.article_id = s.article_id AND st.annotator = s.annotator "
        f"AND st.status = 'done' WHERE s.article_id IN (SELECT value FROM json_each(?)) {only}"
        "ORDER BY s.article_id, s.annotator, s.start",
        (json.dumps(list(ids)), *([label] if label is not None else [])),
    )
