"""The benchmark inputs are what they claim: deterministic, and gold spans fit stored text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate_corpus  # noqa: E402
import run as bench_run  # noqa: E402

from partybuild_tui.core import ingest  # noqa: E402
from partybuild_tui.core.store import Store  # noqa: E402


def test_generation_is_deterministic_per_index() -> None:
    assert generate_corpus.make_article(42).text == generate_corpus.make_article(42).text
    assert generate_corpus.make_article(42).text != generate_corpus.make_article(43).text
    assert generate_corpus.make_article(42, seed=1).text != generate_corpus.make_article(42).text


def test_gold_spans_line_up_with_the_imported_text(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    generate_corpus.write_corpus(tmp_path / "corpus", 200, gold=gold)
    variants = {article.variant for article in generate_corpus.articles(200)}
    assert variants == {"plain", "crlf", "nfd", "bom"}
    with Store(tmp_path / "bench.db") as store:
        report = ingest.import_paths(store, [tmp_path / "corpus"])
        assert len(report.imported) == 200 and not report.skipped
        checked = 0
        for line in gold.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            article = store.article_by_hash(record["content_hash"])
            assert article is not None, record["path"]
            assert article.path.endswith(record["path"])
            for span in record["spans"]:
                assert article.text[span["start"] : span["end"]] == span["text"]
                assert article.body_start <= span["start"] < span["end"] <= article.body_end
                checked += 1
    assert checked > 200 * 5


def test_build_db_holds_the_gold_spans(tmp_path: Path) -> None:
    db = tmp_path / "bulk.db"
    generate_corpus.build_db(db, 30)
    expected = sum(len(a.spans) for a in generate_corpus.articles(30))
    with Store(db) as store:
        assert store.count_articles() == 30
        spans = [s for article_id in store.article_ids() for s in store.spans(article_id)]
        assert len(spans) == expected
        assert all(store.article(s.article_id).text[s.start : s.end] == s.text for s in spans)
        assert store.list_articles(query="Nghị quyết", limit=5)


def test_runner_reads_rows_and_measures_the_child(tmp_path: Path) -> None:
    script = tmp_path / "fake_bench.py"
    script.write_text(
        "import json\nblock = bytearray(80 * 1024 * 1024)\nprint('noise')\n"
        'print(json.dumps({"rows": [{"figure": "f", "value": 1.5, "unit": "s"}]}))\n'
    )
    stdout, code, peak_mb, _ = bench_run.run_child([str(script)], tmp_path / "log.txt", 60)
    assert code == 0
    rows = bench_run.parse_rows(stdout)
    assert rows == [{"figure": "f", "value": 1.5, "unit": "s"}]
    assert peak_mb > 80
    table = bench_run.format_table(
        [("fake", bench_run.Outcome(rows, peak_mb, 0.1))], ["header"], markdown=True
    )
    assert "| fake " in table and "1.50" in table


def test_runner_prints_figures_against_the_reference_and_the_load() -> None:
    rows = [
        {"figure": "open", "value": 21.0, "unit": "ms"},
        {"figure": "import", "value": 500.0, "unit": "articles/s"},
        {"figure": "size", "value": 3.0, "unit": "KiB"},
    ]
    outcome = bench_run.Outcome(rows, 100.0, 1.0, load=(0.5, 1.25))
    table = bench_run.format_table([("fake", outcome)], ["header"], False, reference_s=0.042)
    lines = table.splitlines()
    assert "× ref" in lines[2] and "load" in lines[2]
    assert "0.50" in lines[4] and "0.50→1.25" in lines[4]  # 21 ms ÷ 42 ms
    assert "21 per ref" in lines[5]  # 500/s × 42 ms
    assert "ref" not in lines[6]
    reference = bench_run.Reference(
        [
            {"seconds": 0.04, "article": "a.txt", "chars": 10, "runs": 3, "load_before": [1, 1, 1]},
            {
                "seconds": 0.044,
                "article": "a.txt",
                "chars": 10,
                "runs": 3,
                "load_before": [2, 1, 1],
            },
        ]
    )
    assert reference.seconds == pytest.approx(0.042)
    assert "40.0 ms at the start" in reference.describe()[0]
    markdown = bench_run.format_table([("fake", outcome)], ["header"], True, reference.seconds)
    assert "| fake " in markdown and "0.50→1.25" in markdown
    with pytest.raises(ValueError):
        bench_run.parse_rows("no json here\n")
