"""A fund's financial statements for a fiscal year, with the year before beside it.

Money comes from the ledger's monthly cache (``ledger.AccountMonth``): one aggregate query sums
every account's debits and credits to the year's last day, over the year and over the year
before. Fiscal years are whole months (``fund.fiscal_year_start_month``), so a year is a range
of month rows; a balance at a year's end is the sum of every month up to it.

The statements (see docs/reports.md "Statements"):

* **Receipts and payments** (รายรับ-รายจ่าย): how the fund's cash and bank balances moved. Every
  journal entry balances, so over any span the net debit of the cash and bank accounts equals the
  net credit of all the other accounts together. A receipt line is an income, equity or
  liability account's net credit in the year; a payment line is an expense or non-cash asset
  account's net debit. Opening cash and bank + receipts − payments = closing cash and bank,
  exactly. Every fund service posts one side to cash or bank (payments, receipts from sources,
  benefits, refunds), so each line is money that came in or went out; an entry between two
  non-cash accounts (a correction by journal) shows as a receipt on one line and an equal payment
  on another and still reconciles. Moves between cash and the bank are not receipts.
* **Income and expenditure** (รายได้-ค่าใช้จ่าย): income and expense accounts over the year; the
  surplus is income less expenses.
* **Balance sheet** (งบแสดงฐานะการเงิน) at the year's end: cash, bank and other assets against
  liabilities and the fund's equity = capital brought in (equity accounts) + the surplus of all
  years before + this year's surplus.
* **Trial balance** at the year's end (balances since the books opened; nothing is closed out).
* **Members' movement**: members at the start, joined, lapsed, resigned, died, members at the
  end, from memberships and ``funds.selectors.member_status`` (one pass per membership).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.thai import fiscal_year, fiscal_year_bounds, format_baht
from chumchon.funds.models import (
    ContributionPlan,
    Fund,
    Membership,
    MembershipEvent,
    MembershipState,
    Payment,
)
from chumchon.funds.selectors import PlanSchedule, member_status
from chumchon.ledger.models import DEBIT_NORMAL, Account, AccountKind, AccountMonth
from chumchon.reports.xlsx import append_row

ZERO = Decimal("0.00")
ONE_DAY = dt.timedelta(days=1)

# Where an account shows on the statements, from its kind and report category.
CASH, BANK, OTHER_ASSET = "cash", "bank", "other_asset"
LIABILITY, EQUITY, INCOME = "liability", "equity", "income"
BENEFIT, ADMIN, REFUND, OTHER_EXPENSE = "benefit", "admin", "refund", "other_expense"
RECEIPT_GROUPS = (INCOME, EQUITY, LIABILITY)
PAYMENT_GROUPS = (BENEFIT, ADMIN, REFUND, OTHER_EXPENSE, OTHER_ASSET)


def account_group(a: Account) -> str:
    """``cash``/``bank`` (money the fund holds), ``other_asset``, ``liability``, ``equity``,
    ``income``, ``benefit``, ``admin``, ``refund`` or ``other_expense``. Accounts a fund adds
    itself have no category: their kind decides (an is-cash asset that is not the cash account
    counts as a bank account, as on the cash book)."""
    if a.kind == AccountKind.ASSET:
        if a.is_cash:
            return CASH if a.category == "cash" else BANK
        return OTHER_ASSET
    if a.kind == AccountKind.LIABILITY:
        return LIABILITY
    if a.kind == AccountKind.EQUITY:
        return EQUITY
    if a.kind == AccountKind.INCOME:
        return INCOME
    if a.category.startswith("benefit."):
        return BENEFIT
    if a.category.startswith("admin."):
        return ADMIN
    if a.category == "refund.members":
        return REFUND
    return OTHER_EXPENSE


def natural(a: Account, debit: Decimal, credit: Decimal) -> Decimal:
    """A movement or balance on the account's normal side (debit for assets and expenses)."""
    return debit - credit if a.kind in DEBIT_NORMAL else credit - debit


# --- the ledger's figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    def __sub__(self, other: Flow) -> Flow:
        return Flow(self.debit - other.debit, self.credit - other.credit)


