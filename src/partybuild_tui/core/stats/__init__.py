"""Corpus and annotation figures for ``partybuild stats`` and the app's stats screen.

The CLI, the TUI and the renderables use only the names re-exported here.
"""

from partybuild_tui.core.stats.consistency import (
    Consistency,
    LabelConflict,
    Location,
    UntaggedForm,
)
from partybuild_tui.core.stats.filters import WORKED, StatsFilter
from partybuild_tui.core.stats.quality import TOTAL, Scores, SourceQuality
from partybuild_tui.core.stats.summary import (
    SECTIONS,
    SORT_COLUMNS,
    AnnotatorTotals,
    ArticleStats,
    ArticleTable,
    DayActivity,
    DayTotal,
    FormCount,
    LabelStats,
    Progress,
    Stats,
    compute,
    to_json,
)

__all__ = [
    "SECTIONS",
    "SORT_COLUMNS",
    "TOTAL",
    "WORKED",
    "AnnotatorTotals",
    "ArticleStats",
    "ArticleTable",
    "Consistency",
    "DayActivity",
    "DayTotal",
    "FormCount",
    "LabelConflict",
    "LabelStats",
    "Location",
    "Progress",
    "Scores",
    "SourceQuality",
    "Stats",
    "StatsFilter",
    "UntaggedForm",
    "compute",
    "to_json",
]
