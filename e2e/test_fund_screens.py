"""Screenshots of the fund overview, the member list and a member's page on a 360 px phone and a
1280 px desktop, with the checks of test_screens.py (no sideways scrolling, Sarabun loaded from
our own server, no foreign request, no JavaScript error), and one application typed in the
browser. The PNGs go to e2e/screenshots/ (gitignored) for a person to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import DESKTOP, E2E_DB, PHONE, Seen, field, login
from e2e.test_screens import _check_and_shoot

pytestmark = [pytest.mark.e2e, E2E_DB]

NAMES = [
    ("นาย", "ประเสริฐศักดิ์", "บุญประเสริฐวงศ์"),
    ("นาง", "สมศรีสุดา", "เจริญรุ่งเรืองกิจ"),
    ("นางสาว", "วิไลวรรณ", "ศรีสุวรรณ"),
    ("นาย", "บุญส่ง", "ทองคำ"),
    ("นาง", "บุญเรือน", "คำแก้ว"),
    ("ด.ญ.", "ธนพร", "ใจงาม"),
    ("นาย", "สมบัติ", "มั่งมีศรีสุข"),
    ("นาง", "จันทร์เพ็ญ", "แสงทอง"),
]


def _fund_with_members(world: Any) -> dict[str, Any]:
    """Fund A with eight members in two groups: paid ahead, in arrears, lapsed, resigned."""
    from chumchon.funds import services as fs
    from chumchon.people.services import person_create

    today = dt.date.today()
    chair = world.chair_a
    fund = fs.fund_create(
        actor=chair,
        org_unit=world.fund_a,
        founded_on=dt.date(2015, 6, 1),
        entry_fee=Decimal("20"),
        plans=[
            ("รายเดือน", 1, Decimal("30")),
            ("รายไตรมาส", 3, Decimal("90")),
            ("รายปี", 12, Decimal("365")),
        ],
        lapse_days=60,
        refund_rule="if_no_benefit",
        refund_percent=Decimal("50"),
    )
    out: dict[str, Any] = {"fund": fund, "members": []}
    for i, (title, first, last) in enumerate(NAMES):
        group = world.group_a1 if i % 3 else world.group_a2
        person = person_create(
            actor=chair,
            org_unit=group,
            title=title,
            first_name=first,
            last_name=last,
            birth_date=dt.date(2014, 3, 3) if title == "ด.ญ." else dt.date(1950 + i * 5, 1, 15),
            birth_year=2014 if title == "ด.ญ." else 1950 + i * 5,
        )
        joined = today.replace(day=1) - dt.timedelta(days=400 - i * 45)
        m = fs.member_apply(
            actor=chair,
            fund=fund,
            person=person,
            org_unit=group,
            plan=fund.plans.get(months=3 if i == 1 else 1),
            applied_on=joined,
            beneficiaries=[
                fs.BeneficiaryData("นางสาวมะลิ " + last, "บุตร", Decimal("60"), 30, "12 หมู่ 1"),
                fs.BeneficiaryData("นายจันทร์ " + last, "หลาน", Decimal("40")),
            ],
        )
        m = fs.member_approve(actor=chair, membership=m, joined_on=joined)
        months = [12, 13, 14, 10, 1, 9, 9, 13][i]  # the first in arrears, the fifth lapsed
        fs.payment_record(actor=chair, membership=m, date=joined, amount=20 + 30 * months)
        out["members"].append(m)
    fs.member_resign(
        actor=chair,
        membership=out["members"][6],
        date=today - dt.timedelta(days=10),
        reason="ย้ายไปอยู่กับบุตรที่กรุงเทพฯ",
    )
    return out


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_fund_screens(page: Page, live_server: Any, world: Any, seen: Seen) -> None:
    data = _fund_with_members(world)
    fund = data["fund"]
    base = live_server.url
    login(page, live_server, "chair_a")

    page.goto(f"{base}/funds/{fund.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(fund.name)
    expect(page.locator("#rules li")).to_have_count(6)
    _check_and_shoot(page, seen, live_server, "funds-01-fund-detail")

    page.goto(f"{base}/funds/{fund.pk}/members/")
    expect(page.locator("#result-count")).to_contain_text("พบ 8 รายการ")
    page.locator("#member-filters summary").click()
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label("สถานะ", exact=True).select_option("arrears")
    expect(page.locator("#result-count")).to_contain_text("พบ 1 รายการ")
    _check_and_shoot(page, seen, live_server, "funds-02-member-list-arrears")
    page.goto(f"{base}/funds/{fund.pk}/members/")
    _check_and_shoot(page, seen, live_server, "funds-03-member-list")

    arrears = data["members"][0]
    page.goto(f"{base}/members/{arrears.pk}/")
    page.get_by_label("ดูสถานะ ณ วันที่ (วว/ดด/ปปปป พ.ศ.)").fill("32/01/2568")
    page.get_by_role("button", name="ดูสถานะ").click()
    expect(page.locator("#status-today .errorlist")).to_contain_text("ดูสถานะ ณ วันที่")
    page.get_by_label("ดูสถานะ ณ วันที่ (วว/ดด/ปปปป พ.ศ.)").fill(
        arrears.joined_on.strftime("%d/%m/") + str(arrears.joined_on.year + 543)
    )
    page.get_by_role("button", name="ดูสถานะ").click()
    expect(page.locator("#status-on")).to_contain_text("ปกติ")
    _check_and_shoot(page, seen, live_server, "funds-04-member-detail")

    page.goto(f"{base}/funds/{fund.pk}/members/new/")
    page.get_by_label("ค้นหาด้วยชื่อ นามสกุล หรือเลขประจำตัวประชาชน 13 หลัก").fill("สมบัติ")
    page.get_by_role("button", name="ค้นหา").click()
    page.get_by_role("link", name="เลือก").click()
    field(page, "วันที่สมัคร").fill("01/11/2569")
    page.locator("#id_ben-0-name").fill("นางสมใจ มั่งมีศรีสุข")
    page.locator("#id_ben-0-relation").fill("คู่สมรส")
    page.locator("#id_ben-0-share_percent").fill("90")
    page.get_by_role("button", name="บันทึกใบสมัคร").click()
    expect(page.locator("#beneficiaries .warn")).to_contain_text("ตอนนี้รวมได้ 90")
    _check_and_shoot(page, seen, live_server, "funds-05-apply-error")
    page.locator("#id_ben-0-share_percent").fill("100")
    page.get_by_role("button", name="บันทึกใบสมัคร").click()
    expect(page.locator("#status-today")).to_contain_text("รอพิจารณา")
    _check_and_shoot(page, seen, live_server, "funds-06-applicant")

    from chumchon.areas.models import OrgUnitKind
    from chumchon.areas.services import org_unit_create, role_assign

    unit = org_unit_create(
        name="กองทุนสวัสดิการชุมชนเทศบาลตำบลในเมือง",
        kind=OrgUnitKind.FUND,
        parent=world.district,
        subdistrict=world.fund_a.subdistrict,
    )
    role_assign(user=world.chair_a, org_unit=unit, role="chair", start_date=dt.date(2024, 1, 1))
    page.goto(f"{base}/units/{unit.pk}/fund/new/")
    page.locator("#id_entry_fee").fill("ยี่สิบ")
    page.get_by_role("button", name="เปิดบัญชีกองทุน").click()
    expect(page.locator("#field-entry_fee .errorlist")).to_be_visible()
    _check_and_shoot(page, seen, live_server, "funds-07-fund-create-error")

    assert seen.foreign_requests(live_server.url) == []
    assert seen.js_errors == []
