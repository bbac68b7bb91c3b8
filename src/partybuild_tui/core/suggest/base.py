"""What every suggestion source shares: the proposal it makes and the interface it implements.

A source looks at one article (its text and cached tokenization) and proposes labelled
character ranges. It knows nothing of the database: the engine decides what is stored, what
is shown and what was already rejected, so a source can run in a worker process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from partybuild_tui.core.store import Article, Span
from partybuild_tui.core.tokenize import Tokenization


@dataclass(frozen=True)
class Proposal:
    """A labelled range a source proposes, before it is snapped and stored."""

    start: int
    end: int
    label: str
    score: float = 0.5


@dataclass(frozen=True)
class Context:
    """What a source may know besides the article: the spans already tagged in it, and
    what other sources proposed (source name, proposal), stored or from this run."""

    spans: tuple[Span, ...] = field(default_factory=tuple)
    proposals: tuple[tuple[str, Proposal], ...] = field(default_factory=tuple)

    def with_proposals(self, more: list[tuple[str, Proposal]]) -> Context:
        return Context(self.spans, self.proposals + tuple(more))


@runtime_checkable
class Source(Protocol):
    """A suggestion source. ``version`` changes whenever its output for a text may change."""

    name: str
    version: str

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]: ...


# ---- syllables ----------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_LETTERS = re.compile(r"[^\W\d_]+")


def _tone_key_run(run: str) -> str:
    decomposed = unicodedata.normalize("NFD", run)
    tones = [ch for ch in decomposed if ch in _TONES]
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return bare + "".join(tones)


def tone_key(text: str) -> str:
    """A form where tone-placement variants agree ('hoà' and 'hòa', 'thuỷ' and 'thủy').

    Each run of letters loses its tone mark, which is appended after the run instead.
    Case is kept: 'Dũng' (a name) and 'dũng' (a word) stay different.
    """
    text = unicodedata.normalize("NFC", text)
    return _LETTERS.sub(lambda m: _tone_key_run(m.group(0)), text)


def snap(tokenization: Tokenization, start: int, end: int) -> tuple[int, int] | None:
    """Widen [start, end) to whole syllables; None if it covers no syllable."""
    syllables = tokenization.syllables
    first = tokenization.syllable_at(start)
    last = tokenization.syllable_at(max(end - 1, start))
    if first is None or last is None:
        return None
    if syllables[first][1] <= start:  # start fell in whitespace after a syllable
        first += 1
    if first >= len(syllables) or first > last:
        return None
    return syllables[first][0], syllables[last][1]


def flatten(proposals: list[Proposal]) -> list[Proposal]:
    """Keep a non-overlapping subset: longer proposals first, then higher scores."""
    kept: list[Proposal] = []
    ranked = sorted(proposals, key=lambda p: (-(p.end - p.start), -p.score, p.start))
    for proposal in ranked:
        if all(proposal.end <= k.start or k.end <= proposal.start for k in kept):
            kept.append(proposal)
    return sorted(kept, key=lambda p: (p.start, p.end))