@dataclass(frozen=True)
class AccountFigures:
    """One account: its postings summed to the year's end, over the year and the year before."""

    account: Account
    group: str
    to_end: Flow  # everything up to the fiscal year's last day
    year: Flow  # the fiscal year
    prev_year: Flow  # the fiscal year before

    def net(self, flow: Flow) -> Decimal:
        return natural(self.account, flow.debit, flow.credit)

    @property
    def balance_end(self) -> Decimal:
        return self.net(self.to_end)

    @property
    def balance_prev_end(self) -> Decimal:
        return self.net(self.to_end - self.year)

    @property
    def balance_prev_start(self) -> Decimal:
        return self.net(self.to_end - self.year - self.prev_year)

    @property
    def movement(self) -> Decimal:
        return self.net(self.year)

    @property
    def prev_movement(self) -> Decimal:
        return self.net(self.prev_year)


CENT = Decimal("0.01")


def _d(value: Any) -> Decimal:
    """A sum from the database, to the satang (SQLite may hand back more digits)."""
    return Decimal(value).quantize(CENT) if value is not None else ZERO


def account_figures(
    book_id: int, *, start: dt.date, end: dt.date, prev_start: dt.date
) -> list[AccountFigures]:
    """Every account of the book in code order, from one aggregate over its month rows."""
    rows = (
        AccountMonth.objects.filter(book_id=book_id, month__lte=end)
        .values("account_id")
        .annotate(
            d=Sum("debit"),
            c=Sum("credit"),
            yd=Sum("debit", filter=Q(month__gte=start)),
            yc=Sum("credit", filter=Q(month__gte=start)),
            pd=Sum("debit", filter=Q(month__gte=prev_start, month__lt=start)),
            pc=Sum("credit", filter=Q(month__gte=prev_start, month__lt=start)),
        )
        .order_by()
    )
    by_account: dict[int, dict[str, Any]] = {r["account_id"]: dict(r) for r in rows}
    out = []
    for a in Account.objects.filter(book_id=book_id).order_by("code"):
        r: dict[str, Any] = by_account.get(a.pk, {})
        out.append(
            AccountFigures(
                account=a,
                group=account_group(a),
                to_end=Flow(_d(r.get("d")), _d(r.get("c"))),
                year=Flow(_d(r.get("yd")), _d(r.get("yc"))),
                prev_year=Flow(_d(r.get("pd")), _d(r.get("pc"))),
            )
        )
    return out


# --- statement rows --------------------------------------------------------------------------

LINE, HEAD, SUB, TOTAL, GRAND = "line", "head", "sub", "total", "grand"


@dataclass
class Row:
    """One line of a statement: this year's figure and last year's (None on a heading)."""

    label: str
    current: Decimal | int | None = None
    previous: Decimal | int | None = None
    key: str = ""
    style: str = LINE
    account: Account | None = None
    sign: str = ""  # "+" or "−" on the members' movement
    money: bool = True  # False: a count of members

    @property
    def is_heading(self) -> bool:
        return self.style == HEAD

    def _text(self, value: Decimal | int | None) -> str:
        if value is None:
            return ""
        return format_baht(value) if self.money else f"{int(value):,}"

    @property
    def current_text(self) -> str:
        """The figure as printed: thousands separators (and satang for money)."""
        return self._text(self.current)

    @property
    def previous_text(self) -> str:
        return self._text(self.previous)


@dataclass
class Check:
    """A reconciliation the statement must pass, shown beside it."""

    label: str
    ok: bool


@dataclass
class Statement:
    key: str
    title: str
    rows: list[Row]
    checks: list[Check] = field(default_factory=list)
    money: bool = True  # False: counts of members

    def row(self, key: str) -> Row:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _lines(
    figs: Iterable[AccountFigures], current: Any, previous: Any, *, keep_zero: bool = False
) -> list[Row]:
    out = []
    for f in figs:
        cur, prev = current(f), previous(f)
        if cur or prev or keep_zero:
            out.append(
                Row(
                    f.account.name,
                    cur,
                    prev,
                    key=f.account.category or f"account:{f.account.code}",
                    account=f.account,
                )
            )
    return out


def _sum(rows: Sequence[Row]) -> tuple[Decimal, Decimal]:
    cur = sum((Decimal(r.current or 0) for r in rows if r.style == LINE), ZERO)
    prev = sum((Decimal(r.previous or 0) for r in rows if r.style == LINE), ZERO)
    return cur, prev


