"""Every export format's structure, on the seeds annotated with real entities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from seqeval.metrics import classification_report
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import tokenize
from partybuild_tui.core.export import ExportOptions, Selection, TokenOptions, export, vlsp
from partybuild_tui.core.export.summary import DROPPED_OUTSIDE
from partybuild_tui.core.store import Store
from partybuild_tui.errors import UserError
from tests.export_support import gold_spans, read_conll


def run(store: Store, out: Path, fmt: str, **kwargs: object) -> object:
    return export(store, ExportOptions(fmt, **kwargs), out, DEFAULT_LABELS)  # type: ignore[arg-type]


def all_gold(store: Store) -> int:
    return sum(len(store.spans(i)) for i in store.article_ids())


def test_jsonl_holds_articles_metadata_and_exact_spans(gold: Store, tmp_path: Path) -> None:
    gold.conn.execute(  # a pending suggestion is not an accepted span: never exported
        'INSERT INTO suggestions (article_id, source, source_version, start, "end", label, '
        "text, created_at) VALUES (1, 'ner', '1', 0, 4, 'FIGURE', 'Đồng', 'now')"
    )
    out = tmp_path / "a.jsonl"
    summary = run(gold, out, "jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    total = 0
    for line in lines:
        record = json.loads(line)
        assert list(record) == [
            "id", "title", "date", "source", "author", "url", "text", "content_hash", "status",
            "spans",
        ]  # fmt: skip
        assert record["status"] == "done"
        article = gold.article(record["id"])
        assert record["text"] == article.text and record["title"] == article.title
        assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == [
            (s.start, s.end, s.label) for s in gold_spans(article.text)
        ]
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
            assert span["annotator"] == "tester" and span["origin"] == "manual"
        total += len(record["spans"])
    assert total == all_gold(gold) == sum(summary.spans.values())  # type: ignore[attr-defined]
    assert all(s["start"] != 0 for line in lines for s in json.loads(line)["spans"])


def test_default_selection_is_done_articles_only(gold: Store, tmp_path: Path) -> None:
    gold.set_status(2, "in_progress", "tester")
    out = tmp_path / "a.jsonl"
    run(gold, out, "jsonl")
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [1, 3, 4, 5]
    run(gold, out, "jsonl", selection=Selection(statuses=("in_progress",)))
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == [2]
    run(gold, out, "jsonl", selection=Selection(statuses=(), query="Si Ma Cai"))
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == [4]


def test_annotator_filter_keeps_their_spans_and_articles(gold: Store, tmp_path: Path) -> None:
    text = gold.article(3).text
    start = text.index("Trần Xuân Thu")
    gold.tag(3, start, start + len("Trần Xuân Thu"), "FIGURE", "lan")
    out = tmp_path / "a.jsonl"
    with pytest.raises(UserError, match="no article matches status done, annotator 'lan'"):
        run(gold, out, "jsonl", selection=Selection(annotator="lan"))  # lan is not done
    gold.set_status(3, "done", "lan")
    run(gold, out, "jsonl", selection=Selection(annotator="lan"))
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [3]
    assert [(s["text"], s["annotator"]) for s in records[0]["spans"]] == [("Trần Xuân Thu", "lan")]


def test_doccano_has_text_and_label_triples(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    run(gold, out, "doccano")
    lines = out.read_text(encoding="utf-8").splitlines()
    for line, article_id in zip(lines, range(1, 6), strict=True):
        record = json.loads(line)
        assert set(record) == {"text", "label"}
        expected = [[s.start, s.end, s.label] for s in gold.spans(article_id)]
        assert record["label"] == expected
        assert record["text"] == gold.article(article_id).text


def test_brat_pairs_offsets_and_conf(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    run(gold, out, "brat")
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert conf.startswith("[entities]\nORGANIZATION\nFIGURE\nRESOLUTION\n")
    anns = sorted(out.glob("*.ann"))
    assert len(anns) == 5 and len(list(out.glob("*.txt"))) == 5
    count = 0
    for ann in anns:
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for number, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), start=1):
            ident, middle, shown = line.split("\t")
            label, start, end = middle.split(" ")
            assert ident == f"T{number}" and label in DEFAULT_LABELS.names
            assert text[int(start) : int(end)] == shown
            count += 1
    assert count == all_gold(gold)


def conll_tags(path: Path) -> tuple[list[list[str]], list[list[str]], int]:
    sentences, docs = read_conll(path)
    return [[r[0] for r in s] for s in sentences], [[r[-1] for r in s] for s in sentences], docs


def test_conll_word_level_reads_back_as_valid_iob2(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "w.conll"
    summary = run(gold, out, "conll")
    tokens, tags, docs = conll_tags(out)
    assert docs == 5
    assert len(tokens) == summary.sentences["all"]  # type: ignore[attr-defined]
    assert sum(map(len, tokens)) == summary.tokens["all"]  # type: ignore[attr-defined]
    assert all(" " not in t and "\t" not in t for s in tokens for t in s)
    assert any("_" in t for s in tokens for t in s)  # multi-syllable words joined by _
    lenient = [get_entities(seq) for seq in tags]
    strict = Entities(tags, IOB2).entities
    assert [len(x) for x in lenient] == [len(x) for x in strict]  # no stray I- tag
    found = sum(len(x) for x in strict)
    assert found == sum(summary.spans.values())  # type: ignore[attr-defined]
    assert found >= all_gold(gold) - sum(summary.adjusted.values())  # type: ignore[attr-defined]
    report = classification_report(tags, tags, mode="strict", scheme=IOB2, output_dict=True)
    assert {"ORGANIZATION", "FIGURE", "RESOLUTION"} <= set(report)
    figures = {
        " ".join(t.replace("_", " ") for t in sentence[a : b + 1])
        for sentence, seq in zip(tokens, tags, strict=True)
        for label, a, b in get_entities(seq)
        if label == "FIGURE"
    }
    assert {"Vũ Quỳnh Khánh", "Lò Văn Phong", "Trần Xuân Thu"} <= figures


def test_token_formats_cover_the_body_only(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "s.conll"
    run(gold, out, "conll", tokens=TokenOptions(level="syllable"))
    documents = out.read_text(encoding="utf-8").split("-DOCSTART- -X- O O\n")[1:]
    for article_id, document in zip(range(1, 6), documents, strict=True):
        syllables = [line.split(" ")[0] for line in document.split("\n") if line]
        article = gold.article(article_id)
        assert "".join(syllables) == "".join(article.body.split())
        assert all(line.count(" ") == 1 for line in document.split("\n") if line)


def test_syllable_level_one_syllable_a_line(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "s.conll"
    summary = run(gold, out, "conll", tokens=TokenOptions(level="syllable"))
    tokens, tags, _docs = conll_tags(out)
    assert all("_" not in t and " " not in t for s in tokens for t in s)
    strict = Entities(tags, IOB2).entities
    written = sum(map(len, strict))
    assert written == sum(summary.spans.values())  # type: ignore[attr-defined]
    # spans lie on syllable edges: only the two in article 2's page boilerplate are left out
    assert summary.adjusted == {DROPPED_OUTSIDE: 2}  # type: ignore[attr-defined]
    assert written + 2 == all_gold(gold)


def test_vlsp_layout_is_the_vlsp_2016_files(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "v.conll"
    run(gold, out, "conll", vlsp=True, selection=Selection(query="Na Tông"))
    text = out.read_text(encoding="utf-8")
    assert "DOCSTART" not in text  # VLSP 2016 files have no document markers
    rows = [line.split("\t") for line in text.split("\n") if line]
    assert rows and all(len(r) == 4 for r in rows)  # word POS chunk NER, tab-separated
    assert any(" " in r[0] for r in rows) and not any("_" in r[0] for r in rows)  # "Đảng bộ"
    assert {r[1] for r in rows} >= {"N", "V", "CH"}
    assert all(r[2] == "O" or r[2][:2] in ("B-", "I-") for r in rows)
    assert any(r[3] == "B-ORGANIZATION" for r in rows)
    marked = tmp_path / "m.conll"
    run(gold, marked, "conll", vlsp=True, docstart=True, selection=Selection(query="Na Tông"))
    assert marked.read_text(encoding="utf-8").startswith("-DOCSTART-\t-X-\t-X-\tO\n\n")


def test_conll_docstart_is_the_line_spacy_convert_splits_on(gold: Store, tmp_path: Path) -> None:
    converters = pytest.importorskip("spacy.training.converters", reason="spaCy not installed")
    out = tmp_path / "w.conll"
    summary = run(gold, out, "conll")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("-DOCSTART- -X- O O\n\n") and text.count("-DOCSTART-") == 5
    docs = list(converters.conll_ner_to_docs(text, no_print=True))
    assert len(docs) == 5  # one per article, no spurious "-DOCSTART-" document
    assert not any(token.text == "-DOCSTART-" for doc in docs for token in doc)
    assert sum(len(doc.ents) for doc in docs) == sum(summary.spans.values())  # type: ignore[attr-defined]


def test_phoner_json_lines(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    summary = run(gold, out, "phoner")
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == summary.sentences["all"]  # type: ignore[attr-defined]
    for record in records:
        assert set(record) == {"words", "tags"} and len(record["words"]) == len(record["tags"])
    conll = tmp_path / "w.conll"
    run(gold, conll, "conll")
    tokens, tags, _ = conll_tags(conll)
    assert [r["words"] for r in records] == tokens and [r["tags"] for r in records] == tags


def test_hf_ids_and_labels_file(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    summary = run(gold, out, "hf", split=(0.6, 0.2, 0.2))
    labels = json.loads((out / "labels.json").read_text(encoding="utf-8"))
    names = labels["names"]
    assert names == [
        "O", "B-ORGANIZATION", "I-ORGANIZATION", "B-FIGURE", "I-FIGURE", "B-RESOLUTION",
        "I-RESOLUTION",
    ]  # fmt: skip
    assert labels["id2label"]["3"] == "B-FIGURE" and labels["label2id"]["O"] == 0
    entities = 0
    for split in ("train", "validation", "test"):
        for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert set(record) == {"id", "tokens", "ner_tags"}
            assert len(record["tokens"]) == len(record["ner_tags"])
            tags = [names[i] for i in record["ner_tags"]]
            entities += len(Entities([tags], IOB2).entities[0])
    assert entities == sum(summary.spans.values())  # type: ignore[attr-defined]


def test_hf_to_a_file_puts_labels_beside_it(gold: Store, tmp_path: Path) -> None:
    out = tmp_path / "seeds.jsonl"
    run(gold, out, "hf")
    assert (tmp_path / "seeds.labels.json").is_file()


def test_fast_pos_chunk_equals_underthesea(gold: Store) -> None:
    for article_id in (1, 5):
        article = gold.article(article_id)
        words = tokenize.cached_tokenization(gold, article)
        assert words is not None
        for start, end in words.sentences:
            sentence = [article.text[a:b] for a, b in words.words if start <= a and b <= end]
            assert vlsp.pos_chunk(sentence) == vlsp.reference_pos_chunk(sentence)


def test_no_docstart_separates_documents_by_blank_lines_only(gold: Store, tmp_path: Path) -> None:
    with_marks, without = tmp_path / "a.conll", tmp_path / "b.conll"
    run(gold, with_marks, "conll")
    run(gold, without, "conll", docstart=False)
    text = without.read_text(encoding="utf-8")
    assert "DOCSTART" not in text and "\n\n\n" not in text
    marked = with_marks.read_text(encoding="utf-8").replace("-DOCSTART- -X- O O\n\n", "")
    assert marked == text
