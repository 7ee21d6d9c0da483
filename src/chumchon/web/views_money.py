"""Money screens: a member's payment, the receipt on screen, voids, the receipts of a fund and
the collection day (one village group on one date, keyboard first).

Records are found through ``fundcommon`` (404 outside the user's roles) and every write checks
its permission at the record's unit (403). Services decide and write, atomically; a double
submit is caught by the idempotency key each form (and each row of the collection sheet) carries
from the moment it is rendered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.areas import selectors as area_sel
from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.core.permissions import Perm
from chumchon.core.querying import prefix_q
from chumchon.core.thai import (
    ThaiDateError,
    baht_text,
    format_baht,
    format_be_date,
    parse_be_date,
    to_arabic_digits,
)
from chumchon.funds import selectors as fund_sel
from chumchon.funds import services as fund_svc
from chumchon.funds.models import (
    CollectionDay,
    Fund,
    Membership,
    Payment,
    PaymentMethod,
    PaymentVoid,
)
from chumchon.people.models import Person
from chumchon.people.selectors import person_search_q

from .forms_money import (
    CollectionDayCloseForm,
    CollectionDayOpenForm,
    PaymentFilterForm,
    PaymentForm,
    PaymentVoidForm,
    new_key,
    parse_money,
    valid_key,
)
from .fundcommon import (
    can,
    collection_day_for,
    fund_for,
    membership_for,
    payment_for,
    require,
)

ZERO = Decimal("0.00")
PAGE_SIZE = 50
_LABEL_PREFIX = re.compile(r"^[^:\n]{1,60}:\s+")


# ---------------------------------------------------------------- helpers


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _apply_service_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """A service's ValidationError on the form. A message put under a field loses its leading
    "label: " (the template shows the field's own label before it); others keep it."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            target = rename.get(name, name)
            for e in errs:
                if target in form.fields:
                    form.add_error(target, _LABEL_PREFIX.sub("", e, count=1))
                else:
                    form.add_error(None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def _first_error(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _by_key(fund: Fund, key: str) -> Payment | None:
    return Payment.objects.filter(fund=fund, idempotency_key=key).first()


def _groups_where(user: Any, fund: Fund, perm: str) -> QuerySet[OrgUnit]:
    """The fund's village groups at which the user holds ``perm``."""
    return (
        area_sel.editable_units(user, perm)
        .filter(prefix_q("path", fund.org_unit.path), kind=OrgUnitKind.VILLAGE_GROUP)
        .order_by("name")
    )


# ---------------------------------------------------------------- a member's payment


@dataclass
class Suggestion:
    label: str
    amount: Decimal
    paid_through: dt.date | None


@dataclass
class PayPreview:
    """What a payment would do, shown before it is saved."""

    status: fund_sel.MemberStatus
    plan: Any
    fee_owed: Decimal
    due_now: Decimal
    before: fund_sel.Coverage
    amount: Decimal | None = None
    fee: Decimal = ZERO
    contribution: Decimal = ZERO
    after: fund_sel.Coverage | None = None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def can_pay(self) -> bool:
        return self.status.code in ("active", "arrears")


def pay_preview(m: Membership, day: dt.date, amount: Decimal | None) -> PayPreview:
    """The due, the arrears and what ``amount`` would cover if paid on ``day``."""
    schedule = fund_sel.PlanSchedule(m)
    pays = fund_sel.live_payments(m, day)
    status = fund_sel.member_status(m, day, payments=pays, schedule=schedule)
    fee_owed = max(m.fund.entry_fee - fund_svc.entry_fee_paid(m), ZERO)
    before = fund_sel.coverage_from(m, pays, schedule)
    due_now = (ZERO if status.code == "active" else status.amount_due) + fee_owed
    preview = PayPreview(
        status=status,
        plan=schedule.at(before.next_due or day),
        fee_owed=fee_owed,
        due_now=due_now if status.code in ("active", "arrears") else ZERO,
        before=before,
    )
    if m.joined_on is None or not preview.can_pay:
        return preview

    def after_paying(total: Decimal) -> tuple[Decimal, fund_sel.Coverage]:
        fee = min(fee_owed, total)
        extra = SimpleNamespace(contribution=total - fee, date=day)
        return fee, fund_sel.coverage_from(m, [*pays, extra], schedule)

    if amount is not None and amount > 0:
        preview.amount = amount
        preview.fee, preview.after = after_paying(amount)
        preview.contribution = amount - preview.fee
    # Quick amounts: what is owed today, then whole periods from the first unpaid one.
    seen: set[Decimal] = set()
    if due_now > 0:
        seen.add(due_now)
        preview.suggestions.append(
            Suggestion(_("ยอดค้างถึงวันนี้"), due_now, after_paying(due_now)[1].paid_through)
        )
    if before.next_due is not None:
        dues = fund_sel.due_dates(m.joined_on, schedule, before.next_due - dt.timedelta(days=1), 12)
        running = fee_owed - before.credit
        for i, (_d, part) in enumerate(dues, start=1):
            running += part
            if i in (1, 3, 6, 12) and running > 0 and running not in seen:
                seen.add(running)
                preview.suggestions.append(
                    Suggestion(
                        _("%(n)s งวด") % {"n": i}, running, after_paying(running)[1].paid_through
                    )
                )
    return preview


def _preview_inputs(data: Any, m: Membership) -> tuple[dt.date, Decimal | None]:
    """The date and amount typed so far (for the live preview); unreadable ones are left out."""
    day = timezone.localdate()
    raw_date = (data.get("date") or "").strip()
    if raw_date:
        with contextlib.suppress(ThaiDateError):
            day = parse_be_date(raw_date)
    amount: Decimal | None = None
    try:
        amount = parse_money(data.get("amount", ""))
    except forms.ValidationError:
        amount = None
    if m.joined_on and day < m.joined_on:
        day = m.joined_on
    return day, amount


@login_required
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    m = membership_for(request.user, pk)
    fund = m.fund
    require(request.user, Perm.COLLECT, m.org_unit)
    today = timezone.localdate()
    if request.GET.get("fragment") == "preview":
        day, amount = _preview_inputs(request.GET, m)
        return render(
            request,
            "web/funds/payment_preview.html",
            {"m": m, "fund": fund, "preview": pay_preview(m, day, amount), "day": day},
        )
    if request.method == "POST":
        form = PaymentForm(request.POST, min_date=m.joined_on)
        if form.is_valid() and not request.POST.get("preview"):
            cd = form.cleaned_data
            key = cd["idempotency_key"]
            done = _by_key(fund, key)
            if done is None:
                try:
                    payment = fund_svc.payment_record(
                        actor=request.user,
                        membership=m,
                        date=cd["date"],
                        amount=cd["amount"],
                        method=cd["method"],
                        idempotency_key=key,
                        note=cd["note"],
                    )
                except ValidationError as exc:
                    done = _by_key(fund, key)  # a twin request won the race
                    if done is None:
                        _apply_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("รับชำระ %(a)s บาท ออกใบเสร็จเลขที่ %(r)s แล้ว")
                        % {"a": format_baht(payment.amount), "r": payment.receipt_label},
                    )
                    return redirect("payment_detail", payment.pk)
            if done is not None:
                if done.membership_id != m.pk:
                    raise PermissionDenied(_("แบบฟอร์มนี้ใช้กับสมาชิกคนอื่นไปแล้ว"))
                messages.info(
                    request,
                    _("รายการนี้บันทึกไปแล้ว (ใบเสร็จ %(r)s) ไม่ได้บันทึกซ้ำ") % {"r": done.receipt_label},
                )
                return redirect("payment_detail", done.pk)
        day, amount = _preview_inputs(request.POST, m)
    else:
        day, amount = today, None
        try:
            amount = parse_money(request.GET.get("amount", ""))
        except forms.ValidationError:
            amount = None
        preview0 = pay_preview(m, day, None)
        if amount is None:
            amount = preview0.due_now or (preview0.plan.amount if preview0.can_pay else None)
        form = PaymentForm(
            initial={
                "amount": amount if amount is not None else "",
                "date": today,
                "method": PaymentMethod.CASH,
                "idempotency_key": new_key(),
            },
            min_date=m.joined_on,
        )
    preview = pay_preview(m, day, amount)
    return render(
        request,
        "web/funds/payment_form.html",
        {"m": m, "fund": fund, "form": form, "preview": preview, "day": day},
    )


# ---------------------------------------------------------------- the receipt on screen


def _void_of(p: Payment) -> PaymentVoid | None:
    return PaymentVoid.objects.filter(payment=p).select_related("by").first()


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = payment_for(request.user, pk)
    void = _void_of(p)
    covered_from = p.covers_from if p.contribution > 0 else None
    covered_to = p.covers_to
    completes = bool(
        covered_from and covered_to and covered_to >= covered_from and p.contribution > 0
    )
    return render(
        request,
        "web/funds/payment_detail.html",
        {
            "p": p,
            "fund": p.fund,
            "m": p.membership,
            "void": void,
            "words": baht_text(p.amount),
            "completes": completes,
            "can_void": void is None and can(request.user, Perm.VOID, p.org_unit),
            "can_collect": can(request.user, Perm.COLLECT, p.org_unit),
        },
    )


@login_required
def payment_void(request: HttpRequest, pk: int) -> HttpResponse:
    p = payment_for(request.user, pk)
    require(request.user, Perm.VOID, p.org_unit)
    void = _void_of(p)
    if void is not None:
        messages.info(request, _("ใบเสร็จนี้ถูกยกเลิกไปแล้ว"))
        return redirect("payment_detail", p.pk)
    form = PaymentVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund_svc.payment_void(actor=request.user, payment=p, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("ยกเลิกใบเสร็จ %(r)s แล้ว (ลงบัญชีกลับรายการ)") % {"r": p.receipt_label}
            )
            return redirect("payment_detail", p.pk)
    return render(
        request,
        "web/funds/payment_void.html",
        {"p": p, "fund": p.fund, "m": p.membership, "form": form},
    )


# ---------------------------------------------------------------- receipts of a fund


@login_required
def payment_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    groups = _groups_where(request.user, fund, Perm.VIEW_BOOKS)
    filters = PaymentFilterForm(request.GET or None, groups=groups)
    qs = (
        fund_sel.payments_visible_to(request.user)
        .filter(fund=fund)
        .select_related("membership__person", "org_unit", "void")
    )
    if filters.is_bound and not filters.is_valid():
        qs = qs.none()  # never widen on a filter that could not be read
    elif filters.is_bound:
        cd = filters.cleaned_data
        if cd.get("date_from"):
            qs = qs.filter(date__gte=cd["date_from"])
        if cd.get("date_to"):
            qs = qs.filter(date__lte=cd["date_to"])
        if cd.get("group"):
            qs = qs.filter(org_unit=cd["group"])
        if cd.get("void") == "live":
            qs = qs.filter(void__isnull=True)
        elif cd.get("void") == "void":
            qs = qs.filter(void__isnull=False)
        q = to_arabic_digits(cd.get("q") or "").strip()
        if q:
            qs = qs.filter(_payment_search_q(q))
    totals = qs.aggregate(
        n=Count("pk"),
        live_n=Count("pk", filter=Q(void__isnull=True)),
        live=Sum("amount", filter=Q(void__isnull=True)),
        cash=Sum("amount", filter=Q(void__isnull=True, method=PaymentMethod.CASH)),
        transfer=Sum("amount", filter=Q(void__isnull=True, method=PaymentMethod.TRANSFER)),
        void_n=Count("pk", filter=Q(void__isnull=False)),
        void=Sum("amount", filter=Q(void__isnull=False)),
    )
    page = Paginator(qs.order_by("-date", "-fiscal_year", "-receipt_no"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/funds/payment_list.html",
        {
            "fund": fund,
            "filters": filters,
            "page": page,
            "totals": totals,
            "pager_query": query.urlencode(),
        },
    )


def _payment_search_q(q: str) -> Q:
    """A receipt number (2568/12 or 12), a member number, or a member's name."""
    found = re.fullmatch(r"(\d{4})\s*/\s*(\d{1,7})", q)
    if found:
        return Q(fiscal_year=int(found.group(1)), receipt_no=int(found.group(2)))
    if q.isdigit() and len(q) <= 7:
        return Q(receipt_no=int(q)) | Q(membership__member_no=int(q))
    return Q(membership__person__in=Person.objects.filter(person_search_q(q)).values("pk"))


# ---------------------------------------------------------------- collection days


def _day_totals(day: CollectionDay) -> dict[str, Any]:
    live = Q(void__isnull=True)
    agg = day.payments.aggregate(
        count=Count("pk", filter=live),
        members=Count("membership", filter=live, distinct=True),
        total=Sum("amount", filter=live),
        cash=Sum("amount", filter=live & Q(method=PaymentMethod.CASH)),
        transfer=Sum("amount", filter=live & Q(method=PaymentMethod.TRANSFER)),
        void_count=Count("pk", filter=Q(void__isnull=False)),
        void_total=Sum("amount", filter=Q(void__isnull=False)),
    )
    for k in ("total", "cash", "transfer", "void_total"):
        agg[k] = agg[k] or ZERO
    return agg


@login_required
def collection_day_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    groups = _groups_where(request.user, fund, Perm.COLLECT)
    live = Q(payments__void__isnull=True)
    days = (
        fund_sel.collection_days_visible_to(request.user)
        .filter(fund=fund)
        .select_related("org_unit")
        .annotate(
            n=Count("payments", filter=live),
            total=Sum("payments__amount", filter=live),
        )
        .order_by("-date", "org_unit__name")
    )
    page = Paginator(days, PAGE_SIZE).get_page(request.GET.get("page"))
    form = (
        CollectionDayOpenForm(initial={"date": timezone.localdate()}, groups=groups)
        if groups
        else None
    )
    return render(
        request,
        "web/funds/collection_day_list.html",
        {"fund": fund, "page": page, "form": form},
    )


@login_required
def collection_day_open(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    groups = _groups_where(request.user, fund, Perm.COLLECT)
    if not groups:
        raise PermissionDenied(_("ไม่มีสิทธิ์รับเงินในกลุ่มใดของกองทุนนี้"))
    if request.method == "POST":
        form = CollectionDayOpenForm(request.POST, groups=groups)
        if form.is_valid():
            group, date = form.cleaned_data["group"], form.cleaned_data["date"]
            existed = CollectionDay.objects.filter(org_unit=group, date=date).exists()
            try:
                day = fund_svc.collection_day_open(
                    actor=request.user, fund=fund, org_unit=group, date=date
                )
            except ValidationError as exc:
                _apply_service_errors(form, exc, {"org_unit": "group"})
            else:
                if existed:
                    messages.info(request, _("วันเก็บเงินนี้เปิดไว้แล้ว"))
                return redirect("collection_day_detail", day.pk)
    else:
        form = CollectionDayOpenForm(initial={"date": timezone.localdate()}, groups=groups)
    return render(request, "web/funds/collection_day_open.html", {"fund": fund, "form": form})


@dataclass
class SheetLine:
    """One row of the collection screen: the sheet row, what is left to pay, the row's key."""

    row: fund_sel.SheetRow
    remaining: Decimal
    key: str

    @property
    def m(self) -> Membership:
        return self.row.membership

    @property
    def remaining_satang(self) -> int:
        return int(self.remaining * 100)


def _line(row: fund_sel.SheetRow) -> SheetLine:
    return SheetLine(row=row, remaining=max(row.due - row.paid_today, ZERO), key=new_key())


def _sheet(day: CollectionDay) -> list[SheetLine]:
    return [_line(r) for r in fund_sel.collection_sheet(day)]


@login_required
def collection_day_detail(request: HttpRequest, pk: int) -> HttpResponse:
    day = collection_day_for(request.user, pk)
    lines = _sheet(day)
    can_collect = day.closed_at is None and can(request.user, Perm.COLLECT, day.org_unit)
    focus: int | None = None
    if can_collect and lines:
        wanted = request.GET.get("focus", "")
        ids = [ln.m.pk for ln in lines]
        if wanted.isdigit() and int(wanted) in ids:
            focus = int(wanted)
        else:
            focus = next((ln.m.pk for ln in lines if ln.row.paid_today == 0), ids[0])
    return render(
        request,
        "web/funds/collection_day_detail.html",
        {
            "day": day,
            "fund": day.fund,
            "lines": lines,
            "totals": _day_totals(day),
            "expected": sum((ln.row.due for ln in lines), ZERO),
            "outstanding": sum((ln.remaining for ln in lines), ZERO),
            "outstanding_n": sum(1 for ln in lines if ln.remaining > 0),
            "can_collect": can_collect,
            "focus": focus,
            "methods": PaymentMethod.choices,
            "js_messages": _js_messages(),
        },
    )


def _js_messages() -> dict[str, str]:
    """The collection screen's words for its script (translated like every other string)."""
    return {
        "pending": _("กำลังบันทึก {amount} บาท…"),
        "retrying": _("สัญญาณไม่ดี กำลังส่งใหม่ {amount} บาท…"),
        "failed": _("ส่งไม่สำเร็จ {amount} บาท · กด Enter ที่ช่องนี้เพื่อส่งใหม่ (ไม่บันทึกซ้ำ)"),
        "saved": _("รับแล้ว {amount} บาท · ใบเสร็จ {receipt}"),
        "duplicate": _("บันทึกไว้แล้วก่อนหน้านี้ {amount} บาท · ใบเสร็จ {receipt} (ไม่บันทึกซ้ำ)"),
        "refused": _("ส่งไม่สำเร็จ (รหัส {status}) กรุณาโหลดหน้าใหม่"),
        "login": _("หมดเวลาเข้าสู่ระบบ กรุณาเข้าสู่ระบบใหม่แล้วส่งอีกครั้ง"),
        "nothing": _("ไม่มียอดค้าง"),
    }


def _pay_error(request: HttpRequest, day: CollectionDay, message: str, m_pk: Any) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=400)
    messages.error(request, message)
    url = reverse("collection_day_detail", args=[day.pk])
    if str(m_pk).isdigit():
        url += f"?focus={m_pk}#row-{m_pk}"
    return redirect(url)


@login_required
@require_POST
def collection_day_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Post one member's payment from the collection screen (fetch: JSON; plain form: redirect)."""
    day = collection_day_for(request.user, pk)
    require(request.user, Perm.COLLECT, day.org_unit)
    m_raw = request.POST.get("membership", "")
    if not m_raw.isdigit():
        raise Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))
    m = membership_for(request.user, int(m_raw))
    if m.fund_id != day.fund_id or m.org_unit_id != day.org_unit_id:
        return _pay_error(request, day, _("สมาชิกคนนี้ไม่ได้อยู่ในกลุ่มของวันเก็บเงินนี้"), m.pk)
    if day.closed_at is not None:
        return _pay_error(request, day, _("วันเก็บเงินนี้ปิดยอดแล้ว รับชำระเพิ่มไม่ได้"), m.pk)
    key = request.POST.get("idempotency_key", "")
    if not valid_key(key):
        return _pay_error(request, day, _("หน้านี้หมดอายุ กรุณาโหลดหน้าใหม่แล้วรับชำระอีกครั้ง"), m.pk)
    method = request.POST.get("method") or PaymentMethod.CASH
    duplicate = _by_key(day.fund, key)
    if duplicate is None:
        raw = request.POST.get("amount", "").strip()
        try:
            if raw:
                amount = parse_money(raw)
            else:  # Enter on an empty field (without JavaScript): the member pays what is due
                row = next(
                    (r for r in fund_sel.collection_sheet(day) if r.membership.pk == m.pk), None
                )
                amount = max(row.due - row.paid_today, ZERO) if row else ZERO
                if amount <= 0:
                    raise forms.ValidationError(_("สมาชิกคนนี้ไม่มียอดค้าง ให้พิมพ์จำนวนเงินที่รับ"))
        except forms.ValidationError as exc:
            return _pay_error(request, day, _("จำนวนเงิน: %(e)s") % {"e": _first_error(exc)}, m.pk)
        try:
            payment = fund_svc.payment_record(
                actor=request.user,
                membership=m,
                date=day.date,
                amount=amount,
                method=method,
                collection_day=day,
                idempotency_key=key,
            )
        except ValidationError as exc:
            duplicate = _by_key(day.fund, key)  # a twin request won the race
            if duplicate is None:
                return _pay_error(request, day, _first_error(exc), m.pk)
        else:
            if payment.idempotency_key == key and payment.membership_id == m.pk:
                return _pay_done(request, day, m, payment, duplicate=False)
            duplicate = payment  # the key was used a moment ago: checked below
    if duplicate.membership_id != m.pk or duplicate.collection_day_id != day.pk:
        return _pay_error(request, day, _("รหัสรายการนี้ใช้กับรายการอื่นไปแล้ว กรุณาโหลดหน้าใหม่"), m.pk)
    return _pay_done(request, day, m, duplicate, duplicate=True)


def _pay_done(
    request: HttpRequest, day: CollectionDay, m: Membership, p: Payment, *, duplicate: bool
) -> HttpResponse:
    lines = _sheet(day)
    line = next((ln for ln in lines if ln.m.pk == m.pk), None)
    later = [ln.m.pk for ln in lines]
    nxt = (
        later[later.index(m.pk) + 1]
        if m.pk in later and later.index(m.pk) + 1 < len(later)
        else None
    )
    if not _wants_json(request):
        if duplicate:
            messages.info(
                request,
                _("รายการนี้บันทึกไปแล้ว (ใบเสร็จ %(r)s) ไม่ได้บันทึกซ้ำ") % {"r": p.receipt_label},
            )
        else:
            messages.success(
                request,
                _("รับชำระจาก %(n)s %(a)s บาท ใบเสร็จ %(r)s")
                % {"n": m.person.full_name, "a": format_baht(p.amount), "r": p.receipt_label},
            )
        url = reverse("collection_day_detail", args=[day.pk])
        if nxt:
            url += f"?focus={nxt}#row-{nxt}"
        return redirect(url)
    totals = _day_totals(day)
    payload: dict[str, Any] = {
        "ok": True,
        "duplicate": duplicate,
        "membership": m.pk,
        "payment": {
            "pk": p.pk,
            "receipt": p.receipt_label,
            "amount": format_baht(p.amount),
            "url": reverse("payment_detail", args=[p.pk]),
        },
        "totals": {
            "count": totals["count"],
            "members": totals["members"],
            "total": format_baht(totals["total"]),
            "cash": format_baht(totals["cash"]),
            "transfer": format_baht(totals["transfer"]),
        },
    }
    if line is not None:
        payload["row"] = {
            "paid_today": format_baht(line.row.paid_today),
            "remaining": format_baht(line.remaining),
            "remaining_satang": line.remaining_satang,
            "next_key": line.key,
            "html": render_to_string(
                "web/funds/collection_row_paid.html", {"line": line}, request=request
            ),
        }
    return JsonResponse(payload)


@login_required
def collection_day_close(request: HttpRequest, pk: int) -> HttpResponse:
    day = collection_day_for(request.user, pk)
    require(request.user, Perm.COLLECT, day.org_unit)
    totals = _day_totals(day)
    expected_cash = fund_svc.collection_day_cash(day)
    form = CollectionDayCloseForm(request.POST or None)
    if day.closed_at is not None:
        if request.method == "POST":
            messages.error(request, _("วันเก็บเงินนี้ปิดยอดแล้ว"))
            return redirect("collection_day_detail", day.pk)
        form = None  # type: ignore[assignment]
    elif request.method == "POST" and form.is_valid():
        try:
            fund_svc.collection_day_close(
                actor=request.user,
                day=day,
                counted_cash=form.cleaned_data["counted_cash"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("ปิดยอดวันเก็บเงินแล้ว"))
            return redirect("collection_day_detail", day.pk)
    counted: Decimal | None = None
    if form is not None and form.is_bound and hasattr(form, "cleaned_data"):
        counted = form.cleaned_data.get("counted_cash")
    return render(
        request,
        "web/funds/collection_day_close.html",
        {
            "day": day,
            "fund": day.fund,
            "form": form,
            "totals": totals,
            "expected_cash": expected_cash,
            "difference": (counted - expected_cash) if counted is not None else None,
            "closed_on": format_be_date(timezone.localdate(day.closed_at)) if day.closed_at else "",
        },
    )


urlpatterns: list[URLPattern] = [
    path("members/<int:pk>/pay/", payment_create, name="payment_create"),
    path("payments/<int:pk>/", payment_detail, name="payment_detail"),
    path("payments/<int:pk>/void/", payment_void, name="payment_void"),
    path("funds/<int:pk>/payments/", payment_list, name="payment_list"),
    path("funds/<int:pk>/days/", collection_day_list, name="collection_day_list"),
    path("funds/<int:pk>/days/new/", collection_day_open, name="collection_day_open"),
    path("days/<int:pk>/", collection_day_detail, name="collection_day_detail"),
    path("days/<int:pk>/pay/", collection_day_pay, name="collection_day_pay"),
    path("days/<int:pk>/close/", collection_day_close, name="collection_day_close"),
]
