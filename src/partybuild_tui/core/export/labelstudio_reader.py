"""Reading Label Studio exports: JSON (tasks with ``annotations``) and JSON-MIN (flat records).

The file is one JSON array, read one task at a time (memory holds one task, not the file).
A task's text is ``data.text`` (or its only string field); each annotation's ``labels``
regions become spans of its annotator (``completed_by``: the e-mail, or
``label-studio-user-<id>``). Cancelled annotations, predictions and regions of other types
are not accepted spans: they are reported, not imported. JSON-MIN records hold the text and a
list of ``{start, end, labels}`` under the control's name, and an ``annotator``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from partybuild_tui.core.export.records import Problem, RawSpan, Record

CHUNK = 1 << 20  # characters read at a time
META = ("title", "date", "source", "author", "url", "status")


def label_studio(path: Path) -> Iterator[Record | Problem]:
    for where, item in array_items(path):
        if isinstance(item, Problem):
            yield item
        elif not isinstance(item, dict):
            yield Problem(where, "task is not a JSON object")
        else:
            yield _task(where, item)


def array_items(path: Path) -> Iterator[tuple[str, Any]]:
    """(``file[index]``, item) for each item of the JSON array in ``path``, streamed; a
    :class:`Problem` in place of an item ends the reading."""
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            yield from _items(str(path), _Buffer(handle))
    except OSError as exc:
        yield str(path), Problem(str(path), f"cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        yield str(path), Problem(str(path), "not UTF-8")


def _items(name: str, buffer: _Buffer) -> Iterator[tuple[str, Any]]:
    if buffer.next_char() != "[":
        yield name, Problem(name, "malformed JSON (not an array)")
        return
    buffer.pos += 1
    if buffer.next_char() == "]":
        return
    index = 0
    while True:
        where = f"{name}[{index}]"
        try:
            item = buffer.decode()
        except json.JSONDecodeError as exc:
            yield where, Problem(where, f"malformed JSON ({exc.msg})")
            return
        except RecursionError:
            yield where, Problem(where, "malformed JSON (nested too deeply)")
            return
        yield where, item
        index += 1
        char = buffer.next_char()
        if char == "]":
            return
        if char != ",":
            yield where, Problem(where, "malformed JSON (expected ',' or ']' after the item)")
            return
        buffer.pos += 1


class _Buffer:
    """The text read so far from ``pos`` on, read on in chunks when a value needs more."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.text = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        self.eof = not chunk
        return bool(chunk)

    def next_char(self) -> str:
        """The next character that is not whitespace ('' at the end), without taking it."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos].isspace():
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._more():
                return ""

    def decode(self) -> Any:
        self.next_char()
        while True:
            try:
                item, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if not self._more():
                    raise
                continue
            if end == len(self.text) and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return item


def _task(where: str, item: dict[str, Any]) -> Record | Problem:
    if isinstance(item.get("data"), dict):
        fields = item["data"]
        text = _text(fields)
    else:  # JSON-MIN
        fields = item
        text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        return Problem(where, "no non-empty text (data.text)")
    if "\x00" in text:
        return Problem(where, "the text contains NUL characters")
    problems: list[tuple[str, str]] = []
    spans: list[RawSpan] = []
    try:
        if "data" in item:
            _annotations(where, item, spans, problems)
        else:
            _minimal(item, spans)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        return Problem(where, f"malformed regions ({exc})")
    meta: dict[str, Any] = {key: fields.get(key) for key in META}
    meta["problems"] = problems
    return Record(where, "labelstudio", text, tuple(spans), meta)


def _text(data: dict[str, Any]) -> object:
    if "text" in data:
        return data["text"]
    strings = [value for value in data.values() if isinstance(value, str)]
    return strings[0] if len(strings) == 1 else None


def _annotations(
    where: str, item: dict[str, Any], spans: list[RawSpan], problems: list[tuple[str, str]]
) -> None:
    annotations = item.get("annotations", item.get("completions", []))
    if not isinstance(annotations, list):
        raise TypeError("'annotations' is not a list")
    if item.get("predictions"):
        count = len(item["predictions"])
        problems.append((where, f"predictions not imported: {count} pre-annotation(s)"))
    for number, annotation in enumerate(annotations):
        here = f"{where}.annotations[{number}]"
        if not isinstance(annotation, dict):
            raise TypeError("an annotation is not an object")
        if annotation.get("was_cancelled") or annotation.get("skipped"):
            problems.append((here, "cancelled: a skipped annotation is not imported"))
            continue
        who = _who(annotation.get("completed_by"))
        for result in annotation.get("result", []):
            kind = result.get("type")
            if kind != "labels":
                problems.append((here, f"not a labels region (type {kind!r}): not imported"))
                continue
            spans.extend(_value_spans(result["value"], who))


def _minimal(item: dict[str, Any], spans: list[RawSpan]) -> None:
    who = _who(item.get("annotator"))
    for value in item.values():
        if isinstance(value, list) and all(
            isinstance(v, dict) and "start" in v and "labels" in v for v in value
        ):
            for region in value:
                spans.extend(_value_spans(region, who))


def _value_spans(value: dict[str, Any], who: str | None) -> list[RawSpan]:
    start, end = value["start"], value["end"]
    for offset in (start, end):
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise ValueError(f"offset {offset!r} is not an integer")
    labels = value["labels"]
    if not isinstance(labels, list):
        raise TypeError("'labels' is not a list")
    shown = value.get("text")
    return [
        RawSpan(start, end, str(label), None if shown is None else str(shown), who)
        for label in labels
    ]


def _who(completed_by: object) -> str | None:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    if isinstance(completed_by, bool) or completed_by is None or completed_by == "":
        return None
    if isinstance(completed_by, int):
        return f"label-studio-user-{completed_by}"
    return str(completed_by)
