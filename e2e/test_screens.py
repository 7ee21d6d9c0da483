"""Screenshots of the main screens on a 360 px phone and a 1280 px desktop.

Each screen is checked the way a fund treasurer on a cheap phone would notice problems: nothing
wider than the screen (no sideways scrolling), the Sarabun font really loaded from our own
server, no request to any other host (no CDN at run time), no JavaScript error.
The PNGs go to e2e/screenshots/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from chumchon.core.thai import national_id_check_digit
from e2e.conftest import BIRTH, DESKTOP, E2E_DB, PHONE, SCREENSHOT_DIR, Seen, field, login

pytestmark = [pytest.mark.e2e, E2E_DB]

SURNAME = "บุญประเสริฐวงศ์"


def _id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


def _people(world: Any) -> dict[str, Any]:
    """A household of four in หมู่ 2 with long, real-looking names, and two more people."""
    from chumchon.people.models import Relation, Sex
    from chumchon.people.services import household_create, person_create, person_update

    chair = world.chair_a
    household = household_create(
        actor=chair,
        org_unit=world.group_a2,
        house_number="123/45",
        house_registration_no="40010123456",
        village=world.village_a2,
        street="ซอยมิตรภาพ 12 ถนนมิตรภาพ",
        note="บ้านติดถนนใหญ่ ฝั่งตรงข้ามวัดหนองใหญ่",
    )
    people = [
        ("นาย", "ประเสริฐศักดิ์", Sex.MALE, dt.date(1958, 3, 15), None, Relation.HEAD),
        ("นาง", "สมศรีสุดา", Sex.FEMALE, dt.date(1961, 1, 2), None, Relation.SPOUSE),
        ("ด.ช.", "ธนกฤต", Sex.MALE, dt.date(2015, 7, 30), None, Relation.GRANDCHILD),
        ("นาง", "บุญมา", Sex.FEMALE, None, 1938, Relation.PARENT),
    ]
    out: dict[str, Any] = {"household": household}
    for i, (title, first, sex, born, year, relation) in enumerate(people):
        out[relation] = person_create(
            actor=chair,
            org_unit=world.group_a2,
            household=household,
            relation=relation,
            title=title,
            first_name=first,
            last_name=SURNAME,
            sex=sex,
            birth_date=born,
            birth_year=year or born.year,
            national_id=_id(f"34001012345{i}"),
            phone="0812345678" if relation == Relation.HEAD else "",
            house_number="123/45",
            village=world.village_a2,
            street="ซอยมิตรภาพ 12 ถนนมิตรภาพ",
        )
    for first, last in [
        ("บุญเรือน", "ศรีสุวรรณ"),
        ("บุญส่ง", "เจริญรุ่งเรืองกิจ"),
        ("สมชาย", "ใจดี"),  # not found by the search below
    ]:
        person_create(
            actor=chair,
            org_unit=world.group_a1,
            title="นาย",
            first_name=first,
            last_name=last,
            sex=Sex.MALE,
            birth_date=None,
            birth_year=1970,
            village=world.village_a1,
        )
    person_update(
        actor=chair,
        person=out[Relation.HEAD],
        phone="0898765432",
        note="ย้ายมาจากอำเภอน้ำพอง ปี 2560",
        reason="เจ้าตัวแจ้งเปลี่ยนเบอร์โทรศัพท์ที่ประชุมหมู่บ้าน",
    )
    return out


def _check_and_shoot(page: Page, seen: Seen, live_server: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("document.fonts.check('16px Sarabun')"), f"{name}: Sarabun not ready"
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/[\"']/g, '') === 'Sarabun'"
        " && f.status === 'loaded').length"
    )
    assert loaded >= 1, f"{name}: no Sarabun face was loaded (fallback font shown)"
    width = page.viewport_size["width"] if page.viewport_size else 0
    overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '')
            .trim().slice(0, 40))"""
    )
    assert overflow, f"{name} at {width}px scrolls sideways; too wide: {wide}"
    label = "phone" if width == PHONE["width"] else "desktop"
    page.screenshot(path=SCREENSHOT_DIR / f"{label}-{name}.png", full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_main_screens(page: Page, live_server: Any, world: Any, seen: Seen) -> None:
    from chumchon.people.models import Relation

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    data = _people(world)
    head, household = data[Relation.HEAD], data["household"]
    base = live_server.url

    page.goto(f"{base}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบ")
    _check_and_shoot(page, seen, live_server, "01-login")

    login(page, live_server, "chair_a")
    expect(page.locator(".grid .card")).to_have_count(1)
    _check_and_shoot(page, seen, live_server, "02-home")

    page.goto(f"{base}/people/")
    expect(page.locator("#result-count")).to_have_text("พบ 7 คน")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label("ค้นหาบุคคล").press_sequentially("บุญ", delay=50)
    expect(page.locator("#result-count")).to_have_text("พบ 6 คน")
    _check_and_shoot(page, seen, live_server, "03-person-list")

    page.goto(f"{base}/people/new/")
    field(page, "หน่วยที่ดูแล").select_option(label="กลุ่มหมู่ 1 โนนทัน")
    field(page, "คำนำหน้า").select_option("นางสาว")
    field(page, "ชื่อ").fill("วิไลวรรณ")
    field(page, "นามสกุล").fill("ศรีสุวรรณ")
    field(page, BIRTH).fill("31/02/2530")
    field(page, "เลขประจำตัวประชาชน 13 หลัก").fill("1-2345-67890-12-0")
    page.get_by_role("button", name="บันทึก").click()
    expect(page.locator("#field-national_id .errorlist")).to_be_visible()
    expect(page.locator("#field-birth .errorlist")).to_be_visible()
    _check_and_shoot(page, seen, live_server, "04-person-form-error")

    page.goto(f"{base}/people/{head.pk}/")
    expect(page.locator("#history ol.history > li")).to_have_count(2)
    _check_and_shoot(page, seen, live_server, "05-person-detail")

    page.goto(f"{base}/households/{household.pk}/")
    expect(page.locator("#members tbody tr")).to_have_count(4)
    _check_and_shoot(page, seen, live_server, "06-household-detail")

    page.goto(f"{base}/households/")
    expect(page.locator("table tbody tr")).to_have_count(1)
    _check_and_shoot(page, seen, live_server, "07-household-list")

    response = page.goto(f"{base}/households/{household.pk + 1000}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("ไม่พบข้อมูล")
    _check_and_shoot(page, seen, live_server, "08-not-found")

    assert seen.foreign_requests(live_server.url) == []
    assert any(u.endswith(".ttf") for u in seen.requests), "the font came from nowhere?"
    assert seen.js_errors == []
