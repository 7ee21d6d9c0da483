"""Django form pieces for Thai input: Buddhist Era dates and national ID numbers.

Dates are typed and shown as วว/ดด/ปปปป in the Buddhist Era (22/11/2569); Thai digits are
accepted everywhere. Error messages are Thai source strings through gettext (translated when the
user switches to English); the ones about what was typed come from :mod:`chumchon.core.thai`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chumchon.core.thai import (
    BE_OFFSET,
    ThaiDateError,
    format_be_date,
    national_id_error,
    normalize_national_id,
    parse_be_date,
    parse_be_partial_date,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "BEDateField",
    "BEDateInput",
    "NationalIDField",
    "PartialBEDateField",
    "PartialBEDateInput",
    "validate_national_id",
]

PartialDate = tuple[date | None, int]

_DATE_PLACEHOLDER = _("วว/ดด/ปปปป")


def _date_attrs(placeholder: StrOrPromise, attrs: dict[str, Any] | None) -> dict[str, Any]:
    # inputmode "text", not "numeric": Thai digits and slashes must be typable on phones.
    defaults: dict[str, Any] = {
        "inputmode": "text",
        "placeholder": placeholder,
        "autocomplete": "off",
    }
    return {**defaults, **(attrs or {})}


class BEDateInput(forms.TextInput):
    """A text input showing a date as วว/ดด/ปปปป in the Buddhist Era (22/11/2569)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(_date_attrs(_DATE_PLACEHOLDER, attrs))

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return format_be_date(value, "numeric")
        return str(value)  # what the user typed, shown back with its error


class BEDateField(forms.DateField):
    """A date typed in the Buddhist Era; cleans to an ordinary ``datetime.date``.

    ``min_date`` / ``max_date`` (inclusive) are checked with Thai messages naming the bound
    in the Buddhist Era ("ต้องไม่เกิน 22 พ.ย. 2569").
    """

    widget = BEDateInput
    default_error_messages = {
        "invalid_be_date": _("อ่านวันที่ไม่ออก กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. เช่น 22/11/2569"),
        "min_date": _("ต้องไม่ก่อน %(bound)s"),
        "max_date": _("ต้องไม่เกิน %(bound)s"),
    }

    def __init__(
        self,
        *,
        min_date: date | None = None,
        max_date: date | None = None,
        **kwargs: Any,
    ) -> None:
        self.min_date = min_date
        self.max_date = max_date
        super().__init__(**kwargs)

    def to_python(self, value: str | datetime | date | None) -> date | None:
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values or value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return parse_be_date(str(value))
        except ThaiDateError as e:
            raise ValidationError(str(e), code="invalid_be_date") from e

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not isinstance(value, date):
            return
        if self.min_date is not None and value < self.min_date:
            raise ValidationError(
                self.error_messages["min_date"],
                code="min_date",
                params={"bound": format_be_date(self.min_date)},
            )
        if self.max_date is not None and value > self.max_date:
            raise ValidationError(
                self.error_messages["max_date"],
                code="max_date",
                params={"bound": format_be_date(self.max_date)},
            )


class PartialBEDateInput(forms.TextInput):
    """Shows a full date as 22/11/2490, or only the year (2490) when the day is unknown."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(_date_attrs(_("วว/ดด/ปปปป หรือ ปปปป"), attrs))

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, tuple) and len(value) == 2:
            full, year = value
            if isinstance(full, date):
                return format_be_date(full, "numeric")
            if isinstance(year, int):
                return str(year + BE_OFFSET)
            return None
        if isinstance(value, date):
            return format_be_date(value, "numeric")
        return str(value)


class PartialBEDateField(forms.Field):
    """A birth date that may be known only by its year.

    Cleans to ``(date, CE year)`` for a full date or ``(None, CE year)`` for a year alone
    ("2490" -> ``(None, 1947)``), and ``None`` when left empty.
    """

    widget = PartialBEDateInput
    default_error_messages = {
        "invalid_be_date": _("อ่านวันที่ไม่ออก กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. หรือปี พ.ศ. เช่น 2490"),
    }

    def to_python(self, value: Any) -> PartialDate | None:
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values or value is None:
            return None
        if isinstance(value, tuple) and len(value) == 2:
            full, year = value
            if (full is None or isinstance(full, date)) and isinstance(year, int):
                return (full, year)
        if isinstance(value, datetime):
            return (value.date(), value.year)
        if isinstance(value, date):
            return (value, value.year)
        try:
            return parse_be_partial_date(str(value))
        except ThaiDateError as e:
            raise ValidationError(str(e), code="invalid_be_date") from e


class NationalIDField(forms.CharField):
    """A 13-digit national ID number; cleans to the digits alone ("1234567890121").

    Spaces, dashes and Thai digits are accepted while typing.
    """

    default_error_messages = {
        "invalid_national_id": _("เลขประจำตัวประชาชนไม่ถูกต้อง"),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("autocomplete", "off")
        attrs.setdefault("inputmode", "numeric")
        attrs.setdefault("placeholder", "X-XXXX-XXXXX-XX-X")
        return attrs

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return normalize_national_id(text) if text else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        message = national_id_error(str(value))
        if message is not None:
            raise ValidationError(message, code="invalid_national_id")


def validate_national_id(value: str) -> None:
    """Model field validator: 13 digits, no separators, with the right check digit."""
    message = national_id_error(value)
    if message is None and normalize_national_id(value) != value:
        message = gettext("เลขประจำตัวประชาชนต้องเก็บเป็นตัวเลข 13 หลักติดกัน ไม่มีขีดหรือช่องว่าง")
    if message is not None:
        raise ValidationError(message, code="invalid_national_id")
