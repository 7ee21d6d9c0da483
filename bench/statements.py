"""Workload ``statements``: the yearly statements and the CODI status form of a big fund, against
a hand-written SQL aggregate over the postings of the same figures.

Runs inside a worker on the data ``dataset.load`` put in its database (it borrows living persons
from it, as members). It opens one fund of its own under the province network (10 village
groups, the example regulation of domain.md) with ``--stmt-members`` members and
``--stmt-years`` fiscal years of books, FY2559 (from 1 Oct 2015) on, built month by month:

* members join over the years (half at the start), on the monthly plan: 70 % hand in 90 baht a
  quarter, 30 % 360 baht a year (the entry fee of 20 with the first payment); 4 % stop paying
  (they lapse), 2 % resign, 1.5 % die; 15 % are elderly, 10 % children, a few disabled or
  disadvantaged; 15 % pay by transfer;
* each month: the payments of the month's collection days, about 0.25 % of members paid a
  hospital benefit and every member who died that month a death benefit (claims and payouts),
  the fund worker's pay and (quarterly) a meeting; each year an อปท. grant, a round of state
  matching via CODI (with its frozen member list), and bank interest.

All money goes in through ``ledger.post_many`` (one call per month: numbered, hash-chained,
balanced, the account totals and the monthly cache ``AccountMonth`` kept), and the payment,
fund-receipt, claim and payout rows are bulk-inserted pointing at the entries it returned. A few
payouts are reversed and a few receipts voided through the services. ``verify_book`` must pass.

Then, for the last fiscal year, timed ``--stmt-repeat`` times each way (after one untimed run):

* ``ours`` — ``reports.statements.fund_statements`` then ``reports.codi_form.codi_form`` on it:
  everything the statements page and the form page show, members included;
* ``ours_money`` — the same with no members (an empty member list): the money figures only;
* ``baseline`` — two hand-written SQL statements: debits and credits per account over the
  postings (to the year's end, in the year, in the year before), and benefits per category
  (persons, cases, baht) over the payouts less their reversals.

Both ways must give the same per-account figures and benefit totals before anything is timed.
The members' part (one status walk per membership) is timed on its own as ``member_lives``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .dataset import Dataset
from .fund_posting import AutoAnalyze, fund_with_groups, living_person_ids, members_bulk, treasurer
from .timing import compare, log, timed_ms

NAME = "statements"
DEFAULT_MEMBERS = 5_000
QUICK_MEMBERS = 500
DEFAULT_YEARS = 10
DEFAULT_REPEAT = 5
GROUPS = 10
FIRST = dt.date(2015, 10, 1)  # FY2559 begins
ZERO = Decimal("0.00")
FEE = Decimal("20.00")
CENT = Decimal("0.01")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("statements")
    group.add_argument(
        "--stmt-members",
        type=int,
        default=None,
        help=f"members of the fund ({DEFAULT_MEMBERS}; --quick {QUICK_MEMBERS})",
    )
    group.add_argument(
        "--stmt-years",
        type=int,
        default=DEFAULT_YEARS,
        help=f"fiscal years of books from FY2559 ({DEFAULT_YEARS})",
    )
    group.add_argument(
        "--stmt-repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"timed runs of each way ({DEFAULT_REPEAT})",
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    members = args.stmt_members or (QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS)
    return [
        "--stmt-members",
        str(members),
        "--stmt-years",
        str(args.stmt_years),
        "--stmt-repeat",
        str(args.stmt_repeat),
    ]


# ---------------------------------------------------------------------------------------------
# The fund's books
# ---------------------------------------------------------------------------------------------


def _month(i: int) -> dt.date:
    from chumchon.funds.selectors import add_months

    return add_months(FIRST, i)


@dataclass
class Plan:
    """How one member pays and leaves (month indexes from FIRST)."""

    index: int
    group: int
    join: int
    every: int  # months covered by each payment: 3 or 12
    exit: int | None  # first month with nothing paid (lapse, resignation, death)
    reason: str  # "", lapsed, resigned, died
    transfer: bool


def _plans(n: int, months: int, seed: int) -> list[Plan]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        join = 0 if rng.random() < 0.5 else rng.randrange(1, max(2, months - 12))
        r = rng.random()
        reason = "lapsed" if r < 0.04 else "resigned" if r < 0.06 else "died" if r < 0.075 else ""
        exit_month = rng.randrange(join + 3, months) if reason and join + 3 < months else None
        out.append(
            Plan(
                index=i,
                group=rng.randrange(GROUPS),
                join=join,
                every=3 if rng.random() < 0.7 else 12,
                exit=exit_month,
                reason=reason if exit_month is not None else "",
                transfer=rng.random() < 0.15,
            )
        )
    return out


def _day(month: dt.date, group: int) -> dt.date:
    return month.replace(day=3 + 2 * group)


def build(args: argparse.Namespace, data: Dataset) -> tuple[Any, dict[str, Any]]:
    """The fund and its books; returns the fund and figures of the load."""
    from django.db import transaction

    from chumchon.benefits import services_claims
    from chumchon.benefits.example import example_regulation
    from chumchon.benefits.models import BenefitType, Claim, Payout
    from chumchon.core.thai import fiscal_year
    from chumchon.funds import services as fs
    from chumchon.funds.models import Fund, FundReceipt, Membership, MemberType, Payment
    from chumchon.ledger import services as ledger
    from chumchon.ledger.models import Sequence as LedgerSequence
    from chumchon.people.models import Person

    n, months = args.stmt_members, args.stmt_years * 12
    figures: dict[str, Any] = {"members": n, "years": args.stmt_years}
    t0 = time.perf_counter()
    user = treasurer(data.network)
    bf = fund_with_groups(user, data.network, "กองทุนทดสอบงบการเงินและแบบแสดงสถานะ", GROUPS)
    fund = bf.fund
    Fund.objects.filter(pk=fund.pk).update(founded_on=FIRST)
    fund.founded_on = FIRST
    version = example_regulation(fund, actor=user, effective_from=FIRST)
    benefits = {b.code: b for b in BenefitType.objects.filter(version=version)}
    plans = _plans(n, months, args.seed + 51)
    person_ids = living_person_ids(n)
    joined = [_day(_month(p.join), p.group) for p in plans]
    members = members_bulk(bf, user, person_ids, [p.group for p in plans], joined)
    rng = random.Random(args.seed + 52)
    kinds = [
        MemberType.ELDERLY
        if r < 0.15
        else MemberType.CHILD
        if r < 0.25
        else MemberType.DISABLED
        if r < 0.27
        else MemberType.DISADVANTAGED
        if r < 0.30
        else ""
        for r in (rng.random() for _ in range(n))
    ]
    for kind in (
        MemberType.ELDERLY,
        MemberType.CHILD,
        MemberType.DISABLED,
        MemberType.DISADVANTAGED,
    ):
        ids = [m.pk for m, k in zip(members, kinds, strict=True) if k == kind]
        for i in range(0, len(ids), 900):
            Membership.objects.filter(pk__in=ids[i : i + 900]).update(member_type=kind)
    acc = {
        c: fund.account(c)
        for c in (
            "cash",
            "bank",
            "income.members",
            "income.entry_fees",
            "income.local_gov",
            "income.state_codi",
            "income.interest",
            "admin.worker_pay",
            "admin.meetings",
            "benefit.02",
            "benefit.04",
        )
    }
    figures["setup_s"] = round(time.perf_counter() - t0, 2)
    log(f"  fund of {n:,} members in {figures['setup_s']}s; {months} months of books")

    receipt_no: dict[int, int] = defaultdict(int)
    voucher_no: dict[int, int] = defaultdict(int)
    claim_no = 0
    by_member_paid: dict[int, int] = {}  # member index -> months covered so far
    post_s = rows_s = 0.0
    entries = payments = payouts = 0
    autoanalyze = AutoAnalyze(until=200_000)
    for mi in range(months):
        first = _month(mi)
        fy = fiscal_year(first)
        specs: list[ledger.EntrySpec] = []
        pay_rows: list[tuple[Plan, dt.date, Decimal, Decimal, bool]] = []
        for p in plans:
            if mi < p.join or (p.exit is not None and mi >= p.exit):
                continue
            covered = by_member_paid.get(p.index, 0)
            if covered > mi - p.join:  # still paid up
                continue
            day = _day(first, p.group)
            contribution = Decimal(30 * p.every)
            fee = FEE if covered == 0 else ZERO
            by_member_paid[p.index] = covered + p.every
            money = acc["bank"] if p.transfer else acc["cash"]
            lines = [
                ledger.debit(money, contribution + fee),
                ledger.credit(acc["income.members"], contribution),
            ]
            if fee:
                lines.append(ledger.credit(acc["income.entry_fees"], fee))
            receipt_no[fy] += 1
            label = f"{fy}/{receipt_no[fy]:05d}"
            specs.append(
                ledger.EntrySpec(
                    date=day,
                    memo=f"รับชำระจากสมาชิกเลขที่ {p.index + 1} ใบเสร็จ {label}",
                    lines=lines,
                    source_type="payment",
                    source_id=label,
                )
            )
            pay_rows.append((p, day, contribution, fee, p.transfer))
        n_pay = len(specs)
        receipts: list[tuple[str, int | None, dt.date, Decimal, str]] = []
        if first.month == 12:
            receipts.append(
                ("local_gov", None, first.replace(day=15), Decimal("10000"), "transfer")
            )
        if first.month == 3:
            receipts.append(
                (
                    "state_codi",
                    fy - 2558,
                    first.replace(day=20),
                    Decimal("50000") + 1000 * (fy - 2559),
                    "transfer",
                )
            )
        if first.month == 6:
            receipts.append(
                ("interest", None, first.replace(day=30), Decimal("1234.56"), "transfer")
            )
        for source, round_no, day, amount, _m in receipts:
            income = acc[
                {
                    "local_gov": "income.local_gov",
                    "state_codi": "income.state_codi",
                    "interest": "income.interest",
                }[source]
            ]
            specs.append(
                ledger.EntrySpec(
                    date=day,
                    memo=f"รับเงินจาก {source}" + (f" รอบที่ {round_no}" if round_no else ""),
                    lines=[ledger.debit(acc["bank"], amount), ledger.credit(income, amount)],
                    source_type="fund_receipt",
                    source_id=f"{source}:{round_no or ''}:{fy}",
                )
            )
        claims: list[tuple[Plan, str, dt.date, Decimal]] = []
        active = [p for p in plans if p.join <= mi and (p.exit is None or mi < p.exit)]
        for p in active:
            if rng.random() < 0.0025 and mi - p.join >= 3:
                nights = rng.randint(1, 5)
                claims.append((p, "hospital", first.replace(day=25), Decimal(150 * nights)))
        for p in plans:
            if p.reason == "died" and p.exit == mi:
                claims.append((p, "death", first.replace(day=27), Decimal("4000")))
        for p, code, day, amount in claims:
            category = benefits[code].category
            specs.append(
                ledger.EntrySpec(
                    date=day,
                    memo=f"จ่าย{benefits[code].name} สมาชิกเลขที่ {p.index + 1}",
                    lines=[
                        ledger.debit(acc[f"benefit.{category}"], amount),
                        ledger.credit(acc["cash"], amount),
                    ],
                    source_type="benefit",
                    source_id=f"m{members[p.index].pk}:bench{mi}",
                )
            )
        specs.append(
            ledger.EntrySpec(
                date=first.replace(day=28),
                memo="ค่าตอบแทนผู้ปฏิบัติงานประจำเดือน",
                lines=[
                    ledger.debit(acc["admin.worker_pay"], Decimal("1500")),
                    ledger.credit(acc["cash"], Decimal("1500")),
                ],
            )
        )
        if first.month % 3 == 0:
            specs.append(
                ledger.EntrySpec(
                    date=first.replace(day=28),
                    memo="ค่าประชุมคณะกรรมการ",
                    lines=[
                        ledger.debit(acc["admin.meetings"], Decimal("800")),
                        ledger.credit(acc["cash"], Decimal("800")),
                    ],
                )
            )
        t1 = time.perf_counter()
        with transaction.atomic():
            posted = ledger.post_many(book=fund.book, items=specs, actor=user, chunk=2000)
            t2 = time.perf_counter()
            Payment.objects.bulk_create(
                [
                    Payment(
                        fund=fund,
                        membership=members[p.index],
                        org_unit=bf.groups[p.group],
                        date=day,
                        contribution=contribution,
                        entry_fee=fee,
                        amount=contribution + fee,
                        method="transfer" if transfer else "cash",
                        fiscal_year=fy,
                        receipt_no=int(e.source_id.split("/")[1]),
                        entry=e,
                        verify_token=secrets.token_urlsafe(16)[:22],
                        created_by=user,
                    )
                    for (p, day, contribution, fee, transfer), e in zip(
                        pay_rows, posted[:n_pay], strict=True
                    )
                ],
                batch_size=2000,
            )
            FundReceipt.objects.bulk_create(
                [
                    FundReceipt(
                        fund=fund,
                        source=source,
                        round_no=round_no,
                        fiscal_year=fy,
                        date=day,
                        amount=amount,
                        method=method,
                        entry=e,
                        created_by=user,
                    )
                    for (source, round_no, day, amount, method), e in zip(
                        receipts, posted[n_pay : n_pay + len(receipts)], strict=True
                    )
                ]
            )
            made: list[Claim] = []
            for p, code, day, amount in claims:
                claim_no += 1
                made.append(
                    Claim(
                        fund=fund,
                        number=claim_no,
                        membership=members[p.index],
                        benefit=benefits[code],
                        version=version,
                        event_date=day,
                        eligible=True,
                        evaluated_amount=amount,
                        amount=amount,
                        explanation=[],
                        payee_name=f"สมาชิกเลขที่ {p.index + 1}",
                        state="paid",
                        made_by=user,
                    )
                )
            Claim.objects.bulk_create(made)
            if made and made[0].pk is None:
                numbers = [c.number for c in made]
                made = list(Claim.objects.filter(fund=fund, number__in=numbers).order_by("number"))
            start = n_pay + len(receipts)
            out = []
            for c, (p, code, day, amount), e in zip(
                made, claims, posted[start : start + len(claims)], strict=True
            ):
                voucher_no[fy] += 1
                out.append(
                    Payout(
                        fund=fund,
                        claim=c,
                        membership=members[p.index],
                        category=benefits[code].category,
                        date=day,
                        amount=amount,
                        method="cash",
                        fiscal_year=fy,
                        voucher_no=voucher_no[fy],
                        payee_name=c.payee_name,
                        entry=e,
                        paid_by=user,
                    )
                )
            Payout.objects.bulk_create(out)
        t3 = time.perf_counter()
        post_s += t2 - t1
        rows_s += t3 - t2
        entries += len(specs)
        payments += n_pay
        payouts += len(claims)
        autoanalyze.rows(entries)
        if (mi + 1) % 12 == 0:
            log(
                f"  {mi + 1} months: {entries:,} entries ({post_s:.0f}s post_many, {rows_s:.0f}s rows)"
            )
    for name, counters in (("receipt", receipt_no), ("voucher", voucher_no)):
        for year, last in counters.items():
            LedgerSequence.objects.update_or_create(
                book=fund.book, name=name, year=year, defaults={"last": last}
            )
    LedgerSequence.objects.update_or_create(
        book=fund.book, name="claim", year=0, defaults={"last": claim_no}
    )
    # Leavers: resigned and dead memberships end; the dead get their death date.
    t4 = time.perf_counter()
    with transaction.atomic():
        for p in plans:
            if not p.reason or p.reason == "lapsed" or p.exit is None:
                continue
            m = members[p.index]
            if p.reason == "resigned":
                end = _day(_month(p.exit), p.group)
                Membership.objects.filter(pk=m.pk).update(
                    state="resigned", ended_on=end, end_reason="ลาออก"
                )
            else:
                death = _month(p.exit).replace(day=27)
                Membership.objects.filter(pk=m.pk).update(
                    state="died", ended_on=death, end_reason="เสียชีวิต"
                )
                Person.objects.filter(pk=m.person_id).update(death_date=death)
    # A few corrections through the services, as treasurers make them.
    last_fy = fiscal_year(_month(months - 1))
    for payout in Payout.objects.filter(fund=fund).order_by("-date")[:10]:
        services_claims.payout_reverse(
            actor=user, payout=payout, reason="จ่ายซ้ำ", date=payout.date + dt.timedelta(days=2)
        )
    for payment in Payment.objects.filter(fund=fund, fiscal_year=last_fy).order_by("pk")[:10]:
        fs.payment_void(
            actor=user, payment=payment, reason="บันทึกผิดคน", date=payment.date + dt.timedelta(days=1)
        )
    for year in range(fiscal_year(FIRST), last_fy + 1):
        fs.matching_round_freeze(actor=user, fund=fund, round_no=year - 2558, fiscal_year_be=year)
    figures["corrections_s"] = round(time.perf_counter() - t4, 2)
    figures.update(
        {
            "entries": entries,
            "payments": payments,
            "payouts": payouts,
            "post_many_s": round(post_s, 2),
            "rows_s": round(rows_s, 2),
            "entries_per_s": round(entries / post_s) if post_s else None,
        }
    )
    autoanalyze.now()
    t5 = time.perf_counter()
    from .fund_posting import verify

    faults = verify(fund)
    if faults:
        raise AssertionError(f"verify_book faults: {faults[:5]}")
    figures["verify_s"] = round(time.perf_counter() - t5, 2)
    figures["verified"] = True
    return fund, figures


# ---------------------------------------------------------------------------------------------
# The hand-written SQL
# ---------------------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    """A SUM as the driver returns it (SQLite: a float), to the satang."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def baseline(fund: Any, start: dt.date, end: dt.date, prev_start: dt.date) -> dict[str, Any]:
    """Per account (debit, credit) to the year end, in the year, in the year before; per benefit
    category (persons, cases, baht) to the year end and in the year — straight from the rows."""
    from django.db import connection

    q = connection.ops.quote_name
    accounts: dict[int, tuple[Decimal, ...]] = {}
    with connection.cursor() as cur:
        cur.execute(
            f"""
            SELECT p.account_id,
                   SUM(CASE WHEN p.side = 'D' THEN p.amount ELSE 0 END),
                   SUM(CASE WHEN p.side = 'C' THEN p.amount ELSE 0 END),
                   SUM(CASE WHEN p.side = 'D' AND p.date >= %s THEN p.amount ELSE 0 END),
                   SUM(CASE WHEN p.side = 'C' AND p.date >= %s THEN p.amount ELSE 0 END),
                   SUM(CASE WHEN p.side = 'D' AND p.date >= %s AND p.date < %s THEN p.amount ELSE 0 END),
                   SUM(CASE WHEN p.side = 'C' AND p.date >= %s AND p.date < %s THEN p.amount ELSE 0 END)
            FROM {q("ledger_posting")} p JOIN {q("ledger_account")} a ON a.id = p.account_id
            WHERE a.book_id = %s AND p.date <= %s
            GROUP BY p.account_id
            """,
            [start, start, prev_start, start, prev_start, start, fund.book_id, end],
        )
        for row in cur.fetchall():
            accounts[row[0]] = tuple(_dec(v) for v in row[1:])
        cur.execute(
            f"""
            SELECT o.category,
                   COUNT(DISTINCT CASE WHEN r.id IS NULL OR re.date > %s THEN o.membership_id END),
                   SUM(CASE WHEN r.id IS NULL OR re.date > %s THEN 1 ELSE 0 END),
                   SUM(o.amount) - SUM(CASE WHEN re.date <= %s THEN o.amount ELSE 0 END),
                   SUM(CASE WHEN o.date >= %s THEN o.amount ELSE 0 END)
                     - SUM(CASE WHEN re.date >= %s AND re.date <= %s THEN o.amount ELSE 0 END)
            FROM {q("benefits_payout")} o
            LEFT JOIN {q("benefits_payoutreversal")} r ON r.payout_id = o.id
            LEFT JOIN {q("ledger_journalentry")} re ON re.id = r.entry_id
            WHERE o.fund_id = %s AND o.date <= %s
            GROUP BY o.category
            """,
            [end, end, end, start, start, end, fund.pk, end],
        )
        benefits = {
            row[0]: (int(row[1]), int(row[2]), _dec(row[3]), _dec(row[4])) for row in cur.fetchall()
        }
    return {"accounts": accounts, "benefits": benefits}


