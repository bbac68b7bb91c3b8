"""Time ``partybuild stats``: the whole summary, each section and the filters.

    PYTHONPATH=src python benchmarks/stats_bench.py            # builds 10k articles, 100k spans
    PYTHONPATH=src python benchmarks/stats_bench.py --large    # 100k articles, 1M spans
    PYTHONPATH=src python benchmarks/stats_bench.py --large --chars 5000   # real article size
    PYTHONPATH=src python benchmarks/stats_bench.py --articles 50000 --spans 400000 --keep x.db
    PYTHONPATH=src python benchmarks/stats_bench.py --db benchmarks/out/bench-10000-seed7.db
    python benchmarks/run.py --only stats        # on the run's database of N articles

With ``--db`` (what benchmarks/run.py passes) the statistics are computed on that database,
read only. Without it, one is built with executemany (FTS rebuilt once at the end), not
through Store calls: articles of generated Vietnamese-like text where entity forms
(Zipf-distributed, in old and new tone styles) are tagged at their real offsets, some left
untagged; actions and suggestions to match. Worked articles (in progress / done) hold the
spans. Follows the convention in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchlib  # noqa: E402
from benchlib import Row, row  # noqa: E402
from rich.console import Console  # noqa: E402

from partybuild_tui.config import DEFAULT_LABELS  # noqa: E402
from partybuild_tui.core import stats as st  # noqa: E402
from partybuild_tui.core.store import Store  # noqa: E402
from partybuild_tui.render.stats import render_stats  # noqa: E402

FILLER = (
    "các cấp ủy đảng trong tỉnh đã tập trung lãnh đạo chỉ đạo thực hiện công tác xây dựng "
    "chỉnh đốn đảng nâng cao năng lực cầm quyền và sức chiến đấu của tổ chức cơ sở đảng "
    "đội ngũ cán bộ đảng viên hội nghị đánh giá kết quả nhiệm vụ năm và triển khai phương hướng"
).split()
PLACES = ["Hà Giang", "Yên Bái", "Lào Cai", "Điện Biên", "Sơn La", "Thanh Hoá", "Hoà Bình"]
PEOPLE = ["Nguyễn Văn", "Trần Thị", "Lê Quang", "Phạm Minh", "Vũ Quỳnh", "Hoàng Thuỷ"]
GIVEN = ["An", "Bình", "Khánh", "Thủy", "Hòa", "Dũng", "Lan", "Hùng", "Mai", "Tuấn"]
STATUS_WEIGHTS = {"new": 0.6, "in_progress": 0.1, "done": 0.25, "skipped": 0.05}
ANNOTATORS = ["an", "binh", "chi", "dung", "lan"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[tuple[str, str]]:
    """(label, form) entity forms; the first ones are the frequent ones (Zipf below)."""
    forms: list[tuple[str, str]] = []
    for place in PLACES:
        for body in ("Tỉnh uỷ", "Tỉnh ủy", "HĐND tỉnh", "Ban Thường vụ Tỉnh ủy", "Đảng bộ tỉnh"):
            forms.append(("ORGANIZATION", f"{body} {place}"))
    while len(forms) < size:
        kind = rng.random()
        if kind < 0.4:
            forms.append(("FIGURE", f"{rng.choice(PEOPLE)} {rng.choice(GIVEN)}{len(forms)}"))
        elif kind < 0.7:
            forms.append(("ORGANIZATION", f"Chi bộ thôn {rng.choice(GIVEN)} {len(forms)}"))
        else:
            forms.append(("RESOLUTION", f"Nghị quyết số {len(forms)}"))
    return forms


def zipf_picker(rng: random.Random, n: int) -> list[int]:
    weights = [1.0 / (rank + 1) for rank in range(n)]
    return rng.choices(range(n), weights=weights, k=200_000)


def generate(
    rng: random.Random, articles: int, spans: int, chars: int
) -> Iterator[tuple[tuple, list[tuple], str]]:
    """(article row, span rows, status) per article."""
    forms = vocabulary(rng)
    picks = zipf_picker(rng, len(forms))
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=articles)
    worked = sum(s in ("in_progress", "done") for s in statuses) or 1
    per_article = spans / worked / 0.95  # 95% of entity mentions get tagged
    pick = 0
    for article_id in range(1, articles + 1):
        status = statuses[article_id - 1]
        parts: list[str] = [f"Bài viết số {article_id} về công tác xây dựng Đảng\n"]
        pos = len(parts[0])
        span_rows: list[tuple] = []
        if status in ("in_progress", "done"):
            entities = int(per_article) + (rng.random() < per_article % 1)
        else:
            entities = 3
        for _ in range(entities):
            filler = " ".join(rng.choices(FILLER, k=rng.randint(4, 12))) + " "
            parts.append(filler)
            pos += len(filler)
            label, form = forms[picks[pick % len(picks)]]
            pick += 1
            parts.append(form)
            if status in ("in_progress", "done") and rng.random() < 0.95:
                span_label = label if rng.random() < 0.98 else "ORGANIZATION"
                span_rows.append((article_id, pos, pos + len(form), span_label, form))
            pos += len(form)
            parts.append(". ")
            pos += 2
        while pos < chars:  # untagged prose up to the wanted length
            filler = " ".join(rng.choices(FILLER, k=40)) + ".\n"
            parts.append(filler)
            pos += len(filler)
        text = "".join(parts)
        day = 1 + article_id % 28
        article_row = (
            article_id,
            f"k{article_id}",
            f"Bài viết số {article_id}",
            f"2024-{1 + article_id % 12:02d}-{day:02d}",
            text,
            f"h{article_id}",
            0,
            len(text),
            status,
        )
        yield article_row, span_rows, status


def build(
    path: Path, articles: int, spans: int, chars: int = 2000, seed: int = 1
) -> tuple[int, int]:
    Store(path).close()  # schema
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    rng = random.Random(seed)
    stamp = "2024-06-01T00:00:00.000+00:00"
    conn.execute("BEGIN")
    article_batch: list[tuple] = []
    span_batch: list[tuple] = []
    span_id = 0
    for article_row, span_rows, _status in generate(rng, articles, spans, chars):
        article_batch.append(article_row)
        for article_id, start, end, label, text in span_rows:
            span_id += 1
            annotator = ANNOTATORS[article_id % len(ANNOTATORS)]
            day = 1 + (span_id * 7) % 60
            created = f"2024-{5 + day // 30:02d}-{1 + day % 30:02d}T10:00:00.000+00:00"
            span_batch.append(
                (span_id, f"u{span_id}", article_id, start, end, label, text, annotator, created)
            )
        if len(article_batch) >= 5000:
            _flush(conn, article_batch, span_batch, stamp)
    _flush(conn, article_batch, span_batch, stamp)
    conn.execute(
        "INSERT INTO actions (article_id, annotator, kind, payload, state, created_at, "
        "changed_at) SELECT article_id, annotator, 'tag', '{}', 'done', created_at, created_at "
        "FROM spans"
    )
    conn.execute(  # each status in the layer of the annotator who worked there (m012's rule)
        "INSERT OR IGNORE INTO article_status (article_id, annotator, status, updated_at) "
        "SELECT DISTINCT s.article_id, s.annotator, a.status, a.updated_at FROM spans s "
        "JOIN articles a ON a.id = s.article_id WHERE a.status != 'new'"
    )
    conn.execute(
        'INSERT OR IGNORE INTO suggestions (article_id, source, source_version, start, "end", '
        "label, text, score, created_at) SELECT article_id, CASE id % 3 WHEN 0 THEN 'ner' "
        "ELSE 'gazetteer' END, '1', start, \"end\", label, text, 0.9, created_at FROM spans "
        "WHERE id % 4 = 0"
    )
    conn.execute(  # decided in the layer of the annotator whose span it matches, 1 in 5 not
        "INSERT OR IGNORE INTO suggestion_decisions (suggestion_id, annotator, status, "
        "decided_at) SELECT g.id, s.annotator, CASE g.id % 5 WHEN 0 THEN 'rejected' ELSE "
        "'accepted' END, g.created_at FROM suggestions g JOIN spans s ON s.article_id = "
        'g.article_id AND s.start = g.start AND s."end" = g."end" AND s.label = g.label '
        "WHERE g.id % 5 != 1"
    )
    conn.execute("COMMIT")
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.close()
    return articles, span_id


def _flush(conn: sqlite3.Connection, articles: list[tuple], spans: list[tuple], stamp: str) -> None:
    conn.executemany(
        "INSERT INTO articles (id, key, title, date, text, raw_text, content_hash, body_start, "
        f"body_end, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?5, ?, ?, ?, ?, "
        f"'{stamp}', '{stamp}')",
        articles,
    )
    conn.executemany(
        'INSERT INTO spans (id, uid, article_id, start, "end", label, text, annotator, '
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?9)",
        spans,
    )
    articles.clear()
    spans.clear()


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """The best of ``repeat`` runs, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


