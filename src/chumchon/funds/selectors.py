"""Reads of the fund books: coverage and status derived from payments, sheets, eligibility.

Status is never stored: ``member_status`` derives it from the membership's decisions (approved,
resigned, died), its payments and the fund's lapse rule, and says why in Thai.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from chumchon.areas.selectors import scope_q
from chumchon.core.permissions import Perm
from chumchon.core.thai import add_months, fiscal_year_bounds, format_baht, format_be_date

from .models import (
    CollectionDay,
    ContributionPlan,
    Fund,
    LapseRule,
    MatchedMember,
    Membership,
    MembershipEvent,
    MembershipState,
    Payment,
)

ZERO = Decimal("0.00")
ONE_DAY = dt.timedelta(days=1)


# --- scope ------------------------------------------------------------------------------------


def funds_visible_to(user: Any) -> QuerySet[Fund]:
    return Fund.objects.filter(
        scope_q(user, field="org_unit", perm=Perm.VIEW_BOOKS)
    ).select_related("org_unit", "book")


def memberships_visible_to(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(
        scope_q(user, field="org_unit", perm=Perm.VIEW_BOOKS)
    ).select_related("person", "org_unit", "plan", "fund__org_unit")


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(scope_q(user, field="org_unit", perm=Perm.VIEW_BOOKS))


def collection_days_visible_to(user: Any) -> QuerySet[CollectionDay]:
    return CollectionDay.objects.filter(scope_q(user, field="org_unit", perm=Perm.VIEW_BOOKS))


# --- coverage ---------------------------------------------------------------------------------


class PlanSchedule:
    """Which plan is in force on a date (plan changes are MembershipEvents of kind ``plan``)."""

    def __init__(
        self,
        m: Membership,
        events: Sequence[MembershipEvent] | None = None,
        plans: dict[int, ContributionPlan] | None = None,
    ) -> None:
        if events is None:
            events = [e for e in m.events.all() if e.kind == MembershipEvent.Kind.PLAN]
        self.steps: list[tuple[dt.date, ContributionPlan]] = []
        if events:
            ids = {int(e.to_value) for e in events}
            known = plans or {p.pk: p for p in ContributionPlan.objects.filter(pk__in=ids)}
            for e in sorted(events, key=lambda e: (e.date, e.pk or 0)):
                self.steps.append((e.date, known[int(e.to_value)]))
        self.default = m.plan

    def at(self, day: dt.date) -> ContributionPlan:
        current = self.steps[0][1] if self.steps else self.default
        for since, plan in self.steps:
            if since <= day:
                current = plan
            else:
                break
        return current


@dataclass
class Coverage:
    paid_through: dt.date | None  # last day covered; None before anything is covered
    credit: Decimal  # contributions paid beyond the last whole period (a partial payment)
    cycles: int  # whole periods paid
    next_due: dt.date | None  # the start of the first unpaid period
    next_amount: Decimal


WalkState = tuple[int, dt.date, Decimal, int]


def _walk(
    joined: dt.date, total: Decimal, schedule: PlanSchedule, state: WalkState | None = None
) -> WalkState:
    """Spend ``total`` on periods from ``joined``: (cycles, next due date, credit, month offset).

    With ``state`` (what an earlier walk returned) the walk goes on from there: spending in order
    is greedy, so walking a+b from the start ends where walking b from a's end does.
    """
    cycles, due, credit, offset = state if state is not None else (0, joined, ZERO, 0)
    credit += total
    while True:
        plan = schedule.at(due)
        if credit < plan.amount:
            return cycles, due, credit, offset
        credit -= plan.amount
        offset += plan.months
        cycles += 1
        due = add_months(joined, offset)


def coverage_from(
    m: Membership, payments: Iterable[Any], schedule: PlanSchedule | None = None
) -> Coverage:
    """Coverage from already-fetched payments (objects with ``contribution``)."""
    if m.joined_on is None:
        return Coverage(None, ZERO, 0, None, ZERO)
    schedule = schedule or PlanSchedule(m)
    total = sum((Decimal(p.contribution) for p in payments), ZERO)
    cycles, due, credit, _offset = _walk(m.joined_on, total, schedule)
    plan = schedule.at(due)
    return Coverage(
        paid_through=due - ONE_DAY if cycles else None,
        credit=credit,
        cycles=cycles,
        next_due=due,
        next_amount=plan.amount - credit,
    )


def live_payments(m: Membership, until: dt.date | None = None) -> list[Payment]:
    q = Payment.objects.filter(membership=m, void__isnull=True)
    if until:
        q = q.filter(date__lte=until)
    return list(q.order_by("date", "pk").only("date", "contribution"))


def coverage(m: Membership, *, until: dt.date | None = None) -> Coverage:
    return coverage_from(m, live_payments(m, until))


def due_dates(
    joined: dt.date,
    schedule: PlanSchedule,
    after: dt.date,
    limit: int,
    *,
    start: tuple[dt.date, int] | None = None,
    until: dt.date | None = None,
) -> list[tuple[dt.date, Decimal]]:
    """The first ``limit`` due dates (and amounts) of periods starting after ``after``.

    ``start`` (a due date and its month offset from ``joined``) skips the walk up to it;
    ``until`` stops at the last due date on or before it.
    """
    out: list[tuple[dt.date, Decimal]] = []
    due, offset = start if start is not None else (joined, 0)
    guard = 0
    while len(out) < limit and guard < 10000:
        if until is not None and due > until:
            break
        plan = schedule.at(due)
        if due > after:
            out.append((due, plan.amount))
        offset += plan.months
        due = add_months(joined, offset)
        guard += 1
    return out


# --- status -----------------------------------------------------------------------------------


@dataclass
class MemberStatus:
    code: str  # applicant, rejected, active, arrears, lapsed, resigned, dead
    label: str
    reason: str
    paid_through: dt.date | None = None
    next_due: dt.date | None = None
    arrears_days: int = 0
    missed_dues: int = 0
    amount_due: Decimal = ZERO  # owed on the day: unpaid periods already due, less credit
    lapsed_on: dt.date | None = None
    credit: Decimal = ZERO

    @property
    def in_good_standing(self) -> bool:
        return self.code in ("active", "arrears")


STATUS_LABELS = {
    "applicant": _("รอพิจารณา"),
    "rejected": _("ไม่อนุมัติ"),
    "active": _("ปกติ"),
    "arrears": _("ค้างชำระ"),
    "lapsed": _("ขาดสมาชิกภาพ"),
    "resigned": _("ลาออก"),
    "dead": _("เสียชีวิต"),
}


def _label(code: str) -> str:
    return _(STATUS_LABELS[code])


def lapse_date(
    fund: Fund,
    joined: dt.date,
    schedule: PlanSchedule,
    paid_through: dt.date | None,
    *,
    start: tuple[dt.date, int] | None = None,
) -> dt.date:
    """The day a member whose cover ends at ``paid_through`` lapses if nothing more is paid.

    ``start``: the first unpaid due date and its month offset, when the caller knows them."""
    first_unpaid = (paid_through + ONE_DAY) if paid_through else joined
    if fund.lapse_rule == LapseRule.MISSED_DUES:
        dues = due_dates(
            joined, schedule, first_unpaid - ONE_DAY, fund.lapse_missed_dues + 1, start=start
        )
        return dues[-1][0]
    return first_unpaid + dt.timedelta(days=fund.lapse_days + 1)


def member_status(
    m: Membership,
    day: dt.date,
    *,
    payments: Sequence[Any] | None = None,
    schedule: PlanSchedule | None = None,
    fund: Fund | None = None,
    death_date: dt.date | None = None,
) -> MemberStatus:
    """The status of a membership at the end of ``day``, with the reason in Thai.

    Lapse is sticky: a member lapses on the first day the fund's rule is broken, and a later
    payment does not revive the membership (they apply again). Pass ``payments`` (all live
    payments of the membership, any order) and ``schedule`` to evaluate many members at once.
    """
    fund = fund or m.fund
    if m.state == MembershipState.REJECTED:
        return MemberStatus("rejected", _label("rejected"), m.end_reason)
    if m.state == MembershipState.APPLIED or m.joined_on is None or m.joined_on > day:
        return MemberStatus(
            "applicant",
            _label("applicant"),
            _("สมัครเมื่อ %(d)s รอพิจารณา") % {"d": format_be_date(m.applied_on)},
        )
    death = death_date if death_date is not None else m.person.death_date
    if death and death <= day:
        return MemberStatus(
            "dead", _label("dead"), _("เสียชีวิตเมื่อ %(d)s") % {"d": format_be_date(death)}
        )
    schedule = schedule or PlanSchedule(m)
    if payments is None:
        payments = live_payments(m, day)
    by_date: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for p in payments:
        if p.date <= day:
            by_date[p.date] += Decimal(p.contribution)
    # One walk over the periods, carried forward payment date by payment date (linear).
    state = _walk(m.joined_on, ZERO, schedule)
    cycles, due, credit, offset = state
    paid_through: dt.date | None = None
    lapsed_on: dt.date | None = None
    for pay_day in sorted(by_date):
        limit = lapse_date(fund, m.joined_on, schedule, paid_through, start=(due, offset))
        if limit < pay_day:
            lapsed_on = limit
            break
        state = _walk(m.joined_on, by_date[pay_day], schedule, state)
        cycles, due, credit, offset = state
        paid_through = due - ONE_DAY if cycles else None
    if lapsed_on is None:
        limit = lapse_date(fund, m.joined_on, schedule, paid_through, start=(due, offset))
        if limit <= day:
            lapsed_on = limit
    ended = m.ended_on if m.state in (MembershipState.RESIGNED, MembershipState.DIED) else None
    if lapsed_on and (ended is None or lapsed_on <= ended):
        rule = (
            _("ค้างชำระเกิน %(n)s งวด") % {"n": fund.lapse_missed_dues}
            if fund.lapse_rule == LapseRule.MISSED_DUES
            else _("ค้างชำระเกิน %(n)s วัน") % {"n": fund.lapse_days}
        )
        covered = (
            _("ชำระถึง %(d)s") % {"d": format_be_date(paid_through)}
            if paid_through
            else _("ยังไม่เคยชำระเงินสมทบ")
        )
        return MemberStatus(
            "lapsed",
            _label("lapsed"),
            _("%(rule)s ตามระเบียบกองทุน (%(cov)s) ขาดสมาชิกภาพเมื่อ %(d)s")
            % {"rule": rule, "cov": covered, "d": format_be_date(lapsed_on)},
            paid_through=paid_through,
            lapsed_on=lapsed_on,
            credit=credit,
        )
    if ended and ended <= day:
        code = "dead" if m.state == MembershipState.DIED else "resigned"
        return MemberStatus(
            code,
            _label(code),
            _("%(what)s เมื่อ %(d)s: %(r)s")
            % {"what": _label(code), "d": format_be_date(ended), "r": m.end_reason},
            paid_through=paid_through,
            credit=credit,
        )
    if paid_through is not None and paid_through >= day:
        return MemberStatus(
            "active",
            _label("active"),
            _("ชำระถึง %(d)s") % {"d": format_be_date(paid_through)},
            paid_through=paid_through,
            next_due=due,
            credit=credit,
        )
    first_unpaid = (paid_through + ONE_DAY) if paid_through else m.joined_on
    open_dues = due_dates(
        m.joined_on, schedule, first_unpaid - ONE_DAY, 400, start=(due, offset), until=day
    )
    missed = [d for d in open_dues if d[0] <= day]
    owed = sum((a for _d, a in missed), ZERO) - credit
    arrears_days = (day - first_unpaid).days
    return MemberStatus(
        "arrears",
        _label("arrears"),
        _("ค้างชำระ %(n)s งวด ตั้งแต่ %(d)s (%(days)s วัน) ยอดค้าง %(a)s บาท")
        % {
            "n": len(missed),
            "d": format_be_date(first_unpaid),
            "days": arrears_days,
            "a": format_baht(owed),
        },
        paid_through=paid_through,
        next_due=first_unpaid,
        arrears_days=arrears_days,
        missed_dues=len(missed),
        amount_due=max(owed, ZERO),
        credit=credit,
    )


# --- many members at once ---------------------------------------------------------------------


@dataclass
class SheetRow:
    membership: Membership
    status: MemberStatus
    due: Decimal
    paid_today: Decimal = ZERO
    payments_today: list[Payment] = field(default_factory=list)


def statuses_for(
    memberships: Sequence[Membership], day: dt.date, *, include_day_payments: bool = True
) -> dict[int, MemberStatus]:
    """Status of many memberships with three queries (payments, plan events, plans)."""
    ids = [m.pk for m in memberships]
    pays: dict[int, list[Any]] = defaultdict(list)
    q = Payment.objects.filter(membership_id__in=ids, void__isnull=True, date__lte=day)
    if not include_day_payments:
        q = q.filter(date__lt=day)
    for p in q.only("membership_id", "date", "contribution").order_by():
        pays[p.membership_id].append(p)
    events: dict[int, list[MembershipEvent]] = defaultdict(list)
    for e in MembershipEvent.objects.filter(membership_id__in=ids, kind=MembershipEvent.Kind.PLAN):
        events[e.membership_id].append(e)
    plan_ids = {int(e.to_value) for es in events.values() for e in es}
    plans = {p.pk: p for p in ContributionPlan.objects.filter(pk__in=plan_ids)}
    out = {}
    for m in memberships:
        sched = PlanSchedule(m, events.get(m.pk, []), plans)
        out[m.pk] = member_status(m, day, payments=pays.get(m.pk, []), schedule=sched)
    return out


def collection_sheet(day: CollectionDay) -> list[SheetRow]:
    """Members of the group in member-number order with what each owes on the day."""
    members = list(
        Membership.objects.filter(
            org_unit=day.org_unit, state=MembershipState.APPROVED, joined_on__lte=day.date
        )
        .select_related("person", "plan", "fund")
        .order_by("member_no")
    )
    before = statuses_for(members, day.date, include_day_payments=False)
    fees_paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for mid, fee in (
        Payment.objects.filter(
            membership__in=[m.pk for m in members], void__isnull=True, date__lt=day.date
        )
        .values_list("membership_id")
        .annotate(t=Sum("entry_fee"))
        .order_by()
    ):
        fees_paid[mid] = fee or ZERO
    today: dict[int, list[Payment]] = defaultdict(list)
    for p in Payment.objects.filter(collection_day=day, void__isnull=True).order_by("pk"):
        today[p.membership_id].append(p)
    rows = []
    for m in members:
        st = before[m.pk]
        if st.code in ("lapsed", "dead", "resigned") and not today.get(m.pk):
            continue
        # Active means paid through the day itself: nothing falls due.
        due = ZERO if st.code == "active" else st.amount_due
        if st.code in ("active", "arrears"):
            due += max(m.fund.entry_fee - fees_paid[m.pk], ZERO)
        rows.append(
            SheetRow(
                membership=m,
                status=st,
                due=due,
                paid_today=sum((p.amount for p in today.get(m.pk, [])), ZERO),
                payments_today=today.get(m.pk, []),
            )
        )
    return rows


# --- matching ---------------------------------------------------------------------------------


@dataclass
class MatchingRow:
    membership: Membership
    status: MemberStatus
    rounds: list[int]


def matching_eligible(fund: Fund, fiscal_year_be: int) -> list[MatchingRow]:
    """Members counted for state matching in a fiscal year: a full year of membership by the
    year's last day (30 Sep) and not lapsed, resigned or dead on that day."""
    _start, end = fiscal_year_bounds(fiscal_year_be, start_month=fund.fiscal_year_start_month)
    latest_join = add_months(end, -12) + ONE_DAY
    members = list(
        Membership.objects.filter(fund=fund, joined_on__lte=latest_join)
        .filter(Q(state=MembershipState.APPROVED) | Q(ended_on__gt=end))
        .exclude(state__in=[MembershipState.APPLIED, MembershipState.REJECTED])
        .select_related("person", "plan", "org_unit")
        .order_by("member_no")
    )
    statuses = statuses_for(members, end)
    rounds: dict[int, list[int]] = defaultdict(list)
    for mm in MatchedMember.objects.filter(fund=fund).order_by("round_no"):
        rounds[mm.membership_id].append(mm.round_no)
    return [
        MatchingRow(m, statuses[m.pk], rounds.get(m.pk, []))
        for m in members
        if statuses[m.pk].in_good_standing
    ]


