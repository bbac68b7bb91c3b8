"""Suggestion rows: each source's proposals per article, the record of its runs, decisions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Protocol

from partybuild_tui.core.store.models import Suggestion, now
from partybuild_tui.errors import UserError

COLUMNS = 'id, article_id, source, source_version, start, "end", label, text, score, status'


class Proposed(Protocol):
    """What a source proposed, as the store needs it: range, label, score."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def score(self) -> float: ...


RunRecord = tuple[str, str]  # (source version, content hash)


def runs_of_article(conn: sqlite3.Connection, article_id: int) -> dict[str, RunRecord]:
    """source name -> (version, content hash) of its last run on the article."""
    rows = conn.execute(
        "SELECT source, source_version, content_hash FROM suggestion_runs WHERE article_id = ?",
        (article_id,),
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def all_runs(conn: sqlite3.Connection) -> dict[tuple[int, str], RunRecord]:
    """(article id, source) -> (version, content hash) for every recorded run."""
    rows = conn.execute(
        "SELECT article_id, source, source_version, content_hash FROM suggestion_runs"
    )
    return {(row[0], row[1]): (row[2], row[3]) for row in rows}


def save_run(
    conn: sqlite3.Connection,
    article_id: int,
    text: str,
    content_hash: str,
    source: str,
    version: str,
    proposals: Sequence[Proposed],
    uncertainty: float | None = None,
) -> None:
    """Store one source's run on one article: new proposals in, stale pending ones out.

    Decided suggestions stay whatever the run says: a rejection is never forgotten.
    """
    stamp = now()
    wanted = {(p.start, p.end, p.label): p for p in proposals}
    rows = conn.execute(
        'SELECT id, start, "end", label, status FROM suggestions '
        "WHERE article_id = ? AND source = ?",
        (article_id, source),
    ).fetchall()
    for sid, start, end, label, status in rows:
        found = wanted.pop((start, end, label), None)
        if status != "pending":
            continue
        if found is None:
            conn.execute("DELETE FROM suggestions WHERE id = ?", (sid,))
        else:
            conn.execute(
                "UPDATE suggestions SET source_version = ?, score = ? WHERE id = ?",
                (version, found.score, sid),
            )
    conn.executemany(
        'INSERT INTO suggestions (article_id, source, source_version, start, "end", '
        "label, text, score, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
        [
            (
                article_id,
                source,
                version,
                p.start,
                p.end,
                p.label,
                text[p.start : p.end],
                p.score,
                stamp,
            )
            for p in wanted.values()
        ],
    )
    conn.execute(
        "INSERT OR REPLACE INTO suggestion_runs (article_id, source, source_version, "
        "content_hash, computed_at, uncertainty) VALUES (?, ?, ?, ?, ?, ?)",
        (article_id, source, version, content_hash, stamp, uncertainty),
    )


def get(conn: sqlite3.Connection, suggestion_id: int) -> Suggestion:
    row = conn.execute(f"SELECT {COLUMNS} FROM suggestions WHERE id = ?", (suggestion_id,))
    found = row.fetchone()
    if found is None:
        raise UserError(f"no suggestion with id {suggestion_id}")
    return Suggestion(*found)


def of_article(
    conn: sqlite3.Connection, article_id: int, status: str | None = None, source: str | None = None
) -> list[Suggestion]:
    """Stored suggestions of an article (any status unless given), in text order."""
    sql = f"SELECT {COLUMNS} FROM suggestions WHERE article_id = ?"
    params: list[object] = [article_id]
    if status:
        sql += " AND status = ?"
        params.append(status)
    if source:
        sql += " AND source = ?"
        params.append(source)
    rows = conn.execute(sql + ' ORDER BY start, "end", id', params).fetchall()
    return [Suggestion(*row) for row in rows]


def same_pending(conn: sqlite3.Connection, item: Suggestion) -> list[int]:
    """Ids of the pending suggestions (any source) with this range and label."""
    rows = conn.execute(
        'SELECT id FROM suggestions WHERE article_id = ? AND start = ? AND "end" = ? '
        "AND label = ? AND status = 'pending' ORDER BY id",
        (item.article_id, item.start, item.end, item.label),
    )
    return [row[0] for row in rows]


def pending_at(
    conn: sqlite3.Connection, article_id: int, places: Iterable[tuple[int, int, str]]
) -> list[int]:
    """Ids of the article's pending suggestions at these (start, end, label) places."""
    wanted = set(places)
    rows = conn.execute(
        'SELECT id, start, "end", label FROM suggestions WHERE article_id = ? AND '
        "status = 'pending'",
        (article_id,),
    )
    return [row[0] for row in rows if (row[1], row[2], row[3]) in wanted]


def count(conn: sqlite3.Connection, status: str | None = None) -> int:
    if status is None:
        return int(conn.execute("SELECT count(*) FROM suggestions").fetchone()[0])
    sql = "SELECT count(*) FROM suggestions WHERE status = ?"
    return int(conn.execute(sql, (status,)).fetchone()[0])


def decision_counts(
    conn: sqlite3.Connection, annotator: str | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, label) -> (accepted, rejected) over the decisions of ``annotator`` (or all)."""
    sql = (
        "SELECT source, label, status, count(*) FROM suggestions "
        "WHERE status IN ('accepted', 'rejected')"
    )
    params: list[object] = []
    if annotator is not None:
        sql += " AND decided_by = ?"
        params.append(annotator)
    out: dict[tuple[str, str], list[int]] = {}
    for source, label, status, n in conn.execute(sql + " GROUP BY 1, 2, 3", params):
        out.setdefault((source, label), [0, 0])[0 if status == "accepted" else 1] += int(n)
    return {key: (a, r) for key, (a, r) in out.items()}


def uncertainty(conn: sqlite3.Connection, article_id: int, source: str) -> float | None:
    """How unsure ``source`` (a model) was of the article at its last run, if it ran."""
    row = conn.execute(
        "SELECT uncertainty FROM suggestion_runs WHERE article_id = ? AND source = ?",
        (article_id, source),
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def state(conn: sqlite3.Connection, article_id: int) -> tuple[int, ...]:
    """A cheap fingerprint of an article's suggestions (read from their index): it changes
    when a run stores new ones or a decision changes one, so a view re-reads them only then."""
    row = conn.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(status = 'pending'), 0), "
        "coalesce(sum(status = 'rejected'), 0) FROM suggestions WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    return tuple(int(v) for v in row)
