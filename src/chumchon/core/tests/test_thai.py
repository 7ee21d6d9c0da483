"""Thai dates, money words, national IDs, sorting and search keys."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from chumchon.core.thai import (
    BE_OFFSET,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    ThaiDateError,
    baht_text,
    be_year,
    fiscal_year,
    fiscal_year_bounds,
    format_baht,
    format_be_date,
    format_be_datetime,
    format_national_id,
    is_valid_national_id,
    mask_national_id,
    national_id_check_digit,
    national_id_error,
    normalize_national_id,
    parse_be_date,
    parse_be_partial_date,
    search_key,
    strip_title,
    thai_compare,
    thai_sort_key,
    to_arabic_digits,
    to_thai_digits,
)
from chumchon.core.thai_forms import (
    BEDateField,
    BEDateInput,
    NationalIDField,
    PartialBEDateField,
    validate_national_id,
)

VALID_ID = "1234567890121"  # by hand: 1*13 + 2*12 + ... + 2*2 = 352; (11 - 352 % 11) % 10 = 1

# --------------------------------------------------------------------------------------------
# Names and digits
# --------------------------------------------------------------------------------------------


def test_month_names_are_complete_and_in_order():
    assert len(THAI_MONTHS) == 12 and len(THAI_MONTHS_ABBR) == 12
    assert THAI_MONTHS[0] == "มกราคม" and THAI_MONTHS[-1] == "ธันวาคม"
    assert THAI_MONTHS_ABBR == (
        "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
        "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
    )  # fmt: skip


def test_converts_between_thai_and_arabic_digits():
    assert to_arabic_digits("๒๒/๑๑/๒๕๖๙") == "22/11/2569"
    assert to_thai_digits("22/11/2569") == "๒๒/๑๑/๒๕๖๙"
    assert to_arabic_digits("abc ๐") == "abc 0"


# --------------------------------------------------------------------------------------------
# Showing dates
# --------------------------------------------------------------------------------------------


def test_be_year_adds_543():
    assert be_year(date(2026, 11, 22)) == 2569
    assert BE_OFFSET == 543


def test_formats_be_date_in_three_styles():
    d = date(2026, 11, 22)
    assert format_be_date(d) == "22 พ.ย. 2569"
    assert format_be_date(d, "long") == "22 พฤศจิกายน พ.ศ. 2569"
    assert format_be_date(d, "numeric") == "22/11/2569"
    assert format_be_date(date(2026, 1, 2), "numeric") == "02/01/2569"
    assert format_be_date(None) == ""


def test_formats_aware_datetime_in_bangkok_time():
    utc = datetime(2026, 11, 22, 7, 5, tzinfo=UTC)
    assert format_be_datetime(utc) == "22 พ.ย. 2569 14:05 น."
    late = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # already the 23rd in Bangkok
    assert format_be_datetime(late) == "23 พ.ย. 2569 03:00 น."
    assert format_be_date(late) == "23 พ.ย. 2569"


def test_formats_naive_datetime_as_written():
    assert format_be_datetime(datetime(2026, 11, 22, 14, 5)) == "22 พ.ย. 2569 14:05 น."


# --------------------------------------------------------------------------------------------
# Reading dates
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "22/11/2569",
        "22-11-2569",
        "22.11.2569",
        "22 11 2569",
        "  22/11/2569  ",
        "22 / 11 / 2569",
        "22 พ.ย. 2569",
        "22 พย 2569",
        "22 พฤศจิกายน 2569",
        "22 พฤศจิกายน พ.ศ. 2569",
        "22 พ.ย. พ.ศ.2569",
        "วันที่ 22 พฤศจิกายน 2569",
    ],
)
def test_reads_be_date_in_common_forms(text):
    assert parse_be_date(text) == date(2026, 11, 22)


def test_reads_thai_digits_as_be_date():
    assert parse_be_date("๒๒/๑๑/๒๕๖๙") == date(2026, 11, 22)
    assert parse_be_date("๑ ม.ค. ๒๕๐๐") == date(1957, 1, 1)


def test_reads_single_digit_day_and_month():
    assert parse_be_date("1/2/2569") == date(2026, 2, 1)


def test_refuses_ce_year_with_thai_message():
    with pytest.raises(ThaiDateError) as e:
        parse_be_date("22/11/2026")
    assert str(e.value) == "ปี 2026 ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. เช่น 2569"


def test_refuses_year_marked_ce():
    with pytest.raises(ThaiDateError, match=re.escape("ค.ศ.")):
        parse_be_date("22 พ.ย. ค.ศ. 2026")


def test_refuses_two_digit_year_as_ambiguous():
    with pytest.raises(ThaiDateError) as e:
        parse_be_date("22/11/69")
    assert "69" in str(e.value) and "4 หลัก" in str(e.value)


@pytest.mark.parametrize("text", ["31/02/2569", "29/02/2569", "31/04/2569", "0/1/2569"])
def test_refuses_impossible_date_with_clear_message(text):
    with pytest.raises(ThaiDateError) as e:
        parse_be_date(text)
    assert "ไม่มีวันที่" in str(e.value)


def test_names_the_month_length_when_day_is_impossible():
    with pytest.raises(ThaiDateError) as e:
        parse_be_date("29/02/2569")
    assert str(e.value).startswith("ไม่มีวันที่ 29 ในเดือนกุมภาพันธ์ พ.ศ. 2569 (เดือนนี้มี 28 วัน)")


def test_accepts_29_february_of_a_leap_year():
    assert parse_be_date("29/02/2567") == date(2024, 2, 29)


def test_refuses_month_13():
    with pytest.raises(ThaiDateError, match="เดือนต้องอยู่ระหว่าง 1 ถึง 12"):
        parse_be_date("1/13/2569")


@pytest.mark.parametrize("text", ["", "   ", "abc", "22/11", "22 ธันวา 2569", "22//11/2569"])
def test_refuses_garbage_with_the_expected_form(text):
    with pytest.raises(ThaiDateError) as e:
        parse_be_date(text)
    assert str(e.value).startswith("อ่านวันที่ไม่ออก")
    assert "กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. เช่น 22/11/2569" in str(e.value)


def test_shows_what_was_typed_in_garbage_message():
    with pytest.raises(ThaiDateError, match="abc"):
        parse_be_date("abc")


@pytest.mark.parametrize("text", ["22/11/2701", "22/11/3000", "22/11/1799", "22/11/25690"])
def test_refuses_years_outside_be_range(text):
    with pytest.raises(ThaiDateError):
        parse_be_date(text)


def test_date_error_is_a_value_error():
    assert issubclass(ThaiDateError, ValueError)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2157, 12, 31)))
def test_numeric_be_date_round_trips(d):
    # The accepted BE years (2400-2700) are 1857-2157 CE, so the round trip covers 1900-2157.
    assert parse_be_date(format_be_date(d, "numeric")) == d
    assert parse_be_date(format_be_date(d, "short")) == d
    assert parse_be_date(format_be_date(d, "long")) == d
    assert parse_be_date(to_thai_digits(format_be_date(d, "numeric"))) == d


@given(st.dates(min_value=date(2158, 1, 1), max_value=date(2200, 12, 31)))
def test_refuses_dates_past_the_be_range(d):
    with pytest.raises(ThaiDateError):
        parse_be_date(format_be_date(d, "numeric"))


@given(st.text(max_size=20))
def test_never_returns_a_be_year_as_ce(text):
    try:
        d = parse_be_date(text)
    except ThaiDateError as e:
        assert str(e)
    else:
        assert d.year < 2400


def test_reads_year_only_birth_date():
    assert parse_be_partial_date("2490") == (None, 1947)
    assert parse_be_partial_date("พ.ศ. 2490") == (None, 1947)
    assert parse_be_partial_date(" พ.ศ.๒๔๙๐ ") == (None, 1947)


def test_reads_full_birth_date_with_its_year():
    assert parse_be_partial_date("22/11/2490") == (date(1947, 11, 22), 1947)


@pytest.mark.parametrize("text", ["1947", "90", "ค.ศ. 1947", "abc", ""])
def test_refuses_bad_partial_dates(text):
    with pytest.raises(ThaiDateError):
        parse_be_partial_date(text)


# --------------------------------------------------------------------------------------------
# Fiscal years
# --------------------------------------------------------------------------------------------


def test_government_fiscal_year_starts_in_october():
    assert fiscal_year(date(2025, 10, 1)) == 2569
    assert fiscal_year(date(2026, 9, 30)) == 2569
    assert fiscal_year(date(2026, 10, 1)) == 2570
    assert fiscal_year_bounds(2569) == (date(2025, 10, 1), date(2026, 9, 30))


def test_fiscal_year_with_other_start_months():
    assert fiscal_year(date(2026, 3, 31), start_month=4) == 2569
    assert fiscal_year(date(2026, 4, 1), start_month=4) == 2570
    assert fiscal_year_bounds(2570, start_month=4) == (date(2026, 4, 1), date(2027, 3, 31))
    assert fiscal_year(date(2026, 12, 31), start_month=1) == 2569
    assert fiscal_year_bounds(2569, start_month=1) == (date(2026, 1, 1), date(2026, 12, 31))


def test_refuses_impossible_start_month():
    with pytest.raises(ValueError):
        fiscal_year(date(2026, 1, 1), start_month=13)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_fiscal_year_follows_the_october_rule(d):
    expected = be_year(d) + (1 if d.month >= 10 else 0)
    assert fiscal_year(d) == expected
    start, end = fiscal_year_bounds(fiscal_year(d))
    assert start <= d <= end
    assert fiscal_year(start) == fiscal_year(end) == expected
    assert fiscal_year(start - timedelta(days=1)) == expected - 1


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=1, max_value=12),
)
def test_fiscal_year_bounds_contain_the_date_for_any_start(d, start_month):
    fy = fiscal_year(d, start_month=start_month)
    start, end = fiscal_year_bounds(fy, start_month=start_month)
    assert start <= d <= end
    assert end.year + BE_OFFSET == fy
    assert start.month == start_month and start.day == 1


# --------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (100, "หนึ่งร้อยบาทถ้วน"),
        (Decimal("11.50"), "สิบเอ็ดบาทห้าสิบสตางค์"),
        (21, "ยี่สิบเอ็ดบาทถ้วน"),
        (101, "หนึ่งร้อยเอ็ดบาทถ้วน"),
        (10, "สิบบาทถ้วน"),
        (1, "หนึ่งบาทถ้วน"),
        (20, "ยี่สิบบาทถ้วน"),
        (1_000_001, "หนึ่งล้านเอ็ดบาทถ้วน"),
        (1_000_000, "หนึ่งล้านบาทถ้วน"),
        (11_000_000, "สิบเอ็ดล้านบาทถ้วน"),
        (10_000_000, "สิบล้านบาทถ้วน"),
        (100_000_000, "หนึ่งร้อยล้านบาทถ้วน"),
        (21_000_021, "ยี่สิบเอ็ดล้านยี่สิบเอ็ดบาทถ้วน"),
        (10**12, "หนึ่งล้านล้านบาทถ้วน"),
        (1_000_001_000_000, "หนึ่งล้านเอ็ดล้านบาทถ้วน"),
        (0, "ศูนย์บาทถ้วน"),
        (Decimal("0.50"), "ห้าสิบสตางค์"),
        (Decimal("0.01"), "หนึ่งสตางค์"),
        (Decimal("0.21"), "ยี่สิบเอ็ดสตางค์"),
        (Decimal("1.01"), "หนึ่งบาทหนึ่งสตางค์"),
        (Decimal("-5"), "ลบห้าบาทถ้วน"),
        (Decimal("-0.50"), "ลบห้าสิบสตางค์"),
        (Decimal("5.000"), "ห้าบาทถ้วน"),
        (Decimal("-0.00"), "ศูนย์บาทถ้วน"),
        (Decimal("1E+3"), "หนึ่งพันบาทถ้วน"),
        ("1,234.05", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสตางค์"),
        (123_456, "หนึ่งแสนสองหมื่นสามพันสี่ร้อยห้าสิบหกบาทถ้วน"),
    ],
)
def test_writes_baht_in_words(amount, words):
    assert baht_text(amount) == words


def test_refuses_more_than_two_decimal_places_in_words():
    with pytest.raises(ValueError):
        baht_text(Decimal("1.005"))
    with pytest.raises(ValueError):
        baht_text("0.001")


def test_refuses_float_amounts_in_words():
    with pytest.raises(TypeError):
        baht_text(1.5)  # type: ignore[arg-type]


def test_refuses_non_numbers_in_words():
    with pytest.raises(ValueError):
        baht_text("หนึ่งร้อย")
    with pytest.raises(ValueError):
        baht_text(Decimal("NaN"))


def test_integer_words_agree_with_pythainlp_below_a_million_million():
    from pythainlp.util import num_to_thaiword

    rnd = random.Random(2569)
    samples = [*range(0, 1200), *(rnd.randrange(1, 10**12) for _ in range(3000))]
    for n in samples:
        if n == 0:
            continue
        assert baht_text(n) == num_to_thaiword(n) + "บาทถ้วน", n


_UNITS = {"หนึ่ง": 1, "เอ็ด": 1, "สอง": 2, "ยี่": 2, "สาม": 3, "สี่": 4, "ห้า": 5}
_UNITS |= {"หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9}
_PLACES = {"สิบ": 10, "ร้อย": 100, "พัน": 1000, "หมื่น": 10**4, "แสน": 10**5}
_TOKEN_RE = re.compile("|".join(sorted([*_UNITS, *_PLACES, "ล้าน"], key=len, reverse=True)))


def _read_thai_number(words: str) -> int:
    """A small reader of Thai number words, to check baht_text from the other side."""
    tokens = _TOKEN_RE.findall(words)
    assert "".join(tokens) == words, words
    total = 0  # millions already closed
    group = 0
    digit = None
    for tok in tokens:
        if tok in _UNITS:
            digit = _UNITS[tok]
        elif tok in _PLACES:
            group += (1 if digit is None else digit) * _PLACES[tok]
            digit = None
        else:  # ล้าน
            group += digit or 0
            digit = None
            total = (total + group) * 10**6
            group = 0
    return total + group + (digit or 0)


def _read_baht_text(text: str) -> Decimal:
    sign = -1 if text.startswith("ลบ") else 1
    text = text.removeprefix("ลบ")
    if text == "ศูนย์บาทถ้วน":
        return Decimal(0)
    baht, satang = 0, 0
    if text.endswith("บาทถ้วน"):
        baht = _read_thai_number(text.removesuffix("บาทถ้วน"))
    elif "บาท" in text:
        b, s = text.removesuffix("สตางค์").split("บาท")
        baht, satang = _read_thai_number(b), _read_thai_number(s)
    else:
        satang = _read_thai_number(text.removesuffix("สตางค์"))
    return sign * (Decimal(baht) + Decimal(satang) / 100)


@given(
    st.decimals(
        min_value=Decimal(-(10**12)),
        max_value=Decimal(10**12),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_baht_text_reads_back_to_the_amount(amount):
    text = baht_text(amount)
    assert text.endswith(("ถ้วน", "สตางค์"))
    satang = abs(amount) % 1
    if satang:
        assert text.endswith("สตางค์")
        assert not text.endswith("ถ้วน")
    else:
        assert text.endswith("บาทถ้วน")
    assert _read_baht_text(text) == amount


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("-1234"), "-1,234.00"),
        (Decimal("0.005"), "0.01"),
        (Decimal("2.345"), "2.35"),
        (Decimal("-2.345"), "-2.35"),
        (Decimal("-0.001"), "0.00"),
        (0, "0.00"),
        (Decimal("12345678901234567890.125"), "12,345,678,901,234,567,890.13"),
    ],
)
def test_formats_baht_with_separators_and_two_places(amount, text):
    assert format_baht(amount) == text


def test_formats_baht_with_other_places():
    assert format_baht(Decimal("1234.5"), places=0) == "1,235"


# --------------------------------------------------------------------------------------------
# National ID numbers
# --------------------------------------------------------------------------------------------


def test_normalizes_typed_national_id():
    assert normalize_national_id(" 1-2345-67890-12-1 ") == VALID_ID
    assert normalize_national_id("1 2345 67890 12 1") == VALID_ID
    assert normalize_national_id("1.2345.67890.12.1") == VALID_ID
    assert normalize_national_id("๑๒๓๔๕๖๗๘๙๐๑๒๑") == VALID_ID
    assert normalize_national_id("12345\u200b67890121") == VALID_ID
    assert normalize_national_id("123") == "123"


def test_computes_check_digit():
    assert national_id_check_digit("123456789012") == 1
    with pytest.raises(ValueError):
        national_id_check_digit("12345")


def test_accepts_valid_national_id_in_any_typed_form():
    assert is_valid_national_id(VALID_ID)
    assert is_valid_national_id("1-2345-67890-12-1")
    assert is_valid_national_id("๑-๒๓๔๕-๖๗๘๙๐-๑๒-๑")
    assert national_id_error(VALID_ID) is None


def test_accepts_national_id_with_leading_zero():
    first12 = "012345678901"
    assert is_valid_national_id(first12 + str(national_id_check_digit(first12)))


def test_explains_bad_check_digit():
    assert not is_valid_national_id("1234567890124")
    assert national_id_error("1234567890124") == (
        "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง"
    )


def test_tells_how_many_digits_were_typed():
    message = national_id_error("1-2345-67890")
    assert message is not None and "13 หลัก" in message and "10 หลัก" in message


def test_says_national_id_must_be_digits():
    message = national_id_error("12345678901ab")
    assert message is not None and "ตัวเลข" in message


def test_formats_and_masks_national_id():
    assert format_national_id(VALID_ID) == "1-2345-67890-12-1"
    assert format_national_id(" 123 ") == "123"
    assert mask_national_id(VALID_ID) == "X-XXXX-XXXX0-12-1"
    assert mask_national_id("1-2345-67890-12-1") == "X-XXXX-XXXX0-12-1"
    assert mask_national_id("") == ""


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_check_digit_makes_any_twelve_digits_valid(first12):
    full = first12 + str(national_id_check_digit(first12))
    assert is_valid_national_id(full)
    assert mask_national_id(full).endswith(full[-1])
    assert normalize_national_id(format_national_id(full)) == full


@given(
    st.text(alphabet="0123456789", min_size=12, max_size=12),
    st.integers(min_value=0, max_value=12),
    st.integers(min_value=1, max_value=9),
)
def test_changing_a_single_digit_makes_id_invalid_where_the_checksum_can_tell(
    first12, position, delta
):
    # The official weights are 13..2, so the third digit (weight 11) never changes the sum
    # mod 11, and (11 - r) % 10 maps both r = 0 and r = 10 to 1: those changes cannot be
    # caught by any implementation. Every other single-digit change is caught.
    full = first12 + str(national_id_check_digit(first12))
    changed = full[:position] + str((int(full[position]) + delta) % 10) + full[position + 1 :]
    residues = {sum(int(d) * (13 - i) for i, d in enumerate(x[:12])) % 11 for x in (full, changed)}
    undetectable = position == 2 or residues == {0, 10}
    assert is_valid_national_id(changed) == undetectable


def test_changing_the_check_digit_always_makes_id_invalid():
    for d in "023456789":
        assert not is_valid_national_id(VALID_ID[:12] + d)


# --------------------------------------------------------------------------------------------
# Sorting
# --------------------------------------------------------------------------------------------

# Produced by PostgreSQL 15 (ICU 72, collation version 153.120.42) with
#   select w from unnest(array[...]) w order by w collate "th-x-icu"
# Where ICU and the Royal Institute dictionary differ, the key follows ICU: Latin after Thai.
THAI_ICU_ORDER = [
    "กอ", "ก่อ", "ก้อ", "กา", "ก้าน", "กิ่ง", "เกม", "เกศ", "แก่น", "แก้ว",
    "โกวิท", "ไก่", "ขวัญ", "ขวัญใจ", "คำ", "คำแก้ว", "งามตา", "จันทร์", "จันทร์เพ็ญ", "ใจดี",
    "ฉวี", "ชัยวัฒน์", "ณัฐ", "ดวงใจ", "ต้อย", "ทองคำ", "ทองดี", "นงลักษณ์", "นภา", "บุญมี",
    "บุญเรือน", "ประยูร", "ปราณี", "ผ่องศรี", "พร", "พรทิพย์", "ไพโรจน์", "รัตนา", "รำไพ", "ฤดี",
    "ฤทัย", "ลำดวน", "วันดี", "ศรีสุข", "สมชาย", "สมศรี", "สมหญิง", "สุดา", "แสงเดือน", "โสภา",
    "หอมหวล", "อรุณ", "อำไพ", "เอื้อ", "ฮง", "Anna", "Somchai",
]  # fmt: skip

# Smaller cases, also read from PostgreSQL 15 th-x-icu.
ICU_PAIRS_IN_ORDER = [
    ["กา", "เกม", "ไก่", "ขา"],  # a leading vowel sorts after its consonant
    ["ก", "ก์", "ก็", "ก่", "ก้", "ก๊", "ก๋"],  # marks only break ties
    ["กา", "กา่", "ก่า", "ก้า"],  # a tone mark earlier in the word counts more
    ["ร", "รา", "ฤ", "ฤา", "ฤๅ", "ล", "ลา", "ฦ", "ฦๅ", "ว"],  # ฤ after ร, ฦ after ล
    ["กาก", "กาํ", "กํา", "กำ", "กาํก", "กิ"],  # ำ sorts as า then ํ
    ["1", "๑", "10", "2", "๒", "ก", "a", "A", "b"],  # digits, then Thai, then Latin
    ["$1", "1"],  # symbols before digits
    ["ก ก", "กก", "ก ข"],  # spaces are ignored
    ["เอ", "ฮเ", "เฮ"],
]


def test_sorts_like_postgresql_icu_thai():
    shuffled = list(THAI_ICU_ORDER)
    random.Random(1).shuffle(shuffled)
    assert sorted(shuffled, key=thai_sort_key) == THAI_ICU_ORDER


@pytest.mark.parametrize("expected", ICU_PAIRS_IN_ORDER)
def test_sorts_small_cases_like_icu(expected):
    assert sorted(reversed(expected), key=thai_sort_key) == expected


def test_compare_returns_minus_one_zero_one():
    assert thai_compare("กา", "ไก่") == -1
    assert thai_compare("ไก่", "กา") == 1
    assert thai_compare("กา", "กา") == 0


thai_text = st.text(alphabet="กขคงรฤลฦวอฮเแไโใะาๅำํิีุู่้๊๋็์ั ฯๆ๑1aA", max_size=6)


@given(thai_text, thai_text)
def test_sort_key_is_an_antisymmetric_order(a, b):
    assert thai_compare(a, b) == -thai_compare(b, a)
    assert (thai_compare(a, b) == 0) == (a == b)


@given(thai_text, thai_text, thai_text)
def test_sort_key_is_transitive(a, b, c):
    x, y, z = sorted([a, b, c], key=thai_sort_key)
    assert thai_compare(x, y) <= 0 and thai_compare(y, z) <= 0 and thai_compare(x, z) <= 0


@given(thai_text, thai_text)
def test_sort_key_agrees_with_compare(a, b):
    assert (thai_sort_key(a) < thai_sort_key(b)) == (thai_compare(a, b) < 0)


def test_sqlite_orders_with_the_thai_collation():
    import sqlite3

    con = sqlite3.connect(":memory:")
    con.create_collation("th-x-icu", thai_compare)
    con.execute("create table t (w text)")
    con.executemany("insert into t values (?)", [(w,) for w in reversed(THAI_ICU_ORDER)])
    got = [r[0] for r in con.execute('select w from t order by w collate "th-x-icu"')]
    assert got == THAI_ICU_ORDER


# --------------------------------------------------------------------------------------------
# Search keys and titles
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("เเก้ว", "แก้ว"),  # two sara e typed for sara ae
        ("กํา", "กำ"),  # nikhahit + sara aa
        ("ส ม\u200bชาย", "สมชาย"),
        ("สม\u200dชาย\ufeff", "สมชาย"),
        ("ก่่า", "ก่า"),
        ("Somchai", "somchai"),
        ("บ้าน๑๒", "บ้าน12"),
        ("  สมชาย  ", "สมชาย"),
    ],
)
def test_search_key_forgives_typing_slips(typed, key):
    assert search_key(typed) == key


def test_search_key_of_a_prefix_is_a_prefix_of_the_name_key():
    assert search_key("แก้ว").startswith(search_key("แก"))
    assert search_key("สมชาย ใจดี").startswith(search_key("สมช"))


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F),
            st.sampled_from(" \t\n\u200b\u200c\u200d\ufeff"),
            st.characters(),
        )
    )
)
def test_search_key_is_idempotent_on_thai(text):
    key = search_key(text)
    assert search_key(key) == key


@given(st.text())
def test_search_key_is_idempotent(text):
    key = search_key(text)
    assert search_key(key) == key


@given(
    st.text(
        alphabet="กขคงเแโใไะาำํิีุู่้๊๋็์ั \u200b\u200cAa๑",
        max_size=12,
    )
)
def test_search_key_is_idempotent_on_typing_slips(text):
    key = search_key(text)
    assert search_key(key) == key
    assert not re.search(r"[\s\u200b\u200c\u200d\ufeff]", key)


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("นาย สมชาย ใจดี", "สมชาย ใจดี"),
        ("นาง สมศรี", "สมศรี"),
        ("นางสาว สมหญิง", "สมหญิง"),
        ("น.ส.สมหญิง", "สมหญิง"),
        ("น.ส. สมหญิง", "สมหญิง"),
        ("ด.ช.ก้อง", "ก้อง"),
        ("ด.ญ. กานดา", "กานดา"),
        ("เด็กชาย ก้อง", "ก้อง"),
        ("เด็กหญิง กานดา", "กานดา"),
        ("  นาย สมชาย", "สมชาย"),
        ("สมชาย", "สมชาย"),
    ],
)
def test_strips_a_leading_title(name, bare):
    assert strip_title(name) == bare


@pytest.mark.parametrize("name", ["นางนวล", "นายิกา", "นาง", "นาย"])
def test_keeps_names_that_only_start_like_a_title(name):
    assert strip_title(name) == name


# --------------------------------------------------------------------------------------------
# Form fields
# --------------------------------------------------------------------------------------------


class DateForm(forms.Form):
    day = BEDateField(label="วันที่")
    optional = BEDateField(required=False)


class BoundedDateForm(forms.Form):
    day = BEDateField(min_date=date(2025, 10, 1), max_date=date(2026, 11, 22))


class BirthForm(forms.Form):
    birth = PartialBEDateField(required=False)


class IDForm(forms.Form):
    national_id = NationalIDField(required=False)
    required_id = NationalIDField(required=True)


def test_date_field_reads_thai_digits():
    form = DateForm(data={"day": "๒๒/๑๑/๒๕๖๙"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 11, 22)
    assert form.cleaned_data["optional"] is None


def test_date_field_refuses_ce_year_with_thai_message():
    form = DateForm(data={"day": "22/11/2026"})
    assert not form.is_valid()
    assert form.errors["day"] == ["ปี 2026 ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. เช่น 2569"]
    assert form.has_error("day", code="invalid_be_date")


def test_date_field_requires_a_value_when_required():
    form = DateForm(data={"day": "  "})
    assert not form.is_valid()
    assert form.has_error("day", code="required")


def test_date_field_checks_bounds_with_be_dates():
    late = BoundedDateForm(data={"day": "23/11/2569"})
    assert not late.is_valid()
    assert late.errors["day"] == ["ต้องไม่เกิน 22 พ.ย. 2569"]
    early = BoundedDateForm(data={"day": "30/09/2568"})
    assert not early.is_valid()
    assert early.errors["day"] == ["ต้องไม่ก่อน 1 ต.ค. 2568"]
    assert BoundedDateForm(data={"day": "22/11/2569"}).is_valid()


def test_date_widget_renders_the_be_date():
    html = str(DateForm(initial={"day": date(2026, 11, 22)})["day"])
    assert 'value="22/11/2569"' in html
    assert 'placeholder="วว/ดด/ปปปป"' in html
    assert 'inputmode="text"' in html
    assert 'autocomplete="off"' in html


def test_date_widget_shows_back_what_was_typed_on_error():
    form = DateForm(data={"day": "31/02/2569"})
    assert not form.is_valid()
    assert 'value="31/02/2569"' in str(form["day"])


def test_date_widget_formats_dates_alone():
    widget = BEDateInput()
    assert widget.format_value(date(2026, 1, 2)) == "02/01/2569"
    assert widget.format_value(None) is None


def test_date_field_has_not_changed_for_the_same_date():
    form = DateForm(initial={"day": date(2026, 11, 22)}, data={"day": "22/11/2569"})
    assert "day" not in form.changed_data


def test_partial_date_field_reads_year_or_full_date():
    year_only = BirthForm(data={"birth": "2490"})
    assert year_only.is_valid(), year_only.errors
    assert year_only.cleaned_data["birth"] == (None, 1947)
    full = BirthForm(data={"birth": "๒๒/๑๑/๒๔๙๐"})
    assert full.is_valid(), full.errors
    assert full.cleaned_data["birth"] == (date(1947, 11, 22), 1947)
    empty = BirthForm(data={"birth": ""})
    assert empty.is_valid() and empty.cleaned_data["birth"] is None


def test_partial_date_field_refuses_ce_year():
    form = BirthForm(data={"birth": "1947"})
    assert not form.is_valid()
    assert form.has_error("birth", code="invalid_be_date")
    assert "ค.ศ." in form.errors["birth"][0]


def test_partial_date_widget_shows_full_date_or_year():
    assert 'value="2490"' in str(BirthForm(initial={"birth": (None, 1947)})["birth"])
    html = str(BirthForm(initial={"birth": (date(1947, 11, 22), 1947)})["birth"])
    assert 'value="22/11/2490"' in html


def test_national_id_field_cleans_to_digits():
    form = IDForm(data={"national_id": "๑-๒๓๔๕-๖๗๘๙๐-๑๒-๑", "required_id": " 1 2345 67890 12 1 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["national_id"] == VALID_ID
    assert form.cleaned_data["required_id"] == VALID_ID


def test_national_id_field_allows_empty_when_optional():
    form = IDForm(data={"national_id": "", "required_id": VALID_ID})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["national_id"] == ""


def test_national_id_field_explains_errors_in_thai():
    form = IDForm(data={"national_id": "1234567890124", "required_id": ""})
    assert not form.is_valid()
    assert form.errors["national_id"] == [
        "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง"
    ]
    assert form.has_error("national_id", code="invalid_national_id")
    assert form.has_error("required_id", code="required")


def test_model_validator_accepts_only_stored_form():
    validate_national_id(VALID_ID)
    for bad in ["1234567890124", "123", "1-2345-67890-12-1"]:
        with pytest.raises(ValidationError):
            validate_national_id(bad)


# --------------------------------------------------------------------------------------------
# Template filters
# --------------------------------------------------------------------------------------------


def _render(source, **context):
    return Template("{% load thai %}" + source).render(Context(context))


def test_template_filters_show_thai_conventions():
    d = date(2026, 11, 22)
    out = _render(
        "{{ d|be_date }}|{{ d|be_date_long }}|{{ d|be_date_numeric }}|{{ d|be_year }}|"
        "{{ d|fiscal_year }}|{{ d|fiscal_year:1 }}|{{ dt|be_datetime }}|{{ m|baht }}|"
        "{{ m|baht_text }}|{{ id|national_id }}|{{ id|masked_id }}|{{ n|thai_digits }}",
        d=d,
        dt=datetime(2026, 11, 22, 7, 5, tzinfo=UTC),
        m=Decimal("1234.5"),
        id=VALID_ID,
        n=2569,
    )
    assert out.split("|") == [
        "22 พ.ย. 2569",
        "22 พฤศจิกายน พ.ศ. 2569",
        "22/11/2569",
        "2569",
        "2570",
        "2569",
        "22 พ.ย. 2569 14:05 น.",
        "1,234.50",
        "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์",
        "1-2345-67890-12-1",
        "X-XXXX-XXXX0-12-1",
        "๒๕๖๙",
    ]


@pytest.mark.parametrize("value", [None, ""])
def test_template_filters_show_nothing_for_empty_values(value):
    names = [
        "be_date", "be_date_long", "be_date_numeric", "be_datetime", "be_year", "baht",
        "baht_text", "masked_id", "national_id", "thai_digits", "fiscal_year",
    ]  # fmt: skip
    source = "|".join(f"{{{{ v|{name} }}}}" for name in names)
    assert _render(source, v=value) == "|" * (len(names) - 1)


def test_template_filters_are_builtins():
    assert Template("{{ d|be_date }}").render(Context({"d": date(2026, 11, 22)})) == "22 พ.ย. 2569"


def test_baht_text_filter_shows_nothing_for_unrounded_amounts():
    assert _render("{{ m|baht_text }}", m=Decimal("1.005")) == ""


def test_add_months_clips_to_the_month_end_and_age_counts_complete_years() -> None:
    from datetime import date

    from chumchon.core.thai import add_months, age_on

    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert age_on(date(1965, 6, 2), 1965, date(2025, 6, 1)) == 59
    assert age_on(date(1965, 6, 2), 1965, date(2025, 6, 2)) == 60
    assert age_on(None, 1965, date(2025, 1, 1)) == 60
    assert age_on(None, None, date(2025, 1, 1)) is None
