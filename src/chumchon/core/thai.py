"""Thai-specific text, date, money and identity helpers.

Pure functions with no Django model imports, so every layer may use them; importing and using
the module needs no Django settings. Messages for users are Thai source strings passed through
:func:`_`, which translates them (docs/adr/0002-thai-source-strings.md) once Django is set up.

Dates are shown and typed in the Buddhist Era (พ.ศ. = ค.ศ. + 543); money is handled as
``Decimal`` only; national ID numbers are validated with the official mod-11 check digit; Thai
text gets a sort key matching PostgreSQL's ICU ``th-x-icu`` collation and a search key that
forgives common typing slips.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo

from pythainlp.util import normalize as _pythainlp_normalize

__all__ = [
    "BANGKOK",
    "BE_OFFSET",
    "BE_YEAR_MAX",
    "BE_YEAR_MIN",
    "THAI_MONTHS",
    "THAI_MONTHS_ABBR",
    "ThaiDateError",
    "baht_text",
    "be_year",
    "fiscal_year",
    "fiscal_year_bounds",
    "format_baht",
    "format_be_date",
    "format_be_datetime",
    "format_national_id",
    "is_valid_national_id",
    "mask_national_id",
    "national_id_check_digit",
    "national_id_error",
    "normalize_national_id",
    "parse_be_date",
    "parse_be_partial_date",
    "search_key",
    "strip_title",
    "thai_compare",
    "thai_sort_key",
    "to_arabic_digits",
    "to_thai_digits",
]


def _(message: str) -> str:
    """``gettext`` once Django is set up (settings and apps ready); the Thai text otherwise.

    Messages are built when raised, so they come out in the active language. Named ``_`` so that
    ``makemessages`` collects them into the ``en`` catalog.
    """
    try:
        from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
        from django.utils.translation import gettext
    except ImportError:  # pragma: no cover - Django is a dependency, but this module needs none
        return message
    try:
        return gettext(message)
    except (AppRegistryNotReady, ImproperlyConfigured):
        return message


def gettext_noop(message: str) -> str:
    """Marks a string for ``makemessages`` without translating it (as Django's does)."""
    return message


# ---------------------------------------------------------------------------------------------
# Calendar names and digits
# ---------------------------------------------------------------------------------------------

# The full month names are marked for the catalog (they go into a message translated by ``_``);
# the tuple itself always holds the Thai names.
THAI_MONTHS: Final[tuple[str, ...]] = (
    gettext_noop("มกราคม"),
    gettext_noop("กุมภาพันธ์"),
    gettext_noop("มีนาคม"),
    gettext_noop("เมษายน"),
    gettext_noop("พฤษภาคม"),
    gettext_noop("มิถุนายน"),
    gettext_noop("กรกฎาคม"),
    gettext_noop("สิงหาคม"),
    gettext_noop("กันยายน"),
    gettext_noop("ตุลาคม"),
    gettext_noop("พฤศจิกายน"),
    gettext_noop("ธันวาคม"),
)
THAI_MONTHS_ABBR: Final[tuple[str, ...]] = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)

BE_OFFSET: Final = 543
#: The Buddhist Era years accepted from users (1857-2157 CE).
BE_YEAR_MIN: Final = 2400
BE_YEAR_MAX: Final = 2700
BANGKOK: Final = ZoneInfo("Asia/Bangkok")

_THAI_DIGITS: Final = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC: Final = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI: Final = str.maketrans("0123456789", _THAI_DIGITS)

_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_RE: Final = re.compile(f"[{_ZERO_WIDTH}]")


def to_arabic_digits(s: str) -> str:
    """Replace Thai digits (๐-๙) with 0-9; everything else is kept."""
    return s.translate(_TO_ARABIC)


def to_thai_digits(s: str) -> str:
    """Replace 0-9 with Thai digits (๐-๙); everything else is kept."""
    return s.translate(_TO_THAI)


def be_year(d: date) -> int:
    """The Buddhist Era year of a date (2026 -> 2569)."""
    return d.year + BE_OFFSET


# ---------------------------------------------------------------------------------------------
# Formatting dates
# ---------------------------------------------------------------------------------------------


def _local_date(d: date) -> date:
    """A datetime's calendar date in Bangkok (aware) or as written (naive); a date as is."""
    if isinstance(d, datetime):
        if d.tzinfo is not None and d.utcoffset() is not None:
            d = d.astimezone(BANGKOK)
        return d.date()
    return d


