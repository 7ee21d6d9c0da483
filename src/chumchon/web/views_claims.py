"""Claim screens: the claims of a fund, a new claim judged at once, its detail with the Thai
explanation, documents, committee decisions, payout and reversal; the payment voucher and the
cash signature sheet (PDF); the fund's approval rules; which person a login is.

Claims are found through ``benefits.selectors.claims_visible_to`` (404 outside the user's
roles) and every write checks its permission at the fund's unit (403). The services of
``chumchon.benefits.services_claims`` decide and write, atomically.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.areas import selectors as area_sel
from chumchon.areas.models import OrgUnit
from chumchon.benefits import selectors as ben_sel
from chumchon.benefits import services_claims as svc
from chumchon.benefits.engine import reasons_from_json
from chumchon.benefits.models import (
    BenefitType,
    Claim,
    ClaimDocument,
    ClaimState,
    Payout,
    PayoutReversal,
    VersionState,
)
from chumchon.core.permissions import Perm, Role
from chumchon.core.querying import prefix_q
from chumchon.core.thai import (
    ThaiDateError,
    baht_text,
    format_be_date,
    parse_be_date,
    to_arabic_digits,
)
from chumchon.funds import selectors as fund_sel
from chumchon.funds.documents import unit_address
from chumchon.funds.models import Fund, Membership, MembershipState, PaymentMethod
from chumchon.people.models import Person, UserPerson
from chumchon.people.selectors import person_search_q

from . import pdf
from .forms_claims import (
    ClaimFilterForm,
    ClaimForm,
    DecisionForm,
    DocumentAddForm,
    PayForm,
    ReverseForm,
    UserPersonForm,
)
from .forms_money import new_key, valid_key
from .fundcommon import can, fund_for, require

PAGE_SIZE = 50
MINE_SCAN_LIMIT = 500
_LABEL_PREFIX = re.compile(r"^[^:\n]{1,60}:\s+")
SESSION_KEYS = "claim_form_keys"


# ---------------------------------------------------------------- helpers


def _not_found() -> Http404:
    return Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


def claim_for(user: Any, pk: int) -> Claim:
    try:
        return (
            ben_sel.claims_visible_to(user)
            .select_related("version", "made_by", "payee_beneficiary", "fund__book")
            .get(pk=pk)
        )
    except Claim.DoesNotExist as exc:
        raise _not_found() from exc


def _apply_errors(form: Any, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """A service's error on the form: under its field without the leading "label: " (the
    template shows the label), otherwise above the form as it is."""
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


def _benefit_choices(fund: Fund, day: dt.date) -> list[tuple[str, str]]:
    """The benefits claimed one by one under the version in force on ``day``."""
    version = ben_sel.version_in_force(fund, day)
    if version is None:
        return []
    return [
        (b.code, b.name)
        for b in BenefitType.objects.filter(version=version, recurrence="").order_by("order", "pk")
    ]


def _all_benefit_choices(fund: Fund) -> list[tuple[str, str]]:
    """Every benefit code of the fund's adopted versions (the newest name of each)."""
    seen: dict[str, str] = {}
    for code, name in (
        BenefitType.objects.filter(version__fund=fund, version__state=VersionState.ADOPTED)
        .order_by("-version__effective_from", "order", "pk")
        .values_list("code", "name")
    ):
        seen.setdefault(code, name)
    return list(seen.items())


def _doc_types(fund: Fund, day: dt.date) -> list[str]:
    version = ben_sel.version_in_force(fund, day)
    out: list[str] = []
    if version is not None:
        for b in BenefitType.objects.filter(version=version):
            for d in svc.required_documents(b):
                if d not in out:
                    out.append(d)
    return out


def _member_candidates(user: Any, fund: Fund) -> QuerySet[Membership]:
    return (
        fund_sel.memberships_visible_to(user)
        .filter(fund=fund, member_no__isnull=False)
        .exclude(state__in=[MembershipState.APPLIED, MembershipState.REJECTED])
    )


def _member_label(m: Membership) -> str:
    return _("เลขที่ %(n)s %(p)s") % {"n": m.member_no, "p": m.person.full_name}


