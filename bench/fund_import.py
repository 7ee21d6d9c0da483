"""Workload ``fund_import``: the Excel import of a fund's books, against a raw read of the file.

Runs inside a worker after ``dataset.load`` (it uses only the province network and a
subdistrict the dataset's funds do not use). It opens one fund of its own with 10 village
groups, each with its village (หมู่ 1-10), builds one workbook with openpyxl (write-only) the
way a fund keeps its books, and imports it through ``chumchon.funds.importing``:

* sheet "ทะเบียนสมาชิก": a title row, then one row per member (``--import-members``): member
  no., full name with the title, national id (text), birth date (BE text, Thai month names or a
  date cell, in turn), house no., หมู่, plan, joined date (BE text or a date cell);
* sheet "ชำระเงิน": ``--import-payments`` rows (member no., date as BE text or a date cell,
  amount, and an old paper receipt number on half of them), each member paying monthly from
  October 2023 (the start of fiscal year 2567), oldest first.

Timed, each once (the import is one long operation, not a query):

* ``baseline`` — ``python-calamine`` reading every sheet of the same bytes into Python rows
  (``CalamineWorkbook.from_filelike(...).get_sheet_by_index(i).to_python()``): what reading the
  file costs at the least; the best of three reads.
* ``dry_run`` — ``importing.dry_run``: read, map the columns, check every row against the
  fund's books; writes nothing.
* ``commit`` — ``importing.commit``: the same checks again inside one transaction, then every
  person (``people.services.person_create``), household, membership
  (``funds.services.member_import``) and payment (``funds.services.payments_import``: one
  journal entry per payment through ``ledger.post``, receipt numbers per fiscal year).
* ``rerun_dry_run`` — the dry run of the same rows saved as another file after the commit:
  every row found present.
* ``export_<kind>`` — ``exporting.export_workbook`` for members, payments and the ledger.

Ratios: ``ratio_dry_run`` and ``ratio_commit`` are those times over the baseline's. The book
must pass ``ledger.selectors.verify_book`` afterwards, and the counts must match, or the
workload fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import random
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .dataset import FUNDS, PROVINCE_CODE, Dataset
from .fund_posting import PLANS, treasurer
from .names import ThaiPeople
from .timing import log

NAME = "fund_import"
DEFAULT_MEMBERS = 50_000
DEFAULT_PAYMENTS = 600_000
QUICK_MEMBERS = 1_000
QUICK_PAYMENTS = 12_000
GROUPS = 10
FIRST_MONTH = dt.date(2023, 10, 1)
THAI_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fund_import")
    group.add_argument(
        "--import-members",
        type=int,
        default=None,
        help=f"members in the imported file ({DEFAULT_MEMBERS}; --quick {QUICK_MEMBERS})",
    )
    group.add_argument(
        "--import-payments",
        type=int,
        default=None,
        help=f"payment rows in the imported file ({DEFAULT_PAYMENTS}; --quick {QUICK_PAYMENTS})",
    )


def worker_argv(args: argparse.Namespace) -> list[str]:
    """This workload's options for the worker, sizes resolved (the worker gets no --quick)."""
    members = args.import_members or (QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS)
    payments = args.import_payments or (QUICK_PAYMENTS if args.quick else DEFAULT_PAYMENTS)
    return ["--import-members", str(members), "--import-payments", str(payments)]


# ---------------------------------------------------------------------------------------------
# The fund and the file
# ---------------------------------------------------------------------------------------------


def make_fund(user: Any, network: Any) -> Any:
    """A tambon unit on a subdistrict of its own, 10 village groups with their villages."""
    from chumchon.areas.models import OrgUnitKind, Subdistrict
    from chumchon.areas.services import org_unit_create, village_create
    from chumchon.funds.services import fund_create

    sub = (
        Subdistrict.objects.filter(district__province_id=PROVINCE_CODE, active=True)
        .order_by("code")
        .select_related("district")[FUNDS]
    )
    unit = org_unit_create(
        name=f"กองทุนสวัสดิการชุมชนตำบล{sub.name_th} (นำเข้า)",
        kind=OrgUnitKind.FUND,
        parent=network,
        subdistrict=sub,
    )
    for i in range(1, GROUPS + 1):
        village = village_create(subdistrict=sub, number=i, name=f"บ้านนำเข้า{i}")
        org_unit_create(
            name=f"กลุ่มหมู่ {i} {village.name}",
            kind=OrgUnitKind.VILLAGE_GROUP,
            parent=unit,
            village=village,
        )
    return fund_create(
        actor=user,
        org_unit=unit,
        founded_on=dt.date(2010, 1, 1),
        entry_fee=Decimal("20"),
        plans=PLANS,
        lapse_days=60,
    )