def format_be_date(d: date | None, style: Literal["short", "long", "numeric"] = "short") -> str:
    """Show a date in the Buddhist Era.

    short: "22 พ.ย. 2569"; long: "22 พฤศจิกายน พ.ศ. 2569"; numeric: "22/11/2569" (the form
    the date inputs accept back). ``None`` gives "". An aware datetime is shown as its date in
    Bangkok.
    """
    if d is None:
        return ""
    d = _local_date(d)
    year = be_year(d)
    if style == "short":
        return f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {year}"
    if style == "long":
        return f"{d.day} {THAI_MONTHS[d.month - 1]} พ.ศ. {year}"
    if style == "numeric":
        return f"{d.day:02d}/{d.month:02d}/{year}"
    raise ValueError(f"unknown date style: {style!r}")


def format_be_datetime(dt: datetime) -> str:
    """ "22 พ.ย. 2569 14:05 น." — an aware datetime is first converted to Bangkok time."""
    if dt.tzinfo is not None and dt.utcoffset() is not None:
        dt = dt.astimezone(BANGKOK)
    return f"{format_be_date(dt.date())} {dt.hour:02d}:{dt.minute:02d} น."


# ---------------------------------------------------------------------------------------------
# Parsing dates typed by people
# ---------------------------------------------------------------------------------------------


