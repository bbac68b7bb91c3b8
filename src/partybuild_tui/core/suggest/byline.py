"""The byline source: the article's author (read at import) is a FIGURE where it is written.

Bylines close an article ("Bài, ảnh: My Ly"); several authors are split on commas, dashes
and "và". Only forms that look like a person's name (two to five capitalized syllables) are
proposed, at their last occurrence inside the body.
"""

from __future__ import annotations

import re

from partybuild_tui.core.store import Article
from partybuild_tui.core.suggest.base import Context, Proposal
from partybuild_tui.core.tokenize import Tokenization

BYLINE_VERSION = "2"
SCORE = 0.85
_AGENCY = re.compile(r"\s*\([^)]*\)\s*$")  # "Minh Anh (TTXVN)"
_SPLIT = re.compile(r"\s*(?:,|;|&|\s[-–—]\s|\svà\s|/)\s*")


def _is_name(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 5 and all(
        w[:1].isupper() and w.isalpha() and w[1:] == w[1:].lower() for w in words
    )


class BylineSource:
    """Proposes each author name in ``article.author`` where the byline writes it."""

    name = "byline"
    version = BYLINE_VERSION

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]:
        if not article.author:
            return []
        out: list[Proposal] = []
        for name in _SPLIT.split(article.author.strip()):
            name = _AGENCY.sub("", name).strip().rstrip(".")
            if not _is_name(name):
                continue
            pattern = re.compile(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])")
            found = list(pattern.finditer(article.text, article.body_start, article.body_end))
            if found:
                out.append(Proposal(found[-1].start(), found[-1].end(), "FIGURE", SCORE))
        return out
