"""Forms of the fund setup and member screens. They parse and show errors; services decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chumchon.core.permissions import Role
from chumchon.core.thai import THAI_MONTHS, to_arabic_digits
from chumchon.core.thai_forms import BEDateField
from chumchon.funds.models import LapseRule, MemberType, PaymentMethod, RefundRule
from chumchon.funds.services import PLAN_MONTHS, BeneficiaryData
from chumchon.ledger.models import AccountKind

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

# Roles a fund may name as the approver of new members (committee roles of a fund).
APPROVER_ROLES = (
    Role.CHAIR,
    Role.VICE_CHAIR,
    Role.SECRETARY,
    Role.TREASURER,
    Role.REGISTRAR,
    Role.COMMITTEE,
)

PLAN_MONTH_LABELS = {
    1: _("ทุกเดือน"),
    2: _("ทุก 2 เดือน"),
    3: _("ทุก 3 เดือน"),
    4: _("ทุก 4 เดือน"),
    6: _("ทุก 6 เดือน"),
    12: _("ทุก 12 เดือน"),
}

# The usual ways to pay 1 baht a day (domain.md §1): each fund ticks the ones it offers.
PLAN_PRESETS: tuple[tuple[Any, int, Decimal, bool], ...] = (
    (_("รายเดือน"), 1, Decimal("30"), True),
    (_("รายไตรมาส"), 3, Decimal("90"), True),
    (_("รายครึ่งปี"), 6, Decimal("180"), True),
    (_("รายปี 360 บาท"), 12, Decimal("360"), False),
    (_("รายปี 365 บาท"), 12, Decimal("365"), True),
)


def pct(value: Decimal) -> str:
    """A percent without trailing zeros and never in exponent form (50, 33.5, 100)."""
    text = format(Decimal(value).quantize(CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def month_choices() -> list[tuple[int, str]]:
    return [(i, gettext(name)) for i, name in enumerate(THAI_MONTHS, start=1)]


def plan_month_choices() -> list[tuple[int, Any]]:
    return [(m, PLAN_MONTH_LABELS[m]) for m in PLAN_MONTHS]


class BahtField(forms.CharField):
    """An amount in baht: commas and Thai digits accepted, at most 2 decimals, never negative."""

    default_error_messages = {
        "invalid": _("อ่านเป็นจำนวนเงินไม่ได้ กรอกเป็นตัวเลข เช่น 30 หรือ 1,250.50"),
        "places": _("ใส่ได้ถึงสตางค์ (ทศนิยม 2 ตำแหน่ง)"),
        "negative": _("ต้องไม่ติดลบ"),
        "zero": _("ต้องมากกว่าศูนย์"),
    }

    def __init__(self, *, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "money"})
        return attrs

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if text in self.empty_values:
            return None
        raw = to_arabic_digits(str(text)).replace(",", "").strip()
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if amount != amount.quantize(CENT):
            raise forms.ValidationError(self.error_messages["places"], code="places")
        if amount < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if amount == 0 and not self.allow_zero:
            raise forms.ValidationError(self.error_messages["zero"], code="zero")
        return amount.quantize(CENT)


class ThaiIntegerField(forms.IntegerField):
    """An integer typed with Arabic or Thai digits."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = to_arabic_digits(value).strip()
        return super().to_python(value)


class PercentField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", HUNDRED)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = to_arabic_digits(value).replace("%", "").strip()
        return super().to_python(value)


# ---------------------------------------------------------------- fund rules


class FundRulesForm(forms.Form):
    """The fund's rules; the same fields for opening the books and for editing them."""

    founded_on = BEDateField(label=_("วันที่ก่อตั้งกองทุน"), required=False)
    entry_fee = BahtField(label=_("ค่าสมัครสมาชิก (บาท)"), initial=Decimal("0"))
    lapse_rule = forms.ChoiceField(
        label=_("เกณฑ์การขาดสมาชิกภาพ"),
        choices=LapseRule.choices,
        widget=forms.RadioSelect,
        initial=LapseRule.DAYS_IN_ARREARS,
    )
    lapse_days = ThaiIntegerField(
        label=_("ขาดสมาชิกภาพเมื่อค้างชำระเกิน (วัน)"), min_value=1, max_value=730, initial=60
    )
    lapse_missed_dues = ThaiIntegerField(
        label=_("ขาดสมาชิกภาพเมื่อค้างชำระเกิน (งวด)"), min_value=1, max_value=24, initial=3
    )
    refund_rule = forms.ChoiceField(
        label=_("การคืนเงินสมทบเมื่อลาออก"), choices=RefundRule.choices, initial=RefundRule.NONE
    )
    refund_percent = PercentField(
        label=_("อัตราการคืนเงินสมทบ (ร้อยละ)"), initial=Decimal("0"), required=False
    )
    member_approver_role = forms.ChoiceField(
        label=_("ผู้อนุมัติสมาชิกใหม่"),
        choices=[(r.value, r.label) for r in APPROVER_ROLES],
        initial=Role.CHAIR,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule = data.get("refund_rule")
        percent = data.get("refund_percent")
        if percent is None:
            data["refund_percent"] = percent = Decimal("0")
        if rule and rule != RefundRule.NONE and percent <= 0:
            self.add_error(
                "refund_percent",
                gettext("ต้องมากกว่าศูนย์เมื่อระเบียบให้คืนเงินสมทบ (หรือเลือก “ไม่คืนเงินสมทบ”)"),
            )
        if rule == RefundRule.NONE:
            data["refund_percent"] = Decimal("0")
        return data


class FundCreateForm(FundRulesForm):
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("ปีบัญชีเริ่มเดือน"), coerce=int, choices=month_choices, initial=10
    )

    field_order = ["fiscal_year_start_month", "founded_on", "entry_fee"]


