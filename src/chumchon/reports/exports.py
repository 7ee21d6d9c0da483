"""Every list of the app as an Excel workbook: the registry of exportable lists and the writer.

Each kind of export names the list it copies (the persons list, a fund's members, receipts,
collection days, claims, the books ...). It reads the **same GET parameters** the list screen
reads, parses them with the same rules and Thai messages (a filter that cannot be read exports
nothing, never everything), goes through the same ``*_visible_to(user)`` selector, and keeps
the list's order. So the file holds exactly the rows the list shows, on every page of it.

Writing: openpyxl in write-only mode into a temporary file; rows come from the database in
chunks (``iterator(chunk_size=...)``, mostly ``values_list``), so no queryset is ever held whole
and nothing is cut off: a sheet that reaches Excel's row limit continues on a second sheet.

One rule for cells, the one ``funds/exporting.py`` set and the import reads back:

- dates are **text in the Buddhist Era, วว/ดด/ปปปป** ("05/01/2568"), never date cells (a date
  cell shows a Christian year on most computers, and a year typed back in by hand would then
  be read 543 years off);
- money is a number cell with two decimals (``#,##0.00``), counts and member numbers are
  number cells, everything else is text (ID numbers and house numbers stay text);
- row 1 is the Thai header, frozen; a second sheet "เกี่ยวกับไฟล์นี้" says what the file is:
  the list, its filters, how many rows, who exported it and when.

Small exports (``DIRECT_MAX_ROWS`` rows or fewer by count) are written in the request; larger
ones become an ``ExportJob`` that ``export_tasks.run_export`` writes in the background. A job
keeps the org-unit paths the export covered (``params["scope"]``): only its owner downloads the
file, and only while their live roles still cover every one of those paths.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chumchon.areas import selectors as area_sel
from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.core.permissions import Perm, role_allows
from chumchon.core.querying import prefix_q
from chumchon.core.thai import (
    ThaiDateError,
    age_on,
    fiscal_year,
    fiscal_year_bounds,
    format_be_date,
    format_be_datetime,
    mask_national_id,
    parse_be_date,
    to_arabic_digits,
)
from chumchon.funds import selectors as fund_sel
from chumchon.funds.exporting import MONEY_FORMAT
from chumchon.funds.models import Fund, MembershipState, MemberType, PaymentMethod
from chumchon.ledger import selectors as ledger_sel
from chumchon.ledger.models import DEBIT_NORMAL, Account, Posting, Side
from chumchon.people import selectors as people_sel
from chumchon.people.models import HouseholdMember, Person, Relation, Sex

from .models import ExportJob, ExportState

log = logging.getLogger(__name__)

DIRECT_MAX_ROWS = 5000  # at most this many rows (by count): the file is made in the request
CHUNK = 2000  # rows fetched from the database at a time
PROGRESS_EVERY = 500  # a background job writes its progress every this many rows
SHEET_MAX_ROWS = 1_048_575  # data rows per sheet (Excel's limit, less the header row)
KEEP_DAYS = 7  # finished jobs and their files are removed after this many days
ALL = "*"  # the scope of a superuser's export: everything
ZERO = Decimal("0.00")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AGE_LIMIT = 150  # the highest age the persons filter accepts (as on the list)
MINE_SCAN_LIMIT = 500  # as the claims list: "awaiting my decision" looks at this many claims


class ExportNotFound(Exception):
    """The record the export names is not one the user may see (or does not exist)."""


@dataclass(frozen=True)
class Col:
    header: str
    width: int = 14
    kind: str = "text"  # "text", "money" (a number with two decimals) or "int"


@dataclass
class Prepared:
    """One kind of export bound to a user and the list's parameters: ready to count and write."""

    kind: str
    title: str  # the list and what it is of: "ใบเสร็จรับเงิน · กองทุน..."
    sheet: str
    columns: list[Col]
    rows: Callable[[], Iterator[Sequence[Any]]]
    count: int  # rows the file will hold (an upper bound where a status is derived per row)
    org_unit: OrgUnit
    scope: list[str]  # org-unit paths the rows come from (what a download must still cover)
    perm: str
    query: dict[str, str]  # the list's parameters, as they were given (only the ones it reads)
    summary: list[str] = field(default_factory=list)  # the filters in force, in words
    errors: dict[str, str] = field(default_factory=dict)  # filters that could not be read
    full_ids: bool = False
    by: str = ""

    @property
    def direct(self) -> bool:
        return self.count <= DIRECT_MAX_ROWS


@dataclass(frozen=True)
class Kind:
    key: str
    title: Any  # lazy Thai
    perm: str
    params: tuple[str, ...]  # the GET names the list reads
    build: Callable[[Any, dict[str, str], dt.date], Prepared]
    needs_fund: bool = True


# ---------------------------------------------------------------- scope


def _covering(user: Any, perm: str) -> list[str] | None:
    """Paths of the units where the user's live roles allow ``perm``; None for a superuser."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    cache_name = f"_export_paths_{perm}"  # per user instance: one request or one task run
    cached = getattr(user, cache_name, None)
    if cached is not None:
        return list(cached)
    paths = sorted(
        {ra.org_unit.path for ra in area_sel.active_roles(user) if role_allows(ra.role, perm)}
    )
    minimal: list[str] = []
    for p in paths:
        if not any(p.startswith(m) for m in minimal):
            minimal.append(p)
    setattr(user, cache_name, tuple(minimal))
    return minimal


def scope_for(user: Any, perm: str, root: OrgUnit | None) -> list[str]:
    """The paths an export of ``root`` (or of everything the user sees) draws its rows from."""
    paths = _covering(user, perm)
    if paths is None:
        return [root.path] if root is not None else [ALL]
    if root is None:
        return paths
    if any(root.path.startswith(p) for p in paths):
        return [root.path]
    return [p for p in paths if p.startswith(root.path)]


def still_covers(user: Any, perm: str, scope: Sequence[str]) -> bool:
    """Whether the user's live roles still cover every path of ``scope`` for ``perm``."""
    paths = _covering(user, perm)
    if paths is None:
        return True
    if not scope or ALL in scope:
        return False
    return all(any(s.startswith(p) for p in paths) for s in scope)


def _common_unit(paths: Sequence[str]) -> OrgUnit | None:
    """The deepest unit above (or at) every path: what an export of several units is "of"."""
    if not paths or ALL in paths:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    first = OrgUnit.objects.filter(path=paths[0]).first()
    if first is None:
        return None
    chain = [*first.ancestors(), first]
    for unit in reversed(chain):
        if all(p.startswith(unit.path) for p in paths):
            return unit
    return first


# ---------------------------------------------------------------- cells


def _be(d: dt.date | None) -> str:
    return format_be_date(d, "numeric") if d else ""


def _full_name(title: str, title_other: str, first: str, last: str) -> str:
    """A person's name as ``Person.full_name`` writes it, from values (no model instance)."""
    ns = SimpleNamespace(
        title=title, title_other=title_other or "", first_name=first or "", last_name=last or ""
    )
    ns.display_title = Person.display_title.fget(ns)  # type: ignore[attr-defined]
    return str(Person.full_name.fget(ns))  # type: ignore[attr-defined]


def _display_title(title: str, title_other: str) -> str:
    ns = SimpleNamespace(title=title, title_other=title_other or "")
    return str(Person.display_title.fget(ns))  # type: ignore[attr-defined]


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    return {k: str(v) for k, v in choices}


# ---------------------------------------------------------------- parsing the list's filters


def _text(query: Mapping[str, str], name: str) -> str:
    return (query.get(name) or "").strip()


def _date(
    query: Mapping[str, str], name: str, label: str, errors: dict[str, str]
) -> dt.date | None:
    raw = _text(query, name)
    if not raw:
        return None
    try:
        return parse_be_date(raw)
    except ThaiDateError as exc:
        errors[name] = f"{label}: {exc}"
        return None


def _choice(raw: str, allowed: Iterable[str], name: str, label: str, errors: dict[str, str]) -> str:
    if not raw or raw in set(allowed):
        return raw
    errors[name] = _("%(filter)s: ตัวเลือกไม่ถูกต้อง") % {"filter": label}
    return ""


def _search(query: Mapping[str, str], errors: dict[str, str], limit: int = 100) -> str:
    raw = _text(query, "q")
    if len(raw) > limit:
        errors["q"] = _("ค้นหา: ยาวเกิน %(n)s ตัวอักษร") % {"n": limit}
        return ""
    return raw


