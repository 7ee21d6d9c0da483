"""Writes to the fund books. Every money movement posts to the ledger in the same transaction.

Refusals are ValidationErrors naming the field, in Thai (through gettext); nothing is half saved.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.areas.selectors import active_roles, user_can
from chumchon.core.permissions import Perm, Role
from chumchon.core.thai import fiscal_year, format_baht, format_be_date
from chumchon.ledger import services as ledger
from chumchon.ledger.models import Account, Book
from chumchon.people.models import Person

from .chart import BENEFIT_CATEGORIES, CHART
from .models import (
    SOURCE_ACCOUNT,
    Beneficiary,
    CollectionDay,
    ContributionPlan,
    Fund,
    FundingSource,
    FundReceipt,
    LapseRule,
    MatchedMember,
    Membership,
    MembershipEvent,
    MembershipState,
    MemberType,
    Payment,
    PaymentMethod,
    PaymentVoid,
    Pledge,
    Refund,
    RefundRule,
)
from .signals import fund_changed

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _require(user: Any, perm: str, unit: OrgUnit) -> None:
    if not user_can(user, perm, unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))


def _today() -> dt.date:
    return timezone.localdate()


def money(value: Any, *, field: str, label: str, allow_zero: bool = False) -> Decimal:
    """Read an amount (Decimal, int or text with commas) to the satang, or refuse in Thai."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except Exception:
        raise ValidationError({field: _("%(f)s: อ่านเป็นจำนวนเงินไม่ได้") % {"f": label}}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: _("%(f)s: ใส่ได้ถึงสตางค์ (ทศนิยม 2 ตำแหน่ง)") % {"f": label}})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("%(f)s: ต้องมากกว่าศูนย์") % {"f": label}})
    return amount.quantize(CENT)


# --- fund setup -------------------------------------------------------------------------------


@transaction.atomic
def fund_create(
    *,
    actor: Any,
    org_unit: OrgUnit,
    founded_on: dt.date | None = None,
    entry_fee: Decimal = ZERO,
    plans: Iterable[tuple[str, int, Decimal]] = (),
    lapse_rule: str = LapseRule.DAYS_IN_ARREARS,
    lapse_days: int = 60,
    lapse_missed_dues: int = 3,
    refund_rule: str = RefundRule.NONE,
    refund_percent: Decimal = ZERO,
    fiscal_year_start_month: int = 10,
    member_approver_role: str = Role.CHAIR,
) -> Fund:
    """Open the books of a tambon-level unit: a ledger book with the CODI chart and the plans."""
    _require(actor, Perm.MANAGE_FUND, org_unit)
    if org_unit.kind != OrgUnitKind.FUND:
        raise ValidationError({"org_unit": _("หน่วยงาน: กองทุนต้องเป็นหน่วยระดับตำบล")})
    if Fund.objects.filter(org_unit=org_unit).exists():
        raise ValidationError({"org_unit": _("หน่วยงาน: หน่วยนี้มีกองทุนอยู่แล้ว")})
    book = ledger.book_create(
        org_unit=org_unit, name=org_unit.name, fiscal_year_start_month=fiscal_year_start_month
    )
    for code, name, kind, category, is_cash in CHART:
        ledger.account_create(
            book=book, code=code, name=_(name), kind=kind, category=category, is_cash=is_cash
        )
    fund = Fund(
        org_unit=org_unit,
        book=book,
        founded_on=founded_on,
        fiscal_year_start_month=fiscal_year_start_month,
        entry_fee=money(entry_fee, field="entry_fee", label=_("ค่าสมัคร"), allow_zero=True),
        lapse_rule=lapse_rule,
        lapse_days=lapse_days,
        lapse_missed_dues=lapse_missed_dues,
        refund_rule=refund_rule,
        refund_percent=refund_percent,
        member_approver_role=member_approver_role,
    )
    fund.full_clean(exclude=["org_unit", "book"])
    fund._change_reason = _("เปิดบัญชีกองทุน")  # type: ignore[attr-defined]
    fund.save()
    for name, months, amount in plans:
        plan_create(actor=actor, fund=fund, name=name, months=months, amount=amount)
    return fund


def fund_update(*, actor: Any, fund: Fund, reason: str = "", **data: Any) -> Fund:
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    allowed = {
        "founded_on",
        "entry_fee",
        "lapse_rule",
        "lapse_days",
        "lapse_missed_dues",
        "refund_rule",
        "refund_percent",
        "member_approver_role",
        "public_board",
    }
    for key, value in data.items():
        if key not in allowed:
            raise ValueError(key)
        setattr(fund, key, value)
    fund.full_clean(exclude=["org_unit", "book"])
    fund._change_reason = reason  # type: ignore[attr-defined]
    fund.save()
    return fund


def plan_create(
    *, actor: Any, fund: Fund, name: str, months: int, amount: Decimal | int | str
) -> ContributionPlan:
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValidationError({"months": _("ระยะเวลาต่องวด: ต้องเป็น 1, 2, 3, 4, 6 หรือ 12 เดือน")})
    if not name.strip():
        raise ValidationError({"name": _("ชื่อแบบการออม: ต้องระบุ")})
    if ContributionPlan.objects.filter(fund=fund, name=name.strip()).exists():
        raise ValidationError({"name": _("ชื่อแบบการออม: มีชื่อนี้อยู่แล้ว")})
    return ContributionPlan.objects.create(
        fund=fund,
        name=name.strip(),
        months=months,
        amount=money(amount, field="amount", label=_("จำนวนเงินต่องวด")),
    )


# --- members ----------------------------------------------------------------------------------


def derived_member_type(person: Person, day: dt.date) -> str:
    """The member type the age suggests (disabled, orphan and disadvantaged are chosen by hand)."""
    age = person.age_on(day)
    if age is not None and age < 18:
        return MemberType.CHILD
    if age is not None and age >= 60:
        return MemberType.ELDERLY
    return MemberType.GENERAL


def _event(m: Membership, kind: str, day: dt.date, actor: Any, **kw: Any) -> None:
    MembershipEvent.objects.create(membership=m, kind=kind, date=day, by=actor, **kw)


def _group_of(fund: Fund, unit: OrgUnit) -> OrgUnit:
    if unit.pk != fund.org_unit_id and not unit.path.startswith(fund.org_unit.path):
        raise ValidationError({"org_unit": _("กลุ่มหมู่บ้าน: ไม่ได้อยู่ในกองทุนนี้")})
    return unit


@dataclass
class BeneficiaryData:
    name: str
    relation: str
    share_percent: Decimal = Decimal("100")
    age: int | None = None
    address: str = ""
    person: Person | None = None


