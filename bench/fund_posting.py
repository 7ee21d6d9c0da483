"""Workload ``fund_posting``: payments posted through the service, against a raw bulk insert.

Runs inside a worker on the data ``dataset.load`` put in its database (it only borrows living
persons from it, as members). It opens three funds of its own under the province network, each
with the same village groups, the same members (about ``--payments / 5``, approved, monthly plan of
30 baht, entry fee 20 baht) and the same open collection days, then posts the same
``--payments`` payments (five monthly collection rounds) into each, three ways:

* ``ours`` — ``chumchon.funds.services.payment_record`` once per payment, each call its own
  transaction, as a teller at the collection-day screen would (with a collection day and an
  idempotency key). Fund 1.
* ``baseline`` — the journal rows ``ours`` wrote (entries, postings, payments) read back,
  mapped onto fund 2's ids and re-chained (same numbers, dates, amounts, memos, receipt
  numbers, coverage; the hash chain recomputed for fund 2's book), then inserted with
  ``cursor.executemany`` in batches of ``--raw-batch`` payments per transaction, with the same
  cached totals the service keeps (account totals, the book's last number and hash, the receipt
  sequence) updated once per batch. The ledger's triggers are in the database, so they run for
  these inserts too: the ratio measures the service's own overhead.
* ``raw_txn`` — the same raw statements, one payment per transaction (fund 3): what a
  transaction per payment costs by itself.

On PostgreSQL the tables are analyzed between payments as autovacuum would (``AutoAnalyze``),
outside the timing. All three books must pass ``ledger.selectors.verify_book`` afterwards (balanced entries,
unbroken hash chain, no numbering gaps, cached totals right), or the workload fails.

The other fund workloads (``member_status``) import the helpers here: the treasurer, a fund
with groups and members made in bulk, and the raw journal-row inserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import secrets
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .dataset import Dataset
from .timing import WARMUP, compare, log, summary, timed_ms

NAME = "fund_posting"
DEFAULT_PAYMENTS = 10_000
QUICK_PAYMENTS = 1_000
DEFAULT_RAW_BATCH = 1_000
MONTHS = 5  # collection rounds: each member pays once a month
GROUPS = 5
FIRST_MONTH = dt.date(2024, 7, 1)  # in the past, so payment_record accepts the dates
MONTHLY = Decimal("30.00")
ENTRY_FEE = Decimal("20.00")
PLANS = [
    ("รายเดือน", 1, Decimal("30")),
    ("รายไตรมาส", 3, Decimal("90")),
    ("รายครึ่งปี", 6, Decimal("180")),
    ("รายปี", 12, Decimal("365")),
]
ZERO = Decimal("0.00")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fund_posting")
    group.add_argument(
        "--payments",
        type=int,
        default=None,
        help=f"payments posted each way ({DEFAULT_PAYMENTS}; --quick {QUICK_PAYMENTS})",
    )
    group.add_argument(
        "--raw-batch",
        type=int,
        default=DEFAULT_RAW_BATCH,
        help=f"payments per transaction of the raw executemany ({DEFAULT_RAW_BATCH})",
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    """This workload's options for the worker, sizes resolved (the worker gets no --quick)."""
    payments = args.payments or (QUICK_PAYMENTS if args.quick else DEFAULT_PAYMENTS)
    return ["--payments", str(payments), "--raw-batch", str(args.raw_batch)]


# ---------------------------------------------------------------------------------------------
# Shared helpers (member_status uses them too)
# ---------------------------------------------------------------------------------------------


def treasurer(network: Any) -> Any:
    """A user with the treasurer role at the province network (collects, manages funds)."""
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.core.permissions import Role

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-treasurer").first()
    if user is None:
        user = user_model.objects.create_user(username="bench-treasurer", password=None)
        role_assign(
            user=user, org_unit=network, role=Role.TREASURER, start_date=dt.date(2015, 1, 1)
        )
    return user


