"""The books of a fund: cash book, general ledger, trial balance, one journal entry, periods,
the verifier, and matching money (pledged vs received, members eligible for state matching).

Every view finds the fund through ``fundcommon.fund_for`` (404 outside the user's scope, which
needs ``Perm.VIEW_BOOKS`` at the fund itself) and checks a write permission with ``require``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chumchon.core.permissions import Perm
from chumchon.core.thai import fiscal_year, fiscal_year_bounds, format_baht, format_be_date
from chumchon.funds import selectors as fund_sel
from chumchon.funds import services as fund_svc
from chumchon.funds.models import (
    Fund,
    FundingSource,
    FundReceipt,
    MatchedMember,
    Payment,
    Pledge,
)
from chumchon.ledger import selectors as ledger_sel
from chumchon.ledger import services as ledger_svc
from chumchon.ledger.models import Account, JournalEntry, Period

from .forms_books import (
    AsOfForm,
    CashBookForm,
    FreezeForm,
    FundReceiptForm,
    LedgerForm,
    PeriodReasonForm,
    PledgeForm,
)
from .fundcommon import apply_errors, can, fund_for, require

ZERO = Decimal("0.00")
# Fiscal years are named in the Buddhist Era; anything outside this span is not a real year.
FY_MIN, FY_MAX = 2500, 2700


def _today() -> dt.date:
    return timezone.localdate()


def _fy(fund: Fund, day: dt.date) -> int:
    return fiscal_year(day, start_month=fund.fiscal_year_start_month)


def _fy_bounds(fund: Fund, fy: int) -> tuple[dt.date, dt.date]:
    return fiscal_year_bounds(fy, start_month=fund.fiscal_year_start_month)


def _default_range(fund: Fund) -> tuple[dt.date, dt.date]:
    """This fiscal year to date."""
    today = _today()
    return _fy_bounds(fund, _fy(fund, today))[0], today


def _fy_chips(
    fund: Fund, start: dt.date, end: dt.date, extra: dict[str, str]
) -> list[dict[str, Any]]:
    """Links for this fiscal year and the two before it (the range a treasurer asks most)."""
    today = _today()
    current = _fy(fund, today)
    chips = []
    for fy in (current, current - 1, current - 2):
        s, e = _fy_bounds(fund, fy)
        e = min(e, today) if fy == current else e
        query = {
            "start": format_be_date(s, "numeric"),
            "end": format_be_date(e, "numeric"),
            **extra,
        }
        chips.append(
            {
                "label": _("ปีบัญชี %(fy)s") % {"fy": fy},
                "query": urlencode({k: v for k, v in query.items() if v}),
                "active": (s, e) == (start, end),
            }
        )
    return chips


def _range_from(form: Any, fund: Fund) -> tuple[dt.date, dt.date, bool]:
    """The form's range, ends left empty taking the default; ``ok`` False on a bad form."""
    start, end = _default_range(fund)
    if not form.is_bound:
        return start, end, True
    if not form.is_valid():
        return start, end, False
    typed_start, typed_end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    if typed_end and not typed_start:
        start = _fy_bounds(fund, _fy(fund, typed_end))[0]  # the end date's fiscal year
    start = typed_start or start
    end = typed_end or max(end, start)
    if end < start:
        form.add_error("end", _("ต้องไม่ก่อนวันที่เริ่มต้น"))
        return start, end, False
    return start, end, True


# ---------------------------------------------------------------- cash book


CASH_PAGE = 200  # lines per page of the cash book


