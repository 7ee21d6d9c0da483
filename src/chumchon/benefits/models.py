"""Benefit regulations, claims, approvals, payouts and recurring runs.

A fund's regulation (ระเบียบ) is data: versions with an effective date and the resolution that
adopted them; each version holds benefit types built from rule kinds (waiting period, standing,
amounts fixed / per unit / by tenure tier, limits per period, conditions). An event is judged by the
version in force on the event date (``engine.evaluate``). Money leaves the fund only through a
payout that posts a journal entry in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chumchon.funds.chart import BENEFIT_CATEGORIES
from chumchon.funds.models import Beneficiary, Fund, Membership, PaymentMethod
from chumchon.ledger.models import JournalEntry, money_field

ZERO = Decimal("0.00")


class DurationUnit(models.TextChoices):
    DAYS = "days", _("วัน")
    MONTHS = "months", _("เดือน")
    YEARS = "years", _("ปี")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    ADOPTED = "adopted", _("ประกาศใช้แล้ว")


class RegulationVersion(models.Model):
    """One version of a fund's benefit regulation. Adopted versions never change; amend by a new one."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="regulations")
    number = models.PositiveSmallIntegerField(_("ฉบับที่"))
    title = models.CharField(_("ชื่อระเบียบ"), max_length=300)
    effective_from = models.DateField(_("วันที่มีผลบังคับใช้"))
    state = models.CharField(
        _("สถานะ"), max_length=8, choices=VersionState.choices, default=VersionState.DRAFT
    )
    resolution_meeting = models.CharField(_("มติที่ประชุม"), max_length=300, blank=True)
    resolution_date = models.DateField(_("วันที่ประชุม"), null=True, blank=True)
    resolution_no = models.CharField(_("เลขที่มติ"), max_length=60, blank=True)
    preamble = models.TextField(_("หลักการและเหตุผล"), blank=True)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("แก้ไขจากฉบับ"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ระเบียบสวัสดิการ")
        verbose_name_plural = _("ระเบียบสวัสดิการ")
        ordering = ["fund", "-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="regulation_number_unique"),
            models.UniqueConstraint(
                fields=["fund", "effective_from"],
                condition=Q(state="adopted"),
                name="regulation_one_adopted_per_date",
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | (Q(resolution_date__isnull=False) & ~Q(resolution_meeting="")),
                name="regulation_adopted_has_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})"


class Payee(models.TextChoices):
    MEMBER = "member", _("สมาชิก")
    BENEFICIARY = "beneficiary", _("ผู้รับผลประโยชน์ที่สมาชิกระบุ")


class Standing(models.TextChoices):
    ANY = "any", _("ไม่กำหนด")
    NOT_LAPSED = "not_lapsed", _("ยังไม่ขาดสมาชิกภาพ (ค้างชำระได้)")
    NO_ARREARS = "no_arrears", _("ไม่ค้างชำระ")
    ARREARS_WITHIN = "arrears_within", _("ค้างชำระไม่เกินจำนวนวันที่กำหนด")


class AmountKind(models.TextChoices):
    FIXED = "fixed", _("จำนวนเงินคงที่ต่อครั้ง")
    PER_UNIT = "per_unit", _("จำนวนเงินต่อหน่วย (เช่น ต่อคืน ต่อคน)")
    TIERED = "tiered", _("ตามอายุการเป็นสมาชิก")


class Recurrence(models.TextChoices):
    NONE = "", _("จ่ายเมื่อยื่นขอ")
    YEARLY = "yearly", _("จ่ายเป็นรอบปีละครั้ง")
    MONTHLY = "monthly", _("จ่ายเป็นรอบทุกเดือน")


class SexCondition(models.TextChoices):
    ANY = "", _("ทุกเพศ")
    MALE = "M", _("ชาย")
    FEMALE = "F", _("หญิง")


class BenefitType(models.Model):
    """One benefit of one regulation version, built from rule kinds (domain.md)."""

    version = models.ForeignKey(
        RegulationVersion, on_delete=models.CASCADE, related_name="benefits"
    )
    code = models.SlugField(_("รหัสสวัสดิการ"), max_length=40)
    name = models.CharField(_("ชื่อสวัสดิการ"), max_length=200)
    category = models.CharField(_("หมวดตามรายงานระดับชาติ"), max_length=2, choices=BENEFIT_CATEGORIES)
    description = models.TextField(_("รายละเอียด"), blank=True)
    order = models.PositiveSmallIntegerField(_("ลำดับ"), default=0)
    payee = models.CharField(
        _("ผู้รับเงิน"), max_length=12, choices=Payee.choices, default=Payee.MEMBER
    )
    waiting_n = models.PositiveIntegerField(_("ระยะรอสิทธิ์"), default=0)
    waiting_unit = models.CharField(
        _("หน่วยระยะรอสิทธิ์"), max_length=6, choices=DurationUnit.choices, default=DurationUnit.DAYS
    )
    standing = models.CharField(
        _("สถานะสมาชิก ณ วันที่เกิดเหตุ"),
        max_length=16,
        choices=Standing.choices,
        default=Standing.NOT_LAPSED,
    )
    standing_arrears_days = models.PositiveIntegerField(
        _("ค้างชำระได้ไม่เกิน (วัน)"), null=True, blank=True
    )
    amount_kind = models.CharField(
        _("วิธีคิดจำนวนเงิน"), max_length=10, choices=AmountKind.choices, default=AmountKind.FIXED
    )
    amount = models.DecimalField(
        _("จำนวนเงิน (บาท)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit_name = models.CharField(_("หน่วย"), max_length=30, blank=True)
    min_age = models.PositiveSmallIntegerField(_("อายุตั้งแต่ (ปี)"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("อายุไม่เกิน (ปี)"), null=True, blank=True)
    sex = models.CharField(
        _("เพศ"), max_length=1, choices=SexCondition.choices, default=SexCondition.ANY, blank=True
    )
    member_types = models.JSONField(_("ประเภทสมาชิกที่มีสิทธิ์"), default=list, blank=True)
    recurrence = models.CharField(
        _("การจ่าย"), max_length=8, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    run_month = models.PositiveSmallIntegerField(_("เดือนที่จ่าย (รอบปี)"), null=True, blank=True)
    documents = models.JSONField(_("เอกสารที่ต้องใช้"), default=list, blank=True)

    class Meta:
        verbose_name = _("ประเภทสวัสดิการ")
        verbose_name_plural = _("ประเภทสวัสดิการ")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="benefit_code_unique"),
            models.CheckConstraint(
                condition=Q(amount_kind="tiered") | Q(amount__gt=0), name="benefit_amount_set"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="benefit_age_range",
            ),
            models.CheckConstraint(
                condition=Q(run_month__isnull=True) | Q(run_month__gte=1, run_month__lte=12),
                name="benefit_run_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BenefitTier(models.Model):
    """A tenure band [from, to) and its amount; an open top tier may grow per complete year."""

    benefit = models.ForeignKey(BenefitType, on_delete=models.CASCADE, related_name="tiers")
    from_n = models.PositiveIntegerField(_("ตั้งแต่"))
    from_unit = models.CharField(max_length=6, choices=DurationUnit.choices, default="years")
    to_n = models.PositiveIntegerField(_("ถึงก่อน"), null=True, blank=True)
    to_unit = models.CharField(max_length=6, choices=DurationUnit.choices, default="years")
    amount = money_field(_("จำนวนเงิน (บาท)"))
    step_amount = models.DecimalField(
        _("เพิ่มต่อปีเต็มที่เกิน"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("ไม่เกิน (บาท)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["benefit", "from_unit", "from_n"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="tier_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(step_amount__isnull=True) | Q(to_n__isnull=True),
                name="tier_step_only_open_top",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_n} {self.from_unit}: {self.amount}"


class LimitMeasure(models.TextChoices):
    AMOUNT = "amount", _("จำนวนเงิน (บาท)")
    UNITS = "units", _("จำนวนหน่วย")
    COUNT = "count", _("จำนวนครั้ง")


class LimitPeriod(models.TextChoices):
    EVENT = "event", _("ต่อครั้ง")
    CALENDAR_YEAR = "calendar", _("ต่อปีปฏิทิน")
    FISCAL_YEAR = "fiscal", _("ต่อปีบัญชีของกองทุน")
    MEMBERSHIP_YEAR = "membership", _("ต่อปีสมาชิก (นับจากวันเป็นสมาชิก)")
    YEAR_FROM_MONTH = "year_from", _("ต่อปีที่เริ่มเดือนที่กำหนด (เช่น ปีการศึกษา)")
    LIFETIME = "lifetime", _("ตลอดการเป็นสมาชิก")


class BenefitLimit(models.Model):
    """A cap: at most ``maximum`` of a measure in a period (per event, per year, lifetime)."""

    benefit = models.ForeignKey(BenefitType, on_delete=models.CASCADE, related_name="limits")
    measure = models.CharField(_("สิ่งที่จำกัด"), max_length=6, choices=LimitMeasure.choices)
    period = models.CharField(_("ช่วงเวลา"), max_length=10, choices=LimitPeriod.choices)
    start_month = models.PositiveSmallIntegerField(_("เดือนเริ่มปี"), null=True, blank=True)
    maximum = models.DecimalField(_("ไม่เกิน"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["benefit", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(maximum__gt=0), name="limit_maximum_positive"),
            models.CheckConstraint(
                condition=~Q(period="year_from") | Q(start_month__gte=1, start_month__lte=12),
                name="limit_year_from_has_month",
            ),
            models.UniqueConstraint(
                fields=["benefit", "measure", "period"], name="limit_one_per_measure_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.period} ≤ {self.maximum}"


class ApprovalRule(models.Model):
    """How many approvals a claim needs: the rule with the highest ``min_amount`` ≤ amount applies."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="approval_rules")
    min_amount = models.DecimalField(
        _("ยอดเงินตั้งแต่ (บาท)"), max_digits=14, decimal_places=2, default=ZERO
    )
    approvals = models.PositiveSmallIntegerField(_("จำนวนผู้อนุมัติ"), default=1)
    roles = models.JSONField(_("บทบาทที่อนุมัติได้"), default=list)

    class Meta:
        ordering = ["fund", "min_amount"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "min_amount"], name="approval_rule_unique"),
            models.CheckConstraint(
                condition=Q(approvals__gte=1), name="approval_rule_at_least_one"
            ),
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="approval_rule_min_ok"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_amount}: {self.approvals}"


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("รออนุมัติ")
    APPROVED = "approved", _("อนุมัติแล้ว รอจ่าย")
    REJECTED = "rejected", _("ไม่อนุมัติ")
    PAID = "paid", _("จ่ายแล้ว")
    REVERSED = "reversed", _("ยกเลิกการจ่าย (กลับรายการ)")


class Claim(models.Model):
    """A request for one benefit for one event, judged by the version in force on the event date."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="claims")
    number = models.PositiveIntegerField(_("เลขที่คำขอ"))
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="claims")
    benefit = models.ForeignKey(
        BenefitType, on_delete=models.PROTECT, related_name="claims", verbose_name=_("สวัสดิการ")
    )
    version = models.ForeignKey(RegulationVersion, on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField(_("วันที่เกิดเหตุ"))
    event_end = models.DateField(_("ถึงวันที่"), null=True, blank=True)
    units = models.DecimalField(
        _("จำนวนหน่วย"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("รายละเอียด"), blank=True)
    eligible = models.BooleanField(_("มีสิทธิ์ตามระเบียบ"), default=False)
    evaluated_amount = money_field(_("จำนวนเงินตามระเบียบ"), default=ZERO)
    amount = money_field(_("จำนวนเงินที่ขอจ่าย"), default=ZERO)
    explanation = models.JSONField(default=list)
    override_reason = models.TextField(_("เหตุผลที่จ่ายต่างจากระเบียบ"), blank=True)
    payee_name = models.CharField(_("ผู้รับเงิน"), max_length=200)
    payee_beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("สถานะ"), max_length=10, choices=ClaimState.choices, default=ClaimState.SUBMITTED
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("คำขอรับสวัสดิการ")
        verbose_name_plural = _("คำขอรับสวัสดิการ")
        ordering = ["fund", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="claim_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(event_end__isnull=True) | Q(event_end__gte=F("event_date")),
                name="claim_event_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("evaluated_amount")) | ~Q(override_reason=""),
                name="claim_override_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["membership", "event_date"], name="claim_member_date")]

    def __str__(self) -> str:
        return f"{self.number} {self.benefit}"


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("ประเภทเอกสาร"), max_length=200)
    file = models.FileField(_("ไฟล์"), upload_to="claims/%Y/%m/")
    file_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file_name


class Decision(models.TextChoices):
    APPROVE = "approve", _("อนุมัติ")
    REJECT = "reject", _("ไม่อนุมัติ")


class ClaimDecision(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="decisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    decision = models.CharField(_("มติ"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("เหตุผล"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "at"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "by"], name="claim_decision_once_per_person"),
            models.CheckConstraint(
                condition=Q(decision="approve") | ~Q(reason=""), name="claim_reject_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.decision}"


class RunState(models.TextChoices):
    PREVIEW = "preview", _("ร่าง (ตรวจรายชื่อ)")
    APPROVED = "approved", _("อนุมัติแล้ว รอจ่าย")
    POSTED = "posted", _("จ่ายและลงบัญชีแล้ว")
    CANCELLED = "cancelled", _("ยกเลิก")


class BenefitRun(models.Model):
    """A payment run of a recurring benefit for one period (a year or a month)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="benefit_runs")
    benefit = models.ForeignKey(BenefitType, on_delete=models.PROTECT, related_name="runs")
    benefit_code = models.SlugField(max_length=40)
    period_key = models.CharField(_("รอบ"), max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    as_of = models.DateField(_("วันที่พิจารณาสิทธิ์"))
    pay_date = models.DateField(_("วันที่จ่าย"), null=True, blank=True)
    method = models.CharField(
        _("วิธีจ่าย"), max_length=8, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.PREVIEW)
    total = money_field(_("รวมเงิน"), default=ZERO)
    count = models.PositiveIntegerField(_("จำนวนคน"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["fund", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "benefit_code", "period_key"],
                condition=Q(state__in=["approved", "posted"]),
                name="run_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="run_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benefit_code} {self.period_key}"


class RunLine(models.Model):
    run = models.ForeignKey(BenefitRun, on_delete=models.CASCADE, related_name="lines")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    amount = money_field(_("จำนวนเงิน"))
    explanation = models.JSONField(default=list)
    payee_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "membership"], name="run_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="run_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.membership_id} {self.amount}"


class Payout(models.Model):
    """Money paid: one per claim or per run line, posted in the same transaction. Never twice."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payouts")
    claim = models.OneToOneField(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="payout"
    )
    run_line = models.OneToOneField(
        RunLine, on_delete=models.PROTECT, null=True, blank=True, related_name="payout"
    )
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payouts")
    category = models.CharField(max_length=2, choices=BENEFIT_CATEGORIES)
    date = models.DateField(_("วันที่จ่าย"))
    amount = money_field(_("จำนวนเงิน"))
    method = models.CharField(
        _("วิธีจ่าย"), max_length=8, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    bank_ref = models.CharField(_("เลขที่อ้างอิงการโอน"), max_length=100, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("ปีบัญชี (พ.ศ.)"))
    voucher_no = models.PositiveIntegerField(_("เลขที่ใบสำคัญจ่าย"))
    payee_name = models.CharField(_("ผู้รับเงิน"), max_length=200)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payout")
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fund", "-date", "-voucher_no"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(claim__isnull=False) & Q(run_line__isnull=True))
                | (Q(claim__isnull=True) & Q(run_line__isnull=False)),
                name="payout_claim_xor_run_line",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.UniqueConstraint(
                fields=["fund", "fiscal_year", "voucher_no"], name="payout_voucher_unique"
            ),
        ]
        indexes = [models.Index(fields=["membership", "date"], name="payout_member_date")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}/{self.voucher_no}"


class PayoutReversal(models.Model):
    payout = models.OneToOneField(Payout, on_delete=models.PROTECT, related_name="reversal")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("เหตุผลการกลับรายการ"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="payout_reversal_has_reason")
        ]

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.reason}"
