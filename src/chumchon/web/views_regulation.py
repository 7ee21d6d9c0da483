"""Regulation screens: a fund's versions (in force, drafts, history), a version in plain Thai,
drafts and their benefits, adoption by a resolution, YAML/JSON export and import, the printed
regulation (PDF), and the approval rules of claims.

Versions are found through ``regulations_visible_to`` and funds through ``fund_for`` (404
outside the user's funds); every write needs ``Perm.MANAGE_REGULATION`` at the fund (403). The
services of ``chumchon.benefits.services_regulation`` decide and write.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.areas.models import RoleAssignment
from chumchon.benefits import regulation_io as rio
from chumchon.benefits import selectors as ben_sel
from chumchon.benefits import services_regulation as svc
from chumchon.benefits.models import (
    AmountKind,
    ApprovalRule,
    BenefitType,
    RegulationVersion,
    VersionState,
)
from chumchon.core.permissions import Perm, Role
from chumchon.core.thai import format_be_date
from chumchon.funds.models import Fund

from . import pdf
from .forms_regulation import (
    AdoptForm,
    BenefitForm,
    ImportForm,
    VersionForm,
    limit_rows,
    rule_rows,
    tier_rows,
)
from .fundcommon import can, fund_for, require


def _not_found() -> Http404:
    return Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


def _version_for(user: Any, pk: int) -> RegulationVersion:
    try:
        return ben_sel.regulations_visible_to(user).select_related("fund__book").get(pk=pk)
    except RegulationVersion.DoesNotExist as exc:
        raise _not_found() from exc


def _benefit_for(version: RegulationVersion, pk: int) -> BenefitType:
    try:
        return BenefitType.objects.prefetch_related("tiers", "limits").get(version=version, pk=pk)
    except BenefitType.DoesNotExist as exc:
        raise _not_found() from exc


def _errors(form: Any, exc: ValidationError) -> list[str]:
    """A service's refusal on the form; returns what belongs to no field of it (tiers, limits,
    the version's problems). On a field the template shows its label, so "label: " is left off."""
    rest: list[str] = []
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    for name, errs in exc.message_dict.items():
        for e in errs:
            if name in form.fields:
                head, sep, tail = e.partition(": ")
                form.add_error(name, tail if sep and len(head) <= 40 else e)
            else:
                rest.append(e)
    return rest


def _manage(user: Any, fund: Fund) -> bool:
    return can(user, Perm.MANAGE_REGULATION, fund.org_unit)


def _refuse_adopted(request: HttpRequest, version: RegulationVersion) -> HttpResponse | None:
    if version.state == VersionState.DRAFT:
        return None
    messages.error(
        request,
        _("ระเบียบฉบับที่ %(n)s ประกาศใช้แล้ว แก้ไขไม่ได้ สร้างฉบับใหม่โดยคัดลอกจากฉบับนี้แทน")
        % {"n": version.number},
    )
    return redirect("regulation_detail", pk=version.pk)


def _benefits(version: RegulationVersion) -> list[BenefitType]:
    return list(
        BenefitType.objects.filter(version=version)
        .prefetch_related("tiers", "limits")
        .order_by("order", "pk")
    )


# ---------------------------------------------------------------- versions


@login_required
def regulation_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    today = timezone.localdate()
    versions = list(
        RegulationVersion.objects.filter(fund=fund).order_by("-effective_from", "-number")
    )
    in_force = ben_sel.version_in_force(fund, today)
    adopted = [v for v in versions if v.state == VersionState.ADOPTED]
    return render(
        request,
        "web/regulation/list.html",
        {
            "fund": fund,
            "in_force": in_force,
            "scheduled": [v for v in adopted if v.effective_from > today],
            "drafts": [v for v in versions if v.state == VersionState.DRAFT],
            "history": [v for v in adopted if v.effective_from <= today and v != in_force],
            "counts": dict(
                BenefitType.objects.filter(version__fund=fund)
                .values_list("version_id")
                .annotate(n=Count("pk"))
                .order_by()
            ),
            "can_manage": _manage(request.user, fund),
            "rules": [
                svc.approval_rule_text(r)
                for r in ApprovalRule.objects.filter(fund=fund).order_by("min_amount")
            ],
        },
    )


