"""The benefit rule engine: one event judged by one benefit of one regulation version.

Pure: no database. ``Rule`` is a frozen snapshot of a ``BenefitType`` with its tiers and limits
(``Rule.from_model``), ``MemberFacts`` what the rule needs to know about the member on the event
date (tenure, age, sex, type, standing), ``PastUse`` one earlier use of the same benefit on the
same membership. ``evaluate`` returns an ``Evaluation``: eligible or not, the amount the
regulation pays, the units paid after the unit caps, and the reasons as Thai lines
(``Reason``), each stored as ``[msgid, params, ok]`` and translated when shown.

Order of the steps (deterministic, each one explained):

1. the version used, the tenure on the event date;
2. waiting period, standing, age, sex and member type (a failed one makes the event ineligible,
   but every step is still explained);
3. units (given, or nights from the admission and discharge dates, or 1);
4. unit caps, per event first, then per period (calendar year, fund fiscal year, membership
   year, year from a month, lifetime); then count caps in the same period order;
5. the amount (fixed, per unit, or by tenure tier with the open top tier's formula);
6. amount caps, per event first, then per period.

The amount is never negative and never above any cap; 0 when not eligible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop

from chumchon.core.thai import (
    _,
    add_months,
    age_on,
    fiscal_year,
    fiscal_year_bounds,
    format_baht,
    format_be_date,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
ONE_DAY = dt.timedelta(days=1)

# Rule-kind values (the models' TextChoices values; repeated here so the engine needs no models).
DAYS, MONTHS, YEARS = "days", "months", "years"
FIXED, PER_UNIT, TIERED = "fixed", "per_unit", "tiered"
ANY, NOT_LAPSED, NO_ARREARS, ARREARS_WITHIN = "any", "not_lapsed", "no_arrears", "arrears_within"
AMOUNT, UNITS, COUNT = "amount", "units", "count"
EVENT, CALENDAR, FISCAL, MEMBERSHIP, YEAR_FROM, LIFETIME = (
    "event",
    "calendar",
    "fiscal",
    "membership",
    "year_from",
    "lifetime",
)
PERIOD_ORDER = (EVENT, CALENDAR, FISCAL, MEMBERSHIP, YEAR_FROM, LIFETIME)
GOOD_STANDING = ("active", "arrears")


# --- reasons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One line of the Thai explanation: a msgid, its already formatted params, and a verdict.

    ``ok``: True passed, False failed (makes the event ineligible), None informational.
    """

    msgid: str
    params: dict[str, str] = field(default_factory=dict)
    ok: bool | None = None

    def text(self) -> str:
        message = _(self.msgid)
        try:
            return message % self.params if self.params else message
        except (KeyError, TypeError, ValueError):  # a translation that lost a parameter
            return self.msgid % self.params if self.params else self.msgid

    def as_json(self) -> list[Any]:
        return [self.msgid, dict(self.params), self.ok]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Reason:
        msgid = str(data[0])
        params = {str(k): str(v) for k, v in dict(data[1] if len(data) > 1 else {}).items()}
        ok = data[2] if len(data) > 2 else None
        return cls(msgid, params, None if ok is None else bool(ok))

    def __hash__(self) -> int:  # params is a dict: hash by its items
        return hash((self.msgid, tuple(sorted(self.params.items())), self.ok))


@dataclass(frozen=True)
class Evaluation:
    eligible: bool
    amount: Decimal  # what the regulation pays for this event (0 when not eligible)
    units: Decimal | None  # units paid after unit caps
    reasons: tuple[Reason, ...]
    version_id: int | None = None
    benefit_id: int | None = None

    def explanation(self) -> list[list[Any]]:
        """The reasons as stored in ``Claim.explanation``."""
        return [r.as_json() for r in self.reasons]

    def texts(self) -> list[str]:
        return [r.text() for r in self.reasons]


def reasons_from_json(data: Iterable[Sequence[Any]]) -> list[Reason]:
    return [Reason.from_json(d) for d in data or ()]


