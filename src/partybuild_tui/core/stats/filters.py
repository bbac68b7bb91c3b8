"""Which articles and whose work the stats count.

Filters select articles (status, the article's own date, full-text search) and, separately,
spans/actions/decisions (annotator); ``store.queries.scope`` turns them into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from partybuild_tui.core.store import STATUSES
from partybuild_tui.core.store.queries.scope import WORKED
from partybuild_tui.errors import UserError

__all__ = ["WORKED", "StatsFilter"]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class StatsFilter:
    """Which articles (status, article date, search) and whose work (annotator) to count."""

    status: tuple[str, ...] = ()
    annotator: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None

    def __post_init__(self) -> None:
        for value in self.status:
            if value not in STATUSES:
                raise UserError(f"unknown status {value!r}; use one of {', '.join(STATUSES)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _valid_date(value):
                raise UserError(f"--{name} {value!r} is not a date; write it as YYYY-MM-DD")


def _valid_date(value: str) -> bool:
    if not _DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
