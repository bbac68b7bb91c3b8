"""The action history: every change is one recorded action, so it can be undone and redone.

An action stores the spans it added and removed (whole rows, uid included), the status it
changed and the suggestion decisions it made. Undo puts the old rows back under their old ids;
a new action discards the annotator's undone ones in that article (no redo after a new edit).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from partybuild_tui.core.store import articles, spans
from partybuild_tui.core.store.models import Action, NewSpan, Span, now

Decision = tuple[int, str, str]  # (suggestion id, old status, new status)


def apply(
    conn: sqlite3.Connection,
    article_id: int,
    annotator: str,
    kind: str,
    *,
    add: Iterable[NewSpan] = (),
    remove: Iterable[Span] = (),
    status: tuple[str, str] | None = None,
    suggestions: Iterable[Decision] = (),
    text: str | None = None,
) -> Action:
    """Apply one change and record it (the caller holds the write transaction).

    The first change in an untouched article also makes it in progress (opening it does
    not), as part of the same action: undoing it makes the article new again.
    """
    if text is None:
        text = articles.get(conn, article_id).text
    # the shared column moves only when nobody had started the article (as before layers)
    shared = status is not None or articles.get(conn, article_id).status == "new"
    if status is None and articles.status_of(conn, article_id, annotator) == "new":
        status = ("new", "in_progress")
    removed = tuple(remove)
    for span in removed:
        spans.delete(conn, span)
    stamp = now()
    added = tuple(spans.insert(conn, article_id, annotator, new, text, stamp) for new in add)
    if status is not None:
        articles.write_status(conn, article_id, annotator, status[1], shared=shared)
    decided = tuple(suggestions)
    for sid, _old, new_status in decided:
        write_decision(conn, sid, new_status, annotator, stamp)
    payload = {
        "added": [asdict(s) for s in added],
        "removed": [asdict(s) for s in removed],
        "status": list(status) if status else None,
        "suggestions": [list(d) for d in decided],
    }
    conn.execute(
        "UPDATE actions SET state = 'discarded', changed_at = ? "
        "WHERE article_id = ? AND annotator = ? AND state = 'undone'",
        (stamp, article_id, annotator),
    )
    cursor = conn.execute(
        "INSERT INTO actions (article_id, annotator, kind, payload, state, created_at, "
        "changed_at) VALUES (?, ?, ?, ?, 'done', ?, ?)",
        (article_id, annotator, kind, json.dumps(payload, ensure_ascii=False), stamp, stamp),
    )
    return Action(int(cursor.lastrowid or 0), article_id, kind, added, removed, status)


def write_decision(
    conn: sqlite3.Connection, sid: int, status: str, annotator: str, stamp: str
) -> None:
    """Set a suggestion's status; a pending one has no decider."""
    decided = status != "pending"
    conn.execute(
        "UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
        (status, annotator if decided else None, stamp if decided else None, sid),
    )


_LATEST_DONE = (
    "SELECT id, kind, payload FROM actions WHERE article_id = ? AND annotator = ? "
    "AND state = 'done' ORDER BY id DESC LIMIT 1"
)
_LATEST_UNDONE = (
    "SELECT id, kind, payload FROM actions WHERE article_id = ? AND annotator = ? "
    "AND state = 'undone' ORDER BY changed_at DESC, id ASC LIMIT 1"
)


def step(
    conn: sqlite3.Connection, article_id: int, annotator: str, *, forward: bool
) -> Action | None:
    """Undo (or, ``forward``, redo) the annotator's latest action in the article."""
    row = conn.execute(_LATEST_UNDONE if forward else _LATEST_DONE, (article_id, annotator))
    found = row.fetchone()
    if found is None:
        return None
    action_id, kind, raw = found
    payload = json.loads(raw)
    added = tuple(Span(**s) for s in payload["added"])
    removed = tuple(Span(**s) for s in payload["removed"])
    status: tuple[str, str] | None = tuple(payload["status"]) if payload["status"] else None  # type: ignore[assignment]
    gone, back = (removed, added) if forward else (added, removed)
    for span in gone:
        spans.delete(conn, span)
    for span in back:
        spans.restore(conn, span)
    if status:
        articles.write_status(conn, article_id, annotator, status[1] if forward else status[0])
    stamp = now()
    for sid, old, new in payload["suggestions"]:
        write_decision(conn, sid, new if forward else old, annotator, stamp)
    conn.execute(
        "UPDATE actions SET state = ?, changed_at = ? WHERE id = ?",
        ("done" if forward else "undone", stamp, action_id),
    )
    if forward:
        return Action(action_id, article_id, kind, added, removed, status)
    flipped = (status[1], status[0]) if status else None
    return Action(action_id, article_id, f"undo {kind}", removed, added, flipped)


def of_article(
    conn: sqlite3.Connection, article_id: int, annotator: str | None = None
) -> list[dict[str, Any]]:
    """The recorded actions of an article, oldest first, for audits."""
    sql = "SELECT id, annotator, kind, payload, state, created_at FROM actions WHERE article_id = ?"
    params: list[Any] = [article_id]
    if annotator:
        sql += " AND annotator = ?"
        params.append(annotator)
    rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    return [
        {
            "id": r[0],
            "annotator": r[1],
            "kind": r[2],
            "payload": json.loads(r[3]),
            "state": r[4],
            "created_at": r[5],
        }
        for r in rows
    ]
