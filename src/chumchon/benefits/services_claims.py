"""Claims for a benefit: record (judged at once), committee decisions, payout and its reversal.

- ``claim_record``: an officer records a claim with its documents; the regulation in force on the
  event date judges it at once (``selectors.evaluate_claim``) and the Thai explanation is stored
  with it. Paying a different amount than the regulation says (paying an ineligible claim
  included) needs a written reason, which is recorded.
- ``claim_decide``: N approvals of M committee members, by the fund's ``ApprovalRule`` for the
  amount. The maker never decides their own claim, nor the claimant, nor anyone of the claimant's
  household (a login's person is ``people.UserPerson``). One reject ends the claim (kept).
- ``claim_pay``: an approved claim is paid once, posted to the ledger in the same transaction
  under the benefit's national category, with a payment voucher number per fiscal year.
- ``payout_reverse``: a reversing entry with a reason; the claim is then ``reversed``.

Refusals are ValidationErrors in Thai naming the field (``PermissionDenied`` for a missing
role); nothing is half saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chumchon.areas.models import OrgUnit
from chumchon.areas.selectors import active_roles, units_visible_to, user_can
from chumchon.core.permissions import Perm, Role, roles_with
from chumchon.core.thai import fiscal_year, format_baht, format_be_date, format_be_datetime
from chumchon.funds.models import Beneficiary, Fund, Membership, MembershipState, PaymentMethod
from chumchon.funds.services import account_for, money
from chumchon.funds.signals import fund_changed
from chumchon.ledger import services as ledger
from chumchon.people.models import Person, UserPerson

from .models import (
    ApprovalRule,
    BenefitType,
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimState,
    Decision,
    Payee,
    Payout,
    PayoutReversal,
)

ZERO = Decimal("0.00")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PAYEE_NAME_MAX = 200

# The override line added to a claim's explanation (a Reason as JSON: msgid, params, ok).
OVERRIDE_MSGID = gettext_noop(
    "จ่ายต่างจากระเบียบ: %(amount)s บาท (ระเบียบกำหนด %(rule)s บาท) "
    "บันทึกโดย %(who)s เมื่อ %(at)s เหตุผล: %(reason)s"
)


def _today() -> dt.date:
    return timezone.localdate()


def _who(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _require(user: Any, perm: str, unit: OrgUnit) -> None:
    if not user_can(user, perm, unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในกองทุนนี้"))


# --- documents ---------------------------------------------------------------------------------

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_document(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, JPEG, PNG or HEIC file from its first bytes."""
    if head.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic", "image/heic"
    return None


@dataclass(frozen=True)
class _Checked:
    doc_type: str
    upload: Any
    name: str
    ext: str
    content_type: str


def _check_documents(documents: Iterable[tuple[str, Any]]) -> list[_Checked]:
    """Each upload's type by its magic bytes and its size, or a Thai error naming the file."""
    errors: list[str] = []
    out: list[_Checked] = []
    for doc_type, upload in documents:
        name = (getattr(upload, "name", "") or _("ไม่มีชื่อ")).rsplit("/", 1)[-1][:255]
        doc_type = (doc_type or "").strip()
        size = int(getattr(upload, "size", 0) or 0)
        if not doc_type:
            errors.append(_("เอกสาร “%(f)s”: ต้องระบุประเภทเอกสาร") % {"f": name})
            continue
        if len(doc_type) > 200:
            errors.append(_("เอกสาร “%(f)s”: ประเภทเอกสารยาวเกิน 200 ตัวอักษร") % {"f": name})
            continue
        if size == 0:
            errors.append(_("เอกสาร “%(f)s”: เป็นไฟล์ว่าง") % {"f": name})
            continue
        if size > MAX_DOCUMENT_BYTES:
            errors.append(
                _("เอกสาร “%(f)s”: ขนาด %(s)s MB เกิน 10 MB")
                % {"f": name, "s": f"{size / 1024 / 1024:.1f}"}
            )
            continue
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        kind = sniff_document(head)
        if kind is None:
            errors.append(
                _("เอกสาร “%(f)s”: รับเฉพาะไฟล์ PDF, JPEG, PNG หรือ HEIC (ไฟล์นี้ไม่ใช่ชนิดดังกล่าว)")
                % {"f": name}
            )
            continue
        out.append(_Checked(doc_type, upload, name, kind[0], kind[1]))
    if errors:
        raise ValidationError({"documents": errors})
    return out