# Messages (marked for the catalog; params are formatted strings).
M_VERSION = gettext_noop("%(benefit)s ตาม%(title)s ฉบับที่ %(number)s มีผลบังคับใช้ตั้งแต่ %(date)s")
M_NO_JOIN = gettext_noop("ยังไม่มีวันที่เป็นสมาชิก")
M_BEFORE_JOIN = gettext_noop("วันที่เกิดเหตุ %(date)s ก่อนวันที่เป็นสมาชิก %(joined)s")
M_TENURE = gettext_noop("เป็นสมาชิกตั้งแต่ %(joined)s ถึงวันที่เกิดเหตุ %(date)s เป็นสมาชิก %(tenure)s")
M_WAIT_OK = gettext_noop("พ้นระยะรอสิทธิ์ %(wait)s แล้ว (มีสิทธิ์ตั้งแต่ %(from)s)")
M_WAIT_FAIL = gettext_noop("ยังไม่พ้นระยะรอสิทธิ์ %(wait)s (จะมีสิทธิ์ตั้งแต่ %(from)s)")
M_STANDING = gettext_noop("สถานะสมาชิก ณ วันที่เกิดเหตุ: %(status)s%(detail)s — เงื่อนไข: %(rule)s")
M_AGE = gettext_noop("อายุ ณ วันที่เกิดเหตุ %(age)s ปี — เงื่อนไข: %(rule)s")
M_AGE_UNKNOWN = gettext_noop("ไม่ทราบวันเกิดของสมาชิก จึงตรวจเงื่อนไขอายุ (%(rule)s) ไม่ได้")
M_SEX = gettext_noop("เพศของสมาชิก: %(sex)s — เงื่อนไข: เฉพาะเพศ%(rule)s")
M_TYPE = gettext_noop("ประเภทสมาชิก: %(type)s — เงื่อนไข: %(rule)s")
M_UNITS_GIVEN = gettext_noop("จำนวนที่ขอ %(n)s %(unit)s")
M_UNITS_DATES = gettext_noop("จำนวนที่ขอ %(n)s %(unit)s (ตั้งแต่ %(from)s ถึง %(to)s)")
M_UNITS_ONE = gettext_noop("ไม่ได้ระบุจำนวน นับเป็น 1 %(unit)s")
M_UNITS_NONE = gettext_noop("จำนวน%(unit)s: ต้องมากกว่า 0")
M_CAP_EVENT = gettext_noop("ไม่เกิน %(max)s %(unit)sต่อครั้ง")
M_CAP_EVENT_CUT = gettext_noop(
    "ไม่เกิน %(max)s %(unit)sต่อครั้ง จึงจ่าย %(paid)s %(unit)s จากที่ขอ %(asked)s %(unit)s"
)
M_CAP_LEFT = gettext_noop(
    "ใช้สิทธิ์แล้ว %(used)s %(unit)s%(period)s เหลือ %(left)s %(unit)s (ไม่เกิน %(max)s %(unit)s)"
)
M_CAP_CUT = gettext_noop(
    "ใช้สิทธิ์แล้ว %(used)s %(unit)s%(period)s เหลือ %(left)s %(unit)s "
    "จึงจ่าย %(paid)s %(unit)s จากที่ขอ %(asked)s %(unit)s"
)
M_CAP_FULL = gettext_noop("ใช้สิทธิ์ครบ %(max)s %(unit)s%(period)s แล้ว (ใช้ไป %(used)s %(unit)s)")
M_FIXED = gettext_noop("จำนวนเงิน %(amount)s บาทต่อครั้ง")
M_PER_UNIT = gettext_noop("%(rate)s บาทต่อ%(unit)s × %(n)s %(unit)s = %(amount)s บาท")
M_TIER = gettext_noop("ขั้นอายุสมาชิก %(band)s: %(amount)s บาท")
M_TIER_STEP = gettext_noop(
    "ขั้นอายุสมาชิก %(band)s: %(base)s บาท + %(step)s บาท × %(years)s ปีเต็มที่เกิน = %(total)s บาท"
)
M_TIER_MAX = gettext_noop("ขั้นนี้จ่ายไม่เกิน %(max)s บาท จึงจ่าย %(amount)s บาท")
M_NO_TIER = gettext_noop("อายุสมาชิก %(tenure)s ไม่อยู่ในขั้นใดของระเบียบ")
M_ZERO = gettext_noop("ตามระเบียบ กรณีนี้จ่าย 0 บาท")
M_PAYEE = gettext_noop("ผู้รับเงิน: %(payee)s")
M_RESULT_OK = gettext_noop("มีสิทธิ์ได้รับ %(amount)s บาท")
M_RESULT_NO = gettext_noop("ไม่มีสิทธิ์ได้รับตามระเบียบ")

