"""The demo tambon's welfare fund: about three years of books, written through the services.

``build_funds`` opens the books of the demo tambon's fund under the example regulation of
domain.md (entry fee 20; 30 monthly, 90 quarterly, 180 half-yearly or 365 yearly; lapsed after
more than 60 days unpaid; a resigning member who never received a benefit gets back 50 %), then
lives through the months from the founding meeting to today: members apply and are approved, every
village group holds a monthly collection day where most members pay what is due, some pay a year
ahead, some by bank transfer, some fall behind, a few lapse (one rejoins), a few resign with a
refund, members whose person record carries a death date die; a couple of receipts are voided
with a reason. Money comes in from the อปท. each year, a CODI seed grant once, the state through
CODI in matching rounds 1-2 (pledged, then received), donations and bank interest; the treasurer
deposits the collected cash at the bank each month and closes old fiscal years.

Every row goes through the services (``payment_record``, ``payment_void``, ``member_resign``,
``fund_receipt_record`` ...), so the ledger is a real one and ``chumchon ledger verify`` passes.
The only direct ``ledger.post`` is the monthly cash deposit (cash to bank), for which the fund
books have no service of their own yet.

The history is decided by the seed and by today's date (``timezone.localdate()``): the fund is
opened ``FundSize.months`` months before the current month. Member behaviour is planned in memory
with the fund's own rule (the same arithmetic as ``funds.selectors``), so no payment is recorded
for a member who has lapsed; ``check_status`` is therefore skipped for speed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from django.db.models import Sum
from django.utils import timezone

from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.core.thai import fiscal_year, fiscal_year_bounds, format_be_date
from chumchon.funds import services as fs
from chumchon.funds.models import (
    ContributionPlan,
    FundingSource,
    FundReceipt,
    MatchedMember,
    Membership,
    MemberType,
    Payment,
    PaymentMethod,
    PaymentVoid,
    Pledge,
    Refund,
)
from chumchon.funds.selectors import add_months
from chumchon.ledger import services as ledger
from chumchon.ledger.models import JournalEntry
from chumchon.people.models import HouseholdMember, Person, Relation
from chumchon.people.services import person_update

D = Decimal
ZERO = D("0.00")
ENTRY_FEE = D("20")
LAPSE_DAYS = 60
CASH_FLOAT = D("3000")  # cash the treasurer keeps on hand after the monthly deposit
JOIN_ADULT = 0.65  # share of adults who become members (a fund averages about 300 members)
JOIN_CHILD = 0.25  # share of children who join with a parent or grandparent

# (name, months, amount): the example regulation's plans.
PLANS: tuple[tuple[str, int, Decimal], ...] = (
    ("รายเดือน", 1, D("30")),
    ("รายไตรมาส", 3, D("90")),
    ("รายครึ่งปี", 6, D("180")),
    ("รายปี", 12, D("365")),
)
# Each village group collects on its own day of the month (all before the 28th: no clipping).
COLLECTION_DAYS = (3, 5, 8, 10, 12, 15, 17, 19, 22, 24)
DEPOSIT_DAY = 25

RESIGN_REASONS = (
    "ย้ายไปทำงานที่กรุงเทพฯ ไม่สะดวกส่งเงินสมทบ",
    "ภาระค่าใช้จ่ายในครอบครัวเพิ่มขึ้น ขอลาออก",
    "ย้ายที่อยู่ไปอยู่กับบุตรต่างจังหวัด",
    "สมัครเป็นสมาชิกกองทุนของเทศบาลที่ทำงานแล้ว",
)
MOVE_REASON = "ย้ายบ้านไปอยู่หมู่บ้านใหม่ (แจ้งที่ประชุมกลุ่ม)"


class _Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class FundSize:
    """How much history to write: ``months`` before the current month, ``share`` of households."""

    months: int
    share: float
    other_months: int


SIZES: dict[str, FundSize] = {
    "full": FundSize(months=36, share=1.0, other_months=12),
    # For tests: the same kinds of events (a matching round whatever today's month, lapses,
    # voids, refunds, a closed year) with a tenth of the households.
    "small": FundSize(months=26, share=0.1, other_months=3),
}


@dataclass
class FundSummary:
    name: str
    founded_on: dt.date
    members: int  # memberships ever approved
    statuses: dict[str, int]  # status today -> count
    applicants: int
    payments: int
    voids: int
    collection_days: int
    entries: int  # journal entries of this fund's book
    contributions: Decimal
    received: dict[str, Decimal]  # funding source -> total received
    pledged: Decimal
    rounds: list[tuple[int, int, int]]  # (round, fiscal year BE, members counted)
    refunds: int
    closed_years: list[int]
    benefits: dict[str, int] = field(default_factory=dict)  # claims, paid, rejected, runs ...


@dataclass
class FundsResult:
    funds: list[FundSummary]
    seconds: float

    @property
    def main(self) -> FundSummary:
        return self.funds[0]


# ---------------------------------------------------------------------------------------------
# A planned member: who, where, how they pay, and the running coverage (selectors' arithmetic)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Member:
    person: Person
    group: int  # index of the village group
    join_month: int  # month index from the founding month
    plan: str  # plan name
    behaviour: str  # regular | late | ahead | transfer | stop | arrears
    member_type: str | None = None
    beneficiaries: list[fs.BeneficiaryData] = field(default_factory=list)
    stop_month: int | None = None  # behaviour "stop": the last month paid (then lapses)
    resign_month: int | None = None
    rejoin_month: int | None = None  # after a lapse: applies again
    move_to: tuple[int, int] | None = None  # (month, group index)
    change_plan: tuple[int, str] | None = None  # (month, new plan name)
    # running state
    membership: Membership | None = None
    joined: dt.date | None = None
    offset: int = 0  # months covered from ``joined``
    credit: Decimal = ZERO
    schedule: list[tuple[dt.date, ContributionPlan]] = field(default_factory=list)
    paid_once: bool = False
    ended: bool = False
    lapsed: bool = False  # lapsed and going to apply again
    skipped_last: bool = False

    def plan_at(self, day: dt.date) -> ContributionPlan:
        current = self.schedule[0][1]
        for since, plan in self.schedule:
            if since <= day:
                current = plan
        return current

    @property
    def next_due(self) -> dt.date:
        assert self.joined is not None
        return add_months(self.joined, self.offset)

    def owed_before(self, limit: dt.date) -> Decimal:
        """What pays every period that starts before ``limit`` (less the credit held)."""
        assert self.joined is not None
        offset, total = self.offset, ZERO
        due = add_months(self.joined, offset)
        while due < limit:
            plan = self.plan_at(due)
            total += plan.amount
            offset += plan.months
            due = add_months(self.joined, offset)
        return max(total - self.credit, ZERO)

    def pay(self, contribution: Decimal) -> None:
        assert self.joined is not None
        self.credit += contribution
        while True:
            plan = self.plan_at(self.next_due)
            if self.credit < plan.amount:
                return
            self.credit -= plan.amount
            self.offset += plan.months

    def may_pay_on(self, day: dt.date) -> bool:
        """The fund's rule: lapsed when dues stay unpaid for more than 60 days."""
        return (day - self.next_due).days <= LAPSE_DAYS - 1


