"""Inter-annotator agreement on the articles two or more annotators marked done in their layer.

Figures (defined in docs/stats.md):

- per pair of annotators, span P/R/F1 with the first (alphabetically) as the reference, exact
  and overlap, overall and per label, counted by ``matching.match`` like ``evaluate``;
- per pair, Cohen's kappa over tokens; across all annotators Krippendorff's alpha (nominal;
  an annotator who did not finish an article is missing there) and, when every article has
  the same number of annotators, Fleiss' kappa;
- the most frequent disagreement forms: a range one annotator tagged that the other tagged
  with another label or not at all.

Tokens are the whitespace-separated syllables of the body (punctuation stays attached), the
unit spans start and end on: underthesea's words would need every article segmented (seconds
each when not cached) and would make the figures depend on its version. A token takes the
label of the span it overlaps, else "O" (no BIO: a boundary shift by one syllable costs one
token, not two). Only the body counts: spans outside it are left out of every figure.

Token coefficients are computed from label patterns (how many tokens had which labels), not
token by token: most tokens are "O" for everyone, so an article costs its spans, not its length.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter
from typing import Any

from partybuild_tui.core.layers import check_annotator, is_review
from partybuild_tui.core.stats.matching import Item, Scores, match
from partybuild_tui.core.store.queries import agreement as q
from partybuild_tui.core.store.queries.scope import Filter
from partybuild_tui.errors import UserError

_TOKEN = re.compile(r"\S+")  # the same whitespace as str.split and str.isspace
OUTSIDE = "O"  # a token's label when no span covers it
UNTAGGED = "untagged"  # a disagreement form's label where an annotator has no such span
Span3 = tuple[int, int, str]  # start, end, label (offsets into the article's text)


@dataclass(frozen=True)
class ArticleLayers:
    """One article's body and the spans of each annotator who finished it (maybe none)."""

    article_id: int
    body_start: int
    body: str
    layers: dict[str, list[Span3]]


@dataclass(frozen=True)
class LabelAgreement:
    label: str
    exact: Scores
    overlap: Scores


@dataclass(frozen=True)
class PairAgreement:
    """Two annotators on the articles both finished; ``reference`` plays the gold."""

    reference: str
    other: str
    articles: int
    tokens: int
    kappa: float | None
    exact: Scores
    overlap: Scores
    labels: list[LabelAgreement]


@dataclass(frozen=True)
class Disagreement:
    """A form one annotator of a pair tagged at a range and the other tagged otherwise."""

    form: str
    reference: str
    other: str
    reference_label: str  # a label or UNTAGGED
    other_label: str
    count: int
    article_id: int  # the first place it occurs
    start: int


@dataclass
class Agreement:
    available: list[str]  # every annotator (not review layer) who finished some article
    annotators: list[str] = field(default_factory=list)  # those compared
    label: str | None = None
    articles: int = 0  # finished by two or more of ``annotators``
    done: dict[str, int] = field(default_factory=dict)  # of those, per annotator
    tokens: int = 0
    alpha: float | None = None
    fleiss: float | None = None  # None unless every article has as many annotators
    pairs: list[PairAgreement] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "annotators": self.annotators,
            "label": self.label,
            "articles": self.articles,
            "done": self.done,
            "tokens": self.tokens,
            "krippendorff_alpha": self.alpha,
            "fleiss_kappa": self.fleiss,
            "pairs": [_pair_json(p) for p in self.pairs],
            "disagreements": [vars(d) for d in self.disagreements],
        }


def _pair_json(p: PairAgreement) -> dict[str, Any]:
    return {
        "reference": p.reference,
        "other": p.other,
        "articles": p.articles,
        "tokens": p.tokens,
        "cohen_kappa": p.kappa,
        "exact": p.exact.to_json(),
        "overlap": p.overlap.to_json(),
        "labels": [
            {"label": la.label, "exact": la.exact.to_json(), "overlap": la.overlap.to_json()}
            for la in p.labels
        ],
    }


# ---- reading ------------------------------------------------------------------------------------


def measure_agreement(
    conn: sqlite3.Connection,
    f: Filter,
    *,
    annotators: Sequence[str] | None = None,
    label: str | None = None,
    top: int = 10,
) -> Agreement:
    """The figures for the filtered articles, on a snapshot's connection."""
    layers = [(aid, who) for aid, who in q.done_layers(conn, f) if not is_review(who)]
    available = sorted({who for _, who in layers})
    wanted = _wanted(annotators, available)
    per_article: dict[int, list[str]] = defaultdict(list)
    for aid, who in layers:
        if who in wanted:
            per_article[aid].append(who)
    ids = sorted(aid for aid, names in per_article.items() if len(names) >= 2)
    articles = _articles(conn, ids, per_article, label)
    result = compute(articles, sorted(wanted), top=top)
    result.available, result.label = available, label
    return result


