"""The CODI yearly fund status form (แบบแสดงสถานะกองทุนสวัสดิการชุมชน) filled from the books.

``codi_form(fund, fy)`` builds the whole form as a tree of dataclasses that the screen, the PDF
and the Excel file share. Sections 1–15 follow domain.md "CODI yearly fund status form"; what
only people know (objectives, activities, plans, problems, ...) comes from the fund's
``CodiFormYear`` for that fiscal year, saved by ``reports.services.codi_form_save``. Every other
figure comes from data (see docs/reports.md "CODI status form" for each definition):

* members from memberships and their statuses (``statements.member_lives``, one walk each);
* money from the ledger's monthly cache, by account category, since founding and this year;
  state matching money per round from ``FundReceipt`` rows, members per round from
  ``MatchedMember``;
* benefits from ``benefits.Payout`` rows less their reversals, by the 16 national categories;
* committee and signatories from ``RoleAssignment`` at the fund's unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chumchon.areas.models import OrgUnit, OrgUnitKind, RoleAssignment
from chumchon.benefits.models import Payout, RegulationVersion, VersionState
from chumchon.core.permissions import Role
from chumchon.core.thai import fiscal_year, format_be_date
from chumchon.funds.chart import BENEFIT_CATEGORIES
from chumchon.funds.models import (
    ContributionPlan,
    Fund,
    FundingSource,
    FundReceipt,
    MatchedMember,
    MemberType,
)
from chumchon.funds.selectors import add_months
from chumchon.ledger.models import JournalEntry, Period
from chumchon.reports.xlsx import append_row

from .models import CodiFormYear, DataKeeping
from .statements import (
    BANK,
    BENEFIT,
    CASH,
    EQUITY,
    INCOME,
    LIABILITY,
    OTHER_ASSET,
    AccountFigures,
    MemberLife,
    Statements,
    account_figures,
    fund_statements,
    year_bounds,
)

ZERO = Decimal("0.00")
ONE_DAY = dt.timedelta(days=1)
STATE_ROUNDS = 11  # the form has a line for each of 11 rounds of state matching money
ACCOUNTS_CURRENT_DAYS = 45  # a posting within this many days before the as-of day


# --- what people answer ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerField:
    """One human-only answer of the form, kept in ``CodiFormYear.answers[key]``."""

    key: str
    label: Any  # lazy Thai text
    section: int
    kind: str  # text (several lines), line (one line), choice, choices (several), int, money
    choices: tuple[tuple[str, Any], ...] = ()
    max_length: int = 2000
    help_text: Any = ""


YES_NO = (("yes", gettext_lazy("มี")), ("no", gettext_lazy("ไม่มี")))
MEETINGS = (
    ("monthly", gettext_lazy("ทุกเดือน")),
    ("quarterly", gettext_lazy("ทุก 2–3 เดือน")),
    ("half_yearly", gettext_lazy("ทุก 6 เดือน")),
    ("yearly", gettext_lazy("ปีละครั้ง")),
    ("irregular", gettext_lazy("ไม่แน่นอน")),
)
MINUTES = (
    ("always", gettext_lazy("จดบันทึกการประชุมทุกครั้ง")),
    ("sometimes", gettext_lazy("จดบันทึกบางครั้ง")),
    ("never", gettext_lazy("ไม่ได้จดบันทึก")),
)
REPORTING = (
    ("general_meeting", gettext_lazy("รายงานในที่ประชุมใหญ่ประจำปี")),
    ("monthly", gettext_lazy("รายงาน/ติดประกาศทุกเดือน")),
    ("quarterly", gettext_lazy("รายงาน/ติดประกาศทุกไตรมาส")),
    ("none", gettext_lazy("ยังไม่ได้รายงาน")),
)
SUPPORTERS = (
    ("local_gov", gettext_lazy("อปท.")),
    ("codi", gettext_lazy("พอช.")),
    ("nhso", gettext_lazy("สปสช.")),
    ("nationalhealth", gettext_lazy("สช.")),
    ("thaihealth", gettext_lazy("สสส.")),
    ("msdhs", gettext_lazy("พม.")),
    ("other", gettext_lazy("อื่น ๆ")),
)

ANSWER_FIELDS: tuple[AnswerField, ...] = (
    AnswerField("supporting_org", gettext_lazy("องค์กรที่สนับสนุนการจัดตั้ง"), 2, "line", max_length=300),
    AnswerField("objectives", gettext_lazy("วัตถุประสงค์ของกองทุน"), 2, "text"),
    AnswerField(
        "founding_members",
        gettext_lazy("จำนวนสมาชิกแรกก่อตั้ง (คน)"),
        3,
        "int",
        help_text=gettext_lazy("เว้นว่างไว้: นับจากสมาชิกที่เข้าในปีบัญชีที่ก่อตั้ง"),
    ),
    AnswerField(
        "initial_money",
        gettext_lazy("เงินกองทุนเริ่มแรก (บาท)"),
        4,
        "money",
        help_text=gettext_lazy("เว้นว่างไว้: ใช้ทุนยกมาในบัญชี หรือเงินที่รับในปีแรก"),
    ),
    AnswerField("activities", gettext_lazy("กิจกรรมชุมชนที่กองทุนสนับสนุน"), 7, "text"),
    AnswerField("meeting_frequency", gettext_lazy("การประชุมคณะกรรมการ"), 9, "choice", MEETINGS),
    AnswerField("minutes", gettext_lazy("บันทึกการประชุม"), 9, "choice", MINUTES),
    AnswerField("monitoring", gettext_lazy("การติดตามประเมินผล"), 9, "choice", YES_NO),
    AnswerField(
        "monitoring_detail", gettext_lazy("การติดตามประเมินผล (วิธีการ)"), 9, "line", max_length=300
    ),
    AnswerField("reporting", gettext_lazy("การรายงานผลต่อสมาชิก"), 9, "choice", REPORTING),
    AnswerField("links", gettext_lazy("การเชื่อมโยงกับงานพัฒนาอื่น ๆ"), 11, "text"),
    AnswerField("support_from", gettext_lazy("หน่วยงานที่ให้การสนับสนุน"), 12, "choices", SUPPORTERS),
    AnswerField("support", gettext_lazy("การสนับสนุนที่ได้รับ (รายละเอียด)"), 12, "text"),
    AnswerField("plans", gettext_lazy("แผนการดำเนินงานต่อไป"), 13, "text"),
    AnswerField("problems", gettext_lazy("ปัญหาและอุปสรรค"), 14, "text"),
    AnswerField("suggestions", gettext_lazy("ข้อเสนอแนะ"), 15, "text"),
    AnswerField("certifier_name", gettext_lazy("ผู้รับรองระดับจังหวัด (ชื่อ)"), 16, "line", max_length=200),
    AnswerField(
        "certifier_position", gettext_lazy("ผู้รับรองระดับจังหวัด (ตำแหน่ง)"), 16, "line", max_length=200
    ),
)
ANSWERS = {f.key: f for f in ANSWER_FIELDS}
COMMUNITY_ROLES = "community_roles"  # {role assignment id: community role}

# Fund roles that make the committee (section 8), in the form's order.
COMMITTEE_ROLES = (
    Role.CHAIR,
    Role.VICE_CHAIR,
    Role.SECRETARY,
    Role.TREASURER,
    Role.REGISTRAR,
    Role.AUDITOR,
    Role.COMMITTEE,
)


def choice_label(f: AnswerField, value: Any) -> str:
    if f.kind == "choices":
        labels = dict(f.choices)
        return ", ".join(str(labels[v]) for v in value or [] if v in labels)
    return str(dict(f.choices).get(value, "")) if value else ""


# --- the tree --------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    role: str = ""
    phone: str = ""


@dataclass
class Identity:  # 1
    fund_name: str
    address: str
    subdistrict: str
    district: str
    province: str
    postcode: str
    chair: Person | None
    coordinator: Person | None


@dataclass
class Founding:  # 2
    founded_on: dt.date | None
    supporting_org: str
    objectives: str


@dataclass
class TypeCount:
    key: str
    label: str
    cumulative: int
    current: int


@dataclass
class RoundRow:
    """State matching via CODI, one round: members counted and money received (to the year end)."""

    round_no: int
    fiscal_years: list[int]
    members: int
    amount: Decimal


@dataclass
class MembersPart:  # 3
    founding: int
    founding_answered: bool
    cumulative: int
    current: int
    as_of: dt.date
    population: int | None
    coverage_percent: Decimal | None
    eligible: int | None  # eligible for state matching this fiscal year (None: not over yet)
    rounds: list[RoundRow]
    types: list[TypeCount]
    villages_covered: int
    villages_total: int | None
    village_names: list[str]

    @property
    def villages_percent(self) -> Decimal | None:
        if not self.villages_total:
            return None
        return (Decimal(100) * self.villages_covered / self.villages_total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass
class MoneyRow:
    key: str
    label: str
    since_founding: Decimal
    this_year: Decimal


@dataclass
class PlanRow:
    name: str
    months: int
    amount: Decimal
    members: int
    active: bool


@dataclass
class MoneyPart:  # 4
    initial: Decimal
    initial_note: str
    cumulative: Decimal  # everything received since founding
    balance: Decimal  # cash and bank at the year end
    sources: list[MoneyRow]
    rounds: list[RoundRow]
    plans: list[PlanRow]

    @property
    def sources_total(self) -> MoneyRow:
        return MoneyRow(
            "total",
            _("รวม"),
            sum((r.since_founding for r in self.sources), ZERO),
            sum((r.this_year for r in self.sources), ZERO),
        )


@dataclass
class BenefitRow:  # 5-6
    code: str
    label: str
    persons_total: int
    cases_total: int
    baht_total: Decimal
    persons_year: int
    cases_year: int
    baht_year: Decimal


@dataclass
class BenefitsPart:
    rows: list[BenefitRow]
    total: BenefitRow
    ledger_total: Decimal  # the benefit expense accounts, to the year end
    ledger_year: Decimal

    @property
    def matches_ledger(self) -> bool:
        return (
            self.total.baht_total == self.ledger_total and self.total.baht_year == self.ledger_year
        )

    @property
    def kinds_this_year(self) -> int:
        return sum(1 for r in self.rows if r.cases_year and r.baht_year > 0)


@dataclass
class CommitteeRow:  # 8
    assignment_id: int
    name: str
    role: str
    community_role: str
    phone: str


@dataclass
class Item:
    label: str
    value: str
    ok: bool | None = None  # a yes/no known from data


@dataclass
class ManagementPart:  # 9
    written_rules: Item
    data_keeping: Item
    meeting_frequency: Item
    minutes: Item
    accounts_current: Item
    monitoring: Item
    reporting: Item
    last_entry: dt.date | None
    last_closed: dt.date | None

    @property
    def items(self) -> list[Item]:
        return [
            self.written_rules,
            self.data_keeping,
            self.meeting_frequency,
            self.minutes,
            self.accounts_current,
            self.monitoring,
            self.reporting,
        ]


@dataclass
class Line:
    key: str
    label: str
    amount: Decimal


@dataclass
class FinancePart:  # 10: since founding, to the year end
    receipts: list[Line]
    assets: list[Line]
    income: list[Line]
    expenses: list[Line]

    @staticmethod
    def _total(lines: list[Line]) -> Decimal:
        return sum((ln.amount for ln in lines), ZERO)

    @property
    def receipts_total(self) -> Decimal:
        return self._total(self.receipts)

    @property
    def assets_total(self) -> Decimal:
        return self._total(self.assets)

    @property
    def income_total(self) -> Decimal:
        return self._total(self.income)

    @property
    def expenses_total(self) -> Decimal:
        return self._total(self.expenses)

    @property
    def sources(self) -> Decimal:
        return self.receipts_total + self.income_total

    @property
    def uses(self) -> Decimal:
        return self.assets_total + self.expenses_total

    @property
    def balanced(self) -> bool:
        return self.sources == self.uses


@dataclass
class Signature:
    title: str
    name: str
    position: str = ""


@dataclass
class Criterion:
    label: str
    ok: bool | None  # None: not known (an answer is missing)
    detail: str = ""


@dataclass
class CodiForm:
    fund: Fund
    fiscal_year: int
    start: dt.date
    end: dt.date
    as_of: dt.date
    record: CodiFormYear | None
    identity: Identity
    founding: Founding
    members: MembersPart
    money: MoneyPart
    benefits: BenefitsPart
    activities: str
    committee: list[CommitteeRow]
    management: ManagementPart
    finance: FinancePart
    links: str
    support_from: str
    support: str
    plans: str
    problems: str
    suggestions: str
    signatures: list[Signature]
    criteria: list[Criterion] = field(default_factory=list)
    statements: Statements | None = None

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.record.answers) if self.record else {}


# --- building it -----------------------------------------------------------------------------


def _text(answers: dict[str, Any], key: str) -> str:
    value = answers.get(key)
    return str(value).strip() if value not in (None, "") else ""


def _person_of_user(user: Any) -> Any:
    link = getattr(user, "person_link", None)
    return getattr(link, "person", None) if link is not None else None


def _name(user: Any) -> str:
    person = _person_of_user(user)
    if person is not None:
        return str(person.full_name)
    return str(user.get_full_name() or user.get_username())


def _phone(user: Any) -> str:
    person = _person_of_user(user)
    return str(person.phone) if person is not None and person.phone else ""


def _roles_on(units: list[OrgUnit], roles: tuple[str, ...], day: dt.date) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(org_unit__in=units, role__in=roles, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("user__person_link__person", "org_unit")
        .order_by("start_date", "pk")
    )


def _identity(fund: Fund, day: dt.date) -> Identity:
    unit = fund.org_unit
    sub = unit.subdistrict
    district = sub.district if sub else unit.district
    province = district.province if district else unit.province
    chairs = _roles_on([unit], (Role.CHAIR,), day)
    ancestors = [*unit.ancestors(), unit]
    coordinators = sorted(
        _roles_on(ancestors, (Role.COORDINATOR,), day), key=lambda ra: -ra.org_unit.depth
    )
    chair = chairs[-1] if chairs else None
    coordinator = coordinators[0] if coordinators else None
    parts = [str(x) for x in (sub, district, province) if x]
    postcode = sub.postal_code_list[0] if sub and sub.postal_code_list else ""
    return Identity(
        fund_name=fund.name,
        address=" ".join([*parts, postcode]).strip(),
        subdistrict=str(sub) if sub else "",
        district=str(district) if district else "",
        province=str(province) if province else "",
        postcode=postcode,
        chair=Person(_name(chair.user), str(Role(chair.role).label), _phone(chair.user))
        if chair
        else None,
        coordinator=Person(
            _name(coordinator.user), str(coordinator.org_unit), _phone(coordinator.user)
        )
        if coordinator
        else None,
    )


def _rounds(fund: Fund, end: dt.date) -> list[RoundRow]:
    members: dict[int, int] = {}
    years: dict[int, set[int]] = defaultdict(set)
    for rno, fy, n in (
        MatchedMember.objects.filter(fund=fund, fiscal_year__lte=_fy(fund, end))
        .values_list("round_no", "fiscal_year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        members[rno] = members.get(rno, 0) + n
        years[rno].add(fy)
    money: dict[int, Decimal] = {}
    for rno, fy, total in (
        FundReceipt.objects.filter(fund=fund, source=FundingSource.STATE_CODI, date__lte=end)
        .values_list("round_no", "fiscal_year")
        .annotate(t=Sum("amount"))
        .order_by()
    ):
        money[rno] = money.get(rno, ZERO) + Decimal(total).quantize(Decimal("0.01"))
        years[rno].add(fy)
    last = max([STATE_ROUNDS, *members, *money])
    return [
        RoundRow(n, sorted(years.get(n, ())), members.get(n, 0), money.get(n, ZERO))
        for n in range(1, last + 1)
    ]


def _fy(fund: Fund, day: dt.date) -> int:
    return fiscal_year(day, start_month=fund.fiscal_year_start_month)


def _founding_year(fund: Fund, lives: list[MemberLife]) -> int | None:
    first = fund.founded_on or min((life.joined for life in lives), default=None)
    return _fy(fund, first) if first else None


def _members(
    fund: Fund,
    s: Statements,
    record: CodiFormYear | None,
    rounds: list[RoundRow],
) -> MembersPart:
    lives, as_of = s.lives, s.as_of
    answers = record.answers if record else {}
    founding_fy = _founding_year(fund, lives)
    if answers.get("founding_members") not in (None, ""):
        founding, answered = int(answers["founding_members"]), True
    else:
        bounds = year_bounds(fund, founding_fy) if founding_fy else None
        founding = (
            sum(1 for life in lives if bounds[0] <= life.joined <= bounds[1]) if bounds else 0
        )
        answered = False
    current = [life for life in lives if life.current_on(as_of)]
    # Eligible for state matching: a full year of membership by the year's end and still
    # counting then (funds.selectors.matching_eligible, from the same walk).
    latest_join = add_months(s.end, -12) + ONE_DAY
    eligible = sum(1 for life in current if life.joined <= latest_join) if as_of == s.end else None
    types = [
        TypeCount(
            value,
            str(label),
            sum(1 for life in lives if life.member_type == value),
            sum(1 for life in current if life.member_type == value),
        )
        for value, label in MemberType.choices
    ]
    group_ids = {life.org_unit_id for life in current}
    groups = list(
        OrgUnit.objects.filter(pk__in=group_ids, kind=OrgUnitKind.VILLAGE_GROUP).order_by("name")
    )
    population = record.community_population if record else None
    coverage = (
        (Decimal(100) * len(current) / population).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if population
        else None
    )
    return MembersPart(
        founding=founding,
        founding_answered=answered,
        cumulative=len(lives),
        current=len(current),
        as_of=as_of,
        population=population,
        coverage_percent=coverage,
        eligible=eligible,
        rounds=rounds,
        types=types,
        villages_covered=len(groups),
        villages_total=record.villages_total if record else None,
        village_names=[g.name for g in groups],
    )


SOURCE_ROWS: tuple[tuple[str, str], ...] = (
    ("members", "income.members"),
    ("group_profit", "income.group_profit"),
    ("local_gov", "income.local_gov"),
    ("codi_seed", "income.codi_seed"),
    ("state_codi", "income.state_codi"),
    ("other_state", "income.other_state"),
    ("interest", "income.interest"),
    ("entry_fees", "income.entry_fees"),
    ("donation", "income.donation"),
    ("other", "income.other"),
)
SOURCE_LABELS = {
    "members": gettext_lazy("เงินสมทบจากสมาชิก"),
    "group_profit": gettext_lazy("ผลกำไรจากกลุ่มการเงินชุมชน"),
    "local_gov": gettext_lazy("องค์กรปกครองส่วนท้องถิ่น (อปท.)"),
    "codi_seed": gettext_lazy("พอช. (เงินทุนประเดิม)"),
    "state_codi": gettext_lazy("รัฐบาลผ่าน พอช. (สมทบรายรอบ)"),
    "other_state": gettext_lazy("หน่วยงานรัฐอื่น"),
    "interest": gettext_lazy("ดอกเบี้ยเงินฝาก"),
    "entry_fees": gettext_lazy("ค่าสมัครสมาชิก"),
    "donation": gettext_lazy("เงินบริจาค"),
    "other": gettext_lazy("รายได้อื่น"),
    "capital": gettext_lazy("ทุนยกมาเมื่อเริ่มบันทึกบัญชี"),
    "liabilities": gettext_lazy("หนี้สิน (เงินยืม/เงินรับฝาก)"),
}


def _by_category(figs: list[AccountFigures]) -> dict[str, tuple[Decimal, Decimal]]:
    """(to the year end, this year) on the normal side, per money-in line of section 4."""
    known = {cat: key for key, cat in SOURCE_ROWS}
    out: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for f in figs:
        if f.group == INCOME:
            key = known.get(f.account.category, "other")
        elif f.group == EQUITY:
            key = "capital"
        elif f.group == LIABILITY:
            key = "liabilities"
        else:
            continue
        out[key][0] += f.balance_end
        out[key][1] += f.movement
    return {k: (v[0], v[1]) for k, v in out.items()}


def _money(
    fund: Fund,
    s: Statements,
    record: CodiFormYear | None,
    rounds: list[RoundRow],
    founding_fy: int | None,
) -> MoneyPart:
    figs = s.figures
    cats = _by_category(figs)
    sources = [
        MoneyRow(key, str(SOURCE_LABELS[key]), *cats.get(key, (ZERO, ZERO)))
        for key, _cat in SOURCE_ROWS
    ]
    for key in ("capital", "liabilities"):
        if any(cats.get(key, (ZERO, ZERO))):
            sources.append(MoneyRow(key, str(SOURCE_LABELS[key]), *cats[key]))
    answers = record.answers if record else {}
    capital = cats.get("capital", (ZERO, ZERO))[0]
    if answers.get("initial_money") not in (None, ""):
        initial, note = Decimal(str(answers["initial_money"])), _("ตามที่กองทุนระบุ")
    elif capital:
        initial, note = capital, _("ทุนยกมาเมื่อเริ่มบันทึกบัญชี")
    elif founding_fy:
        start, end = year_bounds(fund, founding_fy)
        first = account_figures(fund.book_id, start=start, end=end, prev_start=start)
        initial = sum((f.movement for f in first if f.group == INCOME), ZERO)
        note = _("เงินที่รับในปีบัญชีแรก (ปี %(fy)s)") % {"fy": founding_fy}
    else:
        initial, note = ZERO, ""
    on_plan: dict[int, int] = defaultdict(int)
    for life in s.lives:
        if life.current_on(s.as_of):
            on_plan[life.plan_id] += 1
    plans = [
        PlanRow(p.name, p.months, p.amount, on_plan.get(p.pk, 0), p.active)
        for p in ContributionPlan.objects.filter(fund=fund).order_by("months", "amount")
        if p.active or on_plan.get(p.pk)
    ]
    return MoneyPart(
        initial=initial,
        initial_note=note,
        cumulative=sum((r.since_founding for r in sources), ZERO),
        balance=sum((f.balance_end for f in figs if f.group in (CASH, BANK)), ZERO),
        sources=sources,
        rounds=rounds,
        plans=plans,
    )


def _benefits(fund: Fund, s: Statements) -> BenefitsPart:
    start, end = s.start, s.end
    cells: dict[str, dict[str, Any]] = {
        code: {"pt": set(), "py": set(), "ct": 0, "cy": 0, "bt": ZERO, "by": ZERO}
        for code, _label in BENEFIT_CATEGORIES
    }
    rows = Payout.objects.filter(fund=fund, date__lte=end).values_list(
        "category", "membership_id", "date", "amount", "reversal__entry__date"
    )
    for category, mid, day, amount, reversed_on in rows.order_by().iterator(chunk_size=5000):
        c = cells.setdefault(
            category, {"pt": set(), "py": set(), "ct": 0, "cy": 0, "bt": ZERO, "by": ZERO}
        )
        reversed_by_end = reversed_on is not None and reversed_on <= end
        c["bt"] += amount
        if start <= day:
            c["by"] += amount
        if reversed_by_end:
            c["bt"] -= amount
            if start <= reversed_on:
                c["by"] -= amount
            continue
        c["pt"].add(mid)
        c["ct"] += 1
        if start <= day:
            c["py"].add(mid)
            c["cy"] += 1
    labels = dict(BENEFIT_CATEGORIES)
    out = [
        BenefitRow(
            code,
            _(labels.get(code, code)),
            len(c["pt"]),
            c["ct"],
            c["bt"],
            len(c["py"]),
            c["cy"],
            c["by"],
        )
        for code, c in sorted(cells.items())
    ]
    all_t: set[int] = set().union(*(c["pt"] for c in cells.values()))
    all_y: set[int] = set().union(*(c["py"] for c in cells.values()))
    total = BenefitRow(
        "",
        _("รวม"),
        len(all_t),
        sum(r.cases_total for r in out),
        sum((r.baht_total for r in out), ZERO),
        len(all_y),
        sum(r.cases_year for r in out),
        sum((r.baht_year for r in out), ZERO),
    )
    benefit_figs = [f for f in s.figures if f.group == BENEFIT]
    return BenefitsPart(
        rows=out,
        total=total,
        ledger_total=sum((f.balance_end for f in benefit_figs), ZERO),
        ledger_year=sum((f.movement for f in benefit_figs), ZERO),
    )


def committee_on(
    fund: Fund, day: dt.date, answers: dict[str, Any] | None = None
) -> list[CommitteeRow]:
    """The fund's committee on ``day`` (roles held at the fund's own unit), in the form's order."""
    roles = (answers or {}).get(COMMUNITY_ROLES) or {}
    order = {str(r): i for i, r in enumerate(COMMITTEE_ROLES)}
    found = _roles_on([fund.org_unit], COMMITTEE_ROLES, day)
    found.sort(key=lambda ra: (order[ra.role], _name(ra.user)))
    return [
        CommitteeRow(
            ra.pk,
            _name(ra.user),
            str(Role(ra.role).label),
            str(roles.get(str(ra.pk), "")),
            _phone(ra.user),
        )
        for ra in found
    ]


