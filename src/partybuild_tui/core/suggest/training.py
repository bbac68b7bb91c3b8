"""Training the `model` source on done articles, and measuring it honestly by folds.

The examples are the accepted spans of articles marked done (one annotator's layer per
article: the one with the most spans, unless an annotator is named). The other sources'
proposals are features, so their runs are brought up to date first (cached like any run).
Cross-validation holds out whole articles: a model is never scored on text it learned from.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from partybuild_tui.core import crf, tokenize
from partybuild_tui.core.store import Article, ModelRecord, Span, Store, now
from partybuild_tui.core.suggest import engine, features, model
from partybuild_tui.core.suggest.base import Context, Proposal, flatten
from partybuild_tui.core.suggest.memory import MemorySource, bare_forms, lexicon_from
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.tokenize import Tokenization
from partybuild_tui.errors import UserError

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Gold = tuple[int, int, str]


@dataclass(frozen=True)
class Example:
    """One article to learn from (or to score on): its words, gold spans and the hints."""

    article: Article
    tokenization: Tokenization
    spans: tuple[Gold, ...]
    hints: tuple[tuple[str, Proposal], ...]


@dataclass
class TrainReport:
    record: ModelRecord | None
    up_to_date: bool = False
    fold_f1: list[float] = field(default_factory=list)


# ---- examples -----------------------------------------------------------------------------------


def layer(spans: Sequence[Span], annotator: str | None = None) -> list[Span]:
    """One annotator's spans of an article: the named one, else whoever tagged the most."""
    if annotator is not None:
        return [s for s in spans if s.annotator == annotator]
    counts = Counter(s.annotator for s in spans)
    if not counts:
        return []
    chosen = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return [s for s in spans if s.annotator == chosen]


def gather(
    store: Store,
    article_ids: Iterable[int],
    *,
    gold: dict[int, tuple[Gold, ...]] | None = None,
    annotator: str | None = None,
    progress: Progress | None = None,
) -> list[Example]:
    """Examples of these articles: the stored spans (or ``gold``) and the hint sources' runs."""
    ids = list(article_ids)
    out: list[Example] = []
    for done, article_id in enumerate(ids, 1):
        article = store.article(article_id)
        tokens = tokenize.tokenization(store, article)
        engine.compute(store, article_id, model.HINT_SOURCES)
        context = engine.stored_context(store, article_id)
        if gold is not None:
            spans = gold[article_id]
        else:
            tagged = layer(store.spans(article_id), annotator)
            spans = tuple((s.start, s.end, s.label) for s in tagged)
        out.append(Example(article, tokens, spans, tuple(model.hints_of(context))))
        if progress:
            progress("reading articles", done, len(ids))
    return out


def training_hash(examples: Sequence[Example]) -> str:
    """What the model learns from: texts, spans, hints and the feature version."""
    digest = hashlib.sha256(features.FEATURE_VERSION.encode())
    for ex in sorted(examples, key=lambda e: e.article.content_hash):
        hints = sorted((s, p.start, p.end, p.label) for s, p in ex.hints)
        item = [ex.article.content_hash, sorted(ex.spans), hints]
        digest.update(json.dumps(item, ensure_ascii=False).encode())
    return digest.hexdigest()


def sequences(
    examples: Sequence[Example], index: features.ListIndex
) -> tuple[crf.Sequences, crf.Labels, int]:
    """CRF training data: one sequence per body sentence; and the token count."""
    x: crf.Sequences = []
    y: crf.Labels = []
    for ex in examples:
        rows = model.article_rows(ex.article, ex.tokenization, index, ex.hints)
        for sentence, attributes in rows:
            x.append(attributes)
            y.append(features.bio_tags(sentence.tokens, ex.spans))
    return x, y, sum(len(s) for s in x)


# ---- scoring -----------------------------------------------------------------------------------


