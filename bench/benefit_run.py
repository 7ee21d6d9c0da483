"""Workload ``benefit_run``: a yearly recurring-benefit run for many eligible members, through the
services, against a raw insert of the same journal rows (issue #4, 10).

Runs inside a worker on the data ``dataset.load`` put in its database (it only uses the org tree
and a province-level user; the members are its own). It opens a fund of its own under the
province network with 5 village groups and the example regulation of domain.md (elderly benefit:
300 baht a year to members aged 60 and over with 2 years of membership, paid each January), and
``--run-members`` members, all aged 60-95 on the day, who joined 2012-2020 on the monthly plan
and paid ahead to the end of 2026 in one lump (``funds.services.payments_import``, untimed). Then:

* ``preview`` — ``benefits.services_runs.run_preview`` for the BE year 2568 (judged on
  15 January 2025): every membership evaluated by the regulation (standing from its payments,
  age, waiting period, past use), one run line each with its Thai explanation. Timed.
* ``post`` — after another user's ``run_approve`` (untimed), ``run_post`` on 20 January 2025:
  one journal entry per line (debit the elderly expense account, credit cash), one payout per
  line with its voucher number, all in one transaction through ``ledger.post_many``. Timed.
* ``baseline`` — the entries and postings ``post`` wrote, read back, mapped onto a second fund's
  book (its accounts by report category) and re-chained (same numbers, dates, memos, amounts;
  the hash chain recomputed for that book), inserted with ``cursor.executemany`` (postings
  first, then entries, as the ledger does) in one transaction with the cached account totals
  and the book's chain head updated once. The ledger's triggers run for these inserts too, so
  ``ratio_post`` is the service's own overhead over the same journal rows. The payout rows are
  not in the baseline (they have nothing to point at in the second fund); ``rows`` counts them.

Both books must pass ``ledger.selectors.verify_book`` afterwards, or the workload fails.

The bench's command line (``bench/__main__.py``) does not list this workload yet; until it
does, run it on its own, with the same options:

    PYTHAINLP_OFFLINE=1 .venv/bin/python -m bench.benefit_run --db sqlite
    PYTHAINLP_OFFLINE=1 .venv/bin/python -m bench.benefit_run --db postgres --pg-url URL
    PYTHAINLP_OFFLINE=1 .venv/bin/python -m bench.benefit_run --quick      # 1,000 members

It loads only 100 persons for the shared dataset unless ``--persons`` says otherwise (this
workload makes its own people). ``CHUMCHON_BENCH_DB_NAME`` names the PostgreSQL benchmark
database instead of ``chumchon_bench`` (when another benchmark runs on the same server).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from typing import Any

from .dataset import Dataset
from .timing import log

NAME = "benefit_run"
DEFAULT_MEMBERS = 20_000
QUICK_MEMBERS = 1_000
GROUPS = 5
AS_OF = dt.date(2025, 1, 15)
PAY_DATE = dt.date(2025, 1, 20)
PERIOD = "2568"
PAID_TO = dt.date(2026, 12, 31)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(NAME)
    group.add_argument(
        "--run-members",
        type=int,
        default=None,
        help=f"eligible members in the run ({DEFAULT_MEMBERS}; --quick {QUICK_MEMBERS})",
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    members = args.run_members or (QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS)
    return ["--run-members", str(members)]


# ---------------------------------------------------------------------------------------------
# Setup (not timed)
# ---------------------------------------------------------------------------------------------


def _user(network: Any, username: str, role: str) -> Any:
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign

    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_user(username=username, password=None)
        role_assign(user=user, org_unit=network, role=role, start_date=dt.date(2010, 1, 1))
    return user


def _persons(bf: Any, n: int, seed: int) -> list[int]:
    """``n`` people aged 60-95 on AS_OF in the fund's village groups (no national ID: the
    dataset's generator could repeat one of its people's)."""
    from chumchon.core.thai import search_key, thai_name_sort_bytes
    from chumchon.people.models import Person

    from .names import ThaiPeople

    rng = random.Random(seed)
    names = ThaiPeople(rng)
    rows = []
    for i in range(n):
        sex = "M" if i % 2 else "F"
        first, last = names.first_name(), names.last_name()
        born = dt.date(AS_OF.year - rng.randint(61, 95), rng.randint(1, 12), rng.randint(1, 28))
        rows.append(
            Person(
                org_unit=bf.groups[i % GROUPS],
                title="นาย" if sex == "M" else "นาง",
                first_name=first,
                last_name=last,
                first_name_key=search_key(first),
                last_name_key=search_key(last),
                name_sort=thai_name_sort_bytes(first, last),
                sex=sex,
                birth_date=born,
                birth_year=born.year,
            )
        )
    made = Person.objects.bulk_create(rows, batch_size=5_000)
    if made and made[0].pk is None:
        return list(
            Person.objects.filter(org_unit__in=bf.groups)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return [p.pk for p in made]


def _fund(user: Any, network: Any, label: str, n: int, seed: int) -> Any:
    from chumchon.benefits.example import example_regulation
    from chumchon.funds import services as fs
    from chumchon.funds.models import Membership

    from .fund_posting import fund_with_groups, members_bulk

    bf = fund_with_groups(user, network, f"กองทุนทดสอบจ่ายรายรอบ ({label})", GROUPS)
    if n == 0:
        return bf
    example_regulation(bf.fund, actor=user, effective_from=dt.date(2012, 1, 1))
    rng = random.Random(seed + 1)
    persons = _persons(bf, n, seed)
    joined = [dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 9 * 365)) for _ in persons]
    members_bulk(bf, user, persons, [i % GROUPS for i in range(n)], joined)
    members = list(
        Membership.objects.filter(fund=bf.fund).select_related("person", "plan").order_by("pk")
    )
    items = []
    for m in members:
        months = (PAID_TO.year - m.joined_on.year) * 12 + PAID_TO.month - m.joined_on.month + 1
        items.append(
            fs.ImportedPayment(
                membership=m,
                date=m.joined_on,
                amount=Decimal(30 * months + 20),
                entry_fee=Decimal(20),
            )
        )
    fs.payments_import(actor=user, fund=bf.fund, items=items, batch_size=5_000)
    return bf


# ---------------------------------------------------------------------------------------------
# The raw baseline
# ---------------------------------------------------------------------------------------------


def _written(run: Any) -> list[dict[str, Any]]:
    """The entries ``run_post`` wrote (in number order) with their postings by category."""
    from collections import defaultdict

    from chumchon.benefits.models import Payout
    from chumchon.ledger.models import JournalEntry, Posting

    ids = list(Payout.objects.filter(run_line__run=run).values_list("entry_id", flat=True))
    entries = {
        e["id"]: e
        for e in JournalEntry.objects.filter(book_id=run.fund.book_id, id__in=ids).values(
            "id", "number", "date", "memo", "amount", "source_type", "source_id",
            "idempotency_key", "created_by_id", "posted_at",
        )
    }  # fmt: skip
    lines: dict[Any, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for entry_id, category, side, amount in (
        Posting.objects.filter(entry_id__in=ids)
        .order_by("entry_id", "line")
        .values_list("entry_id", "account__category", "side", "amount")
    ):
        lines[entry_id].append((category, side, amount))
    out = []
    for e in sorted(entries.values(), key=lambda e: e["number"]):
        out.append({**e, "lines": lines[e["id"]]})
    return out


def _raw_rows(target: Any, written: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
    """The rows of ``written`` for ``target``'s book: (postings, entries, cache updates)."""
    from collections import defaultdict

    from django.db import connection

    from chumchon.ledger.models import Account, Book, JournalEntry
    from chumchon.ledger.services import entry_hash

    book = Book.objects.get(pk=target.book_id)
    accounts = {a.category: a for a in Account.objects.filter(book=book)}
    uuid_field = JournalEntry._meta.pk
    number, prev = book.last_entry_no, book.last_hash
    postings, entries = [], []
    debits: dict[int, Decimal] = defaultdict(Decimal)
    credits: dict[int, Decimal] = defaultdict(Decimal)
    months: dict[tuple[int, dt.date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for e in written:
        number += 1
        legs = [(accounts[cat], side, amount) for cat, side, amount in e["lines"]]
        digest = entry_hash(
            book_id=book.pk,
            number=number,
            date=e["date"],
            memo=e["memo"],
            amount=e["amount"],
            source_type=e["source_type"],
            source_id=e["source_id"],
            reverses_id=None,
            postings=[(a.code, side, amount) for a, side, amount in legs],
            prev_hash=prev,
        )
        eid = uuid_field.get_db_prep_value(uuid.uuid4(), connection)  # type: ignore[union-attr]
        for i, (a, side, amount) in enumerate(legs, start=1):
            postings.append((eid, a.pk, side, amount, e["date"], i))
            (debits if side == "D" else credits)[a.pk] += amount
            months[(a.pk, e["date"].replace(day=1))][0 if side == "D" else 1] += amount
        entries.append(
            (
                eid, book.pk, number, e["date"], e["memo"], e["amount"], e["source_type"],
                e["source_id"], e["idempotency_key"], None, e["created_by_id"],
                connection.ops.adapt_datetimefield_value(e["posted_at"]), prev, digest,
            )
        )  # fmt: skip
        prev = digest
    cache = (
        [
            (debits.get(a, Decimal(0)), credits.get(a, Decimal(0)), a)
            for a in set(debits) | set(credits)
        ],
        (number, prev, book.pk),
        [(book.pk, a, month, d, c) for (a, month), (d, c) in sorted(months.items())],
    )
    return postings, entries, cache


def _raw_insert(postings: list[Any], entries: list[Any], cache: Any) -> float:
    """executemany in one transaction, as the ledger orders it; seconds."""
    from django.db import connection, transaction

    from chumchon.ledger.models import Account, AccountMonth, Book, JournalEntry, Posting

    from .fund_posting import ENTRY_FIELDS, POSTING_FIELDS, _table

    q = connection.ops.quote_name
    account_updates, head, month_rows = cache
    months = q(AccountMonth._meta.db_table)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(_table(Posting, POSTING_FIELDS).insert_sql(), postings)
        cur.executemany(_table(JournalEntry, ENTRY_FIELDS).insert_sql(), entries)
        cur.executemany(
            f"UPDATE {q(Account._meta.db_table)} SET debit_total = debit_total + %s, "
            "credit_total = credit_total + %s WHERE id = %s",
            account_updates,
        )
        cur.execute(
            f"UPDATE {q(Book._meta.db_table)} SET last_entry_no = %s, last_hash = %s WHERE id = %s",
            list(head),
        )
        for book_id, account_id, month, d, c in month_rows:  # the monthly cache, as post_many
            cur.execute(
                f"UPDATE {months} SET debit = debit + %s, credit = credit + %s "
                "WHERE account_id = %s AND month = %s",
                [d, c, account_id, month],
            )
            if cur.rowcount == 0:
                cur.execute(
                    f"INSERT INTO {months} (book_id, account_id, month, debit, credit) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [book_id, account_id, month, d, c],
                )
    return time.perf_counter() - start


def _seed_cash(user: Any, fund: Any, amount: Decimal) -> None:
    """Cash for the baseline's book, so its cash account may be credited as much (untimed)."""
    from chumchon.ledger import services as ledger

    ledger.post(
        book=fund.book,
        date=dt.date(2024, 12, 1),
        memo="ยอดเงินสดยกมา",
        lines=[
            ledger.debit(fund.account("cash"), amount),
            ledger.credit(fund.account("equity.opening"), amount),
        ],
        actor=user,
    )


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


# ---------------------------------------------------------------------------------------------
# The workload
# ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chumchon.benefits import services_runs as runs
    from chumchon.benefits.models import Payout, RunLine
    from chumchon.core.permissions import Role
    from chumchon.ledger.models import Book, JournalEntry, Posting

    from .fund_posting import verify

    n = args.run_members or DEFAULT_MEMBERS
    treasurer = _user(data.network, "bench-run-treasurer", Role.TREASURER)
    chair = _user(data.network, "bench-run-chair", Role.CHAIR)
    t0 = time.perf_counter()
    ours = _fund(treasurer, data.network, "บริการ", n, args.seed + 41)
    raw = _fund(treasurer, data.network, "แทรกตรง", 0, args.seed + 42)
    setup_s = time.perf_counter() - t0
    _analyze()  # after the bulk load, as autovacuum would soon (see bench/README.md)
    log(f"  {NAME}: fund of {n:,} members in {setup_s:.1f}s; preview")

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as preview_q:
        run = runs.run_preview(
            actor=treasurer, fund=ours.fund, benefit_code="elderly", period_key=PERIOD, as_of=AS_OF
        )
    preview_s = time.perf_counter() - t0
    if run.count != n:
        raise AssertionError(f"the run holds {run.count} lines, expected {n}")
    log(f"  {NAME}: preview {preview_s:.2f}s ({len(preview_q)} queries); post")
    runs.run_approve(actor=chair, run=run)
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as post_q:
        runs.run_post(actor=treasurer, run=run, pay_date=PAY_DATE)
    post_s = time.perf_counter() - t0
    log(f"  {NAME}: post {post_s:.2f}s ({len(post_q)} queries); raw baseline")

    written = _written(run)
    total = sum((e["amount"] for e in written), Decimal(0))
    _seed_cash(treasurer, raw.fund, total)
    _analyze()
    postings, entries, cache = _raw_rows(raw.fund, written)
    raw_s = _raw_insert(postings, entries, cache)
    log(f"  {NAME}: raw executemany {raw_s:.2f}s")

    faults = {"ours": verify(ours.fund), "baseline": verify(raw.fund)}
    if any(faults.values()):
        raise AssertionError(f"verify_book faults: { {k: v[:5] for k, v in faults.items()} }")
    raw_book = Book.objects.get(pk=raw.fund.book_id)
    if raw_book.last_entry_no != 1 + len(written):
        raise AssertionError("the baseline did not write every entry")
    rows = {
        "run_lines": RunLine.objects.filter(run=run).count(),
        "entries": len(written),
        "postings": Posting.objects.filter(
            entry__in=JournalEntry.objects.filter(payout__run_line__run=run)
        ).count(),
        "payouts": Payout.objects.filter(run_line__run=run).count(),
    }
    return {
        "members": n,
        "period": PERIOD,
        "as_of": AS_OF.isoformat(),
        "seed": args.seed,
        "setup_s": round(setup_s, 2),
        "rows": rows,
        "total_baht": str(total),
        "preview": {
            "s": round(preview_s, 3),
            "ms_per_member": round(1000 * preview_s / n, 4),
            "queries": len(preview_q),
        },
        "post": {
            "s": round(post_s, 3),
            "ms_per_line": round(1000 * post_s / n, 4),
            "queries": len(post_q),
        },
        "baseline": {
            "s": round(raw_s, 3),
            "ms_per_line": round(1000 * raw_s / n, 4),
            "rows": len(postings) + len(entries),
        },
        "ratio_post": round(post_s / raw_s, 2),
        "ratio_preview_and_post": round((preview_s + post_s) / raw_s, 2),
        "verified": {k: not v for k, v in faults.items()},
    }


# ---------------------------------------------------------------------------------------------
# Running it on its own (until bench/__main__.py lists it)
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.benefit_run``: the bench's own parent and worker, with this workload
    registered and selected; the worker is started as ``python -m bench.benefit_run``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    cli = importlib.import_module("bench.__main__")
    cli.WORKLOADS.setdefault(NAME, sys.modules[__name__])
    if "--only" not in argv:
        argv += ["--only", NAME]
    if "--persons" not in argv:
        argv += ["--persons", "100"]
    original = cli._worker_argv

    def worker_argv(args: argparse.Namespace, db: str) -> list[str]:
        out = original(args, db)
        out[out.index("bench")] = "bench.benefit_run"
        return out

    cli._worker_argv = worker_argv
    name = os.environ.get("CHUMCHON_BENCH_DB_NAME")
    if name:  # another benchmark may be using chumchon_bench on the same server
        importlib.import_module("bench.worker").BENCH_DB_NAME = name
    return int(cli.main(argv))


if __name__ == "__main__":
    sys.exit(main())
