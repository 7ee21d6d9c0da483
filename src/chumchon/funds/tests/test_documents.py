"""Receipt data, the public check of a receipt, and the passbook's pages with balances carried
forward (ยอดยกมา / ยอดยกไป), printed after the last printed line."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chumchon.funds import documents as docs
from chumchon.funds import services as fs
from chumchon.funds.models import Membership, PassbookPrint, Payment
from chumchon.funds.selectors import add_months

D = Decimal


def pay(world: Any, m: Membership, day: dt.date, amount: str, **kw: Any) -> Payment:
    return fs.payment_record(actor=world.chair_a, membership=m, date=day, amount=amount, **kw)


def monthly(world: Any, m: Membership, start: dt.date, n: int) -> list[Payment]:
    """``n`` monthly payments from ``start``; the first also pays the entry fee (20)."""
    out = [pay(world, m, start, "50")]
    for i in range(1, n):
        out.append(pay(world, m, add_months(start, i), "30"))
    return out


# --- receipts ---------------------------------------------------------------------------------


def test_receipt_data_holds_fund_member_period_words_and_items(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1), title="นาง", last_name="ทองดี")
    p = pay(world, m, dt.date(2025, 1, 5), "50")
    r = docs.receipt_data(p)
    assert r.fund_name == world.fund_a.name
    assert r.fund_address == "ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น"
    assert r.receipt_no == "2568/00001"
    assert (r.member_name, r.member_no, r.group_name) == (
        m.person.full_name,
        m.member_no,
        world.group_a1.name,
    )
    assert r.amount == D("50") and r.amount_words == "ห้าสิบบาทถ้วน"
    assert [(i.label, i.amount) for i in r.items] == [
        ("เงินสมทบ งวด 1 มกราคม พ.ศ. 2568 ถึง 31 มกราคม พ.ศ. 2568", D("30")),
        ("ค่าสมัครสมาชิก", D("20")),
    ]
    assert (r.covers_from, r.covers_to) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert r.method == "เงินสด" and r.collector == "สมศักดิ์ ใจดี"
    assert not r.voided and not r.copy


def test_receipt_of_a_partial_payment_says_it_is_credit_for_the_next_period(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    p = pay(world, m, dt.date(2025, 2, 1), "10")
    r = docs.receipt_data(p)
    assert r.covers_to is None
    assert [i.label for i in r.items] == ["เงินสมทบ (ยังไม่ครบงวด สะสมไว้สำหรับงวดถัดไป)"]
    assert r.amount_words == "สิบบาทถ้วน"


def test_voided_receipt_data_has_reason_and_date(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    p = pay(world, m, dt.date(2025, 1, 5), "50")
    fs.payment_void(actor=world.chair_a, payment=p, reason="บันทึกซ้ำ", date=dt.date(2025, 1, 6))
    r = docs.receipt_data(p)
    assert r.voided and r.void_reason == "บันทึกซ้ำ" and r.void_date == dt.date(2025, 1, 6)


def test_first_print_by_a_collector_is_the_original_and_every_later_print_a_copy(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    p = pay(world, m, dt.date(2025, 1, 5), "50")
    # The province coordinator may read the books but not take money: always a copy.
    assert docs.receipt_print_record(actor=world.coordinator, payment=p, size="a5") is True
    assert docs.receipt_print_record(actor=world.chair_a, payment=p, size="a5") is False
    assert docs.receipt_print_record(actor=world.chair_a, payment=p, size="slip") is True
    assert docs.receipt_print_record(actor=world.registrar_a, payment=p, size="a5") is True
    assert [(x.copy, x.size) for x in p.prints.order_by("pk")] == [
        (True, "a5"),
        (False, "a5"),
        (True, "slip"),
        (True, "a5"),
    ]


def test_verification_shows_no_personal_data(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    p = pay(world, m, dt.date(2025, 1, 5), "50")
    v = docs.verification_for(p.verify_token)
    assert v is not None
    assert (v.fund_name, v.receipt_no, v.date, v.amount, v.voided) == (
        world.fund_a.name,
        "2568/00001",
        dt.date(2025, 1, 5),
        D("50"),
        False,
    )
    names = {f.name for f in dataclasses.fields(v)}
    assert not names & {"member_name", "member_no", "person", "national_id", "group_name"}
    values = " ".join(str(getattr(v, n)) for n in names)
    assert m.person.first_name not in values and m.person.last_name not in values
    fs.payment_void(actor=world.chair_a, payment=p, reason="ผิดคน", date=dt.date(2025, 1, 7))
    v = docs.verification_for(p.verify_token)
    assert v is not None and v.voided and v.void_date == dt.date(2025, 1, 7)


@pytest.mark.parametrize("token", ["", "   ", "nope", "x" * 65])
def test_verification_of_an_unknown_token_is_none(world: Any, token: str) -> None:
    assert docs.verification_for(token) is None


# --- passbook: the worked example -------------------------------------------------------------


def test_passbook_worked_example_25_lines_20_per_page(world: Any, member_factory: Any) -> None:
    """25 monthly payments, 20 rows a page: page 1 holds lines 1-19 and ยอดยกไป on row 20;
    page 2 opens with ยอดยกมา equal to it, then lines 20-25 on rows 2-7."""
    m = member_factory(joined=dt.date(2023, 1, 1))
    monthly(world, m, dt.date(2023, 1, 1), 25)
    book = docs.passbook_for(m, per_page=20)
    assert book.total == 25 and book.balance == D("750.00")  # 25 × 30, entry fee excluded
    first = book.lines[0]
    assert (first.amount, first.contribution, first.balance) == (D("50"), D("30"), D("30"))
    assert first.description == "ค่าสมัคร 20.00 + เงินสมทบ 30.00 ถึง 31 ม.ค. 2566"
    assert book.lines[1].description == "เงินสมทบถึง 28 ก.พ. 2566"

    page1, page2 = book.rows_on(1), book.rows_on(2)
    assert book.pages == [1, 2]
    assert [r.row for r in page1] == list(range(1, 21))
    assert [r.kind for r in page1[:19]] == [docs.LINE] * 19
    assert [r.line.seq for r in page1[:19] if r.line] == list(range(1, 20))
    carried = page1[19]
    assert (carried.kind, carried.row, carried.anchor) == (docs.CARRIED_FORWARD, 20, 19)
    assert carried.balance == D("570.00") == book.lines[18].balance
    brought = page2[0]
    assert (brought.kind, brought.row, brought.anchor) == (docs.BROUGHT_FORWARD, 1, 20)
    assert brought.balance == carried.balance
    assert [(r.row, r.line.seq) for r in page2[1:] if r.line] == [(i, i + 18) for i in range(2, 8)]
    assert page2[-1].balance == D("750.00")

    # Nothing printed yet: the job is every row of both pages.
    job = docs.passbook_job(book)
    assert job is not None
    assert (job.first_line, job.last_line, job.pages) == (1, 25, [1, 2])
    assert job.starts_page(1) and job.starts_page(2)
    assert len(job.rows) == 27


def test_printing_again_prints_only_new_lines_after_the_last_printed_one(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2023, 1, 1))
    payments = monthly(world, m, dt.date(2023, 1, 1), 25)
    book = docs.passbook_for(m)
    assert book.per_page == docs.PASSBOOK_LINES_PER_PAGE == 20
    done = docs.passbook_mark_printed(actor=world.chair_a, membership=m, upto=25)
    assert done is not None and (done.first_line, done.last_line) == (1, 25)
    assert docs.passbook_job(docs.passbook_for(m)) is None

    # Two more payments and a void of an old receipt: three new lines, after row 7 of page 2.
    pay(world, m, dt.date(2025, 2, 1), "30")
    pay(world, m, dt.date(2025, 3, 1), "30")
    fs.payment_void(
        actor=world.chair_a, payment=payments[2], reason="รับซ้ำ", date=dt.date(2025, 3, 2)
    )
    book = docs.passbook_for(m)
    assert (book.total, book.printed, book.unprinted) == (28, 25, 3)
    last = book.last_printed_row
    assert last is not None and (last.page, last.row) == (2, 7)
    job = docs.passbook_job(book)
    assert job is not None
    assert (job.first_line, job.last_line, job.pages) == (26, 28, [2])
    assert [(r.page, r.row, r.kind) for r in job.rows] == [
        (2, 8, docs.LINE),
        (2, 9, docs.LINE),
        (2, 10, docs.LINE),
    ]
    assert not job.starts_page(2)
    # Rows 1-7 stay blank in the print so the new lines land on rows 8-10 of the paper page.
    slots = job.page_rows(2)
    assert len(slots) == 20 and slots[:7] == [None] * 7 and slots[10:] == [None] * 10

    # The void is a reversal line: the old receipt, a negative amount, the balance back down.
    reversal = book.lines[-1]
    assert reversal.reversal and reversal.receipt_no == payments[2].receipt_label
    assert reversal.date == dt.date(2025, 3, 2)
    assert (reversal.amount, reversal.contribution) == (D("-30"), D("-30"))
    assert reversal.balance == D("780.00") == book.lines[-2].balance - 30
    assert reversal.description == "ยกเลิกใบเสร็จ 2566/00003: รับซ้ำ"
    # ... and the voided payment's own line is still there, unchanged.
    assert book.lines[2].receipt_no == payments[2].receipt_label and not book.lines[2].reversal


def test_carried_balance_crosses_several_pages(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2022, 1, 1))
    monthly(world, m, dt.date(2022, 1, 1), 19 + 18 + 2)  # page 1 full, page 2 full, 2 on page 3
    book = docs.passbook_for(m)
    assert book.pages == [1, 2, 3]
    p2, p3 = book.rows_on(2), book.rows_on(3)
    assert p2[-1].kind == docs.CARRIED_FORWARD and p2[-1].anchor == 37
    assert p3[0].kind == docs.BROUGHT_FORWARD and p3[0].balance == p2[-1].balance
    assert p3[0].balance == D(37 * 30)
    assert [r.row for r in p3] == [1, 2, 3]


def test_a_print_stopping_at_a_full_page_carries_forward_in_the_same_print(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2023, 1, 1))
    monthly(world, m, dt.date(2023, 1, 1), 21)
    book = docs.passbook_for(m)
    job = docs.passbook_job(book, upto=19)
    assert job is not None and job.pages == [1]
    assert job.rows[-1].kind == docs.CARRIED_FORWARD  # ยอดยกไป goes with line 19
    docs.passbook_mark_printed(actor=world.chair_a, membership=m, upto=19)
    job = docs.passbook_job(docs.passbook_for(m))
    assert job is not None and job.pages == [2] and job.starts_page(2)
    assert [(r.row, r.kind) for r in job.rows] == [
        (1, docs.BROUGHT_FORWARD),
        (2, docs.LINE),
        (3, docs.LINE),
    ]


def test_reprint_of_a_page_gives_its_printed_rows_only(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2023, 1, 1))
    monthly(world, m, dt.date(2023, 1, 1), 22)
    assert docs.passbook_reprint(docs.passbook_for(m), 1) is None  # never printed
    docs.passbook_mark_printed(actor=world.chair_a, membership=m, upto=21)
    book = docs.passbook_for(m)
    page1 = docs.passbook_reprint(book, 1)
    assert page1 is not None and len(page1.rows) == 20 and page1.reprint_page == 1
    page2 = docs.passbook_reprint(book, 2)
    assert page2 is not None
    assert [(r.row, r.anchor) for r in page2.rows] == [(1, 20), (2, 20), (3, 21)]  # not line 22
    assert docs.passbook_reprint(book, 3) is None


def test_mark_printed_is_idempotent_checked_and_needs_the_collect_permission(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    monthly(world, m, dt.date(2025, 1, 1), 3)
    with pytest.raises(ValidationError, match="มีเพียง 3 รายการ"):
        docs.passbook_mark_printed(actor=world.chair_a, membership=m, upto=4)
    with pytest.raises(PermissionDenied):
        docs.passbook_mark_printed(actor=world.coordinator, membership=m, upto=3)
    assert docs.passbook_mark_printed(actor=world.chair_a, membership=m, upto=2) is not None
    assert docs.passbook_mark_printed(actor=world.chair_a, membership=m, upto=2) is None
    later = docs.passbook_mark_printed(actor=world.registrar_a, membership=m, upto=3)
    assert later is not None and (later.first_line, later.last_line) == (3, 3)
    assert list(PassbookPrint.objects.filter(membership=m).values_list("first_line", "last_line"))
    assert docs.passbook_for(m).printed == 3


def test_passbook_of_a_member_without_payments_is_empty(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    book = docs.passbook_for(m)
    assert (book.total, book.balance, book.pages, book.rows) == (0, D("0"), [], [])
    assert docs.passbook_job(book) is None


def test_layout_refuses_a_page_too_small_for_its_carry_rows() -> None:
    with pytest.raises(ValueError):
        docs.passbook_layout([], 3)


def test_passbook_shows_the_refund_paid_on_resignation(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 1, 1), amount="50")
    fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 2, 1), amount="30")
    fs.member_resign(
        actor=world.chair_a, membership=m, date=dt.date(2025, 3, 1), reason="ย้ายไปอยู่ต่างจังหวัด"
    )
    lines = docs.passbook_lines(m)
    assert [ln.amount for ln in lines] == [D("50.00"), D("30.00"), D("-30.00")]
    last = lines[-1]
    assert last.description == "จ่ายคืนเมื่อลาออก ร้อยละ 50 ของเงินสมทบ"
    assert last.balance == D("60.00") and last.contribution == 0  # contributions paid stay
    assert docs.passbook_for(m).total == 3