def _group(figs: Sequence[AccountFigures], *groups: str) -> list[AccountFigures]:
    return [f for f in figs if f.group in groups]


def _expense_rows(figs: Sequence[AccountFigures], current: Any, previous: Any) -> list[Row]:
    """Benefits (subtotal), administration (subtotal), then refunds and other expenses."""
    rows: list[Row] = []
    benefits = _lines(_group(figs, BENEFIT), current, previous)
    if benefits:
        rows += benefits
        rows.append(Row(_("รวมจ่ายสวัสดิการแก่สมาชิก"), *_sum(benefits), key="benefits", style=SUB))
    admin = _lines(_group(figs, ADMIN), current, previous)
    if admin:
        rows += admin
        rows.append(Row(_("รวมค่าใช้จ่ายในการบริหาร"), *_sum(admin), key="admin", style=SUB))
    rows += _lines(_group(figs, REFUND, OTHER_EXPENSE), current, previous)
    return rows


def receipts_and_payments(figs: Sequence[AccountFigures]) -> Statement:
    money = _group(figs, CASH, BANK)
    opening = _lines(money, lambda f: f.balance_prev_end, lambda f: f.balance_prev_start)
    receipts = _lines(
        _group(figs, *RECEIPT_GROUPS), lambda f: f.movement, lambda f: f.prev_movement
    )
    payments = _expense_rows(figs, lambda f: f.movement, lambda f: f.prev_movement)
    payments += _lines(_group(figs, OTHER_ASSET), lambda f: f.movement, lambda f: f.prev_movement)
    closing = _lines(money, lambda f: f.balance_end, lambda f: f.balance_prev_end)
    o, r, p, c = _sum(opening), _sum(receipts), _sum(payments), _sum(closing)
    net = (r[0] - p[0], r[1] - p[1])
    rows = [
        Row(_("เงินสดและเงินฝากธนาคารต้นปี"), style=HEAD),
        *opening,
        Row(_("รวมเงินต้นปี"), *o, key="opening", style=SUB),
        Row(_("รายรับ"), style=HEAD),
        *receipts,
        Row(_("รวมรายรับ"), *r, key="receipts", style=TOTAL),
        Row(_("รายจ่าย"), style=HEAD),
        *payments,
        Row(_("รวมรายจ่าย"), *p, key="payments", style=TOTAL),
        Row(_("รายรับสูงกว่า (ต่ำกว่า) รายจ่าย"), *net, key="net", style=TOTAL),
        Row(_("เงินสดและเงินฝากธนาคารปลายปี"), style=HEAD),
        *closing,
        Row(_("รวมเงินปลายปี"), *c, key="closing", style=GRAND),
    ]
    ok = all(o[i] + net[i] == c[i] for i in (0, 1))
    return Statement(
        "receipts_payments",
        _("งบรายรับ-รายจ่าย"),
        rows,
        [Check(_("เงินต้นปี + รายรับ − รายจ่าย = เงินปลายปี"), ok)],
    )


def income_and_expenditure(figs: Sequence[AccountFigures]) -> Statement:
    income = _lines(_group(figs, INCOME), lambda f: f.movement, lambda f: f.prev_movement)
    expenses = _expense_rows(figs, lambda f: f.movement, lambda f: f.prev_movement)
    i, e = _sum(income), _sum(expenses)
    rows = [
        Row(_("รายได้"), style=HEAD),
        *income,
        Row(_("รวมรายได้"), *i, key="income", style=TOTAL),
        Row(_("ค่าใช้จ่าย"), style=HEAD),
        *expenses,
        Row(_("รวมค่าใช้จ่าย"), *e, key="expenses", style=TOTAL),
        Row(
            _("รายได้สูงกว่า (ต่ำกว่า) ค่าใช้จ่าย"),
            i[0] - e[0],
            i[1] - e[1],
            key="surplus",
            style=GRAND,
        ),
    ]
    return Statement("income_expenditure", _("งบรายได้-ค่าใช้จ่าย"), rows)


def _surplus(figs: Sequence[AccountFigures], flow: Any) -> Decimal:
    """Income less expenses over the flow ``flow(f)`` picks."""
    total = ZERO
    for f in figs:
        if f.account.kind == AccountKind.INCOME:
            total += f.net(flow(f))
        elif f.account.kind == AccountKind.EXPENSE:
            total -= f.net(flow(f))
    return total


