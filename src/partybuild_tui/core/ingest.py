"""Importing article files into the store: discovery, per-file errors, dedup and versions.

Every file is read on its own; a bad one is listed with its reason and the import goes on.
Articles are written in short transactions (at most ``LOCK_BUDGET_S`` each), so a killed
import keeps what it committed and a re-run picks up the rest (the content hash makes
re-import a no-op), and an annotator tagging meanwhile waits one budget at most.
"""

from __future__ import annotations

import glob
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partybuild_tui.core import corpus
from partybuild_tui.core.store import Article, NewSpan, Store

ARTICLE_SUFFIXES = {".txt", ".jsonl"}
BATCH_SIZE = 50  # documents parsed (outside the lock) per round
# The importer holds the write lock at most this long per transaction, then leaves a gap: an
# annotator's tag in another process (polling every millisecond) gets in within one budget.
LOCK_BUDGET_S = 0.02
LOCK_GAP_S = 0.002
# Above this an article is imported with a note: it is segmented in pieces (see tokenize),
# which takes minutes, while the app shows it at once and segments it in the background.
LARGE_ARTICLE_CHARS = 1_000_000


@dataclass(frozen=True)
class Document:
    """One article as read from disk, before it is stored."""

    key: str
    path: str
    raw_text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    duplicate_ids: list[int] = field(default_factory=list)  # the stored articles they match
    skipped: list[Skipped] = field(default_factory=list)
    new_versions: list[tuple[int, int]] = field(default_factory=list)  # (old id, new id)
    segmented_again: int = 0  # duplicates an earlier (killed) import had not segmented
    large: list[tuple[str, int]] = field(default_factory=list)  # (path, characters)
    spans_carried: int = 0
    spans_left_on_old_version: int = 0
    ignored_files: int = 0


