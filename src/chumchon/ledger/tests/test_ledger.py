"""The ledger's invariants, held by the service and, against direct SQL, by the database."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from chumchon.ledger import services as ledger
from chumchon.ledger.models import Account, JournalEntry, Posting
from chumchon.ledger.selectors import trial_balance, verify_book

D = Decimal
DAY = dt.date(2025, 11, 3)


@pytest.fixture
def book(world: Any) -> Any:
    b = ledger.book_create(org_unit=world.fund_a, name="สมุดทดสอบ")
    ledger.account_create(book=b, code="1101", name="เงินสด", kind="asset", is_cash=True)
    ledger.account_create(book=b, code="4101", name="เงินสมทบ", kind="income")
    ledger.account_create(book=b, code="5102", name="สวัสดิการเจ็บป่วย", kind="expense")
    return b


def acct(book: Any, code: str) -> Account:
    return Account.objects.get(book=book, code=code)


def pay_in(book: Any, amount: str = "30.00", **kw: Any) -> JournalEntry:
    return ledger.post(
        book=book,
        date=kw.pop("date", DAY),
        memo="รับเงินสมทบ",
        lines=[
            ledger.debit(acct(book, "1101"), D(amount)),
            ledger.credit(acct(book, "4101"), D(amount)),
        ],
        **kw,
    )


def test_post_numbers_chains_and_caches(book: Any) -> None:
    e1 = pay_in(book)
    e2 = pay_in(book, "90.50")
    assert (e1.number, e2.number) == (1, 2)
    assert e2.prev_hash == e1.hash and len(e2.hash) == 64
    cash = acct(book, "1101")
    assert cash.balance == D("120.50") and acct(book, "4101").balance == D("120.50")
    assert verify_book(book).ok
    rows = {r.account.code: r for r in trial_balance(book)}
    assert sum(r.debit for r in rows.values()) == sum(r.credit for r in rows.values())


def test_unbalanced_entry_refused_in_thai(book: Any) -> None:
    with pytest.raises(ledger.LedgerError, match="ไม่สมดุล"):
        ledger.post(
            book=book,
            date=DAY,
            memo="x",
            lines=[
                ledger.debit(acct(book, "1101"), D("30")),
                ledger.credit(acct(book, "4101"), D("29")),
            ],
        )
    assert not JournalEntry.objects.exists() and not Posting.objects.exists()


def test_fractions_of_a_satang_refused(book: Any) -> None:
    with pytest.raises(ledger.LedgerError, match="สตางค์"):
        pay_in(book, "30.005")


def test_cash_cannot_go_negative(book: Any) -> None:
    pay_in(book, "100")
    with pytest.raises(ledger.LedgerError, match="ติดลบ"):
        ledger.post(
            book=book,
            date=DAY,
            memo="จ่าย",
            lines=[
                ledger.debit(acct(book, "5102"), D("150")),
                ledger.credit(acct(book, "1101"), D("150")),
            ],
        )
    assert acct(book, "1101").balance == D("100")
    assert verify_book(book).ok


def test_idempotency_key_posts_once(book: Any) -> None:
    a = pay_in(book, idempotency_key="k1")
    b = pay_in(book, idempotency_key="k1")
    assert a.pk == b.pk and JournalEntry.objects.count() == 1
    assert acct(book, "1101").balance == D("30")


def test_reversal_mirrors_and_only_once(book: Any) -> None:
    e = pay_in(book)
    r = ledger.reverse(entry=e, reason="ออกใบเสร็จผิดคน", date=DAY)
    assert r.reverses_id == e.pk and "ออกใบเสร็จผิดคน" in r.memo
    assert acct(book, "1101").balance == 0
    with pytest.raises(ledger.LedgerError):
        ledger.reverse(entry=e, reason="อีกครั้ง")
    with pytest.raises(ledger.LedgerError):
        ledger.reverse(entry=r, reason="กลับของกลับ")
    assert verify_book(book).ok


def test_closed_period_refuses_posting_and_reopen_is_audited(book: Any, world: Any) -> None:
    period = ledger.period_close(
        book=book,
        start_date=dt.date(2025, 10, 1),
        end_date=dt.date(2025, 10, 31),
        actor=world.chair_a,
        reason="ปิดเดือนตุลาคม",
    )
    with pytest.raises(ledger.LedgerError, match="งวดบัญชีที่ปิด"):
        pay_in(book, date=dt.date(2025, 10, 15))
    pay_in(book, date=dt.date(2025, 11, 1))
    with pytest.raises(ledger.LedgerError):
        ledger.period_reopen(period=period, actor=world.chair_a, reason=" ")
    ledger.period_reopen(period=period, actor=world.chair_a, reason="บันทึกตกหล่น")
    pay_in(book, date=dt.date(2025, 10, 15))
    assert [e.action for e in period.events.all()] == ["close", "reopen"]


def test_sequences_are_gap_free_and_roll_back(book: Any) -> None:
    assert ledger.next_number(book=book, name="receipt", year=2569) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.next_number(book=book, name="receipt", year=2569)
        raise RuntimeError
    assert ledger.next_number(book=book, name="receipt", year=2569) == 2
    assert ledger.next_number(book=book, name="receipt", year=2570) == 1


# --- the database holds the invariants against direct SQL -----------------------------------


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params or [])


def _uuid(value: Any) -> Any:
    return value.hex if connection.vendor == "sqlite" else value


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_posting SET amount = 999",
        "DELETE FROM ledger_posting",
        "UPDATE ledger_journalentry SET memo = 'แก้ไข'",
        "DELETE FROM ledger_journalentry",
    ],
)
def test_triggers_refuse_update_and_delete(book: Any, sql: str) -> None:
    pay_in(book)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(sql)
    assert verify_book(book).ok


def _raw_entry(
    book: Any, lines: list[tuple[str, str, str]], amount: str, day: dt.date = DAY
) -> None:
    eid = uuid.uuid4()
    for i, (code, side, amt) in enumerate(lines, start=1):
        _sql_in = (
            "INSERT INTO ledger_posting (entry_id, account_id, side, amount, date, line) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        )
        with connection.cursor() as cur:
            cur.execute(_sql_in, [_uuid(eid), acct(book, code).pk, side, D(amt), day, i])
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_journalentry (id, book_id, number, date, memo, amount, source_type,"
            " source_id, idempotency_key, reverses_id, created_by_id, posted_at, prev_hash, hash)"
            " VALUES (%s, %s, 99, %s, 'raw', %s, '', '', NULL, NULL, NULL, %s, '', 'x')",
            [_uuid(eid), book.pk, day, D(amount), dt.datetime(2025, 11, 3, tzinfo=dt.UTC)],
        )


def test_trigger_refuses_unbalanced_entry_by_direct_sql(book: Any) -> None:
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        _raw_entry(book, [("1101", "D", "30"), ("4101", "C", "20")], "30")


def test_trigger_refuses_single_line_entry_by_direct_sql(book: Any) -> None:
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        _raw_entry(book, [("1101", "D", "30")], "30")


def test_trigger_accepts_balanced_direct_sql_then_verify_flags_chain(book: Any) -> None:
    with transaction.atomic():
        _raw_entry(book, [("1101", "D", "30"), ("4101", "C", "30")], "30")
    report = verify_book(book)
    assert not report.ok  # number 99 is a gap, hash 'x' is wrong, cached totals differ


def test_trigger_refuses_posting_added_to_written_entry(book: Any) -> None:
    e = pay_in(book)
    with pytest.raises(DatabaseError, match="already written"):
        _sql(
            "INSERT INTO ledger_posting (entry_id, account_id, side, amount, date, line) "
            "VALUES (%s, %s, 'D', 5, %s, 9)",
            [_uuid(e.pk), acct(book, "1101").pk, DAY],
        )


def test_trigger_refuses_entry_in_closed_period_by_direct_sql(book: Any, world: Any) -> None:
    ledger.period_close(
        book=book,
        start_date=dt.date(2025, 11, 1),
        end_date=dt.date(2025, 11, 30),
        actor=world.chair_a,
    )
    with pytest.raises(DatabaseError, match="closed period"), transaction.atomic():
        _raw_entry(book, [("1101", "D", "30"), ("4101", "C", "30")], "30")


def test_trigger_refuses_posting_to_another_books_account(book: Any, world: Any) -> None:
    other = ledger.book_create(org_unit=world.fund_b, name="อีกกองทุน")
    ledger.account_create(book=other, code="1101", name="เงินสด", kind="asset", is_cash=True)
    eid = uuid.uuid4()
    with (
        pytest.raises(DatabaseError, match="does not match"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        for i, acc in enumerate(
            [Account.objects.get(book=other, code="1101"), acct(book, "4101")], start=1
        ):
            cur.execute(
                "INSERT INTO ledger_posting (entry_id, account_id, side, amount, date, line) "
                "VALUES (%s, %s, %s, 30, %s, %s)",
                [_uuid(eid), acc.pk, "D" if i == 1 else "C", DAY, i],
            )
        cur.execute(
            "INSERT INTO ledger_journalentry (id, book_id, number, date, memo, amount,"
            " source_type, source_id, posted_at, prev_hash, hash)"
            " VALUES (%s, %s, 1, %s, 'x', 30, '', '', %s, '', 'x')",
            [_uuid(eid), book.pk, DAY, dt.datetime(2025, 11, 3, tzinfo=dt.UTC)],
        )


def test_check_constraint_refuses_negative_posting_amount(book: Any) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_entry(book, [("1101", "D", "-30"), ("4101", "C", "-30")], "-30")


def test_verify_command_detects_tampered_cache(book: Any, capsys: Any) -> None:
    pay_in(book)
    call_command("ledger", "verify")
    Account.objects.filter(book=book, code="1101").update(debit_total=D("999"))
    with pytest.raises(CommandError, match="fault"):
        call_command("ledger", "verify", "--fund", str(book.org_unit_id))
    assert "1101" in capsys.readouterr().out
