"""Receipt PDFs (A5 and the 80 mm slip), the public receipt check, and the passbook screens.

WeasyPrint's PDF text layer drops the nikhahit of ำ, so the text is checked in the HTML handed
to ``pdf.render_pdf`` (captured by the ``captured`` fixture) and the PDFs themselves through
pdffonts (Sarabun embedded), their page size, and page images from pdftoppm.

Set ``CHUMCHON_DOCS_OUT=/some/dir`` to keep the PDFs and PNGs of a run for a look by eye.
"""

# ruff: noqa: F811 (the tenancy matrix fixtures, imported below, are test arguments)
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from PIL import Image

from chumchon.funds import documents as docs
from chumchon.funds import services as fs
from chumchon.funds.models import Fund, Membership, PassbookPrint, Payment, ReceiptPrint
from chumchon.funds.selectors import add_months
from chumchon.web import pdf
from chumchon.web.views_docs import qr_svg

from .test_tenancy_matrix import FundA, fund_a, fund_b  # noqa: F401 (fixtures)

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdffonts")),
    reason="poppler-utils (pdftoppm, pdffonts) not installed",
)
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the PDF renderer: keep the HTML (and options) and return a stub PDF."""
    calls: list[dict[str, Any]] = []

    def fake(html: str, **kw: Any) -> bytes:
        calls.append({"html": html, **kw})
        return b"%PDF-1.7 stub"

    monkeypatch.setattr(pdf, "render_pdf", fake)
    return calls


def keep(name: str, data: bytes) -> None:
    out = os.environ.get("CHUMCHON_DOCS_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / name).write_bytes(data)


def pdf_fonts(data: bytes, tmp_path: Path) -> str:
    f = tmp_path / "doc.pdf"
    f.write_bytes(data)
    return subprocess.run(["pdffonts", str(f)], capture_output=True, text=True, check=True).stdout


def page_images(data: bytes, tmp_path: Path, name: str) -> list[Image.Image]:
    f = tmp_path / f"{name}.pdf"
    f.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", str(f), str(tmp_path / name)], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob(f"{name}-*.png"))
    for png in pngs:
        keep(png.name, png.read_bytes())
    return [Image.open(p).convert("RGB") for p in pngs]


def pixels(img: Image.Image) -> Any:
    return getattr(img, "get_flattened_data", img.getdata)()  # getdata: Pillow < 12.1


def dark_pixels(img: Image.Image) -> int:
    return sum(1 for px in pixels(img) if sum(px) < 600)


def red_pixels(img: Image.Image) -> int:
    return sum(1 for r, g, b in pixels(img) if r > 180 and g < 170 and b < 170 and r - g > 40)


_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def media_box(data: bytes) -> tuple[float, float]:
    """Width and height (points) of the first page: pypdf when installed, else the MediaBox
    read from the file (WeasyPrint may keep it in a compressed object stream)."""
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        chunks = [data]
        for stream in re.finditer(rb"stream\r?\n", data):
            try:  # a zlib stream knows where it ends: the rest of the file is left over
                chunks.append(zlib.decompressobj().decompress(data[stream.end() :]))
            except zlib.error:
                continue
        for chunk in chunks:
            match = _MEDIA_BOX.search(chunk)
            if match:
                x0, y0, x1, y1 = (float(v) for v in match.groups())
                return x1 - x0, y1 - y0
        raise AssertionError("no MediaBox in the PDF") from None
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return float(box.width), float(box.height)


def monthly(actor: Any, m: Membership, start: dt.date, n: int) -> list[Payment]:
    out = []
    for i in range(n):
        amount = "50" if i == 0 else "30"
        out.append(
            fs.payment_record(actor=actor, membership=m, date=add_months(start, i), amount=amount)
        )
    return out


@pytest.fixture
def long_member(fund_a: FundA, person_factory: Any) -> Membership:
    """A second member of fund A with 25 monthly payments (2023-01 .. 2025-01)."""
    world = fund_a.world
    p = person_factory(first_name="บุญส่ง", last_name="มั่นคง")
    m = fs.member_apply(
        actor=world.chair_a,
        fund=fund_a.fund,
        person=p,
        org_unit=world.group_a1,
        plan=fund_a.fund.plans.get(months=1),
        applied_on=dt.date(2023, 1, 1),
    )
    m = fs.member_approve(actor=world.chair_a, membership=m, joined_on=dt.date(2023, 1, 1))
    monthly(world.chair_a, m, dt.date(2023, 1, 1), 25)
    return m


# --- receipt: the HTML ------------------------------------------------------------------------


def test_receipt_html_in_thai_with_be_date_words_period_and_qr(
    client: Any, fund_a: FundA, captured: list[dict[str, Any]]
) -> None:
    a = fund_a
    client.force_login(a.world.chair_a)
    response = client.get(reverse("receipt_pdf", args=[a.payment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = captured[0]["html"]
    assert captured[0]["roll_width_mm"] is None  # A5 is the default
    for text in (
        "ใบเสร็จรับเงิน",
        "ต้นฉบับ",
        a.fund.name,
        "ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น",
        "2568/00001",
        "5 มกราคม พ.ศ. 2568",
        a.person.full_name,
        a.world.group_a1.name,
        "50.00",
        "ห้าสิบบาทถ้วน",
        "เงินสมทบ งวด 1 มกราคม พ.ศ. 2568 ถึง 31 มกราคม พ.ศ. 2568",
        "ค่าสมัครสมาชิก",
        "20.00",
        "เงินสด",
        "ลงชื่อ",
        "เหรัญญิก / ผู้รับเงิน",
        "สมศักดิ์ ใจดี",
    ):
        assert text in html, text
    assert re.search(r"สมาชิกเลขที่</th><td>1</td>", html)
    assert "2025" not in html  # no CE year anywhere
    verify_url = "http://testserver" + reverse("receipt_verify", args=[a.payment.verify_token])
    assert verify_url in html
    assert qr_svg(verify_url) in html and "<svg" in html
    assert "ยกเลิก" not in html and "สำเนา" not in html


def test_reprint_says_copy(client: Any, fund_a: FundA, captured: list[dict[str, Any]]) -> None:
    client.force_login(fund_a.world.chair_a)
    url = reverse("receipt_pdf", args=[fund_a.payment.pk])
    client.get(url)
    client.get(url, {"size": "slip"})
    assert "สำเนา" not in captured[0]["html"]
    assert "สำเนา" in captured[1]["html"]
    assert captured[1]["roll_width_mm"] == 80
    assert ReceiptPrint.objects.filter(payment=fund_a.payment).count() == 2


def test_voided_receipt_html_has_watermark_reason_and_date(
    client: Any, fund_a: FundA, captured: list[dict[str, Any]]
) -> None:
    a = fund_a
    fs.payment_void(
        actor=a.world.chair_a, payment=a.payment, reason="รับเงินซ้ำ", date=dt.date(2025, 1, 6)
    )
    client.force_login(a.world.chair_a)
    client.get(reverse("receipt_pdf", args=[a.payment.pk]))
    html = captured[0]["html"]
    watermark = re.search(r'<div class="watermark".*?</div></div>', html, re.S)
    assert watermark, "no watermark"
    assert "ยกเลิก" in watermark.group(0)
    assert "รับเงินซ้ำ" in watermark.group(0) and "6 ม.ค. 2568" in watermark.group(0)
    assert "ใบเสร็จนี้ถูกยกเลิกแล้ว เมื่อ 6 มกราคม พ.ศ. 2568 เหตุผล: รับเงินซ้ำ" in html


def test_partial_payment_receipt_has_no_period_end(
    client: Any, fund_a: FundA, captured: list[dict[str, Any]]
) -> None:
    a = fund_a
    p = fs.payment_record(
        actor=a.world.chair_a, membership=a.membership, date=dt.date(2025, 1, 10), amount="10"
    )
    client.force_login(a.world.chair_a)
    client.get(reverse("receipt_pdf", args=[p.pk]), {"size": "bogus"})
    html = captured[0]["html"]
    assert captured[0]["roll_width_mm"] is None  # an unknown size falls back to A5
    assert "ยังไม่ครบงวด" in html and "สิบบาทถ้วน" in html
    assert "ชำระเงินสมทบถึงวันที่" not in html


# --- receipt: the PDF itself ------------------------------------------------------------------


@needs_poppler
def test_receipt_pdf_a5_embeds_sarabun_and_renders_a_page(
    client: Any, fund_a: FundA, tmp_path: Path
) -> None:
    client.force_login(fund_a.world.chair_a)
    data = client.get(reverse("receipt_pdf", args=[fund_a.payment.pk])).content
    keep("receipt-a5.pdf", data)
    assert data.startswith(b"%PDF")
    fonts = pdf_fonts(data, tmp_path)
    assert re.search(r"\+Sarabun\S*\s.*\byes\b", fonts), fonts
    width, height = media_box(data)
    assert abs(width - 148 * MM) < 1 and abs(height - 210 * MM) < 1
    (page,) = page_images(data, tmp_path, "receipt-a5")
    assert dark_pixels(page) > 2000
    assert red_pixels(page) == 0


@needs_poppler
def test_receipt_slip_is_80_mm_wide_and_cut_to_its_content(
    client: Any, fund_a: FundA, tmp_path: Path
) -> None:
    client.force_login(fund_a.world.chair_a)
    data = client.get(reverse("receipt_pdf", args=[fund_a.payment.pk]), {"size": "slip"}).content
    keep("receipt-slip.pdf", data)
    width, height = media_box(data)
    assert abs(width - 80 * MM) < 0.5
    assert 100 * MM < height < 220 * MM
    assert "Sarabun" in pdf_fonts(data, tmp_path)
    (page,) = page_images(data, tmp_path, "receipt-slip")
    assert dark_pixels(page) > 1500
    # The content reaches close to the cut: the last tenth of the slip is not all blank.
    w, h = page.size
    assert dark_pixels(page.crop((0, int(h * 0.8), w, h))) > 50


@needs_poppler
def test_voided_receipt_pdf_shows_a_red_watermark(
    client: Any, fund_a: FundA, tmp_path: Path
) -> None:
    fs.payment_void(
        actor=fund_a.world.chair_a,
        payment=fund_a.payment,
        reason="รับเงินซ้ำ",
        date=dt.date(2025, 1, 6),
    )
    client.force_login(fund_a.world.chair_a)
    for size in ("a5", "slip"):
        data = client.get(reverse("receipt_pdf", args=[fund_a.payment.pk]), {"size": size}).content
        keep(f"receipt-void-{size}.pdf", data)
        (page,) = page_images(data, tmp_path, f"void-{size}")
        assert red_pixels(page) > 500, size
        if size == "slip":  # the watermark, placed on the page, does not lengthen the slip
            assert media_box(data)[1] < 220 * MM


# --- the public receipt check -----------------------------------------------------------------


def test_verification_page_is_public_and_shows_no_personal_data(client: Any, fund_a: FundA) -> None:
    a = fund_a
    url = reverse("receipt_verify", args=[a.payment.verify_token])
    response = client.get(url)  # anonymous
    assert response.status_code == 200
    text = response.content.decode()
    for shown in (a.fund.name, "2568/00001", "5 มกราคม พ.ศ. 2568", "50.00", "ห้าสิบบาทถ้วน"):
        assert shown in text, shown
    assert "ออกโดยกองทุนจริง" in text
    for hidden in (
        a.person.first_name,
        a.person.last_name,
        a.person.national_id,
        a.world.group_a1.name,
        "777/31",
        "สมาชิกเลขที่",
        "0891112222",
    ):
        assert hidden not in text, hidden
    assert "noindex" in response["X-Robots-Tag"]


def test_verification_page_of_a_void_receipt_says_void(client: Any, fund_a: FundA) -> None:
    fs.payment_void(
        actor=fund_a.world.chair_a,
        payment=fund_a.payment,
        reason="ผิดคน",
        date=dt.date(2025, 1, 7),
    )
    text = client.get(reverse("receipt_verify", args=[fund_a.payment.verify_token])).content
    page = text.decode()
    assert "ถูกยกเลิกแล้ว" in page and "7 มกราคม พ.ศ. 2568" in page
    assert "ผิดคน" not in page  # the reason may name the person: not shown publicly


def test_unknown_token_gives_a_thai_not_found_page(client: Any, world: Any) -> None:
    response = client.get(reverse("receipt_verify", args=["no-such-receipt-token"]))
    assert response.status_code == 404
    assert "ไม่พบใบเสร็จ" in response.content.decode()


def test_verification_links_the_public_board_only_when_it_exists(
    client: Any, fund_a: FundA
) -> None:
    Fund.objects.filter(pk=fund_a.fund.pk).update(public_board=True)
    response = client.get(reverse("receipt_verify", args=[fund_a.payment.verify_token]))
    assert response.status_code == 200
    try:
        board = reverse("fund_board", args=[fund_a.fund.pk])
    except NoReverseMatch:  # the board screen is not built yet
        board = None
    if board:
        assert board in response.content.decode()


# --- passbook ---------------------------------------------------------------------------------


def test_passbook_screen_shows_lines_carry_rows_and_print_state(
    client: Any, fund_a: FundA, long_member: Membership
) -> None:
    client.force_login(fund_a.world.chair_a)
    response = client.get(reverse("passbook", args=[long_member.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "สมุดบัญชีสมาชิก" in text and long_member.person.full_name in text
    assert "ยอดยกไป" in text and "ยอดยกมา" in text
    assert "570.00" in text and "750.00" in text
    assert "ยังไม่เคยพิมพ์" in text
    assert "25 รายการ จะพิมพ์ต่อที่หน้า 1 บรรทัด 1" in text
    assert f"{reverse('passbook_pdf', args=[long_member.pk])}?upto=25" in text
    assert 'name="upto" value="25"' in text


def test_passbook_print_cycle_continues_after_the_last_printed_line(
    client: Any, fund_a: FundA, long_member: Membership, captured: list[dict[str, Any]]
) -> None:
    world = fund_a.world
    m = long_member
    client.force_login(world.chair_a)
    pdf_url = reverse("passbook_pdf", args=[m.pk])
    assert client.get(pdf_url, {"upto": "25"}).status_code == 200
    first = captured[-1]["html"]
    assert first.count('class="page"') == 2
    assert "ยอดยกไป" in first and "ยอดยกมา" in first
    assert "2566/00001" in first or "2566/00002" in first

    response = client.post(reverse("passbook_mark_printed", args=[m.pk]), {"upto": "25"})
    assert response.status_code == 302
    assert PassbookPrint.objects.get(membership=m).last_line == 25
    # Nothing new: the PDF link sends back to the screen with a note.
    response = client.get(pdf_url)
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("passbook", args=[m.pk])
    )

    new = fs.payment_record(
        actor=world.chair_a, membership=m, date=dt.date(2025, 2, 1), amount="30"
    )
    old = Payment.objects.filter(membership=m).order_by("pk")[4]
    fs.payment_void(actor=world.chair_a, payment=old, reason="รับซ้ำ", date=dt.date(2025, 2, 2))
    text = client.get(reverse("passbook", args=[m.pk])).content.decode()
    assert "2 รายการ จะพิมพ์ต่อที่หน้า 2 บรรทัด 8" in text
    assert "ถึงรายการที่ 25 (หน้า 2 บรรทัด 7)" in text

    assert client.get(pdf_url).status_code == 200
    html = captured[-1]["html"]
    assert html.count('class="page"') == 1
    assert 'class="heading blank"' in html  # page 2 already has its heading
    assert new.receipt_label in html
    assert "ยกเลิกใบเสร็จ " + old.receipt_label in html and "-30.00" in html
    assert "2566/00001" not in html  # nothing printed before comes again
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = re.findall(r"<tr class=\"([^\"]*)\"", body)
    assert rows[:7] == ["empty"] * 7 and rows[7] == "" and rows[8] == "reversal"
    assert rows[9:] == ["empty"] * 11

    client.post(reverse("passbook_mark_printed", args=[m.pk]), {"upto": "27"})
    assert docs.passbook_for(m).printed == 27


def test_passbook_reprint_of_a_page(
    client: Any, fund_a: FundA, long_member: Membership, captured: list[dict[str, Any]]
) -> None:
    m = long_member
    client.force_login(fund_a.world.chair_a)
    url = reverse("passbook_pdf", args=[m.pk])
    assert client.get(url, {"reprint": "1"}).status_code == 404  # never printed
    docs.passbook_mark_printed(actor=fund_a.world.chair_a, membership=m, upto=25)
    assert client.get(url, {"reprint": "1"}).status_code == 200
    html = captured[-1]["html"]
    assert "พิมพ์ซ้ำ" in html and "ยอดยกไป" in html and "ยอดยกมา" not in html
    assert 'class="heading blank"' not in html
    assert client.get(url, {"reprint": "3"}).status_code == 404
    assert client.get(url, {"reprint": "x"}).status_code == 404


@needs_poppler
def test_passbook_pdf_renders_with_sarabun(
    client: Any, fund_a: FundA, long_member: Membership, tmp_path: Path
) -> None:
    world = fund_a.world
    client.force_login(world.chair_a)
    data = client.get(reverse("passbook_pdf", args=[long_member.pk])).content
    keep("passbook-new.pdf", data)
    assert data.startswith(b"%PDF") and "Sarabun" in pdf_fonts(data, tmp_path)
    pages = page_images(data, tmp_path, "passbook-new")
    assert len(pages) == 2 and all(dark_pixels(p) > 1000 for p in pages)

    docs.passbook_mark_printed(actor=world.chair_a, membership=long_member, upto=25)
    fs.payment_record(
        actor=world.chair_a, membership=long_member, date=dt.date(2025, 2, 1), amount="30"
    )
    data = client.get(reverse("passbook_pdf", args=[long_member.pk])).content
    keep("passbook-continue.pdf", data)
    (page,) = page_images(data, tmp_path, "passbook-continue")
    w, h = page.size
    # Only row 8 of page 2 is printed: the top 40 % of the page (heading, rows 1-7) stays blank.
    assert dark_pixels(page.crop((0, 0, w, int(h * 0.4)))) == 0
    assert dark_pixels(page) > 100


def test_mark_printed_refusals(client: Any, fund_a: FundA, fund_b: Any) -> None:
    a = fund_a
    url = reverse("passbook_mark_printed", args=[a.membership.pk])
    # Another tambon's treasurer and officer: 404, nothing recorded.
    for user in (a.world.treasurer_b, a.world.officer_b, a.world.expired):
        client.force_login(user)
        assert client.post(url, {"upto": "1"}).status_code == 404
    # The province coordinator reads the books but does not collect: 403.
    client.force_login(a.world.coordinator)
    assert client.get(reverse("passbook", args=[a.membership.pk])).status_code == 200
    assert client.post(url, {"upto": "1"}).status_code == 403
    assert not PassbookPrint.objects.exists()
    client.logout()
    response = client.post(url, {"upto": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not PassbookPrint.objects.exists()
    # Fund A's chair: a bad number is a Thai message, a good one records the print.
    client.force_login(a.world.chair_a)
    response = client.post(url, {"upto": "9"}, follow=True)
    assert "มีเพียง 1 รายการ" in response.content.decode()
    response = client.post(url, {"upto": ""}, follow=True)
    assert "ไม่ได้ระบุ" in response.content.decode()
    assert not PassbookPrint.objects.exists()
    client.post(url, {"upto": "๑"})  # Thai digits are fine
    assert PassbookPrint.objects.get().last_line == 1
    assert docs.passbook_for(a.membership).printed == 1
    assert Decimal(docs.passbook_for(a.membership).balance) == Decimal("30")
