"""Run every benchmark, each case in its own process, and print one table.

    python benchmarks/run.py                 # 10,000 articles (a few minutes on 2 cores)
    python benchmarks/run.py --n 100000      # the large corpus
    python benchmarks/run.py --only core --markdown

Each ``benchmarks/*_bench.py`` follows the convention in benchmarks/README.md. The shared
inputs (a corpus folder of N files and a bulk-built database of N articles with spans) are
made once under ``benchmarks/out/`` and reused by later runs. Peak memory is the child's
``ru_maxrss`` (from ``os.wait4``), so every row's memory is that of its own case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable


@dataclass
class Outcome:
    """What one child process produced."""

    rows: list[dict[str, Any]]
    peak_mb: float
    seconds: float
    error: str | None = None
    load: tuple[float, float] | None = None  # 1-minute load average at the start, at the end


def run_child(args: list[str], log: Path, timeout: float) -> tuple[str, int, float, float]:
    """Run a Python child; return stdout, exit code, its peak RSS (MB) and wall seconds."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE)])}
    started = time.perf_counter()
    with log.open("w") as err, (log.with_suffix(".out")).open("w+") as out:
        proc = subprocess.Popen([PYTHON, *args], stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read()
    elapsed = time.perf_counter() - started
    return stdout, proc.returncode, usage.ru_maxrss / 1024, elapsed


def parse_rows(stdout: str) -> list[dict[str, Any]]:
    """The ``{"rows": [...]}`` object on the last non-empty line of a bench's stdout."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ValueError("printed nothing")
    found = json.loads(lines[-1])
    rows = found["rows"]
    if not isinstance(rows, list) or not all("figure" in r and "value" in r for r in rows):
        raise ValueError("rows need 'figure' and 'value'")
    return rows


def list_cases(script: Path, common: list[str], work: Path) -> list[str | None]:
    """The script's cases (``--list-cases``, given the run's options), or one unnamed run."""
    args = [str(script), "--list-cases", *common]
    stdout, code, _, _ = run_child(args, work / "list-cases.log", 60)
    try:
        cases = json.loads(stdout.strip().splitlines()[-1]) if code == 0 else None
    except (ValueError, IndexError):
        cases = None
    if isinstance(cases, list) and cases and all(isinstance(c, str) for c in cases):
        return list(cases)
    return [None]


def run_case(
    script: Path, case: str | None, common: list[str], work: Path, timeout: float
) -> Outcome:
    name = script.stem + (f"-{case}" if case else "")
    args = [str(script), "--json", *common, *(["--case", case] if case else [])]
    log = work / "logs" / f"{name}.log"
    before = load_average()[0]
    stdout, code, peak, seconds = run_child(args, log, timeout)
    load = (before, load_average()[0])
    if code != 0:
        return Outcome([], peak, seconds, f"exit {code}, see {log.relative_to(ROOT)}", load)
    try:
        return Outcome(parse_rows(stdout), peak, seconds, load=load)
    except (ValueError, KeyError, TypeError) as exc:
        error = f"bad --json output ({exc}), see {log.relative_to(ROOT)}"
        return Outcome([], peak, seconds, error, load)


def load_average() -> tuple[float, float, float]:
    """The 1/5/15-minute load averages (``/proc/loadavg``; ``os.getloadavg`` elsewhere)."""
    try:
        fields = Path("/proc/loadavg").read_text().split()
        return float(fields[0]), float(fields[1]), float(fields[2])
    except (OSError, ValueError, IndexError):
        return os.getloadavg()


@dataclass
class Reference:
    """The reference workload (``reference.py``) measured at the start and the end of a run."""

    runs: list[dict[str, Any]]

    @property
    def seconds(self) -> float | None:
        """What the ratios divide by: the mean of the measurements that worked."""
        found = [float(r["seconds"]) for r in self.runs if "seconds" in r]
        return sum(found) / len(found) if found else None

    def describe(self) -> list[str]:
        if not self.runs:
            return []
        first = next((r for r in self.runs if "article" in r), None)
        what = (
            f"one underthesea.word_tokenize of seeds/{first['article']} ({first['chars']:,} "
            f"chars, models loaded), median of {first['runs']} calls in a child process"
            if first
            else "underthesea.word_tokenize of a seed article"
        )
        parts = []
        for when, found in zip(("start", "end"), self.runs, strict=False):
            if "seconds" in found:
                parts.append(
                    f"{found['seconds'] * 1000:.1f} ms at the {when} (load "
                    f"{found['load_before'][0]:.2f})"
                )
            else:
                parts.append(f"FAILED at the {when} ({found.get('error', '?')})")
        mean = self.seconds
        ratio = ""
        if mean is not None:
            ratio = f"; × ref = figure ÷ {mean * 1000:.1f} ms (time figures), per ref = rate × it"
            times = [float(r["seconds"]) for r in self.runs if "seconds" in r]
            if len(times) == 2 and max(times) > 1.25 * min(times):
                ratio += " (the two differ by more than 25 %: the load changed during the run)"
        return [f"reference: {what}: {', '.join(parts)}{ratio}"]


def measure_reference(work: Path, when: str) -> dict[str, Any]:
    """Run ``reference.py`` in a child; its JSON, or ``{"error": ...}``."""
    log = work / "logs" / f"reference-{when}.log"
    stdout, code, _, _ = run_child([str(HERE / "reference.py")], log, 300)
    try:
        if code != 0:
            raise ValueError(f"exit {code}")
        found = json.loads(stdout.strip().splitlines()[-1])
        float(found["seconds"])
        return dict(found)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        return {"error": f"{exc}, see {log.relative_to(ROOT) if log.is_relative_to(ROOT) else log}"}


def ratio_cell(value: object, unit: str, reference_s: float | None) -> str:
    """A time figure ÷ the reference ("0.42"), a rate × it ("12.3 per ref"), else ""."""
    if reference_s is None or not isinstance(value, int | float) or reference_s <= 0:
        return ""
    seconds = {"ms": 1e-3, "s": 1.0, "µs": 1e-6, "us": 1e-6}.get(unit)
    if seconds is not None:
        return f"{value * seconds / reference_s:,.2f}"
    if unit.endswith("/s"):
        return f"{value * reference_s:,.3g} per ref"
    return ""


def machine() -> list[str]:
    """Where and what was measured: CPU, cores, Python, library versions, commit."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("underthesea", "textual", "typer", "sqlite-utils"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    one, five, fifteen = load_average()
    return [
        f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} at the end (1/5/15 min); "
        "the load column: 1-minute load at the start → the end of each case",
        f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        + ", ".join(versions),
        f"commit: {git_commit()}",
    ]


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit + (" (with uncommitted changes)" if dirty else "")