def _answer_item(answers: dict[str, Any], key: str, extra: str = "") -> Item:
    f = ANSWERS[key]
    value = choice_label(f, answers.get(key))
    if extra:
        value = f"{value} ({extra})" if value else extra
    return Item(str(f.label), value)


def _management(fund: Fund, s: Statements, record: CodiFormYear | None) -> ManagementPart:
    answers = record.answers if record else {}
    reg = (
        RegulationVersion.objects.filter(
            fund=fund, state=VersionState.ADOPTED, effective_from__lte=s.end
        )
        .order_by("-effective_from", "-number")
        .first()
    )
    rules = (
        Item(
            _("มีระเบียบเป็นลายลักษณ์อักษร"),
            _("มี: %(t)s (ฉบับที่ %(n)s มีผล %(d)s)")
            % {"t": reg.title, "n": reg.number, "d": format_be_date(reg.effective_from)},
            True,
        )
        if reg
        else Item(_("มีระเบียบเป็นลายลักษณ์อักษร"), _("ยังไม่มีระเบียบที่ประกาศใช้ในระบบ"), False)
    )
    keeping = record.data_keeping if record else DataKeeping.DATABASE
    as_of = s.as_of
    last_entry = JournalEntry.objects.filter(book_id=fund.book_id, date__lte=as_of).aggregate(
        d=Max("date")
    )["d"]
    last_closed = Period.objects.filter(
        book_id=fund.book_id, closed=True, end_date__lte=as_of
    ).aggregate(d=Max("end_date"))["d"]
    year_closed = last_closed is not None and last_closed >= s.end
    recent = last_entry is not None and last_entry >= as_of - dt.timedelta(
        days=ACCOUNTS_CURRENT_DAYS
    )
    current = year_closed or recent
    parts = []
    if last_entry:
        parts.append(_("บันทึกบัญชีล่าสุด %(d)s") % {"d": format_be_date(last_entry)})
    else:
        parts.append(_("ยังไม่มีรายการบัญชี"))
    if last_closed:
        parts.append(_("ปิดงวดบัญชีถึง %(d)s") % {"d": format_be_date(last_closed)})
    accounts = Item(
        _("บัญชีเป็นปัจจุบัน"),
        (_("เป็นปัจจุบัน") if current else _("ไม่เป็นปัจจุบัน")) + " (" + "; ".join(parts) + ")",
        current,
    )
    return ManagementPart(
        written_rules=rules,
        data_keeping=Item(_("การเก็บข้อมูลสมาชิก"), str(DataKeeping(keeping).label)),
        meeting_frequency=_answer_item(answers, "meeting_frequency"),
        minutes=_answer_item(answers, "minutes"),
        accounts_current=accounts,
        monitoring=_answer_item(answers, "monitoring", _text(answers, "monitoring_detail")),
        reporting=_answer_item(answers, "reporting"),
        last_entry=last_entry,
        last_closed=last_closed,
    )


