"""The issue's scenario in a real browser: a fund chair records a household and its people in
Thai, finds them again with a Thai search, corrects a phone number and sees it in the history.
Another tambon's officer can neither open the household nor find its people."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from chumchon.core.thai import national_id_check_digit
from e2e.conftest import BIRTH, E2E_DB, field, login

pytestmark = [pytest.mark.e2e, E2E_DB]

SURNAME = "บุญประเสริฐ"
PREFIX = "บุญ"  # what a treasurer types: the first three characters of the surname


def valid_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


HEAD_ID = valid_id("310070012345")
SPOUSE_ID = valid_id("310070054321")


def wrong_id(first12: str) -> str:
    good = national_id_check_digit(first12)
    return first12 + str((good + 1) % 10)


def _fill_person(
    page: Page,
    *,
    title: str,
    first: str,
    last: str,
    sex: str,
    birth: str,
    national_id: str,
    phone: str = "",
) -> None:
    field(page, "คำนำหน้า").select_option(title)
    field(page, "ชื่อ").fill(first)
    field(page, "นามสกุล").fill(last)
    field(page, "เพศ").select_option(label=sex)
    field(page, BIRTH).fill(birth)
    field(page, "เลขประจำตัวประชาชน 13 หลัก").fill(national_id)
    if phone:
        field(page, "โทรศัพท์").fill(phone)


def _press_enter_and_wait_for_new_page(page: Page, box: Locator) -> None:
    """Submit the search form with Enter and wait for the new document.

    Not ``expect_navigation()``: the live search's own request may push its URL (a same-page
    navigation) just before the form's real navigation, and that would satisfy it.
    """
    page.evaluate("window.__oldDocument = true")
    box.press("Enter")
    page.wait_for_function("() => window.__oldDocument === undefined")
    page.wait_for_load_state()


def test_household_two_people_search_edit_history(page: Page, live_server: Any, world: Any) -> None:
    from chumchon.people.models import Household, Person

    # --- log in, in Thai
    login(page, live_server, "chair_a")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text("สวัสดี สมศักดิ์ ใจดี")

    # --- a new household: house number and village
    page.get_by_role("navigation").get_by_role("link", name="ครัวเรือน").click()
    page.get_by_role("link", name="เพิ่มครัวเรือน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("เพิ่มครัวเรือน")
    field(page, "หน่วยที่ดูแล").select_option(label="กองทุนสวัสดิการชุมชนตำบลในเมือง")
    field(page, "บ้านเลขที่").fill("99/1")
    field(page, "หมู่บ้าน").select_option(label="หมู่ที่ 1 บ้านโนนทัน (ตำบลในเมือง)")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(re.compile(r"/households/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("บ้านเลขที่ 99/1 หมู่ที่ 1 บ้านโนนทัน")
    expect(page.locator(".messages")).to_contain_text("บันทึกบ้านเลขที่ 99/1")
    household_url = page.url
    household = Household.objects.get()
    assert household.org_unit == world.fund_a and household.village == world.village_a1

    # --- the head of the household, birth date typed in the Buddhist Era
    page.get_by_role("link", name="เพิ่มสมาชิกใหม่").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("เพิ่มสมาชิกครัวเรือน")
    relation = field(page, "ความสัมพันธ์กับครัวเรือน")
    expect(relation).to_have_value("head")  # the first member is proposed as the head
    expect(field(page, "บ้านเลขที่")).to_have_value("99/1")  # address taken from the house
    _fill_person(
        page,
        title="นาย",
        first="สมบัติ",
        last=SURNAME,
        sex="ชาย",
        birth="15/03/2510",
        national_id=HEAD_ID,
        phone="0812345678",
    )
    relation.select_option(label="หัวหน้าครัวเรือน")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(household_url)
    expect(page.locator(".messages")).to_contain_text(f"บันทึก นายสมบัติ {SURNAME} แล้ว")

    # --- the spouse, birth date typed with Thai digits
    page.get_by_role("link", name="เพิ่มสมาชิกใหม่").click()
    expect(relation).to_have_value("child")
    _fill_person(
        page,
        title="นาง",
        first="สมศรี",
        last=SURNAME,
        sex="หญิง",
        birth="๐๒/๐๑/๒๕๑๒",
        national_id=SPOUSE_ID,
    )
    relation.select_option(label="คู่สมรส")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(household_url)

    members = page.locator("#members tbody tr")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_contain_text(f"นายสมบัติ {SURNAME}")
    expect(members.nth(0)).to_contain_text("หัวหน้าครัวเรือน")
    expect(members.nth(1)).to_contain_text(f"นางสมศรี {SURNAME}")
    expect(members.nth(1)).to_contain_text("คู่สมรส")

    head = Person.objects.get(national_id=HEAD_ID)
    spouse = Person.objects.get(national_id=SPOUSE_ID)
    assert str(head.birth_date) == "1967-03-15"
    assert str(spouse.birth_date) == "1969-01-02"

    # --- Thai live search on the person list: type a prefix of the surname
    page.get_by_role("navigation").get_by_role("link", name="บุคคล").click()
    page.evaluate("window.__sameDocument = true")
    search = page.get_by_label("ค้นหาบุคคล")
    with page.expect_response(
        lambda r: "/people/?" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        search.press_sequentially(PREFIX, delay=60)
    results = page.locator("#person-results")
    expect(results.locator("#result-count")).to_have_text("พบ 2 คน")
    expect(results.get_by_role("link", name=f"นายสมบัติ {SURNAME}")).to_be_visible()
    expect(results.get_by_role("link", name=f"นางสมศรี {SURNAME}")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True, "live search reloaded the page"
    expect(page).to_have_url(re.compile(r"/people/\?q="))  # hx-push-url: the search is linkable

    # ... and Enter submits the ordinary form: same result on a fresh page
    _press_enter_and_wait_for_new_page(page, search)
    expect(search).to_have_value(PREFIX)
    expect(results.locator("#result-count")).to_have_text("พบ 2 คน")
    expect(results.get_by_role("link", name=re.compile(SURNAME))).to_have_count(2)

    # --- correct the head's phone number, giving a reason
    results.get_by_role("link", name=f"นายสมบัติ {SURNAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"นายสมบัติ {SURNAME}")
    expect(page.locator("dl.facts")).to_contain_text("15 มีนาคม พ.ศ. 2510")
    page.get_by_role("link", name="แก้ไข", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("แก้ไขข้อมูลบุคคล")
    expect(field(page, BIRTH)).to_have_value("15/03/2510")
    field(page, "โทรศัพท์").fill("0898765432")
    field(page, "เหตุผลที่แก้ไข (ถ้ามี)").fill("ผู้ใช้แจ้งเปลี่ยนเบอร์โทรศัพท์")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(re.compile(rf"/people/{head.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("บันทึกการแก้ไขแล้ว")
    expect(page.locator("dl.facts")).to_contain_text("0898765432")

    # --- the history shows old -> new and the reason, newest first
    history = page.locator("#history")
    expect(history.get_by_role("heading")).to_have_text("ประวัติการแก้ไข")
    latest = history.locator("ol.history > li").first
    expect(latest).to_contain_text("ผู้ใช้แจ้งเปลี่ยนเบอร์โทรศัพท์")
    expect(latest).to_contain_text("สมศักดิ์ ใจดี")
    change = latest.locator("ul.change li", has_text="โทรศัพท์")
    expect(change.locator("del")).to_have_text("0812345678")
    expect(change.locator("ins")).to_have_text("0898765432")
    expect(latest.locator("ul.change li")).to_have_count(1)  # nothing else changed
    head.refresh_from_db()
    assert head.phone == "0898765432"


def test_invalid_national_id_is_refused_in_thai(page: Page, live_server: Any, world: Any) -> None:
    from chumchon.people.models import Person

    login(page, live_server, "chair_a")
    page.goto(f"{live_server.url}/people/new/")
    field(page, "หน่วยที่ดูแล").select_option(label="กลุ่มหมู่ 1 โนนทัน")
    _fill_person(
        page,
        title="นาย",
        first="สมปอง",
        last="ดีมาก",
        sex="ชาย",
        birth="01/01/2520",
        national_id=wrong_id("110070012345"),
    )
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/people/new/$"))
    error = page.locator("#field-national_id .errorlist")
    expect(error).to_have_text(
        "เลขประจำตัวประชาชน 13 หลัก: เลขประจำตัวประชาชนไม่ถูกต้อง"
        " (เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง"
    )
    expect(page.locator("#field-national_id")).to_have_class(re.compile(r"\bhas-error\b"))
    # what was typed is kept, so only the wrong digit needs fixing
    expect(field(page, "ชื่อ")).to_have_value("สมปอง")
    expect(field(page, BIRTH)).to_have_value("01/01/2520")
    assert not Person.objects.exists()

    # too short: the message says how many digits were typed
    field(page, "เลขประจำตัวประชาชน 13 หลัก").fill("๑๒๓๔๕")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_load_state()
    expect(error).to_contain_text("ต้องมี 13 หลัก (กรอกมา 5 หลัก)")
    assert not Person.objects.exists()


def test_officer_of_another_tambon_sees_nothing(
    new_page: Callable[..., Page], live_server: Any, world: Any, person_factory: Any
) -> None:
    from chumchon.people.models import Relation
    from chumchon.people.services import household_create

    household = household_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        house_number="99/1",
        village=world.village_a1,
    )
    for first, relation, first12 in [
        ("สมบัติ", Relation.HEAD, "310070012345"),
        ("สมศรี", Relation.SPOUSE, "310070054321"),
    ]:
        person_factory(
            first_name=first,
            last_name=SURNAME,
            national_id=valid_id(first12),
            org_unit=world.fund_a,
            household=household,
            relation=relation,
        )
    url = f"{live_server.url}/households/{household.pk}/"

    # control: the chair opens the same address
    chair = new_page()
    login(chair, live_server, "chair_a")
    assert chair.goto(url).status == 200
    expect(chair.locator("#members tbody tr")).to_have_count(2)

    officer = new_page()
    login(officer, live_server, "officer_b")
    expect(officer.get_by_role("heading", level=1)).to_have_text("สวัสดี ประยูร ทองดี")
    response = officer.goto(url)
    assert response is not None and response.status == 404
    expect(officer.get_by_role("heading", level=1)).to_have_text("ไม่พบข้อมูล")
    expect(officer.locator("body")).not_to_contain_text("99/1")
    expect(officer.locator("body")).not_to_contain_text(SURNAME)

    officer.goto(f"{live_server.url}/people/")
    officer.get_by_label("ค้นหาบุคคล").fill(PREFIX)
    _press_enter_and_wait_for_new_page(officer, officer.get_by_label("ค้นหาบุคคล"))
    expect(officer.locator("#result-count")).to_have_text("พบ 0 คน")
    expect(officer.locator("#person-results")).to_contain_text(f"ไม่พบบุคคลที่ตรงกับ “{PREFIX}”")
    expect(officer.locator("#person-results")).not_to_contain_text(SURNAME)