def _fund(user: Any, query: Mapping[str, str]) -> Fund:
    """The fund named by ``fund=``, among those the user sees (VIEW_BOOKS at the fund)."""
    raw = _text(query, "fund")
    if not raw.isdigit():
        raise ExportNotFound
    fund = fund_sel.funds_visible_to(user).filter(pk=int(raw)).first()
    if fund is None:
        raise ExportNotFound
    return fund


def _fund_for_members(user: Any, query: Mapping[str, str]) -> tuple[Fund, bool]:
    """As the member list: a village group's committee reaches their own group's members."""
    try:
        return _fund(user, query), True
    except ExportNotFound:
        raw = _text(query, "fund")
        if not raw.isdigit():
            raise
        fund = Fund.objects.select_related("org_unit", "book").filter(pk=int(raw)).first()
        if fund is None or not (
            area_sel.units_visible_to(user, perm=Perm.VIEW_BOOKS)
            .filter(prefix_q("path", fund.org_unit.path))
            .exists()
        ):
            raise
        return fund, False


def _prepared(
    user: Any,
    kind: str,
    *,
    root: OrgUnit | None,
    perm: str,
    target: str,
    columns: list[Col],
    rows: Callable[[], Iterator[Sequence[Any]]],
    count: int,
    query: Mapping[str, str],
    summary: list[str],
    errors: dict[str, str],
    full_ids: bool = False,
) -> Prepared:
    k = KINDS[kind]
    scope = scope_for(user, perm, root)
    unit = root or _common_unit(scope)
    if unit is None or not scope:
        raise ExportNotFound
    title = f"{k.title} · {target}"
    if errors:
        count = 0
        rows = _no_rows
    return Prepared(
        kind=kind,
        title=title[:300],
        sheet=str(k.title)[:31],
        columns=columns,
        rows=rows,
        count=count,
        org_unit=unit,
        scope=scope,
        perm=perm,
        query={n: _text(query, n) for n in k.params if _text(query, n)},
        summary=summary,
        errors=errors,
        full_ids=full_ids,
        by=(user.get_full_name() or user.get_username()),
    )


def _no_rows() -> Iterator[Sequence[Any]]:
    return iter(())


def _full_ids(user: Any, perm: str, root: OrgUnit | None) -> bool:
    """Whole ID numbers only when the user may see them across everything exported."""
    return still_covers(user, Perm.VIEW_FULL_ID, scope_for(user, perm, root))


# ---------------------------------------------------------------- persons


PERSON_STATUSES: tuple[tuple[str, Any], ...] = (
    ("living", gettext_lazy("ยังมีชีวิต")),
    ("deceased", gettext_lazy("เสียชีวิต")),
    ("all", gettext_lazy("ทั้งหมด")),
)
HAS_ID: tuple[tuple[str, Any], ...] = (
    ("yes", gettext_lazy("มีเลขประจำตัวประชาชน")),
    ("no", gettext_lazy("ไม่มีเลขประจำตัวประชาชน")),
)


def _village(raw: str, villages: QuerySet[Any], errors: dict[str, str]) -> Any:
    """The chosen village, only from ``villages``; anything else is refused (as the lists)."""
    if not raw:
        return None
    found = villages.filter(pk=int(raw)).first() if raw.isdigit() else None
    if found is None:
        errors["village"] = _("หมู่บ้าน: ไม่พบหมู่บ้านที่เลือกในพื้นที่ที่คุณมีสิทธิ์ดู")
    return found


def _age_filter(raw: str, name: str, label: str, errors: dict[str, str]) -> int | None:
    text = to_arabic_digits(raw).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and int(text) <= AGE_LIMIT:
        return int(text)
    errors[name] = _("%(filter)s: กรุณากรอกอายุเป็นจำนวนปีเต็ม ตั้งแต่ 0 ถึง %(limit)s ปี") % {
        "filter": label,
        "limit": AGE_LIMIT,
    }
    return None


def _persons(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    qs = people_sel.persons_visible_to(user)
    unit = None
    unit_raw = _text(query, "unit")
    if unit_raw.isdigit():
        unit = area_sel.units_visible_to(user).filter(pk=int(unit_raw)).first()
        if unit is None:
            raise ExportNotFound
        qs = qs.filter(prefix_q("org_unit__path", unit.path))
    errors: dict[str, str] = {}
    villages = area_sel.villages_visible_to(user)
    if unit is not None:
        villages = villages.filter(pk__in=area_sel.villages_for_units([unit]).values("pk"))
    village = _village(_text(query, "village"), villages, errors)
    status = (
        _choice(
            _text(query, "status"),
            [c for c, _l in PERSON_STATUSES],
            "status",
            _("สถานะ"),
            errors,
        )
        or "living"
    )
    sex = _choice(_text(query, "sex"), Sex.values, "sex", _("เพศ"), errors)
    has_id_raw = _choice(
        _text(query, "has_id"), [c for c, _l in HAS_ID], "has_id", _("เลขประจำตัวประชาชน"), errors
    )
    age_min = _age_filter(_text(query, "age_min"), "age_min", _("อายุตั้งแต่"), errors)
    age_max = _age_filter(_text(query, "age_max"), "age_max", _("อายุถึง"), errors)
    if age_min is not None and age_max is not None and age_min > age_max:
        errors["age_max"] = _("ช่วงอายุ: อายุตั้งแต่ (%(min)s ปี) มากกว่าอายุถึง (%(max)s ปี)") % {
            "min": age_min,
            "max": age_max,
        }
    q = _text(query, "q")
    if not errors:
        qs = people_sel.person_filter(
            qs,
            village=village,
            status=status,
            sex=sex or None,
            age_min=age_min,
            age_max=age_max,
            has_id=None if not has_id_raw else has_id_raw == "yes",
        )
    if q:
        qs = qs.filter(people_sel.person_search_q(q))
    qs = qs.order_by(*people_sel.thai_name_order())
    summary = []
    if q:
        summary.append(_("ค้นหา “%(q)s”") % {"q": q})
    if village is not None:
        summary.append(str(village))
    if status != "living":
        summary.append(str(dict(PERSON_STATUSES)[status]))
    if sex:
        summary.append(_("เพศ%(sex)s") % {"sex": Sex(sex).label})
    if age_min is not None and age_max is not None:
        summary.append(_("อายุ %(min)s–%(max)s ปี") % {"min": age_min, "max": age_max})
    elif age_min is not None:
        summary.append(_("อายุ %(min)s ปีขึ้นไป") % {"min": age_min})
    elif age_max is not None:
        summary.append(_("อายุไม่เกิน %(max)s ปี") % {"max": age_max})
    if has_id_raw:
        summary.append(str(dict(HAS_ID)[has_id_raw]))
    full = _full_ids(user, Perm.VIEW_PEOPLE, unit)
    sexes = _labels(Sex.choices)

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "title",
            "title_other",
            "first_name",
            "last_name",
            "sex",
            "birth_date",
            "birth_year",
            "national_id",
            "phone",
            "house_number",
            "village__number",
            "village__name",
            "org_unit__name",
            "death_date",
        )
        for (
            t,
            to,
            first,
            last,
            sx,
            bd,
            by,
            nid,
            phone,
            house,
            vno,
            vname,
            unit_name,
            died,
        ) in values.iterator(chunk_size=CHUNK):
            yield [
                _display_title(t, to),
                first,
                last,
                sexes.get(sx, ""),
                _be(bd) or (str(by + 543) if by else ""),
                age_on(bd, by, died or today),
                (nid if full else mask_national_id(nid)) if nid else "",
                phone,
                house,
                vno,
                vname or "",
                unit_name,
                _be(died),
            ]

    return _prepared(
        user,
        "persons",
        root=unit,
        perm=Perm.VIEW_PEOPLE,
        target=unit.name if unit else _("ทุกหน่วยที่มีสิทธิ์ดู"),
        columns=[
            Col(_("คำนำหน้า"), 10),
            Col(_("ชื่อ"), 16),
            Col(_("นามสกุล"), 18),
            Col(_("เพศ"), 8),
            Col(_("วันเกิด"), 12),
            Col(_("อายุ (ปี)"), 8, "int"),
            Col(_("เลขประจำตัวประชาชน"), 18),
            Col(_("โทรศัพท์"), 13),
            Col(_("บ้านเลขที่"), 10),
            Col(_("หมู่ที่"), 7, "int"),
            Col(_("หมู่บ้าน"), 16),
            Col(_("หน่วยที่ดูแล"), 28),
            Col(_("วันที่เสียชีวิต"), 13),
        ],
        rows=rows,
        count=0 if errors else qs.count(),
        query=query,
        summary=summary,
        errors=errors,
        full_ids=full,
    )