@dataclass
class BenchFund:
    fund: Any
    groups: list[Any]
    members: list[Any] = field(default_factory=list)  # Membership, in member-number order


def fund_with_groups(user: Any, network: Any, name: str, groups: int) -> BenchFund:
    """A new tambon unit under the network, ``groups`` village groups, books opened by
    ``fund_create`` (the CODI chart, the plans, lapse after 60 days, entry fee 20 baht)."""
    from chumchon.areas.models import OrgUnitKind
    from chumchon.areas.services import org_unit_create
    from chumchon.funds.services import fund_create

    unit = org_unit_create(name=name, kind=OrgUnitKind.FUND, parent=network)
    units = [
        org_unit_create(
            name=f"กลุ่มสวัสดิการหมู่ที่ {i} {name}", kind=OrgUnitKind.VILLAGE_GROUP, parent=unit
        )
        for i in range(1, groups + 1)
    ]
    fund = fund_create(
        actor=user,
        org_unit=unit,
        founded_on=dt.date(2015, 1, 1),
        entry_fee=ENTRY_FEE,
        plans=PLANS,
        lapse_days=60,
    )
    return BenchFund(fund=fund, groups=units)


def living_person_ids(n: int) -> list[int]:
    """The first ``n`` living persons of the dataset (members are people of the register)."""
    from chumchon.people.models import Person

    ids = list(
        Person.objects.filter(death_date__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    if len(ids) < n:
        raise SystemExit(
            f"bench: {n:,} members need {n:,} living persons, the dataset has {len(ids):,}: "
            "raise --persons"
        )
    return ids


def members_bulk(
    bf: BenchFund,
    user: Any,
    person_ids: Sequence[int],
    groups: Sequence[int],
    joined: Sequence[dt.date],
) -> list[Any]:
    """Approved memberships on the monthly plan, made with bulk_create (with their apply and
    approve events and the member-number sequence), numbered 1.. in the order given."""
    from chumchon.funds.models import (
        Membership,
        MembershipEvent,
        MembershipState,
        MemberType,
    )
    from chumchon.ledger.models import Sequence as LedgerSequence

    fund = bf.fund
    plan = fund.plans.get(months=1)
    made: list[Any] = []
    batch = 5_000
    for start in range(0, len(person_ids), batch):
        rows = [
            Membership(
                fund=fund,
                person_id=pid,
                org_unit=bf.groups[groups[i]],
                member_no=i + 1,
                member_type=MemberType.GENERAL,
                plan=plan,
                state=MembershipState.APPROVED,
                applied_on=joined[i],
                joined_on=joined[i],
                decided_by=user,
            )
            for i, pid in enumerate(person_ids[start : start + batch], start=start)
        ]
        made.extend(Membership.objects.bulk_create(rows, batch_size=batch))
    if made and made[0].pk is None:  # databases without RETURNING: read the ids back
        made = list(Membership.objects.filter(fund=fund).order_by("member_no"))
    events = []
    for m in made:
        events.append(
            MembershipEvent(
                membership=m, kind="apply", date=m.applied_on, to_value=plan.name, by=user
            )
        )
        events.append(
            MembershipEvent(
                membership=m, kind="approve", date=m.joined_on, to_value=str(m.member_no), by=user
            )
        )
    MembershipEvent.objects.bulk_create(events, batch_size=batch)
    LedgerSequence.objects.create(book=fund.book, name="member", year=0, last=len(made))
    bf.members = made
    return made


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]

    def insert_sql(self) -> str:
        from django.db import connection

        q = connection.ops.quote_name
        cols = ", ".join(q(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        return f"INSERT INTO {q(self.name)} ({cols}) VALUES ({marks})"

    def copy_sql(self) -> str:
        from django.db import connection

        q = connection.ops.quote_name
        return f"COPY {q(self.name)} ({', '.join(q(c) for c in self.columns)}) FROM STDIN"


def _table(model: Any, fields: Iterable[str]) -> Table:
    return Table(model._meta.db_table, tuple(model._meta.get_field(f).column for f in fields))


POSTING_FIELDS = ("entry", "account", "side", "amount", "date", "line")
ENTRY_FIELDS = (
    "id",
    "book",
    "number",
    "date",
    "memo",
    "amount",
    "source_type",
    "source_id",
    "idempotency_key",
    "reverses",
    "created_by",
    "posted_at",
    "prev_hash",
    "hash",
)
PAYMENT_FIELDS = (
    "fund",
    "membership",
    "org_unit",
    "date",
    "contribution",
    "entry_fee",
    "amount",
    "method",
    "fiscal_year",
    "receipt_no",
    "entry",
    "collection_day",
    "covers_from",
    "covers_to",
    "idempotency_key",
    "verify_token",
    "note",
    "created_by",
    "created_at",
)


@dataclass
class JournalRows:
    """Rows for ledger_posting, ledger_journalentry and funds_payment, in insert order, and
    the cached figures they move (account totals, last entry, receipt numbers)."""

    postings: list[tuple[Any, ...]] = field(default_factory=list)
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)
    debits: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    credits: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    last_entry: tuple[int, str] | None = None  # (number, hash)
    receipts: dict[int, int] = field(default_factory=dict)  # fiscal year -> last receipt no

    def __len__(self) -> int:
        return len(self.entries)


class Journal:
    """Builds a book's payment entries in Python exactly as ``ledger.post`` and
    ``payment_record`` write them (hash chain included), adapted for the connection's driver,
    and inserts them raw."""

    def __init__(self, fund: Any) -> None:
        from django.db import connection

        from chumchon.funds.models import Payment
        from chumchon.ledger.models import Account, JournalEntry, Posting

        self.fund = fund
        self.book_id = fund.book_id
        self.vendor = connection.vendor
        self.postings = _table(Posting, POSTING_FIELDS)
        self.entries = _table(JournalEntry, ENTRY_FIELDS)
        self.payments = _table(Payment, PAYMENT_FIELDS)
        self._uuid_field = JournalEntry._meta.pk
        accounts = {a.category: a for a in Account.objects.filter(book_id=self.book_id)}
        self.cash, self.bank = accounts["cash"], accounts["bank"]
        self.members_income = accounts["income.members"]
        self.fees_income = accounts["income.entry_fees"]
        self.number = 0
        self.last_hash = ""

    def uuid_value(self, value: uuid.UUID) -> Any:
        from django.db import connection

        return self._uuid_field.get_db_prep_value(value, connection)  # type: ignore[union-attr]

    def datetime_value(self, value: dt.datetime) -> Any:
        from django.db import connection

        return connection.ops.adapt_datetimefield_value(value)

    def add(
        self,
        rows: JournalRows,
        *,
        entry_id: uuid.UUID,
        date: dt.date,
        memo: str,
        lines: Sequence[tuple[Any, str, Decimal]],  # (Account, side, amount)
        source_id: str,
        idempotency_key: str | None,
        user_id: int | None,
        posted_at: Any,  # already adapted
        payment: Sequence[Any],  # the payment row's values after ``entry`` (see PAYMENT_FIELDS)
        payment_head: Sequence[Any],  # fund, membership, org_unit, date, contribution, ...
    ) -> None:
        from chumchon.ledger.services import entry_hash

        self.number += 1
        amount = sum((a for _acc, side, a in lines if side == "D"), ZERO)
        digest = entry_hash(
            book_id=self.book_id,
            number=self.number,
            date=date,
            memo=memo,
            amount=amount,
            source_type="payment",
            source_id=source_id,
            reverses_id=None,
            postings=[(acc.code, side, a) for acc, side, a in lines],
            prev_hash=self.last_hash,
        )
        eid = self.uuid_value(entry_id)
        for i, (acc, side, a) in enumerate(lines, start=1):
            rows.postings.append((eid, acc.pk, side, a, date, i))
            if side == "D":
                rows.debits[acc.pk] += a
            else:
                rows.credits[acc.pk] += a
        rows.entries.append(
            (
                eid,
                self.book_id,
                self.number,
                date,
                memo,
                amount,
                "payment",
                source_id,
                f"payment:{idempotency_key}" if idempotency_key else None,
                None,
                user_id,
                posted_at,
                self.last_hash,
                digest,
            )
        )
        rows.payments.append((*payment_head, eid, *payment))
        self.last_hash = digest
        rows.last_entry = (self.number, digest)

    # --- writing ------------------------------------------------------------------------------

    def sequences_create(self, years: Iterable[int]) -> None:
        """The receipt sequences the rows will move, made beforehand (outside any timing)."""
        from chumchon.ledger.models import Sequence as LedgerSequence

        for year in sorted(set(years)):
            LedgerSequence.objects.get_or_create(book_id=self.book_id, name="receipt", year=year)

    def _cache_updates(self, cur: Any, rows: JournalRows) -> None:
        from chumchon.ledger.models import Account, Book
        from chumchon.ledger.models import Sequence as LedgerSequence

        q = cur.db.ops.quote_name
        accounts = sorted(set(rows.debits) | set(rows.credits))
        cur.executemany(
            f"UPDATE {q(Account._meta.db_table)} SET debit_total = debit_total + %s, "
            "credit_total = credit_total + %s WHERE id = %s",
            [(rows.debits.get(a, ZERO), rows.credits.get(a, ZERO), a) for a in accounts],
        )
        if rows.last_entry is not None:
            cur.execute(
                f"UPDATE {q(Book._meta.db_table)} SET last_entry_no = %s, last_hash = %s "
                "WHERE id = %s",
                [*rows.last_entry, self.book_id],
            )
        cur.executemany(
            f"UPDATE {q(LedgerSequence._meta.db_table)} SET last = %s "
            "WHERE book_id = %s AND name = 'receipt' AND year = %s",
            [(last, self.book_id, year) for year, last in sorted(rows.receipts.items())],
        )

    def insert(self, rows: JournalRows) -> None:
        """executemany, postings first and the entries after them (the ledger's order: the
        entry's trigger checks its postings), then the payments and the cached figures. The
        caller holds the transaction."""
        from django.db import connection

        with connection.cursor() as cur:
            cur.executemany(self.postings.insert_sql(), rows.postings)
            cur.executemany(self.entries.insert_sql(), rows.entries)
            cur.executemany(self.payments.insert_sql(), rows.payments)
            self._cache_updates(cur, rows)

    def copy(self, rows: JournalRows) -> None:
        """PostgreSQL COPY of the same rows in the same order (triggers fire as for INSERT)."""
        from django.db import connection

        with connection.cursor() as cur:
            raw = cur.cursor  # the psycopg cursor under Django's wrapper
            for table, data in (
                (self.postings, rows.postings),
                (self.entries, rows.entries),
                (self.payments, rows.payments),
            ):
                with raw.copy(table.copy_sql()) as copy:
                    for row in data:
                        copy.write_row(row)
            self._cache_updates(cur, rows)


def payment_memo(member_no: int, full_name: str, label: str) -> str:
    """The memo ``payment_record`` writes (Thai, as the teller's ledger shows it)."""
    return f"รับชำระจากสมาชิกเลขที่ {member_no} {full_name} ใบเสร็จ {label}"


class AutoAnalyze:
    """PostgreSQL: ``ANALYZE`` the tables a run grows, as autovacuum would (on by default: it
    analyzes a table once 50 rows + 10 % of it have changed since the last time).

    The server may run without autovacuum (the test server here does). Then the ledger
    tables keep the statistics of their empty state, and the plans the trigger functions and
    the foreign-key checks cache in the session stay sequential scans while the tables grow:
    2,700 payments through the service made 23,000 sequential scans of the entry and posting
    tables, reading 44 million rows. Called between payments (or loads), outside any timing.
    Nothing on SQLite, which keeps no statistics here.
    """

    TABLES = (
        "ledger_posting",
        "ledger_journalentry",
        "funds_payment",
        "ledger_sequence",
        "funds_collectionday",
    )

    def __init__(self, until: int | None = None) -> None:
        from django.db import connection

        self.on = connection.vendor == "postgresql"
        self.until = until  # stop once the tables are this big: plans no longer change
        self.last = 0
        self.runs = 0
        self.seconds = 0.0

    def rows(self, total: int) -> None:
        """``total`` rows written so far (payments serve as the measure)."""
        if self.until is not None and self.last >= self.until:
            return
        if self.on and total - self.last > 50 + 0.1 * self.last:
            self.now()
            self.last = total

    def now(self) -> None:
        from django.db import connection

        if not self.on:
            return
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {', '.join(self.TABLES)}")
        self.seconds += time.perf_counter() - start
        self.runs += 1


def verify(fund: Any) -> list[str]:
    from chumchon.ledger.models import Book
    from chumchon.ledger.selectors import verify_book

    return verify_book(Book.objects.get(pk=fund.book_id)).faults


def explain(sql: str, params: Sequence[Any] = ()) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cur.fetchall())
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(str(row[0]) for row in cur.fetchall())


# ---------------------------------------------------------------------------------------------
# The workload
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pay:
    member: int  # index into the fund's members
    date: dt.date
    amount: Decimal
    method: str


def _collection_dates(groups: int) -> list[list[dt.date]]:
    """Group g collects on day 5 + 2g of each month: [month][group] -> date."""
    from chumchon.funds.selectors import add_months

    return [
        [add_months(FIRST_MONTH, month).replace(day=5 + 2 * g) for g in range(groups)]
        for month in range(MONTHS)
    ]


def _script(n_members: int, groups: list[int], total: int, seed: int) -> list[Pay]:
    """``total`` payments in the order a fund takes them: month by month, each group on its
    collection day, members in member-number order. The first payment carries the entry fee
    (taken by the service first); about 10 % pay two months, 5 % three; 10 % transfer."""
    rng = random.Random(seed)
    dates = _collection_dates(GROUPS)
    by_group: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    out: list[Pay] = []
    for month in range(MONTHS):
        for g in range(GROUPS):
            for i in by_group[g]:
                r = rng.random()
                months = 3 if r < 0.05 else 2 if r < 0.15 else 1
                amount = MONTHLY * months + (ENTRY_FEE if month == 0 else ZERO)
                method = "transfer" if rng.random() < 0.10 else "cash"
                out.append(Pay(i, dates[month][g], amount, method))
    return out[:total]


def _collection_days(bf: BenchFund, user: Any) -> dict[tuple[int, dt.date], Any]:
    from chumchon.funds.models import CollectionDay

    days = [
        CollectionDay(fund=bf.fund, org_unit=unit, date=month_dates[g], opened_by=user)
        for month_dates in _collection_dates(len(bf.groups))
        for g, unit in enumerate(bf.groups)
    ]
    CollectionDay.objects.bulk_create(days)
    return {(d.org_unit_id, d.date): d for d in CollectionDay.objects.filter(fund=bf.fund)}


def _capture(fn: Any) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def _statement_kind(sql: str) -> str:
    """``SELECT funds_payment``, ``INSERT ledger_posting``, ``SAVEPOINT``: verb and table."""
    words = sql.replace("(", " ").split()
    upper = [w.upper() for w in words]
    if not words:
        return ""
    keyword = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}
    key = keyword.get(upper[0])
    if key is None or key not in upper or upper.index(key) + 1 >= len(words):
        return upper[0]
    return f"{upper[0]} {words[upper.index(key) + 1].strip(chr(34))}"


