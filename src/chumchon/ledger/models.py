"""The double-entry ledger: books, accounts, journal entries, postings, periods, sequences.

The ledger knows nothing of funds or members. A ``Book`` belongs to one org unit (a fund); its
entries are numbered without gaps and chained by hash. Entries and postings are append-only:
triggers on SQLite and PostgreSQL refuse UPDATE and DELETE, refuse an entry whose postings do not
balance and refuse any entry dated inside a closed period (see ``triggers.py``). Corrections are
reversing entries.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chumchon.areas.models import OrgUnit

ZERO = Decimal("0.00")


def money_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Book(models.Model):
    """One set of books: the chain head, the entry counter and the owner unit."""

    org_unit = models.OneToOneField(
        OrgUnit, on_delete=models.PROTECT, related_name="book", verbose_name=_("หน่วยงาน")
    )
    name = models.CharField(_("ชื่อสมุดบัญชี"), max_length=200)
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("เดือนเริ่มปีบัญชี"), default=10)
    last_entry_no = models.PositiveIntegerField(default=0, editable=False)
    last_hash = models.CharField(max_length=64, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("สมุดบัญชี")
        verbose_name_plural = _("สมุดบัญชี")
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="ledger_book_fy_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    ASSET = "asset", _("สินทรัพย์")
    LIABILITY = "liability", _("หนี้สิน")
    EQUITY = "equity", _("ทุน")
    INCOME = "income", _("รายได้")
    EXPENSE = "expense", _("ค่าใช้จ่าย")


DEBIT_NORMAL = {AccountKind.ASSET, AccountKind.EXPENSE}


class Account(models.Model):
    """An account of a book's chart. ``debit_total``/``credit_total`` are a cache of postings."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("รหัสบัญชี"), max_length=12)
    name = models.CharField(_("ชื่อบัญชี"), max_length=200)
    kind = models.CharField(_("หมวด"), max_length=10, choices=AccountKind.choices)
    # A stable tag reports use (e.g. "cash", "income.members", "benefit.04"); funds may rename.
    category = models.CharField(_("หมวดรายงาน"), max_length=40, blank=True)
    is_cash = models.BooleanField(_("เป็นเงินสดหรือเงินฝาก"), default=False)
    no_negative = models.BooleanField(_("ห้ามติดลบ"), default=False)
    active = models.BooleanField(_("ใช้งาน"), default=True)
    debit_total = money_field(_("ยอดเดบิตสะสม"), default=ZERO, editable=False)
    credit_total = money_field(_("ยอดเครดิตสะสม"), default=ZERO, editable=False)

    class Meta:
        verbose_name = _("บัญชี")
        verbose_name_plural = _("ผังบัญชี")
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="ledger_account_code_unique"),
            models.CheckConstraint(
                condition=Q(debit_total__gte=0) & Q(credit_total__gte=0),
                name="ledger_account_totals_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(no_negative=False) | Q(debit_total__gte=F("credit_total")),
                name="ledger_account_no_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def balance(self) -> Decimal:
        """Balance on the account's normal side (debit for assets and expenses)."""
        if self.kind in DEBIT_NORMAL:
            return self.debit_total - self.credit_total
        return self.credit_total - self.debit_total


class AccountMonth(models.Model):
    """An account's postings summed per calendar month: a cache kept by the posting services in
    the same transaction (``ledger verify`` re-checks it). Statements and dashboards read these
    rows instead of scanning every posting."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="months")
    month = models.DateField()  # the first day of the month
    debit = money_field(_("เดบิต"), default=ZERO)
    credit = money_field(_("เครดิต"), default=ZERO)

    class Meta:
        ordering = ["book", "month", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month"], name="ledger_account_month_unique"
            ),
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0), name="ledger_account_month_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["book", "month"], name="ledger_account_month_book")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"


class Period(models.Model):
    """A span of business dates that can be closed; nothing posts into a closed period."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="periods")
    start_date = models.DateField(_("วันเริ่มงวด"))
    end_date = models.DateField(_("วันสิ้นงวด"))
    closed = models.BooleanField(_("ปิดงวดแล้ว"), default=False)

    class Meta:
        verbose_name = _("งวดบัญชี")
        verbose_name_plural = _("งวดบัญชี")
        ordering = ["book", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="ledger_period_order"
            ),
            models.UniqueConstraint(fields=["book", "start_date"], name="ledger_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date} – {self.end_date}"


class PeriodEvent(models.Model):
    """Who closed or reopened a period, when and why (append-only)."""

    class Action(models.TextChoices):
        CLOSE = "close", _("ปิดงวด")
        REOPEN = "reopen", _("เปิดงวดอีกครั้ง")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(_("เหตุผล"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class JournalEntry(models.Model):
    """A balanced journal entry. Postings are inserted first; the entry row is inserted last."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField(_("เลขที่รายการ"))
    date = models.DateField(_("วันที่"))
    memo = models.CharField(_("คำอธิบาย"), max_length=300)
    amount = money_field(_("จำนวนเงิน"))
    source_type = models.CharField(_("ประเภทเอกสาร"), max_length=40, blank=True)
    source_id = models.CharField(_("เลขที่เอกสาร"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 (NULL: no key, unique otherwise)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("กลับรายการของ"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    posted_at = models.DateTimeField(_("บันทึกเมื่อ"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("รายการบัญชี")
        verbose_name_plural = _("รายการบัญชี")
        ordering = ["book", "number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="ledger_entry_number_unique"),
            models.UniqueConstraint(
                fields=["book", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ledger_entry_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_entry_amount_pos"),
            models.CheckConstraint(condition=Q(number__gt=0), name="ledger_entry_number_pos"),
            models.CheckConstraint(condition=~Q(hash=""), name="ledger_entry_hash_set"),
        ]
        indexes = [
            models.Index(fields=["book", "date"], name="ledger_entry_book_date"),
            models.Index(fields=["source_type", "source_id"], name="ledger_entry_source"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.memo}"


class Side(models.TextChoices):
    DEBIT = "D", _("เดบิต")
    CREDIT = "C", _("เครดิต")


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = money_field(_("จำนวนเงิน"))
    # Copied from the entry so account statements read one table, in date order, by index.
    date = models.DateField()
    line = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["entry", "line"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_posting_amount_pos"),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="ledger_posting_side"),
            models.UniqueConstraint(fields=["entry", "line"], name="ledger_posting_line_unique"),
        ]
        indexes = [models.Index(fields=["account", "date"], name="ledger_posting_account_date")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Sequence(models.Model):
    """Gap-free document numbers per book, per kind, per year (receipts, vouchers, members)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="sequences")
    name = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField(default=0)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book", "name", "year"], name="ledger_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
