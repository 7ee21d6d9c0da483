"""Shared fixtures: a small province with two tambon funds and named people who work in them.

Personas (healthchecks-style, named by what they do):
- ``chair_a``: chair of fund A (ตำบลบ้านใหม่); ``registrar_a``: its registrar;
  ``viewer_a``: a viewer at village group A1 only;
- ``officer_b``: a local-government officer of fund B (ตำบลท่าช้าง, another tambon);
- ``coordinator``: province network coordinator (sees both funds);
- ``expired``: a former chair of fund A whose term has ended.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    province: Any
    district: Any
    fund_a: Any
    fund_b: Any
    group_a1: Any
    group_a2: Any
    group_b1: Any
    village_a1: Any
    village_a2: Any
    village_b1: Any
    chair_a: Any
    registrar_a: Any
    viewer_a: Any
    officer_b: Any
    coordinator: Any
    expired: Any
    admin: Any


def _user(username: str, first: str, last: str, **extra: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, password="pass-1234-word", first_name=first, last_name=last, **extra
    )


@pytest.fixture
def world(db: Any) -> World:
    from chumchon.areas.models import OrgUnitKind, Subdistrict
    from chumchon.areas.services import org_unit_create, role_assign, village_create
    from chumchon.core.permissions import Role

    # Real DOPA codes: ตำบลในเมือง and ตำบลบ้านเป้า? We use two subdistricts of อ.เมืองขอนแก่น.
    sub_a = Subdistrict.objects.get(code="400101")
    sub_b = Subdistrict.objects.get(code="400102")
    start = dt.date(2024, 1, 1)
    province = org_unit_create(
        name="เครือข่ายสวัสดิการชุมชนจังหวัดขอนแก่น", kind=OrgUnitKind.PROVINCE_NETWORK
    )
    district = org_unit_create(
        name="เครือข่ายอำเภอเมืองขอนแก่น", kind=OrgUnitKind.DISTRICT, parent=province
    )
    fund_a = org_unit_create(
        name="กองทุนสวัสดิการชุมชนตำบลในเมือง",
        kind=OrgUnitKind.FUND,
        parent=district,
        subdistrict=sub_a,
    )
    fund_b = org_unit_create(
        name="กองทุนสวัสดิการชุมชนตำบลสำราญ",
        kind=OrgUnitKind.FUND,
        parent=district,
        subdistrict=sub_b,
    )
    village_a1 = village_create(subdistrict=sub_a, number=1, name="โนนทัน")
    village_a2 = village_create(subdistrict=sub_a, number=2, name="หนองใหญ่")
    village_b1 = village_create(subdistrict=sub_b, number=1, name="สำราญ")
    group_a1 = org_unit_create(
        name="กลุ่มหมู่ 1 โนนทัน", kind=OrgUnitKind.VILLAGE_GROUP, parent=fund_a, village=village_a1
    )
    group_a2 = org_unit_create(
        name="กลุ่มหมู่ 2 หนองใหญ่",
        kind=OrgUnitKind.VILLAGE_GROUP,
        parent=fund_a,
        village=village_a2,
    )
    group_b1 = org_unit_create(
        name="กลุ่มหมู่ 1 สำราญ", kind=OrgUnitKind.VILLAGE_GROUP, parent=fund_b, village=village_b1
    )
    chair_a = _user("chair_a", "สมศักดิ์", "ใจดี")
    registrar_a = _user("registrar_a", "มาลี", "ศรีสุข")
    viewer_a = _user("viewer_a", "บุญมี", "มีสุข")
    officer_b = _user("officer_b", "ประยูร", "ทองดี")
    coordinator = _user("coordinator", "วันดี", "รักถิ่น")
    expired = _user("expired", "สมหมาย", "หมดวาระ")
    admin = _user("admin", "ผู้ดูแล", "ระบบ", is_staff=True, is_superuser=True)
    role_assign(user=chair_a, org_unit=fund_a, role=Role.CHAIR, start_date=start)
    role_assign(user=registrar_a, org_unit=fund_a, role=Role.REGISTRAR, start_date=start)
    role_assign(user=viewer_a, org_unit=group_a1, role=Role.VIEWER, start_date=start)
    role_assign(user=officer_b, org_unit=fund_b, role=Role.LOCAL_OFFICER, start_date=start)
    role_assign(user=coordinator, org_unit=province, role=Role.COORDINATOR, start_date=start)
    role_assign(
        user=expired,
        org_unit=fund_a,
        role=Role.CHAIR,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2023, 12, 31),
    )
    return World(
        province=province,
        district=district,
        fund_a=fund_a,
        fund_b=fund_b,
        group_a1=group_a1,
        group_a2=group_a2,
        group_b1=group_b1,
        village_a1=village_a1,
        village_a2=village_a2,
        village_b1=village_b1,
        chair_a=chair_a,
        registrar_a=registrar_a,
        viewer_a=viewer_a,
        officer_b=officer_b,
        coordinator=coordinator,
        expired=expired,
        admin=admin,
    )


@pytest.fixture
def person_factory(world: World) -> Any:
    from chumchon.people.services import person_create

    def make(*, actor: Any = None, org_unit: Any = None, **data: Any) -> Any:
        data.setdefault("title", "นาย")
        data.setdefault("first_name", "สมชาย")
        data.setdefault("last_name", "ใจดี")
        return person_create(
            actor=actor or world.chair_a, org_unit=org_unit or world.group_a1, **data
        )

    return make


@pytest.fixture(autouse=True)
def _ledger_purge_for_transactional_tests(request: Any) -> Any:
    """Transactional tests end with a flush (DELETE on SQLite), which the ledger's append-only
    triggers refuse. Purge ledger rows with the guards lifted before the flush runs."""
    names = set(request.fixturenames)
    if not names & {"transactional_db", "live_server", "django_db_serialized_rollback"}:
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            yield
            return
    request.getfixturevalue("_django_db_helper")
    yield
    from django.apps import apps
    from django.db import connections, transaction

    from chumchon.ledger.triggers import guards_lifted

    # Rows pointing at journal entries (payments, receipts, ...) go in the same transaction.
    tables = [
        m._meta.db_table
        for app in ("reports", "benefits", "funds")
        for m in apps.get_app_config(app).get_models()
    ]
    for conn in connections.all(initialized_only=True):
        if conn.vendor != "sqlite":
            continue
        with transaction.atomic(using=conn.alias), guards_lifted(conn), conn.cursor() as cur:
            for table in tables:
                cur.execute(f'DELETE FROM "{table}"')
            cur.execute("DELETE FROM ledger_posting")
            cur.execute("DELETE FROM ledger_journalentry")
