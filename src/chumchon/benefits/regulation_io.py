"""A regulation version as a readable YAML or JSON file, and back into a new draft.

The file has English field names and the fund's own Thai text as values; codes (``per_unit``,
``fiscal``, category ``"02"``) stand for choices, and on import the Thai label of a choice is
accepted as well. Amounts are whole numbers or text with two decimals ("12.50"), never floats;
dates are ``YYYY-MM-DD`` (a Buddhist Era ``dd/mm/yyyy`` is accepted on import).

Importing reads the whole file first and reports every problem with its path in Thai
("สวัสดิการ[2].ขั้น[1].จำนวนเงิน: ต้องเป็นตัวเลข"); nothing is written unless all of it is
good. It always creates a new draft: adopted versions are never changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chumchon.core.thai import ThaiDateError, parse_be_date, to_arabic_digits
from chumchon.funds.chart import BENEFIT_CATEGORIES
from chumchon.funds.models import Fund, MemberType

from . import services_regulation as svc
from .models import (
    AmountKind,
    BenefitType,
    DurationUnit,
    LimitMeasure,
    LimitPeriod,
    Payee,
    Recurrence,
    RegulationVersion,
    SexCondition,
    Standing,
)

FORMAT = "chumchon.regulation"
FORMAT_VERSION = 1
MAX_BYTES = 512 * 1024
EXPORT_BENEFIT_FIELDS = tuple(f for f in svc.BENEFIT_FIELDS if f != "order")
TOP_FIELDS = ("format", "format_version", "title", "effective_from", "preamble", "benefits")
TOP_NAMES = {
    "title": "ชื่อระเบียบ",
    "effective_from": "วันที่มีผลบังคับใช้",
    "preamble": "หลักการและเหตุผล",
    "benefits": "สวัสดิการ",
    "format": "format",
    "format_version": "format_version",
}
# Choice fields: their Thai labels are read as their codes on import.
_CHOICES: dict[str, Any] = {
    "payee": Payee,
    "waiting_unit": DurationUnit,
    "standing": Standing,
    "amount_kind": AmountKind,
    "sex": SexCondition,
    "recurrence": Recurrence,
}
_TIER_CHOICES: dict[str, Any] = {"from_unit": DurationUnit, "to_unit": DurationUnit}
_LIMIT_CHOICES: dict[str, Any] = {"measure": LimitMeasure, "period": LimitPeriod}


# --- export -----------------------------------------------------------------------------------


def _num(value: Decimal | None) -> int | str | None:
    """A whole amount as a number, anything else as text with its decimals (never a float)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return f"{value:.2f}"


def version_document(version: RegulationVersion) -> dict[str, Any]:
    """The version as plain data in a fixed order (what both files hold)."""
    benefits = []
    for b in (
        BenefitType.objects.filter(version=version)
        .prefetch_related("tiers", "limits")
        .order_by("order", "pk")
    ):
        data = svc.benefit_data(b)
        item: dict[str, Any] = {name: data[name] for name in EXPORT_BENEFIT_FIELDS}
        item["amount"] = _num(item["amount"])
        item["tiers"] = [
            {
                **t,
                "amount": _num(t["amount"]),
                "step_amount": _num(t["step_amount"]),
                "max_amount": _num(t["max_amount"]),
            }
            for t in data["tiers"]
        ]
        item["limits"] = [{**lim, "maximum": _num(lim["maximum"])} for lim in data["limits"]]
        benefits.append(item)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": version.title,
        "effective_from": version.effective_from.isoformat(),
        "preamble": version.preamble,
        "benefits": benefits,
    }