_UNIT_WORDS = {
    DAYS: gettext_noop("วัน"),
    MONTHS: gettext_noop("เดือน"),
    YEARS: gettext_noop("ปี"),
}
_STANDING_RULES = {
    ANY: gettext_noop("ไม่กำหนดสถานะ"),
    NOT_LAPSED: gettext_noop("ต้องไม่ขาดสมาชิกภาพ (ค้างชำระได้)"),
    NO_ARREARS: gettext_noop("ต้องไม่ค้างชำระ"),
    ARREARS_WITHIN: gettext_noop("ค้างชำระได้ไม่เกิน %(n)s วัน"),
}
_STATUS_WORDS = {
    "applicant": gettext_noop("รอพิจารณา"),
    "rejected": gettext_noop("ไม่อนุมัติ"),
    "active": gettext_noop("ปกติ"),
    "arrears": gettext_noop("ค้างชำระ"),
    "lapsed": gettext_noop("ขาดสมาชิกภาพ"),
    "resigned": gettext_noop("ลาออก"),
    "dead": gettext_noop("เสียชีวิต"),
}
_SEX_WORDS = {"M": gettext_noop("ชาย"), "F": gettext_noop("หญิง"), "U": gettext_noop("ไม่ระบุ")}
_PAYEE_WORDS = {
    "member": gettext_noop("สมาชิก"),
    "beneficiary": gettext_noop("ผู้รับผลประโยชน์ที่สมาชิกระบุ"),
}


# --- the rule snapshot ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    from_n: int
    from_unit: str = YEARS
    to_n: int | None = None
    to_unit: str = YEARS
    amount: Decimal = ZERO
    step_amount: Decimal | None = None
    max_amount: Decimal | None = None


@dataclass(frozen=True)
class Limit:
    measure: str  # amount, units, count
    period: str  # event, calendar, fiscal, membership, year_from, lifetime
    maximum: Decimal
    start_month: int | None = None


@dataclass(frozen=True)
class Rule:
    """A frozen snapshot of one ``BenefitType`` (with its version, tiers and limits)."""

    code: str
    name: str
    amount_kind: str = FIXED
    amount: Decimal | None = None
    unit_name: str = ""
    category: str = ""
    payee: str = "member"
    waiting_n: int = 0
    waiting_unit: str = DAYS
    standing: str = NOT_LAPSED
    standing_arrears_days: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    sex: str = ""
    member_types: tuple[str, ...] = ()
    member_type_labels: tuple[str, ...] = ()
    recurrence: str = ""
    run_month: int | None = None
    tiers: tuple[Tier, ...] = ()
    limits: tuple[Limit, ...] = ()
    benefit_id: int | None = None
    version_id: int | None = None
    version_title: str = ""
    version_number: int | None = None
    version_effective_from: dt.date | None = None

    @classmethod
    def from_model(cls, bt: Any) -> Rule:
        """Snapshot a ``BenefitType`` (its ``version``, ``tiers`` and ``limits`` are read once)."""
        from chumchon.funds.models import MemberType

        v = bt.version
        labels = dict(MemberType.choices)
        types = tuple(bt.member_types or ())
        return cls(
            code=bt.code,
            name=bt.name,
            amount_kind=bt.amount_kind,
            amount=None if bt.amount is None else Decimal(bt.amount),
            unit_name=bt.unit_name,
            category=bt.category,
            payee=bt.payee,
            waiting_n=bt.waiting_n,
            waiting_unit=bt.waiting_unit,
            standing=bt.standing,
            standing_arrears_days=bt.standing_arrears_days,
            min_age=bt.min_age,
            max_age=bt.max_age,
            sex=bt.sex or "",
            member_types=types,
            member_type_labels=tuple(str(labels.get(t, t)) for t in types),
            recurrence=bt.recurrence or "",
            run_month=bt.run_month,
            tiers=tuple(
                Tier(
                    from_n=t.from_n,
                    from_unit=t.from_unit,
                    to_n=t.to_n,
                    to_unit=t.to_unit,
                    amount=Decimal(t.amount),
                    step_amount=None if t.step_amount is None else Decimal(t.step_amount),
                    max_amount=None if t.max_amount is None else Decimal(t.max_amount),
                )
                # Only a tiered amount reads its tiers (the others' are never used).
                for t in sorted(
                    bt.tiers.all() if bt.amount_kind == TIERED else (), key=lambda t: t.pk or 0
                )
            ),
            limits=tuple(
                Limit(
                    measure=lim.measure,
                    period=lim.period,
                    maximum=Decimal(lim.maximum),
                    start_month=lim.start_month,
                )
                for lim in sorted(bt.limits.all(), key=lambda x: x.pk or 0)
            ),
            benefit_id=bt.pk,
            version_id=v.pk,
            version_title=v.title,
            version_number=v.number,
            version_effective_from=v.effective_from,
        )


