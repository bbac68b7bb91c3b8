"""The export and import-annotations commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "gold.db", annotate=True)


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return copy_db(template, tmp_path / "gold.db")


def test_export_split_prints_summary_and_writes_files(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = runner.invoke(
        app, ["export", "conll", "--db", str(db), "--out", str(out), "--split", "0.6,0.2,0.2"]
    )
    assert result.exit_code == 0, result.output
    for name in ("train", "dev", "test"):
        assert (out / f"{name}.conll").read_text(encoding="utf-8").startswith("-DOCSTART- -X- O O")
    assert "train" in result.stdout and "sentences" in result.stdout
    assert "token split at the span edge" in result.stdout
    assert "dropped: outside the body" in result.stdout
    assert "ORGANIZATION" in result.stdout and f"wrote {out / 'train.conll'}" in result.stdout


def test_export_default_folder_is_beside_the_database(db: Path) -> None:
    result = runner.invoke(app, ["export", "jsonl", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = (db.parent / "exports" / "jsonl" / "data.jsonl").read_text(encoding="utf-8")
    assert len(lines.splitlines()) == 5


def test_export_to_stdout_keeps_the_summary_off_stdout(db: Path) -> None:
    result = runner.invoke(app, ["export", "doccano", "--db", str(db), "--out", "-"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5 and "Spans written" in result.stderr


def test_strict_failure_is_one_line_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.conll"
    result = runner.invoke(app, ["export", "conll", "--db", str(db), "--out", str(out), "--strict"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: article ") and result.stderr.count("\n") == 1
    assert "--strict" in result.stderr and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "xml"], "'xml' is not one of 'jsonl'"),
        (["export", "conll", "--level", "char"], "--level 'char'"),
        (["export", "jsonl", "--status", "finished"], "unknown status 'finished'"),
        (["export", "jsonl", "--split", "0.5"], "--split '0.5'"),
        (["export", "jsonl", "--vlsp"], "--vlsp is a CoNLL layout"),
        (["export", "jsonl", "--status", "new"], "no article matches status new"),
    ],
)
def test_export_option_errors(db: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output


def test_unwritable_output_names_the_path(db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "out.jsonl"
    result = runner.invoke(app, ["export", "jsonl", "--db", str(db), "--out", str(target)])
    assert result.exit_code == 2 and f"cannot write {target}" in result.stderr


def test_import_annotations_command(db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "gold.jsonl"
    assert (
        runner.invoke(app, ["export", "jsonl", "--db", str(db), "--out", str(exported)]).exit_code
        == 0
    )
    lines = exported.read_text(encoding="utf-8").splitlines()
    exported.write_text("\n".join([*lines, "{oops"]) + "\n", encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    result = runner.invoke(app, ["import-annotations", str(exported), "--db", str(fresh)])
    assert result.exit_code == 0, result.output
    assert "articles stored as new" in result.stdout and "malformed JSON" in result.stdout
    assert f"{exported}:6" in result.stdout
    with Store(fresh) as store, Store(db) as source:
        assert store.status_counts()["done"] == 5
        assert [len(store.spans(i)) for i in range(1, 6)] == [
            len(source.spans(i)) for i in range(1, 6)
        ]
    again = runner.invoke(app, ["import-annotations", str(exported), "--db", str(fresh)])
    assert "already stored" in again.stdout


def test_import_annotations_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import-annotations", str(tmp_path / "none.jsonl"), "--db", str(tmp_path / "d.db")]
    )
    assert result.exit_code == 1 and "no such file or folder" in result.stdout


def test_split_with_an_empty_part_is_refused(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    args = ["export", "conll", "--db", str(db), "--out", str(out), "--split", "0.8,0.1,0.1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: ") and "'test'" in result.stderr
    assert "--allow-empty" in result.stderr and not out.exists()
    allowed = runner.invoke(app, [*args, "--allow-empty"])
    assert allowed.exit_code == 0, allowed.output
    assert (out / "test.conll").read_bytes() == b""
    assert "test" in allowed.stdout


def test_hf_split_parts_are_named_as_hugging_face_names_them(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    args = ["export", "hf", "--db", str(db), "--out", str(out), "--split", "0.6,0.2,0.2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "labels.json", "test.jsonl", "train.jsonl", "validation.jsonl"
    ]  # fmt: skip
    assert "validation" in result.stdout


def test_word_joiner_space_in_plain_conll_is_refused(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.conll"
    args = ["export", "conll", "--db", str(db), "--out", str(out), "--word-joiner", "space"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "--word-joiner space" in result.stderr and "--vlsp" in result.stderr
    assert not out.exists()
    vlsp = runner.invoke(app, [*args, "--vlsp", "--search", "Na Tông"])
    assert vlsp.exit_code == 0, vlsp.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert all(len(row) == 4 for row in rows) and any(" " in row[0] for row in rows)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


CONLLU = (
    "# sent_id = 1\n# text = Lò Văn Phong phát biểu\n"
    + (
        "1\tLò_Văn_Phong\tLò_Văn_Phong\tPROPN\tNp\t_\t2\tnsubj\t_\t_\n"
        "2\tphát_biểu\tphát_biểu\tVERB\tV\t_\t0\troot\t_\t_\n\n"
    )
    * 200
)
CONLL = "-DOCSTART- -X- O O\n\n" + "Đồng_chí O\nLò_Văn_Phong B-FIGURE\n. O\n\n" * 300
PHONER = '{"words": ["Lò_Văn_Phong", "phát_biểu"], "tags": ["B-FIGURE", "O"]}\n' * 300
HF = '{"id": "1-0", "tokens": ["Lò_Văn_Phong", "phát_biểu"], "ner_tags": [3, 0]}\n' * 300
LS_LINES = '{"data": {"text": "Lò Văn Phong phát biểu"}, "annotations": []}\n' * 300


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("parsed.conllu", CONLLU, "CoNLL-U"),
        ("hf.jsonl", HF, "Hugging Face"),
        ("tasks.jsonl", LS_LINES, "Label Studio tasks, one a line"),
    ],
    ids=["conll-u", "hf", "label-studio-lines"],
)
def test_import_of_an_unsupported_format_is_one_error_line(
    tmp_path: Path, name: str, content: str, looks_like: str
) -> None:
    path = write(tmp_path / name, content)
    fresh = tmp_path / "fresh.db"
    result = runner.invoke(app, ["import-annotations", str(path), "--db", str(fresh)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {path}") and looks_like in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [("train.conll", CONLL), ("train.txt", CONLL.replace(" -X- O O", "\tO")), ("p.jsonl", PHONER)],
    ids=["conll", "conll-tab", "phoner"],
)
def test_import_of_a_token_corpus(tmp_path: Path, name: str, content: str) -> None:
    path = write(tmp_path / name, content.replace("FIGURE", "PER"))
    fresh = tmp_path / "fresh.db"
    args = ["import-annotations", str(path), "--db", str(fresh), "--map-label", "PER=FIGURE"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    with Store(fresh) as store:
        spans = [s for i in store.article_ids() for s in store.spans(i)]
        assert {(s.text, s.label) for s in spans} == {("Lò Văn Phong", "FIGURE")}
    bad = runner.invoke(app, [*args[:4], "--map-label", "PER"])
    assert bad.exit_code == 2 and "--map-label 'PER'" in bad.stderr
