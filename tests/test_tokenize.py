"""Segmentation offsets slice back to underthesea's tokens, and the cache is used."""

from __future__ import annotations

import unicodedata

import pytest
from underthesea import word_tokenize

from partybuild_tui.core import tokenize
from partybuild_tui.core.store import Store


@pytest.fixture(scope="module")
def seed_tokenizations() -> list[tokenize.Tokenization]:
    from partybuild_tui.core import corpus
    from tests.conftest import SEEDS

    texts = [corpus.normalize(corpus.decode(p.read_bytes())) for p in sorted(SEEDS.glob("*.txt"))]
    return [tokenize.segment(text) for text in texts]


def test_every_token_slices_back(seed_tokenizations: list[tokenize.Tokenization]) -> None:
    for tok in seed_tokenizations:
        text = tok.text
        assert tok.words and tok.sentences
        for start, end in tok.syllables:
            piece = text[start:end]
            assert piece and not any(ch.isspace() for ch in piece)
        for start, end in tok.words:
            assert text[start:end] == text[start:end].strip()
        ends = [e for _, e in tok.words]
        assert ends == sorted(ends)
        for s_start, s_end in tok.sentences:
            assert "\n" not in text[s_start:s_end]


def test_words_match_underthesea_on_a_sentence() -> None:
    text = "Đồng chí Vũ Quỳnh Khánh - Phó Chủ tịch HĐND tỉnh thực hiện Nghị quyết số 37."
    tok = tokenize.segment(text)
    got = [" ".join(text[s:e].split()) for s, e in tok.words]
    assert got == word_tokenize(text, use_token_normalize=False)
    assert "Vũ Quỳnh Khánh" in got


def test_old_tone_placement_is_aligned_to_the_original_text() -> None:
    text = unicodedata.normalize("NFC", "Chi bộ thôn Hoà Bình và xã Thuỷ Xuân")
    tok = tokenize.segment(text)
    syllables = [text[s:e] for s, e in tok.syllables]
    assert syllables == text.split()


def test_lookup_helpers() -> None:
    text = "Chi bộ thôn Úc họp."
    tok = tokenize.segment(text)
    index = tok.word_at(text.index("bộ"))
    assert index is not None and text[slice(*tok.words[index])] == "Chi bộ"
    assert [text[s:e] for s, e in tok.words_in(0, 6)] == ["Chi bộ"]
    starts, ends = tok.boundaries()
    assert 4 in starts and 3 in ends


def test_cache_is_written_once_and_reused(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    article = seeded.article(seeded.article_ids()[4])
    first = tokenize.tokenization(seeded, article)

    def boom(text: str) -> tokenize.Tokenization:
        raise AssertionError("segmented again")

    monkeypatch.setattr(tokenize, "segment", boom)
    second = tokenize.tokenization(seeded, article)
    assert second.words == first.words and second.sentences == first.sentences
    assert seeded.untokenized_ids(tokenize.tokenizer_id()) == seeded.article_ids()[:4]


def test_segment_articles_in_processes(seeded: Store) -> None:
    ids = seeded.article_ids()
    done = tokenize.segment_articles(seeded, ids, processes=2)
    assert done == 5
    assert seeded.untokenized_ids(tokenize.tokenizer_id()) == []


def test_the_last_cached_words_read_are_kept_while_their_row_is_the_same(seeded: Store) -> None:
    """Memory re-runs after every tag on the open article: its words (and the syllables
    derived from them) are not parsed again, unless the cached row was deleted (then it
    segments again) or saved anew."""
    article = seeded.article(seeded.article_ids()[0])
    tokenize.tokenization(seeded, article)  # segments and caches
    first = tokenize.tokenization(seeded, article)
    with Store(seeded.path) as other:  # another connection, as each worker's
        assert tokenize.tokenization(other, article) is first
    words, sentences = first.flat()
    shorter = words[:-2]
    seeded.save_tokenization(
        article.id, article.content_hash, tokenize.tokenizer_id(), shorter, sentences
    )
    resaved = tokenize.cached_tokenization(seeded, article)
    assert resaved is not None and resaved is not first
    assert resaved.flat()[0] == shorter
    with seeded.write():
        seeded.conn.execute("DELETE FROM tokenizations WHERE article_id = ?", (article.id,))
    assert tokenize.cached_tokenization(seeded, article) is None
