"""Hugging Face ``datasets`` Parquet: ``id``, ``tokens`` and ``ner_tags`` per sentence, the tag
names embedded as a ``ClassLabel`` in the file's ``huggingface`` schema metadata.

``load_dataset("parquet", data_files=...)`` then gives ``ner_tags`` as
``List(ClassLabel(names=[...]))``, so ``features["ner_tags"].feature.names`` maps ids to tags
with no side file (``labels.json`` is written beside it all the same). Rows are written in
row groups of :data:`ROWS` sentences, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from partybuild_tui.core.export.hf import tag_names
from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.tokens import TaggedSentence

ROWS = 2000


def features(labels: Sequence[str], scheme: str) -> Any:
    import datasets

    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=tag_names(labels, scheme))),
        }
    )


class HfParquetWriter:
    def __init__(self, out: TextIO, joiner: str, labels: Sequence[str], scheme: str) -> None:
        import pyarrow.parquet as pq

        self.out = out
        self.joiner = joiner
        self.ids = {name: i for i, name in enumerate(tag_names(labels, scheme))}
        self.schema = features(labels, scheme).arrow_schema
        out.flush()
        self.writer = pq.ParquetWriter(out.buffer, self.schema)  # type: ignore[attr-defined]
        self.rows: list[dict[str, Any]] = []

    def write(
        self, doc: Document, sentences: Sequence[TaggedSentence], words: object = None
    ) -> None:
        for number, sentence in enumerate(sentences):
            self.rows.append(
                {
                    "id": f"{doc.article.id}-{number}",
                    "tokens": sentence.tokens(self.joiner),
                    "ner_tags": [self.ids[tag] for tag in sentence.tags],
                }
            )
        if len(self.rows) >= ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()
        self.out.flush()  # the sink syncs, closes and publishes it
