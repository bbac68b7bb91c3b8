"""The memory source: the user's tags proposed again, tone variants, tag-all-occurrences."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest

from partybuild_tui.core import suggest, tokenize
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest.base import tone_key
from partybuild_tui.core.suggest.memory import MemorySource, form_key, load_lexicon
from tests.suggest_helpers import import_texts


def test_tone_key_equates_placement_and_normal_forms_but_not_case() -> None:
    assert tone_key("hoà bình") == tone_key("hòa bình")
    assert tone_key("Thuỷ") == tone_key("Thủy")
    assert tone_key(unicodedata.normalize("NFD", "Nguyễn")) == tone_key("Nguyễn")
    assert tone_key("Dũng") != tone_key("dũng")
    assert tone_key("hoà") != tone_key("hoa")


def test_a_tagged_form_is_proposed_in_other_articles(store: Store, tmp_path: Path) -> None:
    ids = import_texts(
        store,
        tmp_path / "docs",
        {
            "a": "Tin mới\n\nÔng Nguyễn Văn Hoà phát biểu tại hội nghị của xã.\n",
            "b": "Tin khác\n\nAnh Nguyễn Văn Hòa và Nguyễn Văn Hoàng dự họp. Nguyễn Văn Hoà về.\n",
        },
    )
    text_a = store.article(ids["a"]).text
    start = text_a.index("Nguyễn")
    store.tag(ids["a"], start, start + len("Nguyễn Văn Hoà"), "FIGURE", "tester")

    shown = suggest.compute(store, ids["b"], ["memory"])
    text_b = store.article(ids["b"]).text
    assert [(text_b[s.start : s.end], s.label, s.source) for s in shown] == [
        ("Nguyễn Văn Hòa", "FIGURE", "memory"),
        ("Nguyễn Văn Hoà", "FIGURE", "memory"),
    ]
    # the tagged occurrence itself is not proposed again in its own article
    assert suggest.compute(store, ids["a"], ["memory"]) == []


def test_memory_reruns_only_when_the_tagged_forms_change(store: Store, tmp_path: Path) -> None:
    ids = import_texts(
        store, tmp_path / "docs", {"a": "Tiêu đề\n\nChi bộ thôn Úc họp. Chi bộ thôn Úc vui.\n"}
    )
    text = store.article(ids["a"]).text
    before = MemorySource(load_lexicon(store)).version
    start = text.index("Chi bộ")
    store.tag(ids["a"], start, start + len("Chi bộ thôn Úc"), "ORGANIZATION", "tester")
    after = MemorySource(load_lexicon(store)).version
    assert after != before
    second = text.index("Chi bộ", start + 1)
    store.tag(ids["a"], second, second + len("Chi bộ thôn Úc"), "ORGANIZATION", "tester")
    assert MemorySource(load_lexicon(store)).version == after


def test_tag_all_occurrences_is_one_undoable_action(store: Store, tmp_path: Path) -> None:
    ids = import_texts(
        store,
        tmp_path / "docs",
        {"a": "Tiêu đề\n\nĐảng bộ xã Na Tông họp. Đảng bộ xã Na Tông và Đảng bộ xã Na Tông.\n"},
    )
    article_id = ids["a"]
    text = store.article(article_id).text
    first = text.index("Đảng bộ")
    action = store.tag(article_id, first, first + 18, "ORGANIZATION", "tester")
    assert action is not None
    span_id = action.added[0].id

    done = suggest.tag_all_occurrences(store, article_id, span_id, "tester")
    assert done is not None and len(done.added) == 2
    spans = store.spans(article_id)
    assert [s.text for s in spans] == ["Đảng bộ xã Na Tông"] * 3
    assert {s.origin for s in spans[1:]} == {"propagated"}
    assert suggest.tag_all_occurrences(store, article_id, span_id, "tester") is None

    store.undo(article_id, "tester")
    assert len(store.spans(article_id)) == 1


def test_a_form_inside_a_longer_name_or_code_is_not_proposed(store: Store, tmp_path: Path) -> None:
    ids = import_texts(
        store,
        tmp_path / "docs",
        {
            "a": "Tiêu đề\n\nĐảng bộ huyện họp theo Chỉ thị số 05 hôm qua.\n",
            "b": "Tiêu đề\n\nĐảng bộ huyện Si Ma Cai thực hiện Chỉ thị số 05-CT/TW. "
            "Đảng bộ huyện đạt (Chỉ thị số 05).\n",
        },
    )
    text_a = store.article(ids["a"]).text
    for form, label in (("Đảng bộ huyện", "ORGANIZATION"), ("Chỉ thị số 05", "RESOLUTION")):
        start = text_a.index(form)
        store.tag(ids["a"], start, start + len(form), label, "tester")
    text_b = store.article(ids["b"]).text
    shown = suggest.compute(store, ids["b"], ["memory"])
    assert [(s.start, text_b[s.start : s.end]) for s in shown] == [
        (text_b.index("Đảng bộ huyện đạt"), "Đảng bộ huyện"),
        (text_b.index("Chỉ thị số 05)"), "Chỉ thị số 05"),
    ]


def test_tag_all_occurrences_stays_in_the_body_like_memory(seeded: Store) -> None:
    """Page boilerplate after the body ('Các tin khác' links) is not tagged by `t`."""
    article = next(
        a for a in map(seeded.article, seeded.article_ids()) if "Nghị quyết số 37" in a.body
    )
    form = "Nghị quyết số 37"
    assert form in article.text[article.body_end :]  # the seed repeats it in a link below
    first = article.text.index(form)
    action = seeded.tag(article.id, first, first + len(form), "RESOLUTION", "tester")
    assert action is not None

    done = suggest.tag_all_occurrences(seeded, article.id, action.added[0].id, "tester")
    spans = seeded.spans(article.id, "tester")
    assert all(article.body_start <= s.start and s.end <= article.body_end for s in spans)
    assert done is None or all(s.end <= article.body_end for s in done.added)


def test_tag_all_reads_spans_in_the_write_transaction_and_segments_outside(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag made between the read and the apply would otherwise be overlapped."""
    ids = import_texts(
        store, tmp_path / "docs", {"a": "Tiêu đề\n\nChi bộ Úc họp. Chi bộ Úc và Chi bộ Úc.\n"}
    )
    text = store.article(ids["a"]).text
    first = text.index("Chi bộ")
    action = store.tag(ids["a"], first, first + len("Chi bộ Úc"), "ORGANIZATION", "tester")
    assert action is not None
    begins: list[str] = []
    store.conn.set_trace_callback(lambda sql: begins.append(sql) if "BEGIN" in sql else None)
    seen: dict[str, tuple[bool, int]] = {}

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            seen.setdefault(name, (store.conn.in_transaction, len(begins)))
            return real(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(tokenize, "segment", spy("segment", tokenize.segment))
    monkeypatch.setattr(store, "spans", spy("spans", store.spans))
    monkeypatch.setattr(store, "apply", spy("apply", store.apply))
    done = suggest.tag_all_occurrences(store, ids["a"], action.added[0].id, "tester")

    assert done is not None and len(done.added) == 2
    assert seen["segment"][0] is False  # no write lock held while segmenting
    assert seen["spans"][0] is True
    assert seen["spans"] == seen["apply"]  # the same transaction, no commit in between


def test_looking_up_runs_of_syllables_finds_what_a_search_per_form_finds(seeded: Store) -> None:
    """``SyllableIndex.matches`` (one lookup per run of syllables) against ``find`` (one
    search of the text per form), with every run of one to five syllables of each seed as a
    form, and forms that occur only inside syllables."""
    from partybuild_tui.core.suggest.memory import SyllableIndex, form_key

    for article_id in seeded.article_ids():
        article = seeded.article(article_id)
        index = SyllableIndex(tokenize.tokenization(seeded, article))
        syllables = index.syllables
        forms: dict[str, int] = {}
        for i in range(0, len(syllables), 3):
            for n in range(1, 6):
                if i + n <= len(syllables):
                    start, end = syllables[i][0], syllables[i + n - 1][1]
                    forms.setdefault(form_key(article.text[start:end]), len(forms))
        forms.setdefault("ngx", len(forms))  # "Ngh|ị" never starts or ends a syllable there
        by_search = sorted((n, found) for key, n in forms.items() for found in index.find(key))
        assert sorted(index.matches(forms)) == by_search
        assert len(by_search) > len(forms)  # forms occur more than once


def test_memory_on_a_kept_index_proposes_what_a_search_per_form_finds(seeded: Store) -> None:
    """The per-form places kept on a syllable index (the app re-runs memory after every
    tag) against a plain search of the text per form, while the lexicon gains forms one and
    many at a time (the two ways ``places`` finds new ones), loses some and relabels some."""
    from partybuild_tui.core.suggest import memory
    from partybuild_tui.core.suggest.base import Context, Proposal
    from partybuild_tui.core.suggest.memory import FIND_ONE_BY_ONE, Lexicon, form_key

    article = seeded.article(seeded.article_ids()[0])
    tokens = tokenize.tokenization(seeded, article)
    memory._last_index.clear()
    kept = memory.syllable_index(tokens)
    syllables = kept.syllables
    forms = [
        form_key(article.text[syllables[i][0] : syllables[i + n][1]])
        for i in range(0, len(syllables) - 3, 2)
        for n in range(3)
    ]
    labels = ("ORGANIZATION", "FIGURE", "RESOLUTION")
    steps = [forms[:3], forms[: 3 + FIND_ONE_BY_ONE + 40], forms[:50], forms[10:300]]
    for step, keys in enumerate(steps):
        lexicon = Lexicon({key: labels[(len(key) + step) % 3] for key in dict.fromkeys(keys)})
        searched = [
            Proposal(start, end, label, memory.SCORE)
            for key, label in lexicon.labels.items()
            for start, end in memory.SyllableIndex(tokens).find(key)
            if article.body_start <= start
            and end <= article.body_end
            and not kept.inside_name(start, end)
        ]
        assert MemorySource(lexicon).suggest(article, tokens, Context()) == searched
        assert searched  # the forms occur
        assert memory.syllable_index(tokens) is kept
    assert len(kept._places) >= len(set(forms[:300]))


def test_prepared_memory_finds_only_a_new_form_after_the_next_tag(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app prepares memory once an article's suggestions are in: every tagged form's
    places are found then, so the run after a tag looks up the one new form alone."""
    from partybuild_tui.core.suggest import memory
    from partybuild_tui.core.suggest.engine import patterns_for

    first, second = seeded.article_ids()[:2]
    for article_id in (first, second):
        tokenize.tokenization(seeded, seeded.article(article_id))
    words = tokenize.tokenization(seeded, seeded.article(first)).syllables
    for start, end in [(words[i][0], words[i + 1][1]) for i in range(0, 400, 4)]:
        seeded.tag(first, start, end, "ORGANIZATION", "ann")  # 100 forms: past one by one
    assert len(load_lexicon(seeded).labels) > memory.FIND_ONE_BY_ONE
    suggest.prepare_memory(seeded, second)
    index = memory.syllable_index(tokenize.tokenization(seeded, seeded.article(second)))
    assert set(load_lexicon(seeded, patterns_for(seeded)).labels) <= set(index._places)
    bulk: list[object] = []
    matches = memory.SyllableIndex.matches
    monkeypatch.setattr(
        memory.SyllableIndex, "matches", lambda self, *a: bulk.append(a) or matches(self, *a)
    )
    other = seeded.article(second).text
    at = other.index("Vũ Quỳnh Khánh")
    seeded.tag(second, at, at + len("Vũ Quỳnh Khánh"), "FIGURE", "ann")
    suggest.update(seeded, second, ["memory"])
    assert bulk == []  # one new form: a search for it, not a match of every form
    assert form_key("Vũ Quỳnh Khánh") in index._places


def test_the_forms_memory_keeps_agree_with_reading_them_all(seeded: Store, tmp_path: Path) -> None:
    """Memory reads only the forms changed since its last run (m017's clock); after random
    tags, relabels, deletes, undos and raw SQL from another connection, what it keeps is
    what reading every form gives; a second database read into the same keeper is read
    whole (its uid differs)."""
    import random
    import sqlite3

    from partybuild_tui.core.suggest import memory

    def read_all(store: Store) -> dict[str, tuple[str, str]]:
        counts: dict[str, dict[str, int]] = {}
        last: dict[str, str] = {}
        for text, label, n, at in store.tagged_forms():
            key = form_key(text)
            counts.setdefault(key, {})[label] = counts.get(key, {}).get(label, 0) + n
            last[key] = max(at, last.get(key, ""))
        return {key: (memory._majority(c), last[key]) for key, c in counts.items()}

    rng = random.Random(17)
    ids = seeded.article_ids()[:2]
    labels = ("ORGANIZATION", "FIGURE", "RESOLUTION")
    other = sqlite3.connect(seeded.path, isolation_level=None)
    for step in range(150):
        article_id = rng.choice(ids)
        spans = seeded.spans(article_id, "lan")
        kind = rng.random()
        if kind < 0.5:
            start = rng.randrange(0, 300, 3)
            seeded.tag(article_id, start, start + rng.choice([3, 6, 9]), rng.choice(labels), "lan")
        elif kind < 0.6 and spans:
            seeded.relabel(rng.choice(spans).id, rng.choice(labels), "lan")
        elif kind < 0.7 and spans:
            seeded.delete_span(rng.choice(spans).id, "lan")
        elif kind < 0.85:
            seeded.undo(article_id, "lan")
        elif spans:
            sql = rng.choice(
                ["UPDATE spans SET label = 'FIGURE' WHERE id = ?", "DELETE FROM spans WHERE id = ?"]
            )
            other.execute(sql, (rng.choice(spans).id,))
        assert memory.tagged_forms(seeded) == read_all(seeded), f"step {step}"
        kept = memory.load_lexicon(seeded)  # its digest kept item by item
        assert kept.digest == memory.Lexicon(dict(kept.labels)).digest, f"step {step}"
    other.close()
    assert len(read_all(seeded)) > 10
    assert memory._tagged[str(seeded.path)].whole_reads == 1  # the first read only
    with Store(tmp_path / "second.db") as second:
        second.insert_article(  # a corpus of its own
            {
                "key": "x",
                "path": "x.txt",
                "title": "",
                "text": "Chi bộ thôn Úc họp.",
                "raw_text": "Chi bộ thôn Úc họp.",
                "content_hash": "h",
                "body_start": 0,
                "body_end": 19,
            }
        )
        second.tag(second.article_ids()[0], 0, 14, "ORGANIZATION", "lan")
        keeper = memory.TaggedForms()
        assert keeper.read(seeded)[0] == read_all(seeded)
        assert keeper.read(second)[0] == read_all(second) == {form_key("Chi bộ thôn Úc"): ANY}
        assert keeper.read(seeded)[0] == read_all(seeded)
        assert keeper.whole_reads == 3