def export_yaml(version: RegulationVersion) -> str:
    return yaml.safe_dump(
        version_document(version),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def export_json(version: RegulationVersion) -> str:
    return json.dumps(version_document(version), ensure_ascii=False, indent=2) + "\n"


def export_name(version: RegulationVersion, ext: str) -> str:
    """An ASCII file name: regulation-<fund>-v<number>-<effective date>.<ext>"""
    return (
        f"regulation-{version.fund_id}-v{version.number}-{version.effective_from.isoformat()}.{ext}"
    )


# --- import -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    errors: list[str] = field(default_factory=list)  # the file cannot be imported
    problems: list[str] = field(default_factory=list)  # imported, but not yet adoptable
    sentences: list[str] = field(default_factory=list)  # each benefit in plain Thai
    title: str = ""
    effective_from: dt.date | None = None
    version: RegulationVersion | None = None  # the new draft (None in a dry run or on errors)

    @property
    def ok(self) -> bool:
        return not self.errors


class _DryRun(Exception):
    pass


def parse(content: bytes | str, *, kind: str | None = None) -> tuple[Any, list[str]]:
    """The file's data, or the reason it cannot be read (Thai, with the line number)."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            return None, [_("ไฟล์ใหญ่เกินไป (ไม่เกิน %(n)s KB)") % {"n": MAX_BYTES // 1024}]
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [_("อ่านไฟล์ไม่ได้: ต้องเป็นข้อความ UTF-8 (ไฟล์ YAML หรือ JSON)")]
    else:
        text = content
    if not text.strip():
        return None, [_("ไฟล์ว่างเปล่า")]
    if kind == "json" or (kind is None and text.lstrip().startswith(("{", "["))):
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            return None, [
                _("อ่านไฟล์ JSON ไม่ได้ บรรทัดที่ %(line)s: %(msg)s")
                % {"line": exc.lineno, "msg": exc.msg}
            ]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        return None, [
            _("อ่านไฟล์ YAML ไม่ได้ บรรทัดที่ %(line)s: %(msg)s")
            % {"line": line, "msg": getattr(exc, "problem", None) or str(exc)}
        ]


def _from_label(value: Any, choices: Any) -> Any:
    """A choice given by its Thai label becomes its code; anything else is left as it is."""
    if isinstance(value, str):
        text = value.strip()
        for code, label in choices.choices:
            if text == str(label) or text == _(str(label)):
                return code
    return value


def _category(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:02d}"
    if isinstance(value, str):
        text = to_arabic_digits(value.strip())
        for code, name in BENEFIT_CATEGORIES:
            if text in (str(name), _(str(name)), f"{code} {name}"):
                return code
        return text
    return value


def _member_types(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_label(v, MemberType) for v in value]
    return value


def _date(value: Any, label: str, errors: list[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = to_arabic_digits(value.strip())
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return parse_be_date(text)
        except ThaiDateError as exc:
            errors.append(f"{label}: {exc}")
            return None
    errors.append(_("%(f)s: ต้องระบุวันที่ เช่น 2025-10-01 หรือ 01/10/2568") % {"f": label})
    return None


def _unknown_keys(data: Mapping[str, Any], known: Any, path: str, errors: list[str]) -> None:
    for key in data:
        if key not in known:
            errors.append(
                _("%(p)s: ไม่รู้จักช่อง “%(k)s”") % {"p": f"{path}.{key}" if path else key, "k": key}
            )


def _rows(
    value: Any, names: dict[str, str], choices: dict[str, Any], path: str, errors: list[str]
) -> Any:
    if not isinstance(value, list):
        return value  # clean_benefit names the field
    out = []
    for i, row in enumerate(value, start=1):
        if isinstance(row, Mapping):
            _unknown_keys(row, names, f"{path}[{i}]", errors)
            row = {k: (_from_label(v, choices[k]) if k in choices else v) for k, v in row.items()}
        out.append(row)
    return out


def read_document(data: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """The header and the cleaned benefits of a parsed file, and every error found (with paths).

    Nothing is written. The benefits come back in the shape ``benefit_save`` takes.
    """
    errors: list[str] = []
    if not isinstance(data, Mapping):
        header: dict[str, Any] = {"title": "", "effective_from": None, "preamble": ""}
        return header, [], [_("ไฟล์ต้องเป็นชุดข้อมูลที่มี title, effective_from และ benefits")]
    _unknown_keys(data, TOP_FIELDS, "", errors)
    if "format" in data and data["format"] != FORMAT:
        errors.append(_("format: ต้องเป็น “%(f)s” (ไฟล์นี้ไม่ใช่ระเบียบที่ส่งออกจากระบบ)") % {"f": FORMAT})
    version_no = data.get("format_version", FORMAT_VERSION)
    if (
        not isinstance(version_no, int)
        or isinstance(version_no, bool)
        or version_no > FORMAT_VERSION
    ):
        errors.append(_("format_version: ระบบนี้อ่านได้ถึงรุ่น %(n)s") % {"n": FORMAT_VERSION})
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(_("%(f)s: ต้องระบุ") % {"f": TOP_NAMES["title"]})
        title = ""
    elif len(title.strip()) > 300:
        errors.append(_("%(f)s: ยาวเกิน 300 ตัวอักษร") % {"f": TOP_NAMES["title"]})
    effective = _date(data.get("effective_from"), TOP_NAMES["effective_from"], errors)
    preamble = data.get("preamble") or ""
    if not isinstance(preamble, str):
        errors.append(_("%(f)s: ต้องเป็นข้อความ") % {"f": TOP_NAMES["preamble"]})
        preamble = ""
    raw_benefits = data.get("benefits")
    if raw_benefits is None:
        raw_benefits = []
    if not isinstance(raw_benefits, list):
        errors.append(_("%(f)s: ต้องเป็นรายการ") % {"f": TOP_NAMES["benefits"]})
        raw_benefits = []
    benefits: list[dict[str, Any]] = []
    codes: dict[str, int] = {}
    for i, raw in enumerate(raw_benefits, start=1):
        path = f"{TOP_NAMES['benefits']}[{i}]"
        if not isinstance(raw, Mapping):
            errors.append(_("%(p)s: ต้องเป็นชุดข้อมูลของสวัสดิการ") % {"p": path})
            continue
        _unknown_keys(raw, (*EXPORT_BENEFIT_FIELDS, "tiers", "limits"), path, errors)
        item = {k: v for k, v in raw.items() if k != "order"}
        for name, choices in _CHOICES.items():
            if name in item:
                item[name] = _from_label(item[name], choices)
        if "category" in item:
            item["category"] = _category(item["category"])
        if "member_types" in item:
            item["member_types"] = _member_types(item["member_types"])
        if isinstance(item.get("documents"), list):
            bad = [d for d in item["documents"] if not isinstance(d, (str, int))]
            if bad:
                errors.append(_("%(p)s.เอกสาร: ต้องเป็นรายการข้อความ") % {"p": path})
        for text_field in ("name", "code", "unit_name", "description"):
            value = item.get(text_field)
            if value is not None and not isinstance(value, (str, int)):
                errors.append(
                    _("%(p)s: ต้องเป็นข้อความ") % {"p": f"{path}.{svc.PATH_NAMES[text_field]}"}
                )
                item[text_field] = ""
        item["tiers"] = _rows(
            item.get("tiers") or [],
            svc.TIER_PATH_NAMES,
            _TIER_CHOICES,
            f"{path}.{svc.PATH_NAMES['tiers']}",
            errors,
        )
        item["limits"] = _rows(
            item.get("limits") or [],
            svc.LIMIT_PATH_NAMES,
            _LIMIT_CHOICES,
            f"{path}.{svc.PATH_NAMES['limits']}",
            errors,
        )
        item["order"] = i
        try:
            svc.clean_benefit(item, path=path)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        code = str(item.get("code") or "").strip().lower()
        if code in codes:
            errors.append(
                _("%(p)s: “%(c)s” ซ้ำกับ%(o)s")
                % {
                    "p": f"{path}.{svc.PATH_NAMES['code']}",
                    "c": code,
                    "o": f"{TOP_NAMES['benefits']}[{codes[code]}]",
                }
            )
        codes.setdefault(code, i)
        benefits.append(item)
    header = {
        "title": str(title).strip(),
        "effective_from": effective,
        "preamble": preamble,
    }
    return header, benefits, errors


def regulation_import(
    *,
    fund: Fund,
    actor: Any,
    content: bytes | str,
    kind: str | None = None,
    dry_run: bool = False,
    title: str | None = None,
    effective_from: dt.date | None = None,
) -> ImportResult:
    """Read a YAML or JSON file into a new draft of ``fund``'s regulation, all or nothing.

    ``title`` / ``effective_from`` replace the file's when given. A dry run does everything in a
    transaction that is rolled back, so it reports the same errors and problems as the real run.
    """
    data, errors = parse(content, kind=kind)
    result = ImportResult(errors=errors)
    if errors:
        return result
    header, benefits, errors = read_document(data)
    if title:
        header["title"] = title.strip()
    if effective_from:
        header["effective_from"] = effective_from
    result.errors = errors
    result.title = header["title"]
    result.effective_from = header["effective_from"]
    if errors:
        return result
    try:
        with transaction.atomic():
            version = svc.version_create_draft(
                fund=fund,
                actor=actor,
                title=header["title"],
                effective_from=header["effective_from"],
                preamble=header["preamble"],
            )
            for item in benefits:
                svc.benefit_save(version=version, actor=actor, data=item)
            result.problems = svc.validate(version)
            result.sentences = [
                svc.benefit_sentence(b)
                for b in BenefitType.objects.filter(version=version)
                .prefetch_related("tiers", "limits")
                .order_by("order", "pk")
            ]
            if dry_run:
                raise _DryRun
            result.version = version
    except _DryRun:
        pass
    except ValidationError as exc:
        result.errors = list(exc.messages)
        result.problems = []
        result.sentences = []
    return result
