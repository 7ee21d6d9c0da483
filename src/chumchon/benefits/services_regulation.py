"""Writing a fund's benefit regulation: drafts, their benefits (with tiers and limits), validation,
adoption by a resolution, and the approval rules of claims.

A draft can be edited freely and may hold contradictions while the committee works on it;
``validate`` lists them in Thai and ``version_adopt`` refuses while any remain. An adopted version
never changes again: every write here locks the version row and refuses unless it is a draft.
Values that the database cannot hold (an amount missing, an unknown category, a duplicate code)
are refused at once by ``benefit_save`` with a ValidationError naming the field.

``benefit_sentence`` and ``benefit_details`` put a benefit into plain Thai; the screens and the
printed regulation share them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chumchon.areas.selectors import user_can
from chumchon.core.permissions import Perm, Role, role_allows
from chumchon.core.thai import THAI_MONTHS, format_baht, format_be_date, to_arabic_digits
from chumchon.funds.chart import BENEFIT_CATEGORIES
from chumchon.funds.models import Fund, MemberType

from .models import (
    AmountKind,
    ApprovalRule,
    BenefitLimit,
    BenefitTier,
    BenefitType,
    DurationUnit,
    LimitMeasure,
    LimitPeriod,
    Payee,
    Recurrence,
    RegulationVersion,
    SexCondition,
    Standing,
    VersionState,
)

CENT = Decimal("0.01")
MAX_MONEY = Decimal("1000000000")
MAX_AGE = 130
MAX_WAITING_DAYS = 100 * 366

BENEFIT_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "category",
    "description",
    "order",
    "payee",
    "waiting_n",
    "waiting_unit",
    "standing",
    "standing_arrears_days",
    "amount_kind",
    "amount",
    "unit_name",
    "min_age",
    "max_age",
    "sex",
    "member_types",
    "recurrence",
    "run_month",
    "documents",
)
TIER_FIELDS: tuple[str, ...] = (
    "from_n",
    "from_unit",
    "to_n",
    "to_unit",
    "amount",
    "step_amount",
    "max_amount",
)
LIMIT_FIELDS: tuple[str, ...] = ("measure", "period", "start_month", "maximum")
CATEGORY_CODES = frozenset(code for code, _name in BENEFIT_CATEGORIES)
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _require(user: Any, perm: str, unit: Any) -> None:
    if not user_can(user, perm, unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))


def _today() -> dt.date:
    return timezone.localdate()


def _label(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def approver_roles() -> list[str]:
    """The roles that may approve claims (an approval rule may name only these)."""
    return [str(r) for r in Role if role_allows(r, Perm.APPROVE_CLAIM)]


# --- reading typed values ---------------------------------------------------------------------


class _Errors:
    """Collects per-field messages; ``raise_if_any`` raises one ValidationError with all."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(
    value: Any,
    errors: _Errors,
    field: str,
    label: str,
    *,
    lo: int = 0,
    hi: int | None = None,
    required: bool = False,
) -> int | None:
    if _blank(value):
        if required:
            errors.add(field, _("%(f)s: ต้องระบุ") % {"f": label})
        return None
    if isinstance(value, bool):
        errors.add(field, _("%(f)s: ต้องเป็นจำนวนเต็ม") % {"f": label})
        return None
    try:
        number = Decimal(to_arabic_digits(str(value)).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.add(field, _("%(f)s: ต้องเป็นจำนวนเต็ม") % {"f": label})
        return None
    if not number.is_finite() or number != number.to_integral_value():
        errors.add(field, _("%(f)s: ต้องเป็นจำนวนเต็ม") % {"f": label})
        return None
    n = int(number)
    if n < lo:
        errors.add(field, _("%(f)s: ต้องไม่น้อยกว่า %(n)s") % {"f": label, "n": lo})
        return None
    if hi is not None and n > hi:
        errors.add(field, _("%(f)s: ต้องไม่เกิน %(n)s") % {"f": label, "n": hi})
        return None
    return n


def _dec(
    value: Any,
    errors: _Errors,
    field: str,
    label: str,
    *,
    allow_zero: bool = False,
    required: bool = False,
) -> Decimal | None:
    if _blank(value):
        if required:
            errors.add(field, _("%(f)s: ต้องระบุ") % {"f": label})
        return None
    if isinstance(value, bool):
        errors.add(field, _("%(f)s: ต้องเป็นตัวเลข") % {"f": label})
        return None
    try:
        number = Decimal(to_arabic_digits(str(value)).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.add(field, _("%(f)s: ต้องเป็นตัวเลข") % {"f": label})
        return None
    if not number.is_finite():
        errors.add(field, _("%(f)s: ต้องเป็นตัวเลข") % {"f": label})
        return None
    if number != number.quantize(CENT):
        errors.add(field, _("%(f)s: ใส่ได้ถึงทศนิยม 2 ตำแหน่ง") % {"f": label})
        return None
    if number < 0 or (number == 0 and not allow_zero):
        message = _("%(f)s: ต้องไม่ติดลบ") if allow_zero else _("%(f)s: ต้องมากกว่าศูนย์")
        errors.add(field, message % {"f": label})
        return None
    if number >= MAX_MONEY:
        errors.add(field, _("%(f)s: มากเกินไป") % {"f": label})
        return None
    return number.quantize(CENT)


def _choice(
    value: Any, choices: Any, errors: _Errors, field: str, label: str, default: str | None = None
) -> str:
    text = "" if value is None else str(value).strip()
    if text == "" and default is not None:
        return default
    if text in {str(c) for c in choices.values}:
        return text
    errors.add(field, _("%(f)s: ไม่รู้จักค่า “%(v)s”") % {"f": label, "v": text})
    return default if default is not None else ""


def _text(
    value: Any, errors: _Errors, field: str, label: str, *, max_length: int, required: bool = False
) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.add(field, _("%(f)s: ต้องระบุ") % {"f": label})
    elif len(text) > max_length:
        errors.add(field, _("%(f)s: ยาวเกิน %(n)s ตัวอักษร") % {"f": label, "n": max_length})
    return text


def _str_list(value: Any, errors: _Errors, field: str, label: str, *, max_length: int) -> list[str]:
    if _blank(value):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        errors.add(field, _("%(f)s: ต้องเป็นรายการ") % {"f": label})
        return []
    out: list[str] = []
    for item in value:
        text = str(item).strip() if item is not None else ""
        if not text:
            continue
        if len(text) > max_length:
            errors.add(
                field,
                _("%(f)s: “%(v)s” ยาวเกิน %(n)s ตัวอักษร")
                % {"f": label, "v": text[:30], "n": max_length},
            )
            continue
        if text not in out:
            out.append(text)
    return out


# --- benefits as plain data -------------------------------------------------------------------


@dataclass
class CleanBenefit:
    fields: dict[str, Any]
    tiers: list[dict[str, Any]]
    limits: list[dict[str, Any]]


# Short Thai names of the fields, for paths in imported files ("สวัสดิการ[2].ขั้น[1].จำนวนเงิน").
PATH_NAMES: dict[str, str] = {
    "code": "รหัส",
    "name": "ชื่อ",
    "category": "หมวด",
    "description": "รายละเอียด",
    "order": "ลำดับ",
    "payee": "ผู้รับเงิน",
    "waiting_n": "ระยะรอสิทธิ์",
    "waiting_unit": "หน่วยระยะรอสิทธิ์",
    "standing": "สถานะสมาชิก",
    "standing_arrears_days": "ค้างชำระได้ไม่เกิน",
    "amount_kind": "วิธีคิดจำนวนเงิน",
    "amount": "จำนวนเงิน",
    "unit_name": "หน่วย",
    "min_age": "อายุตั้งแต่",
    "max_age": "อายุไม่เกิน",
    "sex": "เพศ",
    "member_types": "ประเภทสมาชิก",
    "recurrence": "การจ่าย",
    "run_month": "เดือนที่จ่าย",
    "documents": "เอกสาร",
    "tiers": "ขั้น",
    "limits": "เพดาน",
}
TIER_PATH_NAMES: dict[str, str] = {
    "from_n": "ตั้งแต่",
    "from_unit": "หน่วยตั้งแต่",
    "to_n": "ถึงก่อน",
    "to_unit": "หน่วยถึงก่อน",
    "amount": "จำนวนเงิน",
    "step_amount": "เพิ่มต่อปี",
    "max_amount": "ไม่เกิน",
}
LIMIT_PATH_NAMES: dict[str, str] = {
    "measure": "สิ่งที่จำกัด",
    "period": "ช่วงเวลา",
    "start_month": "เดือนเริ่มปี",
    "maximum": "ไม่เกิน",
}


def _benefit_label(path: str | None) -> Any:
    def label(name: str) -> str:
        if path is None:
            return _label(BenefitType, name)
        return f"{path}.{PATH_NAMES[name]}"

    return label


def _row_label(
    model: Any, names: dict[str, str], path: str | None, row_word: str, path_word: str, i: int
) -> Any:
    def label(name: str) -> str:
        if path is None:
            return f"{row_word} {i} · {_label(model, name)}" if name in names else f"{row_word} {i}"
        base = f"{path}.{path_word}[{i}]"
        return f"{base}.{names[name]}" if name in names else base

    return label


def clean_benefit(
    data: Mapping[str, Any],
    *,
    version: RegulationVersion | None = None,
    exclude_pk: int | None = None,
    path: str | None = None,
) -> CleanBenefit:
    """Read one benefit (fields, ``tiers`` and ``limits``) to typed values, or raise a
    ValidationError naming every field the database could not hold.

    Tier and limit messages go under ``tiers`` / ``limits`` and name the row ("ขั้นที่ 2 ·
    จำนวนเงิน: ..."); with ``path`` ("สวัสดิการ[2]") every message starts with the field's path
    in an imported file instead. Contradictions that can be stored (gaps between tiers and the
    like) are left to :func:`validate`.
    """
    e = _Errors()
    L = _benefit_label(path)
    f: dict[str, Any] = {}
    code = _text(data.get("code"), e, "code", L("code"), max_length=40, required=True).lower()
    if code and not CODE_RE.match(code):
        e.add(
            "code",
            _("%(f)s: ใช้ได้เฉพาะอักษรอังกฤษตัวเล็ก ตัวเลข - และ _ เช่น hospital") % {"f": L("code")},
        )
    elif code and version is not None and version.pk:
        dup = BenefitType.objects.filter(version=version, code=code)
        if exclude_pk:
            dup = dup.exclude(pk=exclude_pk)
        if dup.exists():
            e.add("code", _("%(f)s: “%(v)s” ใช้กับสวัสดิการอื่นในฉบับนี้แล้ว") % {"f": L("code"), "v": code})
    f["code"] = code
    f["name"] = _text(data.get("name"), e, "name", L("name"), max_length=200, required=True)
    category = "" if data.get("category") is None else str(data.get("category")).strip()
    if category.isdigit() and len(category) == 1:
        category = "0" + category
    if category not in CATEGORY_CODES:
        e.add(
            "category",
            _("%(f)s: ไม่รู้จักหมวด “%(v)s” (ใช้ 01 ถึง 16)") % {"f": L("category"), "v": category},
        )
    f["category"] = category
    f["description"] = _text(
        data.get("description"), e, "description", L("description"), max_length=4000
    )
    f["order"] = _int(data.get("order"), e, "order", L("order"), hi=32000) or 0
    f["payee"] = _choice(data.get("payee"), Payee, e, "payee", L("payee"), Payee.MEMBER)
    f["waiting_n"] = (
        _int(data.get("waiting_n"), e, "waiting_n", L("waiting_n"), hi=MAX_WAITING_DAYS) or 0
    )
    f["waiting_unit"] = _choice(
        data.get("waiting_unit"),
        DurationUnit,
        e,
        "waiting_unit",
        L("waiting_unit"),
        DurationUnit.DAYS,
    )
    f["standing"] = _choice(
        data.get("standing"), Standing, e, "standing", L("standing"), Standing.NOT_LAPSED
    )
    f["standing_arrears_days"] = _int(
        data.get("standing_arrears_days"),
        e,
        "standing_arrears_days",
        L("standing_arrears_days"),
        hi=3650,
    )
    f["amount_kind"] = _choice(
        data.get("amount_kind"), AmountKind, e, "amount_kind", L("amount_kind"), AmountKind.FIXED
    )
    amount = _dec(data.get("amount"), e, "amount", L("amount"))
    if amount is None and f["amount_kind"] != AmountKind.TIERED and "amount" not in e.by_field:
        e.add(
            "amount",
            _("%(f)s: ต้องระบุเมื่อจ่าย%(kind)s")
            % {"f": L("amount"), "kind": AmountKind(f["amount_kind"]).label},
        )
    f["amount"] = amount
    f["unit_name"] = _text(data.get("unit_name"), e, "unit_name", L("unit_name"), max_length=30)
    f["min_age"] = _int(data.get("min_age"), e, "min_age", L("min_age"), hi=MAX_AGE)
    f["max_age"] = _int(data.get("max_age"), e, "max_age", L("max_age"), hi=MAX_AGE)
    if f["min_age"] is not None and f["max_age"] is not None and f["min_age"] > f["max_age"]:
        e.add(
            "max_age",
            _("%(f)s: ต้องไม่น้อยกว่าอายุตั้งแต่ (%(n)s ปี)") % {"f": L("max_age"), "n": f["min_age"]},
        )
    f["sex"] = _choice(data.get("sex"), SexCondition, e, "sex", L("sex"), SexCondition.ANY)
    types = _str_list(data.get("member_types"), e, "member_types", L("member_types"), max_length=20)
    for t in types:
        if t not in MemberType.values:
            e.add(
                "member_types", _("%(f)s: ไม่รู้จักประเภท “%(v)s”") % {"f": L("member_types"), "v": t}
            )
    f["member_types"] = [t for t in MemberType.values if t in types]
    f["recurrence"] = _choice(
        data.get("recurrence"), Recurrence, e, "recurrence", L("recurrence"), Recurrence.NONE
    )
    f["run_month"] = _int(data.get("run_month"), e, "run_month", L("run_month"), lo=1, hi=12)
    f["documents"] = _str_list(
        data.get("documents"), e, "documents", L("documents"), max_length=200
    )
    tiers = _clean_tiers(data.get("tiers") or [], e, path)
    limits = _clean_limits(data.get("limits") or [], e, path)
    e.raise_if_any()
    return CleanBenefit(fields=f, tiers=tiers, limits=limits)


def _clean_tiers(rows: Any, e: _Errors, path: str | None = None) -> list[dict[str, Any]]:
    if not isinstance(rows, (list, tuple)):
        e.add("tiers", _("%(f)s: ต้องเป็นรายการ") % {"f": _benefit_label(path)("tiers")})
        return []
    out = []
    for i, row in enumerate(rows, start=1):
        sub = _Errors()
        L = _row_label(BenefitTier, TIER_PATH_NAMES, path, _("ขั้นที่"), "ขั้น", i)
        if not isinstance(row, Mapping):
            e.add("tiers", _("%(f)s: ต้องเป็นชุดข้อมูลของขั้น") % {"f": L("")})
            continue
        t: dict[str, Any] = {
            "from_n": _int(
                row.get("from_n"), sub, "from_n", L("from_n"), hi=MAX_WAITING_DAYS, required=True
            ),
            "from_unit": _choice(
                row.get("from_unit"),
                DurationUnit,
                sub,
                "from_unit",
                L("from_unit"),
                DurationUnit.YEARS,
            ),
            "to_n": _int(row.get("to_n"), sub, "to_n", L("to_n"), hi=MAX_WAITING_DAYS),
            "to_unit": _choice(
                row.get("to_unit"), DurationUnit, sub, "to_unit", L("to_unit"), DurationUnit.YEARS
            ),
            "amount": _dec(
                row.get("amount"), sub, "amount", L("amount"), allow_zero=True, required=True
            ),
            "step_amount": _dec(row.get("step_amount"), sub, "step_amount", L("step_amount")),
            "max_amount": _dec(row.get("max_amount"), sub, "max_amount", L("max_amount")),
        }
        if t["step_amount"] is not None and t["to_n"] is not None:
            sub.add(
                "step_amount",
                _("%(f)s: ใช้ได้เฉพาะขั้นบนสุดที่ไม่มี “ถึงก่อน” (ขั้นนี้ปิดที่ %(to)s)")
                % {"f": L("step_amount"), "to": duration_text(t["to_n"], t["to_unit"])},
            )
        for msgs in sub.by_field.values():
            for m in msgs:
                e.add("tiers", m)
        out.append(t)
    return out


def _clean_limits(rows: Any, e: _Errors, path: str | None = None) -> list[dict[str, Any]]:
    if not isinstance(rows, (list, tuple)):
        e.add("limits", _("%(f)s: ต้องเป็นรายการ") % {"f": _benefit_label(path)("limits")})
        return []
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows, start=1):
        sub = _Errors()
        L = _row_label(BenefitLimit, LIMIT_PATH_NAMES, path, _("เพดานที่"), "เพดาน", i)
        if not isinstance(row, Mapping):
            e.add("limits", _("%(f)s: ต้องเป็นชุดข้อมูลของเพดาน") % {"f": L("")})
            continue
        lim: dict[str, Any] = {
            "measure": _choice(row.get("measure"), LimitMeasure, sub, "measure", L("measure")),
            "period": _choice(row.get("period"), LimitPeriod, sub, "period", L("period")),
            "start_month": _int(
                row.get("start_month"), sub, "start_month", L("start_month"), lo=1, hi=12
            ),
            "maximum": _dec(row.get("maximum"), sub, "maximum", L("maximum"), required=True),
        }
        if lim["period"] == LimitPeriod.YEAR_FROM_MONTH and lim["start_month"] is None:
            sub.add("start_month", _("%(f)s: ต้องระบุเมื่อนับปีจากเดือนที่กำหนด") % {"f": L("start_month")})
        key = (lim["measure"], lim["period"])
        if not sub.by_field and key in seen:
            sub.add(
                "period",
                _("%(f)s: ซ้ำกับเพดานก่อนหน้า (%(m)s %(p)s) ให้เหลือแถวเดียว")
                % {"f": L(""), "m": LimitMeasure(key[0]).label, "p": LimitPeriod(key[1]).label},
            )
        seen.add(key)
        for msgs in sub.by_field.values():
            for m in msgs:
                e.add("limits", m)
        out.append(lim)
    return out


def benefit_data(benefit: BenefitType) -> dict[str, Any]:
    """One benefit as plain data (the shape ``benefit_save`` takes): copies, export, forms."""
    data: dict[str, Any] = {name: getattr(benefit, name) for name in BENEFIT_FIELDS}
    data["member_types"] = list(benefit.member_types or [])
    data["documents"] = list(benefit.documents or [])
    data["tiers"] = [{n: getattr(t, n) for n in TIER_FIELDS} for t in _tiers_of(benefit)]
    data["limits"] = [{n: getattr(lim, n) for n in LIMIT_FIELDS} for lim in _limits_of(benefit)]
    return data


def _tiers_of(benefit: BenefitType) -> list[BenefitTier]:
    return sorted(benefit.tiers.all(), key=lambda t: (_days(t.from_n, t.from_unit), t.pk or 0))


def _limits_of(benefit: BenefitType) -> list[BenefitLimit]:
    return sorted(benefit.limits.all(), key=lambda x: x.pk or 0)


# --- versions ---------------------------------------------------------------------------------


def _lock_draft(version: RegulationVersion, actor: Any) -> RegulationVersion:
    """The version row, locked; refuses an adopted version or an actor without the permission."""
    locked = (
        RegulationVersion.objects.select_for_update()
        .select_related("fund__org_unit")
        .get(pk=version.pk)
    )
    _require(actor, Perm.MANAGE_REGULATION, locked.fund.org_unit)
    if locked.state != VersionState.DRAFT:
        raise ValidationError(
            _(
                "ระเบียบฉบับที่ %(n)s ประกาศใช้แล้ว แก้ไขหรือลบไม่ได้ หากต้องการเปลี่ยน ให้สร้างฉบับใหม่"
                "โดยคัดลอกจากฉบับนี้ แล้วเสนอที่ประชุมรับรอง"
            )
            % {"n": locked.number}
        )
    return locked


def _check_header(e: _Errors, title: Any, effective_from: Any) -> tuple[str, dt.date | None]:
    text = _text(
        title, e, "title", _label(RegulationVersion, "title"), max_length=300, required=True
    )
    if effective_from is None or not isinstance(effective_from, dt.date):
        e.add(
            "effective_from",
            _("%(f)s: ต้องระบุ") % {"f": _label(RegulationVersion, "effective_from")},
        )
        return text, None
    return text, effective_from


@transaction.atomic
def version_create_draft(
    *,
    fund: Fund,
    actor: Any,
    title: str,
    effective_from: dt.date,
    based_on: RegulationVersion | None = None,
    preamble: str | None = None,
) -> RegulationVersion:
    """A new draft, blank or a copy of ``based_on`` (its benefits, tiers and limits)."""
    _require(actor, Perm.MANAGE_REGULATION, fund.org_unit)
    e = _Errors()
    title, effective = _check_header(e, title, effective_from)
    if based_on is not None and based_on.fund_id != fund.pk:
        e.add("based_on", _("แก้ไขจากฉบับ: ต้องเป็นระเบียบของกองทุนนี้"))
    if preamble is None:
        preamble = based_on.preamble if based_on is not None else ""
    preamble = _text(
        preamble, e, "preamble", _label(RegulationVersion, "preamble"), max_length=20000
    )
    e.raise_if_any()
    assert effective is not None
    Fund.objects.select_for_update().get(pk=fund.pk)  # numbers are given one at a time
    number = (RegulationVersion.objects.filter(fund=fund).aggregate(n=Max("number"))["n"] or 0) + 1
    version = RegulationVersion.objects.create(
        fund=fund,
        number=number,
        title=title,
        effective_from=effective,
        preamble=preamble,
        based_on=based_on,
        created_by=actor,
    )
    if based_on is not None:
        for b in _benefits_of(based_on):
            _benefit_write(version, clean_benefit(benefit_data(b)), None)
    return version


@transaction.atomic
def version_update(
    *,
    version: RegulationVersion,
    actor: Any,
    title: str | None = None,
    effective_from: dt.date | None = None,
    preamble: str | None = None,
) -> RegulationVersion:
    """Change a draft's title, effective date or preamble (only the ones given)."""
    locked = _lock_draft(version, actor)
    e = _Errors()
    new_title, new_date = _check_header(
        e,
        locked.title if title is None else title,
        locked.effective_from if effective_from is None else effective_from,
    )
    if preamble is not None:
        locked.preamble = _text(
            preamble, e, "preamble", _label(RegulationVersion, "preamble"), max_length=20000
        )
    e.raise_if_any()
    locked.title, locked.effective_from = new_title, new_date  # type: ignore[assignment]
    locked.save(update_fields=["title", "effective_from", "preamble"])
    return locked


@transaction.atomic
def version_delete_draft(*, version: RegulationVersion, actor: Any) -> None:
    """Delete a draft with its benefits; drafts copied from it keep the lineage one step up."""
    locked = _lock_draft(version, actor)
    RegulationVersion.objects.filter(based_on=locked).update(based_on=locked.based_on)
    locked.delete()


@transaction.atomic
def version_adopt(
    *,
    version: RegulationVersion,
    actor: Any,
    resolution_meeting: str,
    resolution_date: dt.date | None,
    resolution_no: str = "",
) -> RegulationVersion:
    """Record the resolution that adopted a draft. Refuses, listing every problem, while
    :func:`validate` finds any; one adopted version per fund and effective date."""
    locked = _lock_draft(version, actor)
    e = _Errors()
    meeting = _text(
        resolution_meeting,
        e,
        "resolution_meeting",
        _label(RegulationVersion, "resolution_meeting"),
        max_length=300,
        required=True,
    )
    number = _text(
        resolution_no, e, "resolution_no", _label(RegulationVersion, "resolution_no"), max_length=60
    )
    if resolution_date is None:
        e.add(
            "resolution_date",
            _("%(f)s: ต้องระบุ") % {"f": _label(RegulationVersion, "resolution_date")},
        )
    elif resolution_date > _today():
        e.add(
            "resolution_date",
            _("%(f)s: ต้องไม่เป็นวันในอนาคต (บันทึกมติหลังการประชุม)")
            % {"f": _label(RegulationVersion, "resolution_date")},
        )
    clash = RegulationVersion.objects.filter(
        fund_id=locked.fund_id, state=VersionState.ADOPTED, effective_from=locked.effective_from
    ).first()
    if clash is not None:
        e.add(
            "effective_from",
            _(
                "วันที่มีผลบังคับใช้: ระเบียบฉบับที่ %(n)s ประกาศใช้แล้วโดยมีผลวันที่ %(d)s เช่นกัน "
                "กองทุนมีระเบียบที่มีผลในวันเดียวกันได้ฉบับเดียว ให้เปลี่ยนวันที่มีผลของร่างนี้"
            )
            % {"n": clash.number, "d": format_be_date(clash.effective_from, "long")},
        )
    problems = validate(locked)
    if problems:
        e.by_field.setdefault("__all__", []).extend(
            [_("ประกาศใช้ไม่ได้ ระเบียบยังมีปัญหา %(n)s ข้อ:") % {"n": len(problems)}, *problems]
        )
    e.raise_if_any()
    locked.state = VersionState.ADOPTED
    locked.resolution_meeting = meeting
    locked.resolution_date = resolution_date
    locked.resolution_no = number
    locked.adopted_by = actor
    locked.adopted_at = timezone.now()
    try:
        with transaction.atomic():  # two drafts of the same date adopted at once: one wins
            locked.save(
                update_fields=[
                    "state",
                    "resolution_meeting",
                    "resolution_date",
                    "resolution_no",
                    "adopted_by",
                    "adopted_at",
                ]
            )
    except IntegrityError:
        raise ValidationError(
            {
                "effective_from": _(
                    "วันที่มีผลบังคับใช้: มีระเบียบที่ประกาศใช้แล้วซึ่งมีผลวันเดียวกัน ให้เปลี่ยนวันที่มีผลของร่างนี้"
                )
            }
        ) from None
    return locked


# --- benefits ---------------------------------------------------------------------------------


def _benefits_of(version: RegulationVersion) -> list[BenefitType]:
    return list(
        BenefitType.objects.filter(version=version)
        .prefetch_related("tiers", "limits")
        .order_by("order", "pk")
    )


def _benefit_write(
    version: RegulationVersion, clean: CleanBenefit, benefit: BenefitType | None
) -> BenefitType:
    if benefit is None:
        benefit = BenefitType(version=version)
        if not clean.fields.get("order"):
            top = BenefitType.objects.filter(version=version).aggregate(n=Max("order"))["n"]
            clean.fields["order"] = (top or 0) + 1
    for name, value in clean.fields.items():
        setattr(benefit, name, value)
    benefit.save()
    benefit.tiers.all().delete()
    benefit.limits.all().delete()
    BenefitTier.objects.bulk_create([BenefitTier(benefit=benefit, **t) for t in clean.tiers])
    BenefitLimit.objects.bulk_create([BenefitLimit(benefit=benefit, **lim) for lim in clean.limits])
    return benefit


@transaction.atomic
def benefit_save(
    *,
    version: RegulationVersion,
    actor: Any,
    data: Mapping[str, Any],
    benefit: BenefitType | None = None,
) -> BenefitType:
    """Add a benefit to a draft, or replace one (its tiers and limits come with ``data``)."""
    locked = _lock_draft(version, actor)
    if benefit is not None and benefit.version_id != locked.pk:
        raise ValidationError(_("สวัสดิการนี้ไม่ได้อยู่ในระเบียบฉบับนี้"))
    clean = clean_benefit(data, version=locked, exclude_pk=benefit.pk if benefit else None)
    return _benefit_write(locked, clean, benefit)


def suggest_code(version: RegulationVersion, category: str) -> str:
    """A free code for a new benefit of ``category`` when the committee leaves it blank."""
    taken = set(BenefitType.objects.filter(version=version).values_list("code", flat=True))
    base = f"cat{category}" if category in CATEGORY_CODES else "benefit"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def benefit_delete(*, benefit: BenefitType, actor: Any) -> None:
    _lock_draft(benefit.version, actor)
    BenefitType.objects.filter(pk=benefit.pk).delete()


# --- validation -------------------------------------------------------------------------------

_APPROX_DAYS = {DurationUnit.DAYS: 1.0, DurationUnit.MONTHS: 30.4375, DurationUnit.YEARS: 365.25}


def _days(n: int | None, unit: str) -> float:
    """A duration in days, roughly (to order tiers); ``None`` (no top) is infinite."""
    if n is None:
        return float("inf")
    return n * _APPROX_DAYS.get(unit, 1.0)  # type: ignore[call-overload]


def _exact(n: int, unit: str) -> tuple[str, int]:
    """A duration where months and years compare exactly (1 year = 12 months); days alone."""
    if unit == DurationUnit.YEARS:
        return ("m", n * 12)
    if unit == DurationUnit.MONTHS:
        return ("m", n)
    return ("d", n)


def duration_text(n: int | None, unit: str) -> str:
    if n is None:
        return ""
    return f"{n:,} {DurationUnit(unit).label}"


def _tier_problems(b: BenefitType, tiers: Sequence[BenefitTier]) -> list[str]:
    out: list[str] = []
    if b.amount_kind != AmountKind.TIERED:
        if tiers:
            out.append(
                _(
                    "มีขั้นตามอายุสมาชิก %(n)s ขั้น แต่วิธีคิดจำนวนเงินเป็น “%(kind)s” "
                    "ให้ลบขั้นออก หรือเปลี่ยนวิธีคิดเป็นตามอายุการเป็นสมาชิก"
                )
                % {"n": len(tiers), "kind": AmountKind(b.amount_kind).label}
            )
        return out
    if b.amount is not None:
        out.append(
            _("จำนวนเงิน: จ่ายตามอายุการเป็นสมาชิกใช้จำนวนเงินของแต่ละขั้น ให้ลบจำนวนเงิน %(a)s บาทออก")
            % {"a": baht(b.amount)}
        )
    if not tiers:
        out.append(_("ขั้นตามอายุสมาชิก: ยังไม่มีขั้นเลย ต้องมีอย่างน้อยหนึ่งขั้น"))
        return out
    ordered = sorted(tiers, key=lambda t: (_days(t.from_n, t.from_unit), _days(t.to_n, t.to_unit)))
    where = {id(t): i for i, t in enumerate(ordered, start=1)}
    for t in ordered:
        i = where[id(t)]
        if t.to_n is not None and _days(t.to_n, t.to_unit) <= _days(t.from_n, t.from_unit):
            out.append(
                _("ขั้นที่ %(i)s: “ถึงก่อน” %(to)s ต้องมากกว่า “ตั้งแต่” %(fr)s")
                % {
                    "i": i,
                    "to": duration_text(t.to_n, t.to_unit),
                    "fr": duration_text(t.from_n, t.from_unit),
                }
            )
        if t.step_amount is not None and t.to_n is not None:
            out.append(_("ขั้นที่ %(i)s: เพิ่มต่อปีใช้ได้เฉพาะขั้นบนสุดที่ไม่มี “ถึงก่อน”") % {"i": i})
        if t.max_amount is not None and t.step_amount is None:
            out.append(_("ขั้นที่ %(i)s: “ไม่เกิน” ใช้คู่กับ “เพิ่มต่อปีเต็มที่เกิน” เท่านั้น") % {"i": i})
        if t.max_amount is not None and t.max_amount < t.amount:
            out.append(
                _("ขั้นที่ %(i)s: “ไม่เกิน” %(mx)s บาท น้อยกว่าจำนวนเงินของขั้น %(a)s บาท")
                % {"i": i, "mx": baht(t.max_amount), "a": baht(t.amount)}
            )
    first = ordered[0]
    waiting = _days(b.waiting_n, b.waiting_unit)
    if first.from_n > 0 and _days(first.from_n, first.from_unit) > waiting:
        out.append(
            _(
                "ขั้นที่ 1 เริ่มที่ %(fr)s สมาชิกที่เป็นสมาชิกน้อยกว่านั้น (หลังพ้นระยะรอสิทธิ์) ไม่อยู่ในขั้นใด "
                "ให้เพิ่มขั้นเริ่มที่ 0 (ใส่ 0 บาทหากไม่จ่าย)"
            )
            % {"fr": duration_text(first.from_n, first.from_unit)}
        )
    for prev, nxt in itertools.pairwise(ordered):
        i, j = where[id(prev)], where[id(nxt)]
        if prev.to_n is None:
            out.append(
                _("ขั้นที่ %(i)s ไม่มี “ถึงก่อน” (ขั้นบนสุด) แต่ยังมีขั้นที่ %(j)s ต่อจากนั้น ช่วงอายุสมาชิกจึงซ้อนกัน")
                % {"i": i, "j": j}
            )
            continue
        top, start = _exact(prev.to_n, prev.to_unit), _exact(nxt.from_n, nxt.from_unit)
        if top == start:
            continue
        values = {
            "i": i,
            "j": j,
            "to": duration_text(prev.to_n, prev.to_unit),
            "fr": duration_text(nxt.from_n, nxt.from_unit),
        }
        if top[0] != start[0]:
            out.append(
                _(
                    "ขั้นที่ %(i)s ถึงก่อน %(to)s แต่ขั้นที่ %(j)s เริ่ม %(fr)s ต่างหน่วยกัน จึงอาจมีช่องว่าง"
                    "หรือซ้อนกันไม่กี่วัน ให้ใช้หน่วยเดียวกันที่รอยต่อ"
                )
                % values
            )
        elif top[1] < start[1]:
            out.append(
                _(
                    "ช่องว่างระหว่างขั้น: ขั้นที่ %(i)s สิ้นสุดก่อน %(to)s แต่ขั้นที่ %(j)s เริ่ม %(fr)s "
                    "สมาชิกในช่วงนั้นไม่อยู่ในขั้นใด"
                )
                % values
            )
        else:
            out.append(_("ขั้นซ้อนกัน: ขั้นที่ %(i)s ถึงก่อน %(to)s แต่ขั้นที่ %(j)s เริ่มแล้วตั้งแต่ %(fr)s") % values)
    last = ordered[-1]
    if last.to_n is not None:
        out.append(
            _(
                "ไม่มีขั้นบนสุด: ขั้นสุดท้ายสิ้นสุดก่อน %(to)s สมาชิกที่เป็นสมาชิกนานกว่านั้นไม่อยู่ในขั้นใด "
                "ให้เว้น “ถึงก่อน” ของขั้นสุดท้ายว่างไว้"
            )
            % {"to": duration_text(last.to_n, last.to_unit)}
        )
    if all(t.amount == 0 and not t.step_amount for t in ordered):
        out.append(_("ขั้นตามอายุสมาชิก: ทุกขั้นเป็น 0 บาท สวัสดิการนี้จะไม่จ่ายใครเลย"))
    return out


def _limit_problems(b: BenefitType, limits: Sequence[BenefitLimit]) -> list[str]:
    out: list[str] = []
    for i, lim in enumerate(limits, start=1):
        what = _("เพดานที่ %(i)s (%(m)s %(p)s)") % {
            "i": i,
            "m": LimitMeasure(lim.measure).label,
            "p": LimitPeriod(lim.period).label,
        }
        if lim.measure == LimitMeasure.UNITS and b.amount_kind != AmountKind.PER_UNIT:
            out.append(_("%(w)s: จำกัดจำนวนหน่วยได้เฉพาะสวัสดิการที่จ่ายต่อหน่วย") % {"w": what})
        if lim.measure == LimitMeasure.COUNT and lim.period == LimitPeriod.EVENT:
            out.append(_("%(w)s: จำนวนครั้งต่อครั้งไม่มีความหมาย ให้เลือกช่วงเวลาอื่น") % {"w": what})
        if lim.period != LimitPeriod.YEAR_FROM_MONTH and lim.start_month is not None:
            out.append(_("%(w)s: ใส่เดือนเริ่มปีได้เฉพาะเมื่อนับปีจากเดือนที่กำหนด") % {"w": what})
        if lim.period == LimitPeriod.YEAR_FROM_MONTH and lim.start_month is None:
            out.append(_("%(w)s: ต้องระบุเดือนเริ่มปี") % {"w": what})
        if lim.measure in (LimitMeasure.UNITS, LimitMeasure.COUNT) and lim.maximum != int(
            lim.maximum
        ):
            out.append(_("%(w)s: จำนวนต้องเป็นจำนวนเต็ม") % {"w": what})
        if (
            lim.measure == LimitMeasure.AMOUNT
            and b.amount_kind == AmountKind.FIXED
            and b.amount is not None
            and lim.maximum < b.amount
        ):
            out.append(
                _("%(w)s: เพดาน %(mx)s บาท น้อยกว่าจำนวนเงินที่จ่ายต่อครั้ง %(a)s บาท ไม่มีใครได้รับเต็มจำนวน")
                % {"w": what, "mx": baht(lim.maximum), "a": baht(b.amount)}
            )
    return out


def benefit_problems(b: BenefitType) -> list[str]:
    """What is wrong with one saved benefit, in Thai (empty when it can be adopted)."""
    tiers = _tiers_of(b)
    limits = _limits_of(b)
    out: list[str] = []
    try:
        clean_benefit(benefit_data(b))
    except ValidationError as exc:
        out.extend(exc.messages)
    L = lambda name: _label(BenefitType, name)  # noqa: E731
    if b.amount_kind == AmountKind.PER_UNIT and not b.unit_name:
        out.append(_("%(f)s: ต้องระบุเมื่อจ่ายต่อหน่วย เช่น คืน หรือ คน") % {"f": L("unit_name")})
    if b.standing == Standing.ARREARS_WITHIN and b.standing_arrears_days is None:
        out.append(
            _("%(f)s: ต้องระบุเมื่อเลือกค้างชำระไม่เกินจำนวนวันที่กำหนด") % {"f": L("standing_arrears_days")}
        )
    if b.standing != Standing.ARREARS_WITHIN and b.standing_arrears_days is not None:
        out.append(
            _("%(f)s: ใช้เฉพาะเมื่อเลือก “ค้างชำระไม่เกินจำนวนวันที่กำหนด” ให้ลบออก")
            % {"f": L("standing_arrears_days")}
        )
    if b.recurrence == Recurrence.YEARLY and b.run_month is None:
        out.append(_("%(f)s: สวัสดิการที่จ่ายเป็นรอบปีต้องระบุเดือนที่จ่าย") % {"f": L("run_month")})
    if b.recurrence != Recurrence.YEARLY and b.run_month is not None:
        out.append(_("%(f)s: ใช้เฉพาะสวัสดิการที่จ่ายเป็นรอบปีละครั้ง ให้ลบออก") % {"f": L("run_month")})
    if b.recurrence and b.amount_kind == AmountKind.PER_UNIT:
        out.append(
            _("%(f)s: สวัสดิการที่จ่ายเป็นรอบไม่มีจำนวนหน่วยให้คิด ให้ใช้จำนวนเงินคงที่หรือตามอายุสมาชิก")
            % {"f": L("amount_kind")}
        )
    waiting_days = _days(b.waiting_n, b.waiting_unit)
    if b.max_age is not None and waiting_days > _days(b.max_age + 1, DurationUnit.YEARS):
        out.append(
            _("%(f)s: รอ %(w)s นานกว่าอายุสูงสุด %(a)s ปี ไม่มีใครได้รับสิทธิ์")
            % {"f": L("waiting_n"), "w": duration_text(b.waiting_n, b.waiting_unit), "a": b.max_age}
        )
    elif b.waiting_n and waiting_days > _days(MAX_AGE, DurationUnit.YEARS):
        out.append(
            _("%(f)s: %(w)s นานเกินกว่าที่ใครจะเป็นสมาชิกได้")
            % {"f": L("waiting_n"), "w": duration_text(b.waiting_n, b.waiting_unit)}
        )
    out.extend(_tier_problems(b, tiers))
    out.extend(_limit_problems(b, limits))
    return out


def problems_by_benefit(version: RegulationVersion) -> tuple[list[str], dict[int, list[str]]]:
    """The version's own problems, and each benefit's (by benefit id, only those with any)."""
    own: list[str] = []
    if not (version.title or "").strip():
        own.append(_("ชื่อระเบียบ: ต้องระบุ"))
    benefits = _benefits_of(version)
    if not benefits:
        own.append(_("ระเบียบยังไม่มีสวัสดิการเลย ต้องมีอย่างน้อยหนึ่งประเภท"))
    by_benefit: dict[int, list[str]] = {}
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for b in benefits:
        found = benefit_problems(b)
        if b.code in codes:
            found.append(_("รหัสสวัสดิการ: “%(c)s” ซ้ำกับ “%(o)s”") % {"c": b.code, "o": codes[b.code]})
        if b.name in names:
            found.append(
                _("ชื่อสวัสดิการ: ซ้ำกับสวัสดิการรหัส “%(o)s” ผู้ยื่นคำขอจะสับสน ให้ตั้งชื่อต่างกัน")
                % {"o": names[b.name]}
            )
        codes.setdefault(b.code, b.name)
        names.setdefault(b.name, b.code)
        if found:
            by_benefit[b.pk] = found
    return own, by_benefit


def validate(version: RegulationVersion) -> list[str]:
    """Every problem that stops a version being adopted, in Thai, each naming its benefit."""
    own, by_benefit = problems_by_benefit(version)
    names = dict(BenefitType.objects.filter(version=version).values_list("pk", "name"))
    out = list(own)
    for pk, found in by_benefit.items():
        out.extend(f"{names.get(pk, '')}: {p}" for p in found)
    return out


# --- approval rules ---------------------------------------------------------------------------


@transaction.atomic
def approval_rules_set(
    *,
    fund: Fund,
    actor: Any,
    rules: Iterable[tuple[Decimal | int | str, int, Sequence[str]]],
) -> list[ApprovalRule]:
    """Replace the fund's approval rules: from each amount up, how many approvals by which roles.

    The lowest threshold must be 0 so every claim has a rule; a bigger amount may not need
    fewer approvals than a smaller one.
    """
    _require(actor, Perm.MANAGE_REGULATION, fund.org_unit)
    Fund.objects.select_for_update().get(pk=fund.pk)
    allowed = approver_roles()
    e = _Errors()
    clean: list[tuple[Decimal, int, list[str]]] = []
    seen: set[Decimal] = set()
    for i, (min_amount, approvals, roles) in enumerate(rules, start=1):
        sub = _Errors()
        row = _("เกณฑ์ที่ %(i)s · %(f)s")
        amount = _dec(
            min_amount,
            sub,
            "min_amount",
            row % {"i": i, "f": _label(ApprovalRule, "min_amount")},
            allow_zero=True,
            required=True,
        )
        n = _int(
            approvals,
            sub,
            "approvals",
            row % {"i": i, "f": _label(ApprovalRule, "approvals")},
            lo=1,
            hi=20,
            required=True,
        )
        role_list = [str(r) for r in (roles or [])]
        if not role_list:
            sub.add(
                "roles",
                (row % {"i": i, "f": _label(ApprovalRule, "roles")})
                + ": "
                + _("ต้องเลือกอย่างน้อยหนึ่งบทบาท"),
            )
        for r in role_list:
            if r not in allowed:
                label = Role(r).label if r in Role.values else r
                sub.add(
                    "roles",
                    (row % {"i": i, "f": _label(ApprovalRule, "roles")})
                    + ": "
                    + _("“%(r)s” ไม่มีสิทธิ์อนุมัติคำขอรับสวัสดิการ") % {"r": label},
                )
        if amount is not None and amount in seen:
            sub.add(
                "min_amount",
                (row % {"i": i, "f": _label(ApprovalRule, "min_amount")})
                + ": "
                + _("%(a)s บาท ซ้ำกับเกณฑ์ก่อนหน้า") % {"a": baht(amount)},
            )
        for field, msgs in sub.by_field.items():
            for m in msgs:
                e.add(field, m)
        if not sub.by_field and amount is not None and n is not None:
            seen.add(amount)
            clean.append((amount, n, [r for r in allowed if r in role_list]))
    clean.sort(key=lambda r: r[0])
    if clean and not e.by_field:
        if clean[0][0] != 0:
            e.add("min_amount", _("ยอดเงินตั้งแต่: เกณฑ์แรกต้องเริ่มที่ 0 บาท มิฉะนั้นคำขอยอดน้อยจะไม่มีเกณฑ์อนุมัติ"))
        for (a1, n1, _r1), (a2, n2, _r2) in itertools.pairwise(clean):
            if n2 < n1:
                e.add(
                    "approvals",
                    _(
                        "จำนวนผู้อนุมัติ: ยอดตั้งแต่ %(a2)s บาท ต้องใช้ผู้อนุมัติไม่น้อยกว่ายอดตั้งแต่ "
                        "%(a1)s บาท (%(n1)s คน)"
                    )
                    % {"a1": baht(a1), "a2": baht(a2), "n1": n1},
                )
    e.raise_if_any()
    ApprovalRule.objects.filter(fund=fund).delete()
    return ApprovalRule.objects.bulk_create(
        [ApprovalRule(fund=fund, min_amount=a, approvals=n, roles=r) for a, n, r in clean]
    )


def approval_rule_text(rule: ApprovalRule) -> str:
    """ "คำขอยอดตั้งแต่ 10,000 บาท ต้องมีผู้อนุมัติ 3 คน จากประธาน, กรรมการ" """
    roles = ", ".join(str(Role(r).label) for r in rule.roles if r in Role.values)
    return _("คำขอยอดตั้งแต่ %(a)s บาท ต้องมีผู้อนุมัติ %(n)s คน จาก%(roles)s") % {
        "a": baht(rule.min_amount),
        "n": rule.approvals,
        "roles": roles,
    }


# --- plain Thai -------------------------------------------------------------------------------


def baht(amount: Decimal | int) -> str:
    """ "150", "1,500", "12.50": no satang when the amount is whole."""
    value = Decimal(amount)
    return format_baht(value, 0) if value == value.to_integral_value() else format_baht(value)


def _quantity(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value.normalize():,}"


def month_name(month: int) -> str:
    return _(THAI_MONTHS[month - 1])


_PERIOD_WORDS = {
    LimitPeriod.EVENT: gettext_noop("ต่อครั้ง"),
    LimitPeriod.CALENDAR_YEAR: gettext_noop("ต่อปีปฏิทิน"),
    LimitPeriod.FISCAL_YEAR: gettext_noop("ต่อปีบัญชี"),
    LimitPeriod.MEMBERSHIP_YEAR: gettext_noop("ต่อปีสมาชิก"),
    LimitPeriod.LIFETIME: gettext_noop("ตลอดการเป็นสมาชิก"),
}
_PERIOD_ORDER = [
    LimitPeriod.EVENT,
    LimitPeriod.MEMBERSHIP_YEAR,
    LimitPeriod.YEAR_FROM_MONTH,
    LimitPeriod.CALENDAR_YEAR,
    LimitPeriod.FISCAL_YEAR,
    LimitPeriod.LIFETIME,
]


def limit_text(lim: BenefitLimit, unit_name: str) -> str:
    """ "ไม่เกิน 15 คืนต่อปีบัญชี" """
    if lim.measure == LimitMeasure.UNITS:
        what = f"{_quantity(lim.maximum)} {unit_name or _('หน่วย')}"
    elif lim.measure == LimitMeasure.COUNT:
        what = _("%(n)s ครั้ง") % {"n": _quantity(lim.maximum)}
    else:
        what = _("%(a)s บาท") % {"a": baht(lim.maximum)}
    if lim.period == LimitPeriod.YEAR_FROM_MONTH:
        period = _("ต่อปีที่เริ่มเดือน%(m)s") % {"m": month_name(lim.start_month or 1)}
    else:
        period = _(_PERIOD_WORDS[LimitPeriod(lim.period)])
    return _("ไม่เกิน %(what)s%(period)s") % {"what": what, "period": period}


def tier_text(t: BenefitTier) -> str:
    """ "ครบ 10 ปีขึ้นไป 15,000 บาท และเพิ่มปีละ 300 บาทสำหรับทุกปีเต็มที่เกิน 10 ปี รวมไม่เกิน 25,000 บาท" """
    fr, to = duration_text(t.from_n, t.from_unit), duration_text(t.to_n, t.to_unit)
    if t.to_n is None:
        span = _("ครบ %(fr)sขึ้นไป") % {"fr": fr} if t.from_n else _("ทุกอายุการเป็นสมาชิก")
    elif t.from_n == 0:
        span = _("ไม่ถึง %(to)s") % {"to": to}
    else:
        span = _("ครบ %(fr)s แต่ไม่ถึง %(to)s") % {"fr": fr, "to": to}
    if t.amount == 0 and not t.step_amount:
        return _("%(span)s ไม่ได้รับ") % {"span": span}
    text = _("%(span)s %(a)s บาท") % {"span": span, "a": baht(t.amount)}
    if t.step_amount:
        text += _(" และเพิ่มปีละ %(s)s บาทสำหรับทุกปีเต็มที่เกิน %(fr)s") % {
            "s": baht(t.step_amount),
            "fr": fr,
        }
    if t.max_amount is not None:
        text += _(" รวมไม่เกิน %(mx)s บาท") % {"mx": baht(t.max_amount)}
    return text


def benefit_sentence(b: BenefitType) -> str:
    """The benefit in one Thai sentence: what it pays, its caps and the waiting period, e.g.
    "ค่ารักษาพยาบาล คืนละ 150 บาท ไม่เกิน 5 คืนต่อครั้ง และไม่เกิน 15 คืนต่อปีบัญชี
    มีสิทธิ์เมื่อเป็นสมาชิกครบ 90 วัน"."""
    parts = [b.name]
    per = {Recurrence.YEARLY: _("ปีละ"), Recurrence.MONTHLY: _("เดือนละ")}.get(
        Recurrence(b.recurrence or ""), ""
    )
    if b.amount_kind == AmountKind.TIERED:
        tiers = _tiers_of(b)
        head = {
            Recurrence.YEARLY: _("จ่ายปีละครั้งตามอายุการเป็นสมาชิก"),
            Recurrence.MONTHLY: _("จ่ายเดือนละครั้งตามอายุการเป็นสมาชิก"),
        }.get(Recurrence(b.recurrence or ""), _("จ่ายตามอายุการเป็นสมาชิก"))
        parts.append(head + (": " + "; ".join(tier_text(t) for t in tiers) if tiers else ""))
    elif b.amount is not None:
        if b.amount_kind == AmountKind.PER_UNIT:
            parts.append(
                _("%(unit)sละ %(a)s บาท") % {"unit": b.unit_name or _("หน่วย"), "a": baht(b.amount)}
            )
        else:
            parts.append(_("%(per)s %(a)s บาท") % {"per": per or _("ครั้งละ"), "a": baht(b.amount)})
    limits = sorted(
        _limits_of(b),
        key=lambda x: (_PERIOD_ORDER.index(LimitPeriod(x.period)), x.measure),
    )
    if limits:
        parts.append(_(" และ").join(limit_text(lim, b.unit_name) for lim in limits))
    if b.waiting_n:
        parts.append(
            _("มีสิทธิ์เมื่อเป็นสมาชิกครบ %(w)s") % {"w": duration_text(b.waiting_n, b.waiting_unit)}
        )
    return " ".join(p for p in parts if p)


def benefit_details(b: BenefitType) -> list[str]:
    """The rest of the benefit's rules, one Thai sentence each (standing, who, payee, documents)."""
    out: list[str] = []
    if b.standing == Standing.NOT_LAPSED:
        out.append(_("ณ วันที่เกิดเหตุ ต้องยังไม่ขาดสมาชิกภาพ (ค้างชำระอยู่ได้)"))
    elif b.standing == Standing.NO_ARREARS:
        out.append(_("ณ วันที่เกิดเหตุ ต้องไม่ค้างชำระเงินสมทบ"))
    elif b.standing == Standing.ARREARS_WITHIN:
        out.append(
            _("ณ วันที่เกิดเหตุ ค้างชำระได้ไม่เกิน %(n)s วัน")
            % {
                "n": b.standing_arrears_days
                if b.standing_arrears_days is not None
                else _("(ยังไม่ระบุ)")
            }
        )
    who = []
    if b.min_age is not None and b.max_age is not None:
        who.append(_("อายุ %(a)s ถึง %(b)s ปี") % {"a": b.min_age, "b": b.max_age})
    elif b.min_age is not None:
        who.append(_("อายุ %(a)s ปีขึ้นไป") % {"a": b.min_age})
    elif b.max_age is not None:
        who.append(_("อายุไม่เกิน %(b)s ปี") % {"b": b.max_age})
    if b.sex:
        who.append(_("เพศ%(s)s") % {"s": SexCondition(b.sex).label})
    if b.member_types:
        labels = [str(MemberType(t).label) for t in b.member_types if t in MemberType.values]
        who.append(_("ประเภท%(t)s") % {"t": ", ".join(labels)})
    if who:
        out.append(_("เฉพาะสมาชิก%(who)s ณ วันที่เกิดเหตุ") % {"who": " ".join(who)})
    if b.recurrence == Recurrence.YEARLY:
        out.append(
            _("จ่ายเป็นรอบปีละครั้งในเดือน%(m)s ให้สมาชิกทุกคนที่มีสิทธิ์ โดยไม่ต้องยื่นคำขอ")
            % {"m": month_name(b.run_month) if b.run_month else _("(ยังไม่ระบุ)")}
        )
    elif b.recurrence == Recurrence.MONTHLY:
        out.append(_("จ่ายเป็นรอบทุกเดือน ให้สมาชิกทุกคนที่มีสิทธิ์ โดยไม่ต้องยื่นคำขอ"))
    if b.payee == Payee.BENEFICIARY:
        out.append(_("จ่ายให้ผู้รับผลประโยชน์ที่สมาชิกระบุไว้"))
    else:
        out.append(_("จ่ายให้สมาชิก"))
    if b.documents:
        out.append(_("เอกสารที่ต้องใช้: %(d)s") % {"d": ", ".join(b.documents)})
    if b.description:
        out.append(b.description)
    return out


def versions_with_benefits(fund: Fund) -> list[RegulationVersion]:
    """The fund's versions, newest effective date first, each with benefits, tiers and limits."""
    return list(
        RegulationVersion.objects.filter(fund=fund)
        .prefetch_related(
            Prefetch("benefits", queryset=BenefitType.objects.order_by("order", "pk")),
        )
        .order_by("-effective_from", "-number")
    )
