"""Time ``partybuild merge`` of two annotators' 10,000-article databases, through the entry point.

    PYTHONPATH=src python benchmarks/merge_bench.py               # 2 x 10,000 articles
    PYTHONPATH=src python benchmarks/merge_bench.py --n 2000      # smaller
    python benchmarks/run.py --only merge_bench

A (annotator lan) holds articles 0..N-1, B (minh) articles N/2..3N/2-1: half of each is
shared. Articles are the generated corpus's (``generate_corpus.make_article``: the seeds'
sentences, about 3-6 k characters, ~17-20 gold spans each), written as the importer writes them;
every span has its ``tag`` action in the history and each worked article a status. B also
holds lan's layer on a quarter of the shared articles (a copy of A's work it started from), 2 %
of those relabelled in B later (conflicts). The merge runs as a child process
(``partybuild merge B --db A``): wall time measured here, peak RSS by ``/usr/bin/time``.
Cases: ``first`` (into a fresh copy of A), ``again`` (the same merge once more: nothing
changes) and ``reverse`` (A into a copy of B). Follows the convention in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchlib  # noqa: E402
from benchlib import Row, row  # noqa: E402
from generate_corpus import make_article  # noqa: E402

from partybuild_tui.core import ingest  # noqa: E402
from partybuild_tui.core.store import Store  # noqa: E402

STATUSES = ("in_progress", "done", "done", "skipped")


def _span_rows(article: object, article_id: int, who: str, stamp: str) -> list[tuple[object, ...]]:
    return [
        (uuid.uuid4().hex, article_id, s, e, label, text, who, stamp, stamp)
        for s, e, label, text in article.spans  # type: ignore[attr-defined]
    ]


def _history(conn: object, rows: list[tuple[object, ...]], ids: list[int]) -> None:
    """One ``tag`` action per span, payload as the store writes it."""
    actions = []
    for (uid, article_id, s, e, label, text, who, stamp, _), span_id in zip(rows, ids, strict=True):
        span = {
            "id": span_id,
            "uid": uid,
            "article_id": article_id,
            "start": s,
            "end": e,
            "label": label,
            "text": text,
            "origin": "manual",
            "annotator": who,
        }
        payload = {"added": [span], "removed": [], "status": None, "suggestions": []}
        actions.append(
            (article_id, who, json.dumps(payload, ensure_ascii=False), stamp, uuid.uuid4().hex)
        )
    conn.executemany(  # type: ignore[attr-defined]
        "INSERT INTO actions (article_id, annotator, kind, payload, state, created_at, "
        "changed_at, uid) VALUES (?, ?, 'tag', ?, 'done', ?, ?, ?)",
        [(a, w, p, t, t, u) for a, w, p, t, u in actions],
    )


def _insert_layer(conn: object, rows: list[tuple[object, ...]]) -> None:
    ids = []
    for values in rows:
        cursor = conn.execute(  # type: ignore[attr-defined]
            'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, annotator, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'manual', ?, ?, ?)",
            values,
        )
        ids.append(int(cursor.lastrowid))
    _history(conn, rows, ids)


def build(
    path: Path,
    indexes: range,
    who: str,
    copied: dict[int, list[tuple[object, ...]]],
    rng: random.Random,
) -> None:
    """A database of these corpus articles with ``who``'s layer; ``copied`` (article index ->
    span rows) gets lan's rows when ``who`` is lan, and is replayed into minh's database."""
    with Store(path) as store:
        conn = store.conn
        conn.execute("PRAGMA synchronous = OFF")
        for start in range(indexes.start, indexes.stop, 1000):
            with store.write():
                for index in range(start, min(start + 1000, indexes.stop)):
                    article = make_article(index)
                    doc = ingest.Document(
                        key=f"bench/{article.relpath}", path=article.relpath, raw_text=article.text
                    )
                    article_id = store.insert_article(ingest.article_fields(doc))
                    stamp = f"2026-0{1 + index % 9}-1{index % 10}T10:00:00.{index % 1000:03d}+00:00"
                    rows = _span_rows(article, article_id, who, stamp)
                    _insert_layer(conn, rows)
                    status = STATUSES[index % 4]
                    conn.execute(
                        "INSERT INTO article_status VALUES (?, ?, ?, ?)",
                        (article_id, who, status, stamp),
                    )
                    if who == "lan" and index % 4 == 0:
                        copied[index] = rows
                    if who == "minh" and index in copied:
                        _copy_lan(conn, copied[index], article_id, rng)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _copy_lan(
    conn: object, rows: list[tuple[object, ...]], article_id: int, rng: random.Random
) -> None:
    """lan's spans as B got them; 2 % of them relabelled in B later (same uid)."""
    for uid, _aid, s, e, label, text, who, created, updated in rows:
        if rng.random() < 0.02:
            label, updated = "RESOLUTION" if label != "RESOLUTION" else "FIGURE", "2026-12-01"
        conn.execute(  # type: ignore[attr-defined]
            'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, annotator, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'manual', ?, ?, ?)",
            (uid, article_id, s, e, label, text, who, created, updated),
        )