# ---------------------------------------------------------------- households


def _households(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    q = _text(query, "q")
    qs = people_sel.households_visible_to(user).annotate(n_members=Count("members", distinct=True))
    errors: dict[str, str] = {}
    village = _village(_text(query, "village"), area_sel.villages_visible_to(user), errors)
    if village is not None:
        qs = qs.filter(village=village)
    if q:
        person_ids = (
            people_sel.persons_visible_to(user).filter(people_sel.person_search_q(q)).values("pk")
        )
        qs = qs.filter(
            Q(house_number__startswith=q)
            | Q(house_registration_no=q)
            | Q(members__person__in=person_ids)
        ).distinct()
    qs = qs.order_by("village__number", "house_number", "pk")
    summary = [_("ค้นหา “%(q)s”") % {"q": q}] if q else []
    if village is not None:
        summary.append(str(village))

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "pk",
            "house_number",
            "house_registration_no",
            "village__number",
            "village__name",
            "street",
            "postcode",
            "n_members",
            "org_unit__name",
        )
        visible = people_sel.persons_visible_to(user).values("pk")
        for batch in _chunks(values.iterator(chunk_size=CHUNK)):
            heads = {
                hid: _full_name(t, to, f, ln)
                for hid, t, to, f, ln in HouseholdMember.objects.filter(
                    household__in=[r[0] for r in batch],
                    relation=Relation.HEAD,
                    person__in=visible,
                ).values_list(
                    "household_id",
                    "person__title",
                    "person__title_other",
                    "person__first_name",
                    "person__last_name",
                )
            }
            for pk, house, reg, vno, vname, street, postcode, n, unit_name in batch:
                yield [
                    house,
                    reg or "",
                    vno,
                    vname or "",
                    street,
                    postcode,
                    heads.get(pk, ""),
                    n,
                    unit_name,
                ]

    return _prepared(
        user,
        "households",
        root=None,
        perm=Perm.VIEW_PEOPLE,
        target=_("ทุกหน่วยที่มีสิทธิ์ดู"),
        columns=[
            Col(_("บ้านเลขที่"), 10),
            Col(_("เลขประจำบ้าน"), 14),
            Col(_("หมู่ที่"), 7, "int"),
            Col(_("หมู่บ้าน"), 16),
            Col(_("ถนน/ซอย"), 16),
            Col(_("รหัสไปรษณีย์"), 9),
            Col(_("หัวหน้าครัวเรือน"), 26),
            Col(_("จำนวนสมาชิก"), 9, "int"),
            Col(_("หน่วยที่ดูแล"), 28),
        ],
        rows=rows,
        count=0 if errors else qs.count(),
        query=query,
        summary=summary,
        errors=errors,
    )


# ---------------------------------------------------------------- a fund's members


MEMBER_STATUSES: tuple[tuple[str, Any], ...] = (
    ("active", gettext_lazy("ปกติ")),
    ("arrears", gettext_lazy("ค้างชำระ")),
    ("lapsed", gettext_lazy("ขาดสมาชิกภาพ")),
    ("resigned", gettext_lazy("ลาออก")),
    ("dead", gettext_lazy("เสียชีวิต")),
    ("applicant", gettext_lazy("รอพิจารณา")),
    ("rejected", gettext_lazy("ไม่อนุมัติ")),
)
DERIVED = {"active", "arrears", "lapsed", "resigned", "dead"}


def fund_groups(fund: Fund) -> QuerySet[OrgUnit]:
    """The fund's village groups (the fund's own unit when it has none), as the member list."""
    groups = OrgUnit.objects.filter(
        prefix_q("path", fund.org_unit.path), kind=OrgUnitKind.VILLAGE_GROUP, active=True
    ).order_by("village__number", "name", "pk")
    if groups.exists():
        return groups
    return OrgUnit.objects.filter(pk=fund.org_unit_id)


def _member_search_q(q: str) -> Q:
    text = to_arabic_digits(q).strip()
    if text.isdigit() and len(text) <= 6:
        return Q(member_no=int(text))
    return Q(person__in=Person.objects.filter(people_sel.person_search_q(text)).values("pk"))