def _save_documents(claim: Claim, checked: Sequence[_Checked], actor: Any) -> list[ClaimDocument]:
    from django.core.files.base import File

    saved = []
    for c in checked:
        doc = ClaimDocument(
            claim=claim,
            doc_type=c.doc_type,
            file_name=c.name,
            size=int(c.upload.size),
            content_type=c.content_type,
            uploaded_by=actor,
        )
        # A random stored name: the original (Thai) name is kept in ``file_name`` only.
        doc.file.save(f"{uuid.uuid4().hex}.{c.ext}", File(c.upload), save=False)
        doc.save()
        saved.append(doc)
    return saved


def required_documents(benefit: BenefitType) -> list[str]:
    """The documents the regulation asks for (each a Thai name)."""
    out = []
    for item in benefit.documents or []:
        if isinstance(item, dict):
            item = item.get("name") or item.get("label") or ""
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def missing_documents(claim: Claim) -> list[str]:
    """Required documents with no upload of that type (a warning: a claim is never blocked)."""
    have = {d.strip().casefold() for d in claim.documents.values_list("doc_type", flat=True)}
    return [d for d in required_documents(claim.benefit) if d.casefold() not in have]


# --- recording a claim ---------------------------------------------------------------------------


def _payee(
    m: Membership, benefit: BenefitType, chosen: Beneficiary | None
) -> tuple[str, Beneficiary | None]:
    if benefit.payee != Payee.BENEFICIARY:
        return m.person.full_name[:PAYEE_NAME_MAX], None
    if chosen is not None:
        if chosen.membership_id != m.pk:
            raise ValidationError(
                {"payee_beneficiary": _("ผู้รับเงิน: ไม่ใช่ผู้รับผลประโยชน์ที่สมาชิกคนนี้ระบุไว้")}
            )
        return f"{chosen.name} ({chosen.relation})"[:PAYEE_NAME_MAX], chosen
    rows = list(m.beneficiaries.order_by("pk"))
    if not rows:
        raise ValidationError(
            {
                "payee_beneficiary": _(
                    "ผู้รับเงิน: สวัสดิการนี้จ่ายให้ผู้รับผลประโยชน์ แต่สมาชิกยังไม่ได้ระบุผู้รับผลประโยชน์ "
                    "ให้บันทึกผู้รับผลประโยชน์ในหน้าสมาชิกก่อน"
                )
            }
        )
    if len(rows) == 1:
        b = rows[0]
        return f"{b.name} ({b.relation})"[:PAYEE_NAME_MAX], b
    parts = [
        _("%(n)s (%(r)s ร้อยละ %(s)s)")
        % {"n": b.name, "r": b.relation, "s": format(b.share_percent.normalize(), "f")}
        for b in rows
    ]
    return ", ".join(parts)[:PAYEE_NAME_MAX], None


