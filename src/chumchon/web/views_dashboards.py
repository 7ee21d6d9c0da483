"""Dashboards per org unit (a fund, a village group, a district, a province network) rolled up
over the funds below it, and each fund's public transparency board.

A dashboard needs ``Perm.VIEW_BOOKS`` at its unit (a role there or above it); any other unit
answers 404, so a coordinator of one province sees every fund below it and nothing outside, and
a fund's committee sees their fund and its village groups only. The figures come from
``reports.rollup`` (summaries and the ledger's monthly cache); the charts are inline SVG drawn
here, sized by a viewBox so they read on a 360 px phone and print as they are.

The transparency board (``fund_board``) is public: no login, aggregates only (members, money in
by source and out by category, balance), no names or member numbers, and 404 unless the fund
turned it on in its settings (``Fund.public_board``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.areas.models import OrgUnit
from chumchon.areas.selectors import active_roles, user_can
from chumchon.core.permissions import Perm, role_allows
from chumchon.core.thai import THAI_MONTHS_ABBR, be_year, fiscal_year, format_baht
from chumchon.funds.models import Fund
from chumchon.reports import rollup as ru
from chumchon.reports.tasks import queue_refresh

from .fundcommon import require

ZERO = Decimal("0.00")
FY_MIN, FY_MAX = 2500, 2700


def _today() -> dt.date:
    return timezone.localdate()


def _not_found() -> Http404:
    return Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


# --- charts (inline SVG) ---------------------------------------------------------------------

W = 360  # viewBox width: one unit is one CSS pixel on a phone
PALETTE = ("#1f6f50", "#d99a00", "#2f6fb5", "#9c2119")


def month_label(day: dt.date) -> str:
    """ "ต.ค. 68": the month and the BE year's last two digits."""
    return f"{THAI_MONTHS_ABBR[day.month - 1]} {be_year(day) % 100:02d}"


def short_number(value: Decimal | int) -> str:
    """An axis label: 1,250,000 → "1.25 ล้าน", 35,000 → "35,000"."""
    v = Decimal(value)
    if abs(v) >= 1_000_000:
        return _("%(n)s ล้าน") % {"n": f"{v / 1_000_000:.2f}".rstrip("0").rstrip(".")}
    return f"{v:,.0f}"


def _nice_max(value: Decimal | int) -> Decimal:
    """The top of an axis of four equal steps, each a round number (1, 2, 2.5 or 5 times a
    power of ten, whole numbers only), at or above ``value``."""
    v = Decimal(value)
    if v <= 0:
        return Decimal(4)
    raw = v / 4
    power = Decimal(1)
    while power * 10 <= raw:
        power *= 10
    for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        step = power * m
        if step >= raw and step == step.to_integral_value():
            return step * 4
    return power * 40


@dataclass
class Series:
    label: str
    values: list[Decimal]
    color: str


def _n(v: float) -> str:
    return f"{v:.1f}"


def _axis(top_value: Decimal, left: int, top: int, plot_h: int) -> list[str]:
    """Five grid lines with round numbers at the left."""
    parts = []
    for k in range(5):
        v = top_value * k / 4
        yv = top + plot_h - float(v / top_value) * plot_h
        parts.append(
            f'<line x1="{left}" x2="{W - 8}" y1="{_n(yv)}" y2="{_n(yv)}" class="grid"/>'
            f'<text x="{left - 4}" y="{_n(yv + 4)}" class="axis" text-anchor="end">'
            f"{escape(short_number(v))}</text>"
        )
    return parts


