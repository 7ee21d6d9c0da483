"""Screen forms. They only parse and show errors; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from chumchon.areas.models import OrgUnit, Village
from chumchon.core.thai_forms import BEDateField, NationalIDField, PartialBEDateField
from chumchon.people.models import OtherIdKind, Relation, Sex, Title


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง กรุณาลองใหม่",
        "inactive": "บัญชีผู้ใช้นี้ถูกระงับ",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "ชื่อผู้ใช้"
        self.fields["password"].label = "รหัสผ่าน"


def _unit_label(unit: OrgUnit) -> str:
    return unit.name


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _unit_label(obj)


class VillageChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.subdistrict})"


class PersonForm(forms.Form):
    org_unit = UnitChoiceField(label="หน่วยที่ดูแล", queryset=OrgUnit.objects.none())
    title = forms.ChoiceField(label="คำนำหน้า", choices=Title.choices)
    title_other = forms.CharField(label="คำนำหน้าอื่น (ระบุ)", required=False, max_length=40)
    first_name = forms.CharField(label="ชื่อ", max_length=100)
    last_name = forms.CharField(label="นามสกุล", max_length=100, required=False)
    sex = forms.ChoiceField(label="เพศ", choices=Sex.choices, initial=Sex.UNSPECIFIED)
    birth = PartialBEDateField(label="วันเกิด (วว/ดด/ปปปป พ.ศ. หรือปี พ.ศ. อย่างเดียว)", required=False)
    national_id = NationalIDField(label="เลขประจำตัวประชาชน 13 หลัก", required=False)
    other_id_kind = forms.ChoiceField(
        label="เอกสารอื่น (ผู้ไม่มีสัญชาติไทย)", choices=OtherIdKind.choices, required=False
    )
    other_id_number = forms.CharField(label="เลขที่เอกสารอื่น", required=False, max_length=40)
    phone = forms.CharField(label="โทรศัพท์", required=False, max_length=20)
    house_number = forms.CharField(label="บ้านเลขที่", required=False, max_length=20)
    village = VillageChoiceField(label="หมู่บ้าน", queryset=Village.objects.none(), required=False)
    street = forms.CharField(label="ถนน/ซอย", required=False, max_length=120)
    postcode = forms.CharField(label="รหัสไปรษณีย์", required=False, max_length=5)
    death_date = BEDateField(label="วันที่เสียชีวิต", required=False)
    note = forms.CharField(
        label="หมายเหตุ", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, units: Any, villages: Any, with_relation: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        if units.count() == 1:
            self.fields["org_unit"].initial = units.first()
        if with_relation:
            self.fields["relation"] = forms.ChoiceField(
                label="ความสัมพันธ์กับครัวเรือน", choices=Relation.choices
            )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        birth = data.pop("birth", None)
        data["birth_date"], data["birth_year"] = birth if birth else (None, None)
        data.pop("org_unit", None)
        data.pop("relation", None)
        return data


class HouseholdForm(forms.Form):
    org_unit = UnitChoiceField(label="หน่วยที่ดูแล", queryset=OrgUnit.objects.none())
    house_number = forms.CharField(label="บ้านเลขที่", max_length=20)
    village = VillageChoiceField(label="หมู่บ้าน", queryset=Village.objects.none(), required=False)
    house_registration_no = forms.CharField(
        label="เลขประจำบ้าน (11 หลัก)", required=False, max_length=20
    )
    street = forms.CharField(label="ถนน/ซอย", required=False, max_length=120)
    postcode = forms.CharField(label="รหัสไปรษณีย์", required=False, max_length=5)
    note = forms.CharField(
        label="หมายเหตุ", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        if units.count() == 1:
            self.fields["org_unit"].initial = units.first()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org_unit", None)
        return data


class MemberAddForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    relation = forms.ChoiceField(label="ความสัมพันธ์กับครัวเรือน", choices=Relation.choices)


class VillageForm(forms.Form):
    number = forms.IntegerField(label="หมู่ที่", min_value=1, max_value=99)
    name = forms.CharField(label="ชื่อหมู่บ้าน", max_length=120)
