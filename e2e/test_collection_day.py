"""The collection day in a real browser, by keyboard alone.

A treasurer opens the day for village group 1 (twelve members), then takes the money row by
row: Enter accepts what a member owes, digits then Enter post another amount, ArrowDown skips a
member. Keystrokes are counted per member: one who pays exactly the due costs at most 3 (here 1,
and 3 when the signal was lost and the row is sent again). A double Enter posts once and does not
pay the next member; an answer lost on a weak signal is retried with the row's key and posts once. The running totals match the books, and the day is
closed with a counted cash difference that needs a note, after which it takes no more money.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from e2e.conftest import DESKTOP, E2E_DB, PHONE, SCREENSHOT_DIR, Seen, field, login

pytestmark = [pytest.mark.e2e, E2E_DB]

D = Decimal
NAMES = [
    ("นาย", "สมบัติ", "ทองคำ"),
    ("นาง", "บุญเรือน", "ศรีสุวรรณ"),
    ("นาย", "ประเสริฐ", "แก้วมณี"),
    ("นางสาว", "วิไลวรรณ", "บุญประเสริฐวงศ์"),
    ("นาย", "สุริยา", "พรหมมา"),
    ("นาง", "คำปุ่น", "ชัยวงศ์"),
    ("นาย", "ทองสุข", "ใจดี"),
    ("นาง", "จันทร์เพ็ญ", "แสงทอง"),
    ("นาย", "บุญส่ง", "เจริญรุ่งเรืองกิจ"),
    ("นาง", "มาลัย", "คำแก้ว"),
    ("นาย", "สมหวัง", "มีสุข"),
    ("นางสาว", "ลำดวน", "ศรีสมบูรณ์"),
]


DONE = re.compile(r"(^|\s)done(\s|$)")  # a row whose payment the server has answered


class Keys:
    """page.keyboard, counting every key pressed, per member."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count: dict[str, int] = defaultdict(int)

    def press(self, who: str, key: str) -> None:
        self.count[who] += 1
        self.page.keyboard.press(key)

    def type(self, who: str, text: str) -> None:
        self.count[who] += len(text)
        self.page.keyboard.type(text)


def _members(world: Any) -> tuple[Any, list[Any]]:
    from chumchon.funds import services as fs
    from chumchon.people.services import person_create

    chair = world.chair_a
    fund = fs.fund_create(
        actor=chair,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )
    today = timezone.localdate()
    members = []
    for i, (title, first, last) in enumerate(NAMES):
        person = person_create(
            actor=chair,
            org_unit=world.group_a1,
            title=title,
            first_name=first,
            last_name=last,
            house_number=f"{10 + i}/1",
            village=world.village_a1,
        )
        joined = today - dt.timedelta(days=40 if i == 2 else 10)  # member 3 owes two months
        m = fs.member_apply(
            actor=chair,
            fund=fund,
            person=person,
            org_unit=world.group_a1,
            plan=fund.plans.get(months=1),
            applied_on=joined,
        )
        members.append(fs.member_approve(actor=chair, membership=m, joined_on=joined))
    return fund, members


