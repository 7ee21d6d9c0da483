"""Recurring benefit runs (จ่ายสวัสดิการรายรอบ) and the sustainability projection screens.

Runs: the list of a fund's runs, a new run (a recurring benefit in force and a period), the run
with who gets what and why, refresh, approve, pay (date and method), cancel, and the signature
sheet PDF for paying cash. The projection: the fund's balance 10-20 years ahead as a chart drawn
here as inline SVG (readable on a 360 px phone) and a table in Buddhist Era years, with a "what
if" beside it.

Runs are found through ``benefits.selectors.runs_visible_to`` and funds through ``fundcommon``
(404 outside the user's roles); each action checks its permission at the fund (403); the
services decide and write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.areas.models import OrgUnit
from chumchon.benefits import projection as pj
from chumchon.benefits import selectors as benefit_sel
from chumchon.benefits import services_runs as run_svc
from chumchon.benefits.engine import Reason
from chumchon.benefits.models import BenefitRun, RunLine, RunState
from chumchon.core.permissions import Perm
from chumchon.core.thai import baht_text, be_year, format_baht, format_be_date
from chumchon.funds.models import Fund, PaymentMethod

from . import pdf
from .forms_runs import ProjectionForm, RunCreateForm, RunPostForm, RunRefreshForm
from .fundcommon import can, fund_for, require

PAGE_SIZE = 50
LINES_PER_PAGE = 100
_LABEL_PREFIX = re.compile(r"^[^:\n]{1,60}:\s+")


def _not_found() -> Http404:
    return Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


def run_for(user: Any, pk: int) -> BenefitRun:
    """A run the user may see (its fund is in one of their roles), or 404."""
    try:
        return (
            benefit_sel.runs_visible_to(user)
            .select_related(
                "fund__org_unit",
                "fund__book",
                "benefit__version",
                "created_by",
                "approved_by",
                "posted_by",
            )
            .get(pk=pk)
        )
    except BenefitRun.DoesNotExist as exc:
        raise _not_found() from exc


def _errors_on(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: under its field without the leading "label: "
    (the template shows the label), otherwise above the form as it is."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            for e in errs:
                if name in form.fields:
                    form.add_error(name, _LABEL_PREFIX.sub("", e, count=1))
                else:
                    form.add_error(None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def _one_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---------------------------------------------------------------- runs


@login_required
def run_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    runs = (
        benefit_sel.runs_visible_to(request.user)
        .filter(fund=fund)
        .select_related("benefit", "created_by")
        .order_by("-period_start", "-pk")
    )
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/runs/run_list.html",
        {
            "fund": fund,
            "page": page,
            "rows": [(r, run_svc.period_label(r.period_key)) for r in page.object_list],
            "can_create": can(request.user, Perm.RECORD_CLAIM, fund.org_unit),
        },
    )


@login_required
def run_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.RECORD_CLAIM, fund.org_unit)
    benefits = run_svc.recurring_benefits(fund)
    if request.method == "POST":
        form = RunCreateForm(request.POST, benefits=benefits)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                run = run_svc.run_preview(
                    actor=request.user,
                    fund=fund,
                    benefit_code=cd["benefit_code"],
                    period_key=cd["period_key"],
                    as_of=cd.get("as_of"),
                )
            except ValidationError as exc:
                _errors_on(form, exc)
            else:
                messages.success(
                    request,
                    _("จัดทำรายชื่อแล้ว: มีสิทธิ์ %(n)s คน รวม %(t)s บาท ตรวจรายชื่อแล้วส่งให้กรรมการอนุมัติ")
                    % {"n": run.count, "t": format_baht(run.total)},
                )
                return redirect("run_detail", run.pk)
    else:
        today = timezone.localdate()
        first = benefits[0] if benefits else None
        suggested = ""
        if first is not None:
            year = be_year(today) + (1 if first.run_month and today.month > first.run_month else 0)
            suggested = (
                str(year) if first.recurrence == "yearly" else f"{be_year(today)}-{today.month:02d}"
            )
        form = RunCreateForm(
            initial={"benefit_code": first.code if first else "", "period_key": suggested},
            benefits=benefits,
        )
    return render(
        request, "web/runs/run_form.html", {"fund": fund, "form": form, "benefits": benefits}
    )


@dataclass
class LineView:
    line: RunLine
    reasons: list[tuple[str, bool | None]]
    voucher: str


def _groups_of(run: BenefitRun) -> list[OrgUnit]:
    ids = RunLine.objects.filter(run=run).values("membership__org_unit")
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name"))


def _group_filter(request: HttpRequest, groups: Sequence[OrgUnit]) -> OrgUnit | None:
    wanted = request.GET.get("group", "")
    return next((g for g in groups if str(g.pk) == wanted), None)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    fund = run.fund
    groups = _groups_of(run)
    group = _group_filter(request, groups)
    lines = (
        RunLine.objects.filter(run=run)
        .select_related("membership__person", "membership__org_unit", "payout")
        .order_by("membership__member_no", "pk")
    )
    if group is not None:
        lines = lines.filter(membership__org_unit=group)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    shown = [
        LineView(
            line=ln,
            reasons=[(r.text(), r.ok) for r in (Reason.from_json(x) for x in ln.explanation)],
            voucher=(
                f"{ln.payout.fiscal_year}/{ln.payout.voucher_no:05d}"
                if hasattr(ln, "payout")
                else ""
            ),
        )
        for ln in page.object_list
    ]
    by_group = (
        RunLine.objects.filter(run=run)
        .values("membership__org_unit__name")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("membership__org_unit__name")
    )
    user, unit = request.user, fund.org_unit
    preview = run.state == RunState.PREVIEW
    approved = run.state == RunState.APPROVED
    return render(
        request,
        "web/runs/run_detail.html",
        {
            "run": run,
            "fund": fund,
            "label": run_svc.period_label(run.period_key),
            "page": page,
            "lines": shown,
            "groups": groups,
            "group": group,
            "by_group": by_group,
            "refresh_form": RunRefreshForm(initial={"as_of": run.as_of}),
            "can_refresh": preview and can(user, Perm.RECORD_CLAIM, unit),
            "can_approve": preview
            and can(user, Perm.APPROVE_CLAIM, unit)
            and run.created_by_id != user.pk,
            "maker_cannot_approve": preview
            and can(user, Perm.APPROVE_CLAIM, unit)
            and run.created_by_id == user.pk,
            "can_post": approved and can(user, Perm.PAY_BENEFIT, unit),
            "can_cancel": (preview and can(user, Perm.RECORD_CLAIM, unit))
            or (approved and can(user, Perm.APPROVE_CLAIM, unit)),
            "has_sheet": run.state != RunState.CANCELLED and run.count > 0,
        },
    )


def _post_only_action(
    request: HttpRequest, run: BenefitRun, action: Any, done: str
) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _one_message(exc))
    else:
        messages.success(request, done)
    return redirect("run_detail", run.pk)


@login_required
@require_POST
def run_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    require(request.user, Perm.RECORD_CLAIM, run.fund.org_unit)
    form = RunRefreshForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[k].label}: {e}" for k, errs in form.errors.items() for e in errs
            ),
        )
        return redirect("run_detail", run.pk)
    return _post_only_action(
        request,
        run,
        lambda: run_svc.run_refresh(actor=request.user, run=run, as_of=form.cleaned_data["as_of"]),
        _("ปรับปรุงรายชื่อตามข้อมูลล่าสุดแล้ว"),
    )


@login_required
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    require(request.user, Perm.APPROVE_CLAIM, run.fund.org_unit)
    return _post_only_action(
        request,
        run,
        lambda: run_svc.run_approve(actor=request.user, run=run),
        _("อนุมัติรายชื่อแล้ว เหรัญญิกจ่ายเงินและลงบัญชีได้"),
    )


@login_required
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    perm = Perm.APPROVE_CLAIM if run.state == RunState.APPROVED else Perm.RECORD_CLAIM
    require(request.user, perm, run.fund.org_unit)
    return _post_only_action(
        request,
        run,
        lambda: run_svc.run_cancel(actor=request.user, run=run),
        _("ยกเลิกรอบนี้แล้ว"),
    )


@login_required
def run_post(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    fund = run.fund
    require(request.user, Perm.PAY_BENEFIT, fund.org_unit)
    if run.state == RunState.POSTED:
        messages.info(request, _("รอบนี้จ่ายและลงบัญชีไปแล้ว"))
        return redirect("run_detail", run.pk)
    if request.method == "POST":
        form = RunPostForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                run_svc.run_post(
                    actor=request.user,
                    run=run,
                    pay_date=cd["pay_date"],
                    method=cd["method"],
                    bank_ref=cd.get("bank_ref") or "",
                )
            except ValidationError as exc:
                _errors_on(form, exc)
            else:
                messages.success(
                    request,
                    _("จ่ายเงิน %(n)s คน รวม %(t)s บาท และลงบัญชีแล้ว")
                    % {"n": run.count, "t": format_baht(run.total)},
                )
                return redirect("run_detail", run.pk)
    else:
        form = RunPostForm(initial={"pay_date": timezone.localdate(), "method": PaymentMethod.CASH})
    money_from = {
        "cash": fund.account("cash").balance,
        "bank": fund.account("bank").balance,
    }
    return render(
        request,
        "web/runs/run_post.html",
        {
            "run": run,
            "fund": fund,
            "form": form,
            "label": run_svc.period_label(run.period_key),
            "balances": money_from,
            "can_post": run.state == RunState.APPROVED,
        },
    )


@login_required
def run_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signature sheet for paying a run in cash: name, member number, amount, a column to
    sign; one section per village group (or one group with ``?group=``)."""
    run = run_for(request.user, pk)
    if run.state == RunState.CANCELLED:
        raise _not_found()
    groups = _groups_of(run)
    group = _group_filter(request, groups)
    lines = (
        RunLine.objects.filter(run=run)
        .select_related("membership__person", "membership__org_unit")
        .order_by("membership__org_unit__name", "membership__member_no", "pk")
    )
    if group is not None:
        lines = lines.filter(membership__org_unit=group)
    sections: list[dict[str, Any]] = []
    for ln in lines:
        unit = ln.membership.org_unit
        if not sections or sections[-1]["unit"].pk != unit.pk:
            sections.append({"unit": unit, "lines": [], "total": Decimal("0.00")})
        sections[-1]["lines"].append(ln)
        sections[-1]["total"] += ln.amount
    total = sum((s["total"] for s in sections), Decimal("0.00"))
    data = pdf.run_signature_sheet(
        {
            "run": run,
            "fund": run.fund,
            "label": run_svc.period_label(run.period_key),
            "sections": sections,
            "total": total,
            "count": sum(len(s["lines"]) for s in sections),
            "words": baht_text(total),
            "draft": run.state == RunState.PREVIEW,
            "printed": format_be_date(timezone.localdate(), "long"),
        }
    )
    suffix = f"-g{group.pk}" if group is not None else ""
    return pdf.pdf_response(data, f"run-{run.pk}-{run.period_key}{suffix}.pdf")


