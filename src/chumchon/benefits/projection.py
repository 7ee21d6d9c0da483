"""Sustainability projection (ประมาณการความยั่งยืนของกองทุน): members, income, benefits and the
fund's balance 10-20 years ahead, as an expected line and a P10-P90 band, and "what if" a rule
changes. The method and every assumption are written down in ``docs/projection.md``.

Three steps, kept apart so the arithmetic can be tested without a database:

1. ``gather`` reads the fund: its current members (age, sex, tenure, member type, plan), every
   membership's spell in the history window (joined, died, resigned, lapsed), the benefits the
   regulation in force pays (as ``engine.Rule`` snapshots), the claims paid in the window, the
   money in and out by report category, and the cash and bank balance.
2. ``estimate`` turns the history into rates: mortality (a Thai table, scaled by the fund's own
   deaths with a credibility weight), each benefit's events per eligible member-year (the same),
   lapses and joiners per member-year, matching and other income per member-year, the collection
   ratio and the share spent on administration.
3. ``simulate`` projects member cohorts (single year of age × whole years of tenure × sex ×
   member type) year by year, deterministically (the expected line), then runs a seeded Monte
   Carlo (``random.Random(seed)``) of Poisson event counts around it (the band).

Money here is an estimate, never posted: the model computes in floats for speed and rounds to
whole baht (Decimal) where it hands figures out.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.thai import add_months, age_on, be_year, format_baht, format_be_date
from chumchon.funds.models import Fund, LapseRule, Membership, MembershipState, Payment

from .engine import PER_UNIT, TIERED, Rule, after, choose_tier, years_beyond
from .models import BenefitType, Payout, VersionState

# ---------------------------------------------------------------------------------------------
# Stated defaults (docs/projection.md explains each and where it comes from)
# ---------------------------------------------------------------------------------------------

#: Annual probability of death by 5-year age band (lower bound of the band), men and women.
#: Rounded approximations of recent Thai national life tables (WHO Global Health Observatory
#: life tables for Thailand, about 2019; Thailand life table 2014 of the Burden of Disease
#: Research Program, IHPP). A default only: the fund's own deaths adjust it (``mortality_factor``).
MORTALITY: dict[str, tuple[tuple[int, float], ...]] = {
    "M": (
        (0, 0.0020), (5, 0.0004), (15, 0.0016), (20, 0.0022), (25, 0.0023), (30, 0.0026),
        (35, 0.0032), (40, 0.0042), (45, 0.0058), (50, 0.0080), (55, 0.0110), (60, 0.0155),
        (65, 0.0220), (70, 0.0340), (75, 0.0550), (80, 0.0900), (85, 0.1400), (90, 0.2200),
    ),
    "F": (
        (0, 0.0016), (5, 0.0003), (15, 0.0005), (20, 0.0006), (25, 0.0007), (30, 0.0009),
        (35, 0.0012), (40, 0.0017), (45, 0.0025), (50, 0.0037), (55, 0.0055), (60, 0.0080),
        (65, 0.0125), (70, 0.0210), (75, 0.0370), (80, 0.0650), (85, 0.1100), (90, 0.1900),
    ),
}  # fmt: skip
#: Hospital admissions per person-year by age (Thai inpatient use is about 0.1-0.12 a year).
ADMISSIONS: tuple[tuple[int, float], ...] = (
    (0, 0.07),
    (15, 0.07),
    (45, 0.10),
    (60, 0.16),
    (70, 0.25),
)
#: Births per woman-year by age (Thai total fertility about 1.2-1.3 children per woman).
FERTILITY: tuple[tuple[int, float], ...] = (
    (0, 0.0), (15, 0.025), (20, 0.060), (25, 0.070), (30, 0.060), (35, 0.035), (40, 0.008),
    (45, 0.001), (50, 0.0),
)  # fmt: skip
#: Nights per admission: mean of the default (geometric) distribution, when history is short.
DEFAULT_NIGHTS = 4.0
#: Twins: share of births with two newborns (a per-newborn benefit pays twice).
TWIN_SHARE = 0.015
#: Events per eligible member-year for a benefit with no model of its own, by category.
GENERIC_RATE = {"08": 0.5}
GENERIC_RATE_OTHER = 0.02
DEFAULT_LAPSE_RATE = 0.03
DEFAULT_JOIN_RATE = 0.05
DEFAULT_ADMIN_SHARE = 0.10
#: Credibility of the fund's own experience: in events (mortality, claims) and member-years
#: (lapses, joiners). The rate used is (actual + C × default) / (exposure + C) in effect.
CREDIBILITY_EVENTS = 10.0
CREDIBILITY_YEARS = 200.0
UNITS_FROM_HISTORY = 20  # claims with units needed before their distribution replaces the default
HISTORY_YEARS = 3
RUNS = 500
SEED = 20250101
MIN_YEARS, MAX_YEARS = 10, 20
YEAR_DAYS = 365.25
MORTALITY_CATEGORIES = ("04", "05")
_COMPOUND_EXACT = 40  # event counts above this use the normal approximation of their sum


def _band_rate(table: Sequence[tuple[int, float]], age: int) -> float:
    i = bisect.bisect_right([a for a, _r in table], age) - 1
    return table[max(i, 0)][1]


_DEATH_RATES: dict[tuple[int, str], float] = {}


def death_rate(age: int, sex: str) -> float:
    rate = _DEATH_RATES.get((age, sex))
    if rate is None:
        if sex in MORTALITY:
            rate = _band_rate(MORTALITY[sex], age)
        else:
            rate = (_band_rate(MORTALITY["M"], age) + _band_rate(MORTALITY["F"], age)) / 2
        _DEATH_RATES[(age, sex)] = rate
    return rate


def _birth_rate(age: int, sex: str) -> float:
    base = _band_rate(FERTILITY, age)
    return base if sex == "F" else (base / 2 if sex not in ("M", "F") else 0.0)


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """Changes to the regulation and income for a "what if" (the baseline changes nothing)."""

    benefit_factors: tuple[tuple[str, float], ...] = ()  # (code, factor on its amounts)
    contribution_factor: float = 1.0
    matching_per_member: float | None = None  # baht a member-year; None: from history/inputs

    def factor(self, code: str) -> float:
        return dict(self.benefit_factors).get(code, 1.0)

    @property
    def changes_anything(self) -> bool:
        return (
            any(f != 1.0 for _c, f in self.benefit_factors)
            or self.contribution_factor != 1.0
            or self.matching_per_member is not None
        )


@dataclass(frozen=True)
class CurrentMember:
    age: int | None
    sex: str
    tenure_days: int
    member_type: str
    annual: float  # contribution a year under the member's plan


@dataclass(frozen=True)
class Spell:
    """One membership in the history window: who, from when, until when and why it ended."""

    birth: dt.date | None
    sex: str
    member_type: str
    joined: dt.date
    end: dt.date | None
    end_kind: str  # "death", "resign", "lapse" or ""
    annual: float


@dataclass(frozen=True)
class ClaimPaid:
    code: str
    date: dt.date
    units: float | None


@dataclass
class FundHistory:
    """Everything ``estimate`` and ``simulate`` need, read from the database once."""

    as_of: dt.date
    window_start: dt.date
    history_years: int
    opening_balance: float
    entry_fee: float
    members: list[CurrentMember]
    spells: list[Spell]
    rules: list[Rule]
    claims: list[ClaimPaid]
    money: dict[str, float]  # report category group -> amount in the window
    version_label: str = ""
    #: When the fund started recording benefit payments here (its first payout), and when each
    #: benefit code first came into force: claim rates are learnt only from then on, so books
    #: kept elsewhere before do not read as "no claims".
    payouts_since: dt.date | None = None
    code_since: dict[str, dt.date] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# 1. Reading the fund
# ---------------------------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:

    return add_months(day, 12 * years)


def _birth(person_birth: dt.date | None, birth_year: int | None) -> dt.date | None:
    if person_birth is not None:
        return person_birth
    if birth_year:
        return dt.date(birth_year, 7, 1)
    return None


def _lapse_date(fund: Fund, joined: dt.date, months: int, amount: float, paid: float) -> dt.date:
    """When a member lapses if nothing more is paid: cover bought by the contributions paid
    (whole months of the current plan from the join date) plus the fund's lapse rule."""

    per_month = amount / months if months else 0.0
    covered = int(paid // per_month) if per_month > 0 else 0
    first_unpaid = add_months(joined, covered)
    if fund.lapse_rule == LapseRule.MISSED_DUES:
        return add_months(first_unpaid, months * max(fund.lapse_missed_dues, 0))
    return first_unpaid + dt.timedelta(days=fund.lapse_days + 1)


_MONEY_GROUPS = {
    "income.members": "contributions",
    "income.entry_fees": "entry_fees",
    "income.state_codi": "matching",
    "income.local_gov": "matching",
    "income.other_state": "matching",
    "income.donation": "other",
    "income.interest": "other",
    "income.group_profit": "other",
    "income.other": "other",
}


def gather(
    fund: Fund, *, as_of: dt.date | None = None, history_years: int = HISTORY_YEARS
) -> FundHistory:
    """Read what the projection needs (a handful of queries, whatever the fund's size)."""
    from chumchon.ledger.models import Posting

    from .selectors import _benefits_with_rules, version_in_force

    as_of = as_of or timezone.localdate()
    window_start = _add_years(as_of, -history_years)
    paid = dict(
        Payment.objects.filter(fund=fund, void__isnull=True, date__lte=as_of)
        .values("membership_id")
        .annotate(total=Sum("contribution"))
        .values_list("membership_id", "total")
    )
    members: list[CurrentMember] = []
    spells: list[Spell] = []
    rows = (
        Membership.objects.filter(fund=fund, joined_on__isnull=False, joined_on__lte=as_of)
        .filter(
            state__in=[MembershipState.APPROVED, MembershipState.RESIGNED, MembershipState.DIED]
        )
        .values_list(
            "pk",
            "state",
            "joined_on",
            "ended_on",
            "member_type",
            "plan__months",
            "plan__amount",
            "person__birth_date",
            "person__birth_year",
            "person__sex",
            "person__death_date",
        )
    )
    for pk, state, joined, ended, mtype, months, amount, bdate, byear, sex, died in rows:
        if joined is None:  # filtered above; for the type checker
            continue
        annual = float(amount) * 12 / months if months else 0.0
        birth = _birth(bdate, byear)
        end, kind = None, ""
        if died is not None:
            end, kind = died, "death"
        if state == MembershipState.DIED and ended is not None and (end is None or ended < end):
            end, kind = ended, "death"
        if state == MembershipState.RESIGNED and ended is not None and (end is None or ended < end):
            end, kind = ended, "resign"
        lapse = _lapse_date(fund, joined, months, float(amount), float(paid.get(pk, 0) or 0))
        if (end is None or lapse < end) and lapse <= as_of:
            end, kind = lapse, "lapse"
        if end is not None and end > as_of:
            end, kind = None, ""
        if end is not None and end < window_start:
            continue
        spells.append(Spell(birth, sex or "U", mtype, joined, end, kind, annual))
        if end is None:
            members.append(
                CurrentMember(
                    age_on(birth, None, as_of), sex or "U", (as_of - joined).days, mtype, annual
                )
            )
    version = version_in_force(fund, as_of)
    rules: list[Rule] = []
    label = ""
    if version is not None:
        rules = [Rule.from_model(b) for b in _benefits_with_rules().filter(version=version)]
        label = _("%(t)s ฉบับที่ %(n)s (มีผลตั้งแต่ %(d)s)") % {
            "t": version.title,
            "n": version.number,
            "d": format_be_date(version.effective_from),
        }
    claims = [
        ClaimPaid(code, day, _units(units, start, end))
        for code, day, units, start, end in Payout.objects.filter(
            fund=fund,
            claim__isnull=False,
            reversal__isnull=True,
            date__gte=window_start,
            date__lte=as_of,
        ).values_list(
            "claim__benefit__code",
            "date",
            "claim__units",
            "claim__event_date",
            "claim__event_end",
        )
    ]
    money: dict[str, float] = defaultdict(float)
    for category, side, total in (
        Posting.objects.filter(entry__book_id=fund.book_id, date__gte=window_start, date__lte=as_of)
        .filter(
            Q(account__category__startswith="income.") | Q(account__category__startswith="admin.")
        )
        .values_list("account__category", "side")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        sign = 1.0 if side == "C" else -1.0
        if category.startswith("admin."):
            money["admin"] -= sign * float(total)
        else:
            money[_MONEY_GROUPS.get(category, "other")] += sign * float(total)
    cash = Posting.objects.filter(
        entry__book_id=fund.book_id, account__is_cash=True, date__lte=as_of
    ).aggregate(
        d=Sum("amount", filter=Q(side="D")),
        c=Sum("amount", filter=Q(side="C")),
    )
    balance = float(cash["d"] or 0) - float(cash["c"] or 0)
    return FundHistory(
        as_of=as_of,
        window_start=window_start,
        history_years=history_years,
        opening_balance=balance,
        entry_fee=float(fund.entry_fee),
        members=members,
        spells=spells,
        rules=rules,
        claims=claims,
        money=dict(money),
        version_label=label,
        payouts_since=Payout.objects.filter(fund=fund).aggregate(d=Min("date"))["d"],
        code_since=dict(
            BenefitType.objects.filter(version__fund=fund, version__state=VersionState.ADOPTED)
            .values("code")
            .annotate(since=Min("version__effective_from"))
            .values_list("code", "since")
        ),
    )


def _units(units: Any, start: dt.date | None, end: dt.date | None) -> float | None:
    if units is not None:
        return float(units)
    if start is not None and end is not None:
        return float((end - start).days)
    return None


# ---------------------------------------------------------------------------------------------
# 2. Rates
# ---------------------------------------------------------------------------------------------


def benefit_model(rule: Rule) -> str:
    """How events of a benefit are modelled: recurring, death, birth, hospital or generic."""
    if rule.recurrence:
        return "recurring"
    if rule.category in MORTALITY_CATEGORIES:
        return "death"
    if rule.category == "01":
        return "birth"
    if rule.category == "02":
        return "hospital"
    return "generic"


def _duration_days(n: int, unit: str) -> float:
    ref = dt.date(2000, 1, 1)
    return float((after(ref, n, unit) - ref).days)


@dataclass
class RuleModel:
    """A benefit as the projection uses it: who is eligible, how often, how much."""

    rule: Rule
    model: str
    waiting_days: float
    unit_dist: tuple[tuple[float, float], ...]  # (units paid, probability), per-unit benefits
    factor: float = 1.0  # the fund's experience relative to the default rate
    actual: int = 0
    expected: float = 0.0
    periods_per_year: int = 1
    _amounts: dict[tuple[int, float], float] = field(default_factory=dict, repr=False)

    @property
    def code(self) -> str:
        return self.rule.code

    def eligible(self, age: int, tenure_days: float, sex: str, member_type: str) -> bool:
        r = self.rule
        if tenure_days < self.waiting_days:
            return False
        if r.min_age is not None and age < r.min_age:
            return False
        if r.max_age is not None and age > r.max_age:
            return False
        if r.sex and sex != r.sex:
            return False
        return not (r.member_types and member_type not in r.member_types)

    def base_rate(self, age: int, sex: str) -> float:
        """Default events per eligible member-year (before the fund's experience)."""
        if self.model == "death":
            return death_rate(age, sex)
        if self.model == "birth":
            return _birth_rate(age, sex)
        if self.model == "hospital":
            return _band_rate(ADMISSIONS, age)
        if self.model == "recurring":
            return float(self.periods_per_year)
        return GENERIC_RATE.get(self.rule.category, GENERIC_RATE_OTHER)

    def amount(self, tenure_days: float, units: float = 1.0) -> float:
        """Baht for one event at this tenure (and units, for per-unit benefits), after the
        per-event caps."""
        key = (max(int(tenure_days), 0), units)
        value = self._amounts.get(key)
        if value is None:
            value = self._amounts[key] = self._amount(key[0], units)
        return value

    def _amount(self, tenure_days: int, units: float) -> float:
        r = self.rule
        if r.amount_kind == TIERED:
            joined = dt.date(2000, 1, 1)
            day = joined + dt.timedelta(days=tenure_days)
            tier = choose_tier(r, joined, day)
            if tier is None:
                return 0.0
            value = float(tier.amount)
            if tier.to_n is None and tier.step_amount:
                value += float(tier.step_amount) * years_beyond(tier, joined, day)
            if tier.max_amount is not None:
                value = min(value, float(tier.max_amount))
        elif r.amount_kind == PER_UNIT:
            value = float(r.amount or 0) * units
        else:
            value = float(r.amount or 0)
        for lim in r.limits:
            if lim.measure == "amount" and lim.period == "event":
                value = min(value, float(lim.maximum))
        return max(value, 0.0)

    def amounts(self, tenure_days: float) -> list[tuple[float, float]]:
        """(amount, probability) of one event: several for per-unit benefits."""
        if self.rule.amount_kind == PER_UNIT:
            return [(self.amount(tenure_days, u), p) for u, p in self.unit_dist]
        return [(self.amount(tenure_days), 1.0)]


def _event_unit_cap(rule: Rule) -> float | None:
    caps = [
        float(lim.maximum)
        for lim in rule.limits
        if lim.measure == "units" and lim.period == "event"
    ]
    return min(caps) if caps else None


def _unit_distribution(
    rule: Rule, model: str, history: Sequence[float]
) -> tuple[tuple[float, float], ...]:
    """Units paid per event: the fund's own claims when there are enough, else a default
    (nights: geometric with mean DEFAULT_NIGHTS; newborns: 1, or 2 for twins; others: 1).
    The per-event unit cap applies."""
    cap = _event_unit_cap(rule)
    counts: dict[float, float] = defaultdict(float)
    usable = [u for u in history if u and u > 0]
    if len(usable) >= UNITS_FROM_HISTORY:
        for u in usable:
            counts[u] += 1.0
    elif model == "hospital":
        p = 1.0 / DEFAULT_NIGHTS
        for k in range(1, 31):
            counts[float(k)] += p * (1 - p) ** (k - 1)
    elif model == "birth":
        counts[1.0] += 1 - TWIN_SHARE
        counts[2.0] += TWIN_SHARE
    else:
        counts[1.0] = 1.0
    capped: dict[float, float] = defaultdict(float)
    for u, w in counts.items():
        capped[min(u, cap) if cap is not None else u] += w
    total = sum(capped.values())
    return tuple(sorted((u, w / total) for u, w in capped.items()))


@dataclass(frozen=True)
class Assumption:
    label: str
    value: str
    source: str


@dataclass
class Estimates:
    mortality_factor: float
    deaths_actual: int
    deaths_expected: float
    rules: list[RuleModel]
    lapse_rate: float
    join_rate: float
    matching_per_member: float
    other_per_member: float
    collection_ratio: float
    admin_share: float
    exposure: float
    joiner_template: list[tuple[int, str, str, float, float]]  # age, sex, type, annual, weight
    assumptions: list[Assumption] = field(default_factory=list)


def _pieces(
    s: Spell, start: dt.date, end: dt.date, years: int
) -> Iterable[tuple[dt.date, dt.date]]:
    """The part of a spell in each year of the window, as (first day, day after)."""
    s_start = max(s.joined, start)
    s_end = min(s.end or end, end)
    for k in range(years):
        a = max(s_start, _add_years(start, k))
        b = min(s_end, _add_years(start, k + 1))
        if b > a:
            yield a, b


def experience_start(h: FundHistory, code: str) -> dt.date | None:
    """From when the fund's own claims of ``code`` are evidence: the window, the first payout
    recorded here and the code's first regulation, whichever is latest (None: no evidence)."""
    if h.payouts_since is None:
        return None
    start = max(h.window_start, h.payouts_since, h.code_since.get(code, h.window_start))
    return start if start < h.as_of else None


def _credible(actual: float, expected: float, weight: float) -> float:
    return (actual + weight) / (expected + weight)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def estimate(h: FundHistory, *, matching_per_member: float | None = None) -> Estimates:
    """The rates the projection uses, from the fund's history blended with the defaults."""
    start, end, years = h.window_start, h.as_of, h.history_years
    by_code: dict[str, list[ClaimPaid]] = defaultdict(list)
    for c in h.claims:
        by_code[c.code].append(c)
    models: list[RuleModel] = []
    for rule in h.rules:
        model = benefit_model(rule)
        units = [c.units for c in by_code.get(rule.code, []) if c.units is not None]
        rm = RuleModel(
            rule=rule,
            model=model,
            waiting_days=_duration_days(rule.waiting_n, rule.waiting_unit)
            if rule.waiting_n
            else 0.0,
            unit_dist=_unit_distribution(rule, model, units)
            if rule.amount_kind == PER_UNIT
            else ((1.0, 1.0),),
            periods_per_year=12 if rule.recurrence == "monthly" else 1,
        )
        since = experience_start(h, rule.code)
        rm.actual = sum(1 for c in by_code.get(rule.code, []) if since and c.date >= since)
        models.append(rm)
    claim_models = [
        (rm, experience_start(h, rm.code))
        for rm in models
        if rm.model not in ("recurring", "death")
    ]
    exposure = 0.0
    deaths_expected = 0.0
    deaths = lapses = joins = 0
    contributions_expected = 0.0
    for s in h.spells:
        for a, b in _pieces(s, start, end, years):
            yrs = (b - a).days / YEAR_DAYS
            mid = a + (b - a) / 2
            exposure += yrs
            contributions_expected += yrs * s.annual
            age = age_on(s.birth, None, mid)
            if age is None:
                age = 45
            deaths_expected += yrs * death_rate(age, s.sex)
            tenure = float((mid - s.joined).days)
            for rm, since in claim_models:
                if since is None or b <= since:
                    continue
                if rm.eligible(age, tenure, s.sex, s.member_type):
                    part = (b - max(a, since)).days / YEAR_DAYS
                    rm.expected += part * rm.base_rate(age, s.sex)
        if s.end is not None and start <= s.end <= end:
            if s.end_kind == "death":
                deaths += 1
            elif s.end_kind in ("resign", "lapse"):
                lapses += 1
        if start <= s.joined <= end:
            joins += 1
    mortality_factor = _credible(deaths, deaths_expected, CREDIBILITY_EVENTS)
    for rm in models:
        if rm.model == "death":
            rm.factor, rm.actual, rm.expected = mortality_factor, deaths, deaths_expected
        elif rm.model != "recurring" and rm.expected > 0:
            rm.factor = _credible(rm.actual, rm.expected, CREDIBILITY_EVENTS)
    lapse_rate = (lapses + CREDIBILITY_YEARS * DEFAULT_LAPSE_RATE) / (exposure + CREDIBILITY_YEARS)
    join_rate = (joins + CREDIBILITY_YEARS * DEFAULT_JOIN_RATE) / (exposure + CREDIBILITY_YEARS)
    money = h.money
    matching_hist = money.get("matching", 0.0) / exposure if exposure > 0 else 0.0
    other = money.get("other", 0.0) / exposure if exposure > 0 else 0.0
    contributions = money.get("contributions", 0.0)
    collection = (
        min(max(contributions / contributions_expected, 0.2), 1.2)
        if contributions_expected > 0 and contributions > 0
        else 1.0
    )
    income = contributions + money.get("matching", 0.0) + money.get("other", 0.0)
    income += money.get("entry_fees", 0.0)
    admin_share = (
        min(max(money.get("admin", 0.0) / income, 0.0), 0.5) if income > 0 else DEFAULT_ADMIN_SHARE
    )
    matching = matching_hist if matching_per_member is None else matching_per_member
    template = _joiner_template(h)
    est = Estimates(
        mortality_factor=mortality_factor,
        deaths_actual=deaths,
        deaths_expected=deaths_expected,
        rules=models,
        lapse_rate=lapse_rate,
        join_rate=join_rate,
        matching_per_member=matching,
        other_per_member=other,
        collection_ratio=collection,
        admin_share=admin_share,
        exposure=exposure,
        joiner_template=template,
    )
    est.assumptions = _describe(h, est, matching_per_member, lapses, joins, income > 0)
    return est


def _joiner_template(h: FundHistory) -> list[tuple[int, str, str, float, float]]:
    """Who joins: the age (5-year band), sex, type and plan of recent joiners (all members when
    fewer than 10 joined in the window), as shares."""
    recent = [s for s in h.spells if h.window_start <= s.joined <= h.as_of]
    pool = recent if len(recent) >= 10 else list(h.spells)
    counts: dict[tuple[int, str, str], list[float]] = {}
    for s in pool:
        age = age_on(s.birth, None, s.joined)
        age = 45 if age is None else age
        band = min(age // 5 * 5 + 2, 97)
        c = counts.setdefault((band, s.sex, s.member_type), [0.0, 0.0])
        c[0] += 1
        c[1] += s.annual
    total = sum(c[0] for c in counts.values())
    return [
        (age, sex, mtype, c[1] / c[0], c[0] / total)
        for (age, sex, mtype), c in sorted(counts.items())
    ]


def _describe(
    h: FundHistory,
    e: Estimates,
    matching_given: float | None,
    lapses: int,
    joins: int,
    has_money: bool,
) -> list[Assumption]:
    hist = _("ประวัติกองทุน %(n)s ปี (%(a)s – %(b)s), %(x)s สมาชิก-ปี") % {
        "n": h.history_years,
        "a": format_be_date(h.window_start),
        "b": format_be_date(h.as_of),
        "x": f"{e.exposure:,.0f}",
    }
    out = [
        Assumption(
            _("อัตราการเสียชีวิต"),
            _("ตารางชีพไทย × %(f)s") % {"f": f"{e.mortality_factor:.2f}"},
            _(
                "ค่าตั้งต้น: ตารางชีพประชากรไทยตามอายุและเพศ ปรับด้วยการเสียชีวิตจริง %(a)s คน "
                "เทียบกับที่คาดไว้ %(e)s คน (น้ำหนักความน่าเชื่อถือ %(c)s ราย) ใน%(h)s"
            )
            % {
                "a": e.deaths_actual,
                "e": f"{e.deaths_expected:.1f}",
                "c": f"{CREDIBILITY_EVENTS:.0f}",
                "h": hist,
            },
        ),
        Assumption(
            _("อัตราการขาดสมาชิกภาพและลาออก"),
            _("%(r)s ต่อปี") % {"r": _pct(e.lapse_rate)},
            _("ลาออกหรือขาดสมาชิกภาพ %(n)s คนใน%(h)s ผสมกับค่าตั้งต้น %(d)s ต่อปี")
            % {"n": lapses, "h": hist, "d": _pct(DEFAULT_LAPSE_RATE)},
        ),
        Assumption(
            _("อัตราสมาชิกใหม่"),
            _("%(r)s ของจำนวนสมาชิกต่อปี") % {"r": _pct(e.join_rate)},
            _("สมัครใหม่ %(n)s คนใน%(h)s ผสมกับค่าตั้งต้น %(d)s ต่อปี")
            % {"n": joins, "h": hist, "d": _pct(DEFAULT_JOIN_RATE)},
        ),
        Assumption(
            _("เงินสมทบจากสมาชิก"),
            _("ตามแบบการออมของสมาชิกแต่ละคน × อัตราการเก็บได้จริง %(r)s")
            % {"r": _pct(e.collection_ratio)},
            _("อัตราการเก็บได้จริง = เงินสมทบที่รับจริง ÷ เงินสมทบตามแบบการออม ใน%(h)s") % {"h": hist},
        ),
        Assumption(
            _("เงินสมทบจากรัฐ อปท. และหน่วยงานอื่น"),
            _("%(a)s บาทต่อสมาชิกต่อปี")
            % {"a": format_baht(Decimal(str(round(e.matching_per_member, 2))))},
            _("กำหนดเองในหน้าจอ")
            if matching_given is not None
            else _("เฉลี่ยจากที่ได้รับจริงใน%(h)s (ไม่ถือว่าจะได้รับแน่นอน)") % {"h": hist},
        ),
        Assumption(
            _("รายได้อื่น (ดอกเบี้ย เงินบริจาค ฯลฯ)"),
            _("%(a)s บาทต่อสมาชิกต่อปี")
            % {"a": format_baht(Decimal(str(round(e.other_per_member, 2))))},
            _("เฉลี่ยจาก%(h)s") % {"h": hist},
        ),
        Assumption(
            _("ค่าบริหารจัดการ"),
            _("%(r)s ของรายรับ") % {"r": _pct(e.admin_share)},
            _("สัดส่วนค่าใช้จ่ายบริหารต่อรายรับใน%(h)s") % {"h": hist}
            if has_money
            else _("ค่าตั้งต้น %(d)s (ยังไม่มีรายรับในช่วงประวัติ)") % {"d": _pct(DEFAULT_ADMIN_SHARE)},
        ),
    ]
    for rm in e.rules:
        if rm.model == "recurring":
            value = _("จ่ายทุกคนที่มีสิทธิ์ %(n)s ครั้งต่อปี") % {"n": rm.periods_per_year}
            source = _("ตามเงื่อนไขในระเบียบ (อายุ ระยะรอสิทธิ์ ประเภทสมาชิก)")
        elif rm.model == "death":
            value = _("ตามอัตราการเสียชีวิต × จำนวนเงินตามขั้นอายุสมาชิก")
            source = _("ใช้อัตราการเสียชีวิตข้างต้น")
        else:
            default = {
                "birth": _("อัตราการเกิดตามอายุของสมาชิกหญิง"),
                "hospital": _("อัตราการนอนโรงพยาบาลตามอายุ"),
            }.get(rm.model, _("%(r)s ครั้งต่อสมาชิกที่มีสิทธิ์ต่อปี") % {"r": f"{rm.base_rate(40, 'U'):.2f}"})
            value = _("ค่าตั้งต้น × %(f)s") % {"f": f"{rm.factor:.2f}"}
            since = experience_start(h, rm.code)
            if since is None or rm.expected <= 0:
                source = _("ค่าตั้งต้น: %(d)s (ยังไม่มีประวัติการจ่ายสวัสดิการนี้ในระบบ)") % {"d": default}
            else:
                source = _(
                    "ค่าตั้งต้น: %(d)s ปรับด้วยการจ่ายจริง %(a)s ครั้ง เทียบกับที่คาดไว้ %(e)s ครั้ง"
                    " ตั้งแต่ %(since)s ถึง %(to)s"
                ) % {
                    "d": default,
                    "a": rm.actual,
                    "e": f"{rm.expected:.1f}",
                    "since": format_be_date(since),
                    "to": format_be_date(h.as_of),
                }
        out.append(Assumption(rm.rule.name, value, source))
    return out


# ---------------------------------------------------------------------------------------------
# 3. Projection
# ---------------------------------------------------------------------------------------------


@dataclass
class YearModel:
    """The expected year (deterministic) and what the Monte Carlo draws around it."""

    members_start: float
    members_end: float
    deaths: float
    lapses: float
    joiners: float
    contributions: float
    matching: float
    other: float
    entry_fees: float
    benefits: dict[str, float]
    admin: float
    # Monte Carlo inputs (all scaled by the simulated/expected member ratio)
    base_income: float  # income of the members at the start of the year
    joiner_income: float  # income per joiner (entry fee and half a year of contributions)
    death_dist: tuple[tuple[float, ...], tuple[float, ...], float, float]
    claim_dists: list[tuple[float, tuple[float, ...], tuple[float, ...], float, float]]
    recurring: float

    @property
    def income(self) -> float:
        return self.contributions + self.matching + self.other + self.entry_fees

    @property
    def benefits_total(self) -> float:
        return sum(self.benefits.values())


def _dist(
    buckets: Mapping[float, float],
) -> tuple[tuple[float, ...], tuple[float, ...], float, float]:
    """(amounts, cumulative weights, mean, standard deviation) of one event's amount."""
    total = sum(buckets.values())
    if total <= 0:
        return (0.0,), (1.0,), 0.0, 0.0
    amounts = tuple(sorted(buckets))
    cum: list[float] = []
    acc = 0.0
    for a in amounts:
        acc += buckets[a]
        cum.append(acc)
    mean = sum(a * w for a, w in buckets.items()) / total
    var = sum(w * (a - mean) ** 2 for a, w in buckets.items()) / total
    return amounts, tuple(cum), mean, math.sqrt(max(var, 0.0))


def _member_type_at(member_type: str, age: int) -> str:
    """Member types follow age as the fund's registrar would set them (child → general at 18,
    general → elderly at 60); other types stay."""
    if member_type == "child" and age >= 18:
        return "general"
    if member_type == "general" and age >= 60:
        return "elderly"
    return member_type


def _cohorts(members: Sequence[CurrentMember]) -> dict[tuple[int, int, str, str], list[float]]:
    known = sorted(m.age for m in members if m.age is not None)
    median = known[len(known) // 2] if known else 45
    out: dict[tuple[int, int, str, str], list[float]] = {}
    for m in members:
        age = m.age if m.age is not None else median
        key = (max(age, 0), int(m.tenure_days // YEAR_DAYS), m.sex, m.member_type)
        c = out.setdefault(key, [0.0, 0.0])
        c[0] += 1
        c[1] += m.annual
    return out


def expected_years(h: FundHistory, e: Estimates, scenario: Scenario, years: int) -> list[YearModel]:
    """The deterministic projection: cohorts age a year at a time."""
    cohorts = _cohorts(h.members)
    contrib_factor = scenario.contribution_factor * e.collection_ratio
    matching = (
        scenario.matching_per_member
        if scenario.matching_per_member is not None
        else e.matching_per_member
    )
    rules = e.rules
    factors = {rm.code: scenario.factor(rm.code) for rm in rules}
    death_rules = [rm for rm in rules if rm.model == "death"]
    claim_rules = [rm for rm in rules if rm.model not in ("death", "recurring")]
    recurring_rules = [rm for rm in rules if rm.model == "recurring"]
    profile_cache: dict[tuple[int, int, str, str], Any] = {}
    dist_cache: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def profile(age: int, ten: int, sex: str, mtype: str) -> Any:
        """What a member of this cohort costs in the coming year, the same every year it
        recurs: death probability, benefits paid on death, claim rates, recurring payments."""
        mid = (ten + 1) * YEAR_DAYS  # tenure in the middle of the year
        at_run = (ten + 0.5) * YEAR_DAYS  # at the start of the year, when yearly runs pay
        q = min(death_rate(age, sex) * e.mortality_factor, 1.0)
        on_death = tuple(
            (rm.code, rm.amount(mid) * factors[rm.code])
            for rm in death_rules
            if rm.eligible(age, mid, sex, mtype)
        )
        claims = tuple(
            (i, rm.base_rate(age, sex) * rm.factor)
            for i, rm in enumerate(claim_rules)
            if rm.eligible(age, mid, sex, mtype) and rm.base_rate(age, sex) > 0
        )
        recurring = tuple(
            (rm.code, rm.amount(at_run) * factors[rm.code] * rm.periods_per_year)
            for rm in recurring_rules
            if rm.eligible(age, at_run, sex, mtype)
        )
        return q, on_death, claims, recurring, _member_type_at(mtype, age + 1)

    def claim_dist(i: int, ten: int) -> list[tuple[float, float]]:
        found = dist_cache.get((i, ten))
        if found is None:
            rm = claim_rules[i]
            found = [(a * factors[rm.code], w) for a, w in rm.amounts((ten + 1) * YEAR_DAYS)]
            dist_cache[(i, ten)] = found
        return found

    lapse_rate = e.lapse_rate
    out: list[YearModel] = []
    for _t in range(years):
        n_start = sum(c[0] for c in cohorts.values())
        nxt: dict[tuple[int, int, str, str], list[float]] = {}
        deaths = lapses = contributions = exposure_total = 0.0
        dying: dict[tuple[Any, ...], float] = defaultdict(float)  # benefits on death -> deaths
        events: dict[tuple[int, int], float] = defaultdict(float)  # (claim rule, tenure)
        paid_to: dict[tuple[Any, ...], float] = defaultdict(float)  # recurring -> members
        for key, (n, annual) in cohorts.items():
            if n <= 1e-9:
                continue
            p = profile_cache.get(key)
            if p is None:
                p = profile_cache[key] = profile(*key)
            q, on_death, claims, recurring, next_type = p
            d = n * q
            lp = (n - d) * lapse_rate
            exposure = n - (d + lp) / 2
            deaths += d
            lapses += lp
            exposure_total += exposure
            contributions += annual * exposure / n
            dying[on_death] += d
            age, ten, sex, _mtype = key
            for i, lam in claims:
                events[(i, ten)] += exposure * lam
            if recurring:
                paid_to[recurring] += n
            survive = (n - d - lp) / n
            c = nxt.setdefault((age + 1, ten + 1, sex, next_type), [0.0, 0.0])
            c[0] += n * survive
            c[1] += annual * survive
        contributions *= contrib_factor
        benefits: dict[str, float] = defaultdict(float)
        death_buckets: dict[float, float] = defaultdict(float)
        for on_death, d in dying.items():
            for code, amount in on_death:
                benefits[code] += d * amount
            death_buckets[round(sum(amount for _c, amount in on_death))] += d
        claim_buckets: list[dict[float, float]] = [defaultdict(float) for _r in claim_rules]
        for (i, ten), n_events in events.items():
            code = claim_rules[i].code
            buckets = claim_buckets[i]
            for amount, w in claim_dist(i, ten):
                benefits[code] += n_events * w * amount
                buckets[round(amount)] += n_events * w
        recurring_total = 0.0
        for recurring, n in paid_to.items():
            for code, amount in recurring:
                benefits[code] += n * amount
                recurring_total += n * amount
        joiners = n_start * e.join_rate
        joiner_annual = sum(a * w for _g, _s, _m, a, w in e.joiner_template)
        for age, sex, mtype, annual, w in e.joiner_template:
            key = (age, 0, sex, mtype)
            c = nxt.setdefault(key, [0.0, 0.0])
            c[0] += joiners * w
            c[1] += joiners * w * annual
        joiner_income = h.entry_fee + joiner_annual / 2 * contrib_factor
        matching_total = exposure_total * matching
        other_total = exposure_total * e.other_per_member
        base_income = contributions + matching_total + other_total
        entry_fees = joiners * h.entry_fee
        contributions += joiners * joiner_annual / 2 * contrib_factor
        income = base_income + joiners * joiner_income
        out.append(
            YearModel(
                members_start=n_start,
                members_end=sum(c[0] for c in nxt.values()),
                deaths=deaths,
                lapses=lapses,
                joiners=joiners,
                contributions=contributions,
                matching=matching_total,
                other=other_total,
                entry_fees=entry_fees,
                benefits=dict(benefits),
                admin=income * e.admin_share,
                base_income=base_income,
                joiner_income=joiner_income,
                death_dist=_dist(death_buckets),
                claim_dists=[(sum(b.values()), *_dist(b)) for b in claim_buckets],
                recurring=recurring_total,
            )
        )
        cohorts = nxt
    return out


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw: Knuth's product method below 30, the normal approximation above."""
    if lam <= 0:
        return 0
    if lam < 30:
        limit = math.exp(-lam)
        k, p = 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def _compound(
    rng: random.Random, n: int, dist: tuple[tuple[float, ...], tuple[float, ...], float, float]
) -> float:
    """The total of ``n`` event amounts drawn from ``dist`` (normal approximation when many)."""
    if n <= 0:
        return 0.0
    amounts, cum, mean, sd = dist
    if len(amounts) == 1:
        return n * amounts[0]
    if n > _COMPOUND_EXACT:
        return max(n * mean + math.sqrt(n) * sd * rng.gauss(0.0, 1.0), 0.0)
    return sum(rng.choices(amounts, cum_weights=cum, k=n))


def _quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks of sorted ``values``."""
    pos = (len(values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def monte_carlo(
    opening: float, admin_share: float, models: Sequence[YearModel], *, runs: int, seed: int
) -> list[tuple[float, float, float, float]]:
    """(P10, P50, P90, share of runs below zero) of the balance at the end of each year."""
    rng = random.Random(seed)
    balances: list[list[float]] = [[] for _m in models]
    for _r in range(runs):
        ratio, balance = 1.0, opening
        for t, y in enumerate(models):
            deaths = poisson(rng, y.deaths * ratio)
            cost = _compound(rng, deaths, y.death_dist)
            for lam, amounts, cum, mean, sd in y.claim_dists:
                cost += _compound(rng, poisson(rng, lam * ratio), (amounts, cum, mean, sd))
            cost += y.recurring * ratio
            lapses = poisson(rng, y.lapses * ratio)
            joiners = poisson(rng, y.joiners * ratio)
            income = y.base_income * ratio + joiners * y.joiner_income
            balance += income - cost - income * admin_share
            balances[t].append(balance)
            members = y.members_start * ratio - deaths - lapses + joiners
            ratio = max(members, 0.0) / y.members_end if y.members_end > 0 else 0.0
    out = []
    for values in balances:
        values.sort()
        below = sum(1 for v in values if v < 0) / len(values)
        out.append((_quantile(values, 0.1), _quantile(values, 0.5), _quantile(values, 0.9), below))
    return out


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


def baht(x: float) -> Decimal:
    """Whole baht, rounded half up (the precision a projection deserves)."""
    return Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearRow:
    index: int
    start: dt.date
    end: dt.date
    members: int
    deaths: Decimal
    joiners: int
    lapses: int
    contributions: Decimal
    matching: Decimal
    other_income: Decimal
    income: Decimal
    benefits: dict[str, Decimal]
    benefits_total: Decimal
    admin: Decimal
    net: Decimal
    balance: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal
    below_zero: float  # share of runs with a negative balance at the year's end

    @property
    def be_year(self) -> int:
        return be_year(self.end)

    @property
    def below_zero_percent(self) -> int:
        return round(self.below_zero * 100)


@dataclass
class Projection:
    as_of: dt.date
    years: int
    runs: int
    seed: int
    scenario: Scenario
    opening_balance: Decimal
    members_now: int
    rows: list[YearRow]
    benefit_names: dict[str, str]
    assumptions: list[Assumption]
    version_label: str
    warnings: list[str]

    @property
    def final(self) -> YearRow:
        return self.rows[-1]

    @property
    def first_negative(self) -> YearRow | None:
        return next((r for r in self.rows if r.balance < 0), None)


def simulate(
    h: FundHistory,
    e: Estimates,
    *,
    scenario: Scenario | None = None,
    years: int = 15,
    runs: int = RUNS,
    seed: int = SEED,
) -> Projection:
    """The expected line and the Monte Carlo band for ``years`` years from ``h.as_of``."""

    scenario = scenario or Scenario()
    years = min(max(int(years), 1), 50)
    models = expected_years(h, e, scenario, years)
    band = monte_carlo(h.opening_balance, e.admin_share, models, runs=max(runs, 1), seed=seed)
    rows: list[YearRow] = []
    balance = h.opening_balance
    for i, (y, (p10, p50, p90, below)) in enumerate(zip(models, band, strict=True)):
        start = add_months(h.as_of, 12 * i)
        end = add_months(h.as_of, 12 * (i + 1)) - dt.timedelta(days=1)
        net = y.income - y.benefits_total - y.admin
        balance += net
        rows.append(
            YearRow(
                index=i + 1,
                start=start,
                end=end,
                members=round(y.members_end),
                deaths=Decimal(str(round(y.deaths, 1))),
                joiners=round(y.joiners),
                lapses=round(y.lapses),
                contributions=baht(y.contributions),
                matching=baht(y.matching),
                other_income=baht(y.other + y.entry_fees),
                income=baht(y.income),
                benefits={code: baht(v) for code, v in y.benefits.items()},
                benefits_total=baht(y.benefits_total),
                admin=baht(y.admin),
                net=baht(net),
                balance=baht(balance),
                p10=baht(p10),
                p50=baht(p50),
                p90=baht(p90),
                below_zero=below,
            )
        )
    warnings = []
    if not h.rules:
        warnings.append(_("ยังไม่มีระเบียบสวัสดิการที่ประกาศใช้ ณ วันที่เริ่มประมาณการ จึงไม่มีรายจ่ายสวัสดิการ"))
    if not h.members:
        warnings.append(_("กองทุนยังไม่มีสมาชิกที่ยังคงสภาพ ณ วันที่เริ่มประมาณการ"))
    if e.exposure < 100:
        warnings.append(
            _("ประวัติของกองทุนยังน้อย (%(x)s สมาชิก-ปี) อัตราส่วนใหญ่จึงมาจากค่าตั้งต้น")
            % {"x": f"{e.exposure:,.0f}"}
        )
    return Projection(
        as_of=h.as_of,
        years=years,
        runs=runs,
        seed=seed,
        scenario=scenario,
        opening_balance=baht(h.opening_balance),
        members_now=len(h.members),
        rows=rows,
        benefit_names={rm.code: rm.rule.name for rm in e.rules},
        assumptions=e.assumptions,
        version_label=h.version_label,
        warnings=warnings,
    )


def project_fund(
    fund: Fund,
    *,
    as_of: dt.date | None = None,
    years: int = 15,
    runs: int = RUNS,
    seed: int = SEED,
    history_years: int = HISTORY_YEARS,
    matching_per_member: float | None = None,
    what_if: Scenario | None = None,
) -> tuple[Projection, Projection | None]:
    """The baseline projection of a fund and, when ``what_if`` changes anything, the same
    projection with the change (same data, same seed: only the change differs)."""
    h = gather(fund, as_of=as_of, history_years=history_years)
    e = estimate(h, matching_per_member=matching_per_member)
    base = simulate(h, e, years=years, runs=runs, seed=seed)
    other = None
    if what_if is not None and what_if.changes_anything:
        other = simulate(h, e, scenario=what_if, years=years, runs=runs, seed=seed)
    return base, other
