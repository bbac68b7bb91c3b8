"""``partybuild export`` and ``partybuild import-annotations``: training data out and back in."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partybuild_tui import config
from partybuild_tui.cli.app import (
    DbOption,
    SearchOption,
    command,
    console,
    err_console,
    open_store,
    progress_bar,
    report_line,
)
from partybuild_tui.core.choices import EXPORT_FORMATS as FORMATS
from partybuild_tui.core.choices import IMPORT_FORMATS, STATUSES
from partybuild_tui.core.display import printable, shown
from partybuild_tui.errors import UserError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from partybuild_tui.core.export import ExportSummary
    from partybuild_tui.core.export.importer import ImportReport
    from partybuild_tui.core.export.swap import Cleaned

SHOW_SKIPPED = 20
# a choice, so the help lists the formats and shell completion offers them
ExportFormat = StrEnum("ExportFormat", {name: name for name in FORMATS})  # type: ignore[misc]
ImportFormat = StrEnum("ImportFormat", {name: name for name in IMPORT_FORMATS})  # type: ignore[misc]
GUESS_FORMAT = ImportFormat("auto")
JOINERS = {"_": "_", "underscore": "_", "space": " ", " ": " "}


@command("export")
def export_command(
    fmt: Annotated[
        ExportFormat,
        typer.Argument(metavar="FORMAT", help=f"One of: {', '.join(FORMATS)}.", show_default=False),
    ],
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="File, folder (ends with '/', exists, or has no extension) or '-' for stdout "
            "[default: exports/FORMAT/ beside the database].",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Articles with this status (repeatable; 'any' for all): "
            f"{', '.join(STATUSES)} [default: done].",
            show_default=False,
        ),
    ] = None,
    search: SearchOption = None,
    layer: Annotated[
        str | None,
        typer.Option(
            "--layer",
            metavar="LAYER",
            help="Whose spans and statuses: an annotator, 'review' (the review layer) or "
            "'review:NAME' [default: the only layer; with several, choose one].",
            show_default=False,
        ),
    ] = None,
    annotator: Annotated[
        str | None,
        typer.Option("--annotator", "-a", help="The same as --layer NAME."),
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="Train/dev/test ratios by article, e.g. 0.8,0.1,0.1.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the split.")] = 13,
    level: Annotated[str, typer.Option(help="Token formats: 'word' or 'syllable'.")] = "word",
    word_joiner: Annotated[
        str | None,
        typer.Option(
            help="Join a word's syllables with '_' (PhoNER) or 'space' "
            "(default: '_'; 'space' with --vlsp, as the VLSP 2016 files).",
            show_default=False,
        ),
    ] = None,
    vlsp: Annotated[
        bool, typer.Option("--vlsp", help="CoNLL in VLSP 2016 columns: word POS chunk NER.")
    ] = False,
    cut: Annotated[
        str,
        typer.Option(
            help="A span edge inside a token: 'split' the token there, 'expand' the span to "
            "the token or 'drop' the span."
        ),
    ] = "split",
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail instead of adjusting any span.")
    ] = False,
    scheme: Annotated[
        str, typer.Option(help="Token formats: tags in 'iob2', 'bioes' or 'bilou'.")
    ] = "iob2",
    docstart: Annotated[
        bool | None,
        typer.Option(
            help="CoNLL: a -DOCSTART- line before each article (default: on; off with --vlsp).",
            show_default=False,
        ),
    ] = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="--split: write a part even if it is empty.")
    ] = False,
    predictions: Annotated[
        bool,
        typer.Option(
            "--predictions", help="labelstudio: pre-annotated tasks (predictions) to review."
        ),
    ] = False,
    include_superseded: Annotated[
        bool, typer.Option("--include-superseded", help="Also old versions of changed files.")
    ] = False,
    processes: Annotated[
        int, typer.Option(help="Processes for segmenting articles never segmented.", min=1)
    ] = max(1, min(os.cpu_count() or 1, 4)),
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every adjusted span.")
    ] = False,
) -> None:
    """Export accepted spans as training data (done articles by default).

    The spans and statuses are one layer's: the only one there is, else the one --layer
    names (--layer review: the reviewer's decisions from `partybuild review`).
    """
    from partybuild_tui.core.export import (
        ExportOptions,
        Selection,
        TokenOptions,
        export,
        parse_ratios,
    )
    from partybuild_tui.core.export.bio import SCHEMES
    from partybuild_tui.core.export.select import resolve_layer
    from partybuild_tui.core.export.tokens import CUT_POLICIES, LEVELS

    if layer and annotator and layer != annotator:
        raise UserError(f"--layer {layer} and --annotator {annotator}: give one of them")
    with open_store(db, create=False) as store:
        chosen = resolve_layer(store, layer or annotator)
    options = ExportOptions(
        format=fmt.value,
        selection=Selection(
            statuses=_statuses(status),
            query=search,
            annotator=chosen,
            include_superseded=include_superseded,
        ),
        split=parse_ratios(split) if split else None,
        seed=seed,
        tokens=TokenOptions(
            level=_choice("--level", level, LEVELS),
            cut=_choice("--cut", cut, CUT_POLICIES),
            strict=strict,
            scheme=_choice("--scheme", scheme, SCHEMES),
        ),
        joiner=None if word_joiner is None else _joiner(word_joiner),
        vlsp=vlsp,
        docstart=docstart,
        allow_empty=allow_empty,
        predictions=predictions,
    )
    with open_store(db, create=False) as store, progress_bar("{task.description}") as bar:
        labels = config.load_labels(store.path)
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        summary = export(store, options, out, labels, processes=processes, progress=progress)
    print_summary(summary, err_console() if summary.to_stdout else console(), verbose)


def _statuses(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ("done",)
    if "any" in values:
        return ()
    for value in values:
        if value not in STATUSES:
            raise UserError(f"unknown status {value!r}; use one of {', '.join(STATUSES)}, any")
    return tuple(dict.fromkeys(values))


def _choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UserError(f"{option} {value!r}: use one of {', '.join(allowed)}")
    return value


def _joiner(value: str) -> str:
    if value not in JOINERS:
        raise UserError(f"--word-joiner {value!r}: use '_' or 'space'")
    return JOINERS[value]


def print_summary(summary: ExportSummary, target: Console, verbose: bool = False) -> None:
    """The export summary: per split counts, spans per label and every adjustment."""
    from rich.table import Table
    from rich.text import Text

    splits = list(summary.articles)
    table = Table(title=f"Export ({summary.format})", title_justify="left")
    table.add_column("")
    for split in splits:
        table.add_column(split, justify="right")
    if len(splits) > 1:
        table.add_column("total", justify="right")

    def row(name: str, counts: dict[str, int]) -> None:
        cells = [f"{counts.get(split, 0):,}" for split in splits]
        if len(splits) > 1:
            cells.append(f"{sum(counts.get(split, 0) for split in splits):,}")
        table.add_row(name, *cells)

    row("articles", summary.articles)
    if summary.token_level:
        row("sentences", summary.sentences)
        row("tokens", summary.tokens)
    target.print(table)
    spans = Table(title="Spans written", title_justify="left", show_header=False)
    spans.add_column()
    spans.add_column(justify="right")
    for label, count in sorted(summary.spans.items()):
        spans.add_row(shown(label), f"{count:,}")
    spans.add_row("total", f"{sum(summary.spans.values()):,}", style="bold")
    target.print(spans)
    if summary.token_level:
        adjusted = Table(title="Spans adjusted", title_justify="left", show_header=False)
        adjusted.add_column()
        adjusted.add_column(justify="right")
        for kind, count in sorted(summary.adjusted.items()):
            adjusted.add_row(shown(kind), f"{count:,}", style="yellow")
        if not summary.adjusted:
            adjusted.add_row("none: every span fits the tokens exactly", "0")
        target.print(adjusted)
        listed = summary.details if verbose else summary.details[:SHOW_SKIPPED]
        for line in listed:
            target.print(report_line("adjusted", "yellow", line), soft_wrap=True)
        hidden = sum(summary.adjusted.values()) - len(listed)
        if hidden > 0:
            target.print(f"  … and {hidden:,} more (--verbose lists up to 1,000)")
    for path in summary.files:
        written = f"{path}/" if summary.format == "brat" else str(path)
        target.print(Text(f"wrote {printable(written)}"), soft_wrap=True)
    if summary.cleaned:
        target.print(describe_cleaned(summary.cleaned), highlight=False, soft_wrap=True)


def describe_cleaned(cleaned: Cleaned) -> str:
    """What this export removed (or put back) of what interrupted exports left."""
    parts = []
    if cleaned.folders:
        parts.append(f"{cleaned.folders:,} temporary folder{'s' if cleaned.folders > 1 else ''}")
    if cleaned.files:
        parts.append(f"{cleaned.files:,} temporary file{'s' if cleaned.files > 1 else ''}")
    lines = []
    if parts:
        where = ", ".join(sorted(cleaned.where))
        lines.append(
            f"removed {' and '.join(parts)} left by interrupted exports "
            f"({cleaned.size / 1e6:,.1f} MB) in {where}"
        )
    lines += [f"put back {path}/, left aside by an interrupted export" for path in cleaned.restored]
    return "\n".join(lines)


@command("import-annotations")
def import_annotations_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="This tool's JSONL, doccano or Prodigy JSONL, a brat .ann/.txt or a folder."
        ),
    ],
    db: DbOption = None,
    fmt: Annotated[
        ImportFormat,
        typer.Option("--format", metavar="FORMAT", help=f"One of: {', '.join(IMPORT_FORMATS)}."),
    ] = GUESS_FORMAT,
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator",
            "-a",
            help="Credit every span to this annotator [default: the file's, else "
            f"${config.ANNOTATOR_ENV} or your login].",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="Status of articles the import stores as new [default: the file's or 'new'].",
            show_default=False,
        ),
    ] = None,
    map_label: Annotated[
        list[str] | None,
        typer.Option(
            "--map-label",
            help="Rename a file's label before it is checked, e.g. PER=FIGURE (repeatable).",
        ),
    ] = None,
    as_suggestions: Annotated[
        bool,
        typer.Option(
            "--as-suggestions",
            help="Store the spans as pending suggestions (source import:FORMAT) to review.",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every skip.")] = False,
) -> None:
    """Import labeled spans; texts are matched by content, spans checked and never duplicated."""
    from partybuild_tui.core.export import import_annotations

    if status is not None and status not in STATUSES:
        raise UserError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    with open_store(db) as store:
        report = import_annotations(
            store,
            path,
            labels=config.load_labels(store.path),
            default_annotator=config.annotator_name(),
            annotator=annotator,
            fmt=fmt.value,
            status=status,
            label_map=_label_map(map_label or []),
            as_suggestions=as_suggestions,
        )
    print_import(report, verbose)
    if report.skipped and not report.spans_imported and not report.records:
        raise typer.Exit(1)


def _label_map(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UserError(f"--map-label {value!r}: give OLD=NEW, e.g. PER=FIGURE")
        out[old.strip()] = new.strip()
    return out


def print_import(report: ImportReport, verbose: bool) -> None:
    from rich.table import Table

    from partybuild_tui.core.export.importer import summarize

    table = Table(title="Import of annotations", show_header=False, title_justify="left")
    for name, value in summarize(report):
        style = "red" if name == "skipped" and report.skipped else None
        table.add_row(shown(name), value, style=style)
    console().print(table)
    listed = report.skipped if verbose else report.skipped[:SHOW_SKIPPED]
    for where, reason in listed:
        console().print(report_line("skipped", "red", f"{where}: {reason}"), soft_wrap=True)
    if len(listed) < len(report.skipped):
        console().print(f"  … and {len(report.skipped) - len(listed)} more (--verbose lists all)")