class ThaiDateError(ValueError):
    """A date the user typed could not be read; ``str(error)`` is a message for them.

    The message is in the active language (Thai unless the user switched to English).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


_NUMERIC_RE: Final = re.compile(r"^(\d{1,2})\s*[/\-. ]\s*(\d{1,2})\s*[/\-. ]\s*(\d+)$")
_NAMED_RE: Final = re.compile(r"^(\d{1,2})\s*([^\d]+?)\s*(\d+)$")
_ERA_BE_RE: Final = re.compile(r"(?:พ\.?\s*ศ\.?)$")
_ERA_CE_RE: Final = re.compile(r"(?:ค\.?\s*ศ\.?)$")
_YEAR_ONLY_RE: Final = re.compile(r"^(?:(พ|ค)\.?\s*ศ\.?\s*)?(\d+)$")
_LEADING_WORD_RE: Final = re.compile(r"^(?:วันที่|วัน)\s*")


def _month_lookup_key(text: str) -> str:
    return re.sub(r"[\s.]", "", text)


_MONTH_BY_NAME: Final[dict[str, int]] = {
    **{_month_lookup_key(name): i + 1 for i, name in enumerate(THAI_MONTHS)},
    **{_month_lookup_key(abbr): i + 1 for i, abbr in enumerate(THAI_MONTHS_ABBR)},
}


def _clean_date_text(text: str) -> str:
    text = _ZERO_WIDTH_RE.sub("", text)
    text = to_arabic_digits(text)
    return " ".join(text.split())


def _unreadable(text: str) -> ThaiDateError:
    shown = text.strip()
    if shown:
        return ThaiDateError(
            _("อ่านวันที่ไม่ออก: “%(text)s” กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. เช่น 22/11/2569") % {"text": shown}
        )
    return ThaiDateError(_("อ่านวันที่ไม่ออก: ยังไม่ได้กรอกวันที่ กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. เช่น 22/11/2569"))


def _ce_example(ce_year: int) -> int:
    suggestion = ce_year + BE_OFFSET
    if BE_YEAR_MIN <= suggestion <= BE_YEAR_MAX:
        return suggestion
    return 2569


def _be_year_to_ce(year_text: str, *, ce_marked: bool = False) -> int:
    """Check a typed year and turn the BE year into the CE year, or explain in Thai."""
    if len(year_text) <= 2:
        raise ThaiDateError(
            _("ปี “%(year)s” สั้นเกินไป ไม่ทราบว่าเป็นปีใด กรุณากรอกปี พ.ศ. ให้ครบ 4 หลัก เช่น 2569")
            % {"year": year_text}
        )
    if len(year_text) != 4:
        raise ThaiDateError(
            _("ปี “%(year)s” ไม่ถูกต้อง กรุณากรอกปี พ.ศ. 4 หลัก เช่น 2569") % {"year": year_text}
        )
    year = int(year_text)
    if ce_marked or 1800 <= year < BE_YEAR_MIN:
        raise ThaiDateError(
            _("ปี %(year)s ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. เช่น %(example)s")
            % {"year": year, "example": _ce_example(year)}
        )
    if not BE_YEAR_MIN <= year <= BE_YEAR_MAX:
        raise ThaiDateError(
            _("ปี พ.ศ. %(year)s อยู่นอกช่วงที่รับได้ (พ.ศ. %(min)s ถึง %(max)s) กรุณาตรวจสอบอีกครั้ง")
            % {"year": year, "min": BE_YEAR_MIN, "max": BE_YEAR_MAX}
        )
    return year - BE_OFFSET


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - timedelta(days=1)).day


def _make_date(day: int, month: int, ce_year: int) -> date:
    if not 1 <= month <= 12:
        raise ThaiDateError(
            _(
                "เดือนต้องอยู่ระหว่าง 1 ถึง 12 (กรอกมาเป็น %(month)s) "
                "กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. เช่น 22/11/2569"
            )
            % {"month": month}
        )
    last = _days_in_month(ce_year, month)
    if not 1 <= day <= last:
        raise ThaiDateError(
            _(
                "ไม่มีวันที่ %(day)s ในเดือน%(month_name)s พ.ศ. %(year)s "
                "(เดือนนี้มี %(days)s วัน) กรุณาตรวจสอบอีกครั้ง"
            )
            % {
                "day": day,
                "month_name": _(THAI_MONTHS[month - 1]),
                "year": ce_year + BE_OFFSET,
                "days": last,
            }
        )
    return date(ce_year, month, day)


def parse_be_date(text: str) -> date:
    """Read a full date typed in the Buddhist Era.

    Accepted: "22/11/2569", "22-11-2569", "22.11.2569", "22 11 2569", Thai digits
    ("๒๒/๑๑/๒๕๖๙"), and month names: "22 พ.ย. 2569", "22 พฤศจิกายน 2569",
    "22 พฤศจิกายน พ.ศ. 2569". The year must be a 4-digit BE year (2400-2700); a CE-looking
    year, a 2-digit year or a date that does not exist raises :class:`ThaiDateError` whose
    text is a Thai message for the user. The result is an ordinary (CE) ``date``.
    """
    cleaned = _LEADING_WORD_RE.sub("", _clean_date_text(text))
    m = _NUMERIC_RE.match(cleaned)
    if m:
        day, month, year_text = int(m[1]), int(m[2]), m[3]
        return _make_date(day, month, _be_year_to_ce(year_text))
    m = _NAMED_RE.match(cleaned)
    if m:
        middle = m[2].strip()
        ce_marked = False
        if _ERA_CE_RE.search(middle):
            ce_marked = True
            middle = _ERA_CE_RE.sub("", middle).strip()
        else:
            middle = _ERA_BE_RE.sub("", middle).strip()
        named_month = _MONTH_BY_NAME.get(_month_lookup_key(middle))
        if named_month is not None:
            ce_year = _be_year_to_ce(m[3], ce_marked=ce_marked)
            return _make_date(int(m[1]), named_month, ce_year)
    raise _unreadable(text)


def parse_be_partial_date(text: str) -> tuple[date | None, int]:
    """Read a birth date that may be known only by its year.

    "2490" or "พ.ศ. 2490" gives ``(None, 1947)``; a full date (any form
    :func:`parse_be_date` reads) gives ``(date, CE year)``. Refusals as in
    :func:`parse_be_date`.
    """
    cleaned = _clean_date_text(text)
    m = _YEAR_ONLY_RE.match(cleaned)
    if m:
        return None, _be_year_to_ce(m[2], ce_marked=m[1] == "ค")
    d = parse_be_date(text)
    return d, d.year


# ---------------------------------------------------------------------------------------------
# Fiscal years
# ---------------------------------------------------------------------------------------------


def _check_start_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError(f"start_month must be 1..12, not {start_month}")


def fiscal_year(d: date, *, start_month: int = 10) -> int:
    """The fiscal year containing ``d``, named by the BE year in which it ends.

    With the government default (starting 1 October), 1 Oct 2025 - 30 Sep 2026 is 2569.
    ``start_month=1`` makes the fiscal year the calendar year.
    """
    _check_start_month(start_month)
    d = _local_date(d)
    end_year = d.year + 1 if start_month > 1 and d.month >= start_month else d.year
    return end_year + BE_OFFSET


def fiscal_year_bounds(fy_be: int, *, start_month: int = 10) -> tuple[date, date]:
    """First and last day (inclusive) of the fiscal year named ``fy_be`` (a BE year)."""
    _check_start_month(start_month)
    end_year = fy_be - BE_OFFSET
    if start_month == 1:
        return date(end_year, 1, 1), date(end_year, 12, 31)
    start = date(end_year - 1, start_month, 1)
    end = date(end_year, start_month, 1) - timedelta(days=1)
    return start, end


def add_months(anchor: date, months: int) -> date:
    """``anchor`` moved by whole months, the day clipped to the month's end (31 Jan + 1 = 28 Feb,
    29 Feb + 12 = 28 Feb)."""
    y, m = divmod(anchor.month - 1 + months, 12)
    year, month = anchor.year + y, m + 1
    return date(year, month, min(anchor.day, _days_in_month(year, month)))


def age_on(birth_date: date | None, birth_year: int | None, day: date) -> int | None:
    """Complete years on ``day``; from the birth year alone when the date is unknown."""
    if birth_date is not None:
        b = birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
    if birth_year is not None:
        return day.year - birth_year
    return None


# ---------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------

_DIGIT_WORDS: Final = ("", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACE_WORDS: Final = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")
_MILLION: Final = 1_000_000


def _group_words(n: int, has_higher: bool) -> str:
    """Words for 0 <= n < 1,000,000; ``has_higher`` tells that larger digits come before."""
    out: list[str] = []
    digits = str(n).zfill(6)
    for pos, ch in enumerate(digits):
        digit = int(ch)
        place = 5 - pos
        if digit == 0:
            continue
        if place == 0:
            higher_here = n >= 10
            out.append("เอ็ด" if digit == 1 and (higher_here or has_higher) else _DIGIT_WORDS[digit])
        elif place == 1:
            out.append({1: "", 2: "ยี่"}.get(digit, _DIGIT_WORDS[digit]) + "สิบ")
        else:
            out.append(_DIGIT_WORDS[digit] + _PLACE_WORDS[place])
    return "".join(out)


def _int_words(n: int, has_higher: bool = False) -> str:
    """Thai words for a non-negative integer (no word for zero: the caller handles it)."""
    if n >= _MILLION:
        high, low = divmod(n, _MILLION)
        return _int_words(high, has_higher) + "ล้าน" + _group_words(low, True)
    return _group_words(n, has_higher)


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"amount must be Decimal, int or str, not {type(amount).__name__}")
    if isinstance(amount, str):
        text = to_arabic_digits(amount).replace(",", "").strip()
        try:
            return Decimal(text)
        except ArithmeticError:
            raise ValueError(f"not an amount of money: {amount!r}") from None
    return Decimal(amount)


def _exact_satang(value: Decimal) -> int:
    """The amount in satang as an exact integer; more than 2 non-zero decimals is an error."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    n = int("".join(map(str, digits)) or "0")
    shift = exponent + 2
    if shift >= 0:
        satang: int = n * 10**shift
    else:
        satang, rest = divmod(n, int(10 ** (-shift)))
        if rest:
            raise ValueError(
                f"{value} has more than 2 decimal places; round it to satang before "
                "writing it in words"
            )
    return -satang if sign else satang


