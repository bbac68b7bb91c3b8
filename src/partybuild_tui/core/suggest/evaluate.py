"""Precision, recall and F1 of suggestions against gold spans, per source and per label.

Gold is either a JSONL file in the export form (one article a line: id, title, text, spans
[{start, end, label, text}]) or the accepted spans in the database. Two matchings are
reported (``core.stats.matching``): exact (same start, end and label) and overlap (same
label, ranges intersect; one to one, as many pairs as possible). The "all" source is what
``accept_all`` would produce from every source together: the flat, resolved set. With a gold
file, "memory-loo" is what the memory source proposes in each gold article once all the
others are tagged as in the gold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partybuild_tui.core import corpus, tokenize
from partybuild_tui.core.export.importer import normalized_offsets
from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.stats.matching import Item, Scores, match
from partybuild_tui.core.stats.quality import TOTAL, SourceQuality, source_quality
from partybuild_tui.core.store import Store, Suggestion
from partybuild_tui.core.suggest import engine
from partybuild_tui.core.suggest.base import Context
from partybuild_tui.core.suggest.memory import MemorySource, lexicon_from
from partybuild_tui.errors import UserError

ALL = "all"
MEMORY_LOO = "memory-loo"
MODES = ("exact", "overlap")


@dataclass
class Report:
    """Scores per (source, label, mode); label TOTAL sums over labels."""

    scores: dict[tuple[str, str, str], Scores] = field(default_factory=dict)
    articles: int = 0
    gold_spans: int = 0  # zero: nothing to score against, every P/R/F1 would be a bare 0
    unmatched: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(k[0] for k in self.scores))

    def labels(self, source: str) -> list[str]:
        return list(dict.fromkeys(k[1] for k in self.scores if k[0] == source))

    def get(self, source: str, label: str, mode: str) -> Scores:
        return self.scores.get((source, label, mode), Scores())


def score_sources(
    predictions: dict[str, list[Item]], gold: list[Item], labels: Sequence[str]
) -> Report:
    """A report over every source's predictions against one gold set."""
    report = Report()
    for source, items in predictions.items():
        for mode in MODES:
            total = Scores()
            for label in labels:
                scores = match(
                    [i for i in items if i[3] == label], [g for g in gold if g[3] == label], mode
                )
                report.scores[(source, label, mode)] = scores
                total = total + scores
            report.scores[(source, TOTAL, mode)] = total
    return report


# ---- gold ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldArticle:
    id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


