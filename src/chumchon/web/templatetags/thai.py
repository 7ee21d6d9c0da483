"""Template filters for Thai conventions (a template builtin: no ``{% load %}`` needed).

Every filter turns ``None`` and "" into "" and never raises, as Django filters should.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from chumchon.core import thai

register = template.Library()


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None


@register.filter
def be_date(value: Any) -> str:
    """22 พ.ย. 2569"""
    return thai.format_be_date(_as_date(value), "short")


@register.filter
def be_date_long(value: Any) -> str:
    """22 พฤศจิกายน พ.ศ. 2569"""
    return thai.format_be_date(_as_date(value), "long")


@register.filter
def be_date_numeric(value: Any) -> str:
    """22/11/2569"""
    return thai.format_be_date(_as_date(value), "numeric")


@register.filter
def be_datetime(value: Any) -> str:
    """22 พ.ย. 2569 14:05 น. (in Bangkok time); a plain date shows as be_date."""
    if isinstance(value, datetime):
        return thai.format_be_datetime(value)
    return be_date(value)


@register.filter
def be_year(value: Any) -> int | str:
    """The BE year of a date, or of a CE year given as a number (2026 -> 2569)."""
    if isinstance(value, date):
        return thai.be_year(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value + thai.BE_OFFSET
    return ""


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            return Decimal(repr(value))  # display only; sums are never kept as floats
        if isinstance(value, Decimal | int):
            return Decimal(value)
        return Decimal(thai.to_arabic_digits(str(value)).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None


@register.filter
def baht(value: Any) -> str:
    """1,234,567.50"""
    amount = _as_decimal(value)
    if amount is None or not amount.is_finite():
        return ""
    return thai.format_baht(amount)


@register.filter
def baht_text(value: Any) -> str:
    """หนึ่งร้อยบาทถ้วน (an amount with more than 2 decimal places shows nothing)."""
    amount = _as_decimal(value)
    if amount is None:
        return ""
    try:
        return thai.baht_text(amount)
    except ValueError:
        return ""


@register.filter
def masked_id(value: Any) -> str:
    """X-XXXX-XXXX0-12-1: only the last 4 digits of a national ID are shown."""
    if value is None or value == "":
        return ""
    return thai.mask_national_id(str(value))


@register.filter
def national_id(value: Any) -> str:
    """1-2345-67890-12-1"""
    if value is None or value == "":
        return ""
    return thai.format_national_id(str(value))


@register.filter
def thai_digits(value: Any) -> str:
    """Write the digits of a value with Thai digits (๒๕๖๙)."""
    if value is None or value == "":
        return ""
    return thai.to_thai_digits(str(value))


@register.filter
def fiscal_year(value: Any, start_month: Any = 10) -> int | str:
    """The fiscal year (BE) of a date; ``{{ d|fiscal_year:1 }}`` for a January start."""
    d = _as_date(value)
    if d is None:
        return ""
    try:
        return thai.fiscal_year(d, start_month=int(start_month))
    except (TypeError, ValueError):
        return ""
