"""import-annotations: matching by content, checks on every span, reports, never duplicates."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core.export import ExportOptions, export, import_annotations
from partybuild_tui.core.export.importer import ImportReport
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tpl")
    gold = build_seeded(folder / "gold.db", annotate=True)
    plain = build_seeded(folder / "plain.db", annotate=False, segment=False)
    return gold, plain


@pytest.fixture
def plain(templates: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    with Store(copy_db(templates[1], tmp_path / "plain.db")) as store:
        yield store


@pytest.fixture
def gold_export(templates: tuple[Path, Path], tmp_path: Path) -> dict[str, Path]:
    out = {}
    with Store(copy_db(templates[0], tmp_path / "gold.db")) as gold:
        for fmt in ("jsonl", "doccano", "brat"):
            target = tmp_path / ("brat" if fmt == "brat" else f"{fmt}.jsonl")
            export(gold, ExportOptions(fmt), target, DEFAULT_LABELS)
            out[fmt] = target
        out["count"] = Path(str(sum(len(gold.spans(i)) for i in gold.article_ids())))
    return out


def run(store: Store, path: Path, **kwargs: object) -> ImportReport:
    return import_annotations(
        store,
        path,
        labels=DEFAULT_LABELS,
        default_annotator="tester",
        **kwargs,  # type: ignore[arg-type]
    )


def span_rows(store: Store) -> list[tuple[int, int, int, str, str]]:
    rows = store.conn.execute(
        'SELECT article_id, start, "end", label, annotator FROM spans ORDER BY 1, 2'
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat"])
def test_import_matches_articles_by_content_and_never_duplicates(
    plain: Store, gold_export: dict[str, Path], fmt: str
) -> None:
    count = int(str(gold_export["count"]))
    report = run(plain, gold_export[fmt])
    assert sorted(report.matched) == [1, 2, 3, 4, 5] and report.created == []
    assert report.spans_imported == count and report.skipped == []
    first = span_rows(plain)
    origins = {r[0] for r in plain.conn.execute("SELECT origin FROM spans")}
    assert origins == ({"manual"} if fmt == "jsonl" else {f"import:{fmt}"})
    again = run(plain, gold_export[fmt])
    assert again.spans_imported == 0 and len(again.skipped) == count
    assert {reason for _w, reason in again.skipped} == {
        "already stored: the same span exists for this annotator"
    }
    assert span_rows(plain) == first


def test_import_is_one_undoable_action_per_article(
    plain: Store, gold_export: dict[str, Path]
) -> None:
    run(plain, gold_export["jsonl"])
    kinds = plain.conn.execute("SELECT article_id, kind FROM actions WHERE kind = 'import'")
    assert sorted(a for a, _k in kinds) == [1, 2, 3, 4, 5]
    assert plain.spans(1)
    plain.undo(1, "tester")
    assert plain.spans(1) == []


def test_annotator_override_and_new_articles(tmp_path: Path, gold_export: dict[str, Path]) -> None:
    with Store(tmp_path / "fresh.db") as fresh:
        report = run(fresh, gold_export["doccano"], annotator="lan", status="done")
        assert report.created == [1, 2, 3, 4, 5] and report.matched == []
        assert {r[4] for r in span_rows(fresh)} == {"lan"}
        assert fresh.status_counts()["done"] == 5
        assert fresh.article(1).title.startswith("Đồng Văn xây dựng Đảng")


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
        + "\n",
        encoding="utf-8",
    )
    return path


def test_bad_lines_and_spans_are_reported_with_line_numbers(plain: Store, tmp_path: Path) -> None:
    text = "Đồng chí Vũ Quỳnh Khánh dự họp Chi bộ thôn Úc.\n"
    name = text.index("Vũ")
    org = text.index("Chi bộ")
    good = {"start": name, "end": name + 14, "label": "FIGURE", "text": "Vũ Quỳnh Khánh"}
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            "{not json",
            [1, 2],
            {"text": "", "spans": []},
            {"text": text, "spans": [{"start": "a", "end": 3, "label": "X"}]},
            {
                "text": text,
                "spans": [
                    good,
                    {"start": name, "end": name + 8, "label": "FIGURE", "text": "Vũ Quỳnh"},
                    {"start": org, "end": org + 14, "label": "ORGANIZATION", "text": "Chi bộ"},
                    {"start": org, "end": org + 6, "label": "PLACE", "text": "Chi bộ"},
                    {"start": org + 1, "end": org + 6, "label": "ORGANIZATION"},
                    {"start": 40, "end": 400, "label": "ORGANIZATION"},
                ],
            },
        ],
    )
    report = run(plain, path)
    reasons = dict(report.skipped)
    assert reasons[f"{path}:1"].startswith("malformed JSON")
    assert reasons[f"{path}:2"] == "line is not a JSON object"
    assert reasons[f"{path}:3"] == "no non-empty 'text' string"
    assert reasons[f"{path}:4"].startswith("malformed spans (offset 'a' is not an integer")
    where = f"{path}:5"
    assert reasons[f"{where} [{name}, {name + 8}) FIGURE"].startswith("overlap")
    assert reasons[f"{where} [{org}, {org + 14}) ORGANIZATION"].startswith("text mismatch")
    assert reasons[f"{where} [{org}, {org + 6}) PLACE"].startswith("unknown label")
    assert reasons[f"{where} [{org + 1}, {org + 6}) ORGANIZATION"].startswith("inside a syllable")
    assert reasons[f"{where} [40, 400) ORGANIZATION"].startswith("outside the text")
    assert report.created == [6] and report.spans_imported == 1
    assert [(s.text, s.label) for s in plain.spans(6)] == [("Vũ Quỳnh Khánh", "FIGURE")]
    assert report.reasons()["malformed JSON"] == 1


def test_doccano_crlf_and_decomposed_text_maps_offsets(plain: Store, tmp_path: Path) -> None:
    raw = unicodedata.normalize("NFD", "Tiêu đề\r\nĐồng chí Lò Văn Phong phát biểu.\r\n")
    start = raw.index("L")
    end = start + len(unicodedata.normalize("NFD", "Lò Văn Phong"))
    path = write_lines(
        tmp_path / "d.jsonl",
        [
            {
                "text": raw,
                "entities": [{"start_offset": start, "end_offset": end, "label": "figure"}],
            }
        ],
    )
    report = run(plain, path)
    assert report.skipped == [] and report.spans_imported == 1
    (span,) = plain.spans(report.created[0])
    assert (
        span.text == "Lò Văn Phong" and span.label == "FIGURE" and span.origin == "import:doccano"
    )


def test_brat_problems_are_reported(plain: Store, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "a.txt").write_text("Đồng chí Lò Văn Phong và\nNghị quyết số 37.\n", encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tFIGURE 9 21\tLò Văn Phong\n"
        "T2\tRESOLUTION 25 41\tNghị quyết số 37\n"
        "R1\tRel Arg1:T1 Arg2:T2\n"
        "T3\tFIGURE 9 12;20 21\tLò g\n"
        "T4 broken\n",
        encoding="utf-8",
    )
    (folder / "orphan.ann").write_text("T1\tFIGURE 0 2\tab\n", encoding="utf-8")
    report = run(plain, folder)
    reasons = dict(report.skipped)
    assert reasons[f"{folder / 'a.ann'}:3"].startswith("not a text-bound entity")
    assert reasons[f"{folder / 'a.ann'}:5"].startswith("malformed T line")
    assert reasons[f"{folder / 'a.ann'} [9, 21) FIGURE"].startswith("discontinuous")
    assert reasons[str(folder / "orphan.txt")].startswith("no .txt beside the .ann")
    assert report.spans_imported == 2


def test_missing_file_is_reported(plain: Store, tmp_path: Path) -> None:
    report = run(plain, tmp_path / "nope.jsonl")
    assert report.skipped == [(str(tmp_path / "nope.jsonl"), "no such file or folder")]


def prodigy_line(
    text: str, spans: list[tuple[str, str]], answer: str, task: int
) -> dict[str, object]:
    """An example as Prodigy's ner.manual saves it (character offsets plus token indices)."""
    tokens = [
        {"text": m.group(), "start": m.start(), "end": m.end(), "id": i, "ws": True}
        for i, m in enumerate(re.finditer(r"\w+|[^\w\s]", text))
    ]
    found = []
    for wanted, label in spans:
        start = text.index(wanted)
        end = start + len(wanted)
        first = next(t["id"] for t in tokens if t["start"] == start)
        last = next(t["id"] for t in tokens if t["end"] == end)
        found.append(
            {"start": start, "end": end, "token_start": first, "token_end": last, "label": label}
        )
    return {
        "text": text,
        "_input_hash": -1000 - task,
        "_task_hash": 2000 + task,
        "tokens": tokens,
        "spans": found,
        "_view_id": "ner_manual",
        "answer": answer,
        "_timestamp": 1700000000 + task,
        "_annotator_id": "ner_partybuild-lan",
        "_session_id": "ner_partybuild-lan",
    }


