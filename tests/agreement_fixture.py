"""Three annotators on a few short articles, with every agreement figure worked out by hand.

Tokens are whitespace syllables of the body; labels ORG = ORGANIZATION, FIG = FIGURE,
RES = RESOLUTION.

Article 1 (body = text), 9 tokens "Tỉnh ủy Hà Giang họp với Nguyễn Văn Hòa", done by lan, minh,
hoa (and by the review layer "review:lan", which never counts):
  lan:  ORG "Tỉnh ủy Hà Giang", FIG "Nguyễn Văn Hòa"
  hoa:  the same as lan
  minh: ORG "Tỉnh ủy Hà Giang", FIG "Văn Hòa"  (overlaps lan's FIG, not exact)
Article 2, text "Tin\\n" + body, body from offset 4, 9 tokens
"Nghị quyết số 37 của Chi bộ thôn Úc", done by lan and minh:
  lan:  ORG "Tin" (in the header: outside the body, left out), RES "Nghị quyết số 37",
        ORG "Chi bộ thôn Úc"
  minh: FIG "Chi bộ thôn Úc"
Article 3: done by lan only; minh tagged it but is still in progress: left out.

lan (reference) vs minh, articles 1 and 2:
  spans lan 4, minh 3. Exact matches 1 (A1 ORG): P 1/3, R 1/4, F1 2·(1/12)/(7/12) = 2/7.
  Overlap matches 2 (+ A1 FIG): P 2/3, R 1/2, F1 (2/3)/(7/6) = 4/7.
  ORG: lan 2, minh 1, 1 match (exact and overlap): P 1, R 1/2.
  FIG: lan 1, minh 2; exact 0; overlap 1: P 1/2, R 1.   RES: lan 1, minh 0: P null, R 0.
  Tokens (18): A1 (ORG,ORG)×4 (O,O)×2 (FIG,O)×1 (FIG,FIG)×2; A2 (RES,O)×4 (O,O)×1 (ORG,FIG)×4.
  p_o = 9/18. Marginals lan ORG 8 O 3 FIG 3 RES 4; minh ORG 4 O 8 FIG 6.
  p_e = (32 + 24 + 18) / 324 = 37/162; κ = (81 - 37) / (162 - 37) = 44/125 = 0.352.
hoa (reference) vs lan, article 1: identical: P = R = F1 = 1, κ = 1.
hoa vs minh, article 1: exact 1 of 2 each way (P = R = 1/2), overlap 2 (P = R = 1).
  Tokens (9): p_o = 8/9; marginals hoa ORG 4 O 2 FIG 3, minh ORG 4 O 3 FIG 2;
  p_e = (16 + 6 + 6) / 81 = 28/81; κ = (72 - 28) / (81 - 28) = 44/53.
Krippendorff's alpha, all three (n = 27 + 18 = 45 values): observed Σ_u (m² - Σ n_uc²)/(m-1)
  = A1's token "Nguyễn" (FIG, FIG, O): (9 - 5)/2 = 2, plus A2's 8 split tokens × 2 = 18;
  n_c ORG 16, O 13, FIG 12, RES 4: Σ n_c² = 585; α = 1 - 44 · 18 / (2025 - 585) = 0.45.
  Fleiss' kappa: undefined (article 1 has three annotators, article 2 two).
lan and minh only (n = 36): observed 9 split tokens × 2 = 18; n_c ORG 12, O 11, FIG 9, RES 4,
  Σ n_c² = 362; α = 1 - 35 · 18 / (1296 - 362) = 152/467.
  Fleiss (m = 2): P̄ = 9/18; P_e = 362/1296; κ = (324 - 181) / (648 - 181) = 143/467.
Disagreements of lan vs minh (each once): "Chi bộ thôn Úc" ORG/FIG, "Nghị quyết số 37"
  RES/untagged, "Nguyễn Văn Hòa" FIG/untagged, "Văn Hòa" untagged/FIG.
"""

from __future__ import annotations

from partybuild_tui.core.store import Store

TEXTS = {
    1: ("Tỉnh ủy Hà Giang họp với Nguyễn Văn Hòa", 0),
    2: ("Tin\nNghị quyết số 37 của Chi bộ thôn Úc", 4),
    3: ("Đồng chí Lê Văn An phát biểu", 0),
}
TAGS = [
    (1, "Tỉnh ủy Hà Giang", "ORGANIZATION", ("lan", "minh", "hoa", "review:lan")),
    (1, "Nguyễn Văn Hòa", "FIGURE", ("lan", "hoa")),
    (1, "Văn Hòa", "FIGURE", ("minh",)),
    (2, "Tin", "ORGANIZATION", ("lan",)),
    (2, "Nghị quyết số 37", "RESOLUTION", ("lan",)),
    (2, "Chi bộ thôn Úc", "ORGANIZATION", ("lan",)),
    (2, "Chi bộ thôn Úc", "FIGURE", ("minh",)),
    (3, "Lê Văn An", "FIGURE", ("lan", "minh")),
]
DONE = {1: ("lan", "minh", "hoa", "review:lan"), 2: ("lan", "minh"), 3: ("lan",)}


def build(store: Store) -> dict[int, int]:
    """The fixture's articles, spans and statuses; fixture number -> article id."""
    ids = {}
    for number, (text, body_start) in TEXTS.items():
        with store.write():
            ids[number] = store.insert_article(
                {
                    "key": f"k{number}",
                    "title": f"Bài {number}",
                    "date": "2024-03-05",
                    "text": text,
                    "raw_text": text,
                    "content_hash": f"agreement{number}",
                    "body_start": body_start,
                    "body_end": len(text),
                }
            )
    for number, form, label, who in TAGS:
        start = TEXTS[number][0].index(form)
        for name in who:
            store.tag(ids[number], start, start + len(form), label, name)
    for number, names in DONE.items():
        for name in names:
            store.set_status(ids[number], "done", name)
    store.set_status(ids[3], "in_progress", "minh")
    return ids