def baht_text(amount: Decimal | int | str) -> str:
    """The amount in Thai words as written on receipts and cheques.

    "หนึ่งร้อยบาทถ้วน", "สิบเอ็ดบาทห้าสิบสตางค์", "หนึ่งล้านเอ็ดบาทถ้วน", "ศูนย์บาทถ้วน".
    The digit 1 in a units place is "เอ็ด" whenever a higher digit comes before it
    (11, 101, 1,000,001, and so 1,000,001,000,000 is "หนึ่งล้านเอ็ดล้านบาทถ้วน").

    Amounts under one baht are written with the satang alone, without a "ศูนย์บาท" prefix:
    0.50 is "ห้าสิบสตางค์", 0.01 is "หนึ่งสตางค์" (our chosen form; some banks write
    "ศูนย์บาทห้าสิบสตางค์"). Negative amounts get the prefix "ลบ".

    Exact from ``Decimal`` (never through float): more than 2 non-zero decimal places raise
    ``ValueError`` so the caller rounds at a named point; trailing zeros ("5.000") are fine.
    """
    satang_total = _exact_satang(_to_decimal(amount))
    negative = satang_total < 0
    baht, satang = divmod(abs(satang_total), 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    if satang == 0:
        words = _int_words(baht) + "บาทถ้วน"
    elif baht == 0:
        words = _int_words(satang) + "สตางค์"
    else:
        words = _int_words(baht) + "บาท" + _int_words(satang) + "สตางค์"
    return "ลบ" + words if negative else words


def format_baht(amount: Decimal | int | str, places: int = 2) -> str:
    """ "1,234,567.50": thousands separators and ``places`` decimals, rounded half up."""
    value = _to_decimal(amount)
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits) + places + 2)
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}"


