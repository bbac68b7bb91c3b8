"""brat standoff: ``<name>.txt`` (the full stored text) and ``<name>.ann`` per article, and an
``annotation.conf`` declaring the labels, in one folder (one folder per split).

Files are named by the first 16 hex digits of the article's content hash, so names are the
same in every database holding the text, and importing the folder finds the article again.
brat counts characters like Python. A span that crosses a line break is written as brat
fragments (``start end;start end``), the text field joining them with a space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.sink import Sink

NAME = re.compile(r"^[0-9a-f]{16}\.(txt|ann)$")


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
    """Writes into ``folder``; the runner removes files of articles no longer exported."""

    def __init__(self, sink: Sink, folder: Path, labels: Sequence[str]) -> None:
        self.sink = sink
        self.folder = folder
        sink.write_file(folder / "annotation.conf", annotation_conf(labels))

    def write(self, doc: Document, sentences: object = None, words: object = None) -> None:
        article = doc.article
        stem = file_stem(article.content_hash)
        spans = sorted(doc.spans, key=lambda x: (x.start, x.end, x.label))
        lines = (
            annotation_line(number, span.label, article.text, span.start, span.end)
            for number, span in enumerate(spans, start=1)
        )
        self.sink.write_file(self.folder / f"{stem}.txt", article.text)
        self.sink.write_file(self.folder / f"{stem}.ann", "".join(lines))

    def close(self) -> None:
        pass

    def stale(self) -> list[Path]:
        """Before commit: hash-named files of an earlier export that this one did not write."""
        return [
            path
            for path in self.folder.iterdir()
            if NAME.match(path.name) and not self.sink.pending(path).exists()
        ]
