"""Surface forms the annotators tagged, and those they took back: what memory learns from."""

from __future__ import annotations

import sqlite3


def tagged(conn: sqlite3.Connection) -> list[tuple[str, str, int, str]]:
    """(form, label, times tagged, last tagged at) over the whole corpus, from the table
    the spans' triggers keep (m016), in label and text order."""
    rows = conn.execute("SELECT text, label, n, last_at FROM span_forms ORDER BY label, text")
    return rows.fetchall()  # the columns' types already (converting each took ~10 ms)


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
