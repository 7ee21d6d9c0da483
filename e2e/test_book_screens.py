"""The book screens in real Chromium on a 360 px phone and a 1280 px desktop: the worked example
of ``web/tests/test_book_screens.py`` seen by fund A's treasurer. Nothing may scroll sideways;
the PNGs go to e2e/screenshots/ for a person to look at (also one page as printed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from chumchon.ledger.models import Period
from chumchon.web.tests.test_book_screens import Books
from e2e.conftest import DESKTOP, E2E_DB, PHONE, SCREENSHOT_DIR, Seen, field, login
from e2e.test_screens import _check_and_shoot

pytestmark = [pytest.mark.e2e, E2E_DB]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_book_screens(
    page: Page, live_server: Any, world: Any, person_factory: Any, seen: Seen
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    books = Books(world, person_factory)
    books.worked_example()
    for i, group in enumerate([world.group_a1, world.group_a1, world.group_a2]):
        m = books.member(dt.date(2023, 10, 1), group=group, plan="รายปี")
        books.pay(m, dt.date(2023, 10, 1 + i), "385")
        books.pay(m, dt.date(2024, 10, 1), "365")
    fund = books.fund
    base = f"{live_server.url}/funds/{fund.pk}"
    login(page, live_server, "treasurer_a")

    page.goto(f"{base}/books/cash/?start=01/10/2567&end=30/09/2568")
    expect(page.locator("#closing td").last).to_have_text("6,530.00")
    _check_and_shoot(page, seen, live_server, "books-01-cash-book")
    page.emulate_media(media="print")
    expect(page.locator(".books-filter")).to_be_hidden()
    _check_and_shoot(page, seen, live_server, "books-01b-cash-book-print")
    page.emulate_media(media="screen")

    cash = fund.account("cash")
    page.goto(f"{base}/books/ledger/?start=01/02/2568&end=30/09/2568&account={cash.pk}")
    expect(page.locator(".ledger-account .opening")).to_have_text("2,360.00")
    _check_and_shoot(page, seen, live_server, "books-02-general-ledger")

    page.goto(f"{base}/books/trial-balance/?as_of=30/09/2568&hide_zero=on")
    expect(page.locator("#trial-check")).to_contain_text("สมดุล")
    expect(page.locator("#tb-debit")).to_have_text("6,530.00")
    _check_and_shoot(page, seen, live_server, "books-03-trial-balance")

    page.goto(f"{base}/entries/{books.voided.entry.number}/")
    expect(page.locator("#reversed-by")).to_be_visible()
    _check_and_shoot(page, seen, live_server, "books-04-entry")

    page.goto(f"{base}/periods/")
    period = Period.objects.get(book=fund.book, start_date=dt.date(2024, 10, 1))
    row = page.locator(f"#period-{period.pk}")
    row.get_by_text("ปิดงวด…").click()
    row.get_by_label("เหตุผล").fill("ตรวจยอดปี 2568 แล้ว")
    row.get_by_role("button", name="ปิดงวด").click()
    expect(page.locator(".messages")).to_contain_text("ปิดงวด")
    expect(page.locator(f"#period-{period.pk}")).to_contain_text("ปิดแล้ว")
    _check_and_shoot(page, seen, live_server, "books-05-periods")

    page.goto(f"{base}/books/verify/")
    expect(page.locator("#verify-result")).to_contain_text("ถูกต้องครบถ้วน")
    _check_and_shoot(page, seen, live_server, "books-06-verify")

    page.goto(f"{base}/matching/receipts/new/")
    field(page, "แหล่งเงิน").select_option(label="รัฐบาลผ่าน พอช. (สมทบรายรอบ)")
    field(page, "วันที่รับเงิน").fill("01/06/2568")
    field(page, "จำนวนเงิน (บาท)").fill("2,000")
    page.get_by_role("button", name="บันทึกรับเงิน").click()
    expect(page.locator("#field-round_no .errorlist")).to_be_visible()
    _check_and_shoot(page, seen, live_server, "books-07-receipt-form-error")

    page.goto(f"{base}/matching/pledges/new/")
    field(page, "แหล่งเงิน").select_option(label="รัฐบาลผ่าน พอช. (สมทบรายรอบ)")
    field(page, "ปีงบประมาณ (พ.ศ.)").fill("2568")
    field(page, "รอบที่").fill("1")
    field(page, "จำนวนเงินที่สัญญา (บาท)").fill("5,000")
    page.get_by_role("button", name="บันทึก").click()
    expect(page.locator("#matching-total")).to_contain_text("2,000.00")
    _check_and_shoot(page, seen, live_server, "books-08-matching")

    page.goto(f"{base}/matching/2568/eligible/")
    expect(page.locator("#eligible-count li").first).to_contain_text("3 คน")
    _check_and_shoot(page, seen, live_server, "books-09-eligible")

    assert seen.foreign_requests(live_server.url) == []
    assert seen.js_errors == []