def _finance(figs: list[AccountFigures]) -> FinancePart:
    """Section 10, since founding to the year end: money in (receipts and income) against where
    it is (assets, including benefits paid) and what was spent. Every entry balances, so the two
    sides are equal."""

    def total(pred: Any) -> Decimal:
        return sum((f.balance_end for f in figs if pred(f)), ZERO)

    def cat(*cats: str) -> Any:
        return lambda f: f.account.category in cats

    other_income = {"income.entry_fees", "income.donation", "income.interest"}
    fund_sources = {
        "income.members",
        "income.codi_seed",
        "income.state_codi",
        "income.local_gov",
        "income.other_state",
    }
    admin = {"admin.worker_pay", "admin.transport", "admin.stationery", "admin.meetings"}
    receipts = [
        Line("members", _("จากสมาชิก"), total(cat("income.members"))),
        Line("codi", _("จาก พอช."), total(cat("income.codi_seed"))),
        Line("state_codi", _("จากรัฐบาลผ่าน พอช."), total(cat("income.state_codi"))),
        Line("local_gov", _("จาก อปท."), total(cat("income.local_gov"))),
        Line("other_state", _("จากหน่วยงานรัฐอื่น"), total(cat("income.other_state"))),
        Line(
            "other",
            _("อื่น ๆ"),
            total(
                lambda f: (
                    f.group in (EQUITY, LIABILITY)
                    or (f.group == INCOME and f.account.category == "income.group_profit")
                )
            ),
        ),
    ]
    assets = [
        Line("bank", _("เงินฝากธนาคาร"), total(lambda f: f.group == BANK)),
        Line("cash", _("เงินสด"), total(lambda f: f.group == CASH)),
        Line("benefits", _("จ่ายสวัสดิการแล้ว"), total(lambda f: f.group == BENEFIT)),
        Line("other", _("อื่น ๆ"), total(lambda f: f.group == OTHER_ASSET)),
    ]
    income = [
        Line("entry_fees", _("ค่าสมัคร"), total(cat("income.entry_fees"))),
        Line("donation", _("เงินบริจาค"), total(cat("income.donation"))),
        Line("interest", _("ดอกเบี้ย"), total(cat("income.interest"))),
        Line(
            "other",
            _("อื่น ๆ"),
            total(
                lambda f: (
                    f.group == INCOME
                    and f.account.category
                    not in other_income | fund_sources | {"income.group_profit"}
                )
            ),
        ),
    ]
    expenses = [
        Line("worker_pay", _("ค่าตอบแทนผู้ปฏิบัติงาน"), total(cat("admin.worker_pay"))),
        Line("transport", _("ค่าเดินทาง"), total(cat("admin.transport"))),
        Line("stationery", _("ค่าวัสดุอุปกรณ์และเครื่องเขียน"), total(cat("admin.stationery"))),
        Line("meetings", _("ค่าประชุมและกิจกรรม"), total(cat("admin.meetings"))),
        Line(
            "other",
            _("อื่น ๆ (รวมเงินคืนสมาชิกลาออก)"),
            total(
                lambda f: (
                    f.account.kind == "expense"
                    and f.group != BENEFIT
                    and f.account.category not in admin
                )
            ),
        ),
    ]
    return FinancePart(receipts, assets, income, expenses)