class FundEditForm(FundRulesForm):
    public_board = forms.BooleanField(label=_("เปิดกระดานความโปร่งใสต่อสาธารณะ"), required=False)
    reason = forms.CharField(label=_("เหตุผลที่แก้ไข (เช่น มติที่ประชุมใหญ่ ครั้งที่/วันที่)"), max_length=200)


class PlanRowForm(forms.Form):
    """One plan offered when the books open (ticked rows are created)."""

    use = forms.BooleanField(label=_("ใช้แบบนี้"), required=False)
    name = forms.CharField(label=_("ชื่อแบบการออม"), max_length=100, required=False)
    months = forms.TypedChoiceField(
        label=_("ชำระทุก"), coerce=int, choices=plan_month_choices, required=False
    )
    amount = BahtField(label=_("จำนวนเงินต่องวด (บาท)"), required=False, allow_zero=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("use"):
            if not (data.get("name") or "").strip():
                self.add_error("name", gettext("ต้องระบุเมื่อเลือกใช้แบบนี้"))
            if not data.get("months"):
                self.add_error("months", gettext("ต้องเลือกเมื่อเลือกใช้แบบนี้"))
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", gettext("ต้องระบุเมื่อเลือกใช้แบบนี้"))
        return data


class BasePlanRows(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        names: set[str] = set()
        chosen = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data.get("use"):
                continue
            chosen += 1
            name = data["name"].strip()
            if name in names:
                raise forms.ValidationError(
                    gettext("แบบการออม: ชื่อ “%(n)s” ซ้ำกัน ตั้งชื่อให้ต่างกัน") % {"n": name}
                )
            names.add(name)
        if not chosen:
            raise forms.ValidationError(gettext("แบบการออม: เลือกอย่างน้อยหนึ่งแบบ"))

    def plans(self) -> list[tuple[str, int, Decimal]]:
        return [
            (f.cleaned_data["name"].strip(), f.cleaned_data["months"], f.cleaned_data["amount"])
            for f in self.forms
            if f.cleaned_data.get("use")
        ]


_PlanRows = forms.formset_factory(PlanRowForm, formset=BasePlanRows, extra=1, max_num=10)


def plan_rows(data: Any = None, *, initial: Any = None) -> BasePlanRows:
    """The plan rows of the opening form (prefix ``plans``)."""
    return _PlanRows(data, prefix="plans", initial=initial)  # type: ignore[return-value]


def plan_rows_initial() -> list[dict[str, Any]]:
    return [
        {"use": use, "name": str(name), "months": months, "amount": amount}
        for name, months, amount, use in PLAN_PRESETS
    ]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("ชื่อแบบการออม"), max_length=100)
    months = forms.TypedChoiceField(label=_("ชำระทุก"), coerce=int, choices=plan_month_choices)
    amount = BahtField(label=_("จำนวนเงินต่องวด (บาท)"), allow_zero=False)


class PlanEditForm(PlanForm):
    active = forms.BooleanField(label=_("เปิดให้ผู้สมัครใหม่เลือก"), required=False)


# ---------------------------------------------------------------- chart of accounts


class AccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("หมวดบัญชี"), choices=AccountKind.choices)
    code = forms.CharField(
        label=_("รหัสบัญชี"),
        max_length=12,
        help_text=_("ตัวเลข 4–12 หลัก ขึ้นต้นตามหมวด: 1 สินทรัพย์ 2 หนี้สิน 3 ทุน 4 รายได้ 5 ค่าใช้จ่าย"),
    )
    name = forms.CharField(label=_("ชื่อบัญชี"), max_length=200)
    is_cash = forms.BooleanField(label=_("เป็นเงินสดหรือเงินฝาก (เช่น บัญชีธนาคารอีกบัญชี)"), required=False)

    def clean_code(self) -> str:
        return to_arabic_digits(self.cleaned_data["code"]).strip()


