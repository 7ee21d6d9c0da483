"""Two more funds in the demo province, so the province roll-up shows real differences.

- An old, big fund in another district (ตำบลโนนหัน อำเภอชุมแพ): opened nine years ago, nine
  village groups, most members paying by the year or the half-year. It kept its books in a
  spreadsheet, and its history came over the way a fund moving to Chumchon brings it: members by
  ``member_import`` and every payment by one ``payments_import`` (batch posting), then the
  resignations, deaths, money from the อปท., CODI's seed grant, donations, state matching rounds
  1-7, bank interest, the committee's running costs, claims and payouts under the example
  regulation for the last three years (``demo.benefits.BenefitsDemo``), and its fiscal years
  closed except the last two.
- A young, small fund in the demo district (ตำบลโนนฆ้อง): opened fourteen months ago, three
  village groups, monthly collection days, written by ``demo.funds._FundBuilder`` like the demo's
  neighbouring fund.

Member behaviour is planned by ``_FundBuilder`` (the same shares of late payers, lapses,
resignations, arrears today). Only the "full" demo builds them, so the "small" build the tests
use keeps its two funds. At the end (whatever the size) the summaries of every fund are
refreshed, so the dashboards open with figures. Each new fund gets its own logins, and a coordinator of อำเภอชุมแพ sees that
district's fund only.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from chumchon.areas.models import District, OrgUnit, OrgUnitKind, Subdistrict, Village
from chumchon.areas.services import org_unit_create, role_assign, village_create
from chumchon.core.permissions import Role
from chumchon.core.thai import fiscal_year, fiscal_year_bounds, format_be_date
from chumchon.funds import services as fs
from chumchon.funds.models import FundingSource, Membership, PaymentMethod
from chumchon.funds.selectors import add_months
from chumchon.ledger import services as ledger
from chumchon.people.models import Household, Person
from chumchon.people.services import household_create, person_create, person_update

from .funds import ENTRY_FEE, FundsResult, _Actors, _FundBuilder, _Member

D = Decimal
ZERO = D("0.00")


class _Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class MoreSize:
    big_households: int
    big_years: int
    young_households: int
    young_months: int


MORE_SIZES: dict[str, MoreSize] = {
    "full": MoreSize(big_households=200, big_years=9, young_households=20, young_months=14),
    # For the tests of this module only (the demo's "small" build leaves these funds out).
    "tiny": MoreSize(big_households=14, big_years=3, young_households=4, young_months=4),
}

BIG_DISTRICT, BIG_TAMBON = "4005", "400502"  # ชุมแพ, โนนหัน
YOUNG_TAMBON = "400203"  # โนนฆ้อง (the demo district, บ้านฝาง)
BIG_VILLAGES = (
    "บ้านโนนหัน",
    "บ้านหนองกุงใหญ่",
    "บ้านโนนสว่าง",
    "บ้านหัวนาคำ",
    "บ้านนาแพง",
    "บ้านโคกกลาง",
    "บ้านหนองผือ",
    "บ้านดงเย็น",
    "บ้านโนนรัง",
)
YOUNG_VILLAGES = ("บ้านโนนฆ้อง", "บ้านหนองแสง", "บ้านโคกใหญ่")

MORE_USERS: dict[str, tuple[str, str, str]] = {
    # username: (first name, last name, what they do)
    "big_chair": ("สมพงษ์", "แก้วมณี", "ประธานกองทุนเก่าแก่ขนาดใหญ่ (อนุมัติสมาชิกและคำขอ)"),
    "big_treasurer": ("ละเอียด", "บุญประคม", "เหรัญญิก: รับเงิน จ่ายสวัสดิการ ปิดงวด"),
    "big_registrar": ("จิราพร", "ศรีเมือง", "ฝ่ายทะเบียน: สมาชิก คำขอรับสวัสดิการ"),
    "young_chair": ("ประยงค์", "ดวงดี", "กองทุนตั้งใหม่ขนาดเล็ก ทำทุกหน้าที่"),
    "amphoe_coord": ("สุนทร", "พลชัย", "เห็นเฉพาะกองทุนในอำเภอชุมแพ"),
}

# Plans of the big fund's regular payers: most pay a year or half a year at a time.
BIG_PLAN_SHIFT = (("รายปี", 0.45), ("รายครึ่งปี", 0.25))
CASH_FLOAT = D("5000")


# ---------------------------------------------------------------------------------------------
# The org tree, the people
# ---------------------------------------------------------------------------------------------


def _groups(
    fund_unit: OrgUnit, sub: Subdistrict, names: tuple[str, ...], admin: Any
) -> dict[int, tuple[Village, OrgUnit]]:
    out = {}
    for number, name in enumerate(names, start=1):
        village = village_create(subdistrict=sub, number=number, name=name, actor=admin)
        out[number] = (
            village,
            org_unit_create(
                name=f"กลุ่มสวัสดิการหมู่ที่ {number} {name}",
                kind=OrgUnitKind.VILLAGE_GROUP,
                parent=fund_unit,
                village=village,
                actor=admin,
            ),
        )
    return out


def _people(
    planner: Any,
    groups: dict[int, tuple[Village, OrgUnit]],
    households: int,
    actor: Any,
) -> int:
    """Households spread over the villages, written through the people services."""
    numbers = list(groups)
    per_village = [households // len(numbers)] * len(numbers)
    for i in range(households % len(numbers)):
        per_village[i] += 1
    made = 0
    for number, count in zip(numbers, per_village, strict=True):
        village, unit = groups[number]
        for house in planner.house_numbers(count):
            plan = planner.household("more", number, house)
            household = household_create(
                actor=actor,
                org_unit=unit,
                house_registration_no=plan.house_registration_no,
                house_number=plan.house_number,
                village=village,
            )
            for p in plan.members:
                person_create(
                    actor=actor,
                    org_unit=unit,
                    household=household,
                    relation=p.relation,
                    title=p.title,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    birth_year=p.birth_year,
                    national_id=p.national_id,
                    phone=p.phone,
                    house_number=plan.house_number,
                    village=village,
                )
                made += 1
    return made


def _planner(seed: int) -> Any:
    """The demo's household planner, its numbers kept clear of those already written."""
    from . import data
    from .build import _Planner

    planner = _Planner(random.Random(seed * 17 + 5))
    planner.ids = {
        nid for nid in Person.objects.values_list("national_id", flat=True) if nid is not None
    }
    regs = Household.objects.filter(house_registration_no__startswith=data.HOME_OFFICE)
    planner.house_reg_seq = max(
        (
            int(r[len(data.HOME_OFFICE) : -1])
            for r in regs.values_list("house_registration_no", flat=True)
            if r is not None
        ),
        default=0,
    )
    return planner


