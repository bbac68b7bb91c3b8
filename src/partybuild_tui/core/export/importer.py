"""Importing labeled data: match each text to a stored article or store it, then add its spans.

An article is found by the content hash of its normalized text (NFC, LF), else stored as a new
article (through the same helpers as ``partybuild import``). Every span is checked: inside the
text, the text the file states equals the stored text there, edges not inside a syllable, a
known label, flat (no overlap with another span of the same annotator, in the file or in the
database), not already stored. Whatever fails is skipped and reported with its reason. Each
article's spans (per annotator) are added by one ``store.apply`` action, so an import is
undoable and audited like any edit. Spans get ``origin`` ``import:<format>``, except that this
tool's JSONL keeps the origin recorded in the file (it already says where the span came from).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from partybuild_tui.config import LabelSet
from partybuild_tui.core import corpus, ingest
from partybuild_tui.core.export.align import Aligner
from partybuild_tui.core.export.readers import Problem, RawSpan, Record, read
from partybuild_tui.core.store import STATUSES, NewSpan, Span, Store
from partybuild_tui.core.suggest import engine
from partybuild_tui.core.suggest.base import Proposal

BATCH = 50  # records written in one transaction
SUGGESTIONS = "\0suggestions"  # the annotator slot of spans imported as suggestions
SUGGESTION_VERSION = "1"


@dataclass
class ImportReport:
    records: int = 0
    matched: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    spans_imported: int = 0
    suggested: int = 0  # with as_suggestions: proposals stored instead of spans
    trimmed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)

    def reasons(self) -> Counter[str]:
        return Counter(reason.split(" (")[0].split(":")[0] for _where, reason in self.skipped)


def import_annotations(
    store: Store,
    path: Path,
    *,
    labels: LabelSet,
    default_annotator: str,
    annotator: str | None = None,
    fmt: str = "auto",
    status: str | None = None,
    label_map: dict[str, str] | None = None,
    as_suggestions: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the spans in ``path``; ``annotator`` overrides the file's, else the default.

    ``label_map`` renames a file's labels (``PER`` → ``FIGURE``) before they are checked.
    ``as_suggestions`` stores them as pending suggestions of source ``import:<format>``
    (annotators review them in the app) instead of accepted spans.
    """
    report = ImportReport()
    renames = {old.strip().upper(): new for old, new in (label_map or {}).items()}
    for batch in _batches(Aligner(store).records(read(path, fmt))):
        with store.write():  # one commit per batch: an fsync per article took most of the time
            for item in batch:
                if isinstance(item, Problem):
                    report.skipped.append((item.where, item.reason))
                    continue
                report.records += 1
                for where, why in item.meta.get("problems", ()):
                    report.skipped.append((where, why))
                if renames:
                    item = _renamed(item, renames)
                who = SUGGESTIONS if as_suggestions else annotator
                _import_record(store, item, labels, default_annotator, who, status, report)
                if progress:
                    progress(report.records)
    return report