def _units(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        units = Decimal(str(value))
    except Exception:
        raise ValidationError({"units": _("จำนวนหน่วย: อ่านเป็นตัวเลขไม่ได้")}) from None
    if not units.is_finite() or units <= 0:
        raise ValidationError({"units": _("จำนวนหน่วย: ต้องมากกว่าศูนย์")})
    if units != units.quantize(Decimal("0.01")) or units >= Decimal("100000000"):
        raise ValidationError({"units": _("จำนวนหน่วย: ทศนิยมได้ไม่เกิน 2 ตำแหน่ง")})
    return units


def claim_evaluate(
    *,
    membership: Membership,
    benefit_code: str,
    event_date: dt.date,
    event_end: dt.date | None = None,
    units: Any = None,
    exclude_claim_id: int | None = None,
) -> Any:
    """The regulation's judgement of a claim (nothing is saved): an ``engine.Evaluation``."""
    from .selectors import evaluate_claim

    return evaluate_claim(
        membership=membership,
        benefit_code=benefit_code,
        event_date=event_date,
        units=_units(units),
        event_end=event_end,
        exclude_claim_id=exclude_claim_id,
    )


def _units_used(paid_units: Decimal | None, pay: Decimal) -> Decimal | None:
    """The units a claim uses up (later caps count them): those the regulation pays, or none
    when nothing is paid (an ineligible claim uses no nights of a yearly cap)."""
    if paid_units is None:
        return None
    if pay <= 0:
        return Decimal("0.00")
    return Decimal(paid_units).quantize(Decimal("0.01"))


def _reason_texts(evaluation: Any) -> str:
    return " ".join(r.text() for r in evaluation.reasons if r.ok is not True)


@transaction.atomic
def claim_record(
    *,
    actor: Any,
    membership: Membership,
    benefit_code: str,
    event_date: dt.date,
    event_end: dt.date | None = None,
    units: Any = None,
    note: str = "",
    documents: Iterable[tuple[str, Any]] = (),
    amount: Any = None,
    override_reason: str = "",
    payee_beneficiary: Beneficiary | None = None,
) -> Claim:
    """Record a claim, judged at once by the regulation in force on the event date.

    The membership row is locked first: two claims of one member recorded at the same moment
    are judged one after the other, so the second sees the first against its caps."""
    m = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("fund__book", "fund__org_unit", "person")
        .get(pk=membership.pk)
    )
    fund = m.fund
    _require(actor, Perm.RECORD_CLAIM, fund.org_unit)
    if m.state in (MembershipState.APPLIED, MembershipState.REJECTED):
        raise ValidationError(
            {"membership": _("สมาชิก: ยังไม่ได้เป็นสมาชิก (สถานะ %(s)s)") % {"s": m.get_state_display()}}
        )
    if event_date is None:
        raise ValidationError({"event_date": _("วันที่เกิดเหตุ: ต้องระบุ")})
    if event_date > _today():
        raise ValidationError({"event_date": _("วันที่เกิดเหตุ: เป็นวันในอนาคต")})
    if event_end is not None and event_end < event_date:
        raise ValidationError({"event_end": _("ถึงวันที่: ต้องไม่ก่อนวันที่เกิดเหตุ")})
    if event_end is not None and event_end > _today():
        raise ValidationError({"event_end": _("ถึงวันที่: เป็นวันในอนาคต")})
    units_d = _units(units)
    checked = _check_documents(documents)
    code = (benefit_code or "").strip()
    if not code:
        raise ValidationError({"benefit_code": _("สวัสดิการ: ต้องเลือก")})
    ev = claim_evaluate(
        membership=m, benefit_code=code, event_date=event_date, event_end=event_end, units=units_d
    )
    if ev.benefit_id is None or ev.version_id is None:
        why = _reason_texts(ev) or _("ไม่มีระเบียบที่ใช้บังคับในวันที่เกิดเหตุ")
        raise ValidationError({"benefit_code": _("สวัสดิการ: %(w)s") % {"w": why}})
    benefit = BenefitType.objects.select_related("version").get(pk=ev.benefit_id)
    if benefit.recurrence:
        raise ValidationError(
            {
                "benefit_code": _("สวัสดิการ: %(b)s จ่ายเป็นรอบ (รอบจ่ายสวัสดิการ) ไม่ต้องยื่นคำขอ")
                % {"b": benefit.name}
            }
        )
    evaluated = Decimal(ev.amount).quantize(Decimal("0.01"))
    if amount is None or amount == "":
        pay = evaluated
    else:
        pay = money(amount, field="amount", label=_("จำนวนเงินที่ขอจ่าย"), allow_zero=True)
    reason = (override_reason or "").strip()
    if pay != evaluated and not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "เหตุผลที่จ่ายต่างจากระเบียบ: ต้องระบุ เพราะจำนวนเงินที่ขอจ่าย %(a)s บาท "
                    "ต่างจากที่ระเบียบกำหนด %(r)s บาท"
                )
                % {"a": format_baht(pay), "r": format_baht(evaluated)}
            }
        )
    if pay == evaluated:
        reason = ""  # not an override: the regulation's own amount
    payee_name, payee_b = _payee(m, benefit, payee_beneficiary)
    explanation = [list(r.as_json()) for r in ev.reasons]
    if reason:
        explanation.append(
            [
                OVERRIDE_MSGID,
                {
                    "amount": format_baht(pay),
                    "rule": format_baht(evaluated),
                    "who": _who(actor),
                    "at": format_be_datetime(timezone.now()),
                    "reason": reason,
                },
                None,
            ]
        )
    claim = Claim.objects.create(
        fund=fund,
        number=ledger.next_number(book=fund.book, name="claim"),
        membership=m,
        benefit=benefit,
        version_id=ev.version_id,
        event_date=event_date,
        event_end=event_end,
        units=_units_used(ev.units, pay),
        note=(note or "").strip(),
        eligible=bool(ev.eligible),
        evaluated_amount=evaluated,
        amount=pay,
        explanation=explanation,
        override_reason=reason,
        payee_name=payee_name,
        payee_beneficiary=payee_b,
        made_by=actor,
    )
    _save_documents(claim, checked, actor)
    fund_changed.send(sender=Claim, fund_id=claim.fund_id)
    return claim


