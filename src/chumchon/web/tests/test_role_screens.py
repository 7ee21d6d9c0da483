"""Committee screens: a chair gives roles at their fund, ends terms and adds sub-units.

Before these screens, roles and sub-units could be managed only in the superuser back office.
Dates on the screens are typed in the Buddhist Era; terms are dates, so an ended term stops
access the next day without anyone editing the user.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chumchon.areas import services as area_svc
from chumchon.areas.models import OrgUnit, OrgUnitKind, RoleAssignment
from chumchon.core.permissions import Role
from chumchon.core.thai import format_be_date

User = get_user_model()
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
TODAY = dt.date(2026, 3, 10)  # every test runs on this day (Bangkok time) unless it travels
PASSWORD = "kp-9137-ระวัง"
THAI = re.compile(r"[\u0E00-\u0E7F]")


def body(response: Any) -> str:
    return response.content.decode()


def be(day: dt.date) -> str:
    return format_be_date(day, "numeric")


def on(day: dt.date) -> Any:
    """Travel to 10:00 in Bangkok on ``day`` (log in again afterwards: sessions last 12 hours)."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=BKK), tick=False)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with on(TODAY):
        yield


def new_user_form(**extra: Any) -> dict[str, Any]:
    """The assign-role form filled in for a new account, as a chair types it."""
    return {
        "user": "",
        "username": "somjit",
        "first_name": "สมจิต",
        "last_name": "รักษ์เงิน",
        "password": PASSWORD,
        "password2": PASSWORD,
        "role": Role.TREASURER,
        "start_date": be(TODAY),
        "end_date": "",
        **extra,
    }


def counts() -> tuple[int, int]:
    return User.objects.count(), RoleAssignment.objects.count()


def registrar_term(world: Any) -> RoleAssignment:
    return RoleAssignment.objects.get(user=world.registrar_a, org_unit=world.fund_a)


def chair_term(world: Any) -> RoleAssignment:
    return RoleAssignment.objects.get(user=world.chair_a, org_unit=world.fund_a, role=Role.CHAIR)


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


# ------------------------------------------------------------------ the unit page


def test_unit_page_offers_assign_and_end_term_to_the_chair(chair: Any, world: Any) -> None:
    text = body(chair.get(reverse("unit_detail", args=[world.fund_a.pk])))
    assert "กำหนดบทบาท" in text
    assert reverse("role_create", args=[world.fund_a.pk]) in text
    assert reverse("role_end", args=[world.fund_a.pk, registrar_term(world).pk]) in text
    assert reverse("sub_unit_create", args=[world.fund_a.pk]) in text
    expired = RoleAssignment.objects.get(user=world.expired)
    assert reverse("role_end", args=[world.fund_a.pk, expired.pk]) not in text
    assert "หมดวาระแล้ว" in text


def test_unit_page_of_a_registrar_has_no_role_links(client: Any, world: Any) -> None:
    client.force_login(world.registrar_a)
    text = body(client.get(reverse("unit_detail", args=[world.fund_a.pk])))
    assert reverse("role_create", args=[world.fund_a.pk]) not in text
    assert "สิ้นสุดวาระ</a>" not in text
    assert reverse("sub_unit_create", args=[world.fund_a.pk]) in text  # MANAGE_AREAS


def test_village_group_page_offers_no_sub_unit_link(chair: Any, world: Any) -> None:
    text = body(chair.get(reverse("unit_detail", args=[world.group_a1.pk])))
    assert reverse("sub_unit_create", args=[world.group_a1.pk]) not in text
    assert reverse("role_create", args=[world.group_a1.pk]) in text


# ------------------------------------------------------------------ assigning roles


