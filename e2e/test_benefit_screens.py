"""A welfare claim from end to end in real Chromium: the registrar records a hospital stay and
sees the regulation's judgement explained in Thai, a committee member approves it, the chair
pays it, and the books show the payout. Screens are checked at 360 px and desktop (no sideways
scrolling, Sarabun from our own server) and shot to e2e/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, E2E_DB, PASSWORD, PHONE, SCREENSHOT_DIR, Seen, field, login
from e2e.test_screens import _check_and_shoot

pytestmark = [pytest.mark.e2e, E2E_DB]


def _fund_with_regulation(world: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.benefits.example import example_regulation
    from chumchon.core.permissions import Role
    from chumchon.funds import services as fs
    from chumchon.people.services import person_create

    today = dt.date.today()
    joined = today - dt.timedelta(days=800)
    fund = fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=joined - dt.timedelta(days=30),
        entry_fee=Decimal("20"),
        plans=[("รายปี", 12, Decimal("365"))],
        lapse_days=60,
    )
    example_regulation(fund, actor=world.chair_a, effective_from=joined - dt.timedelta(days=30))
    person = person_create(
        actor=world.chair_a,
        org_unit=world.group_a1,
        title="นาง",
        first_name="บุญเรือน",
        last_name="คำแก้ว",
    )
    m = fs.member_apply(
        actor=world.chair_a,
        fund=fund,
        person=person,
        org_unit=world.group_a1,
        plan=fund.plans.get(),
        applied_on=joined,
    )
    m = fs.member_approve(actor=world.chair_a, membership=m, joined_on=joined)
    fs.payment_record(actor=world.chair_a, membership=m, date=joined, amount="1115")  # 3 years
    committee = get_user_model().objects.create_user(
        username="committee_e2e", password=PASSWORD, first_name="สมหมาย", last_name="กรรมการ"
    )
    role_assign(
        user=committee,
        org_unit=world.fund_a,
        role=Role.COMMITTEE,
        start_date=today - dt.timedelta(days=365),
        actor=world.admin,
    )
    from chumchon.benefits.tests.helpers import as_person

    as_person(committee, world.fund_a)  # the approver's login is linked to their person
    return {"fund": fund, "member": m, "committee": committee}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_claim_recorded_explained_approved_and_paid(
    new_page: Any, viewport: dict[str, int], live_server: Any, world: Any, seen: Seen
) -> None:
    from chumchon.benefits.models import Claim, ClaimState, Payout
    from chumchon.ledger.selectors import verify_book

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    data = _fund_with_regulation(world)
    fund, m = data["fund"], data["member"]
    admit = dt.date.today() - dt.timedelta(days=10)
    out = admit + dt.timedelta(days=7)  # seven nights: the regulation pays five
    be = lambda d: f"{d.day:02d}/{d.month:02d}/{d.year + 543}"  # noqa: E731

    # The registrar records the stay.
    page = new_page(viewport)
    login(page, live_server, world.registrar_a.username)
    page.goto(f"{live_server.url}/funds/{fund.pk}/claims/new/")
    field(page, "สมาชิก").fill(str(m.member_no))
    field(page, "สวัสดิการ").select_option("hospital")
    field(page, "วันที่เกิดเหตุ").fill(be(admit))
    field(page, "ถึงวันที่").fill(be(out))
    field(page, "รายละเอียด").fill("นอนพักรักษาตัวที่โรงพยาบาลชุมชน")
    _check_and_shoot(page, seen, live_server, "claim-form")
    page.get_by_role("button", name="บันทึกคำขอและตรวจสิทธิ์").click()
    page.wait_for_url(f"{live_server.url}/claims/*/")
    claim = Claim.objects.get(fund=fund)
    body = page.locator("body")
    expect(body).to_contain_text("ไม่เกิน 5 คืนต่อครั้ง")
    expect(body).to_contain_text("750.00")  # 150 × 5 nights
    expect(body).to_contain_text("มีสิทธิ์ตามระเบียบ")
    _check_and_shoot(page, seen, live_server, "claim-recorded")
    assert claim.state == ClaimState.SUBMITTED and claim.amount == Decimal("750.00")

    # A committee member approves it with a note.
    page2 = new_page(viewport)
    login(page2, live_server, data["committee"].username)
    page2.goto(f"{live_server.url}/claims/{claim.pk}/")
    page2.get_by_label("อนุมัติ", exact=True).check()
    page2.get_by_role("button", name="บันทึกมติ").click()
    expect(page2.locator("body")).to_contain_text("อนุมัติแล้ว")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED

    # The chair pays it in cash; the voucher and the books follow.
    page3 = new_page(viewport)
    login(page3, live_server, world.chair_a.username)
    page3.goto(f"{live_server.url}/claims/{claim.pk}/pay/")
    field(page3, "วันที่จ่าย").fill(be(dt.date.today()))
    page3.get_by_role("button", name="ยืนยันจ่ายเงิน").click()
    page3.wait_for_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page3.locator("body")).to_contain_text("ใบสำคัญจ่าย")
    _check_and_shoot(page3, seen, live_server, "claim-paid")
    claim.refresh_from_db()
    payout = Payout.objects.get(claim=claim)
    assert claim.state == ClaimState.PAID and payout.amount == Decimal("750.00")
    assert payout.entry.postings.get(side="D").account.category == "benefit.02"
    assert verify_book(fund.book).ok
    assert not seen.js_errors and not seen.foreign_requests(live_server.url)