@transaction.atomic
def claim_document_add(
    *, actor: Any, claim: Claim, documents: Iterable[tuple[str, Any]]
) -> list[ClaimDocument]:
    """Add documents to a recorded claim (a missing one brought later)."""
    c = Claim.objects.select_related("fund__org_unit").get(pk=claim.pk)
    _require(actor, Perm.RECORD_CLAIM, c.fund.org_unit)
    checked = _check_documents(documents)
    if not checked:
        raise ValidationError({"documents": _("เอกสาร: ยังไม่ได้เลือกไฟล์")})
    return _save_documents(c, checked, actor)


# --- approval ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalNeed:
    """How many approvals a claim needs and which roles may give them."""

    approvals: int
    roles: tuple[str, ...]
    rule: ApprovalRule | None

    @property
    def role_labels(self) -> str:
        return ", ".join(str(Role(r).label) for r in self.roles if r in Role.values)


def default_approver_roles() -> tuple[str, ...]:
    return tuple(roles_with(Perm.APPROVE_CLAIM))


def approval_need(fund: Fund, amount: Decimal) -> ApprovalNeed:
    """The fund's rule with the highest ``min_amount`` not above ``amount``; without one, one
    approval by any role that may approve claims."""
    rule = (
        ApprovalRule.objects.filter(fund=fund, min_amount__lte=amount)
        .order_by("-min_amount")
        .first()
    )
    if rule is None:
        return ApprovalNeed(1, default_approver_roles(), None)
    roles = tuple(r for r in (rule.roles or []) if r in Role.values) or default_approver_roles()
    return ApprovalNeed(rule.approvals, roles, rule)


def approver_role(user: Any, fund: Fund, roles: Iterable[str]) -> str | None:
    """The first of ``roles`` the user holds today at the fund's unit (or a unit above it)."""
    wanted = list(roles)
    held = [
        ra.role
        for ra in active_roles(user)
        if ra.role in wanted and fund.org_unit.path.startswith(ra.org_unit.path)
    ]
    for r in wanted:
        if r in held:
            return r
    return None


def person_of(user: Any) -> Person | None:
    if not getattr(user, "pk", None):
        return None
    link = UserPerson.objects.select_related("person").filter(user_id=user.pk).first()
    return link.person if link else None


def _household_id(person: Person | None) -> int | None:
    if person is None:
        return None
    from chumchon.people.models import HouseholdMember

    return (
        HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True).first()
    )


