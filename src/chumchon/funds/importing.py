"""Import a fund's members and their payment history from the spreadsheets it keeps today.

The steps: keep the uploaded file (``upload_save``), read it with python-calamine, find each
sheet's header row and guess what each column holds from its Thai or English header (the
fund's saved ``ImportMapping`` first), let the user adjust, then ``dry_run``: every row read and
checked, with Thai errors naming the row and the column, and a summary of what a commit would
create. ``commit`` runs the same checks again inside one transaction and writes everything or
nothing: persons and households through ``chumchon.people.services``, memberships through
``services.member_import``, payments through ``services.payments_import`` (one journal entry per
payment through ``ledger.post``).

Two shapes of sheet are read:

* members, one row per member (member no., title, names or a full name, national id, birth
  date, house no., หมู่, group, plan, joined date), optionally with one column per month
  ("ม.ค. 67", "ก.พ. 2567", a date cell) holding what the member paid that month;
* payments, one row per payment (member no. or national id, date, amount, receipt no.), or one
  row per member with month columns and no personal details.

A workbook may hold both (a members sheet and a payments sheet). Running the same file again
creates nothing twice: persons are matched by national id, memberships by member no. (or the
person's open membership), payments by receipt no. or by (member, date, amount, n-th such row),
and a file already committed is recognised by its SHA-256.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chumchon.areas.models import OrgUnit, Village
from chumchon.areas.selectors import subtree_q, user_can, villages_for_units
from chumchon.core.permissions import Perm
from chumchon.core.thai import (
    BE_OFFSET,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    ThaiDateError,
    fiscal_year,
    format_be_date,
    national_id_error,
    normalize_national_id,
    parse_be_date,
    parse_be_partial_date,
    to_arabic_digits,
)
from chumchon.ledger.models import Period
from chumchon.people import services as people
from chumchon.people.models import Household, HouseholdMember, Person, Relation, Sex, Title

from . import services
from .models import (
    ContributionPlan,
    Fund,
    ImportBatch,
    ImportKind,
    ImportMapping,
    Membership,
    MembershipState,
    Payment,
    PaymentMethod,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
CHUNK = 500  # ids per IN (...) query

# --- what a column can hold -------------------------------------------------------------------

IGNORE = ""
MONTH = "month"

FIELD_LABELS: dict[str, Promise] = {
    IGNORE: gettext_lazy("ไม่นำเข้า"),
    "member_no": gettext_lazy("เลขที่สมาชิก"),
    "title": gettext_lazy("คำนำหน้า"),
    "first_name": gettext_lazy("ชื่อ"),
    "last_name": gettext_lazy("นามสกุล"),
    "full_name": gettext_lazy("ชื่อ-นามสกุล (รวมคำนำหน้า)"),
    "national_id": gettext_lazy("เลขประจำตัวประชาชน"),
    "birth_date": gettext_lazy("วันเกิด"),
    "sex": gettext_lazy("เพศ"),
    "phone": gettext_lazy("โทรศัพท์"),
    "house_number": gettext_lazy("บ้านเลขที่"),
    "village_no": gettext_lazy("หมู่ที่"),
    "group": gettext_lazy("กลุ่มหมู่บ้าน"),
    "plan": gettext_lazy("แบบการออม"),
    "joined_on": gettext_lazy("วันที่เป็นสมาชิก"),
    "date": gettext_lazy("วันที่ชำระ"),
    "amount": gettext_lazy("จำนวนเงิน"),
    "entry_fee": gettext_lazy("ค่าสมัคร"),
    "receipt_no": gettext_lazy("เลขที่ใบเสร็จ"),
    "method": gettext_lazy("วิธีชำระ"),
    MONTH: gettext_lazy("ยอดชำระรายเดือน (หัวคอลัมน์เป็นเดือน)"),
}

MEMBER_FIELDS = (
    "member_no",
    "title",
    "first_name",
    "last_name",
    "full_name",
    "national_id",
    "birth_date",
    "sex",
    "phone",
    "house_number",
    "village_no",
    "group",
    "plan",
    "joined_on",
    MONTH,
)
PAYMENT_FIELDS = (
    "member_no",
    "national_id",
    "date",
    "amount",
    "entry_fee",
    "receipt_no",
    "method",
    MONTH,
)
FIELDS_FOR = {ImportKind.MEMBERS: MEMBER_FIELDS, ImportKind.PAYMENTS: PAYMENT_FIELDS}

# Header texts seen in funds' sheets (compared after ``norm``: no spaces, dots, dashes).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "member_no": (
        "เลขที่สมาชิก",
        "เลขสมาชิก",
        "รหัสสมาชิก",
        "ทะเบียนสมาชิก",
        "เลขทะเบียนสมาชิก",
        "สมาชิกเลขที่",
        "เลขที่",
        "member no",
        "member number",
        "member id",
    ),
    "title": ("คำนำหน้า", "คำนำหน้าชื่อ", "คำนำ", "title", "prefix"),
    "first_name": ("ชื่อ", "ชื่อจริง", "first name", "given name"),
    "last_name": ("นามสกุล", "สกุล", "last name", "surname", "family name"),
    "full_name": (
        "ชื่อ-สกุล",
        "ชื่อ-นามสกุล",
        "ชื่อ สกุล",
        "ชื่อและนามสกุล",
        "ชื่อสมาชิก",
        "ชื่อผู้สมัคร",
        "name",
        "full name",
    ),
    "national_id": (
        "เลขบัตร",
        "เลขบัตรประชาชน",
        "เลขประจำตัวประชาชน",
        "เลขบัตรประจำตัวประชาชน",
        "บัตรประชาชน",
        "เลขที่บัตร",
        "เลขที่บัตรประชาชน",
        "เลขประชาชน",
        "national id",
        "citizen id",
        "id card",
        "pid",
        "cid",
    ),
    "birth_date": (
        "วันเกิด",
        "วันเดือนปีเกิด",
        "ว/ด/ป เกิด",
        "วดป เกิด",
        "วันที่เกิด",
        "ปีเกิด",
        "birth date",
        "date of birth",
        "dob",
    ),
    "sex": ("เพศ", "sex", "gender"),
    "phone": ("โทรศัพท์", "เบอร์โทร", "เบอร์โทรศัพท์", "โทร", "phone", "tel", "mobile"),
    "house_number": ("บ้านเลขที่", "เลขที่บ้าน", "house no", "house number"),
    "village_no": ("หมู่", "หมู่ที่", "ม", "moo", "village no"),
    "group": ("กลุ่ม", "กลุ่มหมู่บ้าน", "ชื่อกลุ่ม", "group"),
    "plan": (
        "แบบการออม",
        "แบบ",
        "แผนการออม",
        "ประเภทการออม",
        "รูปแบบการออม",
        "การออม",
        "แบบการส่ง",
        "plan",
    ),
    "joined_on": (
        "วันที่สมัคร",
        "วันสมัคร",
        "วันที่เป็นสมาชิก",
        "วันเป็นสมาชิก",
        "วันที่เข้าเป็นสมาชิก",
        "วันเข้าเป็นสมาชิก",
        "วันที่เข้า",
        "วันที่เริ่ม",
        "joined",
        "join date",
        "joined on",
    ),
    "date": ("วันที่", "วันที่ชำระ", "วันที่จ่าย", "วันที่รับเงิน", "วันชำระ", "date", "payment date"),
    "amount": ("จำนวนเงิน", "ยอดเงิน", "เงิน", "จำนวน", "ยอดชำระ", "เงินสมทบ", "บาท", "amount"),
    "entry_fee": ("ค่าสมัคร", "ค่าแรกเข้า", "entry fee"),
    "receipt_no": ("เลขที่ใบเสร็จ", "ใบเสร็จ", "ใบเสร็จเลขที่", "เลขใบเสร็จ", "receipt", "receipt no"),
    "method": ("วิธีชำระ", "ช่องทางชำระ", "ชำระโดย", "method"),
}

_NORM_STRIP = re.compile(r"[\s._\-/:()*#\u200b\u200c\u200d\u2060\ufeff]+")


def norm(text: Any) -> str:
    """A header or name compared loosely: Arabic digits, lower case, no spaces or punctuation."""
    return _NORM_STRIP.sub("", to_arabic_digits(str(text)).lower())


_SYNONYMS_NORM: dict[str, str] = {}
for _field, _words in SYNONYMS.items():
    for _w in _words:
        _SYNONYMS_NORM.setdefault(norm(_w), _field)
# Longest first: "เลขที่บัตร" is a national id before "เลขที่" is a member no.
# A short word ("ชื่อ") matches only exactly: "ชื่อผู้รับผลประโยชน์" is not the member's name.
_PREFIXES = sorted((w for w in _SYNONYMS_NORM if len(w) >= 5), key=len, reverse=True)
_NOT_A_FIELD = {norm(w) for w in ("ลำดับ", "ลำดับที่", "ที่", "no", "หมายเหตุ", "รวม", "อายุ")}

_MONTHS_BY_NAME: dict[str, int] = {
    **{norm(name): i + 1 for i, name in enumerate(THAI_MONTHS)},
    **{norm(abbr): i + 1 for i, abbr in enumerate(THAI_MONTHS_ABBR)},
}
_MONTH_TEXT_RE = re.compile(r"^(\D+?)(?:พศ)?(\d{2}|\d{4})$")
_MONTH_NUM_RE = re.compile(r"^\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})\s*$")


def _year_ce(year_text: str) -> int | None:
    """A month header's year: 2 digits are BE (67 = 2567), 4 digits BE (>= 2400) or CE."""
    y = int(year_text)
    if len(year_text) == 2:
        return 2500 + y - BE_OFFSET
    if y >= 2400:
        return y - BE_OFFSET
    if 1900 <= y <= 2200:
        return y
    return None


