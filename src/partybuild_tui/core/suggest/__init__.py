"""Suggestions: proposals from underthesea NER, pattern rules, bylines and the user's own tags.

The app and the CLI use only the names re-exported here.
"""

from partybuild_tui.core.suggest.base import Context, Proposal, Source, tone_key
from partybuild_tui.core.suggest.batch import BatchReport, compute_many
from partybuild_tui.core.suggest.engine import (
    FAST_SOURCES,
    SLOW_SOURCES,
    SOURCE_NAMES,
    Suggestion,
    accept,
    accept_all,
    accept_as,
    alternatives,
    build_sources,
    compute,
    default_sources,
    next_suggestion,
    pending,
    pending_near,
    prepare_memory,
    propose,
    reject,
    save_results,
    stale_sources,
    suggestion,
    suggestion_at,
    suggestions,
    update,
)
from partybuild_tui.core.suggest.memory import Lexicon, load_lexicon, tag_all_occurrences
from partybuild_tui.core.suggest.patterns import PATTERNS_ENV, load_patterns

__all__ = [
    "BatchReport",
    "compute_many",
    "FAST_SOURCES",
    "SLOW_SOURCES",
    "PATTERNS_ENV",
    "SOURCE_NAMES",
    "Context",
    "Lexicon",
    "Proposal",
    "Source",
    "Suggestion",
    "accept",
    "accept_all",
    "accept_as",
    "alternatives",
    "build_sources",
    "compute",
    "default_sources",
    "next_suggestion",
    "load_lexicon",
    "load_patterns",
    "pending",
    "pending_near",
    "prepare_memory",
    "propose",
    "reject",
    "save_results",
    "stale_sources",
    "suggestion",
    "suggestion_at",
    "suggestions",
    "tag_all_occurrences",
    "tone_key",
    "update",
]