def decision_refusal(user: Any, claim: Claim) -> str | None:
    """Why ``user`` may not decide ``claim`` (a Thai sentence), or None when they may."""
    if claim.state != ClaimState.SUBMITTED:
        return _("พิจารณาได้เฉพาะคำขอที่รออนุมัติ (คำขอนี้สถานะ %(s)s)") % {"s": claim.get_state_display()}
    need = approval_need(claim.fund, claim.amount)
    if approver_role(user, claim.fund, need.roles) is None:
        return _("ผู้พิจารณาคำขอนี้ต้องมีบทบาท %(r)s ของกองทุน") % {"r": need.role_labels}
    if claim.made_by_id == user.pk:
        return _("ผู้บันทึกคำขอพิจารณาคำขอที่ตนเองบันทึกไม่ได้")
    me = person_of(user)
    if me is None:
        # Without knowing who the approver is, "not the claimant, not their household" cannot
        # be checked: the login must be linked to its person first.
        return _(
            "ผูกบัญชีผู้ใช้ของคุณกับบุคคลในทะเบียนก่อน (เมนู ผู้ใช้กับบุคคล) "
            "เพื่อให้ระบบตรวจได้ว่าคุณไม่ใช่ผู้ขอหรือคนในครัวเรือนเดียวกับผู้ขอ"
        )
    claimant = claim.membership.person
    if me.pk == claimant.pk:
        return _("ผู้ขอรับสวัสดิการพิจารณาคำขอของตนเองไม่ได้")
    mine = _household_id(me)
    if mine is not None and mine == _household_id(claimant):
        return _("กรรมการที่อยู่ครัวเรือนเดียวกับผู้ขอรับสวัสดิการพิจารณาคำขอนี้ไม่ได้")
    payees: list[Beneficiary] = []
    if claim.payee_beneficiary is not None:
        payees = [claim.payee_beneficiary]
    elif claim.benefit.payee == "beneficiary":
        payees = list(claim.membership.beneficiaries.all())
    for payee in payees:
        if payee.person_id is None or payee.person is None:
            continue
        if payee.person_id == me.pk:
            return _("ผู้รับเงินตามคำขอนี้พิจารณาคำขอนี้ไม่ได้")
        if mine is not None and mine == _household_id(payee.person):
            return _("กรรมการที่อยู่ครัวเรือนเดียวกับผู้รับเงินตามคำขอนี้พิจารณาคำขอนี้ไม่ได้")
    if ClaimDecision.objects.filter(claim=claim, by=user).exists():
        return _("คุณพิจารณาคำขอนี้ไปแล้ว (คนละหนึ่งครั้ง)")
    return None


def approvals_of(claim: Claim) -> int:
    return ClaimDecision.objects.filter(claim=claim, decision=Decision.APPROVE).count()


@transaction.atomic
def claim_decide(*, actor: Any, claim: Claim, decision: str, reason: str = "") -> ClaimDecision:
    """One committee member's decision. One reject rejects; N approvals approve."""
    c = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("fund__org_unit", "membership__person", "payee_beneficiary")
        .get(pk=claim.pk)
    )
    if decision not in Decision.values:
        raise ValidationError({"decision": _("มติ: เลือกอนุมัติหรือไม่อนุมัติ")})
    reason = (reason or "").strip()
    need = approval_need(c.fund, c.amount)
    role = approver_role(actor, c.fund, need.roles)
    if role is None:
        raise PermissionDenied(_("ผู้พิจารณาคำขอนี้ต้องมีบทบาท %(r)s ของกองทุน") % {"r": need.role_labels})
    refusal = decision_refusal(actor, c)
    if refusal is not None:
        raise ValidationError(refusal)
    if decision == Decision.REJECT and not reason:
        raise ValidationError({"reason": _("เหตุผล: ต้องระบุเหตุผลที่ไม่อนุมัติ")})
    if decision == Decision.APPROVE and c.amount <= 0:
        raise ValidationError(
            {"decision": _("มติ: คำขอนี้ไม่มีจำนวนเงินที่จะจ่าย (ไม่มีสิทธิ์ตามระเบียบ) อนุมัติไม่ได้ ให้พิจารณาไม่อนุมัติ")}
        )
    try:
        with transaction.atomic():
            d = ClaimDecision.objects.create(
                claim=c, by=actor, role=role, decision=decision, reason=reason
            )
    except IntegrityError as exc:
        raise ValidationError(_("คุณพิจารณาคำขอนี้ไปแล้ว (คนละหนึ่งครั้ง)")) from exc
    if decision == Decision.REJECT:
        c.state = ClaimState.REJECTED
        c.decided_at = timezone.now()
        c.save(update_fields=["state", "decided_at"])
    elif approvals_of(c) >= need.approvals:
        c.state = ClaimState.APPROVED
        c.decided_at = timezone.now()
        c.save(update_fields=["state", "decided_at"])
    claim.state, claim.decided_at = c.state, c.decided_at
    fund_changed.send(sender=Claim, fund_id=claim.fund_id)
    return d