def month_of(cell: Any) -> dt.date | None:
    """The first day of the month a column header names ("ม.ค. 67", "มกราคม 2567", "1/67", or a
    date cell, whose year above 2400 is BE), or None."""
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        ce = cell.year - BE_OFFSET if cell.year > 2400 else cell.year
        return dt.date(ce, cell.month, 1) if 1900 <= ce <= 2200 else None
    if not isinstance(cell, str) or not cell.strip():
        return None
    text = to_arabic_digits(cell)
    month: int
    year: int | None
    m = _MONTH_NUM_RE.match(text)
    if m:
        month, year = int(m[1]), _year_ce(m[2])
    else:
        m = _MONTH_TEXT_RE.match(norm(text))
        if not m:
            return None
        month, year = _MONTHS_BY_NAME.get(m[1], 0), _year_ce(m[2])
    if not 1 <= month <= 12 or year is None:
        return None
    return dt.date(year, month, 1)


def guess_field(header: Any, allowed: Iterable[str]) -> str:
    """What a header most likely names, among ``allowed`` fields ("" when unsure)."""
    allowed = set(allowed)
    if MONTH in allowed and month_of(header) is not None:
        return MONTH
    n = norm(header) if header is not None else ""
    if not n or n in _NOT_A_FIELD:
        return IGNORE
    found = _SYNONYMS_NORM.get(n)
    if found is None:
        found = next((_SYNONYMS_NORM[w] for w in _PREFIXES if n.startswith(w)), None)
    return found if found in allowed else IGNORE


# --- the uploaded file, kept between the steps -------------------------------------------------

UPLOAD_DIR = "imports"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
UPLOAD_MAX_AGE = dt.timedelta(days=2)
MAX_UPLOAD_BYTES = 64 * 2**20
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class ImportFileError(ValueError):
    """The file cannot be read as a workbook; ``str`` is a Thai message."""


@dataclass
class Upload:
    """A file waiting in ``<storage>/imports/<fund>/<token>.bin`` with its settings beside it."""

    fund_id: int
    token: str
    kind: str
    file_name: str
    sha256: str
    size: int
    user_id: int | None = None
    uploaded_at: str = ""
    # Per sheet index (as text): {"kind": ..., "columns": {col index (text): field}}
    overrides: dict[str, Any] = field(default_factory=dict)
    # The background commit: {"state": queued|running|done|refused|failed, ...} (see tasks.py)
    job: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"{UPLOAD_DIR}/{self.fund_id}/{self.token}"

    def meta(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "size": self.size,
            "user_id": self.user_id,
            "uploaded_at": self.uploaded_at,
            "overrides": self.overrides,
            "job": self.job,
        }


def _write(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # pragma: no cover - a storage that renames would lose the file
        raise RuntimeError(f"storage saved {name} as {saved}")


def _sweep(fund_id: int) -> None:
    """Forget uploads left for more than UPLOAD_MAX_AGE (started and never committed)."""
    folder = f"{UPLOAD_DIR}/{fund_id}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    limit = timezone.now() - UPLOAD_MAX_AGE
    for name in files:
        path = f"{folder}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):  # pragma: no cover
            continue


def upload_save(*, fund: Fund, content: bytes, file_name: str, kind: str, user: Any) -> Upload:
    """Keep an uploaded file for the next steps; refuse what calamine cannot read."""
    if kind not in ImportKind.values:
        raise ImportFileError(_("ประเภทข้อมูล: เลือกรายชื่อสมาชิกหรือประวัติการชำระเงิน"))
    if not file_name.lower().endswith(EXTENSIONS):
        raise ImportFileError(_("ไฟล์: รับเฉพาะไฟล์ Excel (.xlsx .xls) หรือ .ods"))
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("ไฟล์: ใหญ่เกิน 64 MB ให้แบ่งเป็นหลายไฟล์"))
    read_sheets(content)  # refuse an unreadable file now, not at the preview
    _sweep(fund.pk)
    up = Upload(
        fund_id=fund.pk,
        token=secrets.token_urlsafe(18),
        kind=kind,
        file_name=file_name[-255:],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        user_id=getattr(user, "pk", None),
        uploaded_at=timezone.now().isoformat(),
    )
    _write(up.base + ".bin", content)
    _write(up.base + ".json", json.dumps(up.meta(), ensure_ascii=False).encode())
    return up


def upload_get(fund: Fund, token: str) -> Upload | None:
    if not TOKEN_RE.match(token or ""):
        return None
    base = f"{UPLOAD_DIR}/{fund.pk}/{token}"
    try:
        with default_storage.open(base + ".json", "rb") as fh:
            meta = json.loads(fh.read().decode())
    except (FileNotFoundError, OSError, ValueError):
        return None
    if not default_storage.exists(base + ".bin"):
        return None
    return Upload(fund_id=fund.pk, token=token, **meta)


def upload_content(up: Upload) -> bytes:
    with default_storage.open(up.base + ".bin", "rb") as fh:
        data: bytes = fh.read()
    return data


def upload_set_overrides(up: Upload, overrides: dict[str, Any]) -> None:
    up.overrides = overrides
    _write(up.base + ".json", json.dumps(up.meta(), ensure_ascii=False).encode())


def upload_delete(up: Upload) -> None:
    for ext in (".bin", ".json"):
        if default_storage.exists(up.base + ext):
            default_storage.delete(up.base + ext)


# --- reading the workbook ---------------------------------------------------------------------


@dataclass
class Sheet:
    index: int
    name: str
    rows: list[list[Any]]  # from A1, as calamine gives them (empty cells are "")


def read_sheets(content: bytes) -> list[Sheet]:
    """Every worksheet of the workbook, cells as Python values (numbers are floats, date cells
    are dates), rows counted from A1 so row i is Excel row i + 1."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        out = []
        for i, meta in enumerate(wb.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
            out.append(Sheet(index=i, name=meta.name, rows=rows))
    except Exception as exc:
        raise ImportFileError(
            _("ไฟล์: อ่านไม่ได้ ไม่ใช่ไฟล์ Excel ที่ถูกต้องหรือไฟล์เสีย (%(e)s)") % {"e": type(exc).__name__}
        ) from exc
    return out


def _cell(row: Sequence[Any], i: int) -> Any:
    return row[i] if i < len(row) else ""


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as BE dd/mm/yyyy."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        if v.year > 2400:  # a BE year typed into a date cell: shown as typed
            return f"{v.day:02d}/{v.month:02d}/{v.year}"
        return format_be_date(v, "numeric")
    return " ".join(str(v).replace("\u200b", "").split())


@dataclass
class Column:
    index: int
    header: str  # as written in the file (or the column letter when empty)
    field: str
    month: dt.date | None = None
    guessed: bool = True  # False: the user (or the fund's saved mapping) chose it
    samples: list[str] = dataclasses.field(default_factory=list)
    empty: bool = False  # no header text: ``header`` is the column letter

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def letter(self) -> str:
        return column_letter(self.index)


def column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Part:
    """One sheet read as members or payments (kind "" = not imported)."""

    sheet: Sheet
    kind: str
    header_row: int  # 0-based index into sheet.rows; -1 when no header was found
    columns: list[Column]

    @property
    def mapped(self) -> dict[str, int]:
        return {c.field: c.index for c in self.columns if c.field not in (IGNORE, MONTH)}

    @property
    def months(self) -> list[Column]:
        return [c for c in self.columns if c.field == MONTH and c.month is not None]

    def header_of(self, col: int | None) -> str:
        if col is None:
            return ""
        for c in self.columns:
            if c.index == col:
                return c.header
        return column_letter(col)

    def data_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(Excel row number, cells) after the header row."""
        for i in range(self.header_row + 1, len(self.sheet.rows)):
            yield i + 1, self.sheet.rows[i]


