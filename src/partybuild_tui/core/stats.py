"""Corpus and annotation figures: progress, labels, per-article density, consistency, suggestions.

Every figure is a SQL aggregate over the filtered articles (``stats_filter``). Surface forms
are grouped in SQL by their exact text (a few thousand groups, not a million spans) and only
those groups are merged in Python by ``surface_key``, which SQL cannot compute (tone
placement, case). The consistency checks live in ``consistency``, the suggestion scores in
``quality``; ``compute`` reads every requested section in one snapshot and ``stats_render``
draws them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from partybuild_tui.core.choices import STATS_SECTIONS
from partybuild_tui.core.consistency import (
    Consistency,
    LabelConflict,
    Location,
    UntaggedForm,
    consistency,
    forms_by_label,
    label_conflicts,
    untagged_elsewhere,
)
from partybuild_tui.core.quality import TOTAL, Scores, SourceQuality, source_quality
from partybuild_tui.core.stats_filter import WORKED, StatsFilter, scope_sql, scoped
from partybuild_tui.core.store import STATUSES, Store
from partybuild_tui.errors import UserError

__all__ = [
    "SECTIONS",
    "TOTAL",
    "Scores",
    "SourceQuality",
    "source_quality",
    "WORKED",
    "Consistency",
    "LabelConflict",
    "Location",
    "Stats",
    "StatsFilter",
    "UntaggedForm",
    "compute",
    "label_conflicts",
    "to_json",
    "untagged_elsewhere",
]

SECTIONS = STATS_SECTIONS
SORT_COLUMNS = ("density", "id", "title", "status", "chars", "spans")
SYLLABLE_BUCKETS = ("1", "2", "3", "4", "5", "6", "7", "8+")
# Suggestion P/R/F1 are measured on at most this many articles (the newest): ~0.1 s.
QUALITY_LIMIT = 2000
CHAR_BUCKETS = ((1, 5), (6, 10), (11, 20), (21, 30), (31, 50), (51, None))


# ---- results --------------------------------------------------------------------------------


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


@dataclass
class Progress:
    statuses: dict[str, int]
    articles: int
    spans: int
    spans_per_label: dict[str, int]
    activity: list[DayActivity]
    daily: list[DayTotal]
    annotators: list[AnnotatorTotals]


@dataclass(frozen=True)
class FormCount:
    form: str
    count: int


@dataclass
class LabelStats:
    label: str
    spans: int
    distinct_forms: int
    top_forms: list[FormCount]
    syllables: dict[str, int]
    chars: dict[str, int]


@dataclass(frozen=True)
class ArticleStats:
    id: int
    title: str
    status: str
    chars: int
    spans: int
    per_label: dict[str, int]
    density: float


@dataclass
class ArticleTable:
    rows: list[ArticleStats]
    total: int
    sort: str
    descending: bool


@dataclass
class Stats:
    filter: StatsFilter
    labels: list[str]
    progress: Progress | None = None
    label_stats: list[LabelStats] | None = None
    articles: ArticleTable | None = None
    consistency: Consistency | None = None
    suggestions: list[SourceQuality] | None = None
    scored_articles: int = 0  # articles the suggestion scores were measured on
    scored_eligible: int = 0  # of how many (more when the newest ``quality_limit`` are taken)
    scored_basis: str = "done"  # which: "done" ones, or (none done) "tagged" ones
    _forms: list[tuple[str, str, int]] | None = field(default=None, repr=False)


# ---- progress -------------------------------------------------------------------------------


def progress(
    conn: sqlite3.Connection,
    f: StatsFilter,
    *,
    days: int = 14,
    forms: Sequence[tuple[str, str, int]] | None = None,
) -> Progress:
    """Status counts, spans per label, and who did how much when.

    ``forms`` (``form_rows``), when already read, give the spans per label for free.
    """
    where, params = f.articles_sql()
    statuses = dict.fromkeys(STATUSES, 0)
    statuses.update(
        conn.execute(f"SELECT a.status, count(*) FROM articles a WHERE {where} GROUP BY 1", params)
    )
    per_annotator, daily = activity(conn, f, days=days)
    if forms is None:
        span_scope, span_params = scope_sql(conn, f, "s")
        per_label = dict(
            conn.execute(
                f"SELECT s.label, count(*) FROM spans s {span_scope} GROUP BY 1 ORDER BY 1",
                span_params,
            )
        )
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
    scope, params = scope_sql(conn, f, "x")
    latest = conn.execute(f"SELECT max(x.created_at) FROM actions x {scope}", params).fetchone()[0]
    if latest is None:
        return [], []
    first = (date.fromisoformat(latest[:10]) - timedelta(days=days - 1)).isoformat()
    recent = f"FROM actions x {scope} AND x.created_at >= ?"
    per_annotator = conn.execute(
        "SELECT substr(x.created_at, 1, 10), x.annotator, count(DISTINCT x.article_id), "
        f"count(*) {recent} GROUP BY 1, 2 ORDER BY 1 DESC, 2",
        [*params, first],
    )
    totals = conn.execute(
        "SELECT substr(x.created_at, 1, 10), count(DISTINCT x.article_id), count(*) "
        f"{recent} GROUP BY 1 ORDER BY 1 DESC",
        [*params, first],
    )
    return [DayActivity(*row) for row in per_annotator], [DayTotal(*row) for row in totals]


def annotator_totals(conn: sqlite3.Connection, f: StatsFilter) -> list[AnnotatorTotals]:
    """Per annotator: current spans, articles with their spans, recorded actions, last action."""
    span_scope, span_params = scope_sql(conn, f, "s")
    spans = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT s.annotator, count(*), count(DISTINCT s.article_id) FROM spans s "
            f"{span_scope} GROUP BY 1",
            span_params,
        )
    }
    action_scope, action_params = scope_sql(conn, f, "x")
    actions = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT x.annotator, count(*), max(x.created_at) FROM actions x "
            f"{action_scope} GROUP BY 1",
            action_params,
        )
    }
    out = []
    for name in sorted(spans.keys() | actions.keys()):
        span_count, articles = spans.get(name, (0, 0))
        action_count, last = actions.get(name, (0, None))
        out.append(AnnotatorTotals(name, span_count, articles, action_count, last))
    out.sort(key=lambda a: (-a.spans, a.annotator))
    return out


# ---- labels and surface forms ---------------------------------------------------------------


def form_rows(conn: sqlite3.Connection, f: StatsFilter) -> list[tuple[str, str, int]]:
    """(label, exact text, span count) groups: the one pass over spans the form figures need."""
    scope, params = scope_sql(conn, f, "s")
    return conn.execute(
        f"SELECT s.label, s.text, count(*) FROM spans s {scope} GROUP BY 1, 2", params
    ).fetchall()


def _syllable_bucket(text: str) -> str:
    n = max(len(text.split()), 1)
    return str(n) if n < 8 else "8+"


def _char_bucket(text: str) -> str:
    n = len(text)
    for low, high in CHAR_BUCKETS:
        if high is None or n <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    return ""  # unreachable: the last bucket is open


def label_stats(
    rows: Sequence[tuple[str, str, int]], labels: Sequence[str], *, top: int = 10
) -> list[LabelStats]:
    """Per label: spans, distinct forms (folded), the top forms and length histograms."""
    forms = forms_by_label(rows)
    syllable_hist: dict[str, Counter[str]] = defaultdict(Counter)
    char_hist: dict[str, Counter[str]] = defaultdict(Counter)
    for label, text, count in rows:
        syllable_hist[label][_syllable_bucket(text)] += count
        char_hist[label][_char_bucket(text)] += count
    char_names = [f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in CHAR_BUCKETS]
    out = []
    for label in labels:
        by_key = forms.get(label, {})
        ranked = sorted(by_key.values(), key=lambda fm: (-fm.count, fm.shown))
        out.append(
            LabelStats(
                label=label,
                spans=sum(fm.count for fm in by_key.values()),
                distinct_forms=len(by_key),
                top_forms=[FormCount(fm.shown, fm.count) for fm in ranked[:top]],
                syllables={b: syllable_hist[label][b] for b in SYLLABLE_BUCKETS},
                chars={b: char_hist[label][b] for b in char_names},
            )
        )
    return out


# ---- per article ----------------------------------------------------------------------------


def article_table(
    conn: sqlite3.Connection,
    f: StatsFilter,
    labels: Sequence[str],
    *,
    sort: str = "density",
    descending: bool = False,
    limit: int | None = 20,
) -> ArticleTable:
    """Articles with spans per label and spans per 1,000 body characters, sorted in SQL.

    Without a status filter only worked articles (in progress or done) are listed: untouched
    ones all have density 0 and would hide the thinly tagged ones.
    """
    columns = {name: name for name in SORT_COLUMNS}
    columns.update({label: f"l{i}" for i, label in enumerate(labels)})
    key = next((name for name in columns if name.lower() == sort.lower()), None)
    if key is None:
        raise UserError(f"cannot sort by {sort!r}; use one of {', '.join(columns)}")
    where, params = f.articles_sql(worked_only=True)
    span_filter = "AND s.annotator = ?" if f.annotator else ""
    label_sums = "".join(f", coalesce(sum(s.label = ?), 0) AS l{i}" for i, _ in enumerate(labels))
    direction = "DESC" if descending else "ASC"
    final = "a.title" if key == "title" else f"page.{columns[key]}"
    # Only columns of the articles index until the page is cut: reading the table row of a
    # long article walks its text's overflow pages. The title precedes the text: cheap.
    title = ", a.title AS title" if key == "title" else ""
    sql = (
        "WITH chosen AS MATERIALIZED (SELECT a.id, a.status, a.body_end - a.body_start AS chars"
        f"{title} FROM articles a WHERE {where}), "
        "agg AS (SELECT c.*, count(s.article_id) AS spans, "
        f"count(s.article_id) * 1000.0 / max(c.chars, 1) AS density{label_sums} "
        f"FROM chosen c LEFT JOIN spans s ON s.article_id = c.id {span_filter} GROUP BY c.id), "
        f"page AS (SELECT * FROM agg ORDER BY {columns[key]} {direction}, id "
        f"{'LIMIT ?' if limit else ''}) "
        "SELECT page.id, a.title, page.status, page.chars, page.spans, page.density"
        + "".join(f", page.l{i}" for i, _ in enumerate(labels))
        + f" FROM page JOIN articles a ON a.id = page.id ORDER BY {final} {direction}, page.id"
    )
    all_params = [*params, *labels, *([f.annotator] if f.annotator else [])]
    rows = conn.execute(sql, [*all_params, *([limit] if limit else [])]).fetchall()
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]
    out = [
        ArticleStats(
            id=row[0],
            title=row[1],
            status=row[2],
            chars=row[3],
            spans=row[4],
            per_label=dict(zip(labels, row[6:], strict=True)),
            density=round(row[5], 3),
        )
        for row in rows
    ]
    return ArticleTable(out, total, key, descending)


# ---- everything -----------------------------------------------------------------------------


def compute(
    store: Store,
    f: StatsFilter | None = None,
    *,
    labels: Sequence[str] = (),
    sections: Iterable[str] = SECTIONS,
    top: int = 10,
    sort: str = "density",
    descending: bool = False,
    limit: int | None = 20,
    days: int = 14,
    candidate_limit: int = 200,
    quality_limit: int | None = QUALITY_LIMIT,
) -> Stats:
    """The requested sections, read in one snapshot so the figures agree with each other."""
    f = f or StatsFilter()
    wanted = set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise UserError(f"unknown section {sorted(unknown)[0]!r}; use one of {', '.join(SECTIONS)}")
    with store.snapshot() as conn, scoped(conn, f):
        present = [row[0] for row in conn.execute("SELECT DISTINCT label FROM spans ORDER BY 1")]
        all_labels = [*labels, *(lb for lb in present if lb not in labels)]
        stats = Stats(filter=f, labels=all_labels)
        if wanted & {"labels", "consistency"}:
            stats._forms = form_rows(conn, f)
        if "progress" in wanted:
            stats.progress = progress(conn, f, days=days, forms=stats._forms)
        if "labels" in wanted:
            stats.label_stats = label_stats(stats._forms or [], all_labels, top=top)
        if "articles" in wanted:
            stats.articles = article_table(
                conn, f, all_labels, sort=sort, descending=descending, limit=limit
            )
        if "consistency" in wanted:
            stats.consistency = consistency(
                conn, f, stats._forms or [], top=top, candidate_limit=candidate_limit
            )
        if "suggestions" in wanted:
            scoring = source_quality(conn, f, limit=quality_limit)
            stats.suggestions = scoring.rows
            stats.scored_articles, stats.scored_eligible = scoring.articles, scoring.eligible
            stats.scored_basis = scoring.basis
    return stats


def to_json(stats: Stats) -> dict[str, Any]:
    """The figures as plain data for ``--json``: the same numbers the summary shows."""
    out: dict[str, Any] = {"filter": asdict(stats.filter), "label_names": stats.labels}
    out["filter"]["status"] = list(stats.filter.status)
    if stats.progress is not None:
        out["progress"] = asdict(stats.progress)
    if stats.label_stats is not None:
        out["labels"] = [asdict(ls) for ls in stats.label_stats]
    if stats.articles is not None:
        out["articles"] = asdict(stats.articles)
    if stats.consistency is not None:
        out["consistency"] = asdict(stats.consistency)
    if stats.suggestions is not None:
        out["suggestions"] = [row.to_json() for row in stats.suggestions]
        out["suggestions_scored"] = {
            "articles": stats.scored_articles,
            "eligible": stats.scored_eligible,
            "basis": stats.scored_basis,
        }
    return out