def test_chair_assigns_treasurer_to_a_new_user_who_logs_in_and_sees_fund_a(
    chair: Any, client: Any, world: Any
) -> None:
    response = chair.post(reverse("role_create", args=[world.fund_a.pk]), new_user_form())
    assert response.status_code == 302, body(response)
    assert response["Location"] == reverse("unit_detail", args=[world.fund_a.pk])
    user = User.objects.get(username="somjit")
    ra = RoleAssignment.objects.get(user=user)
    assert (ra.org_unit, ra.role, ra.start_date, ra.end_date) == (
        world.fund_a,
        Role.TREASURER,
        TODAY,
        None,
    )
    assert ra.history.get().history_user == world.chair_a
    assert "กำหนดให้ สมจิต รักษ์เงิน เป็นเหรัญญิก" in body(chair.get(response["Location"]))

    client.logout()
    login = client.post(reverse("login"), {"username": "somjit", "password": PASSWORD})
    assert login.status_code == 302
    home = client.get(reverse("home"))
    assert [unit for unit, _ in home.context["units"]] == [world.fund_a]
    assert client.get(reverse("unit_detail", args=[world.group_a2.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[world.fund_b.pk])).status_code == 404


def test_new_users_term_ending_in_thirty_days_gives_access_until_that_day_only(
    client: Any, world: Any
) -> None:
    last_day = TODAY + dt.timedelta(days=30)
    client.force_login(world.chair_a)
    response = client.post(
        reverse("role_create", args=[world.fund_a.pk]), new_user_form(end_date=be(last_day))
    )
    assert response.status_code == 302, body(response)
    user = User.objects.get(username="somjit")
    assert RoleAssignment.objects.get(user=user).end_date == last_day
    unit_url = reverse("unit_detail", args=[world.fund_a.pk])
    with on(last_day):
        client.force_login(user)
        assert client.get(unit_url).status_code == 200
    with on(last_day + dt.timedelta(days=1)):
        client.force_login(user)
        assert client.get(unit_url).status_code == 404
        home = client.get(reverse("home"))
        assert home.context["units"] == []
        assert world.fund_a.name not in body(home)


def test_chair_gives_a_committee_role_to_a_user_already_working_in_the_fund(
    chair: Any, world: Any
) -> None:
    response = chair.post(
        reverse("role_create", args=[world.group_a2.pk]),
        {"user": world.viewer_a.pk, "role": Role.COMMITTEE, "start_date": be(TODAY)},
    )
    assert response.status_code == 302, body(response)
    ra = RoleAssignment.objects.get(user=world.viewer_a, org_unit=world.group_a2)
    assert ra.role == Role.COMMITTEE
    assert ra.history.get().history_user == world.chair_a


def test_existing_user_choices_list_only_people_of_the_chairs_own_units(
    chair: Any, world: Any
) -> None:
    response = chair.get(reverse("role_create", args=[world.fund_a.pk]))
    assert response.status_code == 200
    choices = set(response.context["form"].fields["user"].queryset)
    assert choices == {world.chair_a, world.registrar_a, world.viewer_a, world.expired}
    text = body(response)
    for outsider in (world.officer_b, world.coordinator, world.admin):
        assert outsider.first_name not in text
        assert f"({outsider.username})" not in text
    assert f"สมศักดิ์ ใจดี ({world.chair_a.username})" in text


def test_user_of_another_tambon_cannot_be_chosen_by_posting_their_id(
    chair: Any, world: Any
) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]),
        {"user": world.officer_b.pk, "role": Role.CHAIR, "start_date": be(TODAY)},
    )
    assert response.status_code == 200
    assert "user" in response.context["form"].errors
    assert counts() == before


def test_registrar_without_the_role_permission_gets_403_and_changes_nothing(
    client: Any, world: Any
) -> None:
    client.force_login(world.registrar_a)
    before = counts()
    create = reverse("role_create", args=[world.fund_a.pk])
    end = reverse("role_end", args=[world.fund_a.pk, chair_term(world).pk])
    assert client.get(create).status_code == 403
    assert client.post(create, new_user_form(role=Role.CHAIR)).status_code == 403
    assert client.get(end).status_code == 403
    assert client.post(end, {"end_date": be(TODAY)}).status_code == 403
    assert counts() == before
    assert chair_term(world).end_date is None