@login_required
def cash_book(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    start, end = _default_range(fund)
    form = CashBookForm(request.GET or None, initial={"start": start, "end": end})
    start, end, ok = _range_from(form, fund)
    kind = form.cleaned_data.get("kind", "") if ok and form.is_bound else ""
    accounts = Account.objects.filter(book=fund.book, is_cash=True).order_by("code")
    if kind == "cash":
        accounts = accounts.filter(category="cash")
    elif kind == "bank":
        accounts = accounts.exclude(category="cash")
    opening, closing = ZERO, ZERO
    lines: list[ledger_sel.CashLine] = []
    if ok:
        opening, lines, closing = ledger_sel.cash_book(
            fund.book, accounts=list(accounts), start=start, end=end
        )
    # A year of a big fund is thousands of lines: show a page at a time, each page starting
    # with the balance brought forward from the line before it (ยอดยกมา) and ending with the
    # balance carried to the next (ยอดยกไป).
    pages = max(1, (len(lines) + CASH_PAGE - 1) // CASH_PAGE)
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), pages)
    except ValueError:
        page = 1
    first = (page - 1) * CASH_PAGE
    shown = lines[first : first + CASH_PAGE]
    page_opening = lines[first - 1].balance if first > 0 else opening
    page_closing = shown[-1].balance if shown else opening
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/funds/book_cash.html",
        {
            "fund": fund,
            "form": form,
            "ok": ok,
            "start": start,
            "end": end,
            "kind_label": dict(form.fields["kind"].choices).get(kind, ""),  # type: ignore[attr-defined]
            "accounts": accounts,
            "opening": opening,
            "lines": shown,
            "line_count": len(lines),
            "closing": closing,
            "receipts": sum((ln.receipts for ln in lines), ZERO),
            "payments": sum((ln.payments for ln in lines), ZERO),
            "page": page,
            "pages": pages,
            "page_opening": page_opening,
            "page_closing": page_closing,
            "page_receipts": sum((ln.receipts for ln in shown), ZERO),
            "page_payments": sum((ln.payments for ln in shown), ZERO),
            "query": query.urlencode(),
            "chips": _fy_chips(fund, start, end, {"kind": kind}),
        },
    )


# ---------------------------------------------------------------- general ledger


@login_required
def general_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    accounts = list(Account.objects.filter(book=fund.book).order_by("code"))
    start, end = _default_range(fund)
    form = LedgerForm(request.GET or None, accounts=accounts, initial={"start": start, "end": end})
    start, end, ok = _range_from(form, fund)
    account = None
    if ok and form.is_bound and form.cleaned_data.get("account"):
        account = next((a for a in accounts if a.pk == form.cleaned_data["account"]), None)
    sections = (
        ledger_sel.general_ledger(fund.book, start=start, end=end, account=account) if ok else []
    )
    # A busy account has thousands of lines a year. With every account on one page, such an
    # account shows its totals and a link to itself; one account alone shows a page at a time,
    # each page bringing forward the balance of the line before it.
    page, pages = 1, 1
    for sec in sections:
        lines = sec.lines
        sec.folded = account is None and len(lines) > CASH_PAGE  # type: ignore[attr-defined]
        sec.shown = [] if sec.folded else lines  # type: ignore[attr-defined]
        sec.page_opening = sec.opening  # type: ignore[attr-defined]
        if account is not None and len(lines) > CASH_PAGE:
            pages = (len(lines) + CASH_PAGE - 1) // CASH_PAGE
            try:
                page = min(max(int(request.GET.get("page", "1")), 1), pages)
            except ValueError:
                page = 1
            first = (page - 1) * CASH_PAGE
            sec.shown = lines[first : first + CASH_PAGE]  # type: ignore[attr-defined]
            sec.page_opening = lines[first - 1].balance if first else sec.opening  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/funds/book_ledger.html",
        {
            "fund": fund,
            "form": form,
            "ok": ok,
            "start": start,
            "end": end,
            "account": account,
            "sections": sections,
            "page": page,
            "pages": pages,
            "query": query.urlencode(),
            "chips": _fy_chips(fund, start, end, {"account": str(account.pk) if account else ""}),
        },
    )


# ---------------------------------------------------------------- trial balance


@dataclass
class TrialLine:
    account: Account
    debit: Decimal  # debit balance (net debit), or 0
    credit: Decimal  # credit balance (net credit), or 0


