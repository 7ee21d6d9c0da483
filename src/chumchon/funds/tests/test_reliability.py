"""Reliability of the fund books under the things that go wrong in real use.

- Two tellers posting at once (PostgreSQL only: SQLite serialises writers with one database
  lock, ``BEGIN IMMEDIATE``, so tellers there never overlap): receipt numbers per fiscal year and
  journal entry numbers stay unique and gap-free, balances add up, ``verify_book`` passes; the
  same idempotency key sent by two tellers at the same moment posts once.
- A process killed in the middle of an import batch (``services.payments_import``, all or
  nothing) leaves nothing of the batch behind, and the numbering carries on without a gap.
  Both databases: on PostgreSQL the child process writes into pytest's test database; on SQLite
  it uses a file database of its own (pytest-django's SQLite test database lives in memory, out
  of another process's reach), migrated and filled by a child process too.
- Direct SQL against the ledger: the cases ``ledger/tests/test_ledger.py`` does not already
  cover (tampering with each column, deleting one row by id, an entry whose amount differs from
  its balanced postings, a posting dated off its entry, a refused statement inside a batch).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction

from chumchon.funds import services as fs
from chumchon.funds.models import Payment
from chumchon.ledger import services as ledger
from chumchon.ledger.models import Account, JournalEntry, Posting, Sequence
from chumchon.ledger.selectors import verify_book

D = Decimal
ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
PG_ONLY = pytest.mark.skipif(
    ON_SQLITE,
    reason="SQLite serialises writers (BEGIN IMMEDIATE): tellers cannot overlap there; "
    "the suite's PostgreSQL run (always in CI) covers this",
)


def _threads(work: list[Callable[[], Any]]) -> list[Any]:
    """Run the callables at the same moment, each in its own thread and DB connection;
    return each one's result or the exception it raised."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int) -> None:
        try:
            connection.ensure_connection()  # connect first: start the work itself together
            barrier.wait(timeout=30)
            results[i] = work[i]()
        except Exception as exc:  # reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a teller thread hung (deadlock?)"
    return results


def _gap_free(numbers: list[int]) -> bool:
    return sorted(numbers) == list(range(1, len(numbers) + 1))


# --- two tellers at once ------------------------------------------------------------------------


@PG_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tellers_posting_at_once(world: Any, fund: Any, member_factory: Any) -> None:
    """Numbers stay unique and gap-free, balances right; one idempotency key posts once.
    (One test for both: each transactional test on PostgreSQL reloads the area data.)"""
    # Members of two village groups, one teller each; payments straddle 1 October, so both
    # fiscal years' receipt sequences are created and taken under contention.
    group_a = [member_factory(joined=dt.date(2025, 9, 1)) for _ in range(6)]
    group_b = [member_factory(joined=dt.date(2025, 9, 1), group=world.group_a2) for _ in range(6)]
    days = [dt.date(2025, 9, 20), dt.date(2025, 9, 30), dt.date(2025, 10, 1), dt.date(2025, 10, 5)]

    def teller(actor: Any, members: list[Any]) -> Callable[[], int]:
        def work() -> int:
            n = 0
            for day in days:
                for m in members:
                    fs.payment_record(actor=actor, membership=m, date=day, amount="50")
                    n += 1
            return n

        return work

    results = _threads([teller(world.chair_a, group_a), teller(world.registrar_a, group_b)])
    assert results == [24, 24], results
    _assert_books(fund, payments=48, total=D("2400.00"), fees=D("240.00"))  # fee once each

    # The same idempotency key sent by both tellers at the same moment (a double submit
    # reaching two workers): one payment, one entry, one receipt number.
    members = [member_factory(joined=dt.date(2025, 9, 1)) for _ in range(5)]
    for i, m in enumerate(members):
        key = f"double-{i}"

        def send(actor: Any, m: Any = m, key: str = key) -> Any:
            return fs.payment_record(
                actor=actor,
                membership=m,
                date=dt.date(2025, 9, 10),
                amount="50",
                idempotency_key=key,
            )

        results = _threads([partial(send, world.chair_a), partial(send, world.registrar_a)])
        saved = Payment.objects.get(fund=fund, idempotency_key=key)
        for r in results:
            # The other teller gets the first payment back, or is told it was already recorded.
            if isinstance(r, Exception):
                assert isinstance(r, ValidationError) and "บันทึกไปแล้ว" in str(r), repr(r)
            else:
                assert r.pk == saved.pk
    _assert_books(fund, payments=53, total=D("2650.00"), fees=D("340.00"))


