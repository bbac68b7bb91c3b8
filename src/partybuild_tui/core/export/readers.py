"""Reading labeled files: this tool's JSONL, doccano JSONL, Prodigy JSONL and brat standoff.

Readers never raise on bad lines: a malformed line or file becomes a :class:`Problem` naming
the file and line, and reading goes on. Files are read one line (or one brat pair) at a time.
A file in a format the import does not read raises :class:`UserError` before anything is
read, naming the format it looks like (see :mod:`sniff`).

Prodigy examples (lines with ``answer``, ``_input_hash`` or ``_task_hash``) are imported only
when the answer is ``accept``; rejected, ignored and unanswered ones are reported. The same
task (``_task_hash``) answered again by the same annotator is a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from partybuild_tui.core import corpus
from partybuild_tui.core.choices import IMPORT_FORMATS
from partybuild_tui.core.export.labelstudio_reader import label_studio
from partybuild_tui.core.export.records import Problem, RawSpan, Record
from partybuild_tui.core.export.sniff import readable, sniff
from partybuild_tui.core.export.tokens_reader import TokenDocument, read_conll, read_phoner
from partybuild_tui.errors import UserError

__all__ = ["FORMATS", "Problem", "RawSpan", "Record", "TokenDocument", "read"]

FORMATS = IMPORT_FORMATS
READS = (
    "this tool's JSONL, doccano JSONL, Prodigy JSONL, Label Studio JSON or JSON-MIN, "
    "brat standoff, CoNLL / BIO columns and PhoNER JSON"
)
PRODIGY_KEYS = ("answer", "_input_hash", "_task_hash")
CHUNK = 1 << 20  # how a line over the size limit is read past


def read(path: Path, fmt: str = "auto") -> Iterator[Record | TokenDocument | Problem]:
    """Records (token formats: documents of tagged tokens) and problems in a file or folder."""
    if fmt not in FORMATS:
        yield Problem(str(path), f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return
    if not path.exists():
        yield Problem(str(path), "no such file or folder")
        return
    brat = fmt == "brat" or path.is_dir() or path.suffix.lower() in (".ann", ".txt")
    looks_like = sniff(path) if fmt == "auto" and not path.is_dir() else None
    if brat and (path.suffix.lower() == ".ann" or path.with_suffix(".ann").exists()):
        looks_like = None  # a brat pair: its .txt is the article, whatever it holds
    chosen = fmt if fmt != "auto" else readable(looks_like)
    readers = {"labelstudio": label_studio, "conll": read_conll, "phoner": read_phoner}
    if chosen in readers:
        yield from readers[chosen](path)
        return
    if looks_like is not None:
        raise UserError(
            f"{path} looks like {looks_like}, which import-annotations does not read "
            f"(it reads {READS})"
        )
    if brat:
        yield from _brat(path)
        return
    yield from _json_lines(path, fmt)


# ---- JSON lines ------------------------------------------------------------------------------


def _json_lines(path: Path, fmt: str) -> Iterator[Record | Problem]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
        return
    seen: dict[tuple[object, object], int] = {}  # Prodigy (task hash, annotator) -> line
    with handle:
        wide = _wide_text(handle.peek(8)[:8])
        if wide:
            convert = f"convert it with iconv -f {wide} -t UTF-8"
            yield Problem(str(path), f"{wide} text: JSON lines must be UTF-8; {convert}")
            return
        for number, raw in enumerate(_bounded_lines(handle), start=1):
            where = f"{path}:{number}"
            if isinstance(raw, int):
                yield Problem(where, corpus.size_problem("line", raw) or "line too large")
                continue
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                data = json.loads(line)
            except UnicodeDecodeError:
                yield Problem(where, "not UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield Problem(where, f"malformed JSON ({exc.msg}, column {exc.colno})")
                continue
            except RecursionError:
                yield Problem(where, "malformed JSON (nested too deeply)")
                continue
            surrogate = _surrogate(data)
            if surrogate:
                yield Problem(where, surrogate)
                continue
            yield _json_record(where, data, fmt, (seen, number))


def _wide_text(head: bytes) -> str:
    """ "UTF-16"/"UTF-32" when ``head`` is that encoding's byte-order mark and an ASCII
    character (JSON starts with one), else "" (a garbage first line is that line's problem)."""
    for bom, codec, name in corpus.BOMS:
        width = 4 if name == "UTF-32" else 2
        unit = head[len(bom) : len(bom) + width]
        if head.startswith(bom) and len(unit) == width:
            try:
                first = unit.decode(codec)
            except UnicodeDecodeError:
                continue
            if first.isascii() and (first.isprintable() or first.isspace()):
                return name
    return ""


def _bounded_lines(handle: BinaryIO) -> Iterator[bytes | int]:
    """Each line, or for a line over the size limit its size (read past, never held whole)."""
    limit = corpus.MAX_FILE_BYTES
    while line := handle.readline(limit + 1):
        if line.endswith(b"\n") or len(line) <= limit:
            yield line
            continue
        size = len(line)
        while chunk := handle.readline(CHUNK):
            size += len(chunk)
            if chunk.endswith(b"\n"):
                size -= 1
                break
        yield size


def _surrogate(data: Any) -> str | None:
    """Why the parsed line cannot be stored: JSON can escape lone surrogates, UTF-8 cannot."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"invalid Unicode: unpaired surrogate escape \\u{ord(exc.object[exc.start]):04x}"
    return None


Seen = tuple[dict[tuple[object, object], int], int]  # Prodigy tasks seen, this line's number


def _json_record(where: str, data: Any, fmt: str, seen: Seen) -> Record | Problem:
    if not isinstance(data, dict):
        return Problem(where, "line is not a JSON object")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        return Problem(where, "no non-empty 'text' string")
    if "\x00" in text:
        return Problem(where, "'text' contains NUL characters")
    kind = fmt if fmt != "auto" else _kind(data)
    if kind == "prodigy":
        refused = _prodigy_refusal(data, seen)
        if refused:
            return Problem(where, refused)
    try:
        spans = _doccano_spans(data) if kind == "doccano" else _own_spans(data, kind)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        return Problem(where, f"malformed spans ({_reason(exc)})")
    fields = data.get("meta") if kind == "prodigy" else data
    if not isinstance(fields, dict):
        fields = {}
    meta = {key: fields.get(key) for key in ("title", "date", "source", "author", "url", "status")}
    return Record(where, kind, text, tuple(spans), meta)


def _kind(data: dict[str, Any]) -> str:
    if any(key in data for key in PRODIGY_KEYS):
        return "prodigy"
    return "jsonl" if "spans" in data else "doccano"


def _prodigy_refusal(data: dict[str, Any], seen: Seen) -> str | None:
    """Why a Prodigy example is not imported: not accepted, or a task already imported."""
    answer = data.get("answer")
    if answer != "accept":
        if answer is None:
            return "not accepted: no Prodigy answer (a task nobody answered yet)"
        return f"not accepted: Prodigy answer {answer!r} (only 'accept' is imported)"
    task = data.get("_task_hash")
    if task is None:
        return None
    tasks, number = seen
    key = (task, _annotator(data))
    if key in tasks:
        return f"duplicate task: same _task_hash {task} as line {tasks[key]}"
    tasks[key] = number
    return None


def _annotator(data: dict[str, Any]) -> str | None:
    """Prodigy's annotator: the named session (``dataset-name``) that answered."""
    return _opt(data.get("_annotator_id") or data.get("_session_id"))


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"offset {value!r} is not an integer")
    return value


