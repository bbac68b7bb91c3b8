"""Token corpora both ways: every CoNLL variant read by seqeval, and CoNLL / VLSP 2016 /
PhoNER files imported back onto their articles (or made into articles)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from seqeval.metrics import classification_report
from seqeval.scheme import BILOU, IOB2, IOBES, Entities

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core.export import ExportOptions, TokenOptions, export, import_annotations
from partybuild_tui.core.export.bio import decode
from partybuild_tui.core.export.importer import ImportReport
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db, read_conll

SEQEVAL = {"iob2": IOB2, "bioes": IOBES, "bilou": BILOU}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tpl")
    return (
        build_seeded(folder / "gold.db", annotate=True),
        build_seeded(folder / "plain.db", annotate=False),
    )


@pytest.fixture
def gold(templates: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    with Store(copy_db(templates[0], tmp_path / "gold.db")) as store:
        yield store


@pytest.fixture
def plain(templates: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    with Store(copy_db(templates[1], tmp_path / "plain.db")) as store:
        yield store


def run(store: Store, path: Path, **kwargs: object) -> ImportReport:
    return import_annotations(
        store,
        path,
        labels=DEFAULT_LABELS,
        default_annotator="tester",
        **kwargs,  # type: ignore[arg-type]
    )


VARIANTS = [
    (scheme, level, vlsp)
    for scheme in ("iob2", "bioes", "bilou")
    for level, vlsp in (("word", False), ("syllable", False), ("word", True))
]


@pytest.mark.parametrize(("scheme", "level", "vlsp"), VARIANTS)
def test_seqeval_reads_every_conll_variant(
    gold: Store, tmp_path: Path, scheme: str, level: str, vlsp: bool
) -> None:
    out = tmp_path / "x.conll"
    options = ExportOptions("conll", tokens=TokenOptions(level=level, scheme=scheme), vlsp=vlsp)
    summary = export(gold, options, out, DEFAULT_LABELS)
    sentences, _docs = read_conll(out)
    tags = [[row[-1] for row in sentence] for sentence in sentences]
    strict = Entities(tags, SEQEVAL[scheme]).entities  # raises on a tag the scheme forbids
    assert sum(map(len, strict)) == sum(summary.spans.values())
    report = classification_report(
        tags, tags, mode="strict", scheme=SEQEVAL[scheme], output_dict=True
    )
    assert {"ORGANIZATION", "FIGURE", "RESOLUTION"} <= set(report)
    used = {t[0] for seq in tags for t in seq if t != "O"}
    assert used <= set(scheme.upper()) and {"iob2": "B", "bioes": "E", "bilou": "L"}[scheme] in used


def spans_of(store: Store) -> set[tuple[int, int, int, str]]:
    return {
        (s.article_id, s.start, s.end, s.label) for i in store.article_ids() for s in store.spans(i)
    }


def body_spans(store: Store) -> set[tuple[int, int, int, str]]:
    out = set()
    for article_id in store.article_ids():
        article = store.article(article_id)
        for s in store.spans(article_id):
            if article.body_start <= s.start and s.end <= article.body_end:
                out.add((s.article_id, s.start, s.end, s.label))
    return out


@pytest.mark.parametrize(
    ("fmt", "level", "scheme", "docstart"),
    [
        ("conll", "word", "iob2", True),
        ("conll", "syllable", "bioes", True),
        ("conll", "word", "bilou", False),
        ("phoner", "syllable", "iob2", True),
        ("phoner", "word", "iob2", True),
    ],
)
def test_token_exports_import_back_onto_their_articles(
    gold: Store, plain: Store, tmp_path: Path, fmt: str, level: str, scheme: str, docstart: bool
) -> None:
    out = tmp_path / f"x.{fmt}"
    options = ExportOptions(fmt, tokens=TokenOptions(level=level, scheme=scheme), docstart=docstart)
    export(gold, options, out, DEFAULT_LABELS)
    report = run(plain, out)
    assert report.created == [] and report.skipped == []
    assert sorted(set(report.matched)) == [1, 2, 3, 4, 5]
    assert spans_of(plain) == body_spans(gold)  # exact: the default --cut split kept them
    assert {s.origin for i in plain.article_ids() for s in plain.spans(i)} == {f"import:{fmt}"}


def test_conll_of_unknown_texts_becomes_articles(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "x.conll"
    export(gold, ExportOptions("conll"), out, DEFAULT_LABELS)
    with Store(tmp_path / "fresh.db") as fresh:
        report = run(fresh, out)
        assert len(report.created) == 5 and report.skipped == []
        texts = {s.text for i in fresh.article_ids() for s in fresh.spans(i)}
        assert {"Đảng bộ huyện Đồng Văn", "Vũ Quỳnh Khánh", "Nghị quyết số 37"} <= texts
        again = run(fresh, out)  # the made texts are found again by content
        assert again.created == [] and again.spans_imported == 0


# VLSP 2016: tab-separated, syllables of a word separated by spaces, word POS chunk NER nested
VLSP_2016 = (
    "Anh\tNc\tB-NP\tO\tO\n"
    "Thanh\tNp\tB-NP\tB-PER\tO\n"
    "là\tV\tB-VP\tO\tO\n"
    "cán bộ\tN\tB-NP\tO\tO\n"
    "Uỷ ban\tN\tB-NP\tB-ORG\tO\n"
    "nhân dân\tN\tI-NP\tI-ORG\tO\n"
    "thành phố\tN\tI-NP\tI-ORG\tB-LOC\n"
    "Hà Nội\tNp\tI-NP\tI-ORG\tI-LOC\n"
    ".\tCH\tO\tO\tO\n"
    "\n"
)


def test_vlsp_2016_file_imports_its_flat_ner_column(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text(VLSP_2016, encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        report = run(fresh, path, label_map={"PER": "FIGURE", "ORG": "ORGANIZATION"})
        assert report.skipped == []
        (article_id,) = report.created
        assert fresh.article(article_id).text == (
            "Anh Thanh là cán bộ Uỷ ban nhân dân thành phố Hà Nội .\n"
        )
        assert [(s.text, s.label) for s in fresh.spans(article_id)] == [
            ("Thanh", "FIGURE"),
            ("Uỷ ban nhân dân thành phố Hà Nội", "ORGANIZATION"),
        ]


def test_phoner_syllable_file_with_its_own_labels(tmp_path: Path) -> None:
    path = tmp_path / "syllable_train.json"
    lines = [
        {"words": ["Bệnh", "nhân", "BN91", "là", "phi", "công"],
         "tags": ["O", "O", "B-PATIENT_ID", "O", "B-JOB", "I-JOB"]},
        {"words": ["Ông", "Lò", "Văn", "Phong", "phát", "biểu"],
         "tags": ["O", "B-NAME", "I-NAME", "I-NAME", "O", "O"]},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        report = run(fresh, path, label_map={"NAME": "FIGURE"})
        assert len(report.created) == 2 and report.spans_imported == 1
        assert [r for _w, r in report.skipped if r.startswith("unknown label")] != []
        (span,) = fresh.spans(report.created[1])
        assert (span.text, span.label, span.origin) == ("Lò Văn Phong", "FIGURE", "import:phoner")


def test_every_scheme_decodes_to_the_same_entities() -> None:
    iob2 = ["B-ORG", "I-ORG", "O", "B-PER", "B-PER", "I-PER", "O", "B-ORG"]
    iob1 = ["I-ORG", "I-ORG", "O", "I-PER", "B-PER", "I-PER", "O", "I-ORG"]
    bioes = ["B-ORG", "E-ORG", "O", "S-PER", "B-PER", "E-PER", "O", "S-ORG"]
    bilou = ["B-ORG", "L-ORG", "O", "U-PER", "B-PER", "L-PER", "O", "U-ORG"]
    expected = [(0, 1, "ORG"), (3, 3, "PER"), (4, 5, "PER"), (7, 7, "ORG")]
    for tags in (iob2, iob1, bioes, bilou):
        assert decode(tags) == expected, tags


def test_a_corpus_comes_in_as_suggestions(gold: Store, plain: Store, tmp_path: Path) -> None:
    from partybuild_tui.core.suggest import engine

    out = tmp_path / "x.conll"
    export(gold, ExportOptions("conll"), out, DEFAULT_LABELS)
    report = run(plain, out, as_suggestions=True)
    assert report.spans_imported == 0 and report.suggested == len(body_spans(gold))
    assert spans_of(plain) == set()
    shown = {
        (s.article_id, s.start, s.end, s.label, s.source)
        for i in plain.article_ids()
        for s in engine.pending(plain, i)
    }
    assert {(a, b, c, d) for a, b, c, d, _src in shown} == body_spans(gold)
    assert {src for *_rest, src in shown} == {"import:conll"}
    again = run(plain, out, as_suggestions=True)  # replaces, never duplicates
    assert again.suggested == report.suggested
    assert sum(len(engine.suggestions(plain, i)) for i in plain.article_ids()) == len(shown)
    first = next(s for s in engine.pending(plain, 1))
    engine.accept(plain, first.id, "lan")  # accepted as any suggestion is
    assert [(s.origin, s.annotator) for s in plain.spans(1)] == [("suggestion:import:conll", "lan")]


def test_sentences_find_their_article_among_articles_that_begin_alike(tmp_path: Path) -> None:
    from partybuild_tui.core import tokenize

    texts = [
        "Tiêu đề chung của hai bài\n\nĐồng chí Lò Văn Phong phát biểu tại hội nghị.\n",
        "Tiêu đề chung của hai bài\n\nĐồng chí Vũ Quỳnh Khánh dự họp Chi bộ thôn Úc.\n",
    ]
    names = ["Lò Văn Phong", "Vũ Quỳnh Khánh"]

    def source(path: Path, with_spans: bool) -> Path:
        lines = []
        for text, name in zip(texts, names, strict=True):
            start = text.index(name)
            spans = [{"start": start, "end": start + len(name), "label": "FIGURE"}]
            lines.append({"text": text, "status": "done", "spans": spans if with_spans else []})
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
        return path

    with Store(tmp_path / "a.db") as first:
        run(first, source(tmp_path / "a.jsonl", True))
        tokenize.segment_articles(first, first.article_ids())
        export(first, ExportOptions("phoner"), tmp_path / "p.jsonl", DEFAULT_LABELS)
        expected = spans_of(first)
    with Store(tmp_path / "b.db") as second:
        run(second, source(tmp_path / "b.jsonl", False))
        report = run(second, tmp_path / "p.jsonl")
        assert report.created == [] and sorted(set(report.matched)) == [1, 2]
        assert spans_of(second) == expected
