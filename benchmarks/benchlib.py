"""What the ``*_bench.py`` scripts share: rows, percentiles, peak memory and the command line.

A script defines its cases (name -> function of the parsed arguments returning rows) and
calls ``main(CASES, description, add_arguments)``, which implements the convention in
benchmarks/README.md: ``--list-cases``, ``--case NAME`` (repeatable), ``--json`` (the rows as
the last stdout line) and ``--n/--db/--corpus/--work``, unknown options ignored. Without
``--json`` the rows are printed as a table for people.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
Row = dict[str, Any]
Case = Callable[[argparse.Namespace], list[Row]]


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row(figure: str, value: float, unit: str, note: str = "") -> Row:
    """One table row; its memory is this process's peak when the row is made."""
    return {
        "figure": figure,
        "value": round(value, 4),
        "unit": unit,
        "note": note,
        "peak_rss_mb": round(peak_mb(), 1),
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p95 of 300 values is the 285th smallest)."""
    ordered = sorted(values)
    return ordered[round(pct / 100 * (len(ordered) - 1))]


def summary(values_ms: Sequence[float]) -> str:
    """'median of N, p95 X ms' for a note."""
    return f"median of {len(values_ms)}, p95 {percentile(values_ms, 95):.1f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def parser(description: str) -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(description=description)
    found.add_argument("--list-cases", action="store_true", help="print the case names (JSON)")
    found.add_argument("--case", action="append", help="run only this case (repeatable)")
    found.add_argument("--json", action="store_true", help="print {'rows': [...]} last")
    found.add_argument("--n", type=int, default=10_000, help="articles in the run's corpus")
    found.add_argument("--db", help="bulk-built database of --n articles (read only)")
    found.add_argument("--corpus", help="generated corpus folder of --n files")
    found.add_argument("--work", default=str(HERE / "out"), help="scratch and cached inputs")
    return found


def main(
    cases: Callable[[argparse.Namespace], dict[str, Case]],
    description: str,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    argv: list[str] | None = None,
) -> int:
    """Parse the command line, run the chosen cases, print JSON or a table."""
    found = parser(description)
    if add_arguments:
        add_arguments(found)
    args, _unknown = found.parse_known_args(argv)
    known = cases(args)
    if args.list_cases:
        print(json.dumps(list(known)))
        return 0
    chosen = args.case or list(known)
    missing = [name for name in chosen if name not in known]
    if missing:
        found.error(f"unknown case {missing[0]!r}; cases: {', '.join(known)}")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for name in chosen:
        if not args.json:
            print(f"running {name} ...", file=sys.stderr)
        rows.extend({"case": name, **found_row} for found_row in known[name](args))
    if args.json:
        print(json.dumps({"rows": rows}, ensure_ascii=False))
    else:
        print(table(rows))
    return 0


def table(rows: list[Row]) -> str:
    """The rows aligned for a terminal (peak MB: the process's peak so far)."""
    cells = [("case", "figure", "value", "unit", "peak MB", "note")]
    for found in rows:
        cells.append(
            (
                found.get("case", ""),
                found["figure"],
                f"{found['value']:,.2f}",
                found["unit"],
                f"{found.get('peak_rss_mb', 0):,.0f}",
                found["note"],
            )
        )
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    lines = []
    for cell in cells:
        padded = [
            c.rjust(widths[i]) if i in (2, 4) else c.ljust(widths[i]) for i, c in enumerate(cell)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
