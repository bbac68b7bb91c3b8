"""The SQLite store: one small facade over modules with one job each.

Every user action is one ``BEGIN IMMEDIATE`` transaction that writes the change and its entry
in ``actions`` together, so what the screen shows as saved is on disk, undo and redo survive a
restart, and an audit can replay who did what. WAL mode lets exports and stats read while the
app writes. Use one ``Store`` per thread. Only modules of this package run SQL: the rest of the
program calls the facade (or, for the read-only stats and export queries, the query modules
here that take the connection of a ``snapshot``).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from partybuild_tui.core.layers import is_review
from partybuild_tui.core.store import (
    articles,
    assignments,
    connection,
    forms,
    history,
    merge,
    migrations,
    models_table,
    spans,
    suggestions,
    tokenizations,
)
from partybuild_tui.core.store.articles import ORDERS, Status, fts_query
from partybuild_tui.core.store.errors import (
    BUSY_TIMEOUT_S,
    DatabaseBusy,
    MissingDatabase,
    OverlapError,
    describe_sqlite_error,
)
from partybuild_tui.core.store.history import ChangedElsewhere, Decision
from partybuild_tui.core.store.merge import MergeReport
from partybuild_tui.core.store.models import (
    STATUSES,
    Action,
    Article,
    ArticleRow,
    NewSpan,
    Place,
    Span,
    Suggestion,
    now,
)
from partybuild_tui.core.store.models_table import ModelRecord
from partybuild_tui.core.store.suggestions import Proposed, RunRecord
from partybuild_tui.errors import UserError

__all__ = [
    "BUSY_TIMEOUT_S",
    "STATUSES",
    "Action",
    "Article",
    "ArticleRow",
    "ChangedElsewhere",
    "DatabaseBusy",
    "ORDERS",
    "MissingDatabase",
    "MergeReport",
    "ModelRecord",
    "NewSpan",
    "OverlapError",
    "Place",
    "Span",
    "Store",
    "Suggestion",
    "describe_sqlite_error",
    "fts_query",
    "now",
]


class Store:
    """An open partybuild database.

    ``session`` names this opening (one app instance) on the actions it records, so undo
    prefers its own actions and says when it takes another window's.
    """

    def __init__(
        self, path: Path | str, *, create: bool = True, session: str | None = None
    ) -> None:
        self.path = Path(path)
        self.conn = connection.open_connection(self.path, create=create)
        self.session = session or uuid.uuid4().hex
        self._data_version: int | None = None
        self._patience = BUSY_TIMEOUT_S

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested calls join the outer one."""
        with connection.write(self.conn, self._patience) as conn:
            yield conn

    @contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Writes inside wait at most ``seconds`` for another writer's lock, then raise
        ``DatabaseBusy`` having written nothing (the app's keys never wait long)."""
        before, self._patience = self._patience, seconds
        try:
            yield
        finally:
            self._patience = before

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        with connection.snapshot(self.conn) as conn:
            yield conn

    def schema_version(self) -> int:
        return migrations.schema_version(self.conn)

    def changed_elsewhere(self) -> bool:
        """Whether another connection committed since the last call (``PRAGMA data_version``:
        one cheap read, no table touched); the first call only takes the reading."""
        version = connection.data_version(self.conn)
        before, self._data_version = self._data_version, version
        return before is not None and version != before

    # ---- articles -------------------------------------------------------------------------

    def insert_article(self, fields: dict[str, Any]) -> int:
        return articles.insert(self.conn, fields)

    def supersede(self, old_id: int, new_id: int) -> None:
        articles.supersede(self.conn, old_id, new_id)

    def article(self, article_id: int) -> Article:
        return articles.get(self.conn, article_id)

    def article_by_hash(self, content_hash: str) -> Article | None:
        return articles.by_hash(self.conn, content_hash)

    def latest_by_key(self, key: str) -> Article | None:
        return articles.latest_by_key(self.conn, key)

    def article_by_key_or_id(self, key: str, length: int) -> int | None:
        return articles.by_key_or_id(self.conn, key, length)

    def list_articles(
        self,
        *,
        status: Status = None,
        query: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        include_superseded: bool = False,
        order: str = "corpus",
        layer: str | None = None,
        assigned: str | None = None,
    ) -> list[ArticleRow]:
        """A page of the list; ``status`` (and the rows' status and spans) in ``layer``'s
        layer, or for anyone when None; ``assigned``: only articles assigned to them."""
        return articles.list_rows(
            self.conn,
            status=status,
            query=query,
            limit=limit,
            offset=offset,
            include_superseded=include_superseded,
            order=order,
            layer=layer,
            assigned=assigned,
        )

    def count_articles(
        self,
        *,
        status: Status = None,
        query: str | None = None,
        include_superseded: bool = False,
        layer: str | None = None,
        assigned: str | None = None,
    ) -> int:
        return articles.count(
            self.conn,
            status=status,
            query=query,
            include_superseded=include_superseded,
            layer=layer,
            assigned=assigned,
        )

    def article_ids(
        self,
        *,
        status: Status = None,
        query: str | None = None,
        annotator: str | None = None,
        order: str = "corpus",
        layer: str | None = None,
        assigned: str | None = None,
    ) -> list[int]:
        """Ids of the filtered articles; ``annotator``: only those they worked in."""
        return articles.ids(
            self.conn,
            status=status,
            query=query,
            annotator=annotator,
            order=order,
            layer=layer,
            assigned=assigned,
        )

    def select_articles(
        self,
        *,
        status: Status,
        query: str | None,
        annotator: str | None,
        include_superseded: bool = False,
    ) -> Iterator[tuple[int, str]]:
        """(id, content hash) of the selected articles in id order, streamed from the cursor."""
        return articles.ids_and_hashes(
            self.conn,
            status=status,
            query=query,
            annotator=annotator,
            include_superseded=include_superseded,
        )

    def article_texts(self, article_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        return articles.texts(self.conn, article_ids)

    def text_lengths(self, article_ids: Sequence[int]) -> dict[int, int]:
        return articles.text_lengths(self.conn, article_ids)

    def content_hashes(self) -> dict[int, str]:
        return articles.content_hashes(self.conn)

    def article_rows(self, ids: Sequence[int], layer: str | None = None) -> list[ArticleRow]:
        return articles.rows_of(self.conn, ids, layer)

    def adjacent_article(
        self,
        article_id: int,
        *,
        forward: bool = True,
        status: Status = None,
        query: str | None = None,
        order: str = "corpus",
        layer: str | None = None,
        assigned: str | None = None,
    ) -> int | None:
        """The next (previous) article after ``article_id`` in ``order`` matching filters."""
        return articles.adjacent(
            self.conn,
            article_id,
            forward=forward,
            status=status,
            query=query,
            order=order,
            layer=layer,
            assigned=assigned,
        )

    def last_touched_article(self, annotator: str) -> int | None:
        return articles.last_touched(self.conn, annotator)

    def done_article_ids(self) -> list[int]:
        """Current articles done in any layer (the model learns from everyone's work)."""
        return articles.done_ids(self.conn)

    def status(self, article_id: int, annotator: str) -> str:
        """The article's status in ``annotator``'s layer."""
        return articles.status_of(self.conn, article_id, annotator)

    def layers(self) -> list[str]:
        """Every layer (annotator or review) with a status or a span somewhere."""
        return articles.layers(self.conn)

    def statuses(self, article_id: int) -> dict[str, str]:
        """Every layer's status of the article (layers that never acted in it are absent)."""
        return articles.statuses_of(self.conn, article_id)

    def status_counts(
        self, layer: str | None = None, assigned: str | None = None
    ) -> dict[str, int]:
        """Current articles per status in ``layer`` (None: for anyone)."""
        return articles.status_counts(self.conn, layer, assigned)

    def list_clock(self) -> int:
        """Moves whenever which articles a list shows, their order or the status counts may
        have changed (one row read): re-read the list and recount only when it moved."""
        return articles.list_clock(self.conn)

    def set_status(
        self, article_id: int, status: str, annotator: str, *, record: bool = True
    ) -> Action | None:
        """Change an article's status; recorded (undoable) unless ``record`` is false."""
        articles.check_status(status)
        with self.write():
            old = articles.status_of(self.conn, article_id, annotator)
            if old == status:
                return None
            if not record:
                articles.write_status(self.conn, article_id, annotator, status)
                return None
            return self.apply(article_id, annotator, "status", status=(old, status))

    def save_resume_point(self, annotator: str, article_id: int, offset: int) -> None:
        """Remember where the annotator is (the app does so on moving on and on quitting)."""
        with self.write():
            articles.save_resume_point(self.conn, annotator, article_id, offset)

    def resume_point(self, annotator: str) -> tuple[int, int] | None:
        """(article id, cursor offset) where the annotator left off, if known."""
        return articles.resume_point(self.conn, annotator)

    # ---- assignments ----------------------------------------------------------------------

    def assign(self, pairs: Iterable[tuple[int, str]], *, replace_for: Sequence[int] = ()) -> int:
        """Assign articles to annotators ((id, name) pairs) in one transaction, first dropping
        the assignments of ``replace_for``; returns how many pairs are new."""
        with self.write():
            return assignments.save(self.conn, pairs, replace_for=replace_for)

    def assignees(self, article_ids: Sequence[int]) -> dict[int, list[str]]:
        return assignments.of_articles(self.conn, article_ids)

    def has_assignments(self, annotator: str) -> bool:
        """Whether the layer has a share: assigned articles, or for a review layer, articles
        two or more annotators finished."""
        if is_review(annotator):
            return articles.any_reviewable(self.conn)
        return assignments.has_any(self.conn, annotator)

    def assignment_summary(self) -> list[tuple[str, int, int]]:
        """(annotator, articles assigned, of them shared with another) over current articles."""
        return assignments.summary(self.conn)

    # ---- spans ----------------------------------------------------------------------------

    def spans(
        self,
        article_id: int,
        annotator: str | None = None,
        within: tuple[int, int] | None = None,
        *,
        longest: int | None = None,
    ) -> list[Span]:
        """The article's spans in text order (the layer's; overlapping ``within``).
        ``longest``: no span there is longer (``longest_span``): the index then reads only
        the rows near ``within``, not every row starting before it."""
        return spans.of_article(self.conn, article_id, annotator, within, longest)

    def span_places(self, article_id: int) -> list[Place]:
        """Where the article's spans (every layer's) lie, in text order."""
        return spans.places_of(self.conn, article_id)

    def longest_span(self, article_id: int, annotator: str | None = None) -> int:
        """The length of the article's longest span (the layer's), 0 if none."""
        return spans.longest(self.conn, article_id, annotator)

    def span_fingerprint(self, article_id: int, annotator: str) -> tuple[int, int, int]:
        """Changes whenever the layer's spans in the article change (one index read)."""
        return spans.fingerprint(self.conn, article_id, annotator)

    def span(self, span_id: int) -> Span:
        return spans.get(self.conn, span_id)

    def labels_in_use(self) -> list[str]:
        return spans.labels_in_use(self.conn)

    def tagged_forms(self) -> list[tuple[str, str, int, str]]:
        """(form, label, times tagged, last tagged at) over the corpus."""
        return forms.tagged(self.conn)

    def tagged_forms_since(
        self, uid: str, ticks: int
    ) -> tuple[str, int, list[tuple[str, str, int, str]]]:
        """(uid, ticks now, the forms changed since) in one read: only those after ``ticks``
        when ``uid`` is this database's, else every tagged form (see ``forms.clock``)."""
        with self.snapshot():
            now_uid, now_ticks = forms.clock(self.conn)
            if now_uid != uid or now_ticks < ticks:
                return now_uid, now_ticks, self.tagged_forms()
            return now_uid, now_ticks, forms.changed_since(self.conn, ticks)

    def tagged_totals(self) -> tuple[int, int]:
        """(forms tagged, spans with them) over the corpus."""
        return forms.totals(self.conn)

    def withdrawn_forms(self) -> list[tuple[str, str]]:
        """(form, last time) of forms rejected as proposals or deleted as spans."""
        return forms.withdrawn(self.conn)

    def articles_with_spans(self) -> list[int]:
        return spans.article_ids_with_spans(self.conn)

    def tag(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        annotator: str,
        *,
        origin: str = "manual",
        replace: bool = True,
    ) -> Action | None:
        """Tag [start, end) with ``label``; overlapping spans are replaced (spans stay flat).

        Returns None when the exact span already exists with this label.
        """
        with self.write():  # the overlap check and the change see the same state
            article = self.article(article_id)
            if not 0 <= start < end <= len(article.text):
                raise UserError(f"span [{start}, {end}) is outside article {article_id}")
            existing = self.spans(article_id, annotator, (start, end))
            if any(s.start == start and s.end == end and s.label == label for s in existing):
                return None
            if existing and not replace:
                raise OverlapError(f"[{start}, {end}) overlaps {len(existing)} existing span(s)")
            same_range = len(existing) == 1 and (existing[0].start, existing[0].end) == (start, end)
            return self.apply(
                article_id,
                annotator,
                "relabel" if same_range else "tag",
                add=[NewSpan(start, end, label, origin)],
                remove=existing,
                text=article.text,
            )

    def relabel(self, span_id: int, label: str, annotator: str) -> Action | None:
        with self.write():  # another process may have changed the span since it was shown
            span = self.span(span_id)
            if span.label == label:
                return None
            return self.apply(
                span.article_id,
                annotator,
                "relabel",
                add=[NewSpan(span.start, span.end, label, span.origin)],
                remove=[span],
            )

    def delete_span(self, span_id: int, annotator: str) -> Action:
        with self.write():
            span = self.span(span_id)
            return self.apply(span.article_id, annotator, "delete", remove=[span])

    # ---- the action history --------------------------------------------------------------------

    def apply(
        self,
        article_id: int,
        annotator: str,
        kind: str,
        *,
        add: Iterable[NewSpan] = (),
        remove: Iterable[Span] = (),
        status: tuple[str, str] | None = None,
        suggestions: Iterable[Decision] = (),
        text: str | None = None,
        decided: Iterable[tuple[int, int]] = (),
    ) -> Action:
        """Apply one change as one transaction and record it as an undoable action.

        ``suggestions`` holds (suggestion id, old status, new status) triples decided by it;
        ``decided`` the places a review decision settled.
        """
        with self.write():
            return history.apply(
                self.conn,
                article_id,
                annotator,
                kind,
                add=add,
                remove=remove,
                status=status,
                suggestions=suggestions,
                text=text,
                session=self.session,
                decided=decided,
            )

    def undo(self, article_id: int, annotator: str) -> Action | None:
        """Revert the annotator's latest action in this article made in this session (else
        their latest from another); None if there is none. ``ChangedElsewhere``: refused."""
        with self.write():
            return history.step(
                self.conn, article_id, annotator, forward=False, session=self.session
            )

    def redo(self, article_id: int, annotator: str) -> Action | None:
        """Re-apply the annotator's action undone last in this article; None if there is none.
        ``ChangedElsewhere``: refused."""
        with self.write():
            return history.step(
                self.conn, article_id, annotator, forward=True, session=self.session
            )

    def live_ranges(
        self, article_id: int, annotator: str, *, skip_kind: str = ""
    ) -> list[tuple[int, int]]:
        """Ranges the layer's live actions in the article touched (see ``history``)."""
        return history.live_ranges(self.conn, article_id, annotator, skip_kind=skip_kind)

    def has_acted(self, article_id: int, annotator: str) -> bool:
        return history.has_acted(self.conn, article_id, annotator)

    def history(self, article_id: int, annotator: str | None = None) -> list[dict[str, Any]]:
        """The recorded actions of an article, oldest first, for audits."""
        return history.of_article(self.conn, article_id, annotator)

    # ---- suggestions ---------------------------------------------------------------------------

    def suggestion(self, suggestion_id: int, annotator: str | None = None) -> Suggestion:
        """One suggestion, its status in ``annotator``'s layer (None: decided by anyone)."""
        return suggestions.get(self.conn, suggestion_id, annotator)

    def suggestions(
        self,
        article_id: int,
        status: str | None = None,
        source: str | None = None,
        annotator: str | None = None,
        within: tuple[int, int] | None = None,
        *,
        longest: int | None = None,
    ) -> list[Suggestion]:
        """The article's suggestions ``annotator``'s layer sees, with their status in it
        (None: decided by anyone, see ``store.suggestions``); overlapping ``within``, where
        ``longest`` (``longest_suggestion``) bounds the index read as for ``spans``."""
        return suggestions.of_article(
            self.conn, article_id, status, source, annotator, within, longest
        )

    def longest_suggestion(self, article_id: int) -> int:
        """The length of the article's longest stored suggestion, 0 if none."""
        return suggestions.longest(self.conn, article_id)

    def suggestion_ranges(self, ids: Iterable[int]) -> list[tuple[int, int]]:
        """The text ranges of these suggestions (for where an action decided some)."""
        return suggestions.ranges_of(self.conn, ids)

    def suggestion_state(self, article_id: int, annotator: str | None = None) -> tuple[Any, ...]:
        """Changes when the article's suggestions or the layer's decisions of them change
        (cheap); without a layer, when any layer's do."""
        return suggestions.state(self.conn, article_id, annotator)

    def same_pending(self, item: Suggestion, annotator: str) -> list[int]:
        """Ids of the suggestions with ``item``'s range and label pending in the layer."""
        return suggestions.same_pending(self.conn, item, annotator)

    def pending_at(
        self, article_id: int, places: Iterable[tuple[int, int, str]], annotator: str
    ) -> list[int]:
        """Ids of the suggestions pending in the layer at these (start, end, label) places."""
        return suggestions.pending_at(self.conn, article_id, places, annotator)

    def decision_counts(
        self, annotator: str | None = None
    ) -> dict[tuple[str, str], tuple[int, int]]:
        """(source, label) -> (accepted, rejected) of this layer's decisions (None: every
        layer's, each layer's decision counted)."""
        return suggestions.decision_counts(self.conn, annotator)

    def suggestion_count(self, status: str | None = None, annotator: str | None = None) -> int:
        """All stored suggestions, or those with ``status`` in the layer (None: decided by
        anyone: pending is what no layer decided)."""
        return suggestions.count(self.conn, status, annotator)

    def suggestion_runs(self, article_id: int | None = None) -> dict[Any, RunRecord]:
        """Last run per source of one article (keyed by source), or of all (by (id, source))."""
        if article_id is None:
            return suggestions.all_runs(self.conn)
        return suggestions.runs_of_article(self.conn, article_id)

    def uncertainty(self, article_id: int, source: str = "model") -> float | None:
        return suggestions.uncertainty(self.conn, article_id, source)

    def save_suggestion_run(
        self,
        article: Article,
        source: str,
        version: str,
        proposals: Sequence[Proposed],
        uncertainty: float | None = None,
    ) -> list[tuple[int, int]]:
        """Store a source's run; the ranges where it changed what is stored."""
        with self.write():
            return suggestions.save_run(
                self.conn,
                article.id,
                article.text,
                article.content_hash,
                source,
                version,
                proposals,
                uncertainty,
            )

    # ---- tokenization cache -------------------------------------------------------------------

    def load_tokenization(
        self, article_id: int, content_hash: str, tokenizer: str
    ) -> tuple[list[int], list[int]] | None:
        return tokenizations.load(self.conn, article_id, content_hash, tokenizer)

    def tokenization_stamp(
        self, article_id: int, content_hash: str, tokenizer: str
    ) -> tuple[int, str] | None:
        """Which cached row there is (None: none): a reader can keep what it parsed."""
        return tokenizations.stamp(self.conn, article_id, content_hash, tokenizer)

    def save_tokenization(
        self,
        article_id: int,
        content_hash: str,
        tokenizer: str,
        words: Sequence[int],
        sentences: Sequence[int],
    ) -> None:
        with self.write():
            tokenizations.save(self.conn, article_id, content_hash, tokenizer, words, sentences)

    def untokenized_ids(self, tokenizer: str, *, current_only: bool = True) -> list[int]:
        return tokenizations.missing(self.conn, tokenizer, current_only=current_only)

    # ---- merging other databases -------------------------------------------------------------

    def merge_from(self, paths: Sequence[Path], *, dry_run: bool = False) -> list[MergeReport]:
        """Bring other partybuild databases in (see ``merge``); the files are only read."""
        return merge.merge_files(self.conn, list(paths), dry_run=dry_run)

    # ---- trained models -----------------------------------------------------------------------

    def save_model(self, record: ModelRecord, data: bytes) -> int:
        with self.write():
            return models_table.save(self.conn, record, data)

    def latest_model(self, name: str) -> tuple[ModelRecord, bytes] | None:
        return models_table.latest(self.conn, name)

    def latest_model_record(self, name: str) -> ModelRecord | None:
        return models_table.latest_record(self.conn, name)
