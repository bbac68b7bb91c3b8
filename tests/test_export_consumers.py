"""Exports read by the real consumers: spaCy (``spacy convert`` and ``DocBin``) and Hugging
Face ``datasets`` (``load_dataset`` on the JSON lines and the Parquet files, every split).

spaCy and datasets are in the ``test`` extra (CI installs it); without them these tests
are skipped with the reason shown.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core.export import ExportOptions, Selection, TokenOptions, export
from partybuild_tui.core.export.summary import ExportSummary
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "gold.db", annotate=True)


@pytest.fixture
def gold(template: Path, tmp_path: Path) -> Iterator[Store]:
    with Store(copy_db(template, tmp_path / "gold.db")) as store:
        yield store


def run(store: Store, out: Path, fmt: str, **kwargs: object) -> ExportSummary:
    return export(store, ExportOptions(fmt, **kwargs), out, DEFAULT_LABELS)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", ["word", "syllable"])
def test_spacy_convert_reads_the_conll_export(gold: Store, tmp_path: Path, level: str) -> None:
    pytest.importorskip("spacy", reason="spaCy not installed (pip install -e '.[spacy]')")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    source = tmp_path / "train.conll"
    summary = run(gold, source, "conll", tokens=TokenOptions(level=level))
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(source), str(tmp_path), "-c", "conll"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    docs = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(Vocab()))
    assert len(docs) == 5
    assert sum(len(d.ents) for d in docs) == sum(summary.spans.values())
    assert sum(len(list(d.sents)) for d in docs) == summary.sentences["all"]
    assert not any(t.text == "-DOCSTART-" for d in docs for t in d)


def test_spacy_docbin_export(gold: Store, tmp_path: Path) -> None:
    pytest.importorskip("spacy", reason="spaCy not installed (pip install -e '.[spacy]')")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    out = tmp_path / "x.spacy"
    summary = run(gold, out, "spacy")
    docs = list(DocBin().from_disk(out).get_docs(Vocab()))
    assert [d.user_data["id"] for d in docs] == [1, 2, 3, 4, 5]
    assert sum(len(d) for d in docs) == summary.tokens["all"]
    assert sum(len(list(d.sents)) for d in docs) == summary.sentences["all"]
    assert sum(len(d.ents) for d in docs) == sum(summary.spans.values())
    found = {(e.label_, e.text) for d in docs for e in d.ents}
    assert ("FIGURE", "Vũ Quỳnh Khánh") in found
    assert ("ORGANIZATION", "Đảng bộ huyện Đồng Văn") in found  # the split kept it exact
    first = docs[0]
    article = gold.article(1)
    assert " ".join(first.text.split()) == " ".join(article.body.split())
    again = tmp_path / "y.spacy"
    run(gold, again, "spacy")
    assert again.read_bytes() == out.read_bytes()


def test_datasets_loads_the_hf_export_and_its_splits(gold: Store, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets", reason="datasets not installed")
    out = tmp_path / "hf"
    summary = run(gold, out, "hf", split=(0.6, 0.2, 0.2))
    names = json.loads((out / "labels.json").read_text(encoding="utf-8"))["names"]
    files = {split: str(out / f"{split}.jsonl") for split in ("train", "validation", "test")}
    loaded = datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "cache"))
    assert set(loaded) == {"train", "validation", "test"}
    for split, part in loaded.items():
        assert part.num_rows == summary.sentences[split]
    features = loaded["train"].features.copy()
    features["ner_tags"] = datasets.Sequence(datasets.ClassLabel(names=names))
    typed = loaded["train"].cast(features)
    assert typed.features["ner_tags"].feature.names == names


def test_datasets_loads_the_parquet_export_with_its_label_names(
    gold: Store, tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets", reason="datasets not installed")
    out = tmp_path / "pq"
    summary = run(gold, out, "hf-parquet", split=(0.6, 0.2, 0.2))
    names = json.loads((out / "labels.json").read_text(encoding="utf-8"))["names"]
    files = {split: str(out / f"{split}.parquet") for split in ("train", "validation", "test")}
    loaded = datasets.load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "c"))
    entities = 0
    for split, part in loaded.items():
        assert part.num_rows == summary.sentences[split]
        assert part.features["ner_tags"].feature.names == names
        tags = part.features["ner_tags"].feature
        for row in part:
            entities += sum(tags.int2str(i).startswith("B-") for i in row["ner_tags"])
    assert entities == sum(summary.spans.values())


def test_a_format_without_its_extra_says_what_to_install(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if spaCy were not installed
    db = copy_db(template, tmp_path / "gold.db")
    out = tmp_path / "x.spacy"
    result = CliRunner().invoke(app, ["export", "spacy", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "needs the spacy package" in result.stderr and ".[spacy]" in result.stderr
    assert not out.exists()


def test_binary_formats_refuse_standard_output(template: Path, tmp_path: Path) -> None:
    db = copy_db(template, tmp_path / "gold.db")
    for fmt in ("spacy", "hf-parquet"):
        result = CliRunner().invoke(app, ["export", fmt, "--db", str(db), "--out", "-"])
        assert result.exit_code == 2 and "not '-'" in result.stderr


def test_spacy_export_of_one_article_with_bioes_is_refused(gold: Store, tmp_path: Path) -> None:
    from partybuild_tui.errors import UserError

    with pytest.raises(UserError, match="--scheme"):
        run(gold, tmp_path / "x.spacy", "spacy", tokens=TokenOptions(scheme="bioes"),
            selection=Selection(query="Na Tông"))  # fmt: skip
