"""P/R/F1 cells shared by the suggestion scores and the agreement tables."""

from __future__ import annotations

from partybuild_tui.core.stats import Scores


def measures(s: Scores) -> list[str]:
    """P, R, F1 in percent; "–" where undefined (nothing predicted, or no gold)."""
    p = f"{100 * s.precision:.1f}" if s.predicted else "–"
    r = f"{100 * s.recall:.1f}" if s.gold else "–"
    f1 = f"{100 * s.f1:.1f}" if s.predicted and s.gold else "–"
    return [p, r, f1]
