"""How far to trust each source, per label: its acceptance rate on the annotator's own
decisions, starting from a prior that the first decisions quickly outweigh.

Where sources disagree about one place, the proposal shown is the one whose source and label
have been accepted most often (then the higher score, then the longer). A correction of the
label counts as a rejection of the label proposed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from partybuild_tui.core.store import Store, Suggestion

# Prior acceptance rates before the annotator has decided anything; the model's is its own
# cross-validated F1 once trained. Worth PRIOR_WEIGHT decisions.
PRIORS = {"rules": 0.85, "byline": 0.9, "memory": 0.8, "ner": 0.6, "model": 0.7}
DEFAULT_PRIOR = 0.5
PRIOR_WEIGHT = 5.0
CACHE_SECONDS = 20.0  # the rates move slowly: recounting on every keypress would not pay


@dataclass(frozen=True)
class Reliability:
    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    priors: dict[str, float] = field(default_factory=lambda: dict(PRIORS))

    def of(self, source: str, label: str) -> float:
        """The expected acceptance rate of ``source``'s ``label`` proposals."""
        accepted, rejected = self.counts.get((source, label), (0, 0))
        prior = self.priors.get(source, DEFAULT_PRIOR)
        return (accepted + PRIOR_WEIGHT * prior) / (accepted + rejected + PRIOR_WEIGHT)

    def rank(self, item: Suggestion) -> tuple[float, float, int, int]:
        """Who wins a place: the more reliable source, then higher score, longer, earlier."""
        return (
            -round(self.of(item.source, item.label), 6),
            -item.score,
            -(item.end - item.start),
            item.start,
        )


_cache: dict[tuple[str, str | None], tuple[float, Reliability]] = {}


def load(store: Store, annotator: str | None) -> Reliability:
    """The annotator's figures (everyone's when None), recounted at most every few seconds."""
    key = (str(store.path), annotator)
    cached = _cache.get(key)
    if (
        cached is not None
        and time.monotonic() - cached[0] < CACHE_SECONDS
        and str(store.path) != ":memory:"
    ):
        return cached[1]
    priors = dict(PRIORS)
    record = store.latest_model_record("model")
    if record is not None and record.cv_f1:
        priors["model"] = record.cv_f1
    found = Reliability(store.decision_counts(annotator), priors)
    _cache[key] = (time.monotonic(), found)
    return found


def forget() -> None:
    """Drop the cached figures (tests, and after a batch of decisions)."""
    _cache.clear()
