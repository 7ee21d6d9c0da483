"""The demo fund's benefits: the example regulation of domain.md, an amendment, and three years of
claims, approvals, payouts and yearly elderly runs, written through the services on the same
timeline as the collection days so the books stay consistent (nothing posts into a closed year).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from chumchon.benefits import services_claims as sc
from chumchon.benefits import services_regulation as sr
from chumchon.benefits import services_runs as runs
from chumchon.benefits.example import example_regulation
from chumchon.benefits.models import Claim, ClaimState, RegulationVersion
from chumchon.core.permissions import Role
from chumchon.core.thai import be_year
from chumchon.funds.models import Membership, MembershipState, PaymentMethod
from chumchon.funds.selectors import add_months
from chumchon.ledger.models import Account

if TYPE_CHECKING:
    from .funds import _FundBuilder, _Member

D = Decimal
Event = tuple[dt.date, int, Callable[[], None]]

HOSPITALS = ["โรงพยาบาลส่งเสริมสุขภาพตำบล", "โรงพยาบาลชุมชนอำเภอ", "โรงพยาบาลจังหวัด"]
REJECT_REASON = "ไม่เป็นไปตามระเบียบ: {why}"


class BenefitsDemo:
    """Adds the benefits of one demo fund to its builder's timeline."""

    def __init__(self, builder: _FundBuilder, rng: random.Random, *, rich: bool) -> None:
        self.b = builder
        self.rng = rng
        self.rich = rich
        self.counts = {"claims": 0, "paid": 0, "rejected": 0, "runs": 0, "run_lines": 0}
        self.v1: RegulationVersion | None = None

    # -- setup ---------------------------------------------------------------------------------

    def setup(self) -> None:
        """The regulation the founding meeting adopted, and who approves claims."""
        a = self.b.actors
        self.v1 = example_regulation(self.b.fund, actor=a.chair, effective_from=self.b.founded)
        # The example is written for "ตำบลตัวอย่าง"; the demo fund adopts it under its own name.
        place = self.b.fund.name.replace("กองทุนสวัสดิการชุมชน", "")
        RegulationVersion.objects.filter(pk=self.v1.pk).update(
            title=f"ระเบียบกองทุนสวัสดิการชุมชน{place} ว่าด้วยการจัดสวัสดิการแก่สมาชิก "
            f"พ.ศ. {be_year(self.b.founded)}",
            resolution_meeting=f"ที่ประชุมจัดตั้งกองทุนสวัสดิการชุมชน{place}",
        )
        self.v1.refresh_from_db()
        approvers = [Role.CHAIR, Role.VICE_CHAIR, Role.TREASURER, Role.SECRETARY, Role.COMMITTEE]
        sr.approval_rules_set(
            actor=a.chair,
            fund=self.b.fund,
            rules=[
                (D("0"), 1, approvers),
                (D("10000"), 2, [Role.CHAIR, Role.VICE_CHAIR, Role.TREASURER, Role.SECRETARY]),
            ],
        )

    def _link_committee(self) -> None:
        """The chair and the treasurer decide claims: their logins are linked to villagers of
        the fund's area who are not members and share no household with a member."""
        from chumchon.people.models import HouseholdMember, Person, UserPerson

        members = {m.person.pk for m in self.b.members}
        shared = HouseholdMember.objects.filter(
            household__in=HouseholdMember.objects.filter(person_id__in=members).values(
                "household_id"
            )
        ).values("person_id")
        free = (
            Person.objects.filter(
                org_unit__in=self.b.groups or [self.b.unit],
                death_date__isnull=True,
                birth_year__lte=self.b.today.year - 30,
                user_link__isnull=True,
            )
            .exclude(pk__in=members)
            .exclude(pk__in=shared)
            .order_by("pk")
        )
        people = iter(free)
        for user in (self.b.actors.chair, self.b.actors.treasurer):
            if UserPerson.objects.filter(user=user).exists():
                continue
            person = next(people, None)
            if person is not None:
                UserPerson.objects.create(user=user, person=person)

    def amend(self, meeting: dt.date, effective: dt.date) -> None:
        """The general meeting raises the hospital benefit to 200 baht a night (version 2)."""
        a = self.b.actors
        assert self.v1 is not None
        draft = sr.version_create_draft(
            fund=self.b.fund,
            actor=a.chair,
            title=f"ระเบียบกองทุนสวัสดิการชุมชน ว่าด้วยการจัดสวัสดิการ (ฉบับที่ 2) พ.ศ. {be_year(effective)}",
            effective_from=effective,
            based_on=self.v1,
        )
        hospital = draft.benefits.get(code="hospital")
        data = sr.benefit_data(hospital)
        data["amount"] = D("200")
        sr.benefit_save(version=draft, actor=a.chair, data=data, benefit=hospital)
        sr.version_adopt(
            version=draft,
            actor=a.chair,
            resolution_meeting="ที่ประชุมใหญ่สามัญประจำปีของสมาชิก",
            resolution_date=meeting,
            resolution_no=f"3/{be_year(meeting)}",
        )

    # -- the timeline --------------------------------------------------------------------------

    def events(self) -> list[Event]:
        b, rng = self.b, self.rng
        self._link_committee()  # members are planned by now
        out: list[Event] = []

        def at(day: dt.date, prio: int, fn: Callable[[], None]) -> None:
            if b.founded < day <= b.today:
                out.append((day, prio, fn))

        if not self.rich:
            return out
        # Version 2 adopted at the second general meeting, in force from the next fiscal year.
        meeting = add_months(b.founded, 14).replace(day=12)
        effective = dt.date(meeting.year, 10, 1)
        if effective <= meeting:
            effective = dt.date(meeting.year + 1, 10, 1)
        if effective <= b.today:
            at(meeting, 0, partial(self.amend, meeting, effective))
        for month in range(1, b.months + 1):
            first = add_months(b.founded, month)
            # Hospital stays: a few a month, reported a few days after discharge.
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                admit = first + dt.timedelta(days=rng.randrange(0, 25))
                nights = rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8])
                at(
                    admit + dt.timedelta(days=nights + rng.randrange(2, 9)),
                    2,
                    partial(self.hospital, admit, nights),
                )
            # Births: now and then.
            if rng.random() < 0.22:
                born = first + dt.timedelta(days=rng.randrange(0, 27))
                at(born + dt.timedelta(days=rng.randrange(5, 20)), 2, partial(self.birth, born))
        # Administration: stationery each quarter, the general meeting each December, the
        # bookkeeper's allowance each month (paid from the bank account).
        for month in range(1, b.months + 1):
            first = add_months(b.founded, month)
            at(first.replace(day=25), 3, partial(self.expense, first.replace(day=25), "worker"))
            if month % 3 == 0:
                at(
                    first.replace(day=8),
                    3,
                    partial(self.expense, first.replace(day=8), "stationery"),
                )
            if first.month == 12:
                at(
                    first.replace(day=12),
                    3,
                    partial(self.expense, first.replace(day=12), "meeting"),
                )
        # Scholarships in June for child members; the elderly run each January.
        for year in range(b.founded.year, b.today.year + 1):
            at(dt.date(year, 6, 10), 2, partial(self.scholarships, dt.date(year, 6, 10)))
            if year >= b.founded.year + 2:  # nobody has the two years of membership before
                at(dt.date(year, 1, 15), 2, partial(self.elderly_run, year))
        return out

    # -- helpers -------------------------------------------------------------------------------

    def _active(self, day: dt.date, ok: Callable[[_Member], bool] = lambda m: True) -> list[Any]:
        return [
            m
            for m in self.b.members
            if m.membership is not None
            and m.joined is not None
            and m.joined < day
            and not m.ended
            and ok(m)
        ]

    def _bank_has(self, amount: Decimal) -> bool:
        bank = Account.objects.get(pk=self.b.bank.pk)
        return bank.balance >= amount

    def _claim(
        self,
        m: _Member,
        code: str,
        day: dt.date,
        *,
        event_date: dt.date,
        event_end: dt.date | None = None,
        units: Any = None,
        note: str = "",
        pay_after: int = 3,
    ) -> Claim | None:
        a = self.b.actors
        assert m.membership is not None
        try:
            claim = sc.claim_record(
                actor=a.registrar,
                membership=Membership.objects.get(pk=m.membership.pk),
                benefit_code=code,
                event_date=event_date,
                event_end=event_end,
                units=units,
                note=note,
            )
        except ValidationError:
            return None
        self.counts["claims"] += 1
        if not claim.eligible or claim.amount <= 0:
            why = next((r.text() for r in claim_reasons(claim) if r.ok is False), "")
            try:
                sc.claim_decide(
                    actor=a.chair,
                    claim=claim,
                    decision="reject",
                    reason=REJECT_REASON.format(why=why or "ไม่มีสิทธิ์ในวันที่เกิดเหตุ"),
                )
            except ValidationError:  # the chair's own household: left for the committee
                return claim
            self.counts["rejected"] += 1
            return claim
        try:
            sc.claim_decide(actor=a.chair, claim=claim, decision="approve", reason="")
            claim.refresh_from_db()
            if claim.state == ClaimState.SUBMITTED:  # a large amount needs a second approval
                sc.claim_decide(actor=a.treasurer, claim=claim, decision="approve", reason="")
                claim.refresh_from_db()
        except ValidationError:  # the chair's own household: left for the committee
            return claim
        pay_day = min(day + dt.timedelta(days=pay_after), self.b.today)
        if (
            claim.state == ClaimState.APPROVED
            and pay_day <= self.b.today - dt.timedelta(days=4)  # the latest wait to be paid
            and self._bank_has(claim.amount)
        ):
            sc.claim_pay(
                actor=a.treasurer,
                claim=claim,
                date=pay_day,
                method=PaymentMethod.TRANSFER,
                bank_ref=f"TRF{pay_day:%y%m%d}{claim.number:04d}",
            )
            self.counts["paid"] += 1
        return claim

    # -- the events ----------------------------------------------------------------------------

    EXPENSES = {
        "worker": ("admin.worker_pay", "ค่าตอบแทนผู้ช่วยเหรัญญิกทำบัญชีประจำเดือน", (300, 300)),
        "stationery": ("admin.stationery", "ค่าถ่ายเอกสารและสมุดบัญชีสมาชิก", (180, 650)),
        "meeting": ("admin.meetings", "ค่าอาหารว่างและเครื่องดื่มการประชุมใหญ่สามัญประจำปี", (1500, 2500)),
    }

    def expense(self, day: dt.date, what: str) -> None:
        from chumchon.funds import services as fs

        category, memo, (low, high) = self.EXPENSES[what]
        amount = D(self.rng.randrange(low, high + 1, 10) if high > low else low)
        if not self._bank_has(amount):
            return
        fs.cash_movement_record(
            actor=self.b.actors.treasurer,
            fund=self.b.fund,
            kind="expense",
            date=day,
            amount=amount,
            memo=memo,
            account=self.b.fund.account(category),
            method=PaymentMethod.TRANSFER,
        )

    def hospital(self, admit: dt.date, nights: int) -> None:
        day = admit + dt.timedelta(days=nights)
        pool = self._active(admit)
        if not pool:
            return
        m = self.rng.choice(pool)
        self._claim(
            m,
            "hospital",
            day + dt.timedelta(days=2),
            event_date=admit,
            event_end=day,
            note=f"นอนพักรักษาตัวที่{self.rng.choice(HOSPITALS)}",
        )

    def birth(self, born: dt.date) -> None:
        def parent(m: _Member) -> bool:
            y = m.person.birth_year
            return y is not None and 20 <= born.year - y <= 40

        pool = self._active(born, parent)
        if pool:
            self._claim(
                self.rng.choice(pool),
                "birth",
                born + dt.timedelta(days=10),
                event_date=born,
                units=1,
                note="คลอดบุตรที่โรงพยาบาลชุมชนอำเภอ",
            )

    def scholarships(self, day: dt.date) -> None:
        for m in self._active(day, lambda m: m.member_type == "child")[:8]:
            self._claim(m, "scholarship", day, event_date=day, note="ทุนการศึกษาปีการศึกษาใหม่")

    def death(self, m: _Member, day: dt.date) -> None:
        """Called by the builder when a death is reported at a collection day."""
        if not self.rich or m.membership is None or m.person.death_date is None:
            return
        self._claim(
            m,
            "death",
            day,
            event_date=m.person.death_date,
            note="แจ้งการเสียชีวิตพร้อมสำเนาใบมรณบัตร",
            pay_after=2,
        )

    def elderly_run(self, year: int) -> None:
        a, fund = self.b.actors, self.b.fund
        key = str(year + 543)
        as_of = dt.date(year, 1, 10)
        if not runs.recurring_benefits(fund, as_of):
            return
        run = runs.run_preview(
            actor=a.treasurer, fund=fund, benefit_code="elderly", period_key=key, as_of=as_of
        )
        if run.count == 0:
            runs.run_cancel(actor=a.treasurer, run=run)
            return
        run = runs.run_approve(actor=a.chair, run=run)
        pay_day = dt.date(year, 1, 20)
        if pay_day <= self.b.today - dt.timedelta(days=4) and self._bank_has(run.total):
            runs.run_post(actor=a.treasurer, run=run, pay_date=pay_day, method="transfer")
        self.counts["runs"] += 1
        self.counts["run_lines"] += run.count

    def finish(self) -> None:
        """Leave the committee something to do: a claim waiting for approval today."""
        if not self.rich:
            return
        a = self.b.actors
        day = self.b.today - dt.timedelta(days=2)
        pool = [
            m
            for m in self._active(day - dt.timedelta(days=200))
            if Membership.objects.filter(
                pk=m.membership.pk, state=MembershipState.APPROVED
            ).exists()
        ]
        if not pool:
            return
        m = self.rng.choice(pool)
        assert m.membership is not None
        try:
            sc.claim_record(
                actor=a.registrar,
                membership=Membership.objects.get(pk=m.membership.pk),
                benefit_code="hospital",
                event_date=day - dt.timedelta(days=3),
                event_end=day,
                note="นอนพักรักษาตัวที่โรงพยาบาลชุมชนอำเภอ (รอที่ประชุมกรรมการพิจารณา)",
            )
            self.counts["claims"] += 1
        except ValidationError:
            pass

    def summary(self) -> dict[str, int]:
        from chumchon.benefits.models import BenefitRun, Payout

        fund = self.b.fund
        claims = Claim.objects.filter(fund=fund)
        return {
            "versions": RegulationVersion.objects.filter(fund=fund).count(),
            "claims": claims.count(),
            "paid": claims.filter(state=ClaimState.PAID).count(),
            "rejected": claims.filter(state=ClaimState.REJECTED).count(),
            "waiting": claims.filter(state__in=[ClaimState.SUBMITTED, ClaimState.APPROVED]).count(),
            "runs": BenefitRun.objects.filter(fund=fund, state="posted").count(),
            "payouts": Payout.objects.filter(fund=fund).count(),
        }


def claim_reasons(claim: Claim) -> list[Any]:
    from chumchon.benefits.engine import reasons_from_json

    return reasons_from_json(claim.explanation)