def _own_spans(data: dict[str, Any], kind: str) -> list[RawSpan]:
    """This tool's spans, or Prodigy's (character offsets; token indices are not needed)."""
    spans = data.get("spans", []) if kind == "prodigy" else data["spans"]
    if not isinstance(spans, list):
        raise TypeError("'spans' is not a list")
    prodigy_annotator = _annotator(data) if kind == "prodigy" else None
    out = []
    for item in spans:
        if not isinstance(item, dict):
            raise TypeError("a span is not an object")
        out.append(
            RawSpan(
                _int(item["start"]),
                _int(item["end"]),
                str(item["label"]),
                _opt(item.get("text")),
                prodigy_annotator or _opt(item.get("annotator")),
                None if kind == "prodigy" else _opt(item.get("origin")),
            )
        )
    return out


def _doccano_spans(data: dict[str, Any]) -> list[RawSpan]:
    """doccano's ``label: [[start, end, "LABEL"]]`` (or ``labels``, or ``entities`` objects)."""
    if isinstance(data.get("entities"), list):
        return [
            RawSpan(_int(e["start_offset"]), _int(e["end_offset"]), str(e["label"]))
            for e in data["entities"]
        ]
    items = data.get("label", data.get("labels", []))
    if not isinstance(items, list):
        raise TypeError("'label' is not a list")
    out = []
    for item in items:
        if not isinstance(item, list) or len(item) != 3:
            raise ValueError(f"label {item!r} is not [start, end, LABEL]")
        out.append(RawSpan(_int(item[0]), _int(item[1]), str(item[2])))
    return out


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


# ---- brat ------------------------------------------------------------------------------------


def _brat(path: Path) -> Iterator[Record | Problem]:
    if path.is_dir():
        anns = sorted(p for p in path.rglob("*.ann") if not p.name.startswith("."))
        if not anns:
            yield Problem(str(path), "no .ann files in this folder")
        for ann in anns:
            yield _brat_pair(ann)
        return
    yield _brat_pair(path.with_suffix(".ann"))


def _brat_pair(ann: Path) -> Record | Problem:
    txt = ann.with_suffix(".txt")
    try:
        for part in (txt, ann) if ann.exists() else (txt,):
            too_large = corpus.size_problem("file", part.stat().st_size)
            if too_large:
                return Problem(str(part), too_large)
        text = corpus.decode(txt.read_bytes())
        lines = _lines(ann.read_bytes().decode("utf-8-sig")) if ann.exists() else []
    except FileNotFoundError:
        return Problem(str(txt), "no .txt beside the .ann (brat needs both)")
    except (OSError, corpus.UnreadableText, UnicodeDecodeError) as exc:
        return Problem(str(ann), f"cannot read: {getattr(exc, 'strerror', None) or exc}")
    spans: list[RawSpan] = []
    problems = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith("T"):
            if line.strip():
                problems.append((number, "not a text-bound entity (only T lines are imported)"))
            continue
        try:
            spans.append(_brat_span(line))
        except (ValueError, IndexError):
            problems.append((number, "malformed T line (want 'T1<TAB>LABEL start end<TAB>text')"))
    meta: dict[str, Any] = {"problems": [(f"{ann}:{n}", why) for n, why in problems]}
    return Record(str(ann), "brat", text, tuple(spans), meta)


def _brat_span(line: str) -> RawSpan:
    _ident, middle, shown = line.split("\t", 2)
    label, _, where = middle.partition(" ")
    fragments = []
    for part in where.split(";"):
        a, b = part.split()
        fragments.append((int(a), int(b)))
    if not label or not fragments:
        raise ValueError("empty")
    return RawSpan(fragments[0][0], fragments[-1][1], label, shown, fragments=tuple(fragments))


def _lines(text: str) -> list[str]:
    """Lines as an editor numbers them: U+2028 and friends may be inside a span's text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and not lines[-1] else lines