def _post_service(
    bf: BenchFund,
    user: Any,
    script: list[Pay],
    days: dict[tuple[int, dt.date], Any],
    autoanalyze: AutoAnalyze,
) -> tuple[list[float], list[str]]:
    """payment_record once per payment, each its own transaction; returns the timed samples
    (after WARMUP untimed payments) and the statements of the last warm-up payment."""
    from chumchon.funds.services import payment_record

    members = bf.members

    def post(i: int, p: Pay) -> Any:
        m = members[p.member]
        return payment_record(
            actor=user,
            membership=m,
            date=p.date,
            amount=p.amount,
            method=p.method,
            collection_day=days[(m.org_unit_id, p.date)],
            idempotency_key=f"bench-{i}",
        )

    for i, p in enumerate(script[: WARMUP - 1]):
        post(i, p)
    statements = _capture(lambda: post(WARMUP - 1, script[WARMUP - 1]))
    samples: list[float] = []
    for i, p in enumerate(script[WARMUP:], start=WARMUP):
        autoanalyze.rows(i)
        elapsed, _payment = timed_ms(post, i, p)
        samples.append(elapsed)
        if len(samples) % 2_000 == 0:
            log(f"  service: {len(samples):,} payments, mean {statistics.fmean(samples):.2f} ms")
    return samples, statements


