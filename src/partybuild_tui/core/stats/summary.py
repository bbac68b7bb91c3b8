"""The whole stats summary: every requested section, read in one snapshot, and as JSON.

Each section has its module (``progress``, ``labels``, ``articles``, ``consistency``,
``quality`` for the suggestions, ``agreement``), its SQL is in ``store.queries``;
``render.stats`` draws it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from partybuild_tui.core.choices import STATS_SECTIONS
from partybuild_tui.core.stats.agreement import Agreement, measure_agreement
from partybuild_tui.core.stats.articles import ArticleTable, article_table
from partybuild_tui.core.stats.consistency import Consistency, consistency
from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.stats.labels import LabelStats, label_stats
from partybuild_tui.core.stats.progress import Progress, progress
from partybuild_tui.core.stats.quality import SourceQuality, source_quality
from partybuild_tui.core.store import Store
from partybuild_tui.core.store.queries import scope
from partybuild_tui.core.store.queries import stats as q
from partybuild_tui.errors import UserError

SECTIONS = STATS_SECTIONS  # named where the help lists them (core.choices)
# Suggestion P/R/F1 are measured on at most this many articles (the newest): ~0.1 s.
QUALITY_LIMIT = 2000


@dataclass
class Stats:
    filter: StatsFilter
    labels: list[str]
    progress: Progress | None = None
    label_stats: list[LabelStats] | None = None
    articles: ArticleTable | None = None
    consistency: Consistency | None = None
    suggestions: list[SourceQuality] | None = None
    agreement: Agreement | None = None
    scored_articles: int = 0  # articles the suggestion scores were measured on
    scored_eligible: int = 0  # of how many (more when the newest ``quality_limit`` are taken)
    scored_basis: str = "done"  # which: "done" ones, or (none done) "tagged" ones
    _forms: list[tuple[str, str, int]] | None = field(default=None, repr=False)


def compute(
    store: Store,
    f: StatsFilter | None = None,
    *,
    labels: Sequence[str] = (),
    sections: Iterable[str] = SECTIONS,
    top: int = 10,
    sort: str = "density",
    descending: bool = False,
    limit: int | None = 20,
    days: int = 14,
    candidate_limit: int = 200,
    quality_limit: int | None = QUALITY_LIMIT,
) -> Stats:
    """The requested sections, read in one snapshot so the figures agree with each other."""
    f = f or StatsFilter()
    wanted = set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise UserError(f"unknown section {sorted(unknown)[0]!r}; use one of {', '.join(SECTIONS)}")
    with store.snapshot() as conn, scope.scoped(conn, f):
        present = q.labels_present(conn)
        all_labels = [*labels, *(lb for lb in present if lb not in labels)]
        stats = Stats(filter=f, labels=all_labels)
        if wanted & {"labels", "consistency"}:
            stats._forms = q.form_rows(conn, f)
        if "progress" in wanted:
            stats.progress = progress(conn, f, days=days, forms=stats._forms)
        if "labels" in wanted:
            stats.label_stats = label_stats(stats._forms or [], all_labels, top=top)
        if "articles" in wanted:
            stats.articles = article_table(
                conn, f, all_labels, sort=sort, descending=descending, limit=limit
            )
        if "consistency" in wanted:
            stats.consistency = consistency(
                conn, f, stats._forms or [], top=top, candidate_limit=candidate_limit
            )
        if "suggestions" in wanted:
            scoring = source_quality(conn, f, limit=quality_limit)
            stats.suggestions = scoring.rows
            stats.scored_articles, stats.scored_eligible = scoring.articles, scoring.eligible
            stats.scored_basis = scoring.basis
        if "agreement" in wanted:  # compares annotators: their filter does not apply
            stats.agreement = measure_agreement(conn, f, top=top)
    return stats


def to_json(stats: Stats) -> dict[str, Any]:
    """The figures as plain data for ``--json``: the same numbers the summary shows."""
    out: dict[str, Any] = {"filter": asdict(stats.filter), "label_names": stats.labels}
    out["filter"]["status"] = list(stats.filter.status)
    if stats.progress is not None:
        out["progress"] = asdict(stats.progress)
    if stats.label_stats is not None:
        out["labels"] = [asdict(ls) for ls in stats.label_stats]
    if stats.articles is not None:
        out["articles"] = asdict(stats.articles)
    if stats.consistency is not None:
        out["consistency"] = asdict(stats.consistency)
    if stats.suggestions is not None:
        out["suggestions"] = [row.to_json() for row in stats.suggestions]
        out["suggestions_scored"] = {
            "articles": stats.scored_articles,
            "eligible": stats.scored_eligible,
            "basis": stats.scored_basis,
        }
    if stats.agreement is not None:
        out["agreement"] = stats.agreement.to_json()
    return out