def resolve_member(user: Any, fund: Fund, text: str) -> tuple[Membership | None, str]:
    """The member typed as a member number or a name, or a Thai message saying what is wrong."""
    q = to_arabic_digits(text or "").strip()
    if not q:
        return None, _("ต้องระบุสมาชิก")
    found = re.fullmatch(r"(?:เลขที่\s*)?(\d{1,9})(?:\s.*)?", q)
    base = _member_candidates(user, fund)
    if found:
        m = base.filter(member_no=int(found.group(1))).first()
        if m is None:
            return None, _("ไม่พบสมาชิกเลขที่ %(n)s ในกองทุนนี้") % {"n": found.group(1)}
        return m, ""
    rows = list(
        base.filter(person__in=Person.objects.filter(person_search_q(q)).values("pk")).order_by(
            "-state", "member_no"
        )[:6]
    )
    if not rows:
        return None, _("ไม่พบสมาชิกชื่อ “%(q)s” ในกองทุนนี้") % {"q": q}
    if len(rows) == 1:
        return rows[0], ""
    names = ", ".join(_member_label(m) for m in rows[:5])
    return None, _("พบหลายคน: %(names)s — พิมพ์เลขที่สมาชิกแทน") % {"names": names}


def _beneficiary_choices(m: Membership | None) -> list[tuple[str, str]]:
    if m is None:
        return []
    return [
        (str(b.pk), f"{b.name} ({b.relation} ร้อยละ {format(b.share_percent.normalize(), 'f')})")
        for b in m.beneficiaries.order_by("pk")
    ]


def _explanation(claim_or_ev: Any) -> list[tuple[str, bool | None]]:
    if isinstance(claim_or_ev, Claim):
        reasons = reasons_from_json(claim_or_ev.explanation)
    else:
        reasons = list(claim_or_ev.reasons)
    return [(r.text(), r.ok) for r in reasons]


def _payout_of(claim: Claim) -> Payout | None:
    return Payout.objects.filter(claim=claim).select_related("paid_by", "entry").first()


def _reversal_of(payout: Payout | None) -> PayoutReversal | None:
    if payout is None:
        return None
    return PayoutReversal.objects.filter(payout=payout).select_related("by", "entry").first()


