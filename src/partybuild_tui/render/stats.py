"""Rich renderables for the stats figures: one look in the CLI and in the app's stats screen.

Pure presentation of a ``Stats`` (no queries here), so the same tables print in a terminal,
render in a Textual ``Static`` and can be snapshot-tested at a fixed width. Every stored
string (form, title, label, annotator, source) goes in as ``shown`` text: a table cell given a
``str`` would be parsed as markup, and its control characters would reach the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from partybuild_tui.config import LabelSet
from partybuild_tui.core.display import printable, shown
from partybuild_tui.core.stats import (
    TOTAL,
    ArticleTable,
    Consistency,
    LabelStats,
    Location,
    Progress,
    SourceQuality,
    Stats,
    SuspectTag,
)
from partybuild_tui.core.store import STATUSES
from partybuild_tui.render.agreement import render_agreement
from partybuild_tui.render.scores import measures as _measures

STATUS_COLORS = {"new": "grey50", "in_progress": "yellow", "done": "green", "skipped": "red"}
# each status has its own fill too, so the bar reads without colour (pipes, NO_COLOR)
STATUS_FILLS = {"new": "░", "in_progress": "▒", "done": "█", "skipped": "▚"}
BAR_WIDTH = 40
HIST_WIDTH = 20
MAX_PLACES = 6
TITLE_WIDTH = 40


def _bar(value: int, largest: int, width: int = HIST_WIDTH, style: str = "") -> Text:
    cells = round(width * value / largest) if largest else 0
    if value and not cells:
        return Text("▏", style=style)
    return Text("█" * cells, style=style)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def where(loc: Location) -> str:
    """How a location reads: article id and offset, the keys the app jumps by."""
    return f"#{loc.article_id}@{loc.start}"


def status_bar(statuses: dict[str, int], width: int = BAR_WIDTH) -> Text:
    """One stacked bar: done, in progress, skipped, new, in proportion."""
    total = sum(statuses.values())
    bar = Text()
    if not total:
        return Text("·" * width, style="grey50")
    used = 0
    order = ("done", "in_progress", "skipped", "new")
    for i, status in enumerate(order):
        cells = round(width * statuses.get(status, 0) / total)
        if i == len(order) - 1:
            cells = width - used
        cells = max(0, min(cells, width - used))
        used += cells
        bar.append(STATUS_FILLS[status] * cells, style=STATUS_COLORS[status])
    return bar


def render_progress(p: Progress, labels: LabelSet) -> RenderableType:
    counts = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Articles", title_justify="left")
    counts.add_column("status")
    counts.add_column("articles", justify="right")
    counts.add_column("share", justify="right")
    for status in STATUSES:
        n = p.statuses.get(status, 0)
        counts.add_row(
            Text(status.replace("_", " "), style=STATUS_COLORS[status]),
            f"{n:,}",
            _pct(n, p.articles),
        )
    counts.add_row(Text("total", style="bold"), f"{p.articles:,}", "")
    done = p.statuses.get("done", 0)
    bar = Text.assemble(status_bar(p.statuses), f"  {_pct(done, p.articles)} done")

    per_label = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Spans", title_justify="left")
    per_label.add_column("label")
    per_label.add_column("spans", justify="right")
    per_label.add_column("")
    largest = max(p.spans_per_label.values(), default=0)
    for name, n in _ordered(p.spans_per_label, labels):
        color = labels.color(name)
        per_label.add_row(shown(name, color), f"{n:,}", _bar(n, largest, style=color))
    per_label.add_row(Text("total", style="bold"), f"{p.spans:,}", "")
    parts: list[RenderableType] = [bar, counts, per_label]
    parts.append(render_annotators(p))
    parts.append(render_activity(p))
    return Group(*parts)


def _ordered(counts: dict[str, int], labels: LabelSet) -> list[tuple[str, int]]:
    known = [(name, counts.get(name, 0)) for name in labels.names]
    extra = [(name, n) for name, n in sorted(counts.items()) if name not in labels.names]
    return known + extra


def render_annotators(p: Progress) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Annotators", title_justify="left")
    for header in ("annotator", "spans", "articles", "actions", "last active"):
        table.add_column(
            header, justify="left" if header in ("annotator", "last active") else "right"
        )
    for a in p.annotators:
        last = (a.last_active or "")[:16].replace("T", " ")
        table.add_row(
            shown(a.annotator), f"{a.spans:,}", f"{a.articles:,}", f"{a.actions:,}", shown(last)
        )
    if not p.annotators:
        return Text("No annotations yet.", style="grey50")
    return table


def render_activity(p: Progress) -> RenderableType:
    """One row per day: articles touched, actions, a bar, and who did it."""
    if not p.daily:
        return Text("No recorded activity.", style="grey50")
    table = Table(
        box=box.SIMPLE_HEAD, pad_edge=False, title="Recent activity", title_justify="left"
    )
    table.add_column("day")
    table.add_column("articles", justify="right")
    table.add_column("actions", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("by annotator (articles)", overflow="fold", ratio=1)
    largest = max(d.articles for d in p.daily)
    who: dict[str, list[str]] = {}
    for act in p.activity:
        who.setdefault(act.day, []).append(f"{act.annotator} {act.articles:,}")
    for d in p.daily:
        table.add_row(
            shown(d.day),
            f"{d.articles:,}",
            f"{d.actions:,}",
            _bar(d.articles, largest, width=16, style="cyan"),
            shown(", ".join(who.get(d.day, []))),
        )
    return table


def _histogram(title: str, buckets: dict[str, int], color: str) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, title=title, title_justify="left")
    table.add_column("", justify="right")
    table.add_column("", justify="right")
    table.add_column("")
    largest = max(buckets.values(), default=0)
    for bucket, n in buckets.items():
        table.add_row(bucket, f"{n:,}", _bar(n, largest, width=12, style=color))
    return table


def render_label(ls: LabelStats, labels: LabelSet) -> RenderableType:
    color = labels.color(ls.label)
    head = Text.assemble(
        (printable(ls.label), f"bold {color}"),
        f"  {_count(ls.spans, 'span')}, {_count(ls.distinct_forms, 'distinct form')}",
    )
    if not ls.spans:
        return Group(head, Text("  no spans", style="grey50"))
    forms = Table(box=None, pad_edge=False, title="Top forms", title_justify="left")
    forms.add_column("form", overflow="ellipsis", no_wrap=True, max_width=40)
    forms.add_column("spans", justify="right")
    for fc in ls.top_forms:
        forms.add_row(shown(fc.form), f"{fc.count:,}")
    row = Table.grid(padding=(0, 3))
    row.add_row(
        forms,
        _histogram("Syllables", ls.syllables, color),
        _histogram("Characters", ls.chars, color),
    )
    return Group(head, row, Text(""))


def render_labels(label_stats: Sequence[LabelStats], labels: LabelSet) -> RenderableType:
    return Group(*(render_label(ls, labels) for ls in label_stats))


class ArticlesView:
    """The per-article table, fitted to the width: the title column gives way first."""

    def __init__(self, table: ArticleTable, labels: LabelSet) -> None:
        self.table = table
        self.labels = labels

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t = self.table
        names = list(t.rows[0].per_label) if t.rows else self.labels.names
        headers = ["id", "title", "status", "chars", *(printable(n[:3]) for n in names)]
        headers += ["spans", "/1k"]
        cells = [
            [
                str(r.id),
                printable(r.title),
                r.status.replace("_", " "),
                f"{r.chars:,}",
                *(f"{r.per_label.get(name, 0):,}" for name in names),
                f"{r.spans:,}",
                f"{r.density:.2f}",
            ]
            for r in t.rows
        ]
        widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
        others = sum(widths) - widths[1] + 3 * (len(headers) - 1) + 2  # gaps and edges
        title_width = max(8, min(TITLE_WIDTH, options.max_width - others))
        direction = "descending" if t.descending else "ascending"
        table = Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            title=shown(f"{len(t.rows):,} of {t.total:,} articles, by {t.sort} ({direction})"),
            title_justify="left",
        )
        for i, header in enumerate(headers):
            is_title = i == 1
            table.add_column(
                Text(header),
                justify="left" if i in (1, 2) else "right",
                no_wrap=True,
                overflow="ellipsis",
                width=title_width if is_title else widths[i],
                style=self.labels.color(names[i - 4]) if 4 <= i < 4 + len(names) else "",
            )
        for r, row in zip(t.rows, cells, strict=True):
            status = Text(row[2], style=STATUS_COLORS.get(r.status, ""))
            table.add_row(*map(Text, row[:2]), status, *map(Text, row[3:]))
        yield table


def render_articles(t: ArticleTable, labels: LabelSet) -> RenderableType:
    if not t.total:  # a bare header row reads like a bug
        return Text(
            "No article to list: none is in progress or done, or none matches the filter "
            "(--status new lists untouched ones).",
            style="grey50",
        )
    return ArticlesView(t, labels)


def _places(items: Sequence[str], shown: int = MAX_PLACES) -> str:
    more = f" … {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def render_consistency(c: Consistency, labels: LabelSet) -> RenderableType:
    parts: list[RenderableType] = []
    if c.conflicts:
        table = Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            title="Same form, different labels",
            title_justify="left",
        )
        table.add_column("form", overflow="fold", ratio=1)
        table.add_column("labels")
        table.add_column("where (article@offset)", overflow="fold", ratio=1)
        for conflict in c.conflicts:
            tags = Text(", ").join(
                shown(f"{name} {n:,}", labels.color(name)) for name, n in conflict.labels.items()
            )
            places = _places(
                [f"{where(loc)} {(loc.label or '')[:3]}" for loc in conflict.locations]
            )
            table.add_row(shown(conflict.form), tags, shown(places))
        parts.append(table)
    else:
        parts.append(Text("No form is tagged with more than one label.", style="green"))
    if c.untagged:
        table = Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            title="Tagged here, untagged elsewhere (most untagged first; "
            f"{c.forms_checked} forms checked)",
            title_justify="left",
        )
        table.add_column("form", overflow="fold", ratio=1)
        table.add_column("label")
        table.add_column("tagged", justify="right")
        table.add_column("untagged", justify="right")
        table.add_column("where (article@offset)", overflow="fold", ratio=1)
        for u in c.untagged:
            more = "+" if u.truncated else ""
            table.add_row(
                shown(u.form),
                shown(u.label, labels.color(u.label)),
                f"{u.tagged:,}",
                f"{u.untagged:,}{more}",
                shown(_places([where(loc) for loc in u.locations])),
            )
        parts.append(table)
    else:
        parts.append(
            Text(
                f"The {c.forms_checked} most tagged forms are tagged wherever they occur.",
                style="green",
            )
        )
    if c.suspect:
        parts.append(render_suspect(c.suspect, labels))
    return Group(*parts)


def render_suspect(suspect: Sequence[SuspectTag], labels: LabelSet) -> RenderableType:
    """Tags of forms the label guide calls non-entities on their own: likely wrong."""
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title="Likely wrong tags: not entities on their own (label guide)",
        title_justify="left",
    )
    table.add_column("form", overflow="fold", ratio=1)
    table.add_column("label")
    table.add_column("tagged", justify="right")
    table.add_column("why", overflow="fold", ratio=1)
    table.add_column("where (article@offset)", overflow="fold", ratio=1)
    for t in suspect:
        table.add_row(
            shown(t.form),
            shown(t.label, labels.color(t.label)),
            f"{t.tagged:,}",
            t.why,
            shown(_places([where(loc) for loc in t.locations])),
        )
    return table


def _by_source(
    rows: Sequence[SourceQuality], keep: Callable[[SourceQuality], bool]
) -> list[list[SourceQuality]]:
    """Per source: its kept label rows, then its total when it has more than one."""
    groups: dict[str, list[SourceQuality]] = {}
    totals: dict[str, SourceQuality] = {}
    for row in rows:
        if row.label == TOTAL:
            totals[row.source] = row
        elif keep(row):
            groups.setdefault(row.source, []).append(row)
    return [
        [*group, totals[source]] if len(group) > 1 and source in totals else group
        for source, group in groups.items()
    ]


def _label_cell(row: SourceQuality, labels: LabelSet) -> Text:
    if row.label == TOTAL:
        return Text("(all)", style="bold")
    return shown(row.label, labels.color(row.label))


def render_acceptance(rows: Sequence[SourceQuality], labels: LabelSet) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD, pad_edge=False, title="Acceptance by source", title_justify="left"
    )
    for header in ("source", "label", "accepted", "rejected", "pending", "rate"):
        table.add_column(header, justify="left" if header in ("source", "label") else "right")
    for group in _by_source(rows, lambda r: bool(r.accepted + r.rejected + r.pending)):
        for i, r in enumerate(group):
            rate = f"{100 * r.rate:.1f}%" if r.rate is not None else "–"
            table.add_row(
                shown(r.source),
                _label_cell(r, labels),
                f"{r.accepted:,}",
                f"{r.rejected:,}",
                f"{r.pending:,}",
                rate,
                style="bold" if r.label == TOTAL else None,
                end_section=i == len(group) - 1,
            )
    return table


def render_quality(
    rows: Sequence[SourceQuality],
    labels: LabelSet,
    *,
    articles: int,
    eligible: int | None = None,
    basis: str = "done",
) -> RenderableType:
    """Exact and overlap P/R/F1 of each source against the accepted spans."""
    if not articles:
        return Text("No done or tagged articles to score the suggestions against.", style="grey50")
    which = "done" if basis == "done" else "tagged (none done)"
    scored = _count(articles, "article")
    if eligible is not None and eligible > articles:
        scored = f"the newest {articles:,} of {eligible:,} articles"
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=f"Against accepted spans: {scored} {which}, P/R/F1 in %",
        title_justify="left",
        caption="~ : overlap (same label, ranges intersect, each span matched once)",
        caption_justify="left",
        collapse_padding=True,
    )
    for header in ("source", "label", "gold", "pred", "P", "R", "F1", "P~", "R~", "F1~"):
        left = header in ("source", "label")
        table.add_column(header, justify="left" if left else "right", no_wrap=True)
    for group in _by_source(rows, lambda r: bool(r.exact.gold or r.exact.predicted)):
        for i, r in enumerate(group):
            table.add_row(
                shown(r.source),
                _label_cell(r, labels),
                f"{r.exact.gold:,}",
                f"{r.exact.predicted:,}",
                *_measures(r.exact),
                *_measures(r.overlap),
                style="bold" if r.label == TOTAL else None,
                end_section=i == len(group) - 1,
            )
    return table


def render_suggestions(
    rows: Sequence[SourceQuality],
    labels: LabelSet,
    *,
    articles: int = 0,
    eligible: int | None = None,
    basis: str = "done",
) -> RenderableType:
    """Decisions per source and label, then how the proposals match the accepted spans."""
    return Group(
        render_acceptance(rows, labels),
        render_quality(rows, labels, articles=articles, eligible=eligible, basis=basis),
    )


def section_renderables(stats: Stats, labels: LabelSet) -> list[tuple[str, RenderableType]]:
    """(title, renderable) per computed section, in order; suggestions only when there are any."""
    out: list[tuple[str, RenderableType]] = []
    if stats.progress is not None:
        out.append(("Progress", render_progress(stats.progress, labels)))
    if stats.label_stats is not None:
        out.append(("Labels", render_labels(stats.label_stats, labels)))
    if stats.articles is not None:
        out.append(("Per article", render_articles(stats.articles, labels)))
    if stats.consistency is not None:
        out.append(("Consistency", render_consistency(stats.consistency, labels)))
    if stats.suggestions:
        suggestions = render_suggestions(
            stats.suggestions,
            labels,
            articles=stats.scored_articles,
            eligible=stats.scored_eligible,
            basis=stats.scored_basis,
        )
        out.append(("Suggestions", suggestions))
    if stats.agreement is not None:
        out.append(("Agreement", render_agreement(stats.agreement, labels)))
    return out


def filter_line(stats: Stats) -> Text | None:
    f = stats.filter
    parts = []
    if f.status:
        parts.append(f"status {', '.join(f.status)}")
    if f.annotator:
        parts.append(f"annotator {f.annotator}")
    if f.since or f.until:
        parts.append(f"article date {f.since or '…'} – {f.until or '…'}")
    if f.search:
        parts.append(f"search “{f.search}”")
    return shown("Filtered: " + "; ".join(parts), "italic") if parts else None


def render_stats(stats: Stats, labels: LabelSet) -> RenderableType:
    """The whole summary: a rule per section, then its tables."""
    parts: list[RenderableType] = []
    line = filter_line(stats)
    if line is not None:
        parts.append(line)
    for title, renderable in section_renderables(stats, labels):
        parts.append(Rule(title, align="left", style="grey50"))
        parts.append(renderable)
    return Group(*parts)