# --- payout --------------------------------------------------------------------------------------


def voucher_label(payout: Payout) -> str:
    return f"{payout.fiscal_year}/{payout.voucher_no:05d}"


@transaction.atomic
def claim_pay(
    *, actor: Any, claim: Claim, date: dt.date, method: str, bank_ref: str = ""
) -> Payout:
    """Pay an approved claim: a journal entry under the benefit's category, a voucher, once."""
    c = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("fund__book", "fund__org_unit", "membership__person", "benefit")
        .get(pk=claim.pk)
    )
    fund = c.fund
    _require(actor, Perm.PAY_BENEFIT, fund.org_unit)
    done = Payout.objects.filter(claim=c).first()
    if c.state == ClaimState.PAID or done is not None:
        label = voucher_label(done) if done else ""
        raise ValidationError(_("จ่ายเงินตามคำขอนี้ไปแล้ว (ใบสำคัญจ่าย %(v)s) จ่ายซ้ำไม่ได้") % {"v": label})
    if c.state != ClaimState.APPROVED:
        raise ValidationError(
            _("จ่ายได้เฉพาะคำขอที่อนุมัติแล้ว (คำขอนี้สถานะ %(s)s)") % {"s": c.get_state_display()}
        )
    if c.amount <= 0:
        raise ValidationError(_("คำขอนี้ไม่มีจำนวนเงินที่จะจ่าย"))
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("วิธีจ่าย: เลือกเงินสดหรือโอนเงิน")})
    if date is None:
        raise ValidationError({"date": _("วันที่จ่าย: ต้องระบุ")})
    if date > _today() + dt.timedelta(days=1):
        raise ValidationError({"date": _("วันที่จ่าย: เป็นวันในอนาคต")})
    if date < c.event_date:
        raise ValidationError({"date": _("วันที่จ่าย: ก่อนวันที่เกิดเหตุ")})
    bank_ref = (bank_ref or "").strip()
    if len(bank_ref) > 100:
        raise ValidationError({"bank_ref": _("เลขที่อ้างอิงการโอน: ยาวเกิน 100 ตัวอักษร")})
    m = c.membership
    fy = fiscal_year(date, start_month=fund.fiscal_year_start_month)
    voucher_no = ledger.next_number(book=fund.book, name="voucher", year=fy)
    label = f"{fy}/{voucher_no:05d}"
    expense = account_for(fund, f"benefit.{c.benefit.category}")
    paid_from = account_for(fund, "cash" if method == PaymentMethod.CASH else "bank")
    entry = ledger.post(
        book=fund.book,
        date=date,
        memo=_("จ่าย%(b)s คำขอเลขที่ %(c)s สมาชิกเลขที่ %(n)s ผู้รับเงิน %(p)s ใบสำคัญจ่าย %(v)s")
        % {
            "b": c.benefit.name,
            "c": c.number,
            "n": m.member_no,
            "p": c.payee_name,
            "v": label,
        },
        lines=[ledger.debit(expense, c.amount), ledger.credit(paid_from, c.amount)],
        actor=actor,
        source_type="benefit",
        source_id=f"m{m.pk}:claim{c.pk}",
        idempotency_key=f"claim:{c.pk}",
    )
    if Payout.objects.filter(entry=entry).exists():
        raise ValidationError(_("จ่ายเงินตามคำขอนี้ไปแล้ว จ่ายซ้ำไม่ได้"))
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                fund=fund,
                claim=c,
                membership=m,
                category=c.benefit.category,
                date=date,
                amount=c.amount,
                method=method,
                bank_ref=bank_ref,
                fiscal_year=fy,
                voucher_no=voucher_no,
                payee_name=c.payee_name,
                entry=entry,
                paid_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("จ่ายเงินตามคำขอนี้ไปแล้ว จ่ายซ้ำไม่ได้")) from exc
    c.state = ClaimState.PAID
    c.save(update_fields=["state"])
    claim.state = c.state
    fund_changed.send(sender=Claim, fund_id=claim.fund_id)
    return payout