def _members(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    fund, whole_fund = _fund_for_members(user, query)
    qs = fund_sel.memberships_visible_to(user).filter(fund=fund)
    groups = [
        g for g in fund_groups(fund) if whole_fund or area_sel.user_can(user, Perm.VIEW_BOOKS, g)
    ]
    errors: dict[str, str] = {}
    summary: list[str] = []
    group = None
    if raw := _text(query, "group"):
        group = next((g for g in groups if str(g.pk) == raw), None)
        if group is None:
            errors["group"] = _("กลุ่มหมู่บ้าน: ไม่พบกลุ่มที่เลือกในกองทุนนี้")
        else:
            summary.append(group.name)
    status = _choice(_text(query, "status"), dict(MEMBER_STATUSES), "status", _("สถานะ"), errors)
    member_type = _choice(_text(query, "type"), MemberType.values, "type", _("ประเภทสมาชิก"), errors)
    q = _text(query, "q")
    if group is not None:
        qs = qs.filter(org_unit=group)
    if member_type:
        qs = qs.filter(member_type=member_type)
        summary.append(str(MemberType(member_type).label))
    if q:
        qs = qs.filter(_member_search_q(q))
        summary.append(_("ค้นหา “%(q)s”") % {"q": q})
    qs = qs.order_by(F("member_no").asc(nulls_last=True), "applied_on", "pk")
    keep = ""
    if status == "applicant":
        qs = qs.filter(
            Q(state=MembershipState.APPLIED)
            | Q(state=MembershipState.APPROVED, joined_on__gt=today)
        )
    elif status == "rejected":
        qs = qs.filter(state=MembershipState.REJECTED)
    elif status in DERIVED:
        live = [MembershipState.APPROVED, MembershipState.RESIGNED, MembershipState.DIED]
        narrow = {
            "active": Q(state=MembershipState.APPROVED, joined_on__lte=today),
            "arrears": Q(state=MembershipState.APPROVED, joined_on__lte=today),
            "lapsed": Q(state__in=live, joined_on__lte=today),
            "resigned": Q(state=MembershipState.RESIGNED),
            "dead": Q(state=MembershipState.DIED)
            | Q(state=MembershipState.APPROVED, person__death_date__lte=today),
        }[status]
        qs = qs.filter(narrow)
        keep = status
    if status:
        summary.append(str(dict(MEMBER_STATUSES)[status]))
    full = _full_ids(user, Perm.VIEW_BOOKS, fund.org_unit)
    types = _labels(MemberType.choices)

    def rows() -> Iterator[Sequence[Any]]:
        loaded = qs.select_related("person__village", "org_unit__village", "plan", "fund")
        for batch in _chunks(loaded.iterator(chunk_size=CHUNK)):
            statuses = fund_sel.statuses_for(batch, today)
            for m in batch:
                st = statuses[m.pk]
                if keep and st.code != keep:
                    continue
                p = m.person
                nid = p.national_id or ""
                village = p.village or m.org_unit.village
                yield [
                    m.member_no,
                    p.display_title,
                    p.first_name,
                    p.last_name,
                    (nid if full else mask_national_id(nid)) if nid else "",
                    _be(p.birth_date) or (str(p.birth_year + 543) if p.birth_year else ""),
                    p.house_number,
                    village.number if village else None,
                    m.org_unit.name,
                    m.plan.name,
                    _be(m.applied_on),
                    _be(m.joined_on),
                    types.get(m.member_type, m.member_type),
                    str(st.label),
                    _be(st.paid_through),
                    str(st.reason),
                    p.phone,
                ]

    target = fund.name if whole_fund else f"{fund.name} ({', '.join(g.name for g in groups)})"
    return _prepared(
        user,
        "members",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=target,
        # The header names of funds/exporting.py: the import reads this file back.
        columns=[
            Col(_("เลขที่สมาชิก"), 12, "int"),
            Col(_("คำนำหน้า"), 10),
            Col(_("ชื่อ"), 16),
            Col(_("นามสกุล"), 18),
            Col(_("เลขประจำตัวประชาชน"), 18),
            Col(_("วันเกิด"), 12),
            Col(_("บ้านเลขที่"), 10),
            Col(_("หมู่ที่"), 7, "int"),
            Col(_("กลุ่ม"), 22),
            Col(_("แบบการออม"), 14),
            Col(_("วันที่สมัคร"), 12),
            Col(_("วันที่เป็นสมาชิก"), 14),
            Col(_("ประเภทสมาชิก"), 14),
            Col(_("สถานะ"), 14),
            Col(_("ชำระถึง"), 12),
            Col(_("เหตุผล"), 40),
            Col(_("โทรศัพท์"), 13),
        ],
        rows=rows,
        count=0 if errors else qs.count(),
        query=query,
        summary=summary,
        errors=errors,
        full_ids=full,
    )


# ---------------------------------------------------------------- receipts and collection days


VOID_FILTERS: tuple[tuple[str, Any], ...] = (
    ("live", gettext_lazy("เฉพาะที่ใช้ได้")),
    ("void", gettext_lazy("เฉพาะที่ยกเลิก")),
)


def _payment_search_q(q: str) -> Q:
    """As the receipts list: a receipt number (2568/12 or 12), a member number, or a name."""
    found = re.fullmatch(r"(\d{4})\s*/\s*(\d{1,7})", q)
    if found:
        return Q(fiscal_year=int(found.group(1)), receipt_no=int(found.group(2)))
    if q.isdigit() and len(q) <= 7:
        return Q(receipt_no=int(q)) | Q(membership__member_no=int(q))
    return Q(
        membership__person__in=Person.objects.filter(people_sel.person_search_q(q)).values("pk")
    )


def _groups_where(user: Any, fund: Fund, perm: str) -> QuerySet[OrgUnit]:
    """The fund's village groups at which the user holds ``perm`` (the receipts list's)."""
    return (
        area_sel.editable_units(user, perm)
        .filter(prefix_q("path", fund.org_unit.path), kind=OrgUnitKind.VILLAGE_GROUP)
        .order_by("name")
    )


def _payments(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    fund = _fund(user, query)
    qs = fund_sel.payments_visible_to(user).filter(fund=fund)
    errors: dict[str, str] = {}
    summary: list[str] = []
    start = _date(query, "date_from", _("ตั้งแต่วันที่"), errors)
    end = _date(query, "date_to", _("ถึงวันที่"), errors)
    if start and end and end < start:
        errors["date_to"] = _("ถึงวันที่: ต้องไม่ก่อนวันที่เริ่ม")
    group = None
    if raw := _text(query, "group"):
        groups = _groups_where(user, fund, Perm.VIEW_BOOKS)
        group = groups.filter(pk=int(raw)).first() if raw.isdigit() else None
        if group is None:
            errors["group"] = _("กลุ่มหมู่บ้าน: ไม่พบกลุ่มที่เลือก")
    void = _choice(_text(query, "void"), dict(VOID_FILTERS), "void", _("สถานะใบเสร็จ"), errors)
    q = to_arabic_digits(_search(query, errors)).strip()
    if start:
        qs = qs.filter(date__gte=start)
        summary.append(_("ตั้งแต่ %(d)s") % {"d": format_be_date(start)})
    if end:
        qs = qs.filter(date__lte=end)
        summary.append(_("ถึง %(d)s") % {"d": format_be_date(end)})
    if group is not None:
        qs = qs.filter(org_unit=group)
        summary.append(group.name)
    if void == "live":
        qs = qs.filter(void__isnull=True)
    elif void == "void":
        qs = qs.filter(void__isnull=False)
    if void:
        summary.append(str(dict(VOID_FILTERS)[void]))
    if q:
        qs = qs.filter(_payment_search_q(q))
        summary.append(_("ค้นหา “%(q)s”") % {"q": q})
    qs = qs.order_by("-date", "-fiscal_year", "-receipt_no")
    methods = _labels(PaymentMethod.choices)

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "date",
            "fiscal_year",
            "receipt_no",
            "membership__member_no",
            "membership__person__title",
            "membership__person__title_other",
            "membership__person__first_name",
            "membership__person__last_name",
            "org_unit__name",
            "amount",
            "entry_fee",
            "contribution",
            "method",
            "covers_to",
            "void__id",
            "void__reason",
            "note",
        )
        for (
            day,
            fy,
            no,
            member_no,
            t,
            to,
            first,
            last,
            group_name,
            amount,
            fee,
            contribution,
            method,
            covers_to,
            void_id,
            void_reason,
            note,
        ) in values.iterator(chunk_size=CHUNK):
            yield [
                _be(day),
                f"{fy}/{no:05d}",
                member_no,
                _full_name(t, to, first, last),
                group_name,
                amount,
                fee,
                contribution,
                methods.get(method, method),
                _be(covers_to),
                _("ยกเลิก: %(r)s") % {"r": void_reason} if void_id else _("ปกติ"),
                note,
            ]

    return _prepared(
        user,
        "payments",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        # The header names of funds/exporting.py: the import reads this file back.
        columns=[
            Col(_("วันที่ชำระ"), 12),
            Col(_("เลขที่ใบเสร็จ"), 13),
            Col(_("เลขที่สมาชิก"), 12, "int"),
            Col(_("ชื่อ-นามสกุล"), 28),
            Col(_("กลุ่ม"), 22),
            Col(_("จำนวนเงิน"), 12, "money"),
            Col(_("ค่าสมัคร"), 10, "money"),
            Col(_("เงินสมทบ"), 12, "money"),
            Col(_("วิธีชำระ"), 10),
            Col(_("ชำระถึง"), 12),
            Col(_("สถานะ"), 14),
            Col(_("หมายเหตุ"), 30),
        ],
        rows=rows,
        count=0 if errors else qs.count(),
        query=query,
        summary=summary,
        errors=errors,
    )


def _collection_days(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    fund = _fund(user, query)
    live = Q(payments__void__isnull=True)
    qs = (
        fund_sel.collection_days_visible_to(user)
        .filter(fund=fund)
        .annotate(n=Count("payments", filter=live), total=Sum("payments__amount", filter=live))
        .order_by("-date", "org_unit__name")
    )

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "date",
            "org_unit__name",
            "n",
            "total",
            "closed_at",
            "expected_cash",
            "counted_cash",
            "difference",
            "note",
        )
        for day, group, n, total, closed_at, expected, counted, diff, note in values.iterator(
            chunk_size=CHUNK
        ):
            yield [
                _be(day),
                group,
                n,
                total or ZERO,
                _("ปิดยอดแล้ว") if closed_at else _("เปิดรับเงิน"),
                expected,
                counted,
                diff,
                note,
            ]

    return _prepared(
        user,
        "collection_days",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("วันที่"), 12),
            Col(_("กลุ่มหมู่บ้าน"), 24),
            Col(_("จำนวนราย"), 9, "int"),
            Col(_("ยอดรับ (บาท)"), 13, "money"),
            Col(_("สถานะ"), 12),
            Col(_("ยอดเงินสดตามระบบ"), 14, "money"),
            Col(_("ยอดเงินสดที่นับได้"), 14, "money"),
            Col(_("ผลต่าง"), 11, "money"),
            Col(_("หมายเหตุ"), 30),
        ],
        rows=rows,
        count=qs.count(),
        query=query,
        summary=[],
        errors={},
    )


# ---------------------------------------------------------------- the books


CASH_KINDS: tuple[tuple[str, Any], ...] = (
    ("cash", gettext_lazy("เงินสดเท่านั้น")),
    ("bank", gettext_lazy("เงินฝากธนาคารเท่านั้น")),
)


def _range(
    fund: Fund, query: Mapping[str, str], today: dt.date, errors: dict[str, str]
) -> tuple[dt.date, dt.date]:
    """As the book screens: this fiscal year to date unless typed; an end alone starts at its
    fiscal year's first day."""

    def bounds(day: dt.date) -> tuple[dt.date, dt.date]:
        start_month = fund.fiscal_year_start_month
        return fiscal_year_bounds(
            fiscal_year(day, start_month=start_month), start_month=start_month
        )

    start, end = bounds(today)[0], today
    typed_start = _date(query, "start", _("ตั้งแต่วันที่"), errors)
    typed_end = _date(query, "end", _("ถึงวันที่"), errors)
    if errors:
        return start, end
    if typed_end and not typed_start:
        start = bounds(typed_end)[0]
    start = typed_start or start
    end = typed_end or max(end, start)
    if end < start:
        errors["end"] = _("ถึงวันที่: ต้องไม่ก่อนวันที่เริ่มต้น")
    return start, end