_databases: dict[str, Path] = {}
_temporary = tempfile.TemporaryDirectory()


def database(args: argparse.Namespace) -> Path:
    """The run's database (``--db``), or one built as in the module docstring, once."""
    if args.db:
        return Path(args.db)
    if "built" not in _databases:
        path = args.keep or Path(_temporary.name) / "bench.db"
        if not path.exists():
            started = time.perf_counter()
            n_articles, n_spans = build(path, args.articles, args.spans, args.chars)
            print(
                f"built {n_articles:,} articles, {n_spans:,} spans in "
                f"{time.perf_counter() - started:.1f}s ({path.stat().st_size / 1e6:.0f} MB)",
                file=sys.stderr,
            )
        _databases["built"] = path
    return _databases["built"]


def describe(store: Store) -> str:
    count = store.conn.execute
    articles = count("SELECT count(*) FROM articles").fetchone()[0]
    spans = count("SELECT count(*) FROM spans").fetchone()[0]
    actions = count("SELECT count(*) FROM actions").fetchone()[0]
    suggestions = count("SELECT count(*) FROM suggestions").fetchone()[0]
    return (
        f"{articles:,} articles, {spans:,} spans, {actions:,} actions, {suggestions:,} suggestions"
    )


def case_summary(args: argparse.Namespace) -> list[Row]:
    """The whole summary, as `partybuild stats` and `stats --json` compute it."""
    from partybuild_tui.cli import app

    path = database(args)
    labels = DEFAULT_LABELS.names
    console = Console(width=100, file=io.StringIO())

    def cli(*extra: str) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            app(["stats", *extra, "--db", str(path)], standalone_mode=False)

    with Store(path) as store:
        what = describe(store)
        compute = timed(lambda: st.compute(store, labels=labels), args.repeat)
        rendered = timed(
            lambda: console.print(render_stats(st.compute(store, labels=labels), DEFAULT_LABELS)),
            args.repeat,
        )
    command = timed(cli, args.repeat)
    as_json = timed(lambda: cli("--json"), args.repeat)
    best = f"best of {args.repeat}"
    return [
        row("stats: whole summary (compute)", compute * 1000, "ms", f"{what}; {best}"),
        row("stats: whole summary + render", rendered * 1000, "ms", f"{best}, rich to a buffer"),
        row("partybuild stats", command * 1000, "ms", f"{best}, in-process CLI, output discarded"),
        row("partybuild stats --json", as_json * 1000, "ms", f"{best}, in-process CLI"),
    ]


