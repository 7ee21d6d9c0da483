"""Administrative areas (DOPA codes, from geothai), villages, the org-unit tree and roles.

The org-unit tree uses a materialised path: every unit stores the ids of its ancestors and
itself as fixed-width segments (``00000001/00000007/``), so "this unit and everything below it"
is one indexed prefix query on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.core.models import TimeStampedModel
from chumchon.core.permissions import Role
from chumchon.core.querying import prefix_q

PATH_SEGMENT = 8  # digits per id in OrgUnit.path


class Province(models.Model):
    code = models.CharField(_("รหัสจังหวัด"), max_length=2, primary_key=True)
    name_th = models.CharField(_("ชื่อจังหวัด"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=100, blank=True)
    active = models.BooleanField(_("ใช้อยู่"), default=True)
    abolished_on = models.DateField(_("ยกเลิกเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "จังหวัด")
        verbose_name_plural = pgettext_lazy("model plural", "จังหวัด")
        ordering = ["code"]

    def __str__(self) -> str:
        if self.code == "10":  # Bangkok is not called a province
            return self.name_th
        return gettext("จังหวัด%(name)s") % {"name": self.name_th}


class District(models.Model):
    code = models.CharField(_("รหัสอำเภอ"), max_length=4, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("จังหวัด"))
    name_th = models.CharField(_("ชื่ออำเภอ"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=100, blank=True)
    active = models.BooleanField(_("ใช้อยู่"), default=True)
    abolished_on = models.DateField(_("ยกเลิกเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "อำเภอ")
        verbose_name_plural = pgettext_lazy("model plural", "อำเภอ")
        ordering = ["code"]

    def __str__(self) -> str:
        if self.name_th.startswith(("เขต", "อำเภอ", "กิ่งอำเภอ")):
            return self.name_th
        return gettext("อำเภอ%(name)s") % {"name": self.name_th}


class Subdistrict(models.Model):
    code = models.CharField(_("รหัสตำบล"), max_length=6, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("อำเภอ"))
    name_th = models.CharField(_("ชื่อตำบล"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=100, blank=True)
    postal_codes = models.CharField(_("รหัสไปรษณีย์"), max_length=60, blank=True)
    active = models.BooleanField(_("ใช้อยู่"), default=True)
    abolished_on = models.DateField(_("ยกเลิกเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "ตำบล")
        verbose_name_plural = pgettext_lazy("model plural", "ตำบล")
        ordering = ["code"]

    def __str__(self) -> str:
        if self.code.startswith("10"):  # Bangkok
            return gettext("แขวง%(name)s") % {"name": self.name_th}
        return gettext("ตำบล%(name)s") % {"name": self.name_th}

    @property
    def postal_code_list(self) -> list[str]:
        return [p for p in self.postal_codes.split(",") if p]

    def full_name(self) -> str:
        d = self.district
        return f"{self} {d} {d.province}"


class AreaDataImport(models.Model):
    """Which release of the geothai data the area tables hold."""

    source = models.CharField(max_length=40, default="geothai")
    data_version = models.CharField(max_length=40)
    package_version = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    provinces = models.PositiveIntegerField(default=0)
    districts = models.PositiveIntegerField(default=0)
    subdistricts = models.PositiveIntegerField(default=0)
    inactive = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "การนำเข้าข้อมูลพื้นที่")
        verbose_name_plural = pgettext_lazy("model plural", "การนำเข้าข้อมูลพื้นที่")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.data_version}"


class Village(TimeStampedModel):
    """A village (หมู่ที่ N) of a subdistrict. DOPA publishes no village list: users enter them."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, verbose_name=_("ตำบล"))
    number = models.PositiveSmallIntegerField(_("หมู่ที่"))
    name = models.CharField(_("ชื่อหมู่บ้าน"), max_length=120)
    active = models.BooleanField(_("ใช้อยู่"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "หมู่บ้าน")
        verbose_name_plural = pgettext_lazy("model plural", "หมู่บ้าน")
        ordering = ["subdistrict", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["subdistrict", "number"], name="village_unique_number_in_subdistrict"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=99), name="village_number_1_99"
            ),
        ]

    def __str__(self) -> str:
        if self.name.startswith("บ้าน"):
            return gettext("หมู่ที่ %(number)s %(name)s") % {"number": self.number, "name": self.name}
        return gettext("หมู่ที่ %(number)s บ้าน%(name)s") % {"number": self.number, "name": self.name}


