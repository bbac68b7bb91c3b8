"""Annotator effort: keys per gold entity when a scripted annotator tags a corpus in the app.

    python benchmarks/effort_bench.py --corpus seeds --gold tests/data/seeds_gold.jsonl
    python benchmarks/effort_bench.py --case model --corpus DIR --gold FILE   # one condition
    python benchmarks/run.py --only effort      # on the seeds (run.py gives no --gold)

A bot drives the real ``PartybuildApp`` (Textual's ``run_test`` + ``Pilot``, 160x48, pressing
only the app's keys) through every article of ``--corpus``, imported and segmented into a
fresh database, knowing the gold spans of ``--gold`` (JSONL ``{"id", "text", "spans"}``,
articles matched by content hash as ``partybuild evaluate`` does). In each article it waits
for the suggestions to settle, then decides each pending proposal: exactly gold: ``a``; the
gold range with another label: the gold label's key (it corrects the whole proposal); where
``c`` would show an exactly right proposal (or the right range): ``c``… then ``a`` (or the
label key); else ``x``. Gold spans still missing are tagged by hand and spans that are not
gold deleted (``d``), then ``D`` (done) and ``j`` (next). Proposals that memory makes from a
new tag are decided the same way as they appear. Every key counts, moving included.

Moving is counted as a lower bound: before each move the bot finds the fewest presses of
``right``/``left`` (a word), ``up``/``down`` (a display line, keeping the column), ``n``/``N``
(next/previous span) and ``.``/``,`` (next/previous proposal) that put the cursor where it
must be — a breadth-first search over the app's own cursor rules (mirrored here, checked
against the real cursor after every move) — and presses them. A span is selected with
``shift+right`` from its first word; a span that does not fall on word boundaries costs an
``m`` (to syllables and back when needed). What the bot knows that an annotator must look
for: where each missed entity is, and whether cycling (``c``) reaches a right proposal.

Three conditions (cases), each on its own fresh database: ``off`` (no suggestions),
``suggest`` (memory, rules, byline, then NER) and ``model`` (the same plus the trained model
after NER, retrained after every article marked done, ``PARTYBUILD_RETRAIN_EVERY=1``). The
bot waits for the training to finish before it opens the next article, and the sources'
acceptance rates (which the app recounts every 20 s) are recounted at every look, so the
counts do not depend on the machine's speed. At the end the database's spans of every
article must equal the gold: a mismatch is a bug of the app or the bot and fails the run.
Without ``--gold`` the run is on the seeds (``seeds/`` and ``tests/data/seeds_gold.jsonl``),
whatever ``--corpus`` says: the generated corpus's gold marks only the entities inserted
into it. ``--accept-all`` measures another way of working: the bot decides only the wrong
proposals (jumping from one to the next) and, once every proposal that shows is right,
accepts them all with ``A``. ``--trace`` prints every key with the status line after it.
Follows the convention in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchlib  # noqa: E402
from benchlib import Row, row  # noqa: E402
from rich.cells import cell_len  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.worker import Worker, WorkerFailed, WorkerState  # noqa: E402

from partybuild_tui import config  # noqa: E402
from partybuild_tui.core import ingest, suggest, tokenize  # noqa: E402
from partybuild_tui.core.store import Store  # noqa: E402
from partybuild_tui.core.suggest import reliability  # noqa: E402
from partybuild_tui.core.suggest.evaluate import GoldArticle, find_article, load_gold  # noqa: E402
from partybuild_tui.core.tagging import Mark  # noqa: E402
from partybuild_tui.errors import UserError  # noqa: E402
from partybuild_tui.tui import textlayout  # noqa: E402
from partybuild_tui.tui.app import PartybuildApp  # noqa: E402
from partybuild_tui.tui.screens.annotate import AnnotateScreen  # noqa: E402
from partybuild_tui.tui.widgets.article_view import ArticleView  # noqa: E402

SIZE = (160, 48)
ANNOTATOR = "effort-bot"
SEEDS = benchlib.ROOT / "seeds"
SEEDS_GOLD = benchlib.ROOT / "tests" / "data" / "seeds_gold.jsonl"
FAST = ("memory", "rules", "byline")
Gold = tuple[int, int, str]
# What each key is for, in the per-article figures.
DECIDE, MOVE, SELECT, TAG, DELETE, ARTICLE = "decide", "move", "select", "tag", "delete", "article"
MOVE_KEYS = ("right", "left", "down", "up", "n", "N", "full_stop", "comma")


@dataclass(frozen=True)
class Condition:
    """One way of running the app: which suggestion steps, how often the model retrains."""

    name: str
    steps: tuple[tuple[str, ...], ...]
    retrain_every: int
    what: str


CONDITIONS = {
    "off": Condition("off", (), 0, "(a) suggestions off"),
    "suggest": Condition("suggest", (FAST, ("ner",)), 0, "(b) memory + rules + byline, NER"),
    "model": Condition(
        "model",
        (FAST, ("ner", "model")),
        1,
        "(c) as (b) + the model, retrained after every article done",
    ),
}


# ---- the corpus ------------------------------------------------------------------------------


@dataclass
class Inputs:
    """The corpus imported and segmented once (a template database), and its gold."""

    template: Path
    gold: dict[int, GoldArticle]  # article id -> gold
    articles: int
    unmatched: list[str]  # gold ids with no article in the corpus
    labels: set[str]


def prepare(corpus: Path, gold_path: Path, workdir: Path) -> Inputs:
    """Import ``corpus`` into a fresh database, segment it and match the gold to it."""
    golds = load_gold(gold_path)
    template = workdir / "template.db"
    with Store(template) as store:
        report = ingest.import_paths(store, [corpus])
        if report.skipped and not report.imported:
            raise UserError(f"corpus {corpus}: {report.skipped[0].reason}")
        ids = store.article_ids()
        if not ids:
            raise UserError(f"corpus {corpus}: no articles (.txt or .jsonl files) in it")
        tokenize.segment_articles(store, ids)
        matched: dict[int, GoldArticle] = {}
        unmatched: list[str] = []
        for item in golds:
            found = find_article(store, item)
            if found is None or store.article(found).text != item.text:
                unmatched.append(item.id)
            else:
                matched[found] = item
    if not matched:
        raise UserError(f"gold file {gold_path}: none of its articles is in corpus {corpus}")
    labels = {label for item in matched.values() for _, _, label in item.spans}
    unknown = sorted(labels - set(config.load_labels(template).names))
    if unknown:
        raise UserError(f"gold file {gold_path}: label {unknown[0]} is not one of the app's labels")
    return Inputs(template, matched, len(ids), unmatched, labels)


def copy_db(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


# ---- what the bot counts ---------------------------------------------------------------------


@dataclass
class Tally:
    """One article's effort."""

    article_id: int
    title: str
    gold: int
    keys: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    corrected: int = 0  # the right range, the label key
    cycled: int = 0  # c until a right proposal shows, then a (or the label key)
    rejected: int = 0
    by_hand: int = 0  # misses tagged by hand
    deleted: int = 0  # wrong spans deleted
    cycle_missed: int = 0  # c never showed the right proposal the store holds there
    replans: int = 0  # the cursor did not end where the mirrored rules said
    unreached: int = 0  # proposals outside the body the app shows (no cursor reaches them)
    # gold spans no keys can select (outside the body, cutting a syllable) and left untagged
    untaggable: set[Gold] = field(default_factory=set)
    model_articles: int = 0  # the model the article's proposals came from, trained on
    mismatch: str = ""

    @property
    def total(self) -> int:
        return sum(self.keys.values())

    def per_entity(self) -> float:
        return self.total / self.gold if self.gold else 0.0


