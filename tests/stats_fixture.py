"""A small corpus with known figures for the stats tests (every number is worked out below).

Articles (whole text is body):
  1 done, 2024-03-05, annotator an: ORG "Tỉnh ủy Hà Giang" (2nd occurrence; the title's one
    is left untagged), FIGURE "Nguyễn Văn Hòa", RESOLUTION "Nghị quyết số 37"
  2 done, 2024-03-20, annotator binh, new-style tones: ORG "Tỉnh uỷ Hà Giang" (1st; the 2nd is
    untagged), ORG "Nguyễn Văn Hoà" (the same form as article 1's FIGURE), RESOLUTION
  3 in progress, 2024-04-02, annotator an: ORG "Chi bộ thôn Úc"; "Nghị quyết số 37" untagged,
    "Nghị quyết số 370" is another form
  4 new, 2024-04-10: mentions forms but is not worked on, so never "untagged elsewhere"
  5 skipped, no date
Actions: article 1's three on 2024-05-01, article 2's three and article 3's one on 2024-05-03.
Suggestions (decisions and where they lie against the spans):
  gazetteer ORGANIZATION accepted (an) article 1 "Tỉnh ủy Hà Giang" (2nd): exactly the span
  gazetteer ORGANIZATION accepted (binh) article 2 "Tỉnh uỷ Hà Giang" (1st): exactly the span
  gazetteer ORGANIZATION rejected (binh) article 2 "Đồng chí Nguyễn Văn Hoà": overlaps the
    ORGANIZATION span "Nguyễn Văn Hoà", not exact
  gazetteer ORGANIZATION pending article 3 "Chi bộ thôn Úc": exact, but article 3 is not done
  ner FIGURE pending article 1 "Đồng chí Nguyễn Văn Hòa": overlaps the FIGURE span, not exact
"""

from __future__ import annotations

from dataclasses import dataclass

from partybuild_tui.core.store import Store

TEXTS = {
    1: "Hội nghị Tỉnh ủy Hà Giang\n"
    "Đồng chí Nguyễn Văn Hòa phát biểu tại Tỉnh ủy Hà Giang về Nghị quyết số 37.",
    2: "Tỉnh uỷ Hà Giang triển khai Nghị quyết số 37\n"
    "Đồng chí Nguyễn Văn Hoà chủ trì. Tỉnh uỷ Hà Giang giao nhiệm vụ.",
    3: "Chi bộ thôn Úc họp bàn về Nghị quyết số 37.\nNghị quyết số 370 chưa bàn.",
    4: "Tỉnh ủy Hà Giang và Nguyễn Văn Hòa.",
    5: "Quảng cáo",
}
META = {
    1: ("Hội nghị Tỉnh ủy Hà Giang", "2024-03-05T08:00", "done"),
    2: ("Tỉnh uỷ Hà Giang triển khai", "2024-03-20", "done"),
    3: ("Chi bộ thôn Úc họp", "2024-04-02", "in_progress"),
    4: ("Tin khác", "2024-04-10", "new"),
    5: ("Quảng cáo", None, "skipped"),
}


@dataclass(frozen=True)
class Fixture:
    ids: dict[int, int]  # fixture number -> article id

    def offset(self, number: int, form: str, nth: int = 0) -> int:
        text = TEXTS[number]
        pos = -1
        for _ in range(nth + 1):
            pos = text.index(form, pos + 1)
        return pos


def _tag(
    store: Store, article_id: int, number: int, form: str, label: str, who: str, nth: int = 0
) -> None:
    pos = Fixture({}).offset(number, form, nth)
    store.tag(article_id, pos, pos + len(form), label, who)


def build(store: Store) -> Fixture:
    ids = {}
    for number, text in TEXTS.items():
        title, date, status = META[number]
        with store.write():
            ids[number] = store.insert_article(
                {
                    "key": f"k{number}",
                    "title": title,
                    "date": date,
                    "text": text,
                    "raw_text": text,
                    "content_hash": f"h{number}",
                    "body_start": 0,
                    "body_end": len(text),
                }
            )
    a1, a2, a3 = ids[1], ids[2], ids[3]
    _tag(store, a1, 1, "Tỉnh ủy Hà Giang", "ORGANIZATION", "an", nth=1)
    _tag(store, a1, 1, "Nguyễn Văn Hòa", "FIGURE", "an")
    _tag(store, a1, 1, "Nghị quyết số 37", "RESOLUTION", "an")
    _tag(store, a2, 2, "Tỉnh uỷ Hà Giang", "ORGANIZATION", "binh")
    _tag(store, a2, 2, "Nguyễn Văn Hoà", "ORGANIZATION", "binh")
    _tag(store, a2, 2, "Nghị quyết số 37", "RESOLUTION", "binh")
    _tag(store, a3, 3, "Chi bộ thôn Úc", "ORGANIZATION", "an")
    taggers = {1: "an", 2: "binh", 3: "an"}  # each status is in the layer of who worked there
    for number, (_title, _date, status) in META.items():
        store.set_status(ids[number], status, taggers.get(number, "an"), record=False)
    with store.write() as conn:
        conn.execute(
            "UPDATE actions SET created_at = CASE article_id WHEN ? THEN "
            "'2024-05-01T09:00:00.000+00:00' ELSE '2024-05-03T14:30:00.000+00:00' END",
            (a1,),
        )
        rows = [
            (a1, 1, "Tỉnh ủy Hà Giang", 1, "gazetteer", "ORGANIZATION", "accepted", "an"),
            (a2, 2, "Tỉnh uỷ Hà Giang", 0, "gazetteer", "ORGANIZATION", "accepted", "binh"),
            (a2, 2, "Đồng chí Nguyễn Văn Hoà", 0, "gazetteer", "ORGANIZATION", "rejected", "binh"),
            (a3, 3, "Chi bộ thôn Úc", 0, "gazetteer", "ORGANIZATION", "pending", None),
            (a1, 1, "Đồng chí Nguyễn Văn Hòa", 0, "ner", "FIGURE", "pending", None),
        ]
        for article_id, number, form, nth, source, label, status, who in rows:
            start = Fixture({}).offset(number, form, nth)
            cursor = conn.execute(
                'INSERT INTO suggestions (article_id, source, source_version, start, "end", '
                "label, text, created_at) VALUES (?, ?, '1', ?, ?, ?, ?, '2024-05-01')",
                (article_id, source, start, start + len(form), label, form),
            )
            if who is not None:  # a decision is its decider's layer's
                conn.execute(
                    "INSERT INTO suggestion_decisions (suggestion_id, annotator, status, "
                    "decided_at) VALUES (?, ?, ?, '2024-05-01')",
                    (cursor.lastrowid, who, status),
                )
    return Fixture(ids)