HEADER_SCAN = 20


def _header_row(rows: list[list[Any]], known: dict[str, str]) -> int:
    """The row, among the first HEADER_SCAN, whose cells name the most known fields (at least
    two; ``known`` holds the fund's saved header texts); else the first row with two cells or
    more, for the user to map by hand."""
    best, best_score = -1, 1
    allowed = set(MEMBER_FIELDS) | set(PAYMENT_FIELDS)
    for i, row in enumerate(rows[:HEADER_SCAN]):
        score = sum(
            1
            for v in row
            if not _blank(v) and (norm(_text(v)) in known or guess_field(v, allowed) != IGNORE)
        )
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        filled = (i for i, r in enumerate(rows[:HEADER_SCAN]) if sum(not _blank(v) for v in r) > 1)
        best = next(filled, -1)
    return best


def _classify(fields: set[str], kind: str) -> str:
    names = {"first_name", "full_name", "last_name"}
    has_member = bool(fields & {"member_no", "national_id"})
    paid = ({"date", "amount"} <= fields) or MONTH in fields
    if kind == ImportKind.MEMBERS and fields & names:
        return ImportKind.MEMBERS
    if has_member and paid:
        return ImportKind.PAYMENTS
    return ""


def build_parts(
    sheets: list[Sheet], kind: str, saved: dict[str, dict[str, str]], overrides: dict[str, Any]
) -> list[Part]:
    """Each sheet's header row, columns and kind: the user's choices, then the fund's saved
    mapping (header text → field), then a guess from the header."""
    parts = []
    known = {h: f for kind_map in saved.values() for h, f in kind_map.items() if f}
    for sheet in sheets:
        hr = _header_row(sheet.rows, known)
        headers = sheet.rows[hr] if hr >= 0 else []
        chosen = overrides.get(str(sheet.index), {})
        width = max((len(r) for r in sheet.rows[: hr + 200]), default=0) if hr >= 0 else 0
        # The kind decides which fields are offered: classify on the saved mapping and a guess
        # over both sets of fields first.
        probe = {
            known.get(norm(_text(h))) or guess_field(h, (*MEMBER_FIELDS, *PAYMENT_FIELDS))
            for h in (_cell(headers, i) for i in range(width))
        }
        part_kind = chosen.get("kind", _classify(probe, kind) if hr >= 0 else "")
        if part_kind not in ("", *ImportKind.values):
            part_kind = ""
        allowed = FIELDS_FOR.get(part_kind, ())
        saved_map = saved.get(part_kind, {})
        picked: dict[str, str] = chosen.get("columns", {})
        columns: list[Column] = []
        used: set[str] = set()
        for i in range(width):
            head = _cell(headers, i)
            text = _text(head) or column_letter(i)
            month = month_of(head)
            if str(i) in picked and (picked[str(i)] in allowed or picked[str(i)] == IGNORE):
                f, guessed = picked[str(i)], False
            elif norm(text) in saved_map and saved_map[norm(text)] in (*allowed, IGNORE):
                f, guessed = saved_map[norm(text)], False
            else:
                f, guessed = (guess_field(head, allowed) if not _blank(head) else IGNORE), True
                if f in used and f != MONTH:
                    f = IGNORE
            if f == MONTH and month is None:
                f = IGNORE
            used.add(f)
            samples: list[str] = []
            for _n, row in _rows_after(sheet.rows, hr, 6):
                value = _text(_cell(row, i))
                if value and len(samples) < 3:
                    samples.append(value[:40])
            columns.append(Column(i, text, f, month, guessed, samples, _blank(head)))
        parts.append(Part(sheet=sheet, kind=part_kind, header_row=hr, columns=columns))
    return parts


def _rows_after(rows: list[list[Any]], hr: int, limit: int) -> Iterator[tuple[int, list[Any]]]:
    n = 0
    for i in range(hr + 1, len(rows)):
        if n >= limit:
            return
        if any(not _blank(v) for v in rows[i]):
            n += 1
            yield i + 1, rows[i]


def mapping_to_save(parts: Iterable[Part]) -> dict[str, dict[str, str]]:
    """Header text → field for each kind: what the user chose and what was recognised (a
    column left unrecognised is not remembered, so a better guess later still applies)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for p in parts:
        if not p.kind:
            continue
        for c in p.columns:
            if c.field == MONTH or c.empty or (c.field == IGNORE and c.guessed):
                continue
            out[p.kind][norm(c.header)] = c.field
    return dict(out)


@transaction.atomic
def mapping_save(*, actor: Any, fund: Fund, parts: Iterable[Part]) -> None:
    """Remember the fund's column mapping per kind (merged into what it saved before)."""
    if not user_can(actor, Perm.MANAGE_MEMBERS, fund.org_unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))
    for kind, columns in mapping_to_save(parts).items():
        mapping, _created = ImportMapping.objects.select_for_update().get_or_create(
            fund=fund, kind=kind
        )
        merged = {**(mapping.columns or {}), **columns}
        if merged != mapping.columns or _created:
            mapping.columns = merged
            mapping.save()


def saved_mappings(fund: Fund) -> dict[str, dict[str, str]]:
    return {m.kind: dict(m.columns or {}) for m in ImportMapping.objects.filter(fund=fund)}


# --- reading values ---------------------------------------------------------------------------


class CellError(ValueError):
    """A value that cannot be read; ``str`` is the Thai problem (without row and column)."""


_INT_RE = re.compile(r"^\d+(?:\.0+)?$")
_VILLAGE_RE = re.compile(r"^(?:หมู่\s*(?:ที่)?|ม\.?)?\s*(\d{1,2})$")


def read_int(v: Any, what: str) -> int | None:
    """A positive whole number from a number cell or text (Thai digits, "12", "12.0")."""
    if _blank(v):
        return None
    if isinstance(v, float):
        if v.is_integer() and v > 0:
            return int(v)
        raise CellError(_("%(w)s ต้องเป็นจำนวนเต็มบวก") % {"w": what})
    text = to_arabic_digits(str(v)).strip().replace(",", "")
    if not _INT_RE.match(text) or int(float(text)) <= 0:
        raise CellError(_("%(w)s ต้องเป็นจำนวนเต็มบวก (พบ “%(v)s”)") % {"w": what, "v": _text(v)})
    return int(float(text))


def read_village_no(v: Any) -> int | None:
    """หมู่ที่ from "3", "หมู่ 3", "ม.3", "หมู่ที่ ๓" or a number cell."""
    if _blank(v) or isinstance(v, float):
        return read_int(v, _("หมู่ที่"))
    m = _VILLAGE_RE.match(to_arabic_digits(str(v)).strip())
    if not m or int(m[1]) == 0:
        raise CellError(_("หมู่ที่ต้องเป็นตัวเลข 1-99 (พบ “%(v)s”)") % {"v": _text(v)})
    return int(m[1])


def read_national_id(v: Any) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        raw = str(int(v))
        if len(raw) == 12:  # a number cell dropped the leading 0 of a non-Thai person's id
            raw = "0" + raw
    else:
        raw = str(v)
    message = national_id_error(raw)
    if message:
        raise CellError(message)
    return normalize_national_id(raw)


_AMOUNT_STRIP = re.compile(r"[,\s฿]|บาท")
TICKS = {"✓", "✔", "√", "/", "x", "X", "✗"}


