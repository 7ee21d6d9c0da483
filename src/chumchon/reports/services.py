"""Writes of the reports app: the human-only answers of the CODI status form, per fiscal year.

Refusals are ValidationErrors naming the field in Thai; nothing is half saved.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chumchon.areas.models import RoleAssignment
from chumchon.areas.selectors import user_can
from chumchon.core.permissions import Perm
from chumchon.core.thai import to_arabic_digits
from chumchon.funds.models import Fund

from .codi_form import ANSWERS, COMMITTEE_ROLES, COMMUNITY_ROLES, AnswerField
from .models import CodiFormYear, DataKeeping

FY_MIN, FY_MAX = 2500, 2700
POPULATION_MAX = 10_000_000
VILLAGES_MAX = 999
MEMBERS_MAX = 10_000_000
MONEY_MAX = Decimal("999999999999.99")
CENT = Decimal("0.01")


def _label(key: str) -> str:
    if key == "community_population":
        return str(CodiFormYear._meta.get_field("community_population").verbose_name)
    if key == "villages_total":
        return str(CodiFormYear._meta.get_field("villages_total").verbose_name)
    if key == "data_keeping":
        return str(CodiFormYear._meta.get_field("data_keeping").verbose_name)
    return str(ANSWERS[key].label)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(key: str, value: Any, *, low: int, high: int) -> int | None:
    if _blank(value):
        return None
    text = to_arabic_digits(str(value)).replace(",", "").strip()
    try:
        number = int(text)
    except ValueError:
        raise ValidationError({key: _("%(f)s: ต้องเป็นจำนวนเต็ม") % {"f": _label(key)}}) from None
    if number < low:
        raise ValidationError(
            {key: _("%(f)s: ต้องไม่น้อยกว่า %(n)s") % {"f": _label(key), "n": f"{low:,}"}}
        )
    if number > high:
        raise ValidationError(
            {key: _("%(f)s: ต้องไม่เกิน %(n)s") % {"f": _label(key), "n": f"{high:,}"}}
        )
    return number


def _money(key: str, value: Any) -> str | None:
    if _blank(value):
        return None
    text = to_arabic_digits(str(value)).replace(",", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({key: _("%(f)s: อ่านเป็นจำนวนเงินไม่ได้") % {"f": _label(key)}}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({key: _("%(f)s: ใส่ได้ถึงสตางค์ (ทศนิยม 2 ตำแหน่ง)") % {"f": _label(key)}})
    if amount < 0:
        raise ValidationError({key: _("%(f)s: ต้องไม่ติดลบ") % {"f": _label(key)}})
    if amount > MONEY_MAX:
        raise ValidationError({key: _("%(f)s: มากเกินไป") % {"f": _label(key)}})
    return str(amount.quantize(CENT))


def _clean_answer(f: AnswerField, value: Any) -> Any:
    if f.kind == "int":
        return _int(f.key, value, low=0, high=MEMBERS_MAX)
    if f.kind == "money":
        return _money(f.key, value)
    if f.kind == "choice":
        if _blank(value):
            return None
        if value not in dict(f.choices):
            raise ValidationError({f.key: _("%(f)s: เลือกจากรายการ") % {"f": f.label}})
        return value
    if f.kind == "choices":
        values = (
            [] if _blank(value) else list(value if isinstance(value, list | tuple) else [value])
        )
        known = dict(f.choices)
        for v in values:
            if v not in known:
                raise ValidationError({f.key: _("%(f)s: เลือกจากรายการ") % {"f": f.label}})
        return [v for v, _label_ in f.choices if v in values] or None
    text = "" if value is None else str(value).strip()
    if len(text) > f.max_length:
        raise ValidationError(
            {
                f.key: _("%(f)s: ยาวได้ไม่เกิน %(n)s ตัวอักษร (ตอนนี้ %(m)s)")
                % {"f": f.label, "n": f"{f.max_length:,}", "m": f"{len(text):,}"}
            }
        )
    if f.kind == "line" and "\n" in text:
        raise ValidationError({f.key: _("%(f)s: พิมพ์ได้บรรทัดเดียว") % {"f": f.label}})
    return text or None


def _community_roles(fund: Fund, value: Any) -> dict[str, str]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({COMMUNITY_ROLES: _("บทบาทในชุมชน: อ่านข้อมูลไม่ได้")})
    known = set(
        RoleAssignment.objects.filter(org_unit=fund.org_unit, role__in=COMMITTEE_ROLES).values_list(
            "pk", flat=True
        )
    )
    out = {}
    for key, text in value.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = -1
        if pk not in known:
            raise ValidationError(
                {COMMUNITY_ROLES: _("บทบาทในชุมชน: ไม่ใช่กรรมการของกองทุนนี้ (%(k)s)") % {"k": key}}
            )
        clean = str(text or "").strip()
        if len(clean) > 200:
            raise ValidationError({COMMUNITY_ROLES: _("บทบาทในชุมชน: ยาวได้ไม่เกิน 200 ตัวอักษรต่อคน")})
        if clean:
            out[str(pk)] = clean
    return out


@transaction.atomic
def codi_form_save(
    *,
    actor: Any,
    fund: Fund,
    fiscal_year: int,
    community_population: Any = None,
    villages_total: Any = None,
    data_keeping: str = DataKeeping.DATABASE,
    answers: dict[str, Any] | None = None,
) -> CodiFormYear:
    """Save what only people know for fiscal year ``fiscal_year`` (BE) of ``fund``: the whole
    set of answers replaces the year's previous one. Needs ``Perm.MANAGE_FUND`` at the fund."""
    if not user_can(actor, Perm.MANAGE_FUND, fund.org_unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))
    if not FY_MIN <= int(fiscal_year) <= FY_MAX:
        raise ValidationError({"fiscal_year": _("ปีงบประมาณ: ต้องเป็นปี พ.ศ. เช่น 2568")})
    population = _int("community_population", community_population, low=0, high=POPULATION_MAX)
    villages = _int("villages_total", villages_total, low=1, high=VILLAGES_MAX)
    if data_keeping not in DataKeeping.values:
        raise ValidationError(
            {"data_keeping": _("%(f)s: เลือกจากรายการ") % {"f": _label("data_keeping")}}
        )
    given = dict(answers or {})
    unknown = set(given) - set(ANSWERS) - {COMMUNITY_ROLES}
    if unknown:
        raise ValidationError(_("ไม่รู้จักข้อมูล: %(k)s") % {"k": ", ".join(sorted(unknown))})
    clean: dict[str, Any] = {}
    for key, f in ANSWERS.items():
        value = _clean_answer(f, given.get(key))
        if value is not None:
            clean[key] = value
    roles = _community_roles(fund, given.get(COMMUNITY_ROLES))
    if roles:
        clean[COMMUNITY_ROLES] = roles
    record = (
        CodiFormYear.objects.select_for_update().filter(fund=fund, fiscal_year=fiscal_year).first()
    )
    if record is None:
        record = CodiFormYear(fund=fund, fiscal_year=fiscal_year)
    record.community_population = population
    record.villages_total = villages
    record.data_keeping = data_keeping
    record.answers = clean
    record.updated_by = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # a second save of a new year at the same moment
        raise ValidationError(_("มีผู้บันทึกแบบของปีนี้พร้อมกัน กรุณาลองอีกครั้ง")) from exc
    return record