def _set_beneficiaries(m: Membership, items: Iterable[BeneficiaryData]) -> None:
    rows = list(items)
    if rows:
        total = sum((Decimal(b.share_percent) for b in rows), ZERO)
        if total != Decimal("100"):
            raise ValidationError(
                {
                    "beneficiaries": _("ผู้รับผลประโยชน์: สัดส่วนรวมต้องเท่ากับร้อยละ 100 (ตอนนี้ %(t)s)")
                    % {"t": total}
                }
            )
        for b in rows:
            if not b.name.strip():
                raise ValidationError({"beneficiaries": _("ผู้รับผลประโยชน์: ต้องระบุชื่อ")})
            if not b.relation.strip():
                raise ValidationError({"beneficiaries": _("ผู้รับผลประโยชน์: ต้องระบุความสัมพันธ์กับสมาชิก")})
    m.beneficiaries.all().delete()
    Beneficiary.objects.bulk_create(
        [
            Beneficiary(
                membership=m,
                name=b.name.strip(),
                relation=b.relation.strip(),
                share_percent=Decimal(b.share_percent),
                age=b.age,
                address=b.address,
                person=b.person,
            )
            for b in rows
        ]
    )


@transaction.atomic
def beneficiaries_set(
    *, actor: Any, membership: Membership, beneficiaries: Iterable[BeneficiaryData]
) -> None:
    _require(actor, Perm.MANAGE_MEMBERS, membership.org_unit)
    _set_beneficiaries(membership, beneficiaries)


@transaction.atomic
def member_apply(
    *,
    actor: Any,
    fund: Fund,
    person: Person,
    org_unit: OrgUnit,
    plan: ContributionPlan,
    applied_on: dt.date | None = None,
    member_type: str | None = None,
    beneficiaries: Iterable[BeneficiaryData] = (),
    external_ref: str = "",
) -> Membership:
    """Record an application. A person who left (or lapsed) applies again as a new membership."""
    _require(actor, Perm.MANAGE_MEMBERS, org_unit)
    day = applied_on or _today()
    _group_of(fund, org_unit)
    if plan.fund_id != fund.pk or not plan.active:
        raise ValidationError({"plan": _("แบบการออม: ไม่ใช่แบบที่กองทุนนี้เปิดให้เลือก")})
    if person.death_date and person.death_date <= day:
        raise ValidationError({"person": _("ผู้สมัคร: บุคคลนี้เสียชีวิตแล้ว")})
    open_q = Membership.objects.filter(
        fund=fund, person=person, state__in=[MembershipState.APPLIED, MembershipState.APPROVED]
    )
    previous = (
        Membership.objects.filter(fund=fund, person=person)
        .exclude(state__in=[MembershipState.APPLIED, MembershipState.REJECTED])
        .order_by("-applied_on", "-pk")
        .first()
    )
    for m in open_q.select_for_update():
        from .selectors import member_status

        st = member_status(m, day)
        if st.code != "lapsed":
            raise ValidationError(
                {"person": _("ผู้สมัคร: เป็นสมาชิกอยู่แล้ว (เลขที่ %(n)s)") % {"n": m.member_no or "-"}}
            )
        # A lapsed membership ends on its lapse date; the new one starts afresh.
        m.state = MembershipState.RESIGNED
        m.ended_on = st.lapsed_on
        m.end_reason = _("ขาดสมาชิกภาพ: %(r)s") % {"r": st.reason}
        m._change_reason = m.end_reason  # type: ignore[attr-defined]
        m.save()
        previous = m
    m = Membership(
        fund=fund,
        person=person,
        org_unit=org_unit,
        plan=plan,
        applied_on=day,
        member_type=member_type or derived_member_type(person, day),
        previous=previous if previous and not hasattr(previous, "next_membership") else None,
        external_ref=external_ref,
    )
    m._change_reason = _("สมัครสมาชิก")  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            m.save()
    except IntegrityError as exc:
        raise ValidationError({"person": _("ผู้สมัคร: มีใบสมัครค้างอยู่แล้ว")}) from exc
    _set_beneficiaries(m, beneficiaries)
    _event(m, MembershipEvent.Kind.APPLY, day, actor, to_value=plan.name)
    return m


def can_approve_members(user: Any, fund: Fund) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(
        ra.role == fund.member_approver_role and fund.org_unit.path.startswith(ra.org_unit.path)
        for ra in active_roles(user)
    )


@transaction.atomic
def member_approve(
    *, actor: Any, membership: Membership, joined_on: dt.date | None = None
) -> Membership:
    m = (
        Membership.objects.select_for_update()
        .select_related("fund__org_unit")
        .get(pk=membership.pk)
    )
    fund = m.fund
    if not can_approve_members(actor, fund):
        raise PermissionDenied(
            _("ผู้อนุมัติสมาชิกของกองทุนนี้คือ %(r)s") % {"r": Role(fund.member_approver_role).label}
        )
    if m.state != MembershipState.APPLIED:
        raise ValidationError(_("อนุมัติได้เฉพาะใบสมัครที่รอพิจารณา"))
    day = joined_on or _today()
    if day < m.applied_on:
        raise ValidationError({"joined_on": _("วันที่เป็นสมาชิก: ต้องไม่ก่อนวันที่สมัคร")})
    m.member_no = ledger.next_number(book=fund.book, name="member")
    m.state = MembershipState.APPROVED
    m.joined_on = day
    m.decided_by = actor
    m._change_reason = _("อนุมัติเป็นสมาชิก")  # type: ignore[attr-defined]
    m.save()
    _event(m, MembershipEvent.Kind.APPROVE, day, actor, to_value=str(m.member_no))
    membership.refresh_from_db()
    fund_changed.send(sender=Fund, fund_id=m.fund_id)
    return m


@transaction.atomic
def member_reject(*, actor: Any, membership: Membership, reason: str) -> Membership:
    m = (
        Membership.objects.select_for_update()
        .select_related("fund__org_unit")
        .get(pk=membership.pk)
    )
    if not can_approve_members(actor, m.fund):
        raise PermissionDenied(_("ไม่มีสิทธิ์พิจารณาใบสมัคร"))
    if m.state != MembershipState.APPLIED:
        raise ValidationError(_("พิจารณาได้เฉพาะใบสมัครที่รอพิจารณา"))
    if not reason.strip():
        raise ValidationError({"reason": _("เหตุผล: ต้องระบุเหตุผลที่ไม่อนุมัติ")})
    m.state = MembershipState.REJECTED
    m.end_reason = reason.strip()
    m.decided_by = actor
    m._change_reason = reason  # type: ignore[attr-defined]
    m.save()
    _event(m, MembershipEvent.Kind.REJECT, _today(), actor, reason=reason.strip())
    return m


