"""Receipts (PDF, A5 or an 80 mm slip), their public verification page, and the member's
passbook: on screen, printed page by page after the last printed line, and marked as printed.

Records are found through ``fundcommon`` (404 outside the user's funds); the data of each
document comes from ``chumchon.funds.documents``; ``pdf.render_pdf`` turns the HTML into a PDF.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.core.permissions import Perm
from chumchon.core.thai import to_arabic_digits
from chumchon.funds import documents as docs

from . import pdf
from .fundcommon import can, membership_for, payment_for, require

RECEIPT_SIZES = ("a5", "slip")
SLIP_WIDTH_MM = 80


def _int(value: Any) -> int | None:
    try:
        return int(to_arabic_digits(str(value)).strip())
    except (TypeError, ValueError):
        return None


# --- receipts ---------------------------------------------------------------------------------


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (sized by the page's CSS)."""
    return str(segno.make(url, error="m").svg_inline(border=2, omitsize=True, dark="#000"))


def receipt_html(request: HttpRequest, receipt: docs.ReceiptData, size: str) -> str:
    verify_url = request.build_absolute_uri(reverse("receipt_verify", args=[receipt.token]))
    return render_to_string(
        "web/docs/receipt.html",
        {"r": receipt, "size": size, "verify_url": verify_url, "qr_svg": qr_svg(verify_url)},
    )


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_for(request.user, pk)
    size = request.GET.get("size", "a5")
    if size not in RECEIPT_SIZES:
        size = "a5"
    copy = docs.receipt_print_record(actor=request.user, payment=payment, size=size)
    html = receipt_html(request, docs.receipt_data(payment, copy=copy), size)
    data = pdf.render_pdf(html, roll_width_mm=SLIP_WIDTH_MM if size == "slip" else None)
    name = f"receipt-{payment.fiscal_year}-{payment.receipt_no:05d}-{size}.pdf"
    return pdf.pdf_response(data, name)


def receipt_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: is this receipt genuine? Amount, date, fund and number only; no personal data."""
    v = docs.verification_for(token)
    if v is None:
        return render(request, "web/docs/verify_not_found.html", status=404)
    response = render(request, "web/docs/verify.html", {"v": v})
    response["X-Robots-Tag"] = "noindex"
    return response


# --- passbook ---------------------------------------------------------------------------------


@login_required
def passbook(request: HttpRequest, pk: int) -> HttpResponse:
    m = membership_for(request.user, pk)
    book = docs.passbook_for(m)
    job = docs.passbook_job(book)
    pages = []
    for page in book.pages:
        rows = book.rows_on(page)
        pages.append((page, rows, all(r.anchor <= book.printed for r in rows)))
    return render(
        request,
        "web/docs/passbook.html",
        {
            "m": m,
            "fund": m.fund,
            "book": book,
            "job": job,
            "pages": pages,
            "printed_pages": sorted({r.page for r in book.rows if r.anchor <= book.printed}),
            "can_mark": can(request.user, Perm.COLLECT, m.org_unit),
        },
    )


@login_required
def passbook_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    m = membership_for(request.user, pk)
    book = docs.passbook_for(m)
    if "reprint" in request.GET:
        page = _int(request.GET["reprint"])
        job = docs.passbook_reprint(book, page) if page else None
        if job is None:
            raise Http404(_("ไม่มีหน้านี้ในสมุด หรือหน้านี้ยังไม่เคยพิมพ์"))
    else:
        job = docs.passbook_job(book, upto=_int(request.GET.get("upto")))
        if job is None:
            messages.info(request, _("ไม่มีรายการใหม่ที่ยังไม่ได้พิมพ์ลงสมุด"))
            return redirect("passbook", pk=m.pk)
    html = render_to_string(
        "web/docs/passbook_print.html",
        {
            "m": m,
            "fund_name": m.fund.name,
            "job": job,
            "pages": [(page, job.page_rows(page), job.starts_page(page)) for page in job.pages],
            "row_mm": passbook_row_mm(book.per_page),
        },
    )
    data = pdf.render_pdf(html)
    suffix = f"page{job.reprint_page}" if job.reprint_page else f"{job.first_line}-{job.last_line}"
    return pdf.pdf_response(data, f"passbook-{m.fund_id}-{m.member_no or m.pk}-{suffix}.pdf")


PASSBOOK_BODY_MM = 152  # the rows' share of an A5 page under the heading and column titles


def passbook_row_mm(per_page: int) -> str:
    return f"{PASSBOOK_BODY_MM / per_page:.2f}"


@login_required
@require_POST
def passbook_mark_printed(request: HttpRequest, pk: int) -> HttpResponse:
    m = membership_for(request.user, pk)
    require(request.user, Perm.COLLECT, m.org_unit)
    upto = _int(request.POST.get("upto"))
    if upto is None or upto < 1:
        messages.error(request, _("รายการที่พิมพ์: ไม่ได้ระบุว่าพิมพ์ถึงรายการใด"))
        return redirect("passbook", pk=m.pk)
    try:
        done = docs.passbook_mark_printed(actor=request.user, membership=m, upto=upto)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("passbook", pk=m.pk)
    if done is None:
        messages.info(request, _("รายการเหล่านี้บันทึกว่าพิมพ์ลงสมุดไว้แล้ว"))
    else:
        messages.success(
            request,
            _("บันทึกแล้ว: พิมพ์รายการที่ %(a)s–%(b)s ลงสมุด ครั้งต่อไปจะพิมพ์ต่อจากรายการที่ %(b)s")
            % {"a": done.first_line, "b": done.last_line},
        )
    return redirect("passbook", pk=m.pk)


urlpatterns: list[URLPattern] = [
    path("payments/<int:pk>/receipt.pdf", receipt_pdf, name="receipt_pdf"),
    path("r/<str:token>/", receipt_verify, name="receipt_verify"),
    path("members/<int:pk>/passbook/", passbook, name="passbook"),
    path("members/<int:pk>/passbook.pdf", passbook_pdf, name="passbook_pdf"),
    path("members/<int:pk>/passbook/printed/", passbook_mark_printed, name="passbook_mark_printed"),
]