def test_officer_of_another_tambon_gets_404_on_fund_a_role_and_unit_screens(
    client: Any, world: Any
) -> None:
    client.force_login(world.officer_b)
    before = (counts(), OrgUnit.objects.count())
    urls = [
        reverse("role_create", args=[world.fund_a.pk]),
        reverse("role_end", args=[world.fund_a.pk, chair_term(world).pk]),
        reverse("sub_unit_create", args=[world.fund_a.pk]),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, new_user_form(end_date=be(TODAY)))):
            assert response.status_code == 404
            assert world.fund_a.name not in body(response)
    assert (counts(), OrgUnit.objects.count()) == before
    assert chair_term(world).end_date is None


def test_chair_cannot_grant_a_role_at_the_district_above_the_fund(chair: Any, world: Any) -> None:
    before = counts()
    url = reverse("role_create", args=[world.district.pk])
    assert chair.post(url, new_user_form(role=Role.CHAIR)).status_code == 404
    with pytest.raises(PermissionDenied):
        area_svc.role_grant(
            actor=world.chair_a,
            user=world.registrar_a,
            unit=world.district,
            role=Role.CHAIR,
            start_date=TODAY,
        )
    with pytest.raises(PermissionDenied):
        area_svc.user_create_for_role(
            actor=world.chair_a,
            unit=world.fund_b,
            username="outsider",
            first_name="คนนอก",
            last_name="",
            password=PASSWORD,
            role=Role.CHAIR,
            start_date=TODAY,
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234", "รหัสผ่านเริ่มต้น: รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 8 ตัวอักษร"),
        ("12345678", "รหัสผ่านเริ่มต้น: รหัสผ่านนี้เป็นตัวเลขทั้งหมด"),
        ("password", "รหัสผ่านเริ่มต้น: รหัสผ่านนี้เป็นรหัสผ่านที่ใช้กันทั่วไป"),
    ],
)
def test_weak_password_shows_a_thai_message_naming_the_field_and_creates_nothing(
    chair: Any, world: Any, password: str, message: str
) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]),
        new_user_form(password=password, password2=password),
    )
    assert response.status_code == 200
    assert message in body(response)
    assert counts() == before


@pytest.mark.parametrize("username", ["registrar_a", "Registrar_A"])
def test_duplicate_username_shows_a_thai_message_naming_the_field_and_creates_nothing(
    chair: Any, world: Any, username: str
) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]), new_user_form(username=username)
    )
    assert response.status_code == 200
    assert f"ชื่อผู้ใช้สำหรับเข้าระบบ (บัญชีใหม่): ชื่อผู้ใช้ “{username}” มีผู้ใช้แล้ว" in body(response)
    assert counts() == before


def test_mistyped_password_confirmation_creates_nothing(chair: Any, world: Any) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]), new_user_form(password2="kp-9137-ระวั")
    )
    assert "ยืนยันรหัสผ่าน: รหัสผ่านทั้งสองช่องไม่ตรงกัน" in body(response)
    assert counts() == before


def test_choosing_an_existing_user_and_typing_a_new_account_is_refused(
    chair: Any, world: Any
) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]), new_user_form(user=world.viewer_a.pk)
    )
    assert response.status_code == 200
    assert "อย่างใดอย่างหนึ่ง" in body(response)
    assert counts() == before


def test_if_the_role_cannot_be_saved_the_new_account_is_not_saved_either(
    world: Any, monkeypatch: Any
) -> None:
    def failing_role_assign(**kwargs: Any) -> Any:
        raise ValidationError({"role": "ทดสอบ: บันทึกบทบาทไม่ได้"})

    monkeypatch.setattr(area_svc, "role_assign", failing_role_assign)
    before = counts()
    with pytest.raises(ValidationError):
        area_svc.user_create_for_role(
            actor=world.chair_a,
            unit=world.fund_a,
            username="somjit",
            first_name="สมจิต",
            last_name="รักษ์เงิน",
            password=PASSWORD,
            role=Role.TREASURER,
            start_date=TODAY,
        )
    assert counts() == before
    assert not User.objects.filter(username="somjit").exists()


