"""Label Studio and Prodigy: exports as those tools read them, and their own files read back.

The samples are written from the tools' documented formats (Label Studio's task JSON and
JSON-MIN export, Prodigy's ``ner.manual`` answers), not from our writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core.export import ExportOptions, export, import_annotations, labelstudio
from partybuild_tui.core.export.importer import ImportReport
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db, gold_spans


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "gold.db", annotate=True)


@pytest.fixture
def gold(template: Path, tmp_path: Path) -> Iterator[Store]:
    with Store(copy_db(template, tmp_path / "gold.db")) as store:
        yield store


def run(store: Store, path: Path, **kwargs: object) -> ImportReport:
    return import_annotations(
        store,
        path,
        labels=DEFAULT_LABELS,
        default_annotator="tester",
        **kwargs,  # type: ignore[arg-type]
    )


def test_prodigy_export_is_ner_manual_tasks(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    export(gold, ExportOptions("prodigy"), out, DEFAULT_LABELS)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5
    for line in lines:
        article = gold.article(line["meta"]["id"])
        assert line["text"] == article.text and line["answer"] == "accept"
        assert line["_view_id"] == "ner_manual" and line["_annotator_id"] == "tester"
        assert all(isinstance(line[k], int) and -(2**31) <= line[k] < 2**31 for k in (
            "_input_hash", "_task_hash"))  # fmt: skip
        tokens = line["tokens"]
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        for token in tokens:
            assert line["text"][token["start"] : token["end"]] == token["text"]
            assert token["ws"] == line["text"][token["end"] : token["end"] + 1].isspace()
        expected = [(s.start, s.end, s.label) for s in gold_spans(article.text)]
        assert [(s["start"], s["end"], s["label"]) for s in line["spans"]] == expected
        for span in line["spans"]:  # token indices agree with the offsets (token_end inclusive)
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]
    again = tmp_path / "q.jsonl"
    export(gold, ExportOptions("prodigy"), again, DEFAULT_LABELS)
    assert again.read_bytes() == out.read_bytes()  # stable hashes


def test_label_studio_export_is_importable_tasks(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "ls.json"
    export(gold, ExportOptions("labelstudio"), out, DEFAULT_LABELS)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 5
    for task in tasks:
        text = task["data"]["text"]
        assert text == gold.article(task["id"]).text
        (annotation,) = task["annotations"]
        assert "completed_by" not in annotation and annotation["was_cancelled"] is False
        regions = annotation["result"]
        assert [
            (r["value"]["start"], r["value"]["end"], r["value"]["labels"]) for r in regions
        ] == [(s.start, s.end, [s.label]) for s in gold_spans(text)]
        for r in regions:
            assert (r["from_name"], r["to_name"], r["type"]) == ("label", "text", "labels")
            assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
            assert len(r["id"]) == 10
    config = labelstudio.label_config(DEFAULT_LABELS.names)
    assert '<Labels name="label" toName="text">' in config and 'value="$text"' in config


def test_label_studio_predictions_export(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "pre.json"
    export(gold, ExportOptions("labelstudio", predictions=True), out, DEFAULT_LABELS)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    for task in tasks:
        assert "annotations" not in task
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == "tester"
        assert {r["origin"] for r in prediction["result"]} == {"prediction"}
        assert len(prediction["result"]) == len(gold_spans(task["data"]["text"]))
    with Store(tmp_path / "fresh.db") as fresh:  # predictions are not accepted spans
        report = run(fresh, out)
        assert report.spans_imported == 0 and len(report.created) == 5
        assert all(r.startswith("predictions not imported") for _w, r in report.skipped)


TEXT = "Đồng chí Lò Văn Phong dự họp Chi bộ thôn Úc.\n"
NAME = (TEXT.index("Lò"), TEXT.index("Lò") + len("Lò Văn Phong"))
ORG = (TEXT.index("Chi bộ"), TEXT.index("Chi bộ") + len("Chi bộ thôn Úc"))


def ls_region(start: int, end: int, label: str, ident: str) -> dict[str, object]:
    return {
        "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]},
        "id": ident,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


def test_label_studio_json_export_sample_imports(tmp_path: Path) -> None:
    # a task as Label Studio's JSON export writes it (two annotators, one cancelled, predictions)
    sample = [
        {
            "id": 7,
            "annotations": [
                {
                    "id": 11,
                    "completed_by": 1,
                    "result": [
                        ls_region(*NAME, "FIGURE", "a1"),
                        ls_region(*ORG, "ORGANIZATION", "a2"),
                    ],
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": "2024-05-02T10:00:00.000000Z",
                    "updated_at": "2024-05-02T10:00:00.000000Z",
                    "lead_time": 12.5,
                    "task": 7,
                },
                {
                    "id": 12,
                    "completed_by": {"id": 2, "email": "lan@example.org"},
                    "result": [
                        ls_region(*NAME, "FIGURE", "b1"),
                        {
                            "value": {"choices": ["good"]},
                            "id": "c1",
                            "from_name": "q",
                            "to_name": "text",
                            "type": "choices",
                        },
                    ],
                    "was_cancelled": False,
                },
                {
                    "id": 13,
                    "completed_by": 3,
                    "result": [ls_region(*ORG, "FIGURE", "x")],
                    "was_cancelled": True,
                },
            ],
            "predictions": [{"model_version": "m1", "result": [ls_region(*ORG, "FIGURE", "p")]}],
            "data": {"text": TEXT, "title": "Họp chi bộ"},
            "project": 3,
            "created_at": "2024-05-02T09:00:00.000000Z",
        }
    ]
    path = tmp_path / "project-3-at-2024.json"
    path.write_text(json.dumps(sample, ensure_ascii=False, indent=2), encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        report = run(fresh, path)
        (article_id,) = report.created
        assert fresh.article(article_id).title == "Họp chi bộ"
        spans = {(s.annotator, s.text, s.label, s.origin) for s in fresh.spans(article_id)}
        assert spans == {
            ("label-studio-user-1", "Lò Văn Phong", "FIGURE", "import:labelstudio"),
            ("label-studio-user-1", "Chi bộ thôn Úc", "ORGANIZATION", "import:labelstudio"),
            ("lan@example.org", "Lò Văn Phong", "FIGURE", "import:labelstudio"),
        }
        reasons = [reason for _where, reason in report.skipped]
        assert any(r.startswith("cancelled") for r in reasons)
        assert any(r.startswith("not a labels region (type 'choices')") for r in reasons)
        assert any(r.startswith("predictions not imported") for r in reasons)


def test_label_studio_json_min_sample_imports(tmp_path: Path) -> None:
    # JSON-MIN as Label Studio's converter writes it: data fields, the control's regions, ids
    sample = [
        {
            "text": TEXT,
            "id": 7,
            "label": [
                {"start": NAME[0], "end": NAME[1], "text": "Lò Văn Phong", "labels": ["FIGURE"]}
            ],
            "annotator": 1,
            "annotation_id": 11,
            "created_at": "2024-05-02T10:00:00.000000Z",
            "updated_at": "2024-05-02T10:00:00.000000Z",
            "lead_time": 12.5,
        }
    ]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        report = run(fresh, path)
        assert report.skipped == [] and report.spans_imported == 1
        (span,) = fresh.spans(report.created[0])
        assert (span.annotator, span.text) == ("label-studio-user-1", "Lò Văn Phong")


def test_label_studio_array_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from partybuild_tui.core.export import labelstudio_reader

    monkeypatch.setattr(labelstudio_reader, "CHUNK", 7)  # every task spans many reads
    sample = [
        {"data": {"text": f"Bài {i}: đồng chí Lò Văn Phong."}, "annotations": []} for i in range(20)
    ]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(sample, ensure_ascii=False, indent=1), encoding="utf-8")
    truncated = tmp_path / "cut.json"
    truncated.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        assert len(run(fresh, path).created) == 20
        report = run(fresh, truncated)
        assert report.matched == list(range(1, 20))
        assert report.skipped[-1][1].startswith("malformed JSON")