def contributions_paid(m: Membership, *, until: dt.date | None = None) -> Decimal:
    q = m.payments.filter(void__isnull=True)
    if until:
        q = q.filter(date__lte=until)
    return q.aggregate(t=Sum("contribution"))["t"] or ZERO


def refund_due(m: Membership) -> tuple[Decimal, Decimal, str]:
    """(contributions, refund, explanation) under the fund's rule, rounded half up to the satang."""
    fund = m.fund
    paid = Decimal(contributions_paid(m)).quantize(CENT)
    if fund.refund_rule == RefundRule.NONE or fund.refund_percent <= 0:
        return paid, ZERO, _("ระเบียบของกองทุนไม่คืนเงินสมทบ")
    if fund.refund_rule == RefundRule.IF_NO_BENEFIT and has_received_benefit(m):
        return paid, ZERO, _("เคยได้รับสวัสดิการแล้ว จึงไม่ได้รับเงินคืน")
    amount = (paid * fund.refund_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return (
        paid,
        amount,
        _("คืนร้อยละ %(p)s ของเงินสมทบ %(c)s บาท")
        % {"p": format(fund.refund_percent.normalize(), "f"), "c": format_baht(paid)},
    )


def has_received_benefit(m: Membership) -> bool:
    """Whether a benefit was paid on this membership and not taken back: benefit payouts post
    with ``source_id`` "m<membership>:..."; a reversed payout does not count."""
    from chumchon.ledger.models import JournalEntry

    paid = JournalEntry.objects.filter(
        book_id=m.fund.book_id, source_type="benefit", source_id__startswith=f"m{m.pk}:"
    )
    reversed_ids = paid.filter(reverses__isnull=False).values("reverses_id")
    return paid.filter(reverses__isnull=True).exclude(pk__in=reversed_ids).exists()


@transaction.atomic
def member_resign(
    *, actor: Any, membership: Membership, date: dt.date, reason: str, method: str = "cash"
) -> Membership:
    m = (
        Membership.objects.select_for_update()
        .select_related("fund__book", "fund__org_unit")
        .get(pk=membership.pk)
    )
    _require(actor, Perm.MANAGE_MEMBERS, m.org_unit)
    if m.state != MembershipState.APPROVED:
        raise ValidationError(_("ลาออกได้เฉพาะผู้ที่เป็นสมาชิกอยู่"))
    if m.joined_on and date < m.joined_on:
        raise ValidationError({"date": _("วันที่ลาออก: ต้องไม่ก่อนวันที่เป็นสมาชิก")})
    if not reason.strip():
        raise ValidationError({"reason": _("เหตุผล: ต้องระบุ")})
    paid, amount, why = refund_due(m)
    m.state = MembershipState.RESIGNED
    m.ended_on = date
    m.end_reason = reason.strip()
    m._change_reason = reason  # type: ignore[attr-defined]
    m.save()
    _event(m, MembershipEvent.Kind.RESIGN, date, actor, reason=reason.strip(), to_value=why)
    if amount > 0:
        fund = m.fund
        pay_from = fund.account("cash" if method == PaymentMethod.CASH else "bank")
        entry = ledger.post(
            book=fund.book,
            date=date,
            memo=_("คืนเงินสมทบสมาชิกลาออก เลขที่ %(n)s %(p)s")
            % {"n": m.member_no, "p": m.person.full_name},
            lines=[
                ledger.debit(fund.account("refund.members"), amount),
                ledger.credit(pay_from, amount),
            ],
            actor=actor,
            source_type="refund",
            source_id=str(m.pk),
            idempotency_key=f"refund:{m.pk}",
        )
        Refund.objects.create(
            membership=m,
            date=date,
            contributions=paid,
            percent=fund.refund_percent,
            amount=amount,
            entry=entry,
        )
    fund_changed.send(sender=Fund, fund_id=m.fund_id)
    return m


@transaction.atomic
def member_record_death(*, actor: Any, membership: Membership) -> Membership:
    """End a membership on the death date recorded on the person."""
    m = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    _require(actor, Perm.MANAGE_MEMBERS, m.org_unit)
    death = m.person.death_date
    if death is None:
        raise ValidationError({"person": _("บันทึกวันที่เสียชีวิตในข้อมูลบุคคลก่อน แล้วจึงปิดสมาชิกภาพ")})
    if m.state not in (MembershipState.APPROVED, MembershipState.APPLIED):
        raise ValidationError(_("สมาชิกภาพนี้สิ้นสุดไปแล้ว"))
    m.state = MembershipState.DIED
    m.ended_on = max(death, m.joined_on or death)
    m.end_reason = _("เสียชีวิต %(d)s") % {"d": format_be_date(death)}
    m._change_reason = m.end_reason  # type: ignore[attr-defined]
    m.save()
    _event(m, MembershipEvent.Kind.DIE, death, actor)
    fund_changed.send(sender=Fund, fund_id=m.fund_id)
    return m


@transaction.atomic
def member_move(
    *, actor: Any, membership: Membership, to_unit: OrgUnit, date: dt.date, reason: str = ""
) -> Membership:
    m = (
        Membership.objects.select_for_update()
        .select_related("fund__org_unit", "org_unit")
        .get(pk=membership.pk)
    )
    _require(actor, Perm.MANAGE_MEMBERS, m.org_unit)
    _require(actor, Perm.MANAGE_MEMBERS, to_unit)
    _group_of(m.fund, to_unit)
    if to_unit.pk == m.org_unit_id:
        raise ValidationError({"to_unit": _("กลุ่มใหม่: เป็นกลุ่มเดิม")})
    old = m.org_unit
    m.org_unit = to_unit
    m._change_reason = reason or _("ย้ายกลุ่ม")  # type: ignore[attr-defined]
    m.save()
    _event(
        m,
        MembershipEvent.Kind.MOVE,
        date,
        actor,
        from_value=old.name,
        to_value=to_unit.name,
        reason=reason,
    )
    fund_changed.send(sender=Fund, fund_id=m.fund_id)
    return m


@transaction.atomic
def member_change_plan(
    *, actor: Any, membership: Membership, plan: ContributionPlan, date: dt.date
) -> Membership:
    """Change the plan from a date on; dues before the date keep the old plan."""
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    _require(actor, Perm.MANAGE_MEMBERS, m.org_unit)
    if plan.fund_id != m.fund_id:
        raise ValidationError({"plan": _("แบบการออม: ไม่ใช่ของกองทุนนี้")})
    old = m.plan
    if MembershipEvent.objects.filter(membership=m, kind="plan").count() == 0:
        # Remember the plan the membership started with (coverage reads plan events in order).
        _event(
            m, MembershipEvent.Kind.PLAN, m.joined_on or m.applied_on, actor, to_value=str(old.pk)
        )
    m.plan = plan
    m.save()
    _event(m, MembershipEvent.Kind.PLAN, date, actor, from_value=str(old.pk), to_value=str(plan.pk))
    fund_changed.send(sender=Fund, fund_id=m.fund_id)
    return m


# --- payments ---------------------------------------------------------------------------------


def entry_fee_paid(m: Membership) -> Decimal:
    return m.payments.filter(void__isnull=True).aggregate(t=Sum("entry_fee"))["t"] or ZERO


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    membership: Membership,
    date: dt.date,
    amount: Any,
    method: str = PaymentMethod.CASH,
    entry_fee: Any = None,
    collection_day: CollectionDay | None = None,
    idempotency_key: str | None = None,
    note: str = "",
    check_status: bool = True,
) -> Payment:
    """Record a payment: contribution (and entry fee), a receipt number and a journal entry.

    ``amount`` is the total handed over. The entry fee, when still owed, is taken first unless
    ``entry_fee`` says otherwise. With an idempotency key already used, the first payment is
    returned and nothing is posted again.
    """
    fund = Fund.objects.select_related("book", "org_unit").get(pk=membership.fund_id)
    if idempotency_key:
        # Take the book's lock first (posting takes it anyway): a second teller retrying the
        # same key waits here, then finds the first payment instead of failing on the key.
        list(Book.objects.select_for_update().filter(pk=fund.book_id).values_list("pk"))
        done = Payment.objects.filter(fund=fund, idempotency_key=idempotency_key).first()
        if done is not None:
            return done
    m = Membership.objects.select_related("person", "plan").get(pk=membership.pk)
    _require(actor, Perm.COLLECT, m.org_unit)
    total = money(amount, field="amount", label=_("จำนวนเงิน"))
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("วิธีชำระ: เลือกเงินสดหรือโอนเงิน")})
    if m.state not in (MembershipState.APPROVED,):
        raise ValidationError(
            {"membership": _("รับชำระไม่ได้: สมาชิกภาพสถานะ %(s)s") % {"s": m.get_state_display()}}
        )
    if m.joined_on and date < m.joined_on:
        raise ValidationError({"date": _("วันที่ชำระ: ก่อนวันที่เป็นสมาชิก")})
    if date > _today() + dt.timedelta(days=1):
        raise ValidationError({"date": _("วันที่ชำระ: เป็นวันในอนาคต")})
    if check_status:
        from .selectors import member_status

        st = member_status(m, date)
        if st.code in ("lapsed", "dead", "resigned"):
            raise ValidationError(
                {
                    "membership": _("รับชำระไม่ได้: %(s)s (%(r)s) ให้สมัครใหม่")
                    % {"s": st.label, "r": st.reason}
                }
            )
    owed_fee = max(fund.entry_fee - entry_fee_paid(m), ZERO)
    if entry_fee is None:
        fee = min(owed_fee, total)
    else:
        fee = money(entry_fee, field="entry_fee", label=_("ค่าสมัคร"), allow_zero=True)
        if fee > total:
            raise ValidationError({"entry_fee": _("ค่าสมัคร: มากกว่าจำนวนเงินที่รับ")})
    contribution = total - fee
    if collection_day is not None:
        if collection_day.closed_at is not None:
            raise ValidationError(_("วันเก็บเงินนี้ปิดยอดแล้ว"))
        if collection_day.date != date or collection_day.fund_id != fund.pk:
            raise ValidationError({"date": _("วันที่ชำระ: ไม่ตรงกับวันเก็บเงิน")})
    fy = fiscal_year(date, start_month=fund.fiscal_year_start_month)
    receipt_no = ledger.next_number(book=fund.book, name="receipt", year=fy)
    cash = fund.account("cash" if method == PaymentMethod.CASH else "bank")
    lines = [ledger.debit(cash, total)]
    if contribution > 0:
        lines.append(ledger.credit(fund.account("income.members"), contribution))
    if fee > 0:
        lines.append(ledger.credit(fund.account("income.entry_fees"), fee))
    label = f"{fy}/{receipt_no:05d}"
    entry = ledger.post(
        book=fund.book,
        date=date,
        memo=_("รับชำระจากสมาชิกเลขที่ %(n)s %(p)s ใบเสร็จ %(r)s")
        % {"n": m.member_no, "p": m.person.full_name, "r": label},
        lines=lines,
        actor=actor,
        source_type="payment",
        source_id=label,
        idempotency_key=f"payment:{idempotency_key}" if idempotency_key else None,
    )
    from .selectors import coverage

    before = coverage(m, until=date)
    payment = Payment(
        fund=fund,
        membership=m,
        org_unit=m.org_unit,
        date=date,
        contribution=contribution,
        entry_fee=fee,
        amount=total,
        method=method,
        fiscal_year=fy,
        receipt_no=receipt_no,
        entry=entry,
        collection_day=collection_day,
        idempotency_key=idempotency_key or None,
        verify_token=secrets.token_urlsafe(16)[:22],
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    payment.covers_from = (
        before.paid_through + dt.timedelta(days=1) if before.paid_through else m.joined_on
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as exc:
        if idempotency_key:
            raise ValidationError(_("รายการนี้ถูกบันทึกไปแล้ว (กดส่งซ้ำ)")) from exc
        raise
    after = coverage(m, until=date)
    Payment.objects.filter(pk=payment.pk).update(covers_to=after.paid_through)
    payment.covers_to = after.paid_through
    fund_changed.send(sender=Fund, fund_id=fund.pk)
    return payment


@transaction.atomic
def payment_void(
    *, actor: Any, payment: Payment, reason: str, date: dt.date | None = None
) -> PaymentVoid:
    p = Payment.objects.select_for_update().select_related("fund__book", "entry").get(pk=payment.pk)
    _require(actor, Perm.VOID, p.org_unit)
    if not reason.strip():
        raise ValidationError({"reason": _("เหตุผลการยกเลิก: ต้องระบุ")})
    if PaymentVoid.objects.filter(payment=p).exists():
        raise ValidationError(_("ใบเสร็จนี้ถูกยกเลิกไปแล้ว"))
    if p.collection_day_id and p.collection_day and p.collection_day.closed_at:
        pass  # a void after the day closed posts on its own date; the day's count stays as it was
    day = date or max(_today(), p.date)
    fund_changed.send(sender=Fund, fund_id=p.fund_id)
    reversal = ledger.reverse(entry=p.entry, reason=reason, actor=actor, date=day)
    return PaymentVoid.objects.create(payment=p, reversal=reversal, reason=reason.strip(), by=actor)


# --- collection days ----------------------------------------------------------------------------


@transaction.atomic
def collection_day_open(
    *, actor: Any, fund: Fund, org_unit: OrgUnit, date: dt.date
) -> CollectionDay:
    _require(actor, Perm.COLLECT, org_unit)
    _group_of(fund, org_unit)
    day, _created = CollectionDay.objects.get_or_create(
        org_unit=org_unit, date=date, defaults={"fund": fund, "opened_by": actor}
    )
    return day


def collection_day_cash(day: CollectionDay) -> Decimal:
    return (
        day.payments.filter(void__isnull=True, method=PaymentMethod.CASH).aggregate(
            t=Sum("amount")
        )["t"]
        or ZERO
    )


@transaction.atomic
def collection_day_close(
    *, actor: Any, day: CollectionDay, counted_cash: Any, note: str = ""
) -> CollectionDay:
    d = CollectionDay.objects.select_for_update().get(pk=day.pk)
    _require(actor, Perm.COLLECT, d.org_unit)
    if d.closed_at:
        raise ValidationError(_("วันเก็บเงินนี้ปิดยอดแล้ว"))
    counted = money(counted_cash, field="counted_cash", label=_("เงินสดที่นับได้"), allow_zero=True)
    expected = Decimal(collection_day_cash(d)).quantize(CENT)
    diff = counted - expected
    if diff != 0 and not note.strip():
        raise ValidationError(
            {
                "note": _("หมายเหตุ: เงินที่นับได้ต่างจากยอดในระบบ %(d)s บาท ให้บันทึกสาเหตุ")
                % {"d": format_baht(diff)}
            }
        )
    d.expected_cash, d.counted_cash, d.difference = expected, counted, diff
    d.note = note.strip()
    d.closed_at = timezone.now()
    d.closed_by = actor
    d.save()
    return d


# --- matching money and other receipts ----------------------------------------------------------


@transaction.atomic
def fund_receipt_record(
    *,
    actor: Any,
    fund: Fund,
    source: str,
    amount: Any,
    date: dt.date,
    round_no: int | None = None,
    method: str = PaymentMethod.TRANSFER,
    payer: str = "",
    fiscal_year_be: int | None = None,
) -> FundReceipt:
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    if source not in FundingSource.values or source == FundingSource.MEMBERS:
        raise ValidationError({"source": _("แหล่งเงิน: เลือกแหล่งเงินที่ไม่ใช่สมาชิก")})
    if source == FundingSource.STATE_CODI and not round_no:
        raise ValidationError({"round_no": _("รอบที่: เงินสมทบจากรัฐบาลต้องระบุรอบ")})
    total = money(amount, field="amount", label=_("จำนวนเงิน"))
    fy = fiscal_year_be or fiscal_year(date, start_month=fund.fiscal_year_start_month)
    to = fund.account("cash" if method == PaymentMethod.CASH else "bank")
    income = fund.account(SOURCE_ACCOUNT[FundingSource(source)])
    memo = _("รับเงินจาก%(s)s") % {"s": FundingSource(source).label}
    if round_no:
        memo += _(" รอบที่ %(n)s") % {"n": round_no}
    entry = ledger.post(
        book=fund.book,
        date=date,
        memo=memo,
        lines=[ledger.debit(to, total), ledger.credit(income, total)],
        actor=actor,
        source_type="fund_receipt",
        source_id=f"{source}:{round_no or ''}:{fy}",
    )
    return FundReceipt.objects.create(
        fund=fund,
        source=source,
        round_no=round_no,
        fiscal_year=fy,
        date=date,
        amount=total,
        payer=payer,
        method=method,
        entry=entry,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def pledge_record(
    *,
    actor: Any,
    fund: Fund,
    source: str,
    amount: Any,
    fiscal_year_be: int,
    round_no: int | None = None,
    note: str = "",
) -> Pledge:
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    if source not in FundingSource.values:
        raise ValidationError({"source": _("แหล่งเงิน: ไม่รู้จัก")})
    return Pledge.objects.create(
        fund=fund,
        source=source,
        amount=money(amount, field="amount", label=_("จำนวนเงิน")),
        fiscal_year=fiscal_year_be,
        round_no=round_no,
        note=note,
    )


@transaction.atomic
def matching_round_freeze(
    *, actor: Any, fund: Fund, round_no: int, fiscal_year_be: int
) -> list[MatchedMember]:
    """Record who is counted in matching round ``round_no`` (the list sent with the request)."""
    from .selectors import matching_eligible

    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    if MatchedMember.objects.filter(fund=fund, round_no=round_no).exists():
        raise ValidationError({"round_no": _("รอบที่ %(n)s: บันทึกรายชื่อไว้แล้ว") % {"n": round_no}})
    rows = [
        MatchedMember(
            fund=fund, round_no=round_no, fiscal_year=fiscal_year_be, membership=e.membership
        )
        for e in matching_eligible(fund, fiscal_year_be)
    ]
    return MatchedMember.objects.bulk_create(rows)


def account_for(fund: Fund, category: str) -> Account:
    return fund.account(category)


# --- plan and chart upkeep (fund setup screens) -------------------------------------------------

PLAN_MONTHS = (1, 2, 3, 4, 6, 12)


def plan_in_use(plan: ContributionPlan) -> bool:
    """Whether any membership pays, or ever paid, under the plan (coverage reads its amount)."""
    pk = str(plan.pk)
    return (
        Membership.objects.filter(plan=plan).exists()
        or MembershipEvent.objects.filter(kind=MembershipEvent.Kind.PLAN, to_value=pk).exists()
        or MembershipEvent.objects.filter(kind=MembershipEvent.Kind.PLAN, from_value=pk).exists()
    )


@transaction.atomic
def plan_update(
    *,
    actor: Any,
    plan: ContributionPlan,
    name: str,
    active: bool,
    months: int | None = None,
    amount: Decimal | int | str | None = None,
    reason: str = "",
) -> ContributionPlan:
    """Rename a plan, open or close it for new applicants; its amount and length change only
    while no membership uses it (coverage of past payments is computed from them)."""
    p = (
        ContributionPlan.objects.select_for_update()
        .select_related("fund__org_unit")
        .get(pk=plan.pk)
    )
    _require(actor, Perm.MANAGE_FUND, p.fund.org_unit)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("ชื่อแบบการออม: ต้องระบุ")})
    if ContributionPlan.objects.filter(fund=p.fund, name=name).exclude(pk=p.pk).exists():
        raise ValidationError({"name": _("ชื่อแบบการออม: มีชื่อนี้อยู่แล้ว")})
    new_months = p.months if months is None else int(months)
    new_amount = (
        p.amount if amount is None else money(amount, field="amount", label=_("จำนวนเงินต่องวด"))
    )
    if new_months not in PLAN_MONTHS:
        raise ValidationError({"months": _("ระยะเวลาต่องวด: ต้องเป็น 1, 2, 3, 4, 6 หรือ 12 เดือน")})
    if (new_months != p.months or new_amount != p.amount) and plan_in_use(p):
        field = "amount" if new_amount != p.amount else "months"
        label = _("จำนวนเงินต่องวด") if field == "amount" else _("ระยะเวลาต่องวด")
        raise ValidationError(
            {
                field: _(
                    "%(f)s: มีสมาชิกใช้แบบนี้อยู่ จึงเปลี่ยนไม่ได้ (ยอดที่ชำระแล้วจะคำนวณผิด) "
                    "ให้เพิ่มแบบใหม่แล้วเปลี่ยนแบบการออมของสมาชิก"
                )
                % {"f": label}
            }
        )
    if not active and p.active:
        others = ContributionPlan.objects.filter(fund=p.fund, active=True).exclude(pk=p.pk)
        if not others.exists():
            raise ValidationError({"active": _("เปิดให้เลือก: ต้องมีแบบการออมที่เปิดให้เลือกอย่างน้อยหนึ่งแบบ")})
    p.name, p.active, p.months, p.amount = name, active, new_months, new_amount
    p._change_reason = reason.strip() or _("แก้ไขแบบการออม")  # type: ignore[attr-defined]
    p.save()
    return p


# Accounts the fund's own services post to by category: they stay open.
AUTO_POSTED_CATEGORIES = frozenset(
    {"cash", "bank", "income.members", "income.entry_fees", "refund.members"}
    | set(SOURCE_ACCOUNT.values())
    | {f"benefit.{code}" for code, _name in BENEFIT_CATEGORIES}  # benefit payouts post here
    | {"admin.worker_pay", "admin.transport", "admin.stationery", "admin.meetings", "admin.other"}
)
KIND_FIRST_DIGIT = {"asset": "1", "liability": "2", "equity": "3", "income": "4", "expense": "5"}


def fund_account_create(
    *, actor: Any, fund: Fund, code: str, name: str, kind: str, is_cash: bool = False
) -> Account:
    """An account the fund adds to its chart (codes: digits, first digit by kind)."""
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    code = code.strip()
    if not code.isdigit() or not 4 <= len(code) <= 12:
        raise ValidationError({"code": _("รหัสบัญชี: ใช้ตัวเลข 4 ถึง 12 หลัก")})
    first = KIND_FIRST_DIGIT.get(kind)
    if first is None:
        raise ValidationError({"kind": _("หมวดบัญชี: เลือกหมวด")})
    if not code.startswith(first):
        raise ValidationError({"code": _("รหัสบัญชี: บัญชีหมวดนี้ต้องขึ้นต้นด้วยเลข %(d)s") % {"d": first}})
    if not name.strip():
        raise ValidationError({"name": _("ชื่อบัญชี: ต้องระบุ")})
    if is_cash and kind != "asset":
        raise ValidationError({"is_cash": _("เป็นเงินสดหรือเงินฝาก: ได้เฉพาะบัญชีหมวดสินทรัพย์")})
    return ledger.account_create(
        book=fund.book, code=code, name=name, kind=kind, category="", is_cash=is_cash
    )


@transaction.atomic
def fund_account_update(
    *, actor: Any, fund: Fund, account: Account, name: str, active: bool
) -> Account:
    """Rename an account or close it; its code and kind never change (postings name them)."""
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    a = Account.objects.select_for_update().get(pk=account.pk)
    if a.book_id != fund.book_id:
        raise ValidationError(_("บัญชีนี้ไม่ได้อยู่ในผังบัญชีของกองทุนนี้"))
    if not name.strip():
        raise ValidationError({"name": _("ชื่อบัญชี: ต้องระบุ")})
    if a.active and not active:
        if a.category in AUTO_POSTED_CATEGORIES:
            raise ValidationError(
                {"active": _("ใช้งาน: ระบบบันทึกรายการเข้าบัญชีนี้โดยอัตโนมัติ จึงปิดการใช้งานไม่ได้")}
            )
        if a.balance != 0:
            raise ValidationError(
                {
                    "active": _("ใช้งาน: บัญชีนี้ยังมียอดคงเหลือ %(b)s บาท ปิดการใช้งานไม่ได้")
                    % {"b": format_baht(a.balance)}
                }
            )
    Account.objects.filter(pk=a.pk).update(name=name.strip(), active=active)
    a.refresh_from_db()
    return a


# --- import from a fund's old books (Excel: funds/importing.py) --------------------------------


@transaction.atomic
def member_import(
    *,
    actor: Any,
    fund: Fund,
    person: Person,
    org_unit: OrgUnit,
    plan: ContributionPlan,
    joined_on: dt.date,
    member_no: int | None = None,
    member_type: str | None = None,
) -> Membership:
    """A member of the fund's old books, approved from ``joined_on`` under the number the book
    gave (the next free number when it gave none). Call ``member_numbers_reserve`` first so
    numbers given to later applicants stay clear of the imported ones."""
    _require(actor, Perm.MANAGE_MEMBERS, org_unit)
    _group_of(fund, org_unit)
    if plan.fund_id != fund.pk:
        raise ValidationError({"plan": _("แบบการออม: ไม่ใช่ของกองทุนนี้")})
    if person.death_date and person.death_date <= joined_on:
        raise ValidationError({"person": _("ผู้สมัคร: บุคคลนี้เสียชีวิตแล้ว")})
    if joined_on > _today():
        raise ValidationError({"joined_on": _("วันที่เป็นสมาชิก: เป็นวันในอนาคต")})
    if member_no is None:
        member_no = ledger.next_number(book=fund.book, name="member")
    elif member_no < 1:
        raise ValidationError({"member_no": _("เลขที่สมาชิก: ต้องเป็นจำนวนเต็มบวก")})
    if Membership.objects.filter(fund=fund, member_no=member_no).exists():
        raise ValidationError({"member_no": _("เลขที่สมาชิก: เลขที่ %(n)s มีอยู่แล้ว") % {"n": member_no}})
    if Membership.objects.filter(
        fund=fund, person=person, state__in=[MembershipState.APPLIED, MembershipState.APPROVED]
    ).exists():
        raise ValidationError({"person": _("ผู้สมัคร: เป็นสมาชิกอยู่แล้ว")})
    why = _("นำเข้าจากทะเบียนสมาชิกเดิม")
    m = Membership(
        fund=fund,
        person=person,
        org_unit=org_unit,
        plan=plan,
        member_no=member_no,
        state=MembershipState.APPROVED,
        applied_on=joined_on,
        joined_on=joined_on,
        decided_by=actor if getattr(actor, "pk", None) else None,
        member_type=member_type or derived_member_type(person, joined_on),
    )
    m._change_reason = why  # type: ignore[attr-defined]
    m.save()
    _event(m, MembershipEvent.Kind.APPLY, joined_on, actor, to_value=plan.name, reason=why)
    _event(m, MembershipEvent.Kind.APPROVE, joined_on, actor, to_value=str(member_no), reason=why)
    fund_changed.send(sender=Fund, fund_id=fund.pk)
    return m


@transaction.atomic
def member_numbers_reserve(*, fund: Fund, upto: int) -> None:
    """Move the fund's member numbering past ``upto`` (numbers an imported book already gave)."""
    from chumchon.ledger.models import Sequence as NumberSequence

    seq, _created = NumberSequence.objects.select_for_update().get_or_create(
        book=fund.book, name="member", year=0
    )
    if seq.last < upto:
        NumberSequence.objects.filter(pk=seq.pk).update(last=upto)


@dataclass
class ImportedPayment:
    """One payment of a fund's old books (see ``payments_import``)."""

    membership: Membership  # with ``person`` and ``plan`` loaded
    date: dt.date
    amount: Decimal
    entry_fee: Decimal = ZERO
    method: str = PaymentMethod.CASH
    idempotency_key: str | None = None
    note: str = ""


@dataclass
class _Paid:
    date: dt.date
    contribution: Decimal


@transaction.atomic
def payments_import(
    *, actor: Any, fund: Fund, items: Iterable[ImportedPayment], batch_size: int = 2000
) -> list[Payment]:
    """Record many historic payments at once, all or nothing.

    Like ``payment_record``, each payment gets the next receipt number of its fiscal year (in
    date order) and its own balanced journal entry, posted in chunks by ``ledger.post_many``;
    unlike it, the lapse rule is not applied (history is what it was), the entry fee is what the
    item says, and the receipt sequences are locked once per fiscal year rather than once per payment.
    Items whose idempotency key was already used are left out.
    """
    from collections import defaultdict

    from chumchon.ledger.models import Period
    from chumchon.ledger.models import Sequence as NumberSequence

    from .selectors import PlanSchedule, coverage_from

    fund = Fund.objects.select_related("book", "org_unit").get(pk=fund.pk)
    todo = list(items)
    unit_ids = {it.membership.org_unit_id for it in todo}
    for unit in OrgUnit.objects.filter(pk__in=unit_ids):
        _require(actor, Perm.COLLECT, unit)
    keys = [it.idempotency_key for it in todo if it.idempotency_key]
    if len(keys) != len(set(keys)):
        raise ValidationError(_("รายการชำระเงินที่นำเข้ามีรหัสอ้างอิงซ้ำกัน"))
    used: set[str | None] = set()
    for i in range(0, len(keys), 500):
        used.update(
            Payment.objects.filter(fund=fund, idempotency_key__in=keys[i : i + 500]).values_list(
                "idempotency_key", flat=True
            )
        )
    todo = [it for it in todo if not (it.idempotency_key and it.idempotency_key in used)]
    today = _today()
    closed = list(
        Period.objects.filter(book=fund.book, closed=True).values_list("start_date", "end_date")
    )
    for it in todo:
        m = it.membership
        who = _("สมาชิกเลขที่ %(n)s") % {"n": m.member_no}
        if m.fund_id != fund.pk:
            raise ValidationError({"membership": _("%(w)s: ไม่ใช่สมาชิกของกองทุนนี้") % {"w": who}})
        if m.state != MembershipState.APPROVED:
            raise ValidationError(
                {
                    "membership": _("%(w)s: รับชำระไม่ได้ สมาชิกภาพสถานะ %(s)s")
                    % {"w": who, "s": m.get_state_display()}
                }
            )
        it.amount = money(it.amount, field="amount", label=_("จำนวนเงิน"))
        it.entry_fee = money(it.entry_fee, field="entry_fee", label=_("ค่าสมัคร"), allow_zero=True)
        if it.entry_fee > it.amount:
            raise ValidationError(
                {"entry_fee": _("ค่าสมัคร: มากกว่าจำนวนเงินที่รับ (%(w)s)") % {"w": who}}
            )
        if it.method not in PaymentMethod.values:
            raise ValidationError({"method": _("วิธีชำระ: เลือกเงินสดหรือโอนเงิน")})
        if m.joined_on and it.date < m.joined_on:
            raise ValidationError({"date": _("วันที่ชำระ: ก่อนวันที่เป็นสมาชิก (%(w)s)") % {"w": who}})
        if it.date > today + dt.timedelta(days=1):
            raise ValidationError({"date": _("วันที่ชำระ: เป็นวันในอนาคต (%(w)s)") % {"w": who}})
        if any(start <= it.date <= end for start, end in closed):
            raise ValidationError({"date": _("วันที่ชำระ: อยู่ในงวดบัญชีที่ปิดแล้ว (%(w)s)") % {"w": who}})
    todo.sort(key=lambda it: (it.date, it.membership.member_no or 0))
    start_month = fund.fiscal_year_start_month
    seqs: dict[int, Any] = {}
    last: dict[int, int] = {}
    for fy in sorted({fiscal_year(it.date, start_month=start_month) for it in todo}):
        seq, _created = NumberSequence.objects.select_for_update().get_or_create(
            book=fund.book, name="receipt", year=fy
        )
        seqs[fy], last[fy] = seq, seq.last
    accounts = {
        PaymentMethod.CASH: fund.account("cash"),
        PaymentMethod.TRANSFER: fund.account("bank"),
    }
    income = fund.account("income.members")
    fees = fund.account("income.entry_fees") if any(it.entry_fee for it in todo) else None
    # Coverage ("ชำระถึง") as payment_record records it: from the payments up to each date.
    ids = sorted({it.membership.pk for it in todo})
    history: dict[int, list[_Paid]] = defaultdict(list)
    plan_events: dict[int, list[MembershipEvent]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        for mid, day, contribution in Payment.objects.filter(
            membership_id__in=ids[i : i + 500], void__isnull=True
        ).values_list("membership_id", "date", "contribution"):
            history[mid].append(_Paid(day, Decimal(contribution)))
        for e in MembershipEvent.objects.filter(
            membership_id__in=ids[i : i + 500], kind=MembershipEvent.Kind.PLAN
        ):
            plan_events[e.membership_id].append(e)
    plan_ids = {int(e.to_value) for es in plan_events.values() for e in es}
    plans = {p.pk: p for p in ContributionPlan.objects.filter(pk__in=plan_ids)}
    schedules: dict[int, PlanSchedule] = {}
    out: list[Payment] = []
    pending: list[Payment] = []
    specs: list[ledger.EntrySpec] = []

    def flush() -> None:
        # One batch post per chunk: the book row and account totals are written once a chunk.
        entries = ledger.post_many(book=fund.book, items=specs, actor=actor)
        for payment, entry in zip(pending, entries, strict=True):
            payment.entry = entry
        out.extend(Payment.objects.bulk_create(pending))
        pending.clear()
        specs.clear()

    for it in todo:
        m = it.membership
        fy = fiscal_year(it.date, start_month=start_month)
        last[fy] += 1
        receipt_no = last[fy]
        label = f"{fy}/{receipt_no:05d}"
        contribution = it.amount - it.entry_fee
        lines = [ledger.debit(accounts[PaymentMethod(it.method)], it.amount)]
        if contribution > 0:
            lines.append(ledger.credit(income, contribution))
        if it.entry_fee > 0 and fees is not None:
            lines.append(ledger.credit(fees, it.entry_fee))
        specs.append(
            ledger.EntrySpec(
                date=it.date,
                memo=_("รับชำระจากสมาชิกเลขที่ %(n)s %(p)s ใบเสร็จ %(r)s")
                % {"n": m.member_no, "p": m.person.full_name, "r": label},
                lines=lines,
                source_type="payment",
                source_id=label,
                idempotency_key=f"payment:{it.idempotency_key}" if it.idempotency_key else None,
            )
        )
        sched = schedules.get(m.pk)
        if sched is None:
            sched = schedules[m.pk] = PlanSchedule(m, plan_events.get(m.pk, []), plans)
        paid = history[m.pk]
        before = coverage_from(m, [p for p in paid if p.date <= it.date], sched)
        paid.append(_Paid(it.date, contribution))
        after = coverage_from(m, [p for p in paid if p.date <= it.date], sched)
        pending.append(
            Payment(
                fund=fund,
                membership=m,
                org_unit_id=m.org_unit_id,
                date=it.date,
                contribution=contribution,
                entry_fee=it.entry_fee,
                amount=it.amount,
                method=it.method,
                fiscal_year=fy,
                receipt_no=receipt_no,
                idempotency_key=it.idempotency_key or None,
                verify_token=secrets.token_urlsafe(16)[:22],
                note=it.note[:300],
                created_by=actor if getattr(actor, "pk", None) else None,
                covers_from=(
                    before.paid_through + dt.timedelta(days=1)
                    if before.paid_through
                    else m.joined_on
                ),
                covers_to=after.paid_through,
            )
        )
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    for fy, seq in seqs.items():
        NumberSequence.objects.filter(pk=seq.pk).update(last=last[fy])
    fund_changed.send(sender=Fund, fund_id=fund.pk)
    return out


# --- money the fund spends or moves (admin expenses, bank deposits and withdrawals) ------------


class MovementKind(models.TextChoices):
    EXPENSE = "expense", _("จ่ายค่าใช้จ่าย (ค่าบริหาร ค่าใช้จ่ายอื่น)")
    DEPOSIT = "deposit", _("นำเงินสดฝากธนาคาร")
    WITHDRAW = "withdraw", _("ถอนเงินจากธนาคารเป็นเงินสด")


def expense_accounts(fund: Fund) -> list[Account]:
    """Expense accounts an ordinary voucher may pay: administration and the fund's own expense
    accounts. Benefits are paid through claims, refunds through resignation."""
    return [
        a
        for a in Account.objects.filter(book=fund.book_id, kind="expense", active=True).order_by(
            "code"
        )
        if not a.category.startswith(("benefit.", "refund."))
    ]


@transaction.atomic
def cash_movement_record(
    *,
    actor: Any,
    fund: Fund,
    kind: str,
    date: dt.date,
    amount: Any,
    memo: str,
    account: Account | None = None,
    method: str = PaymentMethod.CASH,
    reference: str = "",
) -> Any:
    """Post an administration expense (with a payment voucher number) or move money between the
    cash box and the bank. Returns the journal entry."""
    _require(actor, Perm.MANAGE_FUND, fund.org_unit)
    if kind not in MovementKind.values:
        raise ValidationError({"kind": _("รายการ: เลือกจ่ายค่าใช้จ่าย ฝากธนาคาร หรือถอนเงิน")})
    total = money(amount, field="amount", label=_("จำนวนเงิน"))
    memo = (memo or "").strip()
    if not memo:
        raise ValidationError({"memo": _("รายละเอียด: ต้องระบุว่าจ่ายค่าอะไร ให้ใคร")})
    if date > _today():
        raise ValidationError({"date": _("วันที่: เป็นวันในอนาคต")})
    cash, bank = fund.account("cash"), fund.account("bank")
    reference = reference.strip()[:60]
    if kind == MovementKind.EXPENSE:
        if account is None or account.pk not in {a.pk for a in expense_accounts(fund)}:
            raise ValidationError({"account": _("บัญชีค่าใช้จ่าย: เลือกบัญชีค่าบริหารหรือค่าใช้จ่ายของกองทุนนี้")})
        if method not in PaymentMethod.values:
            raise ValidationError({"method": _("จ่ายจาก: เลือกเงินสดหรือเงินฝากธนาคาร")})
        source = cash if method == PaymentMethod.CASH else bank
        fy = fiscal_year(date, start_month=fund.fiscal_year_start_month)
        number = ledger.next_number(book=fund.book, name="voucher", year=fy)
        label = f"{fy}/{number:05d}"
        lines = [ledger.debit(account, total), ledger.credit(source, total)]
        text = _("จ่าย%(a)s: %(m)s (ใบสำคัญจ่าย %(v)s)") % {"a": account.name, "m": memo, "v": label}
        source_type, source_id = "expense", label
    else:
        into, out = (bank, cash) if kind == MovementKind.DEPOSIT else (cash, bank)
        lines = [ledger.debit(into, total), ledger.credit(out, total)]
        text = memo
        source_type, source_id = kind, reference
    if reference and kind == MovementKind.EXPENSE:
        text += _(" อ้างอิง %(r)s") % {"r": reference}
    try:
        entry = ledger.post(
            book=fund.book,
            date=date,
            memo=text[:300],
            lines=lines,
            actor=actor,
            source_type=source_type,
            source_id=source_id,
        )
    except ledger.LedgerError as exc:
        if "ติดลบ" in str(exc):
            field = "method" if kind == MovementKind.EXPENSE else "amount"
            raise ValidationError({field: _("จำนวนเงิน: มากกว่าเงินที่มีอยู่ในบัญชีที่จ่ายออก")}) from exc
        raise
    fund_changed.send(sender=Fund, fund_id=fund.pk)
    return entry
