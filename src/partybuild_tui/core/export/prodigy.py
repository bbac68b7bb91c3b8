"""Prodigy JSONL: one task per article and annotator, as ``ner.manual`` saves its answers.

Each line has the full stored text, ``tokens`` (syllables, punctuation on its own, each with
``start``/``end``/``id``/``ws``) and ``spans`` with character offsets and the indices of
their first and last token (``token_end`` is inclusive, as in Prodigy). Every span lies on
token edges: a token an edge cuts through (a span ending inside "2-3") is split there.
``answer`` is ``accept`` (these are accepted spans), ``_annotator_id``/``_session_id`` name the
annotator, and ``meta`` holds the article's metadata (Prodigy shows it under the task).
``_input_hash``/``_task_hash`` are stable 32-bit ints derived from the text and the spans,
so the same export gives the same hashes in any database and Prodigy (which keeps hashes a
task already has) de-duplicates re-exported tasks.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TextIO

from partybuild_tui.core.export.layout import layout
from partybuild_tui.core.export.select import Document
from partybuild_tui.core.store import Span
from partybuild_tui.core.tokenize import Range, Tokenization


def stable_hash(*parts: str) -> int:
    """A signed 32-bit int, as Prodigy's hashes are, from the given strings."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def by_annotator(spans: Sequence[Span]) -> list[tuple[str | None, list[Span]]]:
    """Spans grouped by annotator (by name); an article without spans is one empty group."""
    groups: dict[str, list[Span]] = {}
    for span in spans:
        groups.setdefault(span.annotator, []).append(span)
    if not groups:
        return [(None, [])]
    return [
        (who, sorted(items, key=lambda x: (x.start, x.end, x.label)))
        for who, items in sorted(groups.items())
    ]


def tokens_for(text: str, words: Tokenization, spans: Sequence[Span]) -> list[Range]:
    """Syllable tokens of the whole text, split where a span edge falls inside one."""
    units, _sentences = layout(words, "syllable", 0, len(text))
    edges = sorted({edge for span in spans for edge in (span.start, span.end)})
    if not edges:
        return units
    out: list[Range] = []
    pos = 0
    for start, end in units:
        while pos < len(edges) and edges[pos] <= start:
            pos += 1
        cut = start
        while pos < len(edges) and edges[pos] < end:
            out.append((cut, edges[pos]))
            cut = edges[pos]
            pos += 1
        out.append((cut, end))
    return out


def meta(doc: Document) -> dict[str, Any]:
    a = doc.article
    fields = {
        "id": a.id, "title": a.title, "date": a.date, "source": a.source, "author": a.author,
        "url": a.url, "status": a.status, "content_hash": a.content_hash,
    }  # fmt: skip
    return {key: value for key, value in fields.items() if value is not None}


def task(doc: Document, words: Tokenization, who: str | None, spans: list[Span]) -> dict[str, Any]:
    text = doc.article.text
    units = tokens_for(text, words, spans)
    starts = [start for start, _end in units]
    ends = [end for _start, end in units]
    tokens = [
        {"text": text[a:b], "start": a, "end": b, "id": i, "ws": text[b : b + 1].isspace()}
        for i, (a, b) in enumerate(units)
    ]
    marked = [
        {
            "start": span.start,
            "end": span.end,
            "token_start": bisect.bisect_left(starts, span.start),
            "token_end": bisect.bisect_right(ends, span.end) - 1,
            "label": span.label,
        }
        for span in spans
    ]
    input_hash = stable_hash(text)
    line: dict[str, Any] = {
        "text": text,
        "meta": meta(doc),
        "_input_hash": input_hash,
        "_task_hash": stable_hash(str(input_hash), json.dumps(marked, sort_keys=True)),
        "tokens": tokens,
        "spans": marked,
        "_view_id": "ner_manual",
        "answer": "accept",
    }
    if who is not None:
        line["_annotator_id"] = who
        line["_session_id"] = who
    return line


class ProdigyWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, doc: Document, sentences: object, words: Tokenization | None) -> None:
        assert words is not None, "the runner tokenizes articles for prodigy"
        for who, spans in by_annotator(doc.spans):
            self.out.write(json.dumps(task(doc, words, who, spans), ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.flush()  # the sink syncs, closes and publishes it