# ---- the cursor rules, mirrored for planning moves -----------------------------------------


State = tuple[int, int | None]  # (cursor token, goal column of up/down)


@dataclass(frozen=True)
class Board:
    """What the article view holds that its movement keys depend on, as plain data."""

    text: str
    tokens: Sequence[tuple[int, int]]
    starts: list[int]
    lines: Sequence[tuple[int, int]]
    layout: textlayout.Layout
    cells: list[list[int]]  # per display line: cells up to and including each character
    spans: Sequence[Mark]
    suggestions: Sequence[Mark]
    # (state, delta) -> state of up/down: they depend on the layout and tokens only
    line_moves: dict[tuple[State, int], State]

    @classmethod
    def of(cls, view: ArticleView, before: Board | None = None) -> Board:
        """The view's board; what ``before`` computed is reused if the text is laid out
        and tokenized the same."""
        layout = view.text_layout
        assert layout is not None
        if before is not None and before.layout is layout and before.tokens is view.tokens:
            return replace(before, spans=view.spans, suggestions=view.suggestions)
        cells = [
            list(itertools.accumulate(cell_len(ch) for ch in view.text[start:end]))
            for start, end in layout.lines
        ]
        starts = [s for s, _ in view.tokens]
        return cls(
            view.text,
            view.tokens,
            starts,
            layout.lines,
            layout,
            cells,
            view.spans,
            view.suggestions,
            {},
        )

    def column_of(self, offset: int) -> int:
        """``textlayout.offset_to_column`` on the display line holding ``offset``."""
        line = self.layout.line_of(offset)
        start, end = self.lines[line]
        before = min(offset, end) - start
        return self.cells[line][before - 1] if before > 0 else 0

    def column_to_offset(self, line: int, column: int) -> int:
        """``textlayout.column_to_offset`` by bisection (the search asks it very often)."""
        start, end = self.lines[line]
        found = bisect.bisect_right(self.cells[line], column)
        return start + found if start + found < end else max(end - 1, start)