# ---------------------------------------------------------------------------------------------
# The workload
# ---------------------------------------------------------------------------------------------


def _ours(fund: Any, fy: int, today: dt.date, *, members: bool) -> Any:
    from chumchon.reports import codi_form, statements

    s = statements.fund_statements(fund, fy, today=today, lives=None if members else [])
    return codi_form.codi_form(fund, fy, today=today, statements=s)


def _check(form: Any, base: dict[str, Any]) -> None:
    """Both ways give the same figures, or the workload fails."""
    ours = {
        f.account.pk: (
            f.to_end.debit,
            f.to_end.credit,
            f.year.debit,
            f.year.credit,
            f.prev_year.debit,
            f.prev_year.credit,
        )
        for f in form.statements.figures
        if any((f.to_end.debit, f.to_end.credit))
    }
    if ours != base["accounts"]:
        raise AssertionError(f"per-account figures differ: ours {ours} baseline {base['accounts']}")
    for r in form.benefits.rows:
        b = base["benefits"].get(r.code, (0, 0, ZERO, ZERO))
        got = (r.persons_total, r.cases_total, r.baht_total, r.baht_year)
        if got != (b[0], b[1], b[2], b[3]):
            raise AssertionError(f"benefits {r.code}: ours {got} baseline {b}")
    if not form.statements.ok or not form.finance.balanced or not form.benefits.matches_ledger:
        raise AssertionError("a statement does not reconcile")


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    from chumchon.core.thai import fiscal_year
    from chumchon.ledger.models import Posting
    from chumchon.reports import statements

    fund, load = build(args, data)
    months = args.stmt_years * 12
    fy = fiscal_year(_month(months - 1))
    start, end = statements.year_bounds(fund, fy)
    prev_start, _prev_end = statements.year_bounds(fund, fy - 1)
    today = end + dt.timedelta(days=60)

    form = _ours(fund, fy, today, members=True)  # untimed first run each way
    base = baseline(fund, start, end, prev_start)
    _check(form, base)
    _ours(fund, fy, today, members=False)
    ms: dict[str, list[float]] = {"ours": [], "ours_money": [], "baseline": []}
    lives_ms: list[float] = []
    for i in range(args.stmt_repeat):
        ways = [
            ("ours", lambda: _ours(fund, fy, today, members=True)),
            ("ours_money", lambda: _ours(fund, fy, today, members=False)),
            ("baseline", lambda: baseline(fund, start, end, prev_start)),
        ]
        shift = i % len(ways)
        for name, fn in ways[shift:] + ways[:shift]:
            ms[name].append(timed_ms(fn)[0])
        lives_ms.append(timed_ms(statements.member_lives, fund, end)[0])
        log(
            f"  run {i + 1}: ours {ms['ours'][-1]:.0f} ms, money {ms['ours_money'][-1]:.0f} ms, sql {ms['baseline'][-1]:.0f} ms"
        )
    rows = {name: [1] * len(v) for name, v in ms.items()}
    result = compare(ms, rows)
    m = form.members
    return {
        "fiscal_year": fy,
        "load": load,
        "figures": {
            "members_cumulative": m.cumulative,
            "members_current": m.current,
            "postings": Posting.objects.filter(account__book_id=fund.book_id).count(),
            "benefits_baht_total": str(form.benefits.total.baht_total),
            "money_balance": str(form.money.balance),
            "statement_checks_ok": form.statements.ok,
        },
        **result,
        "member_lives": {
            "p50_ms": round(statistics.median(lives_ms), 1),
            "per_member_us": round(1000 * statistics.median(lives_ms) / max(1, m.cumulative), 1),
        },
        "repeat": args.stmt_repeat,
    }
