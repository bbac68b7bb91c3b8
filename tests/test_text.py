"""Surface-form matching: NFC/NFD, old/new tone placement, case and spacing are one form."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from partybuild_tui.core.text import (
    find_form,
    fold_tones,
    form_pattern,
    search_fold,
    surface_key,
    tone_position,
    tone_variants,
)

SAME = [
    ("hoà", "hòa"),
    ("thuỷ", "thủy"),
    ("khoẻ", "khỏe"),
    ("oà", "òa"),
    ("oá", "óa"),
    ("oả", "ỏa"),
    ("oã", "õa"),
    ("oạ", "ọa"),
    ("oè", "òe"),
    ("uỳ", "ùy"),
    ("uý", "úy"),
    ("uỷ", "ủy"),
    ("uỹ", "ũy"),
    ("uỵ", "ụy"),
    ("Tỉnh uỷ Hà Giang", "tỉnh ủy hà giang"),
    ("Nguyễn Văn Hoà", "Nguyễn  Văn\nHòa"),
    ("HOÀ BÌNH", "Hòa Bình"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_form(a: str, b: str) -> None:
    assert surface_key(a) == surface_key(b)


@pytest.mark.parametrize(("a", "b"), SAME)
def test_nfd_is_nfc(a: str, b: str) -> None:
    assert surface_key(unicodedata.normalize("NFD", a)) == surface_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("hòa", "hóa"), ("hoa", "hòa"), ("thủy", "thuỳ"), ("Hà Giang", "Hà Giang Tây"), ("đa", "da")],
)
def test_different_forms(a: str, b: str) -> None:
    assert surface_key(a) != surface_key(b)


@pytest.mark.parametrize(
    ("old", "new"),
    [("hòa", "hoà"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"), ("Hòa Bình", "Hoà Bình")],
)
def test_fold_tones_both_styles(old: str, new: str) -> None:
    for text in (old, new, unicodedata.normalize("NFD", new)):
        assert fold_tones(text) == old
        assert fold_tones(text, new_style=True) == new


@pytest.mark.parametrize(
    "word",
    ["quý", "người", "giữ", "gì", "thuở", "hoàn", "toán", "khuỷu", "Quỳnh", "mùa", "tiến", "yếu"],
)
def test_tone_position_unchanged_where_styles_agree(word: str) -> None:
    assert fold_tones(word) == word
    assert fold_tones(word, new_style=True) == word


def test_tone_position_rules() -> None:
    assert tone_position("hoa") == 1
    assert tone_position("hoa", new_style=True) == 2
    assert tone_position("quy") == 2  # qu is a consonant
    assert tone_position("gia") == 2  # gi is a consonant before a vowel
    assert tone_position("thuơng") == 3  # a vowel with a quality mark takes it
    assert tone_position("toan") == 2  # closed syllable: the last vowel
    assert tone_position("nguoi") == 3
    assert tone_position("bcd") is None


def test_tone_variants() -> None:
    assert tone_variants("hoà") == {"hòa", "hoà"}
    assert tone_variants("Thuỷ") == {"Thủy", "Thuỷ"}
    assert tone_variants("Hà") == {"Hà"}


def test_form_pattern_whole_syllables() -> None:
    raw = "Nghị quyết số 370 và Nghị quyết số 37, nghị  quyết số 37."
    found = list(find_form(form_pattern("Nghị quyết số 37"), raw))
    second = raw.index("nghị  quyết")
    assert found == [(21, 37), (second, second + 17)]


def test_form_pattern_any_tone_style_and_case() -> None:
    raw = "Tỉnh ủy, TỈNH UỶ, tỉnh uỷ và Tỉnh ủy viên; Tỉnh ủyên"
    found = [raw[s:e] for s, e in find_form(form_pattern("Tỉnh uỷ"), raw)]
    assert found == ["Tỉnh ủy", "TỈNH UỶ", "tỉnh uỷ", "Tỉnh ủy"]


def test_find_form_skips_hits_inside_words_without_missing_overlaps() -> None:
    pattern = form_pattern("a a")
    assert list(find_form(pattern, "ba a a")) == [(3, 6)]
    assert list(find_form(pattern, "xa a", 1)) == []  # the letter before start still counts
    assert list(find_form(pattern, "a a a a", 0, 5)) == [(0, 3)]


@given(hs.text(alphabet=hs.characters(codec="utf-8"), max_size=60))
def test_search_fold_keeps_nfc_length(text: str) -> None:
    assert len(search_fold(text)) == len(unicodedata.normalize("NFC", text))


@given(hs.text(alphabet=hs.characters(codec="utf-8"), max_size=40))
def test_surface_key_is_idempotent(text: str) -> None:
    key = surface_key(text)
    assert surface_key(key) == key


@given(hs.sampled_from([a for a, _ in SAME]), hs.sampled_from(["", "x ", "Ông "]))
def test_form_pattern_finds_every_spelling(form: str, before: str) -> None:
    for spelling in (form, fold_tones(form), fold_tones(form, new_style=True), form.upper()):
        text = f"{before}{spelling} ."
        assert list(find_form(form_pattern(form), text)) == [
            (len(before), len(before) + len(spelling))
        ]


def test_find_plain_ignores_marks_and_wraps() -> None:
    from partybuild_tui.core.text import find_plain, plain_fold

    text = "Đảng ủy xã họp. Sau đó Đảng Ủy Xã Tân Lập ra Nghị quyết."
    assert plain_fold(text) == "dang uy xa hop. sau do dang uy xa tan lap ra nghi quyet."
    first = find_plain(text, "dang uy xa")
    assert first == (0, 10)
    second = find_plain(text, "dang  uy xa", first[0])
    assert second is not None and text[second[0] : second[1]] == "Đảng Ủy Xã"
    assert find_plain(text, "dang uy xa", second[0]) == first  # wraps to the top
    assert find_plain(text, "nghi quyet") is not None
    assert find_plain(text, "chi bo") is None and find_plain(text, "  ") is None


def test_plain_fold_is_the_per_character_fold() -> None:
    """The translate table gives what folding each NFC character on its own gives."""
    import unicodedata

    from partybuild_tui.core.text import _plain, plain_fold

    chars = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000)
    text = unicodedata.normalize("NFC", chars + "Nghị quyết Đảng ủy TP.HCM")
    expected = "".join(_plain(c) if ord(c) > 127 else c.lower() for c in text)
    assert plain_fold(text) == expected and len(plain_fold(text)) == len(text)
