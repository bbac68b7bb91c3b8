"""Time ``partybuild agreement`` on 10,000 double-annotated articles, through the entry point.

    python benchmarks/agreement_bench.py                 # builds benchmarks/out/agreement-10000.db
    python benchmarks/agreement_bench.py --n 2000 --repeat 5

The database is built once (then reused) with ``generate_corpus.build_db``: the generated
articles (~17 gold spans each, real article lengths) bulk-inserted with their spans as
annotator "lan". A second layer "minh" is that layer perturbed like a second annotator:
8 % of spans dropped, 6 % with an edge moved by a syllable, 4 % relabelled, and one span in
ten articles added. Both layers are marked done on every article. Each case runs the command
in a fresh process (import included), ``--repeat`` times; the median is reported with
``/proc/loadavg`` (the machine is shared).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import generate_corpus  # noqa: E402

from partybuild_tui.core.store import Store, now  # noqa: E402

LABELS = ("ORGANIZATION", "FIGURE", "RESOLUTION")


def second_layer(rng: random.Random, text: str, spans: list[tuple[int, int, str]]) -> list:
    """The first annotator's spans as a second one might have tagged them."""
    out = []
    for start, end, label in spans:
        roll = rng.random()
        if roll < 0.08:
            continue
        if roll < 0.14:  # drop the first syllable, if there are two
            cut = text.find(" ", start, end)
            start = cut + 1 if cut > 0 else start
        elif roll < 0.18:
            label = rng.choice([x for x in LABELS if x != label])
        out.append((start, end, label))
    if rng.random() < 0.1 and " " in text[:200]:
        cut = text.index(" ")
        if all(s >= cut for s, _, _ in out):
            out.append((0, cut, "ORGANIZATION"))
    return out


def build(path: Path, n: int) -> None:
    generate_corpus.build_db(path, n, annotator="lan")
    rng = random.Random(11)
    stamp = now()
    with Store(path) as store:
        store.conn.execute("PRAGMA synchronous = OFF")
        ids = [row[0] for row in store.conn.execute("SELECT id FROM articles ORDER BY id")]
        for chunk in range(0, len(ids), 1000):
            part = ids[chunk : chunk + 1000]
            with store.write() as conn:
                for aid in part:
                    text = conn.execute("SELECT text FROM articles WHERE id = ?", (aid,))
                    body = text.fetchone()[0]
                    spans = conn.execute(
                        'SELECT start, "end", label FROM spans WHERE article_id = ? '
                        "AND annotator = 'lan' ORDER BY start",
                        (aid,),
                    ).fetchall()
                    rows = [
                        (uuid.UUID(int=rng.getrandbits(128)).hex, aid, s, e, lab, body[s:e])
                        for s, e, lab in second_layer(rng, body, spans)
                    ]
                    conn.executemany(
                        'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, '
                        "annotator, created_at, updated_at) "
                        f"VALUES (?, ?, ?, ?, ?, ?, 'manual', 'minh', '{stamp}', '{stamp}')",
                        rows,
                    )
                    conn.executemany(
                        "INSERT OR REPLACE INTO article_status (article_id, annotator, status, "
                        "updated_at) VALUES (?, ?, 'done', ?)",
                        [(aid, "lan", stamp), (aid, "minh", stamp)],
                    )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(command: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return times


def main() -> int:
    found = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    found.add_argument("--n", type=int, default=10_000)
    found.add_argument("--repeat", type=int, default=3)
    found.add_argument("--work", default=str(HERE / "out"))
    args = found.parse_args()
    path = Path(args.work) / f"agreement-{args.n}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        build(path, args.n)
        print(f"built {path} in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    with Store(path, create=False) as store:
        spans = store.conn.execute("SELECT annotator, count(*) FROM spans GROUP BY 1").fetchall()
    print(f"database: {args.n:,} articles, spans per layer {dict(spans)}")
    partybuild = str(Path(sys.executable).parent / "partybuild")
    cases = {
        "agreement (tables)": [partybuild, "agreement", "--db", str(path)],
        "agreement --json": [partybuild, "agreement", "--db", str(path), "--json"],
        "agreement --label FIGURE": [
            partybuild,
            "agreement",
            "--db",
            str(path),
            "--label",
            "FIGURE",
        ],
        "stats --section agreement": [
            partybuild,
            "stats",
            "--db",
            str(path),
            "--section",
            "agreement",
        ],
        "partybuild --help (start-up)": [partybuild, "--help"],
    }
    for name, command in cases.items():
        times = timed(command, args.repeat)
        load = Path("/proc/loadavg").read_text().strip()
        print(
            f"{name:32} median {statistics.median(times):6.2f} s  "
            f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)})  load {load}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
