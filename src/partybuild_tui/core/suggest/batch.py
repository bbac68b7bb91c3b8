"""Computing suggestions for many articles in worker processes, written by one parent.

The parent works out which (article, source) runs are out of date and sends those articles
out in batches. Each worker builds its sources once and returns proposals; it never opens
the database. The parent stores each result as it arrives, so there is one writer and an
interrupted run keeps every article it finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from partybuild_tui.core import tokenize, workers
from partybuild_tui.core.store import Article, Store
from partybuild_tui.core.suggest import engine
from partybuild_tui.core.suggest.base import Context, Source
from partybuild_tui.core.suggest.memory import Lexicon, load_lexicon
from partybuild_tui.core.suggest.model import Trained
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.suggest.rules import RuleSource

BATCH_SIZE = 64
Flat = tuple[list[int], list[int]]  # a tokenization as cached: words, sentences
Job = tuple[Article, Flat | None, list[str], Context]
TimedOut = dict[str, tuple[str, int]]  # rule -> (its pattern file, first article it ran out on)
Done = tuple[int, Flat | None, engine.RunResult, TimedOut]
Progress = Callable[[int, int], None]

_worker_sources: list[Source] = []


@dataclass(frozen=True)
class BatchReport:
    articles: int  # articles considered
    updated: int  # articles on which at least one source ran
    added: int  # suggestions added (net of stale pending ones removed)
    timed_out: TimedOut = field(default_factory=dict)  # rules skipped: out of time


Setup = tuple[list[str], Patterns, dict[str, str], Trained | None]


def _init_worker(
    names: list[str], patterns: Patterns, labels: dict[str, str], trained: Trained | None
) -> None:
    global _worker_sources
    _worker_sources = engine.build_sources(names, patterns, Lexicon(labels), trained)


def _pairs(flat: list[int]) -> tuple[tuple[int, int], ...]:
    return tuple(zip(flat[::2], flat[1::2], strict=True))


def _run(job: Job) -> Done:
    """In a worker: segment if not cached, run the asked sources on one article."""
    article, cached, names, context = job
    new_flat: Flat | None = None
    if cached is None:
        tokens = tokenize.segment(article.text)
        new_flat = tokens.flat()
    else:
        tokens = tokenize.Tokenization(_pairs(cached[0]), _pairs(cached[1]), article.text)
    wanted = [s for s in _worker_sources if s.name in names]
    results = engine.propose(article, tokens, wanted, context)
    timed_out = {k: v for s in wanted if isinstance(s, RuleSource) for k, v in s.timed_out.items()}
    return article.id, new_flat, results, timed_out


def stale_work(
    store: Store, ids: Iterable[int], sources: Sequence[Source], force: bool = False
) -> list[tuple[int, list[str]]]:
    """(article id, names of sources to run) for every article with work to do."""
    runs = store.suggestion_runs()
    hashes = store.content_hashes()
    work = []
    for article_id in ids:
        names = [
            s.name
            for s in sources
            if force or runs.get((article_id, s.name)) != (s.version, hashes.get(article_id))
        ]
        if names:
            work.append((article_id, names))
    return work


def _jobs(store: Store, work: list[tuple[int, list[str]]]) -> Iterator[Job]:
    for article_id, names in work:
        article = store.article(article_id)
        cached = store.load_tokenization(article.id, article.content_hash, tokenize.tokenizer_id())
        yield article, cached, names, engine.stored_context(store, article_id)


def _save(store: Store, result: Done, timed_out: TimedOut) -> None:
    article_id, flat, proposals, timed = result
    for rule, where in timed.items():
        timed_out.setdefault(rule, where)
    article = store.article(article_id)
    if flat is not None:
        store.save_tokenization(article.id, article.content_hash, tokenize.tokenizer_id(), *flat)
    engine.save_results(store, article, proposals)


def compute_many(
    store: Store,
    ids: Sequence[int],
    names: Sequence[str] | None = None,
    *,
    processes: int = 1,
    force: bool = False,
    progress: Progress | None = None,
) -> BatchReport:
    """Bring the suggestions of ``ids`` up to date, in ``processes`` worker processes."""
    chosen = list(engine.check_names(names))
    patterns = engine.patterns_for(store)
    lexicon = load_lexicon(store, patterns) if "memory" in chosen else Lexicon({})
    trained = engine.trained_model(store) if "model" in chosen else None
    sources = engine.build_sources(chosen, patterns, lexicon, trained)
    work = stale_work(store, ids, sources, force)
    before = store.suggestion_count()
    if progress:
        progress(0, len(work))
    setup: Setup = (chosen, patterns, lexicon.labels, trained)
    done = 0
    timed_out: TimedOut = {}
    if processes <= 1 or len(work) < 4:
        _init_worker(*setup)
        for job in _jobs(store, work):
            _save(store, _run(job), timed_out)
            done += 1
            if progress:
                progress(done, len(work))
    else:
        # workers leave Ctrl-C to the parent, which cancels the queue and saves nothing
        # half-done, and die with it when it is killed
        pool = workers.pool(processes, initializer=_init_worker, initargs=setup)
        try:
            for start in range(0, len(work), BATCH_SIZE):
                batch = list(_jobs(store, work[start : start + BATCH_SIZE]))
                for result in pool.map(_run, batch, chunksize=2):
                    _save(store, result, timed_out)
                    done += 1
                    if progress:
                        progress(done, len(work))
        except BaseException:
            workers.stop(pool)  # Ctrl-C waits for no article (NER of a large one: minutes)
            raise
        pool.shutdown()
    after = store.suggestion_count()
    return BatchReport(len(ids), len(work), after - before, timed_out)