def _read_back(source: BenchFund) -> list[dict[str, Any]]:
    """What the service wrote, one dict per payment in entry-number order."""
    from chumchon.funds.models import Payment
    from chumchon.ledger.models import JournalEntry, Posting

    entries = {
        e["id"]: e
        for e in JournalEntry.objects.filter(book_id=source.fund.book_id).values(
            "id", "number", "date", "memo", "amount", "source_id", "idempotency_key", "posted_at"
        )
    }
    lines: dict[Any, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for p in (
        Posting.objects.filter(entry__book_id=source.fund.book_id)
        .order_by("entry_id", "line")
        .values_list("entry_id", "account__category", "side", "amount")
    ):
        lines[p[0]].append((p[1], p[2], p[3]))
    out: list[dict[str, Any]] = []
    for values in Payment.objects.filter(fund=source.fund).values(
        "entry_id",
        "membership__member_no",
        "org_unit_id",
        "date",
        "contribution",
        "entry_fee",
        "amount",
        "method",
        "fiscal_year",
        "receipt_no",
        "collection_day__date",
        "covers_from",
        "covers_to",
        "idempotency_key",
        "note",
        "created_by_id",
        "created_at",
    ):
        pay: dict[str, Any] = dict(values)
        pay["entry"] = entries[pay["entry_id"]]
        pay["lines"] = lines[pay["entry_id"]]
        out.append(pay)
    out.sort(key=lambda p: p["entry"]["number"])
    return out


def _rows_for(
    target: BenchFund, source: BenchFund, written: list[dict[str, Any]]
) -> list[JournalRows]:
    """The service's rows mapped onto ``target`` (its ids, a fresh entry id and verify token,
    the chain re-hashed for its book), one JournalRows per payment."""
    journal = Journal(target.fund)
    accounts = {
        "cash": journal.cash,
        "bank": journal.bank,
        "income.members": journal.members_income,
        "income.entry_fees": journal.fees_income,
    }
    unit_map = {s.pk: t.pk for s, t in zip(source.groups, target.groups, strict=True)}
    member_ids = {m.member_no: m.pk for m in target.members}
    days = _days_by_unit_date(target)
    journal.sequences_create(p["fiscal_year"] for p in written)
    out = []
    for p in written:
        rows = JournalRows()
        e = p["entry"]
        unit = unit_map[p["org_unit_id"]]
        journal.add(
            rows,
            entry_id=uuid.uuid4(),
            date=e["date"],
            memo=e["memo"],
            lines=[(accounts[cat], side, a) for cat, side, a in p["lines"]],
            source_id=e["source_id"],
            idempotency_key=p["idempotency_key"],
            user_id=p["created_by_id"],
            posted_at=journal.datetime_value(e["posted_at"]),
            payment_head=(
                target.fund.pk,
                member_ids[p["membership__member_no"]],
                unit,
                p["date"],
                p["contribution"],
                p["entry_fee"],
                p["amount"],
                p["method"],
                p["fiscal_year"],
                p["receipt_no"],
            ),
            payment=(
                days[(unit, p["collection_day__date"])],
                p["covers_from"],
                p["covers_to"],
                p["idempotency_key"],
                secrets.token_urlsafe(16)[:22],
                p["note"],
                p["created_by_id"],
                journal.datetime_value(p["created_at"]),
            ),
        )
        rows.receipts[p["fiscal_year"]] = p["receipt_no"]
        out.append(rows)
    return out


def _days_by_unit_date(bf: BenchFund) -> dict[tuple[int, dt.date], int]:
    from chumchon.funds.models import CollectionDay

    return {(d.org_unit_id, d.date): d.pk for d in CollectionDay.objects.filter(fund=bf.fund)}


def _merge(parts: Sequence[JournalRows]) -> JournalRows:
    out = JournalRows()
    for r in parts:
        out.postings.extend(r.postings)
        out.entries.extend(r.entries)
        out.payments.extend(r.payments)
        for a, v in r.debits.items():
            out.debits[a] += v
        for a, v in r.credits.items():
            out.credits[a] += v
        out.last_entry = r.last_entry or out.last_entry
        out.receipts.update(r.receipts)
    return out


def _insert_batches(journal: Journal, rows: list[JournalRows], batch: int) -> list[float]:
    """The rows in transactions of ``batch`` payments each; milliseconds per transaction."""
    from django.db import transaction

    samples = []
    for start in range(0, len(rows), batch):
        merged = _merge(rows[start : start + batch])

        def write(merged: JournalRows = merged) -> None:
            with transaction.atomic():
                journal.insert(merged)

        elapsed, _none = timed_ms(write)
        samples.append(elapsed)
    return samples


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    n = args.payments or DEFAULT_PAYMENTS
    total = n + WARMUP
    n_members = math.ceil(total / MONTHS)
    rng = random.Random(args.seed + 31)
    user = treasurer(data.network)
    persons = living_person_ids(n_members)
    groups = [rng.randrange(GROUPS) for _ in range(n_members)]
    first_dates = _collection_dates(GROUPS)[0]
    joined = [first_dates[g] for g in groups]
    script = _script(n_members, groups, total, args.seed + 32)

    start = time.perf_counter()
    funds: dict[str, BenchFund] = {}
    for key, label in (("ours", "บริการ"), ("baseline", "แทรกตรง"), ("raw_txn", "แทรกตรงทีละรายการ")):
        bf = fund_with_groups(user, data.network, f"กองทุนทดสอบการรับชำระ ({label})", GROUPS)
        members_bulk(bf, user, persons, groups, joined)
        funds[key] = bf
    days = {key: _collection_days(bf, user) for key, bf in funds.items()}
    setup_s = time.perf_counter() - start
    log(f"  3 funds of {n_members:,} members in {setup_s:.1f}s; posting {n:,} payments each way")

    # ours: the service, one transaction per payment
    t0 = time.perf_counter()
    autoanalyze = AutoAnalyze()
    autoanalyze.now()  # after the setup, as the dataset does after its load
    ours_ms, statements = _post_service(funds["ours"], user, script, days["ours"], autoanalyze)
    ours_wall = time.perf_counter() - t0
    log(f"  service: {n:,} payments in {ours_wall:.1f}s")

    # the same rows, read back and mapped onto the other two funds (not timed)
    t0 = time.perf_counter()
    written = _read_back(funds["ours"])
    if len(written) != total:
        raise AssertionError(f"service wrote {len(written)} payments, expected {total}")
    raw_rows = _rows_for(funds["baseline"], funds["ours"], written)
    txn_rows = _rows_for(funds["raw_txn"], funds["ours"], written)
    prepare_s = time.perf_counter() - t0

    # baseline: executemany in batches, after the warm-up payments in one untimed transaction
    from django.db import transaction

    autoanalyze.now()  # the tables now hold the service's rows: as autovacuum would, soon
    raw_journal = Journal(funds["baseline"].fund)
    with transaction.atomic():
        raw_journal.insert(_merge(raw_rows[:WARMUP]))
    batch_ms = _insert_batches(raw_journal, raw_rows[WARMUP:], args.raw_batch)
    raw_s = sum(batch_ms) / 1000
    log(f"  raw executemany: {n:,} payments in {raw_s:.2f}s ({len(batch_ms)} transactions)")

    # raw_txn: the same statements, one payment per transaction
    autoanalyze.now()
    txn_journal = Journal(funds["raw_txn"].fund)
    for rows in txn_rows[:WARMUP]:
        with transaction.atomic():
            txn_journal.insert(rows)
    txn_ms = []
    for rows in txn_rows[WARMUP:]:

        def write(rows: JournalRows = rows) -> None:
            with transaction.atomic():
                txn_journal.insert(rows)

        txn_ms.append(timed_ms(write)[0])
    log(f"  raw, one transaction each: {n:,} payments in {sum(txn_ms) / 1000:.2f}s")

    faults = {key: verify(bf.fund) for key, bf in funds.items()}
    if any(faults.values()):
        raise AssertionError(f"verify_book faults: { {k: v[:5] for k, v in faults.items()} }")

    ours_s = sum(ours_ms) / 1000
    txn_s = sum(txn_ms) / 1000
    per_txn = compare({"ours": ours_ms, "baseline": txn_ms}, {"ours": [1] * n, "baseline": [1] * n})
    kinds: dict[str, int] = defaultdict(int)
    for sql in statements:
        kinds[_statement_kind(sql)] += 1
    rows_per_payment = {
        "postings": round(sum(len(r.postings) for r in raw_rows) / total, 3),
        "entries": 1,
        "payments": 1,
    }
    return {
        "payments": n,
        "warmup_payments": WARMUP,
        "members": n_members,
        "months": MONTHS,
        "raw_batch": args.raw_batch,
        "seed": args.seed,
        "setup_s": round(setup_s, 2),
        "prepare_s": round(prepare_s, 2),
        "rows_per_payment": rows_per_payment,
        "ours": {
            **summary(ours_ms, [1] * n),
            "total_s": round(ours_s, 3),
            "payments_per_s": round(n / ours_s, 1),
        },
        "baseline": {
            "total_s": round(raw_s, 3),
            "payments_per_s": round(n / raw_s, 1),
            "per_payment_ms": round(1000 * raw_s / n, 4),
            "transactions": len(batch_ms),
            "transaction_p50_ms": round(statistics.median(batch_ms), 3),
            "transaction_max_ms": round(max(batch_ms), 3),
        },
        "raw_txn": {
            **summary(txn_ms, [1] * n),
            "total_s": round(txn_s, 3),
            "payments_per_s": round(n / txn_s, 1),
        },
        "ratio": round(ours_s / raw_s, 2),
        "ratio_raw_txn": round(txn_s / raw_s, 2),
        "ratio_ours_to_raw_txn": round(ours_s / txn_s, 2),
        "ratio_ours_to_raw_txn_p50": per_txn["ratio_p50"],
        "ratio_ours_to_raw_txn_p95": per_txn["ratio_p95"],
        "queries_per_payment": len(statements),
        "query_kinds": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "queries": [sql[:160] for sql in statements],
        "verified": {key: not v for key, v in faults.items()},
        "analyze_runs": autoanalyze.runs if autoanalyze.on else None,
        "analyze_s": round(autoanalyze.seconds, 2) if autoanalyze.on else None,
    }