@login_required
def regulation_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_REGULATION, fund.org_unit)
    versions = list(
        RegulationVersion.objects.filter(fund=fund).order_by("-effective_from", "-number")
    )
    current = ben_sel.version_in_force(fund, timezone.localdate()) or next(
        (v for v in versions if v.state == VersionState.ADOPTED), None
    )
    asked = request.GET.get("based_on", "")
    start = next((v for v in versions if str(v.pk) == asked), None) or current
    initial: dict[str, Any] = {}
    if start is not None:
        initial = {"based_on": start.pk, "title": start.title}
    form = VersionForm(request.POST or None, versions=versions, initial=initial)
    if request.method == "POST" and form.is_valid():
        based_on = next((v for v in versions if v.pk == form.cleaned_data["based_on"]), None)
        preamble = form.cleaned_data["preamble"]
        try:
            version = svc.version_create_draft(
                fund=fund,
                actor=request.user,
                title=form.cleaned_data["title"],
                effective_from=form.cleaned_data["effective_from"],
                based_on=based_on,
                # left blank: the copied version's preamble
                preamble=preamble if preamble or based_on is None else None,
            )
        except ValidationError as exc:
            for e in _errors(form, exc):
                form.add_error(None, e)
        else:
            messages.success(request, _("สร้างร่างระเบียบฉบับที่ %(n)s แล้ว") % {"n": version.number})
            return redirect("regulation_detail", pk=version.pk)
    return render(
        request, "web/regulation/version_form.html", {"fund": fund, "form": form, "version": None}
    )


@login_required
def regulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    fund = version.fund
    benefits = _benefits(version)
    own_problems: list[str] = []
    by_benefit: dict[int, list[str]] = {}
    if version.state == VersionState.DRAFT:
        own_problems, by_benefit = svc.problems_by_benefit(version)
    today = timezone.localdate()
    in_force = ben_sel.version_in_force(fund, today)
    if version.state == VersionState.DRAFT:
        phase = "draft"
    elif in_force is not None and in_force.pk == version.pk:
        phase = "force"
    elif version.effective_from > today:
        phase = "scheduled"
    else:
        phase = "past"
    rows = [
        {
            "b": b,
            "sentence": svc.benefit_sentence(b),
            "details": svc.benefit_details(b),
            "problems": by_benefit.get(b.pk, []),
        }
        for b in benefits
    ]
    return render(
        request,
        "web/regulation/detail.html",
        {
            "fund": fund,
            "version": version,
            "rows": rows,
            "own_problems": own_problems,
            "problem_count": len(own_problems) + sum(len(p) for p in by_benefit.values()),
            "is_draft": phase == "draft",
            "phase": phase,
            "in_force": in_force,
            "can_manage": _manage(request.user, fund),
        },
    )


