"""Excel import of a fund's members and payment history, and the exports read back.

The workbooks are built here with openpyxl the way funds keep them: a title row above the
headers, a full name with the title in one column, dates typed as BE text, as Thai month names,
in Thai digits, or as date cells (CE, and BE years typed into date cells), month columns
("ม.ค. 67"), amounts with commas, a total row at the bottom.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chumchon.core.thai import national_id_check_digit, to_thai_digits
from chumchon.funds import exporting, importing
from chumchon.funds import services as fs
from chumchon.funds.models import (
    ImportBatch,
    ImportMapping,
    Membership,
    MembershipEvent,
    Payment,
)
from chumchon.ledger.models import JournalEntry, Posting, Sequence
from chumchon.ledger.selectors import verify_book
from chumchon.people.models import Household, HouseholdMember, Person, Relation

D = Decimal


def valid_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


ID1 = valid_id("310010000011")
ID2 = valid_id("310010000022")
ID3 = valid_id("310010000033")
ID4 = valid_id("310010000044")
BAD_ID = ID4[:12] + str((int(ID4[12]) + 1) % 10)


def xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEAD = [
    "ลำดับ",
    "เลขที่สมาชิก",
    "ชื่อ-สกุล",
    "เลขบัตรประชาชน",
    "วันเกิด",
    "บ้านเลขที่",
    "หมู่",
    "แบบการออม",
    "วันที่สมัคร",
    "ม.ค. 67",
    "ก.พ. 67",
    "มี.ค. 2567",
]


def member_rows(*, bad: bool = True, extra: list[list[Any]] | None = None) -> list[list[Any]]:
    """The realistic members sheet: 5 members, one bad id and one duplicate when ``bad``."""
    rows: list[list[Any]] = [
        ["ทะเบียนสมาชิกกองทุนสวัสดิการชุมชนตำบลในเมือง"],
        [],
        HEAD,
        # text BE date, date cell (CE) for joining, amounts as numbers and Thai digits
        [
            1,
            1,
            "นายสมชาย ใจดี",
            ID1,
            "15/03/2510",
            "12",
            1,
            "รายเดือน",
            dt.date(2024, 1, 1),
            30,
            30,
            "๓๐",
        ],
        # id as a number cell, Thai month name, joined as BE text, amount with a comma
        [
            2,
            2,
            "นางสาวมาลี ศรีสุข",
            float(ID2),
            "15 มี.ค. 2510",
            "12",
            "1",
            30,
            "01/01/2567",
            "60.00",
            None,
            "30",
        ],
        # Thai digits everywhere, a BE year typed into a date cell, title with a dot
        [
            3,
            to_thai_digits("3"),
            "น.ส. บุญมา ทองดี",
            to_thai_digits(f"{ID3[0]}-{ID3[1:5]}-{ID3[5:10]}-{ID3[10:12]}-{ID3[12]}"),
            "๑๕/๓/๒๕๑๐",
            "5/1",
            "หมู่ 2",
            "รายเดือน",
            dt.date(2567, 1, 15),
            None,
            30,
            30,
        ],
        [4, 4, "นายผิด บัตร", BAD_ID if bad else ID4, "2500", "7", 2, "", "01/02/2567", None, 30, 30],
        [
            5,
            5,
            "นางซ้ำ ซ้อน",
            ID1 if bad else valid_id("310010000055"),
            "",
            "8",
            2,
            "",
            "01/02/2567",
            None,
            None,
            30,
        ],
    ]
    rows += extra or []
    rows.append(["รวม", None, None, None, None, None, None, None, None, 90, 120, 150])
    return rows


def payment_rows() -> list[list[Any]]:
    return [
        ["เลขที่สมาชิก", "วันที่ชำระ", "จำนวนเงิน", "เลขที่ใบเสร็จ"],
        [1, "15/04/2567", 30, "101"],
        [2, dt.date(2024, 10, 2), "1,200.00", "102"],  # a new fiscal year (2568)
        [1, dt.datetime(2567, 9, 30), 30, ""],  # BE year in a date cell, last day of FY 2567
    ]


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def upload(fund: Any, actor: Any, content: bytes, kind: str = "members", name: str = "a.xlsx"):
    return importing.upload_save(fund=fund, content=content, file_name=name, kind=kind, user=actor)


def counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "households": Household.objects.count(),
        "household_members": HouseholdMember.objects.count(),
        "memberships": Membership.objects.count(),
        "events": MembershipEvent.objects.count(),
        "payments": Payment.objects.count(),
        "entries": JournalEntry.objects.count(),
        "postings": Posting.objects.count(),
        "batches": ImportBatch.objects.count(),
        "sequences": sum(Sequence.objects.values_list("last", flat=True)),
    }


# ------------------------------------------------------------------ reading headers and values


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("เลขที่สมาชิก", "member_no"),
        ("รหัสสมาชิก", "member_no"),
        ("ชื่อ - สกุล", "full_name"),
        ("ชื่อ", "first_name"),
        ("นามสกุล", "last_name"),
        ("เลขประจำตัวประชาชน 13 หลัก", "national_id"),
        ("เลขบัตร", "national_id"),
        ("ว/ด/ป เกิด", "birth_date"),
        ("บ้านเลขที่", "house_number"),
        ("หมู่ที่", "village_no"),
        ("วันที่สมัคร", "joined_on"),
        ("Member No.", "member_no"),
        ("National ID", "national_id"),
        ("ลำดับที่", ""),
        ("ม.ค. 67", "month"),
    ],
)
def test_headers_are_guessed_from_thai_and_english_names(header: str, field: str) -> None:
    assert importing.guess_field(header, importing.MEMBER_FIELDS) == field


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("ม.ค. 67", dt.date(2024, 1, 1)),
        ("ก.พ.67", dt.date(2024, 2, 1)),
        ("มีนาคม 2567", dt.date(2024, 3, 1)),
        ("ธ.ค. พ.ศ. ๒๕๖๖", dt.date(2023, 12, 1)),
        ("10/67", dt.date(2024, 10, 1)),
        (dt.date(2024, 5, 1), dt.date(2024, 5, 1)),
        (dt.datetime(2567, 6, 1), dt.date(2024, 6, 1)),
        ("วันที่", None),
        ("ยอดรวม", None),
    ],
)
def test_month_headers(cell: Any, month: dt.date | None) -> None:
    assert importing.month_of(cell) == month


@pytest.mark.parametrize(
    "cell",
    [
        "15/03/2510",
        "15 มี.ค. 2510",
        "๑๕/๓/๒๕๑๐",
        "15 มีนาคม พ.ศ. 2510",
        dt.date(1967, 3, 15),
        dt.datetime(2510, 3, 15),
        24546.0,  # the Excel serial number of 15 Mar 1967
    ],
)
def test_dates_in_every_style(cell: Any) -> None:
    assert importing.read_date(cell) == (dt.date(1967, 3, 15), 1967)


def test_date_errors_are_thai_and_a_year_alone_is_a_birth_year() -> None:
    assert importing.read_date("2510", partial=True) == (None, 1967)
    with pytest.raises(importing.CellError, match="ปี “10” สั้นเกินไป"):
        importing.read_date("15/03/10")
    with pytest.raises(importing.CellError, match=r"ปี ค\.ศ\."):
        importing.read_date("15/03/1967")


def test_amounts_ids_and_titles() -> None:
    assert importing.read_amount("1,200.50") == D("1200.50")
    assert importing.read_amount("๓๐ บาท") == D("30.00")
    assert importing.read_amount(30.0) == D("30.00")
    assert importing.read_amount("-") is None
    with pytest.raises(importing.CellError, match="สตางค์"):
        importing.read_amount("10.005")
    assert importing.read_national_id(float(ID1)) == ID1
    assert importing.read_national_id(to_thai_digits(ID1)) == ID1
    with pytest.raises(importing.CellError, match="เลขตรวจสอบ"):
        importing.read_national_id(BAD_ID)
    assert importing.split_title("นายสมชาย ใจดี") == ("นาย", "M", "สมชาย ใจดี")
    assert importing.split_title("น.ส.มาลี ศรีสุข") == ("นางสาว", "F", "มาลี ศรีสุข")
    assert importing.split_title("สมชาย ใจดี") == ("", "", "สมชาย ใจดี")
    assert importing.read_title("ดร.")[0:2] == ("อื่น ๆ", "ดร.")


def test_an_unreadable_file_is_refused_in_thai(fund: Any, world: Any, media: Any) -> None:
    with pytest.raises(importing.ImportFileError, match="อ่านไม่ได้"):
        upload(fund, world.chair_a, b"not a workbook")
    with pytest.raises(importing.ImportFileError, match="Excel"):
        upload(fund, world.chair_a, xlsx(("a", [["x"]])), name="a.csv")


# ------------------------------------------------------------------ dry run


def test_realistic_sheet_dry_run_lists_exactly_the_bad_id_and_the_duplicate(
    fund: Any, world: Any, media: Any
) -> None:
    up = upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows())))
    before = counts()
    dry = importing.dry_run(fund, up)
    assert [str(e) for e in dry.errors] == [
        "แถว 7 คอลัมน์ 'เลขบัตรประชาชน': เลขประจำตัวประชาชนไม่ถูกต้อง "
        "(เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง",
        "แถว 8 คอลัมน์ 'เลขบัตรประชาชน': เลขประจำตัวประชาชนซ้ำกับแถว 4",
    ]
    assert (dry.persons_new, dry.memberships_new, dry.households_new) == (3, 3, 2)
    # Month columns of the three good rows: 3 + 2 (none in Jan) + 2.
    assert dry.payments_new == 7
    assert dry.skipped == 0 and dry.rows == 5  # the total row is not a member
    assert counts() == before
    # The columns as guessed: the sequence column is not imported.
    part = dry.used_parts[0]
    assert [c.field for c in part.columns] == [
        "",
        "member_no",
        "full_name",
        "national_id",
        "birth_date",
        "house_number",
        "village_no",
        "plan",
        "joined_on",
        "month",
        "month",
        "month",
    ]


def test_errors_workbook_has_the_original_rows_and_an_error_column(
    fund: Any, world: Any, media: Any
) -> None:
    up = upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows())))
    dry = importing.dry_run(fund, up)
    out = io.BytesIO()
    importing.errors_workbook(dry, out)
    sheets = exporting.read_back(out.getvalue())
    rows = sheets["ทะเบียนสมาชิก"]
    assert rows[0][:4] == ["แถวในไฟล์เดิม", "ข้อผิดพลาด", "ลำดับ", "เลขที่สมาชิก"]
    assert [r[0] for r in rows[1:]] == [7, 8]
    assert "หลักสุดท้ายไม่ตรง" in rows[1][1] and rows[1][4] == "นายผิด บัตร"
    assert "ซ้ำกับแถว 4" in rows[2][1]


# ------------------------------------------------------------------ commit


def test_commit_with_errors_is_refused_and_saves_nothing(fund: Any, world: Any, media: Any) -> None:
    up = upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows())))
    before = counts()
    with pytest.raises(importing.ImportRefused) as caught:
        importing.commit(fund=fund, actor=world.chair_a, up=up)
    assert len(caught.value.dry.errors) == 2
    assert counts() == before


def test_fixed_file_commits_members_households_and_payments_to_the_ledger(
    fund: Any, world: Any, media: Any
) -> None:
    content = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows()))
    up = upload(fund, world.chair_a, content)
    dry = importing.dry_run(fund, up)
    assert dry.errors == []
    assert (dry.persons_new, dry.memberships_new, dry.payments_new) == (5, 5, 13)
    result = importing.commit(fund=fund, actor=world.chair_a, up=up)
    assert (result.persons, result.memberships, result.payments) == (5, 5, 13)
    assert result.households == 4  # 12 (two persons), 5/1, 7, 8
    batch = result.batch
    assert (batch.kind, batch.rows, batch.created, batch.skipped) == ("members", 8, 18, 0)
    assert batch.sha256 == up.sha256 and batch.file_name == "a.xlsx"

    m1, m2, m3 = (Membership.objects.get(fund=fund, member_no=n) for n in (1, 2, 3))
    assert m1.person.full_name == "นายสมชาย ใจดี" and m1.person.birth_date == dt.date(1967, 3, 15)
    assert m1.joined_on == dt.date(2024, 1, 1) and m1.state == "approved"
    assert m1.org_unit == world.group_a1 and m1.person.village == world.village_a1
    assert m2.person.national_id == ID2 and m2.plan.name == "รายเดือน"  # plan "30" by amount
    assert m3.person.title == "นางสาว" and m3.joined_on == dt.date(2024, 1, 15)
    assert m3.org_unit == world.group_a2
    m4 = Membership.objects.get(fund=fund, member_no=4)
    assert m4.person.birth_date is None and m4.person.birth_year == 1957
    # The two persons of house 12, หมู่ 1 share a household; the first is its head.
    hh = m1.person.household_membership.household
    assert hh == m2.person.household_membership.household
    assert m1.person.household_membership.relation == Relation.HEAD
    assert m2.person.household_membership.relation == Relation.RELATIVE
    # Payments: month columns on the first of the month (or the joining day), the sheet's own.
    pays = list(Payment.objects.filter(membership=m3).order_by("date"))
    assert [(p.date, p.amount) for p in pays] == [
        (dt.date(2024, 2, 1), D("30")),
        (dt.date(2024, 3, 1), D("30")),
    ]
    p = Payment.objects.get(membership=m2, date=dt.date(2024, 10, 2))
    assert p.amount == D("1200") and p.fiscal_year == 2568 and p.receipt_no == 1
    assert "ใบเสร็จเดิม 102" in p.note and p.entry_fee == 0
    # Receipt numbers per fiscal year, gap-free, in date order.
    fy67 = list(
        Payment.objects.filter(fund=fund, fiscal_year=2567)
        .order_by("receipt_no")
        .values_list("receipt_no", "date")
    )
    assert [n for n, _d in fy67] == list(range(1, 13))
    assert [d for _n, d in fy67] == sorted(d for _n, d in fy67)
    assert Payment.objects.get(membership=m1, date=dt.date(2024, 9, 30)).fiscal_year == 2567
    # Coverage recorded as the receipt shows it.
    last = Payment.objects.filter(membership=m1).order_by("date").last()
    assert last is not None and last.covers_to == dt.date(2024, 5, 31)
    assert verify_book(fund.book).ok
    assert fund.account("cash").debit_total == sum(p.amount for p in Payment.objects.all())
    # New applicants are numbered after the imported members.
    assert Sequence.objects.get(book=fund.book, name="member").last == 5
    # The mapping is remembered for the fund.
    saved = ImportMapping.objects.get(fund=fund, kind="members").columns
    assert saved["เลขบัตรประชาชน"] == "national_id"


def test_rerunning_the_same_file_creates_nothing_twice(fund: Any, world: Any, media: Any) -> None:
    content = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows()))
    importing.commit(fund=fund, actor=world.chair_a, up=upload(fund, world.chair_a, content))
    before = counts()
    # The very same file: recognised by its SHA-256.
    again = upload(fund, world.chair_a, content)
    dry = importing.dry_run(fund, again)
    assert dry.already is not None and dry.skipped == 18 and dry.payments_new == 0
    result = importing.commit(fund=fund, actor=world.chair_a, up=again)
    assert result.already and counts() == before
    # The same rows saved again in another file (other bytes): everything matches the books.
    resaved = xlsx(
        ("ชำระเงิน", payment_rows()), ("ทะเบียนสมาชิก", member_rows(bad=False)), ("ว่าง", [])
    )
    up = upload(fund, world.chair_a, resaved, name="b.xlsx")
    dry = importing.dry_run(fund, up)
    assert dry.errors == [] and dry.already is None
    assert (dry.members_present, dry.payments_present, dry.memberships_new, dry.payments_new) == (
        5,
        13,
        0,
        0,
    )
    result = importing.commit(fund=fund, actor=world.chair_a, up=up)
    assert (result.persons, result.memberships, result.payments) == (0, 0, 0)
    after = counts()
    assert after.pop("batches") == before.pop("batches") + 1
    assert after == before
    assert verify_book(fund.book).ok


def test_a_second_identical_payment_in_the_file_is_a_second_payment(
    fund: Any, world: Any, media: Any
) -> None:
    members = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)))
    importing.commit(fund=fund, actor=world.chair_a, up=upload(fund, world.chair_a, members))
    rows = [["เลขที่สมาชิก", "วันที่", "จำนวนเงิน"], [1, "01/06/2567", 30], [1, "01/06/2567", 30]]
    up = upload(fund, world.chair_a, xlsx(("ชำระ", rows)), kind="payments")
    assert importing.commit(fund=fund, actor=world.chair_a, up=up).payments == 2
    rows.append([1, "01/06/2567", 30])  # one more such row: only that one is new
    up = upload(fund, world.chair_a, xlsx(("ชำระ", rows)), kind="payments")
    dry = importing.dry_run(fund, up)
    assert (dry.payments_present, dry.payments_new) == (2, 1)


def test_a_payment_entered_by_hand_is_not_imported_again(fund: Any, world: Any, media: Any) -> None:
    members = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)))
    importing.commit(fund=fund, actor=world.chair_a, up=upload(fund, world.chair_a, members))
    m1 = Membership.objects.get(fund=fund, member_no=1)
    by_hand = fs.payment_record(
        actor=world.chair_a,
        membership=m1,
        date=dt.date(2024, 7, 1),
        amount="30",
        entry_fee="0",
        check_status=False,
    )
    rows = [
        ["เลขที่สมาชิก", "วันที่", "จำนวนเงิน", "เลขที่ใบเสร็จ"],
        [1, "01/07/2567", 30, by_hand.receipt_label],
        [1, "01/08/2567", 30, ""],
    ]
    up = upload(fund, world.chair_a, xlsx(("ชำระ", rows)), kind="payments")
    dry = importing.dry_run(fund, up)
    assert (dry.payments_present, dry.payments_new) == (1, 1)


@pytest.mark.parametrize("where", ["member", "payment"])
def test_all_or_nothing_an_error_in_the_last_row_leaves_the_books_unchanged(
    fund: Any, world: Any, media: Any, monkeypatch: Any, where: str
) -> None:
    content = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows()))
    up = upload(fund, world.chair_a, content)
    before = counts()
    if where == "member":
        real = fs.member_import

        def failing(**kw: Any) -> Any:
            if kw["member_no"] == 5:  # the last member row
                raise ValidationError({"member_no": "จำลองความผิดพลาดที่แถวสุดท้าย"})
            return real(**kw)

        monkeypatch.setattr(fs, "member_import", failing)
    else:
        real_post = fs.ledger.post_many
        calls = {"n": 0}
        last = importing.dry_run(fund, up).payments_new

        def failing_post(**kw: Any) -> Any:
            out = real_post(**kw)  # written, then the last payment fails
            calls["n"] += len(kw["items"])
            if calls["n"] == last:
                raise ValidationError("จำลองความผิดพลาดที่รายการสุดท้าย")
            return out

        monkeypatch.setattr(fs.ledger, "post_many", failing_post)
    with pytest.raises(ValidationError):
        importing.commit(fund=fund, actor=world.chair_a, up=up)
    assert counts() == before
    fund.book.refresh_from_db()
    assert verify_book(fund.book).ok


def test_payments_file_by_national_id_and_month_columns(fund: Any, world: Any, media: Any) -> None:
    importing.commit(
        fund=fund,
        actor=world.chair_a,
        up=upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)))),
    )
    rows = [
        ["ชื่อ-สกุล", "เลขประจำตัวประชาชน", "เม.ย. 2567", dt.date(2024, 5, 1), "มิ.ย. 67"],
        ["นายสมชาย ใจดี", ID1, 30, "✓", "-"],
        ["นางสาวมาลี ศรีสุข", f"{ID2[0]}-{ID2[1:5]}-{ID2[5:10]}-{ID2[10:12]}-{ID2[12]}", 30, "", 90],
        ["ไม่มีตัวตน", valid_id("999999999999"), 30, "", ""],
    ]
    up = upload(fund, world.chair_a, xlsx(("ชำระรายเดือน", rows)), kind="payments")
    dry = importing.dry_run(fund, up)
    assert [str(e) for e in dry.errors] == [
        "แถว 4 คอลัมน์ 'เลขประจำตัวประชาชน': ไม่พบสมาชิกของกองทุนที่มีเลขประจำตัวประชาชนนี้"
    ]
    assert dry.used_parts[0].kind == "payments"
    assert sorted((p.date, p.amount) for p in dry.payments) == [
        (dt.date(2024, 4, 1), D("30")),
        (dt.date(2024, 4, 1), D("30")),
        (dt.date(2024, 5, 1), D("30")),  # the tick: the plan's amount
        (dt.date(2024, 6, 1), D("90")),
    ]


def test_payment_row_errors_name_the_column(fund: Any, world: Any, media: Any) -> None:
    importing.commit(
        fund=fund,
        actor=world.chair_a,
        up=upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)))),
    )
    rows = [
        ["เลขที่สมาชิก", "วันที่", "จำนวนเงิน", "ใบเสร็จ"],
        [99, "01/06/2567", 30, ""],
        [1, "01/06/10", 30, ""],
        [1, "01/06/2567", "สามสิบ", ""],
        [1, "01/12/2566", 30, ""],
        [1, "01/07/2567", 30, "A1"],
        [1, "02/07/2567", 30, "A1"],
    ]
    up = upload(fund, world.chair_a, xlsx(("ชำระ", rows)), kind="payments")
    errors = [str(e) for e in importing.dry_run(fund, up).errors]
    assert errors == [
        "แถว 2 คอลัมน์ 'เลขที่สมาชิก': ไม่พบสมาชิกเลขที่ 99",
        "แถว 3 คอลัมน์ 'วันที่': ปี “10” สั้นเกินไป ไม่ทราบว่าเป็นปีใด กรุณากรอกปี พ.ศ. ให้ครบ 4 หลัก เช่น 2569",
        "แถว 4 คอลัมน์ 'จำนวนเงิน': อ่านเป็นจำนวนเงินไม่ได้ (พบ “สามสิบ”)",
        "แถว 5 คอลัมน์ 'วันที่': วันที่ชำระ 1 ธ.ค. 2566 ก่อนวันที่เป็นสมาชิก 1 ม.ค. 2567",
        "แถว 7 คอลัมน์ 'ใบเสร็จ': เลขที่ใบเสร็จ A1 ซ้ำกับแถว 6",
    ]


def test_member_number_of_someone_else_and_missing_identifiers(
    fund: Any, world: Any, media: Any
) -> None:
    importing.commit(
        fund=fund,
        actor=world.chair_a,
        up=upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)))),
    )
    rows = [
        ["เลขที่สมาชิก", "คำนำหน้า", "ชื่อ", "นามสกุล", "เลขบัตร", "วันที่เป็นสมาชิก", "กลุ่ม"],
        [1, "นาย", "คนอื่น", "ใช้เลขซ้ำ", valid_id("320000000001"), "01/01/2567", ""],
        ["", "นาง", "ไม่มี", "เลขใด ๆ", "", "01/01/2567", ""],
        [20, "", "ไม่มีคำนำหน้า", "ทดสอบ", "", "01/01/2567", ""],
        [21, "นาย", "ผิดกลุ่ม", "ทดสอบ", "", "01/01/2567", "กลุ่มที่ไม่มี"],
    ]
    up = upload(fund, world.chair_a, xlsx(("สมาชิกใหม่", rows)))
    errors = [str(e) for e in importing.dry_run(fund, up).errors]
    assert errors == [
        "แถว 2 คอลัมน์ 'เลขที่สมาชิก': เลขที่สมาชิก 1 เป็นของบุคคลอื่นในทะเบียนของกองทุนแล้ว",
        "แถว 3 คอลัมน์ 'เลขที่สมาชิก': ต้องมีเลขที่สมาชิกหรือเลขประจำตัวประชาชนอย่างน้อยหนึ่งอย่าง "
        "(ใช้ตรวจว่านำเข้าแล้วหรือยัง)",
        "แถว 4 คอลัมน์ 'คำนำหน้า': ไม่พบคำนำหน้าชื่อ (นาย นาง นางสาว ด.ช. ด.ญ. ...)",
        "แถว 5 คอลัมน์ 'กลุ่ม': ไม่พบกลุ่ม “กลุ่มที่ไม่มี” ในกองทุนนี้",
    ]


def test_a_person_of_another_tambon_is_not_taken_over(
    fund: Any, world: Any, media: Any, person_factory: Any
) -> None:
    person_factory(actor=world.officer_b, org_unit=world.group_b1, national_id=ID1, first_name="บี")
    up = upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows(bad=False))))
    errors = [str(e) for e in importing.dry_run(fund, up).errors]
    assert errors == [
        "แถว 4 คอลัมน์ 'เลขบัตรประชาชน': เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว เป็นบุคคลที่อยู่นอกกองทุนนี้ นำเข้าไม่ได้"
    ]


def test_an_existing_person_of_the_fund_becomes_a_member(
    fund: Any, world: Any, media: Any, person_factory: Any
) -> None:
    p = person_factory(national_id=ID1, first_name="สมชาย", last_name="ใจดี")
    up = upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows(bad=False))))
    dry = importing.dry_run(fund, up)
    assert (dry.persons_new, dry.memberships_new) == (4, 5)
    importing.commit(fund=fund, actor=world.chair_a, up=up)
    assert Membership.objects.get(fund=fund, member_no=1).person == p
    assert Person.objects.filter(national_id=ID1).count() == 1


def test_adjusted_mapping_is_saved_per_fund_and_reused(fund: Any, world: Any, media: Any) -> None:
    rows = [
        ["รหัส", "ชื่อเต็ม", "PID", "เข้าร่วม"],
        [7, "นายหนึ่ง สอง", valid_id("330000000007"), "01/01/2567"],
    ]
    up = upload(fund, world.chair_a, xlsx(("สมาชิก", rows)))
    parts = importing.analyse(fund, up)
    assert parts[0].kind == "" and parts[0].header_row == 0  # not recognised: mapped by hand
    assert [c.header for c in parts[0].columns] == ["รหัส", "ชื่อเต็ม", "PID", "เข้าร่วม"]
    overrides = {
        "0": {"kind": "members", "columns": {"0": "member_no", "1": "full_name", "3": "joined_on"}}
    }
    importing.upload_set_overrides(up, overrides)
    parts = importing.analyse(fund, importing.upload_get(fund, up.token))  # type: ignore[arg-type]
    importing.mapping_save(actor=world.chair_a, fund=fund, parts=parts)
    assert ImportMapping.objects.get(fund=fund, kind="members").columns == {
        "รหัส": "member_no",
        "ชื่อเต็ม": "full_name",
        "pid": "national_id",
        "เข้าร่วม": "joined_on",
    }
    # Next month's file with the same headers: read without help.
    up2 = upload(fund, world.chair_a, xlsx(("สมาชิก", rows)))
    dry = importing.dry_run(fund, up2)
    assert dry.errors == [] and dry.memberships_new == 1


def test_upload_is_kept_per_fund_and_forgotten(fund: Any, world: Any, media: Any) -> None:
    up = upload(fund, world.chair_a, xlsx(("ทะเบียนสมาชิก", member_rows())))
    assert importing.upload_get(fund, up.token) == up
    assert importing.upload_get(fund, "../../etc/passwd") is None
    assert importing.upload_content(up)[:2] == b"PK"
    importing.upload_delete(up)
    assert importing.upload_get(fund, up.token) is None


# ------------------------------------------------------------------ export


def test_exports_read_back_and_an_export_imports_as_already_present(
    fund: Any, world: Any, media: Any
) -> None:
    content = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows()))
    importing.commit(fund=fund, actor=world.chair_a, up=upload(fund, world.chair_a, content))
    today = dt.date(2024, 11, 1)
    files = {}
    for kind in exporting.KINDS:
        out = io.BytesIO()
        exporting.export_workbook(fund, kind, out, full_ids=True, today=today)
        files[kind] = out.getvalue()
    members = exporting.read_back(files["members"])["สมาชิก"]
    assert members[0][:5] == ["เลขที่สมาชิก", "คำนำหน้า", "ชื่อ", "นามสกุล", "เลขประจำตัวประชาชน"]
    assert members[1][:6] == [1.0, "นาย", "สมชาย", "ใจดี", ID1, "15/03/2510"]
    assert members[1][10] == "01/01/2567" and members[1][12] == "ขาดสมาชิกภาพ"
    assert len(members) == 6
    payments = exporting.read_back(files["payments"])["การชำระเงิน"]
    assert payments[0][:3] == ["วันที่ชำระ", "เลขที่ใบเสร็จ", "เลขที่สมาชิก"]
    assert len(payments) == 14
    big = next(r for r in payments if r[1] == "2568/00001")
    assert big[5] == 1200.0 and big[0] == "02/10/2567"
    ledger = exporting.read_back(files["ledger"])
    journal = ledger["สมุดรายวัน"]
    assert len(journal) == 1 + 2 * 13
    assert sum(r[8] or 0 for r in journal[1:]) == sum(r[9] or 0 for r in journal[1:]) == 1590.0
    trial = {r[0]: r for r in ledger["งบทดลอง"][1:]}
    assert trial[fund.account("cash").code][5] == 1590.0
    # The exports go back in as present: nothing new.
    for kind, name in (("members", "m.xlsx"), ("payments", "p.xlsx")):
        up = upload(fund, world.chair_a, files[kind], kind=kind, name=name)
        dry = importing.dry_run(fund, up)
        assert dry.errors == [], [str(e) for e in dry.errors]
        assert dry.memberships_new == dry.payments_new == 0
    assert dry.payments_present == 13


def test_member_export_masks_ids_without_the_full_id_permission(fund: Any, world: Any) -> None:
    person = Person.objects.create(
        org_unit=world.group_a1, title="นาย", first_name="ก", national_id=ID1
    )
    fs.member_import(
        actor=world.chair_a,
        fund=fund,
        person=person,
        org_unit=world.group_a1,
        plan=fund.plans.get(months=1),
        joined_on=dt.date(2024, 1, 1),
        member_no=3,
    )
    out = io.BytesIO()
    exporting.export_workbook(fund, "members", out, full_ids=False)
    row = exporting.read_back(out.getvalue())["สมาชิก"][1]
    assert row[4] == "X-XXXX-XXXX" + ID1[9] + "-" + ID1[10:12] + "-" + ID1[12]


def test_title_in_its_own_column_or_in_the_name(fund: Any, world: Any, media: Any) -> None:
    rows = [
        ["เลขที่สมาชิก", "คำนำหน้า", "ชื่อ", "นามสกุล", "เพศ", "วันที่สมัคร"],
        [1, "นาง", "นางมาลี", "ดีใจ", "", "01/01/2567"],
        [2, "", "น.ส.ดวงใจ", "ใจดี", "", "01/01/2567"],
        [3, "ดร.", "สมศักดิ์", "รักดี", "ชาย", "01/01/2567"],
    ]
    dry = importing.dry_run(fund, upload(fund, world.chair_a, xlsx(("สมาชิก", rows))))
    assert dry.errors == []
    assert [(m.title, m.title_other, m.first_name, m.sex) for m in dry.members] == [
        ("นาง", "", "มาลี", "F"),
        ("นางสาว", "", "ดวงใจ", "F"),
        ("อื่น ๆ", "ดร.", "สมศักดิ์", "M"),
    ]


def test_a_paper_receipt_that_looks_like_ours_is_not_taken_for_ours(
    fund: Any, world: Any, media: Any
) -> None:
    members = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)))
    importing.commit(fund=fund, actor=world.chair_a, up=upload(fund, world.chair_a, members))
    # Paper receipts numbered "year/number" like ours: 2567/1 is member 1's Jan payment here.
    rows = [["เลขที่สมาชิก", "วันที่", "จำนวนเงิน", "เลขที่ใบเสร็จ"], [2, "05/06/2567", 30, "2567/1"]]
    up = upload(fund, world.chair_a, xlsx(("ชำระ", rows)), kind="payments")
    assert importing.commit(fund=fund, actor=world.chair_a, up=up).payments == 1
    again = upload(fund, world.chair_a, xlsx(("ชำระ", rows), ("ว่าง", [])), kind="payments")
    dry = importing.dry_run(fund, again)
    assert dry.errors == [] and (dry.payments_present, dry.payments_new) == (1, 0)
