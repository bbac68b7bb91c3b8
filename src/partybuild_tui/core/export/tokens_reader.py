"""Reading token-level corpora: CoNLL / BIO columns and PhoNER JSON lines, as sentences.

CoNLL: one token a line, columns split by tabs when the line has one (VLSP 2016: a word may
hold spaces) and by whitespace otherwise; a blank line ends a sentence; ``-DOCSTART-``
lines start a document; VLSP's ``<s>``/``</s>`` and ``#`` comment lines are skipped. The tag
is the last column, except in VLSP 2016's five columns (``word POS chunk NER nested``),
where it is the fourth. PhoNER: ``{"words": [...], "tags": [...]}`` one sentence a line.
Tokens join a word's syllables with ``_`` or a space; tags may be IOB1, IOB2, BIOES or BILOU.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from partybuild_tui.core.export.bio import TAG
from partybuild_tui.core.export.records import Problem

Sentence = list[tuple[str, str]]  # (token, tag)


@dataclass
class TokenDocument:
    """Sentences of one document (``marked``: it began with -DOCSTART-) or one sentence."""

    where: str
    format: str
    sentences: list[Sentence] = field(default_factory=list)
    marked: bool = False


def read_conll(path: Path) -> Iterator[TokenDocument | Problem]:
    """Documents (one per -DOCSTART-), or single sentences when the file has no markers."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
        return
    except UnicodeDecodeError:
        yield Problem(str(path), "not UTF-8")
        return
    marked = any(line.startswith("-DOCSTART-") for line in lines)
    column = _tag_column(lines)
    doc = TokenDocument(f"{path}:1", "conll", marked=marked)
    sentence: Sentence = []
    for number, line in enumerate([*lines, ""], start=1):
        stripped = line.strip()
        boundary = line.startswith("-DOCSTART-")
        if boundary or not stripped or stripped in ("<s>", "</s>"):
            if sentence:
                doc.sentences.append(sentence)
                sentence = []
                if not marked:
                    yield doc
                    doc = TokenDocument("", "conll")
            if boundary:
                if doc.sentences:
                    yield doc
                doc = TokenDocument(f"{path}:{number}", "conll", marked=True)
            continue
        if stripped.startswith("#") and not sentence:
            continue
        where = f"{path}:{number}"
        cells = [cell.strip() for cell in (line.split("\t") if "\t" in line else line.split())]
        if len(cells) < 2:
            yield Problem(where, "not 'token TAG' columns")
            continue
        tag = cells[column] if column < len(cells) else cells[-1]
        if not TAG.match(tag):
            yield Problem(where, f"not a BIO tag: {tag!r} (want O, B-X, I-X, E-X, S-X, L-X, U-X)")
            tag = "O"
        if not sentence and not marked:
            doc.where = where
        sentence.append((cells[0], tag))
    if doc.sentences:
        yield doc


def _tag_column(lines: list[str]) -> int:
    """VLSP 2016's five columns keep the flat NER tag in the fourth; otherwise the last."""
    rows = [line.split("\t") for line in lines[:2000] if "\t" in line]
    five = [row for row in rows if len(row) == 5]
    if rows and len(five) == len(rows) and all(TAG.match(r[3].strip()) for r in five):
        return 3
    return -1


def read_phoner(path: Path) -> Iterator[TokenDocument | Problem]:
    try:
        handle = path.open("r", encoding="utf-8-sig")
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _phoner_line(f"{path}:{number}", line)
        except UnicodeDecodeError:
            yield Problem(str(path), "not UTF-8")


def _phoner_line(where: str, line: str) -> TokenDocument | Problem:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return Problem(where, "malformed JSON")
    if not isinstance(data, dict):
        return Problem(where, "line is not a JSON object")
    words, tags = data.get("words"), data.get("tags")
    if not isinstance(words, list) or not isinstance(tags, list) or len(words) != len(tags):
        return Problem(where, "want 'words' and 'tags' lists of the same length")
    if not all(isinstance(w, str) and w.strip() for w in words):
        return Problem(where, "a word is not a non-empty string")
    bad = [t for t in tags if not isinstance(t, str) or not TAG.match(t)]
    if bad:
        return Problem(where, f"not a BIO tag: {bad[0]!r}")
    return TokenDocument(where, "phoner", [list(zip(words, tags, strict=True))])
