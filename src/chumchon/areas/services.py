"""Writes to areas and org units. Each function is one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, F, Field, Max, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext

from chumchon.core.permissions import Perm, Role
from chumchon.core.thai import format_be_date

from .models import (
    ALLOWED_CHILDREN,
    PATH_SEGMENT,
    OrgUnit,
    OrgUnitKind,
    RoleAssignment,
    Subdistrict,
    Village,
)
from .selectors import user_can


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
        raise ValidationError({"name": gettext("กรุณากรอกชื่อหน่วย")})
    if parent is not None and kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            {
                "kind": gettext("หน่วยประเภท “%(kind)s” อยู่ภายใต้ “%(parent_kind)s” ไม่ได้")
                % {"kind": OrgUnitKind(kind).label, "parent_kind": OrgUnitKind(parent.kind).label}
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
        errors["number"] = gettext("หมู่ที่ต้องอยู่ระหว่าง 1 ถึง 99")
    if not name:
        errors["name"] = gettext("กรุณากรอกชื่อหมู่บ้าน")
    if Village.objects.filter(subdistrict=subdistrict, number=number).exists():
        errors["number"] = gettext("%(subdistrict)s มีหมู่ที่ %(number)s อยู่แล้ว") % {
            "subdistrict": subdistrict,
            "number": number,
        }
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
        raise ValidationError({"end_date": gettext("วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ")})
    ra = RoleAssignment(
        user=user, org_unit=org_unit, role=role, start_date=start_date, end_date=end_date
    )
    if actor is not None:
        ra._history_user = actor  # type: ignore[attr-defined]
    ra.save()
    return ra


# ---------------------------------------------------------------- screens for committees
# The functions below are what the unit screens call: each checks the actor's permission at the
# unit (a role at the unit or an ancestor, see ``selectors.user_can``), so a chair can only act
# within their own fund and never above it.


def _require(actor: Any, perm: str, unit: OrgUnit, message: str) -> None:
    if actor is None or not user_can(actor, perm, unit):
        raise PermissionDenied(message)


def _term_errors(
    *, user: Any, unit: OrgUnit, role: str, start_date: dt.date, end_date: dt.date | None
) -> dict[str, str]:
    """Refusals for a new term: an unknown role, an end before the start, an overlap."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = gettext("กรุณาเลือกบทบาท")
        return errors
    if end_date is not None and end_date < start_date:
        errors["end_date"] = gettext("วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ")
        return errors
    if user is not None and user.pk is not None:
        overlapping = RoleAssignment.objects.filter(user=user, org_unit=unit, role=role).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start_date)
        )
        if end_date is not None:
            overlapping = overlapping.filter(start_date__lte=end_date)
        clash = overlapping.order_by("start_date").first()
        if clash is not None:
            errors["start_date"] = gettext(
                "ผู้ใช้นี้มีวาระ%(role)sที่%(unit)sซ้อนกับช่วงนี้อยู่แล้ว (เริ่ม %(start)s)"
            ) % {
                "role": Role(role).label,
                "unit": unit.name,
                "start": format_be_date(clash.start_date),
            }
    return errors


@transaction.atomic
def role_grant(
    *,
    actor: Any,
    user: Any,
    unit: OrgUnit,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
) -> RoleAssignment:
    """Give an existing user a role at a unit the actor manages (Perm.MANAGE_ROLES)."""
    _require(actor, Perm.MANAGE_ROLES, unit, gettext("ไม่มีสิทธิ์กำหนดบทบาทในหน่วยนี้"))
    if not unit.active:
        raise ValidationError(gettext("หน่วยนี้ไม่ได้ใช้งานแล้ว กำหนดบทบาทไม่ได้"))
    errors = _term_errors(user=user, unit=unit, role=role, start_date=start_date, end_date=end_date)
    if errors:
        raise ValidationError(errors)
    return role_assign(
        user=user, org_unit=unit, role=role, start_date=start_date, end_date=end_date, actor=actor
    )


