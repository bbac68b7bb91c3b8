"""Suggestion rows: each source's proposals per article, the record of its runs, decisions.

Decisions belong to a layer (an annotator or a review layer): ``suggestion_decisions`` holds
one row per (suggestion, layer) that accepted or rejected it, and a suggestion is pending in
every layer without a row. Reads take the layer (``annotator``); a suggestion's ``status``
is then that layer's decision. Without a layer, "decided by anyone": the latest decision any
layer made (pending only while no layer decided it), for overviews such as the CLI summary.

A suggestion a source's re-run no longer proposes is deleted unless some layer decided it;
then it stays (``withdrawn_at`` set) for that decision, and layers that did not decide it no
longer see it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Protocol

from partybuild_tui.core.store.models import Suggestion, now
from partybuild_tui.core.store.spans import overlapping_sql
from partybuild_tui.errors import UserError

_PLAIN = 'id, article_id, source, source_version, start, "end", label, text, score'
_MINE = "d.suggestion_id = suggestions.id AND d.annotator = ?"
_ANYONE = "d.suggestion_id = suggestions.id"


def _layer(annotator: str | None) -> tuple[str, list[object]]:
    """The condition on ``suggestion_decisions d`` picking the layer's decisions (or all)."""
    return (_ANYONE, []) if annotator is None else (_MINE, [annotator])


def _status_sql(annotator: str | None) -> tuple[str, list[object]]:
    """A ``suggestions`` row's status in the layer (None: the latest decision of anyone)."""
    cond, params = _layer(annotator)
    return (
        "coalesce((SELECT d.status FROM suggestion_decisions d WHERE "
        f"{cond} ORDER BY d.decided_at DESC, d.status DESC LIMIT 1), 'pending')",
        params,
    )