# ---------------------------------------------------------------------------------------------
# The big fund: its spreadsheet history brought over in one import
# ---------------------------------------------------------------------------------------------


class _ImportedFund(_FundBuilder):
    """A fund whose years before Chumchon arrive at once: planned month by month with the
    fund's rule (as ``_FundBuilder.collection`` does), written by the import services."""

    def plan_members(self) -> None:
        super().plan_members()
        rng = self.rng
        for m in self.members:
            m.rejoin_month = None  # a lapsed member of the old books stays out
            if m.behaviour == "regular" and m.plan == "รายเดือน":
                roll = rng.random()
                for name, share in BIG_PLAN_SHIFT:
                    if roll < share:
                        m.plan = name
                        break
                    roll -= share
        self._plan_deaths()

    def _plan_deaths(self) -> None:
        """A few elderly members die over the years (the registrar records each death)."""
        rng = self.rng
        elders = [
            m
            for m in self.members
            if (m.person.age_on(self.founded) or 0) >= 62 and m.behaviour in ("regular", "late")
        ]
        rng.shuffle(elders)
        latest = self.today - dt.timedelta(days=45)
        for m in elders[: max(1, len(elders) // 12)]:
            joined = self.collection_date(m.join_month, m.group)
            if joined + dt.timedelta(days=300) >= latest:
                continue
            died = joined + dt.timedelta(days=rng.randint(300, (latest - joined).days))
            m.person = person_update(
                actor=self.actors.registrar,
                person=m.person,
                death_date=died,
                reason="ญาติแจ้งการเสียชีวิต พร้อมสำเนาใบมรณบัตร",
            )
            m.resign_month = None

    def run(self) -> None:
        a = self.actors
        members = sorted(
            (m for m in self.members if self.collection_date(m.join_month, m.group) <= self.today),
            key=lambda m: (m.join_month, m.group, m.person.pk),
        )
        for m in members:
            day = self.collection_date(m.join_month, m.group)
            m.membership = fs.member_import(
                actor=a.registrar,
                fund=self.fund,
                person=m.person,
                org_unit=self.groups[m.group],
                plan=self.plans[m.plan],
                joined_on=day,
                member_type=m.member_type,
            )
            if m.beneficiaries:
                fs.beneficiaries_set(
                    actor=a.registrar, membership=m.membership, beneficiaries=m.beneficiaries
                )
            m.joined, m.offset, m.credit, m.paid_once = day, 0, ZERO, False
            m.schedule = [(day, self.plans[m.plan])]
        self.members = members
        items, cash_by_month, resigns, deaths = self._history()
        self.say(f"    นำเข้าประวัติการชำระเงิน {len(items)} รายการ")
        for i in range(0, len(items), 4000):
            fs.payments_import(actor=a.treasurer, fund=self.fund, items=items[i : i + 4000])
        for m, day in resigns:
            assert m.membership is not None
            fs.member_resign(
                actor=a.registrar,
                membership=Membership.objects.get(pk=m.membership.pk),
                date=day,
                reason=self.rng.choice(
                    ("ย้ายไปอยู่กับบุตรที่กรุงเทพฯ", "ภาระค่าใช้จ่ายในครอบครัวเพิ่มขึ้น ขอลาออก")
                ),
                method=PaymentMethod.CASH,
            )
        events: list[tuple[dt.date, int, Callable[[], None]]] = []
        for month_first, amount in sorted(cash_by_month.items()):
            day = month_first.replace(day=25)
            if day <= self.today and amount > CASH_FLOAT:
                events.append((day, 2, partial(self._bank, day, amount - CASH_FLOAT)))
        events += self._money()
        # Claims and payouts of the last three years, and a claim for each death reported.
        recent = self.today - dt.timedelta(days=3 * 365)
        events += [e for e in self.benefits.events() if e[0] >= recent]
        for m, day in deaths:
            events.append((day, 1, partial(self._death, m, day)))
        for _day, _prio, action in sorted(events, key=lambda e: (e[0], e[1])):
            action()
        self.benefits.finish()
        fy_now = fiscal_year(self.today)
        for fy in range(fiscal_year(self.founded), fy_now - 1):
            _start, end = fiscal_year_bounds(fy)
            self.close_year(fy, end + dt.timedelta(days=50))

    def _history(
        self,
    ) -> tuple[
        list[fs.ImportedPayment],
        dict[dt.date, Decimal],
        list[tuple[_Member, dt.date]],
        list[tuple[_Member, dt.date]],
    ]:
        """Every payment of the old books, month by month and group by group."""
        items: list[fs.ImportedPayment] = []
        cash: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
        resigns: list[tuple[_Member, dt.date]] = []
        deaths: list[tuple[_Member, dt.date]] = []
        for month in range(self.months + 1):
            for g in range(len(self.groups)):
                day = self.collection_date(month, g)
                if day > self.today:
                    continue
                next_day = self.collection_date(month + 1, g)
                for m in self.active_in(g):
                    death = m.person.death_date
                    if death and death < day:
                        m.ended = True
                        deaths.append((m, day))
                        continue
                    if m.resign_month == month:
                        m.ended = True
                        resigns.append((m, day))
                        continue
                    amount = self.amount_today(m, month, day, next_day)
                    if amount <= 0:
                        continue
                    assert m.membership is not None
                    fee = ZERO if m.paid_once else ENTRY_FEE
                    method = (
                        PaymentMethod.TRANSFER
                        if m.behaviour == "transfer"
                        or (m.plan == "รายปี" and self.rng.random() < 0.5)
                        else PaymentMethod.CASH
                    )
                    items.append(
                        fs.ImportedPayment(
                            membership=m.membership,
                            date=day,
                            amount=amount + fee,
                            entry_fee=fee,
                            method=method,
                            note="นำเข้าจากสมุดบัญชีเดิมของกองทุน",
                        )
                    )
                    if method == PaymentMethod.CASH:
                        cash[day.replace(day=1)] += amount + fee
                    m.paid_once = True
                    m.pay(amount)
        return items, cash, resigns, deaths

    def _death(self, m: _Member, day: dt.date) -> None:
        assert m.membership is not None
        fs.member_record_death(actor=self.actors.registrar, membership=m.membership)
        self.benefits.death(m, day)

    def _bank(self, day: dt.date, amount: Decimal) -> None:
        amount = D(int(amount // 100) * 100)
        if amount <= 0:
            return
        ledger.post(
            book=self.fund.book,
            date=day,
            memo="นำเงินสดที่เก็บได้ในเดือนฝากธนาคาร",
            lines=[ledger.debit(self.bank, amount), ledger.credit(self.cash, amount)],
            actor=self.actors.treasurer,
            source_type="deposit",
            source_id=day.isoformat(),
        )

    def _spend(self, day: dt.date, category: str, amount: Decimal, memo: str) -> None:
        """Running costs the committee approved (paid from the bank, when it holds enough)."""
        self.bank.refresh_from_db()
        if self.bank.balance < amount:
            return
        ledger.post(
            book=self.fund.book,
            date=day,
            memo=memo,
            lines=[
                ledger.debit(self.fund.account(category), amount),
                ledger.credit(self.bank, amount),
            ],
            actor=self.actors.treasurer,
            source_type="expense",
            source_id=f"{category}:{day.isoformat()}",
        )

    def _money(self) -> list[tuple[dt.date, int, Callable[[], None]]]:
        """Money from outside and running costs, year by year."""
        out: list[tuple[dt.date, int, Callable[[], None]]] = []
        tambon = self.unit.subdistrict.name_th if self.unit.subdistrict else ""
        lao = f"องค์การบริหารส่วนตำบล{tambon}"
        codi = "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)"

        def at(day: dt.date, prio: int, fn: Callable[[], None]) -> None:
            if self.founded <= day <= self.today:
                out.append((day, prio, fn))

        fy_first, fy_now = fiscal_year(self.founded), fiscal_year(self.today)
        seed_day = self.founded + dt.timedelta(days=75)
        at(
            self.founded + dt.timedelta(days=20),
            0,
            partial(
                self.pledge,
                FundingSource.CODI_SEED,
                D("50000"),
                fiscal_year(seed_day),
                note="เงินทุนประเดิมกองทุนใหม่",
            ),
        )
        at(
            seed_day,
            0,
            partial(
                self.receive,
                FundingSource.CODI_SEED,
                D("50000"),
                seed_day,
                fy=fiscal_year(seed_day),
                payer=codi,
            ),
        )
        round_no = 0
        for i, fy in enumerate(range(fy_first, fy_now + 1)):
            start, end = fiscal_year_bounds(fy)
            amount = D("20000") + D("5000") * min(i, 8)
            at(
                max(self.founded, start + dt.timedelta(days=14)),
                0,
                partial(self.pledge, FundingSource.LOCAL_GOV, amount, fy, note="ตามข้อบัญญัติงบประมาณ"),
            )
            # The อปท. paid everything it promised except, in the latest year, a second half.
            paid = amount if fy < fy_now else amount / 2
            day = dt.date(end.year, 3, 20)
            at(day, 0, partial(self.receive, FundingSource.LOCAL_GOV, paid, day, fy=fy, payer=lao))
            gift = dt.date(end.year, 4, 22)
            at(
                gift,
                0,
                partial(
                    self.receive,
                    FundingSource.DONATION,
                    D("9500") + D(700 * (fy % 9)),
                    gift,
                    fy=fy,
                    payer="ผ้าป่าสามัคคีเพื่อกองทุนสวัสดิการชุมชน",
                    method=PaymentMethod.CASH,
                ),
            )
            interest_day = dt.date(end.year, 6, 26)
            at(
                interest_day,
                0,
                partial(
                    self.receive,
                    FundingSource.INTEREST,
                    D("850") + D(420 * i),
                    interest_day,
                    payer="ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร",
                ),
            )
            meeting = dt.date(end.year - 1, 11, 20)
            at(
                meeting,
                1,
                partial(
                    self._spend,
                    meeting,
                    "admin.meetings",
                    D("4500") + D(250 * i),
                    "ค่าอาหารและเอกสารการประชุมใหญ่สามัญประจำปีของสมาชิก",
                ),
            )
            at(
                meeting,
                1,
                partial(
                    self._spend,
                    meeting,
                    "admin.stationery",
                    D("1200"),
                    "ค่าสมุดบัญชีสมาชิก ใบเสร็จ และเครื่องเขียน",
                ),
            )
            if i >= 2:
                pay_day = dt.date(end.year, 9, 15)
                at(
                    pay_day,
                    1,
                    partial(
                        self._spend,
                        pay_day,
                        "admin.worker_pay",
                        D("6000"),
                        "ค่าตอบแทนผู้ปฏิบัติงานเก็บเงินและทำบัญชีประจำปี",
                    ),
                )
            # State matching through CODI: a round for every year with a full year behind it.
            if add_months(self.founded, 12) + dt.timedelta(days=28) > end:
                continue
            freeze = end + dt.timedelta(days=21)
            if freeze <= self.today and round_no < 7:
                round_no += 1
                at(freeze, 0, partial(self.state_round, round_no, fy, freeze))
        return out


# ---------------------------------------------------------------------------------------------
# Writing both
# ---------------------------------------------------------------------------------------------


def build_more_funds(
    *,
    network: OrgUnit,
    district: OrgUnit,
    users: dict[str, Any],
    logins: list[Any],
    books: FundsResult | None,
    seed: int,
    size: str = "full",
    stdout: _Writer | None = None,
) -> FundsResult | None:
    """Add the two funds under ``network`` (the big one in a new district unit) and refresh
    every fund's summaries. Call inside the demo's transaction, after ``build_funds``; the
    funds' summaries go into ``books`` for the demo's printout."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chumchon.reports.summaries import refresh_all

    from .build import DemoLogin

    started = time.perf_counter()
    today = timezone.localdate()
    shape = MORE_SIZES.get(size)
    if shape is None:
        refresh_all(today)
        return books
    admin = users["admin"]
    User = get_user_model()
    hashed = users["chair"].password  # the demo's one password
    more = {
        name: User.objects.create(username=name, password=hashed, first_name=first, last_name=last)
        for name, (first, last, _note) in MORE_USERS.items()
    }
    users.update(more)

    # -- the org tree: a second district with the big fund; the young fund in the demo district
    big_district = District.objects.get(code=BIG_DISTRICT)
    big_sub = Subdistrict.objects.get(code=BIG_TAMBON)
    young_sub = Subdistrict.objects.get(code=YOUNG_TAMBON)
    district_b = org_unit_create(
        name=f"เครือข่ายอำเภอ{big_district.name_th}",
        kind=OrgUnitKind.DISTRICT,
        parent=network,
        actor=admin,
    )
    OrgUnit.objects.filter(pk=district_b.pk).update(
        province_id=big_district.province_id, district_id=big_district.pk
    )
    big_unit = org_unit_create(
        name=f"กองทุนสวัสดิการชุมชนตำบล{big_sub.name_th}",
        kind=OrgUnitKind.FUND,
        parent=district_b,
        subdistrict=big_sub,
        actor=admin,
    )
    young_unit = org_unit_create(
        name=f"กองทุนสวัสดิการชุมชนตำบล{young_sub.name_th}",
        kind=OrgUnitKind.FUND,
        parent=district,
        subdistrict=young_sub,
        actor=admin,
    )
    big_groups = _groups(big_unit, big_sub, BIG_VILLAGES, admin)
    young_groups = _groups(young_unit, young_sub, YOUNG_VILLAGES, admin)

    roles = [
        ("big_chair", Role.CHAIR, big_unit),
        ("big_treasurer", Role.TREASURER, big_unit),
        ("big_registrar", Role.REGISTRAR, big_unit),
        ("young_chair", Role.CHAIR, young_unit),
        ("young_chair", Role.TREASURER, young_unit),
        ("young_chair", Role.REGISTRAR, young_unit),
        ("amphoe_coord", Role.COORDINATOR, district_b),
    ]
    term = dt.date(2024, 10, 1)
    for username, role, unit in roles:
        role_assign(user=more[username], org_unit=unit, role=role, start_date=term, actor=admin)
    # The new logins go before the superuser's, which the demo lists last.
    at = len(logins) - 1 if logins and logins[-1].username == "admin" else len(logins)
    for username, (_first, _last, note) in MORE_USERS.items():
        role, unit = next((r, u) for n, r, u in roles if n == username)
        logins.insert(at, DemoLogin(username, str(Role(role).label), unit.name, note))
        at += 1

    # -- people -------------------------------------------------------------------------------
    planner = _planner(seed)
    made = _people(planner, big_groups, shape.big_households, more["big_registrar"])
    made += _people(planner, young_groups, shape.young_households, more["young_chair"])
    if stdout is not None:
        stdout.write(f"  กองทุนเพิ่มอีก 2 แห่ง: {made} คน\n")

    # -- the books ------------------------------------------------------------------------------
    summaries = []
    big = _ImportedFund(
        unit=big_unit,
        actors=_Actors(
            chair=more["big_chair"],
            registrar=more["big_registrar"],
            treasurer=more["big_treasurer"],
            collectors=[more["big_treasurer"]],
        ),
        months=shape.big_years * 12,
        share=1.0,
        rng=random.Random(seed * 31 + 7),
        today=today,
        rich=True,
        stdout=stdout,
    )
    young = _FundBuilder(
        unit=young_unit,
        actors=_Actors(
            chair=more["young_chair"],
            registrar=more["young_chair"],
            treasurer=more["young_chair"],
            collectors=[more["young_chair"]],
        ),
        months=shape.young_months,
        share=1.0,
        rng=random.Random(seed * 31 + 9),
        today=today,
        rich=False,
        stdout=stdout,
    )
    for builder in (big, young):
        builder.say(f"  กองทุน: {builder.unit.name} (เปิดบัญชี {format_be_date(builder.founded)})")
        builder.open_books()
        builder.plan_members()
        builder.run()
        summaries.append(builder.summary())

    refresh_all(today)
    if books is None:
        return FundsResult(funds=summaries, seconds=time.perf_counter() - started)
    books.funds.extend(summaries)
    books.seconds += time.perf_counter() - started
    return books
