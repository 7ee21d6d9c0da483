"""Roll-ups for dashboards: the funds below any org unit, summed (village group → tambon fund →
district → province network → nation).

Everything here is an aggregate query over the summaries (``FundSnapshot``), the ledger's monthly
cache (``ledger.AccountMonth``) or small tables (funds, claims waiting, pledges and receipts of
outside money, the status form's population figure). Nothing scans postings or payments: a
province of 200 funds is a dozen queries whatever its history (``bench/rollup.py``).

Definitions (the screens say the same):

- current members: active plus in arrears at the latest summary month (the month of the fiscal
  year's end for a past year);
- population: the ``community_population`` of the fund's latest status-form year
  (``CodiFormYear``) when one was given, otherwise the living persons registered under the fund's
  units; each fund row says which. Share covered = current members / population;
- contributions due vs collected: ``dues_expected`` and ``dues_paid`` summed over the fiscal
  year's months to date;
- arrears rate: members in arrears / current members;
- balance: cash and bank (accounts tagged ``cash`` and ``bank``) at the end of each month;
- benefits: accounts tagged ``benefit.NN``, debits less credits (a reversed payout nets out);
- matching money: pledged vs received per outside source, since founding and in the year;
- claims awaiting a decision or payment: live count of claims submitted or approved.

One fund keeps its own fiscal year start month; sums over several funds use the government's
(October), so every fund's months fall into the same year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.areas.models import PATH_SEGMENT, OrgUnit, OrgUnitKind
from chumchon.benefits.models import Claim, ClaimState
from chumchon.core.querying import prefix_q
from chumchon.core.thai import fiscal_year, fiscal_year_bounds
from chumchon.funds.chart import BENEFIT_CATEGORIES
from chumchon.funds.models import SOURCE_ACCOUNT, Fund, FundingSource, FundReceipt, Pledge
from chumchon.funds.selectors import add_months
from chumchon.ledger.models import AccountMonth
from chumchon.people.models import Person

from .models import CodiFormYear, FundSnapshot

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
SERIES_MONTHS = 120  # the longest history a chart draws (ten years)
STEP = PATH_SEGMENT + 1
CASH = ("cash", "bank")

INCOME_LABELS: dict[str, str] = {
    **{category: str(FundingSource(source).label) for source, category in SOURCE_ACCOUNT.items()},
    "income.entry_fees": "ค่าสมัครสมาชิก",
}
INCOME_ORDER = {
    category: i
    for i, category in enumerate(
        ["income.members", "income.entry_fees"]
        + [SOURCE_ACCOUNT[FundingSource(s)] for s in FundingSource.values if s != "members"]
    )
}
ADMIN_LABEL = "ค่าบริหารจัดการกองทุน"
REFUND_LABEL = "เงินคืนสมาชิกลาออก"


def _today() -> dt.date:
    return timezone.localdate()


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class Figures:
    """Key figures of one fund (or one village group), or their sum over several."""

    funds: int = 0
    current: int = 0
    active: int = 0
    arrears: int = 0
    lapsed: int = 0
    resigned: int = 0
    dead: int = 0
    members_ever: int = 0
    joined: int = 0  # in the fiscal year to date
    left: int = 0
    population: int = 0
    population_funds: int = 0  # how many of the funds gave a population figure
    dues_expected: Decimal = ZERO  # in the fiscal year to date
    dues_paid: Decimal = ZERO
    balance: Decimal = ZERO
    benefits: Decimal = ZERO  # paid in the fiscal year
    claims_pending: int = 0
    pledged: Decimal = ZERO  # outside money since founding
    received: Decimal = ZERO
    pledged_received: Decimal = ZERO  # received for the pledges (same source and year)
    by_type: Counter[str] = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        for name in (
            "funds",
            "current",
            "active",
            "arrears",
            "lapsed",
            "resigned",
            "dead",
            "members_ever",
            "joined",
            "left",
            "population",
            "population_funds",
            "dues_expected",
            "dues_paid",
            "balance",
            "benefits",
            "claims_pending",
            "pledged",
            "received",
            "pledged_received",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_type.update(other.by_type)

    @property
    def coverage(self) -> Decimal | None:
        """Current members per 100 of the population (of the funds that gave one)."""
        return percent(self.current, self.population)

    @property
    def collection_rate(self) -> Decimal | None:
        return percent(self.dues_paid, self.dues_expected)

    @property
    def arrears_rate(self) -> Decimal | None:
        return percent(self.arrears, self.current)

    @property
    def received_rate(self) -> Decimal | None:
        """Money received against what was pledged (sources and years with a pledge)."""
        return percent(self.pledged_received, self.pledged)


@dataclass
class FundRow:
    fund_id: int
    unit_id: int
    name: str
    path: str
    parent_name: str
    figures: Figures
    month: dt.date | None  # latest summary month used
    as_of: dt.date | None
    updated_at: dt.datetime | None
    population_source: str  # "codi" (status form), "persons" (registered), "" (none)
    population_year: int | None = None


@dataclass
class ChildRow:
    """A unit one level down with its funds' figures summed (a link down the tree)."""

    unit_id: int
    name: str
    kind: str
    figures: Figures
    money: bool  # village groups have no books of their own


