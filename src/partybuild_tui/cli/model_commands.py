"""``partybuild train`` and ``evaluate --folds``: the model that learns from your own tags."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partybuild_tui.cli.app import DbOption, command, console, open_store
from partybuild_tui.cli.app import progress_bar as make_bar
from partybuild_tui.errors import UserError

if TYPE_CHECKING:  # the model's modules load underthesea: only when a command needs them
    from partybuild_tui.core.suggest.crossval import FoldReport
    from partybuild_tui.core.suggest.training import Counts

FoldsOption = Annotated[
    int,
    typer.Option("--folds", "-k", min=2, help="Cross-validation folds (held-out articles)."),
]


class StageBar:
    """One progress bar whose description follows the stage the core reports."""

    def __init__(self) -> None:
        self.bar = make_bar("{task.description}")
        self.task = self.bar.add_task("starting", total=None)

    def __enter__(self) -> StageBar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.bar.update(self.task, description=stage, completed=done, total=total)


@command("train")
def train_command(
    db: DbOption = None,
    annotator: Annotated[
        str | None,
        typer.Option("--annotator", "-a", help="Learn this annotator's spans only."),
    ] = None,
    folds: FoldsOption = 5,
    force: Annotated[
        bool, typer.Option("--force", help="Train even if the training set has not changed.")
    ] = False,
) -> None:
    """Train the `model` suggestion source on the spans of articles marked done."""
    from partybuild_tui.core.suggest import training

    with open_store(db, create=False) as store, StageBar() as bar:
        report = training.train(store, annotator=annotator, folds=folds, force=force, progress=bar)
    record = report.record
    assert record is not None
    if report.up_to_date:
        console().print(
            f"model up to date: trained {record.created_at[:19].replace('T', ' ')} on "
            f"{record.articles} articles, {record.spans} spans (--force retrains)",
            highlight=False,
        )
        return
    cv = (
        f"cross-validated exact F1 {100 * record.cv_f1:.1f} ({record.folds} folds by article: "
        + ", ".join(f"{100 * f:.1f}" for f in report.fold_f1)
        + ")"
        if record.cv_f1 is not None
        else "too few articles for cross-validation"
    )
    console().print(
        f"trained model {record.version} on {record.articles} articles, {record.spans} spans, "
        f"{record.tokens:,} syllables in {record.seconds:.1f} s; {cv}",
        highlight=False,
        soft_wrap=True,
    )
    console().print("its proposals appear as source 'model' (partybuild suggest, or in the app)")


def print_folds(db: Path | None, gold_path: Path, folds: int) -> None:
    """What ``evaluate GOLD --folds K`` prints: held-out figures and the learning curve."""
    from partybuild_tui.core.suggest import crossval, evaluate, training

    with open_store(db, create=False) as store:
        gold = evaluate.load_gold(gold_path)
        matched = {}
        for item in gold:
            article_id = evaluate.find_article(store, item)
            if article_id is not None:
                matched[article_id] = item.spans
        if not matched:
            raise UserError(
                f"none of the {len(gold)} gold articles of {gold_path} is in the database "
                "(import their texts first)"
            )
        with StageBar() as bar:
            examples = training.gather(store, sorted(matched), gold=matched, progress=bar)
            report = crossval.evaluate_folds(store, examples, folds, progress=bar)
    _print_fold_report(report, str(gold_path))


def _row(name: str, c: Counts) -> list[str]:
    return [
        name,
        str(c.gold),
        str(c.predicted),
        f"{100 * c.precision:.1f}",
        f"{100 * c.recall:.1f}",
        f"{100 * c.f1:.1f}",
    ]


def _print_fold_report(report: FoldReport, where: str) -> None:
    from rich import box
    from rich.table import Table

    table = Table(
        title=(
            f"Held-out articles of {where}: {report.articles} articles, {report.gold_spans} "
            f"spans, {report.folds} folds (exact match, %)"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for header in ("source", "gold", "pred", "P", "R", "F1"):
        table.add_column(header, justify="left" if header == "source" else "right")
    table.add_row(*_row("model", report.model))
    table.add_row(*_row("rules+ner+byline+memory", report.baseline))
    table.add_row(*_row("all sources (accept all)", report.combined), style="bold")
    console().print(table)
    curve = Table(
        title="Learning curve: F1 on held-out articles by training articles per fold",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for header in ("training articles", "model F1", "all sources F1"):
        curve.add_column(header, justify="right")
    for point in report.curve:
        curve.add_row(
            str(point.articles), f"{100 * point.model.f1:.1f}", f"{100 * point.combined.f1:.1f}"
        )
    console().print(curve)
