"""Workload ``member_status``: a member's status in a big fund, against one indexed select.

Runs inside a worker on the data ``dataset.load`` put in its database (it borrows living
persons from it, as members). It opens one fund of its own under the province network with 10
village groups and ``--members`` members, and gives them ``--years`` years of monthly payments
(from January 2020), built with raw bulk inserts, not the services: the journal rows (postings,
then entries, then payments) go in month by month, as ``ledger.post`` and ``payment_record``
would write them — numbered, hash-chained, balanced, receipt numbers per fiscal year — with
``cursor.executemany`` on SQLite and ``COPY`` on PostgreSQL. The ledger's triggers are in the
database and check every entry as it goes in. Then, for ``--status-queries`` members drawn at
random, it times these ways, in rotating order:

* ``ours`` — ``chumchon.funds.selectors.member_status(m, today)``, ``m`` fetched beforehand as a
  view does (``memberships_visible_to(user)``, with its ``select_related``);
* ``ours_lazy`` — the same on a bare ``Membership.objects.get(pk=...)``, whose fund, person
  and plan load lazily;
* ``ours_sql`` — the statements ``ours`` sends (caught once per member beforehand), raw: the
  database's share of ``ours``;
* ``ours_python`` — ``member_status`` with the member's payments and plan schedule already
  fetched (as ``statuses_for`` passes them): the Python share;
* ``baseline`` — ``SELECT date, contribution FROM funds_payment WHERE membership_id = %s``,
  which the index ``payment_member_date`` answers.

Every way must give the same status (or, for the raw reads, the same rows) before timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .dataset import Dataset
from .fund_posting import (
    ENTRY_FEE,
    MONTHLY,
    ZERO,
    AutoAnalyze,
    BenchFund,
    Journal,
    JournalRows,
    explain,
    fund_with_groups,
    living_person_ids,
    members_bulk,
    payment_memo,
    treasurer,
    verify,
)
from .timing import WARMUP, log, measure

NAME = "member_status"
DEFAULT_MEMBERS = 10_000
FULL_MEMBERS = 50_000  # the size: 50,000 members x 5 years (--full)
QUICK_MEMBERS = 1_000
DEFAULT_YEARS = 5
DEFAULT_QUERIES = 200
GROUPS = 10
FIRST_MONTH = dt.date(2020, 1, 1)
TODAY = dt.date(2025, 1, 1)  # the day the status is asked for: just after the last collection
VERIFY_MAX_ENTRIES = 200_000  # verify_book reads the whole book into memory: small books only
BANGKOK = ZoneInfo("Asia/Bangkok")
ANALYZE_UNTIL = 100_000  # PostgreSQL: analyze as autovacuum would until this many payments
BUILD_CACHE_KIB = 512 * 1024  # SQLite page cache while loading (see _sqlite_cache)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("member_status")
    group.add_argument(
        "--members",
        type=int,
        default=None,
        help=f"members of the fund ({DEFAULT_MEMBERS}; --full {FULL_MEMBERS}, --quick {QUICK_MEMBERS})",
    )
    group.add_argument(
        "--full",
        action="store_true",
        help=f"member_status at the issue's size: {FULL_MEMBERS:,} members (unless --members)",
    )
    group.add_argument(
        "--years",
        type=int,
        default=DEFAULT_YEARS,
        help=f"years of monthly payments, from January 2020 ({DEFAULT_YEARS})",
    )
    group.add_argument(
        "--status-queries",
        type=int,
        default=None,
        help=f"members whose status is timed (min(--queries, {DEFAULT_QUERIES}))",
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    """This workload's options for the worker, sizes resolved (the worker gets no --quick)."""
    members = args.members or (
        FULL_MEMBERS if args.full else QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS
    )
    queries = args.status_queries or min(args.queries, DEFAULT_QUERIES)
    return [
        "--members",
        str(members),
        "--years",
        str(args.years),
        "--status-queries",
        str(queries),
    ]


# ---------------------------------------------------------------------------------------------
# The data: one fund, its members, their payments as raw journal rows
# ---------------------------------------------------------------------------------------------


@dataclass
class Member:
    """How one member pays, and what has been paid so far (while the rows are generated)."""

    pk: int
    no: int
    group: int
    name: str
    joined: dt.date
    start_month: int
    kind: str  # regular, advance, arrears, lapses
    stop_month: int  # first month not paid (``months`` when never)
    paid: Decimal = ZERO  # contributions so far
    owed_month: bool = False  # a regular member who skipped last month pays two this month
    fee_paid: bool = False