def read_amount(v: Any, *, allow_zero: bool = False) -> Decimal | None:
    """Baht from a number or text ("1,200.50", Thai digits); None for a blank cell."""
    if _blank(v):
        return None
    if isinstance(v, bool):
        raise CellError(_("อ่านเป็นจำนวนเงินไม่ได้"))
    if isinstance(v, (int, float)):
        amount = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    else:
        text = _AMOUNT_STRIP.sub("", to_arabic_digits(str(v)))
        if text in ("-", "–"):
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("อ่านเป็นจำนวนเงินไม่ได้ (พบ “%(v)s”)") % {"v": _text(v)}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise CellError(_("จำนวนเงินละเอียดได้ถึงสตางค์ (ทศนิยม 2 ตำแหน่ง)"))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise CellError(_("จำนวนเงินต้องมากกว่าศูนย์"))
    return amount.quantize(CENT)


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _from_cell_date(d: dt.date) -> dt.date:
    """A date cell: Excel stores CE, but some funds type BE years into date cells."""
    if d.year > 2400:
        try:
            return d.replace(year=d.year - BE_OFFSET)
        except ValueError:  # 29 Feb of a year that is leap in BE arithmetic only
            raise CellError(
                _("ไม่มีวันที่ %(d)s/%(m)s ในปี พ.ศ. %(y)s") % {"d": d.day, "m": d.month, "y": d.year}
            ) from None
    if d.year < 1850:
        raise CellError(_("ปี %(y)s ไม่น่าจะถูกต้อง") % {"y": d.year})
    return d


def read_date(v: Any, *, partial: bool = False) -> tuple[dt.date | None, int | None]:
    """(date, CE year) from a date cell, an Excel serial number or BE text (15/03/2510,
    15 มี.ค. 2510, ๑๕/๓/๒๕๑๐); with ``partial`` a BE year alone gives (None, year)."""
    if _blank(v):
        return None, None
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        d = _from_cell_date(v)
        return d, d.year
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        n = float(v)
        if 2400 <= n <= 2700 and n.is_integer():
            if partial:
                return None, int(n) - BE_OFFSET
            raise CellError(_("มีแต่ปี %(y)s ต้องเป็นวันที่ครบ วัน/เดือน/ปี") % {"y": int(n)})
        if 1 <= n < 2958466:
            d = _from_cell_date(_EXCEL_EPOCH + dt.timedelta(days=int(n)))
            return d, d.year
        raise CellError(_("อ่านวันที่ไม่ออก (พบ %(v)s)") % {"v": _text(v)})
    try:
        if partial:
            return parse_be_partial_date(str(v))
        d = parse_be_date(str(v))
        return d, d.year
    except ThaiDateError as exc:
        raise CellError(str(exc)) from None


# Titles as people type them: (text, Title value, sex).
_TITLES: list[tuple[str, str, str]] = [
    ("นางสาว", Title.MISS, Sex.FEMALE),
    ("น.ส.", Title.MISS, Sex.FEMALE),
    ("นส.", Title.MISS, Sex.FEMALE),
    ("เด็กชาย", Title.BOY, Sex.MALE),
    ("ด.ช.", Title.BOY, Sex.MALE),
    ("ดช.", Title.BOY, Sex.MALE),
    ("เด็กหญิง", Title.GIRL, Sex.FEMALE),
    ("ด.ญ.", Title.GIRL, Sex.FEMALE),
    ("ดญ.", Title.GIRL, Sex.FEMALE),
    ("สามเณร", Title.NOVICE, Sex.MALE),
    ("พระ", Title.MONK, Sex.MALE),
    ("นาง", Title.MRS, Sex.FEMALE),
    ("นาย", Title.MR, Sex.MALE),
    ("mrs.", Title.MRS, Sex.FEMALE),
    ("mr.", Title.MR, Sex.MALE),
    ("miss", Title.MISS, Sex.FEMALE),
]
_TITLE_BY_NORM = {norm(t): (value, sex) for t, value, sex in _TITLES}


def split_title(name: str) -> tuple[str, str, str]:
    """("นาย", "M", "สมชาย ใจดี") from "นายสมชาย ใจดี" / "นาย สมชาย ใจดี"; ("", "", name)
    when no known title starts the name."""
    text = " ".join(name.split())
    low = text.lower()
    for t, value, sex in _TITLES:
        if low.startswith(t):
            rest = text[len(t) :].strip()
            if rest:
                return value, sex, rest
    return "", "", text


def read_title(v: Any) -> tuple[str, str, str]:
    """(Title value, title_other, sex) from a title cell."""
    text = _text(v)
    if not text:
        return "", "", ""
    known = _TITLE_BY_NORM.get(norm(text))
    if known:
        return known[0], "", known[1]
    for value, _label in Title.choices:
        if norm(value) == norm(text):
            return value, "", ""
    return Title.OTHER, text[:40], ""


def read_sex(v: Any) -> str:
    n = norm(_text(v))
    if n in ("ชาย", "ช", "m", "male", "1"):
        return Sex.MALE
    if n in ("หญิง", "ญ", "f", "female", "2"):
        return Sex.FEMALE
    if not n:
        return ""
    raise CellError(_("เพศต้องเป็น ชาย หรือ หญิง"))


def read_method(v: Any) -> str:
    n = norm(_text(v))
    if not n or n in ("เงินสด", "สด", "cash"):
        return PaymentMethod.CASH
    if n.startswith(("โอน", "ธนาคาร", "transfer", "bank")):
        return PaymentMethod.TRANSFER
    raise CellError(_("วิธีชำระต้องเป็น เงินสด หรือ โอนเงิน"))


def read_phone(v: Any) -> str:
    text = normalize_national_id(_text(v))
    if isinstance(v, float) and len(text) == 9:  # a number cell dropped the leading 0
        text = "0" + text
    return text[:20]


_PLAN_WORDS = [
    (("ครึ่งปี", "6เดือน", "หกเดือน"), 6),
    (("ไตรมาส", "3เดือน", "สามเดือน"), 3),
    (("รายปี", "ปีละ", "12เดือน", "ปี"), 12),
    (("รายเดือน", "เดือนละ", "เดือน"), 1),
]


def find_plan(v: Any, plans: list[ContributionPlan]) -> ContributionPlan | None:
    """A plan by name, by amount ("30") or by its length ("รายปี", "ราย 6 เดือน")."""
    text = _text(v)
    if not text:
        monthly = [p for p in plans if p.active and p.months == 1]
        active = [p for p in plans if p.active]
        choice = monthly or active
        return choice[0] if choice else None
    n = norm(text)
    for p in plans:
        if norm(p.name) == n:
            return p
    try:
        amount = Decimal(n.replace(",", "").replace("บาท", ""))
    except InvalidOperation:
        amount = None
    if amount is not None:
        by_amount = [p for p in plans if p.amount == amount]
        if len(by_amount) == 1:
            return by_amount[0]
    for words, months in _PLAN_WORDS:
        if any(w in n for w in words):
            found = [p for p in plans if p.months == months]
            if found:
                return sorted(found, key=lambda p: (not p.active, p.pk))[0]
    return None


# --- the dry run ------------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int
    column: str  # the header as written, "" when the problem is the row
    message: str
    part: int = 0

    def __str__(self) -> str:
        if self.column:
            return _("แถว %(row)s คอลัมน์ '%(col)s': %(msg)s") % {
                "row": self.row,
                "col": self.column,
                "msg": self.message,
            }
        return _("แถว %(row)s: %(msg)s") % {"row": self.row, "msg": self.message}


@dataclass(slots=True, eq=False)
class MemberRow:
    """A member row that reads cleanly; ``membership_id`` set when it is already on the books."""

    part: int
    row: int
    member_no: int | None
    national_id: str
    title: str
    title_other: str
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date | None
    birth_year: int | None
    phone: str
    house_number: str
    village: Village | None
    group: OrgUnit
    plan: ContributionPlan
    joined: dt.date
    person_id: int | None = None
    membership_id: int | None = None
    membership: Membership | None = None


@dataclass(slots=True, eq=False)
class PaymentRow:
    part: int
    row: int
    col: int | None
    target: MemberRow | int  # a member of this file, or an existing membership id
    date: dt.date
    amount: Decimal
    entry_fee: Decimal
    method: str
    receipt: str
    key: str  # receipt key ("r:2567:123") or "" when matched by member, date and amount
    nth: int = 1