def _range_text(start: dt.date, end: dt.date) -> str:
    return f"{format_be_date(start)} – {format_be_date(end)}"


def _debit_minus_credit(q: Q) -> Decimal:
    total = ZERO
    for side, amount in (
        Posting.objects.filter(q).values("side").annotate(t=Sum("amount")).values_list("side", "t")
    ):
        total += Decimal(amount) if side == Side.DEBIT else -Decimal(amount)
    return total


def _journal(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    fund = _fund(user, query)
    errors: dict[str, str] = {}
    start, end = _range(fund, query, today, errors)
    qs = Posting.objects.filter(entry__book_id=fund.book_id, date__gte=start, date__lte=end)
    qs = qs.order_by("entry__number", "line")

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "entry__number",
            "entry__date",
            "entry__memo",
            "entry__source_type",
            "entry__source_id",
            "entry__reverses__number",
            "account__code",
            "account__name",
            "side",
            "amount",
        )
        for number, day, memo, stype, sid, reverses, code, name, side, amount in values.iterator(
            chunk_size=CHUNK
        ):
            yield [
                number,
                _be(day),
                memo,
                stype,
                sid,
                reverses,
                code,
                name,
                amount if side == Side.DEBIT else None,
                amount if side == Side.CREDIT else None,
            ]

    return _prepared(
        user,
        "journal",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("เลขที่รายการ"), 10, "int"),
            Col(_("วันที่"), 12),
            Col(_("คำอธิบาย"), 50),
            Col(_("ประเภทเอกสาร"), 12),
            Col(_("เลขที่เอกสาร"), 14),
            Col(_("กลับรายการของ"), 10, "int"),
            Col(_("รหัสบัญชี"), 10),
            Col(_("ชื่อบัญชี"), 30),
            Col(_("เดบิต"), 12, "money"),
            Col(_("เครดิต"), 12, "money"),
        ],
        rows=rows,
        count=0 if errors else qs.count(),
        query=query,
        summary=[] if errors else [_range_text(start, end)],
        errors=errors,
    )


def _cash_book(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    """The cash book as the screen shows it, every page: brought forward, each entry touching
    the cash and bank accounts with receipts, payments and running balance, carried forward."""
    fund = _fund(user, query)
    errors: dict[str, str] = {}
    start, end = _range(fund, query, today, errors)
    kind = _choice(_text(query, "kind"), dict(CASH_KINDS), "kind", _("บัญชี"), errors)
    accounts = Account.objects.filter(book=fund.book, is_cash=True).order_by("code")
    if kind == "cash":
        accounts = accounts.filter(category="cash")
    elif kind == "bank":
        accounts = accounts.exclude(category="cash")
    ids = list(accounts.values_list("pk", flat=True))
    in_range = Q(account__book=fund.book, account_id__in=ids, date__gte=start, date__lte=end)
    touching = Posting.objects.filter(in_range).values("entry_id")
    summary = [_range_text(start, end)]
    if kind:
        summary.insert(0, str(dict(CASH_KINDS)[kind]))

    def rows() -> Iterator[Sequence[Any]]:
        if not ids:
            return
        balance = _debit_minus_credit(
            Q(account__book=fund.book, account_id__in=ids, date__lt=start)
        )
        yield [_be(start), None, _("ยอดยกมา"), "", None, None, balance]
        wanted = set(ids)
        values = (
            Posting.objects.filter(entry_id__in=touching)
            .order_by("date", "entry__number", "line")
            .values_list(
                "entry_id",
                "entry__date",
                "entry__number",
                "entry__memo",
                "account_id",
                "account__code",
                "account__name",
                "side",
                "amount",
            )
        )
        current: list[Any] | None = None
        others: list[str] = []
        receipts = payments = ZERO
        for entry_id, day, number, memo, account_id, code, name, side, amount in values.iterator(
            chunk_size=CHUNK
        ):
            if current is None or current[0] != entry_id:
                if current is not None:
                    current[4] = ", ".join(others)
                    yield current[1:]
                current = [entry_id, _be(day), number, memo, "", ZERO, ZERO, balance]
                others = []
            if account_id in wanted:
                if side == Side.DEBIT:
                    current[5] += amount
                    receipts += amount
                    balance += amount
                else:
                    current[6] += amount
                    payments += amount
                    balance -= amount
                current[7] = balance
            elif f"{code} {name}" not in others:
                others.append(f"{code} {name}")
        if current is not None:
            current[4] = ", ".join(others)
            yield current[1:]
        yield [_be(end), None, _("รวม / ยอดยกไป"), "", receipts, payments, balance]

    return _prepared(
        user,
        "cash_book",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("วันที่"), 12),
            Col(_("เลขที่รายการ"), 10, "int"),
            Col(_("รายการ"), 44),
            Col(_("บัญชีคู่"), 30),
            Col(_("รับ"), 13, "money"),
            Col(_("จ่าย"), 13, "money"),
            Col(_("คงเหลือ"), 14, "money"),
        ],
        rows=rows,
        count=0 if errors else touching.distinct().count() + 2,
        query=query,
        summary=[] if errors else summary,
        errors=errors,
    )


def _general_ledger(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    """Every account with a balance or a posting in the range (or the one chosen): brought
    forward, postings with running balance, carried forward, as the screen."""
    fund = _fund(user, query)
    errors: dict[str, str] = {}
    start, end = _range(fund, query, today, errors)
    accounts = list(Account.objects.filter(book=fund.book).order_by("code"))
    account = None
    if raw := _text(query, "account"):
        account = next((a for a in accounts if str(a.pk) == raw), None)
        if account is None:
            errors["account"] = _("บัญชี: ตัวเลือกไม่ถูกต้อง")
    q = Q(account__book=fund.book, date__gte=start, date__lte=end)
    if account is not None:
        q &= Q(account=account)
    postings = Posting.objects.filter(q)
    summary = [_range_text(start, end)]
    if account is not None:
        summary.insert(0, f"{account.code} {account.name}")

    def rows() -> Iterator[Sequence[Any]]:
        chosen = [account] if account is not None else accounts
        before = ledger_sel.account_totals(fund.book, end=start - dt.timedelta(days=1))
        values = postings.order_by("account__code", "date", "entry__number", "line").values_list(
            "account_id", "date", "entry__number", "entry__memo", "side", "amount"
        )
        stream = values.iterator(chunk_size=CHUNK)
        pending = next(stream, None)
        for a in chosen:
            d, c = before.get(a.pk, (ZERO, ZERO))
            sign = 1 if a.kind in DEBIT_NORMAL else -1
            opening = balance = (d - c) * sign
            debit = credit = ZERO
            started = False
            while pending is not None and pending[0] == a.pk:
                _acc, day, number, memo, side, amount = pending
                if not started:
                    started = True
                    yield [a.code, a.name, _be(start), None, _("ยอดยกมา"), None, None, opening]
                dr = amount if side == Side.DEBIT else ZERO
                cr = amount if side == Side.CREDIT else ZERO
                debit += dr
                credit += cr
                balance += (dr - cr) * sign
                yield [a.code, a.name, _be(day), number, memo, dr or None, cr or None, balance]
                pending = next(stream, None)
            if not started:
                if account is None and opening == 0:
                    continue
                yield [a.code, a.name, _be(start), None, _("ยอดยกมา"), None, None, opening]
            yield [a.code, a.name, _be(end), None, _("รวม / ยอดยกไป"), debit, credit, balance]

    return _prepared(
        user,
        "general_ledger",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("รหัสบัญชี"), 10),
            Col(_("ชื่อบัญชี"), 30),
            Col(_("วันที่"), 12),
            Col(_("เลขที่รายการ"), 10, "int"),
            Col(_("รายการ"), 44),
            Col(_("เดบิต"), 13, "money"),
            Col(_("เครดิต"), 13, "money"),
            Col(_("ยอดคงเหลือ"), 14, "money"),
        ],
        rows=rows,
        count=0 if errors else postings.count() + 2 * (1 if account else len(accounts)),
        query=query,
        summary=[] if errors else summary,
        errors=errors,
    )