def test_overlapping_term_of_the_same_role_for_the_same_user_is_refused(
    chair: Any, world: Any
) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]),
        {"user": world.registrar_a.pk, "role": Role.REGISTRAR, "start_date": be(TODAY)},
    )
    assert response.status_code == 200
    assert "ซ้อนกับช่วงนี้อยู่แล้ว" in body(response)
    assert counts() == before
    # a term after the former chair's ended term does not overlap
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]),
        {"user": world.expired.pk, "role": Role.CHAIR, "start_date": be(TODAY)},
    )
    assert response.status_code == 302, body(response)


def test_term_ending_before_it_starts_is_refused(chair: Any, world: Any) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]),
        new_user_form(end_date=be(TODAY - dt.timedelta(days=1))),
    )
    assert response.status_code == 200
    assert "สิ้นสุดวาระ (ถ้ามี): วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ" in body(response)
    assert counts() == before


# ------------------------------------------------------------------ ending terms


def test_ended_term_leaves_access_today_and_none_the_next_day(client: Any, world: Any) -> None:
    client.force_login(world.chair_a)
    url = reverse("role_end", args=[world.fund_a.pk, registrar_term(world).pk])
    form = client.get(url)
    assert form.status_code == 200
    assert be(TODAY) in body(form)  # the date defaults to today, in the Buddhist Era
    response = client.post(url, {"end_date": be(TODAY)})
    assert response.status_code == 302, body(response)
    term = registrar_term(world)
    assert term.end_date == TODAY
    assert term.history.latest().history_user == world.chair_a
    unit_url = reverse("unit_detail", args=[world.fund_a.pk])
    client.force_login(world.registrar_a)
    assert client.get(unit_url).status_code == 200
    with on(TODAY + dt.timedelta(days=1)):
        client.force_login(world.registrar_a)
        assert client.get(unit_url).status_code == 404
        assert client.get(reverse("home")).context["units"] == []


def test_end_date_before_the_term_started_is_refused(chair: Any, world: Any) -> None:
    url = reverse("role_end", args=[world.fund_a.pk, registrar_term(world).pk])
    response = chair.post(url, {"end_date": "31/12/2566"})
    assert response.status_code == 200
    assert "วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ (1 ม.ค. 2567)" in body(response)
    assert registrar_term(world).end_date is None


def test_an_ended_term_cannot_be_stretched_by_ending_it_later(chair: Any, world: Any) -> None:
    expired = RoleAssignment.objects.get(user=world.expired)
    response = chair.post(
        reverse("role_end", args=[world.fund_a.pk, expired.pk]), {"end_date": be(TODAY)}
    )
    assert response.status_code == 200
    assert "เลื่อนวันสิ้นสุดออกไปไม่ได้" in body(response)
    assert RoleAssignment.objects.get(user=world.expired).end_date == dt.date(2023, 12, 31)


def test_last_chair_cannot_end_their_own_term(chair: Any, world: Any) -> None:
    url = reverse("role_end", args=[world.fund_a.pk, chair_term(world).pk])
    response = chair.post(url, {"end_date": be(TODAY)})
    assert response.status_code == 200
    assert "คุณเป็นประธานคนสุดท้ายของกองทุนสวัสดิการชุมชนตำบลในเมือง" in body(response)
    assert chair_term(world).end_date is None


def test_chair_may_end_their_own_term_once_a_successor_starts_the_next_day(
    chair: Any, world: Any
) -> None:
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]),
        new_user_form(role=Role.CHAIR, start_date=be(TODAY + dt.timedelta(days=1))),
    )
    assert response.status_code == 302, body(response)
    url = reverse("role_end", args=[world.fund_a.pk, chair_term(world).pk])
    response = chair.post(url, {"end_date": be(TODAY)})
    assert response.status_code == 302, body(response)
    assert chair_term(world).end_date == TODAY