def case_sections(args: argparse.Namespace) -> list[Row]:
    """Each section alone, and the summary under each kind of filter."""
    path = database(args)
    labels = DEFAULT_LABELS.names
    rows: list[Row] = []
    with Store(path) as store:
        annotator = store.conn.execute("SELECT annotator FROM spans LIMIT 1").fetchone()
        filters = {
            "--status done": st.StatsFilter(status=("done",)),
            f"--annotator {annotator[0] if annotator else 'an'}": st.StatsFilter(
                annotator=annotator[0] if annotator else "an"
            ),
            "--since/--until (1 month)": st.StatsFilter(since="2024-03-01", until="2024-03-31"),
            "--search 'Hà Giang'": st.StatsFilter(search="Hà Giang"),
        }
        for section in st.SECTIONS:
            spent = timed(
                lambda s=section: st.compute(store, labels=labels, sections=[s]), args.repeat
            )
            rows.append(
                row(f"stats section {section}", spent * 1000, "ms", f"best of {args.repeat}")
            )
        for name, found in filters.items():
            spent = timed(lambda f=found: st.compute(store, f, labels=labels), args.repeat)
            rows.append(
                row(f"stats {name}", spent * 1000, "ms", f"whole summary, best of {args.repeat}")
            )
    return rows


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    return {"summary": case_summary, "sections": case_sections}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, default=10_000, help="without --db: articles")
    parser.add_argument("--spans", type=int, default=100_000, help="without --db: spans")
    parser.add_argument(
        "--large", action="store_true", help="without --db: 100k articles, 1M spans"
    )
    parser.add_argument(
        "--chars", type=int, default=2000, help="article length at least (seeds: 4k-10k)"
    )
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database at this path")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is shown)")


def main() -> int:
    def chosen(args: argparse.Namespace) -> dict[str, benchlib.Case]:
        if args.large:
            args.articles, args.spans = 100_000, 1_000_000
        return cases(args)

    try:
        return benchlib.main(chosen, __doc__.split("\n\n")[0], add_arguments)
    finally:
        _temporary.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