def step(board: Board, state: State, key: str) -> State:
    """Where ``key`` puts the cursor, as ArticleView and the screen's jump do."""
    cursor, goal = state
    starts = board.starts
    last = len(board.tokens) - 1
    here = board.tokens[cursor][0]
    if key in ("right", "left"):
        return max(0, min(cursor + (1 if key == "right" else -1), last)), None
    if key in ("down", "up"):
        return line_step(board, state, 1 if key == "down" else -1)
    if key in ("n", "N"):
        if not board.spans:
            return state
        if key == "n":
            mark = next((m for m in board.spans if m.start > here), board.spans[0])
        else:
            mark = next((m for m in reversed(board.spans) if m.end <= here), board.spans[-1])
        return textlayout.index_at(starts, mark.start), None
    marks = board.suggestions
    if not marks:
        return state
    if key == "full_stop":
        found = next((m for m in marks if m.start > here), marks[0])
    else:
        found = next((m for m in reversed(marks) if m.end <= here), marks[-1])
    return textlayout.index_at(starts, found.start), None


def line_step(board: Board, state: State, delta: int) -> State:
    """``ArticleView.action_line``: the same column on the next non-blank display line."""
    found = board.line_moves.get((state, delta))
    if found is None:
        found = board.line_moves[(state, delta)] = _line_step(board, state, delta)
    return found


def _line_step(board: Board, state: State, delta: int) -> State:
    cursor, goal = state
    lines, layout, tokens = board.lines, board.layout, board.tokens
    start = tokens[cursor][0]
    index = layout.line_of(start)
    if goal is None:
        goal = board.column_of(start)
    target = index + delta
    while 0 <= target < len(lines) and lines[target][0] == lines[target][1]:
        target += delta
    if not 0 <= target < len(lines):
        return (0 if delta < 0 else len(tokens) - 1), None
    offset = board.column_to_offset(target, goal)
    found = textlayout.index_at(board.starts, offset)
    line_start = lines[target][0]
    before = tokens[found][0] < line_start
    if (before and delta > 0 or tokens[found][1] <= line_start) and found + 1 < len(tokens):
        found += 1
    # a goal column that is the token's own is what the next up/down would take anyway
    return found, None if goal == board.column_of(tokens[found][0]) else goal


def plan(board: Board, start: State, goals: set[int]) -> list[str]:
    """The fewest movement keys from ``start`` to any token in ``goals`` (breadth first)."""
    if start[0] in goals:
        return []
    seen: dict[State, tuple[State, str] | None] = {start: None}
    queue: deque[State] = deque([start])
    while queue:
        state = queue.popleft()
        for key in MOVE_KEYS:
            nxt = step(board, state, key)
            if nxt in seen:
                continue
            seen[nxt] = (state, key)
            if nxt[0] in goals:
                return _path(seen, nxt)
            queue.append(nxt)
    raise RuntimeError(f"no keys reach tokens {sorted(goals)[:5]} from token {start[0]}")