def _wanted(annotators: Sequence[str] | None, available: list[str]) -> set[str]:
    """The annotators to compare: all who finished something, or the named ones (checked)."""
    if annotators is None:
        return set(available)
    names = list(dict.fromkeys(check_annotator(name.strip()) for name in annotators))
    for name in names:
        if name not in available:
            known = ", ".join(available) or "none yet"
            raise UserError(
                f"--annotators: {name!r} finished no article (annotators who did: {known})"
            )
    if len(names) < 2:
        raise UserError("--annotators: name two or more annotators, separated by commas")
    return set(names)


def _articles(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    per_article: dict[int, list[str]],
    label: str | None,
) -> Iterator[ArticleLayers]:
    """Bodies and spans streamed side by side (both ordered by article id)."""
    spans = groupby(q.done_spans(conn, ids, label), key=itemgetter(0))
    pending = next(spans, None)
    for aid, body_start, body in q.bodies(conn, ids):
        layers: dict[str, list[Span3]] = {who: [] for who in per_article[aid]}
        while pending is not None and pending[0] < aid:
            pending = next(spans, None)
        if pending is not None and pending[0] == aid:
            end = body_start + len(body)
            for who, rows in groupby(pending[1], key=itemgetter(1)):
                if who in layers:
                    layers[who] = [r[2:] for r in rows if body_start <= r[2] and r[3] <= end]
            pending = next(spans, None)
        yield ArticleLayers(aid, body_start, body, layers)


# ---- computing ----------------------------------------------------------------------------------


@dataclass
class _PairTally:
    articles: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    reference: list[Item] = field(default_factory=list)
    other: list[Item] = field(default_factory=list)


def compute(
    articles: Iterable[ArticleLayers], annotators: Sequence[str], top: int = 10
) -> Agreement:
    """Every figure from the articles' layers (pure: the tests feed it by hand)."""
    names = sorted(annotators)
    compared = set(names)
    pairs = {pair: _PairTally() for pair in combinations(names, 2)}
    units: Counter[tuple[str, ...]] = Counter()  # sorted labels of a token -> tokens
    forms: Counter[tuple[str, str, str, str, str]] = Counter()
    first: dict[tuple[str, str, str, str, str], tuple[int, int]] = {}
    done: Counter[str] = Counter()
    count = 0
    for art in articles:
        present = sorted(who for who in art.layers if who in compared)
        if len(present) < 2:
            continue
        count += 1
        done.update(present)
        labels, n_tokens = token_labels(art, present)
        _tally_units(units, labels, present, n_tokens)
        for a, b in combinations(present, 2):
            tally = pairs[(a, b)]
            tally.articles += 1
            _tally_confusion(tally.confusion, labels, a, b, n_tokens)
            tally.reference.extend((art.article_id, s, e, lab) for s, e, lab in art.layers[a])
            tally.other.extend((art.article_id, s, e, lab) for s, e, lab in art.layers[b])
            _tally_forms(forms, first, art, a, b)
    return Agreement(
        available=names,
        annotators=names,
        articles=count,
        done=dict(sorted(done.items())),
        tokens=sum(units.values()),
        alpha=krippendorff_alpha(units),
        fleiss=fleiss_kappa(units),
        pairs=[_pair(a, b, t) for (a, b), t in pairs.items() if t.articles],
        disagreements=_top_forms(forms, first, top),
    )


def token_labels(
    art: ArticleLayers, present: Sequence[str]
) -> tuple[dict[int, dict[str, str]], int]:
    """{token start: {annotator: label}} for tokens some span overlaps, and the token count."""
    body, base = art.body, art.body_start
    labels: dict[int, dict[str, str]] = defaultdict(dict)
    for who in present:
        for start, end, label in art.layers[who]:
            lo = start - base
            if lo < len(body) and not body[lo].isspace():
                while lo > 0 and not body[lo - 1].isspace():  # back to the token's start
                    lo -= 1
            for token in _TOKEN.finditer(body, lo, end - base):  # those starting before end
                labels[token.start()].setdefault(who, label)
    return labels, len(body.split())


def _tally_units(
    units: Counter[tuple[str, ...]],
    labels: dict[int, dict[str, str]],
    present: Sequence[str],
    n_tokens: int,
) -> None:
    seen = Counter(tuple(by_who.get(who, OUTSIDE) for who in present) for by_who in labels.values())
    for pattern, times in seen.items():
        units[tuple(sorted(pattern))] += times
    units[(OUTSIDE,) * len(present)] += n_tokens - len(labels)


