"""The records the store hands out: plain frozen dataclasses, no database handle inside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

STATUSES = ("new", "in_progress", "done", "skipped")


def now() -> str:
    """The timestamp every row carries: UTC, milliseconds, ISO 8601 (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Article:
    id: int
    key: str
    path: str | None
    title: str
    date: str | None
    source: str | None
    author: str | None
    url: str | None
    text: str
    content_hash: str
    body_start: int
    body_end: int
    status: str
    version: int
    superseded_by: int | None

    @property
    def body(self) -> str:
        return self.text[self.body_start : self.body_end]


@dataclass(frozen=True)
class ArticleRow:
    """What the article list shows of an article, without its text."""

    id: int
    title: str
    date: str | None
    source: str | None
    status: str
    span_count: int
    length: int


@dataclass(frozen=True)
class Span:
    id: int
    uid: str
    article_id: int
    start: int
    end: int
    label: str
    text: str
    origin: str
    annotator: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


class Place(NamedTuple):
    """Where a span lies: all a suggestion source needs of the spans (a tuple: reading
    thousands of them costs a fifth of reading them as ``Span``)."""

    start: int
    end: int


@dataclass(frozen=True)
class NewSpan:
    start: int
    end: int
    label: str
    origin: str = "manual"


@dataclass(frozen=True)
class Action:
    """One recorded change: the spans it added and removed, and any status it changed
    (``elsewhere``: an undo or redo of a change another window or session made;
    ``verdicts``: the suggestions whose decision in the layer it changed, so a screen
    re-reads the suggestions only where it acted)."""

    id: int
    article_id: int
    kind: str
    added: tuple[Span, ...]
    removed: tuple[Span, ...]
    status: tuple[str, str] | None = None
    elsewhere: bool = False
    verdicts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A stored proposal and its decision status (pending, accepted or rejected)."""

    id: int
    article_id: int
    source: str
    source_version: str
    start: int
    end: int
    label: str
    text: str
    score: float
    status: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    @property
    def key(self) -> tuple[int, int, str]:
        return self.start, self.end, self.label