def _trial_balance(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    fund = _fund(user, query)
    errors: dict[str, str] = {}
    as_of = _date(query, "as_of", _("ณ วันที่"), errors) or today
    raw_hide = _text(query, "hide_zero")
    hide_zero = bool(raw_hide) and raw_hide.lower() != "false"  # as a checkbox reads it
    summary = [_("ณ วันที่ %(d)s") % {"d": format_be_date(as_of)}]
    if hide_zero:
        summary.append(_("ซ่อนบัญชีที่ไม่มียอด"))
    n_accounts = Account.objects.filter(book=fund.book).count()

    def rows() -> Iterator[Sequence[Any]]:
        debit = credit = ZERO
        for row in ledger_sel.trial_balance(fund.book, end=as_of):
            net = row.debit - row.credit
            if hide_zero and net == 0:
                continue
            dr, cr = max(net, ZERO), max(-net, ZERO)
            debit += dr
            credit += cr
            a = row.account
            yield [a.code, a.name, a.get_kind_display(), dr, cr]
        yield ["", _("รวม"), "", debit, credit]

    return _prepared(
        user,
        "trial_balance",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("รหัสบัญชี"), 10),
            Col(_("ชื่อบัญชี"), 34),
            Col(_("หมวด"), 14),
            Col(_("เดบิต"), 14, "money"),
            Col(_("เครดิต"), 14, "money"),
        ],
        rows=rows,
        count=0 if errors else n_accounts + 1,
        query=query,
        summary=[] if errors else summary,
        errors=errors,
    )


# ---------------------------------------------------------------- benefits (claims, runs)
# The benefits selectors are imported where used: that code is young, and a list of persons
# should export even while a benefits module is being changed.


def _claim_search_q(q: str) -> Q:
    if q.isdigit() and len(q) <= 9:
        return Q(number=int(q)) | Q(membership__member_no=int(q))
    return Q(
        membership__person__in=Person.objects.filter(people_sel.person_search_q(q)).values("pk")
    )


def _benefit_codes(fund: Fund) -> dict[str, str]:
    """Every benefit code of the fund's adopted versions, with its newest name (as the list)."""
    from chumchon.benefits.models import BenefitType, VersionState

    seen: dict[str, str] = {}
    for code, name in (
        BenefitType.objects.filter(version__fund=fund, version__state=VersionState.ADOPTED)
        .order_by("-version__effective_from", "order", "pk")
        .values_list("code", "name")
    ):
        seen.setdefault(code, name)
    return seen


def awaiting_decision(user: Any, qs: QuerySet[Any]) -> list[int]:
    """Claims of ``qs`` the user may decide now (as the claims list's "awaiting me")."""
    from chumchon.benefits import services_claims as svc
    from chumchon.benefits.models import ClaimState

    rows = (
        qs.filter(state=ClaimState.SUBMITTED)
        .exclude(made_by=user)
        .exclude(decisions__by=user)
        .select_related("membership__person", "payee_beneficiary")[:MINE_SCAN_LIMIT]
    )
    return [c.pk for c in rows if svc.decision_refusal(user, c) is None]


def _claims(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    from chumchon.benefits import selectors as ben_sel
    from chumchon.benefits.models import ClaimState
    from chumchon.funds.chart import BENEFIT_CATEGORIES

    fund = _fund(user, query)
    qs = ben_sel.claims_visible_to(user).filter(fund=fund)
    errors: dict[str, str] = {}
    summary: list[str] = []
    codes = _benefit_codes(fund)
    state = _choice(_text(query, "state"), ClaimState.values, "state", _("สถานะ"), errors)
    benefit = _choice(_text(query, "benefit"), codes, "benefit", _("สวัสดิการ"), errors)
    mine = _choice(_text(query, "mine"), ["1"], "mine", _("การพิจารณา"), errors)
    q = to_arabic_digits(_search(query, errors)).strip()
    if not errors:
        if state:
            qs = qs.filter(state=state)
            summary.append(str(ClaimState(state).label))
        if benefit:
            qs = qs.filter(benefit__code=benefit)
            summary.append(codes[benefit])
        if q:
            qs = qs.filter(_claim_search_q(q))
            summary.append(_("ค้นหา “%(q)s”") % {"q": q})
        if mine:
            qs = qs.filter(pk__in=awaiting_decision(user, qs))
            summary.append(_("รอการพิจารณาของฉัน"))
    qs = qs.order_by("-number")
    states = _labels(ClaimState.choices)
    categories = {k: _(v) for k, v in BENEFIT_CATEGORIES}

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "number",
            "made_at",
            "event_date",
            "event_end",
            "membership__member_no",
            "membership__person__title",
            "membership__person__title_other",
            "membership__person__first_name",
            "membership__person__last_name",
            "membership__org_unit__name",
            "benefit__name",
            "benefit__category",
            "units",
            "evaluated_amount",
            "amount",
            "eligible",
            "override_reason",
            "payee_name",
            "state",
            "decided_at",
        )
        for (
            number,
            made_at,
            event_date,
            event_end,
            member_no,
            t,
            to,
            first,
            last,
            group,
            benefit_name,
            category,
            units,
            evaluated,
            amount,
            eligible,
            override,
            payee,
            st,
            decided_at,
        ) in values.iterator(chunk_size=CHUNK):
            yield [
                number,
                _be(made_at),
                _be(event_date),
                _be(event_end),
                member_no,
                _full_name(t, to, first, last),
                group,
                benefit_name,
                f"{category} {categories.get(category, '')}".strip(),
                units,
                evaluated,
                amount,
                _("มีสิทธิ์") if eligible else _("ไม่มีสิทธิ์"),
                override,
                payee,
                states.get(st, st),
                _be(decided_at),
            ]

    return _prepared(
        user,
        "claims",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("เลขที่คำขอ"), 10, "int"),
            Col(_("วันที่ยื่น"), 12),
            Col(_("วันที่เกิดเหตุ"), 12),
            Col(_("ถึงวันที่"), 12),
            Col(_("เลขที่สมาชิก"), 10, "int"),
            Col(_("ชื่อ-นามสกุล"), 26),
            Col(_("กลุ่ม"), 22),
            Col(_("สวัสดิการ"), 24),
            Col(_("หมวด"), 22),
            Col(_("จำนวนหน่วย"), 9, "money"),
            Col(_("จำนวนเงินตามระเบียบ"), 14, "money"),
            Col(_("จำนวนเงินที่ขอจ่าย"), 14, "money"),
            Col(_("ตามระเบียบ"), 11),
            Col(_("เหตุผลที่จ่ายต่างจากระเบียบ"), 30),
            Col(_("ผู้รับเงิน"), 24),
            Col(_("สถานะ"), 18),
            Col(_("วันที่พิจารณา"), 12),
        ],
        rows=rows,
        count=0 if errors else qs.count(),
        query=query,
        summary=summary,
        errors=errors,
    )


def _runs(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    """The fund's payment runs of recurring benefits, as the runs list (newest period first)."""
    from chumchon.benefits import selectors as ben_sel
    from chumchon.benefits.models import RunState
    from chumchon.benefits.services_runs import period_label

    fund = _fund(user, query)
    qs = ben_sel.runs_visible_to(user).filter(fund=fund).order_by("-period_start", "-pk")
    states = _labels(RunState.choices)
    methods = _labels(PaymentMethod.choices)

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "pk",
            "benefit__name",
            "period_key",
            "period_start",
            "period_end",
            "as_of",
            "pay_date",
            "method",
            "count",
            "total",
            "state",
        )
        for pk, name, key, p_start, p_end, as_of, pay_date, method, n, total, st in values.iterator(
            chunk_size=CHUNK
        ):
            yield [
                pk,
                name,
                period_label(key),
                _be(p_start),
                _be(p_end),
                _be(as_of),
                _be(pay_date),
                methods.get(method, method),
                n,
                total,
                states.get(st, st),
            ]

    return _prepared(
        user,
        "runs",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("เลขที่รายการจ่าย"), 10, "int"),
            Col(_("สวัสดิการ"), 26),
            Col(_("รอบ"), 16),
            Col(_("ตั้งแต่"), 12),
            Col(_("ถึง"), 12),
            Col(_("วันที่พิจารณาสิทธิ์"), 13),
            Col(_("วันที่จ่าย"), 12),
            Col(_("วิธีจ่าย"), 10),
            Col(_("จำนวนคน"), 9, "int"),
            Col(_("รวมเงิน"), 14, "money"),
            Col(_("สถานะ"), 18),
        ],
        rows=rows,
        count=qs.count(),
        query=query,
        summary=[],
        errors={},
    )


