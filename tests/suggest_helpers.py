"""Helpers shared by the suggestion tests: articles from bare text, importing small texts."""

from __future__ import annotations

from pathlib import Path

from partybuild_tui.core import corpus, ingest
from partybuild_tui.core.store import Article, Store


def bare_article(text: str, author: str | None = None) -> Article:
    """An in-memory article whose body is the whole text."""
    text = corpus.normalize(text)
    return Article(
        1,
        "k",
        None,
        "",
        None,
        None,
        author,
        None,
        text,
        corpus.content_hash(text),
        0,
        len(text),
        "new",
        1,
        None,
    )


def import_texts(store: Store, folder: Path, texts: dict[str, str]) -> dict[str, int]:
    """Write each text to folder/<name>.txt, import them all; name -> article id."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    ingest.import_paths(store, [folder])
    ids = {}
    for name in texts:
        key = str((folder / f"{name}.txt").resolve())
        found = store.latest_by_key(key)
        assert found is not None
        ids[name] = found.id
    return ids