# ---------------------------------------------------------------- the projection


@dataclass(frozen=True)
class Series:
    values: Sequence[float]
    css: str  # a class of web/projection/_style.html
    label: str


@dataclass(frozen=True)
class Band:
    low: Sequence[float]
    high: Sequence[float]
    css: str


def _nice_step(span: float, count: int = 4) -> float:
    raw = span / max(count, 1)
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def short_baht(value: float) -> str:
    """ "1.2 ล้าน", "350 พัน", "-80 พัน", "0": short labels for a chart's axis."""
    v = abs(value)
    sign = "-" if value < 0 else ""
    if v >= 1_000_000:
        text = f"{v / 1_000_000:.1f}".rstrip("0").rstrip(".")
        return f"{sign}{text} " + _("ล้าน")
    if v >= 1_000:
        return f"{sign}{v / 1_000:.0f} " + _("พัน")
    return f"{sign}{v:.0f}"


W, H = 360.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 50.0, 10.0, 12.0, 26.0


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    bands: Sequence[Band] = (),
) -> SafeString:
    """An SVG line chart: x one point per label, y in baht with a zero line when in range."""
    values = [v for s in series for v in s.values] + [v for b in bands for v in (*b.low, *b.high)]
    low, high = min([*values, 0.0]), max([*values, 0.0])
    if high == low:
        high = low + 1.0
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    n = max(len(x_labels) - 1, 1)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + pw * i / n

    def y(v: float) -> float:
        return TOP + ph * (high - v) / (high - low)

    def pts(vals: Sequence[float]) -> str:
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))

    out = [
        f'<svg class="chart" viewBox="0 0 {W:.0f} {H:.0f}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    tick = low
    while tick <= high + step / 2:
        ty = y(tick)
        out.append(
            f'<line class="grid" x1="{LEFT:.0f}" x2="{W - RIGHT:.0f}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
            f'<text class="ylab" x="{LEFT - 4:.0f}" y="{ty + 3.5:.1f}">{escape(short_baht(tick))}</text>'
        )
        tick += step
    every = max(1, math.ceil(len(x_labels) / 6))
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            out.append(f'<text class="xlab" x="{x(i):.1f}" y="{H - 8:.0f}">{escape(label)}</text>')
    if low < 0 < high:
        out.append(
            f'<line class="zero" x1="{LEFT:.0f}" x2="{W - RIGHT:.0f}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
        )
    for b in bands:
        ring = (
            pts(b.high)
            + " "
            + " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(b.low))))
        )
        out.append(f'<polygon class="{b.css}" points="{ring}"/>')
    for s in series:
        out.append(
            f'<polyline class="{s.css}" points="{pts(s.values)}"><title>{escape(s.label)}</title></polyline>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


def _balance_chart(base: pj.Projection, other: pj.Projection | None) -> SafeString:
    labels = [str(be_year(base.as_of))] + [str(r.be_year) for r in base.rows]
    opening = float(base.opening_balance)

    def with_start(vals: list[Decimal]) -> list[float]:
        return [opening, *[float(v) for v in vals]]

    series = [
        Series(with_start([r.balance for r in base.rows]), "s-base", _("ประมาณการตามระเบียบปัจจุบัน"))
    ]
    bands = [
        Band(
            with_start([r.p10 for r in base.rows]), with_start([r.p90 for r in base.rows]), "b-base"
        )
    ]
    if other is not None:
        bands.append(
            Band(
                with_start([r.p10 for r in other.rows]),
                with_start([r.p90 for r in other.rows]),
                "b-alt",
            )
        )
        series.append(
            Series(with_start([r.balance for r in other.rows]), "s-alt", _("ถ้าเปลี่ยนตามที่กำหนด"))
        )
    final = base.final
    desc = _("เงินกองทุนคาดว่าจะเป็น %(b)s บาท ในปี %(y)s (ช่วง P10–P90: %(lo)s ถึง %(hi)s บาท)") % {
        "b": format_baht(final.balance, 0),
        "y": final.be_year,
        "lo": format_baht(final.p10, 0),
        "hi": format_baht(final.p90, 0),
    }
    return line_chart(
        title=_("เงินกองทุนคงเหลือ"), description=desc, x_labels=labels, series=series, bands=bands
    )


def _flow_chart(base: pj.Projection, other: pj.Projection | None) -> SafeString:
    labels = [str(r.be_year) for r in base.rows]
    series = [
        Series([float(r.income) for r in base.rows], "s-income", _("รายรับ")),
        Series(
            [float(r.benefits_total + r.admin) for r in base.rows],
            "s-spend",
            _("สวัสดิการและค่าบริหาร"),
        ),
    ]
    if other is not None:
        series.append(
            Series([float(r.income) for r in other.rows], "s-income-alt", _("รายรับ (ถ้าเปลี่ยน)"))
        )
        series.append(
            Series(
                [float(r.benefits_total + r.admin) for r in other.rows],
                "s-spend-alt",
                _("สวัสดิการและค่าบริหาร (ถ้าเปลี่ยน)"),
            )
        )
    first = base.rows[0]
    desc = _("ปีแรก รายรับ %(i)s บาท สวัสดิการและค่าบริหาร %(s)s บาท") % {
        "i": format_baht(first.income, 0),
        "s": format_baht(first.benefits_total + first.admin, 0),
    }
    return line_chart(
        title=_("รายรับเทียบกับรายจ่ายต่อปี"), description=desc, x_labels=labels, series=series
    )


def _benefit_choices(fund: Fund) -> list[tuple[str, str]]:
    version = benefit_sel.version_in_force(fund, timezone.localdate())
    if version is None:
        return []
    return [(b.code, b.name) for b in version.benefits.order_by("order", "pk")]


def _scenario(form: ProjectionForm) -> pj.Scenario:
    cd = form.cleaned_data
    factors: tuple[tuple[str, float], ...] = ()
    if cd.get("benefit") and cd.get("benefit_percent") is not None:
        factors = ((cd["benefit"], cd["benefit_percent"] / 100),)
    contribution = cd.get("contribution_percent")
    matching = cd.get("whatif_matching")
    return pj.Scenario(
        benefit_factors=factors,
        contribution_factor=(contribution / 100) if contribution is not None else 1.0,
        matching_per_member=float(matching) if matching is not None else None,
    )


def _what_if_text(form: ProjectionForm, names: dict[str, str]) -> list[str]:
    cd = form.cleaned_data
    out = []
    if cd.get("benefit") and cd.get("benefit_percent") is not None:
        out.append(
            _("%(b)s เป็นร้อยละ %(p)s ของจำนวนเงินเดิม")
            % {"b": names.get(cd["benefit"], cd["benefit"]), "p": cd["benefit_percent"]}
        )
    if cd.get("contribution_percent") is not None:
        out.append(_("เงินสมทบของสมาชิกเป็นร้อยละ %(p)s") % {"p": cd["contribution_percent"]})
    if cd.get("whatif_matching") is not None:
        out.append(
            _("เงินสมทบจากรัฐและ อปท. %(a)s บาทต่อสมาชิกต่อปี")
            % {"a": format_baht(cd["whatif_matching"])}
        )
    return out


@login_required
def projection(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    choices = _benefit_choices(fund)
    form = ProjectionForm(request.GET or None, benefits=choices)
    base = other = None
    what_if: list[str] = []
    if not form.is_bound or form.is_valid():
        if not form.is_bound:
            form = ProjectionForm(initial={"years": 15}, benefits=choices)
            years, matching, scenario = 15, None, None
        else:
            years, matching = form.cleaned_data["years"], form.matching_value()
            scenario = _scenario(form)
            what_if = _what_if_text(form, dict(choices))
        base, other = pj.project_fund(
            fund, years=years, matching_per_member=matching, what_if=scenario
        )
    context: dict[str, Any] = {"fund": fund, "form": form, "base": base, "other": other}
    if base is not None:
        context.update(
            {
                "what_if": what_if,
                "balance_chart": _balance_chart(base, other),
                "flow_chart": _flow_chart(base, other),
                "pairs": [
                    (b, o, o.balance - b.balance)
                    for b, o in zip(base.rows, other.rows, strict=True)
                ]
                if other
                else [],
                "codes": list(base.benefit_names.items()),
                "benefit_rows": [
                    (r.be_year, [r.benefits.get(code, 0) for code in base.benefit_names])
                    for r in base.rows
                ],
            }
        )
    return render(request, "web/projection/projection.html", context)


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/runs/", run_list, name="run_list"),
    path("funds/<int:pk>/runs/new/", run_create, name="run_create"),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
    path("runs/<int:pk>/refresh/", run_refresh, name="run_refresh"),
    path("runs/<int:pk>/approve/", run_approve, name="run_approve"),
    path("runs/<int:pk>/pay/", run_post, name="run_post"),
    path("runs/<int:pk>/cancel/", run_cancel, name="run_cancel"),
    path("runs/<int:pk>/sheet.pdf", run_sheet_pdf, name="run_sheet_pdf"),
    path("funds/<int:pk>/projection/", projection, name="projection"),
]
