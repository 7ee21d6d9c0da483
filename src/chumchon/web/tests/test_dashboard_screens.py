"""Dashboard screens and the public transparency board.

Who sees what: the province coordinator sees every fund of the province network and nothing of
another network; fund B's treasurer sees fund B and nothing of fund A; the board of a fund is
public only when the fund turned it on, and shows aggregates without any personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from chumchon.funds.models import Fund, Membership
from chumchon.reports.models import FundSnapshot
from chumchon.reports.tests.test_rollup import FY, build_network


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def network(world: Any, person_factory: Any) -> Any:
    return build_network(world, person_factory)


@pytest.fixture
def treasurer_b(world: Any) -> Any:
    from chumchon.areas.models import RoleAssignment

    return RoleAssignment.objects.get(org_unit=world.fund_b, role="treasurer").user


def test_coordinator_sees_the_funds_of_their_province_only(
    client: Any, world: Any, network: Any
) -> None:
    a, b, c = network
    client.force_login(world.coordinator)
    response = client.get(reverse("dashboard"))  # the highest unit held: the province
    assert response.status_code == 200
    text = page(response)
    assert world.province.name in text
    assert a.name in text and b.name in text
    assert c.name not in text and world.province_c.name not in text
    for unit in (world.province_c, world.unit_c):
        assert client.get(reverse("dashboard_unit", args=[unit.pk])).status_code == 404
    # Down the tree: the district, then a fund, then a village group.
    for unit in (world.district, world.fund_a, world.group_a1):
        response = client.get(reverse("dashboard_unit", args=[unit.pk]))
        assert response.status_code == 200
        assert unit.name in page(response)


def test_fund_b_treasurer_sees_nothing_of_fund_a(
    client: Any, world: Any, network: Any, treasurer_b: Any
) -> None:
    a, b, _c = network
    client.force_login(treasurer_b)
    text = page(client.get(reverse("dashboard")))
    assert b.name in text
    assert a.name not in text and world.group_a1.name not in text
    for unit in (world.fund_a, world.group_a1, world.group_a2, world.district, world.province):
        response = client.get(reverse("dashboard_unit", args=[unit.pk]))
        assert response.status_code == 404
        assert a.name not in page(response)
    before = FundSnapshot.objects.filter(fund=a).count()
    assert client.post(reverse("dashboard_refresh", args=[world.fund_a.pk])).status_code == 404
    assert FundSnapshot.objects.filter(fund=a).count() == before


def test_a_user_without_a_books_role_gets_an_empty_dashboard(client: Any, world: Any) -> None:
    client.force_login(world.officer_b)  # a local officer: people, not the fund's books
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "ยังไม่มีบทบาทที่ดูบัญชีกองทุนได้" in page(response)
    assert client.get(reverse("dashboard_unit", args=[world.fund_b.pk])).status_code == 404


def test_fund_dashboard_shows_figures_charts_and_links_down(
    client: Any, world: Any, network: Any
) -> None:
    a, _b, _c = network
    client.force_login(world.chair_a)
    response = client.get(reverse("dashboard_unit", args=[world.fund_a.pk]), {"fy": FY})
    assert response.status_code == 200
    text = page(response)
    assert f"ปีงบประมาณ {FY}" in text
    assert "ข้อมูลสรุป ณ 30 มิถุนายน พ.ศ. 2568" in text
    # Charts are inline SVG sized by a viewBox (a phone scales them to its width).
    assert text.count('<svg class="chart" viewBox="0 0 360') >= 3
    assert "@media print" in text
    # Tiles: 2 current members (1 active, 1 in arrears); 15,000 of 20,000 pledged received.
    assert "ปกติ 1 · ค้างชำระ 1" in text
    assert "15,000.00 / 20,000.00" in text
    for group in (world.group_a1, world.group_a2):
        assert reverse("dashboard_unit", args=[group.pk]) in text
    # The fund menu leads here, and the fund's managers may queue a refresh.
    assert reverse("dashboard_refresh", args=[world.fund_a.pk]) in text
    assert reverse("member_list", args=[a.pk]) in text


def test_province_dashboard_lists_every_fund_with_its_key_figures(
    client: Any, world: Any, network: Any
) -> None:
    a, b, _c = network
    client.force_login(world.coordinator)
    text = page(client.get(reverse("dashboard_unit", args=[world.province.pk]), {"fy": FY}))
    assert 'id="funds"' in text
    assert reverse("dashboard_unit", args=[a.org_unit_id]) in text
    assert reverse("dashboard_unit", args=[b.org_unit_id]) in text
    assert reverse("dashboard_unit", args=[world.district.pk]) in text  # the level below
    assert "รวม 2 กองทุน" in text
    # A coordinator cannot manage a fund: no refresh button, and the request is refused.
    assert "ปรับปรุงข้อมูลสรุป</button>" not in text
    response = client.post(reverse("dashboard_refresh", args=[world.fund_a.pk]))
    assert response.status_code == 403


def test_fund_manager_refresh_queues_the_summaries(client: Any, world: Any, network: Any) -> None:
    a, _b, _c = network
    FundSnapshot.objects.filter(fund=a).delete()
    client.force_login(world.chair_a)
    response = client.get(reverse("dashboard_unit", args=[world.fund_a.pk]))
    assert "ยังไม่มีข้อมูลสรุปของ" in page(response)
    response = client.post(reverse("dashboard_refresh", args=[world.group_a1.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard_unit", args=[world.group_a1.pk])
    assert "ส่งคำขอปรับปรุงข้อมูลสรุปแล้ว" in page(response)
    # The tests' task backend runs the job at once: fund A's rows exist again.
    assert FundSnapshot.objects.filter(fund=a, org_unit=world.fund_a).exists()


def test_refresh_waits_in_the_database_queue_once(
    client: Any, world: Any, network: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(world.chair_a)
    url = reverse("dashboard_refresh", args=[world.fund_a.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "รออยู่ในคิวแล้ว" in page(response)
    assert DBTaskResult.objects.count() == 1


def test_unit_chooser_lists_every_unit_the_user_holds(
    client: Any, world: Any, network: Any
) -> None:
    from chumchon.areas.services import role_assign

    role_assign(
        user=world.coordinator,
        org_unit=world.fund_a,
        role="auditor",
        start_date=dt.date(2024, 1, 1),
    )
    client.force_login(world.coordinator)
    text = page(client.get(reverse("dashboard")))
    assert f'<option value="{world.province.pk}" selected>' in text
    assert f'<option value="{world.fund_a.pk}"' in text
    response = client.get(reverse("dashboard"), {"unit": world.fund_a.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard_unit", args=[world.fund_a.pk])


# --- the public transparency board --------------------------------------------------------------


def test_board_is_not_found_unless_the_fund_opted_in(client: Any, world: Any, network: Any) -> None:
    a, _b, _c = network
    assert not a.public_board
    response = client.get(reverse("fund_board", args=[a.pk]))
    assert response.status_code == 404
    assert a.name not in page(response)


def test_board_shows_aggregates_and_no_personal_data(client: Any, world: Any, network: Any) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from chumchon.funds import services as fs

    a, _b, _c = network
    fs.fund_receipt_record(  # this fiscal year: the board shows this year and the one before
        actor=world.chair_a,
        fund=a,
        source="donation",
        amount=Decimal("7777"),
        date=timezone.localdate(),
        payer="ผ้าป่าสามัคคี",
    )
    Fund.objects.filter(pk=a.pk).update(public_board=True)
    response = client.get(reverse("fund_board", args=[a.pk]))  # anonymous
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    text = page(response)
    assert a.name in text
    assert "เงินเข้าตามแหล่งที่มา" in text and "เงินออกตามหมวด" in text
    assert "เงินบริจาค" in text and "7,777.00" in text  # money in by source
    assert "ผ้าป่าสามัคคี" not in text  # who paid is not shown
    members = Membership.objects.filter(fund=a).select_related("person")
    for m in members:
        for marker in (m.person.first_name, m.person.full_name, m.person.last_name):
            assert marker not in text
    assert "สมาชิกเลขที่" not in text  # as journal memos name a member
    for user in (world.chair_a, world.registrar_a):
        assert user.first_name not in text


def test_board_is_linked_from_the_receipt_check_when_public(
    client: Any, world: Any, network: Any
) -> None:
    from chumchon.funds.models import Payment

    a, _b, _c = network
    payment = Payment.objects.filter(fund=a).first()
    url = reverse("receipt_verify", args=[payment.verify_token])
    board = reverse("fund_board", args=[a.pk])
    assert board not in page(client.get(url))
    Fund.objects.filter(pk=a.pk).update(public_board=True)
    assert board in page(client.get(url))


def test_board_shows_this_and_last_fiscal_year(client: Any, world: Any, network: Any) -> None:
    a, _b, _c = network
    Fund.objects.filter(pk=a.pk).update(public_board=True)
    text = page(client.get(reverse("fund_board", args=[a.pk])))
    from django.utils import timezone

    from chumchon.core.thai import fiscal_year

    fy = fiscal_year(timezone.localdate())
    assert f"ปี {fy}" in text and f"ปี {fy - 1}" in text
