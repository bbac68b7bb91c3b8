"""What readers make of a labeled file: records (a text and its spans) and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawSpan:
    start: int
    end: int
    label: str
    text: str | None = None  # as the file states it (brat: fragments joined by a space)
    annotator: str | None = None
    origin: str | None = None
    fragments: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Record:
    """One article's text and spans as a file states them."""

    where: str
    format: str
    text: str
    spans: tuple[RawSpan, ...]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str
