"""Word segmentation and suggestions of the open article, in thread workers.

underthesea takes about a second per article for NER, so it never runs on the UI thread:
``Analysis`` starts Textual thread workers on the screen, each with its own ``Store`` (one
per thread), and hands results back through ``app.call_from_thread``, which waits for the
screen's callback, so a finished worker's result is already on screen. Failures arrive as
the workers' ``Worker.StateChanged`` messages on the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState, get_current_worker

from partybuild_tui.core.store import Article, Store

if TYPE_CHECKING:
    from partybuild_tui.core.suggest.engine import Ran
    from partybuild_tui.core.tagging import Mark
    from partybuild_tui.core.tokenize import Tokenization

# Suggestion sources run in this order when an article opens: the fast ones (milliseconds)
# show first, then underthesea NER (about a second) and the trained model, which reads the
# other sources' proposals. PartybuildApp(suggest_steps=) changes it.
SUGGEST_STEPS: tuple[tuple[str, ...], ...] = (
    ("memory", "rules", "byline"),
    ("ner", "model"),
)
# underthesea's taggers are not known to be thread-safe: segmentation and NER take turns.
ANALYSIS_LOCK = threading.Lock()

Segmented = Callable[[int, "Tokenization"], None]  # (article id, words and sentences)
# (article id, was it the last step, what it changed: None if nothing was out of date)
Suggested = Callable[[int, bool, "Ran | None"], None]
Trained = Callable[[str], None]  # what to say about the new model
# (article id, its suggestion state, the suggestions to draw)
PendingRead = Callable[[int, tuple[int | str, ...], list["Mark"]], None]


def tokenization(
    path: Path, article: Article, cancelled: Callable[[], bool] | None = None
) -> Tokenization:
    """The article's words and sentences (cached in the store, else segmented now);
    ``tokenize.Cancelled`` once ``cancelled()`` (another article opened, or quitting)."""
    from partybuild_tui.core import tokenize  # underthesea loads here, not at startup

    with ANALYSIS_LOCK, Store(path) as store:
        return tokenize.tokenization(store, article, cancelled)


def run_abandonable(
    path: Path, article_id: int, sources: tuple[str, ...], worker: Worker, annotator: str | None
) -> tuple[bool, Ran | None]:
    """Compute suggestions in a daemon thread of their own connection: (False, None) if the
    worker was cancelled first (another article opened, or the app quitting: a long NER run
    must not hold up the exit; what it writes is one transaction, committed or not at all),
    else (True, what the run changed, None if nothing was out of date)."""
    from partybuild_tui.core import suggest

    done = threading.Event()
    failed: list[BaseException] = []
    ran: list[Ran | None] = [None]

    def run() -> None:
        try:
            with ANALYSIS_LOCK:
                if worker.is_cancelled:
                    return  # waited for the lock while another article was opened
                with Store(path) as store:
                    ran[0] = suggest.update(store, article_id, sources, annotator=annotator)
        except BaseException as exc:  # noqa: BLE001  (re-raised in the worker)
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="suggest", daemon=True).start()
    while not done.wait(0.05):
        if worker.is_cancelled:
            return False, None
    if failed:
        raise failed[0]
    return True, ran[0]


def prepare_memory(path: Path, article_id: int) -> None:
    """Ready memory for the first tag in the article (see ``suggest.prepare_memory``)."""
    from partybuild_tui.core import suggest

    with ANALYSIS_LOCK, Store(path) as store:
        suggest.prepare_memory(store, article_id)


class Analysis:
    """The background work for the open article, as thread workers of ``node``.

    Groups: ``segment`` and ``suggest`` (one of each at a time: a new article's replaces
    the last one's) and ``remember`` (the memory source again after a new tag).
    """

    def __init__(
        self, node: DOMNode, path: Path, steps: tuple[tuple[str, ...], ...] = SUGGEST_STEPS
    ) -> None:
        self.node = node
        self.path = path
        self.steps = steps

    @property
    def remembers(self) -> bool:
        """Whether the memory source is one of the steps (then a new tag re-runs it)."""
        return any("memory" in step for step in self.steps)

    @property
    def remembering(self) -> bool:
        """Whether memory is re-running after a tag (its result arrives with what it
        changed: a poll seeing its commit first would read every suggestion again)."""
        return any(
            w.node is self.node
            and w.group == "remember"
            and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self.node.workers
        )

    def _start(self, work: Callable[[], None], group: str) -> None:
        self.node.run_worker(
            work, name=group, group=group, exclusive=True, thread=True, exit_on_error=False
        )

    def segment(self, article: Article, done: Segmented) -> None:
        """Segment (or read cached words of) the article, then ``done(id, result)``."""

        def work() -> None:
            from partybuild_tui.core import tokenize

            worker = get_current_worker()
            try:
                result = tokenization(self.path, article, lambda: worker.is_cancelled)
            except tokenize.Cancelled:
                return  # quitting, or another article was opened: a second at most
            self.node.app.call_from_thread(done, article.id, result)

        self._start(work, "segment")

    def suggest(self, article_id: int, done: Suggested, annotator: str | None = None) -> None:
        """Compute the article's suggestions step by step, ``done(id, last, ran)`` after each
        one lands (``ran``: what it changed, the states seen in ``annotator``'s layer).
        Cached runs cost milliseconds, NER about a second per article."""

        def work() -> None:
            worker = get_current_worker()
            for index, step in enumerate(self.steps):
                if worker.is_cancelled:
                    return  # another article was opened: its worker takes over
                finished, ran = run_abandonable(self.path, article_id, step, worker, annotator)
                if not finished:
                    return
                last = index == len(self.steps) - 1
                self.node.app.call_from_thread(done, article_id, last, ran)
            if self.remembers and not worker.is_cancelled:
                prepare_memory(self.path, article_id)

        self._start(work, "suggest")

    def remember(self, article_id: int, done: Suggested, annotator: str | None = None) -> None:
        """Re-run the memory source for the article, then ``done(id, False, ran)``."""

        def work() -> None:
            worker = get_current_worker()
            finished, ran = run_abandonable(self.path, article_id, ("memory",), worker, annotator)
            if finished:
                self.node.app.call_from_thread(done, article_id, False, ran)

        self._start(work, "remember")

    def read_pending(
        self, article_id: int, annotator: str, prefer: frozenset[int], done: PendingRead
    ) -> None:
        """Read every suggestion the layer sees in the article (a tenth of a second at
        4,000), then ``done(id, state, marks)``; a newer read replaces this one."""

        def work() -> None:
            from partybuild_tui.core import tagging

            worker = get_current_worker()
            with Store(self.path) as store, store.snapshot():
                state = store.suggestion_state(article_id, annotator)
                marks = tagging.pending_marks(store, article_id, annotator, prefer)
            if not worker.is_cancelled:
                self.node.app.call_from_thread(done, article_id, state, marks)

        self._start(work, "pending")

    def retrain(self, done: Trained) -> None:
        """Train the model again on the done articles, in the background (minutes at
        most): the other sources' runs it reads are brought up to date under the analysis
        lock, the CRF trains in a child process; ``done(message)`` when it is stored."""

        def work() -> None:
            from partybuild_tui.core.suggest import training

            with Store(self.path) as store:
                with ANALYSIS_LOCK:
                    examples = training.examples_of_done(store)
                report = training.train_examples(store, examples, folds=3)
            self.node.app.call_from_thread(done, training.describe(report))

        self._start(work, "retrain")

    def cancel_suggest(self) -> None:
        """Stop a slow NER run for the article that was open before."""
        self.node.workers.cancel_group(self.node, "suggest")