def _be_text(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def _be_named(d: dt.date) -> str:
    return f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {d.year + 543}"


def build_file(n_members: int, n_payments: int, seed: int) -> tuple[bytes, list[dt.date]]:
    """The workbook (bytes) and each member's joined date."""
    from openpyxl import Workbook

    from chumchon.core.thai import national_id_check_digit

    rng = random.Random(seed)
    people = ThaiPeople(random.Random(seed + 1))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("ทะเบียนสมาชิก")
    ws.append(["ทะเบียนสมาชิกกองทุนสวัสดิการชุมชน (ส่งออกจากสมุดทะเบียนเดิม)"])
    ws.append([])
    ws.append(
        [
            "ลำดับ",
            "เลขที่สมาชิก",
            "ชื่อ-สกุล",
            "เลขบัตรประชาชน",
            "วันเกิด",
            "บ้านเลขที่",
            "หมู่",
            "แบบการออม",
            "วันที่สมัคร",
        ]
    )
    joined: list[dt.date] = []
    today = dt.date(2023, 9, 30)
    for i in range(n_members):
        p = people.person("0000", today)
        first12 = f"59999{i:07d}"
        nid = first12 + str(national_id_check_digit(first12))
        joined_on = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(365 * 8))
        joined.append(joined_on)
        birth: Any
        style = i % 3
        if style == 0:
            birth = _be_text(p.birth_date)
        elif style == 1:
            birth = _be_named(p.birth_date)
        else:
            birth = p.birth_date  # a date cell
        village = rng.randrange(1, GROUPS + 1)
        ws.append(
            [
                i + 1,
                i + 1,
                f"{p.title}{p.first_name} {p.last_name}",
                nid,
                birth,
                f"{rng.randrange(1, 400)}/{rng.randrange(1, 9)}",
                village,
                "รายเดือน",
                _be_text(joined_on) if i % 2 else joined_on,
            ]
        )
    pay = wb.create_sheet("ชำระเงิน")
    pay.append(["เลขที่สมาชิก", "วันที่ชำระ", "จำนวนเงิน", "เลขที่ใบเสร็จ"])
    per_member, extra = divmod(n_payments, n_members)
    receipt = 0
    for month in range(per_member + (1 if extra else 0)):
        # Month by month, members in number order: as the collection books were kept.
        year, mon = divmod(FIRST_MONTH.month - 1 + month, 12)
        for i in range(n_members):
            if month == per_member and i >= extra:
                break
            day = dt.date(FIRST_MONTH.year + year, mon + 1, 1 + (i % 28))
            receipt_text = ""
            if i % 2 == 0:
                receipt += 1
                receipt_text = f"{receipt // 100 + 1}/{receipt % 100}"
            pay.append([i + 1, _be_text(day) if i % 2 else day, 30, receipt_text])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), joined


