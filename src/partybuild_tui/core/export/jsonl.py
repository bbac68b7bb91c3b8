"""This tool's JSONL: one article a line with its metadata, full stored text and spans.

Offsets are those of the database (Python str indices into the NFC, LF text), so the file can
be imported back into any partybuild database and matched by ``content_hash``.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from partybuild_tui.core.export.select import Document


def record(doc: Document) -> dict[str, Any]:
    a = doc.article
    return {
        "id": a.id,
        "title": a.title,
        "date": a.date,
        "source": a.source,
        "author": a.author,
        "url": a.url,
        "text": a.text,
        "content_hash": a.content_hash,
        "status": a.status,
        "spans": [
            {
                "start": span.start,
                "end": span.end,
                "label": span.label,
                "text": span.text,
                "annotator": span.annotator,
                "origin": span.origin,
            }
            for span in sorted(doc.spans, key=lambda x: (x.start, x.end, x.label, x.annotator))
        ],
    }


class JsonlWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, doc: Document, sentences: object = None, words: object = None) -> None:
        self.out.write(json.dumps(record(doc), ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.flush()  # the sink syncs, closes and publishes it