# ---------------------------------------------------------------------------------------------
# National ID numbers (เลขประจำตัวประชาชน)
# ---------------------------------------------------------------------------------------------

_ID_SEPARATORS_RE: Final = re.compile(f"[\\s\\-.\u2010-\u2015\u2212{_ZERO_WIDTH}]")
_ASCII_DIGITS_RE: Final = re.compile(r"^[0-9]*$")


def normalize_national_id(raw: str) -> str:
    """Drop spaces, dashes, dots and zero-width characters; Thai digits become 0-9.

    Whatever else was typed is kept, so :func:`national_id_error` can point it out.
    """
    return _ID_SEPARATORS_RE.sub("", to_arabic_digits(raw or ""))


def national_id_check_digit(first12: str) -> int:
    """The 13th digit for the first 12: (11 - sum(d_i * w_i) mod 11) mod 10.

    The weights w_i are 13, 12, ..., 2 from the first digit to the twelfth (13 - i with i
    counted from 0). "1-2345-67890-12-1" is valid.
    """
    if len(first12) != 12 or not _ASCII_DIGITS_RE.match(first12):
        raise ValueError("first12 must be exactly 12 digits 0-9")
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def national_id_error(raw: str) -> str | None:
    """A Thai message telling what is wrong with a typed ID number, or ``None`` if it is valid."""
    digits = normalize_national_id(raw)
    if not digits:
        return _("กรุณากรอกเลขประจำตัวประชาชน 13 หลัก")
    if not _ASCII_DIGITS_RE.match(digits):
        return _("เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้น (มีตัวอักษรหรือเครื่องหมายอื่นปนอยู่)")
    if len(digits) != 13:
        return _("เลขประจำตัวประชาชนต้องมี 13 หลัก (กรอกมา %(count)s หลัก)") % {"count": len(digits)}
    if national_id_check_digit(digits[:12]) != int(digits[12]):
        return _("เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง")
    return None


def is_valid_national_id(raw: str) -> bool:
    """13 digits after normalising, with the right check digit (a leading 0 is accepted)."""
    return national_id_error(raw) is None


def _group_id(digits: str) -> str:
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def format_national_id(raw: str) -> str:
    """ "1-2345-67890-12-1" (groups 1-4-5-2-1); input that is not 13 digits is returned trimmed."""
    digits = normalize_national_id(raw)
    if len(digits) == 13 and _ASCII_DIGITS_RE.match(digits):
        return _group_id(digits)
    return (raw or "").strip()