@dataclass
class MonthPoint:
    month: dt.date
    current: int = 0
    active: int = 0
    arrears: int = 0
    dues_expected: Decimal = ZERO
    dues_paid: Decimal = ZERO
    balance: Decimal | None = None


@dataclass
class MoneyRow:
    key: str
    label: str
    this_year: Decimal = ZERO
    last_year: Decimal = ZERO


@dataclass
class MatchRow:
    source: str
    label: str
    pledged: Decimal = ZERO
    received: Decimal = ZERO
    year_pledged: Decimal = ZERO
    year_received: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return max(self.pledged - self.received, ZERO)


@dataclass
class Rollup:
    unit: OrgUnit
    level: str  # "network" (several funds), "fund" or "group"
    fiscal_year: int
    fy_start: dt.date
    fy_end: dt.date
    start_month: int
    total: Figures
    funds: list[FundRow]
    children: list[ChildRow]
    series: list[MonthPoint]
    income: list[MoneyRow]
    expenses: list[MoneyRow]
    benefits: list[MoneyRow]
    matching: list[MatchRow]
    fund: Fund | None = None  # the fund itself (level fund or group)

    @property
    def money(self) -> bool:
        return self.level != "group"

    @property
    def oldest_as_of(self) -> dt.date | None:
        days = [r.as_of for r in self.funds if r.as_of]
        return min(days) if days else None

    @property
    def newest_update(self) -> dt.datetime | None:
        moments = [r.updated_at for r in self.funds if r.updated_at]
        return max(moments) if moments else None

    @property
    def missing(self) -> list[FundRow]:
        """Funds without summaries yet (never refreshed)."""
        return [r for r in self.funds if r.month is None]

    @property
    def income_total(self) -> tuple[Decimal, Decimal]:
        return (
            sum((r.this_year for r in self.income), ZERO),
            sum((r.last_year for r in self.income), ZERO),
        )

    @property
    def expenses_total(self) -> tuple[Decimal, Decimal]:
        return (
            sum((r.this_year for r in self.expenses), ZERO),
            sum((r.last_year for r in self.expenses), ZERO),
        )


# --- helpers ----------------------------------------------------------------------------------


def fund_of_unit(unit: OrgUnit) -> Fund | None:
    """The fund a unit belongs to: the fund on the unit itself or on one of its ancestors."""
    step = STEP
    prefixes = [unit.path[: i + step] for i in range(0, len(unit.path), step)]
    return (
        Fund.objects.filter(org_unit__path__in=prefixes)
        .select_related("org_unit", "book")
        .order_by("-org_unit__depth")
        .first()
    )


