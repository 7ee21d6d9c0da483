"""Recurring benefit runs (จ่ายสวัสดิการรายรอบ): preview, approve, post, cancel.

A run pays one recurring benefit (a yearly payment to elderly members, a monthly pension) for one
period. The preview lists every membership the regulation in force makes eligible
(``selectors.evaluate_recurring``), with the amount and the Thai explanation of each line;
members already paid for the same benefit code and period are left out. A committee member
other than the maker approves it; the treasurer posts it: one journal entry per line (debit the
benefit category's expense account, credit cash or bank) and one payout with its voucher number,
all in one transaction. The database refuses a second approved or posted run for the same period
(``run_once_per_period``), so a member who becomes eligible after a period's run is paid by the
next period's run.

Refusals are ValidationErrors in Thai naming the field; nothing is half saved.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.areas.selectors import user_can
from chumchon.core.permissions import Perm
from chumchon.core.thai import (
    BE_OFFSET,
    THAI_MONTHS,
    fiscal_year,
    format_baht,
    format_be_date,
    to_arabic_digits,
)
from chumchon.funds.models import Fund, Membership, MembershipState, MemberType, PaymentMethod
from chumchon.funds.signals import fund_changed
from chumchon.ledger import services as ledger
from chumchon.ledger.models import Sequence as NumberSequence

from .models import BenefitRun, BenefitType, Payee, Payout, Recurrence, RunLine, RunState

ZERO = Decimal("0.00")
_CHUNK = 900  # ids per IN (...) query
_YEARLY_RE = re.compile(r"^(\d{4})$")
_MONTHLY_RE = re.compile(r"^(\d{4})\s*[-/]\s*(\d{1,2})$|^(\d{1,2})\s*[-/]\s*(\d{4})$")


def _require(user: Any, perm: str, fund: Fund) -> None:
    if not user_can(user, perm, fund.org_unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A run's period: ``key`` "2570" (a BE calendar year) or "2570-01" (a month of it)."""

    kind: str  # Recurrence.YEARLY or Recurrence.MONTHLY
    key: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return period_label(self.key)


def _be_year(text: str) -> int:
    year = int(text)
    if not 2400 <= year <= 2800:
        raise ValidationError(
            {"period_key": _("รอบ: ปี %(y)s ไม่ใช่ปี พ.ศ. (ตัวอย่าง 2570)") % {"y": text}}
        )
    return year


def parse_period(key: str) -> Period:
    """Read a period key: "2570" is the BE calendar year 2570, "2570-01" (or "01/2570") a month."""
    raw = to_arabic_digits(str(key or "")).strip()
    if not raw:
        raise ValidationError({"period_key": _("รอบ: ต้องระบุ เช่น 2570 หรือ 2570-01")})
    found = _YEARLY_RE.match(raw)
    if found:
        be = _be_year(found.group(1))
        ce = be - BE_OFFSET
        return Period(Recurrence.YEARLY, str(be), dt.date(ce, 1, 1), dt.date(ce, 12, 31))
    found = _MONTHLY_RE.match(raw)
    if found:
        year_text, month_text = (
            (found.group(1), found.group(2)) if found.group(1) else (found.group(4), found.group(3))
        )
        be, month = _be_year(year_text), int(month_text)
        if not 1 <= month <= 12:
            raise ValidationError({"period_key": _("รอบ: เดือนต้องเป็น 1 ถึง 12")})
        ce = be - BE_OFFSET
        last = calendar.monthrange(ce, month)[1]
        return Period(
            Recurrence.MONTHLY, f"{be}-{month:02d}", dt.date(ce, month, 1), dt.date(ce, month, last)
        )
    raise ValidationError(
        {"period_key": _("รอบ: อ่านไม่ได้ ให้ระบุปี พ.ศ. เช่น 2570 หรือปีและเดือน เช่น 2570-01")}
    )


def period_label(key: str) -> str:
    """ "ปี 2570" or "มกราคม 2570"."""
    if "-" in key:
        year, month = key.split("-", 1)
        return f"{THAI_MONTHS[int(month) - 1]} {year}"
    return _("ปี %(y)s") % {"y": key}


