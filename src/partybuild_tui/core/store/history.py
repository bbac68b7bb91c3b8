"""The action history: every change is one recorded action, so it can be undone and redone.

An action stores the spans it added and removed (whole rows, uid included), the status it
changed and the suggestion decisions it made. Undo puts the old rows back under their old ids;
a new action discards the annotator's undone ones in that article (no redo after a new edit).

Each action records the ``session`` (one app instance, one ``Store``) that made it. Undo takes
the annotator's latest action in the article made in this session, else (saying so) their
latest from another window; redo takes the one undone last (``undone_seq``, a sequence, not a
clock). Before either, the change is checked to still apply to what is on disk now: another
window may have changed those spans since, and then nothing changes.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from partybuild_tui.core.store import articles, spans
from partybuild_tui.core.store import suggestions as suggestion_rows
from partybuild_tui.core.store.models import Action, NewSpan, Span, now
from partybuild_tui.errors import UserError

Decision = tuple[int, str, str]  # (suggestion id, old status, new status) in the layer


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
    session: str | None = None,
    decided: Iterable[tuple[int, int]] = (),
) -> Action:
    """Apply one change and record it (the caller holds the write transaction).

    ``decided``: the places (text ranges) a review decision settled, kept in the payload so
    the decision is live exactly while the action is (undo opens the place again).

    The first change in an untouched article also makes it in progress (opening it does
    not), as part of the same action: undoing it makes the article new again.
    """
    if text is None:
        text = articles.get(conn, article_id).text
    if status is None and articles.status_of(conn, article_id, annotator) == "new":
        status = ("new", "in_progress")
    removed = tuple(remove)
    for span in removed:
        spans.delete(conn, span)
    stamp = now()
    added = tuple(spans.insert(conn, article_id, annotator, new, text, stamp) for new in add)
    if status is not None:
        articles.write_status(conn, article_id, annotator, status[1])
    verdicts = tuple(suggestions)
    for sid, _old, new_status in verdicts:
        write_decision(conn, sid, new_status, annotator, stamp)
    payload: dict[str, Any] = {
        "added": [asdict(s) for s in added],
        "removed": [asdict(s) for s in removed],
        "status": list(status) if status else None,
        "suggestions": [list(d) for d in verdicts],
    }
    places = [list(r) for r in decided]
    if places:
        payload["decided"] = places
    conn.execute(
        "UPDATE actions SET state = 'discarded', changed_at = ? "
        "WHERE article_id = ? AND annotator = ? AND state = 'undone'",
        (stamp, article_id, annotator),
    )
    cursor = conn.execute(
        "INSERT INTO actions (article_id, annotator, kind, payload, state, created_at, "
        "changed_at, uid, session) VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?)",
        (
            article_id,
            annotator,
            kind,
            json.dumps(payload, ensure_ascii=False),
            stamp,
            stamp,
            uuid.uuid4().hex,
            session,
        ),
    )
    decided_ids = tuple(sid for sid, _old, _new in verdicts)
    return Action(
        int(cursor.lastrowid or 0), article_id, kind, added, removed, status, False, decided_ids
    )


def write_decision(
    conn: sqlite3.Connection, sid: int, status: str, annotator: str, stamp: str
) -> None:
    """Set the suggestion's decision in ``annotator``'s layer ('pending': no decision); the
    other layers' decisions of it are untouched."""
    suggestion_rows.write_decision(conn, sid, status, annotator, stamp)


class ChangedElsewhere(UserError):
    """An undo or redo no longer applies: another window changed those spans since."""


_ACTION = "SELECT id, kind, payload, session FROM actions WHERE article_id = ? AND annotator = ? "
_LATEST_DONE_HERE = _ACTION + "AND state = 'done' AND session IS ? ORDER BY id DESC LIMIT 1"
_LATEST_DONE = _ACTION + "AND state = 'done' ORDER BY id DESC LIMIT 1"
_LATEST_UNDONE = (
    _ACTION + "AND state = 'undone' ORDER BY coalesce(undone_seq, 0) DESC, id DESC LIMIT 1"
)


def _latest(
    conn: sqlite3.Connection, article_id: int, annotator: str, forward: bool, session: str | None
) -> tuple[Any, ...] | None:
    """The action to redo (undone last) or undo (this session's latest, else anyone's)."""
    if forward:
        return conn.execute(_LATEST_UNDONE, (article_id, annotator)).fetchone()  # type: ignore[no-any-return]
    if session is not None:
        found = conn.execute(_LATEST_DONE_HERE, (article_id, annotator, session)).fetchone()
        if found is not None:
            return found  # type: ignore[no-any-return]
    return conn.execute(_LATEST_DONE, (article_id, annotator)).fetchone()  # type: ignore[no-any-return]


