"""Forms of the regulation screens: a version's header, a benefit with rows of tiers and limits,
adoption, import, and the approval rules of claims.

They read what was typed (Thai digits, commas, Buddhist Era dates); the regulation services
decide (``chumchon.benefits.services_regulation``). A row of tiers, limits or rules left blank is
ignored, so a phone user deletes a row by clearing it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chumchon.benefits.models import (
    AmountKind,
    DurationUnit,
    LimitMeasure,
    LimitPeriod,
    Payee,
    Recurrence,
    SexCondition,
    Standing,
)
from chumchon.benefits.services_regulation import approver_roles
from chumchon.core.permissions import Role
from chumchon.core.thai_forms import BEDateField
from chumchon.funds.chart import BENEFIT_CATEGORIES
from chumchon.funds.models import MemberType

from .forms_funds import BahtField, ThaiIntegerField, month_choices

MAX_TIER_ROWS = 20
MAX_LIMIT_ROWS = 12
MAX_RULE_ROWS = 10
MAX_UPLOAD = 512 * 1024


def category_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {gettext(name)}") for code, name in BENEFIT_CATEGORIES]


def _blank_month() -> list[tuple[Any, Any]]:
    return [("", "—"), *month_choices()]


class VersionForm(forms.Form):
    """A draft's header; ``based_on`` only when the draft is new."""

    based_on = forms.TypedChoiceField(
        label=_("เริ่มจาก"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("คัดลอกสวัสดิการทั้งหมดจากฉบับที่เลือก แล้วแก้ไขเฉพาะส่วนที่เปลี่ยน"),
    )
    title = forms.CharField(
        label=_("ชื่อระเบียบ"),
        max_length=300,
        error_messages={"required": _("ต้องระบุ")},
        help_text=_("เช่น ระเบียบกองทุนสวัสดิการชุมชนตำบล… ว่าด้วยการจัดสวัสดิการแก่สมาชิก พ.ศ. 2569"),
    )
    effective_from = BEDateField(
        label=_("วันที่มีผลบังคับใช้"), error_messages={"required": _("ต้องระบุวันที่")}
    )
    preamble = forms.CharField(
        label=_("หลักการและเหตุผล"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("ข้อความนำก่อนข้อของระเบียบ (พิมพ์ไว้ต้นเอกสาร)"),
    )

    def __init__(self, *args: Any, versions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if versions is None:
            del self.fields["based_on"]
        else:
            field = self.fields["based_on"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", gettext("ร่างเปล่า (ยังไม่มีสวัสดิการ)"))] + [
                (
                    v.pk,
                    gettext("ฉบับที่ %(n)s · %(t)s (%(s)s)")
                    % {"n": v.number, "t": v.title, "s": v.get_state_display()},
                )
                for v in versions
            ]


class BenefitForm(forms.Form):
    name = forms.CharField(label=_("ชื่อสวัสดิการ"), max_length=200)
    category = forms.ChoiceField(
        label=_("หมวดตามรายงานระดับชาติ"),
        choices=category_choices,
        help_text=_("สวัสดิการเฉพาะของกองทุน (เช่น งานบวช) ให้เลือกหมวดที่ใกล้ที่สุด"),
    )
    code = forms.SlugField(
        label=_("รหัสสวัสดิการ"),
        max_length=40,
        required=False,
        help_text=_("อักษรอังกฤษตัวเล็ก เช่น hospital ใช้ในไฟล์ส่งออก เว้นว่างได้ ระบบตั้งให้"),
    )
    order = ThaiIntegerField(
        label=_("ลำดับข้อ"),
        min_value=0,
        max_value=999,
        required=False,
        help_text=_("เว้นว่าง = ต่อท้าย"),
    )
    description = forms.CharField(
        label=_("รายละเอียดเพิ่มเติม"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    amount_kind = forms.ChoiceField(label=_("วิธีคิดจำนวนเงิน"), choices=AmountKind.choices)
    amount = BahtField(
        label=_("จำนวนเงิน (บาท)"),
        required=False,
        allow_zero=False,
        help_text=_("ต่อครั้ง หรือต่อหน่วย (เว้นว่างเมื่อคิดตามอายุการเป็นสมาชิก)"),
    )
    unit_name = forms.CharField(
        label=_("หน่วย"), max_length=30, required=False, help_text=_("เมื่อจ่ายต่อหน่วย เช่น คืน คน")
    )
    waiting_n = ThaiIntegerField(
        label=_("ระยะรอสิทธิ์"),
        min_value=0,
        max_value=36600,
        required=False,
        help_text=_("เป็นสมาชิกครบเท่าใดจึงมีสิทธิ์ (0 = ตั้งแต่วันแรก)"),
    )
    waiting_unit = forms.ChoiceField(
        label=_("หน่วยระยะรอสิทธิ์"), choices=DurationUnit.choices, initial=DurationUnit.DAYS
    )
    standing = forms.ChoiceField(
        label=_("สถานะสมาชิก ณ วันที่เกิดเหตุ"),
        choices=Standing.choices,
        initial=Standing.NOT_LAPSED,
    )
    standing_arrears_days = ThaiIntegerField(
        label=_("ค้างชำระได้ไม่เกิน (วัน)"), min_value=0, max_value=3650, required=False
    )
    min_age = ThaiIntegerField(label=_("อายุตั้งแต่ (ปี)"), min_value=0, max_value=130, required=False)
    max_age = ThaiIntegerField(label=_("อายุไม่เกิน (ปี)"), min_value=0, max_value=130, required=False)
    sex = forms.ChoiceField(label=_("เพศ"), choices=SexCondition.choices, required=False)
    member_types = forms.MultipleChoiceField(
        label=_("ประเภทสมาชิกที่มีสิทธิ์"),
        choices=MemberType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("ไม่เลือก = ทุกประเภท"),
    )
    payee = forms.ChoiceField(label=_("ผู้รับเงิน"), choices=Payee.choices, initial=Payee.MEMBER)
    recurrence = forms.ChoiceField(label=_("การจ่าย"), choices=Recurrence.choices, required=False)
    run_month = forms.TypedChoiceField(
        label=_("เดือนที่จ่าย (รอบปี)"),
        choices=_blank_month,
        coerce=int,
        empty_value=None,
        required=False,
    )
    documents = forms.CharField(
        label=_("เอกสารที่ต้องใช้"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("บรรทัดละหนึ่งรายการ"),
    )

    def benefit_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["code"] = (d.get("code") or "").strip()
        d["documents"] = [
            line.strip() for line in (d.get("documents") or "").splitlines() if line.strip()
        ]
        return d


def _row_blank(form: forms.Form, names: tuple[str, ...]) -> bool:
    return all(str(form.data.get(form.add_prefix(n), "") or "").strip() == "" for n in names)


class TierForm(forms.Form):
    from_n = ThaiIntegerField(label=_("ตั้งแต่"), min_value=0, required=False)
    from_unit = forms.ChoiceField(
        label=_("หน่วย"), choices=DurationUnit.choices, initial=DurationUnit.YEARS, required=False
    )
    to_n = ThaiIntegerField(label=_("ถึงก่อน"), min_value=0, required=False)
    to_unit = forms.ChoiceField(
        label=_("หน่วย"), choices=DurationUnit.choices, initial=DurationUnit.YEARS, required=False
    )
    amount = BahtField(label=_("จำนวนเงิน (บาท)"), required=False)
    step_amount = BahtField(label=_("เพิ่มต่อปีเต็มที่เกิน"), required=False, allow_zero=False)
    max_amount = BahtField(label=_("ไม่เกิน (บาท)"), required=False, allow_zero=False)

    FILLED = ("from_n", "to_n", "amount", "step_amount", "max_amount")

    def is_blank(self) -> bool:
        return _row_blank(self, self.FILLED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        data["from_unit"] = data.get("from_unit") or DurationUnit.YEARS
        data["to_unit"] = data.get("to_unit") or DurationUnit.YEARS
        if data.get("from_n") is None and "from_n" not in self.errors:
            self.add_error("from_n", gettext("ต้องระบุ (ขั้นแรกใส่ 0)"))
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", gettext("ต้องระบุ (ใส่ 0 ถ้าไม่จ่าย)"))
        if data.get("step_amount") is not None and data.get("to_n") is not None:
            self.add_error("step_amount", gettext("ใช้ได้เฉพาะขั้นบนสุดที่เว้น “ถึงก่อน” ว่าง"))
        return data


class LimitForm(forms.Form):
    measure = forms.ChoiceField(
        label=_("สิ่งที่จำกัด"), choices=[("", "—"), *LimitMeasure.choices], required=False
    )
    maximum = BahtField(label=_("ไม่เกิน"), required=False, allow_zero=False)
    period = forms.ChoiceField(
        label=_("ช่วงเวลา"), choices=[("", "—"), *LimitPeriod.choices], required=False
    )
    start_month = forms.TypedChoiceField(
        label=_("เดือนเริ่มปี"),
        choices=_blank_month,
        coerce=int,
        empty_value=None,
        required=False,
    )

    FILLED = ("measure", "maximum", "period", "start_month")

    def is_blank(self) -> bool:
        return _row_blank(self, self.FILLED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        for name in ("measure", "period"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("ต้องเลือก"))
        if data.get("maximum") is None and "maximum" not in self.errors:
            self.add_error("maximum", gettext("ต้องระบุ"))
        return data


class _Rows(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[dict[str, Any]]:
        return [
            dict(f.cleaned_data)
            for f in self.forms
            if not f.is_blank() and getattr(f, "cleaned_data", None)  # type: ignore[attr-defined]
        ]


def _rows_factory(form: Any, max_num: int) -> Any:
    return forms.formset_factory(
        form, formset=_Rows, extra=0, max_num=max_num, absolute_max=max_num
    )


_TierRows = _rows_factory(TierForm, MAX_TIER_ROWS)
_LimitRows = _rows_factory(LimitForm, MAX_LIMIT_ROWS)


def tier_rows(data: Any = None, *, initial: list[dict[str, Any]] | None = None, spare: int = 2):
    initial = list(initial or [])
    rows = _TierRows(data, prefix="tiers", initial=initial + [{}] * spare)
    return rows


def limit_rows(data: Any = None, *, initial: list[dict[str, Any]] | None = None, spare: int = 2):
    initial = list(initial or [])
    return _LimitRows(data, prefix="limits", initial=initial + [{}] * spare)


class AdoptForm(forms.Form):
    resolution_meeting = forms.CharField(
        label=_("มติที่ประชุม"),
        max_length=300,
        error_messages={"required": _("ต้องระบุ")},
        help_text=_("เช่น ที่ประชุมใหญ่สามัญประจำปีของสมาชิก ครั้งที่ 1/2569"),
    )
    resolution_date = BEDateField(label=_("วันที่ประชุม"), error_messages={"required": _("ต้องระบุวันที่")})
    resolution_no = forms.CharField(label=_("เลขที่มติ"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resolution_date"]
        assert isinstance(field, BEDateField)
        field.max_date = timezone.localdate()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์ระเบียบ (YAML หรือ JSON)"),
        error_messages={"required": _("ต้องเลือกไฟล์")},
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )
    title = forms.CharField(
        label=_("ชื่อระเบียบ"),
        max_length=300,
        required=False,
        help_text=_("เว้นว่าง = ใช้ชื่อในไฟล์"),
    )
    effective_from = BEDateField(
        label=_("วันที่มีผลบังคับใช้"), required=False, help_text=_("เว้นว่าง = ใช้วันที่ในไฟล์")
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f:
            return f
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(
                gettext("ไฟล์ใหญ่เกินไป (ไม่เกิน %(n)s KB)") % {"n": MAX_UPLOAD // 1024}
            )
        name = (f.name or "").lower()
        if not name.endswith((".yaml", ".yml", ".json")):
            raise forms.ValidationError(gettext("ต้องเป็นไฟล์ .yaml .yml หรือ .json"))
        return f


class RuleForm(forms.Form):
    min_amount = BahtField(label=_("ยอดเงินตั้งแต่ (บาท)"), required=False)
    approvals = ThaiIntegerField(label=_("จำนวนผู้อนุมัติ"), min_value=1, max_value=20, required=False)
    roles = forms.MultipleChoiceField(
        label=_("บทบาทที่อนุมัติได้"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(r, Role(r).label) for r in approver_roles()],
    )

    def is_blank(self) -> bool:
        getlist = getattr(self.data, "getlist", None)
        roles = (
            getlist(self.add_prefix("roles"))
            if getlist
            else self.data.get(self.add_prefix("roles"))
        )
        return _row_blank(self, ("min_amount", "approvals")) and not roles

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if data.get("min_amount") is None and "min_amount" not in self.errors:
            self.add_error("min_amount", gettext("ต้องระบุ (เกณฑ์แรกใส่ 0)"))
        if data.get("approvals") is None and "approvals" not in self.errors:
            self.add_error("approvals", gettext("ต้องระบุ"))
        if not data.get("roles") and "roles" not in self.errors:
            self.add_error("roles", gettext("ต้องเลือกอย่างน้อยหนึ่งบทบาท"))
        return data


_RuleRows = _rows_factory(RuleForm, MAX_RULE_ROWS)


def rule_rows(data: Any = None, *, initial: list[dict[str, Any]] | None = None, spare: int = 2):
    initial = list(initial or [])
    return _RuleRows(data, prefix="rules", initial=initial + [{}] * spare)
