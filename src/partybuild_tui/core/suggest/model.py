"""The `model` source: a CRF sequence labeller trained on the annotator's own accepted spans.

underthesea_core's CRFsuite does the learning (``core/crf.py``); no model is downloaded: the
first one is trained from the user's first done articles (``suggest/training.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from partybuild_tui.core import crf
from partybuild_tui.core.store import Article
from partybuild_tui.core.suggest import features
from partybuild_tui.core.suggest.base import Context, Proposal
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.tokenize import Tokenization

NAME = "model"
# The sources whose proposals are features of the model (memory is left out: in training it
# would know the very spans being learned). The model runs after them.
HINT_SOURCES = ("rules", "byline", "ner")
MIN_SCORE = 0.35  # an entity whose mean tag probability is lower is not proposed


@dataclass(frozen=True)
class Trained:
    """A trained model: CRFsuite bytes and the version suggestions cached under it carry."""

    data: bytes
    training_hash: str
    version: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(self.data).hexdigest()[:12]
        object.__setattr__(self, "version", f"crf{features.FEATURE_VERSION}:{digest}")


# ---- tagging -----------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def tagger_for(data: bytes) -> crf.Tagger:
    return crf.Tagger(data)


def article_rows(
    article: Article,
    tokenization: Tokenization,
    index: features.ListIndex,
    hints: Sequence[tuple[str, Proposal]],
) -> list[tuple[features.Sentence, list[list[str]]]]:
    """Each body sentence of the article with the features of its syllables."""
    out = []
    for sentence in features.sentences(tokenization, article.body_start, article.body_end):
        lo, hi = sentence.tokens[0][0], sentence.tokens[-1][1]
        near = [(s, p) for s, p in hints if p.start < hi and lo < p.end]
        out.append((sentence, features.featurize(tokenization, sentence, index, near)))
    return out


def hints_of(context: Context) -> list[tuple[str, Proposal]]:
    """The other sources' proposals the model reads as features."""
    return [(s, p) for s, p in context.proposals if s in HINT_SOURCES]


class ModelSource:
    """Proposes the entities the trained CRF finds, scored by their mean tag probability."""

    name = NAME

    def __init__(self, trained: Trained, patterns: Patterns) -> None:
        self.trained = trained
        self.version = trained.version
        self.index = features.ListIndex(patterns)

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]:
        return self.assess(article, tokenization, context)[0]

    def assess(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> tuple[list[Proposal], float]:
        """The proposals, and how unsure the model is of the article: 1 − the lowest
        sentence confidence (the product of its tag probabilities), for active learning."""
        tagger = tagger_for(self.trained.data)
        found: list[Proposal] = []
        worst = 1.0
        for sentence, rows in article_rows(article, tokenization, self.index, hints_of(context)):
            tags, probs = tagger.tag(rows)
            for start, end, label, first, last in features.entities(sentence.tokens, tags):
                score = sum(probs[first : last + 1]) / (last - first + 1)
                if score >= MIN_SCORE:
                    found.append(Proposal(start, end, label, round(score, 4)))
            confidence = 1.0
            for p in probs:
                confidence *= p
            worst = min(worst, confidence)
        return found, round(1.0 - worst, 6)