@dataclass
class _Existing:
    """The fund's books as the dry run needs them."""

    by_pk: dict[int, dict[str, Any]]
    by_no: dict[int, dict[str, Any]]
    open_by_person: dict[int, dict[str, Any]]
    open_by_nid: dict[str, dict[str, Any]]
    plans: dict[int, ContributionPlan]
    paid: Counter[tuple[int, dt.date, Decimal]]
    keys: set[str]
    receipts: dict[tuple[int, int], tuple[int, Decimal]]
    closed: list[tuple[dt.date, dt.date]]


@dataclass
class DryRun:
    parts: list[Part]
    errors: list[RowError] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)  # to create
    payments: list[PaymentRow] = field(default_factory=list)  # to create
    persons_new: int = 0
    households_new: int = 0
    members_present: int = 0
    payments_present: int = 0
    rows: int = 0
    already: ImportBatch | None = None
    row_errors: dict[tuple[int, int], list[RowError]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped(self) -> int:
        return self.members_present + self.payments_present

    @property
    def memberships_new(self) -> int:
        return len(self.members)

    @property
    def payments_new(self) -> int:
        return len(self.payments)

    @property
    def used_parts(self) -> list[Part]:
        return [p for p in self.parts if p.kind]


def _chunks(items: Sequence[Any], n: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _load_existing(fund: Fund, plans: dict[int, ContributionPlan]) -> _Existing:
    by_pk: dict[int, dict[str, Any]] = {}
    by_no: dict[int, dict[str, Any]] = {}
    open_by_person: dict[int, dict[str, Any]] = {}
    open_by_nid: dict[str, dict[str, Any]] = {}
    for row in Membership.objects.filter(fund=fund).values(
        "pk", "member_no", "person_id", "person__national_id", "state", "joined_on", "plan_id"
    ):
        m: dict[str, Any] = dict(row)
        by_pk[m["pk"]] = m
        if m["member_no"] is not None:
            by_no[m["member_no"]] = m
        if m["state"] in (MembershipState.APPLIED, MembershipState.APPROVED):
            open_by_person[m["person_id"]] = m
            if m["person__national_id"]:
                open_by_nid[m["person__national_id"]] = m
    # Voided payments count as present too: importing them again would bring them back.
    paid: Counter[tuple[int, dt.date, Decimal]] = Counter()
    keys: set[str] = set()
    receipts: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for mid, day, amount, key, fy, no in Payment.objects.filter(fund=fund).values_list(
        "membership_id", "date", "amount", "idempotency_key", "fiscal_year", "receipt_no"
    ):
        paid[(mid, day, Decimal(amount))] += 1
        if key:
            keys.add(key)
        receipts[(fy, no)] = (mid, Decimal(amount))
    closed = list(
        Period.objects.filter(book_id=fund.book_id, closed=True).values_list(
            "start_date", "end_date"
        )
    )
    return _Existing(by_pk, by_no, open_by_person, open_by_nid, plans, paid, keys, receipts, closed)


class _Checker:
    """Reads the rows of every part and records what they would create, or why not."""

    def __init__(self, fund: Fund, parts: list[Part]) -> None:
        self.fund = fund
        self.dry = DryRun(parts=parts)
        self.today = timezone.localdate()
        self.plans = list(ContributionPlan.objects.filter(fund=fund).order_by("months", "pk"))
        self.ex = _load_existing(fund, {p.pk: p for p in self.plans})
        unit = fund.org_unit
        self.groups = list(
            OrgUnit.objects.filter(subtree_q([unit], field=""))
            .exclude(pk=unit.pk)
            .select_related("village__subdistrict")
        )
        villages = {v.pk: v for v in villages_for_units([unit]).select_related("subdistrict")}
        for g in self.groups:
            if g.village is not None:
                villages.setdefault(g.village.pk, g.village)
        self.villages_by_no: dict[int, Village] = {}
        for v in sorted(
            villages.values(), key=lambda v: (v.subdistrict_id != unit.subdistrict_id,)
        ):
            self.villages_by_no.setdefault(v.number, v)
        self.members: list[MemberRow] = []
        self.by_no: dict[int, MemberRow] = {}
        self.by_id: dict[str, MemberRow] = {}
        self.first_row_no: dict[int, int] = {}
        self.first_row_id: dict[str, int] = {}
        self.bad_refs_no: set[int] = set()
        self.bad_refs_id: set[str] = set()
        self.seen: Counter[tuple[Any, dt.date, Decimal]] = Counter()
        self.seen_receipts: dict[str, int] = {}
        self.dropped: set[int] = set()  # id() of member rows refused after matching the books

    # errors
    def error(self, pi: int, row: int, col: int | None, message: str) -> None:
        part = self.dry.parts[pi]
        e = RowError(part.sheet.name, row, part.header_of(col), message, pi)
        self.dry.errors.append(e)
        self.dry.row_errors.setdefault((pi, row), []).append(e)

    # places
    def group_for(self, group_v: Any, village_no: int | None) -> OrgUnit | None:
        if not _blank(group_v):
            n = norm(_text(group_v))
            for g in self.groups:
                if norm(g.name) == n:
                    return g
            if n.isdigit():
                for g in self.groups:
                    if g.village is not None and g.village.number == int(n):
                        return g
            matches = [g for g in self.groups if n and n in norm(g.name)]
            return matches[0] if len(matches) == 1 else None
        if village_no is not None:
            for g in self.groups:
                if g.village is not None and g.village.number == village_no:
                    return g
            return None
        if len(self.groups) == 1:
            return self.groups[0]
        return self.fund.org_unit

    # --- members
    def member_row(self, pi: int, row_no: int, row: list[Any]) -> None:
        part = self.dry.parts[pi]
        cols = part.mapped
        ok = True

        def get(f: str) -> Any:
            return _cell(row, cols[f]) if f in cols else ""

        def fail(f: str | None, message: str) -> None:
            nonlocal ok
            ok = False
            self.error(pi, row_no, cols.get(f) if f else None, message)

        def attempt(f: str, fn: Any, *args: Any, **kw: Any) -> Any:
            try:
                return fn(get(f), *args, **kw)
            except CellError as exc:
                fail(f, str(exc))
                return None

        member_no = attempt("member_no", read_int, _("เลขที่สมาชิก"))
        nid = attempt("national_id", read_national_id) or ""
        title, title_other, sex = read_title(get("title"))
        first, last = _text(get("first_name")), _text(get("last_name"))
        full = _text(get("full_name"))
        if full and not first:
            t2, s2, rest = split_title(full)
            title, sex = title or t2, sex or s2
            first, _sp, last = rest.partition(" ")
            last = last.strip()
        elif first:
            # "นายสมชาย" in the name column: the title comes off (it repeats the title column,
            # or stands in for it).
            t2, s2, rest = split_title(first)
            if t2 and (not title or t2 == title):
                title, sex, first = t2, sex or s2, rest
        name_col = (
            "full_name" if "full_name" in cols and not _text(get("first_name")) else "first_name"
        )
        if not first:
            fail(name_col, _("ไม่มีชื่อ"))
        elif not title:
            fail(
                "title" if "title" in cols else name_col,
                _("ไม่พบคำนำหน้าชื่อ (นาย นาง นางสาว ด.ช. ด.ญ. ...)"),
            )
        sex = attempt("sex", read_sex) or sex or Sex.UNSPECIFIED
        birth = attempt("birth_date", read_date, partial=True) or (None, None)
        if birth[0] and birth[0] > self.today:
            fail("birth_date", _("วันเกิดอยู่ในอนาคต"))
        joined = attempt("joined_on", read_date)  # None: unreadable (reported)
        joined_on = joined[0] if joined else None
        if joined is not None and joined_on is None:
            fail("joined_on" if "joined_on" in cols else None, _("ไม่มีวันที่เป็นสมาชิก"))
        elif joined_on and joined_on > self.today:
            fail("joined_on", _("วันที่เป็นสมาชิกอยู่ในอนาคต"))
        village_no = attempt("village_no", read_village_no)
        village = None
        if village_no is not None:
            village = self.villages_by_no.get(village_no)
            if village is None:
                fail("village_no", _("ไม่พบหมู่ที่ %(n)s ในพื้นที่ของกองทุน") % {"n": village_no})
        group = self.group_for(get("group"), village_no if village_no else None)
        if group is None:
            if not _blank(get("group")):
                fail("group", _("ไม่พบกลุ่ม “%(g)s” ในกองทุนนี้") % {"g": _text(get("group"))})
            elif village_no is not None and village is not None:
                group = self.fund.org_unit
        if group is not None and village is None:
            village = group.village
        plan = find_plan(get("plan"), self.plans)
        if plan is None:
            if _blank(get("plan")):
                fail(None, _("กองทุนยังไม่มีแบบการออม"))
            else:
                fail("plan", _("ไม่พบแบบการออม “%(p)s” ของกองทุน") % {"p": _text(get("plan"))})
        if member_no is None and not nid and ok:
            fail(
                "member_no" if "member_no" in cols else None,
                _("ต้องมีเลขที่สมาชิกหรือเลขประจำตัวประชาชนอย่างน้อยหนึ่งอย่าง (ใช้ตรวจว่านำเข้าแล้วหรือยัง)"),
            )
        # Twice in the file.
        if member_no is not None:
            if member_no in self.first_row_no:
                fail(
                    "member_no",
                    _("เลขที่สมาชิก %(n)s ซ้ำกับแถว %(r)s")
                    % {"n": member_no, "r": self.first_row_no[member_no]},
                )
            else:
                self.first_row_no[member_no] = row_no
        if nid:
            if nid in self.first_row_id:
                fail(
                    "national_id",
                    _("เลขประจำตัวประชาชนซ้ำกับแถว %(r)s") % {"r": self.first_row_id[nid]},
                )
            else:
                self.first_row_id[nid] = row_no
        if not ok or group is None or plan is None or joined_on is None:
            # Payments naming this row wait for it to be fixed (no second error for them),
            # unless a good row holds the same number or id (a duplicate row).
            if member_no is not None and member_no not in self.by_no:
                self.bad_refs_no.add(member_no)
            if nid and nid not in self.by_id:
                self.bad_refs_id.add(nid)
            return
        mr = MemberRow(
            part=pi,
            row=row_no,
            member_no=member_no,
            national_id=nid,
            title=title,
            title_other=title_other,
            first_name=first[:100],
            last_name=last[:100],
            sex=sex,
            birth_date=birth[0],
            birth_year=birth[1],
            phone=attempt("phone", read_phone) or "",
            house_number=_text(get("house_number"))[:20],
            village=village,
            group=group,
            plan=plan,
            joined=joined_on,
        )
        self.members.append(mr)
        if member_no is not None:
            self.by_no[member_no] = mr
        if nid:
            self.by_id[nid] = mr

    def resolve_members(self) -> None:
        """Match member rows to the books: persons by national id, memberships by number."""
        ids = [m.national_id for m in self.members if m.national_id]
        persons: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(ids):
            for pk, nid, path in Person.objects.filter(national_id__in=chunk).values_list(
                "pk", "national_id", "org_unit__path"
            ):
                if nid:
                    persons[nid] = (pk, path)
        fund_path = self.fund.org_unit.path
        for mr in self.members:
            found = persons.get(mr.national_id) if mr.national_id else None
            if found is not None:
                if not found[1].startswith(fund_path):
                    self.member_error(
                        mr,
                        "national_id",
                        _("เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว เป็นบุคคลที่อยู่นอกกองทุนนี้ นำเข้าไม่ได้"),
                    )
                    continue
                mr.person_id = found[0]
            existing = self.ex.by_no.get(mr.member_no) if mr.member_no is not None else None
            if existing is not None:
                if mr.national_id and existing["person__national_id"] not in (None, mr.national_id):
                    self.member_error(
                        mr,
                        "member_no",
                        _("เลขที่สมาชิก %(n)s เป็นของบุคคลอื่นในทะเบียนของกองทุนแล้ว") % {"n": mr.member_no},
                    )
                    continue
                mr.membership_id = existing["pk"]
                mr.person_id = existing["person_id"]
                continue
            if mr.person_id is not None and mr.person_id in self.ex.open_by_person:
                m = self.ex.open_by_person[mr.person_id]
                if mr.member_no is not None and m["member_no"] not in (None, mr.member_no):
                    self.member_error(
                        mr,
                        "member_no",
                        _("บุคคลนี้เป็นสมาชิกอยู่แล้วในเลขที่ %(n)s") % {"n": m["member_no"]},
                    )
                    continue
                mr.membership_id = m["pk"]

    def member_error(self, mr: MemberRow, f: str, message: str) -> None:
        part = self.dry.parts[mr.part]
        self.error(mr.part, mr.row, part.mapped.get(f), message)
        if mr.member_no is not None:
            self.bad_refs_no.add(mr.member_no)
            self.by_no.pop(mr.member_no, None)
        if mr.national_id:
            self.bad_refs_id.add(mr.national_id)
            self.by_id.pop(mr.national_id, None)
        self.dropped.add(id(mr))

    # --- payments
    def target_for(
        self, pi: int, row_no: int, cols: dict[str, int], row: list[Any]
    ) -> tuple[MemberRow | int | None, bool]:
        """The member a payment row names: (target, known-bad) — a member row of this file, an
        existing membership id, or None (with an error recorded unless the member row is bad)."""
        try:
            no = (
                read_int(_cell(row, cols["member_no"]), _("เลขที่สมาชิก"))
                if "member_no" in cols
                else None
            )
        except CellError as exc:
            self.error(pi, row_no, cols["member_no"], str(exc))
            return None, True
        nid = ""
        if no is None and "national_id" in cols:
            try:
                nid = read_national_id(_cell(row, cols["national_id"]))
            except CellError as exc:
                self.error(pi, row_no, cols["national_id"], str(exc))
                return None, True
        if no is not None:
            if no in self.bad_refs_no:
                return None, True
            if no in self.by_no:
                return self.row_target(self.by_no[no]), False
            m = self.ex.by_no.get(no)
            if m is not None:
                return m["pk"], False
            self.error(pi, row_no, cols["member_no"], _("ไม่พบสมาชิกเลขที่ %(n)s") % {"n": no})
            return None, True
        if nid:
            if nid in self.bad_refs_id:
                return None, True
            if nid in self.by_id:
                return self.row_target(self.by_id[nid]), False
            if nid in self.ex.open_by_nid:
                return self.ex.open_by_nid[nid]["pk"], False
            self.error(pi, row_no, cols["national_id"], _("ไม่พบสมาชิกของกองทุนที่มีเลขประจำตัวประชาชนนี้"))
            return None, True
        return None, False

    @staticmethod
    def row_target(mr: MemberRow) -> MemberRow | int:
        """A member row's payments go to its membership once it is on the books."""
        return mr if mr.membership_id is None else mr.membership_id

    def target_info(self, target: MemberRow | int) -> tuple[dt.date | None, str, ContributionPlan]:
        if isinstance(target, MemberRow):
            return target.joined, MembershipState.APPROVED, target.plan
        m = self.ex.by_pk[target]
        return m["joined_on"], m["state"], self.ex.plans[m["plan_id"]]

    def add_payment(
        self,
        pi: int,
        row_no: int,
        col: int | None,
        target: MemberRow | int,
        day: dt.date,
        amount: Decimal,
        fee: Decimal,
        method: str,
        receipt: str,
        date_col: int | None,
    ) -> None:
        joined, state, _plan = self.target_info(target)
        if state != MembershipState.APPROVED:
            self.error(
                pi,
                row_no,
                col,
                _("รับชำระไม่ได้: สมาชิกภาพสถานะ %(s)s") % {"s": MembershipState(state).label},
            )
            return
        if joined and day < joined:
            self.error(
                pi,
                row_no,
                date_col,
                _("วันที่ชำระ %(d)s ก่อนวันที่เป็นสมาชิก %(j)s")
                % {"d": format_be_date(day), "j": format_be_date(joined)},
            )
            return
        if day > self.today + dt.timedelta(days=1):
            self.error(pi, row_no, date_col, _("วันที่ชำระอยู่ในอนาคต"))
            return
        for start, end in self.ex.closed:
            if start <= day <= end:
                self.error(
                    pi,
                    row_no,
                    date_col,
                    _("วันที่ชำระ %(d)s อยู่ในงวดบัญชีที่ปิดแล้ว") % {"d": format_be_date(day)},
                )
                return
        if fee > amount:
            self.error(pi, row_no, col, _("ค่าสมัครมากกว่าจำนวนเงินที่ชำระ"))
            return
        fy = fiscal_year(day, start_month=self.fund.fiscal_year_start_month)
        key = ""
        present = False
        if receipt:
            own = re.match(r"^(\d{4})/0*(\d+)$", receipt)
            key = f"r:{fy}:{receipt}"
            first = self.seen_receipts.get(key)
            if first is not None:
                self.error(
                    pi,
                    row_no,
                    self.dry.parts[pi].mapped.get("receipt_no"),
                    _("เลขที่ใบเสร็จ %(r)s ซ้ำกับแถว %(row)s") % {"r": receipt, "row": first},
                )
                return
            self.seen_receipts[key] = row_no
            # One of our own receipts ("2567/00012", as the payments export writes them) is
            # present when the books have it for the same member and amount. A paper receipt
            # that only looks like one of ours is not ours: it is matched as any other.
            ours = self.ex.receipts.get((int(own[1]), int(own[2]))) if own else None
            if ours is not None and ours == (target, amount):
                present = True
            if f"xlsx:{key}" in self.ex.keys:
                present = True
        ident = target if isinstance(target, int) else id(target)
        self.seen[(ident, day, amount)] += 1
        nth = self.seen[(ident, day, amount)]
        if isinstance(target, int) and nth <= self.ex.paid[(target, day, amount)]:
            present = True
        if present:
            self.dry.payments_present += 1
            return
        self.dry.payments.append(
            PaymentRow(pi, row_no, col, target, day, amount, fee, method, receipt, key, nth)
        )

    def month_payments(self, pi: int, row_no: int, row: list[Any], target: MemberRow | int) -> None:
        part = self.dry.parts[pi]
        for c in part.months:
            v = _cell(row, c.index)
            if _blank(v):
                continue
            joined, _state, plan = self.target_info(target)
            if isinstance(v, str) and v.strip() in TICKS:
                amount: Decimal | None = plan.amount
            else:
                try:
                    amount = read_amount(v, allow_zero=True)
                except CellError as exc:
                    self.error(pi, row_no, c.index, str(exc))
                    continue
            if not amount:
                continue
            assert c.month is not None
            day = c.month
            if joined and joined > day and (joined.year, joined.month) == (day.year, day.month):
                day = joined
            self.add_payment(
                pi, row_no, c.index, target, day, amount, ZERO, PaymentMethod.CASH, "", c.index
            )

    def payment_row(self, pi: int, row_no: int, row: list[Any]) -> None:
        part = self.dry.parts[pi]
        cols = part.mapped
        target, bad = self.target_for(pi, row_no, cols, row)
        if target is None:
            if not bad:
                self.error(
                    pi,
                    row_no,
                    cols.get("member_no", cols.get("national_id")),
                    _("ไม่มีเลขที่สมาชิกหรือเลขประจำตัวประชาชน"),
                )
            return
        if part.months:
            self.month_payments(pi, row_no, row, target)
        if "date" not in cols and "amount" not in cols:
            return
        ok = True
        day = None
        amount = fee = None
        method: str = PaymentMethod.CASH
        try:
            day = read_date(_cell(row, cols["date"]))[0] if "date" in cols else None
            if day is None:
                raise CellError(_("ไม่มีวันที่ชำระ"))
        except CellError as exc:
            ok = False
            self.error(pi, row_no, cols.get("date"), str(exc))
        try:
            amount = read_amount(_cell(row, cols["amount"])) if "amount" in cols else None
            if amount is None:
                raise CellError(_("ไม่มีจำนวนเงิน"))
        except CellError as exc:
            ok = False
            self.error(pi, row_no, cols.get("amount"), str(exc))
        try:
            fee = (
                read_amount(_cell(row, cols["entry_fee"]), allow_zero=True)
                if "entry_fee" in cols
                else None
            )
        except CellError as exc:
            ok = False
            self.error(pi, row_no, cols["entry_fee"], str(exc))
        try:
            method = read_method(_cell(row, cols["method"])) if "method" in cols else method
        except CellError as exc:
            ok = False
            self.error(pi, row_no, cols["method"], str(exc))
        if not ok or day is None or amount is None:
            return
        receipt = _text(_cell(row, cols["receipt_no"]))[:40] if "receipt_no" in cols else ""
        self.add_payment(
            pi, row_no, None, target, day, amount, fee or ZERO, method, receipt, cols.get("date")
        )

    # --- the whole file
    def run(self) -> DryRun:
        dry = self.dry
        member_rows: list[tuple[int, int, list[Any]]] = []
        for pi, part in enumerate(dry.parts):
            if part.kind != ImportKind.MEMBERS:
                continue
            for row_no, row in part.data_rows():
                if _skip_row(row, part):
                    continue
                dry.rows += 1
                self.member_row(pi, row_no, row)
                member_rows.append((pi, row_no, row))
        self.resolve_members()
        kept = [m for m in self.members if id(m) not in self.dropped]
        by_row = {(m.part, m.row): m for m in kept}
        for pi, row_no, row in member_rows:
            mr = by_row.get((pi, row_no))
            if mr is None:
                continue
            if dry.parts[pi].months:
                self.month_payments(pi, row_no, row, self.row_target(mr))
        for pi, part in enumerate(dry.parts):
            if part.kind != ImportKind.PAYMENTS:
                continue
            for row_no, row in part.data_rows():
                if _skip_row(row, part):
                    continue
                dry.rows += 1
                self.payment_row(pi, row_no, row)
        dry.members = [m for m in kept if m.membership_id is None]
        dry.members_present = len(kept) - len(dry.members)
        dry.persons_new = sum(1 for m in dry.members if m.person_id is None)
        dry.households_new = len(self.new_households(dry.members))
        dry.errors.sort(key=lambda e: (e.part, e.row))
        return dry

    def new_households(self, members: list[MemberRow]) -> set[tuple[int | None, str]]:
        keys = {
            (m.village.pk if m.village else None, norm(m.house_number))
            for m in members
            if m.person_id is None and m.house_number
        }
        if not keys:
            return set()
        existing = set(
            (v, norm(h))
            for v, h in Household.objects.filter(subtree_q([self.fund.org_unit])).values_list(
                "village_id", "house_number"
            )
        )
        return keys - existing


def _skip_row(row: list[Any], part: Part) -> bool:
    """Empty rows, and a total row ("รวม") that names no member."""
    values = [v for v in row if not _blank(v)]
    if not values:
        return True
    cols = part.mapped
    ident = [cols[f] for f in ("member_no", "national_id") if f in cols]
    if any(not _blank(_cell(row, i)) for i in ident):
        return False
    names = [cols[f] for f in ("first_name", "full_name", "last_name") if f in cols]
    if any(not _blank(_cell(row, i)) for i in names):
        return False
    return any(isinstance(v, str) and norm(v).startswith("รวม") for v in values)


def analyse(fund: Fund, up: Upload, content: bytes | None = None) -> list[Part]:
    sheets = read_sheets(content if content is not None else upload_content(up))
    return build_parts(sheets, up.kind, saved_mappings(fund), up.overrides)


def dry_run(fund: Fund, up: Upload, *, content: bytes | None = None) -> DryRun:
    """Read and check every row of the upload; write nothing."""
    parts = analyse(fund, up, content)
    if not any(p.kind for p in parts):
        dry = DryRun(parts=parts)
        dry.errors.append(
            RowError(
                "",
                0,
                "",
                _("ไม่พบแผ่นงานที่อ่านได้: ตรวจว่าแถวหัวตารางมีชื่อคอลัมน์ เช่น เลขที่สมาชิก ชื่อ-สกุล วันที่ จำนวนเงิน"),
            )
        )
        return dry
    dry = _Checker(fund, parts).run()
    dry.already = ImportBatch.objects.filter(fund=fund, sha256=up.sha256).order_by("pk").first()
    return dry


# --- commit -----------------------------------------------------------------------------------


class ImportRefused(ValidationError):
    """The file still has errors: nothing was saved."""

    def __init__(self, dry: DryRun) -> None:
        super().__init__(
            _("ยังมีข้อผิดพลาด %(n)s รายการ แก้ไฟล์แล้วนำเข้าใหม่ ไม่มีการบันทึกข้อมูลใด ๆ")
            % {"n": len(dry.errors)}
        )
        self.dry = dry


@dataclass
class CommitResult:
    batch: ImportBatch
    already: bool = False
    persons: int = 0
    households: int = 0
    memberships: int = 0
    payments: int = 0


def _require(actor: Any, perm: str, unit: OrgUnit) -> None:
    if not user_can(actor, perm, unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))


def payment_key(member_no: int, p: PaymentRow) -> str:
    """The idempotency key an imported payment carries (see the module's docstring)."""
    if p.key:
        return f"xlsx:{p.key}"[:120]
    return f"xlsx:{member_no}:{p.date.isoformat()}:{p.amount}:{p.nth}"


def commit(*, fund: Fund, actor: Any, up: Upload, content: bytes | None = None) -> CommitResult:
    """Write the upload to the books in one transaction, or nothing (``ImportRefused``)."""
    content = content if content is not None else upload_content(up)
    with transaction.atomic():
        Fund.objects.select_for_update().filter(pk=fund.pk).first()
        _require(actor, Perm.MANAGE_MEMBERS, fund.org_unit)
        prior = ImportBatch.objects.filter(fund=fund, sha256=up.sha256).order_by("pk").first()
        if prior is not None:
            return CommitResult(batch=prior, already=True)
        dry = dry_run(fund, up, content=content)
        if dry.errors:
            raise ImportRefused(dry)
        if dry.payments:
            _require(actor, Perm.COLLECT, fund.org_unit)
        if dry.members:
            _require(actor, Perm.EDIT_PEOPLE, fund.org_unit)
        result = CommitResult(batch=ImportBatch(fund=fund))
        numbers = [m.member_no for m in dry.members if m.member_no is not None]
        if numbers:
            services.member_numbers_reserve(fund=fund, upto=max(numbers))
        households, heads = _households_of(fund) if dry.persons_new else ({}, set())
        for mr in sorted(dry.members, key=lambda m: (m.part, m.row)):
            person = _person_for(actor, mr, households, heads, result)
            try:
                mr.membership = services.member_import(
                    actor=actor,
                    fund=fund,
                    person=person,
                    org_unit=mr.group,
                    plan=mr.plan,
                    joined_on=mr.joined,
                    member_no=mr.member_no,
                )
            except ValidationError as exc:
                raise _refused(mr, exc) from exc
            result.memberships += 1
        existing_ids = {p.target for p in dry.payments if isinstance(p.target, int)}
        existing: dict[int, Membership] = {}
        for chunk in _chunks(sorted(existing_ids)):
            for found in Membership.objects.filter(pk__in=chunk).select_related("person", "plan"):
                existing[found.pk] = found
        items = []
        for p in dry.payments:
            m: Membership | None = (
                existing[p.target] if isinstance(p.target, int) else p.target.membership
            )
            assert m is not None and m.member_no is not None
            items.append(
                services.ImportedPayment(
                    membership=m,
                    date=p.date,
                    amount=p.amount,
                    entry_fee=p.entry_fee,
                    method=p.method,
                    idempotency_key=payment_key(m.member_no, p),
                    note=(_("นำเข้าจาก Excel ใบเสร็จเดิม %(r)s") % {"r": p.receipt})[:300]
                    if p.receipt
                    else _("นำเข้าจาก Excel"),
                )
            )
        result.payments = len(services.payments_import(actor=actor, fund=fund, items=items))
        result.batch = ImportBatch.objects.create(
            fund=fund,
            kind=up.kind,
            file_name=up.file_name,
            sha256=up.sha256,
            rows=dry.rows,
            created=result.memberships + result.payments,
            skipped=dry.skipped,
            by=actor,
        )
        mapping_save(actor=actor, fund=fund, parts=dry.parts)
    return result


def _households_of(fund: Fund) -> tuple[dict[tuple[int | None, str], Household], set[int]]:
    """The fund's households by (village, house no.), and those that have a head."""
    found: dict[tuple[int | None, str], Household] = {}
    in_fund = Household.objects.filter(subtree_q([fund.org_unit]))
    for h in in_fund.order_by("pk"):
        found.setdefault((h.village_id, norm(h.house_number)), h)
    heads = set(
        HouseholdMember.objects.filter(
            relation=Relation.HEAD, household__in=in_fund.values("pk")
        ).values_list("household_id", flat=True)
    )
    return found, heads


def _refused(mr: MemberRow, exc: ValidationError) -> ImportRefused:
    return ImportRefused(
        DryRun(parts=[], errors=[RowError("", mr.row, "", "; ".join(exc.messages), mr.part)])
    )


def _person_for(
    actor: Any,
    mr: MemberRow,
    households: dict[tuple[int | None, str], Household],
    heads: set[int],
    result: CommitResult,
) -> Person:
    """The member row's person: found by national id, or created (in a household by house no.)."""
    if mr.person_id is not None:
        return Person.objects.get(pk=mr.person_id)
    household = None
    relation = None
    if mr.house_number:
        key = (mr.village.pk if mr.village else None, norm(mr.house_number))
        household = households.get(key)
        if household is None:
            try:
                household = people.household_create(
                    actor=actor, org_unit=mr.group, house_number=mr.house_number, village=mr.village
                )
            except ValidationError as exc:
                raise _refused(mr, exc) from exc
            result.households += 1
            households[key] = household
        relation = Relation.RELATIVE if household.pk in heads else Relation.HEAD
        heads.add(household.pk)
    try:
        person = people.person_create(
            actor=actor,
            org_unit=mr.group,
            household=household,
            relation=relation,
            title=mr.title,
            title_other=mr.title_other,
            first_name=mr.first_name,
            last_name=mr.last_name,
            sex=mr.sex,
            birth_date=mr.birth_date,
            birth_year=mr.birth_year,
            national_id=mr.national_id or None,
            phone=mr.phone,
            house_number=mr.house_number,
            village=mr.village,
        )
    except ValidationError as exc:
        raise _refused(mr, exc) from exc
    result.persons += 1
    return person


# --- the errors as a workbook -----------------------------------------------------------------


def errors_workbook(dry: DryRun, out: Any) -> None:
    """Write the rows in error, as they were in the file, with an error column, to ``out``."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wrote = False
    by_part: dict[int, dict[int, list[RowError]]] = defaultdict(dict)
    for (pi, row), errs in dry.row_errors.items():
        by_part[pi][row] = errs
    for pi, part in enumerate(dry.parts):
        rows = by_part.get(pi)
        if not rows:
            continue
        ws = wb.create_sheet(title=_sheet_title(part.sheet.name))
        header = part.sheet.rows[part.header_row] if part.header_row >= 0 else []
        ws.append([_("แถวในไฟล์เดิม"), _("ข้อผิดพลาด"), *[_xl(v) for v in header]])
        for row in sorted(rows):
            cells = part.sheet.rows[row - 1] if 0 < row <= len(part.sheet.rows) else []
            ws.append([row, "\n".join(str(e) for e in rows[row]), *[_xl(v) for v in cells]])
        wrote = True
    general = [e for e in dry.errors if (e.part, e.row) not in dry.row_errors]
    if general or not wrote:
        ws = wb.create_sheet(title=_("ข้อผิดพลาด"))
        ws.append([_("ข้อผิดพลาด")])
        for e in general:
            ws.append([e.message])
        if not general:
            ws.append([_("ไม่พบข้อผิดพลาด")])
    wb.save(out)


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", "", name)[:31] or "Sheet"


def _xl(v: Any) -> Any:
    """A calamine value as openpyxl writes it back."""
    if isinstance(v, (dt.timedelta, dt.time)):
        return str(v)
    return v


# --- the background commit's state, kept beside the upload -----------------------------------


def upload_set_job(up: Upload, **job: Any) -> None:
    """Record the commit job's state in the upload's settings file (read by the status page)."""
    up.job = {**job, "at": timezone.now().isoformat()}
    _write(up.base + ".json", json.dumps(up.meta(), ensure_ascii=False).encode())


def upload_job(fund: Fund, token: str) -> dict[str, Any] | None:
    """The commit job of an upload, also after the file itself was removed; None if unknown."""
    if not TOKEN_RE.match(token or ""):
        return None
    try:
        with default_storage.open(f"{UPLOAD_DIR}/{fund.pk}/{token}.json", "rb") as fh:
            meta = json.loads(fh.read().decode())
    except (FileNotFoundError, OSError, ValueError):
        return None
    job: dict[str, Any] | None = meta.get("job") or None
    return job


def upload_drop_content(up: Upload) -> None:
    """Remove the uploaded workbook once written to the books; its settings and job stay."""
    if default_storage.exists(up.base + ".bin"):
        default_storage.delete(up.base + ".bin")