def _path(seen: dict[State, tuple[State, str] | None], end: State) -> list[str]:
    keys: list[str] = []
    back = seen[end]
    while back is not None:
        previous, key = back
        keys.append(key)
        back = seen[previous]
    return keys[::-1]


# ---- the bot ---------------------------------------------------------------------------------


class BotApp(PartybuildApp):
    """The real app; failed background work is recorded, so the bot stops instead of
    measuring an app whose suggestions silently failed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures: list[str] = []

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.failures.append(f"{event.worker.group}: {event.worker.error!r}")


class Bot:
    """Tags the open article to its gold with the app's keys, counting every key."""

    def __init__(
        self,
        pilot: Pilot[None],
        gold: dict[int, GoldArticle],
        *,
        accept_all: bool = False,
        trace: bool = False,
    ) -> None:
        self.pilot = pilot
        self.accept_all = accept_all  # fix the wrong proposals, then A (else a on each)
        self.trace = trace  # print every key to stderr, with the status line after it
        self.app = pilot.app
        assert isinstance(self.app, PartybuildApp)
        self.gold = gold
        self.tally: Tally | None = None
        self.budget = 400
        self.board: Board | None = None
        self.untaggable: set[Gold] = set()
        self.out_of_reach: set[int] = set()  # proposals no cursor position touches

    @property
    def screen(self) -> AnnotateScreen:
        screen = self.app.screen
        assert isinstance(screen, AnnotateScreen), screen
        return screen

    @property
    def view(self) -> ArticleView:
        return self.screen.view

    async def settle(self) -> None:
        """Until segmentation, suggestion steps, memory and training are all done."""
        for _ in range(10_000):
            with contextlib.suppress(WorkerFailed):
                await self.app.workers.wait_for_complete()
            await self.pilot.pause()
            screen = self.screen
            idle = not screen.suggesting and not screen.training
            if idle and not any(w.is_running for w in self.app.workers):
                break
        else:
            raise RuntimeError("the app's workers did not settle")
        failures = getattr(self.app, "failures", [])
        if failures:
            raise RuntimeError(f"background work failed: {failures[0]}")

    async def press(self, kind: str, *keys: str) -> None:
        assert self.tally is not None
        for key in keys:
            self.tally.keys[kind] += 1
            await self.pilot.press(key)
            if self.trace:
                print(f"  {kind:7} {key:12} {self.screen.message}", file=sys.stderr)
        if self.tally.total > self.budget:
            raise RuntimeError(f"article {self.tally.article_id}: over {self.budget} keys, stuck")

    # ---- one article ---------------------------------------------------------------------

    async def article(self) -> Tally:
        """Tag the open article to its gold (or skip it if it has none), then go on."""
        await self.settle()
        screen = self.screen
        article = screen.article
        assert article is not None
        item = self.gold.get(article.id)
        record = screen.store.latest_model_record("model")
        self.tally = tally = Tally(article.id, article.title or article.key, 0)
        tally.model_articles = record.articles if record else 0
        if item is None:  # no gold: skipped (S), its keys not counted
            await self.press(ARTICLE, "S")
            return tally
        gold = set(item.spans)
        tally.gold = len(gold)
        self.budget = 40 * (len(gold) + len(self.view.suggestions)) + 400
        # outside the body the app shows, or cutting a syllable: no keys select it
        self.untaggable = {g for g in gold if not fits(Mark(0, *g), self.view.syllables)}
        await self.work(gold)
        stored = {(s.start, s.end, s.label) for s in screen.store.spans(article.id, ANNOTATOR)}
        tally.untaggable = self.untaggable - stored
        if stored != gold - tally.untaggable:
            tally.mismatch = describe_mismatch(article.text, stored, gold)
        await self.press(ARTICLE, "D")
        await self.settle()  # the model retrains (condition c) before the next article opens
        return tally

    async def work(self, gold: set[Gold]) -> None:
        """Decide every proposal as it shows, tag what is missing, delete what is wrong."""
        ranges = {(s, e): label for s, e, label in gold}
        while True:
            await self.settle()
            view = self.view
            pending = [m for m in view.suggestions if m.id not in self.out_of_reach]
            if pending and self.accept_all and self.all_right(view.suggestions, gold, pending):
                await self.fix_then_accept_all(pending, gold, ranges)
                continue
            if pending:
                mark = view.here().suggestion_at()
                if mark is None:
                    await self.move_onto(self.next_in_order(pending))
                else:
                    await self.decide(mark, gold, ranges)
                continue
            spans = {(m.start, m.end, m.label): m for m in view.spans}
            wrong = [m for key, m in spans.items() if key not in gold]
            missing = [
                Mark(0, s, e, label)
                for s, e, label in sorted(gold - self.untaggable)
                if (s, e, label) not in spans
            ]
            if not wrong and not missing:
                return
            target = self.next_in_order(wrong + missing)
            blocking = [m for m in wrong if m.start < target.end and target.start < m.end]
            if blocking:
                await self.delete(blocking[0])
            else:
                await self.tag_by_hand(target)

    async def fix_then_accept_all(
        self, pending: list[Mark], gold: set[Gold], ranges: dict[tuple[int, int], str]
    ) -> None:
        """The other strategy: decide the wrong proposals one by one (the cursor goes from one
        to the next), and once all that show are right, ``A`` accepts them in one key."""
        assert self.tally is not None
        wrong = [m for m in pending if (m.start, m.end, m.label) not in gold]
        if not wrong:
            self.tally.accepted += len(self.view.suggestions)  # A takes all that show
            await self.press(DECIDE, "A")
            return
        mark = self.view.here().suggestion_at()
        if mark is not None and mark in wrong:
            await self.decide(mark, gold, ranges)
        else:
            await self.move_onto(self.next_in_order(wrong))

    @staticmethod
    def all_right(shown: Sequence[Mark], gold: set[Gold], pending: Sequence[Mark]) -> bool:
        """Whether the proposals no cursor reaches are right, so ``A`` may take them too."""
        reachable = set(pending)
        return all((m.start, m.end, m.label) in gold for m in shown if m not in reachable)

    def next_in_order(self, marks: Sequence[Mark]) -> Mark:
        """The first of ``marks`` at or after the cursor in text order, else the first."""
        ordered = sorted(marks, key=lambda m: (m.start, m.end))
        here = self.view.tokens[self.view.cursor][0]
        return next((m for m in ordered if m.end > here), ordered[0])

    async def decide(
        self, mark: Mark, gold: set[Gold], ranges: dict[tuple[int, int], str], cycle: bool = True
    ) -> None:
        """Accept, correct, cycle to a right proposal, or reject the proposal shown."""
        assert self.tally is not None
        if (mark.start, mark.end, mark.label) in gold:
            self.tally.accepted += 1
            await self.press(DECIDE, "a")
        elif (mark.start, mark.end) in ranges:
            self.tally.corrected += 1
            await self.press(DECIDE, self.key_of(ranges[(mark.start, mark.end)]))
        elif cycle and self.alternatives_right(mark, ranges):
            if not await self.cycle(mark, gold, ranges):
                self.tally.cycle_missed += 1  # c never showed it: decide on what shows
                shown = self.view.here().suggestion_at()
                if shown is not None:
                    await self.decide(shown, gold, ranges, cycle=False)
        else:
            self.tally.rejected += 1
            await self.press(DECIDE, "x")

    def alternatives(self, mark: Mark) -> list[suggest.Suggestion]:
        """The proposals ``c`` cycles through at the mark's place (the bot peeks)."""
        screen = self.screen
        assert screen.article is not None
        return suggest.alternatives(screen.store, screen.article.id, mark.id, ANNOTATOR)

    def alternatives_right(self, mark: Mark, ranges: dict[tuple[int, int], str]) -> bool:
        return any((o.start, o.end) in ranges for o in self.alternatives(mark))

    async def cycle(self, mark: Mark, gold: set[Gold], ranges: dict[tuple[int, int], str]) -> bool:
        """Press ``c`` until a right proposal shows (an exact one if there is one), take it."""
        assert self.tally is not None
        others = self.alternatives(mark)
        exact = any((o.start, o.end, o.label) in gold for o in others)
        for _ in range(len(others)):
            await self.press(DECIDE, "c")
            shown = self.view.here().suggestion_at()
            if shown is None:
                return False
            if (shown.start, shown.end, shown.label) in gold:
                self.tally.cycled += 1
                await self.press(DECIDE, "a")
                return True
            if not exact and (shown.start, shown.end) in ranges:
                self.tally.cycled += 1
                await self.press(DECIDE, self.key_of(ranges[(shown.start, shown.end)]))
                return True
        return False

    def key_of(self, label: str) -> str:
        found = self.app.labels.get(label)
        if found is None or not found.keys:
            raise UserError(f"gold label {label} is not one of the app's labels")
        return found.keys[0]

    # ---- moving and tagging by hand ------------------------------------------------------

    async def move_to(self, goals: set[int]) -> None:
        """Press the fewest movement keys that put the cursor on one of ``goals``."""
        assert self.tally is not None
        for _attempt in range(5):
            view = self.view
            state: State = (view.cursor, view._goal_column)
            if state[0] in goals:
                return
            self.board = Board.of(view, self.board)
            keys = plan(self.board, state, goals)
            await self.press(MOVE, *keys)
            if self.view.cursor in goals:
                return
            self.tally.replans += 1
        raise RuntimeError(f"the cursor did not reach tokens {sorted(goals)[:5]}")

    async def move_onto(self, mark: Mark) -> None:
        """Onto a token of the proposal; one outside the body (no token) is left pending."""
        tokens = self.view.tokens
        goals = {i for i, (s, e) in enumerate(tokens) if s < mark.end and mark.start < e}
        if goals:
            await self.move_to(goals)
        else:
            assert self.tally is not None
            self.out_of_reach.add(mark.id)
            self.tally.unreached += 1

    async def tag_by_hand(self, span: Mark) -> None:
        """Select the span (in words, else syllables) and press its label's key."""
        assert self.tally is not None
        first, last = await self.boundaries(span)
        await self.move_to({first})
        await self.press(SELECT, *["shift+right"] * (last - first))
        self.tally.by_hand += 1
        await self.press(TAG, self.key_of(span.label))

    async def boundaries(self, span: Mark) -> tuple[int, int]:
        """The first and last token of the span: in words, else in syllables (``m``)."""
        view = self.view
        syllables = not fits(span, view.words)
        if syllables and not fits(span, view.syllables):
            raise RuntimeError(f"span [{span.start}, {span.end}) is not on syllable boundaries")
        if view.syllable_mode != syllables:
            await self.press(MOVE, "m")
        tokens = self.view.tokens
        first = next(i for i, t in enumerate(tokens) if t[0] == span.start)
        last = next(i for i, t in enumerate(tokens) if t[1] == span.end)
        return first, last

    async def delete(self, span: Mark) -> None:
        assert self.tally is not None
        tokens = self.view.tokens
        spans = self.view.spans
        goals = {
            i
            for i, (s, e) in enumerate(tokens)
            if s < span.end
            and span.start < e
            and next((m for m in spans if m.start < e and s < m.end), None) == span
        }
        await self.move_to(goals)
        self.tally.deleted += 1
        await self.press(DELETE, "d")