class OrgUnitKind(models.TextChoices):
    NATION = "nation", _("ระดับประเทศ")
    PROVINCE_NETWORK = "province_network", _("เครือข่ายจังหวัด")
    DISTRICT = "district", _("ระดับอำเภอ")
    FUND = "fund", _("กองทุนสวัสดิการชุมชน (ระดับตำบล)")
    LOCAL_AUTHORITY = "local_authority", _("องค์กรปกครองส่วนท้องถิ่น")
    VILLAGE_GROUP = "village_group", _("กลุ่มระดับหมู่บ้าน")
    AGENCY = "agency", _("หน่วยงาน")
    NETWORK = "network", _("เครือข่าย")


class AgencyKind(models.TextChoices):
    NONE = "", "—"
    MSDHS = "msdhs", _("พม. (กระทรวงการพัฒนาสังคมฯ)")
    HEALTH = "health", _("รพ.สต.")
    LOCAL = "local", _("อปท.")
    CODI = "codi", _("พอช. (CODI)")
    OTHER = "other", _("อื่น ๆ")


# Which kinds may sit under which: keeps the tree meaningful (a village group under a fund, ...).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    OrgUnitKind.NATION: {
        OrgUnitKind.PROVINCE_NETWORK,
        OrgUnitKind.AGENCY,
        OrgUnitKind.NETWORK,
    },
    OrgUnitKind.PROVINCE_NETWORK: {
        OrgUnitKind.DISTRICT,
        OrgUnitKind.AGENCY,
        OrgUnitKind.NETWORK,
        OrgUnitKind.FUND,
        OrgUnitKind.LOCAL_AUTHORITY,
    },
    OrgUnitKind.DISTRICT: {
        OrgUnitKind.FUND,
        OrgUnitKind.LOCAL_AUTHORITY,
        OrgUnitKind.AGENCY,
        OrgUnitKind.NETWORK,
    },
    OrgUnitKind.FUND: {OrgUnitKind.VILLAGE_GROUP, OrgUnitKind.NETWORK},
    OrgUnitKind.LOCAL_AUTHORITY: {OrgUnitKind.VILLAGE_GROUP, OrgUnitKind.AGENCY},
    OrgUnitKind.VILLAGE_GROUP: set(),
    OrgUnitKind.AGENCY: {OrgUnitKind.AGENCY},
    OrgUnitKind.NETWORK: {OrgUnitKind.NETWORK, OrgUnitKind.VILLAGE_GROUP},
}


class OrgUnit(TimeStampedModel):
    name = models.CharField(_("ชื่อหน่วย"), max_length=200)
    kind = models.CharField(_("ประเภท"), max_length=20, choices=OrgUnitKind.choices)
    agency_kind = models.CharField(
        _("ประเภทหน่วยงาน"), max_length=10, choices=AgencyKind.choices, blank=True, default=""
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("อยู่ภายใต้"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("จังหวัด")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("อำเภอ")
    )
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ตำบล")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=pgettext_lazy("singular", "หมู่บ้าน"),
    )
    active = models.BooleanField(_("ใช้อยู่"), default=True)
    history = HistoricalRecords(excluded_fields=["path", "depth"])

    class Meta:
        verbose_name = pgettext_lazy("model", "หน่วยงาน/กองทุน")
        verbose_name_plural = pgettext_lazy("model plural", "หน่วยงาน/กองทุน")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="orgunit_root_has_depth_zero",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_ancestor_or_self_of(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> models.QuerySet[OrgUnit]:
        step = PATH_SEGMENT + 1
        prefixes = [self.path[: i + step] for i in range(0, len(self.path) - step, step)]
        return OrgUnit.objects.filter(path__in=prefixes).order_by("depth")

    def subtree(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(prefix_q("path", self.path))


class RoleAssignment(TimeStampedModel):
    """A role a user holds at an org unit for a term (committee terms end at elections)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("ผู้ใช้"),
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("หน่วย")
    )
    role = models.CharField(_("บทบาท"), max_length=20, choices=Role.choices)
    start_date = models.DateField(_("เริ่มวาระ"))
    end_date = models.DateField(pgettext_lazy("term end date", "สิ้นสุดวาระ"), null=True, blank=True)
    note = models.CharField(_("หมายเหตุ"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "บทบาทผู้ใช้")
        verbose_name_plural = pgettext_lazy("model plural", "บทบาทผู้ใช้")
        ordering = ["org_unit__path", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="role_term_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.org_unit}"