def inputs(args: argparse.Namespace) -> tuple[Path, Path]:
    work = Path(args.work) / f"merge-{args.n}"
    a, b = work / "a.db", work / "b.db"
    if not (a.exists() and b.exists()):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"building {a} and {b} ...", file=sys.stderr)
        rng, copied = random.Random(7), {}
        build(a, range(0, args.n), "lan", copied, rng)
        build(b, range(args.n // 2, args.n // 2 + args.n), "minh", copied, rng)
    return a, b


def entry_point() -> list[str]:
    script = Path(sys.executable).with_name("partybuild")
    return [str(script)] if script.exists() else [sys.executable, "-m", "partybuild_tui"]


TIME = Path("/usr/bin/time")


def timed_merge(other: Path, target: Path) -> tuple[float, float, dict[str, object]]:
    """(seconds, child's peak RSS in MB, the JSON report) of one ``partybuild merge``.

    The peak comes from ``/usr/bin/time`` (a child forked from this big process would report
    this process's peak through ``wait4``, Linux carrying ``maxrss`` across exec).
    """
    with tempfile.TemporaryDirectory() as folder:
        out, err, peak_file = (Path(folder) / name for name in ("out", "err", "peak"))
        timer = [str(TIME), "-f", "%M", "-o", str(peak_file)] if TIME.exists() else []
        started = time.perf_counter()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            code = subprocess.call(
                [*timer, *entry_point(), "merge", str(other), "--db", str(target), "--json"],
                stdout=stdout,
                stderr=stderr,
            )
        seconds = time.perf_counter() - started
        if code:
            raise SystemExit(f"merge failed: {err.read_text()}")
        peak = int(peak_file.read_text().split()[-1]) / 1024 if timer else float("nan")
        return seconds, peak, json.loads(out.read_text())[0]


def _rows(label: str, seconds: float, peak: float, report: dict[str, object]) -> list[Row]:
    conflicts = report["conflicts"]
    note = (
        f"{report['articles_added']} articles added, {report['articles_matched']} matched; "
        f"{report['spans_added']} spans added, {report['spans_same']} already there, "
        f"{len(conflicts) if isinstance(conflicts, list) else conflicts} conflicts; "
        f"{report['actions_added']} actions"
    )
    return [
        row(f"{label}: wall time", seconds, "s", note),
        {
            **row(f"{label}: child peak RSS", peak, "MB", "/usr/bin/time of the merge process"),
            "peak_rss_mb": round(peak, 1),
        },
    ]


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    def first(a: argparse.Namespace) -> list[Row]:
        src_a, src_b = inputs(a)
        target = Path(shutil.copy(src_a, Path(a.work) / f"merge-{a.n}" / "target.db"))
        return _rows("B into A", *timed_merge(src_b, target))

    def again(a: argparse.Namespace) -> list[Row]:
        src_a, src_b = inputs(a)
        target = Path(a.work) / f"merge-{a.n}" / "target.db"
        if not target.exists():
            shutil.copy(src_a, target)
            timed_merge(src_b, target)
        return _rows("B into A again", *timed_merge(src_b, target))

    def reverse(a: argparse.Namespace) -> list[Row]:
        src_a, src_b = inputs(a)
        target = Path(shutil.copy(src_b, Path(a.work) / f"merge-{a.n}" / "target-b.db"))
        return _rows("A into B", *timed_merge(src_a, target))

    return {"first": first, "again": again, "reverse": reverse}


def main() -> int:
    print(Path("/proc/loadavg").read_text().strip(), "(load before)", file=sys.stderr)
    code = benchlib.main(cases, __doc__.splitlines()[0])
    print(Path("/proc/loadavg").read_text().strip(), "(load after)", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