def _assert_books(fund: Any, *, payments: int, total: Decimal, fees: Decimal) -> None:
    rows = list(Payment.objects.filter(fund=fund))
    assert len(rows) == payments
    by_year: dict[int, list[int]] = defaultdict(list)
    for p in rows:
        by_year[p.fiscal_year].append(p.receipt_no)
    assert set(by_year) == {2568, 2569}
    assert all(_gap_free(numbers) for numbers in by_year.values()), by_year
    entries = list(JournalEntry.objects.filter(book=fund.book).values_list("number", flat=True))
    assert len(entries) == payments and _gap_free(entries)
    assert len({p.entry_id for p in rows}) == payments
    # Balances: the cached totals and the postings agree with the payments.
    assert sum((p.amount for p in rows), D(0)) == total
    assert sum((p.entry_fee for p in rows), D(0)) == fees
    assert fund.account("cash").balance == total
    assert fund.account("income.members").balance == total - fees
    assert fund.account("income.entry_fees").balance == fees
    report = verify_book(fund.book)
    assert report.ok, report.faults
    assert report.entries == payments


# --- a process killed in the middle of a batch -----------------------------------------------------

CHILD = textwrap.dedent(
    '''
    """Child process of test_reliability: set up a fund, run an import batch, or report."""
    import datetime as dt
    import json
    import os
    import sys
    import time
    from decimal import Decimal
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chumchon.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from chumchon.funds import services as fs
    from chumchon.funds.models import Fund, Membership, Payment
    from chumchon.ledger import services as ledger
    from chumchon.ledger.models import JournalEntry, Sequence
    from chumchon.ledger.selectors import verify_book

    DAY = dt.date(2025, 1, 20)


    def setup():
        from django.core.management import call_command

        from chumchon.areas.models import OrgUnitKind, Subdistrict
        from chumchon.areas.services import org_unit_create, role_assign, village_create
        from chumchon.core.permissions import Role
        from chumchon.people.services import person_create

        call_command("migrate", verbosity=0)
        sub = Subdistrict.objects.get(code="400101")
        network = org_unit_create(name="เครือข่ายทดสอบ", kind=OrgUnitKind.PROVINCE_NETWORK)
        unit = org_unit_create(
            name="กองทุนทดสอบ", kind=OrgUnitKind.FUND, parent=network, subdistrict=sub
        )
        village = village_create(subdistrict=sub, number=1, name="ทดสอบ")
        group = org_unit_create(
            name="กลุ่มหมู่ 1", kind=OrgUnitKind.VILLAGE_GROUP, parent=unit, village=village
        )
        user = get_user_model().objects.create_user(username="teller", password="x-1234-yz")
        role_assign(user=user, org_unit=unit, role=Role.TREASURER, start_date=dt.date(2024, 1, 1))
        fund = fs.fund_create(
            actor=user,
            org_unit=unit,
            entry_fee=Decimal("20"),
            plans=[("รายเดือน", 1, Decimal("30"))],
            member_approver_role=Role.TREASURER,
        )
        plan = fund.plans.get()
        for i in range(8):
            p = person_create(
                actor=user, org_unit=group, title="นาย", first_name=f"สมาชิก{i}", last_name="ทดสอบ"
            )
            m = fs.member_apply(
                actor=user, fund=fund, person=p, org_unit=group, plan=plan,
                applied_on=dt.date(2025, 1, 1),
            )
            fs.member_approve(actor=user, membership=m, joined_on=dt.date(2025, 1, 1))
            fs.payment_record(actor=user, membership=m, date=dt.date(2025, 1, 5), amount="50")
        print(json.dumps({"fund": fund.pk, "user": user.pk}))


    def batch(fund_id, user_id, marker, after):
        """One import batch of 80 payments posted in chunks of 25; once ``after`` journal entries
        are written (inside the batch's transaction) say so in ``marker`` and wait to be killed."""
        fund = Fund.objects.get(pk=fund_id)
        user = get_user_model().objects.get(pk=user_id)
        members = list(
            Membership.objects.filter(fund=fund, state="approved")
            .select_related("person", "plan")
            .order_by("member_no")
        )
        real_post = ledger.post_many
        posted = []

        def post_many(**kw):
            entries = real_post(**kw)
            posted.extend(e.number for e in entries)
            if len(posted) >= after:
                Path(marker).write_text(json.dumps(posted))
                time.sleep(120)  # killed here, in the middle of the batch
            return entries

        ledger.post_many = post_many
        items = [
            fs.ImportedPayment(
                membership=members[i % len(members)],
                date=DAY + dt.timedelta(days=i // len(members)),
                amount=Decimal("30"),
                idempotency_key=f"batch-{i}",
                note="batch",
            )
            for i in range(80)
        ]
        fs.payments_import(actor=user, fund=fund, items=items, batch_size=25)
        Path(marker + ".finished").write_text("the batch ran to its end")


    def report(fund_id, user_id):
        fund = Fund.objects.get(pk=fund_id)
        user = get_user_model().objects.get(pk=user_id)
        rep = verify_book(fund.book)
        out = {
            "batch": Payment.objects.filter(fund=fund, note="batch").count(),
            "payments": Payment.objects.filter(fund=fund).count(),
            "entries": JournalEntry.objects.filter(book=fund.book).count(),
            "receipt_last": Sequence.objects.get(book=fund.book, name="receipt", year=2568).last,
            "ok": rep.ok,
            "faults": rep.faults,
        }
        m = Membership.objects.filter(fund=fund).order_by("member_no").first()
        p = fs.payment_record(actor=user, membership=m, date=DAY, amount="30")
        out["next_receipt"] = p.receipt_no
        out["next_entry"] = p.entry.number
        out["ok_after"] = verify_book(fund.book).ok
        print(json.dumps(out))


    mode = sys.argv[1]
    if mode == "setup":
        setup()
    elif mode == "batch":
        batch(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    else:
        report(int(sys.argv[2]), int(sys.argv[3]))
    '''
)


