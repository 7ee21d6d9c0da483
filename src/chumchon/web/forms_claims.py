"""Forms of the claim screens: a new claim with its documents, a committee decision, a payout,
its reversal, the claims filter, the fund's approval rules and a login's person.

They parse what was typed (Thai digits, BE dates, amounts) and show errors; the services of
``chumchon.benefits.services_claims`` decide and write. An error under a field is shown as
"label: message" (``_form_fields.html``), so the messages here do not repeat the label.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chumchon.benefits.models import ClaimState, Decision
from chumchon.core.thai import to_arabic_digits
from chumchon.core.thai_forms import BEDateField
from chumchon.funds.models import PaymentMethod

from .forms_money import MoneyField, new_key

DOCUMENT_SLOTS = 3
ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic"


def _today() -> dt.date:
    return timezone.localdate()


class UnitsField(forms.CharField):
    """A count such as nights (Thai digits allowed); cleans to a Decimal or None."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        attrs.pop("maxlength", None)
        return attrs

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = to_arabic_digits(str(super().clean(value) or "")).strip().replace(",", "")
        if not text:
            return None
        try:
            units = Decimal(text)
        except (InvalidOperation, ValueError):
            raise forms.ValidationError(_("อ่านเป็นตัวเลขไม่ได้ เช่น 3 หรือ 2.5")) from None
        if not units.is_finite() or units <= 0:
            raise forms.ValidationError(_("ต้องมากกว่าศูนย์"))
        if units != units.quantize(Decimal("0.01")) or units >= Decimal("100000000"):
            raise forms.ValidationError(_("ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"))
        return units


