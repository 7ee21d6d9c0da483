"""Welfare fund books: the fund's settings, plans, members, payments, collection days, matching.

Money lives in the ledger (``chumchon.ledger``); a payment row here records what was paid and
points at its journal entry. Membership status is derived from payments and the fund's rule
(``selectors.member_status``), never stored by hand.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.areas.models import OrgUnit
from chumchon.core.models import TimeStampedModel
from chumchon.core.permissions import Role
from chumchon.ledger.models import Account, Book, JournalEntry, money_field
from chumchon.people.models import Person

ZERO = Decimal("0.00")


class LapseRule(models.TextChoices):
    MISSED_DUES = "missed_dues", _("ค้างชำระเกินจำนวนงวดที่กำหนด")
    DAYS_IN_ARREARS = "days", _("ค้างชำระเกินจำนวนวันที่กำหนด")


class RefundRule(models.TextChoices):
    NONE = "none", _("ไม่คืนเงินสมทบ")
    IF_NO_BENEFIT = "if_no_benefit", _("คืนตามอัตราที่กำหนด หากไม่เคยได้รับสวัสดิการ")
    ALWAYS = "always", _("คืนตามอัตราที่กำหนดทุกกรณี")


class Fund(TimeStampedModel):
    """A welfare fund kept by one tambon-level org unit; its village groups are child units."""

    org_unit = models.OneToOneField(
        OrgUnit, on_delete=models.PROTECT, related_name="fund", verbose_name=_("หน่วยงาน")
    )
    book = models.OneToOneField(Book, on_delete=models.PROTECT, related_name="fund")
    founded_on = models.DateField(_("วันที่ก่อตั้ง"), null=True, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("เดือนเริ่มปีบัญชี"), default=10)
    entry_fee = money_field(_("ค่าสมัครสมาชิก"), default=ZERO)
    lapse_rule = models.CharField(
        _("เกณฑ์การขาดสมาชิกภาพ"),
        max_length=12,
        choices=LapseRule.choices,
        default=LapseRule.DAYS_IN_ARREARS,
    )
    lapse_missed_dues = models.PositiveSmallIntegerField(
        _("จำนวนงวดที่ค้างได้ก่อนขาดสมาชิกภาพ"), default=3
    )
    lapse_days = models.PositiveSmallIntegerField(_("จำนวนวันที่ค้างได้ก่อนขาดสมาชิกภาพ"), default=60)
    refund_rule = models.CharField(
        _("การคืนเงินเมื่อลาออก"), max_length=16, choices=RefundRule.choices, default=RefundRule.NONE
    )
    refund_percent = models.DecimalField(
        _("อัตราการคืนเงินสมทบ (ร้อยละ)"), max_digits=5, decimal_places=2, default=ZERO
    )
    member_approver_role = models.CharField(
        _("ผู้อนุมัติสมาชิกใหม่"), max_length=20, choices=Role.choices, default=Role.CHAIR
    )
    public_board = models.BooleanField(_("เปิดกระดานความโปร่งใสต่อสาธารณะ"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("กองทุน")
        verbose_name_plural = _("กองทุน")
        constraints = [
            models.CheckConstraint(condition=Q(entry_fee__gte=0), name="fund_entry_fee_nonneg"),
            models.CheckConstraint(
                condition=Q(refund_percent__gte=0, refund_percent__lte=100),
                name="fund_refund_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="fund_fy_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.org_unit.name

    @property
    def name(self) -> str:
        return self.org_unit.name

    def account(self, category: str) -> Account:
        """The fund's active account for a report category (e.g. ``cash``, ``income.members``)."""
        return Account.objects.get(book_id=self.book_id, category=category, active=True)