def _child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        CHUMCHON_TESTING="1",
        PYTHAINLP_OFFLINE="1",
        PYTHAINLP_READ_ONLY="1",
        DJANGO_SETTINGS_MODULE="chumchon.settings",
    )
    return env


def _run_child(script: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def _kill_midway(script: Path, env: dict[str, str], fund_id: int, user_id: int, tmp: Path) -> None:
    """Start the batch, wait until it has written part of itself, SIGKILL it."""
    marker = tmp / "marker.json"
    child = subprocess.Popen(
        [sys.executable, str(script), "batch", str(fund_id), str(user_id), str(marker), "25"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            if child.poll() is not None:
                err = child.stderr.read() if child.stderr else ""
                raise AssertionError(f"the batch ended before the kill: {err[-3000:]}")
            assert time.monotonic() < deadline, "the batch never reached its middle"
            time.sleep(0.05)
        posted = json.loads(marker.read_text())
        assert len(posted) == 25  # 25 journal entries written inside the open transaction
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert not (tmp / "marker.json.finished").exists()


@pytest.mark.skipif(not ON_SQLITE, reason="the SQLite variant; the PostgreSQL one runs on PG")
def test_killed_import_batch_leaves_nothing_on_sqlite(tmp_path: Path) -> None:
    """SQLite: a file database (WAL) of its own, set up, half-written and killed by children."""
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = _child_env(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    ids = _run_child(script, env, "setup")
    before = _run_child(script, env, "report", str(ids["fund"]), str(ids["user"]))
    assert before["ok"] and before["batch"] == 0
    _kill_midway(script, env, ids["fund"], ids["user"], tmp_path)
    after = _run_child(script, env, "report", str(ids["fund"]), str(ids["user"]))
    assert after["batch"] == 0
    assert after["payments"] == before["payments"] + 1  # the report's own payment only
    assert after["entries"] == before["entries"] + 1
    assert after["ok"] and after["ok_after"], after["faults"]
    assert after["receipt_last"] == before["next_receipt"]  # nothing of the batch was kept
    assert after["next_receipt"] == before["next_receipt"] + 1
    assert after["next_entry"] == before["next_entry"] + 1


@PG_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_import_batch_leaves_nothing_on_postgresql(
    world: Any, fund: Any, member_factory: Any, tmp_path: Path
) -> None:
    """PostgreSQL: the child writes into pytest's test database, where the set-up is committed."""
    for _ in range(8):
        m = member_factory(joined=dt.date(2025, 1, 1))
        fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 1, 5), amount="50")
    s = connection.settings_dict
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{host}/{s['NAME']}"
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = _child_env(url)
    entries = JournalEntry.objects.filter(book=fund.book).count()
    seq = Sequence.objects.get(book=fund.book, name="receipt", year=2568)
    _kill_midway(script, env, fund.pk, world.chair_a.pk, tmp_path)

    assert not Payment.objects.filter(fund=fund, note="batch").exists()
    assert JournalEntry.objects.filter(book=fund.book).count() == entries
    assert Sequence.objects.get(pk=seq.pk).last == seq.last == 8
    report = verify_book(fund.book)
    assert report.ok, report.faults
    m = member_factory(joined=dt.date(2025, 1, 1))
    p = fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 1, 20), amount="50")
    assert (p.receipt_no, p.entry.number) == (9, entries + 1)
    assert verify_book(fund.book).ok