def _collection_day(month: dt.date, group: int) -> dt.date:
    """Group g collects on day 3 + 2g of each month (10 groups: the 3rd to the 21st)."""
    return month.replace(day=3 + 2 * group)


def _plan_members(
    n: int, months: int, seed: int
) -> tuple[list[int], list[int], list[str], list[int]]:
    """Each member's group, first month, way of paying and first unpaid month (seeded).

    * 85 % ``regular``: 30 baht every month; 3 % of the months skipped and paid double the
      month after (so never 60 days behind);
    * 5 % ``advance``: 90 baht every third month;
    * 5 % ``arrears``: regular, but the last one or two months unpaid;
    * 5 % ``lapses``: regular until a month drawn at random, then nothing (lapsed after 60 days).

    95 % joined in the first month, 5 % in a later one (up to the last year).
    """
    rng = random.Random(seed)
    groups, starts, kinds, stops = [], [], [], []
    for _ in range(n):
        groups.append(rng.randrange(GROUPS))
        start = 0 if rng.random() < 0.95 else rng.randrange(1, max(2, months - 12))
        starts.append(start)
        r = rng.random()
        if r < 0.05:
            kinds.append("advance")
            stops.append(months)
        elif r < 0.10:
            kinds.append("arrears")
            stops.append(max(start + 1, months - rng.choice((1, 2))))
        elif r < 0.15:
            kinds.append("lapses")
            stops.append(rng.randrange(start + 1, max(start + 2, months - 3)))
        else:
            kinds.append("regular")
            stops.append(months)
    return groups, starts, kinds, stops


def build(args: argparse.Namespace, data: Dataset) -> tuple[BenchFund, dict[str, Any]]:
    """The fund, its members and their payments; returns figures of the load."""
    from django.db import connection, transaction

    from chumchon.core.thai import fiscal_year
    from chumchon.funds.models import CollectionDay
    from chumchon.funds.selectors import add_months
    from chumchon.people.models import Person

    n, months = args.members, args.years * 12
    figures: dict[str, Any] = {"members": n, "years": args.years}
    t0 = time.perf_counter()
    user = treasurer(data.network)
    bf = fund_with_groups(user, data.network, "กองทุนทดสอบสถานะสมาชิก", GROUPS)
    person_ids = living_person_ids(n)
    groups, starts, kinds, stops = _plan_members(n, months, args.seed + 41)
    joined = [
        _collection_day(add_months(FIRST_MONTH, s), g) for s, g in zip(starts, groups, strict=True)
    ]
    made = members_bulk(bf, user, person_ids, groups, joined)
    names = {
        p.pk: p.full_name
        for p in Person.objects.filter(death_date__isnull=True)
        .order_by("pk")
        .only("title", "title_other", "first_name", "last_name", "sex", "birth_date")[:n]
    }
    CollectionDay.objects.bulk_create(
        [
            CollectionDay(
                fund=bf.fund,
                org_unit=unit,
                date=_collection_day(add_months(FIRST_MONTH, month), g),
                opened_by=user,
            )
            for month in range(months)
            for g, unit in enumerate(bf.groups)
        ]
    )
    day_ids = {(d.org_unit_id, d.date): d.pk for d in CollectionDay.objects.filter(fund=bf.fund)}
    members = [
        Member(
            pk=m.pk,
            no=m.member_no,
            group=groups[i],
            name=names[person_ids[i]],
            joined=joined[i],
            start_month=starts[i],
            kind=kinds[i],
            stop_month=stops[i],
        )
        for i, m in enumerate(made)
    ]
    by_group: list[list[Member]] = [[] for _ in range(GROUPS)]
    for mem in members:
        by_group[mem.group].append(mem)
    figures["setup_s"] = round(time.perf_counter() - t0, 2)
    log(f"  fund of {n:,} members in {figures['setup_s']}s; {months} months of payments")

    rng = random.Random(args.seed + 42)
    journal = Journal(bf.fund)
    fund_pk, user_pk = bf.fund.pk, user.pk
    last_receipt: dict[int, int] = {}
    journal.sequences_create(fiscal_year(add_months(FIRST_MONTH, m)) for m in range(months + 1))
    generate_s = insert_s = 0.0
    payments = postings = 0
    cache_pages = _sqlite_cache(-BUILD_CACHE_KIB)
    autoanalyze = AutoAnalyze(until=ANALYZE_UNTIL)
    for month in range(months):
        first_of_month = add_months(FIRST_MONTH, month)
        for g in range(GROUPS):  # one collection day per transaction
            t1 = time.perf_counter()
            rows = JournalRows()
            day = _collection_day(first_of_month, g)
            fy = fiscal_year(day)
            posted = journal.datetime_value(dt.datetime.combine(day, dt.time(12), BANGKOK))
            unit = bf.groups[g].pk
            day_id = day_ids[(unit, day)]
            for mem in by_group[g]:
                amount = _contribution(mem, month, rng)
                if amount == 0:
                    continue
                fee = ZERO if mem.fee_paid else ENTRY_FEE
                mem.fee_paid = True
                before = _paid_through(mem, add_months)
                mem.paid += amount
                receipt = last_receipt.get(fy, 0) + 1
                last_receipt[fy] = receipt
                label = f"{fy}/{receipt:05d}"
                cash = journal.cash if rng.random() < 0.9 else journal.bank
                lines = [(cash, "D", amount + fee), (journal.members_income, "C", amount)]
                if fee:
                    lines.append((journal.fees_income, "C", fee))
                journal.add(
                    rows,
                    entry_id=uuid.uuid4(),
                    date=day,
                    memo=payment_memo(mem.no, mem.name, label),
                    lines=lines,
                    source_id=label,
                    idempotency_key=None,
                    user_id=user_pk,
                    posted_at=posted,
                    payment_head=(
                        fund_pk,
                        mem.pk,
                        unit,
                        day,
                        amount,
                        fee,
                        amount + fee,
                        "cash" if cash is journal.cash else "transfer",
                        fy,
                        receipt,
                    ),
                    payment=(
                        day_id,
                        before + dt.timedelta(days=1) if before else mem.joined,
                        _paid_through(mem, add_months),
                        None,
                        secrets.token_urlsafe(16)[:22],
                        "",
                        user_pk,
                        posted,
                    ),
                )
            rows.receipts = dict(last_receipt)
            t2 = time.perf_counter()
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    journal.copy(rows)
                else:
                    journal.insert(rows)
            payments += len(rows.payments)
            postings += len(rows.postings)
            autoanalyze.rows(payments)
            t3 = time.perf_counter()
            generate_s += t2 - t1
            insert_s += t3 - t2
        if (month + 1) % 12 == 0 or month + 1 == months:
            log(
                f"  {month + 1} months: {payments:,} payments "
                f"({generate_s:.0f}s generating, {insert_s:.0f}s inserting)"
            )
    _sqlite_cache(cache_pages)
    figures.update(
        {
            "payments": payments,
            "entries": payments,
            "postings": postings,
            "generate_s": round(generate_s, 2),
            "insert_s": round(insert_s, 2),
            "rows_per_s": round((2 * payments + postings) / insert_s) if insert_s else 0,
            "kinds": dict(Counter(kinds)),
            "transactions": months * GROUPS,
            "analyze_runs": autoanalyze.runs if autoanalyze.on else None,
        }
    )
    figures["analyze_s"] = _analyze()
    if payments <= VERIFY_MAX_ENTRIES:
        faults = verify(bf.fund)
        if faults:
            raise AssertionError(f"verify_book faults: {faults[:5]}")
        figures["verified"] = True
    else:
        figures["verified"] = None  # too big to read into memory here; see README
    return bf, figures