def balance_sheet(figs: Sequence[AccountFigures]) -> Statement:
    end, prev_end = (lambda f: f.balance_end), (lambda f: f.balance_prev_end)
    assets = _lines(_group(figs, CASH, BANK), end, prev_end, keep_zero=True)
    assets += _lines(_group(figs, OTHER_ASSET), end, prev_end)
    liabilities = _lines(_group(figs, LIABILITY), end, prev_end)
    capital = _lines(_group(figs, EQUITY), end, prev_end)
    before_year = _surplus(figs, lambda f: f.to_end - f.year)
    before_prev = _surplus(figs, lambda f: f.to_end - f.year - f.prev_year)
    year = _surplus(figs, lambda f: f.year)
    prev_year = _surplus(figs, lambda f: f.prev_year)
    a, li, k = _sum(assets), _sum(liabilities), _sum(capital)
    equity = (k[0] + before_year + year, k[1] + before_prev + prev_year)
    rows = [Row(_("สินทรัพย์"), style=HEAD), *assets]
    rows.append(Row(_("รวมสินทรัพย์"), *a, key="assets", style=GRAND))
    if liabilities:
        rows += [Row(_("หนี้สิน"), style=HEAD), *liabilities]
        rows.append(Row(_("รวมหนี้สิน"), *li, key="liabilities", style=TOTAL))
    rows += [
        Row(_("ทุนของกองทุน"), style=HEAD),
        *capital,
        Row(
            _("รายได้สูงกว่าค่าใช้จ่ายสะสมยกมา"),
            before_year,
            before_prev,
            key="surplus_brought_forward",
        ),
        Row(_("รายได้สูงกว่า (ต่ำกว่า) ค่าใช้จ่ายปีนี้"), year, prev_year, key="surplus_year"),
        Row(_("รวมทุนของกองทุน"), *equity, key="equity", style=TOTAL),
        Row(
            _("รวมหนี้สินและทุนของกองทุน"),
            li[0] + equity[0],
            li[1] + equity[1],
            key="liabilities_equity",
            style=GRAND,
        ),
    ]
    ok = all(a[i] == li[i] + equity[i] for i in (0, 1))
    return Statement(
        "balance_sheet",
        _("งบแสดงฐานะการเงิน"),
        rows,
        [Check(_("สินทรัพย์ = หนี้สิน + ทุนของกองทุน"), ok)],
    )


@dataclass
class TrialLine:
    account: Account
    debit: Decimal  # net debit balance at the year's end, or 0
    credit: Decimal
    prev_debit: Decimal  # at the end of the year before
    prev_credit: Decimal


@dataclass
class TrialBalance:
    lines: list[TrialLine]
    debit: Decimal
    credit: Decimal
    prev_debit: Decimal
    prev_credit: Decimal

    @property
    def ok(self) -> bool:
        return self.debit == self.credit and self.prev_debit == self.prev_credit


def trial_balance(figs: Sequence[AccountFigures]) -> TrialBalance:
    lines = []
    for f in figs:
        now = f.to_end.debit - f.to_end.credit
        before_flow = f.to_end - f.year
        before = before_flow.debit - before_flow.credit
        if now or before:
            lines.append(
                TrialLine(
                    f.account,
                    max(now, ZERO),
                    max(-now, ZERO),
                    max(before, ZERO),
                    max(-before, ZERO),
                )
            )
    return TrialBalance(
        lines,
        sum((ln.debit for ln in lines), ZERO),
        sum((ln.credit for ln in lines), ZERO),
        sum((ln.prev_debit for ln in lines), ZERO),
        sum((ln.prev_credit for ln in lines), ZERO),
    )


# --- members ---------------------------------------------------------------------------------

LAPSED, RESIGNED, DIED = "lapsed", "resigned", "dead"
_EXIT_ORDER = {DIED: 0, RESIGNED: 1, LAPSED: 2}  # on one day, death names the exit