def fits(span: Mark, tokens: Sequence[tuple[int, int]]) -> bool:
    """Whether the span starts and ends on token boundaries."""
    return any(s == span.start for s, _ in tokens) and any(e == span.end for _, e in tokens)


def describe_mismatch(text: str, stored: set[Gold], gold: set[Gold]) -> str:
    extra = [f"+{label} {text[s:e]!r}" for s, e, label in sorted(stored - gold)]
    lost = [f"-{label} {text[s:e]!r}" for s, e, label in sorted(gold - stored)]
    return "; ".join(extra + lost)


# ---- a condition -----------------------------------------------------------------------------


@contextlib.contextmanager
def retraining(every: int) -> Iterator[None]:
    """``PARTYBUILD_RETRAIN_EVERY`` for the app made while it is set."""
    before = os.environ.get(config.RETRAIN_ENV)
    os.environ[config.RETRAIN_ENV] = str(every)
    try:
        yield
    finally:
        if before is None:
            del os.environ[config.RETRAIN_ENV]
        else:
            os.environ[config.RETRAIN_ENV] = before


@contextlib.contextmanager
def fresh_rates() -> Iterator[None]:
    """The app recounts the sources' acceptance rates (which proposal wins a place) at most
    every 20 s of wall-clock time; the bot decides much faster than a person, so what it
    would be shown would depend on the machine's speed. Recounted every time instead."""
    before = reliability.CACHE_SECONDS
    reliability.CACHE_SECONDS = 0.0
    reliability.forget()
    try:
        yield
    finally:
        reliability.CACHE_SECONDS = before
        reliability.forget()