@dataclass(frozen=True)
class MemberFacts:
    """What the rule needs about the member; standing is as on the event date."""

    joined_on: dt.date | None
    birth_date: dt.date | None = None
    sex: str = ""
    member_type: str = "general"
    fiscal_year_start_month: int = 10
    standing: str = "active"  # a member_status code on the event date
    arrears_days: int = 0
    birth_year: int | None = None  # CE, when only the year of birth is known
    standing_label: str = ""
    standing_detail: str = ""  # member_status' reason, shown after the label
    member_type_label: str = ""


@dataclass(frozen=True)
class PastUse:
    """One earlier use of the same benefit code on the same membership."""

    event_date: dt.date
    units: Decimal | None = None
    amount: Decimal = ZERO


# --- calendar arithmetic ----------------------------------------------------------------------


def after(joined: dt.date, n: int, unit: str) -> dt.date:
    """The first day on which a membership from ``joined`` has lasted ``n`` units.

    Days count whole days ((day - joined).days >= n); months and years are anniversaries of the
    joining day, clipped to the month's end (joined 29 Feb: a year is reached on 28 Feb).
    """
    if unit == DAYS:
        return joined + dt.timedelta(days=n)
    if unit == MONTHS:
        return add_months(joined, n)
    if unit == YEARS:
        return add_months(joined, 12 * n)
    raise ValueError(f"unknown duration unit: {unit!r}")


def complete_months(start: dt.date, day: dt.date) -> int:
    """Whole months from ``start`` to ``day`` (anniversaries of ``start``, clipped)."""
    if day < start:
        return 0
    n = (day.year - start.year) * 12 + day.month - start.month
    while n > 0 and add_months(start, n) > day:
        n -= 1
    return n


def tenure(joined: dt.date, day: dt.date) -> tuple[int, int, int]:
    """(years, months, days) of membership on ``day`` (the joining day counts as day 0)."""
    months = complete_months(joined, day)
    years, rest = divmod(months, 12)
    days = (day - add_months(joined, months)).days
    return years, rest, days


