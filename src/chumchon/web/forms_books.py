"""Forms of the book screens: date ranges, period close/reopen, matching money.

They only parse and show errors; the ledger and fund services decide and write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chumchon.core.thai_forms import BEDateField
from chumchon.funds.models import FundingSource, PaymentMethod

CASH_KINDS = [
    ("", _("เงินสดและเงินฝากธนาคาร")),
    ("cash", _("เงินสดเท่านั้น")),
    ("bank", _("เงินฝากธนาคารเท่านั้น")),
]

MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}


class DateRangeForm(forms.Form):
    """A date range typed in the Buddhist Era; either end may be left for its default."""

    start = BEDateField(label=_("ตั้งแต่วันที่"), required=False)
    end = BEDateField(label=_("ถึงวันที่"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("ต้องไม่ก่อนวันที่เริ่มต้น"))
        return data


class CashBookForm(DateRangeForm):
    kind = forms.ChoiceField(label=_("บัญชี"), choices=CASH_KINDS, required=False)


class LedgerForm(DateRangeForm):
    account = forms.TypedChoiceField(label=_("บัญชี"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [  # type: ignore[attr-defined]
            ("", _("ทุกบัญชีที่มียอด")),
            *[(a.pk, f"{a.code} {a.name}") for a in accounts],
        ]


class AsOfForm(forms.Form):
    as_of = BEDateField(label=_("ณ วันที่"), required=False)
    hide_zero = forms.BooleanField(label=_("ซ่อนบัญชีที่ไม่มียอด"), required=False)


class PeriodReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผล"),
        max_length=500,
        error_messages={"required": _("ต้องระบุเหตุผล")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _source_choices(*, members: bool) -> list[tuple[str, Any]]:
    return [
        (value, label)
        for value, label in FundingSource.choices
        if members or value != FundingSource.MEMBERS
    ]


class FundReceiptForm(forms.Form):
    source = forms.ChoiceField(label=_("แหล่งเงิน"), choices=[])
    round_no = forms.IntegerField(
        label=_("รอบที่"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("เงินสมทบจากรัฐบาลผ่าน พอช. ต้องระบุรอบ"),
    )
    date = BEDateField(label=_("วันที่รับเงิน"))
    amount = forms.CharField(
        label=_("จำนวนเงิน (บาท)"), max_length=20, widget=forms.TextInput(attrs=MONEY_ATTRS)
    )
    method = forms.ChoiceField(
        label=_("รับเป็น"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    payer = forms.CharField(label=_("ผู้จ่ายเงิน / หน่วยงาน"), max_length=200, required=False)
    fiscal_year = forms.IntegerField(
        label=_("ปีงบประมาณ (พ.ศ.) ที่เงินนี้เป็นของ"),
        required=False,
        min_value=2500,
        max_value=2700,
        help_text=_("เว้นว่างไว้: ใช้ปีบัญชีของวันที่รับเงิน"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _source_choices(members=False)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == FundingSource.STATE_CODI and not data.get("round_no"):
            self.add_error("round_no", _("เงินสมทบจากรัฐบาลผ่าน พอช. ต้องระบุรอบ"))
        return data


class PledgeForm(forms.Form):
    source = forms.ChoiceField(label=_("แหล่งเงิน"), choices=[])
    fiscal_year = forms.IntegerField(label=_("ปีงบประมาณ (พ.ศ.)"), min_value=2500, max_value=2700)
    round_no = forms.IntegerField(label=_("รอบที่"), required=False, min_value=1, max_value=99)
    amount = forms.CharField(
        label=_("จำนวนเงินที่สัญญา (บาท)"), max_length=20, widget=forms.TextInput(attrs=MONEY_ATTRS)
    )
    note = forms.CharField(label=_("หมายเหตุ"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _source_choices(members=False)  # type: ignore[attr-defined]


class FreezeForm(forms.Form):
    round_no = forms.IntegerField(label=_("รอบที่"), min_value=1, max_value=99)