@dataclass(frozen=True)
class MemberLife:
    """A membership's span as of a day: current from ``joined`` until the day before ``left``.

    ``left`` is the first day it no longer counts (lapse date, resignation, death), None while
    it still counts on the day the lives were taken."""

    membership_id: int
    person_id: int
    org_unit_id: int
    member_type: str
    plan_id: int
    joined: dt.date
    left: dt.date | None
    reason: str | None  # lapsed, resigned, dead

    def current_on(self, day: dt.date) -> bool:
        return self.joined <= day and (self.left is None or self.left > day)


@dataclass(frozen=True, slots=True)
class _Pay:
    date: dt.date
    contribution: Decimal


def member_lives(fund: Fund, until: dt.date) -> list[MemberLife]:
    """Every membership that joined by ``until``, with when and why it stopped counting.

    One status walk per membership (``member_status`` at ``until``, with the payments, plan
    changes and plans read in three queries for the whole fund). Lapse is sticky, resignation
    and death final, so a membership counts on every day from joining to leaving and never again.
    A membership that lapsed before its member died left on the lapse date: the walk is taken as
    if alive, and the death date (from the membership or the person) is compared with it.
    """
    members = list(
        Membership.objects.filter(fund=fund, joined_on__isnull=False, joined_on__lte=until)
        .exclude(state__in=[MembershipState.APPLIED, MembershipState.REJECTED])
        .select_related("plan", "person")
        .only(
            "id",
            "fund_id",
            "person_id",
            "org_unit_id",
            "member_type",
            "plan",
            "state",
            "applied_on",
            "joined_on",
            "ended_on",
            "end_reason",
            "person__death_date",
        )
    )
    pays: dict[int, list[_Pay]] = defaultdict(list)
    for mid, day, contribution in (
        Payment.objects.filter(fund=fund, void__isnull=True, date__lte=until)
        .values_list("membership_id", "date", "contribution")
        .order_by()
        .iterator(chunk_size=10_000)
    ):
        pays[mid].append(_Pay(day, contribution))
    events: dict[int, list[MembershipEvent]] = defaultdict(list)
    for e in MembershipEvent.objects.filter(
        membership__fund=fund, kind=MembershipEvent.Kind.PLAN
    ).only("id", "membership_id", "date", "to_value"):
        events[e.membership_id].append(e)
    plan_ids = {int(e.to_value) for es in events.values() for e in es}
    plans = {p.pk: p for p in ContributionPlan.objects.filter(pk__in=plan_ids)}
    lives = []
    for m in members:
        assert m.joined_on is not None
        schedule = PlanSchedule(m, events.get(m.pk, []), plans)
        st = member_status(
            m,
            until,
            payments=pays.get(m.pk, []),
            schedule=schedule,
            fund=fund,
            death_date=dt.date.max,
        )
        exits: list[tuple[dt.date, str]] = []
        if st.code == "lapsed" and st.lapsed_on is not None:
            exits.append((st.lapsed_on, LAPSED))
        elif st.code in ("resigned", "dead") and m.ended_on is not None:
            exits.append((m.ended_on, DIED if st.code == "dead" else RESIGNED))
        death = m.person.death_date
        if death is not None and death <= until:
            exits.append((death, DIED))
        left, reason = (
            min(exits, key=lambda x: (x[0], _EXIT_ORDER[x[1]])) if exits else (None, None)
        )
        if left is not None and left < m.joined_on:
            left = m.joined_on
        lives.append(
            MemberLife(
                membership_id=m.pk,
                person_id=m.person_id,
                org_unit_id=m.org_unit_id,
                member_type=m.member_type,
                plan_id=m.plan_id,
                joined=m.joined_on,
                left=left,
                reason=reason,
            )
        )
    return lives


@dataclass(frozen=True)
class Movement:
    start: int  # counting on the day before the year began
    joined: int
    lapsed: int
    resigned: int
    died: int
    end: int  # counting on the year's last day

    @property
    def ok(self) -> bool:
        return self.start + self.joined - self.lapsed - self.resigned - self.died == self.end


def movement(lives: Iterable[MemberLife], start: dt.date, end: dt.date) -> Movement:
    before = start - ONE_DAY
    counts = {"start": 0, "joined": 0, LAPSED: 0, RESIGNED: 0, DIED: 0, "end": 0}
    for life in lives:
        if life.current_on(before):
            counts["start"] += 1
        if start <= life.joined <= end:
            counts["joined"] += 1
        if life.left is not None and life.reason and start <= life.left <= end:
            counts[life.reason] += 1
        if life.current_on(end):
            counts["end"] += 1
    return Movement(
        counts["start"],
        counts["joined"],
        counts[LAPSED],
        counts[RESIGNED],
        counts[DIED],
        counts["end"],
    )


