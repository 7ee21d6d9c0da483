"""A fund's yearly reports: the financial statements (with the year before beside them) and the
CODI status form, each on screen, as a PDF laid out for A4 and as an Excel file.

The fund is found through ``fundcommon.fund_for`` (404 outside the user's scope, which needs
``Perm.VIEW_BOOKS``); editing the form's human-only answers needs ``Perm.MANAGE_FUND`` (403).
The figures come from ``chumchon.reports.statements`` and ``chumchon.reports.codi_form``.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.permissions import Perm
from chumchon.core.thai import format_be_date
from chumchon.funds.models import Fund
from chumchon.reports import codi_form as cf
from chumchon.reports import statements as st
from chumchon.reports.models import CodiFormYear
from chumchon.reports.services import codi_form_save

from . import pdf
from .forms_statements import ROLE_PREFIX, CodiAnswersForm, FiscalYearForm
from .fundcommon import can, fund_for, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return timezone.localdate()


def _year(fund: Fund, fy: int) -> int:
    """A year named in the URL: one the fund has statements for (404 otherwise)."""
    if fy not in st.fiscal_years(fund, _today()):
        raise Http404(_("ไม่มีปีงบประมาณนี้ในสมุดบัญชีของกองทุน"))
    return fy


def _picked(request: HttpRequest, fund: Fund) -> tuple[FiscalYearForm, int]:
    years = st.fiscal_years(fund, _today())
    default = st.default_fiscal_year(fund, _today())
    if default not in years:
        default = years[0]
    form = FiscalYearForm(request.GET or None, years=years, initial={"fy": default})
    if form.is_bound and form.is_valid() and form.cleaned_data["fy"]:
        return form, form.cleaned_data["fy"]
    return form, default


def _book_links(fund: Fund, s: st.Statements) -> dict[str, str]:
    """The book screens over the fiscal year (they take any period)."""
    span = urlencode(
        {"start": format_be_date(s.start, "numeric"), "end": format_be_date(s.end, "numeric")}
    )
    return {
        "span": span,
        "cash_book": f"{reverse('cash_book', args=[fund.pk])}?{span}",
        "general_ledger": f"{reverse('general_ledger', args=[fund.pk])}?{span}",
        "trial_balance": f"{reverse('trial_balance', args=[fund.pk])}?"
        + urlencode({"as_of": format_be_date(s.end, "numeric")}),
    }


def _xlsx_response(writer: Any, data: Any, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    writer(data, buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- statements


@login_required
def statements(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    form, fy = _picked(request, fund)
    s = st.fund_statements(fund, fy, today=_today())
    return render(
        request,
        "web/statements/statements.html",
        {"fund": fund, "form": form, "s": s, "fy": fy, "links": _book_links(fund, s)},
    )


@login_required
def statements_pdf(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    s = st.fund_statements(fund, _year(fund, fy), today=_today())
    html = render_to_string(
        "web/statements/statements_pdf.html", {"fund": fund, "s": s, "printed": timezone.now()}
    )
    return pdf.pdf_response(pdf.render_pdf(html), f"statements-{fund.pk}-{fy}.pdf")


@login_required
def statements_xlsx(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    s = st.fund_statements(fund, _year(fund, fy), today=_today())
    return _xlsx_response(st.write_xlsx, s, f"statements-{fund.pk}-{fy}.xlsx")


# ---------------------------------------------------------------- the CODI status form


@login_required
def codi_form(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    picker, fy = _picked(request, fund)
    form = cf.codi_form(fund, fy, today=_today())
    return render(
        request,
        "web/statements/codi_form.html",
        {
            "fund": fund,
            "form": picker,
            "f": form,
            "fy": fy,
            "can_edit": can(request.user, Perm.MANAGE_FUND, fund.org_unit),
        },
    )


def _strip_label(message: str, label: str) -> str:
    """A service message names its field ("จำนวนประชากร: ..."); the form shows the label already."""
    prefix = f"{label}:"
    return message[len(prefix) :].strip() if message.startswith(prefix) else message


def _apply(form: CodiAnswersForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for msg in exc.messages:
            form.add_error(None, msg)
        return
    for name, errors in exc.message_dict.items():
        field = name if name in form.fields else None
        for msg in errors:
            if field is None:
                form.add_error(None, msg)
            else:
                form.add_error(field, _strip_label(msg, str(form.fields[field].label)))


@login_required
def codi_form_edit(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    fy = _year(fund, fy)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    s = st.year_bounds(fund, fy)
    committee = cf.committee_on(fund, min(s[1], _today()))
    record = CodiFormYear.objects.filter(fund=fund, fiscal_year=fy).first()
    form = CodiAnswersForm(request.POST or None, committee=committee, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            codi_form_save(actor=request.user, fund=fund, fiscal_year=fy, **form.service_kwargs())
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("บันทึกข้อมูลแบบแสดงสถานะกองทุน ปีงบประมาณ %(fy)s แล้ว") % {"fy": fy}
            )
            return redirect(f"{reverse('codi_form', args=[fund.pk])}?fy={fy}")
    return render(
        request,
        "web/statements/codi_form_edit.html",
        {"fund": fund, "form": form, "fy": fy, "role_prefix": ROLE_PREFIX},
    )


@login_required
def codi_form_pdf(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    form = cf.codi_form(fund, _year(fund, fy), today=_today())
    html = render_to_string(
        "web/statements/codi_form_pdf.html", {"fund": fund, "f": form, "printed": timezone.now()}
    )
    return pdf.pdf_response(pdf.render_pdf(html), f"codi-form-{fund.pk}-{fy}.pdf")


@login_required
def codi_form_xlsx(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    form = cf.codi_form(fund, _year(fund, fy), today=_today())
    return _xlsx_response(cf.write_xlsx, form, f"codi-form-{fund.pk}-{fy}.xlsx")


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/reports/statements/", statements, name="statements"),
    path("funds/<int:pk>/reports/statements/<int:fy>.pdf", statements_pdf, name="statements_pdf"),
    path(
        "funds/<int:pk>/reports/statements/<int:fy>.xlsx", statements_xlsx, name="statements_xlsx"
    ),
    path("funds/<int:pk>/reports/codi-form/", codi_form, name="codi_form"),
    path("funds/<int:pk>/reports/codi-form/<int:fy>/edit/", codi_form_edit, name="codi_form_edit"),
    path("funds/<int:pk>/reports/codi-form/<int:fy>.pdf", codi_form_pdf, name="codi_form_pdf"),
    path("funds/<int:pk>/reports/codi-form/<int:fy>.xlsx", codi_form_xlsx, name="codi_form_xlsx"),
]