async def drive(
    db: Path,
    gold: dict[int, GoldArticle],
    condition: Condition,
    *,
    accept_all: bool = False,
    trace: bool = False,
) -> list[Tally]:
    """Run the app on ``db`` and let the bot tag every article to do, one after the other."""
    app = BotApp(db, ANNOTATOR, suggest_steps=condition.steps)
    tallies: list[Tally] = []
    # read when the annotate screen is made; and rates always current (see fresh_rates)
    with retraining(condition.retrain_every), fresh_rates():
        async with app.run_test(size=SIZE) as pilot:
            bot = Bot(pilot, gold, accept_all=accept_all, trace=trace)
            await tag_all(bot, condition, tallies)
    return tallies


async def tag_all(bot: Bot, condition: Condition, tallies: list[Tally]) -> None:
    """Article after article, as ``j`` opens them, until no article is left to do."""
    await bot.settle()
    seen: set[int] = set()
    while bot.screen.article is not None and bot.screen.article.id not in seen:
        seen.add(bot.screen.article.id)
        tally = await bot.article()
        tallies.append(tally)
        await bot.press(ARTICLE, "j")  # the last one finds no article left to do
        await bot.settle()
        if tally.gold == 0:
            tally.keys.clear()
        print(progress_line(condition, len(tallies), tally), file=sys.stderr, flush=True)


