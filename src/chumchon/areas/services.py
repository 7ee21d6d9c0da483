"""Writes to areas and org units. Each function is one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import (
    ALLOWED_CHILDREN,
    PATH_SEGMENT,
    OrgUnit,
    OrgUnitKind,
    RoleAssignment,
    Subdistrict,
    Village,
)


def _segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT}d}/"


@transaction.atomic
def org_unit_create(
    *,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    subdistrict: Subdistrict | None = None,
    village: Village | None = None,
    agency_kind: str = "",
    actor: Any = None,
) -> OrgUnit:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "กรุณากรอกชื่อหน่วย"})
    if parent is not None and kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            {
                "kind": (
                    f"หน่วยประเภท “{OrgUnitKind(kind).label}” อยู่ภายใต้ "
                    f"“{OrgUnitKind(parent.kind).label}” ไม่ได้"
                )
            }
        )
    if village is not None and subdistrict is None:
        subdistrict = village.subdistrict
    district = subdistrict.district if subdistrict else (parent.district if parent else None)
    province = district.province if district else (parent.province if parent else None)
    unit = OrgUnit(
        name=name,
        kind=kind,
        parent=parent,
        subdistrict=subdistrict or (parent.subdistrict if parent else None),
        district=district,
        province=province,
        village=village,
        agency_kind=agency_kind,
        depth=0 if parent is None else parent.depth + 1,
        path=f"tmp-{name}-{dt.datetime.now().timestamp()}",  # noqa: DTZ005 - replaced below
    )
    if actor is not None:
        unit._history_user = actor  # type: ignore[attr-defined]
    unit.save()
    unit.path = (parent.path if parent else "") + _segment(unit.pk)
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


@transaction.atomic
def village_create(
    *, subdistrict: Subdistrict, number: int, name: str, actor: Any = None
) -> Village:
    name = name.strip()
    errors: dict[str, str] = {}
    if not 1 <= number <= 99:
        errors["number"] = "หมู่ที่ต้องอยู่ระหว่าง 1 ถึง 99"
    if not name:
        errors["name"] = "กรุณากรอกชื่อหมู่บ้าน"
    if Village.objects.filter(subdistrict=subdistrict, number=number).exists():
        errors["number"] = f"{subdistrict} มีหมู่ที่ {number} อยู่แล้ว"
    if errors:
        raise ValidationError(errors)
    village = Village(subdistrict=subdistrict, number=number, name=name)
    if actor is not None:
        village._history_user = actor  # type: ignore[attr-defined]
    village.save()
    return village


@transaction.atomic
def role_assign(
    *,
    user: Any,
    org_unit: OrgUnit,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    actor: Any = None,
) -> RoleAssignment:
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ"})
    ra = RoleAssignment(
        user=user, org_unit=org_unit, role=role, start_date=start_date, end_date=end_date
    )
    if actor is not None:
        ra._history_user = actor  # type: ignore[attr-defined]
    ra.save()
    return ra