class ClaimForm(forms.Form):
    member = forms.CharField(
        label=_("สมาชิก"),
        max_length=100,
        help_text=_("พิมพ์เลขที่สมาชิก หรือชื่อ-นามสกุล"),
        error_messages={"required": _("ต้องระบุสมาชิก")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    benefit_code = forms.ChoiceField(
        label=_("สวัสดิการ"), choices=(), error_messages={"required": _("ต้องเลือกสวัสดิการ")}
    )
    event_date = BEDateField(
        label=_("วันที่เกิดเหตุ"),
        help_text=_("เช่น วันที่เข้าโรงพยาบาล วันที่คลอด วันที่เสียชีวิต"),
        error_messages={"required": _("ต้องระบุวันที่")},
    )
    event_end = BEDateField(
        label=_("ถึงวันที่"),
        required=False,
        help_text=_("เช่น วันที่ออกจากโรงพยาบาล (นับจำนวนคืนให้)"),
    )
    units = UnitsField(
        label=_("จำนวน (เช่น จำนวนคืน จำนวนบุตร)"),
        required=False,
        help_text=_("เว้นว่างได้: นับจากวันที่ หรือนับเป็น 1"),
    )
    note = forms.CharField(
        label=_("รายละเอียด"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    beneficiary = forms.ChoiceField(label=_("ผู้รับเงิน"), required=False, choices=())
    amount = MoneyField(
        label=_("จำนวนเงินที่ขอจ่าย (บาท)"),
        required=False,
        allow_zero=True,
        help_text=_("เว้นว่าง = ตามที่ระเบียบกำหนด"),
    )
    override_reason = forms.CharField(
        label=_("เหตุผลที่จ่ายต่างจากระเบียบ"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("ต้องระบุเมื่อจำนวนเงินต่างจากระเบียบ หรือจ่ายทั้งที่ไม่มีสิทธิ์ตามระเบียบ"),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        benefits: list[tuple[str, str]],
        beneficiaries: list[tuple[str, str]] | None = None,
        doc_types: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["benefit_code"].choices = [("", _("— เลือกสวัสดิการ —")), *benefits]  # type: ignore[attr-defined]
        for name in ("event_date", "event_end"):
            f = self.fields[name]
            assert isinstance(f, BEDateField)
            f.max_date = _today()
        if beneficiaries:
            self.fields["beneficiary"].choices = [  # type: ignore[attr-defined]
                ("", _("ผู้รับผลประโยชน์ทุกคนตามสัดส่วนที่สมาชิกระบุ")),
                *beneficiaries,
            ]
        else:
            del self.fields["beneficiary"]
        for i in range(1, DOCUMENT_SLOTS + 1):
            self.fields[f"doc_type_{i}"] = forms.CharField(
                label=_("ประเภทเอกสารที่ %(i)s") % {"i": i},
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"list": "claim-doc-types", "autocomplete": "off"}),
            )
            self.fields[f"file_{i}"] = forms.FileField(
                label=_("ไฟล์ที่ %(i)s") % {"i": i},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
        self.doc_types = doc_types or []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("event_date"), data.get("event_end")
        if start and end and end < start:
            self.add_error("event_end", _("ต้องไม่ก่อนวันที่เกิดเหตุ"))
        for i in range(1, DOCUMENT_SLOTS + 1):
            if data.get(f"file_{i}") and not (data.get(f"doc_type_{i}") or "").strip():
                self.add_error(f"doc_type_{i}", _("ต้องระบุประเภทของเอกสารที่แนบ"))
        return data

    def documents(self) -> list[tuple[str, Any]]:
        out = []
        for i in range(1, DOCUMENT_SLOTS + 1):
            upload = self.cleaned_data.get(f"file_{i}")
            if upload:
                out.append((self.cleaned_data.get(f"doc_type_{i}", ""), upload))
        return out

    @property
    def document_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"doc_type_{i}"], self[f"file_{i}"]) for i in range(1, DOCUMENT_SLOTS + 1)]

    @property
    def main_fields(self) -> list[Any]:
        skip = {f"doc_type_{i}" for i in range(1, DOCUMENT_SLOTS + 1)}
        skip |= {f"file_{i}" for i in range(1, DOCUMENT_SLOTS + 1)}
        skip |= {"amount", "override_reason", "idempotency_key"}
        return [self[n] for n in self.fields if n not in skip]

    @property
    def override_fields(self) -> list[Any]:
        return [self["amount"], self["override_reason"]]

    @staticmethod
    def fresh_key() -> str:
        return new_key()


class DocumentAddForm(forms.Form):
    doc_type = forms.CharField(
        label=_("ประเภทเอกสาร"),
        max_length=200,
        error_messages={"required": _("ต้องระบุประเภทเอกสาร")},
        widget=forms.TextInput(attrs={"list": "claim-doc-types", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=_("ไฟล์"),
        error_messages={"required": _("ต้องเลือกไฟล์")},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("มติ"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("ต้องเลือกอนุมัติหรือไม่อนุมัติ")},
    )
    reason = forms.CharField(
        label=_("เหตุผล"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("ต้องระบุเมื่อไม่อนุมัติ"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("ต้องระบุเหตุผลที่ไม่อนุมัติ"))
        return data


class PayForm(forms.Form):
    date = BEDateField(label=_("วันที่จ่าย"), error_messages={"required": _("ต้องระบุวันที่")})
    method = forms.ChoiceField(
        label=_("วิธีจ่าย"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CASH,
        widget=forms.RadioSelect,
    )
    bank_ref = forms.CharField(
        label=_("เลขที่อ้างอิงการโอน"),
        required=False,
        max_length=100,
        help_text=_("เมื่อจ่ายโดยโอนเงิน"),
    )

    def __init__(self, *args: Any, min_date: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["date"]
        assert isinstance(f, BEDateField)
        f.max_date = _today() + dt.timedelta(days=1)
        f.min_date = min_date


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลการกลับรายการ"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("ต้องระบุเหตุผล")},
    )


MINE_CHOICES = [("", _("ทั้งหมด")), ("1", _("รอการพิจารณาของฉัน"))]


class ClaimFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("สถานะ"), required=False, choices=[("", _("ทุกสถานะ")), *ClaimState.choices]
    )
    benefit = forms.ChoiceField(label=_("สวัสดิการ"), required=False, choices=())
    mine = forms.ChoiceField(label=_("การพิจารณา"), required=False, choices=MINE_CHOICES)
    q = forms.CharField(
        label=_("ค้นหา"),
        required=False,
        max_length=100,
        help_text=_("เลขที่คำขอ เลขที่สมาชิก หรือชื่อ"),
    )

    def __init__(self, *args: Any, benefits: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["benefit"].choices = [("", _("ทุกสวัสดิการ")), *benefits]  # type: ignore[attr-defined]


class UserPersonForm(forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("ผู้ใช้"),
        queryset=None,
        error_messages={"required": _("ต้องเลือกผู้ใช้"), "invalid_choice": _("เลือกผู้ใช้ในรายการ")},
    )
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("บุคคล"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("เลือกบุคคลในรายการ")},
    )
    clear = forms.BooleanField(label=_("ยกเลิกการผูกกับบุคคล"), required=False)

    def __init__(self, *args: Any, users: Any, persons: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.get_full_name()} ({u.get_username()})" if u.get_full_name() else u.get_username()
        )
        self.fields["person"].queryset = persons  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = lambda p: p.full_name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("clear") and data.get("person") is None and "person" not in self.errors:
            self.add_error("person", _("ค้นหาแล้วเลือกบุคคล หรือเลือกยกเลิกการผูก"))
        return data
