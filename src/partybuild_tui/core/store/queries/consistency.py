"""The queries of the consistency checks: where conflicting forms are, where forms may be.

The "untagged elsewhere" check looks a form up with FTS5 (every syllable, either tone style)
in at most a bounded number of worked articles, then reads those articles' text and spans
for ``core.stats.consistency`` to verify occurrences in Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from partybuild_tui.core.store.queries.scope import Filter, articles_where, scope_sql
from partybuild_tui.core.text import syllables, tone_variants

_CHUNK = 500  # ids per IN (...) list, well below SQLite's bound on parameters


def span_locations(
    conn: sqlite3.Connection,
    f: Filter,
    labels: Sequence[str],
    texts: Sequence[str],
    per_label: int,
) -> list[tuple[str, str, int, int, int]]:
    """(text, label, article id, start, end) of the first ``per_label`` spans (by article and
    offset) of each of these exact texts with each of these labels.
    """
    scope, params = scope_sql(conn, f, "s")
    return conn.execute(
        'SELECT text, label, article_id, start, "end" FROM ('
        'SELECT s.text, s.label, s.article_id, s.start, s."end", row_number() OVER ('
        "PARTITION BY s.text, s.label ORDER BY s.article_id, s.start) AS rn FROM spans s "
        f"{scope} AND s.label IN ({', '.join('?' * len(labels))}) "
        f"AND s.text IN ({', '.join('?' * len(texts))})) WHERE rn <= ?",
        [*params, *labels, *texts, per_label],
    ).fetchall()


def fts_any_tone(form: str) -> str:
    """An FTS5 query matching articles that hold every syllable of ``form`` in any tone style."""
    terms = []
    for piece in syllables(form):
        variants = sorted(tone_variants(piece) | {piece})
        terms.append("(" + " OR ".join(f'"{v}"' for v in variants) + ")")
    return " AND ".join(terms)


def candidate_articles(conn: sqlite3.Connection, f: Filter, form: str, limit: int) -> list[int]:
    """Ids of worked filtered articles (in id order) that may hold ``form``: up to ``limit``
    + 1, so the caller knows when there were more; none for a form without syllables.
    """
    match = fts_any_tone(form)
    if not match:
        return []
    where, params = articles_where(f, worked_only=True)
    rows = conn.execute(
        f"SELECT a.id FROM articles a WHERE {where} AND a.id IN "
        "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) ORDER BY a.id LIMIT ?",
        [*params, match, limit + 1],
    )
    return [row[0] for row in rows]


def bodies(conn: sqlite3.Connection, ids: Sequence[int]) -> Iterator[tuple[int, str, int, int]]:
    """(id, text, body start, body end) of these articles."""
    for chunk in range(0, len(ids), _CHUNK):
        part = ids[chunk : chunk + _CHUNK]
        yield from conn.execute(
            "SELECT id, text, body_start, body_end FROM articles "
            f"WHERE id IN ({', '.join('?' * len(part))})",
            part,
        )


def span_ranges(
    conn: sqlite3.Connection, ids: Sequence[int], annotator: str | None
) -> Iterator[tuple[int, int, int]]:
    """(article id, start, end) of the spans of these articles (of one annotator, if given)."""
    who = "AND annotator = ?" if annotator else ""
    for chunk in range(0, len(ids), _CHUNK):
        part = ids[chunk : chunk + _CHUNK]
        yield from conn.execute(
            f'SELECT article_id, start, "end" FROM spans '
            f"WHERE article_id IN ({', '.join('?' * len(part))}) {who}",
            [*part, *([annotator] if annotator else [])],
        )