def _tally_confusion(
    confusion: Counter[tuple[str, str]],
    labels: dict[int, dict[str, str]],
    a: str,
    b: str,
    n_tokens: int,
) -> None:
    for by_who in labels.values():
        confusion[(by_who.get(a, OUTSIDE), by_who.get(b, OUTSIDE))] += 1
    confusion[(OUTSIDE, OUTSIDE)] += n_tokens - len(labels)


def _tally_forms(
    forms: Counter[tuple[str, str, str, str, str]],
    first: dict[tuple[str, str, str, str, str], tuple[int, int]],
    art: ArticleLayers,
    a: str,
    b: str,
) -> None:
    """Count each range one of the pair tagged where the other's label differs (or is none)."""
    of_a = {(s, e): lab for s, e, lab in art.layers[a]}
    of_b = {(s, e): lab for s, e, lab in art.layers[b]}
    for rng in sorted(of_a.keys() | of_b.keys()):
        la, lb = of_a.get(rng, UNTAGGED), of_b.get(rng, UNTAGGED)
        if la == lb:
            continue
        text = art.body[rng[0] - art.body_start : rng[1] - art.body_start]
        key = (text, a, b, la, lb)
        forms[key] += 1
        first.setdefault(key, (art.article_id, rng[0]))


def _top_forms(
    forms: Counter[tuple[str, str, str, str, str]],
    first: dict[tuple[str, str, str, str, str], tuple[int, int]],
    top: int,
) -> list[Disagreement]:
    ranked = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [Disagreement(*key, count, *first[key]) for key, count in ranked]


def _pair(a: str, b: str, tally: _PairTally) -> PairAgreement:
    by_label: dict[str, tuple[list[Item], list[Item]]] = defaultdict(lambda: ([], []))
    for item in tally.reference:
        by_label[item[3]][0].append(item)
    for item in tally.other:
        by_label[item[3]][1].append(item)
    rows = [
        LabelAgreement(lab, match(other, ref, "exact"), match(other, ref, "overlap"))
        for lab, (ref, other) in sorted(by_label.items())
    ]
    # matches never cross labels, so the overall counts are the per-label sums
    return PairAgreement(
        reference=a,
        other=b,
        articles=tally.articles,
        tokens=sum(tally.confusion.values()),
        kappa=cohen_kappa(tally.confusion),
        exact=sum((r.exact for r in rows), Scores()),
        overlap=sum((r.overlap for r in rows), Scores()),
        labels=rows,
    )


# ---- coefficients -------------------------------------------------------------------------------


def cohen_kappa(confusion: Counter[tuple[str, str]]) -> float | None:
    """(p_o - p_e) / (1 - p_e) from (label of a, label of b) -> tokens; None if p_e = 1."""
    n = sum(confusion.values())
    if not n:
        return None
    of_a: Counter[str] = Counter()
    of_b: Counter[str] = Counter()
    for (la, lb), k in confusion.items():
        of_a[la] += k
        of_b[lb] += k
    observed = sum(k for (la, lb), k in confusion.items() if la == lb) / n
    expected = sum(of_a[c] * of_b[c] for c in of_a) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Counter[tuple[str, ...]]) -> float | None:
    """Nominal alpha, 1 - (n - 1) · Σ_u (m_u² - Σ_c n_uc²) / (m_u - 1) / (n² - Σ_c n_c²).

    ``units`` maps each token's labels (one per annotator who finished its article) to how
    many tokens had them; tokens with fewer than two labels are not pairable and left out.
    None when every pairable value is the same label (no expected disagreement).
    """
    totals: Counter[str] = Counter()
    observed = 0.0
    for labels, times in units.items():
        m = len(labels)
        if m < 2 or not times:
            continue
        counts = Counter(labels)
        observed += times * (m * m - sum(k * k for k in counts.values())) / (m - 1)
        for label, k in counts.items():
            totals[label] += times * k
    n = sum(totals.values())
    expected = n * n - sum(k * k for k in totals.values())
    return None if not expected else 1 - (n - 1) * observed / expected


def fleiss_kappa(units: Counter[tuple[str, ...]]) -> float | None:
    """Fleiss' kappa when every token has the same number (≥ 2) of labels, else None."""
    sizes = {len(labels) for labels, times in units.items() if times}
    if len(sizes) != 1 or (m := sizes.pop()) < 2:
        return None
    n_units = sum(units.values())
    agree = 0.0
    totals: Counter[str] = Counter()
    for labels, times in units.items():
        counts = Counter(labels)
        agree += times * (sum(k * k for k in counts.values()) - m) / (m * (m - 1))
        for label, k in counts.items():
            totals[label] += times * k
    observed = agree / n_units
    expected = sum((k / (n_units * m)) ** 2 for k in totals.values())
    return None if expected == 1 else (observed - expected) / (1 - expected)