@transaction.atomic
def user_create_for_role(
    *,
    actor: Any,
    unit: OrgUnit,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
) -> RoleAssignment:
    """Create a user account and its first role in one go: either both are saved or neither."""
    _require(actor, Perm.MANAGE_ROLES, unit, gettext("ไม่มีสิทธิ์กำหนดบทบาทในหน่วยนี้"))
    if not unit.active:
        raise ValidationError(gettext("หน่วยนี้ไม่ได้ใช้งานแล้ว กำหนดบทบาทไม่ได้"))
    user_model = get_user_model()
    username = user_model.normalize_username((username or "").strip())
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors: dict[str, Any] = {}
    if not username:
        errors["username"] = gettext("กรุณากรอกชื่อผู้ใช้")
    else:
        field = user_model._meta.get_field(user_model.USERNAME_FIELD)
        try:
            if isinstance(field, Field):  # length and allowed characters
                field.run_validators(username)
        except ValidationError as exc:
            errors["username"] = exc.messages
        else:
            if user_model._default_manager.filter(
                **{f"{user_model.USERNAME_FIELD}__iexact": username}
            ).exists():
                errors["username"] = gettext("ชื่อผู้ใช้ “%(username)s” มีผู้ใช้แล้ว กรุณาเลือกชื่อผู้ใช้อื่น") % {
                    "username": username
                }
    if not first_name:
        errors["first_name"] = gettext("กรุณากรอกชื่อ")
    user = user_model(username=username, first_name=first_name, last_name=last_name)
    try:
        validate_password(password or "", user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    errors.update(
        _term_errors(user=None, unit=unit, role=role, start_date=start_date, end_date=end_date)
    )
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    # Same transaction: if the role cannot be saved, the account is rolled back with it.
    return role_grant(
        actor=actor, user=user, unit=unit, role=role, start_date=start_date, end_date=end_date
    )


@transaction.atomic
def role_end(*, actor: Any, assignment: RoleAssignment, end_date: dt.date) -> RoleAssignment:
    """End a term on ``end_date`` (the last day the role applies); history names the actor."""
    unit = assignment.org_unit
    _require(actor, Perm.MANAGE_ROLES, unit, gettext("ไม่มีสิทธิ์สิ้นสุดวาระในหน่วยนี้"))
    # Lock the unit's chair rows so two chairs ending their own terms at once cannot both pass.
    chairs = list(
        RoleAssignment.objects.select_for_update()
        .filter(org_unit=unit, role=Role.CHAIR)
        .select_related("user")
    )
    assignment = RoleAssignment.objects.select_related("org_unit", "user").get(pk=assignment.pk)
    if end_date < assignment.start_date:
        raise ValidationError(
            {
                "end_date": gettext("วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ (%(start)s)")
                % {"start": format_be_date(assignment.start_date)}
            }
        )
    if assignment.end_date is not None and end_date > assignment.end_date:
        raise ValidationError(
            {
                "end_date": gettext(
                    "วาระนี้สิ้นสุด %(end)s อยู่แล้ว เลื่อนวันสิ้นสุดออกไปไม่ได้ หากต่อวาระ ให้กำหนดบทบาทใหม่"
                )
                % {"end": format_be_date(assignment.end_date)}
            }
        )
    if assignment.role == Role.CHAIR and assignment.user_id == getattr(actor, "pk", None):
        next_day = end_date + dt.timedelta(days=1)
        successor = any(
            c.pk != assignment.pk
            and c.user.is_active
            and c.start_date <= next_day
            and (c.end_date is None or c.end_date >= next_day)
            for c in chairs
        )
        if not successor:
            raise ValidationError(
                {
                    "end_date": gettext(
                        "คุณเป็นประธานคนสุดท้ายของ%(unit)s จึงสิ้นสุดวาระของตนเองไม่ได้ "
                        "กรุณากำหนดประธานคนใหม่ก่อน เพื่อให้กองทุนยังมีผู้ดูแล"
                    )
                    % {"unit": unit.name}
                }
            )
    assignment.end_date = end_date
    assignment._history_user = actor  # type: ignore[attr-defined]
    assignment.save()
    return assignment


@transaction.atomic
def sub_unit_create(
    *,
    actor: Any,
    parent: OrgUnit,
    name: str,
    kind: str,
    village: Village | None = None,
) -> OrgUnit:
    """A child unit under a unit the actor manages (Perm.MANAGE_AREAS); see ``org_unit_create``."""
    _require(actor, Perm.MANAGE_AREAS, parent, gettext("ไม่มีสิทธิ์เพิ่มหน่วยย่อยในหน่วยนี้"))
    if not parent.active:
        raise ValidationError(gettext("หน่วยนี้ไม่ได้ใช้งานแล้ว เพิ่มหน่วยย่อยไม่ได้"))
    errors: dict[str, str] = {}
    if kind not in OrgUnitKind.values:
        errors["kind"] = gettext("กรุณาเลือกประเภทหน่วย")
    if village is not None and village.subdistrict_id != parent.subdistrict_id:
        errors["village"] = gettext("หมู่บ้านต้องอยู่ในตำบลของ%(unit)s") % {"unit": parent.name}
    if kind == OrgUnitKind.VILLAGE_GROUP and village is None:
        errors["village"] = gettext("กลุ่มระดับหมู่บ้านต้องระบุหมู่บ้าน")
    if errors:
        raise ValidationError(errors)
    return org_unit_create(name=name, kind=kind, parent=parent, village=village, actor=actor)


@transaction.atomic
def org_unit_move(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move ``unit`` and its whole subtree under ``new_parent`` (ADR 0001).

    The actor needs Perm.MANAGE_AREAS both where the unit is now (at its parent, or at the unit
    itself for a root) and at the new parent. Refused: a move under the unit itself or one of
    its descendants, under a parent whose kind may not hold the unit's kind, under an inactive
    parent, or one that would make a path longer than the column.

    One transaction: the unit and the new parent are locked (``select_for_update``, in id order,
    and re-read, so two crossing moves cannot both pass the cycle check), then ONE UPDATE
    rewrites ``path`` and ``depth`` of the unit and every unit below it, then the unit's parent
    is saved with the actor in its history. The subtree's path and depth are not in history
    (``OrgUnit.history`` excludes them), so only the moved unit gets a history row. Persons,
    households and roles point at units by id, so they follow the move: who sees them changes
    with the paths. Geography (province, district, subdistrict, village) is left as it is: a
    tambon fund stays in its tambon whichever network it reports to.

    Returns the moved unit as now stored; ``unit`` itself is updated in place as well.
    """
    if unit.pk == new_parent.pk:
        raise ValidationError({"parent": gettext("ย้ายหน่วยไปไว้ภายใต้ตัวเองหรือหน่วยย่อยของตัวเองไม่ได้")})
    locked = {
        u.pk: u
        for u in OrgUnit.objects.select_for_update()
        .filter(pk__in=[unit.pk, new_parent.pk])
        .order_by("pk")
    }
    moving, target = locked[unit.pk], locked[new_parent.pk]
    old_parent = (
        OrgUnit.objects.get(pk=moving.parent_id) if moving.parent_id is not None else moving
    )
    _require(actor, Perm.MANAGE_AREAS, old_parent, gettext("ไม่มีสิทธิ์ย้ายหน่วยนี้"))
    _require(
        actor,
        Perm.MANAGE_AREAS,
        target,
        gettext("ไม่มีสิทธิ์ย้ายหน่วยมาไว้ภายใต้หน่วยปลายทาง"),
    )
    if target.path.startswith(moving.path):
        raise ValidationError({"parent": gettext("ย้ายหน่วยไปไว้ภายใต้ตัวเองหรือหน่วยย่อยของตัวเองไม่ได้")})
    if moving.kind not in ALLOWED_CHILDREN.get(target.kind, set()):
        raise ValidationError(
            {
                "parent": gettext("หน่วยประเภท “%(kind)s” อยู่ภายใต้ “%(parent_kind)s” ไม่ได้")
                % {
                    "kind": OrgUnitKind(moving.kind).label,
                    "parent_kind": OrgUnitKind(target.kind).label,
                }
            }
        )
    if not target.active:
        raise ValidationError({"parent": gettext("หน่วยปลายทางไม่ได้ใช้งานแล้ว ย้ายมาไว้ภายใต้ไม่ได้")})
    if moving.parent_id == target.pk:
        return moving  # already there: nothing to write
    old_prefix = moving.path[: -(PATH_SEGMENT + 1)]  # the old parent's path ("" for a root)
    subtree = OrgUnit.objects.filter(path__startswith=moving.path)
    longest = subtree.aggregate(n=Max(Length("path")))["n"] or len(moving.path)
    max_length = OrgUnit._meta.get_field("path").max_length or 255
    if longest - len(old_prefix) + len(target.path) > max_length:
        raise ValidationError({"parent": gettext("ย้ายไม่ได้: ลำดับชั้นของหน่วยจะลึกเกินกว่าที่ระบบรองรับ")})
    # One statement for the whole subtree: new path = new parent's path + the part of the old
    # path below the old parent; depth shifts by the same number of levels for every row.
    subtree.update(
        path=Concat(
            Value(target.path),
            Substr("path", len(old_prefix) + 1),
            output_field=CharField(),
        ),
        depth=F("depth") + (target.depth + 1 - moving.depth),
    )
    moving.refresh_from_db(fields=["path", "depth"])
    moving.parent = target
    moving._history_user = actor  # type: ignore[attr-defined]
    moving.save(update_fields=["parent", "updated_at"])
    unit.parent, unit.path, unit.depth = target, moving.path, moving.depth
    return moving
