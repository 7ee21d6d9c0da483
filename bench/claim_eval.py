"""Workload ``claim_eval``: judging a claim for a member with 20 years of history.

Runs inside a worker on the data ``dataset.load`` put in its database (it borrows living persons
from it, as members). It opens one fund of its own under the province network with 2 village
groups, adopts the example regulation of domain.md (``benefits.example.example_regulation``,
in force since 2005), and gives ``--claim-members`` members who joined in January 2005
``--claim-years`` years of history:

* a monthly payment of 30 baht every month (the first with the 20-baht entry fee), recorded by
  ``funds.services.payments_import`` (one journal entry each, receipt numbers per fiscal year);
* about ``--claims-per-year`` hospital claims a year (1-8 nights, 5 a year at most paid) and a
  birth claim every few years, as stored claims (``bulk_create``): 4 in 5 paid, the rest
  rejected or waiting for approval, so the caps have many rows to count.

Then, for ``--claim-queries`` claims (a member drawn at random, a hospital stay of 1-7 nights
in December of the last year), it times these ways, in rotating order:

* ``ours`` — ``chumchon.benefits.selectors.evaluate_claim``: the version in force, the benefit
  with its tiers and limits, the member's standing on the event date (``member_status`` over
  20 years of payments), the past claims of the same benefit, and ``engine.evaluate``; the
  member fetched beforehand as a view does (``memberships_visible_to(user)``);
* ``ours_sql`` — the statements ``ours`` sends (caught once per member beforehand), raw: the
  database's share;
* ``ours_python`` — ``member_status`` and ``engine.evaluate`` on rows fetched beforehand: the
  Python share;
* ``baseline`` — the member's own rows by their indexes, raw:
  ``SELECT date, contribution FROM funds_payment WHERE membership_id = %s`` and
  ``SELECT event_date, units, amount, state FROM benefits_claim WHERE membership_id = %s``.

Every way must agree (the same amount and explanation, or the same rows) before timing.

Until the workload is listed in ``bench/__main__.py`` it runs on its own, one database a run:
``python -m bench.claim_eval --db sqlite --quick`` (the same options as ``python -m bench``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .dataset import Dataset
from .fund_posting import (
    ENTRY_FEE,
    MONTHLY,
    explain,
    fund_with_groups,
    living_person_ids,
    members_bulk,
    treasurer,
)
from .timing import WARMUP, log, measure

NAME = "claim_eval"
DEFAULT_MEMBERS = 200
QUICK_MEMBERS = 30
DEFAULT_YEARS = 20
DEFAULT_CLAIMS_PER_YEAR = 4
DEFAULT_QUERIES = 200
GROUPS = 2
JOINED = dt.date(2005, 1, 3)
EFFECTIVE = dt.date(2005, 1, 1)

BASELINE_PAYMENTS_SQL = "SELECT date, contribution FROM funds_payment WHERE membership_id = %s"
BASELINE_CLAIMS_SQL = (
    "SELECT event_date, units, amount, state FROM benefits_claim WHERE membership_id = %s"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("claim_eval")
    group.add_argument(
        "--claim-members",
        type=int,
        default=None,
        help=f"members with a long history ({DEFAULT_MEMBERS}; --quick {QUICK_MEMBERS})",
    )
    group.add_argument(
        "--claim-years",
        type=int,
        default=DEFAULT_YEARS,
        help=f"years of monthly payments and claims, from January 2005 ({DEFAULT_YEARS})",
    )
    group.add_argument(
        "--claims-per-year",
        type=int,
        default=DEFAULT_CLAIMS_PER_YEAR,
        help=f"hospital claims a member makes a year ({DEFAULT_CLAIMS_PER_YEAR})",
    )
    group.add_argument(
        "--claim-queries",
        type=int,
        default=None,
        help=f"claims judged and timed (min(--queries, {DEFAULT_QUERIES}))",
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    """This workload's options for the worker, sizes resolved (the worker gets no --quick)."""
    members = args.claim_members or (QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS)
    queries = args.claim_queries or min(args.queries, DEFAULT_QUERIES)
    return [
        "--claim-members",
        str(members),
        "--claim-years",
        str(args.claim_years),
        "--claims-per-year",
        str(args.claims_per_year),
        "--claim-queries",
        str(queries),
    ]


# ---------------------------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------------------------


def _month(i: int) -> dt.date:
    from chumchon.funds.selectors import add_months

    return add_months(JOINED, i)


