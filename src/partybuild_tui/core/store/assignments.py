"""Assignments: which annotator is to annotate which article (``partybuild assign``).

An annotator with any assignment sees their assigned articles in the app's list and "next to
do" (the list can still show everyone's); an article assigned to two annotators is one their
agreement is measured on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from partybuild_tui.core.store.models import now


def save(
    conn: sqlite3.Connection,
    pairs: Iterable[tuple[int, str]],
    *,
    replace_for: Sequence[int] = (),
) -> int:
    """Store (article id, annotator) pairs (the caller holds the write transaction); the
    assignments of ``replace_for`` articles are dropped first. Returns the pairs now new."""
    if replace_for:
        conn.execute(
            "DELETE FROM assignments WHERE article_id IN (SELECT value FROM json_each(?))",
            (f"[{', '.join(str(int(i)) for i in replace_for)}]",),
        )
    stamp = now()
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO assignments (article_id, annotator, assigned_at) VALUES (?, ?, ?)",
        [(article_id, annotator, stamp) for article_id, annotator in pairs],
    )
    return conn.total_changes - before


def of_articles(conn: sqlite3.Connection, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """Who each of these articles is assigned to (articles assigned to nobody are absent)."""
    out: dict[int, list[str]] = {}
    rows = conn.execute(
        "SELECT article_id, annotator FROM assignments WHERE article_id IN "
        "(SELECT value FROM json_each(?)) ORDER BY article_id, annotator",
        (f"[{', '.join(str(int(i)) for i in article_ids)}]",),
    )
    for article_id, annotator in rows:
        out.setdefault(int(article_id), []).append(str(annotator))
    return out


def has_any(conn: sqlite3.Connection, annotator: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM assignments WHERE annotator = ? LIMIT 1", (annotator,)
    ).fetchone()
    return row is not None


def summary(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """Per annotator over current articles: (name, articles assigned, of them shared with
    another annotator)."""
    rows = conn.execute(
        "WITH current AS (SELECT g.article_id, g.annotator FROM assignments g JOIN articles a "
        "ON a.id = g.article_id WHERE a.superseded_by IS NULL), "
        "shared AS (SELECT article_id FROM current GROUP BY article_id HAVING count(*) > 1) "
        "SELECT c.annotator, count(*), count(s.article_id) FROM current c "
        "LEFT JOIN shared s ON s.article_id = c.article_id GROUP BY 1 ORDER BY 1"
    )
    return [(str(name), int(n), int(shared)) for name, n, shared in rows]