def line_chart(
    title: str, months: list[dt.date], series: list[Series], *, money: bool = False
) -> SafeString:
    """Lines over months, with a y axis of round numbers and a few month labels."""
    h, left, right, top, bottom = 200, 56, 8, 14, 46
    if not months or not series:
        return mark_safe("")
    top_value = _nice_max(max((max(s.values) for s in series if s.values), default=0))
    plot_w, plot_h = W - left - right, h - top - bottom
    n = len(months)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: Decimal) -> float:
        return top + plot_h - float(Decimal(v) / top_value) * plot_h

    parts = _axis(top_value, left, top, plot_h)
    ticks = sorted({0, n - 1, *range(0, n, max(1, n // 4))})
    if len(ticks) > 1 and ticks[-1] - ticks[-2] < max(1, n // 8):
        ticks.pop(-2)  # keep the last month's label clear of the one before it
    for i in ticks:
        tx = min(max(x(i), left + 14), W - right - 14)
        parts.append(
            f'<text x="{_n(tx)}" y="{top + plot_h + 16}" class="axis" text-anchor="middle">'
            f"{escape(month_label(months[i]))}</text>"
        )
    for s in series:
        points = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(s.values))
        if n == 1:
            parts.append(
                f'<circle cx="{_n(x(0))}" cy="{_n(y(s.values[0]))}" r="3" fill="{s.color}"/>'
            )
        else:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2.2"/>'
            )
    last = series[0].values[-1] if series[0].values else ZERO
    parts.append(
        f'<text x="{W - right}" y="{_n(max(y(last) - 6, 10))}" class="legend" text-anchor="end">'
        f"{escape(format_baht(last) if money else short_number(last))}</text>"
    )
    return _svg(title, h, "".join(parts) + _legend(series, h - 8))


def _legend(series: list[Series], y: int) -> str:
    out, x = [], 8
    for s in series:
        out.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{s.color}"/>'
            f'<text x="{x + 16}" y="{y}" class="legend">{escape(s.label)}</text>'
        )
        x += 28 + 9 * len(s.label)
    return "".join(out)


def _svg(title: str, h: int, body: str) -> SafeString:
    t = escape(title)
    # Every text inside was escaped where it was put in.
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {W} {h}" role="img" aria-label="{t}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>{body}</svg>'
    )


def bar_pairs(title: str, months: list[dt.date], a: Series, b: Series) -> SafeString:
    """Two bars a month side by side (due and collected)."""
    h, left, right, top, bottom = 200, 56, 8, 14, 46
    if not months:
        return mark_safe("")
    top_value = _nice_max(max([*a.values, *b.values, Decimal(0)]))
    plot_w, plot_h = W - left - right, h - top - bottom
    slot = plot_w / len(months)
    bar = max(1.5, slot * 0.38)
    parts = _axis(top_value, left, top, plot_h)
    every = max(1, len(months) // 6)
    for i, month in enumerate(months):
        x0 = left + slot * i + slot * 0.1
        for j, s in enumerate((a, b)):
            v = s.values[i]
            bh = float(Decimal(v) / top_value) * plot_h
            tip = escape(f"{month_label(month)} {s.label}: {format_baht(v)}")
            parts.append(
                f'<rect x="{_n(x0 + j * bar)}" y="{_n(top + plot_h - bh)}" width="{_n(bar)}" '
                f'height="{_n(bh)}" fill="{s.color}"><title>{tip}</title></rect>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{_n(left + slot * i + slot / 2)}" y="{top + plot_h + 16}" '
                f'class="axis" text-anchor="middle">{escape(month_label(month))}</text>'
            )
    return _svg(title, h, "".join(parts) + _legend([a, b], h - 8))


def hbars(title: str, rows: list[tuple[str, list[Decimal]]], series: list[Series]) -> SafeString:
    """Horizontal bars, the label above its bar(s) so long Thai labels fit a phone."""
    rows = [r for r in rows if any(v for v in r[1])]
    if not rows:
        return mark_safe("")
    top_value = _nice_max(max(v for _label, vs in rows for v in vs))
    left = 8
    plot_w = W - left - 8 - 78
    bar_h, gap = 10, 4
    row_h = 18 + len(series) * (bar_h + gap) + 4
    h = 8 + row_h * len(rows) + (22 if len(series) > 1 else 4)
    parts: list[str] = []
    for i, (label, values) in enumerate(rows):
        y0 = 8 + row_h * i
        parts.append(f'<text x="{left}" y="{y0 + 12}" class="label">{escape(label)}</text>')
        for j, v in enumerate(values):
            yb = y0 + 18 + j * (bar_h + gap)
            bw = float(Decimal(v) / top_value) * plot_w if v > 0 else 0.0
            parts.append(
                f'<rect x="{left}" y="{yb}" width="{_n(bw)}" height="{bar_h}" '
                f'fill="{series[j].color}"/>'
                f'<text x="{_n(left + bw + 4)}" y="{yb + bar_h - 1}" class="axis">'
                f"{escape(format_baht(v, 0))}</text>"
            )
    legend = _legend(series, h - 6) if len(series) > 1 else ""
    return _svg(title, h, "".join(parts) + legend)


def dashboard_charts(r: ru.Rollup) -> dict[str, SafeString]:
    months = [p.month for p in r.series]
    charts: dict[str, SafeString] = {}
    charts["members"] = line_chart(
        _("สมาชิกรายเดือน"),
        months,
        [
            Series(_("สมาชิก"), [Decimal(p.current) for p in r.series], PALETTE[0]),
            Series(_("ค้างชำระ"), [Decimal(p.arrears) for p in r.series], PALETTE[1]),
        ],
    )
    year = [p for p in r.series if r.fy_start <= p.month <= r.fy_end]
    charts["dues"] = bar_pairs(
        _("เงินสมทบที่ถึงกำหนดและที่เก็บได้ รายเดือน"),
        [p.month for p in year],
        Series(_("ถึงกำหนด"), [p.dues_expected for p in year], "#9aa7ae"),
        Series(_("เก็บได้"), [p.dues_paid for p in year], PALETTE[0]),
    )
    if r.money:
        charts["balance"] = line_chart(
            _("เงินสดและเงินฝาก ณ สิ้นเดือน"),
            months,
            [Series(_("ยอดเงิน"), [p.balance or ZERO for p in r.series], PALETTE[2])],
            money=True,
        )
        charts["benefits"] = hbars(
            _("สวัสดิการที่จ่ายตามหมวด (บาท)"),
            [(f"{b.key} {b.label}", [b.this_year, b.last_year]) for b in r.benefits],
            [
                Series(_("ปีงบประมาณ %(fy)s") % {"fy": r.fiscal_year}, [], PALETTE[0]),
                Series(_("ปีก่อน"), [], "#9aa7ae"),
            ],
        )
        charts["matching"] = hbars(
            _("เงินจากแหล่งทุนที่สัญญาไว้ และที่ได้รับแล้ว (ตั้งแต่ก่อตั้ง)"),
            [(m.label, [m.pledged, m.received]) for m in r.matching if m.pledged],
            [Series(_("สัญญาไว้"), [], "#9aa7ae"), Series(_("ได้รับแล้ว"), [], PALETTE[2])],
        )
    return charts


# --- which units a user may open --------------------------------------------------------------


def dashboard_units(user: Any) -> list[OrgUnit]:
    """The units where the user holds a role that sees the books, highest first."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return list(OrgUnit.objects.filter(parent__isnull=True, active=True).order_by("path"))
    units: dict[int, OrgUnit] = {}
    for ra in active_roles(user):
        if role_allows(ra.role, Perm.VIEW_BOOKS):
            units.setdefault(ra.org_unit_id, ra.org_unit)
    return sorted(units.values(), key=lambda u: (u.depth, u.path))


def _unit_for(user: Any, pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk, active=True).select_related("parent").first()
    if unit is None or not user_can(user, Perm.VIEW_BOOKS, unit):
        raise _not_found()
    return unit


def _fy_param(request: HttpRequest) -> int | None:
    try:
        fy = int(request.GET.get("fy", ""))
    except ValueError:
        return None
    return fy if FY_MIN <= fy <= FY_MAX else None


def _crumbs(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    return [u for u in unit.ancestors() if user_can(user, Perm.VIEW_BOOKS, u)]


def _render_dashboard(request: HttpRequest, unit: OrgUnit | None) -> HttpResponse:
    choices = dashboard_units(request.user)
    if unit is None:
        if not choices:
            return render(request, "web/dashboards/dashboard.html", {"choices": [], "r": None})
        unit = choices[0]
    r = ru.rollup_for(unit, fiscal_year_be=_fy_param(request))
    fund = r.fund
    can_refresh = fund is not None and user_can(request.user, Perm.MANAGE_FUND, fund.org_unit)
    current_fy = fiscal_year(_today(), start_month=r.start_month)
    return render(
        request,
        "web/dashboards/dashboard.html",
        {
            "r": r,
            "unit": unit,
            "fund": fund if r.level == "fund" else None,
            "choices": choices,
            "crumbs": _crumbs(request.user, unit),
            "charts": dashboard_charts(r),
            "can_refresh": can_refresh,
            "years": [current_fy, current_fy - 1, current_fy - 2],
            "current_fy": current_fy,
            "type_labels": _type_labels(r.total.by_type),
        },
    )


def _type_labels(by_type: Any) -> list[tuple[str, int]]:
    from chumchon.funds.models import MemberType

    labels = dict(MemberType.choices)
    return [(str(labels.get(k, k)), n) for k, n in sorted(by_type.items()) if n]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard of the highest unit the user holds a role at (a unit can be chosen)."""
    pick = request.GET.get("unit")
    if pick and pick.isdigit():
        return redirect("dashboard_unit", pk=int(pick))
    return _render_dashboard(request, None)


@login_required
def dashboard_unit(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_dashboard(request, _unit_for(request.user, pk))


@login_required
@require_POST
def dashboard_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a refresh of the fund's summaries (a fund's or one of its groups' dashboard)."""
    unit = _unit_for(request.user, pk)
    fund = ru.fund_of_unit(unit)
    if fund is None:
        raise _not_found()
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    if queue_refresh(fund.pk):
        messages.success(request, _("ส่งคำขอปรับปรุงข้อมูลสรุปแล้ว ตัวเลขจะเป็นปัจจุบันในไม่กี่นาที"))
    else:
        messages.info(request, _("มีคำขอปรับปรุงข้อมูลสรุปของกองทุนนี้รออยู่ในคิวแล้ว"))
    return redirect("dashboard_unit", pk=unit.pk)


# --- the public transparency board ------------------------------------------------------------


def fund_board(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: a fund's aggregates for this fiscal year and the one before. No personal data."""
    fund = Fund.objects.select_related("org_unit").filter(pk=pk, public_board=True).first()
    if fund is None:
        raise Http404(_("ไม่พบกระดานความโปร่งใสของกองทุนนี้"))
    r = ru.rollup_for(fund.org_unit)
    income_now, income_before = r.income_total
    spent_now, spent_before = r.expenses_total
    response = render(
        request,
        "web/dashboards/board.html",
        {
            "fund": fund,
            "r": r,
            "income_now": income_now,
            "income_before": income_before,
            "spent_now": spent_now,
            "spent_before": spent_before,
            "benefits": [b for b in r.benefits if b.this_year or b.last_year],
            "as_of": r.funds[0].as_of if r.funds else None,
            "month": r.funds[0].month if r.funds else None,
            "chart": hbars(
                _("เงินเข้าและเงินออก (บาท)"),
                [
                    (_("เงินเข้า"), [income_now, income_before]),
                    (_("เงินออก"), [spent_now, spent_before]),
                ],
                [
                    Series(_("ปีงบประมาณ %(fy)s") % {"fy": r.fiscal_year}, [], PALETTE[0]),
                    Series(_("ปีงบประมาณ %(fy)s") % {"fy": r.fiscal_year - 1}, [], "#9aa7ae"),
                ],
            ),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("dashboards/", dashboard, name="dashboard"),
    path("dashboards/<int:pk>/", dashboard_unit, name="dashboard_unit"),
    path("dashboards/<int:pk>/refresh/", dashboard_refresh, name="dashboard_refresh"),
    path("board/<int:pk>/", fund_board, name="fund_board"),
]
