"""Corpus and annotation figures: progress, labels, per-article density, consistency, suggestions.

Every figure is a SQL aggregate over the filtered articles. Surface forms are grouped in SQL
by their exact text (a few thousand groups, not a million spans) and only those groups are
merged in Python by ``surface_key``, which SQL cannot compute (tone placement, case). The
"untagged elsewhere" check is bounded: only the top forms, each looked up with FTS5 in at most
``candidate_limit`` articles and verified in Python there.

Filters select articles (status, article date, full-text search) and spans/actions (annotator).
The date range is the article's own date (publication), so every section describes the same
set of articles; annotation time is what the activity section shows per day.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from partybuild_tui.core.store import STATUSES, Store, fts_query
from partybuild_tui.core.text import (
    form_pattern,
    search_fold,
    surface_key,
    syllables,
    tone_variants,
)
from partybuild_tui.errors import UserError

SECTIONS = ("progress", "labels", "articles", "consistency", "suggestions")
WORKED = ("in_progress", "done")
SORT_COLUMNS = ("density", "id", "title", "status", "chars", "spans")
SYLLABLE_BUCKETS = ("1", "2", "3", "4", "5", "6", "7", "8+")
CHAR_BUCKETS = ((1, 5), (6, 10), (11, 20), (21, 30), (31, 50), (51, None))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsFilter:
    """Which articles (status, article date, search) and whose work (annotator) to count."""

    status: tuple[str, ...] = ()
    annotator: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None

    def __post_init__(self) -> None:
        for value in self.status:
            if value not in STATUSES:
                raise UserError(f"unknown status {value!r}; use one of {', '.join(STATUSES)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _valid_date(value):
                raise UserError(f"--{name} {value!r} is not a date; write it as YYYY-MM-DD")

    def articles_sql(self, *, worked_only: bool = False) -> tuple[str, list[Any]]:
        """Conditions on ``articles a`` (always true-able: starts with the live-version test)."""
        clauses = ["a.superseded_by IS NULL"]
        params: list[Any] = []
        statuses = self.status or (WORKED if worked_only else ())
        if statuses:
            clauses.append(f"a.status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if self.since:
            clauses.append("substr(a.date, 1, 10) >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("substr(a.date, 1, 10) <= ?")
            params.append(self.until)
        match = fts_query(self.search or "")
        if match:
            clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(match)
        return " AND ".join(clauses), params

    @property
    def selects_articles(self) -> bool:
        return bool(self.status or self.since or self.until or fts_query(self.search or ""))


def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _scope(
    conn: sqlite3.Connection,
    f: StatsFilter,
    alias: str,
    *,
    annotator_column: str | None = "annotator",
) -> tuple[str, list[Any]]:
    """What follows ``FROM <table> <alias>`` to keep rows of the filtered articles only.

    Inside ``compute`` the filter's article ids sit in a temporary table to join on (the
    planner then scans covering indexes and probes an integer key); elsewhere a subquery does.
    Unfiltered, only rows of superseded versions are left out, and only if there are any.
    """
    join = ""
    clauses: list[str] = ["1"]
    params: list[Any] = []
    if f.selects_articles and _scope_table_holds(conn, f):
        join = f"JOIN temp.stats_scope c ON c.id = {alias}.article_id "
    elif f.selects_articles:
        where, where_params = f.articles_sql()
        clauses.append(f"{alias}.article_id IN (SELECT a.id FROM articles a WHERE {where})")
        params.extend(where_params)
    elif _has_superseded(conn):
        clauses.append(
            f"{alias}.article_id NOT IN (SELECT id FROM articles WHERE superseded_by IS NOT NULL)"
        )
    if f.annotator and annotator_column:
        clauses.append(f"{alias}.{annotator_column} = ?")
        params.append(f.annotator)
    return f"{join}WHERE {' AND '.join(clauses)}", params


def _scope_key(f: StatsFilter) -> str:
    return repr((f.status, f.since, f.until, f.search))


def _scope_table_holds(conn: sqlite3.Connection, f: StatsFilter) -> bool:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'stats_scope_key'"
    ).fetchone()
    if exists is None:
        return False
    held = conn.execute("SELECT key FROM temp.stats_scope_key").fetchone()
    return held is not None and held[0] == _scope_key(f)


@contextmanager
def _scoped(conn: sqlite3.Connection, f: StatsFilter) -> Iterator[None]:
    """Hold the filtered article ids in ``temp.stats_scope`` while the figures are read."""
    if not f.selects_articles:
        yield
        return
    where, params = f.articles_sql()
    conn.execute("DROP TABLE IF EXISTS temp.stats_scope")
    conn.execute("DROP TABLE IF EXISTS temp.stats_scope_key")
    conn.execute("CREATE TEMP TABLE stats_scope (id INTEGER PRIMARY KEY)")
    conn.execute(f"INSERT INTO temp.stats_scope SELECT a.id FROM articles a WHERE {where}", params)
    conn.execute("CREATE TEMP TABLE stats_scope_key (key TEXT)")
    conn.execute("INSERT INTO temp.stats_scope_key VALUES (?)", (_scope_key(f),))
    try:
        yield
    finally:
        conn.execute("DROP TABLE temp.stats_scope")
        conn.execute("DROP TABLE temp.stats_scope_key")


def _has_superseded(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM articles WHERE superseded_by IS NOT NULL LIMIT 1")
    return row.fetchone() is not None


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


@dataclass(frozen=True)
class Location:
    """Where to jump: an article and a character offset in its stored text."""

    article_id: int
    start: int
    end: int
    label: str | None = None


@dataclass
class LabelConflict:
    form: str
    labels: dict[str, int]
    locations: list[Location]


@dataclass
class UntaggedForm:
    form: str
    label: str
    tagged: int
    untagged: int
    articles_checked: int
    truncated: bool
    locations: list[Location]


@dataclass
class Consistency:
    conflicts: list[LabelConflict]
    untagged: list[UntaggedForm]
    forms_checked: int


@dataclass(frozen=True)
class SuggestionRate:
    source: str
    label: str
    accepted: int
    rejected: int
    pending: int

    @property
    def rate(self) -> float | None:
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None


@dataclass
class Stats:
    filter: StatsFilter
    labels: list[str]
    progress: Progress | None = None
    label_stats: list[LabelStats] | None = None
    articles: ArticleTable | None = None
    consistency: Consistency | None = None
    suggestions: list[SuggestionRate] | None = None
    _forms: list[tuple[str, str, int]] | None = field(default=None, repr=False)


# ---- progress -------------------------------------------------------------------------------


def progress(conn: sqlite3.Connection, f: StatsFilter, *, days: int = 14) -> Progress:
    """Status counts, spans per label, and who did how much when."""
    where, params = f.articles_sql()
    statuses = dict.fromkeys(STATUSES, 0)
    statuses.update(
        conn.execute(f"SELECT a.status, count(*) FROM articles a WHERE {where} GROUP BY 1", params)
    )
    per_annotator, daily = activity(conn, f, days=days)
    span_scope, span_params = _scope(conn, f, "s")
    per_label = dict(
        conn.execute(
            f"SELECT s.label, count(*) FROM spans s {span_scope} GROUP BY 1 ORDER BY 1",
            span_params,
        )
    )
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
    scope, params = _scope(conn, f, "x")
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
    span_scope, span_params = _scope(conn, f, "s")
    spans = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT s.annotator, count(*), count(DISTINCT s.article_id) FROM spans s "
            f"{span_scope} GROUP BY 1",
            span_params,
        )
    }
    action_scope, action_params = _scope(conn, f, "x")
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
    scope, params = _scope(conn, f, "s")
    return conn.execute(
        f"SELECT s.label, s.text, count(*) FROM spans s {scope} GROUP BY 1, 2", params
    ).fetchall()


@dataclass
class _Form:
    count: int = 0
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def shown(self) -> str:
        return min(self.spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _forms_by_label(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, _Form]]:
    out: dict[str, dict[str, _Form]] = defaultdict(dict)
    for label, text, count in rows:
        form = out[label].setdefault(surface_key(text), _Form())
        form.count += count
        form.spellings[" ".join(text.split())] += count
    return out


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
    forms = _forms_by_label(rows)
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
    label_sums = "".join(
        f", coalesce(sum(CASE p.label WHEN ? THEN p.n END), 0) AS l{i}"
        for i, _ in enumerate(labels)
    )
    direction = "DESC" if descending else "ASC"
    sql = (
        "WITH chosen AS (SELECT a.id FROM articles a WHERE " + where + "), "
        "p AS (SELECT s.article_id, s.label, count(*) AS n FROM spans s "
        f"WHERE s.article_id IN (SELECT id FROM chosen) {span_filter} GROUP BY 1, 2) "
        "SELECT a.id, a.title, a.status, a.body_end - a.body_start AS chars, "
        f"coalesce(sum(p.n), 0) AS spans{label_sums}, "
        "coalesce(sum(p.n), 0) * 1000.0 / max(a.body_end - a.body_start, 1) AS density "
        "FROM articles a LEFT JOIN p ON p.article_id = a.id "
        "WHERE a.id IN (SELECT id FROM chosen) GROUP BY a.id "
        f"ORDER BY {columns[key]} {direction}, a.id " + ("LIMIT ?" if limit else "")
    )
    all_params = [*params, *([f.annotator] if f.annotator else []), *labels]
    rows = conn.execute(sql, [*all_params, *([limit] if limit else [])]).fetchall()
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]
    out = [
        ArticleStats(
            id=row[0],
            title=row[1],
            status=row[2],
            chars=row[3],
            spans=row[4],
            per_label=dict(zip(labels, row[5 : 5 + len(labels)], strict=True)),
            density=round(row[-1], 3),
        )
        for row in rows
    ]
    return ArticleTable(out, total, key, descending)


# ---- consistency ----------------------------------------------------------------------------


def label_conflicts(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    per_label: int = 5,
) -> list[LabelConflict]:
    """Forms tagged with more than one label, most frequent first, with where each label is."""
    labels_by_key: dict[str, Counter[str]] = defaultdict(Counter)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for label, text, count in rows:
        key = surface_key(text)
        labels_by_key[key][label] += count
        spellings[key][text] += count
    conflicting = [key for key, by_label in labels_by_key.items() if len(by_label) > 1]
    conflicting.sort(key=lambda k: (-sum(labels_by_key[k].values()), k))
    chosen = conflicting[:top]
    if not chosen:
        return []
    texts = sorted({text for key in chosen for text in spellings[key]})
    scope, params = _scope(conn, f, "s")
    located = conn.execute(
        'SELECT text, label, article_id, start, "end" FROM ('
        'SELECT s.text, s.label, s.article_id, s.start, s."end", row_number() OVER ('
        "PARTITION BY s.text, s.label ORDER BY s.article_id, s.start) AS rn FROM spans s "
        f"{scope} AND s.text IN ({', '.join('?' * len(texts))})) WHERE rn <= ?",
        [*params, *texts, per_label],
    ).fetchall()
    where: dict[str, list[Location]] = defaultdict(list)
    for text, label, article_id, start, end in located:
        where[surface_key(text)].append(Location(article_id, start, end, label))
    out = []
    for key in chosen:
        by_label: dict[str, list[Location]] = defaultdict(list)
        for loc in sorted(where[key], key=lambda x: (x.label or "", x.article_id, x.start)):
            if len(by_label[loc.label or ""]) < per_label:
                by_label[loc.label or ""].append(loc)
        minority_first = sorted(by_label, key=lambda lb: (labels_by_key[key][lb], lb))
        out.append(
            LabelConflict(
                form=spellings[key].most_common(1)[0][0],
                labels=dict(labels_by_key[key].most_common()),
                locations=[loc for lb in minority_first for loc in by_label[lb]],
            )
        )
    return out


def _fts_candidates(form: str) -> str:
    """An FTS5 query matching articles that hold every syllable of ``form`` in any tone style."""
    terms = []
    for piece in syllables(form):
        variants = sorted(tone_variants(piece) | {piece})
        terms.append("(" + " OR ".join(f'"{v}"' for v in variants) + ")")
    return " AND ".join(terms)


def untagged_elsewhere(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    candidate_limit: int = 200,
    per_form: int = 10,
) -> tuple[list[UntaggedForm], int]:
    """The top tagged forms, and where they occur in worked articles' bodies without a span.

    Worked articles are those in progress or done (or the status filter's). Candidates come
    from FTS5 (every syllable present, either tone style), at most ``candidate_limit`` per
    form; each is then searched in Python for whole-syllable occurrences not covered by any
    span (of the filtered annotator, if one is given).
    """
    totals: dict[str, _Form] = {}
    majority: dict[str, Counter[str]] = defaultdict(Counter)
    for label, text, count in rows:
        key = surface_key(text)
        form = totals.setdefault(key, _Form())
        form.count += count
        form.spellings[" ".join(text.split())] += count
        majority[key][label] += count
    ranked = sorted(totals, key=lambda k: (-totals[k].count, k))[:top]
    where, params = f.articles_sql(worked_only=True)
    folded_cache: dict[int, tuple[str, int, int]] = {}
    spans_cache: dict[int, list[tuple[int, int]]] = {}
    out = []
    for key in ranked:
        match = _fts_candidates(totals[key].shown)
        if not match:
            continue
        candidates = conn.execute(
            f"SELECT a.id FROM articles a WHERE {where} AND a.id IN "
            "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) ORDER BY a.id LIMIT ?",
            [*params, match, candidate_limit + 1],
        ).fetchall()
        ids = [row[0] for row in candidates[:candidate_limit]]
        _load(conn, f, ids, folded_cache, spans_cache)
        found = _occurrences(key, ids, folded_cache, spans_cache)
        if found:
            out.append(
                UntaggedForm(
                    form=totals[key].shown,
                    label=majority[key].most_common(1)[0][0],
                    tagged=totals[key].count,
                    untagged=len(found),
                    articles_checked=len(ids),
                    truncated=len(candidates) > candidate_limit,
                    locations=found[:per_form],
                )
            )
    return out, len(ranked)


def _load(
    conn: sqlite3.Connection,
    f: StatsFilter,
    ids: Sequence[int],
    folded: dict[int, tuple[str, int, int]],
    spans: dict[int, list[tuple[int, int]]],
) -> None:
    """Fetch (once) the folded body and the span ranges of the candidate articles."""
    missing = [i for i in ids if i not in folded]
    for chunk in range(0, len(missing), 500):
        part = missing[chunk : chunk + 500]
        marks = ", ".join("?" * len(part))
        for article_id, text, body_start, body_end in conn.execute(
            f"SELECT id, text, body_start, body_end FROM articles WHERE id IN ({marks})", part
        ):
            folded[article_id] = (search_fold(text), body_start, body_end)
            spans[article_id] = []
        who = "AND annotator = ?" if f.annotator else ""
        for article_id, start, end in conn.execute(
            f'SELECT article_id, start, "end" FROM spans WHERE article_id IN ({marks}) {who}',
            [*part, *([f.annotator] if f.annotator else [])],
        ):
            spans[article_id].append((start, end))


def _occurrences(
    key: str,
    ids: Sequence[int],
    folded: dict[int, tuple[str, int, int]],
    spans: dict[int, list[tuple[int, int]]],
) -> list[Location]:
    pattern = form_pattern(key)
    found = []
    for article_id in ids:
        text, body_start, body_end = folded[article_id]
        taken = spans[article_id]
        for hit in pattern.finditer(text, body_start, body_end):
            start, end = hit.span()
            if not any(s < end and start < e for s, e in taken):
                found.append(Location(article_id, start, end))
    return found


def consistency(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    candidate_limit: int = 200,
) -> Consistency:
    conflicts = label_conflicts(conn, f, rows, top=top)
    untagged, checked = untagged_elsewhere(conn, f, rows, top=top, candidate_limit=candidate_limit)
    return Consistency(conflicts, untagged, checked)


# ---- suggestions ----------------------------------------------------------------------------


def suggestion_rates(conn: sqlite3.Connection, f: StatsFilter) -> list[SuggestionRate]:
    """Accepted / rejected / pending per source and label (decisions of the annotator, if any)."""
    scope, params = _scope(conn, f, "g", annotator_column=None)
    if f.annotator:
        scope += " AND (g.status = 'pending' OR g.decided_by = ?)"
        params.append(f.annotator)
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for source, label, status, n in conn.execute(
        f"SELECT g.source, g.label, g.status, count(*) FROM suggestions g {scope} GROUP BY 1, 2, 3",
        params,
    ):
        counts[(source, label)][status] += n
    return [
        SuggestionRate(source, label, c["accepted"], c["rejected"], c["pending"])
        for (source, label), c in sorted(counts.items())
    ]


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
) -> Stats:
    """The requested sections, read in one snapshot so the figures agree with each other."""
    f = f or StatsFilter()
    wanted = set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise UserError(f"unknown section {sorted(unknown)[0]!r}; use one of {', '.join(SECTIONS)}")
    with store.snapshot() as conn, _scoped(conn, f):
        present = [row[0] for row in conn.execute("SELECT DISTINCT label FROM spans ORDER BY 1")]
        all_labels = [*labels, *(lb for lb in present if lb not in labels)]
        stats = Stats(filter=f, labels=all_labels)
        if "progress" in wanted:
            stats.progress = progress(conn, f, days=days)
        if wanted & {"labels", "consistency"}:
            stats._forms = form_rows(conn, f)
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
            stats.suggestions = suggestion_rates(conn, f)
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
        out["suggestions"] = [{**asdict(r), "rate": r.rate} for r in stats.suggestions]
    return out