def period_bounds(
    period: str, day: dt.date, *, joined: dt.date | None, fy_start: int, start_month: int | None
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the cap period containing ``day``; None for lifetime/event."""
    if period == CALENDAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if period == FISCAL:
        return fiscal_year_bounds(fiscal_year(day, start_month=fy_start), start_month=fy_start)
    if period == MEMBERSHIP:
        base = joined or day
        k = complete_months(base, day) // 12
        return add_months(base, 12 * k), add_months(base, 12 * (k + 1)) - ONE_DAY
    if period == YEAR_FROM:
        m = start_month or 1
        y = day.year if day.month >= m else day.year - 1
        start = dt.date(y, m, 1)
        return start, add_months(start, 12) - ONE_DAY
    return None


# --- formatting -------------------------------------------------------------------------------


def fmt_num(value: Decimal | int) -> str:
    """A count of units: "11", "1,250", "2.5" (no trailing zeros)."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def fmt_baht(value: Decimal) -> str:
    return format_baht(value)


def fmt_duration(n: int, unit: str) -> str:
    return f"{n:,} {_(_UNIT_WORDS[unit])}"


def fmt_tenure(joined: dt.date, day: dt.date) -> str:
    """ "3 ปี 2 เดือน 5 วัน" (zero parts left out; "0 วัน" on the joining day)."""
    y, m, d = tenure(joined, day)
    parts = []
    if y:
        parts.append(fmt_duration(y, YEARS))
    if m:
        parts.append(fmt_duration(m, MONTHS))
    if d or not parts:
        parts.append(fmt_duration(d, DAYS))
    return " ".join(parts)


def _period_label(period: str, bounds: tuple[dt.date, dt.date] | None, fy_start: int) -> str:
    """ "ในปีงบประมาณ 2569", "ในปี พ.ศ. 2569", "ตลอดการเป็นสมาชิก" ... (joined to the unit)."""
    if period == LIFETIME or bounds is None:
        return _("ตลอดการเป็นสมาชิก")
    start, end = bounds
    if period == CALENDAR:
        return _("ในปี พ.ศ. %(y)s") % {"y": start.year + 543}
    if period == FISCAL:
        return _("ในปีงบประมาณ %(y)s") % {"y": fiscal_year(start, start_month=fy_start)}
    if period == MEMBERSHIP:
        return _("ในปีสมาชิก %(a)s – %(b)s") % {
            "a": format_be_date(start),
            "b": format_be_date(end),
        }
    return _("ในรอบปี %(a)s – %(b)s") % {"a": format_be_date(start), "b": format_be_date(end)}


def _measure_word(limit: Limit, rule: Rule) -> str:
    if limit.measure == AMOUNT:
        return _("บาท")
    if limit.measure == COUNT:
        return _("ครั้ง")
    return rule.unit_name or _("หน่วย")


def _fmt_measure(limit: Limit, value: Decimal) -> str:
    return fmt_baht(value) if limit.measure == AMOUNT else fmt_num(value)


def _band(t: Tier) -> str:
    start = fmt_duration(t.from_n, t.from_unit)
    if t.to_n is None:
        return _("ตั้งแต่ %(a)s ขึ้นไป") % {"a": start}
    return _("ตั้งแต่ %(a)s ถึงก่อน %(b)s") % {"a": start, "b": fmt_duration(t.to_n, t.to_unit)}


def _age_rule(rule: Rule) -> str:
    if rule.min_age is not None and rule.max_age is not None:
        return _("อายุ %(a)s–%(b)s ปี") % {"a": rule.min_age, "b": rule.max_age}
    if rule.min_age is not None:
        return _("อายุตั้งแต่ %(a)s ปีขึ้นไป") % {"a": rule.min_age}
    return _("อายุไม่เกิน %(b)s ปี") % {"b": rule.max_age}


def _money(value: Decimal) -> Decimal:
    return max(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP), ZERO)


# --- the evaluation ---------------------------------------------------------------------------


def _ordered_limits(rule: Rule, measure: str) -> list[Limit]:
    return sorted(
        (lim for lim in rule.limits if lim.measure == measure),
        key=lambda lim: PERIOD_ORDER.index(lim.period) if lim.period in PERIOD_ORDER else 99,
    )


def _in_period(
    past: Sequence[PastUse], bounds: tuple[dt.date, dt.date] | None, period: str
) -> list[PastUse]:
    if period == LIFETIME:
        return list(past)
    if bounds is None:
        return []
    start, end = bounds
    return [p for p in past if start <= p.event_date <= end]


def _past_units(p: PastUse) -> Decimal:
    return Decimal(p.units) if p.units is not None else Decimal(1)