class AccountEditForm(forms.Form):
    name = forms.CharField(label=_("ชื่อบัญชี"), max_length=200)
    active = forms.BooleanField(label=_("ใช้งาน"), required=False)


# ---------------------------------------------------------------- members


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PlanChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        from chumchon.core.thai import format_baht

        return gettext("%(name)s · %(amount)s บาท ทุก %(months)s เดือน") % {
            "name": obj.name,
            "amount": format_baht(obj.amount),
            "months": obj.months,
        }


class MemberApplyForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    org_unit = UnitChoice(label=_("กลุ่มหมู่บ้าน"), queryset=None)
    plan = PlanChoice(label=_("แบบการออม"), queryset=None)
    applied_on = BEDateField(label=_("วันที่สมัคร"))
    member_type = forms.ChoiceField(label=_("ประเภทสมาชิก"), choices=MemberType.choices)

    def __init__(self, *args: Any, groups: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = groups  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class BeneficiaryForm(forms.Form):
    name = forms.CharField(label=_("ชื่อ-นามสกุลผู้รับผลประโยชน์"), max_length=200, required=False)
    relation = forms.CharField(
        label=_("ความสัมพันธ์"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"list": "relations"}),
    )
    share_percent = PercentField(label=_("สัดส่วน (ร้อยละ)"), required=False)
    age = ThaiIntegerField(label=_("อายุ (ปี)"), min_value=0, max_value=130, required=False)
    address = forms.CharField(label=_("ที่อยู่"), max_length=300, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) not in (None, "") for k in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", gettext("ต้องระบุชื่อ"))
        if not (data.get("relation") or "").strip() and "relation" not in self.errors:
            self.add_error("relation", gettext("ต้องระบุความสัมพันธ์กับสมาชิก"))
        if data.get("share_percent") is None and "share_percent" not in self.errors:
            self.add_error("share_percent", gettext("ต้องระบุ"))
        elif data.get("share_percent") is not None and data["share_percent"] <= 0:
            self.add_error("share_percent", gettext("ต้องมากกว่าศูนย์"))
        return data


class BaseBeneficiaries(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        rows = [f for f in self.forms if not f.is_blank()]  # type: ignore[attr-defined]
        if not rows:
            raise forms.ValidationError(gettext("ผู้รับผลประโยชน์: ระบุอย่างน้อยหนึ่งคน"))
        total = sum((f.cleaned_data["share_percent"] for f in rows), Decimal("0"))
        if total != HUNDRED:
            raise forms.ValidationError(
                gettext("ผู้รับผลประโยชน์: สัดส่วนรวมต้องเท่ากับร้อยละ 100 (ตอนนี้รวมได้ %(t)s)")
                % {"t": pct(total)}
            )

    def beneficiaries(self) -> list[BeneficiaryData]:
        return [
            BeneficiaryData(
                name=f.cleaned_data["name"].strip(),
                relation=f.cleaned_data["relation"].strip(),
                share_percent=f.cleaned_data["share_percent"],
                age=f.cleaned_data.get("age"),
                address=(f.cleaned_data.get("address") or "").strip(),
            )
            for f in self.forms
            if not f.is_blank()  # type: ignore[attr-defined]
        ]


_Beneficiaries = forms.formset_factory(
    BeneficiaryForm, formset=BaseBeneficiaries, extra=2, max_num=10
)


def beneficiary_rows(data: Any = None, *, initial: Any = None) -> BaseBeneficiaries:
    """The beneficiary rows of a member (prefix ``ben``)."""
    return _Beneficiaries(data, prefix="ben", initial=initial)  # type: ignore[return-value]


RELATIONS = (
    _("คู่สมรส"),
    _("บุตร"),
    _("บิดา"),
    _("มารดา"),
    _("พี่น้อง"),
    _("หลาน"),
    _("ญาติ"),
)


class ApproveForm(forms.Form):
    joined_on = BEDateField(label=_("วันที่เป็นสมาชิก"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผลที่ไม่อนุมัติ"), max_length=300)


class ResignForm(forms.Form):
    date = BEDateField(label=_("วันที่ลาออก"))
    reason = forms.CharField(label=_("เหตุผลการลาออก"), max_length=300)
    method = forms.ChoiceField(
        label=_("จ่ายเงินคืนเป็น"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )


class MoveForm(forms.Form):
    to_unit = UnitChoice(label=_("ย้ายไปกลุ่ม"), queryset=None)
    date = BEDateField(label=_("วันที่ย้าย"))
    reason = forms.CharField(label=_("เหตุผล"), max_length=300, required=False)

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = groups  # type: ignore[attr-defined]


class PlanChangeForm(forms.Form):
    plan = PlanChoice(label=_("แบบการออมใหม่"), queryset=None)
    date = BEDateField(label=_("ใช้แบบใหม่ตั้งแต่วันที่"))

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