class ContributionPlan(models.Model):
    """A way to pay: ``amount`` baht covers ``months`` months (30 monthly … 365 yearly)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("ชื่อแบบการออม"), max_length=100)
    months = models.PositiveSmallIntegerField(_("ระยะเวลาต่องวด (เดือน)"))
    amount = money_field(_("จำนวนเงินต่องวด"))
    active = models.BooleanField(_("เปิดให้เลือก"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("แบบการออม")
        verbose_name_plural = _("แบบการออม")
        ordering = ["fund", "months"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_amount_pos"),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=12), name="plan_months_range"
            ),
            models.UniqueConstraint(fields=["fund", "name"], name="plan_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberType(models.TextChoices):
    GENERAL = "general", _("ทั่วไป")
    CHILD = "child", _("เด็กและเยาวชน")
    ELDERLY = "elderly", _("ผู้สูงอายุ")
    DISADVANTAGED = "disadvantaged", _("ผู้ด้อยโอกาส")
    DISABLED = "disabled", _("ผู้พิการ")
    ORPHAN = "orphan", _("เด็กกำพร้า")


class MembershipState(models.TextChoices):
    """Decisions people record. Arrears and lapse are derived, never stored."""

    APPLIED = "applied", _("ยื่นใบสมัคร")
    APPROVED = "approved", _("เป็นสมาชิก")
    REJECTED = "rejected", _("ไม่อนุมัติ")
    RESIGNED = "resigned", _("ลาออก")
    DIED = "died", _("เสียชีวิต")


class Membership(TimeStampedModel):
    """One membership of one person in one fund. Rejoining makes a new membership."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("กลุ่มหมู่บ้าน"),
    )
    member_no = models.PositiveIntegerField(_("เลขที่สมาชิก"), null=True, blank=True)
    member_type = models.CharField(
        _("ประเภทสมาชิก"), max_length=16, choices=MemberType.choices, default=MemberType.GENERAL
    )
    plan = models.ForeignKey(
        ContributionPlan, on_delete=models.PROTECT, related_name="+", verbose_name=_("แบบการออม")
    )
    state = models.CharField(
        _("สถานะ"), max_length=10, choices=MembershipState.choices, default=MembershipState.APPLIED
    )
    applied_on = models.DateField(_("วันที่สมัคร"))
    joined_on = models.DateField(_("วันที่เป็นสมาชิก"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_on = models.DateField(_("วันที่สิ้นสภาพ"), null=True, blank=True)
    end_reason = models.CharField(_("เหตุผล"), max_length=300, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_membership",
        verbose_name=_("สมาชิกภาพครั้งก่อน"),
    )
    external_ref = models.CharField(_("รหัสอ้างอิงภายนอก"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("สมาชิก")
        verbose_name_plural = _("สมาชิก")
        ordering = ["fund", "member_no"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "member_no"], name="membership_no_unique"),
            models.UniqueConstraint(
                fields=["fund", "person"],
                condition=Q(state__in=["applied", "approved"]),
                name="membership_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["applied", "rejected"]) | Q(member_no__isnull=False),
                name="membership_no_when_member",
            ),
            models.CheckConstraint(
                condition=Q(joined_on__isnull=True) | Q(joined_on__gte=F("applied_on")),
                name="membership_join_after_apply",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(ended_on__gte=F("joined_on")),
                name="membership_end_after_join",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "member_no"], name="membership_group_no")]

    def __str__(self) -> str:
        return f"{self.member_no or '-'} {self.person}"


class MembershipEvent(models.Model):
    """Transitions and moves of a membership: who, when, from, to, why (append-only)."""

    class Kind(models.TextChoices):
        APPLY = "apply", _("สมัคร")
        APPROVE = "approve", _("อนุมัติ")
        REJECT = "reject", _("ไม่อนุมัติ")
        RESIGN = "resign", _("ลาออก")
        DIE = "die", _("เสียชีวิต")
        MOVE = "move", _("ย้ายกลุ่ม")
        PLAN = "plan", _("เปลี่ยนแบบการออม")
        TYPE = "type", _("เปลี่ยนประเภทสมาชิก")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField(_("วันที่"))
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.CharField(_("เหตุผล"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Beneficiary(models.Model):
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="beneficiaries"
    )
    name = models.CharField(_("ชื่อผู้รับผลประโยชน์"), max_length=200)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relation = models.CharField(_("ความสัมพันธ์"), max_length=60)
    share_percent = models.DecimalField(
        _("สัดส่วน (ร้อยละ)"), max_digits=5, decimal_places=2, default=Decimal("100")
    )
    age = models.PositiveSmallIntegerField(_("อายุ"), null=True, blank=True)
    address = models.CharField(_("ที่อยู่"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ผู้รับผลประโยชน์")
        verbose_name_plural = _("ผู้รับผลประโยชน์")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0, share_percent__lte=100),
                name="beneficiary_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("เงินสด")
    TRANSFER = "transfer", _("โอนเงิน")


class CollectionDay(models.Model):
    """One village group's collection on one date; closed with a cash count."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="collection_days")
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("กลุ่มหมู่บ้าน")
    )
    date = models.DateField(_("วันที่เก็บเงิน"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expected_cash = money_field(_("ยอดเงินสดตามระบบ"), null=True, blank=True)
    counted_cash = money_field(_("ยอดเงินสดที่นับได้"), null=True, blank=True)
    difference = money_field(_("ผลต่าง"), null=True, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)

    class Meta:
        verbose_name = _("วันเก็บเงิน")
        verbose_name_plural = _("วันเก็บเงิน")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "date"], name="collection_day_unique"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(counted_cash__isnull=False) & Q(expected_cash__isnull=False)),
                name="collection_day_closed_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Payment(models.Model):
    """Money a member paid, with its receipt number and journal entry (append-only)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payments")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payments")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("วันที่ชำระ"))
    contribution = money_field(_("เงินสมทบ"), default=ZERO)
    entry_fee = money_field(_("ค่าสมัคร"), default=ZERO)
    amount = money_field(_("รวม"))
    method = models.CharField(
        _("วิธีชำระ"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    fiscal_year = models.PositiveSmallIntegerField(_("ปีบัญชี (พ.ศ.)"))
    receipt_no = models.PositiveIntegerField(_("เลขที่ใบเสร็จ"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment")
    collection_day = models.ForeignKey(
        CollectionDay, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    # Coverage after this payment, recorded for the receipt ("ชำระถึง").
    covers_from = models.DateField(null=True, blank=True)
    covers_to = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 (NULL: no key, unique otherwise)
    verify_token = models.CharField(max_length=32, unique=True)
    note = models.CharField(_("หมายเหตุ"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การชำระเงิน")
        verbose_name_plural = _("การชำระเงิน")
        ordering = ["fund", "date", "receipt_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "fiscal_year", "receipt_no"], name="payment_receipt_unique"
            ),
            models.UniqueConstraint(
                fields=["fund", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="payment_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(contribution__gte=0) & Q(entry_fee__gte=0) & Q(amount__gt=0),
                name="payment_amounts_pos",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("contribution") + F("entry_fee")), name="payment_amount_sum"
            ),
        ]
        indexes = [models.Index(fields=["membership", "date"], name="payment_member_date")]

    def __str__(self) -> str:
        return _("ใบเสร็จ %(no)s") % {"no": self.receipt_label}

    @property
    def receipt_label(self) -> str:
        return f"{self.fiscal_year}/{self.receipt_no:05d}"


class PaymentVoid(models.Model):
    """A voided payment: its reversing entry and the reason (a payment row is never changed)."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="void")
    reversal = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("เหตุผลการยกเลิก"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Refund(models.Model):
    """Money returned to a resigning member under the fund's refund rule."""

    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="refund")
    date = models.DateField()
    contributions = money_field(_("เงินสมทบที่ชำระ"))
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = money_field(_("เงินคืน"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_pos")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class FundingSource(models.TextChoices):
    MEMBERS = "members", _("สมาชิก")
    LOCAL_GOV = "local_gov", _("องค์กรปกครองส่วนท้องถิ่น (อปท.)")
    CODI_SEED = "codi_seed", _("พอช. (เงินทุนประเดิม)")
    STATE_CODI = "state_codi", _("รัฐบาลผ่าน พอช. (สมทบรายรอบ)")
    OTHER_STATE = "other_state", _("หน่วยงานรัฐอื่น")
    GROUP_PROFIT = "group_profit", _("ผลกำไรกลุ่มการเงินชุมชน")
    DONATION = "donation", _("เงินบริจาค")
    INTEREST = "interest", _("ดอกเบี้ยเงินฝาก")
    OTHER = "other", _("รายได้อื่น")


# Report category of the income account each source posts to.
SOURCE_ACCOUNT = {
    FundingSource.MEMBERS: "income.members",
    FundingSource.LOCAL_GOV: "income.local_gov",
    FundingSource.CODI_SEED: "income.codi_seed",
    FundingSource.STATE_CODI: "income.state_codi",
    FundingSource.OTHER_STATE: "income.other_state",
    FundingSource.GROUP_PROFIT: "income.group_profit",
    FundingSource.DONATION: "income.donation",
    FundingSource.INTEREST: "income.interest",
    FundingSource.OTHER: "income.other",
}


class Pledge(models.Model):
    """Money promised by a source for a fiscal year (or a matching round)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="pledges")
    source = models.CharField(_("แหล่งเงิน"), max_length=14, choices=FundingSource.choices)
    round_no = models.PositiveSmallIntegerField(_("รอบที่"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    amount = money_field(_("จำนวนเงินที่สัญญา"))
    note = models.CharField(_("หมายเหตุ"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_pos")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class FundReceipt(models.Model):
    """Money received by the fund from a source other than a member's payment."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="receipts")
    source = models.CharField(_("แหล่งเงิน"), max_length=14, choices=FundingSource.choices)
    round_no = models.PositiveSmallIntegerField(_("รอบที่"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    date = models.DateField(_("วันที่รับเงิน"))
    amount = money_field(_("จำนวนเงิน"))
    payer = models.CharField(_("ผู้จ่ายเงิน"), max_length=200, blank=True)
    method = models.CharField(
        _("รับเป็น"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_receipt_pos"),
            models.CheckConstraint(
                condition=~Q(source="state_codi") | Q(round_no__isnull=False),
                name="fund_receipt_round_for_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class MatchedMember(models.Model):
    """A member counted in a state matching round (the frozen list sent with the request)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    round_no = models.PositiveSmallIntegerField(_("รอบที่"))
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="matched_rounds"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "round_no"], name="matched_member_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("รายชื่อสมาชิก")
    PAYMENTS = "payments", _("ประวัติการชำระเงิน")


class ImportMapping(models.Model):
    """The column mapping a fund saved for its spreadsheet (header text → our field)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="import_mappings")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "kind"], name="import_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ImportBatch(models.Model):
    """One committed import: the file's hash and what it created."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="import_batches")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PassbookPrint(models.Model):
    """Lines of a member's passbook (สมุดบัญชีสมาชิก) recorded as printed into the paper book.

    The passbook's lines are the membership's payments and voids in the order they were
    recorded (``chumchon.funds.documents.passbook_lines``); ``first_line``..``last_line`` count
    those lines from 1. The next print continues after the highest ``last_line`` (append-only).
    """

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="passbook_prints"
    )
    first_line = models.PositiveIntegerField(_("พิมพ์ตั้งแต่รายการที่"))
    last_line = models.PositiveIntegerField(_("พิมพ์ถึงรายการที่"))
    lines_per_page = models.PositiveSmallIntegerField(_("จำนวนบรรทัดต่อหน้า"), default=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การพิมพ์สมุดบัญชีสมาชิก")
        verbose_name_plural = _("การพิมพ์สมุดบัญชีสมาชิก")
        ordering = ["membership", "first_line"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "first_line"], name="passbook_print_once"
            ),
            models.CheckConstraint(
                condition=Q(first_line__gte=1) & Q(last_line__gte=F("first_line")),
                name="passbook_print_range",
            ),
            models.CheckConstraint(
                condition=Q(lines_per_page__gte=4), name="passbook_print_page_size"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ReceiptPrint(models.Model):
    """Each print of a receipt: the first is the original, every later one says สำเนา (copy)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="prints")
    size = models.CharField(max_length=8)
    copy = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การพิมพ์ใบเสร็จ")
        verbose_name_plural = _("การพิมพ์ใบเสร็จ")
        constraints = [
            models.UniqueConstraint(
                fields=["payment"], condition=Q(copy=False), name="receipt_print_one_original"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