def choose_tier(rule: Rule, joined: dt.date, day: dt.date) -> Tier | None:
    """The tier whose [from, to) holds the tenure on ``day``; the latest-starting one wins."""
    found: tuple[dt.date, int, Tier] | None = None
    for i, t in enumerate(rule.tiers):
        start = after(joined, t.from_n, t.from_unit)
        if start > day:
            continue
        if t.to_n is not None and after(joined, t.to_n, t.to_unit) <= day:
            continue
        key = (start, i, t)
        if found is None or key[:2] > found[:2]:
            found = key
    return found[2] if found else None


def years_beyond(t: Tier, joined: dt.date, day: dt.date) -> int:
    """Complete years of membership beyond the start of an open top tier."""
    if t.from_unit == YEARS:
        return max(complete_months(joined, day) // 12 - t.from_n, 0)
    if t.from_unit == MONTHS:
        return max((complete_months(joined, day) - t.from_n) // 12, 0)
    return complete_months(after(joined, t.from_n, DAYS), day) // 12


def evaluate(
    rule: Rule,
    facts: MemberFacts,
    *,
    event_date: dt.date,
    units: Decimal | int | str | None = None,
    event_end: dt.date | None = None,
    past: Iterable[PastUse] = (),
) -> Evaluation:
    """Judge one event by one rule. Deterministic; never negative; never above a cap."""
    past = sorted(past, key=lambda p: (p.event_date, Decimal(p.amount), _past_units(p)))
    reasons: list[Reason] = []
    ok = True

    def add(msgid: str, params: dict[str, str] | None = None, verdict: bool | None = None) -> None:
        nonlocal ok
        reasons.append(Reason(msgid, params or {}, verdict))
        if verdict is False:
            ok = False

    if rule.version_title:
        add(
            M_VERSION,
            {
                "benefit": rule.name,
                "title": rule.version_title,
                "number": str(rule.version_number or ""),
                "date": format_be_date(rule.version_effective_from),
            },
        )
    joined = facts.joined_on
    if joined is None:
        add(M_NO_JOIN, {}, False)
    elif event_date < joined:
        add(
            M_BEFORE_JOIN,
            {"date": format_be_date(event_date), "joined": format_be_date(joined)},
            False,
        )
    else:
        add(
            M_TENURE,
            {
                "joined": format_be_date(joined),
                "date": format_be_date(event_date),
                "tenure": fmt_tenure(joined, event_date),
            },
        )
    member = joined is not None and event_date >= joined

    # Waiting period.
    if rule.waiting_n and joined is not None:
        start = after(joined, rule.waiting_n, rule.waiting_unit)
        params = {
            "wait": fmt_duration(rule.waiting_n, rule.waiting_unit),
            "from": format_be_date(start),
        }
        add(M_WAIT_OK if event_date >= start else M_WAIT_FAIL, params, event_date >= start)

    # Standing on the event date.
    code = facts.standing
    if rule.standing == ANY:
        passed: bool | None = None
    elif rule.standing == NO_ARREARS:
        passed = code == "active"
    elif rule.standing == ARREARS_WITHIN:
        passed = code == "active" or (
            code == "arrears" and facts.arrears_days <= (rule.standing_arrears_days or 0)
        )
    else:
        passed = code in GOOD_STANDING
    rule_text = _(_STANDING_RULES.get(rule.standing, _STANDING_RULES[NOT_LAPSED]))
    if rule.standing == ARREARS_WITHIN:
        rule_text = rule_text % {"n": rule.standing_arrears_days or 0}
    if member or rule.standing != ANY:
        label = facts.standing_label or _(_STATUS_WORDS.get(code, code))
        detail = f" ({facts.standing_detail})" if facts.standing_detail else ""
        add(M_STANDING, {"status": label, "detail": detail, "rule": rule_text}, passed)

    # Age, sex, member type.
    if rule.min_age is not None or rule.max_age is not None:
        age = age_on(facts.birth_date, facts.birth_year, event_date)
        if age is None:
            add(M_AGE_UNKNOWN, {"rule": _age_rule(rule)}, False)
        else:
            fits = (rule.min_age is None or age >= rule.min_age) and (
                rule.max_age is None or age <= rule.max_age
            )
            add(M_AGE, {"age": str(age), "rule": _age_rule(rule)}, fits)
    if rule.sex:
        add(
            M_SEX,
            {
                "sex": _(_SEX_WORDS.get(facts.sex, _SEX_WORDS["U"])),
                "rule": _(_SEX_WORDS.get(rule.sex, rule.sex)),
            },
            facts.sex == rule.sex,
        )
    if rule.member_types:
        names = rule.member_type_labels or rule.member_types
        add(
            M_TYPE,
            {
                "type": facts.member_type_label or facts.member_type,
                "rule": ", ".join(str(n) for n in names),
            },
            facts.member_type in rule.member_types,
        )

    # Units asked.
    unit_word = rule.unit_name or _("หน่วย")
    asked: Decimal | None
    if rule.amount_kind != PER_UNIT:
        # A fixed or tiered amount is paid per event: units (and an end date) change nothing.
        asked = None
    elif units is not None and str(units).strip() != "":
        asked = Decimal(str(units))
        add(M_UNITS_GIVEN, {"n": fmt_num(asked), "unit": unit_word})
    elif event_end is not None:
        asked = Decimal((event_end - event_date).days)
        add(
            M_UNITS_DATES,
            {
                "n": fmt_num(asked),
                "unit": unit_word,
                "from": format_be_date(event_date),
                "to": format_be_date(event_end),
            },
        )
    else:
        asked = Decimal(1)
        add(M_UNITS_ONE, {"unit": unit_word})
    paid_units = asked
    if rule.amount_kind == PER_UNIT and (asked is None or asked <= 0):
        add(M_UNITS_NONE, {"unit": unit_word}, False)
        paid_units = Decimal(0)

    fy_start = facts.fiscal_year_start_month

    def bounds_of(lim: Limit) -> tuple[dt.date, dt.date] | None:
        return period_bounds(
            lim.period, event_date, joined=joined, fy_start=fy_start, start_month=lim.start_month
        )

    # Unit caps, then count caps.
    for lim in _ordered_limits(rule, UNITS):
        word = _measure_word(lim, rule)
        want = paid_units if paid_units is not None else Decimal(1)
        if lim.period == EVENT:
            cap = lim.maximum
            if want > cap:
                add(
                    M_CAP_EVENT_CUT,
                    {
                        "max": fmt_num(cap),
                        "unit": word,
                        "paid": fmt_num(cap),
                        "asked": fmt_num(want),
                    },
                    True,
                )
                want = cap
            else:
                add(M_CAP_EVENT, {"max": fmt_num(cap), "unit": word}, True)
        else:
            b = bounds_of(lim)
            used = sum((_past_units(p) for p in _in_period(past, b, lim.period)), Decimal(0))
            left = max(lim.maximum - used, Decimal(0))
            params = {
                "used": fmt_num(used),
                "unit": word,
                "period": _period_label(lim.period, b, fy_start),
                "left": fmt_num(left),
                "max": fmt_num(lim.maximum),
            }
            if left <= 0:
                add(M_CAP_FULL, params, False)
                want = Decimal(0)
            elif want > left:
                add(M_CAP_CUT, params | {"paid": fmt_num(left), "asked": fmt_num(want)}, True)
                want = left
            else:
                add(M_CAP_LEFT, params, True)
        paid_units = want
    for lim in _ordered_limits(rule, COUNT):
        word = _measure_word(lim, rule)
        if lim.period == EVENT:
            add(M_CAP_EVENT, {"max": fmt_num(lim.maximum), "unit": word}, lim.maximum >= 1)
            continue
        b = bounds_of(lim)
        used = Decimal(len(_in_period(past, b, lim.period)))
        left = max(lim.maximum - used, Decimal(0))
        params = {
            "used": fmt_num(used),
            "unit": word,
            "period": _period_label(lim.period, b, fy_start),
            "left": fmt_num(left),
            "max": fmt_num(lim.maximum),
        }
        if left < 1:
            add(M_CAP_FULL, params, False)
        else:
            add(M_CAP_LEFT, params, True)

    # The amount.
    amount = ZERO
    if rule.amount_kind == PER_UNIT:
        rate = Decimal(rule.amount or 0)
        n = paid_units or Decimal(0)
        amount = _money(rate * n)
        add(
            M_PER_UNIT,
            {
                "rate": fmt_baht(rate),
                "unit": unit_word,
                "n": fmt_num(n),
                "amount": fmt_baht(amount),
            },
        )
    elif rule.amount_kind == TIERED:
        tier = choose_tier(rule, joined, event_date) if member and joined else None
        if joined is None or not member:
            pass  # already refused above (no joining date, or the event before it)
        elif tier is None:
            add(M_NO_TIER, {"tenure": fmt_tenure(joined, event_date)}, False)
        else:
            base = _money(tier.amount)
            if tier.to_n is None and tier.step_amount:
                k = years_beyond(tier, joined, event_date)
                total = _money(base + Decimal(tier.step_amount) * k)
                add(
                    M_TIER_STEP,
                    {
                        "band": _band(tier),
                        "base": fmt_baht(base),
                        "step": fmt_baht(Decimal(tier.step_amount)),
                        "years": fmt_num(k),
                        "total": fmt_baht(total),
                    },
                )
            else:
                total = base
                add(M_TIER, {"band": _band(tier), "amount": fmt_baht(base)})
            if tier.max_amount is not None and total > tier.max_amount:
                total = _money(tier.max_amount)
                add(M_TIER_MAX, {"max": fmt_baht(total), "amount": fmt_baht(total)})
            amount = total
    else:
        amount = _money(Decimal(rule.amount or 0))
        add(M_FIXED, {"amount": fmt_baht(amount)})
    if paid_units is not None and paid_units <= 0:
        amount = ZERO

    # Amount caps.
    for lim in _ordered_limits(rule, AMOUNT):
        word = _measure_word(lim, rule)
        if lim.period == EVENT:
            cap = _money(lim.maximum)
            if amount > cap:
                add(
                    M_CAP_EVENT_CUT,
                    {
                        "max": fmt_baht(cap),
                        "unit": word,
                        "paid": fmt_baht(cap),
                        "asked": fmt_baht(amount),
                    },
                    True,
                )
                amount = cap
            else:
                add(M_CAP_EVENT, {"max": fmt_baht(cap), "unit": word}, True)
            continue
        b = bounds_of(lim)
        used = sum((Decimal(p.amount) for p in _in_period(past, b, lim.period)), ZERO)
        left = _money(max(Decimal(lim.maximum) - used, ZERO))
        params = {
            "used": fmt_baht(used),
            "unit": word,
            "period": _period_label(lim.period, b, fy_start),
            "left": fmt_baht(left),
            "max": fmt_baht(lim.maximum),
        }
        if left <= 0:
            add(M_CAP_FULL, params, False)
            amount = ZERO
        elif amount > left:
            add(M_CAP_CUT, params | {"paid": fmt_baht(left), "asked": fmt_baht(amount)}, True)
            amount = left
        else:
            add(M_CAP_LEFT, params, True)

    if ok and amount <= 0:
        add(M_ZERO, {}, False)
    eligible = ok and amount > 0
    if not eligible:
        amount = ZERO
    add(M_PAYEE, {"payee": _(_PAYEE_WORDS.get(rule.payee, rule.payee))})
    if eligible:
        add(M_RESULT_OK, {"amount": fmt_baht(amount)}, True)
    else:
        add(M_RESULT_NO, {}, False)
    return Evaluation(
        eligible=eligible,
        amount=amount,
        units=paid_units,
        reasons=tuple(reasons),
        version_id=rule.version_id,
        benefit_id=rule.benefit_id,
    )


def not_applicable(msgid: str, params: dict[str, str] | None = None) -> Evaluation:
    """An evaluation that stops before any rule (no regulation, no such benefit, not a member)."""
    return Evaluation(False, ZERO, None, (Reason(msgid, params or {}, False),), None, None)