@dataclass
class Counts:
    """Exact-match counts of proposals against gold spans."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, predicted: Iterable[Gold], gold: Iterable[Gold]) -> None:
        p, g = set(predicted), set(gold)
        self.tp += len(p & g)
        self.predicted += len(p)
        self.gold += len(g)

    def merge(self, other: Counts) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def model_proposals(trained: model.Trained, patterns: Patterns, ex: Example) -> list[Proposal]:
    source = model.ModelSource(trained, patterns)
    raw = source.suggest(ex.article, ex.tokenization, Context(proposals=ex.hints))
    return engine.clean(raw, ex.article, ex.tokenization)


def combined(
    trained: model.Trained | None, patterns: Patterns, ex: Example, memory_from: Sequence[Example]
) -> list[Proposal]:
    """Accept-all of every source on a held-out article: memory knows only ``memory_from``."""
    lexicon = lexicon_from(
        ((e.article.text[s:t], label, 1) for e in memory_from for s, t, label in e.spans),
        never=bare_forms(patterns),
    )
    memory = MemorySource(lexicon).suggest(ex.article, ex.tokenization, Context())
    found = [p for _source, p in ex.hints] + engine.clean(memory, ex.article, ex.tokenization)
    if trained is not None:
        found += model_proposals(trained, patterns, ex)
    return resolve(found)


def resolve(proposals: list[Proposal]) -> list[Proposal]:
    """One proposal per place, as accept-all takes them: higher score, then longer."""
    kept: list[Proposal] = []
    for p in sorted(proposals, key=lambda p: (-p.score, -(p.end - p.start), p.start)):
        if all(p.end <= k.start or k.end <= p.start for k in kept):
            kept.append(p)
    return flatten(kept)


def as_gold(proposals: Iterable[Proposal]) -> list[Gold]:
    return [(p.start, p.end, p.label) for p in proposals]


# ---- training ----------------------------------------------------------------------------------


def fitting(
    examples: Sequence[Example], patterns: Patterns, options: crf.TrainOptions | None = None
) -> crf.Fitting:
    """Start training on these examples in a child process."""
    x, y, _tokens = sequences(examples, features.ListIndex(patterns))
    return crf.Fitting(x, y, options)


def fit_examples(
    examples: Sequence[Example], patterns: Patterns, options: crf.TrainOptions | None = None
) -> model.Trained:
    data = fitting(examples, patterns, options).result()
    return model.Trained(data, training_hash(examples))


def folds_of(examples: Sequence[Example], k: int) -> list[tuple[list[Example], list[Example]]]:
    """(train, held out) pairs: article i is held out in fold i mod k (articles by id)."""
    ordered = sorted(examples, key=lambda e: e.article.id)
    return [
        (
            [e for i, e in enumerate(ordered) if i % k != fold],
            [e for i, e in enumerate(ordered) if i % k == fold],
        )
        for fold in range(k)
    ]


def cross_validate(
    examples: Sequence[Example],
    patterns: Patterns,
    k: int,
    options: crf.TrainOptions | None = None,
    *,
    parallel: int = 2,
) -> tuple[Counts, list[float]]:
    """Micro exact P/R/F1 of the model alone on held-out articles; and each fold's F1.

    ``parallel`` folds train at once, each in its own child process.
    """
    total, per_fold = Counts(), []
    splits = folds_of(examples, k)
    trained_folds: list[tuple[list[Example], model.Trained]] = []
    for first in range(0, len(splits), parallel):
        batch = splits[first : first + parallel]
        jobs = [(held, part, fitting(part, patterns, options)) for part, held in batch]
        for held, part, job in jobs:
            trained_folds.append((held, model.Trained(job.result(), training_hash(part))))
    for held, trained in trained_folds:
        fold = Counts()
        for ex in held:
            fold.add(as_gold(model_proposals(trained, patterns, ex)), ex.spans)
        total.merge(fold)
        per_fold.append(fold.f1)
    return total, per_fold


def examples_of_done(
    store: Store, annotator: str | None = None, progress: Progress | None = None
) -> list[Example]:
    """The done articles with spans, as training examples."""
    ids = store.done_article_ids()
    return [e for e in gather(store, ids, annotator=annotator, progress=progress) if e.spans]


def due(store: Store, every: int) -> bool:
    """Whether ``every`` more articles were marked done since the model was trained."""
    if every <= 0:
        return False
    record = store.latest_model_record(model.NAME)
    return len(store.done_article_ids()) - (record.articles if record else 0) >= every


def train(
    store: Store,
    *,
    annotator: str | None = None,
    folds: int = 5,
    force: bool = False,
    options: crf.TrainOptions | None = None,
    progress: Progress | None = None,
) -> TrainReport:
    """Train on the done articles, cross-validate, store the model; skip if nothing changed."""
    examples = examples_of_done(store, annotator, progress)
    return train_examples(
        store, examples, folds=folds, force=force, options=options, progress=progress
    )


def train_examples(
    store: Store,
    examples: Sequence[Example],
    *,
    folds: int = 5,
    force: bool = False,
    options: crf.TrainOptions | None = None,
    progress: Progress | None = None,
) -> TrainReport:
    """Cross-validate and train on ``examples``, store the model (unless nothing changed)."""
    if not examples:
        raise UserError(
            "no done article has spans to learn from: tag some articles and mark them done (D)"
        )
    digest = training_hash(examples)
    latest = store.latest_model_record(model.NAME)
    if latest is not None and latest.training_hash == digest and not force:
        return TrainReport(latest, up_to_date=True)
    patterns = engine.patterns_for(store)
    started = time.perf_counter()
    k = min(folds, len(examples))
    x, y, tokens = sequences(examples, features.ListIndex(patterns))
    if progress:
        progress("training", 0, 1)
    final = crf.Fitting(x, y, options)
    try:
        scores, per_fold = (
            cross_validate(examples, patterns, k, options, parallel=1) if k >= 2 else (None, [])
        )
        trained = model.Trained(final.result(), digest)
    finally:
        final.cancel()
    record = ModelRecord(
        id=0,
        name=model.NAME,
        version=trained.version,
        training_hash=digest,
        articles=len(examples),
        spans=sum(len(e.spans) for e in examples),
        tokens=tokens,
        folds=k if k >= 2 else 0,
        cv_f1=round(scores.f1, 4) if scores else None,
        seconds=round(time.perf_counter() - started, 2),
        created_at=now(),
    )
    store.save_model(record, trained.data)
    if progress:
        progress("training", 1, 1)
    return TrainReport(store.latest_model_record(model.NAME), fold_f1=per_fold)


def describe(report: TrainReport) -> str:
    """One line about a training, for the status line."""
    record = report.record
    if record is None:
        return "model not trained"
    if report.up_to_date:
        return f"model up to date ({record.articles} articles)"
    cv = f", cross-validated F1 {100 * record.cv_f1:.1f}" if record.cv_f1 is not None else ""
    return f"model retrained on {record.articles} articles, {record.spans} spans{cv}"
