"""Forms of the money screens: a member's payment, a void, the receipts filter, a collection day.

They parse what was typed (Thai digits, commas, Buddhist Era dates) and show errors; the fund
services decide and write. An error is shown under its field as "label: message" (see
``_form_fields.html``), so the messages here do not repeat the label.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chumchon.areas.models import OrgUnit
from chumchon.core.thai import to_arabic_digits
from chumchon.core.thai_forms import BEDateField
from chumchon.funds.models import PaymentMethod

CENT = Decimal("0.01")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,100}$")


def new_key() -> str:
    """A fresh idempotency key for one form or one row of the collection sheet."""
    return "w-" + secrets.token_urlsafe(18)


def valid_key(value: str) -> bool:
    return bool(KEY_RE.match(value or ""))


def parse_money(text: Any, *, allow_zero: bool = False) -> Decimal:
    """Read an amount typed as 30, ๓๐, 1,095.50 or "1 095" to the satang.

    Raises ``forms.ValidationError`` with a message that does not name the field (the caller or
    the template puts the field's label before it).
    """
    raw = to_arabic_digits(str(text if text is not None else "")).strip()
    raw = raw.replace(",", "").replace(" ", "").replace("\u00a0", "").replace("฿", "")
    raw = raw.removesuffix("บาท").strip()
    if not raw:
        raise forms.ValidationError(_("ต้องระบุจำนวนเงิน"), code="required")
    try:
        amount = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise forms.ValidationError(
            _("อ่านเป็นจำนวนเงินไม่ได้ กรุณากรอกเป็นตัวเลข เช่น 30 หรือ 1,095.50"), code="invalid"
        ) from None
    if not amount.is_finite():
        raise forms.ValidationError(_("อ่านเป็นจำนวนเงินไม่ได้"), code="invalid")
    if amount != amount.quantize(CENT):
        raise forms.ValidationError(_("ใส่ได้ถึงสตางค์ (ทศนิยม 2 ตำแหน่ง)"), code="places")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise forms.ValidationError(_("ต้องมากกว่าศูนย์"), code="min")
    if amount >= Decimal("10000000000"):
        raise forms.ValidationError(_("จำนวนเงินมากเกินไป"), code="max")
    return amount.quantize(CENT)


class MoneyField(forms.CharField):
    """An amount in baht; cleans to a Decimal with 2 places."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        attrs.pop("maxlength", None)
        return attrs

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if text in self.empty_values:
            return None
        return parse_money(text, allow_zero=self.allow_zero)


def _today() -> dt.date:
    return timezone.localdate()


class PaymentForm(forms.Form):
    amount = MoneyField(
        label=_("จำนวนเงินที่รับ (บาท)"), error_messages={"required": _("ต้องระบุจำนวนเงิน")}
    )
    date = BEDateField(label=_("วันที่ชำระ"), error_messages={"required": _("ต้องระบุวันที่")})
    method = forms.ChoiceField(
        label=_("วิธีชำระ"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CASH,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("หมายเหตุ"), required=False, max_length=300)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, min_date: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date_field = self.fields["date"]
        assert isinstance(date_field, BEDateField)
        date_field.max_date = _today() + dt.timedelta(days=1)
        date_field.min_date = min_date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not valid_key(data.get("idempotency_key") or ""):
            # A hidden field: the message goes above the form, where it is seen.
            raise forms.ValidationError(
                _("แบบฟอร์มนี้หมดอายุ กรุณาเปิดหน้ารับชำระใหม่แล้วกรอกอีกครั้ง"), code="key"
            )
        return data


class PaymentVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลการยกเลิก"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("ต้องระบุเหตุผล")},
    )


class GroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


VOID_CHOICES = [
    ("", _("ทั้งหมด")),
    ("live", _("เฉพาะที่ใช้ได้")),
    ("void", _("เฉพาะที่ยกเลิก")),
]


class PaymentFilterForm(forms.Form):
    date_from = BEDateField(label=_("ตั้งแต่วันที่"), required=False)
    date_to = BEDateField(label=_("ถึงวันที่"), required=False)
    group = GroupChoiceField(
        label=_("กลุ่มหมู่บ้าน"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("ทุกกลุ่ม"),
    )
    void = forms.ChoiceField(label=_("สถานะใบเสร็จ"), choices=VOID_CHOICES, required=False)
    q = forms.CharField(label=_("ค้นหา"), required=False, max_length=100)

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("ต้องไม่ก่อนวันที่เริ่ม"))
        return data


class CollectionDayOpenForm(forms.Form):
    group = GroupChoiceField(
        label=_("กลุ่มหมู่บ้าน"),
        queryset=OrgUnit.objects.none(),
        error_messages={
            "required": _("ต้องเลือกกลุ่ม"),
            "invalid_choice": _("เลือกกลุ่มที่คุณรับเงินได้"),
        },
    )
    date = BEDateField(label=_("วันที่เก็บเงิน"), error_messages={"required": _("ต้องระบุวันที่")})

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        if len(groups) == 1:
            self.fields["group"].initial = groups[0]
        date_field = self.fields["date"]
        assert isinstance(date_field, BEDateField)
        date_field.max_date = _today() + dt.timedelta(days=1)


class CollectionDayCloseForm(forms.Form):
    counted_cash = MoneyField(
        label=_("เงินสดที่นับได้ (บาท)"),
        allow_zero=True,
        error_messages={"required": _("ต้องระบุยอดเงินสดที่นับได้")},
    )
    note = forms.CharField(
        label=_("หมายเหตุ"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("ต้องระบุเมื่อเงินที่นับได้ไม่ตรงกับยอดในระบบ"),
    )
