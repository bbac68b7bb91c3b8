"""Surface forms the annotators tagged, and those they took back: what memory learns from."""

from __future__ import annotations

import sqlite3


def tagged(conn: sqlite3.Connection) -> list[tuple[str, str, int, str]]:
    """(form, label, times tagged, last tagged at) over the whole corpus, from the table
    the spans' triggers keep (m016), in label and text order."""
    rows = conn.execute(
        "SELECT text, label, n, last_at FROM span_forms WHERE n > 0 ORDER BY label, text"
    )
    return rows.fetchall()  # the columns' types already (converting each took ~10 ms)


def clock(conn: sqlite3.Connection) -> tuple[str, int]:
    """(the database's uid, its count of changes to the tagged forms so far), see m017."""
    uid, ticks = conn.execute("SELECT uid, n FROM span_forms_clock").fetchone()
    return str(uid), int(ticks)


def changed_since(conn: sqlite3.Connection, ticks: int) -> list[tuple[str, str, int, str]]:
    """(form, label, times tagged now, last tagged at) of the forms changed after the
    clock's ``ticks``; n = 0: no span has that form and label any more."""
    rows = conn.execute(
        "SELECT text, label, n, last_at FROM span_forms WHERE changed > ?", (ticks,)
    )
    return rows.fetchall()


def totals(conn: sqlite3.Connection) -> tuple[int, int]:
    """(forms tagged, spans counted): a check that a reader's copy adds up."""
    found = conn.execute("SELECT count(*), coalesce(sum(n), 0) FROM span_forms WHERE n > 0")
    count, spans = found.fetchone()
    return int(count), int(spans)


def withdrawn(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(form, last time) of forms an annotator said are not entities: a rejected proposal
    (a label correction keeps the form: its new span is as recent) or a deleted span. Over
    every layer, as ``tagged`` is: the memory source learns from the whole corpus."""
    rejected = conn.execute(
        "SELECT g.text, max(d.decided_at) FROM suggestion_decisions d JOIN suggestions g "
        "ON g.id = d.suggestion_id WHERE d.status = 'rejected' GROUP BY g.text"
    ).fetchall()
    deleted = conn.execute(
        "SELECT json_extract(item.value, '$.text'), max(a.changed_at) "
        "FROM actions a, json_each(a.payload, '$.removed') AS item "
        "WHERE a.kind = 'delete' AND a.state = 'done' GROUP BY 1"
    ).fetchall()
    return [(str(t), str(at)) for t, at in [*rejected, *deleted] if t is not None]