def _contribution(mem: Member, month: int, rng: random.Random) -> Decimal:
    """What ``mem`` pays in ``month`` (0 for nothing)."""
    if month < mem.start_month or month >= mem.stop_month:
        return ZERO
    if mem.kind == "advance":
        return MONTHLY * 3 if (month - mem.start_month) % 3 == 0 else ZERO
    if mem.owed_month:
        mem.owed_month = False
        return MONTHLY * 2
    if month > mem.start_month and rng.random() < 0.03:
        mem.owed_month = True
        return ZERO
    return MONTHLY


def _paid_through(mem: Member, add_months: Callable[[dt.date, int], dt.date]) -> dt.date | None:
    cycles = int(mem.paid // MONTHLY)  # everyone is on the monthly plan
    return add_months(mem.joined, cycles) - dt.timedelta(days=1) if cycles else None


def _sqlite_cache(size: int | None) -> int | None:
    """SQLite: set this connection's page cache (negative: KiB), return the previous setting.

    The load inserts into indexes on random keys (entry UUIDs, verify tokens); with SQLite's
    default 2 MB cache most of those pages are read back from the OS on every insert. The
    benchmark's own connection gets a bigger cache while loading and the default back before
    anything is timed. Nothing on PostgreSQL.
    """
    from django.db import connection

    if connection.vendor != "sqlite" or size is None:
        return None
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        previous = int(cur.fetchone()[0])
        cur.execute(f"PRAGMA cache_size = {int(size)}")
    return previous


def _analyze() -> float | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return round(time.perf_counter() - start, 2)


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


BASELINE_SQL = "SELECT date, contribution FROM funds_payment WHERE membership_id = %s"


def _capture(fn: Callable[[], Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def _key(st: Any) -> tuple[Any, ...]:
    return (st.code, st.paid_through, st.lapsed_on, st.missed_dues, st.amount_due, st.reason)


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    from django.db import connection

    from chumchon.funds.models import ContributionPlan, Membership, MembershipEvent
    from chumchon.funds.selectors import (
        PlanSchedule,
        live_payments,
        member_status,
        memberships_visible_to,
    )

    bf, load = build(args, data)
    user = treasurer(data.network)
    n = args.status_queries or DEFAULT_QUERIES
    rng = random.Random(args.seed + 43)
    pks = rng.sample([m.pk for m in bf.members], min(len(bf.members), n + WARMUP))

    # Everything each way needs, fetched beforehand (outside the timing).
    viewed = {m.pk: m for m in memberships_visible_to(user).filter(pk__in=pks)}
    bare = {pk: Membership.objects.get(pk=pk) for pk in pks}
    preloaded: dict[int, tuple[list[Any], PlanSchedule]] = {}
    for pk in pks:
        m = viewed[pk]
        events = [e for e in MembershipEvent.objects.filter(membership=m) if e.kind == "plan"]
        plans = {p.pk: p for p in ContributionPlan.objects.filter(fund_id=m.fund_id)}
        preloaded[pk] = (live_payments(m, TODAY), PlanSchedule(m, events, plans))

    def status_of(pk: int) -> Callable[[], Any]:
        return lambda: member_status(viewed[pk], TODAY)

    statements = {pk: _capture(status_of(pk)) for pk in pks}
    probe = Membership.objects.get(pk=pks[0])
    lazy_statements = _capture(lambda: member_status(probe, TODAY))

    def ours(pk: int) -> int:
        member_status(viewed[pk], TODAY)
        return 1

    def ours_lazy(pk: int) -> int:
        member_status(bare[pk], TODAY)
        return 1

    def ours_python(pk: int) -> int:
        pays, schedule = preloaded[pk]
        member_status(viewed[pk], TODAY, payments=pays, schedule=schedule)
        return 1

    def ours_sql(pk: int) -> int:
        rows = 0
        with connection.cursor() as cur:
            for sql in statements[pk]:
                cur.execute(sql)
                rows += len(cur.fetchall())
        return rows

    def baseline(pk: int) -> int:
        with connection.cursor() as cur:
            cur.execute(BASELINE_SQL, [pk])
            return len(cur.fetchall())

    # Every way must agree before anything is timed.
    codes: Counter[str] = Counter()
    sizes = []
    for pk in pks:
        st = member_status(viewed[pk], TODAY)
        lazy = member_status(Membership.objects.get(pk=pk), TODAY)
        pays, schedule = preloaded[pk]
        py = member_status(viewed[pk], TODAY, payments=pays, schedule=schedule)
        if not _key(st) == _key(lazy) == _key(py):
            raise AssertionError(f"member {pk}: statuses differ {st} / {lazy} / {py}")
        if baseline(pk) != len(pays):
            raise AssertionError(f"member {pk}: {baseline(pk)} rows, {len(pays)} payments")
        codes[st.code] += 1
        sizes.append(len(pays))

    fns: dict[str, Callable[[int], int]] = {
        "ours": ours,
        "ours_lazy": ours_lazy,
        "ours_sql": ours_sql,
        "ours_python": ours_python,
        "baseline": baseline,
    }
    log(f"  {n} statuses (+{WARMUP} warm-up), {len(fns)} ways")
    res = measure(pks, fns)
    log(
        f"  member_status p95 {res['ours']['p95_ms']} ms vs {res['baseline']['p95_ms']} ms "
        f"(x{res['ratio_p95']}); SQL alone x{res['ratio_sql_p95']}, "
        f"Python alone x{res['ratio_python_p95']}"
    )
    sample_sql = statements[pks[0]]
    payments_sql = next(s for s in sample_sql if "funds_payment" in s)
    return {
        "load": load,
        "today": TODAY.isoformat(),
        "queries": n,
        "seed": args.seed,
        "statuses": dict(codes),
        "payments_per_member": {
            "p50": statistics.median(sizes),
            "max": max(sizes),
            "mean": round(statistics.fmean(sizes), 1),
        },
        "queries_per_status": len(sample_sql),
        "queries_per_status_lazy": len(lazy_statements),
        **res,
        "plans": {
            "ours_sql": sample_sql,
            "payments_plan": explain(payments_sql),
            "baseline_sql": BASELINE_SQL,
            "baseline_plan": explain(BASELINE_SQL, [pks[0]]),
        },
    }
