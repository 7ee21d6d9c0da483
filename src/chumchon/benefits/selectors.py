"""Reads of the benefit books: the regulation in force, claims judged by it, what a user sees.

``evaluate_claim`` and ``evaluate_recurring`` gather the facts (tenure, age, standing on the
event date from ``funds.selectors.member_status``, past use of the same benefit code on the
same membership) and hand them to the pure ``engine.evaluate``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import DateField, DecimalField, Prefetch, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext_noop

from chumchon.areas.selectors import scope_q
from chumchon.core.permissions import Perm
from chumchon.core.thai import format_be_date
from chumchon.funds.models import (
    Beneficiary,
    Fund,
    Membership,
    MembershipEvent,
    MembershipState,
    MemberType,
    Payment,
)
from chumchon.funds.selectors import MemberStatus, PlanSchedule, member_status, statuses_for

from .engine import (
    M_RESULT_NO,
    M_RESULT_OK,
    ZERO,
    Evaluation,
    MemberFacts,
    PastUse,
    Reason,
    Rule,
    evaluate,
    not_applicable,
)
from .models import (
    BenefitLimit,
    BenefitRun,
    BenefitTier,
    BenefitType,
    Claim,
    ClaimState,
    Payee,
    RegulationVersion,
    RunLine,
    RunState,
    VersionState,
)

#: Claim states that use up a benefit (caps count them); rejected and reversed ones do not.
COUNTED_CLAIM_STATES = (ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID)
# A claim the regulation pays nothing for uses up nothing, not even a count ("at most one a
# year"): a claim entered wrongly does not block the corrected one while it waits to be rejected.
COUNTED_CLAIMS = Q(state__in=COUNTED_CLAIM_STATES) & Q(amount__gt=0)
MEMBER_TYPES = dict(MemberType.choices)

M_NO_VERSION = gettext_noop("ยังไม่มีระเบียบสวัสดิการที่มีผลบังคับใช้ ณ วันที่ %(date)s")
M_NO_BENEFIT = gettext_noop("%(title)s ฉบับที่ %(number)s (มีผลตั้งแต่ %(from)s) ไม่มีสวัสดิการรหัส “%(code)s”")
M_APPLIED = gettext_noop("สมาชิกภาพยังไม่ได้รับอนุมัติ (ยื่นใบสมัครเมื่อ %(date)s)")
M_REJECTED = gettext_noop("ใบสมัครไม่ได้รับอนุมัติ จึงไม่มีสิทธิ์รับสวัสดิการ")
M_DEATH_STANDING = gettext_noop("สมาชิกเสียชีวิตเมื่อ %(date)s: พิจารณาสถานะสมาชิก ณ วันที่เสียชีวิต")
M_RUN_DONE = gettext_noop("ได้รับสวัสดิการรอบ %(from)s – %(to)s แล้ว (รายการจ่ายเลขที่ %(run)s)")


# --- scope ------------------------------------------------------------------------------------


def claims_visible_to(user: Any) -> QuerySet[Claim]:
    """Claims of members the user covers (a village group's committee sees its own members' claims)."""
    return Claim.objects.filter(
        scope_q(user, field="membership__org_unit", perm=Perm.VIEW_BOOKS)
    ).select_related("fund__org_unit", "membership__person", "membership__org_unit", "benefit")


def runs_visible_to(user: Any) -> QuerySet[BenefitRun]:
    return BenefitRun.objects.filter(
        scope_q(user, field="fund__org_unit", perm=Perm.VIEW_BOOKS)
    ).select_related("fund__org_unit", "benefit")


def regulations_visible_to(user: Any) -> QuerySet[RegulationVersion]:
    return RegulationVersion.objects.filter(
        scope_q(user, field="fund__org_unit", perm=Perm.VIEW_BOOKS)
    ).select_related("fund__org_unit")


# --- the regulation in force ------------------------------------------------------------------


def _versions_in_force(fund: Fund | int, day: dt.date) -> QuerySet[RegulationVersion]:
    return RegulationVersion.objects.filter(
        fund=fund, state=VersionState.ADOPTED, effective_from__lte=day
    ).order_by("-effective_from", "-number")


def version_in_force(fund: Fund, day: dt.date) -> RegulationVersion | None:
    """The adopted version with the latest effective date on or before ``day``."""
    return _versions_in_force(fund, day).first()


def _benefits_with_rules() -> QuerySet[BenefitType]:
    return BenefitType.objects.select_related("version").prefetch_related(
        Prefetch("tiers", queryset=BenefitTier.objects.order_by("pk")),
        Prefetch("limits", queryset=BenefitLimit.objects.order_by("pk")),
    )


def benefit_in_force(fund: Fund | int, code: str, day: dt.date) -> BenefitType | None:
    """The benefit ``code`` of the version in force on ``day`` (tiers and limits prefetched);
    None when no version is in force or that version has no such benefit."""
    latest = _versions_in_force(fund, day).values("pk")[:1]
    return _benefits_with_rules().filter(version_id=Subquery(latest), code=code).first()


def _benefit_to_judge(fund: Fund | int, code: str, day: dt.date) -> BenefitType | None:
    """``benefit_in_force`` with only the limits prefetched (``Rule.from_model`` reads the
    tiers of a tiered benefit alone): one query fewer for most benefits."""
    latest = _versions_in_force(fund, day).values("pk")[:1]
    return (
        BenefitType.objects.select_related("version")
        .prefetch_related(Prefetch("limits", queryset=BenefitLimit.objects.order_by("pk")))
        .filter(version_id=Subquery(latest), code=code)
        .first()
    )


# --- facts and past use -----------------------------------------------------------------------


DEATH_CATEGORIES = ("04", "05")  # death, funeral costs


def for_death(bt: BenefitType) -> bool:
    """A benefit paid because the member died: standing is judged as on the death date."""
    return bt.category in DEATH_CATEGORIES or bt.payee == Payee.BENEFICIARY


def facts_from_status(m: Membership, st: MemberStatus) -> MemberFacts:
    person = m.person
    return MemberFacts(
        joined_on=m.joined_on,
        birth_date=person.birth_date,
        birth_year=person.birth_year,
        sex=person.sex,
        member_type=m.member_type,
        member_type_label=str(MEMBER_TYPES.get(m.member_type, m.member_type)),
        fiscal_year_start_month=m.fund.fiscal_year_start_month,
        standing=st.code,
        arrears_days=st.arrears_days,
        standing_label=st.label,
        standing_detail=st.reason,
    )


def member_facts(m: Membership, day: dt.date, *, as_if_alive: bool = False) -> MemberFacts:
    """What the engine needs about ``m`` on ``day``; standing from ``member_status``.

    ``as_if_alive`` (death benefits): a member who died on or before ``day`` is judged as if
    alive on the death date, so the benefit looks at the standing they had when they died."""
    judged_on = day
    subject = m
    death = m.person.death_date
    if as_if_alive and death is not None and death <= day:
        judged_on = death
        subject = copy.copy(m)  # a copy: the caller's membership keeps its state
        if m.state == MembershipState.DIED:
            subject.state = MembershipState.APPROVED
            subject.ended_on = None
    st = status_on(subject, judged_on, death_date=dt.date.max if as_if_alive else None)
    return facts_from_status(m, st)


def status_on(m: Membership, day: dt.date, *, death_date: dt.date | None = None) -> MemberStatus:
    """``member_status`` with its rows read as plain tuples (cheaper than model instances)."""
    payments: list[Any] = list(
        Payment.objects.filter(membership=m, void__isnull=True, date__lte=day)
        .order_by("date", "pk")
        .values_list("date", "contribution", named=True)
    )
    events = list(MembershipEvent.objects.filter(membership=m, kind=MembershipEvent.Kind.PLAN))
    return member_status(
        m,
        day,
        payments=payments,
        schedule=PlanSchedule(m, events),
        fund=m.fund,
        death_date=death_date,
    )


def _claim_use(event_date: dt.date, event_end: dt.date | None, units: Any, amount: Any) -> PastUse:
    if units is None and event_end is not None:
        units = Decimal((event_end - event_date).days)
    return PastUse(event_date, None if units is None else Decimal(units), Decimal(amount))


def past_use(m: Membership, code: str, *, exclude_claim_id: int | None = None) -> list[PastUse]:
    """Earlier uses of benefit ``code`` on this membership: counted claims and posted run lines
    (one query: the two selects in a UNION ALL)."""
    claims = Claim.objects.filter(COUNTED_CLAIMS, membership=m, benefit__code=code)
    if exclude_claim_id is not None:
        claims = claims.exclude(pk=exclude_claim_id)
    lines = RunLine.objects.filter(
        membership=m, run__benefit_code=code, run__state=RunState.POSTED
    ).values_list(
        "run__period_start",
        Value(None, output_field=DateField()),
        Value(None, output_field=DecimalField(max_digits=10, decimal_places=2)),
        "amount",
    )
    rows = claims.values_list("event_date", "event_end", "units", "amount").order_by()
    out = [_claim_use(*row) for row in rows.union(lines.order_by(), all=True)]
    out.sort(key=lambda p: (p.event_date, p.amount, p.units or 0))
    return out


def _membership_gate(m: Membership) -> Evaluation | None:
    if m.state == MembershipState.REJECTED:
        return not_applicable(M_REJECTED)
    if m.state == MembershipState.APPLIED or m.joined_on is None:
        return not_applicable(M_APPLIED, {"date": format_be_date(m.applied_on)})
    return None


def _with_death_note(ev: Evaluation, m: Membership, day: dt.date) -> Evaluation:
    death = m.person.death_date
    if death is None or death > day:
        return ev
    note = Reason(M_DEATH_STANDING, {"date": format_be_date(death)}, None)
    reasons = list(ev.reasons)
    reasons.insert(min(2, len(reasons)), note)
    return Evaluation(
        ev.eligible, ev.amount, ev.units, tuple(reasons), ev.version_id, ev.benefit_id
    )


def _loaded(membership: Membership) -> Membership:
    """The membership with its fund and person loaded (one query when they are not)."""
    cache = membership._state.fields_cache
    if "fund" in cache and "person" in cache:
        return membership
    return Membership.objects.select_related("fund", "person", "plan").get(pk=membership.pk)


# --- evaluation -------------------------------------------------------------------------------


def evaluate_claim(
    *,
    membership: Membership,
    benefit_code: str,
    event_date: dt.date,
    units: Any = None,
    event_end: dt.date | None = None,
    exclude_claim_id: int | None = None,
) -> Evaluation:
    """Judge an event by the version in force on ``event_date``, with the reasons in Thai.

    ``exclude_claim_id``: the claim being re-evaluated (so it does not count against itself).
    """
    m = _loaded(membership)
    fund = m.fund
    bt = _benefit_to_judge(fund.pk, benefit_code, event_date)
    if bt is None:
        version = version_in_force(fund, event_date)
        if version is None:
            return not_applicable(M_NO_VERSION, {"date": format_be_date(event_date)})
        return not_applicable(
            M_NO_BENEFIT,
            {
                "title": version.title,
                "number": str(version.number),
                "from": format_be_date(version.effective_from),
                "code": benefit_code,
            },
        )
    gate = _membership_gate(m)
    if gate is not None:
        return Evaluation(False, ZERO, None, gate.reasons, bt.version_id, bt.pk)
    death_benefit = for_death(bt)
    facts = member_facts(m, event_date, as_if_alive=death_benefit)
    ev = evaluate(
        Rule.from_model(bt),
        facts,
        event_date=event_date,
        units=units,
        event_end=event_end,
        past=past_use(m, benefit_code, exclude_claim_id=exclude_claim_id),
    )
    return _with_death_note(ev, m, event_date) if death_benefit else ev


def posted_run_line(
    m: Membership, code: str, period_start: dt.date, period_end: dt.date
) -> RunLine | None:
    return (
        RunLine.objects.filter(
            membership=m,
            run__benefit_code=code,
            run__state=RunState.POSTED,
            run__period_start=period_start,
            run__period_end=period_end,
        )
        .select_related("run")
        .first()
    )


def _recurring(
    m: Membership,
    rule: Rule,
    st: MemberStatus,
    *,
    as_of: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    past: list[PastUse],
    done_run_id: int | None,
) -> Evaluation:
    gate = _membership_gate(m)
    if gate is not None:
        return Evaluation(False, ZERO, None, gate.reasons, rule.version_id, rule.benefit_id)
    ev = evaluate(rule, facts_from_status(m, st), event_date=as_of, past=past)
    if done_run_id is None:
        return ev
    reasons = [r for r in ev.reasons if r.msgid not in (M_RESULT_OK, M_RESULT_NO)]
    reasons.append(
        Reason(
            M_RUN_DONE,
            {
                "from": format_be_date(period_start),
                "to": format_be_date(period_end),
                "run": str(done_run_id),
            },
            False,
        )
    )
    reasons.append(Reason(M_RESULT_NO, {}, False))
    return Evaluation(False, ZERO, ev.units, tuple(reasons), ev.version_id, ev.benefit_id)


def evaluate_recurring(
    *,
    membership: Membership,
    benefit: BenefitType,
    as_of: dt.date,
    period_start: dt.date,
    period_end: dt.date,
) -> Evaluation:
    """Whether a member gets a recurring benefit for a period: the conditions on ``as_of``, and
    no posted run line of the same benefit code for the same period. A member who died by
    ``as_of`` is judged as dead (no standing)."""
    m = _loaded(membership)
    done = posted_run_line(m, benefit.code, period_start, period_end)
    return _recurring(
        m,
        Rule.from_model(benefit),
        status_on(m, as_of),
        as_of=as_of,
        period_start=period_start,
        period_end=period_end,
        past=past_use(m, benefit.code),
        done_run_id=done.run_id if done else None,
    )


def evaluate_recurring_many(
    *,
    memberships: Sequence[Membership],
    benefit: BenefitType,
    as_of: dt.date,
    period_start: dt.date,
    period_end: dt.date,
) -> dict[int, Evaluation]:
    """``evaluate_recurring`` for many members at once (a run), in a fixed number of queries.

    ``memberships`` should come with ``person`` and ``fund`` loaded (``select_related``)."""
    members = list(memberships)
    rule = Rule.from_model(benefit)
    ids = [m.pk for m in members]
    statuses = statuses_for(members, as_of) if members else {}
    past: dict[int, list[PastUse]] = defaultdict(list)
    done: dict[int, int] = {}
    for chunk in _chunks(ids):
        for mid, event_date, event_end, units, amount in (
            Claim.objects.filter(
                COUNTED_CLAIMS, membership_id__in=chunk, benefit__code=benefit.code
            )
            .values_list("membership_id", "event_date", "event_end", "units", "amount")
            .order_by("event_date", "pk")
        ):
            past[mid].append(_claim_use(event_date, event_end, units, amount))
        for mid, start, end, run_id, amount in (
            RunLine.objects.filter(
                membership_id__in=chunk, run__benefit_code=benefit.code, run__state=RunState.POSTED
            )
            .values_list(
                "membership_id", "run__period_start", "run__period_end", "run_id", "amount"
            )
            .order_by("run__period_start", "pk")
        ):
            past[mid].append(PastUse(start, None, Decimal(amount)))
            if start == period_start and end == period_end:
                done[mid] = run_id
    return {
        m.pk: _recurring(
            m,
            rule,
            statuses[m.pk],
            as_of=as_of,
            period_start=period_start,
            period_end=period_end,
            past=past.get(m.pk, []),
            done_run_id=done.get(m.pk),
        )
        for m in members
    }


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    """Ids in chunks small enough for SQLite's limit on query parameters."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def default_payee(m: Membership, bt: BenefitType) -> tuple[str, Beneficiary | None]:
    """Who is paid by default: the member, or (death benefits) the beneficiary the member named
    with the largest share. With no beneficiary named, the name is left for the officer."""
    if bt.payee != Payee.BENEFICIARY:
        return m.person.full_name, None
    b = m.beneficiaries.order_by("-share_percent", "pk").first()
    if b is None:
        return "", None
    return b.name, b