def members_statement(cur: Movement, prev: Movement) -> Statement:
    rows = [
        Row(_("สมาชิกต้นปี"), cur.start, prev.start, key="start", style=SUB),
        Row(_("สมาชิกใหม่"), cur.joined, prev.joined, key="joined", sign="+"),
        Row(_("ขาดสมาชิกภาพ (ค้างชำระเกินกำหนด)"), cur.lapsed, prev.lapsed, key="lapsed", sign="−"),
        Row(_("ลาออก"), cur.resigned, prev.resigned, key="resigned", sign="−"),
        Row(_("เสียชีวิต"), cur.died, prev.died, key="died", sign="−"),
        Row(_("สมาชิกปลายปี"), cur.end, prev.end, key="end", style=GRAND),
    ]
    for r in rows:
        r.money = False
    return Statement(
        "members",
        _("ความเคลื่อนไหวของสมาชิก"),
        rows,
        [Check(_("สมาชิกต้นปี + สมาชิกใหม่ − ผู้ที่พ้นสภาพ = สมาชิกปลายปี"), cur.ok and prev.ok)],
        money=False,
    )


# --- all of them -----------------------------------------------------------------------------


@dataclass
class Statements:
    fund: Fund
    fiscal_year: int  # BE
    start: dt.date
    end: dt.date
    prev_start: dt.date
    prev_end: dt.date
    as_of: dt.date  # members are counted on this day: the year's end, or today in this year
    figures: list[AccountFigures]
    receipts_payments: Statement
    income_expenditure: Statement
    balance_sheet: Statement
    trial_balance: TrialBalance
    members: Statement
    lives: list[MemberLife]

    @property
    def previous_year(self) -> int:
        return self.fiscal_year - 1

    @property
    def money_statements(self) -> list[Statement]:
        return [self.receipts_payments, self.income_expenditure, self.balance_sheet]

    @property
    def checks(self) -> list[Check]:
        out = [c for s in (*self.money_statements, self.members) for c in s.checks]
        out.append(Check(_("งบทดลอง: ยอดรวมเดบิตเท่ากับยอดรวมเครดิต"), self.trial_balance.ok))
        return out

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def year_bounds(fund: Fund, fy: int) -> tuple[dt.date, dt.date]:
    return fiscal_year_bounds(fy, start_month=fund.fiscal_year_start_month)


def fund_statements(
    fund: Fund,
    fy: int,
    *,
    today: dt.date | None = None,
    lives: list[MemberLife] | None = None,
) -> Statements:
    """The statements of fiscal year ``fy`` (BE) with the year before beside them.

    In a year not yet over, members are counted on ``today`` (a status on a later day would
    assume nobody pays again); money runs to the year's end (nothing is posted ahead).
    ``lives`` (from ``member_lives(fund, as_of)``) saves the walk when the caller has them."""
    start, end = year_bounds(fund, fy)
    prev_start, prev_end = year_bounds(fund, fy - 1)
    as_of = min(end, today or timezone.localdate())
    figs = account_figures(fund.book_id, start=start, end=end, prev_start=prev_start)
    if lives is None:
        lives = member_lives(fund, as_of)
    return Statements(
        fund=fund,
        fiscal_year=fy,
        start=start,
        end=end,
        prev_start=prev_start,
        prev_end=prev_end,
        as_of=as_of,
        figures=figs,
        receipts_payments=receipts_and_payments(figs),
        income_expenditure=income_and_expenditure(figs),
        balance_sheet=balance_sheet(figs),
        trial_balance=trial_balance(figs),
        members=members_statement(
            movement(lives, start, as_of), movement(lives, prev_start, min(prev_end, as_of))
        ),
        lives=lives,
    )