def build(args: argparse.Namespace, data: Dataset) -> tuple[Any, list[Any], dict[str, Any]]:
    """The fund, its regulation, members, payments and claims; returns figures of the load."""
    from django.db import transaction

    from chumchon.benefits.example import example_regulation
    from chumchon.benefits.models import BenefitType, Claim
    from chumchon.funds.services import ImportedPayment, payments_import

    n = args.claim_members or DEFAULT_MEMBERS
    months = args.claim_years * 12
    figures: dict[str, Any] = {"members": n, "years": args.claim_years}
    t0 = time.perf_counter()
    user = treasurer(data.network)
    bf = fund_with_groups(user, data.network, "กองทุนทดสอบการพิจารณาสวัสดิการ", GROUPS)
    fund = bf.fund
    version = example_regulation(fund, actor=user, effective_from=EFFECTIVE)
    benefits = {b.code: b for b in BenefitType.objects.filter(version=version)}
    person_ids = living_person_ids(n)
    rng = random.Random(args.seed + 71)
    made = members_bulk(bf, user, person_ids, [i % GROUPS for i in range(n)], [JOINED] * n)
    members = list(
        type(made[0]).objects.filter(pk__in=[m.pk for m in made]).select_related("person", "plan")
    )
    figures["setup_s"] = round(time.perf_counter() - t0, 2)

    t1 = time.perf_counter()
    items = []
    for m in members:
        for i in range(months):
            fee = ENTRY_FEE if i == 0 else Decimal("0")
            items.append(
                ImportedPayment(membership=m, date=_month(i), amount=MONTHLY + fee, entry_fee=fee)
            )
    for start in range(0, len(items), 20_000):  # one transaction per slice
        payments_import(actor=user, fund=fund, items=items[start : start + 20_000])
    figures["payments"] = len(items)
    figures["payments_s"] = round(time.perf_counter() - t1, 2)
    log(f"  {len(items):,} payments in {figures['payments_s']}s")

    t2 = time.perf_counter()
    claims = []
    number = 0
    states: Counter[str] = Counter()
    for m in members:
        for year in range(args.claim_years):
            days = sorted(rng.sample(range(365), args.claims_per_year))
            for day in days:
                start = JOINED + dt.timedelta(days=365 * year + day)
                nights = rng.randint(1, 8)
                state = rng.choices(("paid", "rejected", "submitted"), (8, 1, 1))[0]
                paid = min(nights, 5)
                amount = Decimal(150 * paid) if state != "rejected" else Decimal("0")
                number += 1
                states[state] += 1
                claims.append(
                    Claim(
                        fund=fund,
                        number=number,
                        membership=m,
                        benefit=benefits["hospital"],
                        version=version,
                        event_date=start,
                        event_end=start + dt.timedelta(days=nights),
                        units=Decimal(paid),
                        eligible=state != "rejected",
                        evaluated_amount=amount,
                        amount=amount,
                        explanation=[],
                        payee_name=m.person.full_name,
                        state=state,
                        made_by=user,
                    )
                )
            if year % 4 == 1:
                number += 1
                claims.append(
                    Claim(
                        fund=fund,
                        number=number,
                        membership=m,
                        benefit=benefits["birth"],
                        version=version,
                        event_date=JOINED + dt.timedelta(days=365 * year + 100),
                        units=Decimal(1),
                        eligible=True,
                        evaluated_amount=Decimal(800),
                        amount=Decimal(800),
                        explanation=[],
                        payee_name=m.person.full_name,
                        state="paid",
                        made_by=user,
                    )
                )
    with transaction.atomic():
        Claim.objects.bulk_create(claims, batch_size=5_000)
    figures["claims"] = len(claims)
    figures["claim_states"] = dict(states)
    figures["claims_s"] = round(time.perf_counter() - t2, 2)
    _analyze()
    log(f"  {len(claims):,} claims in {figures['claims_s']}s")
    return fund, members, figures


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def _capture(fn: Callable[[], Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    from django.db import connection

    from chumchon.benefits.engine import Rule, evaluate
    from chumchon.benefits.selectors import (
        benefit_in_force,
        evaluate_claim,
        facts_from_status,
        past_use,
    )
    from chumchon.funds.models import ContributionPlan, MembershipEvent
    from chumchon.funds.selectors import (
        PlanSchedule,
        live_payments,
        member_status,
        memberships_visible_to,
    )

    fund, members, load = build(args, data)
    user = treasurer(data.network)
    n = args.claim_queries or DEFAULT_QUERIES
    rng = random.Random(args.seed + 72)
    last_year = JOINED.year + args.claim_years - 1
    queries = []
    for _ in range(n + WARMUP):
        m = rng.choice(members)
        start = dt.date(last_year, 12, rng.randint(1, 20))
        queries.append((m.pk, start, start + dt.timedelta(days=rng.randint(1, 7))))
    pks = sorted({q[0] for q in queries})
    viewed = {m.pk: m for m in memberships_visible_to(user).filter(pk__in=pks)}

    def ours_eval(q: tuple[int, dt.date, dt.date]) -> Any:
        pk, start, end = q
        return evaluate_claim(
            membership=viewed[pk], benefit_code="hospital", event_date=start, event_end=end
        )

    # Everything the Python share needs, fetched beforehand.
    bt = benefit_in_force(fund, "hospital", dt.date(last_year, 12, 1))
    rule = Rule.from_model(bt)
    preloaded: dict[int, tuple[list[Any], PlanSchedule, list[Any]]] = {}
    plans = {p.pk: p for p in ContributionPlan.objects.filter(fund=fund)}
    for pk in pks:
        m = viewed[pk]
        events = [e for e in MembershipEvent.objects.filter(membership=m) if e.kind == "plan"]
        preloaded[pk] = (live_payments(m), PlanSchedule(m, events, plans), past_use(m, "hospital"))

    def python_eval(q: tuple[int, dt.date, dt.date]) -> Any:
        pk, start, end = q
        m = viewed[pk]
        pays, schedule, past = preloaded[pk]
        st = member_status(m, start, payments=pays, schedule=schedule, fund=m.fund)
        return evaluate(rule, facts_from_status(m, st), event_date=start, event_end=end, past=past)

    statements = {q: _capture(lambda q=q: ours_eval(q)) for q in queries}

    def ours(q: Any) -> int:
        ours_eval(q)
        return 1

    def ours_python(q: Any) -> int:
        python_eval(q)
        return 1

    def ours_sql(q: Any) -> int:
        rows = 0
        with connection.cursor() as cur:
            for sql in statements[q]:
                cur.execute(sql)
                rows += len(cur.fetchall())
        return rows

    def baseline(q: Any) -> int:
        with connection.cursor() as cur:
            cur.execute(BASELINE_PAYMENTS_SQL, [q[0]])
            rows = len(cur.fetchall())
            cur.execute(BASELINE_CLAIMS_SQL, [q[0]])
            return rows + len(cur.fetchall())

    # Every way must agree before anything is timed.
    outcomes: Counter[str] = Counter()
    amounts = []
    for q in queries:
        a, b = ours_eval(q), python_eval(q)
        if (a.eligible, a.amount, a.units, a.texts()) != (b.eligible, b.amount, b.units, b.texts()):
            raise AssertionError(f"claim {q}: evaluations differ\n{a.texts()}\n{b.texts()}")
        pays, _schedule, past = preloaded[q[0]]
        if baseline(q) != len(pays) + len(past) + _not_counted(q[0]):
            raise AssertionError(f"member {q[0]}: the baseline read other rows")
        outcomes["eligible" if a.eligible else "refused"] += 1
        amounts.append(float(a.amount))

    fns: dict[str, Callable[[Any], int]] = {
        "ours": ours,
        "ours_sql": ours_sql,
        "ours_python": ours_python,
        "baseline": baseline,
    }
    log(f"  {n} claims (+{WARMUP} warm-up), {len(fns)} ways")
    res = measure(queries, fns)
    log(
        f"  evaluate_claim p95 {res['ours']['p95_ms']} ms vs {res['baseline']['p95_ms']} ms "
        f"(x{res['ratio_p95']}); SQL alone x{res['ratio_sql_p95']}, "
        f"Python alone x{res['ratio_python_p95']}"
    )
    sample = statements[queries[0]]
    sizes = [len(preloaded[pk][0]) for pk in pks]
    pasts = [len(preloaded[pk][2]) for pk in pks]
    return {
        "load": load,
        "queries": n,
        "seed": args.seed,
        "outcomes": dict(outcomes),
        "mean_amount": round(statistics.fmean(amounts), 2),
        "payments_per_member": {"p50": statistics.median(sizes), "max": max(sizes)},
        "past_claims_per_member": {"p50": statistics.median(pasts), "max": max(pasts)},
        "queries_per_claim": len(sample),
        **res,
        "plans": {
            "ours_sql": sample,
            "claims_plan": explain(next(s for s in sample if "benefits_claim" in s)),
            "baseline_sql": [BASELINE_PAYMENTS_SQL, BASELINE_CLAIMS_SQL],
            "baseline_plan": explain(BASELINE_CLAIMS_SQL, [pks[0]]),
        },
    }


def _not_counted(pk: int) -> int:
    """The member's claims the caps do not count (rejected ones, other benefits)."""
    from chumchon.benefits.models import Claim

    return (
        Claim.objects.filter(membership_id=pk)
        .exclude(benefit__code="hospital", state__in=("submitted", "approved", "paid"))
        .count()
    )


# ---------------------------------------------------------------------------------------------
# Running on its own (until bench/__main__.py lists the workload)
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.claim_eval --db sqlite|postgres [options of python -m bench]``: one
    database in this process (Django reads its settings once), this workload only."""
    from . import __main__ as runner
    from .worker import run_worker

    runner.WORKLOADS.setdefault(NAME, sys.modules[__name__])
    args = runner.parse_args(argv)
    if args.db == "both":
        raise SystemExit("bench.claim_eval: run one database at a time (--db sqlite|postgres)")
    args.worker = args.db
    args.only = NAME
    args.workload_names = [NAME]
    args.claim_members = args.claim_members or (QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS)
    args.claim_queries = args.claim_queries or min(args.queries, DEFAULT_QUERIES)
    return run_worker(args, runner.WORKLOADS)


if __name__ == "__main__":
    sys.exit(main())