def _criteria(form: CodiForm) -> list[Criterion]:
    """CODI's support criteria of FY2567 (domain.md), checked from the form."""
    m = form.members
    lives = form.statements.lives if form.statements else []
    started = form.fund.founded_on or min((life.joined for life in lives), default=None)
    year_old = started is not None and add_months(started, 12) <= form.end + ONE_DAY
    current = {t.key: t.current for t in m.types}
    groups_missing = [
        str(label)
        for key, label in (
            (MemberType.CHILD, MemberType.CHILD.label),
            (MemberType.ELDERLY, MemberType.ELDERLY.label),
            (MemberType.DISABLED, MemberType.DISABLED.label),
            (MemberType.DISADVANTAGED, MemberType.DISADVANTAGED.label),
        )
        if not current.get(key) and not (key == MemberType.CHILD and current.get(MemberType.ORPHAN))
    ]
    villages = m.villages_percent
    kinds = form.benefits.kinds_this_year
    return [
        Criterion(
            _("ดำเนินการมาแล้วอย่างน้อย 1 ปี"),
            year_old,
            _("ก่อตั้ง %(d)s") % {"d": format_be_date(started)} if started else _("ไม่ทราบวันที่ก่อตั้ง"),
        ),
        Criterion(
            _("มีสมาชิกเด็กและเยาวชน ผู้สูงอายุ ผู้พิการ และผู้ด้อยโอกาส"),
            not groups_missing,
            _("ยังไม่มี: %(g)s") % {"g": ", ".join(groups_missing)} if groups_missing else "",
        ),
        Criterion(
            _("หมู่บ้าน/ชุมชนที่เข้าร่วมไม่น้อยกว่าร้อยละ 50"),
            None if villages is None else villages >= 50,
            _("ร้อยละ %(p)s (%(a)s จาก %(b)s)")
            % {"p": villages, "a": m.villages_covered, "b": m.villages_total}
            if villages is not None
            else _("ยังไม่ได้กรอกจำนวนหมู่บ้านทั้งหมด"),
        ),
        Criterion(
            _("บัญชีเป็นปัจจุบัน"),
            form.management.accounts_current.ok,
            form.management.accounts_current.value,
        ),
        Criterion(
            _("จัดสวัสดิการพื้นฐานอย่างน้อย 3 ประเภทในปีที่ผ่านมา"),
            kinds >= 3,
            _("%(n)s ประเภทที่มีผู้รับและจำนวนเงิน") % {"n": kinds},
        ),
    ]


