"""Corpus and annotation figures for ``partybuild stats`` and the app's stats screen.

The CLI, the TUI and the renderables use only the names re-exported here. One module per
section (``progress``, ``labels``, ``articles``, ``consistency``, ``quality`` for the
suggestions, ``agreement`` between annotators), ``summary`` composes them; ``matching``
scores predicted spans against gold ones (also for ``partybuild evaluate`` and the
agreement). No SQL here: it is in ``core/store/queries``.
"""

from partybuild_tui.core.stats.agreement import (
    UNTAGGED,
    Agreement,
    Disagreement,
    LabelAgreement,
    PairAgreement,
    measure_agreement,
)
from partybuild_tui.core.stats.articles import SORT_COLUMNS, ArticleStats, ArticleTable
from partybuild_tui.core.stats.consistency import (
    Consistency,
    LabelConflict,
    Location,
    SuspectTag,
    UntaggedForm,
)
from partybuild_tui.core.stats.filters import WORKED, StatsFilter
from partybuild_tui.core.stats.labels import FormCount, LabelStats
from partybuild_tui.core.stats.matching import Scores
from partybuild_tui.core.stats.progress import AnnotatorTotals, DayActivity, DayTotal, Progress
from partybuild_tui.core.stats.quality import TOTAL, SourceQuality
from partybuild_tui.core.stats.summary import SECTIONS, Stats, compute, to_json

__all__ = [
    "SECTIONS",
    "SORT_COLUMNS",
    "TOTAL",
    "UNTAGGED",
    "WORKED",
    "Agreement",
    "AnnotatorTotals",
    "ArticleStats",
    "ArticleTable",
    "Consistency",
    "DayActivity",
    "DayTotal",
    "Disagreement",
    "FormCount",
    "LabelAgreement",
    "LabelConflict",
    "LabelStats",
    "Location",
    "PairAgreement",
    "Progress",
    "Scores",
    "SourceQuality",
    "Stats",
    "StatsFilter",
    "SuspectTag",
    "UntaggedForm",
    "measure_agreement",
    "compute",
    "to_json",
]
