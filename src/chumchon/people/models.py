"""Persons and households.

A person or household is kept by one org unit (the fund or authority that registered it); scope
checks go through that unit's path. Names carry a normalised search key beside them so a prefix
search survives typing slips and uses an index on both databases.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.areas.models import OrgUnit, Subdistrict, Village
from chumchon.core.models import TimeStampedModel
from chumchon.core.thai import age_on, search_key, thai_name_sort_bytes


class Title(models.TextChoices):
    MR = "นาย", _("นาย")
    MRS = "นาง", _("นาง")
    MISS = "นางสาว", _("นางสาว")
    BOY = "ด.ช.", _("ด.ช. (เด็กชาย)")
    GIRL = "ด.ญ.", _("ด.ญ. (เด็กหญิง)")
    MONK = "พระ", _("พระ")
    NOVICE = "สามเณร", _("สามเณร")
    OTHER = "อื่น ๆ", _("อื่น ๆ (ระบุ)")


class Sex(models.TextChoices):
    MALE = "M", _("ชาย")
    FEMALE = "F", _("หญิง")
    UNSPECIFIED = "U", _("ไม่ระบุ")


class OtherIdKind(models.TextChoices):
    NONE = "", "—"
    PASSPORT = "passport", _("หนังสือเดินทาง")
    NON_THAI_CARD = "non_thai", _("บัตรประจำตัวผู้ไม่มีสัญชาติไทย")
    WORKER = "worker", _("บัตรแรงงานต่างด้าว")
    OTHER = "other", _("อื่น ๆ")


class Person(TimeStampedModel):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="persons", verbose_name=_("หน่วยที่ดูแล")
    )
    title = models.CharField(_("คำนำหน้า"), max_length=20, choices=Title.choices)
    title_other = models.CharField(_("คำนำหน้าอื่น"), max_length=40, blank=True)
    first_name = models.CharField(pgettext_lazy("first name", "ชื่อ"), max_length=100)
    last_name = models.CharField(_("นามสกุล"), max_length=100, blank=True)
    first_name_key = models.CharField(max_length=100, db_index=True, editable=False)
    last_name_key = models.CharField(max_length=100, db_index=True, editable=False)
    name_sort = models.BinaryField(default=b"", db_index=True, editable=False)
    sex = models.CharField(_("เพศ"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    birth_date = models.DateField(_("วันเกิด"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("ปีเกิด (ค.ศ.)"),
        null=True,
        blank=True,
        help_text=_("เก็บเป็น ค.ศ.; แสดงเป็น พ.ศ. ใช้เมื่อทราบเพียงปีเกิด"),
    )
    national_id = models.CharField(
        _("เลขประจำตัวประชาชน"), max_length=13, null=True, blank=True, unique=True
    )
    other_id_kind = models.CharField(
        _("เอกสารอื่น"), max_length=10, choices=OtherIdKind.choices, blank=True, default=""
    )
    other_id_number = models.CharField(_("เลขที่เอกสารอื่น"), max_length=40, blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=20, blank=True)
    house_number = models.CharField(_("บ้านเลขที่"), max_length=20, blank=True)
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=pgettext_lazy("singular", "หมู่บ้าน"),
    )
    street = models.CharField(_("ถนน/ซอย"), max_length=120, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ตำบล")
    )
    postcode = models.CharField(_("รหัสไปรษณีย์"), max_length=5, blank=True)
    death_date = models.DateField(_("วันที่เสียชีวิต"), null=True, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    history = HistoricalRecords(excluded_fields=["first_name_key", "last_name_key", "name_sort"])

    class Meta:
        verbose_name = pgettext_lazy("model", "บุคคล")
        verbose_name_plural = pgettext_lazy("model plural", "บุคคล")
        constraints = [
            models.CheckConstraint(
                condition=Q(national_id__isnull=True) | Q(national_id__length=13),
                name="person_national_id_13_digits",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True) | Q(birth_year__isnull=False),
                name="person_birth_year_set_with_birth_date",
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True)
                | Q(birth_date__isnull=True)
                | Q(death_date__gte=models.F("birth_date")),
                name="person_death_after_birth",
            ),
            models.UniqueConstraint(
                fields=["other_id_kind", "other_id_number"],
                condition=~Q(other_id_number=""),
                name="person_other_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "last_name_key"], name="person_unit_lastkey"),
            # Subtree counts of living people (home page, unit page, roll-ups) read this index
            # only; measured in bench/ subtree_counts.
            models.Index(fields=["org_unit", "death_date"], name="person_unit_death"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived keys, not business logic: kept in step with the names on every save.
        self.first_name_key = search_key(self.first_name)
        self.last_name_key = search_key(self.last_name)
        self.name_sort = thai_name_sort_bytes(self.first_name, self.last_name)
        if self.birth_date is not None:
            self.birth_year = self.birth_date.year
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_title(self) -> str:
        return (
            self.title_other
            if self.title == Title.OTHER and self.title_other
            else ("" if self.title == Title.OTHER else self.title)
        )

    @property
    def full_name(self) -> str:
        title = self.display_title
        sep = "" if title in {"ด.ช.", "ด.ญ.", "นาย", "นาง", "นางสาว"} else " "
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{title}{sep}{name}" if title else name

    def age_on(self, day: dt.date) -> int | None:
        return age_on(self.birth_date, self.birth_year, day)

    @property
    def is_dead(self) -> bool:
        return self.death_date is not None


class Household(TimeStampedModel):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="households", verbose_name=_("หน่วยที่ดูแล")
    )
    house_registration_no = models.CharField(
        _("เลขประจำบ้าน"),
        max_length=11,
        null=True,
        blank=True,
        unique=True,
        help_text=_("รหัสประจำบ้าน 11 หลักตามทะเบียนบ้าน"),
    )
    house_number = models.CharField(_("บ้านเลขที่"), max_length=20)
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=pgettext_lazy("singular", "หมู่บ้าน"),
    )
    street = models.CharField(_("ถนน/ซอย"), max_length=120, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ตำบล")
    )
    postcode = models.CharField(_("รหัสไปรษณีย์"), max_length=5, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "ครัวเรือน")
        verbose_name_plural = pgettext_lazy("model plural", "ครัวเรือน")
        constraints = [
            models.CheckConstraint(
                condition=Q(house_registration_no__isnull=True)
                | Q(house_registration_no__length=11),
                name="household_registration_no_11_digits",
            ),
        ]

    def __str__(self) -> str:
        if self.village_id:
            return gettext("บ้านเลขที่ %(number)s %(village)s") % {
                "number": self.house_number,
                "village": self.village,
            }
        return gettext("บ้านเลขที่ %(number)s") % {"number": self.house_number}


class Relation(models.TextChoices):
    HEAD = "head", _("หัวหน้าครัวเรือน")
    SPOUSE = "spouse", _("คู่สมรส")
    CHILD = "child", _("บุตร")
    PARENT = "parent", _("บิดา/มารดา")
    GRANDCHILD = "grandchild", _("หลาน")
    SIBLING = "sibling", _("พี่น้อง")
    RELATIVE = "relative", _("ญาติ")
    OTHER = "other", _("ผู้อาศัย (ไม่ใช่ญาติ)")


class HouseholdMember(TimeStampedModel):
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=pgettext_lazy("singular", "ครัวเรือน"),
    )
    person = models.OneToOneField(
        Person,
        on_delete=models.CASCADE,
        related_name="household_membership",
        verbose_name=pgettext_lazy("singular", "บุคคล"),
    )
    relation = models.CharField(_("ความสัมพันธ์"), max_length=12, choices=Relation.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "สมาชิกครัวเรือน")
        verbose_name_plural = pgettext_lazy("model plural", "สมาชิกครัวเรือน")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head"),
                name="household_one_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relation_display()})"


class UserPerson(models.Model):
    """Which person a login belongs to (a committee member is also a villager).

    Used where a decision must not be made by the person concerned or by their household, such as
    approving a welfare claim.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_link"
    )
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="user_link", verbose_name=_("บุคคล")
    )

    class Meta:
        verbose_name = _("บุคคลของผู้ใช้")
        verbose_name_plural = _("บุคคลของผู้ใช้")

    def __str__(self) -> str:
        return f"{self.user} → {self.person}"