def step(
    conn: sqlite3.Connection,
    article_id: int,
    annotator: str,
    *,
    forward: bool,
    session: str | None = None,
) -> Action | None:
    """Undo (or, ``forward``, redo) the annotator's latest action in the article.

    The returned action's ``elsewhere`` says it was made in another session than ``session``;
    ``ChangedElsewhere`` is raised (nothing changed) when it no longer applies.
    """
    found = _latest(conn, article_id, annotator, forward, session)
    if found is None:
        return None
    action_id, kind, raw, made_in = found
    payload = json.loads(raw)
    added = tuple(Span(**s) for s in payload["added"])
    removed = tuple(Span(**s) for s in payload["removed"])
    status: tuple[str, str] | None = tuple(payload["status"]) if payload["status"] else None  # type: ignore[assignment]
    gone, back = (removed, added) if forward else (added, removed)
    implicit = kind != "status"  # the "new → in progress" a first change made on the side
    _check_applies(
        conn, article_id, annotator, gone, back, None if implicit else status, forward, payload
    )
    if (
        status
        and implicit
        and not _side_status_applies(conn, action_id, annotator, status, forward)
    ):
        status = None  # another change of this layer still holds the article in progress
    for span in gone:
        spans.delete(conn, span)
    for span in back:
        spans.restore(conn, span)
    if status:
        articles.write_status(conn, article_id, annotator, status[1] if forward else status[0])
    stamp = now()
    for sid, old, new in payload["suggestions"]:
        write_decision(conn, sid, new if forward else old, annotator, stamp)
    _mark(conn, action_id, article_id, annotator, forward, stamp)
    elsewhere = session is not None and made_in != session
    decided_ids = tuple(sid for sid, _old, _new in payload["suggestions"])
    if forward:
        return Action(action_id, article_id, kind, added, removed, status, elsewhere, decided_ids)
    flipped = (status[1], status[0]) if status else None
    undone = f"undo {kind}"
    return Action(action_id, article_id, undone, removed, added, flipped, elsewhere, decided_ids)


def _side_status_applies(
    conn: sqlite3.Connection,
    action_id: int,
    annotator: str,
    status: tuple[str, str],
    forward: bool,
) -> bool:
    """Whether a first change's side status moves back with it: only while the layer still
    has that status and (undoing) no other change of the layer remains in the article, as
    when another window tagged there after it."""
    (article_id,) = conn.execute(
        "SELECT article_id FROM actions WHERE id = ?", (action_id,)
    ).fetchone()
    if articles.status_of(conn, article_id, annotator) != status[0 if forward else 1]:
        return False
    if forward:
        return True
    other = conn.execute(
        "SELECT 1 FROM actions WHERE article_id = ? AND annotator = ? AND state = 'done' "
        "AND id != ? LIMIT 1",
        (article_id, annotator, action_id),
    ).fetchone()
    return other is None


def _mark(
    conn: sqlite3.Connection,
    action_id: int,
    article_id: int,
    annotator: str,
    forward: bool,
    stamp: str,
) -> None:
    """Record the step: an undone action gets the next ``undone_seq`` of its stack."""
    if forward:
        conn.execute(
            "UPDATE actions SET state = 'done', changed_at = ?, undone_seq = NULL WHERE id = ?",
            (stamp, action_id),
        )
        return
    conn.execute(
        "UPDATE actions SET state = 'undone', changed_at = ?, undone_seq = (SELECT "
        "coalesce(max(undone_seq), 0) + 1 FROM actions WHERE article_id = ? AND annotator = ?) "
        "WHERE id = ?",
        (stamp, article_id, annotator, action_id),
    )


def _check_applies(
    conn: sqlite3.Connection,
    article_id: int,
    annotator: str,
    gone: tuple[Span, ...],
    back: tuple[Span, ...],
    status: tuple[str, str] | None,
    forward: bool,
    payload: dict[str, Any],
) -> None:
    """Refuse a step another window has overtaken: the spans it removes must still be there
    (same uid), those it restores must be absent and overlap nothing left, the status and the
    suggestions' decisions in this layer must be as it left them (other layers' decisions of
    the same suggestions are theirs and do not matter)."""
    moved = (*gone, *back)
    near = (min(s.start for s in moved), max(s.end for s in moved)) if moved else (0, 0)
    current = {s.uid: s for s in spans.of_article(conn, article_id, annotator, near)}
    staying = [s for uid, s in current.items() if uid not in {g.uid for g in gone}]
    stale = any(g.uid not in current for g in gone) or any(
        b.uid in current or any(s.overlaps(b.start, b.end) for s in staying) for b in back
    )
    if status and articles.status_of(conn, article_id, annotator) != status[0 if forward else 1]:
        stale = True
    for sid, old, new in payload["suggestions"]:
        decision = suggestion_rows.decision_of(conn, sid, annotator)
        if decision is not None and decision != (old if forward else new):
            stale = True
    if stale:
        what = "redo" if forward else "undo"
        raise ChangedElsewhere(f"can't {what}: changed since in another window")


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


def live_ranges(
    conn: sqlite3.Connection, article_id: int, annotator: str, *, skip_kind: str = ""
) -> list[tuple[int, int]]:
    """Text ranges the layer's live (done, not undone) actions in the article touched: their
    added and removed spans and the places they decided; ``skip_kind`` actions left out."""
    rows = conn.execute(
        "SELECT payload FROM actions WHERE article_id = ? AND annotator = ? AND state = 'done' "
        "AND kind != ?",
        (article_id, annotator, skip_kind),
    )
    out: list[tuple[int, int]] = []
    for (raw,) in rows:
        payload = json.loads(raw)
        for side in ("added", "removed"):
            out.extend((s["start"], s["end"]) for s in payload.get(side) or ())
        out.extend((int(a), int(b)) for a, b in payload.get("decided") or ())
    return out


def has_acted(conn: sqlite3.Connection, article_id: int, annotator: str) -> bool:
    """Whether the layer has any recorded action (done or undone) in the article."""
    row = conn.execute(
        "SELECT 1 FROM actions WHERE article_id = ? AND annotator = ? LIMIT 1",
        (article_id, annotator),
    ).fetchone()
    return row is not None