def codi_form(
    fund: Fund,
    fy: int,
    *,
    today: dt.date | None = None,
    statements: Statements | None = None,
) -> CodiForm:
    """The whole status form of fiscal year ``fy`` (BE), filled from the fund's data and the
    answers saved for that year."""
    today = today or timezone.localdate()
    s = statements or fund_statements(fund, fy, today=today)
    record = CodiFormYear.objects.filter(fund=fund, fiscal_year=fy).first()
    answers = dict(record.answers) if record else {}
    rounds = _rounds(fund, s.end)
    day = s.as_of
    committee = committee_on(fund, day, answers)
    secretaries = [c for c in committee if c.role == str(Role.SECRETARY.label)]
    chairs = [c for c in committee if c.role == str(Role.CHAIR.label)]
    form = CodiForm(
        fund=fund,
        fiscal_year=fy,
        start=s.start,
        end=s.end,
        as_of=s.as_of,
        record=record,
        identity=_identity(fund, day),
        founding=Founding(
            fund.founded_on, _text(answers, "supporting_org"), _text(answers, "objectives")
        ),
        members=_members(fund, s, record, rounds),
        money=_money(fund, s, record, rounds, _founding_year(fund, s.lives)),
        benefits=_benefits(fund, s),
        activities=_text(answers, "activities"),
        committee=committee,
        management=_management(fund, s, record),
        finance=_finance(s.figures),
        links=_text(answers, "links"),
        support_from=choice_label(ANSWERS["support_from"], answers.get("support_from")),
        support=_text(answers, "support"),
        plans=_text(answers, "plans"),
        problems=_text(answers, "problems"),
        suggestions=_text(answers, "suggestions"),
        signatures=[
            Signature(_("เลขานุการกองทุน"), secretaries[0].name if secretaries else ""),
            Signature(_("ประธานกองทุน"), chairs[0].name if chairs else ""),
            Signature(
                _("ผู้รับรองระดับจังหวัด"),
                _text(answers, "certifier_name"),
                _text(answers, "certifier_position"),
            ),
        ],
        statements=s,
    )
    form.criteria = _criteria(form)
    return form


