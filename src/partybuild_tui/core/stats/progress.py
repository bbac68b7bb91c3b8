"""The progress section: status counts, spans per label, and who did how much when."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.store import STATUSES
from partybuild_tui.core.store.queries import stats as q


@dataclass(frozen=True)
class DayActivity:
    day: str
    annotator: str
    articles: int
    actions: int


@dataclass(frozen=True)
class DayTotal:
    """One day's activity over all annotators (an article two people touched counts once)."""

    day: str
    articles: int
    actions: int


@dataclass(frozen=True)
class AnnotatorTotals:
    annotator: str
    spans: int
    articles: int
    actions: int
    last_active: str | None
    done: int = 0  # articles done in their own layer


@dataclass
class Progress:
    statuses: dict[str, int]
    articles: int
    spans: int
    spans_per_label: dict[str, int]
    activity: list[DayActivity]
    daily: list[DayTotal]
    annotators: list[AnnotatorTotals]


def progress(
    conn: sqlite3.Connection,
    f: StatsFilter,
    *,
    days: int = 14,
    forms: Sequence[tuple[str, str, int]] | None = None,
) -> Progress:
    """Status counts, spans per label, and who did how much when.

    ``forms`` (``queries.stats.form_rows``), when already read, give the spans per label free.
    """
    statuses = dict.fromkeys(STATUSES, 0)
    statuses.update(q.status_counts(conn, f))
    per_annotator, daily = activity(conn, f, days=days)
    if forms is None:
        per_label = q.spans_per_label(conn, f)
    else:
        totals: Counter[str] = Counter()
        for label, _text, count in forms:
            totals[label] += count
        per_label = dict(sorted(totals.items()))
    return Progress(
        statuses=statuses,
        articles=sum(statuses.values()),
        spans=sum(per_label.values()),
        spans_per_label=per_label,
        activity=per_annotator,
        daily=daily,
        annotators=annotator_totals(conn, f),
    )


def activity(
    conn: sqlite3.Connection, f: StatsFilter, *, days: int = 14
) -> tuple[list[DayActivity], list[DayTotal]]:
    """Articles touched and actions per day (and per annotator), up to the latest action.

    Days are UTC dates of ``actions.created_at``; the window is the ``days`` days ending on
    the day of the latest recorded action, so an idle week still shows the last work done.
    """
    latest = q.latest_action(conn, f)
    if latest is None:
        return [], []
    first = (date.fromisoformat(latest[:10]) - timedelta(days=days - 1)).isoformat()
    per_annotator, totals = q.activity(conn, f, first)
    return [DayActivity(*row) for row in per_annotator], [DayTotal(*row) for row in totals]


def annotator_totals(conn: sqlite3.Connection, f: StatsFilter) -> list[AnnotatorTotals]:
    """Per annotator: current spans, articles with their spans, recorded actions, last action,
    articles done in their layer."""
    spans = q.annotator_spans(conn, f)
    actions = q.annotator_actions(conn, f)
    done = q.annotator_done(conn, f)
    out = []
    for name in sorted(spans.keys() | actions.keys() | done.keys()):
        span_count, articles = spans.get(name, (0, 0))
        action_count, last = actions.get(name, (0, None))
        out.append(
            AnnotatorTotals(name, span_count, articles, action_count, last, done.get(name, 0))
        )
    out.sort(key=lambda a: (-a.spans, a.annotator))
    return out
