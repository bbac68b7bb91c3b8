"""Which other format a labeled file is in, from its first bytes, before any line is read.

A file in a format the import does not read (a Label Studio JSON array, CoNLL columns, a
PhoNER JSON file) would otherwise be read as JSON lines and give one "malformed JSON" line
per line; instead it is refused with one line naming the format it looks like. Only formats
recognised positively are named: anything else is read as JSON lines, bad lines reported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

HEAD_BYTES = 1 << 20
_TAG = re.compile(r"^(O|[BIESLU]-\S+)$")
LABEL_STUDIO = "Label Studio JSON (a list of tasks)"
LABEL_STUDIO_MIN = "Label Studio JSON-MIN"
CONLL = "CoNLL / BIO columns (one token a line)"
PHONER = "PhoNER JSON (words and tags per sentence)"
# what the import reads among the formats recognised here: description -> --format
READABLE = {
    LABEL_STUDIO: "labelstudio",
    LABEL_STUDIO_MIN: "labelstudio",
    CONLL: "conll",
    PHONER: "phoner",
}


def readable(looks_like: str | None) -> str | None:
    """The import format that reads a file recognised as ``looks_like``, if any."""
    return None if looks_like is None else READABLE.get(looks_like)


def sniff(path: Path) -> str | None:
    """The known format a file that is not JSON lines is in (None: not recognised)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8-sig", errors="ignore")
    except OSError:
        return None  # the reader reports it
    stripped = head.lstrip()
    if not stripped:
        return None
    if stripped[0] == "[":
        return _json_array(stripped)
    lines = [line for line in head.splitlines() if line.strip()][:50]
    objects = [obj for obj in (_object(line) for line in lines) if obj is not None]
    if objects:
        return _json_lines_kind(objects[0])
    if stripped[0] == "{":
        return None
    return _columns(lines)


def _object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _json_array(text: str) -> str | None:
    start = len(text) - len(text[1:].lstrip())
    try:
        first, _end = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, RecursionError):
        first = None
    if isinstance(first, dict):
        if isinstance(first.get("data"), dict) and (
            "annotations" in first or "predictions" in first
        ):
            return LABEL_STUDIO
        values = list(first.values())
        if isinstance(first.get("text"), str) and (
            any(_regions(v) for v in values)
            or any(key in first for key in ("annotator", "annotation_id"))
            or [] in values
        ):
            return LABEL_STUDIO_MIN
        if "words" in first and "tags" in first:
            return "PhoNER JSON as one array"
    elif first is None and '"annotations"' in text and '"data"' in text:
        return LABEL_STUDIO  # a first task longer than the head
    return None


def _regions(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "start" in v and "labels" in v for v in value)
    )


def _json_lines_kind(first: dict[str, Any]) -> str | None:
    if "words" in first and "tags" in first:
        return PHONER
    if "tokens" in first and "ner_tags" in first:
        return "Hugging Face token-classification JSON (tokens and ner_tags)"
    if isinstance(first.get("data"), dict):
        return "Label Studio tasks, one a line"
    return None


def _columns(lines: list[str]) -> str | None:
    rows = [line.split() for line in lines if not line.startswith("#")]
    if any(line.startswith("# sent_id") or line.startswith("# text") for line in lines) or (
        rows and all(len(line.split("\t")) == 10 for line in lines if not line.startswith("#"))
    ):
        return "CoNLL-U"
    tagged = [row for row in rows if len(row) >= 2 and _TAG.match(row[-1])]
    if any(line.startswith("-DOCSTART-") for line in lines) or (
        len(rows) >= 3 and len(tagged) >= 0.8 * len(rows)
    ):
        return CONLL
    return None
