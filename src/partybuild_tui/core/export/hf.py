"""Hugging Face ``datasets`` JSONL: ``{"id", "tokens", "ner_tags"}`` per sentence, integer tags.

The tag list (``O``, then ``B-``/``I-`` of each label in the project's label order, with
``E-``/``S-`` or ``L-``/``U-`` in the BIOES / BILOU schemes) is written
beside the data as ``labels.json`` with ``names`` (for ``ClassLabel(names=...)``), ``id2label``
and ``label2id``, so ids never depend on which labels happen to occur in a split.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from partybuild_tui.core.export.bio import prefixes
from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.tokens import TaggedSentence


def tag_names(labels: Sequence[str], scheme: str = "iob2") -> list[str]:
    return ["O", *(f"{prefix}-{label}" for label in labels for prefix in prefixes(scheme))]


def labels_document(labels: Sequence[str], scheme: str = "iob2") -> str:
    names = tag_names(labels, scheme)
    data: dict[str, Any] = {
        "labels": list(labels),
        "names": names,
        "id2label": {str(i): name for i, name in enumerate(names)},
        "label2id": {name: i for i, name in enumerate(names)},
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class HfWriter:
    def __init__(
        self, out: TextIO, joiner: str, labels: Sequence[str], scheme: str = "iob2"
    ) -> None:
        self.out = out
        self.joiner = joiner
        self.ids = {name: i for i, name in enumerate(tag_names(labels, scheme))}

    def write(
        self, doc: Document, sentences: Sequence[TaggedSentence], words: object = None
    ) -> None:
        for number, sentence in enumerate(sentences):
            line = {
                "id": f"{doc.article.id}-{number}",
                "tokens": sentence.tokens(self.joiner),
                "ner_tags": [self.ids[tag] for tag in sentence.tags],
            }
            self.out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.flush()  # the sink syncs, closes and publishes it