def prepare(args: argparse.Namespace, work: Path) -> tuple[Path, Path]:
    """The shared corpus folder and database of N articles, made once and reused."""
    corpus = work / f"corpus-{args.n}-seed{args.seed}"
    db = work / f"bench-{args.n}-seed{args.seed}.db"
    generator = str(HERE / "generate_corpus.py")
    steps = [
        (
            corpus / ".complete",
            [
                generator,
                str(corpus),
                "--n",
                str(args.n),
                "--seed",
                str(args.seed),
                "--gold",
                str(corpus) + ".gold.jsonl",
            ],
        ),
        (db, [generator, str(db), "--db", "--n", str(args.n), "--seed", str(args.seed)]),
    ]
    for marker, command in steps:
        if marker.exists():
            continue
        print(f"preparing: {' '.join(Path(c).name for c in command[:2])} ...", file=sys.stderr)
        partial = db.parent.glob(db.name + "*") if marker == db else []
        for stale in partial:
            stale.unlink()
        _, code, _, seconds = run_child(command, work / "logs" / "prepare.log", 6 * 3600)
        if code != 0:
            raise SystemExit(f"preparing inputs failed: see {work / 'logs' / 'prepare.log'}")
        if marker != db:
            marker.touch()
        print(f"  done in {seconds:.0f}s", file=sys.stderr)
    return corpus, db


