"""Large articles and quitting mid-segmentation: segmentation works in bounded pieces and can
be abandoned between them, so quitting the app while a large article is segmented takes
well under a second (it used to wait for the whole article: 23.5 s on 2 MB), and an article
above the size limit is imported with a note saying how it is segmented.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import underthesea
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import corpus, ingest, tokenize
from partybuild_tui.core.store import Store
from partybuild_tui.tui.app import PartybuildApp
from tests.conftest import SEEDS


def _seed_text(chars: int, *, one_line: bool = False) -> str:
    texts = [corpus.normalize(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    base = "\n\n".join(texts)
    text = (base * (chars // len(base) + 1))[:chars]
    return text.replace("\n", " ") if one_line else text


def test_a_long_line_reaches_underthesea_in_bounded_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 60,000-character paragraph (no newline) is cut at sentence ends; the syllables still
    cover every character but spaces, in order."""
    text = _seed_text(60_000, one_line=True)
    longest = {"sent": 0, "word": 0}
    sent, word = underthesea.sent_tokenize, underthesea.word_tokenize

    def spy_sent(piece: str, *args: object, **kwargs: object) -> list[str]:
        longest["sent"] = max(longest["sent"], len(piece))
        return sent(piece, *args, **kwargs)  # type: ignore[arg-type]

    def spy_word(piece: str, *args: object, **kwargs: object) -> list[str]:
        longest["word"] = max(longest["word"], len(piece))
        return word(piece, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(underthesea, "sent_tokenize", spy_sent)
    monkeypatch.setattr(underthesea, "word_tokenize", spy_word)
    result = tokenize.segment(text)
    assert 0 < longest["sent"] <= tokenize.MAX_PIECE
    assert 0 < longest["word"] <= tokenize.MAX_PIECE
    assert "".join(text[s:e] for s, e in result.syllables) == "".join(text.split())
    assert all(a[1] <= b[0] for a, b in zip(result.words, result.words[1:], strict=False))


def test_segmentation_stops_soon_after_it_is_cancelled() -> None:
    text = _seed_text(400_000)
    cancel = threading.Event()
    finished: list[float] = []

    def run() -> None:
        try:
            tokenize.segment(text, cancelled=cancel.is_set)
        except tokenize.Cancelled:
            finished.append(time.monotonic())

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.5)
    cancel.set()
    asked = time.monotonic()
    worker.join(timeout=60)
    assert finished, "segmentation did not stop when cancelled"
    assert finished[0] - asked < 1.0


def test_cancelled_tokenization_is_not_cached(db_path: Path) -> None:
    with Store(db_path) as store:
        article_id = store.insert_article(_fields(_seed_text(20_000)))
        article = store.article(article_id)
        with pytest.raises(tokenize.Cancelled):
            tokenize.tokenization(store, article, cancelled=lambda: True)
        assert tokenize.cached_tokenization(store, article) is None
        assert tokenize.tokenization(store, article).words  # and works when not cancelled


def _fields(text: str) -> dict[str, object]:
    doc = ingest.Document(key="big", path="big.txt", raw_text=text)
    return ingest.article_fields(doc)


async def test_quitting_while_a_large_article_is_segmented_takes_under_a_second(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(db_path) as store:
        store.insert_article(_fields(_seed_text(150_000)))
    started, ended = threading.Event(), threading.Event()
    real = tokenize.segment

    def watched(*args: object, **kwargs: object) -> tokenize.Tokenization:
        started.set()
        try:
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            ended.set()

    monkeypatch.setattr(tokenize, "segment", watched)
    async with PartybuildApp(db_path, "tester", suggest_steps=()).run_test() as pilot:
        assert await _wait(started), "segmentation never started"
        time.sleep(0.3)  # well into it
        await pilot.press("q")
        pressed = time.monotonic()
    ended.wait(timeout=120)
    took = time.monotonic() - pressed
    assert took < 1.0, f"the segmentation went on {took:.1f} s after q"


async def _wait(event: threading.Event, timeout: float = 30) -> bool:
    import asyncio

    deadline = time.monotonic() + timeout
    while not event.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return event.is_set()


def test_an_article_above_the_size_limit_is_imported_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "LARGE_ARTICLE_CHARS", 50_000)
    big = tmp_path / "big.txt"
    big.write_text(_seed_text(60_000), encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text(_seed_text(2_000), encoding="utf-8")
    db = tmp_path / "x.db"
    result = CliRunner().invoke(
        app, ["import", str(big), str(small), "--no-segment", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "big.txt" in text and "60,000 characters" in text, result.output
    assert "small.txt" not in text
    with Store(db) as store:
        assert store.count_articles() == 2


def test_windows_sent_to_the_workers_are_bounded_in_characters(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays bounded with large articles: a window holds about WINDOW_CHARS
    characters (an article larger than that goes alone)."""
    monkeypatch.setattr(tokenize, "WINDOW_CHARS", 9_000)
    sizes = {i: len(seeded.article(i).text) for i in seeded.article_ids()}
    windows: list[list[int]] = []
    real = tokenize._jobs

    def spy(store: Store, ids: list[int]) -> list[tokenize.SegmentJob]:
        windows.append(list(ids))
        return real(store, ids)

    monkeypatch.setattr(tokenize, "_jobs", spy)
    assert tokenize.segment_articles(seeded, list(sizes)) == len(sizes)
    assert sorted(i for w in windows for i in w) == sorted(sizes)
    assert len(windows) > 1
    for window in windows:
        assert len(window) == 1 or sum(sizes[i] for i in window) <= 9_000