def test_prodigy_imports_only_accepted_answers(plain: Store, tmp_path: Path) -> None:
    text = "Đồng chí Lò Văn Phong dự họp Chi bộ thôn Úc.\n"
    other = "Đồng chí Vũ Quỳnh Khánh phát biểu.\n"
    path = write_lines(
        tmp_path / "prodigy.jsonl",
        [
            prodigy_line(
                text, [("Lò Văn Phong", "FIGURE"), ("Chi bộ thôn Úc", "ORG")], "reject", 1
            ),
            prodigy_line(text, [("Lò Văn Phong", "FIGURE")], "accept", 2),
            prodigy_line(other, [("Vũ Quỳnh Khánh", "FIGURE")], "ignore", 3),
            prodigy_line(text, [("Lò Văn Phong", "FIGURE")], "accept", 2),  # the same task again
        ],
    )
    report = run(plain, path)
    assert report.spans_imported == 1 and len(report.created) == 1
    (span,) = plain.spans(report.created[0])
    assert (span.text, span.label, span.origin) == ("Lò Văn Phong", "FIGURE", "import:prodigy")
    assert span.annotator == "ner_partybuild-lan"
    reasons = dict(report.skipped)
    assert reasons[f"{path}:1"].startswith("not accepted: Prodigy answer 'reject'")
    assert reasons[f"{path}:3"].startswith("not accepted: Prodigy answer 'ignore'")
    assert reasons[f"{path}:4"].startswith("duplicate task: same _task_hash 2002 as line 2")
    assert report.records == 1
