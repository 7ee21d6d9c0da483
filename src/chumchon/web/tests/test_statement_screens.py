"""The yearly report screens on the books of ``reports.tests.test_statements.Scenario``: the
statements with the year before beside them, the CODI status form and its answers, each as a
page, a PDF and an Excel file; who may see and who may edit.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chumchon.core.thai import format_baht
from chumchon.reports.models import CodiFormYear
from chumchon.reports.tests.test_statements import FY, Scenario
from chumchon.web import pdf as web_pdf

D = Decimal


@pytest.fixture
def books(world: Any, person_factory: Any) -> Scenario:
    return Scenario(world, person_factory)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def chair(books: Scenario) -> Client:
    return _client(books.chair)


@pytest.fixture
def pdf_html(monkeypatch: Any) -> list[str]:
    """The HTML handed to WeasyPrint (its text layer drops ำ, so tests read the HTML)."""
    seen: list[str] = []
    real = web_pdf.render_pdf

    def spy(html: str, **kw: Any) -> bytes:
        seen.append(html)
        return real(html, **kw)

    monkeypatch.setattr(web_pdf, "render_pdf", spy)
    return seen


def _text(response: Any) -> str:
    return response.content.decode()


class _Tables(HTMLParser):
    """Which tables sit inside a horizontally scrolling wrapper (div.table-wrap)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tables: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            self.tables.append((dict(attrs).get("id") or "", "table-wrap" in self.stack))
        if tag in ("div", "table", "section"):
            self.stack.append("table-wrap" if "table-wrap" in classes else tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "table", "section") and self.stack:
            self.stack.pop()


def _tables(html: str) -> list[tuple[str, bool]]:
    p = _Tables()
    p.feed(html)
    return p.tables


# --- statements ---------------------------------------------------------------------------------


def test_statements_page_shows_both_years_and_links_the_books_over_the_year(
    books: Scenario, chair: Client
) -> None:
    url = reverse("statements", args=[books.fund.pk])
    response = chair.get(url, {"fy": FY})
    assert response.status_code == 200
    s = response.context["s"]
    html = _text(response)
    assert "ปี 2569" in html and "ปี 2568" in html
    receipts = s.receipts_payments.row("receipts")
    assert format_baht(receipts.current) in html and format_baht(receipts.previous) in html
    assert 'id="receipts_payments-receipts"' in html
    assert "ทุกงบกระทบยอดกับสมุดบัญชีได้ตรงกัน" in html
    span = "start=01%2F10%2F2568&amp;end=30%2F09%2F2569"
    assert f"{reverse('cash_book', args=[books.fund.pk])}?{span}" in html
    assert f"{reverse('general_ledger', args=[books.fund.pk])}?{span}" in html
    assert f"{reverse('trial_balance', args=[books.fund.pk])}?as_of=30%2F09%2F2569" in html
    # Members, counted with thousands separators where it matters, and the picker offers years.
    assert 'id="members-end"' in html
    assert [c[0] for c in response.context["form"].fields["fy"].choices][:3] == [2570, 2569, 2568]


def test_statements_default_to_the_last_year_that_ended(books: Scenario, chair: Client) -> None:
    response = chair.get(reverse("statements", args=[books.fund.pk]))
    assert response.context["s"].fiscal_year == 2569  # today is in FY2570


def test_a_year_outside_the_books_is_refused_with_a_thai_message(
    books: Scenario, chair: Client
) -> None:
    response = chair.get(reverse("statements", args=[books.fund.pk]), {"fy": "2400"})
    assert response.status_code == 200
    assert "ปีงบประมาณ (พ.ศ.): เลือกปีงบประมาณจากรายการ" in _text(response)
    for name in ("statements_pdf", "statements_xlsx", "codi_form_pdf", "codi_form_xlsx"):
        for fy in (2400, 2571):
            assert chair.get(reverse(name, args=[books.fund.pk, fy])).status_code == 404


def test_every_table_scrolls_inside_its_frame_on_a_phone(books: Scenario, chair: Client) -> None:
    for name in ("statements", "codi_form"):
        html = _text(chair.get(reverse(name, args=[books.fund.pk]), {"fy": FY}))
        tables = _tables(html)
        assert len(tables) >= 5
        assert [t for t, wrapped in tables if not wrapped] == []


