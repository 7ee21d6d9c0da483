"""Forms of the committee screens: roles at a unit and new sub-units.

They only parse and show errors; ``chumchon.areas.services`` decides (permission, overlapping
terms, password rules, the last chair) and writes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from chumchon.areas.models import ALLOWED_CHILDREN, OrgUnit, OrgUnitKind, Village
from chumchon.core.permissions import Role
from chumchon.core.thai_forms import BEDateField

NEW_ACCOUNT_FIELDS = ("username", "first_name", "last_name", "password")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class RoleAssignForm(forms.Form):
    """A role for a user who already works in one of the actor's units, or for a new account."""

    user = UserChoiceField(
        label=_("ผู้ใช้ที่มีบัญชีอยู่แล้ว"),
        queryset=None,
        required=False,
        empty_label=_("— สร้างบัญชีผู้ใช้ใหม่ (กรอกด้านล่าง) —"),
        help_text=_("รายชื่อผู้ที่มีหรือเคยมีบทบาทในหน่วยที่คุณดูแล"),
    )
    username = forms.CharField(
        label=_("ชื่อผู้ใช้สำหรับเข้าระบบ (บัญชีใหม่)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(
        label=pgettext_lazy("first name", "ชื่อ"), required=False, max_length=150
    )
    last_name = forms.CharField(label=_("นามสกุล"), required=False, max_length=150)
    password = forms.CharField(
        label=_("รหัสผ่านเริ่มต้น"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("ยืนยันรหัสผ่าน"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("บทบาท"), choices=())
    start_date = BEDateField(label=_("เริ่มวาระ"))
    end_date = BEDateField(label=_("สิ้นสุดวาระ (ถ้ามี)"), required=False)

    def __init__(self, *args: Any, users: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", gettext("— เลือกบทบาท —")), *Role.choices]  # type: ignore[attr-defined]
        self.fields["password"].help_text = " ".join(password_validators_help_texts())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is not None:
            if any(data.get(name) for name in NEW_ACCOUNT_FIELDS):
                raise forms.ValidationError(
                    gettext("เลือกผู้ใช้ที่มีบัญชีอยู่แล้ว หรือกรอกบัญชีใหม่ อย่างใดอย่างหนึ่ง")
                )
            return data
        for name in ("username", "first_name", "password"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("ต้องกรอกเมื่อสร้างบัญชีผู้ใช้ใหม่"))
        if data.get("password") and data.get("password2") != data.get("password"):
            self.add_error("password2", gettext("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))
        return data


class RoleEndForm(forms.Form):
    end_date = BEDateField(label=_("วันสิ้นสุดวาระ (วันสุดท้ายที่มีสิทธิ์)"))


class SubUnitForm(forms.Form):
    """A child unit: only the kinds allowed under the parent, villages of its subdistrict."""

    name = forms.CharField(label=_("ชื่อหน่วย"), max_length=200)
    kind = forms.ChoiceField(label=_("ประเภท"), choices=())
    village = forms.ModelChoiceField(
        label=_("หมู่บ้าน (สำหรับกลุ่มระดับหมู่บ้าน)"),
        queryset=Village.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, parent: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHILDREN.get(parent.kind, set())
        self.allowed_kinds = [(v, label) for v, label in OrgUnitKind.choices if v in allowed]
        self.fields["kind"].choices = self.allowed_kinds  # type: ignore[attr-defined]
        if len(self.allowed_kinds) == 1:
            self.fields["kind"].initial = self.allowed_kinds[0][0]
        if parent.subdistrict_id is None:
            del self.fields["village"]
        else:
            self.fields["village"].queryset = Village.objects.filter(  # type: ignore[attr-defined]
                subdistrict_id=parent.subdistrict_id, active=True
            ).order_by("number")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("village", None)
        return data
