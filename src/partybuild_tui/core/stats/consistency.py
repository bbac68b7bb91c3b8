"""Consistency checks: one form tagged with different labels, and tagged forms left untagged.

Forms are compared by ``surface_key`` (tone placement, Unicode form, case, spacing ignored).
Label conflicts come from the (label, text, count) groups SQL already made. The "untagged
elsewhere" check is bounded so it stays fast on a million spans: the most tagged forms (a few
times the number shown), each looked up with FTS5 (every syllable, either tone style) in at
most ``candidate_limit`` worked articles, then verified here as whole-syllable occurrences
that no span covers; the findings with the most untagged occurrences are shown first, since
those are most worth a look. Forms the label guide calls non-entities on their own ("Đảng
bộ", a bare "Nghị quyết", "các chi bộ") are not checked that way — their untagged occurrences
are right — but listed apart as likely wrong tags. The SQL is in ``store.queries.consistency``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.store.queries import consistency as q
from partybuild_tui.core.text import find_form, form_pattern, surface_key


@dataclass
class FormTally:
    """One surface form: its span count and how often each spelling was seen."""

    count: int = 0
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def shown(self) -> str:
        """The most frequent spelling (ties: the first in code-point order)."""
        return min(self.spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def forms_by_label(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, FormTally]]:
    out: dict[str, dict[str, FormTally]] = defaultdict(dict)
    for label, text, count in rows:
        form = out[label].setdefault(surface_key(text), FormTally())
        form.count += count
        form.spellings[" ".join(text.split())] += count
    return out


@dataclass(frozen=True)
class Location:
    """Where to jump: an article and a character offset in its stored text."""

    article_id: int
    start: int
    end: int
    label: str | None = None


@dataclass
class LabelConflict:
    form: str
    labels: dict[str, int]
    locations: list[Location]


@dataclass
class UntaggedForm:
    form: str
    label: str
    tagged: int
    untagged: int
    articles_checked: int
    truncated: bool
    locations: list[Location]


@dataclass
class SuspectTag:
    """A tagged form that the label guide says is not an entity on its own."""

    form: str
    label: str
    tagged: int
    why: str
    locations: list[Location]


@dataclass
class Consistency:
    conflicts: list[LabelConflict]
    untagged: list[UntaggedForm]
    forms_checked: int
    suspect: list[SuspectTag] = field(default_factory=list)


# How many more forms than shown the "untagged elsewhere" check looks at, to rank findings.
SCAN_FACTOR = 4
MIN_SCAN = 40
GENERIC_QUANTIFIERS = ("các", "những", "mỗi", "từng", "nhiều", "một số")


def non_entity_forms() -> dict[str, str]:
    """Surface keys of forms that are not entities on their own, with the guide's reason:
    bare type nouns and titles (the shipped pattern lists) and bare document types."""
    from partybuild_tui.core.suggest.memory import BARE_LISTS
    from partybuild_tui.core.suggest.patterns import load_patterns

    patterns = load_patterns()
    out = {
        surface_key(w): "a document type without its number"
        for w in patterns.words("doc_type").items
    }
    for name in BARE_LISTS:
        for item in patterns.words(name).items:
            out[surface_key(item)] = "a type noun, place or title without a name"
    return out


def why_not_entity(key: str, bare: dict[str, str]) -> str | None:
    """Why a form (by surface key) is not an entity on its own, or None if it may be one."""
    if key in bare:
        return bare[key]
    for quantifier in GENERIC_QUANTIFIERS:
        if key.startswith(surface_key(quantifier) + " "):
            return f"a generic mention ('{quantifier} ...')"
    return None


# ---- consistency ----------------------------------------------------------------------------


def label_conflicts(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    per_label: int = 5,
) -> list[LabelConflict]:
    """Forms tagged with more than one label, most frequent first, with where each label is."""
    labels_by_key: dict[str, Counter[str]] = defaultdict(Counter)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for label, text, count in rows:
        key = surface_key(text)
        labels_by_key[key][label] += count
        spellings[key][text] += count
    conflicting = [key for key, by_label in labels_by_key.items() if len(by_label) > 1]
    conflicting.sort(key=lambda k: (-sum(labels_by_key[k].values()), k))
    chosen = conflicting[:top]
    if not chosen:
        return []
    texts = sorted({text for key in chosen for text in spellings[key]})
    labels = sorted({label for key in chosen for label in labels_by_key[key]})
    located = q.span_locations(conn, f, labels, texts, per_label)
    where: dict[str, list[Location]] = defaultdict(list)
    for text, label, article_id, start, end in located:
        where[surface_key(text)].append(Location(article_id, start, end, label))
    out = []
    for key in chosen:
        by_label: dict[str, list[Location]] = defaultdict(list)
        for loc in sorted(where[key], key=lambda x: (x.label or "", x.article_id, x.start)):
            if len(by_label[loc.label or ""]) < per_label:
                by_label[loc.label or ""].append(loc)
        minority_first = sorted(by_label, key=lambda lb: (labels_by_key[key][lb], lb))
        out.append(
            LabelConflict(
                form=spellings[key].most_common(1)[0][0],
                labels=dict(labels_by_key[key].most_common()),
                locations=[loc for lb in minority_first for loc in by_label[lb]],
            )
        )
    return out


def untagged_elsewhere(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    candidate_limit: int = 200,
    per_form: int = 10,
) -> tuple[list[UntaggedForm], int]:
    """Tagged forms that occur in worked articles' bodies without a span, the most untagged
    occurrences first (``top`` of them, from the ``SCAN_FACTOR * top`` most tagged forms).

    Worked articles are those in progress or done (or the status filter's). Candidates come
    from FTS5 (every syllable present, either tone style), at most ``candidate_limit`` per
    form; each is then searched in Python for whole-syllable occurrences not covered by any
    span (of the filtered annotator, if one is given). Non-entity forms are left out (see
    ``suspect_tags``).
    """
    totals: dict[str, FormTally] = {}
    majority: dict[str, Counter[str]] = defaultdict(Counter)
    for label, text, count in rows:
        key = surface_key(text)
        form = totals.setdefault(key, FormTally())
        form.count += count
        form.spellings[" ".join(text.split())] += count
        majority[key][label] += count
    bare = non_entity_forms()
    entities = [k for k in totals if why_not_entity(k, bare) is None]
    ranked = sorted(entities, key=lambda k: (-totals[k].count, k))[
        : max(top * SCAN_FACTOR, MIN_SCAN)
    ]
    bodies_cache: dict[int, tuple[str, int, int]] = {}
    spans_cache: dict[int, list[tuple[int, int]]] = {}
    out = []
    for key in ranked:
        candidates = q.candidate_articles(conn, f, totals[key].shown, candidate_limit)
        ids = candidates[:candidate_limit]
        _load(conn, f, ids, bodies_cache, spans_cache)
        found = _occurrences(key, ids, bodies_cache, spans_cache)
        if found:
            out.append(
                UntaggedForm(
                    form=totals[key].shown,
                    label=majority[key].most_common(1)[0][0],
                    tagged=totals[key].count,
                    untagged=len(found),
                    articles_checked=len(ids),
                    truncated=len(candidates) > candidate_limit,
                    locations=found[:per_form],
                )
            )
    out.sort(key=lambda u: (-u.untagged, -u.tagged, u.form))
    return out[:top], len(ranked)


def suspect_tags(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    per_form: int = 5,
) -> list[SuspectTag]:
    """Tagged forms the label guide calls non-entities on their own, most tagged first."""
    bare = non_entity_forms()
    tally: dict[tuple[str, str], FormTally] = {}
    texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for label, text, count in rows:
        key = surface_key(text)
        if why_not_entity(key, bare) is None:
            continue
        form = tally.setdefault((key, label), FormTally())
        form.count += count
        form.spellings[" ".join(text.split())] += count
        texts[(key, label)].add(text)
    chosen = sorted(tally, key=lambda k: (-tally[k].count, k))[:top]
    if not chosen:
        return []
    located = q.span_locations(
        conn,
        f,
        sorted({label for _k, label in chosen}),
        sorted({t for k in chosen for t in texts[k]}),
        per_form,
    )
    where: dict[tuple[str, str], list[Location]] = defaultdict(list)
    for text, label, article_id, start, end in located:
        where[(surface_key(text), label)].append(Location(article_id, start, end, label))
    return [
        SuspectTag(
            form=tally[k].shown,
            label=k[1],
            tagged=tally[k].count,
            why=why_not_entity(k[0], bare) or "",
            locations=sorted(where[k], key=lambda x: (x.article_id, x.start))[:per_form],
        )
        for k in chosen
    ]


def _load(
    conn: sqlite3.Connection,
    f: StatsFilter,
    ids: Sequence[int],
    bodies: dict[int, tuple[str, int, int]],
    spans: dict[int, list[tuple[int, int]]],
) -> None:
    """Fetch (once) the text, body bounds and span ranges of the candidate articles."""
    missing = [i for i in ids if i not in bodies]
    for article_id, text, body_start, body_end in q.bodies(conn, missing):
        bodies[article_id] = (text, body_start, body_end)
        spans[article_id] = []
    for article_id, start, end in q.span_ranges(conn, missing, f.annotator):
        spans[article_id].append((start, end))


def _occurrences(
    key: str,
    ids: Sequence[int],
    bodies: dict[int, tuple[str, int, int]],
    spans: dict[int, list[tuple[int, int]]],
) -> list[Location]:
    pattern = form_pattern(key)
    found = []
    for article_id in ids:
        text, body_start, body_end = bodies[article_id]
        taken = spans[article_id]
        for start, end in find_form(pattern, text, body_start, body_end):
            if not any(s < end and start < e for s, e in taken):
                found.append(Location(article_id, start, end))
    return found


def consistency(
    conn: sqlite3.Connection,
    f: StatsFilter,
    rows: Sequence[tuple[str, str, int]],
    *,
    top: int = 10,
    candidate_limit: int = 200,
) -> Consistency:
    conflicts = label_conflicts(conn, f, rows, top=top)
    untagged, checked = untagged_elsewhere(conn, f, rows, top=top, candidate_limit=candidate_limit)
    return Consistency(conflicts, untagged, checked, suspect_tags(conn, f, rows, top=top))
