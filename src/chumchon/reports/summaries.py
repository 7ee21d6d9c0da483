"""Summaries for dashboards: ``FundSnapshot`` rows per fund and per village group, per month.

``refresh_fund`` rebuilds a fund's rows from its founding month to the month of ``as_of``: one
row for the fund's own unit (every member) and one for each village group (the members of the
group), each month holding

- ``members_ever``: distinct persons who had joined by the month's end (rejoining counts once);
- ``active`` / ``arrears`` / ``lapsed`` / ``resigned`` / ``dead``: memberships in each status at
  the month's end (``as_of`` for the current month), by the same rule as
  ``funds.selectors.member_status``;
- ``joined`` / ``left``: memberships that began in the month, and that stopped being current in
  it (lapsed, resigned or died);
- ``by_type``: current members (active or in arrears) per member type at the month's end;
- ``dues_expected``: contributions falling due in the month by the plans of current members
  (each period's amount on its due date, while the membership is current);
- ``dues_paid``: contributions received in the month (live payments' ``contribution`` by date;
  a group's row counts payments taken in that group);
- ``claims_pending``: claims submitted but not yet decided against or paid at the month's end.

A member who moved between village groups counts in the group they were in on the day (moves
are read from the membership's events); claims count in the member's current group.

It reads each fund's rows once (memberships, payments, plan and move events, claims) and walks
each member's payments once across all months, then replaces the fund's rows in one transaction.
The services keep the rows current: they send ``funds.signals.fund_changed``, and
``summaries_touch`` queues one refresh per fund when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.benefits.models import Claim, ClaimState
from chumchon.core.querying import prefix_q
from chumchon.funds.models import (
    ContributionPlan,
    Fund,
    Membership,
    MembershipEvent,
    MembershipState,
    Payment,
)
from chumchon.funds.selectors import (
    ONE_DAY,
    PlanSchedule,
    _walk,
    add_months,
    due_dates,
    member_status,
)

from .models import FundSnapshot

log = logging.getLogger(__name__)

ZERO = Decimal("0.00")
NEVER = dt.date.max  # a death date that never comes (to learn a lapse date despite a death)
MEMBER_STATES = (MembershipState.APPROVED, MembershipState.RESIGNED, MembershipState.DIED)


def _today() -> dt.date:
    return timezone.localdate()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from ``first``'s month to ``last``'s month (inclusive)."""
    out: list[dt.date] = []
    m = month_start(first)
    end = month_start(last)
    while m <= end:
        out.append(m)
        m = add_months(m, 1)
    return out


class _Paid(NamedTuple):
    date: dt.date
    contribution: Decimal


@dataclass
class _Cell:
    """One unit's figures for one month while they are being counted."""

    ever: int = 0
    active: int = 0
    arrears: int = 0
    lapsed: int = 0
    resigned: int = 0
    dead: int = 0
    joined: int = 0
    left: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    dues_expected: Decimal = ZERO
    dues_paid: Decimal = ZERO
    claims_pending: int = 0


class _Grid:
    """Cells per (unit, month index); the fund's own unit also takes every member's figures."""

    def __init__(self, fund_unit: int, units: Iterable[int], months: list[dt.date]) -> None:
        self.fund_unit = fund_unit
        self.months = months
        self.first = months[0]
        self.cells: dict[int, list[_Cell]] = {
            u: [_Cell() for _ in months] for u in {fund_unit, *units}
        }

    def index(self, day: dt.date) -> int:
        return (day.year - self.first.year) * 12 + day.month - self.first.month

    def targets(self, unit: int | None, k: int) -> list[_Cell]:
        """The fund's cell, and the group's when the member is in one of the fund's groups."""
        cells = [self.cells[self.fund_unit][k]]
        if unit is not None and unit != self.fund_unit and unit in self.cells:
            cells.append(self.cells[unit][k])
        return cells


class _Groups:
    """Which unit a membership was in on a day, from its move events (names of units)."""

    def __init__(self, m: Membership, moves: list[MembershipEvent], by_name: dict[str, int]):
        self.current = m.org_unit_id
        self.steps: list[tuple[dt.date, int]] = []
        self.start = self.current
        if not moves:
            return
        resolved: list[tuple[dt.date, int, int]] = []
        for e in moves:
            src, dst = by_name.get(e.from_value), by_name.get(e.to_value)
            if src is None or dst is None:
                return  # a renamed or ambiguous unit: keep the member in today's group throughout
            resolved.append((e.date, src, dst))
        self.start = resolved[0][1]
        self.steps = [(d, dst) for d, _src, dst in resolved]

    def at(self, day: dt.date) -> int:
        unit = self.start
        for since, to in self.steps:
            if since <= day:
                unit = to
            else:
                break
        return unit


def _fund_units(fund: Fund) -> tuple[list[int], dict[str, int]]:
    """The fund's village groups (and other units below it) and a name → id map of them."""
    rows = list(
        OrgUnit.objects.filter(prefix_q("path", fund.org_unit.path))
        .exclude(pk=fund.org_unit_id)
        .values_list("pk", "name", "kind")
    )
    names: Counter[str] = Counter(name for _pk, name, _k in rows)
    by_name = {name: pk for pk, name, _k in rows if names[name] == 1}
    by_name.setdefault(fund.org_unit.name, fund.org_unit_id)
    groups = [pk for pk, _n, kind in rows if kind == OrgUnitKind.VILLAGE_GROUP]
    return groups, by_name