def progress_line(condition: Condition, number: int, tally: Tally) -> str:
    if not tally.gold and not tally.mismatch:
        return f"[{condition.name}] article {number} (id {tally.article_id}): no gold, skipped"
    return (
        f"[{condition.name}] article {number} (id {tally.article_id}): {tally.per_entity():.2f} "
        f"keys/entity ({tally.total} keys, {tally.gold} gold; {decisions(tally)}; "
        f"{dict(tally.keys)}; model on {tally.model_articles} articles)"
        + (f" MISMATCH {tally.mismatch}" if tally.mismatch else "")
    )


def decisions(tally: Tally) -> str:
    return (
        f"accepted {tally.accepted}, corrected {tally.corrected}, cycled {tally.cycled}, "
        f"rejected {tally.rejected}, by hand {tally.by_hand}, deleted {tally.deleted}"
    )


def verify(db: Path, gold: dict[int, GoldArticle], tallies: Sequence[Tally]) -> list[str]:
    """Articles whose stored spans are not exactly the gold (less what no key can select),
    read back from the database."""
    untaggable = {t.article_id: t.untaggable for t in tallies}
    problems: list[str] = []
    with Store(db) as store:
        for article_id, item in gold.items():
            stored = {(s.start, s.end, s.label) for s in store.spans(article_id)}
            if article_id not in untaggable:
                problems.append(f"{item.id}: never opened")
            elif stored != set(item.spans) - untaggable[article_id]:
                problems.append(
                    f"{item.id}: {describe_mismatch(item.text, stored, set(item.spans))}"
                )
    return problems


# ---- cases -----------------------------------------------------------------------------------

_PREPARED: dict[tuple[str, str], Inputs] = {}


def inputs(args: argparse.Namespace, workdir: Path) -> Inputs:
    corpus, gold = paths(args)
    key = (str(corpus), str(gold))
    if key not in _PREPARED:
        _PREPARED[key] = prepare(corpus, gold, workdir)
    return _PREPARED[key]


def paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """The corpus and gold: as given, or the seeds when there is no ``--gold``."""
    if args.gold is None:
        if args.corpus:
            print("no --gold: measuring on the seeds, not on --corpus", file=sys.stderr)
        return SEEDS, SEEDS_GOLD
    if not args.corpus:
        raise UserError("--gold needs --corpus (the folder of the gold's articles)")
    return Path(args.corpus), Path(args.gold)