# --- direct SQL: the cases test_ledger.py does not already cover -------------------------------


@pytest.fixture
def paid(world: Any, fund: Any, member_factory: Any) -> Any:
    """Fund A's book with two payments (a member's first, with the entry fee, and a second)."""
    m = member_factory(joined=dt.date(2025, 1, 1))
    fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 1, 5), amount="50")
    return fs.payment_record(
        actor=world.chair_a, membership=m, date=dt.date(2025, 2, 5), amount="30"
    )


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params or [])


def _id(value: Any) -> Any:
    return value.hex if connection.vendor == "sqlite" else value


@pytest.mark.django_db
@pytest.mark.parametrize(
    "assignment",
    [
        "amount = amount + 1",
        "number = number + 100",
        "date = '2025-03-01'",
        "hash = 'x'",
        "prev_hash = ''",
        "source_id = 'other'",
        "idempotency_key = 'k'",
    ],
)
def test_no_column_of_an_entry_can_be_changed(paid: Any, assignment: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"UPDATE ledger_journalentry SET {assignment} WHERE id = %s", [_id(paid.entry_id)])
    assert verify_book(paid.fund.book).ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    "assignment",
    ["amount = amount + 1", "side = 'C'", "date = '2025-03-01'", "line = line + 10"],
)
def test_no_column_of_a_posting_can_be_changed(paid: Any, assignment: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"UPDATE ledger_posting SET {assignment} WHERE entry_id = %s", [_id(paid.entry_id)])
    assert verify_book(paid.fund.book).ok


@pytest.mark.django_db
def test_a_posting_cannot_move_to_another_account_or_entry(paid: Any) -> None:
    fund = paid.fund
    bank = fund.account("bank")
    first = JournalEntry.objects.filter(book=fund.book, number=1).get()
    line = Posting.objects.filter(entry_id=paid.entry_id, line=1).get()
    for assignment, value in (("account_id", bank.pk), ("entry_id", _id(first.pk))):
        with pytest.raises(DatabaseError, match="append-only"):
            _sql(f"UPDATE ledger_posting SET {assignment} = %s WHERE id = %s", [value, line.pk])
    assert fund.account("cash").balance == D("80.00")
    assert verify_book(fund.book).ok


