"""Reports: the CODI yearly status form's human answers, summaries for dashboards, export jobs.

Figures in reports come from the ledger's monthly cache (``ledger.AccountMonth``) and from
``FundSnapshot`` rows kept current by tasks, never from scanning every posting per request.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chumchon.areas.models import OrgUnit
from chumchon.funds.models import Fund
from chumchon.ledger.models import money_field

ZERO = Decimal("0.00")


class DataKeeping(models.TextChoices):
    NOTEBOOK = "notebook", _("สมุดบันทึก")
    FILE = "file", _("ไฟล์คอมพิวเตอร์ (เช่น Excel)")
    DATABASE = "database", _("ฐานข้อมูล/โปรแกรม")


class CodiFormYear(models.Model):
    """What only people know for the CODI yearly fund status form, per fund and fiscal year.

    Everything else on the form comes from the books. ``answers`` keeps the free-text and yes/no
    parts by section key (see ``reports.codi_form``) so the form can grow without migrations.
    """

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="codi_forms")
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    community_population = models.PositiveIntegerField(
        _("จำนวนประชากรในชุมชน/ตำบล"), null=True, blank=True
    )
    villages_total = models.PositiveSmallIntegerField(
        _("จำนวนหมู่บ้าน/ชุมชนทั้งหมดในพื้นที่"), null=True, blank=True
    )
    data_keeping = models.CharField(
        _("การเก็บข้อมูลสมาชิก"), max_length=10, choices=DataKeeping.choices, default="database"
    )
    answers = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("แบบแสดงสถานะกองทุน (ข้อมูลที่กรอกเอง)")
        verbose_name_plural = _("แบบแสดงสถานะกองทุน (ข้อมูลที่กรอกเอง)")
        constraints = [
            models.UniqueConstraint(fields=["fund", "fiscal_year"], name="codi_form_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.fiscal_year}"


class FundSnapshot(models.Model):
    """Membership and collection figures of one org unit of a fund (the fund itself or one of
    its village groups) for one month, as of ``as_of``. Kept by the summaries task."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="snapshots")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month
    as_of = models.DateField()
    members_ever = models.PositiveIntegerField(default=0)  # cumulative: everyone who ever joined
    active = models.PositiveIntegerField(default=0)
    arrears = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    resigned = models.PositiveIntegerField(default=0)
    dead = models.PositiveIntegerField(default=0)
    joined = models.PositiveIntegerField(default=0)  # in the month
    left = models.PositiveIntegerField(default=0)  # lapsed, resigned or died in the month
    by_type = models.JSONField(default=dict)  # current members per member type
    dues_expected = money_field(_("เงินสมทบที่ถึงกำหนด"), default=ZERO)
    dues_paid = money_field(_("เงินสมทบที่เก็บได้"), default=ZERO)
    claims_pending = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fund", "org_unit", "month"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="fund_snapshot_unique")
        ]
        indexes = [models.Index(fields=["month", "org_unit"], name="fund_snapshot_month")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month:%Y-%m}"

    @property
    def current(self) -> int:
        return self.active + self.arrears


class ExportState(models.TextChoices):
    QUEUED = "queued", _("รอคิว")
    RUNNING = "running", _("กำลังสร้างไฟล์")
    DONE = "done", _("เสร็จแล้ว")
    FAILED = "failed", _("ไม่สำเร็จ")


class ExportJob(models.Model):
    """A large export made in the background: progress for the bar, then a file to download.
    Only its owner downloads it, and only while their roles still cover ``org_unit``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=300)
    state = models.CharField(max_length=8, choices=ExportState.choices, default="queued")
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_rows__isnull=True) | Q(done_rows__lte=models.F("total_rows")),
                name="export_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.title