# --- Excel -----------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00;-#,##0.00"
COUNT_FORMAT = "#,##0"


def write_xlsx(form: CodiForm, out: Any) -> None:
    """The form as one worksheet laid out section by section (real numbers, number formats)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("แบบแสดงสถานะกองทุน")[:31]
    bold = Font(bold=True)
    big = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 44
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 16

    def row(*values: Any, font: Any = None, fmt: dict[int, str] | None = None) -> None:
        append_row(ws, list(values))
        r = ws.max_row
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if font is not None:
                cell.font = font
            if isinstance(v, Decimal):
                cell.number_format = (fmt or {}).get(c, MONEY_FORMAT)
            elif isinstance(v, int) and not isinstance(v, bool):
                cell.number_format = (fmt or {}).get(c, COUNT_FORMAT)
            elif isinstance(v, str) and len(v) > 40:
                cell.alignment = wrap

    def section(title: str) -> None:
        append_row(ws, [])
        row(title, font=bold)

    def text(label: str, value: str) -> None:
        row(label, value or "-")

    row(_("แบบแสดงสถานะกองทุนสวัสดิการชุมชน"), font=big)
    row(
        _("ปีงบประมาณ %(fy)s (%(a)s – %(b)s)")
        % {
            "fy": form.fiscal_year,
            "a": format_be_date(form.start, "long"),
            "b": format_be_date(form.end, "long"),
        }
    )
    idn = form.identity
    section(_("1. ข้อมูลทั่วไป"))
    text(_("ชื่อกองทุน"), idn.fund_name)
    text(_("ที่ตั้ง"), idn.address)
    text(_("ประธานกองทุน"), f"{idn.chair.name} {idn.chair.phone}".strip() if idn.chair else "")
    text(
        _("ผู้ประสานงาน"),
        f"{idn.coordinator.name} ({idn.coordinator.role}) {idn.coordinator.phone}".strip()
        if idn.coordinator
        else "",
    )
    section(_("2. การก่อตั้ง"))
    text(
        _("วันที่ก่อตั้ง"),
        format_be_date(form.founding.founded_on, "long") if form.founding.founded_on else "",
    )
    text(_("องค์กรที่สนับสนุนการจัดตั้ง"), form.founding.supporting_org)
    text(_("วัตถุประสงค์"), form.founding.objectives)
    m = form.members
    section(_("3. สมาชิก (ณ วันที่ %(d)s)") % {"d": format_be_date(m.as_of, "long")})
    row(_("สมาชิกแรกก่อตั้ง (คน)"), m.founding)
    row(_("สมาชิกสะสมทั้งหมด (คน)"), m.cumulative)
    row(_("สมาชิกปัจจุบัน (ไม่รวมผู้เสียชีวิต ลาออก ขาดสมาชิกภาพ) (คน)"), m.current)
    row(_("ประชากรในชุมชน/ตำบล (คน)"), m.population if m.population is not None else "-")
    row(
        _("สัดส่วนสมาชิกต่อประชากร (ร้อยละ)"),
        m.coverage_percent if m.coverage_percent is not None else "-",
        fmt={2: "0.0"},
    )
    row(
        _("สมาชิกที่มีสิทธิ์ได้รับเงินสมทบในปีนี้ (คน)"),
        m.eligible if m.eligible is not None else _("ทราบเมื่อสิ้นปีงบประมาณ"),
    )
    row(_("ประเภทสมาชิก"), _("สะสม (คน)"), _("ปัจจุบัน (คน)"), font=bold)
    for t in m.types:
        row(t.label, t.cumulative, t.current)
    row(_("หมู่บ้าน/ชุมชนที่มีสมาชิก"), m.villages_covered)
    row(_("หมู่บ้าน/ชุมชนทั้งหมดในพื้นที่"), m.villages_total if m.villages_total is not None else "-")
    mo = form.money
    section(_("4. เงินกองทุน"))
    row(_("เงินกองทุนเริ่มแรก (บาท)"), mo.initial, mo.initial_note)
    row(_("เงินกองทุนสะสม (บาท)"), mo.cumulative)
    row(_("เงินกองทุนคงเหลือ (เงินสดและเงินฝาก) (บาท)"), mo.balance)
    row(_("แหล่งที่มาของเงิน"), _("ตั้งแต่ก่อตั้ง (บาท)"), _("ปีนี้ (บาท)"), font=bold)
    for r in mo.sources:
        row(r.label, r.since_founding, r.this_year)
    sources_total = mo.sources_total
    row(sources_total.label, sources_total.since_founding, sources_total.this_year, font=bold)
    row(
        _("เงินสมทบจากรัฐบาลผ่าน พอช."),
        _("ปีงบประมาณ"),
        _("สมาชิกที่ขอสมทบ (คน)"),
        _("จำนวนเงิน (บาท)"),
        font=bold,
    )
    for rr in mo.rounds:
        row(
            _("รอบที่ %(n)s") % {"n": rr.round_no},
            ", ".join(str(y) for y in rr.fiscal_years) or "-",
            rr.members,
            rr.amount,
        )
    row(_("แบบการออม"), _("เดือนต่องวด"), _("บาทต่องวด"), _("สมาชิก (คน)"), font=bold)
    for p in mo.plans:
        row(p.name, p.months, p.amount, p.members)
    b = form.benefits
    section(_("5–6. สวัสดิการที่จัดให้สมาชิก"))
    row(
        _("ประเภทสวัสดิการ"),
        _("สะสม (คน)"),
        _("สะสม (ครั้ง)"),
        _("สะสม (บาท)"),
        _("ปีนี้ (คน)"),
        _("ปีนี้ (ครั้ง)"),
        _("ปีนี้ (บาท)"),
        font=bold,
    )
    for br in [*b.rows, b.total]:
        row(
            f"{br.code} {br.label}".strip(),
            br.persons_total,
            br.cases_total,
            br.baht_total,
            br.persons_year,
            br.cases_year,
            br.baht_year,
            font=bold if not br.code else None,
        )
    section(_("7. กิจกรรมชุมชนที่กองทุนสนับสนุน"))
    text("", form.activities)
    section(_("8. คณะกรรมการกองทุน"))
    row(_("ชื่อ-สกุล"), _("ตำแหน่งในกองทุน"), _("บทบาทในชุมชน"), _("โทรศัพท์"), font=bold)
    for c in form.committee:
        row(c.name, c.role, c.community_role, c.phone)
    section(_("9. การบริหารจัดการ"))
    for item in form.management.items:
        text(item.label, item.value)
    f = form.finance
    section(_("10. งบการเงิน (ตั้งแต่ก่อตั้งถึง %(d)s)") % {"d": format_be_date(form.end, "long")})
    for title, lines, total in (
        (_("รายรับ"), f.receipts, f.receipts_total),
        (_("รายได้"), f.income, f.income_total),
        (_("สินทรัพย์"), f.assets, f.assets_total),
        (_("ค่าใช้จ่าย"), f.expenses, f.expenses_total),
    ):
        row(title, font=bold)
        for ln in lines:
            row(ln.label, ln.amount)
        row(_("รวม%(t)s") % {"t": title}, total, font=bold)
    row(_("รวมรายรับและรายได้"), f.sources, font=bold)
    row(_("รวมสินทรัพย์และค่าใช้จ่าย"), f.uses, font=bold)
    for n, title, value in (
        (11, _("การเชื่อมโยงกับงานพัฒนาอื่น ๆ"), form.links),
        (12, _("การสนับสนุนที่ได้รับ"), ", ".join(x for x in (form.support_from, form.support) if x)),
        (13, _("แผนการดำเนินงานต่อไป"), form.plans),
        (14, _("ปัญหาและอุปสรรค"), form.problems),
        (15, _("ข้อเสนอแนะ"), form.suggestions),
    ):
        section(f"{n}. {title}")
        text("", value)
    section(_("ลงชื่อ"))
    for sig in form.signatures:
        text(sig.title, " ".join(x for x in (sig.name, sig.position) if x))
    wb.save(out)