def _beneficiary_relation(member: str, other: str) -> str:
    couple = {Relation.HEAD, Relation.SPOUSE}
    if member in couple and other in couple:
        return "คู่สมรส"
    if member in couple:
        by_relation: dict[str, str] = {
            Relation.CHILD: "บุตร",
            Relation.PARENT: "บิดา/มารดา",
            Relation.GRANDCHILD: "หลาน",
            Relation.RELATIVE: "บุตรเขย/บุตรสะใภ้",
        }
        return by_relation.get(other, "ญาติ")
    if member == Relation.CHILD and other in couple:
        return "บิดา/มารดา"
    if member == Relation.PARENT and other == Relation.HEAD:
        return "บุตร"
    if member == Relation.GRANDCHILD and other in couple:
        return "ปู่ย่าตายาย"
    if member == Relation.RELATIVE and other in couple:
        return "บิดา/มารดาของคู่สมรส"
    return "ญาติ"


# ---------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------


@dataclass
class _Actors:
    chair: Any  # approves members, opens the books
    registrar: Any  # applications, resignations, deaths, moves
    treasurer: Any  # collects, voids, deposits, receipts, closes years
    collectors: list[Any]  # who runs the collection day, per group (cycled)


class _FundBuilder:
    def __init__(
        self,
        *,
        unit: OrgUnit,
        actors: _Actors,
        months: int,
        share: float,
        rng: random.Random,
        today: dt.date,
        rich: bool,
        stdout: _Writer | None,
    ) -> None:
        self.unit = unit
        self.actors = actors
        self.rng = rng
        self.today = today
        self.rich = rich  # the main fund: matching money, voids, moves, closed years ...
        self.stdout = stdout
        self.share = share
        month0 = dt.date(today.year, today.month, 1)
        self.founded = add_months(month0, -months)
        self.months = months
        self.groups = list(
            OrgUnit.objects.filter(parent=unit, kind=OrgUnitKind.VILLAGE_GROUP)
            .select_related("village")
            .order_by("village__number", "pk")
        )
        self.members: list[_Member] = []
        self.voids_pending: list[tuple[int, str]] = []  # (month, kind)
        self.diffs_pending: list[int] = []  # months
        self.closed_years: list[int] = []
        self.rounds: list[tuple[int, int, int]] = []

    # -- planning --------------------------------------------------------------------------

    def collection_date(self, month: int, group: int) -> dt.date:
        first = add_months(self.founded, month)
        return first.replace(day=COLLECTION_DAYS[group % len(COLLECTION_DAYS)])

    def plan_members(self) -> None:
        """Most adults join (six in ten at the founding meeting, the rest over the years, more
        early than late); some children join with a parent or grandparent."""
        rng = self.rng
        group_index = {g.pk: i for i, g in enumerate(self.groups)}
        households: dict[int, list[HouseholdMember]] = defaultdict(list)
        for hm in (
            HouseholdMember.objects.filter(household__org_unit__in=self.groups)
            .select_related("person", "household")
            .order_by("household_id", "pk")
        ):
            households[hm.household_id].append(hm)
        for _hid, people in sorted(households.items()):
            if rng.random() >= self.share:
                continue
            group = group_index[people[0].household.org_unit_id]
            adult_joins = False
            for hm in people:
                p = hm.person
                age = p.age_on(self.founded)
                if age is None or (p.death_date and p.death_date <= self.founded):
                    continue
                adult = age >= 18
                if adult:
                    if rng.random() >= JOIN_ADULT:
                        continue
                    adult_joins = True
                elif not (adult_joins and rng.random() < JOIN_CHILD):
                    continue
                join = 0
                if rng.random() >= 0.6:
                    join = min(self.months, int(rng.triangular(1, self.months + 1, 1)))
                if p.death_date and p.death_date <= self.collection_date(join, group):
                    continue
                self.members.append(self._plan_one(hm, people, group, join, adult))
        if self.rich:
            self._ensure_variety()
            self._ensure_a_death()
        self._plan_events()

    def _ensure_variety(self) -> None:
        """Every plan in use and someone paying by bank transfer, however few members."""
        used = {m.plan for m in self.members}
        adults = [
            m
            for m in self.members
            if m.plan == "รายเดือน"
            and m.behaviour == "regular"
            and (m.person.age_on(self.founded) or 0) >= 25
        ]
        for name, _months, _amount in PLANS:
            if name not in used and adults:
                adults.pop().plan = name
        if not any(m.behaviour == "transfer" for m in self.members) and adults:
            m = adults.pop()
            m.plan, m.behaviour = "รายปี", "transfer"

    def _ensure_a_death(self) -> None:
        """The history moves with today's date, so the people's recorded deaths may all fall
        before the fund was opened: then record one, as the registrar would, for an elderly
        founding member a few months ago."""
        reported = self.today - dt.timedelta(days=35)  # a group meeting has heard of it
        if any(
            m.person.death_date
            and self.collection_date(m.join_month, m.group) < m.person.death_date <= reported
            for m in self.members
        ):
            return
        founders = sorted(
            (m for m in self.members if m.join_month == 0),
            key=lambda m: -(m.person.age_on(self.founded) or 0),
        )
        elders = [m for m in founders if (m.person.age_on(self.founded) or 0) >= 70]
        elders = elders or founders[:1]
        if not elders:
            return
        m = self.rng.choice(elders)
        m.person = person_update(
            actor=self.actors.registrar,
            person=m.person,
            death_date=self.today - dt.timedelta(days=self.rng.randint(70, 130)),
            reason="ญาติแจ้งการเสียชีวิต พร้อมสำเนาใบมรณบัตร",
        )

    def _plan_one(
        self,
        hm: HouseholdMember,
        people: list[HouseholdMember],
        group: int,
        join: int,
        adult: bool,
    ) -> _Member:
        rng = self.rng
        p = hm.person
        age = p.age_on(self.founded) or 0
        if not adult:
            plan = "รายเดือน"
        else:
            plan = rng.choices([n for n, _m, _a in PLANS], weights=[50, 17, 13, 20])[0]
        behaviour = "regular"
        roll = rng.random()
        if plan == "รายเดือน" and roll < 0.14:
            behaviour = "late"
        elif plan == "รายเดือน" and roll < 0.22:
            behaviour = "ahead"
        elif plan == "รายปี" and adult and age < 55 and roll < 0.45:
            behaviour = "transfer"  # works away, pays the year by bank transfer
        member_type: str | None = None
        if adult and rng.random() < 0.025:
            member_type = MemberType.DISABLED
        elif adult and age >= 55 and rng.random() < 0.06:
            member_type = MemberType.DISADVANTAGED
        elif hm.relation == Relation.GRANDCHILD and not any(
            o.relation in (Relation.CHILD, Relation.RELATIVE) for o in people
        ):
            member_type = MemberType.ORPHAN if rng.random() < 0.35 else None
        others = [
            o
            for o in people
            if o.person_id != p.pk
            and o.person.death_date is None
            and (o.person.age_on(self.founded) or 0) >= 18
        ]
        order: dict[str, int] = {
            Relation.SPOUSE: 0,
            Relation.HEAD: 0,
            Relation.CHILD: 1,
            Relation.PARENT: 2,
        }
        others.sort(key=lambda o: order.get(o.relation, 3))
        bens: list[fs.BeneficiaryData] = []
        if others:
            split = len(others) > 1 and rng.random() < 0.12
            for o in others[: 2 if split else 1]:
                bens.append(
                    fs.BeneficiaryData(
                        name=f"{o.person.full_name}",
                        relation=_beneficiary_relation(hm.relation, o.relation),
                        share_percent=D("50") if split else D("100"),
                        age=o.person.age_on(self.today),
                        person=o.person,
                    )
                )
        return _Member(
            person=p,
            group=group,
            join_month=join,
            plan=plan,
            behaviour=behaviour,
            member_type=member_type,
            beneficiaries=bens,
        )

    def _plan_events(self) -> None:
        """Pick who stops paying (and lapses; one rejoins), who resigns, who is behind today,
        who moves or changes plan; which collection days see a voided receipt or a cash count
        that does not match."""
        rng = self.rng
        last = self.months
        pool = [
            m
            for m in self.members
            if m.person.death_date is None and m.behaviour in ("regular", "late")
        ]
        rng.shuffle(pool)
        n = len(self.members)

        def take(count: int, ok: Callable[[_Member], bool]) -> list[_Member]:
            chosen = [m for m in pool if ok(m)][:count]
            for m in chosen:
                pool.remove(m)
            return chosen

        # The first to stop pays again some months after lapsing (a new membership).
        for m in take(1, lambda m: m.join_month <= last - 12 and m.plan == "รายเดือน"):
            m.behaviour = "stop"
            m.stop_month = rng.randint(m.join_month + 1, last - 11)
            m.rejoin_month = rng.randint(m.stop_month + 6, last - 2)
        for m in take(max(1, round(n * 0.03)), lambda m: m.join_month <= last - 6):
            m.behaviour = "stop"
            m.stop_month = rng.randint(m.join_month + 1, last - 4)
        for m in take(max(1, round(n * 0.025)), lambda m: m.join_month <= last - 4):
            m.resign_month = rng.randint(m.join_month + 3, last - 1)
        for m in take(max(2, round(n * 0.05)), lambda m: m.plan == "รายเดือน"):
            m.behaviour = "arrears"  # has paid nothing in the last six weeks
        if not self.rich:
            return
        if len(self.groups) > 1:
            for m in take(2, lambda m: m.join_month <= last - 3):
                to = (m.group + rng.randint(1, len(self.groups) - 1)) % len(self.groups)
                m.move_to = (rng.randint(m.join_month + 1, last - 1), to)
        for m in take(2, lambda m: m.plan == "รายเดือน" and m.join_month <= last - 7):
            m.change_plan = (rng.randint(m.join_month + 3, last - 3), "รายปี")
        # Voids and cash differences happen at the first collection day of their month (or
        # later) where there is something to void or count.
        kinds = ("wrong_amount", "wrong_member", "twice")
        self.voids_pending = sorted(
            zip(rng.sample(range(1, last - 1), len(kinds)), kinds, strict=True)
        )
        self.diffs_pending = sorted(rng.sample(range(1, last - 1), 3))

    # -- writing ----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    def open_books(self) -> None:
        a = self.actors
        self.fund = fs.fund_create(
            actor=a.chair,
            org_unit=self.unit,
            founded_on=self.founded,
            entry_fee=ENTRY_FEE,
            plans=PLANS,
            lapse_rule="days",
            lapse_days=LAPSE_DAYS,
            refund_rule="if_no_benefit",
            refund_percent=D("50"),
        )
        self.plans = {p.name: p for p in ContributionPlan.objects.filter(fund=self.fund)}
        self.cash = self.fund.account("cash")
        self.bank = self.fund.account("bank")
        from .benefits import BenefitsDemo

        self.benefits = BenefitsDemo(self, random.Random(self.unit.pk * 7919 + 17), rich=self.rich)
        self.benefits.setup()

    def apply(self, m: _Member, day: dt.date) -> None:
        m.membership = fs.member_apply(
            actor=self.actors.registrar,
            fund=self.fund,
            person=m.person,
            org_unit=self.groups[m.group],
            plan=self.plans[m.plan],
            applied_on=day,
            member_type=m.member_type,
            beneficiaries=m.beneficiaries,
        )

    def approve(self, m: _Member, day: dt.date) -> None:
        assert m.membership is not None
        m.membership = fs.member_approve(
            actor=self.actors.chair, membership=m.membership, joined_on=day
        )
        m.joined = day
        m.offset, m.credit, m.paid_once = 0, ZERO, False
        m.schedule = [(day, self.plans[m.plan])]

    def record(
        self,
        m: _Member,
        day: dt.date,
        contribution: Decimal,
        *,
        cday: Any = None,
        method: str = PaymentMethod.CASH,
        actor: Any = None,
        track: bool = True,
    ) -> Payment:
        assert m.membership is not None
        fee = ZERO if m.paid_once else ENTRY_FEE
        payment = fs.payment_record(
            actor=actor or self.actors.treasurer,
            membership=m.membership,
            date=day,
            amount=contribution + fee,
            method=method,
            collection_day=cday,
            check_status=False,
        )
        if track:
            m.paid_once = True
            m.pay(contribution)
        return payment

    def run(self) -> None:
        rng = self.rng
        events: list[tuple[dt.date, int, Callable[[], None]]] = []
        for month in range(self.months + 1):
            for g in range(len(self.groups)):
                day = self.collection_date(month, g)
                if day <= self.today:
                    events.append((day, 1, partial(self.collection, month, g)))
            deposit = add_months(self.founded, month).replace(day=DEPOSIT_DAY)
            if deposit <= self.today:
                events.append((deposit, 2, partial(self.deposit, deposit)))
        events += self.money_events()
        events += self.benefits.events()
        founding_members = [m for m in self.members if m.join_month == 0]
        for m in founding_members:
            self.apply(m, self.founded)
        for _day, _prio, action in sorted(events, key=lambda e: (e[0], e[1])):
            action()
        self.finish(rng)
        self.benefits.finish()

    def active_in(self, group: int) -> list[_Member]:
        return [
            m for m in self.members if m.group == group and m.joined is not None and not m.ended
        ]

    def collection(self, month: int, group: int) -> None:
        day = self.collection_date(month, group)
        next_day = self.collection_date(month + 1, group)
        unit = self.groups[group]
        collector = self.actors.collectors[group % len(self.actors.collectors)]
        # Moves take effect at the collection day of the group they leave.
        for m in self.active_in(group):
            if m.move_to and m.move_to[0] == month and m.membership is not None:
                fs.member_move(
                    actor=self.actors.registrar,
                    membership=m.membership,
                    to_unit=self.groups[m.move_to[1]],
                    date=day,
                    reason=MOVE_REASON,
                )
                m.group, m.move_to = m.move_to[1], None
        # Deaths are reported at the next meeting of the group.
        for m in self.active_in(group):
            death = m.person.death_date
            if death and death < day and m.membership is not None:
                fs.member_record_death(actor=self.actors.registrar, membership=m.membership)
                m.ended = True
                self.benefits.death(m, day)
        # New members: applied a week before (founders at the founding meeting), approved today.
        joining = [
            m
            for m in self.members
            if m.group == group
            and m.joined is None
            and not m.ended
            and (
                (m.join_month == month and not m.lapsed)
                or (m.lapsed and m.rejoin_month is not None and month >= m.rejoin_month)
            )
        ]
        for m in joining:
            applied = max(self.founded, day - dt.timedelta(days=7))
            if m.lapsed:  # applies again: a new membership, a new entry fee
                m.behaviour, m.stop_month, m.rejoin_month = "regular", None, None
                m.lapsed = False
                self.apply(m, applied)
            elif m.membership is None:
                self.apply(m, applied)
            self.approve(m, day)
        members = sorted(
            self.active_in(group),
            key=lambda m: (m.membership.member_no or 0) if m.membership else 0,
        )
        dues = [
            (m, amount)
            for m in members
            if m.resign_month != month
            and (amount := self.amount_today(m, month, day, next_day)) > 0
        ]
        cday = None
        if any(m.behaviour != "transfer" for m, _a in dues):
            cday = fs.collection_day_open(actor=collector, fund=self.fund, org_unit=unit, date=day)
        for m, amount in dues:
            if m.behaviour == "transfer":
                self.record(m, day, amount, method=PaymentMethod.TRANSFER)
                continue
            if self.voids_pending and self.voids_pending[0][0] <= month and m.paid_once:
                _month, kind = self.voids_pending.pop(0)
                self.voided(kind, m, members, day, amount, cday, collector)
                continue
            self.record(m, day, amount, cday=cday, actor=collector)
        for m in members:
            if m.resign_month == month and m.membership is not None:
                fs.member_resign(
                    actor=self.actors.registrar,
                    membership=m.membership,
                    date=day,
                    reason=self.rng.choice(RESIGN_REASONS),
                )
                m.ended = True
        if cday is None:
            return
        expected = fs.collection_day_cash(cday)
        if self.diffs_pending and self.diffs_pending[0] <= month and expected > 100:
            self.diffs_pending.pop(0)
            diff = self.rng.choice((D("-20"), D("-10"), D("10")))
            note = (
                f"เงินขาด {-diff} บาท ตรวจนับซ้ำแล้วไม่พบ กรรมการรับทราบ"
                if diff < 0
                else f"เงินเกิน {diff} บาท ไม่ทราบผู้จ่าย เก็บไว้เป็นรายได้อื่นตามมติกลุ่ม"
            )
            fs.collection_day_close(
                actor=collector, day=cday, counted_cash=expected + diff, note=note
            )
        else:
            fs.collection_day_close(actor=collector, day=cday, counted_cash=expected)

    def amount_today(self, m: _Member, month: int, day: dt.date, next_day: dt.date) -> Decimal:
        """What this member hands over today (contribution only; the fee is added on top)."""
        if m.person.death_date and m.person.death_date <= day:
            return ZERO
        if m.change_plan and m.change_plan[0] == month and m.next_due == day:
            assert m.membership is not None
            plan = self.plans[m.change_plan[1]]
            fs.member_change_plan(
                actor=self.actors.registrar, membership=m.membership, plan=plan, date=day
            )
            m.schedule.append((day, plan))
            m.plan = plan.name
        owed = m.owed_before(next_day)
        if owed <= 0:
            return ZERO
        if not m.may_pay_on(day):
            m.ended = m.rejoin_month is None  # lapsed: out of the collection sheet
            if m.rejoin_month is not None:
                m.joined, m.lapsed = None, True
            return ZERO
        b = m.behaviour
        if b == "stop" and m.stop_month is not None and month > m.stop_month:
            return ZERO
        if b == "arrears" and (self.today - day).days <= 45:
            return ZERO  # behind today (at most some 45 days), not yet lapsed
        if (
            b == "late"
            and not m.skipped_last
            and self.rng.random() < 0.22
            and m.may_pay_on(next_day)
        ):
            m.skipped_last = True
            return ZERO
        m.skipped_last = False
        if b == "ahead" and m.plan == "รายเดือน":
            return max(D("360") - m.credit, owed)
        return owed

    def voided(
        self,
        kind: str,
        m: _Member,
        members: list[_Member],
        day: dt.date,
        amount: Decimal,
        cday: Any,
        collector: Any,
    ) -> None:
        """A receipt voided on the day with its reason, next to the right one."""
        if kind == "wrong_amount":
            wrong = self.record(m, day, amount * 10, cday=cday, actor=collector, track=False)
            reason = f"บันทึกจำนวนเงินผิด (พิมพ์ {int(wrong.amount)} บาท ที่ถูกคือ {int(amount)} บาท)"
        elif kind == "wrong_member":
            neighbour = next((o for o in members if o is not m and o.paid_once), m)
            wrong = self.record(neighbour, day, amount, cday=cday, actor=collector, track=False)
            number = m.membership.member_no if m.membership else "-"
            reason = f"ออกใบเสร็จผิดคน (ผู้ชำระคือสมาชิกเลขที่ {number})"
        else:
            self.record(m, day, amount, cday=cday, actor=collector)
            wrong = self.record(m, day, amount, cday=cday, actor=collector, track=False)
            reason = "บันทึกซ้ำ: กดบันทึกสองครั้ง"
        fs.payment_void(actor=self.actors.treasurer, payment=wrong, reason=reason, date=day)
        if kind != "twice":
            self.record(m, day, amount, cday=cday, actor=collector)

    def deposit(self, day: dt.date) -> None:
        """The treasurer banks the collected cash, keeping a float for refunds and change."""
        self.cash.refresh_from_db()
        amount = self.cash.balance - CASH_FLOAT
        if amount < 1000:
            return
        amount = D(int(amount // 100) * 100)
        ledger.post(
            book=self.fund.book,
            date=day,
            memo="นำเงินสดจากวันเก็บเงินของกลุ่มหมู่บ้านฝากธนาคาร",
            lines=[ledger.debit(self.bank, amount), ledger.credit(self.cash, amount)],
            actor=self.actors.treasurer,
            source_type="deposit",
            source_id=day.isoformat(),
        )

    # -- money from outside ------------------------------------------------------------------

    def money_events(self) -> list[tuple[dt.date, int, Callable[[], None]]]:
        out: list[tuple[dt.date, int, Callable[[], None]]] = []
        fy_first = fiscal_year(self.founded)
        fy_now = fiscal_year(self.today)
        tambon = self.unit.subdistrict.name_th if self.unit.subdistrict else ""
        lao = f"องค์การบริหารส่วนตำบล{tambon}"
        codi = "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)"

        def at(day: dt.date, prio: int, fn: Callable[[], None]) -> None:
            if self.founded <= day <= self.today:
                out.append((day, prio, fn))

        for i, fy in enumerate(range(fy_first, fy_now + 1)):
            start, end = fiscal_year_bounds(fy)
            amount = D("20000") if i == 0 else D("30000") + D("5000") * (i - 1)
            if not self.rich:
                amount = D("5000")
            pledge_day = max(self.founded, start + dt.timedelta(days=14))
            at(
                pledge_day,
                0,
                partial(
                    self.pledge,
                    FundingSource.LOCAL_GOV,
                    amount,
                    fy,
                    note="ตามข้อบัญญัติงบประมาณรายจ่ายประจำปี",
                ),
            )
            # The อปท. pays in one transfer in March, or in two (March and July).
            halves = (
                [(dt.date(end.year, 3, 20), amount)]
                if fy % 2
                else [
                    (dt.date(end.year, 3, 20), amount / 2),
                    (dt.date(end.year, 7, 20), amount / 2),
                ]
            )
            for day, part in halves:
                at(
                    day,
                    0,
                    partial(self.receive, FundingSource.LOCAL_GOV, part, day, fy=fy, payer=lao),
                )
            if not self.rich:
                continue
            # Donations: a merit-making (ผ้าป่า) for the fund in April of the year.
            at(
                dt.date(end.year, 4, 22),
                0,
                partial(
                    self.receive,
                    FundingSource.DONATION,
                    D("12850") + D(300 * (fy % 7)),
                    dt.date(end.year, 4, 22),
                    fy=fy,
                    payer="ผ้าป่าสามัคคีเพื่อกองทุนสวัสดิการชุมชน",
                    method=PaymentMethod.CASH,
                ),
            )
            # Interest on the savings account, twice a year.
            for day in (dt.date(end.year - 1, 12, 26), dt.date(end.year, 6, 26)):
                at(day, 0, partial(self.interest, day))
            # Close a fiscal year after the general meeting, except the latest one (audit).
            close_day = end + dt.timedelta(days=50)
            if fy < fy_now - 1:
                at(close_day, 3, partial(self.close_year, fy, close_day))
        if self.rich:
            seed_day = self.founded + dt.timedelta(days=70)
            fy = fiscal_year(seed_day)
            at(
                self.founded + dt.timedelta(days=20),
                0,
                partial(
                    self.pledge,
                    FundingSource.CODI_SEED,
                    D("30000"),
                    fy,
                    note="เงินทุนประเดิมกองทุนใหม่",
                ),
            )
            at(
                seed_day,
                0,
                partial(
                    self.receive, FundingSource.CODI_SEED, D("30000"), seed_day, fy=fy, payer=codi
                ),
            )
            shop = self.founded + dt.timedelta(days=45)
            at(
                shop,
                0,
                partial(
                    self.receive,
                    FundingSource.DONATION,
                    D("5000"),
                    shop,
                    payer="ร้านวัสดุก่อสร้างในตำบล (บริจาคเนื่องในวันขึ้นปีใหม่)",
                ),
            )
            # State matching through CODI: rounds for the fiscal years with members of a
            # full year; the list is frozen three weeks after 30 Sep, paid some months later.
            round_no = 0
            for fy in range(fy_first, fy_now + 1):
                _start, end = fiscal_year_bounds(fy)
                # Founders join at their group's first collection day, within 4 weeks.
                if add_months(self.founded, 12) + dt.timedelta(days=28) > end + dt.timedelta(1):
                    continue
                freeze = end + dt.timedelta(days=21)
                if freeze > self.today or round_no >= 2:
                    continue
                round_no += 1
                at(freeze, 0, partial(self.state_round, round_no, fy, freeze))
        return out

    def pledge(
        self, source: str, amount: Decimal, fy: int, *, note: str = "", n: int | None = None
    ) -> None:
        fs.pledge_record(
            actor=self.actors.treasurer,
            fund=self.fund,
            source=source,
            amount=amount,
            fiscal_year_be=fy,
            round_no=n,
            note=note,
        )

    def receive(
        self,
        source: str,
        amount: Decimal,
        day: dt.date,
        *,
        fy: int | None = None,
        payer: str = "",
        n: int | None = None,
        method: str = PaymentMethod.TRANSFER,
    ) -> None:
        fs.fund_receipt_record(
            actor=self.actors.treasurer,
            fund=self.fund,
            source=source,
            amount=amount.quantize(D("0.01")),
            date=day,
            round_no=n,
            method=method,
            payer=payer,
            fiscal_year_be=fy,
        )

    def interest(self, day: dt.date) -> None:
        self.bank.refresh_from_db()
        amount = (self.bank.balance * D("0.0025")).quantize(D("0.01"))
        if amount > 0:
            self.receive(
                FundingSource.INTEREST, amount, day, payer="ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร"
            )

    def state_round(self, n: int, fy: int, day: dt.date) -> None:
        rows = fs.matching_round_freeze(
            actor=self.actors.treasurer, fund=self.fund, round_no=n, fiscal_year_be=fy
        )
        self.rounds.append((n, fy, len(rows)))
        if not rows:
            return
        amount = D(365 * len(rows))
        self.pledge(
            FundingSource.STATE_CODI,
            amount,
            fy,
            n=n,
            note=f"สมทบ 365 บาทต่อสมาชิก {len(rows)} คน ที่เป็นสมาชิกครบหนึ่งปี ณ 30 ก.ย.",
        )
        paid = day + dt.timedelta(days=118)
        if paid <= self.today:
            self.receive(
                FundingSource.STATE_CODI,
                amount,
                paid,
                fy=fy,
                n=n,
                payer="รัฐบาล ผ่านสถาบันพัฒนาองค์กรชุมชน",
            )

    def close_year(self, fy: int, day: dt.date) -> None:
        start, end = fiscal_year_bounds(fy)
        ledger.period_close(
            book=self.fund.book,
            start_date=start,
            end_date=end,
            actor=self.actors.treasurer,
            reason=f"ปิดบัญชีปีงบประมาณ {fy} หลังที่ประชุมใหญ่รับรองงบการเงิน",
        )
        self.closed_years.append(fy)

    def finish(self, rng: random.Random) -> None:
        """Applications still waiting for the chair, and one not approved."""
        if not self.rich:
            return
        taken = {m.person.pk for m in self.members}
        waiting = list(
            Person.objects.filter(
                org_unit__in=self.groups,
                death_date__isnull=True,
                birth_year__lte=self.today.year - 18,
            )
            .exclude(pk__in=taken)
            .order_by("pk")[:40]
        )
        rng.shuffle(waiting)
        day = self.today - dt.timedelta(days=6)
        for i, p in enumerate(waiting[:4]):
            m = fs.member_apply(
                actor=self.actors.registrar,
                fund=self.fund,
                person=p,
                org_unit=p.org_unit,
                plan=self.plans["รายเดือน"],
                applied_on=day,
            )
            if i == 3:
                fs.member_reject(
                    actor=self.actors.chair,
                    membership=m,
                    reason="ยื่นเอกสารไม่ครบ: ไม่มีสำเนาทะเบียนบ้าน ให้ยื่นใหม่พร้อมเอกสาร",
                )

    # -- summary -------------------------------------------------------------------------------

    def summary(self) -> FundSummary:
        from chumchon.funds.selectors import statuses_for

        fund = self.fund
        ms = list(
            Membership.objects.filter(fund=fund, joined_on__isnull=False).select_related(
                "person", "plan", "fund"
            )
        )
        statuses = Counter(s.code for s in statuses_for(ms, self.today).values())
        received: dict[str, Decimal] = {
            src: D(total)
            for src, total in FundReceipt.objects.filter(fund=fund)
            .values_list("source")
            .annotate(t=Sum("amount"))
            .order_by()
        }
        live = Payment.objects.filter(fund=fund, void__isnull=True)
        return FundSummary(
            name=fund.name,
            founded_on=self.founded,
            members=len(ms),
            statuses=dict(statuses),
            applicants=Membership.objects.filter(fund=fund, state="applied").count(),
            payments=Payment.objects.filter(fund=fund).count(),
            voids=PaymentVoid.objects.filter(payment__fund=fund).count(),
            collection_days=fund.collection_days.count(),
            entries=JournalEntry.objects.filter(book=fund.book).count(),
            contributions=live.aggregate(t=Sum("contribution"))["t"] or ZERO,
            received=received,
            pledged=Pledge.objects.filter(fund=fund).aggregate(t=Sum("amount"))["t"] or ZERO,
            rounds=[
                (n, fy, MatchedMember.objects.filter(fund=fund, round_no=n).count())
                for n, fy, _c in self.rounds
            ],
            refunds=Refund.objects.filter(membership__fund=fund).count(),
            closed_years=list(self.closed_years),
            benefits=self.benefits.summary(),
        )


def build_funds(
    *,
    fund_unit: OrgUnit,
    other_unit: OrgUnit | None,
    users: dict[str, Any],
    seed: int,
    size: str = "full",
    stdout: _Writer | None = None,
) -> FundsResult:
    """Write the demo funds' books (call inside the demo's transaction, after the people)."""
    started = time.perf_counter()
    shape = SIZES[size]
    today = timezone.localdate()
    out: list[FundSummary] = []
    main = _FundBuilder(
        unit=fund_unit,
        actors=_Actors(
            chair=users["chair"],
            registrar=users["registrar"],
            treasurer=users["treasurer"],
            collectors=[users["treasurer"], users["secretary"], users["registrar"]],
        ),
        months=shape.months,
        share=shape.share,
        rng=random.Random(seed * 31 + 1),
        today=today,
        rich=True,
        stdout=stdout,
    )
    for builder in [main] + (
        [
            _FundBuilder(
                unit=other_unit,
                actors=_Actors(
                    chair=users["other_fund"],
                    registrar=users["other_fund"],
                    treasurer=users["other_fund"],
                    collectors=[users["other_fund"]],
                ),
                months=shape.other_months,
                share=1.0,
                rng=random.Random(seed * 31 + 2),
                today=today,
                rich=False,
                stdout=stdout,
            )
        ]
        if other_unit is not None
        else []
    ):
        builder.say(f"  กองทุน: {builder.unit.name} (เปิดบัญชี {format_be_date(builder.founded)})")
        builder.open_books()
        builder.plan_members()
        builder.run()
        out.append(builder.summary())
    return FundsResult(funds=out, seconds=time.perf_counter() - started)
