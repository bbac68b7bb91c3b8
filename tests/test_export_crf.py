"""The word-level CoNLL export is real training data: a CRF learns from it and tags text."""

from __future__ import annotations

from pathlib import Path

import pytest
from seqeval.metrics import f1_score
from seqeval.metrics.sequence_labeling import get_entities
from underthesea_core import CRFFeaturizer, CRFTagger, CRFTrainer

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import tokenize
from partybuild_tui.core.export import ExportOptions, export
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, read_conll

FEATURES = [
    "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower",
    "T[0].istitle", "T[-1].istitle", "T[1].istitle",
    "T[-1]", "T[0]", "T[1]", "T[-1,0]", "T[0,1]",
]  # fmt: skip


def test_crf_trains_on_exported_seeds_and_tags_a_sentence(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    db = build_seeded(tmp_path / "gold.db", annotate=True)
    with Store(db) as store:
        summary = export(
            store, ExportOptions("conll", split=(0.8, 0.2)), tmp_path / "out", DEFAULT_LABELS
        )
    assert summary.articles == {"train": 4, "test": 1}
    train, _ = read_conll(tmp_path / "out" / "train.conll")
    test, _ = read_conll(tmp_path / "out" / "test.conll")
    assert train and test
    featurizer = CRFFeaturizer(FEATURES, set())
    trainer = CRFTrainer()
    trainer.set_l2_penalty(0.01)
    trainer.set_max_iterations(60)
    model = trainer.train(featurizer.process(train), [[row[1] for row in s] for s in train])
    tagger = CRFTagger.from_model(model)
    assert set(tagger.labels()) <= {"O", *(f"{p}-{n}" for n in DEFAULT_LABELS.names for p in "BI")}

    gold = [[row[1] for row in s] for s in train]
    predicted = [tagger.tag(x) for x in featurizer.process(train)]
    assert f1_score(gold, predicted) > 0.8  # it learned the training data
    predicted_test = [tagger.tag(x) for x in featurizer.process(test)]
    assert [len(p) for p in predicted_test] == [len(s) for s in test]

    text = "Đồng chí Vũ Quỳnh Khánh làm việc với Ban Thường vụ Huyện ủy Lục Yên."
    words = tokenize.segment(text)
    tokens = [text[a:b].replace(" ", "_") for a, b in words.words]
    tags = tagger.tag(featurizer.process([[[t, "O"] for t in tokens]])[0])
    entities = {(label, "_".join(tokens[a : b + 1])) for label, a, b in get_entities(tags)}
    assert ("FIGURE", "Vũ_Quỳnh_Khánh") in entities
    capfd.readouterr()  # the trainer's progress log
