"""The reference workload: one ``underthesea.word_tokenize`` of a seed article.

    python benchmarks/reference.py            # prints one JSON object

``run.py`` runs it in a child process at the start and at the end of a run and prints each
time figure of the table as a multiple of it ("× ref"): the app's figures and underthesea's
move alike when the machine is busy, so ratios of runs on loaded and idle machines compare
better than their milliseconds. The models are loaded and the call made once before the
clock starts; the figure is the median of ``--runs`` calls on the same text. Not a
``*_bench.py``: ``run.py`` does not list it as a benchmark.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_e5b5bf95444e5f29.txt"
RUNS = 15


def load_average() -> tuple[float, float, float]:
    """The 1/5/15-minute load averages (``/proc/loadavg``)."""
    fields = Path("/proc/loadavg").read_text().split()
    return float(fields[0]), float(fields[1]), float(fields[2])


def measure(path: Path = SEED, runs: int = RUNS) -> dict[str, object]:
    """Seconds of one ``word_tokenize`` of the article at ``path`` (median of ``runs``)."""
    from underthesea import word_tokenize

    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    word_tokenize(text)  # models loaded, caches warm
    load_before = load_average()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        word_tokenize(text)
        times.append(time.perf_counter() - started)
    return {
        "seconds": statistics.median(times),
        "min_seconds": min(times),
        "runs": runs,
        "article": path.name,
        "chars": len(text),
        "load_before": load_before,
        "load_after": load_average(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="timed calls")
    parser.add_argument("--article", type=Path, default=SEED, help="the text to segment")
    args, _ = parser.parse_known_args()
    print(json.dumps(measure(args.article, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