def default_as_of(period: Period, today: dt.date | None = None) -> dt.date:
    """Today, kept inside the period: a run prepared early is judged on the period's first day."""
    today = today or timezone.localdate()
    return min(max(today, period.start), period.end)


# --- who gets what ----------------------------------------------------------------------------


def _candidates(fund: Fund, benefit: BenefitType, period: Period, as_of: dt.date) -> list[Any]:
    """Memberships that could be eligible on ``as_of``: joined by then, not ended before it, and
    (loosely, with a year to spare) of the benefit's ages. The evaluation decides."""
    q = (
        Membership.objects.filter(
            fund=fund,
            joined_on__isnull=False,
            joined_on__lte=as_of,
            state__in=[MembershipState.APPROVED, MembershipState.RESIGNED, MembershipState.DIED],
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
        .filter(Q(person__death_date__isnull=True) | Q(person__death_date__gte=as_of))
    )
    if benefit.min_age is not None:
        youngest = period.end.year - benefit.min_age + 1  # born later: younger than min_age - 1
        q = q.exclude(person__birth_date__gte=dt.date(youngest + 1, 1, 1)).exclude(
            person__birth_date__isnull=True, person__birth_year__gt=youngest
        )
    if benefit.max_age is not None:
        oldest = period.start.year - benefit.max_age - 2
        q = q.exclude(person__birth_date__lt=dt.date(max(oldest, 1), 1, 1)).exclude(
            person__birth_date__isnull=True, person__birth_year__lt=oldest
        )
    paid = RunLine.objects.filter(
        run__fund=fund,
        run__benefit_code=benefit.code,
        run__period_key=period.key,
        run__state=RunState.POSTED,
    ).values("membership_id")
    q = q.exclude(pk__in=paid)
    q = q.select_related("person", "plan", "org_unit", "fund")
    if benefit.payee == Payee.BENEFICIARY:
        q = q.prefetch_related("beneficiaries")
    return list(q.order_by("member_no"))


def payee_name(m: Membership, benefit: BenefitType) -> str:
    if benefit.payee == Payee.BENEFICIARY:
        named = sorted(m.beneficiaries.all(), key=lambda b: (-b.share_percent, b.pk))
        if named:
            return named[0].name[:200]
    return m.person.full_name[:200]


def _evaluations(
    benefit: BenefitType, period: Period, as_of: dt.date, members: Sequence[Membership]
) -> dict[int, Any]:
    """``selectors.evaluate_recurring`` for many memberships at once, with the same facts.

    ``evaluate_recurring`` reads each member's payments, plan changes and past use with its own
    queries (about 4 ms a member); a run of 20,000 members reads them here in bulk instead, builds
    the same ``MemberFacts`` and ``PastUse`` (as ``selectors.member_facts`` and
    ``selectors.past_use`` do) and hands them to the same pure ``engine.evaluate``. The tests
    hold both paths to the same result (``test_runs.py``). Candidates never have a posted line
    for this period (``_candidates`` leaves them out), so that check of ``evaluate_recurring``
    has nothing to add here.
    """
    from chumchon.funds.models import ContributionPlan, MembershipEvent, Payment
    from chumchon.funds.selectors import PlanSchedule, member_status

    from . import selectors as sel
    from .engine import MemberFacts, PastUse, Rule, evaluate
    from .models import Claim

    ids = [m.pk for m in members]
    pays: dict[int, list[Any]] = defaultdict(list)
    events: dict[int, list[Any]] = defaultdict(list)
    past: dict[int, list[Any]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        part = ids[i : i + _CHUNK]
        for p in (
            Payment.objects.filter(membership_id__in=part, void__isnull=True, date__lte=as_of)
            .only("membership_id", "date", "contribution")
            .order_by("date", "pk")
        ):
            pays[p.membership_id].append(p)
        for e in MembershipEvent.objects.filter(
            membership_id__in=part, kind=MembershipEvent.Kind.PLAN
        ):
            events[e.membership_id].append(e)
        for mid, event_date, event_end, units, amount in (
            Claim.objects.filter(
                sel.COUNTED_CLAIMS,
                membership_id__in=part,
                benefit__code=benefit.code,
            )
            .values_list("membership_id", "event_date", "event_end", "units", "amount")
            .order_by("event_date", "pk")
        ):
            if units is None and event_end is not None:
                units = Decimal((event_end - event_date).days)
            past[mid].append(PastUse(event_date, units, Decimal(amount)))
        for mid, start, amount in (
            RunLine.objects.filter(
                membership_id__in=part, run__benefit_code=benefit.code, run__state=RunState.POSTED
            )
            .values_list("membership_id", "run__period_start", "amount")
            .order_by("run__period_start", "pk")
        ):
            past[mid].append(PastUse(start, None, Decimal(amount)))
    plan_ids = {int(e.to_value) for es in events.values() for e in es}
    plans = {p.pk: p for p in ContributionPlan.objects.filter(pk__in=plan_ids)}
    rule = Rule.from_model(benefit)
    labels = dict(MemberType.choices)
    out: dict[int, Any] = {}
    for m in members:
        gate = sel._membership_gate(m)
        if gate is not None:
            continue
        person, fund = m.person, m.fund
        judged_on = as_of
        alive = m
        death = person.death_date
        if death is not None and death <= judged_on:
            judged_on = death
        if m.state == MembershipState.DIED or death is not None:
            alive = copy.copy(m)
            if m.state == MembershipState.DIED:
                alive.state = MembershipState.APPROVED
                alive.ended_on = None
        st = member_status(
            alive,
            judged_on,
            fund=fund,
            death_date=dt.date.max,
            payments=pays.get(m.pk, []),
            schedule=PlanSchedule(m, events.get(m.pk, []), plans),
        )
        facts = MemberFacts(
            joined_on=m.joined_on,
            birth_date=person.birth_date,
            birth_year=person.birth_year,
            sex=person.sex,
            member_type=m.member_type,
            member_type_label=str(labels.get(m.member_type, m.member_type)),
            fiscal_year_start_month=fund.fiscal_year_start_month,
            standing=st.code,
            arrears_days=st.arrears_days,
            standing_label=st.label,
            standing_detail=st.reason,
        )
        out[m.pk] = evaluate(rule, facts, event_date=as_of, past=past.get(m.pk, []))
    return out


def _lines(run: BenefitRun, benefit: BenefitType, period: Period) -> list[RunLine]:
    members = _candidates(run.fund, benefit, period, run.as_of)
    evaluations = _evaluations(benefit, period, run.as_of, members)
    out: list[RunLine] = []
    for m in members:
        ev = evaluations.get(m.pk)
        if ev is None or not ev.eligible or ev.amount <= 0:
            continue
        out.append(
            RunLine(
                run=run,
                membership=m,
                amount=Decimal(ev.amount).quantize(Decimal("0.01")),
                explanation=[r.as_json() for r in ev.reasons],
                payee_name=payee_name(m, benefit),
            )
        )
    return out


def _benefit_for(fund: Fund, code: str, period: Period, as_of: dt.date) -> BenefitType:
    from . import selectors as sel

    code = (code or "").strip()
    if not code:
        raise ValidationError({"benefit_code": _("สวัสดิการ: ต้องเลือก")})
    benefit = sel.benefit_in_force(fund, code, as_of)
    if benefit is None:
        raise ValidationError(
            {
                "benefit_code": _("สวัสดิการ: ไม่มีสวัสดิการรหัส %(c)s ในระเบียบที่ใช้ ณ วันที่ %(d)s")
                % {"c": code, "d": format_be_date(as_of)}
            }
        )
    if not benefit.recurrence:
        raise ValidationError(
            {"benefit_code": _("สวัสดิการ: %(b)s จ่ายเมื่อยื่นคำขอ ไม่ได้จ่ายเป็นรอบ") % {"b": benefit.name}}
        )
    if benefit.recurrence != period.kind:
        if benefit.recurrence == Recurrence.YEARLY:
            msg = _("รอบ: %(b)s จ่ายปีละครั้ง ให้ระบุปี พ.ศ. เช่น 2570")
        else:
            msg = _("รอบ: %(b)s จ่ายทุกเดือน ให้ระบุปีและเดือน เช่น 2570-01")
        raise ValidationError({"period_key": msg % {"b": benefit.name}})
    return benefit


def _check_as_of(period: Period, as_of: dt.date) -> None:
    if not period.start <= as_of <= period.end:
        raise ValidationError(
            {
                "as_of": _("วันที่พิจารณาสิทธิ์: ต้องอยู่ในรอบ %(a)s ถึง %(b)s")
                % {"a": format_be_date(period.start), "b": format_be_date(period.end)}
            }
        )


def _taken(fund: Fund, code: str, key: str, *, exclude: int | None = None) -> BenefitRun | None:
    """The approved or posted run of this benefit code and period, if any."""
    q = BenefitRun.objects.filter(
        fund=fund,
        benefit_code=code,
        period_key=key,
        state__in=[RunState.APPROVED, RunState.POSTED],
    )
    if exclude is not None:
        q = q.exclude(pk=exclude)
    return q.first()


def _taken_error(run: BenefitRun) -> ValidationError:
    what = _("จ่ายไปแล้ว") if run.state == RunState.POSTED else _("อนุมัติไปแล้ว")
    return ValidationError(
        {
            "period_key": _("รอบ: %(b)s %(p)s %(what)s (รอบเลขที่ %(n)s) จ่ายซ้ำในรอบเดียวกันไม่ได้")
            % {"b": run.benefit.name, "p": period_label(run.period_key), "what": what, "n": run.pk}
        }
    )


def _fill(run: BenefitRun, benefit: BenefitType, period: Period) -> BenefitRun:
    lines = RunLine.objects.bulk_create(_lines(run, benefit, period), batch_size=2000)
    run.count = len(lines)
    run.total = sum((ln.amount for ln in lines), ZERO)
    BenefitRun.objects.filter(pk=run.pk).update(count=run.count, total=run.total)
    return run


@transaction.atomic
def run_preview(
    *,
    actor: Any,
    fund: Fund,
    benefit_code: str,
    period_key: str,
    as_of: dt.date | None = None,
) -> BenefitRun:
    """A run in preview: every eligible membership with its amount and why, not yet paid."""
    _require(actor, Perm.RECORD_CLAIM, fund)
    period = parse_period(period_key)
    as_of = as_of or default_as_of(period)
    _check_as_of(period, as_of)
    benefit = _benefit_for(fund, benefit_code, period, as_of)
    taken = _taken(fund, benefit.code, period.key)
    if taken is not None:
        raise _taken_error(taken)
    run = BenefitRun.objects.create(
        fund=fund,
        benefit=benefit,
        benefit_code=benefit.code,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        as_of=as_of,
        state=RunState.PREVIEW,
        created_by=actor,
    )
    return _fill(run, benefit, period)


def _locked(run: BenefitRun) -> BenefitRun:
    return (
        BenefitRun.objects.select_for_update()
        .select_related("fund__book", "fund__org_unit", "benefit")
        .get(pk=run.pk)
    )


def _state_error(run: BenefitRun, wanted: str) -> ValidationError:
    return ValidationError(
        _("รอบนี้อยู่ในสถานะ %(s)s จึง%(w)sไม่ได้") % {"s": run.get_state_display(), "w": wanted}
    )


@transaction.atomic
def run_refresh(*, actor: Any, run: BenefitRun, as_of: dt.date | None = None) -> BenefitRun:
    """Make the preview again (members paid, died or newly eligible since; a new regulation).

    Whoever refreshes the list becomes its maker, and so may not approve it."""
    run = _locked(run)
    _require(actor, Perm.RECORD_CLAIM, run.fund)
    if run.state != RunState.PREVIEW:
        raise _state_error(run, _("ปรับปรุงรายชื่อ"))
    period = parse_period(run.period_key)
    as_of = as_of or run.as_of
    _check_as_of(period, as_of)
    benefit = _benefit_for(run.fund, run.benefit_code, period, as_of)
    taken = _taken(run.fund, run.benefit_code, run.period_key)
    if taken is not None:
        raise _taken_error(taken)
    RunLine.objects.filter(run=run).delete()
    run.benefit, run.as_of, run.created_by = benefit, as_of, actor
    BenefitRun.objects.filter(pk=run.pk).update(benefit=benefit, as_of=as_of, created_by=actor)
    return _fill(run, benefit, period)


@transaction.atomic
def run_approve(*, actor: Any, run: BenefitRun) -> BenefitRun:
    """The committee approves the list as previewed; the maker of the list may not."""
    from . import selectors as sel

    run = _locked(run)
    _require(actor, Perm.APPROVE_CLAIM, run.fund)
    if run.state != RunState.PREVIEW:
        raise _state_error(run, _("อนุมัติ"))
    if run.created_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("ผู้จัดทำรายชื่อรอบนี้อนุมัติเองไม่ได้ ต้องให้กรรมการคนอื่นอนุมัติ"))
    if run.count == 0:
        raise ValidationError(_("รอบนี้ไม่มีผู้มีสิทธิ์ได้รับเงิน จึงอนุมัติไม่ได้"))
    current = sel.benefit_in_force(run.fund, run.benefit_code, run.as_of)
    if current is None or current.pk != run.benefit_id:
        raise ValidationError(_("ระเบียบที่ใช้ ณ วันที่พิจารณาสิทธิ์เปลี่ยนไปหลังจัดทำรายชื่อ ให้ปรับปรุงรายชื่อก่อนอนุมัติ"))
    taken = _taken(run.fund, run.benefit_code, run.period_key, exclude=run.pk)
    if taken is not None:
        raise _taken_error(taken)
    run.state, run.approved_by, run.approved_at = RunState.APPROVED, actor, timezone.now()
    try:
        with transaction.atomic():
            run.save(update_fields=["state", "approved_by", "approved_at"])
    except IntegrityError as exc:  # a twin approval of the same period won the race
        raise ValidationError({"period_key": _("รอบ: มีการอนุมัติรอบเดียวกันนี้ไปแล้ว จ่ายซ้ำไม่ได้")}) from exc
    return run


def _reserve_vouchers(fund: Fund, fy: int, n: int) -> int:
    """Reserve ``n`` gap-free voucher numbers of fiscal year ``fy``; returns the first one.

    The same sequence ``ledger.next_number(book, name="voucher", year=fy)`` moves, locked once
    for the whole run (rolled back with the transaction if anything fails)."""
    seq, _created = NumberSequence.objects.select_for_update().get_or_create(
        book=fund.book, name="voucher", year=fy
    )
    first = seq.last + 1
    NumberSequence.objects.filter(pk=seq.pk).update(last=seq.last + n)
    return first


@transaction.atomic
def run_post(
    *,
    actor: Any,
    run: BenefitRun,
    pay_date: dt.date,
    method: str = PaymentMethod.CASH,
    bank_ref: str = "",
) -> BenefitRun:
    """Pay an approved run: per line one journal entry and one payout, all in one transaction."""
    run = _locked(run)
    fund = run.fund
    _require(actor, Perm.PAY_BENEFIT, fund)
    if run.state == RunState.POSTED:
        raise ValidationError(_("รอบนี้จ่ายและลงบัญชีไปแล้ว จ่ายซ้ำไม่ได้"))
    if run.state != RunState.APPROVED:
        raise _state_error(run, _("จ่ายเงิน"))
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("วิธีจ่าย: เลือกเงินสดหรือโอนเงิน")})
    if pay_date is None:
        raise ValidationError({"pay_date": _("วันที่จ่าย: ต้องระบุ")})
    if pay_date > timezone.localdate():
        raise ValidationError({"pay_date": _("วันที่จ่าย: เป็นวันในอนาคต")})
    taken = _taken(fund, run.benefit_code, run.period_key, exclude=run.pk)
    if taken is not None and taken.state == RunState.POSTED:
        raise _taken_error(taken)
    lines = list(
        RunLine.objects.filter(run=run).select_related("membership__person").order_by("pk")
    )
    if not lines:
        raise ValidationError(_("รอบนี้ไม่มีรายชื่อผู้รับเงิน"))
    benefit = run.benefit
    expense = fund.account(f"benefit.{benefit.category}")
    money_from = fund.account("cash" if method == PaymentMethod.CASH else "bank")
    total = sum((ln.amount for ln in lines), ZERO)
    if money_from.no_negative and money_from.balance < total:
        raise ValidationError(
            {
                "method": _("วิธีจ่าย: %(acc)s มียอด %(have)s บาท ไม่พอจ่าย %(need)s บาท")
                % {
                    "acc": money_from.name,
                    "have": format_baht(money_from.balance),
                    "need": format_baht(total),
                }
            }
        )
    fy = fiscal_year(pay_date, start_month=fund.fiscal_year_start_month)
    first_voucher = _reserve_vouchers(fund, fy, len(lines))
    label = period_label(run.period_key)
    specs = []
    for i, ln in enumerate(lines):
        m = ln.membership
        specs.append(
            ledger.EntrySpec(
                date=pay_date,
                memo=(
                    _("จ่าย%(b)s %(p)s สมาชิกเลขที่ %(n)s %(name)s ใบสำคัญจ่าย %(v)s")
                    % {
                        "b": benefit.name,
                        "p": label,
                        "n": m.member_no,
                        "name": m.person.full_name,
                        "v": f"{fy}/{first_voucher + i:05d}",
                    }
                )[:300],
                lines=[ledger.debit(expense, ln.amount), ledger.credit(money_from, ln.amount)],
                source_type="benefit",
                source_id=f"m{m.pk}:run{run.pk}",
                idempotency_key=f"run:{run.pk}:{ln.pk}",
            )
        )
    entries = ledger.post_many(book=fund.book, items=specs, actor=actor)
    Payout.objects.bulk_create(
        [
            Payout(
                fund=fund,
                run_line=ln,
                membership_id=ln.membership_id,
                category=benefit.category,
                date=pay_date,
                amount=ln.amount,
                method=method,
                bank_ref=bank_ref.strip()[:100],
                fiscal_year=fy,
                voucher_no=first_voucher + i,
                payee_name=ln.payee_name,
                entry=entry,
                paid_by=actor,
            )
            for i, (ln, entry) in enumerate(zip(lines, entries, strict=True))
        ],
        batch_size=2000,
    )
    run.state, run.pay_date, run.method = RunState.POSTED, pay_date, method
    run.posted_by, run.posted_at = actor, timezone.now()
    run.save(update_fields=["state", "pay_date", "method", "posted_by", "posted_at"])
    fund_changed.send(sender=BenefitRun, fund_id=run.fund_id)
    return run


