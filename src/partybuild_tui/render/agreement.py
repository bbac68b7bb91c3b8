"""Rich renderables of the agreement figures, for ``partybuild agreement`` and the stats.

Presentation only (``core.stats.agreement`` computes): coefficients on a line, the pairwise
span scores per label, then the most frequent disagreement forms. Stored strings (names,
labels, forms) go in as ``shown`` text, never as markup.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from partybuild_tui.config import LabelSet
from partybuild_tui.core.display import printable, shown
from partybuild_tui.core.stats import UNTAGGED, Agreement, Disagreement, PairAgreement, Scores
from partybuild_tui.render.scores import measures

HOW_TO = "No article done by two annotators yet (each marks it done: partybuild annotate -a NAME)."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _coefficient(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_agreement(a: Agreement, labels: LabelSet) -> RenderableType:
    """The summary line, the pairs table and the disagreements; one line when there is none."""
    if not a.articles:
        if len(a.available) >= 2 and a.annotators != a.available:
            names = ", ".join(a.annotators)
            return shown(f"{names} finished no article in common.", "grey50")
        return Text(HOW_TO, style="grey50")
    parts: list[RenderableType] = [_headline(a), render_pairs(a.pairs, labels)]
    if a.disagreements:
        parts.append(render_disagreements(a.disagreements, labels))
    else:
        parts.append(Text("No disagreement: every tagged range is tagged alike.", style="green"))
    return Group(*parts)


def _headline(a: Agreement) -> Text:
    only = f", label {printable(a.label)} only" if a.label else ""
    line = Text.assemble(
        shown(
            f"{', '.join(a.annotators)} on {_count(a.articles, 'article')} finished by two or more"
        ),
        f" ({_count(a.tokens, 'token')}{only}): ",
        ("Krippendorff's α ", "bold"),
        _coefficient(a.alpha),
    )
    if a.fleiss is not None:
        line.append_text(Text.assemble("  ", ("Fleiss' κ ", "bold"), _coefficient(a.fleiss)))
    return line


def render_pairs(pairs: list[PairAgreement], labels: LabelSet) -> RenderableType:
    """One table per pair: its labels, then ``(all)``; Cohen's κ in the title."""
    tables = [_pair_table(pair, labels) for pair in pairs]
    caption = Text(
        "P/R/F1 in %, the second annotator's spans against the first's; ~ : overlap (same "
        "label, ranges intersect, each span matched once); κ: Cohen's kappa over tokens",
        style="grey50",
    )
    return Group(*tables, caption)


def _pair_table(pair: PairAgreement, labels: LabelSet) -> Table:
    title = Text.assemble(
        shown(f"{pair.reference} vs {pair.other}", "bold"),
        f": {_count(pair.articles, 'article')}, {_count(pair.tokens, 'token')}, "
        f"κ {_coefficient(pair.kappa)}",
    )
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=title,
        title_justify="left",
        collapse_padding=True,
    )
    table.add_column("label", no_wrap=True)
    for header in (pair.reference, pair.other, "P", "R", "F1", "P~", "R~", "F1~"):
        table.add_column(shown(header), justify="right", no_wrap=True)
    for row in pair.labels:
        table.add_row(shown(row.label, labels.color(row.label)), *_cells(row.exact, row.overlap))
    table.add_row(
        Text("(all)", style="bold"),
        *_cells(pair.exact, pair.overlap),
        style="bold",
        end_section=True,
    )
    return table


def _cells(exact: Scores, overlap: Scores) -> list[str]:
    return [f"{exact.gold:,}", f"{exact.predicted:,}", *measures(exact), *measures(overlap)]


def render_disagreements(rows: list[Disagreement], labels: LabelSet) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title="Most frequent disagreements (the same range, tagged otherwise or not at all)",
        title_justify="left",
        collapse_padding=True,
    )
    for header in ("form", "reference", "its label", "other", "its label", "times", "first at"):
        table.add_column(header, justify="right" if header == "times" else "left")
    for d in rows:
        table.add_row(
            shown(d.form),
            shown(d.reference),
            _label(d.reference_label, labels),
            shown(d.other),
            _label(d.other_label, labels),
            f"{d.count:,}",
            f"#{d.article_id}@{d.start}",
        )
    return table


def _label(label: str, labels: LabelSet) -> Text:
    if label == UNTAGGED:
        return Text(label, style="grey50 italic")
    return shown(label, labels.color(label))