RIGHT = (2, 4, 5, 6)  # value, × ref, load, peak MB: right-aligned


def format_table(
    results: list[tuple[str, Outcome]],
    header: list[str],
    markdown: bool,
    reference_s: float | None = None,
) -> str:
    """The table: one line per row, each time figure also as a multiple of the reference
    (``reference_s`` seconds; none if it is None) and the load beside it."""
    lines = [f"{line}  " if markdown else line for line in header]
    lines.append("")
    cells = [("benchmark", "figure", "value", "unit", "× ref", "load", "peak MB", "note")]
    for name, outcome in results:
        load = f"{outcome.load[0]:.2f}→{outcome.load[1]:.2f}" if outcome.load else ""
        if outcome.error:
            cells.append(
                (name, "FAILED", "", "", "", load, f"{outcome.peak_mb:.0f}", outcome.error)
            )
        for found in outcome.rows:
            peak = found.get("peak_rss_mb", outcome.peak_mb)
            value = found["value"]
            unit = str(found.get("unit", ""))
            shown = f"{value:,.2f}" if isinstance(value, int | float) else str(value)
            cells.append(
                (
                    name,
                    str(found["figure"]),
                    shown,
                    unit,
                    ratio_cell(value, unit, reference_s),
                    load,
                    f"{peak:,.0f}",
                    str(found.get("note", "")),
                )
            )
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    for number, cell in enumerate(cells):
        padded = [
            c.rjust(widths[i]) if i in RIGHT and number else c.ljust(widths[i])
            for i, c in enumerate(cell)
        ]
        lines.append(("| " + " | ".join(padded) + " |") if markdown else "  ".join(padded).rstrip())
        if number == 0:
            rule = [("-" * (w - 1) + ":") if i in RIGHT else "-" * w for i, w in enumerate(widths)]
            lines.append(("| " + " | ".join(rule) + " |") if markdown else "  ".join(rule))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles in the corpus")
    parser.add_argument("--seed", type=int, default=7, help="corpus generator seed")
    parser.add_argument(
        "--only", help="comma-separated script names (core, tui, stats, suggest, ...)"
    )
    parser.add_argument("--work", type=Path, default=HERE / "out", help="inputs, scratch, logs")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per case")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the reference workload (no × ref)"
    )
    args, extra = parser.parse_known_args(argv)
    work = args.work.resolve()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    corpus, db = prepare(args, work)
    common = [
        "--n",
        str(args.n),
        "--db",
        str(db),
        "--corpus",
        str(corpus),
        "--work",
        str(work),
        *extra,
    ]
    only = {f"{name.strip()}_bench" for name in args.only.split(",")} if args.only else None
    scripts = [s for s in sorted(HERE.glob("*_bench.py")) if only is None or s.stem in only]
    reference = Reference([])
    if not args.no_reference:
        print("running the reference workload ...", file=sys.stderr)
        reference.runs.append(measure_reference(work, "start"))
    results: list[tuple[str, Outcome]] = []
    for script in scripts:
        for case in list_cases(script, common, work / "logs"):
            name = script.stem.removesuffix("_bench") + (f":{case}" if case else "")
            print(f"running {name} ...", file=sys.stderr)
            outcome = run_case(script, case, common, work, args.timeout)
            print(
                f"  {outcome.seconds:.0f}s{' ' + outcome.error if outcome.error else ''}",
                file=sys.stderr,
            )
            results.append((name, outcome))
    if not args.no_reference:
        print("running the reference workload again ...", file=sys.stderr)
        reference.runs.append(measure_reference(work, "end"))
    command = " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    header = [
        f"partybuild-tui benchmarks, {args.n:,} articles (seed {args.seed}); command: {command}",
        *machine(),
        *reference.describe(),
    ]
    print(format_table(results, header, args.markdown, reference.seconds))
    return 1 if any(o.error for _, o in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