@transaction.atomic
def payout_reverse(
    *, actor: Any, payout: Payout, reason: str, date: dt.date | None = None
) -> PayoutReversal:
    """Reverse a payout with a reason (a mirror entry); its claim becomes ``reversed``."""
    p = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("fund__org_unit", "entry")
        .get(pk=payout.pk)
    )
    _require(actor, Perm.PAY_BENEFIT, p.fund.org_unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("เหตุผลการกลับรายการ: ต้องระบุ")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("เหตุผลการกลับรายการ: ยาวเกิน 300 ตัวอักษร")})
    if PayoutReversal.objects.filter(payout=p).exists():
        raise ValidationError(_("การจ่ายนี้ถูกกลับรายการไปแล้ว"))
    day = date or max(_today(), p.date)
    if day < p.date:
        raise ValidationError({"date": _("วันที่กลับรายการ: ก่อนวันที่จ่าย")})
    entry = ledger.reverse(
        entry=p.entry,
        reason=_("ยกเลิกการจ่ายสวัสดิการ ใบสำคัญจ่าย %(v)s: %(r)s")
        % {"v": voucher_label(p), "r": reason},
        actor=actor,
        date=day,
    )
    rev = PayoutReversal.objects.create(payout=p, entry=entry, reason=reason, by=actor)
    if p.claim_id:
        Claim.objects.filter(pk=p.claim_id).update(state=ClaimState.REVERSED)
    fund_changed.send(sender=Claim, fund_id=p.fund_id)
    return rev


# --- which person a login is ---------------------------------------------------------------------


def userperson_candidates(actor: Any) -> Any:
    """Logins the actor may link: those holding (or who held) a role in a unit they manage."""
    from django.contrib.auth import get_user_model

    managed = units_visible_to(actor, perm=Perm.MANAGE_ROLES)
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__org_unit__in=managed)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def userperson_set(*, actor: Any, user: Any, person: Person | None) -> UserPerson | None:
    """Say which person a login belongs to (``None`` removes the link)."""
    if not userperson_candidates(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("ไม่มีสิทธิ์กำหนดข้อมูลของผู้ใช้นี้"))
    if person is None:
        UserPerson.objects.filter(user=user).delete()
        return None
    _require(actor, Perm.MANAGE_ROLES, person.org_unit)
    other = UserPerson.objects.filter(person=person).exclude(user=user).select_related("user")
    taken = other.first()
    if taken is not None:
        raise ValidationError({"person": _("บุคคล: ผูกกับผู้ใช้ %(u)s อยู่แล้ว") % {"u": _who(taken.user)}})
    link, _created = UserPerson.objects.update_or_create(user=user, defaults={"person": person})
    return link


# --- reads used by the screens --------------------------------------------------------------------


def claim_summary_line(claim: Claim) -> str:
    """ "คำขอเลขที่ 12 ค่ารักษาพยาบาล 3 ม.ค. 2569" (lists and messages)."""
    return _("คำขอเลขที่ %(n)s %(b)s %(d)s") % {
        "n": claim.number,
        "b": claim.benefit.name,
        "d": format_be_date(claim.event_date),
    }