def _run_lines(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    """The members of one payment run, as its page lists them (``group`` narrows to a village
    group; a group not in the run is ignored, as on the page)."""
    from chumchon.benefits import selectors as ben_sel
    from chumchon.benefits.models import RunLine
    from chumchon.benefits.services_runs import period_label

    raw = _text(query, "run")
    run = (
        ben_sel.runs_visible_to(user).filter(pk=int(raw)).select_related("fund__org_unit").first()
        if raw.isdigit()
        else None
    )
    if run is None:
        raise ExportNotFound
    qs = RunLine.objects.filter(run=run)
    summary = [f"{run.benefit.name} {period_label(run.period_key)}"]
    group_raw = _text(query, "group")
    groups = OrgUnit.objects.filter(pk__in=qs.values("membership__org_unit"))
    group = groups.filter(pk=int(group_raw)).first() if group_raw.isdigit() else None
    if group is not None:
        qs = qs.filter(membership__org_unit=group)
        summary.append(group.name)
    qs = qs.order_by("membership__member_no", "pk")

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "membership__member_no",
            "membership__person__title",
            "membership__person__title_other",
            "membership__person__first_name",
            "membership__person__last_name",
            "membership__org_unit__name",
            "amount",
            "payee_name",
            "payout__fiscal_year",
            "payout__voucher_no",
        )
        for (
            member_no,
            t,
            to,
            first,
            last,
            group_name,
            amount,
            payee,
            fy,
            voucher,
        ) in values.iterator(chunk_size=CHUNK):
            yield [
                member_no,
                _full_name(t, to, first, last),
                group_name,
                amount,
                payee,
                f"{fy}/{voucher:05d}" if voucher else "",
            ]

    return _prepared(
        user,
        "run_lines",
        root=run.fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=f"{run.benefit.name} {period_label(run.period_key)} · {run.fund.name}",
        columns=[
            Col(_("เลขที่สมาชิก"), 10, "int"),
            Col(_("ชื่อ-นามสกุล"), 28),
            Col(_("กลุ่ม"), 22),
            Col(_("จำนวนเงิน"), 12, "money"),
            Col(_("ผู้รับเงิน"), 28),
            Col(_("เลขที่ใบสำคัญจ่าย"), 13),
        ],
        rows=rows,
        count=qs.count(),
        query=query,
        summary=summary,
        errors={},
    )


