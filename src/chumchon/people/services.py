"""Writes to persons and households. One transaction each; history is written by
simple-history with the acting user; every refusal is a ValidationError naming the field, with a
message in the active language (Thai source strings through gettext).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.areas.selectors import user_can
from chumchon.core.permissions import Perm
from chumchon.core.thai import format_be_date, national_id_error, normalize_national_id

from .models import Household, HouseholdMember, Person, Relation, Title

PERSON_FIELDS = [
    "title",
    "title_other",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_year",
    "national_id",
    "other_id_kind",
    "other_id_number",
    "phone",
    "house_number",
    "village",
    "street",
    "subdistrict",
    "postcode",
    "death_date",
    "note",
]
HOUSEHOLD_FIELDS = [
    "house_registration_no",
    "house_number",
    "village",
    "street",
    "subdistrict",
    "postcode",
    "note",
]


def _require(user: Any, perm: str, unit: OrgUnit) -> None:
    if not user_can(user, perm, unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))


def _clean_person(data: dict[str, Any], *, exclude_pk: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out = dict(data)
    for key in (
        "first_name",
        "last_name",
        "title_other",
        "other_id_number",
        "phone",
        "house_number",
        "street",
        "postcode",
        "note",
    ):
        if isinstance(out.get(key), str):
            out[key] = " ".join(out[key].split()) if key != "note" else out[key].strip()
    if not out.get("first_name"):
        errors["first_name"] = _("กรุณากรอกชื่อ")
    if out.get("title") == Title.OTHER and not out.get("title_other"):
        errors["title_other"] = _("เลือกคำนำหน้า “อื่น ๆ” แล้ว กรุณาระบุคำนำหน้า")
    raw_id = out.get("national_id") or ""
    if raw_id:
        message = national_id_error(raw_id)
        if message:
            errors["national_id"] = message
        else:
            out["national_id"] = normalize_national_id(raw_id)
            clash = Person.objects.filter(national_id=out["national_id"])
            if exclude_pk:
                clash = clash.exclude(pk=exclude_pk)
            if clash.exists():
                errors["national_id"] = _("เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว บุคคลสองคนใช้เลขเดียวกันไม่ได้")
    else:
        out["national_id"] = None
    if out.get("other_id_number") and not out.get("other_id_kind"):
        errors["other_id_kind"] = _("กรุณาเลือกประเภทเอกสารของเลขที่เอกสารอื่น")
    if out.get("other_id_kind") and not out.get("other_id_number"):
        errors["other_id_number"] = _("กรุณากรอกเลขที่เอกสาร")
    today = timezone.localdate()
    birth: dt.date | None = out.get("birth_date")
    if birth and birth > today:
        errors["birth_date"] = _("วันเกิดอยู่ในอนาคต (%(date)s)") % {"date": format_be_date(birth)}
    year = out.get("birth_year")
    if birth:
        out["birth_year"] = birth.year
    elif year and not 1880 <= year <= today.year:
        errors["birth_date"] = _("ปีเกิดไม่อยู่ในช่วงที่เป็นไปได้")
    death: dt.date | None = out.get("death_date")
    if death and death > today:
        errors["death_date"] = _("วันที่เสียชีวิตอยู่ในอนาคต")
    if death and ((birth and death < birth) or (not birth and year and death.year < year)):
        errors["death_date"] = _("วันที่เสียชีวิตต้องไม่ก่อนวันเกิด")
    postcode = out.get("postcode") or ""
    if postcode and (len(postcode) != 5 or not postcode.isdigit()):
        errors["postcode"] = _("รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก")
    village = out.get("village")
    sub = out.get("subdistrict")
    if village is not None:
        if sub is not None and village.subdistrict_id != sub.pk:
            errors["village"] = _("%(village)s ไม่ได้อยู่ใน%(subdistrict)s") % {
                "village": village,
                "subdistrict": sub,
            }
        out["subdistrict"] = village.subdistrict
    if out.get("subdistrict") is not None and not postcode:
        codes = out["subdistrict"].postal_code_list
        if len(codes) == 1:
            out["postcode"] = codes[0]
    if errors:
        raise ValidationError(errors)
    return out


def _save(obj: Any, actor: Any, reason: str | None = None) -> None:
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a race past the checks above: still a clear message
        text = str(exc).lower()
        if "national_id" in text:
            raise ValidationError({"national_id": _("เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว")}) from exc
        if "house_registration_no" in text:
            raise ValidationError({"house_registration_no": _("เลขประจำบ้านนี้มีอยู่ในระบบแล้ว")}) from exc
        raise


@transaction.atomic
def person_create(
    *,
    actor: Any,
    org_unit: OrgUnit,
    household: Household | None = None,
    relation: str | None = None,
    **data: Any,
) -> Person:
    _require(actor, Perm.EDIT_PEOPLE, org_unit)
    clean = _clean_person({k: data.get(k) for k in PERSON_FIELDS if k in data}, exclude_pk=None)
    person = Person(
        org_unit=org_unit,
        **{k: v for k, v in clean.items() if v is not None or k in {"national_id"}},
    )
    _save(person, actor)
    if household is not None:
        household_member_add(
            actor=actor, household=household, person=person, relation=relation or Relation.OTHER
        )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, reason: str = "", **data: Any) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(actor, Perm.EDIT_PEOPLE, person.org_unit)
    current = {k: getattr(person, k) for k in PERSON_FIELDS}
    current.update({k: v for k, v in data.items() if k in PERSON_FIELDS})
    clean = _clean_person(current, exclude_pk=person.pk)
    for key, value in clean.items():
        setattr(
            person,
            key,
            value
            if value is not None
            or key
            in {"national_id", "birth_date", "birth_year", "village", "subdistrict", "death_date"}
            else "",
        )
    _save(person, actor, reason or None)
    return person


def _clean_household(data: dict[str, Any], *, exclude_pk: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out = dict(data)
    reg = normalize_national_id(out.get("house_registration_no") or "")
    if reg:
        if len(reg) != 11 or not reg.isdigit():
            errors["house_registration_no"] = _(
                "เลขประจำบ้านต้องเป็นตัวเลข 11 หลัก (กรอกมา %(count)s หลัก)"
            ) % {"count": len(reg)}
        else:
            clash = Household.objects.filter(house_registration_no=reg)
            if exclude_pk:
                clash = clash.exclude(pk=exclude_pk)
            if clash.exists():
                errors["house_registration_no"] = _("เลขประจำบ้านนี้มีอยู่ในระบบแล้ว")
        out["house_registration_no"] = reg
    else:
        out["house_registration_no"] = None
    out["house_number"] = " ".join((out.get("house_number") or "").split())
    if not out["house_number"]:
        errors["house_number"] = _("กรุณากรอกบ้านเลขที่")
    postcode = out.get("postcode") or ""
    if postcode and (len(postcode) != 5 or not postcode.isdigit()):
        errors["postcode"] = _("รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก")
    village = out.get("village")
    if village is not None:
        sub = out.get("subdistrict")
        if sub is not None and village.subdistrict_id != sub.pk:
            errors["village"] = _("%(village)s ไม่ได้อยู่ใน%(subdistrict)s") % {
                "village": village,
                "subdistrict": sub,
            }
        out["subdistrict"] = village.subdistrict
    if out.get("subdistrict") is not None and not postcode:
        codes = out["subdistrict"].postal_code_list
        if len(codes) == 1:
            out["postcode"] = codes[0]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def household_create(*, actor: Any, org_unit: OrgUnit, **data: Any) -> Household:
    _require(actor, Perm.EDIT_PEOPLE, org_unit)
    clean = _clean_household({k: data.get(k) for k in HOUSEHOLD_FIELDS}, exclude_pk=None)
    household = Household(
        org_unit=org_unit,
        **{
            k: ("" if v is None and k in {"street", "postcode", "note"} else v)
            for k, v in clean.items()
        },
    )
    _save(household, actor)
    return household


@transaction.atomic
def household_update(*, actor: Any, household: Household, **data: Any) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require(actor, Perm.EDIT_PEOPLE, household.org_unit)
    current = {k: getattr(household, k) for k in HOUSEHOLD_FIELDS}
    current.update({k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    clean = _clean_household(current, exclude_pk=household.pk)
    for key, value in clean.items():
        setattr(
            household, key, "" if value is None and key in {"street", "postcode", "note"} else value
        )
    _save(household, actor)
    return household


def _tambon_root(unit: OrgUnit) -> int:
    """The tambon-level unit (fund or local authority) a unit belongs to, or the unit itself."""
    for ancestor in [unit, *reversed(list(unit.ancestors()))]:
        if ancestor.kind in {OrgUnitKind.FUND, OrgUnitKind.LOCAL_AUTHORITY}:
            return ancestor.pk
    return unit.pk


@transaction.atomic
def household_member_add(
    *, actor: Any, household: Household, person: Person, relation: str
) -> HouseholdMember:
    _require(actor, Perm.EDIT_PEOPLE, household.org_unit)
    _require(actor, Perm.EDIT_PEOPLE, person.org_unit)
    if relation not in Relation.values:
        raise ValidationError({"relation": _("กรุณาเลือกความสัมพันธ์กับครัวเรือน")})
    if _tambon_root(person.org_unit) != _tambon_root(household.org_unit):
        raise ValidationError(
            {
                "person": _(
                    "%(person)s อยู่ในความดูแลของ%(person_unit)s "
                    "ส่วนครัวเรือนนี้อยู่ในความดูแลของ%(household_unit)s: "
                    "เพิ่มบุคคลข้ามกองทุน/หน่วยงานไม่ได้"
                )
                % {
                    "person": person,
                    "person_unit": person.org_unit,
                    "household_unit": household.org_unit,
                }
            }
        )
    existing = HouseholdMember.objects.filter(person=person).select_related("household").first()
    if existing is not None:
        raise ValidationError(
            {
                "person": _("%(person)s เป็นสมาชิกของ%(household)sอยู่แล้ว ย้ายออกก่อนจึงเพิ่มได้")
                % {"person": person, "household": existing.household}
            }
        )
    if relation == Relation.HEAD and household.members.filter(relation=Relation.HEAD).exists():
        raise ValidationError({"relation": _("ครัวเรือนนี้มีหัวหน้าครัวเรือนแล้ว")})
    member = HouseholdMember(household=household, person=person, relation=relation)
    _save(member, actor)
    return member


@transaction.atomic
def household_member_remove(*, actor: Any, member: HouseholdMember) -> None:
    _require(actor, Perm.EDIT_PEOPLE, member.household.org_unit)
    member._history_user = actor  # type: ignore[attr-defined]
    member.delete()