@transaction.atomic
def run_cancel(*, actor: Any, run: BenefitRun) -> BenefitRun:
    """Cancel a preview (or an approved run not yet paid, by someone who may approve)."""
    run = _locked(run)
    if run.state == RunState.PREVIEW:
        _require(actor, Perm.RECORD_CLAIM, run.fund)
    elif run.state == RunState.APPROVED:
        _require(actor, Perm.APPROVE_CLAIM, run.fund)
    elif run.state == RunState.POSTED:
        raise ValidationError(_("รอบที่จ่ายและลงบัญชีแล้วยกเลิกไม่ได้ ให้กลับรายการการจ่ายเป็นรายคน"))
    else:
        raise ValidationError(_("รอบนี้ถูกยกเลิกไปแล้ว"))
    run.state = RunState.CANCELLED
    run.save(update_fields=["state"])
    return run


def recurring_benefits(fund: Fund, day: dt.date | None = None) -> list[BenefitType]:
    """Recurring benefits a run can be made for: those of the version in force on ``day`` and of
    adopted versions taking effect later (one per code, the one in force first)."""
    from . import selectors as sel

    day = day or timezone.localdate()
    out: dict[str, BenefitType] = {}
    current = sel.version_in_force(fund, day)
    versions = [current] if current is not None else []
    versions += list(
        fund.regulations.filter(state="adopted", effective_from__gt=day).order_by(
            "effective_from", "number"
        )
    )
    for version in versions:
        for b in version.benefits.exclude(recurrence="").order_by("order", "pk"):
            out.setdefault(b.code, b)
    return list(out.values())