# --- matching money: pledged vs received per source ----------------------------------------------


@dataclass
class SourceRow:
    """Money from one source (and matching round) in one fiscal year, or since founding."""

    source: str
    label: str
    round_no: int | None
    pledged: Decimal = ZERO
    received: Decimal = ZERO
    has_pledge: bool = False

    @property
    def outstanding(self) -> Decimal:
        return max(self.pledged - self.received, ZERO)


@dataclass
class MatchingYear:
    fiscal_year: int | None  # BE; None: since the fund was founded
    rows: list[SourceRow]

    @property
    def pledged(self) -> Decimal:
        return sum((r.pledged for r in self.rows), ZERO)

    @property
    def received(self) -> Decimal:
        return sum((r.received for r in self.rows), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((r.outstanding for r in self.rows), ZERO)


def matching_summary(fund: Fund) -> tuple[list[MatchingYear], MatchingYear]:
    """Pledged, received and outstanding per source and round: per fiscal year (newest first)
    and since founding. Members' contributions (live payments) show as received, never pledged."""
    from .models import FundingSource, FundReceipt, Pledge

    order = {s: i for i, s in enumerate(FundingSource.values)}
    cells: dict[tuple[int, str, int | None], SourceRow] = {}

    def cell(fy: int, source: str, round_no: int | None) -> SourceRow:
        key = (fy, source, round_no)
        if key not in cells:
            cells[key] = SourceRow(source, str(FundingSource(source).label), round_no)
        return cells[key]

    for fy, source, rno, total in (
        Pledge.objects.filter(fund=fund)
        .values_list("fiscal_year", "source", "round_no")
        .annotate(t=Sum("amount"))
        .order_by()
    ):
        row = cell(fy, source, rno)
        row.pledged += Decimal(total)
        row.has_pledge = True
    for fy, source, rno, total in (
        FundReceipt.objects.filter(fund=fund)
        .values_list("fiscal_year", "source", "round_no")
        .annotate(t=Sum("amount"))
        .order_by()
    ):
        cell(fy, source, rno).received += Decimal(total)
    for fy, total in (
        Payment.objects.filter(fund=fund, void__isnull=True)
        .values_list("fiscal_year")
        .annotate(t=Sum("contribution"))
        .order_by()
    ):
        if total:
            cell(fy, FundingSource.MEMBERS, None).received += Decimal(total)

    def ordered(rows: Iterable[SourceRow]) -> list[SourceRow]:
        return sorted(rows, key=lambda r: (order.get(r.source, 99), r.round_no or 0))

    years = [
        MatchingYear(fy, ordered(r for k, r in cells.items() if k[0] == fy))
        for fy in sorted({k[0] for k in cells}, reverse=True)
    ]
    totals: dict[tuple[str, int | None], SourceRow] = {}
    for (_fy, source, rno), r in cells.items():
        t = totals.setdefault(
            (source, rno), SourceRow(source, r.label, rno, has_pledge=r.has_pledge)
        )
        t.pledged += r.pledged
        t.received += r.received
        t.has_pledge = t.has_pledge or r.has_pledge
    return years, MatchingYear(None, ordered(totals.values()))