def _first_day(fund: Fund, as_of: dt.date) -> dt.date:
    """The founding date, or the earliest join or payment when it is missing or later."""
    candidates = [as_of]
    if fund.founded_on:
        candidates.append(fund.founded_on)
    joined = (
        Membership.objects.filter(fund=fund, joined_on__isnull=False)
        .order_by("joined_on")
        .values_list("joined_on", flat=True)
        .first()
    )
    if joined:
        candidates.append(joined)
    paid = Payment.objects.filter(fund=fund).order_by("date").values_list("date", flat=True).first()
    if paid:
        candidates.append(paid)
    return min(candidates)


def compute_fund(fund: Fund, as_of: dt.date | None = None) -> list[FundSnapshot]:
    """The fund's snapshot rows (unsaved) from its first month to the month of ``as_of``."""
    as_of = as_of or _today()
    fund = Fund.objects.select_related("org_unit").get(pk=fund.pk)
    months = months_between(_first_day(fund, as_of), as_of)
    ends = [min(add_months(m, 1) - ONE_DAY, as_of) for m in months]
    groups, by_name = _fund_units(fund)
    grid = _Grid(fund.org_unit_id, groups, months)
    last = len(months) - 1

    members = list(
        Membership.objects.filter(
            fund=fund, state__in=MEMBER_STATES, joined_on__isnull=False, joined_on__lte=as_of
        )
        .select_related("person", "plan")
        .order_by("pk")
    )
    pays: dict[int, list[_Paid]] = defaultdict(list)
    for mid, day, contribution, unit in (
        Payment.objects.filter(fund=fund, void__isnull=True, date__lte=as_of)
        .values_list("membership_id", "date", "contribution", "org_unit_id")
        .order_by("date", "pk")
    ):
        pays[mid].append(_Paid(day, Decimal(contribution)))
        for cell in grid.targets(unit, grid.index(day)):
            cell.dues_paid += contribution
    plan_events: dict[int, list[MembershipEvent]] = defaultdict(list)
    moves: dict[int, list[MembershipEvent]] = defaultdict(list)
    for e in MembershipEvent.objects.filter(
        membership__fund=fund, kind__in=[MembershipEvent.Kind.PLAN, MembershipEvent.Kind.MOVE]
    ).order_by("date", "at", "pk"):
        (plan_events if e.kind == MembershipEvent.Kind.PLAN else moves)[e.membership_id].append(e)
    plan_ids = {int(e.to_value) for es in plan_events.values() for e in es}
    plans = {p.pk: p for p in ContributionPlan.objects.filter(pk__in=plan_ids)}

    first_join: dict[int, dict[int, dt.date]] = defaultdict(dict)  # unit -> person -> day
    for m in members:
        assert m.joined_on is not None
        schedule = PlanSchedule(m, plan_events.get(m.pk, []), plans)
        where = _Groups(m, moves.get(m.pk, []), by_name)
        paid = pays.get(m.pk, [])
        joined = m.joined_on
        death = m.person.death_date
        # The lapse date (sticky) does not depend on the day asked, once it has passed.
        st = member_status(m, as_of, payments=paid, schedule=schedule, fund=fund, death_date=NEVER)
        lapsed_on = st.lapsed_on
        ended = m.ended_on if m.state != MembershipState.APPROVED else None
        exits = [d for d in (death, lapsed_on, ended) if d is not None]
        exit_day = max(min(exits), joined) if exits else None

        k0 = grid.index(joined)
        for cell in grid.targets(where.at(joined), k0):
            cell.joined += 1
        for unit in {grid.fund_unit, where.at(joined)}:
            seen = first_join[unit]
            if m.person_id not in seen or joined < seen[m.person_id]:
                seen[m.person_id] = joined
        if exit_day is not None and exit_day <= as_of:
            for cell in grid.targets(where.at(exit_day), grid.index(exit_day)):
                cell.left += 1
        # Dues while the membership is current.
        until = as_of if exit_day is None else min(as_of, exit_day - ONE_DAY)
        if until >= joined:
            for due, amount in due_dates(joined, schedule, joined - ONE_DAY, 10**6, until=until):
                for cell in grid.targets(where.at(due), grid.index(due)):
                    cell.dues_expected += amount
        # Status at each month's end: the payments walked once, carried month to month.
        by_date: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
        for p in paid:
            by_date[p.date] += p.contribution
        days = sorted(by_date)
        i = 0
        state = _walk(joined, ZERO, schedule)
        for k in range(k0, last + 1):
            end = ends[k]
            while i < len(days) and days[i] <= end:
                state = _walk(joined, by_date[days[i]], schedule, state)
                i += 1
            if death is not None and death <= end:
                code = "dead"
            elif lapsed_on is not None and lapsed_on <= end:
                code = "lapsed"
            elif ended is not None and ended <= end:
                code = "dead" if m.state == MembershipState.DIED else "resigned"
            else:
                cycles, due = state[0], state[1]
                code = "active" if cycles and due - ONE_DAY >= end else "arrears"
            for cell in grid.targets(where.at(end), k):
                setattr(cell, code, getattr(cell, code) + 1)
                if code in ("active", "arrears"):
                    cell.by_type[m.member_type] += 1

    # Everyone who ever joined, counted once per person, cumulative.
    for unit, persons in first_join.items():
        if unit not in grid.cells:
            continue
        per_month = Counter(grid.index(d) for d in persons.values())
        running = 0
        for k, cell in enumerate(grid.cells[unit]):
            running += per_month.get(k, 0)
            cell.ever = running

    _count_claims(fund, grid, ends, as_of)

    rows: list[FundSnapshot] = []
    for unit, cells in grid.cells.items():
        for month, cell in zip(months, cells, strict=True):
            rows.append(
                FundSnapshot(
                    fund=fund,
                    org_unit_id=unit,
                    month=month,
                    as_of=as_of,
                    members_ever=cell.ever,
                    active=cell.active,
                    arrears=cell.arrears,
                    lapsed=cell.lapsed,
                    resigned=cell.resigned,
                    dead=cell.dead,
                    joined=cell.joined,
                    left=cell.left,
                    by_type=dict(sorted(cell.by_type.items())),
                    dues_expected=cell.dues_expected,
                    dues_paid=cell.dues_paid,
                    claims_pending=cell.claims_pending,
                )
            )
    return rows


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _count_claims(fund: Fund, grid: _Grid, ends: list[dt.date], as_of: dt.date) -> None:
    """Claims waiting at each month's end: made by then, not yet rejected or paid by then."""
    for made_at, state, decided_at, paid_on, unit in Claim.objects.filter(fund=fund).values_list(
        "made_at", "state", "decided_at", "payout__date", "membership__org_unit_id"
    ):
        made = _local_day(made_at)
        if made is None or made > as_of:
            continue
        if state == ClaimState.REJECTED:
            closed = _local_day(decided_at) or made
        elif state in (ClaimState.PAID, ClaimState.REVERSED):
            closed = paid_on or made
        else:
            closed = None
        for k in range(max(grid.index(made), 0), len(ends)):
            if closed is not None and closed <= ends[k]:
                break
            for cell in grid.targets(unit, k):
                cell.claims_pending += 1


