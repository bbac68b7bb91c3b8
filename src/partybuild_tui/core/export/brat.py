"""brat standoff: ``<name>.txt`` (the full stored text) and ``<name>.ann`` per article, and an
``annotation.conf`` declaring the labels, in one folder (one folder per split).

Files are named by the first 16 hex digits of the article's content hash, so names are the
same in every database holding the text, and importing the folder finds the article again.
brat counts characters like Python. A span that crosses a line break is written as brat
fragments (``start end;start end``), the text field joining them with a space.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from partybuild_tui.core.export.select import SPLIT_NAMES, Document
from partybuild_tui.core.export.swap import FolderSwap

NAME = re.compile(r"^[0-9a-f]{16}\.(txt|ann)$")
CONF = "annotation.conf"
_CONF_TEXT = re.compile(
    r"\[entities\]\n(?:\S+\n)*\n\[relations\]\n\n\[events\]\n\n\[attributes\]\n"
)
_SPLITS = {name for names in SPLIT_NAMES.values() for name in names}


def file_stem(content_hash: str) -> str:
    return content_hash[:16]


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at line breaks, as brat requires."""
    out: list[tuple[int, int]] = []
    pos = start
    for piece in text[start:end].split("\n"):
        if piece:
            out.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return out


def annotation_line(number: int, label: str, text: str, start: int, end: int) -> str:
    parts = fragments(text, start, end)
    where = ";".join(f"{a} {b}" for a, b in parts)
    shown = " ".join(text[a:b] for a, b in parts)
    return f"T{number}\t{label} {where}\t{shown}\n"


def annotation_conf(labels: Sequence[str]) -> str:
    return (
        "[entities]\n"
        + "".join(f"{label}\n" for label in labels)
        + ("\n[relations]\n\n[events]\n\n[attributes]\n")
    )


class BratWriter:
    """Writes one split into ``sub`` (``""``: the top) of a folder swapped in whole."""

    def __init__(self, folder: FolderSwap, sub: str, labels: Sequence[str]) -> None:
        self.folder = folder
        self.prefix = f"{sub}/" if sub else ""
        folder.write(self.prefix + CONF, annotation_conf(labels))

    def write(self, doc: Document, sentences: object = None, words: object = None) -> None:
        article = doc.article
        stem = file_stem(article.content_hash)
        spans = sorted(doc.spans, key=lambda x: (x.start, x.end, x.label))
        lines = (
            annotation_line(number, span.label, article.text, span.start, span.end)
            for number, span in enumerate(spans, start=1)
        )
        self.folder.write(f"{self.prefix}{stem}.txt", article.text)
        self.folder.write(f"{self.prefix}{stem}.ann", "".join(lines))

    def close(self) -> None:
        pass


def is_export_name(name: str) -> bool:
    """A name brat export writes (an old-style temporary file of it may be cleaned)."""
    return bool(NAME.match(name)) or name == CONF


def written_by_export(folder: Path, rel: str) -> bool:
    """Whether a file in a brat folder with no manifest (written by an older version) is an
    export's: a text whose name is its hash, the annotations beside it, the generated conf.
    Anything else, however its name looks, is somebody else's."""
    *subs, name = rel.split("/")
    if len(subs) > 1 or (subs and subs[0] not in _SPLITS):
        return False
    path = folder / rel
    try:
        if name == CONF:
            return bool(_CONF_TEXT.fullmatch(path.read_text(encoding="utf-8")))
        if not NAME.match(name) or path.is_symlink():
            return False
        text = path.with_suffix(".txt")
        digest = hashlib.sha256(text.read_bytes()).hexdigest()
    except (OSError, UnicodeDecodeError):
        return False
    return file_stem(digest) == name[:16]