def _who(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# ---------------------------------------------------------------- list


def _awaiting(user: Any, qs: QuerySet[Claim]) -> list[int]:
    """Claims of ``qs`` the user may decide now (roles, maker, household, once each)."""
    rows = (
        qs.filter(state=ClaimState.SUBMITTED)
        .exclude(made_by=user)
        .exclude(decisions__by=user)
        .select_related("membership__person", "payee_beneficiary")[:MINE_SCAN_LIMIT]
    )
    return [c.pk for c in rows if svc.decision_refusal(user, c) is None]


def _claim_search_q(q: str) -> Q:
    if q.isdigit() and len(q) <= 9:
        return Q(number=int(q)) | Q(membership__member_no=int(q))
    return Q(membership__person__in=Person.objects.filter(person_search_q(q)).values("pk"))


@login_required
def claim_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    benefits = _all_benefit_choices(fund)
    filters = ClaimFilterForm(request.GET or None, benefits=benefits)
    base = ben_sel.claims_visible_to(request.user).filter(fund=fund)
    qs = base
    if filters.is_bound and not filters.is_valid():
        qs = qs.none()
    elif filters.is_bound:
        cd = filters.cleaned_data
        if cd.get("state"):
            qs = qs.filter(state=cd["state"])
        if cd.get("benefit"):
            qs = qs.filter(benefit__code=cd["benefit"])
        q = to_arabic_digits(cd.get("q") or "").strip()
        if q:
            qs = qs.filter(_claim_search_q(q))
        if cd.get("mine"):
            qs = qs.filter(pk__in=_awaiting(request.user, qs))
    totals = qs.aggregate(
        n=Count("pk"),
        asked=Sum(
            "amount",
            filter=Q(state__in=[ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID]),
        ),
        paid=Sum("amount", filter=Q(state=ClaimState.PAID)),
    )
    by_state = dict(base.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    page = Paginator(qs.order_by("-number"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "web/claims/claim_list.html",
        {
            "fund": fund,
            "filters": filters,
            "page": page,
            "totals": totals,
            "states": [(v, label, by_state.get(v, 0)) for v, label in ClaimState.choices],
            "awaiting_n": len(_awaiting(request.user, base)),
            "pager_query": query.urlencode(),
            "can_record": can(request.user, Perm.RECORD_CLAIM, fund.org_unit),
            "can_pay": can(request.user, Perm.PAY_BENEFIT, fund.org_unit),
            "can_link_people": can(request.user, Perm.MANAGE_ROLES, fund.org_unit),
            "has_regulation": ben_sel.version_in_force(fund, today) is not None,
            "sheet_from": format_be_date(today.replace(day=1), "numeric"),
            "sheet_to": format_be_date(today, "numeric"),
        },
    )


# ---------------------------------------------------------------- a new claim


def _preview(user: Any, fund: Fund, data: Any) -> tuple[Membership | None, dict[str, Any]]:
    """The regulation's judgement of what is typed so far, for the panel beside the form."""
    out: dict[str, Any] = {"errors": []}
    m, problem = resolve_member(user, fund, data.get("member", ""))
    if m is None:
        if (data.get("member") or "").strip():
            out["errors"].append(problem)
        return None, out
    out["member"] = m
    code = (data.get("benefit_code") or "").strip()
    raw_date = (data.get("event_date") or "").strip()
    if not code or not raw_date:
        return m, out
    try:
        event_date = parse_be_date(raw_date)
        raw_end = (data.get("event_end") or "").strip()
        event_end = parse_be_date(raw_end) if raw_end else None
    except ThaiDateError as exc:
        out["errors"].append(_("วันที่: %(e)s") % {"e": exc})
        return m, out
    if event_end is not None and event_end < event_date:
        out["errors"].append(_("ถึงวันที่: ต้องไม่ก่อนวันที่เกิดเหตุ"))
        return m, out
    try:
        ev = svc.claim_evaluate(
            membership=m,
            benefit_code=code,
            event_date=event_date,
            event_end=event_end,
            units=to_arabic_digits(data.get("units") or "").strip() or None,
        )
    except ValidationError as exc:
        out["errors"] += exc.messages
        return m, out
    out["evaluation"] = ev
    out["lines"] = _explanation(ev)
    if ev.benefit_id:
        benefit = BenefitType.objects.get(pk=ev.benefit_id)
        out["benefit"] = benefit
        out["required_docs"] = svc.required_documents(benefit)
    return m, out


def _remember_key(request: HttpRequest, key: str, claim: Claim) -> None:
    keys = dict(request.session.get(SESSION_KEYS, {}))
    keys[key] = claim.pk
    if len(keys) > 50:
        keys = dict(list(keys.items())[-50:])
    request.session[SESSION_KEYS] = keys


def _claim_by_key(request: HttpRequest, key: str) -> int | None:
    return dict(request.session.get(SESSION_KEYS, {})).get(key)


@login_required
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.RECORD_CLAIM, fund.org_unit)
    today = timezone.localdate()
    benefits = _benefit_choices(fund, today)
    doc_types = _doc_types(fund, today)
    data = request.POST if request.method == "POST" else request.GET
    if request.GET.get("fragment") == "preview":
        _m, preview = _preview(request.user, fund, request.GET)
        return render(request, "web/claims/claim_preview.html", {"fund": fund, "preview": preview})
    m_typed: Membership | None = None
    if (data.get("member") or "").strip():
        m_typed, _problem = resolve_member(request.user, fund, data.get("member", ""))
    if request.method == "POST":
        form = ClaimForm(
            request.POST,
            request.FILES,
            benefits=benefits,
            beneficiaries=_beneficiary_choices(m_typed),
            doc_types=doc_types,
        )
        key = request.POST.get("idempotency_key", "")
        done = _claim_by_key(request, key) if valid_key(key) else None
        if done is not None and Claim.objects.filter(pk=done, fund=fund).exists():
            messages.info(request, _("คำขอนี้บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ"))
            return redirect("claim_detail", done)
        if request.POST.get("preview"):
            form.is_valid()  # show what is wrong so far; nothing is saved
            if request.FILES:
                messages.info(request, _("ยังไม่ได้บันทึก: เมื่อพร้อมแล้วให้เลือกไฟล์เอกสารอีกครั้งแล้วกดบันทึก"))
        elif form.is_valid():
            cd = form.cleaned_data
            m, problem = resolve_member(request.user, fund, cd["member"])
            if m is None:
                form.add_error("member", problem)
            else:
                chosen = None
                if cd.get("beneficiary"):
                    chosen = m.beneficiaries.filter(pk=cd["beneficiary"]).first()
                try:
                    claim = svc.claim_record(
                        actor=request.user,
                        membership=m,
                        benefit_code=cd["benefit_code"],
                        event_date=cd["event_date"],
                        event_end=cd.get("event_end"),
                        units=cd.get("units"),
                        note=cd.get("note", ""),
                        documents=form.documents(),
                        amount=cd.get("amount"),
                        override_reason=cd.get("override_reason", ""),
                        payee_beneficiary=chosen,
                    )
                except ValidationError as exc:
                    _apply_errors(
                        form, exc, {"payee_beneficiary": "beneficiary", "membership": "member"}
                    )
                else:
                    if valid_key(key):
                        _remember_key(request, key, claim)
                    messages.success(
                        request,
                        _("บันทึกคำขอเลขที่ %(n)s แล้ว: %(r)s")
                        % {
                            "n": claim.number,
                            "r": _("มีสิทธิ์ตามระเบียบ") if claim.eligible else _("ไม่มีสิทธิ์ตามระเบียบ"),
                        },
                    )
                    return redirect("claim_detail", claim.pk)
    else:
        initial: dict[str, Any] = {"idempotency_key": new_key()}
        wanted = request.GET.get("member_pk", "")
        if wanted.isdigit():
            chosen_m = _member_candidates(request.user, fund).filter(pk=int(wanted)).first()
            if chosen_m is not None:
                initial["member"] = str(chosen_m.member_no)
                m_typed = chosen_m
        for name in ("member", "benefit_code", "event_date", "event_end", "units"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = ClaimForm(
            initial=initial,
            benefits=benefits,
            beneficiaries=_beneficiary_choices(m_typed),
            doc_types=doc_types,
        )
    _m, preview = _preview(request.user, fund, data if data.get("member") else form.initial)
    return render(
        request,
        "web/claims/claim_form.html",
        {
            "fund": fund,
            "form": form,
            "preview": preview,
            "doc_types": doc_types,
            "has_regulation": bool(benefits),
        },
    )


# ---------------------------------------------------------------- detail and actions


def _detail(
    request: HttpRequest,
    claim: Claim,
    *,
    decide_form: DecisionForm | None = None,
    doc_form: DocumentAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    fund = claim.fund
    need = svc.approval_need(fund, claim.amount)
    refusal = svc.decision_refusal(user, claim)
    holds_role = svc.approver_role(user, fund, need.roles) is not None
    payout = _payout_of(claim)
    reversal = _reversal_of(payout)
    decisions = list(claim.decisions.select_related("by").order_by("at", "pk"))
    for d in decisions:
        d.role_label = Role(d.role).label if d.role in Role.values else d.role  # type: ignore[attr-defined]
    can_record = can(user, Perm.RECORD_CLAIM, fund.org_unit)
    return render(
        request,
        "web/claims/claim_detail.html",
        {
            "fund": fund,
            "c": claim,
            "m": claim.membership,
            "lines": _explanation(claim),
            "documents": list(claim.documents.select_related("uploaded_by").order_by("pk")),
            "missing": svc.missing_documents(claim),
            "doc_types": svc.required_documents(claim.benefit),
            "decisions": decisions,
            "need": need,
            "approvals": sum(1 for d in decisions if d.decision == "approve"),
            "can_decide": refusal is None,
            "refusal": refusal if holds_role and claim.state == ClaimState.SUBMITTED else "",
            "decide_form": decide_form or (DecisionForm() if refusal is None else None),
            "doc_form": doc_form or (DocumentAddForm() if can_record else None),
            "payout": payout,
            "reversal": reversal,
            "voucher": svc.voucher_label(payout) if payout else "",
            "can_pay": claim.state == ClaimState.APPROVED
            and can(user, Perm.PAY_BENEFIT, fund.org_unit),
            "can_reverse": payout is not None
            and reversal is None
            and can(user, Perm.PAY_BENEFIT, fund.org_unit),
            "words": baht_text(claim.amount),
        },
        status=status,
    )


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, claim_for(request.user, pk))


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for(request.user, pk)
    need = svc.approval_need(claim.fund, claim.amount)
    if svc.approver_role(request.user, claim.fund, need.roles) is None:
        raise PermissionDenied(_("ผู้พิจารณาคำขอนี้ต้องมีบทบาท %(r)s ของกองทุน") % {"r": need.role_labels})
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            d = svc.claim_decide(
                actor=request.user,
                claim=claim,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            claim.refresh_from_db()
            if d.decision == "reject":
                messages.success(request, _("บันทึกมติไม่อนุมัติแล้ว คำขอนี้ไม่ได้รับอนุมัติ"))
            elif claim.state == ClaimState.APPROVED:
                messages.success(request, _("บันทึกมติอนุมัติแล้ว คำขอนี้อนุมัติครบแล้ว รอจ่ายเงิน"))
            else:
                messages.success(
                    request,
                    _("บันทึกมติอนุมัติแล้ว (อนุมัติแล้ว %(a)s จาก %(n)s คน)")
                    % {"a": svc.approvals_of(claim), "n": need.approvals},
                )
            return redirect("claim_detail", claim.pk)
    return _detail(request, claim, decide_form=form, status=200)


@login_required
@require_POST
def claim_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for(request.user, pk)
    require(request.user, Perm.RECORD_CLAIM, claim.fund.org_unit)
    form = DocumentAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.claim_document_add(
                actor=request.user,
                claim=claim,
                documents=[(form.cleaned_data["doc_type"], form.cleaned_data["file"])],
            )
        except ValidationError as exc:
            _apply_errors(form, exc, {"documents": "file"})
        else:
            messages.success(request, _("แนบเอกสารแล้ว"))
            return redirect("claim_detail", claim.pk)
    return _detail(request, claim, doc_form=form)


@login_required
def claim_document(request: HttpRequest, pk: int) -> FileResponse:
    try:
        doc = ClaimDocument.objects.select_related("claim").get(
            pk=pk, claim__in=ben_sel.claims_visible_to(request.user).values("pk")
        )
    except ClaimDocument.DoesNotExist as exc:
        raise _not_found() from exc
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("ไม่พบไฟล์เอกสารนี้ในที่เก็บ")) from exc
    inline = doc.content_type in ("application/pdf", "image/jpeg", "image/png")
    response = FileResponse(
        handle, as_attachment=not inline, filename=doc.file_name, content_type=doc.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def claim_pay(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for(request.user, pk)
    require(request.user, Perm.PAY_BENEFIT, claim.fund.org_unit)
    payout = _payout_of(claim)
    if payout is not None:
        if request.method == "POST":
            messages.info(
                request,
                _("คำขอนี้จ่ายไปแล้ว (ใบสำคัญจ่าย %(v)s) ไม่ได้จ่ายซ้ำ") % {"v": svc.voucher_label(payout)},
            )
        return redirect("claim_detail", claim.pk)
    form = PayForm(
        request.POST or None,
        min_date=claim.event_date,
        initial={"date": timezone.localdate(), "method": PaymentMethod.CASH},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            p = svc.claim_pay(
                actor=request.user,
                claim=claim,
                date=cd["date"],
                method=cd["method"],
                bank_ref=cd.get("bank_ref", ""),
            )
        except ValidationError as exc:
            if _payout_of(claim) is not None:  # a twin request paid it a moment ago
                messages.info(request, _("คำขอนี้จ่ายไปแล้ว ไม่ได้จ่ายซ้ำ"))
                return redirect("claim_detail", claim.pk)
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("จ่ายเงิน %(a)s บาท ลงบัญชีแล้ว ใบสำคัญจ่ายเลขที่ %(v)s")
                % {"a": f"{p.amount:,.2f}", "v": svc.voucher_label(p)},
            )
            return redirect("claim_detail", claim.pk)
    return render(
        request,
        "web/claims/claim_pay.html",
        {
            "fund": claim.fund,
            "c": claim,
            "m": claim.membership,
            "form": form,
            "words": baht_text(claim.amount),
        },
    )


@login_required
def payout_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for(request.user, pk)
    require(request.user, Perm.PAY_BENEFIT, claim.fund.org_unit)
    payout = _payout_of(claim)
    if payout is None:
        raise Http404(_("คำขอนี้ยังไม่ได้จ่ายเงิน"))
    if _reversal_of(payout) is not None:
        messages.info(request, _("การจ่ายนี้ถูกกลับรายการไปแล้ว"))
        return redirect("claim_detail", claim.pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.payout_reverse(
                actor=request.user, payout=payout, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("กลับรายการการจ่ายตามใบสำคัญจ่าย %(v)s แล้ว") % {"v": svc.voucher_label(payout)},
            )
            return redirect("claim_detail", claim.pk)
    return render(
        request,
        "web/claims/payout_reverse.html",
        {
            "fund": claim.fund,
            "c": claim,
            "payout": payout,
            "voucher": svc.voucher_label(payout),
            "form": form,
        },
    )


# ---------------------------------------------------------------- documents (PDF)


def voucher_html(claim: Claim, payout: Payout, reversal: PayoutReversal | None) -> str:
    fund = claim.fund
    approvers = [
        d
        for d in claim.decisions.select_related("by").order_by("at", "pk")
        if d.decision == "approve"
    ]
    return render_to_string(
        "web/claims/voucher.html",
        {
            "fund_name": fund.name,
            "fund_address": unit_address(fund.org_unit),
            "c": claim,
            "m": claim.membership,
            "p": payout,
            "voucher": svc.voucher_label(payout),
            "category": claim.benefit.get_category_display(),
            "words": baht_text(payout.amount),
            "payer": _who(payout.paid_by),
            "approvers": [
                (_who(d.by), Role(d.role).label if d.role in Role.values else d.role)
                for d in approvers
            ],
            "reversal": reversal,
        },
    )


@login_required
def payout_voucher_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for(request.user, pk)
    payout = _payout_of(claim)
    if payout is None:
        raise Http404(_("คำขอนี้ยังไม่ได้จ่ายเงิน จึงยังไม่มีใบสำคัญจ่าย"))
    html = voucher_html(claim, payout, _reversal_of(payout))
    name = f"voucher-{payout.fiscal_year}-{payout.voucher_no:05d}.pdf"
    return pdf.pdf_response(pdf.render_pdf(html), name)


def _sheet_dates(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = (
            parse_be_date(request.GET.get("date_from", ""))
            if request.GET.get("date_from")
            else today
        )
        end = parse_be_date(request.GET.get("date_to", "")) if request.GET.get("date_to") else start
    except ThaiDateError as exc:
        raise Http404(_("วันที่: %(e)s") % {"e": exc}) from exc
    if end < start:
        start, end = end, start
    return start, end


@login_required
def cash_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The cash signature sheet: benefits paid in cash over some days (each payee signs), or
    with ``?approved=1`` the approved claims still to be paid (signed as the cash is handed)."""
    fund = fund_for(request.user, pk)
    visible = ben_sel.claims_visible_to(request.user).filter(fund=fund)
    approved = request.GET.get("approved") == "1"
    rows: list[dict[str, Any]] = []
    start = end = None
    if approved:
        for c in visible.filter(state=ClaimState.APPROVED).order_by("number"):
            rows.append(
                {
                    "ref": _("คำขอ %(n)s") % {"n": c.number},
                    "date": None,
                    "payee": c.payee_name,
                    "member_no": c.membership.member_no,
                    "member": c.membership.person.full_name,
                    "benefit": c.benefit.name,
                    "amount": c.amount,
                }
            )
    else:
        start, end = _sheet_dates(request)
        payouts = (
            Payout.objects.filter(
                claim__in=visible.values("pk"),
                method=PaymentMethod.CASH,
                date__gte=start,
                date__lte=end,
            )
            .select_related("claim__benefit", "membership__person", "reversal")
            .order_by("date", "fiscal_year", "voucher_no")
        )
        for p in payouts:
            rows.append(
                {
                    "ref": svc.voucher_label(p),
                    "date": p.date,
                    "payee": p.payee_name,
                    "member_no": p.membership.member_no,
                    "member": p.membership.person.full_name,
                    "benefit": p.claim.benefit.name if p.claim else "",
                    "amount": p.amount,
                    "reversed": hasattr(p, "reversal"),
                }
            )
    total = sum((r["amount"] for r in rows if not r.get("reversed")), Decimal("0.00"))
    html = render_to_string(
        "web/claims/cash_sheet.html",
        {
            "fund_name": fund.name,
            "fund_address": unit_address(fund.org_unit),
            "rows": rows,
            "approved": approved,
            "start": start,
            "end": end,
            "total": total,
            "words": baht_text(total),
            "printed_by": _who(request.user),
            "printed_on": timezone.localdate(),
        },
    )
    suffix = "approved" if approved else f"{start:%Y%m%d}-{end:%Y%m%d}"
    return pdf.pdf_response(pdf.render_pdf(html), f"cash-sheet-{fund.pk}-{suffix}.pdf")


# ---------------------------------------------------------------- a login's person


@login_required
def user_people(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        unit = area_sel.unit_get(request.user, pk)
    except OrgUnit.DoesNotExist as exc:
        raise _not_found() from exc
    if not area_sel.user_can(request.user, Perm.MANAGE_ROLES, unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์กำหนดข้อมูลผู้ใช้ในหน่วยนี้"))
    users = (
        svc.userperson_candidates(request.user)
        .filter(role_assignments__org_unit__in=OrgUnit.objects.filter(prefix_q("path", unit.path)))
        .distinct()
    )
    persons = _unit_persons(request.user, unit)
    q = to_arabic_digits(request.GET.get("q", "")).strip()
    found = list(persons.filter(person_search_q(q))[:20]) if q else []
    if request.method == "POST":
        form = UserPersonForm(request.POST, users=users, persons=persons)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                svc.userperson_set(
                    actor=request.user,
                    user=cd["user"],
                    person=None if cd.get("clear") else cd["person"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if cd.get("clear"):
                    messages.success(
                        request, _("ยกเลิกการผูกผู้ใช้ %(u)s กับบุคคลแล้ว") % {"u": _who(cd["user"])}
                    )
                else:
                    messages.success(
                        request,
                        _("ผูกผู้ใช้ %(u)s กับ %(p)s แล้ว")
                        % {"u": _who(cd["user"]), "p": cd["person"].full_name},
                    )
                return redirect("user_people", unit.pk)
    else:
        initial = {}
        if request.GET.get("user", "").isdigit():
            initial["user"] = int(request.GET["user"])
        form = UserPersonForm(initial=initial, users=users, persons=persons)
    links = {
        up.user_id: up.person
        for up in UserPerson.objects.filter(user__in=users).select_related("person")
    }
    return render(
        request,
        "web/claims/user_people.html",
        {
            "unit": unit,
            "rows": [(u, links.get(u.pk)) for u in users],
            "form": form,
            "q": q,
            "found": found,
        },
    )


def _unit_persons(user: Any, unit: OrgUnit) -> QuerySet[Person]:
    """Persons of the unit's subtree the user may see."""
    from chumchon.people.selectors import persons_visible_to

    return persons_visible_to(user).filter(prefix_q("org_unit__path", unit.path))


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/claims/", claim_list, name="claim_list"),
    path("funds/<int:pk>/claims/new/", claim_create, name="claim_create"),
    path("funds/<int:pk>/claims/cash-sheet.pdf", cash_sheet_pdf, name="claim_cash_sheet"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/decide/", claim_decide, name="claim_decide"),
    path("claims/<int:pk>/documents/", claim_document_add, name="claim_document_add"),
    path("claims/<int:pk>/pay/", claim_pay, name="claim_pay"),
    path("claims/<int:pk>/reverse/", payout_reverse, name="payout_reverse"),
    path("claims/<int:pk>/voucher.pdf", payout_voucher_pdf, name="payout_voucher"),
    path("claim-documents/<int:pk>/", claim_document, name="claim_document"),
    path("units/<int:pk>/user-people/", user_people, name="user_people"),
]
