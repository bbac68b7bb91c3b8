"""The rule source: regular patterns from the pattern file (document numbers, party bodies).

Matches of all rules are pooled and made flat: where two overlap, the longer one wins (then
the higher score), so "Ban Thường vụ Huyện ủy Lục Yên" beats "Huyện ủy Lục Yên".
"""

from __future__ import annotations

from partybuild_tui.core.store import Article
from partybuild_tui.core.suggest.base import Context, Proposal, flatten
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.tokenize import Tokenization

RULES_VERSION = "1"


class RuleSource:
    """Proposes every match of the pattern file's rules inside the article body."""

    name = "rules"

    def __init__(self, patterns: Patterns) -> None:
        self.patterns = patterns
        self.version = f"{RULES_VERSION}+{patterns.digest}"

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]:
        text = article.text
        found: list[Proposal] = []
        for rule in self.patterns.rules:
            for match in rule.pattern.finditer(text, article.body_start, article.body_end):
                group = "span" if "span" in rule.pattern.groupindex else 0
                start, end = match.span(group)
                if start < end and not self.patterns.not_entity(text[start:end]):
                    found.append(Proposal(start, end, rule.label, rule.score))
        return flatten(found)
