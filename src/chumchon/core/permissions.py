"""Roles and what each may do: the one table that decides.

Where a role applies (which org units) is decided by the scope selectors in
``chumchon.areas.selectors``: a role held at an org unit covers that unit and its descendants,
never a sibling. This module only knows which actions a role allows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHAIR = "chair", _("ประธาน")
    VICE_CHAIR = "vice_chair", _("รองประธาน")
    TREASURER = "treasurer", _("เหรัญญิก")
    SECRETARY = "secretary", _("เลขานุการ")
    REGISTRAR = "registrar", _("ฝ่ายทะเบียน")
    AUDITOR = "auditor", _("ผู้ตรวจสอบ")
    COMMITTEE = "committee", _("กรรมการ")
    LOCAL_OFFICER = "local_officer", _("เจ้าหน้าที่ อปท.")
    COORDINATOR = "coordinator", _("ผู้ประสานงานเครือข่าย")
    CASEWORKER = "caseworker", _("เจ้าหน้าที่หน่วยงาน")
    VIEWER = "viewer", _("ผู้ดูข้อมูล")


class Perm(models.TextChoices):
    VIEW_PEOPLE = "people.view", _("ดูข้อมูลบุคคลและครัวเรือน")
    EDIT_PEOPLE = "people.edit", _("เพิ่ม/แก้ไขบุคคลและครัวเรือน")
    VIEW_FULL_ID = "people.view_full_id", _("ดูเลขประจำตัวประชาชนเต็ม")
    MANAGE_AREAS = "areas.manage", _("จัดการหมู่บ้านและหน่วยงาน")
    MANAGE_ROLES = "roles.manage", _("กำหนดบทบาทผู้ใช้")
    VIEW_HISTORY = "history.view", _("ดูประวัติการแก้ไข")
    VIEW_BOOKS = "funds.view_books", _("ดูสมาชิกกองทุนและบัญชี")
    MANAGE_MEMBERS = "funds.manage_members", _("รับสมัครและจัดการสมาชิกกองทุน")
    COLLECT = "funds.collect", _("รับชำระเงินและออกใบเสร็จ")
    VOID = "funds.void", _("ยกเลิกใบเสร็จ (กลับรายการ)")
    MANAGE_FUND = "funds.manage", _("ตั้งค่ากองทุน ผังบัญชี และรับเงินสมทบจากแหล่งทุน")
    CLOSE_PERIOD = "ledger.close_period", _("ปิดและเปิดงวดบัญชี")
    MANAGE_REGULATION = "benefits.manage_regulation", _("ร่างและประกาศใช้ระเบียบสวัสดิการ")
    RECORD_CLAIM = "benefits.record_claim", _("บันทึกคำขอรับสวัสดิการ")
    APPROVE_CLAIM = "benefits.approve", _("พิจารณาอนุมัติคำขอรับสวัสดิการ")
    PAY_BENEFIT = "benefits.pay", _("จ่ายเงินสวัสดิการและลงบัญชี")


_ALL_VIEW = {Perm.VIEW_PEOPLE, Perm.VIEW_HISTORY}
_EDITOR = _ALL_VIEW | {Perm.EDIT_PEOPLE, Perm.VIEW_FULL_ID}
_BOOKS = {Perm.VIEW_BOOKS}
_MONEY = _BOOKS | {Perm.COLLECT, Perm.VOID, Perm.MANAGE_MEMBERS}
_CLAIMS = {Perm.RECORD_CLAIM, Perm.APPROVE_CLAIM}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.CHAIR: frozenset(
        _EDITOR
        | _MONEY
        | _CLAIMS
        | {
            Perm.MANAGE_AREAS,
            Perm.MANAGE_ROLES,
            Perm.MANAGE_FUND,
            Perm.MANAGE_REGULATION,
            Perm.PAY_BENEFIT,
        }
    ),
    Role.VICE_CHAIR: frozenset(
        _EDITOR | _BOOKS | _CLAIMS | {Perm.COLLECT, Perm.MANAGE_MEMBERS, Perm.MANAGE_REGULATION}
    ),
    Role.TREASURER: frozenset(
        _EDITOR
        | _MONEY
        | _CLAIMS
        | {Perm.MANAGE_FUND, Perm.CLOSE_PERIOD, Perm.MANAGE_REGULATION, Perm.PAY_BENEFIT}
    ),
    Role.SECRETARY: frozenset(
        _EDITOR
        | _BOOKS
        | _CLAIMS
        | {Perm.MANAGE_AREAS, Perm.COLLECT, Perm.MANAGE_MEMBERS, Perm.MANAGE_REGULATION}
    ),
    Role.REGISTRAR: frozenset(
        _EDITOR | _BOOKS | {Perm.MANAGE_AREAS, Perm.COLLECT, Perm.MANAGE_MEMBERS, Perm.RECORD_CLAIM}
    ),
    Role.AUDITOR: frozenset(_ALL_VIEW | _BOOKS | {Perm.VIEW_FULL_ID}),
    Role.COMMITTEE: frozenset(_ALL_VIEW | _BOOKS | {Perm.APPROVE_CLAIM}),
    Role.LOCAL_OFFICER: frozenset(_EDITOR | {Perm.MANAGE_AREAS}),
    Role.COORDINATOR: frozenset(_ALL_VIEW | _BOOKS | {Perm.MANAGE_AREAS, Perm.MANAGE_ROLES}),
    Role.CASEWORKER: frozenset(_ALL_VIEW),
    Role.VIEWER: frozenset({Perm.VIEW_PEOPLE}),
}


def role_allows(role: str, perm: str) -> bool:
    """Whether a role, wherever it is held, allows an action."""
    return perm in ROLE_PERMS.get(role, frozenset())


def roles_with(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMS.items() if perm in perms]
