"""Forms of the recurring-run and projection screens.

They read what was typed (Thai digits, Buddhist Era dates); the services decide and write. An
error is shown under its field as "label: message" (``_form_fields.html``), so the messages here
do not repeat the label.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chumchon.core.thai import to_arabic_digits
from chumchon.core.thai_forms import BEDateField
from chumchon.funds.models import PaymentMethod

from .forms_money import MoneyField


class RunCreateForm(forms.Form):
    benefit_code = forms.ChoiceField(
        label=_("สวัสดิการ"),
        error_messages={"required": _("ต้องเลือก"), "invalid_choice": _("เลือกสวัสดิการที่จ่ายเป็นรอบ")},
    )
    period_key = forms.CharField(
        label=_("รอบ"),
        max_length=12,
        help_text=_("ปี พ.ศ. เช่น 2570 หรือปีและเดือน เช่น 2570-01 สำหรับสวัสดิการรายเดือน"),
        error_messages={"required": _("ต้องระบุ")},
    )
    as_of = BEDateField(
        label=_("วันที่พิจารณาสิทธิ์"),
        required=False,
        help_text=_("เว้นว่างไว้: วันนี้ หรือวันแรกของรอบหากรอบยังไม่เริ่ม"),
    )

    def __init__(self, *args: Any, benefits: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["benefit_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(b.code, f"{b.name} ({b.get_recurrence_display()})") for b in benefits]
        self.fields["period_key"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off"}
        )

    def clean_period_key(self) -> str:
        return to_arabic_digits(self.cleaned_data["period_key"]).strip()


class RunRefreshForm(forms.Form):
    as_of = BEDateField(
        label=_("วันที่พิจารณาสิทธิ์"),
        required=False,
        help_text=_("เว้นว่างไว้: ใช้วันที่เดิม"),
    )


class RunPostForm(forms.Form):
    pay_date = BEDateField(label=_("วันที่จ่าย"), error_messages={"required": _("ต้องระบุวันที่")})
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
        help_text=_("เมื่อโอนเงินเป็นชุด: เลขที่อ้างอิงของธนาคาร"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date_field = self.fields["pay_date"]
        assert isinstance(date_field, BEDateField)
        date_field.max_date = timezone.localdate()


YEAR_CHOICES = [(n, _("%(n)s ปี") % {"n": n}) for n in range(10, 21)]


class ProjectionForm(forms.Form):
    """The projection's inputs (GET): how far, the matching assumed, and one "what if"."""

    years = forms.TypedChoiceField(
        label=_("ประมาณการล่วงหน้า"), choices=YEAR_CHOICES, coerce=int, initial=15
    )
    matching = MoneyField(
        label=_("เงินสมทบจากรัฐและ อปท. ต่อสมาชิกต่อปี (บาท)"),
        required=False,
        allow_zero=True,
        help_text=_("เว้นว่างไว้: เฉลี่ยจากที่กองทุนได้รับจริงในช่วง 3 ปีที่ผ่านมา"),
    )
    benefit = forms.ChoiceField(label=_("ถ้าเปลี่ยนสวัสดิการ"), required=False)
    benefit_percent = forms.IntegerField(
        label=_("เป็นร้อยละของจำนวนเงินเดิม"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("เช่น 150 คือเพิ่มขึ้นครึ่งหนึ่ง 80 คือลดลงร้อยละ 20"),
    )
    contribution_percent = forms.IntegerField(
        label=_("ถ้าเงินสมทบของสมาชิกเป็นร้อยละ"),
        required=False,
        min_value=10,
        max_value=1000,
        help_text=_("เว้นว่างไว้: เท่าเดิม (100)"),
    )
    whatif_matching = MoneyField(
        label=_("ถ้าเงินสมทบจากรัฐและ อปท. ต่อสมาชิกต่อปีเป็น (บาท)"),
        required=False,
        allow_zero=True,
    )

    def __init__(self, *args: Any, benefits: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["benefit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— ไม่เปลี่ยน —")), *benefits]
        for name in ("benefit_percent", "contribution_percent"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("benefit") and data.get("benefit_percent") is None:
            self.add_error("benefit_percent", _("ต้องระบุเมื่อเลือกสวัสดิการที่จะเปลี่ยน"))
        if data.get("benefit_percent") is not None and not data.get("benefit"):
            self.add_error("benefit", _("ต้องเลือกสวัสดิการที่จะเปลี่ยน"))
        return data

    def matching_value(self) -> float | None:
        value: Decimal | None = self.cleaned_data.get("matching")
        return None if value is None else float(value)
