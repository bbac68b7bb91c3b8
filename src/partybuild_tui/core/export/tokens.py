"""Character spans to BIO tags over words or syllables, one sentence at a time.

Token formats cover the article body only (``body_start..body_end``): the page boilerplate a
scraper left behind is not training text. A span is never silently moved or lost: when an edge
cuts through a word (underthesea may join syllables an annotator split), the word is split at
the edge (``split``, the default: the annotation stays exact, as brat's and Label Studio's
converters do), or the span is expanded to the word edges or dropped, as asked, and counted;
``strict`` raises instead. Spans that end up on the same tokens as an earlier one (two
annotators, or an expansion) keep the first.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from partybuild_tui.core.export import summary as s
from partybuild_tui.core.export.bio import convert
from partybuild_tui.core.export.layout import layout
from partybuild_tui.core.export.select import Document
from partybuild_tui.core.store import Span
from partybuild_tui.core.tokenize import Range, Tokenization

LEVELS = ("word", "syllable")
CUT_POLICIES = ("split", "expand", "drop")


@dataclass(frozen=True)
class TokenOptions:
    level: str = "word"
    cut: str = "split"
    strict: bool = False
    scheme: str = "iob2"  # or bioes / bilou: tags are made IOB2, then converted


@dataclass(frozen=True)
class TaggedSentence:
    """One sentence: tokens as the text has them (syllables joined by one space) and tags."""

    words: tuple[str, ...]
    tags: tuple[str, ...]
    offsets: tuple[Range, ...] = ()  # each token's [start, end) in the article text

    def tokens(self, joiner: str) -> list[str]:
        return [word.replace(" ", joiner) for word in self.words]


def tag_document(
    doc: Document, words: Tokenization, options: TokenOptions, stats: s.ExportSummary, split: str
) -> Iterator[TaggedSentence]:
    """The body's sentences with BIO tags; adjustments are counted in ``stats``."""
    article = doc.article
    units, sentences = layout(words, options.level, article.body_start, article.body_end)
    if options.cut == "split":
        units = _split_units(doc, units, options, stats)
    tags = ["O"] * len(units)
    owner = [-1] * len(units)
    starts = [u[0] for u in units]
    ends = [u[1] for u in units]
    last_used = -1
    for index, span in enumerate(doc.spans):
        placed = _place(span, starts, ends, article.body_start, article.body_end, options)
        if isinstance(placed, str):
            _adjust(stats, placed, span, options)
            continue
        first, last, exact = placed
        if first <= last_used:
            _adjust(stats, s.DROPPED_OVERLAP, span, options)
            continue
        if not exact:
            became = article.text[starts[first] : ends[last]]
            _adjust(stats, s.EXPANDED, span, options, f"became {became!r}")
        tags[first] = f"B-{span.label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{span.label}"
        owner[first : last + 1] = [index] * (last - first + 1)
        last_used = last
        stats.spans[span.label] += 1
    yield from _sentences(doc, sentences, units, tags, owner, options, stats, split)


def _split_units(
    doc: Document, units: list[Range], options: TokenOptions, stats: s.ExportSummary
) -> list[Range]:
    """Split every token an edge of a span that will be written cuts through."""
    article = doc.article
    text = article.text
    starts = [u[0] for u in units]
    cuts: dict[int, list[int]] = {}  # unit index -> offsets to cut it at
    kept_end = -1
    for span in doc.spans:
        if span.start < article.body_start or span.end > article.body_end:
            continue
        if span.start < kept_end:  # dropped later as an overlap: it splits nothing
            continue
        kept_end = span.end
        notes = []
        for edge in (span.start, span.end):
            index = bisect.bisect_right(starts, edge) - 1
            if index >= 0 and units[index][0] < edge < units[index][1]:
                cuts.setdefault(index, []).append(edge)
                notes.append(repr(text[units[index][0] : units[index][1]]))
        if notes:
            _adjust(stats, s.SPLIT, span, options, f"split {' and '.join(notes)} at its edge")
    if not cuts:
        return units
    out: list[Range] = []
    for index, unit in enumerate(units):
        if index in cuts:
            out.extend(_cut(text, unit, sorted(set(cuts[index]))))
        else:
            out.append(unit)
    return out


def _cut(text: str, unit: Range, offsets: Sequence[int]) -> Iterator[Range]:
    """The unit cut at ``offsets``, each piece trimmed of whitespace (empty pieces dropped)."""
    bounds = [unit[0], *offsets, unit[1]]
    for a, b in zip(bounds, bounds[1:], strict=False):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            yield a, b


def _place(
    span: Span,
    starts: list[int],
    ends: list[int],
    body_start: int,
    body_end: int,
    options: TokenOptions,
) -> tuple[int, int, bool] | str:
    """(first token, last token, edges exact) for a span, or the reason it is dropped."""
    if span.start < body_start or span.end > body_end:
        return s.DROPPED_OUTSIDE
    first = bisect.bisect_right(ends, span.start)  # first token ending after the span start
    last = bisect.bisect_left(starts, span.end) - 1  # last token starting before its end
    if first > last:
        return s.DROPPED_EMPTY
    exact = starts[first] >= span.start and ends[last] <= span.end
    if not exact and options.cut == "drop":
        return s.DROPPED_CUT
    return first, last, exact


def _adjust(
    stats: s.ExportSummary, kind: str, span: Span, options: TokenOptions, note: str = ""
) -> None:
    where = (
        f"article {span.article_id}: span [{span.start}, {span.end}) {span.label} "
        f"{span.text!r} by {span.annotator}"
    )
    if options.strict:
        raise s.StrictError(
            f"{where}: {kind} at {options.level} level (--strict); "
            "fix the span or export without --strict"
        )
    stats.adjusted[kind] += 1
    if len(stats.details) < s.MAX_DETAILS:
        stats.details.append(f"{where}: {kind.split(' (')[0]}{', ' + note if note else ''}")


def _sentences(
    doc: Document,
    sentences: Sequence[Range],
    units: list[Range],
    tags: list[str],
    owner: list[int],
    options: TokenOptions,
    stats: s.ExportSummary,
    split: str,
) -> Iterator[TaggedSentence]:
    text = doc.article.text
    pos = 0
    for _sent_start, sent_end in sentences:
        begin = pos
        while pos < len(units) and units[pos][0] < sent_end:
            pos += 1
        if pos == begin:
            continue
        sent_tags = tags[begin:pos]
        if sent_tags[0].startswith("I-"):
            span = doc.spans[owner[begin]]
            _adjust(stats, s.SPLIT_SENTENCE, span, options)
            sent_tags[0] = "B-" + sent_tags[0][2:]
            stats.spans[span.label] += 1
        stats.sentences[split] += 1
        stats.tokens[split] += pos - begin
        offsets = tuple(units[begin:pos])
        words = tuple(" ".join(text[a:b].split()) for a, b in offsets)
        yield TaggedSentence(words, tuple(convert(sent_tags, options.scheme)), offsets)