def test_coordinator_above_may_end_the_last_chairs_term(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    url = reverse("role_end", args=[world.fund_a.pk, chair_term(world).pk])
    assert client.post(url, {"end_date": be(TODAY)}).status_code == 302
    assert chair_term(world).end_date == TODAY


def test_role_of_another_unit_cannot_be_ended_through_fund_a_url(client: Any, world: Any) -> None:
    client.force_login(world.chair_a)
    viewer_term = RoleAssignment.objects.get(user=world.viewer_a)  # held at group A1
    url = reverse("role_end", args=[world.fund_a.pk, viewer_term.pk])
    assert client.post(url, {"end_date": be(TODAY)}).status_code == 404
    assert RoleAssignment.objects.get(user=world.viewer_a).end_date is None


# ------------------------------------------------------------------ sub-units


def test_chair_creates_a_village_group_under_fund_a_for_mu_2(chair: Any, world: Any) -> None:
    url = reverse("sub_unit_create", args=[world.fund_a.pk])
    form = chair.get(url).context["form"]
    assert {v for v, _ in form.fields["kind"].choices} == {
        OrgUnitKind.VILLAGE_GROUP,
        OrgUnitKind.NETWORK,
    }
    assert set(form.fields["village"].queryset) == {world.village_a1, world.village_a2}
    response = chair.post(
        url,
        {
            "name": "กลุ่มออมทรัพย์หมู่ 2",
            "kind": OrgUnitKind.VILLAGE_GROUP,
            "village": world.village_a2.pk,
        },
    )
    assert response.status_code == 302, body(response)
    unit = OrgUnit.objects.get(name="กลุ่มออมทรัพย์หมู่ 2")
    assert response["Location"] == reverse("unit_detail", args=[unit.pk])
    assert (unit.parent, unit.kind, unit.village, unit.subdistrict) == (
        world.fund_a,
        OrgUnitKind.VILLAGE_GROUP,
        world.village_a2,
        world.fund_a.subdistrict,
    )
    assert unit.path.startswith(world.fund_a.path)
    assert unit.history.get().history_user == world.chair_a
    assert chair.get(response["Location"]).status_code == 200


def test_creating_a_fund_under_a_village_group_is_refused(chair: Any, world: Any) -> None:
    before = OrgUnit.objects.count()
    url = reverse("sub_unit_create", args=[world.group_a1.pk])
    response = chair.post(url, {"name": "กองทุนซ้อน", "kind": OrgUnitKind.FUND})
    assert response.status_code == 200
    assert "มีหน่วยย่อยไม่ได้" in body(response)
    with pytest.raises(ValidationError) as exc:
        area_svc.sub_unit_create(
            actor=world.chair_a, parent=world.group_a1, name="กองทุนซ้อน", kind=OrgUnitKind.FUND
        )
    assert "kind" in exc.value.message_dict
    assert OrgUnit.objects.count() == before


def test_village_group_needs_a_village_of_the_funds_own_subdistrict(chair: Any, world: Any) -> None:
    before = OrgUnit.objects.count()
    url = reverse("sub_unit_create", args=[world.fund_a.pk])
    response = chair.post(url, {"name": "กลุ่มใหม่", "kind": OrgUnitKind.VILLAGE_GROUP})
    assert "กลุ่มระดับหมู่บ้านต้องระบุหมู่บ้าน" in body(response)
    response = chair.post(
        url,
        {"name": "กลุ่มใหม่", "kind": OrgUnitKind.VILLAGE_GROUP, "village": world.village_b1.pk},
    )
    assert "village" in response.context["form"].errors
    with pytest.raises(ValidationError) as exc:
        area_svc.sub_unit_create(
            actor=world.chair_a,
            parent=world.fund_a,
            name="กลุ่มใหม่",
            kind=OrgUnitKind.VILLAGE_GROUP,
            village=world.village_b1,
        )
    assert "village" in exc.value.message_dict
    assert OrgUnit.objects.count() == before


def test_viewer_may_not_add_a_sub_unit(client: Any, world: Any) -> None:
    client.force_login(world.viewer_a)
    before = OrgUnit.objects.count()
    url = reverse("sub_unit_create", args=[world.group_a1.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x", "kind": OrgUnitKind.NETWORK}).status_code == 403
    assert OrgUnit.objects.count() == before


def test_username_with_a_space_is_refused_in_thai_and_creates_nothing(
    chair: Any, world: Any
) -> None:
    before = counts()
    response = chair.post(
        reverse("role_create", args=[world.fund_a.pk]), new_user_form(username="สม จิต")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["username"]
    assert errors
    assert all(THAI.search(e) for e in errors), errors
    assert counts() == before
