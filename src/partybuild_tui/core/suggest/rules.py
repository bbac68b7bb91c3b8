"""The rule source: regular patterns from the pattern file (document numbers, party bodies).

Matches of all rules are pooled and made flat: where two overlap, the longer one wins (then
the higher score), so "Ban Thường vụ Huyện ủy Lục Yên" beats "Huyện ủy Lục Yên".

Each rule has a time budget per article. A rule that runs out of it (a pattern that
backtracks catastrophically) is skipped for the rest of the run and listed in
``timed_out``; the source's version then names it, so the articles it was skipped on are
brought up to date again on a later run.
"""

from __future__ import annotations

from partybuild_tui.core.store import Article
from partybuild_tui.core.suggest.base import Context, Proposal, flatten
from partybuild_tui.core.suggest.patterns import OutOfTime, Patterns, Rule, finditer_within
from partybuild_tui.core.tokenize import Tokenization

RULES_VERSION = "1"


class RuleSource:
    """Proposes every match of the pattern file's rules inside the article body."""

    name = "rules"

    def __init__(self, patterns: Patterns) -> None:
        self.patterns = patterns
        self.timed_out: dict[str, tuple[str, int]] = {}  # rule -> (its file, first article)
        self.version = f"{RULES_VERSION}+{patterns.digest}"

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]:
        found: list[Proposal] = []
        for rule in self.patterns.rules:
            if rule.name in self.timed_out:
                continue
            try:
                found.extend(self._matches(rule, article))
            except OutOfTime:
                self.timed_out[rule.name] = (rule.file, article.id)
                skipped = ",".join(sorted(self.timed_out))
                self.version = f"{RULES_VERSION}+{self.patterns.digest}-{skipped}"
        return flatten(found)

    def _matches(self, rule: Rule, article: Article) -> list[Proposal]:
        text = article.text
        group = "span" if "span" in rule.pattern.groupindex else 0
        out = []
        for match in finditer_within(rule.pattern, text, article.body_start, article.body_end):
            start, end = match.span(group)
            if start < end and not self.patterns.not_entity(text[start:end]):
                out.append(Proposal(start, end, rule.label, rule.score))
        return out
