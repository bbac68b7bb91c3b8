"""What an export wrote and every way a span had to be changed to fit the chosen tokens."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from partybuild_tui.core.export.swap import Cleaned
from partybuild_tui.errors import UserError

# adjustment kinds, as the summary table names them
SPLIT = "token split at the span edge (edge cut through a token)"
EXPANDED = "expanded to token edges (edge cut through a token, --cut expand)"
DROPPED_CUT = "dropped: edge cuts through a token (--cut drop)"
DROPPED_OVERLAP = "dropped: overlaps another span on the same tokens"
DROPPED_OUTSIDE = "dropped: outside the body (page boilerplate)"
DROPPED_EMPTY = "dropped: covers no token"
SPLIT_SENTENCE = "restarted with B- (span crosses a sentence boundary)"
MAX_DETAILS = 1000  # adjusted spans listed one by one (memory stays bounded)


class StrictError(UserError):
    """``--strict``: a span would have been adjusted; the message names article and span."""


@dataclass
class ExportSummary:
    """Counts for the summary table, per split (``None`` when not split)."""

    format: str
    articles: Counter[str] = field(default_factory=Counter)
    sentences: Counter[str] = field(default_factory=Counter)
    tokens: Counter[str] = field(default_factory=Counter)
    spans: Counter[str] = field(default_factory=Counter)  # label -> spans written
    adjusted: Counter[str] = field(default_factory=Counter)  # kind -> spans
    details: list[str] = field(default_factory=list)  # one line per adjusted span
    files: list[Path] = field(default_factory=list)  # files (brat: folders) written
    to_stdout: bool = False
    token_level: bool = False
    tokenized_now: int = 0
    cleaned: Cleaned = field(default_factory=Cleaned)  # left by interrupted exports, removed

    @property
    def total_articles(self) -> int:
        return sum(self.articles.values())