def _year_months(fy_start: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], fy_start
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def _snapshot_figures(row: dict[str, Any]) -> Figures:
    f = Figures(
        current=row["active"] + row["arrears"],
        active=row["active"],
        arrears=row["arrears"],
        lapsed=row["lapsed"],
        resigned=row["resigned"],
        dead=row["dead"],
        members_ever=row["members_ever"],
        claims_pending=row["claims_pending"],
    )
    f.by_type.update({k: int(v) for k, v in (row["by_type"] or {}).items()})
    return f


def _add_year(fig: Figures, sums: dict[str, Any] | None) -> None:
    if sums:
        fig.dues_expected += sums["dues_expected"] or ZERO
        fig.dues_paid += sums["dues_paid"] or ZERO
        fig.joined += sums["joined"] or 0
        fig.left += sums["left"] or 0


SNAP_FIELDS = (
    "org_unit_id",
    "fund_id",
    "month",
    "as_of",
    "updated_at",
    "active",
    "arrears",
    "lapsed",
    "resigned",
    "dead",
    "members_ever",
    "claims_pending",
    "by_type",
)


def _latest_and_year(
    unit_ids: list[int], fy_start: dt.date, last_month: dt.date
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """Per unit: its latest snapshot row up to ``last_month``, and its sums over the year."""
    year: dict[int, dict[str, Any]] = {}
    newest: dict[int, dt.date] = {}
    for uid, month, expected, paid, joined, left in (
        FundSnapshot.objects.filter(
            org_unit_id__in=unit_ids, month__gte=fy_start, month__lte=last_month
        )
        .values_list("org_unit_id")
        .annotate(Max("month"), Sum("dues_expected"), Sum("dues_paid"), Sum("joined"), Sum("left"))
        .order_by()
    ):
        newest[uid] = month
        year[uid] = {"dues_expected": expected, "dues_paid": paid, "joined": joined, "left": left}
    stale = [u for u in unit_ids if u not in newest]
    if stale:
        # Summaries last refreshed before this year began: their newest month before it.
        newest.update(
            FundSnapshot.objects.filter(org_unit_id__in=stale, month__lte=last_month)
            .values_list("org_unit_id")
            .annotate(m=Max("month"))
            .order_by()
        )
    latest: dict[int, dict[str, Any]] = {}
    if newest:
        for row in FundSnapshot.objects.filter(_unit_months(newest)).values(*SNAP_FIELDS):
            latest[row["org_unit_id"]] = row
    return latest, year


def _unit_months(unit_month: dict[int, dt.date]) -> Q:
    """Rows of these units in these months (one term per distinct month)."""
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for uid, month in unit_month.items():
        by_month[month].append(uid)
    q = Q(pk__in=[])
    for month, uids in by_month.items():
        q |= Q(month=month, org_unit_id__in=uids)
    return q


def _populations(funds: list[Fund]) -> dict[int, tuple[int, str, int | None]]:
    """Per fund: (population, source, status-form year) — the latest status form's
    ``community_population``, else the living persons registered under the fund's units."""
    out: dict[int, tuple[int, str, int | None]] = {}
    for fund_id, fy, pop in (
        CodiFormYear.objects.filter(
            fund_id__in=[f.pk for f in funds], community_population__isnull=False
        )
        .order_by("fund_id", "-fiscal_year")
        .values_list("fund_id", "fiscal_year", "community_population")
    ):
        out.setdefault(fund_id, (int(pop or 0), "codi", fy))
    rest = [f for f in funds if f.pk not in out]
    if not rest:
        return out
    paths = sorted((f.org_unit.path, f.pk) for f in rest)
    unit_q = Q()
    for path, _pk in paths:
        unit_q |= prefix_q("org_unit__path", path)
    counts: Counter[int] = Counter()
    for path, n in (
        Person.objects.filter(unit_q, death_date__isnull=True)
        .values_list("org_unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        for fund_path, fund_id in paths:
            if path.startswith(fund_path):
                counts[fund_id] += n
                break
    for f in rest:
        out[f.pk] = (counts.get(f.pk, 0), "persons", None)
    return out


# --- the roll-up ------------------------------------------------------------------------------


def rollup_for(unit: OrgUnit, *, fiscal_year_be: int | None = None) -> Rollup:
    """The dashboard figures of ``unit`` (the caller checks the user may see it)."""
    level = "network"
    group: OrgUnit | None = None
    own_fund = fund_of_unit(unit)
    if own_fund is not None and own_fund.org_unit_id == unit.pk:
        level, funds = "fund", [own_fund]
    elif own_fund is not None:
        level, funds, group = "group", [own_fund], unit
    else:
        funds = list(
            Fund.objects.filter(prefix_q("org_unit__path", unit.path))
            .select_related("org_unit", "org_unit__parent", "book")
            .order_by("org_unit__path")
        )
    start_month = funds[0].fiscal_year_start_month if level != "network" else 10
    today = _today()
    fy = fiscal_year_be or fiscal_year(today, start_month=start_month)
    fy_start, fy_end = fiscal_year_bounds(fy, start_month=start_month)
    last_month = min(fy_end, today).replace(day=1)
    if last_month < fy_start:  # a year that has not begun
        last_month = fy_start
    prev_start, _prev_end = fiscal_year_bounds(fy - 1, start_month=start_month)

    # Membership and collection figures: the summaries of the funds' units (or of the group).
    unit_of = {f.pk: (group.pk if group is not None else f.org_unit_id) for f in funds}
    latest, year = _latest_and_year(list(unit_of.values()), fy_start, last_month)
    rows: list[FundRow] = []
    by_fund: dict[int, Figures] = {}
    pops = _populations(funds) if level != "group" else {}
    for f in funds:
        uid = unit_of[f.pk]
        snap = latest.get(uid)
        fig = _snapshot_figures(snap) if snap else Figures()
        fig.funds = 1
        _add_year(fig, year.get(uid))
        pop, source, pop_year = pops.get(f.pk, (0, "", None))
        if pop:
            fig.population, fig.population_funds = pop, 1
        by_fund[f.pk] = fig
        parent = f.org_unit.parent
        rows.append(
            FundRow(
                fund_id=f.pk,
                unit_id=f.org_unit_id,
                name=group.name if group is not None else f.name,
                path=f.org_unit.path,
                parent_name=parent.name if parent is not None else "",
                figures=fig,
                month=snap["month"] if snap else None,
                as_of=snap["as_of"] if snap else None,
                updated_at=snap["updated_at"] if snap else None,
                population_source=source if pop else "",
                population_year=pop_year,
            )
        )

    # The month series: members and collection per month (last ten years to the year's end).
    series_from = add_months(last_month, -(SERIES_MONTHS - 1))
    points: dict[dt.date, MonthPoint] = {}
    for month, active, arrears, expected, paid in (
        FundSnapshot.objects.filter(
            org_unit_id__in=list(unit_of.values()), month__gte=series_from, month__lte=last_month
        )
        .values_list("month")
        .annotate(Sum("active"), Sum("arrears"), Sum("dues_expected"), Sum("dues_paid"))
        .order_by("month")
    ):
        points[month] = MonthPoint(
            month=month,
            current=active + arrears,
            active=active,
            arrears=arrears,
            dues_expected=expected or ZERO,
            dues_paid=paid or ZERO,
        )

    income: dict[str, MoneyRow] = {}
    expenses: dict[str, MoneyRow] = {}
    benefits: dict[str, MoneyRow] = {
        code: MoneyRow(code, _(label)) for code, label in BENEFIT_CATEGORIES
    }
    matching: dict[str, MatchRow] = {}
    if level != "group":
        books = {f.book_id: f.pk for f in funds}
        _money(
            books,
            by_fund,
            points,
            series_from=series_from,
            fy_start=fy_start,
            prev_start=prev_start,
            last_month=last_month,
            income=income,
            expenses=expenses,
            benefits=benefits,
        )
        matching = _matching(list(by_fund), by_fund, fy)
    # Claims waiting now (a live count of a small table); only for the current year.
    if fy_start <= today <= fy_end:
        pending_q = Q(
            fund_id__in=list(by_fund), state__in=[ClaimState.SUBMITTED, ClaimState.APPROVED]
        )
        if group is not None:
            pending_q &= Q(membership__org_unit_id=group.pk)
        for fig in by_fund.values():
            fig.claims_pending = 0
        for fund_id, n in (
            Claim.objects.filter(pending_q)
            .values_list("fund_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            by_fund[fund_id].claims_pending = n

    total = Figures()
    for fig in by_fund.values():
        total.add(fig)
    children = _children(unit, level, rows, fy_start, last_month)
    return Rollup(
        unit=unit,
        level=level,
        fiscal_year=fy,
        fy_start=fy_start,
        fy_end=fy_end,
        start_month=start_month,
        total=total,
        funds=rows,
        children=children,
        series=[points[m] for m in sorted(points)],
        income=sorted(income.values(), key=lambda r: INCOME_ORDER.get(r.key, 99)),
        expenses=sorted(expenses.values(), key=lambda r: r.key),
        benefits=[benefits[code] for code, _label in BENEFIT_CATEGORIES],
        matching=list(matching.values()),
        fund=funds[0] if level != "network" else None,
    )


def _money(
    books: dict[int, int],
    by_fund: dict[int, Figures],
    points: dict[dt.date, MonthPoint],
    *,
    series_from: dt.date,
    fy_start: dt.date,
    prev_start: dt.date,
    last_month: dt.date,
    income: dict[str, MoneyRow],
    expenses: dict[str, MoneyRow],
    benefits: dict[str, MoneyRow],
) -> None:
    """Balances, income and spending from the ledger's monthly cache (three grouped queries)."""
    book_ids = list(books)
    cash_months = (
        AccountMonth.objects.filter(
            book_id__in=book_ids, account__is_cash=True, month__lte=last_month
        )
        .values_list("month")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by("month")
    )
    running = ZERO
    for month, debit, credit in cash_months:
        running += debit - credit
        if month >= series_from:
            points.setdefault(month, MonthPoint(month=month)).balance = running
    # Months with no cash movement carry the balance of the month before.
    carried: Decimal | None = None
    opening = ZERO
    for month, debit, credit in cash_months:
        if month < series_from:
            opening += debit - credit
    for month in sorted(points):
        p = points[month]
        if p.balance is None:
            p.balance = carried if carried is not None else opening
        carried = p.balance
    for book_id, debit, credit in (
        AccountMonth.objects.filter(
            book_id__in=book_ids, account__is_cash=True, month__lte=last_month
        )
        .values_list("book_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        by_fund[books[book_id]].balance = debit - credit
    # The year and the year before, per category (and benefits per fund for the fund table).
    for category, month, kind, debit, credit in (
        AccountMonth.objects.filter(
            book_id__in=book_ids, month__gte=prev_start, month__lte=last_month
        )
        .exclude(account__is_cash=True)
        .values_list("account__category", "month", "account__kind")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        this_year = month >= fy_start
        if not category:  # an account the fund added itself: placed by its kind
            category = {"income": "income.other", "expense": "admin.other"}.get(kind, "")
        if category.startswith("income."):
            row = income.setdefault(
                category, MoneyRow(category, _(INCOME_LABELS.get(category, category)))
            )
            amount = credit - debit
        elif category.startswith("benefit."):
            code = category.split(".", 1)[1]
            if code not in benefits:
                continue
            row, amount = benefits[code], debit - credit
        elif category.startswith("admin."):
            row = expenses.setdefault("admin", MoneyRow("admin", _(ADMIN_LABEL)))
            amount = debit - credit
        elif category == "refund.members":
            row = expenses.setdefault("refund", MoneyRow("refund", _(REFUND_LABEL)))
            amount = debit - credit
        else:
            continue
        if this_year:
            row.this_year += amount
        else:
            row.last_year += amount
    total_benefits = [r for r in benefits.values() if r.this_year or r.last_year]
    if total_benefits:
        expenses["benefits"] = MoneyRow(
            "benefits",
            _("สวัสดิการแก่สมาชิก"),
            sum((r.this_year for r in total_benefits), ZERO),
            sum((r.last_year for r in total_benefits), ZERO),
        )
    for book_id, debit, credit in (
        AccountMonth.objects.filter(
            book_id__in=book_ids,
            account__category__startswith="benefit.",
            month__gte=fy_start,
            month__lte=last_month,
        )
        .values_list("book_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        by_fund[books[book_id]].benefits = debit - credit


def _matching(fund_ids: list[int], by_fund: dict[int, Figures], fy: int) -> dict[str, MatchRow]:
    """Outside money pledged vs received per source: since founding and in the year."""
    rows: dict[str, MatchRow] = {}

    def row(source: str) -> MatchRow:
        if source not in rows:
            rows[source] = MatchRow(source, str(FundingSource(source).label))
        return rows[source]

    cells: dict[str, dict[tuple[int, str, int], Decimal]] = {"pledged": {}, "received": {}}
    for model, attr in ((Pledge, "pledged"), (FundReceipt, "received")):
        for fund_id, source, year, total in (
            model.objects.filter(fund_id__in=fund_ids)  # type: ignore[attr-defined]
            .values_list("fund_id", "source", "fiscal_year")
            .annotate(t=Sum("amount"))
            .order_by()
        ):
            cells[attr][fund_id, source, year] = total
            r = row(source)
            setattr(r, attr, getattr(r, attr) + total)
            if year == fy:
                name = "year_" + attr
                setattr(r, name, getattr(r, name) + total)
            fig = by_fund[fund_id]
            setattr(fig, attr, getattr(fig, attr) + total)
    for key in cells["pledged"]:
        by_fund[key[0]].pledged_received += cells["received"].get(key, ZERO)
    order = {s: i for i, s in enumerate(FundingSource.values)}
    return dict(sorted(rows.items(), key=lambda kv: order.get(kv[0], 99)))


def _children(
    unit: OrgUnit, level: str, rows: list[FundRow], fy_start: dt.date, last_month: dt.date
) -> list[ChildRow]:
    """The units one level down: their funds summed (a fund's: its village groups)."""
    if level == "group":
        return []
    if level == "fund":
        groups = list(
            OrgUnit.objects.filter(parent=unit, kind=OrgUnitKind.VILLAGE_GROUP).order_by(
                "village__number", "name", "pk"
            )
        )
        latest, year = _latest_and_year([g.pk for g in groups], fy_start, last_month)
        out = []
        for g in groups:
            snap = latest.get(g.pk)
            fig = _snapshot_figures(snap) if snap else Figures()
            _add_year(fig, year.get(g.pk))
            out.append(ChildRow(g.pk, g.name, g.kind, fig, money=False))
        return out
    kids = list(OrgUnit.objects.filter(parent=unit).only("pk", "name", "kind", "path"))
    sums: dict[int, Figures] = {}
    for r in rows:
        kid = next((k for k in kids if r.path.startswith(k.path)), None)
        if kid is not None:
            sums.setdefault(kid.pk, Figures()).add(r.figures)
    return [
        ChildRow(k.pk, k.name, k.kind, sums[k.pk], money=True)
        for k in sorted(kids, key=lambda k: k.path)
        if k.pk in sums
    ]