def fiscal_years(fund: Fund, today: dt.date) -> list[int]:
    """The fiscal years a fund has statements for, newest first: from the year it was founded
    (or its first posting or member, when earlier) to the current one."""
    current = fiscal_year(today, start_month=fund.fiscal_year_start_month)
    firsts = [fund.founded_on] if fund.founded_on else []
    first_month = (
        AccountMonth.objects.filter(book_id=fund.book_id)
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    if first_month:
        firsts.append(first_month)
    first_join = (
        Membership.objects.filter(fund=fund, joined_on__isnull=False)
        .order_by("joined_on")
        .values_list("joined_on", flat=True)
        .first()
    )
    if first_join:
        firsts.append(first_join)
    oldest = (
        fiscal_year(min(firsts), start_month=fund.fiscal_year_start_month) if firsts else current
    )
    oldest = max(min(oldest, current), current - 40)
    return list(range(current, oldest - 1, -1))


def default_fiscal_year(fund: Fund, today: dt.date) -> int:
    """The last fiscal year that has ended (the one the statements and the form are made for)."""
    return fiscal_year(today, start_month=fund.fiscal_year_start_month) - 1


# --- Excel -----------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00;-#,##0.00"
COUNT_FORMAT = "#,##0"


def write_xlsx(s: Statements, out: Any) -> None:
    """The statements as a workbook (one sheet each) written to ``out`` (a path or a file):
    real numbers with number formats, BE years in the headers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from chumchon.core.thai import format_be_date

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head = _("ปี %(fy)s") % {"fy": s.fiscal_year}
    prev = _("ปี %(fy)s") % {"fy": s.previous_year}
    period = _("ปีงบประมาณ %(fy)s (%(a)s – %(b)s)") % {
        "fy": s.fiscal_year,
        "a": format_be_date(s.start, "long"),
        "b": format_be_date(s.end, "long"),
    }

    def sheet(title: str, columns: list[str]) -> Any:
        ws = wb.create_sheet(title=title[:31])
        append_row(ws, [s.fund.name])
        append_row(ws, [title])
        append_row(ws, [period])
        for r in (1, 2):
            ws.cell(row=r, column=1).font = bold
        append_row(ws, [])
        append_row(ws, columns)
        for c in range(1, len(columns) + 1):
            cell = ws.cell(row=5, column=c)
            cell.font = bold
            if c > 1:
                cell.alignment = Alignment(horizontal="right")
        ws.column_dimensions["A"].width = 46
        for letter in "BCDE":
            ws.column_dimensions[letter].width = 18
        ws.freeze_panes = "B6"
        return ws

    for st in (*s.money_statements, s.members):
        ws = sheet(st.title, [_("รายการ"), head, prev])
        fmt = MONEY_FORMAT if st.money else COUNT_FORMAT
        for r in st.rows:
            label = f"{r.sign} {r.label}".strip() if r.sign else r.label
            if r.style == HEAD:
                append_row(ws, [label])
                ws.cell(row=ws.max_row, column=1).font = bold
                continue
            append_row(ws, [label, r.current, r.previous])
            row = ws.max_row
            for c in (2, 3):
                ws.cell(row=row, column=c).number_format = fmt
            if r.style != LINE:
                for c in (1, 2, 3):
                    ws.cell(row=row, column=c).font = bold
            else:
                ws.cell(row=row, column=1).alignment = Alignment(indent=1)
    tb = s.trial_balance
    ws = sheet(
        _("งบทดลอง"),
        [
            _("บัญชี"),
            _("เดบิต %(y)s") % {"y": s.fiscal_year},
            _("เครดิต %(y)s") % {"y": s.fiscal_year},
            _("เดบิต %(y)s") % {"y": s.previous_year},
            _("เครดิต %(y)s") % {"y": s.previous_year},
        ],
    )
    for ln in tb.lines:
        append_row(
            ws,
            [
                f"{ln.account.code} {ln.account.name}",
                ln.debit,
                ln.credit,
                ln.prev_debit,
                ln.prev_credit,
            ],
        )
        for c in (2, 3, 4, 5):
            ws.cell(row=ws.max_row, column=c).number_format = MONEY_FORMAT
    append_row(ws, [_("รวม"), tb.debit, tb.credit, tb.prev_debit, tb.prev_credit])
    for c in range(1, 6):
        cell = ws.cell(row=ws.max_row, column=c)
        cell.font = bold
        if c > 1:
            cell.number_format = MONEY_FORMAT
    wb.save(out)
