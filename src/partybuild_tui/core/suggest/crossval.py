"""`evaluate GOLD --folds K`: how well the model (and every source together) does on
articles it was not trained on, and how that grows with the number of training articles.

The gold file's articles are split into K folds by article; each fold is scored by models
trained on the other K-1 folds (memory, too, knows only the other folds' spans). The curve
trains on the first n training articles of each fold for growing n: the answer to "are
another hundred articles worth annotating?".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from partybuild_tui.core import crf
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest import engine, model, training
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.suggest.training import Counts, Example
from partybuild_tui.errors import UserError

Progress = Callable[[str, int, int], None]


@dataclass
class CurvePoint:
    articles: int  # training articles per fold
    model: Counts = field(default_factory=Counts)
    combined: Counts = field(default_factory=Counts)


@dataclass
class FoldReport:
    folds: int
    articles: int
    gold_spans: int
    model: Counts
    combined: Counts
    baseline: Counts  # every source but the model, accept-all
    curve: list[CurvePoint]


def curve_sizes(most: int, points: int = 5) -> list[int]:
    """Training-set sizes for the curve: up to ``points`` sizes from 1 to ``most``."""
    if most <= 0:
        return []
    step = max(1, most // points)
    sizes = sorted({*range(step, most + 1, step), most})
    return sizes[-points:] if len(sizes) > points else sizes


def score_fold(
    trained: model.Trained | None,
    patterns: Patterns,
    held: Sequence[Example],
    train_part: Sequence[Example],
) -> tuple[Counts, Counts]:
    """(model alone, every source together) on the held-out articles."""
    alone, together = Counts(), Counts()
    for ex in held:
        if trained is not None:
            alone.add(training.as_gold(training.model_proposals(trained, patterns, ex)), ex.spans)
        else:
            alone.add([], ex.spans)
        together.add(
            training.as_gold(training.combined(trained, patterns, ex, train_part)), ex.spans
        )
    return alone, together


def evaluate_folds(
    store: Store,
    examples: Sequence[Example],
    k: int,
    *,
    options: crf.TrainOptions | None = None,
    progress: Progress | None = None,
) -> FoldReport:
    if k < 2:
        raise UserError("--folds must be 2 or more (each fold is scored by the others)")
    if len(examples) < k:
        raise UserError(
            f"--folds {k} needs at least {k} gold articles; the file matches {len(examples)}"
        )
    patterns = engine.patterns_for(store)
    splits = training.folds_of(examples, k)
    most = min(len(part) for part, _held in splits)
    sizes = curve_sizes(most)
    curve = {n: CurvePoint(n) for n in sizes}
    total_model, total_combined, baseline = Counts(), Counts(), Counts()
    jobs = [
        (fold, n) for fold, (part, _held) in enumerate(splits) for n in sorted({*sizes, len(part)})
    ]
    for done, (fold, n) in enumerate(jobs, 1):
        part, held = splits[fold]
        subset = sorted(part, key=lambda e: e.article.id)[:n]
        trained = _train(subset, patterns, options)
        alone, together = score_fold(trained, patterns, held, subset)
        if n in curve:
            curve[n].model.merge(alone)
            curve[n].combined.merge(together)
        if n == len(part):
            total_model.merge(alone)
            total_combined.merge(together)
            baseline.merge(score_fold(None, patterns, held, part)[1])
        if progress:
            progress("training folds", done, len(jobs))
    return FoldReport(
        folds=k,
        articles=len(examples),
        gold_spans=sum(len(e.spans) for e in examples),
        model=total_model,
        combined=total_combined,
        baseline=baseline,
        curve=[curve[n] for n in sizes],
    )


def _train(
    examples: Sequence[Example], patterns: Patterns, options: crf.TrainOptions | None
) -> model.Trained | None:
    if not any(e.spans for e in examples):
        return None
    return training.fit_examples(examples, patterns, options)