def case_of(condition: Condition, scratch: Path) -> benchlib.Case:
    def run(args: argparse.Namespace) -> list[Row]:
        found = inputs(args, scratch)
        load_before = os.getloadavg()
        started = time.perf_counter()
        db = scratch / f"{condition.name}.db"
        copy_db(found.template, db)
        tallies = asyncio.run(
            drive(db, found.gold, condition, accept_all=args.accept_all, trace=args.trace)
        )
        seconds = time.perf_counter() - started
        problems = verify(db, found.gold, tallies)
        what = condition.what + (", fix then A" if args.accept_all else "")
        rows = summary_rows(what, found, tallies, problems, seconds, load_before)
        if condition.name == "model":
            rows += curve_rows(tallies)
        if problems:
            print(benchlib.table(rows), file=sys.stderr)
            raise SystemExit(f"{condition.name}: spans differ from the gold: {problems}")
        return rows

    return run


def summary_rows(
    what: str,
    found: Inputs,
    tallies: list[Tally],
    problems: list[str],
    seconds: float,
    load_before: tuple[float, float, float],
) -> list[Row]:
    done = [t for t in tallies if t.gold]
    gold = sum(t.gold for t in done)
    keys: Counter[str] = Counter()
    for t in done:
        keys.update(t.keys)
    total = sum(keys.values())

    def count(name: str) -> int:
        return sum(getattr(t, name) for t in done)

    decided = sum(count(n) for n in ("accepted", "corrected", "cycled", "rejected"))
    skipped = len(tallies) - len(done)
    where = f"{len(done)} articles, {gold} gold spans" + (
        f" ({skipped} without gold skipped)" if skipped else ""
    )
    if found.unmatched:
        where += f"; {len(found.unmatched)} gold articles not in the corpus"
    breakdown = ", ".join(f"{k} {v}" for k, v in sorted(keys.items(), key=lambda kv: -kv[1]))
    untaggable = sum(len(t.untaggable) for t in done)
    checks = [f"of {len(done)}; read back from the database"]
    if untaggable:
        checks.append(f"{untaggable} gold spans no key can select left out")
    if count("cycle_missed"):
        checks.append(f"c never showed a right proposal it had {count('cycle_missed')}x")
    if count("unreached"):
        checks.append(f"{count('unreached')} proposals outside the body left pending")
    if count("replans"):
        checks.append(f"cursor moves replanned {count('replans')}x")
    load_after = os.getloadavg()
    return [
        row(
            f"{what}: keys per gold entity",
            total / gold if gold else 0,
            "keys",
            f"{total} keys / {gold} gold spans; {where}; keys: {breakdown}",
        ),
        row("  proposals accepted (a, or A)", count("accepted"), "", f"of {decided} decided"),
        row("  proposals corrected (label key)", count("corrected"), "", "right range"),
        row("  proposals cycled to (c), then taken", count("cycled"), "", "a right one there"),
        row("  proposals rejected (x)", count("rejected"), "", ""),
        row("  misses tagged by hand", count("by_hand"), "", f"of {gold} gold spans"),
        row("  wrong spans deleted (d)", count("deleted"), "", ""),
        row(
            "  articles whose spans equal the gold",
            len(done) - len(problems),
            "articles",
            "; ".join(checks),
        ),
        row(
            "  wall time",
            seconds,
            "s",
            f"load average (1 min) {load_before[0]:.2f} at start, {load_after[0]:.2f} at end, "
            f"{os.cpu_count()} cores",
        ),
    ]


def curve_rows(tallies: list[Tally]) -> list[Row]:
    """Keys per entity article by article: the model learns from the articles before."""
    return [
        row(
            f"  article {number}: keys per entity",
            t.per_entity(),
            "keys",
            f"{t.title[:40]}; {t.gold} gold; {decisions(t)}; model trained on "
            f"{t.model_articles} articles",
        )
        for number, t in enumerate((t for t in tallies if t.gold), 1)
    ]


_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    Path(args.work).mkdir(parents=True, exist_ok=True)
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="effort-", dir=args.work))
    scratch = Path(_SCRATCH[0].name)
    return {name: case_of(condition, scratch) for name, condition in CONDITIONS.items()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", help="gold JSONL of the corpus's articles (default: seeds)")
    parser.add_argument("--trace", action="store_true", help="print every key to stderr")
    parser.add_argument(
        "--accept-all",
        action="store_true",
        help="decide only the wrong proposals, then accept the rest with A",
    )


def main() -> int:
    try:
        return benchlib.main(cases, __doc__.split("\n\n")[0], add_arguments)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        for scratch in _SCRATCH:
            scratch.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