def load_gold(path: Path) -> list[GoldArticle]:
    """Read a gold JSONL file; any bad line is a one-line error naming the file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read gold file {path}: {exc.strerror or exc}") from exc
    try:
        lines = corpus.decode(raw).splitlines()
    except corpus.UnreadableText as exc:
        raise UserError(f"gold file {path}: {exc}") from exc
    out: list[GoldArticle] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            out.append(_gold_line(path, number, line))
    if not out:
        raise UserError(f"gold file {path} has no articles")
    return out


def _gold_line(path: Path, number: int, line: str) -> GoldArticle:
    where = f"gold file {path}, line {number}"
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}: not JSON ({exc.msg})") from exc
    shape = (
        'expected text and spans, like {"text": "...", '
        '"spans": [{"start": 0, "end": 3, "label": "FIGURE"}]}'
    )
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise UserError(f"{where}: {shape}")
    raw_text: str = record["text"]
    raw_spans = record.get("spans", [])
    if not isinstance(raw_spans, list) or not all(_gold_span_ok(s) for s in raw_spans):
        raise UserError(f"{where}: {shape} (offsets whole numbers, label a string)")
    text = corpus.normalize(raw_text)
    spans: list[tuple[int, int, str]] = []
    for raw in raw_spans:
        start, end, label = raw["start"], raw["end"], raw["label"].upper()
        if not 0 <= start < end <= len(raw_text):
            raise UserError(f"{where}: span [{start}, {end}) {label} is outside the text")
        # CRLF/NFD/BOM gold is moved onto the stored form, exactly as import-annotations does
        mapped = normalized_offsets(raw_text, text, start, end)
        quoted = raw.get("text")
        found = text[mapped[0] : mapped[1]]
        if quoted is not None and corpus.normalize(quoted) != found:
            raise UserError(
                f"{where}: span [{start}, {end}) says {quoted!r} but the text there is {found!r}"
            )
        spans.append((*mapped, label))
    article_id = str(record.get("id", number))
    return GoldArticle(article_id, text, tuple(spans))


def _gold_span_ok(span: object) -> bool:
    """A gold span is {start, end, label} with int offsets (not bools) and a string label."""
    if not isinstance(span, dict):
        return False
    offsets = (span.get("start"), span.get("end"))
    return (
        all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
        and isinstance(span.get("label"), str)
        and isinstance(span.get("text"), str | None)
    )


def find_article(store: Store, gold: GoldArticle) -> int | None:
    """The stored article with the gold text (by content hash), else with its id or key."""
    found = store.article_by_hash(corpus.content_hash(gold.text))
    if found:
        return found.id
    return store.article_by_key_or_id(gold.id, len(gold.text))


# ---- predictions -------------------------------------------------------------------------------


def _resolved(items: list[Suggestion]) -> list[Suggestion]:
    """What accept_all would produce from these suggestions: one per place, flat."""
    kept: list[Suggestion] = []
    for item in sorted(items, key=engine.rank):
        if not any(k.overlaps(item.start, item.end) for k in kept):
            kept.append(item)
    return kept


def predictions(
    store: Store, article_ids: Iterable[int], sources: Sequence[str]
) -> dict[str, list[Item]]:
    """Every stored suggestion (any status) per source, plus the resolved union ("all")."""
    out: dict[str, list[Item]] = {name: [] for name in sources}
    out[ALL] = []
    for article_id in article_ids:
        stored = [s for s in engine.suggestions(store, article_id) if s.source in sources]
        for item in stored:
            out[item.source].append((article_id, item.start, item.end, item.label))
        out[ALL].extend((article_id, s.start, s.end, s.label) for s in _resolved(stored))
    return out


def evaluate_gold(
    store: Store, gold: list[GoldArticle], sources: Sequence[str] | None = None
) -> Report:
    """Compute suggestions (incrementally) for the gold articles and score every source."""
    names = list(engine.check_names(sources))
    matched: dict[int, GoldArticle] = {}
    unmatched: list[str] = []
    for item in gold:
        article_id = find_article(store, item)
        if article_id is None:
            unmatched.append(item.id)
        else:
            matched[article_id] = item
    if not matched:
        raise UserError(
            f"none of the {len(gold)} gold articles is in the database (import their texts first)"
        )
    chosen = engine.default_sources(store, names)
    for article_id in matched:
        engine.compute(store, article_id, chosen)
    gold_items = [(aid, s, e, label) for aid, g in matched.items() for s, e, label in g.spans]
    extra = {MEMORY_LOO: memory_leave_one_out(store, matched)} if "memory" in names else {}
    report = _report(store, list(matched), names, gold_items, extra)
    report.unmatched = unmatched
    return report


def memory_leave_one_out(store: Store, matched: dict[int, GoldArticle]) -> list[Item]:
    """What memory proposes in each gold article once every other one is tagged as gold.

    Measures the user's-own-tags source without touching the database's spans.
    """
    out: list[Item] = []
    for article_id in matched:
        others = [
            (g.text[s:e], label, 1)
            for other_id, g in matched.items()
            if other_id != article_id
            for s, e, label in g.spans
        ]
        article = store.article(article_id)
        tokens = tokenize.tokenization(store, article)
        raw = MemorySource(lexicon_from(others)).suggest(article, tokens, Context())
        out.extend(
            (article_id, p.start, p.end, p.label) for p in engine.clean(raw, article, tokens)
        )
    return out


def _report(
    store: Store,
    article_ids: list[int],
    names: list[str],
    gold_items: list[Item],
    extra: dict[str, list[Item]] | None = None,
) -> Report:
    preds = {**predictions(store, article_ids, names), **(extra or {})}
    labels = sorted({g[3] for g in gold_items} | {p[3] for items in preds.values() for p in items})
    report = score_sources(preds, gold_items, labels)
    report.articles = len(article_ids)
    report.gold_spans = len(set(gold_items))
    return report


def accepted_articles(store: Store) -> list[int]:
    """Articles whose spans count as gold: those marked done, else any with a span."""
    return store.done_article_ids() or store.articles_with_spans()


def evaluate_accepted(store: Store, sources: Sequence[str] | None = None) -> Report:
    """Stored suggestions scored against the database's spans (no computing)."""
    names = list(engine.check_names(sources))
    article_ids = accepted_articles(store)
    gold_items = sorted(
        {
            (span.article_id, span.start, span.end, span.label)
            for article_id in article_ids
            for span in store.spans(article_id)
        }
    )
    return _report(store, article_ids, names, gold_items)


# ---- for stats ---------------------------------------------------------------------------


def suggestion_quality(
    store: Store, filters: StatsFilter | None = None, *, limit: int | None = None
) -> list[SourceQuality]:
    """Per source and label: accepted/rejected/pending counts and P/R/F1 vs accepted spans.

    Label TOTAL ("*") sums a source's labels. SQL aggregates (``quality``): the counts cover
    the filtered articles, the scores the done ones among them (else those with a span) that
    the source ran on, at most ``limit`` of them (the newest); ``filters.annotator`` limits
    decisions and gold spans to that person.
    """
    with store.snapshot() as conn:
        return source_quality(conn, filters, limit=limit).rows
