"""The labels section: per label, spans, distinct surface forms, the top forms, lengths.

Forms arrive grouped by exact text (``queries.stats.form_rows``) and are merged here by
``surface_key`` (tone placement, Unicode form, case, spacing ignored).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from partybuild_tui.core.stats.consistency import forms_by_label

SYLLABLE_BUCKETS = ("1", "2", "3", "4", "5", "6", "7", "8+")
CHAR_BUCKETS = ((1, 5), (6, 10), (11, 20), (21, 30), (31, 50), (51, None))


@dataclass(frozen=True)
class FormCount:
    form: str
    count: int


@dataclass
class LabelStats:
    label: str
    spans: int
    distinct_forms: int
    top_forms: list[FormCount]
    syllables: dict[str, int]
    chars: dict[str, int]


def _syllable_bucket(text: str) -> str:
    n = max(len(text.split()), 1)
    return str(n) if n < 8 else "8+"


def _char_bucket(text: str) -> str:
    n = len(text)
    for low, high in CHAR_BUCKETS:
        if high is None or n <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    return ""  # unreachable: the last bucket is open


def label_stats(
    rows: Sequence[tuple[str, str, int]], labels: Sequence[str], *, top: int = 10
) -> list[LabelStats]:
    """Per label: spans, distinct forms (folded), the top forms and length histograms."""
    forms = forms_by_label(rows)
    syllable_hist: dict[str, Counter[str]] = defaultdict(Counter)
    char_hist: dict[str, Counter[str]] = defaultdict(Counter)
    for label, text, count in rows:
        syllable_hist[label][_syllable_bucket(text)] += count
        char_hist[label][_char_bucket(text)] += count
    char_names = [f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in CHAR_BUCKETS]
    out = []
    for label in labels:
        by_key = forms.get(label, {})
        ranked = sorted(by_key.values(), key=lambda fm: (-fm.count, fm.shown))
        out.append(
            LabelStats(
                label=label,
                spans=sum(fm.count for fm in by_key.values()),
                distinct_forms=len(by_key),
                top_forms=[FormCount(fm.shown, fm.count) for fm in ranked[:top]],
                syllables={b: syllable_hist[label][b] for b in SYLLABLE_BUCKETS},
                chars={b: char_hist[label][b] for b in char_names},
            )
        )
    return out
