"""doccano's sequence-labeling JSONL: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``.

The full stored text, so offsets equal the database's (doccano counts characters, as Python
does). Only ``text`` and ``label`` are written: doccano keeps other keys as metadata, and
leaving them out keeps the file identical across databases.
"""

from __future__ import annotations

import json
from typing import TextIO

from partybuild_tui.core.export.select import Document


class DoccanoWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, doc: Document, sentences: object = None, words: object = None) -> None:
        labels = [
            [span.start, span.end, span.label]
            for span in sorted(doc.spans, key=lambda x: (x.start, x.end, x.label))
        ]
        line = json.dumps({"text": doc.article.text, "label": labels}, ensure_ascii=False)
        self.out.write(line + "\n")

    def close(self) -> None:
        self.out.flush()  # the sink syncs, closes and publishes it
