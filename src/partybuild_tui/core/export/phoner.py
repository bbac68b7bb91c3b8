"""PhoNER_COVID19-style JSON lines: ``{"words": [...], "tags": [...]}``, one sentence a line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.tokens import TaggedSentence


class PhonerWriter:
    def __init__(self, out: TextIO, joiner: str) -> None:
        self.out = out
        self.joiner = joiner

    def write(
        self, doc: Document, sentences: Sequence[TaggedSentence], words: object = None
    ) -> None:
        for sentence in sentences:
            line = {"words": sentence.tokens(self.joiner), "tags": list(sentence.tags)}
            self.out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.flush()  # the sink syncs, closes and publishes it
