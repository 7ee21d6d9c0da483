"""Roles and what each may do: the one table that decides.

Where a role applies (which org units) is decided by the scope selectors in
``chumchon.areas.selectors``: a role held at an org unit covers that unit and its descendants,
never a sibling. This module only knows which actions a role allows.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CHAIR = "chair", "ประธาน"
    VICE_CHAIR = "vice_chair", "รองประธาน"
    TREASURER = "treasurer", "เหรัญญิก"
    SECRETARY = "secretary", "เลขานุการ"
    REGISTRAR = "registrar", "ฝ่ายทะเบียน"
    AUDITOR = "auditor", "ผู้ตรวจสอบ"
    COMMITTEE = "committee", "กรรมการ"
    LOCAL_OFFICER = "local_officer", "เจ้าหน้าที่ อปท."
    COORDINATOR = "coordinator", "ผู้ประสานงานเครือข่าย"
    CASEWORKER = "caseworker", "เจ้าหน้าที่หน่วยงาน"
    VIEWER = "viewer", "ผู้ดูข้อมูล"


class Perm(models.TextChoices):
    VIEW_PEOPLE = "people.view", "ดูข้อมูลบุคคลและครัวเรือน"
    EDIT_PEOPLE = "people.edit", "เพิ่ม/แก้ไขบุคคลและครัวเรือน"
    VIEW_FULL_ID = "people.view_full_id", "ดูเลขประจำตัวประชาชนเต็ม"
    MANAGE_AREAS = "areas.manage", "จัดการหมู่บ้านและหน่วยงาน"
    MANAGE_ROLES = "roles.manage", "กำหนดบทบาทผู้ใช้"
    VIEW_HISTORY = "history.view", "ดูประวัติการแก้ไข"


_ALL_VIEW = {Perm.VIEW_PEOPLE, Perm.VIEW_HISTORY}
_EDITOR = _ALL_VIEW | {Perm.EDIT_PEOPLE, Perm.VIEW_FULL_ID}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.CHAIR: frozenset(_EDITOR | {Perm.MANAGE_AREAS, Perm.MANAGE_ROLES}),
    Role.VICE_CHAIR: frozenset(_EDITOR),
    Role.TREASURER: frozenset(_EDITOR),
    Role.SECRETARY: frozenset(_EDITOR | {Perm.MANAGE_AREAS}),
    Role.REGISTRAR: frozenset(_EDITOR | {Perm.MANAGE_AREAS}),
    Role.AUDITOR: frozenset(_ALL_VIEW | {Perm.VIEW_FULL_ID}),
    Role.COMMITTEE: frozenset(_ALL_VIEW),
    Role.LOCAL_OFFICER: frozenset(_EDITOR | {Perm.MANAGE_AREAS}),
    Role.COORDINATOR: frozenset(_ALL_VIEW | {Perm.MANAGE_AREAS, Perm.MANAGE_ROLES}),
    Role.CASEWORKER: frozenset(_ALL_VIEW),
    Role.VIEWER: frozenset({Perm.VIEW_PEOPLE}),
}


def role_allows(role: str, perm: str) -> bool:
    """Whether a role, wherever it is held, allows an action."""
    return perm in ROLE_PERMS.get(role, frozenset())


def roles_with(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMS.items() if perm in perms]