def _visible_sql(annotator: str | None) -> tuple[str, list[object]]:
    """Whether the layer sees the row: still proposed, or decided in the layer (None: by
    anyone)."""
    cond, params = _layer(annotator)
    return (
        f"(withdrawn_at IS NULL OR EXISTS (SELECT 1 FROM suggestion_decisions d WHERE {cond}))",
        params,
    )


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
) -> list[tuple[int, int]]:
    """Store one source's run on one article: new proposals in, stale pending ones out; the
    text ranges of the rows it added, removed, withdrew, brought back or re-scored (where
    what a view shows can change).

    A suggestion some layer decided stays whatever the run says (a rejection is never
    forgotten); no longer proposed, it is withdrawn: only the layers that decided it see it.
    """
    stamp = now()
    wanted = {(p.start, p.end, p.label): p for p in proposals}
    rows = conn.execute(
        'SELECT id, start, "end", label, withdrawn_at, score, EXISTS (SELECT 1 FROM '
        "suggestion_decisions d WHERE d.suggestion_id = suggestions.id) FROM suggestions "
        "WHERE article_id = ? AND source = ?",
        (article_id, source),
    ).fetchall()
    changed: list[tuple[int, int]] = []
    for sid, start, end, label, withdrawn, score, decided in rows:
        found = wanted.pop((start, end, label), None)
        if found is not None:
            conn.execute(
                "UPDATE suggestions SET source_version = ?, score = ?, withdrawn_at = NULL "
                "WHERE id = ?",
                (version, found.score, sid),
            )
            if withdrawn is not None or score != found.score:
                changed.append((start, end))
        elif not decided:
            conn.execute("DELETE FROM suggestions WHERE id = ?", (sid,))
            changed.append((start, end))
        elif withdrawn is None:
            conn.execute("UPDATE suggestions SET withdrawn_at = ? WHERE id = ?", (stamp, sid))
            changed.append((start, end))
    changed.extend((p.start, p.end) for p in wanted.values())
    conn.executemany(
        'INSERT INTO suggestions (article_id, source, source_version, start, "end", '
        "label, text, score, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    return changed


def _select(annotator: str | None) -> tuple[str, list[object]]:
    status, params = _status_sql(annotator)
    return f"SELECT {_PLAIN}, {status} AS status FROM suggestions", params


def get(conn: sqlite3.Connection, suggestion_id: int, annotator: str | None = None) -> Suggestion:
    """One suggestion, its status in ``annotator``'s layer (None: decided by anyone)."""
    sql, params = _select(annotator)
    found = conn.execute(sql + " WHERE id = ?", [*params, suggestion_id]).fetchone()
    if found is None:
        raise UserError(f"no suggestion with id {suggestion_id}")
    return Suggestion(*found)


def of_article(
    conn: sqlite3.Connection,
    article_id: int,
    status: str | None = None,
    source: str | None = None,
    annotator: str | None = None,
    within: tuple[int, int] | None = None,
    longest: int | None = None,
) -> list[Suggestion]:
    """The suggestions of an article the layer sees (any status unless given), in text
    order, each with its status in ``annotator``'s layer (None: decided by anyone);
    ``within``: only those overlapping that range of the text (``longest``: none is
    longer, see ``spans.overlapping_sql``)."""
    sql, params = _select(annotator)
    visible, visible_params = _visible_sql(annotator)
    near, near_params = overlapping_sql(within, longest)
    sql = f"SELECT * FROM ({sql} WHERE article_id = ?{near} AND {visible})"
    params = [*params, article_id, *near_params, *visible_params]
    if status:
        sql += " WHERE status = ?" if not source else " WHERE status = ? AND source = ?"
        params.extend([status, source] if source else [status])
    elif source:
        sql += " WHERE source = ?"
        params.append(source)
    rows = conn.execute(sql + ' ORDER BY start, "end", id', params).fetchall()
    return [Suggestion(*row) for row in rows]


def longest(conn: sqlite3.Connection, article_id: int) -> int:
    row = conn.execute(
        'SELECT coalesce(max("end" - start), 0) FROM suggestions WHERE article_id = ?',
        (article_id,),
    ).fetchone()
    return int(row[0])


def ranges_of(conn: sqlite3.Connection, ids: Iterable[int]) -> list[tuple[int, int]]:
    """The text ranges of these suggestions (those that still exist)."""
    wanted = list(dict.fromkeys(ids))
    found: list[tuple[int, int]] = []
    for at in range(0, len(wanted), 500):
        chunk = wanted[at : at + 500]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(f'SELECT start, "end" FROM suggestions WHERE id IN ({marks})', chunk)
        found.extend((int(a), int(b)) for a, b in rows)
    return found


def _pending_sql(annotator: str) -> str:
    """Rows pending in the layer: proposed still, and no decision of the layer."""
    return (
        f"withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM suggestion_decisions d WHERE {_MINE})"
    )


def same_pending(conn: sqlite3.Connection, item: Suggestion, annotator: str) -> list[int]:
    """Ids of the suggestions (any source) with this range and label pending in the layer."""
    rows = conn.execute(
        'SELECT id FROM suggestions WHERE article_id = ? AND start = ? AND "end" = ? '
        f"AND label = ? AND {_pending_sql(annotator)} ORDER BY id",
        (item.article_id, item.start, item.end, item.label, annotator),
    )
    return [row[0] for row in rows]


def pending_at(
    conn: sqlite3.Connection,
    article_id: int,
    places: Iterable[tuple[int, int, str]],
    annotator: str,
) -> list[int]:
    """Ids of the article's suggestions pending in the layer at these (start, end, label)."""
    wanted = set(places)
    rows = conn.execute(
        'SELECT id, start, "end", label FROM suggestions WHERE article_id = ? AND '
        f"{_pending_sql(annotator)}",
        (article_id, annotator),
    )
    return [row[0] for row in rows if (row[1], row[2], row[3]) in wanted]


def count(conn: sqlite3.Connection, status: str | None = None, annotator: str | None = None) -> int:
    """Stored suggestions (every row, withdrawn ones too, when ``status`` is None), or those
    the layer sees with that status. Without a layer, "decided by anyone": pending is what no
    layer decided, accepted / rejected the latest decision anyone made."""
    if status is None:
        return int(conn.execute("SELECT count(*) FROM suggestions").fetchone()[0])
    sql, params = _select(annotator)
    visible, visible_params = _visible_sql(annotator)
    found = conn.execute(
        f"SELECT count(*) FROM ({sql} WHERE {visible}) WHERE status = ?",
        [*params, *visible_params, status],
    )
    return int(found.fetchone()[0])


def decision_counts(
    conn: sqlite3.Connection, annotator: str | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, label) -> (accepted, rejected) over the decisions of ``annotator``'s layer
    (None: every layer's, each layer's decision of one suggestion counted)."""
    sql = (
        "SELECT g.source, g.label, d.status, count(*) FROM suggestion_decisions d "
        "JOIN suggestions g ON g.id = d.suggestion_id"
    )
    params: list[object] = []
    if annotator is not None:
        sql += " WHERE d.annotator = ?"
        params.append(annotator)
    out: dict[tuple[str, str], list[int]] = {}
    for source, label, status, n in conn.execute(sql + " GROUP BY 1, 2, 3", params):
        out.setdefault((source, label), [0, 0])[0 if status == "accepted" else 1] += int(n)
    return {key: (a, r) for key, (a, r) in out.items()}


def decision_of(conn: sqlite3.Connection, suggestion_id: int, annotator: str) -> str | None:
    """The layer's decision of one suggestion: 'accepted', 'rejected', 'pending' (no row), or
    None when the suggestion no longer exists."""
    row = conn.execute(
        "SELECT (SELECT d.status FROM suggestion_decisions d WHERE d.suggestion_id = s.id "
        "AND d.annotator = ?) FROM suggestions s WHERE s.id = ?",
        (annotator, suggestion_id),
    ).fetchone()
    if row is None:
        return None
    return str(row[0] or "pending")


def write_decision(
    conn: sqlite3.Connection, suggestion_id: int, status: str, annotator: str, stamp: str
) -> None:
    """Set the layer's decision of a suggestion ('pending': none); nothing if it is gone."""
    if status == "pending":
        conn.execute(
            "DELETE FROM suggestion_decisions WHERE suggestion_id = ? AND annotator = ?",
            (suggestion_id, annotator),
        )
        return
    conn.execute(
        "INSERT INTO suggestion_decisions (suggestion_id, annotator, status, decided_at) "
        "SELECT id, ?, ?, ? FROM suggestions WHERE id = ? ON CONFLICT (suggestion_id, "
        "annotator) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at",
        (annotator, status, stamp, suggestion_id),
    )


def uncertainty(conn: sqlite3.Connection, article_id: int, source: str) -> float | None:
    """How unsure ``source`` (a model) was of the article at its last run, if it ran."""
    row = conn.execute(
        "SELECT uncertainty FROM suggestion_runs WHERE article_id = ? AND source = ?",
        (article_id, source),
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def state(
    conn: sqlite3.Connection, article_id: int, annotator: str | None = None
) -> tuple[int | str, ...]:
    """A cheap fingerprint of an article's suggestions (read from indexes): it changes when a
    run stores, withdraws or removes some or a decision of the layer (None: of any layer)
    changes, so a view re-reads them only then."""
    rows = conn.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(id), 0), count(withdrawn_at) "
        "FROM suggestions WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    mine = "" if annotator is None else " AND d.annotator = ?"
    decided = conn.execute(
        "SELECT count(*), coalesce(sum(d.suggestion_id * (1 + (d.status = 'rejected'))), 0), "
        "coalesce(max(d.decided_at), '') FROM suggestions g JOIN suggestion_decisions d "
        f"ON d.suggestion_id = g.id WHERE g.article_id = ?{mine}",
        (article_id,) if annotator is None else (article_id, annotator),
    ).fetchone()
    return (*(int(v) for v in rows), int(decided[0]), int(decided[1]), str(decided[2]))