@pytest.mark.django_db
def test_deleting_one_entry_or_one_posting_by_id_is_refused(paid: Any) -> None:
    line = Posting.objects.filter(entry_id=paid.entry_id).first()
    assert line is not None
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM ledger_posting WHERE id = %s", [line.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM ledger_journalentry WHERE id = %s", [_id(paid.entry_id)])
    assert JournalEntry.objects.filter(pk=paid.entry_id).exists()
    assert Posting.objects.filter(entry_id=paid.entry_id).count() == 2
    assert verify_book(paid.fund.book).ok


def _raw_entry(book: Any, lines: list[tuple[Account, str, str, dt.date]], amount: str) -> None:
    eid = uuid.uuid4()
    with connection.cursor() as cur:
        for i, (account, side, amt, day) in enumerate(lines, start=1):
            cur.execute(
                "INSERT INTO ledger_posting (entry_id, account_id, side, amount, date, line) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [_id(eid), account.pk, side, D(amt), day, i],
            )
        cur.execute(
            "INSERT INTO ledger_journalentry (id, book_id, number, date, memo, amount,"
            " source_type, source_id, idempotency_key, reverses_id, created_by_id, posted_at,"
            " prev_hash, hash) VALUES (%s, %s, 999, %s, 'raw', %s, '', '', NULL, NULL, NULL,"
            " %s, '', 'x')",
            [_id(eid), book.pk, lines[0][3], D(amount), dt.datetime(2025, 3, 1, tzinfo=dt.UTC)],
        )


@pytest.mark.django_db
def test_entry_amount_must_equal_its_balanced_postings(paid: Any) -> None:
    fund = paid.fund
    cash, income = fund.account("cash"), fund.account("income.members")
    day = dt.date(2025, 3, 1)
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        _raw_entry(fund.book, [(cash, "D", "30", day), (income, "C", "30", day)], "40")
    assert verify_book(fund.book).ok


@pytest.mark.django_db
def test_posting_dated_off_its_entry_is_refused(paid: Any) -> None:
    fund = paid.fund
    cash, income = fund.account("cash"), fund.account("income.members")
    lines = [(cash, "D", "30", dt.date(2025, 3, 1)), (income, "C", "30", dt.date(2025, 3, 2))]
    with pytest.raises(DatabaseError, match="does not match"), transaction.atomic():
        _raw_entry(fund.book, lines, "30")
    assert verify_book(fund.book).ok


@pytest.mark.django_db
def test_raw_entry_into_a_closed_fiscal_year_is_refused(paid: Any, world: Any) -> None:
    fund = paid.fund
    ledger.period_close(
        book=fund.book,
        start_date=dt.date(2024, 10, 1),
        end_date=dt.date(2025, 9, 30),
        actor=world.chair_a,
        reason="ปิดปีบัญชี 2568",
    )
    cash, income = fund.account("cash"), fund.account("income.members")
    day = dt.date(2025, 3, 1)
    with pytest.raises(DatabaseError, match="closed period"), transaction.atomic():
        _raw_entry(fund.book, [(cash, "D", "30", day), (income, "C", "30", day)], "30")
    assert verify_book(fund.book).ok


@pytest.mark.django_db
def test_a_refused_statement_undoes_the_whole_batch(
    paid: Any, world: Any, member_factory: Any
) -> None:
    """Payments recorded and a tampering statement in one transaction: all rolled back."""
    fund = paid.fund
    m = member_factory(joined=dt.date(2025, 1, 1))
    entries = JournalEntry.objects.filter(book=fund.book).count()
    with pytest.raises(DatabaseError), transaction.atomic():
        fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 1, 5), amount="50")
        with connection.cursor() as cur:
            cur.execute("UPDATE ledger_posting SET amount = 1")
    assert not Payment.objects.filter(membership=m).exists()
    assert JournalEntry.objects.filter(book=fund.book).count() == entries
    p = fs.payment_record(actor=world.chair_a, membership=m, date=dt.date(2025, 1, 5), amount="50")
    assert p.receipt_no == 3  # the rolled-back number is given again: no gap
    assert verify_book(fund.book).ok
