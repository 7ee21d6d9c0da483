"""Export a fund's members, payments and ledger to Excel (.xlsx).

openpyxl in write-only mode: rows go to disk as they are written, so a fund of 50,000 members and
600,000 payments exports without holding the sheet in memory; the rows come from the database
in chunks (``iterator``). Thai headers; dates as Buddhist Era text (dd/mm/yyyy, what people type
and what the import reads back); amounts as numbers with two decimals. The members and payments
sheets use the header names the import recognises, so an export read back by the import finds
everything already present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from chumchon.core.thai import format_be_date, mask_national_id
from chumchon.ledger.models import JournalEntry, Posting, Side
from chumchon.ledger.selectors import trial_balance

from .models import Fund, Membership, Payment, PaymentMethod
from .selectors import statuses_for

KINDS = ("members", "payments", "ledger")
MONEY_FORMAT = "#,##0.00"
CHUNK = 2000


def _be(d: dt.date | None) -> str:
    return format_be_date(d, "numeric") if d else ""


class _Sheet:
    """A write-only worksheet with a bold header row, column widths and money columns."""

    def __init__(self, wb: Any, title: str, headers: list[tuple[str, int]], money: set[int]):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.ws = wb.create_sheet(title=title)
        self.cell = WriteOnlyCell
        self.money = money
        for i, (_h, width) in enumerate(headers, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        bold = Font(bold=True)
        row = []
        for h, _w in headers:
            c = WriteOnlyCell(self.ws, value=h)
            c.font = bold
            row.append(c)
        self.ws.append(row)

    def append(self, values: list[Any]) -> None:
        if self.money:
            out: list[Any] = []
            for i, v in enumerate(values):
                if i in self.money and v is not None and v != "":
                    c = self.cell(self.ws, value=Decimal(v))
                    c.number_format = MONEY_FORMAT
                    out.append(c)
                else:
                    out.append(v)
            values = out
        self.ws.append(values)


def _chunks(qs: Any) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for obj in qs.iterator(chunk_size=CHUNK):
        batch.append(obj)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def write_members(wb: Any, fund: Fund, *, full_ids: bool, today: dt.date) -> int:
    sheet = _Sheet(
        wb,
        _("สมาชิก"),
        [
            (_("เลขที่สมาชิก"), 12),
            (_("คำนำหน้า"), 10),
            (_("ชื่อ"), 16),
            (_("นามสกุล"), 18),
            (_("เลขประจำตัวประชาชน"), 18),
            (_("วันเกิด"), 12),
            (_("บ้านเลขที่"), 10),
            (_("หมู่ที่"), 7),
            (_("กลุ่ม"), 22),
            (_("แบบการออม"), 14),
            (_("วันที่เป็นสมาชิก"), 14),
            (_("ประเภทสมาชิก"), 14),
            (_("สถานะ"), 14),
            (_("ชำระถึง"), 12),
            (_("เหตุผล"), 40),
            (_("โทรศัพท์"), 13),
        ],
        set(),
    )
    qs = (
        Membership.objects.filter(fund=fund)
        .select_related("person", "org_unit__village", "plan", "fund", "person__village")
        .order_by("member_no", "pk")
    )
    n = 0
    for batch in _chunks(qs):
        statuses = statuses_for(batch, today)
        for m in batch:
            p = m.person
            st = statuses[m.pk]
            nid = p.national_id or ""
            village = p.village or m.org_unit.village
            sheet.append(
                [
                    m.member_no,
                    p.display_title,
                    p.first_name,
                    p.last_name,
                    nid if full_ids else mask_national_id(nid),
                    _be(p.birth_date) or (str(p.birth_year + 543) if p.birth_year else ""),
                    p.house_number,
                    village.number if village else None,
                    m.org_unit.name,
                    m.plan.name,
                    _be(m.joined_on),
                    m.get_member_type_display(),
                    st.label,
                    _be(st.paid_through),
                    st.reason,
                    p.phone,
                ]
            )
            n += 1
    return n


def write_payments(wb: Any, fund: Fund) -> int:
    sheet = _Sheet(
        wb,
        _("การชำระเงิน"),
        [
            (_("วันที่ชำระ"), 12),
            (_("เลขที่ใบเสร็จ"), 13),
            (_("เลขที่สมาชิก"), 12),
            (_("ชื่อ-นามสกุล"), 28),
            (_("กลุ่ม"), 22),
            (_("จำนวนเงิน"), 12),
            (_("ค่าสมัคร"), 10),
            (_("เงินสมทบ"), 12),
            (_("วิธีชำระ"), 10),
            (_("ชำระถึง"), 12),
            (_("สถานะ"), 10),
            (_("หมายเหตุ"), 30),
        ],
        {5, 6, 7},
    )
    methods = dict(PaymentMethod.choices)
    qs = (
        Payment.objects.filter(fund=fund)
        .select_related("membership__person", "org_unit", "void")
        .order_by("date", "fiscal_year", "receipt_no")
    )
    n = 0
    for batch in _chunks(qs):
        for p in batch:
            voided = getattr(p, "void", None)
            sheet.append(
                [
                    _be(p.date),
                    p.receipt_label,
                    p.membership.member_no,
                    p.membership.person.full_name,
                    p.org_unit.name,
                    p.amount,
                    p.entry_fee,
                    p.contribution,
                    str(methods.get(p.method, p.method)),
                    _be(p.covers_to),
                    _("ยกเลิก: %(r)s") % {"r": voided.reason} if voided else _("ปกติ"),
                    p.note,
                ]
            )
            n += 1
    return n


def write_ledger(wb: Any, fund: Fund) -> int:
    journal = _Sheet(
        wb,
        _("สมุดรายวัน"),
        [
            (_("เลขที่รายการ"), 10),
            (_("วันที่"), 12),
            (_("คำอธิบาย"), 50),
            (_("ประเภทเอกสาร"), 12),
            (_("เลขที่เอกสาร"), 14),
            (_("กลับรายการของ"), 10),
            (_("รหัสบัญชี"), 10),
            (_("ชื่อบัญชี"), 30),
            (_("เดบิต"), 12),
            (_("เครดิต"), 12),
        ],
        {8, 9},
    )
    reversed_no = dict(
        JournalEntry.objects.filter(book_id=fund.book_id, reverses__isnull=False).values_list(
            "pk", "reverses__number"
        )
    )
    rows = (
        Posting.objects.filter(entry__book_id=fund.book_id)
        .order_by("entry__number", "line")
        .values_list(
            "entry_id",
            "entry__number",
            "entry__date",
            "entry__memo",
            "entry__source_type",
            "entry__source_id",
            "account__code",
            "account__name",
            "side",
            "amount",
        )
    )
    n = 0
    for entry_id, number, day, memo, stype, sid, code, name, side, amount in rows.iterator(
        chunk_size=CHUNK
    ):
        journal.append(
            [
                number,
                _be(day),
                memo,
                stype,
                sid,
                reversed_no.get(entry_id),
                code,
                name,
                amount if side == Side.DEBIT else None,
                amount if side == Side.CREDIT else None,
            ]
        )
        n += 1
    trial = _Sheet(
        wb,
        _("งบทดลอง"),
        [
            (_("รหัสบัญชี"), 10),
            (_("ชื่อบัญชี"), 34),
            (_("หมวด"), 14),
            (_("เดบิต"), 14),
            (_("เครดิต"), 14),
            (_("คงเหลือ"), 14),
        ],
        {3, 4, 5},
    )
    for row in trial_balance(fund.book):
        a = row.account
        trial.append(
            [
                a.code,
                a.name,
                a.get_kind_display(),
                row.debit,
                row.credit,
                row.balance,
            ]
        )
    return n


def export_workbook(
    fund: Fund, kind: str, out: Any, *, full_ids: bool = False, today: dt.date | None = None
) -> int:
    """Write the ``kind`` export (members, payments or ledger) of ``fund`` to ``out`` (a path or
    a binary file); returns the number of data rows."""
    from django.utils import timezone
    from openpyxl import Workbook

    if kind not in KINDS:
        raise ValueError(kind)
    wb = Workbook(write_only=True)
    if kind == "members":
        n = write_members(wb, fund, full_ids=full_ids, today=today or timezone.localdate())
    elif kind == "payments":
        n = write_payments(wb, fund)
    else:
        n = write_ledger(wb, fund)
    wb.save(out)
    return n


def file_name(fund: Fund, kind: str, today: dt.date) -> str:
    """An ASCII file name (browsers differ on non-ASCII ones): fund-12-members-2569-11-30.xlsx."""
    be = today.year + 543
    return f"fund-{fund.pk}-{kind}-{be}-{today.month:02d}-{today.day:02d}.xlsx"


def read_back(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of an exported workbook as calamine reads it (for tests and checks)."""
    import io

    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