@login_required
def trial_balance(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    form = AsOfForm(request.GET or None, initial={"as_of": _today()})
    as_of, hide_zero, ok = _today(), False, True
    if form.is_bound:
        ok = form.is_valid()
        if ok:
            as_of = form.cleaned_data.get("as_of") or as_of
            hide_zero = bool(form.cleaned_data.get("hide_zero"))
    lines: list[TrialLine] = []
    if ok:
        for row in ledger_sel.trial_balance(fund.book, end=as_of):
            net = row.debit - row.credit
            line = TrialLine(row.account, max(net, ZERO), max(-net, ZERO))
            if hide_zero and net == 0:
                continue
            lines.append(line)
    debit = sum((ln.debit for ln in lines), ZERO)
    credit = sum((ln.credit for ln in lines), ZERO)
    return render(
        request,
        "web/funds/book_trial.html",
        {
            "fund": fund,
            "form": form,
            "ok": ok,
            "as_of": as_of,
            "lines": lines,
            "debit": debit,
            "credit": credit,
            "balanced": debit == credit,
            "difference": abs(debit - credit),
        },
    )


# ---------------------------------------------------------------- one journal entry

SOURCE_LABELS = {
    "payment": gettext_lazy("ใบเสร็จรับเงินจากสมาชิก"),
    "fund_receipt": gettext_lazy("รับเงินจากแหล่งทุน"),
    "refund": gettext_lazy("คืนเงินสมาชิกลาออก"),
    "benefit": gettext_lazy("จ่ายสวัสดิการ"),
}


@login_required
def journal_entry(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    try:
        entry = JournalEntry.objects.select_related("reverses", "created_by").get(
            book=fund.book, number=number
        )
    except JournalEntry.DoesNotExist as exc:
        raise Http404(_("ไม่พบรายการบัญชีเลขที่นี้")) from exc
    postings = list(entry.postings.select_related("account").order_by("line"))
    reversed_by = JournalEntry.objects.filter(reverses=entry).first()
    payment = None
    receipt = None
    if entry.source_type == "payment":
        payment = (
            Payment.objects.filter(entry_id__in=[entry.pk, entry.reverses_id])
            .select_related("membership__person")
            .first()
        )
    elif entry.source_type == "fund_receipt":
        receipt = FundReceipt.objects.filter(entry_id__in=[entry.pk, entry.reverses_id]).first()
    return render(
        request,
        "web/funds/entry_detail.html",
        {
            "fund": fund,
            "entry": entry,
            "postings": postings,
            "debit": sum((p.amount for p in postings if p.side == "D"), ZERO),
            "credit": sum((p.amount for p in postings if p.side == "C"), ZERO),
            "reversed_by": reversed_by,
            "source_label": SOURCE_LABELS.get(entry.source_type, entry.source_type),
            "payment": payment,
            "receipt": receipt,
            "last_no": fund.book.last_entry_no,
        },
    )


# ---------------------------------------------------------------- periods


def _ensure_fiscal_periods(fund: Fund) -> None:
    """One period per fiscal year, from the year the fund started (or its first entry) to now."""
    first = fund.founded_on
    first_entry = fund.book.entries.order_by("date").values_list("date", flat=True).first()
    if first_entry and (first is None or first_entry < first):
        first = first_entry
    current = _fy(fund, _today())
    oldest = max(_fy(fund, first) if first else current, current - 30)
    for fy in range(oldest, current + 1):
        start, end = _fy_bounds(fund, fy)
        ledger_svc.period_ensure(book=fund.book, start_date=start, end_date=end)


def _periods_page(
    request: HttpRequest,
    fund: Fund,
    *,
    form_for: int | None = None,
    form: PeriodReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    _ensure_fiscal_periods(fund)
    periods = list(
        Period.objects.filter(book=fund.book).prefetch_related("events__by").order_by("-start_date")
    )
    rows = [
        {
            "period": p,
            "fy": _fy(fund, p.end_date),
            "events": list(p.events.all()),
            "form": form
            if form_for == p.pk and form is not None
            else PeriodReasonForm(auto_id=f"p{p.pk}-%s"),
        }
        for p in periods
    ]
    return render(
        request,
        "web/funds/periods.html",
        {
            "fund": fund,
            "rows": rows,
            "can_close": can(request.user, Perm.CLOSE_PERIOD, fund.org_unit),
            "today": _today(),
        },
        status=status,
    )


@login_required
def periods(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    return _periods_page(request, fund)


def _period_of(fund: Fund, period_pk: int) -> Period:
    try:
        return Period.objects.get(pk=period_pk, book=fund.book)
    except Period.DoesNotExist as exc:
        raise Http404(_("ไม่พบงวดบัญชีนี้")) from exc


def _period_label(fund: Fund, p: Period) -> str:
    return _("งวด %(s)s – %(e)s") % {
        "s": format_be_date(p.start_date),
        "e": format_be_date(p.end_date),
    }


@login_required
@require_POST
def period_close(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.CLOSE_PERIOD, fund.org_unit)
    period = _period_of(fund, period_pk)
    form = PeriodReasonForm(request.POST, auto_id=f"p{period.pk}-%s")
    if form.is_valid():
        try:
            ledger_svc.period_close(
                book=fund.book,
                start_date=period.start_date,
                end_date=period.end_date,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("ปิด%(p)s แล้ว รายการที่ลงวันที่ในงวดนี้จะบันทึกไม่ได้จนกว่าจะเปิดงวดอีกครั้ง")
                % {"p": _period_label(fund, period)},
            )
            return redirect("periods", pk=fund.pk)
    return _periods_page(request, fund, form_for=period.pk, form=form)


@login_required
@require_POST
def period_reopen(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.CLOSE_PERIOD, fund.org_unit)
    period = _period_of(fund, period_pk)
    form = PeriodReasonForm(request.POST, auto_id=f"p{period.pk}-%s")
    if form.is_valid():
        try:
            ledger_svc.period_reopen(
                period=period, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("เปิด%(p)s อีกครั้งแล้ว") % {"p": _period_label(fund, period)})
            return redirect("periods", pk=fund.pk)
    return _periods_page(request, fund, form_for=period.pk, form=form)


# ---------------------------------------------------------------- verify


@login_required
def ledger_verify(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    report = ledger_sel.verify_book(fund.book)
    return render(
        request,
        "web/funds/book_verify.html",
        {"fund": fund, "report": report, "checked_at": timezone.now()},
    )


# ---------------------------------------------------------------- matching money


def _eligible_years(fund: Fund) -> list[int]:
    """The fiscal years whose eligible list a committee may want: this one and three before."""
    current = _fy(fund, _today())
    return [current, current - 1, current - 2, current - 3]


@login_required
def matching(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    years, total = fund_sel.matching_summary(fund)
    receipts = (
        FundReceipt.objects.filter(fund=fund).select_related("entry").order_by("-date", "-pk")[:50]
    )
    pledges = Pledge.objects.filter(fund=fund).order_by("-fiscal_year", "source", "round_no")
    return render(
        request,
        "web/funds/matching.html",
        {
            "fund": fund,
            "years": years,
            "total": total,
            "receipts": receipts,
            "pledges": pledges,
            "eligible_years": _eligible_years(fund),
            "can_manage": can(request.user, Perm.MANAGE_FUND, fund.org_unit),
        },
    )


@login_required
def fund_receipt_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = FundReceiptForm(request.POST or None, initial={"date": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = fund_svc.fund_receipt_record(
                actor=request.user,
                fund=fund,
                source=data["source"],
                amount=data["amount"],
                date=data["date"],
                round_no=data.get("round_no"),
                method=data["method"],
                payer=data.get("payer", ""),
                fiscal_year_be=data.get("fiscal_year"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("บันทึกรับเงิน %(a)s บาท จาก%(s)s แล้ว (รายการบัญชีเลขที่ %(n)s)")
                % {
                    "a": format_baht(receipt.amount),
                    "s": FundingSource(receipt.source).label,
                    "n": receipt.entry.number,
                },
            )
            return redirect("matching", pk=fund.pk)
    return render(
        request,
        "web/funds/matching_receipt_form.html",
        {"fund": fund, "form": form},
    )


@login_required
def pledge_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = PledgeForm(request.POST or None, initial={"fiscal_year": _fy(fund, _today())})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = fund_svc.pledge_record(
                actor=request.user,
                fund=fund,
                source=data["source"],
                amount=data["amount"],
                fiscal_year_be=data["fiscal_year"],
                round_no=data.get("round_no"),
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("บันทึกยอดที่สัญญาไว้จาก%(s)s %(a)s บาท ปีงบประมาณ %(fy)s แล้ว")
                % {
                    "s": FundingSource(pledge.source).label,
                    "a": format_baht(pledge.amount),
                    "fy": pledge.fiscal_year,
                },
            )
            return redirect("matching", pk=fund.pk)
    return render(
        request,
        "web/funds/matching_pledge_form.html",
        {"fund": fund, "form": form},
    )


def _check_fy(fy: int) -> None:
    if not FY_MIN <= fy <= FY_MAX:
        raise Http404(_("ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2568"))


def _eligible_page(
    request: HttpRequest, fund: Fund, fy: int, form: FreezeForm | None = None
) -> HttpResponse:
    rows = fund_sel.matching_eligible(fund, fy)
    groups: dict[Any, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.membership.org_unit].append(r)
    frozen = list(
        MatchedMember.objects.filter(fund=fund)
        .values("round_no", "fiscal_year")
        .annotate(n=Count("pk"))
        .order_by("round_no")
    )
    next_round = (
        MatchedMember.objects.filter(fund=fund).aggregate(m=Max("round_no"))["m"] or 0
    ) + 1
    if form is None:
        form = FreezeForm(initial={"round_no": next_round})
    return render(
        request,
        "web/funds/matching_eligible.html",
        {
            "fund": fund,
            "fy": fy,
            "as_of": _fy_bounds(fund, fy)[1],
            "rows": rows,
            "groups": sorted(groups.items(), key=lambda kv: kv[0].name),
            "frozen": frozen,
            "form": form,
            "can_manage": can(request.user, Perm.MANAGE_FUND, fund.org_unit),
            "years": sorted({*_eligible_years(fund), fy}, reverse=True),
        },
    )


@login_required
def matching_eligible(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    _check_fy(fy)
    return _eligible_page(request, fund, fy)


@login_required
@require_POST
def matching_freeze(request: HttpRequest, pk: int, fy: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    _check_fy(fy)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = FreezeForm(request.POST)
    if form.is_valid():
        round_no = form.cleaned_data["round_no"]
        if not fund_sel.matching_eligible(fund, fy):
            form.add_error(None, _("ปีงบประมาณ %(fy)s ไม่มีสมาชิกที่มีสิทธิ์ จึงบันทึกรอบไม่ได้") % {"fy": fy})
        else:
            try:
                frozen = fund_svc.matching_round_freeze(
                    actor=request.user, fund=fund, round_no=round_no, fiscal_year_be=fy
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("บันทึกรายชื่อสมาชิก %(n)s คน สำหรับการสมทบรอบที่ %(r)s แล้ว")
                    % {"n": len(frozen), "r": round_no},
                )
                return redirect("matching_eligible", pk=fund.pk, fy=fy)
    return _eligible_page(request, fund, fy, form)


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/books/cash/", cash_book, name="cash_book"),
    path("funds/<int:pk>/books/ledger/", general_ledger, name="general_ledger"),
    path("funds/<int:pk>/books/trial-balance/", trial_balance, name="trial_balance"),
    path("funds/<int:pk>/books/verify/", ledger_verify, name="ledger_verify"),
    path("funds/<int:pk>/entries/<int:number>/", journal_entry, name="journal_entry"),
    path("funds/<int:pk>/periods/", periods, name="periods"),
    path("funds/<int:pk>/periods/<int:period_pk>/close/", period_close, name="period_close"),
    path("funds/<int:pk>/periods/<int:period_pk>/reopen/", period_reopen, name="period_reopen"),
    path("funds/<int:pk>/matching/", matching, name="matching"),
    path("funds/<int:pk>/matching/receipts/new/", fund_receipt_create, name="fund_receipt_create"),
    path("funds/<int:pk>/matching/pledges/new/", pledge_create, name="pledge_create"),
    path("funds/<int:pk>/matching/<int:fy>/eligible/", matching_eligible, name="matching_eligible"),
    path(
        "funds/<int:pk>/matching/<int:fy>/eligible/freeze/",
        matching_freeze,
        name="matching_freeze",
    ),
]