def test_statements_pdf_is_a4_thai_with_both_years_right_aligned(
    books: Scenario, chair: Client, pdf_html: list[str]
) -> None:
    response = chair.get(reverse("statements_pdf", args=[books.fund.pk, FY]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = pdf_html[-1]
    assert "size: A4" in html
    assert (
        "งบรายรับ-รายจ่าย" in html
        and "งบแสดงฐานะการเงิน" in html
        and "งบทดลอง ณ วันที่ 30 กันยายน พ.ศ. 2569" in html
    )
    s_total = re.search(
        r"รวมรายรับ</td><td class=\"num\">([\d,.]+)</td><td class=\"num\">([\d,.]+)", html
    )
    assert s_total is not None
    assert "," in s_total.group(1)  # thousands separators
    assert ".num { text-align: right" in html


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_statements_pdf_renders_pages(books: Scenario, chair: Client, tmp_path: Any) -> None:
    response = chair.get(reverse("statements_pdf", args=[books.fund.pk, FY]))
    path = tmp_path / "s.pdf"
    path.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p*.png"))
    assert len(pages) >= 3
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert "Sarabun" in fonts.stdout


def test_statements_excel_downloads_numbers(books: Scenario, chair: Client) -> None:
    from openpyxl import load_workbook

    response = chair.get(reverse("statements_xlsx", args=[books.fund.pk, FY]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="statements-{books.fund.pk}-{FY}.xlsx"'
    )
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["งบรายได้-ค่าใช้จ่าย"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=6) if r[0].value}
    assert isinstance(rows["รวมรายได้"][1].value, (int, float))


# --- the CODI form ---------------------------------------------------------------------------------


def test_codi_form_page_shows_every_section_filled_from_the_books(
    books: Scenario, chair: Client
) -> None:
    response = chair.get(reverse("codi_form", args=[books.fund.pk]), {"fy": FY})
    assert response.status_code == 200
    html = _text(response)
    for n in (
        "1.",
        "2.",
        "3.",
        "4.",
        "5–6.",
        "7.",
        "8.",
        "9.",
        "10.",
        "11.",
        "12.",
        "13.",
        "14.",
        "15.",
    ):
        assert f"<h2>{n} " in html or f">{n} " in html, n
    assert re.search(r'id="members-current"><b>3</b>', html)
    assert 'id="benefit-02"' in html and format_baht(D("1200")) in html
    assert "ยังไม่ได้กรอก" in html
    assert reverse("codi_form_edit", args=[books.fund.pk, FY]) in html


def test_chair_fills_in_the_answers_and_sees_them_on_the_form(
    books: Scenario, chair: Client
) -> None:
    url = reverse("codi_form_edit", args=[books.fund.pk, FY])
    page = chair.get(url)
    assert page.status_code == 200
    registrar_field = next(
        n for n in page.context["form"].fields if n.startswith("community_role_")
    )
    response = chair.post(
        url,
        {
            "community_population": "๒,๔๐๐",
            "villages_total": "6",
            "data_keeping": "file",
            "objectives": "ดูแลกันตั้งแต่เกิดจนตาย",
            "meeting_frequency": "monthly",
            "support_from": ["local_gov", "thaihealth"],
            "problems": "สมาชิกค้างชำระ\nไม่มีคอมพิวเตอร์",
            "certifier_name": "นางรับรอง ใจงาม",
            registrar_field: "อสม.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('codi_form', args=[books.fund.pk])}?fy={FY}"
    record = CodiFormYear.objects.get(fund=books.fund, fiscal_year=FY)
    assert record.community_population == 2400 and record.villages_total == 6
    assert record.answers["support_from"] == ["local_gov", "thaihealth"]
    html = _text(chair.get(response["Location"]))
    assert "ดูแลกันตั้งแต่เกิดจนตาย" in html
    assert "อปท., สสส." in html
    assert "ร้อยละ 0.1" in html  # 3 members of 2,400 people
    assert "อสม." in html and "นางรับรอง ใจงาม" in html
    again = chair.get(url)
    assert again.context["form"]["villages_total"].value() == 6


def test_bad_answers_show_a_thai_message_naming_the_field_once(
    books: Scenario, chair: Client
) -> None:
    url = reverse("codi_form_edit", args=[books.fund.pk, FY])
    response = chair.post(url, {"community_population": "สองพัน", "data_keeping": "database"})
    assert response.status_code == 200
    html = _text(response)
    assert "จำนวนประชากรในชุมชน/ตำบล: ต้องเป็นจำนวนเต็ม" in html
    assert "จำนวนประชากรในชุมชน/ตำบล: จำนวนประชากร" not in html
    assert not CodiFormYear.objects.exists()


def test_a_choice_outside_the_list_is_refused_and_data_keeping_defaults_to_a_database(
    books: Scenario, chair: Client
) -> None:
    url = reverse("codi_form_edit", args=[books.fund.pk, FY])
    response = chair.post(url, {"meeting_frequency": "daily"})
    assert response.status_code == 200
    assert "การประชุมคณะกรรมการ: เลือกจากรายการ" in _text(response)
    assert chair.post(url, {"plans": "ขยายสมาชิก"}).status_code == 302
    record = CodiFormYear.objects.get(fund=books.fund, fiscal_year=FY)
    assert (record.data_keeping, record.answers) == ("database", {"plans": "ขยายสมาชิก"})


def test_who_only_sees_the_books_reads_the_form_but_may_not_edit_it(books: Scenario) -> None:
    registrar = _client(books.registrar)
    page = registrar.get(reverse("codi_form", args=[books.fund.pk]), {"fy": FY})
    assert page.status_code == 200
    edit = reverse("codi_form_edit", args=[books.fund.pk, FY])
    assert edit not in _text(page)
    assert registrar.get(edit).status_code == 403
    assert registrar.post(edit, {"data_keeping": "file", "plans": "x"}).status_code == 403
    assert not CodiFormYear.objects.exists()


def test_codi_form_pdf_is_laid_out_like_the_form(
    books: Scenario, chair: Client, pdf_html: list[str]
) -> None:
    response = chair.get(reverse("codi_form_pdf", args=[books.fund.pk, FY]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    html = pdf_html[-1]
    titles = re.findall(r"<h2>(\d+(?:–\d+)?)\. ", html)
    assert titles == ["1", "2", "3", "4", "5–6", "7", "8", "9", "10", "11", "12", "13", "14", "15"]
    assert html.count("ลงชื่อ ....") == 3
    assert "เลขานุการกองทุน" in html and "ประธานกองทุน" in html and "ผู้รับรองระดับจังหวัด" in html
    assert "30 กันยายน พ.ศ. 2569" in html


def test_codi_form_excel_downloads(books: Scenario, chair: Client) -> None:
    from openpyxl import load_workbook

    response = chair.get(reverse("codi_form_xlsx", args=[books.fund.pk, FY]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "แบบแสดงสถานะกองทุนสวัสดิการชุมชน"


def test_the_province_coordinator_sees_the_reports_of_a_fund_under_them(
    books: Scenario,
) -> None:
    coordinator = _client(books.world.coordinator)
    for name in ("statements", "codi_form"):
        response = coordinator.get(reverse(name, args=[books.fund.pk]), {"fy": FY})
        assert response.status_code == 200
    assert reverse("codi_form_edit", args=[books.fund.pk, FY]) not in _text(response)


def test_fund_menu_links_the_reports(books: Scenario, chair: Client) -> None:
    html = _text(chair.get(reverse("cash_book", args=[books.fund.pk])))
    assert f'href="{reverse("statements", args=[books.fund.pk])}"' in html
    assert "รายงาน/งบการเงิน" in html


def test_statements_of_a_fund_with_no_books_yet(world: Any) -> None:
    from chumchon.funds.services import fund_create

    fund = fund_create(actor=world.chair_a, org_unit=world.fund_a, plans=[("รายเดือน", 1, D("30"))])
    c = _client(world.chair_a)
    response = c.get(reverse("statements", args=[fund.pk]))
    assert response.status_code == 200
    assert response.context["s"].fiscal_year == 2570  # only this year exists
    assert c.get(reverse("codi_form", args=[fund.pk])).status_code == 200
    assert c.get(reverse("codi_form_pdf", args=[fund.pk, 2570])).status_code == 200
