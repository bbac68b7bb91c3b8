"""Span rows: reading an annotator's layer, inserting, restoring (undo) and deleting by uid."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from partybuild_tui.core.store.models import NewSpan, Place, Span, now
from partybuild_tui.errors import UserError

COLUMNS = 'id, uid, article_id, start, "end", label, text, origin, annotator'
_INSERT = (
    'INSERT INTO spans (id, uid, article_id, start, "end", label, text, origin, annotator, '
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def of_article(
    conn: sqlite3.Connection,
    article_id: int,
    annotator: str | None = None,
    within: tuple[int, int] | None = None,
    longest: int | None = None,
) -> list[Span]:
    """The article's spans in text order; only ``annotator``'s when given, only those
    overlapping ``within`` (a range of the text) when given (``longest``: none is longer,
    see ``overlapping_sql``)."""
    sql = f"SELECT {COLUMNS} FROM spans WHERE article_id = ?"
    params: list[Any] = [article_id]
    if annotator is not None:
        sql += " AND annotator = ?"
        params.append(annotator)
    near, near_params = overlapping_sql(within, longest)
    sql += near
    params.extend(near_params)
    rows = conn.execute(sql + " ORDER BY start, id", params).fetchall()
    return [Span(*row) for row in rows]


def places_of(conn: sqlite3.Connection, article_id: int) -> list[Place]:
    rows = conn.execute(
        'SELECT start, "end" FROM spans WHERE article_id = ? ORDER BY start, id', (article_id,)
    )
    return [Place(start, end) for start, end in rows]


def overlapping_sql(
    within: tuple[int, int] | None, longest: int | None = None
) -> tuple[str, list[object]]:
    """The condition of rows overlapping ``within``. With ``longest`` (no row is longer) the
    start is bounded on both sides, so an index on (article, start) reads only the rows
    near it: without, every row starting before it (a quarter of a millisecond each
    query in an article of thousands, hundreds of queries to patch after a tag)."""
    if within is None:
        return "", []
    if longest is None:
        return ' AND start < ? AND "end" > ?', [within[1], within[0]]
    return ' AND start < ? AND start >= ? AND "end" > ?', [
        within[1],
        within[0] - longest,
        within[0],
    ]


def longest(conn: sqlite3.Connection, article_id: int, annotator: str | None = None) -> int:
    sql = 'SELECT coalesce(max("end" - start), 0) FROM spans WHERE article_id = ?'
    params: list[Any] = [article_id]
    if annotator is not None:
        sql += " AND annotator = ?"
        params.append(annotator)
    return int(conn.execute(sql, params).fetchone()[0])


def get(conn: sqlite3.Connection, span_id: int) -> Span:
    found = conn.execute(f"SELECT {COLUMNS} FROM spans WHERE id = ?", (span_id,)).fetchone()
    if found is None:
        raise UserError(f"no span with id {span_id}")
    return Span(*found)


def insert(
    conn: sqlite3.Connection, article_id: int, annotator: str, new: NewSpan, text: str, stamp: str
) -> Span:
    """A new span with a fresh uid; ``text`` is the article's text (the span keeps its slice)."""
    span_text = text[new.start : new.end]
    uid = uuid.uuid4().hex
    values = (uid, article_id, new.start, new.end, new.label, span_text, new.origin, annotator)
    cursor = conn.execute(_INSERT, (None, *values, stamp, stamp))
    return Span(int(cursor.lastrowid or 0), *values)


def restore(conn: sqlite3.Connection, span: Span) -> None:
    """Put back a span an undo or redo brings back, under its old id and uid."""
    stamp = now()
    conn.execute(
        _INSERT,
        (
            span.id,
            span.uid,
            span.article_id,
            span.start,
            span.end,
            span.label,
            span.text,
            span.origin,
            span.annotator,
            stamp,
            stamp,
        ),
    )


def delete(conn: sqlite3.Connection, span: Span) -> None:
    conn.execute("DELETE FROM spans WHERE uid = ?", (span.uid,))


def labels_in_use(conn: sqlite3.Connection) -> list[str]:
    """Every label some span carries, sorted."""
    return [row[0] for row in conn.execute("SELECT DISTINCT label FROM spans ORDER BY 1")]


def fingerprint(conn: sqlite3.Connection, article_id: int, annotator: str) -> tuple[int, int, int]:
    """(count, largest id, sum of ids) of a layer's spans in an article, from the index: every
    change inserts or deletes rows (ids only grow), so a changed set shows here."""
    row = conn.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(id), 0) FROM spans "
        "WHERE article_id = ? AND annotator = ?",
        (article_id, annotator),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def article_ids_with_spans(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT DISTINCT article_id FROM spans ORDER BY 1")]