def mask_national_id(raw: str) -> str:
    """Show only the last 4 digits: "X-XXXX-XXXX0-12-1"; "" for empty input."""
    digits = normalize_national_id(raw)
    if not digits:
        return ""
    if len(digits) == 13:
        return _group_id("X" * 9 + digits[9:])
    keep = min(4, len(digits) // 2)
    return "X" * (len(digits) - keep) + digits[len(digits) - keep :]


# ---------------------------------------------------------------------------------------------
# Sorting: a key in PostgreSQL ICU "th-x-icu" order
# ---------------------------------------------------------------------------------------------
#
# What PostgreSQL 15's ICU (CLDR "th") collation does, and so what the key reproduces:
#   * levels: primary (letters), secondary (tone marks and accents), tertiary (case and a few
#     variants); PostgreSQL breaks remaining ties by comparing the raw strings code point by code
#     point, and so does the key's last part.
#   * Thai consonants ก..ฮ in code point order, which already puts ฤ right after ร and ฦ right
#     after ล; then the vowels ํ ะ ั า(=ๅ) ำ ิ ี ึ ื ุ ู เ แ โ ใ ไ ฺ.
#   * a leading vowel เ แ โ ใ ไ followed by a consonant sorts as consonant then vowel
#     (กา < เกม < ไก่ < ขา).
#   * ำ sorts as า followed by ํ (so กาก < กำ < กาํก < กิ), and so does ํา typed in two keys.
#   * tone marks and ็ ์ ๎ count only at the secondary level (ก < ก์ < ก็ < ก่ < ก้ < ก๊ < ก๋).
#   * ำ, ํา and าํ differ only at the tertiary level (าํ < ํา < ำ); ๅ is า with a tertiary
#     difference.
#   * spaces and punctuation (also ฯ ๆ ๏ ๚ ๛) are ignored ("alternate shifted" with tertiary
#     strength), and so is a tone mark right after them; Thai and Arabic digits are equal
#     except for the final raw comparison.
#   * order of groups: symbols, currency signs (฿), digits, Thai, Latin, other scripts: ICU's
#     Thai tailoring puts Thai before Latin, while dictionaries say nothing about Latin.

_SEP: Final = "\x01"
_L2_COMMON: Final = "\x05"
_L3_COMMON: Final = "\x05"
_L3_UPPER: Final = "\x06"
_L3_NIKHAHIT_AA: Final = "\x07"
_L3_SARA_AM: Final = "\x08"
_L3_LAKKHANGYAO: Final = "\x09"

_THAI_CONSONANTS: Final = frozenset(chr(c) for c in range(0x0E01, 0x0E2F))
_THAI_LEAD_VOWELS: Final = frozenset("เแโใไ")
_THAI_PRIMARY_ORDER: Final = "".join(chr(c) for c in range(0x0E01, 0x0E2F)) + "ํะัาิีึืุูเแโใไฺ"
_THAI_PRIMARY: Final[dict[str, str]] = {
    ch: chr(0x100 + i) for i, ch in enumerate(_THAI_PRIMARY_ORDER)
}
_THAI_PRIMARY["ๅ"] = _THAI_PRIMARY["า"]
_THAI_SECONDARY: Final[dict[str, str]] = {ch: chr(0x40 + i) for i, ch in enumerate("๎์็่้๊๋")}
_THAI_VARIABLE: Final = frozenset("ฯๆ๏๚๛")


def _sort_levels(text: str) -> tuple[str, str, str]:
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    s = unicodedata.normalize("NFD", text)
    after_variable = False
    i = 0
    n = len(s)
    while i < n:
        ch = s[i]
        nxt = s[i + 1] if i + 1 < n else ""
        i += 1
        # Thai
        if ch in _THAI_LEAD_VOWELS and nxt in _THAI_CONSONANTS:
            primary += (_THAI_PRIMARY[nxt], _THAI_PRIMARY[ch])
            secondary += (_L2_COMMON, _L2_COMMON)
            tertiary += (_L3_COMMON, _L3_COMMON)
            i += 1
            after_variable = False
            continue
        if ch == "ำ" or (ch == "ํ" and nxt in ("า", "ๅ")):
            # Sara am, typed as one character or as nikhahit + sara aa (or lakkhangyao), sorts
            # as า then ํ.
            if ch == "ำ":
                third = _L3_SARA_AM
            else:
                third = _L3_NIKHAHIT_AA if nxt == "า" else _L3_LAKKHANGYAO
                i += 1
            primary += (_THAI_PRIMARY["า"], _THAI_PRIMARY["ํ"])
            secondary += (_L2_COMMON, _L2_COMMON)
            tertiary += (third, third)
            after_variable = False
            continue
        if ch in _THAI_PRIMARY:
            primary.append(_THAI_PRIMARY[ch])
            secondary.append(_L2_COMMON)
            tertiary.append(_L3_LAKKHANGYAO if ch == "ๅ" else _L3_COMMON)
            after_variable = False
            continue
        if ch in _THAI_SECONDARY:
            if not after_variable:
                secondary.append(_THAI_SECONDARY[ch])
                tertiary.append(_L3_COMMON)
            continue
        if ch in _THAI_VARIABLE:
            after_variable = True
            continue
        # Everything else, by Unicode category.
        if "a" <= ch <= "z" or "A" <= ch <= "Z":
            primary.append(chr(0x200 + ord(ch.lower()) - ord("a")))
            secondary.append(_L2_COMMON)
            tertiary.append(_L3_UPPER if ch <= "Z" else _L3_COMMON)
            after_variable = False
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf"):
            continue  # completely ignorable
        if cat[0] in "PZ":
            after_variable = True
            continue
        if cat in ("Mn", "Me"):
            if not after_variable:
                secondary.append("\x10" + ch)
                tertiary.append(_L3_COMMON)
            continue
        if cat == "Nd":
            primary.append(chr(0x20 + unicodedata.decimal(ch)))
        elif cat == "Sc":
            primary.append("\x11" + ch)
        elif cat[0] == "S":
            primary.append("\x10" + ch)
        else:
            primary.append("\u0300" + ch.lower()[:1])
        secondary.append(_L2_COMMON)
        tertiary.append(_L3_UPPER if ch != ch.lower() else _L3_COMMON)
        after_variable = False
    return "".join(primary), "".join(secondary), "".join(tertiary)


@lru_cache(maxsize=65536)
def thai_sort_key(s: str) -> str:
    """A string whose plain code point order is Thai order, as PostgreSQL's ``th-x-icu``.

    Leading vowels sort by the consonant after them (กา < เกม < ไก่), tone marks only break
    ties, ฤ follows ร and ฦ follows ล, digits come before Thai letters and Latin letters after
    them (as ICU's Thai collation does). Equal keys mean equal strings.
    """
    primary, secondary, tertiary = _sort_levels(s)
    return _SEP.join((primary, secondary, tertiary, s))


def thai_name_sort_bytes(*parts: str) -> bytes:
    """A byte string whose plain byte order is Thai order of (part 1, part 2, ...).

    Stored beside names (``Person.name_sort``) so both databases sort by an ordinary index
    instead of a collation: UTF-8 keeps code point order, and NUL (below every key character)
    separates the parts so the first part decides before the second.
    """
    return "\x00".join(thai_sort_key(p) for p in parts).encode("utf-8")


def thai_compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` (the SQLite "th-x-icu" collation)."""
    ka = thai_sort_key(a)
    kb = thai_sort_key(b)
    return (ka > kb) - (ka < kb)


# ---------------------------------------------------------------------------------------------
# Search keys and names
# ---------------------------------------------------------------------------------------------

_SEARCH_DROP_RE: Final = re.compile(f"[\\s{_ZERO_WIDTH}]+")


def _search_step(s: str) -> str:
    s = _SEARCH_DROP_RE.sub("", s)
    s = to_arabic_digits(s).casefold()
    s = s.replace("ํา", "ำ")
    s = _pythainlp_normalize(s)
    return _SEARCH_DROP_RE.sub("", s)


def search_key(s: str) -> str:
    """The key stored beside a name for typo-tolerant prefix search.

    PyThaiNLP's normalisation (doubled vowels and tone marks removed, "เเ" made "แ", marks put
    in order), no whitespace or zero-width characters, Thai digits as 0-9, Latin casefolded,
    and "ํา" (nikhahit + sara aa, a typing slip) as "ำ". Idempotent: applying it again changes
    nothing.
    """
    current = s
    for _ in range(8):  # each step only shortens or reorders; a fixpoint comes quickly
        nxt = _search_step(current)
        if nxt == current:
            break
        current = nxt
    return current


_TITLES_WORD: Final = ("นางสาว", "เด็กชาย", "เด็กหญิง", "นาง", "นาย")
_TITLES_DOTTED: Final = ("น.ส.", "ด.ช.", "ด.ญ.")
_TITLE_RE: Final = re.compile(
    "^(?:"
    + "|".join(re.escape(t) + r"\s*" for t in _TITLES_DOTTED)
    + "|"
    + "|".join(re.escape(t) + r"\s+" for t in _TITLES_WORD)
    + ")"
)


def strip_title(name: str) -> str:
    """Remove a leading title (นาย, นาง, นางสาว, น.ส., ด.ช., ด.ญ., เด็กชาย, เด็กหญิง).

    A spelled-out title is removed only when a space follows it, so a name that merely starts
    with the same letters ("นายิกา", "นางนวล") is kept; a dotted title is removed with or
    without a space after it.
    """
    text = name.strip()
    return _TITLE_RE.sub("", text, count=1).strip()