def _shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    width = page.viewport_size["width"] if page.viewport_size else 0
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        f"{name} at {width}px scrolls sideways: {wide}"
    )
    label = "phone" if width == PHONE["width"] else "desktop"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"{label}-{name}.png", full_page=True)


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_collection_day_by_keyboard(
    new_page: Callable[..., Page], live_server: Any, world: Any, seen: Seen
) -> None:
    from chumchon.funds.models import CollectionDay, Payment
    from chumchon.ledger.selectors import verify_book

    fund, members = _members(world)
    page = new_page(DESKTOP)
    login(page, live_server, "chair_a")

    # Open the day from the fund's list of collection days.
    page.goto(f"{live_server.url}/funds/{fund.pk}/days/")
    field(page, "กลุ่มหมู่บ้าน").select_option(label=world.group_a1.name)
    page.get_by_role("button", name="เปิดหน้ารับเงิน").click()
    page.wait_for_url("**/days/*/")
    day = CollectionDay.objects.get()
    rows = page.locator("tr.pay-row")
    expect(rows).to_have_count(len(members))
    expect(page.locator("#t-expected")).to_have_text("630.00")  # 11 × 50 + 80
    _shoot(page, "21-collection-day-open")

    def row(i: int) -> Any:
        return page.locator(f"#row-{members[i].pk}")

    def paid(i: int) -> list[Decimal]:
        return [p.amount for p in Payment.objects.filter(membership=members[i]).order_by("pk")]

    def settle(i: int) -> None:
        """Wait for the row's answer, then as long as a treasurer takes the money."""
        expect(row(i)).to_have_class(DONE)
        page.wait_for_timeout(400)

    keys = Keys(page)
    # The focus starts on the first member's amount.
    assert _focused(page) == f"amt-{members[0].pk}"

    exact = [0, 1, 2, 3]
    for i in exact:
        keys.press(f"m{i}", "Enter")
        settle(i)
    assert [paid(i) for i in exact] == [[D("50")], [D("50")], [D("80")], [D("50")]]

    # Member 5 pays part of the due: digits, then Enter.
    assert _focused(page) == f"amt-{members[4].pk}"
    keys.type("m4", "20")
    keys.press("m4", "Enter")
    settle(4)
    assert paid(4) == [D("20")]
    expect(row(4).locator("input.amount")).to_have_attribute("placeholder", "30.00")

    # Member 6 is not here today: skip with the arrow key.
    assert _focused(page) == f"amt-{members[5].pk}"
    keys.press("m5", "ArrowDown")
    assert _focused(page) == f"amt-{members[6].pk}"
    keys.press("m6", "Enter")
    settle(6)

    # Member 8: Enter twice, quickly. One payment, and member 9 is not paid by the bounce.
    assert _focused(page) == f"amt-{members[7].pk}"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    keys.count["m7"] += 2
    settle(7)
    page.wait_for_timeout(600)
    assert paid(7) == [D("50")]
    assert paid(8) == []
    assert _focused(page) == f"amt-{members[8].pk}"
    keys.press("m8", "Enter")
    settle(8)

    # Member 10 on a weak signal: the server records the payment but the answer is lost. The
    # row retries with its key and the server answers with the same receipt: one payment.
    lost = {"n": 0}

    def lose_first_answer(route: Route) -> None:
        if lost["n"] == 0:
            lost["n"] += 1
            route.fetch()
            route.abort("failed")
        else:
            route.continue_()

    page.route("**/days/*/pay/", lose_first_answer)
    assert _focused(page) == f"amt-{members[9].pk}"
    keys.press("m9", "Enter")
    expect(row(9)).to_have_class(DONE, timeout=15_000)
    expect(row(9).locator(".row-state")).to_contain_text("ไม่บันทึกซ้ำ")
    page.unroute("**/days/*/pay/")
    page.wait_for_timeout(400)
    assert lost["n"] == 1
    assert paid(9) == [D("50")]

    # Member 11 while the signal is gone: every try fails, the row says so and keeps its key.
    # Back on the row (ArrowUp), Enter sends it again once the signal is back.
    page.route("**/days/*/pay/", lambda route: route.abort("failed"))
    assert _focused(page) == f"amt-{members[10].pk}"
    keys.press("m10", "Enter")
    failed = re.compile(r"(^|\s)failed(\s|$)")
    expect(row(10)).to_have_class(failed, timeout=15_000)
    expect(row(10).locator(".row-state")).to_contain_text("ส่งไม่สำเร็จ")
    assert paid(10) == []
    page.unroute("**/days/*/pay/")
    assert _focused(page) == f"amt-{members[11].pk}"
    keys.press("m10", "ArrowUp")
    keys.press("m10", "Enter")
    settle(10)
    assert paid(10) == [D("50")]

    assert _focused(page) == f"amt-{members[11].pk}"
    keys.press("m11", "Enter")
    settle(11)

    # Keystrokes per member who paid exactly the due: one Enter, three after a lost signal.
    for i in (0, 1, 2, 3, 6, 8, 9, 10, 11):
        assert keys.count[f"m{i}"] <= 3, (i, keys.count[f"m{i}"])
        assert keys.count[f"m{i}"] == (3 if i == 10 else 1)
    assert keys.count["m4"] == 3  # "2", "0", Enter

    # Totals on screen are the books' totals.
    live = Payment.objects.filter(collection_day=day, void__isnull=True)
    total = sum((p.amount for p in live), D("0"))
    assert live.count() == 11
    assert total == D("550")  # 8 × 50 + 80 + 20 + 50 (members 1-4, 5 partial, 7-12)
    expect(page.locator("#t-total")).to_have_text("550.00")
    expect(page.locator("#t-count")).to_have_text("11")
    expect(page.locator("#t-outstanding")).to_have_text("80.00")  # 30 of member 5, 50 of member 6
    expect(page.locator("#t-outstanding-n")).to_have_text("2")
    _shoot(page, "22-collection-day-paid")
    page.reload()
    expect(page.locator("#t-total")).to_have_text("550.00")
    assert _focused(page) == f"amt-{members[5].pk}"  # the one skipped, nothing paid today

    phone = new_page(PHONE)
    login(phone, live_server, "chair_a")
    phone.goto(f"{live_server.url}/days/{day.pk}/")
    expect(phone.locator("tr.pay-row")).to_have_count(len(members))
    _shoot(phone, "22-collection-day-paid")

    # Close the day: the cash counted is 10 baht short, so a note is needed.
    page.get_by_role("link", name="ปิดยอดวันนี้").click()
    expect(page.locator("#s-expected-cash")).to_have_text("550.00")
    field(page, "เงินสดที่นับได้ (บาท)").fill("540")
    page.get_by_role("button", name="ปิดยอด", exact=True).click()
    expect(page.locator("#field-note .errorlist")).to_contain_text("หมายเหตุ:")
    expect(page.locator("#close-diff")).to_contain_text("-10.00")
    _shoot(page, "23-collection-day-close-error")
    field(page, "หมายเหตุ").fill("ทอนเงินให้สมาชิกเลขที่ 5 เกิน 10 บาท")
    page.get_by_role("button", name="ปิดยอด", exact=True).click()
    page.wait_for_url(f"**/days/{day.pk}/")
    expect(page.locator("#closed-summary")).to_contain_text("ทอนเงินให้สมาชิกเลขที่ 5")
    expect(page.locator("input.amount")).to_have_count(0)
    _shoot(page, "24-collection-day-closed")
    phone.goto(f"{live_server.url}/days/{day.pk}/close/")
    _shoot(phone, "24-collection-day-closed")
    day.refresh_from_db()
    assert (day.expected_cash, day.counted_cash, day.difference) == (
        D("550"),
        D("540"),
        D("-10"),
    )
    assert verify_book(fund.book).ok

    # The receipt of the partial payment, on both screens.
    p = Payment.objects.get(membership=members[4])
    page.goto(f"{live_server.url}/payments/{p.pk}/")
    expect(page.locator("#amount-words")).to_contain_text("ยี่สิบบาทถ้วน")
    _shoot(page, "25-receipt")
    phone.goto(f"{live_server.url}/payments/{p.pk}/")
    _shoot(phone, "25-receipt")

    # Member 6 missed the day and pays at the office, six months ahead: the form shows what the
    # amount will cover before it is saved (the preview follows the typing).
    from chumchon.core.thai import format_be_date
    from chumchon.funds.selectors import add_months

    late = members[5]
    page.goto(f"{live_server.url}/members/{late.pk}/pay/")
    amount = field(page, "จำนวนเงินที่รับ (บาท)")
    expect(amount).to_have_value("50.00")
    expect(page.locator("#preview-due")).to_contain_text("50.00")
    with page.expect_response(lambda r: "fragment=preview" in r.url):
        amount.fill("200")
    through = add_months(late.joined_on, 6) - dt.timedelta(days=1)
    expect(page.locator("#preview-paid-through")).to_contain_text(format_be_date(through, "long"))
    _shoot(page, "26-payment-form")
    phone.goto(f"{live_server.url}/members/{late.pk}/pay/")
    _shoot(phone, "26-payment-form")
    page.get_by_role("button", name="บันทึกรับชำระ").click()
    page.wait_for_url("**/payments/*/")
    expect(page.locator("#period-covered")).to_contain_text(format_be_date(through))
    assert paid(5) == [D("200")]
    page.goto(f"{live_server.url}/funds/{fund.pk}/payments/")
    expect(page.locator("#payment-table tbody tr")).to_have_count(12)
    _shoot(page, "27-payment-list")
    phone.goto(f"{live_server.url}/funds/{fund.pk}/payments/")
    _shoot(phone, "27-payment-list")

    assert seen.js_errors == []
    assert seen.foreign_requests(live_server.url) == []
