"""Agreement between annotators: hand-computed figures, the coefficients against libraries,
``partybuild agreement`` and the stats section as a user runs them."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.stats.agreement import ArticleLayers, compute
from partybuild_tui.core.store import Store
from partybuild_tui.render.agreement import HOW_TO
from tests.agreement_fixture import build

runner = CliRunner()


@pytest.fixture
def db(db_path: Path) -> Path:
    with Store(db_path) as store:
        build(store)
    return db_path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "130"})
    return result.exit_code, result.stdout, result.stderr


def figures(*args: str) -> dict[str, Any]:
    code, out, err = run("agreement", "--json", *args)
    assert code == 0, out + err
    return json.loads(out)


def scores(d: dict[str, Any]) -> tuple[Any, ...]:
    return d["matched"], d["predicted"], d["gold"], d["precision"], d["recall"], d["f1"]


def test_hand_computed_three_annotators(db: Path) -> None:
    data = figures()  # the fixture's docstring works every number out
    assert data["annotators"] == ["hoa", "lan", "minh"]  # review:lan never counts
    assert (data["articles"], data["done"]) == (2, {"hoa": 1, "lan": 2, "minh": 2})
    assert data["krippendorff_alpha"] == pytest.approx(0.45)
    assert data["fleiss_kappa"] is None  # article 1 has three annotators, article 2 two
    pairs = {(p["reference"], p["other"]): p for p in data["pairs"]}
    lm = pairs[("lan", "minh")]
    assert (lm["articles"], lm["tokens"]) == (2, 18)
    assert lm["cohen_kappa"] == pytest.approx(44 / 125)
    assert scores(lm["exact"]) == pytest.approx((1, 3, 4, 1 / 3, 1 / 4, 2 / 7))
    assert scores(lm["overlap"]) == pytest.approx((2, 3, 4, 2 / 3, 1 / 2, 4 / 7))
    per_label = {row["label"]: row for row in lm["labels"]}
    assert scores(per_label["ORGANIZATION"]["exact"]) == pytest.approx((1, 1, 2, 1, 1 / 2, 2 / 3))
    assert scores(per_label["FIGURE"]["exact"]) == (0, 2, 1, 0.0, 0.0, 0.0)
    assert scores(per_label["FIGURE"]["overlap"]) == pytest.approx((1, 2, 1, 1 / 2, 1, 2 / 3))
    assert scores(per_label["RESOLUTION"]["exact"]) == (0, 0, 1, None, 0.0, None)
    assert pairs[("hoa", "lan")]["cohen_kappa"] == 1.0
    assert scores(pairs[("hoa", "lan")]["exact"]) == (2, 2, 2, 1.0, 1.0, 1.0)
    hm = pairs[("hoa", "minh")]
    assert hm["cohen_kappa"] == pytest.approx(44 / 53)
    assert scores(hm["exact"])[:3] == (1, 2, 2) and scores(hm["overlap"])[:3] == (2, 2, 2)


def test_hand_computed_two_annotators(db: Path) -> None:
    data = figures("--annotators", "lan, minh")
    assert data["annotators"] == ["lan", "minh"]
    assert data["krippendorff_alpha"] == pytest.approx(152 / 467)
    assert data["fleiss_kappa"] == pytest.approx(143 / 467)
    assert [(p["reference"], p["other"]) for p in data["pairs"]] == [("lan", "minh")]
    forms = [
        (d["form"], d["reference_label"], d["other_label"], d["count"])
        for d in data["disagreements"]
    ]
    assert forms == [
        ("Chi bộ thôn Úc", "ORGANIZATION", "FIGURE", 1),
        ("Nghị quyết số 37", "RESOLUTION", "untagged", 1),
        ("Nguyễn Văn Hòa", "FIGURE", "untagged", 1),
        ("Văn Hòa", "untagged", "FIGURE", 1),
    ]
    assert data["disagreements"][1]["start"] == 4  # offsets are into the whole text


def test_label_filter(db: Path) -> None:
    data = figures("--annotators", "lan,minh", "--label", "FIGURE")
    (pair,) = data["pairs"]
    assert scores(pair["exact"])[:3] == (0, 2, 1)
    # tokens FIGURE or O: A1 (FIG,O)×1 (FIG,FIG)×2 (O,O)×6, A2 (O,FIG)×4 (O,O)×5
    # p_o = 13/18; lan FIG 3 O 15, minh FIG 6 O 12; p_e = (18 + 180)/324 = 11/18
    assert pair["cohen_kappa"] == pytest.approx((13 / 18 - 11 / 18) / (1 - 11 / 18))


def test_tables(db: Path) -> None:
    code, out, _ = run("agreement", "--annotators", "lan,minh")
    assert code == 0, out
    assert "lan, minh on 2 articles" in out and "Krippendorff's α 0.325" in out
    assert "Fleiss' κ 0.306" in out
    assert "0.352" in out  # Cohen's kappa of the pair
    assert "33.3" in out and "28.6" in out and "57.1" in out  # P, F1, F1~
    assert "Chi bộ thôn Úc" in out and "#2@25" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lan,tuan", "'tuan' finished no article"),
        ("lan", "name two or more annotators"),
        ("lan,review:lan", "invalid annotator name 'review:lan'"),
    ],
)
def test_bad_annotators(db: Path, value: str, message: str) -> None:
    code, out, err = run("agreement", "--annotators", value)
    assert code == 2 and not out
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err


def test_unknown_label(db: Path) -> None:
    code, _, err = run("agreement", "--label", "PLACE")
    assert code == 2 and err.startswith("error: --label 'PLACE'") and err.count("\n") == 1


def test_nobody_finished_the_same_article(db_path: Path) -> None:
    with Store(db_path) as store:
        build(store)
        for who in ("minh", "hoa"):
            for aid in (1, 2):
                store.set_status(aid, "in_progress", who)
    code, out, _ = run("agreement")
    assert code == 0 and out.strip() == HOW_TO
    code, out, _ = run("stats", "--section", "agreement")
    assert code == 0 and out.splitlines()[1:] == [HOW_TO]


def test_stats_section(db: Path) -> None:
    code, out, _ = run("stats", "--section", "agreement", "--json")
    assert code == 0, out
    assert json.loads(out)["agreement"]["krippendorff_alpha"] == pytest.approx(0.45)
    code, out, _ = run("stats")
    assert code == 0 and "Agreement" in out and "Krippendorff's α 0.450" in out


def test_forms_counted_over_articles() -> None:
    body = "Ban Tuyên giáo họp"
    art = [
        ArticleLayers(i, 0, body, {"a": [(0, 14, "ORG")], "b": [(4, 14, "ORG")]}) for i in (1, 2)
    ]
    (first, second) = compute(art, ["a", "b"]).disagreements
    assert (first.form, first.count, first.article_id) == ("Ban Tuyên giáo", 2, 1)
    assert (second.form, second.reference_label, second.other_label) == (
        "Tuyên giáo",
        "untagged",
        "ORG",
    )


def random_layer(
    rng: random.Random, words: list[str], base: int
) -> tuple[list[tuple[int, int, str]], list[str | None]]:
    """Flat random spans over whole words, and the label each word gets."""
    starts = [base + sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    spans, labels = [], ["O"] * len(words)
    i = 0
    while i < len(words):
        if rng.random() < 0.35:
            j, label = min(i + rng.randint(1, 3), len(words)), rng.choice("XYZ")
            spans.append((starts[i], starts[j - 1] + len(words[j - 1]), label))
            labels[i:j] = [label] * (j - i)
            i = j
        i += 1
    return spans, list(labels)


def random_articles(
    seed: int, names: list[str]
) -> tuple[list[ArticleLayers], dict[str, list[str | None]]]:
    """Random tagged articles and, per annotator, the label of every token (None: missing)."""
    rng = random.Random(seed)
    articles = []
    per_token: dict[str, list[str | None]] = {name: [] for name in names}
    for aid in range(40):
        words = ["".join(rng.choices("aăbcđơư", k=rng.randint(1, 4))) for _ in range(30)]
        who = rng.sample(names, rng.randint(2, len(names)))
        layers = {}
        for name in names:
            if name in who:
                layers[name], labels = random_layer(rng, words, 5)
            else:
                labels = [None] * len(words)
            per_token[name].extend(labels)
        articles.append(ArticleLayers(aid, 5, " ".join(words), layers))
    return articles, per_token


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coefficients_match_libraries(seed: int) -> None:
    names = ["a", "b", "c"]
    articles, per_token = random_articles(seed, names)
    result = compute(articles, names)
    codes = {"O": 0, "X": 1, "Y": 2, "Z": 3, None: np.nan}
    data = np.array([[codes[v] for v in per_token[n]] for n in names], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert result.alpha == pytest.approx(expected, abs=1e-12)
    for pair in result.pairs:
        both = [
            (x, y)
            for x, y in zip(per_token[pair.reference], per_token[pair.other], strict=True)
            if x is not None and y is not None
        ]
        assert pair.tokens == len(both)
        kappa = cohen_kappa_score([x for x, _ in both], [y for _, y in both])
        assert pair.kappa == pytest.approx(kappa, abs=1e-12)
