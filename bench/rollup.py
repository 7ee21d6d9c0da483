"""Workload ``rollup``: a province network's dashboard over 200 funds, against hand-written SQL.

Runs inside a worker after ``dataset.load``. It builds its own province network (a second root)
with 10 district units, ``--rollup-funds`` tambon funds spread over them (books opened by
``fund_create``: the CODI chart of accounts) and 5-12 village groups per fund, then fills what a
dashboard reads, in bulk and not through the services:

* ``FundSnapshot`` rows (``reports.summaries``' output) for every fund and village group and
  every month since the fund opened (up to ``--rollup-years`` years; 60 % of funds are that old,
  the rest opened 2 years ago or later), members about ``--rollup-members`` per fund on average
  (log-normal), growing over the years, some in arrears, lapsed, resigned, dead;
* ``AccountMonth`` rows (the ledger's monthly cache) for 17 accounts a month: cash, bank,
  members' contributions and entry fees, donations, interest, five benefit categories, three
  administration accounts, refunds;
* pledges of the อปท. and of state matching, and the money received against them as real
  journal entries (``ledger.post_many``, one batch per fund) with their ``FundReceipt`` rows;
* a status-form population (``CodiFormYear``) for four funds in five; the rest fall back to
  counting registered persons (none are registered under these units: the query still runs).

Then it times ``reports.rollup.rollup_for(network)`` — the figures of the province dashboard —
cold (the first call on a new database connection) and warm (``--rollup-queries`` calls), the
whole dashboard page (``GET /dashboards/<network>/`` through Django's test client, logged in as
the network's coordinator: roll-up, charts, a 200-row table), and the baseline: the same figures
by hand-written SQL (eight statements, summed in Python), which must agree with ours first.
Claims are left empty (the live count of claims waiting is one more small grouped query).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from .dataset import Dataset
from .timing import log, percentile

NAME = "rollup"
DEFAULT_FUNDS = 200
QUICK_FUNDS = 20
DEFAULT_MEMBERS = 300
DEFAULT_YEARS = 10
QUICK_YEARS = 3
DEFAULT_QUERIES = 20
DISTRICTS = 10
TODAY = dt.date(2025, 8, 15)  # the day asked: late in fiscal year 2568, so the year is full
FY = 2568
ZERO = Decimal("0.00")
D = Decimal

# (category, kind) of the accounts filled every month, beyond those the receipts post to.
BENEFITS = ("benefit.01", "benefit.02", "benefit.03", "benefit.04", "benefit.05")
ADMIN = ("admin.worker_pay", "admin.stationery", "admin.meetings")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rollup")
    group.add_argument(
        "--rollup-funds",
        type=int,
        default=None,
        help=f"funds ({DEFAULT_FUNDS}; --quick {QUICK_FUNDS})",
    )
    group.add_argument(
        "--rollup-members", type=int, default=DEFAULT_MEMBERS, help="members per fund on average"
    )
    group.add_argument(
        "--rollup-years",
        type=int,
        default=None,
        help=f"years of monthly rows ({DEFAULT_YEARS}; --quick {QUICK_YEARS})",
    )
    group.add_argument(
        "--rollup-queries", type=int, default=DEFAULT_QUERIES, help="warm calls timed each way"
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    funds = args.rollup_funds or (QUICK_FUNDS if args.quick else DEFAULT_FUNDS)
    years = args.rollup_years or (QUICK_YEARS if args.quick else DEFAULT_YEARS)
    return [
        "--rollup-funds",
        str(funds),
        "--rollup-members",
        str(args.rollup_members),
        "--rollup-years",
        str(years),
        "--rollup-queries",
        str(args.rollup_queries),
    ]


# ---------------------------------------------------------------------------------------------
# Building the network
# ---------------------------------------------------------------------------------------------


def _month(first: dt.date, k: int) -> dt.date:
    y, m = divmod(first.month - 1 + k, 12)
    return dt.date(first.year + y, m + 1, 1)


def _tree(n_funds: int, rng: random.Random) -> tuple[Any, Any, list[tuple[Any, list[Any]]]]:
    """The network, its coordinator, and (fund unit, village groups) per fund."""
    from django.contrib.auth import get_user_model

    from chumchon.areas.models import OrgUnitKind
    from chumchon.areas.services import org_unit_create, role_assign
    from chumchon.core.permissions import Role

    network = org_unit_create(
        name="เครือข่ายสวัสดิการชุมชนจังหวัดทดสอบการรวมยอด", kind=OrgUnitKind.PROVINCE_NETWORK
    )
    coordinator = get_user_model().objects.create_user("bench-rollup-coordinator", password=None)
    role_assign(
        user=coordinator, org_unit=network, role=Role.COORDINATOR, start_date=dt.date(2010, 1, 1)
    )
    districts = [
        org_unit_create(
            name=f"เครือข่ายอำเภอทดสอบ {i + 1}", kind=OrgUnitKind.DISTRICT, parent=network
        )
        for i in range(DISTRICTS)
    ]
    out = []
    for i in range(n_funds):
        unit = org_unit_create(
            name=f"กองทุนสวัสดิการชุมชนตำบลทดสอบ {i + 1}",
            kind=OrgUnitKind.FUND,
            parent=districts[i % DISTRICTS],
        )
        groups = [
            org_unit_create(
                name=f"กลุ่มสวัสดิการหมู่ที่ {g + 1} ตำบลทดสอบ {i + 1}",
                kind=OrgUnitKind.VILLAGE_GROUP,
                parent=unit,
            )
            for g in range(rng.randint(5, 12))
        ]
        out.append((unit, groups))
    return network, coordinator, out


def _books(units: list[tuple[Any, list[Any]]], network: Any, years: int) -> tuple[Any, list[Any]]:
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.core.permissions import Role
    from chumchon.funds.services import fund_create

    treasurer = get_user_model().objects.create_user("bench-rollup-treasurer", password=None)
    role_assign(
        user=treasurer, org_unit=network, role=Role.TREASURER, start_date=dt.date(2010, 1, 1)
    )
    first = _month(TODAY.replace(day=1), -(years * 12 - 1))
    funds = [
        fund_create(
            actor=treasurer,
            org_unit=unit,
            founded_on=first,
            entry_fee=D("20"),
            plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
            lapse_days=60,
        )
        for unit, _groups in units
    ]
    return treasurer, funds


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared by ``weights``, adding back to ``total`` (largest remainders)."""
    raw = [total * w for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[
        : total - sum(out)
    ]:
        out[i] += 1
    return out


def _fill(
    funds: list[Any],
    units: list[tuple[Any, list[Any]]],
    treasurer: Any,
    args: argparse.Namespace,
    rng: random.Random,
) -> dict[str, int]:
    """Snapshots, the monthly account cache, pledges, receipts and populations, in bulk."""
    from django.db import transaction

    from chumchon.funds.models import FundReceipt, Pledge
    from chumchon.ledger import services as ledger
    from chumchon.ledger.models import Account, AccountMonth
    from chumchon.reports.models import CodiFormYear, FundSnapshot

    months_max = args.rollup_years * 12
    first_all = _month(TODAY.replace(day=1), -(months_max - 1))
    counts = defaultdict(int)
    snaps: list[FundSnapshot] = []
    cache: dict[tuple[int, dt.date], list[Decimal]] = {}  # (account, month) -> [debit, credit]

    def move(account: Any, month: dt.date, debit: Decimal = ZERO, credit: Decimal = ZERO) -> None:
        row = cache.setdefault((account.pk, month), [ZERO, ZERO])
        row[0] += debit
        row[1] += credit

    for fund, (unit, groups) in zip(funds, units, strict=True):
        n_months = months_max if rng.random() < 0.6 else rng.randint(24, months_max)
        first = _month(first_all, months_max - n_months)
        final = max(40, int(rng.lognormvariate(math.log(args.rollup_members * 0.88), 0.5)))
        weights = [rng.uniform(0.5, 1.5) for _ in groups]
        weights = [w / sum(weights) for w in weights]
        acc = {a.category: a for a in Account.objects.filter(book_id=fund.book_id)}
        ever = lapsed = resigned = dead = 0
        current_before = 0
        for k in range(n_months):
            month = _month(first, k)
            current = int(final * (0.45 + 0.55 * (k + 1) / n_months))
            left = rng.randint(0, max(1, current // 60)) if k else 0
            joined = current - current_before + left
            gone = [0, 0, 0]
            for _ in range(left):
                gone[rng.choices((0, 1, 2), weights=(5, 3, 2))[0]] += 1
            lapsed, resigned, dead = lapsed + gone[0], resigned + gone[1], dead + gone[2]
            ever += joined
            arrears = int(current * rng.uniform(0.03, 0.1))
            active = current - arrears
            expected = D(current * 30)
            paid = (expected * D(str(round(rng.uniform(0.85, 1.05), 3)))).quantize(D("1"))
            current_before = current
            figures = {
                "members_ever": ever,
                "active": active,
                "arrears": arrears,
                "lapsed": lapsed,
                "resigned": resigned,
                "dead": dead,
                "joined": joined,
                "left": left,
            }
            parts = {name: _split(value, weights) for name, value in figures.items()}
            due_parts = _split(int(expected), weights)
            paid_parts = _split(int(paid), weights)
            snaps.append(
                FundSnapshot(
                    fund=fund,
                    org_unit_id=unit.pk,
                    month=month,
                    as_of=TODAY,
                    **figures,
                    by_type={"general": current - current // 4, "elderly": current // 4},
                    dues_expected=expected,
                    dues_paid=paid,
                    claims_pending=rng.randint(0, 3),
                )
            )
            for g, group in enumerate(groups):
                snaps.append(
                    FundSnapshot(
                        fund=fund,
                        org_unit_id=group.pk,
                        month=month,
                        as_of=TODAY,
                        **{name: parts[name][g] for name in figures},
                        by_type={"general": parts["active"][g] + parts["arrears"][g]},
                        dues_expected=D(due_parts[g]),
                        dues_paid=D(paid_parts[g]),
                    )
                )
            # The month's money: contributions in cash and by transfer, the cash banked, the
            # benefits and running costs paid from the bank.
            fees = D(joined * 20)
            in_cash = (paid * D("0.4")).quantize(D("1"))
            move(acc["income.members"], month, credit=paid)
            move(acc["income.entry_fees"], month, credit=fees)
            move(acc["cash"], month, debit=in_cash + fees, credit=in_cash + fees)
            move(acc["bank"], month, debit=paid + fees)
            spent = ZERO
            for category in BENEFITS:
                if rng.random() < 0.35:
                    amount = D(rng.choice((500, 800, 1500, 2000, 4000, 8000)))
                    move(acc[category], month, debit=amount)
                    spent += amount
            if month.month == 11:
                for category, amount in zip(ADMIN, (6000, 1200, 4500), strict=True):
                    move(acc[category], month, debit=D(amount))
                    spent += D(amount)
                move(acc["income.donation"], month, credit=D(12000))
                move(acc["cash"], month, debit=D(12000), credit=D(12000))
                move(acc["bank"], month, debit=D(12000))
            if month.month in (6, 12):
                interest = D(rng.randint(300, 2500))
                move(acc["income.interest"], month, credit=interest)
                move(acc["bank"], month, debit=interest)
            if rng.random() < 0.05:
                refund = D(rng.randint(200, 1500))
                move(acc["refund.members"], month, debit=refund)
                spent += refund
            move(acc["bank"], month, credit=spent)
        # Outside money: the อปท. and state matching, pledged every year, received as entries.
        from chumchon.core.thai import fiscal_year

        specs, receipts, pledges = [], [], []
        for fy in range(fiscal_year(first), FY + 1):
            end_year = fy - 543
            local, state = D(rng.choice((10000, 20000, 30000, 50000))), D(365 * final // 2)
            pledges += [
                Pledge(fund=fund, source="local_gov", fiscal_year=fy, amount=local),
                Pledge(
                    fund=fund,
                    source="state_codi",
                    round_no=fy % 11 + 1,
                    fiscal_year=fy,
                    amount=state,
                ),
            ]
            for source, amount, day, round_no in (
                ("local_gov", local, dt.date(end_year, 3, 20), None),
                ("state_codi", state, dt.date(end_year, 7, 10), fy % 11 + 1),
            ):
                if day > TODAY or day < first or rng.random() < 0.1:
                    continue  # not yet paid, or never
                specs.append(
                    ledger.EntrySpec(
                        date=day,
                        memo=f"รับเงิน {source} ปีงบประมาณ {fy}",
                        lines=[
                            ledger.debit(acc["bank"], amount),
                            ledger.credit(acc[f"income.{source}"], amount),
                        ],
                        source_type="fund_receipt",
                        source_id=f"{source}:{fy}",
                    )
                )
                receipts.append((source, amount, day, fy, round_no))
        with transaction.atomic():
            entries = ledger.post_many(book=fund.book, items=specs, actor=treasurer)
            FundReceipt.objects.bulk_create(
                FundReceipt(
                    fund=fund,
                    source=source,
                    round_no=round_no,
                    fiscal_year=fy,
                    date=day,
                    amount=amount,
                    entry=entry,
                    created_by=treasurer,
                )
                for (source, amount, day, fy, round_no), entry in zip(
                    receipts, entries, strict=True
                )
            )
            Pledge.objects.bulk_create(pledges)
        counts["receipts"] += len(receipts)
        counts["pledges"] += len(pledges)
        if rng.random() < 0.8:
            CodiFormYear.objects.create(
                fund=fund, fiscal_year=FY - 1, community_population=rng.randint(1500, 9000)
            )
            counts["populations"] += 1
        if len(snaps) >= 20_000:
            FundSnapshot.objects.bulk_create(snaps, batch_size=2000)
            counts["snapshots"] += len(snaps)
            snaps.clear()
    FundSnapshot.objects.bulk_create(snaps, batch_size=2000)
    counts["snapshots"] += len(snaps)
    # The monthly cache: add to the rows the receipts' entries made, insert the rest.
    existing = {
        (r.account_id, r.month): r
        for r in AccountMonth.objects.filter(book_id__in=[f.book_id for f in funds])
    }
    book_of = dict(
        Account.objects.filter(book_id__in=[f.book_id for f in funds]).values_list("pk", "book_id")
    )
    new, changed = [], []
    for (account_id, month), (debit, credit) in cache.items():
        row = existing.get((account_id, month))
        if row is None:
            new.append(
                AccountMonth(
                    book_id=book_of[account_id],
                    account_id=account_id,
                    month=month,
                    debit=debit,
                    credit=credit,
                )
            )
        else:
            row.debit += debit
            row.credit += credit
            changed.append(row)
    AccountMonth.objects.bulk_create(new, batch_size=5000)
    AccountMonth.objects.bulk_update(changed, ["debit", "credit"], batch_size=2000)
    counts["account_months"] = AccountMonth.objects.filter(
        book_id__in=[f.book_id for f in funds]
    ).count()
    return dict(counts)


# ---------------------------------------------------------------------------------------------
# The baseline: the same figures by hand-written SQL
# ---------------------------------------------------------------------------------------------


def baseline(network_path: str, fy_start: dt.date, last_month: dt.date) -> dict[str, Any]:
    series_from = _month(last_month, -119)
    """Eight statements straight to the database, summed in Python."""
    from django.db import connection

    like = "o.path LIKE %s" if connection.vendor == "postgresql" else "o.path >= %s AND o.path < %s"
    path_args = (
        [network_path + "%"]
        if connection.vendor == "postgresql"
        else [
            network_path,
            network_path + "\U0010ffff",
        ]
    )
    funds_sql = f"SELECT f.id, f.org_unit_id, f.book_id FROM funds_fund f JOIN areas_orgunit o ON o.id = f.org_unit_id WHERE {like}"
    units_sql = f"SELECT f.org_unit_id FROM funds_fund f JOIN areas_orgunit o ON o.id = f.org_unit_id WHERE {like}"
    books_sql = f"SELECT f.book_id FROM funds_fund f JOIN areas_orgunit o ON o.id = f.org_unit_id WHERE {like}"
    prev_start = dt.date(fy_start.year - 1, fy_start.month, 1)
    out: dict[str, Any] = {}
    with connection.cursor() as cur:
        cur.execute(funds_sql, path_args)
        funds = cur.fetchall()
        out["funds"] = len(funds)
        cur.execute(
            "SELECT SUM(s.active), SUM(s.arrears), SUM(s.lapsed), SUM(s.members_ever) "
            "FROM reports_fundsnapshot s JOIN ("
            "  SELECT org_unit_id, MAX(month) AS m FROM reports_fundsnapshot"
            f"  WHERE org_unit_id IN ({units_sql}) AND month <= %s GROUP BY org_unit_id"
            ") t ON t.org_unit_id = s.org_unit_id AND t.m = s.month",
            [*path_args, last_month],
        )
        active, arrears, lapsed, ever = cur.fetchone()
        out.update(active=active, arrears=arrears, current=active + arrears, lapsed=lapsed)
        out["members_ever"] = ever
        cur.execute(
            'SELECT SUM(dues_expected), SUM(dues_paid), SUM(joined), SUM("left") '
            f"FROM reports_fundsnapshot WHERE org_unit_id IN ({units_sql}) "
            "AND month >= %s AND month <= %s",
            [*path_args, fy_start, last_month],
        )
        expected, paid, joined, left = cur.fetchone()
        out.update(dues_expected=D(expected), dues_paid=D(paid), joined=joined, left=left)
        cur.execute(
            "SELECT month, SUM(active), SUM(arrears), SUM(dues_expected), SUM(dues_paid) "
            f"FROM reports_fundsnapshot WHERE org_unit_id IN ({units_sql}) "
            "AND month >= %s AND month <= %s GROUP BY month ORDER BY month",
            [*path_args, series_from, last_month],
        )
        out["series_months"] = len(cur.fetchall())
        cur.execute(
            "SELECT am.month, SUM(am.debit) - SUM(am.credit) FROM ledger_accountmonth am "
            "JOIN ledger_account a ON a.id = am.account_id "
            f"WHERE am.book_id IN ({books_sql}) AND a.category IN ('cash', 'bank') "
            "AND am.month <= %s GROUP BY am.month ORDER BY am.month",
            [*path_args, last_month],
        )
        out["balance"] = sum((D(v) for _m, v in cur.fetchall()), ZERO)
        cur.execute(
            "SELECT am.book_id, SUM(am.debit) - SUM(am.credit) FROM ledger_accountmonth am "
            "JOIN ledger_account a ON a.id = am.account_id "
            f"WHERE am.book_id IN ({books_sql}) AND a.category IN ('cash', 'bank') "
            "AND am.month <= %s GROUP BY am.book_id",
            [*path_args, last_month],
        )
        out["balance_funds"] = len(cur.fetchall())
        cur.execute(
            "SELECT a.category, CASE WHEN am.month >= %s THEN 1 ELSE 0 END, "
            "SUM(am.debit), SUM(am.credit) FROM ledger_accountmonth am "
            "JOIN ledger_account a ON a.id = am.account_id "
            f"WHERE am.book_id IN ({books_sql}) AND a.category NOT IN ('cash', 'bank') "
            "AND am.month >= %s AND am.month <= %s GROUP BY 1, 2",
            [fy_start, *path_args, prev_start, last_month],
        )
        benefits = ZERO
        for category, this_year, debit, credit in cur.fetchall():
            if category.startswith("benefit.") and this_year:
                benefits += D(debit) - D(credit)
        out["benefits"] = benefits
        for table, key in (("funds_pledge", "pledged"), ("funds_fundreceipt", "received")):
            cur.execute(
                f"SELECT fund_id, source, fiscal_year, SUM(amount) FROM {table} "
                f"WHERE fund_id IN (SELECT f.id FROM funds_fund f JOIN areas_orgunit o "
                f"ON o.id = f.org_unit_id WHERE {like}) GROUP BY fund_id, source, fiscal_year",
                path_args,
            )
            out[key] = sum((D(r[3]) for r in cur.fetchall()), ZERO)
    return out


def _ours(network: Any) -> dict[str, Any]:
    from chumchon.reports.rollup import rollup_for

    r = rollup_for(network, fiscal_year_be=FY)
    t = r.total
    return {
        "funds": t.funds,
        "active": t.active,
        "arrears": t.arrears,
        "current": t.current,
        "lapsed": t.lapsed,
        "members_ever": t.members_ever,
        "dues_expected": t.dues_expected,
        "dues_paid": t.dues_paid,
        "joined": t.joined,
        "left": t.left,
        "balance": t.balance,
        "benefits": t.benefits,
        "pledged": t.pledged,
        "received": t.received,
        "series_months": len(r.series),
    }


def _stats(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "max_ms": round(max(samples), 2),
    }


def _cold(fn: Any) -> tuple[float, Any]:
    """Milliseconds of ``fn()`` as the first work on a new database connection."""
    from django.db import connections

    connections.close_all()
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import chumchon.reports.rollup as rollup_module
    from chumchon.core.thai import fiscal_year_bounds

    rng = random.Random(args.seed + 71)
    rollup_module._today = lambda: TODAY  # the dashboard's "today": a fixed day of the data
    start = time.perf_counter()
    network, coordinator, units = _tree(args.rollup_funds, rng)
    tree_s = time.perf_counter() - start
    treasurer, funds = _books(units, network, args.rollup_years)
    books_s = time.perf_counter() - start - tree_s
    log(
        f"  {len(funds)} funds, {sum(len(g) for _u, g in units)} village groups in {tree_s + books_s:.1f}s"
    )
    counts = _fill(funds, units, treasurer, args, rng)
    fill_s = time.perf_counter() - start - tree_s - books_s
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    log(f"  rows {counts} in {fill_s:.1f}s")

    fy_start, fy_end = fiscal_year_bounds(FY)
    last_month = min(fy_end, TODAY).replace(day=1)
    path = network.path

    # Both ways must give the same figures first.
    ours = _ours(network)
    base = baseline(path, fy_start, last_month)
    for key, value in base.items():
        if key in ours and ours[key] != value:
            raise AssertionError(f"rollup {key}: ours {ours[key]} != SQL {value}")
    with CaptureQueriesContext(connection) as ctx:
        _ours(network)
    statements = len(ctx.captured_queries)

    # The page as the test client fetches it: static files by name (no collectstatic manifest).
    from django.test.utils import override_settings

    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    client = Client()
    client.force_login(coordinator)
    url = reverse("dashboard_unit", args=[network.pk])

    def page() -> int:
        response = client.get(url, {"fy": FY})
        assert response.status_code == 200, response.status_code
        return len(response.content)

    cold = {
        "ours_ms": round(_cold(lambda: _ours(network))[0], 2),
        "baseline_ms": round(_cold(lambda: baseline(path, fy_start, last_month))[0], 2),
        "page_ms": round(_cold(page)[0], 2),
    }
    cold["ratio"] = round(cold["ours_ms"] / cold["baseline_ms"], 2)
    page_bytes = page()
    ways = {
        "ours": lambda: _ours(network),
        "baseline": lambda: baseline(path, fy_start, last_month),
        "page": page,
    }
    for fn in ways.values():
        fn()  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    for i in range(args.rollup_queries):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            ways[name]()
            samples[name].append((time.perf_counter() - t0) * 1000)
    warm = {name: _stats(s) for name, s in samples.items()}
    warm["ratio_p50"] = round(
        statistics.median(samples["ours"]) / statistics.median(samples["baseline"]), 2
    )
    warm["ratio_page_p50"] = round(
        statistics.median(samples["page"]) / statistics.median(samples["baseline"]), 2
    )
    log(
        f"  cold {cold}; warm ours p50 {warm['ours']['p50_ms']} ms, SQL {warm['baseline']['p50_ms']} ms"
    )
    return {
        "funds": len(funds),
        "village_groups": sum(len(g) for _u, g in units),
        "years": args.rollup_years,
        "members_avg": args.rollup_members,
        "members_current": ours["current"],
        "rows": counts,
        "setup_s": {"tree": round(tree_s, 1), "books": round(books_s, 1), "fill": round(fill_s, 1)},
        "statements": statements,
        "page_kib": round(page_bytes / 1024, 1),
        "cold": cold,
        "warm": warm,
        "figures_agree": True,
    }