@login_required
def regulation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    require(request.user, Perm.MANAGE_REGULATION, version.fund.org_unit)
    if (refused := _refuse_adopted(request, version)) is not None:
        return refused
    form = VersionForm(
        request.POST or None,
        initial={
            "title": version.title,
            "effective_from": version.effective_from,
            "preamble": version.preamble,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.version_update(version=version, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for e in _errors(form, exc):
                form.add_error(None, e)
        else:
            messages.success(request, _("บันทึกแล้ว"))
            return redirect("regulation_detail", pk=version.pk)
    return render(
        request,
        "web/regulation/version_form.html",
        {"fund": version.fund, "form": form, "version": version},
    )


@login_required
@require_POST
def regulation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    require(request.user, Perm.MANAGE_REGULATION, version.fund.org_unit)
    try:
        svc.version_delete_draft(version=version, actor=request.user)
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return redirect("regulation_detail", pk=version.pk)
    messages.success(request, _("ลบร่างระเบียบฉบับที่ %(n)s แล้ว") % {"n": version.number})
    return redirect("regulation_list", pk=version.fund_id)


@login_required
def regulation_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    require(request.user, Perm.MANAGE_REGULATION, version.fund.org_unit)
    if (refused := _refuse_adopted(request, version)) is not None:
        return refused
    form = AdoptForm(request.POST or None)
    refusal: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            svc.version_adopt(version=version, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            refusal = _errors(form, exc)
        else:
            messages.success(
                request,
                _("ประกาศใช้ระเบียบฉบับที่ %(n)s แล้ว คำขอที่เกิดเหตุตั้งแต่วันที่มีผลจะพิจารณาตามฉบับนี้")
                % {"n": version.number},
            )
            return redirect("regulation_detail", pk=version.pk)
    return render(
        request,
        "web/regulation/adopt.html",
        {
            "fund": version.fund,
            "version": version,
            "form": form,
            "problems": svc.validate(version),
            "refusal": refusal,
        },
    )


# ---------------------------------------------------------------- benefits


def _shown(value: Any) -> Any:
    """An amount as the committee would type it ("4,000", "12.50"), not "4000.00"."""
    return svc.baht(value) if isinstance(value, Decimal) else value


def _benefit_initial(b: BenefitType) -> dict[str, Any]:
    data = svc.benefit_data(b)
    data["documents"] = "\n".join(data["documents"])
    data["amount"] = _shown(data["amount"])
    data["tiers"] = [{k: _shown(v) for k, v in t.items()} for t in data["tiers"]]
    data["limits"] = [{k: _shown(v) for k, v in lim.items()} for lim in data["limits"]]
    return data


def _benefit_screen(
    request: HttpRequest, version: RegulationVersion, benefit: BenefitType | None
) -> HttpResponse:
    require(request.user, Perm.MANAGE_REGULATION, version.fund.org_unit)
    if (refused := _refuse_adopted(request, version)) is not None:
        return refused
    initial = _benefit_initial(benefit) if benefit else {}
    tiered = bool(benefit and benefit.amount_kind == AmountKind.TIERED)
    post = request.POST if request.method == "POST" else None
    form = BenefitForm(post, initial=initial)
    tiers = tier_rows(
        post, initial=initial.get("tiers"), spare=2 if (benefit and initial.get("tiers")) else 4
    )
    limits = limit_rows(post, initial=initial.get("limits"), spare=2)
    tier_errors: list[str] = []
    limit_errors: list[str] = []
    other_errors: list[str] = []
    if post is not None:
        valid = form.is_valid() & tiers.is_valid() & limits.is_valid()
        if valid:
            data = form.benefit_data()
            if not data["code"]:
                data["code"] = (
                    benefit.code if benefit else svc.suggest_code(version, data["category"])
                )
            if data.get("order") is None:
                data["order"] = benefit.order if benefit else 0
            data["tiers"] = tiers.rows()
            data["limits"] = limits.rows()
            try:
                saved = svc.benefit_save(
                    version=version, actor=request.user, data=data, benefit=benefit
                )
            except ValidationError as exc:
                for name, errs in exc.message_dict.items() if hasattr(exc, "error_dict") else []:
                    if name == "tiers":
                        tier_errors += errs
                    elif name == "limits":
                        limit_errors += errs
                other_errors = _errors(
                    form,
                    ValidationError(
                        {k: v for k, v in exc.message_dict.items() if k not in ("tiers", "limits")}
                    )
                    if hasattr(exc, "error_dict")
                    else exc,
                )
            else:
                messages.success(request, _("บันทึก “%(n)s” แล้ว") % {"n": saved.name})
                return redirect(reverse("regulation_detail", args=[version.pk]) + f"#b{saved.pk}")
        tiered = post.get("amount_kind") == AmountKind.TIERED
    return render(
        request,
        "web/regulation/benefit_form.html",
        {
            "fund": version.fund,
            "version": version,
            "benefit": benefit,
            "form": form,
            "tiers": tiers,
            "limits": limits,
            "tier_errors": tier_errors,
            "limit_errors": limit_errors,
            "other_errors": other_errors,
            "tiers_open": tiered or bool(initial.get("tiers")) or bool(tier_errors),
        },
    )


@login_required
def benefit_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _benefit_screen(request, _version_for(request.user, pk), None)


@login_required
def benefit_edit(request: HttpRequest, pk: int, benefit_pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    return _benefit_screen(request, version, _benefit_for(version, benefit_pk))


@login_required
@require_POST
def benefit_delete(request: HttpRequest, pk: int, benefit_pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    benefit = _benefit_for(version, benefit_pk)
    require(request.user, Perm.MANAGE_REGULATION, version.fund.org_unit)
    try:
        svc.benefit_delete(benefit=benefit, actor=request.user)
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
    else:
        messages.success(request, _("ลบ “%(n)s” ออกจากร่างแล้ว") % {"n": benefit.name})
    return redirect("regulation_detail", pk=version.pk)


# ---------------------------------------------------------------- files


EXPORT_TYPES = {
    "yaml": ("application/yaml; charset=utf-8", rio.export_yaml),
    "json": ("application/json; charset=utf-8", rio.export_json),
}


@login_required
def regulation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    version = _version_for(request.user, pk)
    if fmt not in EXPORT_TYPES:
        raise _not_found()
    content_type, export = EXPORT_TYPES[fmt]
    response = HttpResponse(export(version), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{rio.export_name(version, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _kind_of(name: str) -> str:
    return "json" if name.lower().endswith(".json") else "yaml"


@login_required
def regulation_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload: a dry run shows what the file holds and what is wrong; confirming (the file
    carried in the page, base64) creates the draft."""
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_REGULATION, fund.org_unit)
    form = ImportForm()
    result: rio.ImportResult | None = None
    carried = ""
    kind = "yaml"
    if request.method == "POST" and request.POST.get("confirm"):
        carried = request.POST.get("content", "")
        kind = "json" if request.POST.get("kind") == "json" else "yaml"
        form = ImportForm(request.POST, request.FILES)
        form.fields["file"].required = False
        try:
            content = base64.b64decode(carried.encode(), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        if form.is_valid():
            result = rio.regulation_import(
                fund=fund,
                actor=request.user,
                content=content,
                kind=kind,
                title=form.cleaned_data["title"] or None,
                effective_from=form.cleaned_data["effective_from"],
            )
            if result.version is not None:
                messages.success(
                    request,
                    _("นำเข้าเป็นร่างระเบียบฉบับที่ %(n)s แล้ว ตรวจทานแล้วเสนอที่ประชุมรับรอง")
                    % {"n": result.version.number},
                )
                return redirect("regulation_detail", pk=result.version.pk)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            kind = _kind_of(upload.name or "")
            carried = base64.b64encode(content).decode()
            result = rio.regulation_import(
                fund=fund,
                actor=request.user,
                content=content,
                kind=kind,
                dry_run=True,
                title=form.cleaned_data["title"] or None,
                effective_from=form.cleaned_data["effective_from"],
            )
    return render(
        request,
        "web/regulation/import.html",
        {"fund": fund, "form": form, "result": result, "content": carried, "kind": kind},
    )


def _signers(fund: Fund) -> dict[str, str]:
    """The names of the chair and the secretary today (for the signature lines)."""
    today = timezone.localdate()
    names: dict[str, str] = {}
    for ra in (
        RoleAssignment.objects.filter(
            org_unit_id=fund.org_unit_id,
            role__in=[Role.CHAIR, Role.SECRETARY],
            start_date__lte=today,
        )
        .exclude(end_date__lt=today)
        .select_related("user")
        .order_by("start_date")
    ):
        names[ra.role] = ra.user.get_full_name() or ""
    return {"chair": names.get(Role.CHAIR, ""), "secretary": names.get(Role.SECRETARY, "")}


def regulation_clauses(version: RegulationVersion) -> list[dict[str, Any]]:
    """The numbered clauses of the printed regulation (ข้อ 1, ข้อ 2, ...)."""
    fund = version.fund
    clauses: list[dict[str, Any]] = [
        {"text": _("ระเบียบนี้เรียกว่า “%(t)s”") % {"t": version.title}},
        {
            "text": _(
                "ระเบียบนี้ให้ใช้บังคับตั้งแต่วันที่ %(d)s เป็นต้นไป กับเหตุที่เกิดตั้งแต่วันดังกล่าว"
                " เหตุที่เกิดก่อนหน้านั้นให้พิจารณาตามระเบียบที่ใช้อยู่ในวันที่เกิดเหตุ"
            )
            % {"d": format_be_date(version.effective_from, "long")}
        },
    ]
    old = version.based_on
    if old is not None and old.state == VersionState.ADOPTED:
        clauses.append(
            {
                "text": _("ให้ใช้ระเบียบนี้แทน%(t)s (ฉบับที่ %(n)s) ตั้งแต่วันที่ระเบียบนี้ใช้บังคับ")
                % {"t": old.title, "n": old.number}
            }
        )
    start = fund.fiscal_year_start_month
    clauses.append(
        {
            "text": _(
                "ในระเบียบนี้ “อายุการเป็นสมาชิก” หมายถึง ระยะเวลานับแต่วันที่เป็นสมาชิกถึงวันที่เกิดเหตุ"
                " “ปีบัญชี” หมายถึง ปีบัญชีของกองทุน เริ่มวันที่ 1 %(m)s"
                " และ “ผู้รับผลประโยชน์” หมายถึง ผู้ที่สมาชิกระบุไว้ในใบสมัคร"
            )
            % {"m": svc.month_name(start)}
        }
    )
    for b in _benefits(version):
        clauses.append(
            {
                "heading": b.name,
                "text": svc.benefit_sentence(b),
                "details": svc.benefit_details(b),
                "category": b.get_category_display(),
            }
        )
    clauses.append(
        {
            "text": _(
                "ให้ประธานคณะกรรมการกองทุนรักษาการตามระเบียบนี้ กรณีมีปัญหาในการปฏิบัติ"
                " ให้คณะกรรมการกองทุนเป็นผู้วินิจฉัย"
            )
        }
    )
    for i, clause in enumerate(clauses, start=1):
        clause["number"] = i
    return clauses


def regulation_html(version: RegulationVersion) -> str:
    """The printed regulation: title, preamble, resolution, numbered clauses, signatures."""
    return render_to_string(
        "web/regulation/pdf.html",
        {
            "version": version,
            "fund": version.fund,
            "clauses": regulation_clauses(version),
            "is_draft": version.state == VersionState.DRAFT,
            "signers": _signers(version.fund),
        },
    )


@login_required
def regulation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_for(request.user, pk)
    data = pdf.render_pdf(regulation_html(version))
    state = "draft" if version.state == VersionState.DRAFT else "adopted"
    return pdf.pdf_response(data, f"regulation-{version.fund_id}-v{version.number}-{state}.pdf")


# ---------------------------------------------------------------- approval rules


@login_required
def approval_rules(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    can_manage = _manage(request.user, fund)
    current = list(ApprovalRule.objects.filter(fund=fund).order_by("min_amount"))
    if request.method == "POST":
        require(request.user, Perm.MANAGE_REGULATION, fund.org_unit)
    initial = [
        {"min_amount": _shown(r.min_amount), "approvals": r.approvals, "roles": list(r.roles)}
        for r in current
    ] or [{"min_amount": "0", "approvals": 1, "roles": [Role.CHAIR]}]
    rows = rule_rows(request.POST if request.method == "POST" else None, initial=initial)
    errors: list[str] = []
    if request.method == "POST" and rows.is_valid():
        try:
            svc.approval_rules_set(
                fund=fund,
                actor=request.user,
                rules=[(r["min_amount"], r["approvals"], r["roles"]) for r in rows.rows()],
            )
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(request, _("บันทึกเกณฑ์การอนุมัติแล้ว"))
            return redirect("approval_rules", pk=fund.pk)
    holders = _role_holders(fund)
    summary = [
        {
            "rule": r,
            "text": svc.approval_rule_text(r),
            "people": sum(holders.get(x, 0) for x in r.roles),
        }
        for r in current
    ]
    return render(
        request,
        "web/regulation/approval_rules.html",
        {
            "fund": fund,
            "rows": rows,
            "errors": errors,
            "summary": summary,
            "can_manage": can_manage,
        },
    )


def _role_holders(fund: Fund) -> dict[str, int]:
    """How many people hold each role at the fund today (a rule needing more cannot be met)."""
    today = timezone.localdate()
    counts: dict[str, set[int]] = {}
    for role, user_id in (
        RoleAssignment.objects.filter(org_unit_id=fund.org_unit_id, start_date__lte=today)
        .exclude(end_date__lt=today)
        .values_list("role", "user_id")
    ):
        counts.setdefault(role, set()).add(user_id)
    return {role: len(users) for role, users in counts.items()}


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/regulations/", regulation_list, name="regulation_list"),
    path("funds/<int:pk>/regulations/new/", regulation_create, name="regulation_create"),
    path("funds/<int:pk>/regulations/import/", regulation_import, name="regulation_import"),
    path("funds/<int:pk>/approval-rules/", approval_rules, name="approval_rules"),
    path("regulations/<int:pk>/", regulation_detail, name="regulation_detail"),
    path("regulations/<int:pk>/edit/", regulation_edit, name="regulation_edit"),
    path("regulations/<int:pk>/delete/", regulation_delete, name="regulation_delete"),
    path("regulations/<int:pk>/adopt/", regulation_adopt, name="regulation_adopt"),
    path("regulations/<int:pk>/regulation.pdf", regulation_pdf, name="regulation_pdf"),
    path("regulations/<int:pk>/export.<str:fmt>", regulation_export, name="regulation_export"),
    path("regulations/<int:pk>/benefits/new/", benefit_create, name="regulation_benefit_create"),
    path(
        "regulations/<int:pk>/benefits/<int:benefit_pk>/",
        benefit_edit,
        name="regulation_benefit_edit",
    ),
    path(
        "regulations/<int:pk>/benefits/<int:benefit_pk>/delete/",
        benefit_delete,
        name="regulation_benefit_delete",
    ),
]
