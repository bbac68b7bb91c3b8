"""Label Studio JSON: a list of tasks ``{"id", "data": {"text", ...}, "annotations": [...]}``.

Each annotation (one per annotator) holds ``labels`` regions with character offsets into
``data.text`` (the full stored text; Label Studio counts characters as Python does), with
``from_name`` ``label`` and ``to_name`` ``text`` as in the labeling config
:data:`LABEL_CONFIG`. With ``predictions`` the same regions are written as pre-annotations
(``predictions``, ``model_version`` naming the annotator) for review in Label Studio.
Annotations carry no ``completed_by``: Label Studio refuses unknown users and credits an
import to the importing user. JSON-MIN (``minimal``) is Label Studio's flat export, one
record per article and annotator: ``{"id", "text", "label": [{start, end, text, labels}],
"annotator"}``. The array is written one task at a time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, TextIO

from partybuild_tui.core.export.prodigy import by_annotator
from partybuild_tui.core.export.select import Document
from partybuild_tui.core.store import Span

FROM_NAME = "label"
TO_NAME = "text"


def label_config(labels: Sequence[str]) -> str:
    """The labeling config these tasks fit (Settings → Labeling Interface → Code)."""
    rows = "".join(f'    <Label value="{label}"/>\n' for label in labels)
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{rows}  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        "</View>\n"
    )


def region_id(span: Span) -> str:
    """Stable region ids (10 characters, as Label Studio makes them)."""
    key = f"{span.article_id}:{span.start}:{span.end}:{span.label}:{span.annotator}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def value(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]}


def region(span: Span, origin: str) -> dict[str, Any]:
    return {
        "value": value(span),
        "id": region_id(span),
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": origin,
    }


def data(doc: Document) -> dict[str, Any]:
    a = doc.article
    fields = {
        "text": a.text, "title": a.title, "date": a.date, "source": a.source,
        "author": a.author, "url": a.url, "status": a.status, "content_hash": a.content_hash,
    }  # fmt: skip
    return {key: v for key, v in fields.items() if v is not None}


def task(doc: Document, predictions: bool) -> dict[str, Any]:
    groups = [(who, spans) for who, spans in by_annotator(doc.spans) if who is not None]
    items: list[dict[str, Any]]
    if predictions:
        key = "predictions"
        items = [
            {"model_version": who, "result": [region(s, "prediction") for s in spans]}
            for who, spans in groups
        ]
    else:
        key = "annotations"
        items = [
            {
                "result": [region(s, "manual") for s in spans],
                "was_cancelled": False,
                "ground_truth": False,
            }
            for _who, spans in groups
        ]
    return {"id": doc.article.id, "data": data(doc), key: items}


def minimal(doc: Document) -> list[dict[str, Any]]:
    """JSON-MIN records: one per annotator (an article without spans: one, no annotator)."""
    out = []
    for who, spans in by_annotator(doc.spans):
        record: dict[str, Any] = {"id": doc.article.id, **data(doc)}
        record[FROM_NAME] = [value(s) for s in spans]
        if who is not None:
            record["annotator"] = who
        out.append(record)
    return out


class LabelStudioWriter:
    def __init__(self, out: TextIO, *, predictions: bool = False, flat: bool = False) -> None:
        self.out = out
        self.predictions = predictions
        self.flat = flat
        self.first = True

    def _item(self, item: dict[str, Any]) -> None:
        self.out.write("[\n" if self.first else ",\n")
        self.out.write(json.dumps(item, ensure_ascii=False))
        self.first = False

    def write(self, doc: Document, sentences: object = None, words: object = None) -> None:
        if self.flat:
            for record in minimal(doc):
                self._item(record)
        else:
            self._item(task(doc, self.predictions))

    def close(self) -> None:
        self.out.write("[]\n" if self.first else "\n]\n")
        self.out.flush()  # the sink syncs, closes and publishes it
