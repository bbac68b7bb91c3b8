"""Predicted spans against gold spans, one to one: the counts every P/R/F1 here comes from.

Two matchings: exact (same start, end and label) and overlap (same label, ranges intersect).
In overlap mode a gold span is matched at most once and a prediction at most once, and as
many pairs as possible are matched (a maximum bipartite matching): a greedy "each prediction
takes the span it overlaps most" would count [3, 10) [10, 20) against [0, 4) [4, 12) as one
match instead of two. ``partybuild evaluate`` and the stats' suggestion scores both count
with ``match`` / ``max_matching``, so the two agree.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

Item = tuple[int, int, int, str]  # article id, start, end, label
L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)


@dataclass(frozen=True)
class Scores:
    """Counts and the measures computed from them."""

    tp_pred: int = 0  # predictions that matched
    tp_gold: int = 0  # gold spans that were matched
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.tp_pred + other.tp_pred,
            self.tp_gold + other.tp_gold,
            self.predicted + other.predicted,
            self.gold + other.gold,
        )

    def to_json(self) -> dict[str, Any]:
        """Counts and measures; a measure is null when its denominator is 0 (undefined)."""
        precision = self.precision if self.predicted else None
        recall = self.recall if self.gold else None
        f1 = self.f1 if precision is not None and recall is not None else None
        return {
            "matched": self.tp_pred,
            "predicted": self.predicted,
            "gold": self.gold,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }


def max_matching(edges: Mapping[L, Sequence[R]]) -> int:
    """The size of a maximum matching of the bipartite graph ``left -> its right neighbours``.

    Augmenting paths found breadth first (Kuhn's algorithm, no recursion: a long chain of
    overlapping spans stays within the stack). O(V·E); the graphs here are small.
    """
    owner: dict[R, L] = {}  # right vertex -> the left one matched to it
    partner: dict[L, R] = {}
    for root in edges:
        came_from: dict[R, L] = {}
        queue = deque([root])
        free: R | None = None
        while queue and free is None:
            left = queue.popleft()
            for right in edges[left]:
                if right in came_from:
                    continue
                came_from[right] = left
                if right not in owner:
                    free = right
                    break
                queue.append(owner[right])
        while free is not None:  # flip the path back to the root (which has no partner)
            left = came_from[free]
            previous = partner.get(left)
            owner[free], partner[left] = left, free
            free = previous
    return len(partner)


def overlap_matches(pairs: Iterable[tuple[L, R]]) -> int:
    """How many one-to-one matches the (prediction, gold) overlapping pairs allow at most."""
    edges: dict[L, list[R]] = defaultdict(list)
    for pred, gold in pairs:
        edges[pred].append(gold)
    return max_matching(edges)


def match(predicted: Iterable[Item], gold: Iterable[Item], mode: str) -> Scores:
    """Score predictions against gold spans (one label's or all of them); duplicates count once."""
    preds = sorted(set(predicted))
    golds = sorted(set(gold))
    if mode == "exact":
        hits = len(set(preds) & set(golds))
        return Scores(hits, hits, len(preds), len(golds))
    by_doc: dict[tuple[int, str], list[Item]] = defaultdict(list)
    for g in golds:
        by_doc[(g[0], g[3])].append(g)
    pairs = [(p, g) for p in preds for g in by_doc[(p[0], p[3])] if g[1] < p[2] and p[1] < g[2]]
    hits = overlap_matches(pairs)
    return Scores(hits, hits, len(preds), len(golds))