def _regulations(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    from chumchon.benefits import selectors as ben_sel
    from chumchon.benefits.models import VersionState

    fund = _fund(user, query)
    qs = (
        ben_sel.regulations_visible_to(user)
        .filter(fund=fund)
        .annotate(n_benefits=Count("benefits"))
        .order_by("-effective_from", "-number")
    )
    states = _labels(VersionState.choices)

    def rows() -> Iterator[Sequence[Any]]:
        values = qs.values_list(
            "number",
            "title",
            "effective_from",
            "state",
            "resolution_meeting",
            "resolution_date",
            "resolution_no",
            "n_benefits",
        )
        for number, title, since, st, meeting, res_date, res_no, n in values.iterator(
            chunk_size=CHUNK
        ):
            yield [number, title, _be(since), states.get(st, st), meeting, _be(res_date), res_no, n]

    return _prepared(
        user,
        "regulations",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=fund.name,
        columns=[
            Col(_("ฉบับที่"), 8, "int"),
            Col(_("ชื่อระเบียบ"), 40),
            Col(_("วันที่มีผลบังคับใช้"), 13),
            Col(_("สถานะ"), 14),
            Col(_("มติที่ประชุม"), 30),
            Col(_("วันที่ประชุม"), 12),
            Col(_("เลขที่มติ"), 10),
            Col(_("จำนวนสวัสดิการ"), 10, "int"),
        ],
        rows=rows,
        count=qs.count(),
        query=query,
        summary=[],
        errors={},
    )


def _matching_eligible(user: Any, query: dict[str, str], today: dt.date) -> Prepared:
    """Members eligible for state matching as of 30 Sep of a fiscal year (the list a fund sends
    to CODI), with the rounds each was already matched in."""
    from chumchon.funds.selectors import matching_eligible

    fund = _fund(user, query)
    errors: dict[str, str] = {}
    raw = _text(query, "fy")
    try:
        fy = int(raw)
        if not 2500 <= fy <= 2700:
            raise ValueError
    except ValueError:
        errors["fy"] = _("ปีงบประมาณ: ต้องเป็นปี พ.ศ. เช่น 2569")
        fy = 0
    found = matching_eligible(fund, fy) if not errors else []
    found = [r for r in found if area_sel.user_can(user, Perm.VIEW_BOOKS, r.membership.org_unit)]

    def rows() -> Iterator[Sequence[Any]]:
        for r in found:
            m = r.membership
            yield [
                m.member_no,
                m.person.full_name,
                m.org_unit.name,
                _be(m.joined_on),
                r.status.label,
                ", ".join(str(n) for n in r.rounds),
            ]

    return _prepared(
        user,
        "matching_eligible",
        root=fund.org_unit,
        perm=Perm.VIEW_BOOKS,
        target=f"{fund.name} · {fy or raw}",
        columns=[
            Col(_("เลขที่สมาชิก"), 10, "int"),
            Col(_("ชื่อ-สกุล"), 30),
            Col(_("กลุ่มหมู่บ้าน"), 24),
            Col(_("เป็นสมาชิกตั้งแต่"), 13),
            Col(_("สถานะ ณ วันนับ"), 14),
            Col(_("เคยได้รับสมทบรอบที่"), 16),
        ],
        rows=rows,
        count=len(found),
        query=query,
        summary=[_("ปีงบประมาณ %(y)s") % {"y": fy}] if fy else [],
        errors=errors,
    )


# ---------------------------------------------------------------- the registry


def _kinds() -> dict[str, Kind]:
    books = ("fund", "start", "end")
    return {
        k.key: k
        for k in (
            Kind(
                "persons",
                gettext_lazy("รายชื่อบุคคล"),
                Perm.VIEW_PEOPLE,
                ("unit", "q", "village", "status", "sex", "age_min", "age_max", "has_id"),
                _persons,
                needs_fund=False,
            ),
            Kind(
                "households",
                gettext_lazy("รายชื่อครัวเรือน"),
                Perm.VIEW_PEOPLE,
                ("q", "village"),
                _households,
                needs_fund=False,
            ),
            Kind(
                "members",
                gettext_lazy("ทะเบียนสมาชิก"),
                Perm.VIEW_BOOKS,
                ("fund", "group", "status", "type", "q"),
                _members,
            ),
            Kind(
                "payments",
                gettext_lazy("ใบเสร็จรับเงิน"),
                Perm.VIEW_BOOKS,
                ("fund", "date_from", "date_to", "group", "void", "q"),
                _payments,
            ),
            Kind(
                "collection_days",
                gettext_lazy("วันเก็บเงิน"),
                Perm.VIEW_BOOKS,
                ("fund",),
                _collection_days,
            ),
            Kind("journal", gettext_lazy("สมุดรายวันทั่วไป"), Perm.VIEW_BOOKS, books, _journal),
            Kind(
                "cash_book",
                gettext_lazy("สมุดเงินสด"),
                Perm.VIEW_BOOKS,
                (*books, "kind"),
                _cash_book,
            ),
            Kind(
                "general_ledger",
                gettext_lazy("บัญชีแยกประเภท"),
                Perm.VIEW_BOOKS,
                (*books, "account"),
                _general_ledger,
            ),
            Kind(
                "trial_balance",
                gettext_lazy("งบทดลอง"),
                Perm.VIEW_BOOKS,
                ("fund", "as_of", "hide_zero"),
                _trial_balance,
            ),
            Kind(
                "claims",
                gettext_lazy("คำขอรับสวัสดิการ"),
                Perm.VIEW_BOOKS,
                ("fund", "state", "benefit", "mine", "q"),
                _claims,
            ),
            Kind(
                "runs",
                gettext_lazy("รายการจ่ายสวัสดิการรายรอบ"),
                Perm.VIEW_BOOKS,
                ("fund",),
                _runs,
            ),
            Kind(
                "run_lines",
                gettext_lazy("รายชื่อผู้รับสวัสดิการในรอบจ่าย"),
                Perm.VIEW_BOOKS,
                ("run", "group"),
                _run_lines,
                needs_fund=False,
            ),
            Kind(
                "matching_eligible",
                gettext_lazy("สมาชิกที่มีสิทธิ์ได้รับเงินสมทบจากรัฐ"),
                Perm.VIEW_BOOKS,
                ("fund", "fy"),
                _matching_eligible,
            ),
            Kind(
                "regulations",
                gettext_lazy("ระเบียบสวัสดิการ"),
                Perm.VIEW_BOOKS,
                ("fund",),
                _regulations,
            ),
        )
    }


KINDS: dict[str, Kind] = _kinds()


def prepare(
    user: Any, kind: str, query: Mapping[str, Any], *, today: dt.date | None = None
) -> Prepared:
    """The ``kind`` export of the list the user sees with ``query`` (the list's GET
    parameters). Raises ExportNotFound for an unknown kind or a record outside the user's
    scope; filters that cannot be read come back in ``errors`` with nothing to write."""
    k = KINDS.get(kind)
    if k is None or not getattr(user, "is_authenticated", False):
        raise ExportNotFound
    clean = {n: str(query.get(n) or "") for n in k.params}
    return k.build(user, clean, today or timezone.localdate())


# ---------------------------------------------------------------- the writer


def _cell_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


class _Writer:
    """A write-only workbook: a bold frozen header, widths, money cells, sheets continued past
    Excel's row limit, and text that looks like a formula kept as text."""

    def __init__(self, prep: Prepared) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.wb = Workbook(write_only=True)
        self.cell = WriteOnlyCell
        self.bold = Font(bold=True)
        self.prep = prep
        self.sheets = 0
        self.in_sheet = 0
        self.kinds = [c.kind for c in prep.columns]
        self._new_sheet()

    def _new_sheet(self) -> None:
        from openpyxl.utils import get_column_letter

        self.sheets += 1
        title = self.prep.sheet if self.sheets == 1 else f"{self.prep.sheet[:26]} ({self.sheets})"
        self.ws = self.wb.create_sheet(title=title)
        for i, col in enumerate(self.prep.columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        self.ws.freeze_panes = "A2"
        header = []
        for col in self.prep.columns:
            c = self.cell(self.ws, value=str(col.header))
            c.font = self.bold
            header.append(c)
        self.ws.append(header)
        self.in_sheet = 0

    def _value(self, kind: str, v: Any) -> Any:
        if v is None or v == "":
            return None
        if kind == "money":
            c = self.cell(self.ws, value=Decimal(v))
            c.number_format = MONEY_FORMAT
            return c
        if isinstance(v, Promise):
            v = str(v)
        if isinstance(v, str):
            v = _cell_text(v)
            if v.startswith("="):  # a memo is never a formula
                c = self.cell(self.ws, value=v)
                c.data_type = "s"
                return c
        elif isinstance(v, (dt.date, dt.datetime)):
            return _be(v)
        return v

    def append(self, row: Sequence[Any]) -> None:
        if self.in_sheet >= SHEET_MAX_ROWS:
            self._new_sheet()
        self.ws.append([self._value(k, v) for k, v in zip(self.kinds, row, strict=False)])
        self.in_sheet += 1

    def about(self, n: int) -> None:
        ws = self.wb.create_sheet(title=_("เกี่ยวกับไฟล์นี้"))
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 70
        prep = self.prep
        for label, value in (
            (_("รายการ"), prep.title),
            (_("ตัวกรอง"), " · ".join(prep.summary) or _("ไม่มี (ทั้งหมด)")),
            (_("จำนวนแถว"), n),
            (_("ส่งออกโดย"), prep.by),
            (_("เมื่อ"), format_be_datetime(timezone.now())),
            (_("วันที่ในไฟล์"), _("ข้อความ วว/ดด/ปปปป ปีพุทธศักราช")),
            (
                _("เลขประจำตัวประชาชน"),
                _("แสดงเต็ม") if prep.full_ids else _("แสดงเฉพาะ 4 หลักท้าย"),
            ),
        ):
            c = self.cell(ws, value=str(label))
            c.font = self.bold
            ws.append([c, _cell_text(str(value)) if isinstance(value, str) else value])


def write(
    prep: Prepared,
    out: Any,
    *,
    progress: Callable[[int], None] | None = None,
    every: int | None = None,
) -> int:
    """Write ``prep`` to ``out`` (a path or a binary file); returns the number of data rows.
    ``progress(n)`` is called every ``every`` rows (default ``PROGRESS_EVERY``)."""
    every = every or PROGRESS_EVERY
    w = _Writer(prep)
    n = 0
    for row in prep.rows():
        w.append(row)
        n += 1
        if progress is not None and n % every == 0:
            progress(n)
    w.about(n)
    w.wb.save(out)
    return n


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(prep: Prepared, today: dt.date) -> str:
    """A Thai file name: "ใบเสร็จรับเงิน กองทุน...ตำบลในเมือง 30-11-2568.xlsx" (sent with
    RFC 5987 ``filename*``; browsers that need ASCII get Django's fallback)."""
    stem = _UNSAFE.sub(" ", prep.title.replace(" · ", " ")).strip()
    stem = re.sub(r"\s+", " ", stem)[:120]
    return f"{stem} {today.day:02d}-{today.month:02d}-{today.year + 543}.xlsx"


# ---------------------------------------------------------------- jobs


def jobs_of(user: Any) -> QuerySet[ExportJob]:
    """The user's own export jobs (nobody else's), newest first."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user).select_related("org_unit").order_by("-created_at")


def job_params(prep: Prepared, language: str) -> dict[str, Any]:
    return {
        "query": prep.query,
        "scope": prep.scope,
        "full_ids": prep.full_ids,
        "lang": language,
    }


@transaction.atomic
def job_create(*, user: Any, prep: Prepared, language: str) -> tuple[ExportJob, bool]:
    """A queued job for ``prep``, or the user's same job still queued or running (a second
    click makes no second file). Returns (job, created)."""
    params = job_params(prep, language)
    for job in jobs_of(user).filter(
        kind=prep.kind, state__in=[ExportState.QUEUED, ExportState.RUNNING]
    ):
        if job.params.get("query") == params["query"]:
            return job, False
    job = ExportJob.objects.create(
        user=user,
        org_unit=prep.org_unit,
        kind=prep.kind,
        params=params,
        title=prep.title,
        total_rows=prep.count,
    )
    return job, True


def downloadable(user: Any, job: ExportJob) -> tuple[bool, str]:
    """Whether ``user`` may download ``job``'s file now, and why not (Thai)."""
    if job.user_id != getattr(user, "pk", None):
        return False, _("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง")
    if job.state != ExportState.DONE or not job.file:
        return False, _("ไฟล์ยังไม่พร้อม")
    k = KINDS.get(job.kind)
    scope = job.params.get("scope") or []
    if k is None or not still_covers(user, k.perm, scope):
        return False, _("สิทธิ์ของคุณในหน่วยของไฟล์นี้สิ้นสุดแล้ว จึงดาวน์โหลดไม่ได้")
    if job.params.get("full_ids") and not still_covers(user, Perm.VIEW_FULL_ID, scope):
        return False, _("ไฟล์นี้มีเลขประจำตัวประชาชนเต็ม ซึ่งคุณไม่มีสิทธิ์ดูแล้ว จึงดาวน์โหลดไม่ได้")
    return True, ""


def job_delete(job: ExportJob) -> None:
    """Remove a job and its file."""
    if job.file:
        job.file.delete(save=False)
    job.delete()


def purge_expired(now: dt.datetime | None = None) -> int:
    """Remove finished jobs (and files) older than KEEP_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    old = list(
        ExportJob.objects.filter(
            created_at__lt=cutoff, state__in=[ExportState.DONE, ExportState.FAILED]
        )
    )
    for job in old:
        try:
            job_delete(job)
        except OSError:  # a file already gone: the row goes anyway
            log.warning("export job %s: file could not be removed", job.pk)
            job.delete()
    return len(old)