def display_path(path: str | Path) -> str:
    """A path as storable, printable text: undecodable bytes in names shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def discover(paths: Iterable[str | Path], report: ImportReport) -> list[Path]:
    """Files named, found in folders (recursively) or matched by globs, in a stable order.

    A path or folder that cannot be read is listed as skipped with the reason; the rest go on.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as exc:  # e.g. under a folder without search permission
            report.skipped.append(Skipped(display_path(raw), f"cannot read: {_reason(exc)}"))
            continue
        if is_dir:
            found.extend(_folder_files(path, report))
        elif is_file:
            found.append(path)
        elif any(ch in str(raw) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(raw), recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                report.skipped.append(Skipped(display_path(raw), "no file matches this pattern"))
            found.extend(files)
        else:
            report.skipped.append(Skipped(display_path(raw), "no such file or folder"))
    return found


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _folder_files(folder: Path, report: ImportReport) -> list[Path]:
    """Article files under ``folder`` (not following links to folders, as ``rglob``), sorted;
    each sub-folder that cannot be listed is reported, not silently left out."""

    def unreadable(exc: OSError) -> None:
        where = display_path(exc.filename if exc.filename is not None else folder)
        report.skipped.append(Skipped(where, f"cannot read folder: {_reason(exc)}"))

    found: list[Path] = []
    for root, _dirs, names in os.walk(folder, onerror=unreadable):
        for name in names:
            child = Path(root) / name
            if name.startswith(".") or not child.is_file():
                continue
            if child.suffix.lower() in ARTICLE_SUFFIXES:
                found.append(child)
            else:
                report.ignored_files += 1
    return sorted(found)


def read_documents(path: Path, report: ImportReport) -> Iterator[Document]:
    """The articles in one file; problems are added to the report, never raised."""
    name = display_path(path)
    try:
        too_large = corpus.size_problem("file", path.stat().st_size)
        if too_large:
            report.skipped.append(Skipped(name, too_large))
            return
        data = path.read_bytes()
    except OSError as exc:
        report.skipped.append(Skipped(name, f"cannot read: {exc.strerror or exc}"))
        return
    key = display_path(path.resolve())
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl_documents(name, key, data, report)
        return
    try:
        text = corpus.decode(data)
    except corpus.UnreadableText as exc:
        report.skipped.append(Skipped(name, str(exc)))
        return
    yield Document(key=key, path=name, raw_text=text)


def _jsonl_documents(path: str, key: str, data: bytes, report: ImportReport) -> Iterator[Document]:
    try:
        content = corpus.decode(data)
    except corpus.UnreadableText as exc:
        report.skipped.append(Skipped(path, str(exc)))
        return
    # JSON strings may hold U+2028 and other characters str.splitlines() breaks at
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            report.skipped.append(Skipped(where, f"malformed JSON ({exc.msg}, column {exc.colno})"))
            continue
        problem = _record_problem(record)
        if problem:
            report.skipped.append(Skipped(where, problem))
            continue
        yield Document(
            key=str(record.get("url") or f"{key}#{number}"),
            path=where,
            raw_text=record["text"],
            title=_opt_str(record.get("title")),
            date=_opt_str(record.get("date")),
            source=_opt_str(record.get("source")),
            url=_opt_str(record.get("url")),
            author=_opt_str(record.get("author")),
        )


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "line is not a JSON object"
    text = record.get("text")
    if not isinstance(text, str):
        return "no 'text' string in this record"
    if not text.strip():
        return "empty 'text'"
    if "\x00" in text:
        return "'text' contains NUL characters"
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"invalid Unicode: unpaired surrogate escape \\u{ord(exc.object[exc.start]):04x}"
    return None


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return corpus.normalize(text) if text else None


def article_fields(doc: Document) -> dict[str, Any]:
    """The row stored for a document: normalized text, hash, metadata and body range."""
    text = corpus.normalize(doc.raw_text)
    meta = corpus.extract_metadata(text)
    return {
        "key": doc.key,
        "path": doc.path,
        "title": doc.title or meta.title,
        "date": doc.date or meta.date,
        "source": doc.source or meta.source,
        "author": doc.author or meta.author,
        "url": doc.url,
        "text": text,
        "raw_text": doc.raw_text,
        "content_hash": corpus.content_hash(text),
        "body_start": meta.body_start,
        "body_end": meta.body_end,
    }


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every article found under ``paths``; ``progress(done, total)`` after each file."""
    report = ImportReport()
    files = discover(paths, report)
    pending: list[Document] = []
    for done, path in enumerate(files, start=1):
        pending.extend(read_documents(path, report))
        if len(pending) >= BATCH_SIZE:
            _store_batch(store, pending, report)
            pending = []
        if progress:
            progress(done, len(files))
    if pending:
        _store_batch(store, pending, report)
    return report


def _store_batch(store: Store, docs: list[Document], report: ImportReport) -> None:
    prepared = [(doc, article_fields(doc)) for doc in docs]  # parsed before taking the lock
    done = 0
    while done < len(prepared):
        with store.write():
            deadline = time.monotonic() + LOCK_BUDGET_S
            while done < len(prepared):
                _store_one(store, *prepared[done], report)
                done += 1
                if time.monotonic() >= deadline:
                    break
        if done < len(prepared):
            time.sleep(LOCK_GAP_S)


def _store_one(store: Store, doc: Document, fields: dict[str, Any], report: ImportReport) -> None:
    """Insert one document (inside the caller's transaction), as a new version if its key is
    known, or note it as a duplicate."""
    stored = store.article_by_hash(fields["content_hash"])
    if stored is not None:
        report.duplicates.append(doc.path)
        report.duplicate_ids.append(stored.id)
        return
    if len(fields["text"]) > LARGE_ARTICLE_CHARS:
        report.large.append((doc.path, len(fields["text"])))
    previous = store.latest_by_key(doc.key)
    if previous is None:
        report.imported.append(store.insert_article(fields))
        return
    new_id = store.insert_article({**fields, "version": previous.version + 1})
    store.supersede(previous.id, new_id)
    report.imported.append(new_id)
    report.new_versions.append((previous.id, new_id))
    _carry_spans(store, previous, new_id, fields["text"], report)


def _carry_spans(
    store: Store, old: Article, new_id: int, new_text: str, report: ImportReport
) -> None:
    """Move the old version's spans onto the new text where their text is still found.

    Spans that cannot be placed stay on the old version (kept, listed with ``--all``), and the
    new version is marked in progress so somebody reviews it.
    """
    by_annotator: dict[str, list[NewSpan]] = {}
    taken: dict[str, list[tuple[int, int]]] = {}
    for span in store.spans(old.id):
        spans_here = taken.setdefault(span.annotator, [])
        place = _relocate(new_text, span.text, span.start, spans_here)
        if place is None:
            report.spans_left_on_old_version += 1
            continue
        spans_here.append((place, place + len(span.text)))
        by_annotator.setdefault(span.annotator, []).append(
            NewSpan(place, place + len(span.text), span.label, span.origin)
        )
    for annotator, spans in by_annotator.items():
        store.apply(new_id, annotator, "carry", add=spans, text=new_text)
        report.spans_carried += len(spans)
    for layer, status in store.statuses(old.id).items():
        if status != "new":  # each layer that had started it reviews the new version
            store.set_status(new_id, "in_progress", annotator=layer, record=False)


def _relocate(text: str, needle: str, near: int, taken: list[tuple[int, int]]) -> int | None:
    """The whole-syllable occurrence of ``needle`` closest to ``near`` that overlaps no span
    already placed (two spans of the same text each get their own occurrence)."""
    best: int | None = None
    pos = text.find(needle)
    while pos != -1:
        end = pos + len(needle)
        inside_word = (pos > 0 and text[pos - 1].isalnum()) or (
            end < len(text) and text[end].isalnum()
        )
        free = not any(s < end and pos < e for s, e in taken)
        if free and not inside_word and (best is None or abs(pos - near) < abs(best - near)):
            best = pos
        pos = text.find(needle, pos + 1)
    return best
