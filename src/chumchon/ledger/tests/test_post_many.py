"""Batch posting: the same entries, numbers, chain and totals as one ``post`` at a time."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from chumchon.ledger import services as ledger
from chumchon.ledger.models import Account, JournalEntry, Posting
from chumchon.ledger.selectors import verify_book

from .test_ledger import DAY, acct, book, pay_in  # noqa: F401 (fixture)

D = Decimal


def spec(b: Any, amount: str, key: str | None = None, day: dt.date = DAY) -> ledger.EntrySpec:
    return ledger.EntrySpec(
        date=day,
        memo="รับเงินสมทบ",
        lines=[ledger.debit(acct(b, "1101"), D(amount)), ledger.credit(acct(b, "4101"), D(amount))],
        source_type="payment",
        source_id=key or "",
        idempotency_key=key,
    )


def test_batch_numbers_chain_and_totals_like_single_posts(book: Any) -> None:  # noqa: F811
    pay_in(book, "10.00")
    entries = ledger.post_many(
        book=book, items=[spec(book, str(30 + i), f"k{i}") for i in range(25)], chunk=7
    )
    assert [e.number for e in entries] == list(range(2, 27))
    stored = list(JournalEntry.objects.filter(book=book).order_by("number"))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(stored))
    total = D("10.00") + sum(D(30 + i) for i in range(25))
    assert acct(book, "1101").balance == total
    book.refresh_from_db()
    assert book.last_entry_no == 26 and book.last_hash == stored[-1].hash
    assert verify_book(book).ok
    pay_in(book, "5.00")  # single posting continues the chain
    assert verify_book(book).ok


def test_batch_is_idempotent_and_all_or_nothing(book: Any) -> None:  # noqa: F811
    first = ledger.post_many(book=book, items=[spec(book, "30", "a"), spec(book, "40", "b")])
    again = ledger.post_many(
        book=book, items=[spec(book, "30", "a"), spec(book, "40", "b"), spec(book, "50", "c")]
    )
    assert [e.pk for e in again[:2]] == [e.pk for e in first]
    assert JournalEntry.objects.count() == 3
    bad = ledger.EntrySpec(
        date=DAY,
        memo="x",
        lines=[ledger.debit(acct(book, "1101"), D("1")), ledger.credit(acct(book, "4101"), D("2"))],
    )
    with pytest.raises(ledger.LedgerError, match="ไม่สมดุล"):
        ledger.post_many(book=book, items=[spec(book, "60", "d"), bad])
    assert JournalEntry.objects.count() == 3 and Posting.objects.count() == 6
    assert acct(book, "1101").balance == D("120.00") and verify_book(book).ok


def test_batch_refuses_cash_going_negative_midway(book: Any) -> None:  # noqa: F811
    cash = acct(book, "1101")
    Account.objects.filter(pk=cash.pk).update(no_negative=True)
    pay_in(book, "100.00")
    out = ledger.EntrySpec(
        date=DAY,
        memo="จ่ายสวัสดิการ",
        lines=[
            ledger.debit(acct(book, "5102"), D("150")),
            ledger.credit(acct(book, "1101"), D("150")),
        ],
    )
    # Net of the batch is positive, but the payout comes first: refused, as post() would.
    with pytest.raises(ledger.LedgerError, match="ติดลบ"):
        ledger.post_many(book=book, items=[out, spec(book, "500", "z")])
    assert JournalEntry.objects.count() == 1 and acct(book, "1101").balance == D("100.00")


def test_batch_refuses_closed_period(book: Any, world: Any) -> None:  # noqa: F811
    ledger.period_close(
        book=book,
        start_date=dt.date(2025, 10, 1),
        end_date=dt.date(2025, 12, 31),
        actor=world.chair_a,
    )
    with pytest.raises(ledger.LedgerError, match="งวดบัญชีที่ปิด"):
        ledger.post_many(book=book, items=[spec(book, "30", "q")])
    assert not JournalEntry.objects.exists()


def test_monthly_cache_follows_single_and_batch_posts(book: Any) -> None:  # noqa: F811
    from chumchon.ledger.models import AccountMonth

    pay_in(book, "30.00", date=dt.date(2025, 10, 31))
    ledger.post_many(
        book=book,
        items=[
            spec(book, "40", "m1", dt.date(2025, 10, 2)),
            spec(book, "50", "m2", dt.date(2025, 11, 1)),
        ],
    )
    cash = acct(book, "1101")
    rows = {r.month: (r.debit, r.credit) for r in AccountMonth.objects.filter(account=cash)}
    assert rows == {
        dt.date(2025, 10, 1): (D("70.00"), D("0.00")),
        dt.date(2025, 11, 1): (D("50.00"), D("0.00")),
    }
    assert verify_book(book).ok
    # A cache that drifts is a fault ``ledger verify`` reports.
    AccountMonth.objects.filter(account=cash, month=dt.date(2025, 11, 1)).update(debit=D("1"))
    report = verify_book(book)
    assert not report.ok and any("ยอดรายเดือน" in f for f in report.faults)
