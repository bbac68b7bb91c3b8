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
from partybuild_tui.core.display import shown
from partybuild_tui.core.stats import UNTAGGED, Agreement, Disagreement, PairAgreement
from partybuild_tui.render.scores import measures

HOW_TO = "No article done by two annotators yet (each marks it done: partybuild annotate -a NAME)."


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
    only = f", label {a.label} only" if a.label else ""
    line = Text.assemble(
        shown(f"{', '.join(a.annotators)} on {a.articles:,} articles finished by two or more"),
        f" ({a.tokens:,} tokens{only}): ",
        ("Krippendorff's α ", "bold"),
        _coefficient(a.alpha),
    )
    if a.fleiss is not None:
        line.append_text(Text.assemble("  ", ("Fleiss' κ ", "bold"), _coefficient(a.fleiss)))
    return line


def render_pairs(pairs: list[PairAgreement], labels: LabelSet) -> Table:
    """Per pair: its overall row (with Cohen's κ over tokens), then one row per label."""
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title="Pairs: spans of the second scored against the first's, P/R/F1 in %",
        title_justify="left",
        caption="~ : overlap (same label, ranges intersect, each span matched once); "
        "κ: Cohen's kappa over tokens",
        caption_justify="left",
        collapse_padding=True,
    )
    headers = ("reference", "other", "label", "art.", "ref", "oth", "P", "R", "F1")
    for header in (*headers, "P~", "R~", "F1~", "κ"):
        left = header in ("reference", "other", "label")
        table.add_column(header, justify="left" if left else "right", no_wrap=True)
    for pair in pairs:
        table.add_row(
            shown(pair.reference),
            shown(pair.other),
            Text("(all)", style="bold"),
            f"{pair.articles:,}",
            f"{pair.exact.gold:,}",
            f"{pair.exact.predicted:,}",
            *measures(pair.exact),
            *measures(pair.overlap),
            _coefficient(pair.kappa),
            style="bold",
            end_section=not pair.labels,
        )
        for i, row in enumerate(pair.labels):
            table.add_row(
                "",
                "",
                shown(row.label, labels.color(row.label)),
                "",
                f"{row.exact.gold:,}",
                f"{row.exact.predicted:,}",
                *measures(row.exact),
                *measures(row.overlap),
                "",
                end_section=i == len(pair.labels) - 1,
            )
    return table


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