def _batches(items: Iterable[Record | Problem]) -> Iterator[list[Record | Problem]]:
    """Up to BATCH records, read before the write lock is taken (it is held ~20 ms a batch)."""
    batch: list[Record | Problem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _import_record(
    store: Store,
    record: Record,
    labels: LabelSet,
    default_annotator: str,
    override: str | None,
    status: str | None,
    report: ImportReport,
) -> None:
    text = corpus.normalize(record.text)
    article = store.article_by_hash(corpus.content_hash(text))
    chosen = None
    if article is None:
        article_id = _create(store, record)
        report.created.append(article_id)
        chosen = status or record.meta.get("status")
    else:
        article_id = article.id
        report.matched.append(article_id)
    accepted: dict[str, list[NewSpan]] = {}
    existing: dict[str, list[Span]] = {}
    for raw in record.spans:  # in file order: of two overlapping spans, the first wins
        who = override or raw.annotator or default_annotator
        where = f"{record.where} [{raw.start}, {raw.end}) {raw.label}"
        if who not in existing:  # suggestions are not checked against stored spans
            existing[who] = [] if who == SUGGESTIONS else store.spans(article_id, who)
        checked = _check(raw, record, text, labels, accepted.get(who, []), existing[who], report)
        if isinstance(checked, str):
            report.skipped.append((where, checked))
            continue
        accepted.setdefault(who, []).append(checked)
    if override == SUGGESTIONS:
        _suggest(store, article_id, record.format, accepted.get(SUGGESTIONS, []), report)
        return
    for who, spans in sorted(accepted.items()):
        store.apply(article_id, who, "import", add=spans, text=text)
        report.spans_imported += len(spans)
    if chosen in STATUSES and chosen != "new":  # a new article's status, in the importers' layers
        for who in sorted(accepted) or [override or default_annotator]:
            store.set_status(article_id, str(chosen), who, record=False)


def _suggest(
    store: Store, article_id: int, fmt: str, spans: list[NewSpan], report: ImportReport
) -> None:
    """Store the spans as the pending proposals of source ``import:<format>``: importing the
    file again replaces them, and the app hides those that overlap a span."""
    proposals = [Proposal(s.start, s.end, s.label, 1.0) for s in spans]
    engine.save_results(
        store, store.article(article_id), {f"import:{fmt}": (SUGGESTION_VERSION, proposals, None)}
    )
    report.suggested += len(proposals)


def _renamed(record: Record, renames: dict[str, str]) -> Record:
    spans = tuple(
        replace(raw, label=renames.get(raw.label.strip().upper(), raw.label))
        for raw in record.spans
    )
    return replace(record, spans=spans)


def _create(store: Store, record: Record) -> int:
    """Store the record's text as a new article, with the metadata the file gives."""
    meta = record.meta
    doc = ingest.Document(
        key="",
        path=record.where,
        raw_text=record.text,
        title=_meta(meta, "title"),
        date=_meta(meta, "date"),
        source=_meta(meta, "source"),
        url=_meta(meta, "url"),
        author=_meta(meta, "author"),
    )
    fields = ingest.article_fields(doc)
    fields["key"] = f"import:{fields['content_hash']}"
    return store.insert_article(fields)


def _meta(meta: dict[str, object], name: str) -> str | None:
    value = meta.get(name)
    text = "" if value is None else str(value).strip()
    return corpus.normalize(text) if text else None


def _check(
    raw: RawSpan,
    record: Record,
    text: str,
    labels: LabelSet,
    accepted: list[NewSpan],
    existing: list[Span],
    report: ImportReport,
) -> NewSpan | str:
    """The span to add, or why it is skipped."""
    # checked on the file's own text first: Python would read a negative offset from the end
    if not 0 <= raw.start < raw.end <= len(record.text):
        return f"outside the text: offsets [{raw.start}, {raw.end}) in a text of {len(text)}"
    start, end = normalized_offsets(record.text, text, raw.start, raw.end)
    if not 0 <= start < end <= len(text):
        return f"outside the text: offsets [{raw.start}, {raw.end}) in a text of {len(text)}"
    if _gapped(raw, record.text):
        return "discontinuous: brat fragments with text between them cannot be one span"
    stated = None if raw.text is None else corpus.normalize(raw.text)
    if stated is not None and stated != _shown(raw, record.text, text, start, end):
        return f"text mismatch: file says {stated!r}, the text there is {text[start:end]!r}"
    label = _label(raw.label, labels)
    if label is None:
        return f"unknown label: {raw.label!r} (labels: {', '.join(labels.names)})"
    trimmed_start, trimmed_end = _trim(text, start, end)
    if trimmed_start >= trimmed_end:
        return "blank: the span holds only whitespace"
    if (trimmed_start, trimmed_end) != (start, end):
        report.trimmed += 1
        start, end = trimmed_start, trimmed_end
    if _inside_syllable(text, start) or _inside_syllable(text, end):
        return f"inside a syllable: an edge of {text[start:end]!r} cuts through a word"
    for span in existing:
        if (span.start, span.end, span.label) == (start, end, label):
            return "already stored: the same span exists for this annotator"
        if span.overlaps(start, end):
            return f"overlap: with stored [{span.start}, {span.end}) {span.label}"
    for new in accepted:
        if new.start < end and start < new.end:
            if (new.start, new.end, new.label) == (start, end, label):
                return "duplicate: the file repeats this span"
            return f"overlap: with [{new.start}, {new.end}) {new.label} in the file"
    origin = raw.origin if record.format == "jsonl" and raw.origin else f"import:{record.format}"
    return NewSpan(start, end, label, origin)


def normalized_offsets(raw_text: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets in the file's text moved onto the normalized text (same when unchanged).

    Shared with ``evaluate``'s gold reader, so gold and imports accept the same files.
    """
    if raw_text == text:
        return start, end
    return len(corpus.normalize(raw_text[:start])), len(corpus.normalize(raw_text[:end]))


def _gapped(raw: RawSpan, raw_text: str) -> bool:
    gaps = zip(raw.fragments, raw.fragments[1:], strict=False)
    return any(raw_text[a[1] : b[0]].strip() for a, b in gaps)


def _shown(raw: RawSpan, raw_text: str, text: str, start: int, end: int) -> str:
    """The span's text as the file writes it (brat: fragments joined by a space)."""
    if raw.fragments:
        return corpus.normalize(" ".join(raw_text[a:b] for a, b in raw.fragments))
    return text[start:end]


def _label(name: str, labels: LabelSet) -> str | None:
    wanted = name.strip().upper()
    return next((known for known in labels.names if known.upper() == wanted), None)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _inside_syllable(text: str, offset: int) -> bool:
    return 0 < offset < len(text) and text[offset - 1].isalnum() and text[offset].isalnum()


def summarize(report: ImportReport) -> Iterable[tuple[str, str]]:
    """Rows of the import summary table."""
    yield "records read", f"{report.records:,}"
    yield "articles matched by content", f"{len(report.matched):,}"
    yield "articles stored as new", f"{len(report.created):,}"
    yield "spans imported", f"{report.spans_imported:,}"
    if report.suggested:
        yield "suggestions stored", f"{report.suggested:,}"
    if report.trimmed:
        yield "  of which trimmed of whitespace", f"{report.trimmed:,}"
    yield "skipped", f"{len(report.skipped):,}"
    for reason, count in sorted(report.reasons().items()):
        yield f"  {reason}", f"{count:,}"