def refresh_fund(fund: Fund, as_of: dt.date | None = None) -> int:
    """Rebuild the fund's snapshot rows (as of ``as_of``, today by default); the row count."""
    rows = compute_fund(fund, as_of)
    with transaction.atomic():
        # One refresh of a fund at a time: a second waits here, then replaces the first's rows.
        list(Fund.objects.select_for_update().filter(pk=fund.pk).values_list("pk"))
        # A village group that moved from another fund still has that fund's rows: they are
        # replaced too (the unit's history is now this fund's to tell).
        units = {r.org_unit_id for r in rows}
        FundSnapshot.objects.filter(Q(fund_id=fund.pk) | Q(org_unit_id__in=units)).delete()
        FundSnapshot.objects.bulk_create(rows, batch_size=1000)
        _forget_pending(fund.pk)
    return len(rows)


def refresh_all(as_of: dt.date | None = None) -> dict[int, int]:
    """Refresh every fund; rows written per fund id."""
    return {
        fund.pk: refresh_fund(fund, as_of)
        for fund in Fund.objects.select_related("org_unit").order_by("pk")
    }


# --- keeping them current ---------------------------------------------------------------------


class _Pending:
    """The refreshes a transaction asks for, queued once per fund when it commits."""

    def __init__(self, fund_ids: set[int]) -> None:
        self.fund_ids = fund_ids

    def __call__(self) -> None:
        from .tasks import queue_refresh

        for fund_id in sorted(self.fund_ids):
            queue_refresh(fund_id)


def _pending() -> _Pending | None:
    conn = transaction.get_connection()
    for _sids, func, _robust in conn.run_on_commit:
        if isinstance(func, _Pending):
            return func
    return None


def _forget_pending(fund_id: int) -> None:
    """A refresh inside the transaction already counts its changes: no second one at commit."""
    pending = _pending()
    if pending is not None:
        pending.fund_ids.discard(fund_id)


def summaries_touch(fund_id: int) -> None:
    """Say the fund's figures changed: one refresh is queued when the transaction commits,
    however many changes it holds (outside a transaction: at once)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _Pending({fund_id})()
        return
    pending = _pending()
    if pending is not None:
        pending.fund_ids.add(fund_id)
        return
    # Robust: a refresh that fails to queue must not turn a committed payment into an error.
    transaction.on_commit(_Pending({fund_id}), robust=True)


def on_fund_changed(sender: Any, fund_id: int, **kwargs: Any) -> None:
    """Receiver of ``funds.signals.fund_changed`` (connected in ``ReportsConfig.ready``)."""
    summaries_touch(int(fund_id))