def raw_read(content: bytes) -> int:
    """The baseline: every sheet read into Python rows by calamine."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = 0
    for i in range(len(wb.sheet_names)):
        rows += len(wb.get_sheet_by_index(i).to_python(skip_empty_area=False))
    return rows


# ---------------------------------------------------------------------------------------------
# The workload
# ---------------------------------------------------------------------------------------------


def _timed(fn: Any, *args: Any, **kw: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - start, result


@contextlib.contextmanager
def _progress(total: int) -> Iterator[None]:
    """Log each twelfth of the journal entries the commit posts (on stderr: a long commit shows
    it is moving, and whether it slows down as the transaction grows)."""
    from chumchon.ledger import services as ledger

    every = max(1_000, total // 12)

    real = ledger.post
    state = {"n": 0, "t": time.perf_counter()}

    def post(**kw: Any) -> Any:
        entry = real(**kw)
        state["n"] += 1
        if state["n"] % every == 0:
            now = time.perf_counter()
            log(f"    {state['n']:,}/{total:,} entries, last {every:,} in {now - state['t']:.0f}s")
            state["t"] = now
        return entry

    ledger.post = post
    try:
        yield
    finally:
        ledger.post = real


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    import gc

    from chumchon.funds import exporting, importing
    from chumchon.funds.models import Membership, Payment
    from chumchon.ledger.models import Book
    from chumchon.ledger.selectors import verify_book

    n_members = args.import_members or DEFAULT_MEMBERS
    n_payments = args.import_payments or DEFAULT_PAYMENTS
    user = treasurer(data.network)
    fund = make_fund(user, data.network)
    log(f"  building the workbook: {n_members:,} members, {n_payments:,} payment rows")
    build_s, (content, _joined) = _timed(build_file, n_members, n_payments, args.seed + 41)
    log(f"  workbook {len(content) / 2**20:.1f} MB in {build_s:.1f}s")
    out: dict[str, Any] = {
        "members": n_members,
        "payment_rows": n_payments,
        "file_mb": round(len(content) / 2**20, 2),
        "build_file_s": round(build_s, 2),
    }
    reads = []
    for _ in range(3):
        gc.collect()
        s, rows = _timed(raw_read, content)
        reads.append(s)
    base = min(reads)
    out["baseline"] = {"read_s": round(base, 3), "reads_s": [round(r, 3) for r in reads]}
    out["baseline"]["rows"] = rows
    log(f"  baseline: calamine reads {rows:,} rows in {base:.2f}s (best of 3)")

    upload_s, up = _timed(
        importing.upload_save,
        fund=fund,
        content=content,
        file_name="books.xlsx",
        kind="members",
        user=user,
    )
    gc.collect()
    dry_s, dry = _timed(importing.dry_run, fund, up)
    if dry.errors:
        raise AssertionError(f"dry run found errors: {[str(e) for e in dry.errors[:5]]}")
    figures = {
        "persons_new": dry.persons_new,
        "households_new": dry.households_new,
        "memberships_new": dry.memberships_new,
        "payments_new": dry.payments_new,
    }
    del dry
    log(f"  dry run: {dry_s:.1f}s (x{dry_s / base:.1f}) {figures}")
    gc.collect()
    with _progress(n_payments):
        commit_s, result = _timed(importing.commit, fund=fund, actor=user, up=up)
    log(
        f"  commit: {commit_s:.1f}s (x{commit_s / base:.1f}): {result.persons:,} persons, "
        f"{result.households:,} households, {result.memberships:,} members, "
        f"{result.payments:,} payments"
    )
    if Membership.objects.filter(fund=fund).count() != n_members:
        raise AssertionError("members missing after the import")
    if Payment.objects.filter(fund=fund).count() != n_payments:
        raise AssertionError("payments missing after the import")
    verify_s, report = _timed(verify_book, Book.objects.get(pk=fund.book_id))
    if report.faults:
        raise AssertionError(f"verify_book: {report.faults[:5]}")
    log(f"  verify_book: ok, {report.entries:,} entries in {verify_s:.1f}s")
    # The same rows in another file (other bytes): all present, nothing new.
    up2 = importing.upload_save(
        fund=fund, content=_resave(content), file_name="again.xlsx", kind="members", user=user
    )
    gc.collect()
    rerun_s, dry2 = _timed(importing.dry_run, fund, up2)
    if dry2.errors or dry2.memberships_new or dry2.payments_new:
        raise AssertionError(
            "a second run of the same rows would create something: "
            f"{dry2.memberships_new} members, {dry2.payments_new} payments, "
            f"errors {[str(e) for e in dry2.errors[:5]]}"
        )
    log(f"  rerun dry run: {rerun_s:.1f}s, {dry2.skipped:,} rows present")
    del dry2
    importing.upload_delete(up)
    importing.upload_delete(up2)
    exports = {}
    for kind in exporting.KINDS:
        buf = io.BytesIO()
        s, n = _timed(exporting.export_workbook, fund, kind, buf, full_ids=True)
        exports[kind] = {"s": round(s, 2), "rows": n, "mb": round(len(buf.getvalue()) / 2**20, 2)}
        log(f"  export {kind}: {n:,} rows in {s:.1f}s")
    out.update(
        {
            "upload_s": round(upload_s, 3),
            "dry_run_s": round(dry_s, 2),
            "commit_s": round(commit_s, 2),
            "rerun_dry_run_s": round(rerun_s, 2),
            "verify_book_s": round(verify_s, 2),
            "ratio_dry_run": round(dry_s / base, 1),
            "ratio_commit": round(commit_s / base, 1),
            "rows_per_s_dry_run": round((n_members + n_payments) / dry_s),
            "rows_per_s_commit": round((n_members + n_payments) / commit_s),
            "payments_per_s_commit": round(n_payments / commit_s),
            "created": {
                "persons": result.persons,
                "households": result.households,
                "memberships": result.memberships,
                "payments": result.payments,
            },
            "dry_run": figures,
            "journal_entries": report.entries,
            "exports": exports,
        }
    )
    return out


def _resave(content: bytes) -> bytes:
    """The same rows as another file: a copy of the workbook with one more (empty) sheet."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/app.xml" or item.filename.endswith("core.xml"):
                data = data + b"\n"  # a different file, the same workbook
            dst.writestr(item, data)
    return buf.getvalue()
