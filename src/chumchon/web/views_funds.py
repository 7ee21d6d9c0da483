"""Fund screens: setup (rules, plans, chart of accounts) and members (see fundcommon.py for how
records are found and permissions checked)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chumchon.areas import selectors as area_sel
from chumchon.areas.models import OrgUnit, OrgUnitKind
from chumchon.core.audit import history_entries
from chumchon.core.permissions import Perm, Role
from chumchon.core.querying import prefix_q
from chumchon.core.thai import (
    THAI_MONTHS,
    ThaiDateError,
    format_baht,
    format_be_date,
    parse_be_date,
    to_arabic_digits,
)
from chumchon.funds import selectors as fund_sel
from chumchon.funds import services as fs
from chumchon.funds.models import (
    ContributionPlan,
    Fund,
    LapseRule,
    Membership,
    MembershipEvent,
    MembershipState,
    MemberType,
    Payment,
    Refund,
    RefundRule,
)
from chumchon.ledger.models import DEBIT_NORMAL, Account, AccountKind
from chumchon.people import selectors as people_sel
from chumchon.people.models import Person

from .forms_funds import (
    RELATIONS,
    AccountEditForm,
    AccountForm,
    ApproveForm,
    FundCreateForm,
    FundEditForm,
    MemberApplyForm,
    MoveForm,
    PlanChangeForm,
    PlanEditForm,
    PlanForm,
    RejectForm,
    ResignForm,
    beneficiary_rows,
    pct,
    plan_rows,
    plan_rows_initial,
)
from .fundcommon import can, fund_for, membership_for, require

PAGE_SIZE = 25
ZERO = Decimal("0.00")


def _today() -> dt.date:
    return timezone.localdate()


def _not_found() -> Http404:
    return Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


def _errors(form: Any, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's refusal on the form. On a field the template already shows the field's label,
    so the service's own "label: " prefix is left off there; form-wide errors keep it."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            target = (aliases or {}).get(name, name)
            for e in errs:
                if target in form.fields and not form.fields[target].widget.is_hidden:
                    head, sep, rest = e.partition(": ")
                    form.add_error(target, rest if sep and len(head) <= 40 else e)
                else:
                    form.add_error(None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def _form_messages(request: HttpRequest, form: Any) -> None:
    """A POST-only form's errors as messages, each naming its field."""
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


def _history(user: Any, unit: OrgUnit, obj: Any) -> dict[str, Any]:
    """The fund's history, without the links to its unit and ledger book (set once, at opening)."""
    if not can(user, Perm.VIEW_HISTORY, unit):
        return {"show_history": False, "history": []}
    hidden = {
        str(getattr(Fund._meta.get_field(n), "verbose_name", n)) for n in ("org_unit", "book")
    }
    entries = history_entries(obj)
    for e in entries:
        e.changes = [c for c in e.changes if c.label not in hidden]
    return {"show_history": True, "history": entries}


def _groups(fund: Fund) -> QuerySet[OrgUnit]:
    """The fund's village groups (the fund's own unit when it has none)."""
    groups = OrgUnit.objects.filter(
        prefix_q("path", fund.org_unit.path), kind=OrgUnitKind.VILLAGE_GROUP, active=True
    ).order_by("village__number", "name", "pk")
    if groups.exists():
        return groups
    return OrgUnit.objects.filter(pk=fund.org_unit_id)


def _groups_where(user: Any, fund: Fund, perm: str) -> QuerySet[OrgUnit]:
    groups = _groups(fund)
    return groups.filter(pk__in=[g.pk for g in groups if can(user, perm, g)])


def _cash_accounts(fund: Fund) -> tuple[list[Account], Decimal]:
    accounts = list(Account.objects.filter(book_id=fund.book_id, is_cash=True).order_by("code"))
    return accounts, sum((a.balance for a in accounts), ZERO)


def _month_name(month: int) -> str:
    return _(THAI_MONTHS[month - 1])


def fund_rules(fund: Fund) -> list[str]:
    """The fund's rules as Thai sentences (the overview and the edit screen show them)."""
    start = fund.fiscal_year_start_month
    end = 12 if start == 1 else start - 1
    rules = [
        _("ปีบัญชีเริ่มวันที่ 1 %(start)s สิ้นสุดสิ้นเดือน%(end)s")
        % {"start": _month_name(start), "end": _month_name(end)},
        _("ค่าสมัครสมาชิก %(fee)s บาท ชำระครั้งเดียวเมื่อเริ่มเป็นสมาชิก")
        % {"fee": format_baht(fund.entry_fee)}
        if fund.entry_fee > 0
        else _("ไม่เก็บค่าสมัครสมาชิก"),
    ]
    if fund.lapse_rule == LapseRule.MISSED_DUES:
        rules.append(
            _("สมาชิกที่ค้างชำระเกิน %(n)s งวด ขาดสมาชิกภาพ ต้องสมัครใหม่") % {"n": fund.lapse_missed_dues}
        )
    else:
        rules.append(_("สมาชิกที่ค้างชำระเกิน %(n)s วัน ขาดสมาชิกภาพ ต้องสมัครใหม่") % {"n": fund.lapse_days})
    percent = pct(fund.refund_percent)
    if fund.refund_rule == RefundRule.NONE or fund.refund_percent <= 0:
        rules.append(_("เมื่อลาออก กองทุนไม่คืนเงินสมทบ"))
    elif fund.refund_rule == RefundRule.IF_NO_BENEFIT:
        rules.append(_("เมื่อลาออก คืนเงินสมทบร้อยละ %(p)s หากไม่เคยได้รับสวัสดิการ") % {"p": percent})
    else:
        rules.append(_("เมื่อลาออก คืนเงินสมทบร้อยละ %(p)s ทุกกรณี") % {"p": percent})
    rules.append(
        _("ใบสมัครสมาชิกใหม่อนุมัติโดย%(role)s") % {"role": Role(fund.member_approver_role).label}
    )
    if fund.founded_on:
        rules.append(_("ก่อตั้งเมื่อ %(d)s") % {"d": format_be_date(fund.founded_on, "long")})
    return rules


# ---------------------------------------------------------------- funds


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    funds = list(fund_sel.funds_visible_to(user).order_by("org_unit__path"))
    states: dict[int, Counter[str]] = {f.pk: Counter() for f in funds}
    for row in (
        Membership.objects.filter(fund__in=funds)
        .values("fund_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        states[row["fund_id"]][row["state"]] = row["n"]
    cash: dict[int, Decimal] = {}
    for book_id, debits, credits in (
        Account.objects.filter(book__fund__in=funds, is_cash=True)
        .values_list("book_id")
        .annotate(d=Sum("debit_total"), c=Sum("credit_total"))
        .order_by()
    ):
        cash[book_id] = (debits or ZERO) - (credits or ZERO)
    rows = [
        {
            "fund": f,
            "members": states[f.pk][MembershipState.APPROVED],
            "applicants": states[f.pk][MembershipState.APPLIED],
            "cash": cash.get(f.book_id, ZERO),
        }
        for f in funds
    ]
    openable = list(
        area_sel.units_visible_to(user, perm=Perm.MANAGE_FUND)
        .filter(kind=OrgUnitKind.FUND, active=True, fund__isnull=True)
        .order_by("path")
    )
    # Village-group committees see their own group's members without the fund-level pages.
    group_units = list(
        area_sel.units_visible_to(user, perm=Perm.VIEW_BOOKS)
        .filter(kind=OrgUnitKind.VILLAGE_GROUP)
        .exclude(parent__fund__in=funds)
        .filter(parent__fund__isnull=False)
        .select_related("parent__fund")
        .order_by("path")
    )
    return render(
        request,
        "web/funds/fund_list.html",
        {"rows": rows, "openable": openable, "group_units": group_units},
    )


@login_required
def fund_create(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        unit = area_sel.unit_get(request.user, pk)
    except OrgUnit.DoesNotExist as exc:
        raise _not_found() from exc
    require(request.user, Perm.MANAGE_FUND, unit)
    existing = Fund.objects.filter(org_unit=unit).first()
    if existing is not None:
        messages.info(request, _("หน่วยนี้เปิดบัญชีกองทุนไว้แล้ว"))
        return redirect("fund_detail", pk=existing.pk)
    can_open = unit.kind == OrgUnitKind.FUND and unit.active
    form = FundCreateForm(request.POST or None)
    plans = plan_rows(request.POST or None, initial=plan_rows_initial())
    if request.method == "POST" and can_open:
        form_ok = form.is_valid()
        plans_ok = plans.is_valid()
        if form_ok and plans_ok:
            try:
                fund = fs.fund_create(
                    actor=request.user, org_unit=unit, plans=plans.plans(), **form.cleaned_data
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("เปิดบัญชีกองทุน %(name)s แล้ว") % {"name": fund.name})
                return redirect("fund_detail", pk=fund.pk)
    villages = list(area_sel.villages_for_units([unit]).order_by("number"))
    groups = list(
        OrgUnit.objects.filter(
            prefix_q("path", unit.path), kind=OrgUnitKind.VILLAGE_GROUP
        ).order_by("path")
    )
    return render(
        request,
        "web/funds/fund_form.html",
        {
            "unit": unit,
            "form": form,
            "plans": plans,
            "can_open": can_open,
            "villages": villages,
            "groups": groups,
            "fund": None,
        },
    )


def _status_counts(fund: Fund, day: dt.date) -> tuple[Counter[str], Counter[str]]:
    """Members by derived status on ``day``, and members in good standing by member type."""
    members = list(
        Membership.objects.filter(fund=fund)
        .exclude(state=MembershipState.REJECTED)
        .select_related("person", "plan", "fund")
    )
    statuses = fund_sel.statuses_for(members, day)
    by_status: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for m in members:
        st = statuses[m.pk]
        by_status[st.code] += 1
        if st.in_good_standing:
            by_type[m.member_type] += 1
    return by_status, by_type


STATUS_ORDER = ("active", "arrears", "lapsed", "resigned", "dead", "applicant")


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    today = _today()
    by_status, by_type = _status_counts(fund, today)
    accounts, cash_total = _cash_accounts(fund)
    in_plan = dict(
        Membership.objects.filter(fund=fund, state=MembershipState.APPROVED)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    plans = [(p, in_plan.get(p.pk, 0)) for p in fund.plans.all()]
    groups = list(_groups(fund))
    group_counts = dict(
        Membership.objects.filter(fund=fund, state=MembershipState.APPROVED)
        .values_list("org_unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    user = request.user
    return render(
        request,
        "web/funds/fund_detail.html",
        {
            "fund": fund,
            "today": today,
            "rules": fund_rules(fund),
            "statuses": [
                (code, fund_sel.STATUS_LABELS[code], by_status.get(code, 0))
                for code in STATUS_ORDER
            ],
            "current": by_status.get("active", 0) + by_status.get("arrears", 0),
            "types": [(t.label, by_type.get(t.value, 0)) for t in MemberType],
            "accounts": accounts,
            "cash_total": cash_total,
            "plans": plans,
            "groups": [(g, group_counts.get(g.pk, 0)) for g in groups],
            "can_manage_fund": can(user, Perm.MANAGE_FUND, fund.org_unit),
            "can_apply": _groups_where(user, fund, Perm.MANAGE_MEMBERS).exists(),
            **_history(user, fund.org_unit, fund),
        },
    )


def _fund_initial(fund: Fund) -> dict[str, Any]:
    return {
        "founded_on": fund.founded_on,
        "entry_fee": fund.entry_fee,
        "lapse_rule": fund.lapse_rule,
        "lapse_days": fund.lapse_days,
        "lapse_missed_dues": fund.lapse_missed_dues,
        "refund_rule": fund.refund_rule,
        "refund_percent": fund.refund_percent,
        "member_approver_role": fund.member_approver_role,
        "public_board": fund.public_board,
    }


@login_required
def fund_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = FundEditForm(request.POST or None, initial=_fund_initial(fund))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            fs.fund_update(actor=request.user, fund=fund, reason=reason, **data)
        except ValidationError as exc:
            fund.refresh_from_db()
            _errors(form, exc)
        else:
            messages.success(request, _("บันทึกระเบียบของกองทุนแล้ว"))
            return redirect("fund_detail", pk=fund.pk)
    return render(
        request,
        "web/funds/fund_form.html",
        {
            "fund": fund,
            "form": form,
            "rules": fund_rules(fund),
            "fy_month": _month_name(fund.fiscal_year_start_month),
            **_history(request.user, fund.org_unit, fund),
        },
    )


# ---------------------------------------------------------------- plans


@login_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = PlanForm(request.POST or None, initial={"months": 1, "amount": Decimal("30")})
    if request.method == "POST" and form.is_valid():
        try:
            plan = fs.plan_create(actor=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("เพิ่มแบบการออม “%(n)s” แล้ว") % {"n": plan.name})
            return redirect(reverse("fund_detail", args=[fund.pk]) + "#plans")
    return render(request, "web/funds/plan_form.html", {"fund": fund, "form": form, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    plan = ContributionPlan.objects.filter(fund=fund, pk=plan_pk).first()
    if plan is None:
        raise _not_found()
    in_use = fs.plan_in_use(plan)
    form = PlanEditForm(
        request.POST or None,
        initial={
            "name": plan.name,
            "months": plan.months,
            "amount": plan.amount,
            "active": plan.active,
        },
    )
    if in_use:
        form.fields["months"].disabled = True
        form.fields["amount"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fs.plan_update(
                actor=request.user,
                plan=plan,
                name=data["name"],
                active=data["active"],
                months=data["months"],
                amount=data["amount"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("บันทึกแบบการออมแล้ว"))
            return redirect(reverse("fund_detail", args=[fund.pk]) + "#plans")
    return render(
        request,
        "web/funds/plan_form.html",
        {"fund": fund, "form": form, "plan": plan, "in_use": in_use},
    )


# ---------------------------------------------------------------- chart of accounts


@login_required
def fund_chart(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    accounts = list(Account.objects.filter(book_id=fund.book_id).order_by("code"))
    groups = []
    for kind in AccountKind:
        rows = [a for a in accounts if a.kind == kind.value]
        groups.append(
            {
                "kind": kind,
                "rows": rows,
                "total": sum((a.balance for a in rows), ZERO),
                "debit_normal": kind.value in DEBIT_NORMAL,
            }
        )
    return render(
        request,
        "web/funds/chart.html",
        {
            "fund": fund,
            "groups": groups,
            "can_manage": can(request.user, Perm.MANAGE_FUND, fund.org_unit),
        },
    )


@login_required
def account_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = AccountForm(request.POST or None, initial={"kind": AccountKind.EXPENSE})
    if request.method == "POST" and form.is_valid():
        try:
            account = fs.fund_account_create(actor=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("เพิ่มบัญชี %(a)s แล้ว") % {"a": account})
            return redirect("fund_chart", pk=fund.pk)
    return render(
        request, "web/funds/account_form.html", {"fund": fund, "form": form, "account": None}
    )


@login_required
def account_edit(request: HttpRequest, pk: int, account_pk: int) -> HttpResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_FUND, fund.org_unit)
    account = Account.objects.filter(book_id=fund.book_id, pk=account_pk).first()
    if account is None:
        raise _not_found()
    form = AccountEditForm(
        request.POST or None, initial={"name": account.name, "active": account.active}
    )
    if request.method == "POST" and form.is_valid():
        try:
            fs.fund_account_update(
                actor=request.user, fund=fund, account=account, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("บันทึกบัญชี %(c)s แล้ว") % {"c": account.code})
            return redirect("fund_chart", pk=fund.pk)
    return render(
        request,
        "web/funds/account_form.html",
        {
            "fund": fund,
            "form": form,
            "account": account,
            "seeded": bool(account.category),
            "auto": account.category in fs.AUTO_POSTED_CATEGORIES,
        },
    )


# ---------------------------------------------------------------- member list


STATUS_FILTERS: tuple[tuple[str, Any], ...] = (
    ("active", gettext_lazy("ปกติ")),
    ("arrears", gettext_lazy("ค้างชำระ")),
    ("lapsed", gettext_lazy("ขาดสมาชิกภาพ")),
    ("resigned", gettext_lazy("ลาออก")),
    ("dead", gettext_lazy("เสียชีวิต")),
    ("applicant", gettext_lazy("รอพิจารณา")),
    ("rejected", gettext_lazy("ไม่อนุมัติ")),
)
DERIVED = {"active", "arrears", "lapsed", "resigned", "dead"}


@dataclass
class MemberFilters:
    raw: dict[str, str]
    group: OrgUnit | None = None
    status: str = ""
    member_type: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def narrowed(self) -> bool:
        return bool(self.group or self.status or self.member_type or self.errors)


def _member_filters(params: QueryDict, groups: list[OrgUnit]) -> MemberFilters:
    raw = {n: params.get(n, "").strip() for n in ("group", "status", "type")}
    f = MemberFilters(raw=raw)
    if raw["group"]:
        f.group = next((g for g in groups if str(g.pk) == raw["group"]), None)
        if f.group is None:
            f.errors["group"] = _("กลุ่มหมู่บ้าน: ไม่พบกลุ่มที่เลือกในกองทุนนี้")
    if raw["status"]:
        if raw["status"] in dict(STATUS_FILTERS):
            f.status = raw["status"]
        else:
            f.errors["status"] = _("สถานะ: ตัวเลือกไม่ถูกต้อง")
    if raw["type"]:
        if raw["type"] in MemberType.values:
            f.member_type = raw["type"]
        else:
            f.errors["type"] = _("ประเภทสมาชิก: ตัวเลือกไม่ถูกต้อง")
    return f


def _fund_for_members(user: Any, pk: int) -> tuple[Fund, bool]:
    """The fund, and whether the user sees all of it. A village group's committee or registrar
    reaches the member screens of their own group, never the fund-level pages."""
    try:
        return fund_for(user, pk), True
    except Http404:
        fund = Fund.objects.select_related("org_unit", "book").filter(pk=pk).first()
        if fund is None or not (
            area_sel.units_visible_to(user, perm=Perm.VIEW_BOOKS)
            .filter(prefix_q("path", fund.org_unit.path))
            .exists()
        ):
            raise
        return fund, False


def _sees_fund(user: Any, fund: Fund) -> bool:
    return can(user, Perm.VIEW_BOOKS, fund.org_unit)


def _search_q(q: str) -> Q:
    text = to_arabic_digits(q).strip()
    if text.isdigit() and len(text) <= 6:
        return Q(member_no=int(text))
    return Q(person__in=Person.objects.filter(people_sel.person_search_q(text)).values("pk"))


@login_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    fund, whole_fund = _fund_for_members(user, pk)
    today = _today()
    scope = fund_sel.memberships_visible_to(user).filter(fund=fund)
    groups = [g for g in _groups(fund) if whole_fund or can(user, Perm.VIEW_BOOKS, g)]
    filters = _member_filters(request.GET, groups)
    q = request.GET.get("q", "").strip()
    qs = scope.select_related("fund")
    if filters.errors:
        qs = qs.none()
    if filters.group is not None:
        qs = qs.filter(org_unit=filters.group)
    if filters.member_type:
        qs = qs.filter(member_type=filters.member_type)
    if q:
        qs = qs.filter(_search_q(q))
    qs = qs.order_by(F("member_no").asc(nulls_last=True), "applied_on", "pk")
    statuses: dict[int, fund_sel.MemberStatus] = {}
    status = filters.status
    rows: Any
    if status == "applicant":
        rows = qs.filter(
            Q(state=MembershipState.APPLIED)
            | Q(state=MembershipState.APPROVED, joined_on__gt=today)
        )
    elif status == "rejected":
        rows = qs.filter(state=MembershipState.REJECTED)
    elif status in DERIVED:
        live = [MembershipState.APPROVED, MembershipState.RESIGNED, MembershipState.DIED]
        narrow = {
            "active": Q(state=MembershipState.APPROVED, joined_on__lte=today),
            "arrears": Q(state=MembershipState.APPROVED, joined_on__lte=today),
            "lapsed": Q(state__in=live, joined_on__lte=today),
            "resigned": Q(state=MembershipState.RESIGNED),
            "dead": Q(state=MembershipState.DIED)
            | Q(state=MembershipState.APPROVED, person__death_date__lte=today),
        }[status]
        candidates = list(qs.filter(narrow))
        statuses = fund_sel.statuses_for(candidates, today)
        rows = [m for m in candidates if statuses[m.pk].code == status]
    else:
        rows = qs
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page_rows = list(page.object_list)
    missing = [m for m in page_rows if m.pk not in statuses]
    if missing:
        statuses.update(fund_sel.statuses_for(missing, today))
    counts = dict(scope.values_list("state").annotate(n=Count("pk")).order_by())
    pager = request.GET.copy()
    pager.pop("page", None)
    ctx = {
        "fund": fund,
        "whole_fund": whole_fund,
        "page": page,
        "rows": [(m, statuses[m.pk]) for m in page_rows],
        "q": q,
        "filters": filters,
        "groups": groups,
        "status_choices": STATUS_FILTERS,
        "type_choices": MemberType.choices,
        "counts": {
            "members": counts.get(MembershipState.APPROVED, 0),
            "applicants": counts.get(MembershipState.APPLIED, 0),
            "resigned": counts.get(MembershipState.RESIGNED, 0),
            "died": counts.get(MembershipState.DIED, 0),
        },
        "pager_query": pager.urlencode(),
        "today": today,
        "can_apply": _groups_where(user, fund, Perm.MANAGE_MEMBERS).exists(),
    }
    template = (
        "web/funds/member_rows.html"
        if getattr(request, "htmx", False)
        else "web/funds/member_list.html"
    )
    return render(request, template, ctx)


# ---------------------------------------------------------------- applying


def _person_in_fund(user: Any, fund: Fund, pk: Any) -> Person | None:
    if not str(pk).isdigit():
        return None
    return (
        people_sel.persons_visible_to(user)
        .filter(prefix_q("org_unit__path", fund.org_unit.path), pk=int(pk))
        .first()
    )


def _open_memberships(fund: Fund, persons: list[Person]) -> dict[int, Membership]:
    return {
        m.person_id: m
        for m in Membership.objects.filter(
            fund=fund,
            person__in=persons,
            state__in=[MembershipState.APPLIED, MembershipState.APPROVED],
        )
    }


def _beneficiary_initial(m: Membership) -> list[dict[str, Any]]:
    return [
        {
            "name": b.name,
            "relation": b.relation,
            "share_percent": pct(b.share_percent),
            "age": b.age,
            "address": b.address,
        }
        for b in m.beneficiaries.order_by("pk")
    ]


@login_required
def member_apply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    fund, whole_fund = _fund_for_members(user, pk)
    groups = _groups_where(user, fund, Perm.MANAGE_MEMBERS)
    if not groups.exists():
        raise PermissionDenied(_("ไม่มีสิทธิ์รับสมัครสมาชิกในกองทุนนี้"))
    today = _today()
    data = request.POST if request.method == "POST" else None
    person_ref = request.POST.get("person") if data else request.GET.get("person")
    q = request.GET.get("q", "").strip()
    person = None
    if person_ref:
        person = _person_in_fund(user, fund, person_ref)
        if person is None:
            raise _not_found()
    candidates: list[tuple[Person, Membership | None]] = []
    if person is None and q:
        found = list(
            people_sel.persons_visible_to(user)
            .filter(prefix_q("org_unit__path", fund.org_unit.path))
            .filter(people_sel.person_search_q(q))
            .order_by(*people_sel.thai_name_order())[:20]
        )
        open_ms = _open_memberships(fund, found)
        candidates = [(p, open_ms.get(p.pk)) for p in found]
    plans = fund.plans.filter(active=True).order_by("months", "amount")
    previous = None
    prev_ref = request.GET.get("previous", "")
    if person is not None and prev_ref.isdigit():
        previous = (
            fund_sel.memberships_visible_to(user)
            .filter(fund=fund, person=person, pk=int(prev_ref))
            .first()
        )
    initial: dict[str, Any] = {"applied_on": today}
    ben_initial: list[dict[str, Any]] = []
    if person is not None:
        initial["person"] = person.pk
        initial["member_type"] = fs.derived_member_type(person, today)
        initial["plan"] = plans.first()
        if groups.filter(pk=person.org_unit_id).exists():
            initial["org_unit"] = person.org_unit_id
        if previous is not None:
            if groups.filter(pk=previous.org_unit_id).exists():
                initial["org_unit"] = previous.org_unit_id
            if previous.plan.active:
                initial["plan"] = previous.plan
            initial["member_type"] = previous.member_type
            ben_initial = _beneficiary_initial(previous)
    form = MemberApplyForm(data, initial=initial, groups=groups, plans=plans)
    form.fields["applied_on"].max_date = today  # type: ignore[attr-defined]
    bens = beneficiary_rows(data, initial=ben_initial or None)
    already = _open_memberships(fund, [person]).get(person.pk) if person else None
    if data is not None and person is not None:
        form_ok = form.is_valid()
        bens_ok = bens.is_valid()
        if form_ok and bens_ok:
            d = form.cleaned_data
            try:
                m = fs.member_apply(
                    actor=user,
                    fund=fund,
                    person=person,
                    org_unit=d["org_unit"],
                    plan=d["plan"],
                    applied_on=d["applied_on"],
                    member_type=d["member_type"],
                    beneficiaries=bens.beneficiaries(),
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(
                    request,
                    _("บันทึกใบสมัครของ %(p)s แล้ว รอ%(r)sอนุมัติ")
                    % {"p": person.full_name, "r": Role(fund.member_approver_role).label},
                )
                return redirect("member_detail", pk=m.pk)
    return render(
        request,
        "web/funds/member_apply.html",
        {
            "fund": fund,
            "whole_fund": whole_fund,
            "person": person,
            "q": q,
            "candidates": candidates,
            "form": form,
            "bens": bens,
            "relations": RELATIONS,
            "already": already,
            "previous": previous,
            "no_plans": not plans.exists(),
        },
    )


# ---------------------------------------------------------------- one member


def _parse_on(raw: str) -> tuple[dt.date | None, str]:
    if not raw:
        return None, ""
    try:
        return parse_be_date(raw), ""
    except ThaiDateError as exc:
        return None, _("ดูสถานะ ณ วันที่: %(e)s") % {"e": exc}


def _event_rows(m: Membership) -> list[dict[str, Any]]:
    events = list(m.events.select_related("by").order_by("date", "at", "pk"))
    plan_ids = {
        int(v)
        for e in events
        if e.kind == MembershipEvent.Kind.PLAN
        for v in (e.from_value, e.to_value)
        if v.isdigit()
    }
    names = dict(ContributionPlan.objects.filter(pk__in=plan_ids).values_list("pk", "name"))
    rows = []
    for e in events:
        frm, to = e.from_value, e.to_value
        if e.kind == MembershipEvent.Kind.PLAN:
            frm = names.get(int(frm), frm) if frm.isdigit() else frm
            to = names.get(int(to), to) if to.isdigit() else to
        if e.kind == MembershipEvent.Kind.APPROVE and to:
            to = _("เลขที่สมาชิก %(n)s") % {"n": to}
        who = e.by.get_full_name() or e.by.get_username()
        rows.append({"e": e, "from": frm, "to": to, "who": who})
    return rows


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    m = membership_for(user, pk)
    fund = m.fund
    today = _today()
    status = fund_sel.member_status(m, today)
    on, on_error = _parse_on(request.GET.get("on", "").strip())
    status_on = fund_sel.member_status(m, on) if on else None
    payments = list(
        Payment.objects.filter(membership=m).select_related("void").order_by("date", "pk")
    )
    live = [p for p in payments if not hasattr(p, "void")]
    totals = {
        "contribution": sum((p.contribution for p in live), ZERO),
        "entry_fee": sum((p.entry_fee for p in live), ZERO),
    }
    person = m.person
    person_visible = people_sel.persons_visible_to(user).filter(pk=person.pk).exists()
    full_id = can(user, Perm.VIEW_FULL_ID, person.org_unit)
    visible = fund_sel.memberships_visible_to(user)
    previous = visible.filter(pk=m.previous_id).first() if m.previous_id else None
    following = visible.filter(previous=m).first()
    open_now = Membership.objects.filter(
        fund=fund,
        person=person,
        state__in=[MembershipState.APPLIED, MembershipState.APPROVED],
    ).exclude(pk=m.pk)
    can_manage = can(user, Perm.MANAGE_MEMBERS, m.org_unit)
    is_open = m.state in (MembershipState.APPLIED, MembershipState.APPROVED)
    can_rejoin = (
        can_manage
        and status.code in ("resigned", "lapsed")
        and following is None
        and not open_now.exists()
        and not (person.death_date and person.death_date <= today)
    )
    groups_to = _groups_where(user, fund, Perm.MANAGE_MEMBERS).exclude(pk=m.org_unit_id)
    return render(
        request,
        "web/funds/member_detail.html",
        {
            "fund": fund,
            "whole_fund": _sees_fund(user, fund),
            "m": m,
            "person": person,
            "person_visible": person_visible,
            "full_id": full_id,
            "status": status,
            "today": today,
            "on": on,
            "on_raw": request.GET.get("on", ""),
            "on_error": on_error,
            "status_on": status_on,
            "payments": payments,
            "totals": totals,
            "events": _event_rows(m),
            "beneficiaries": list(m.beneficiaries.order_by("pk")),
            "refund": Refund.objects.filter(membership=m).first(),
            "previous": previous,
            "following": following,
            "can_manage": can_manage,
            "can_decide": m.state == MembershipState.APPLIED and fs.can_approve_members(user, fund),
            "can_resign": can_manage
            and m.state == MembershipState.APPROVED
            and status.code != "lapsed",
            "can_death": can_manage and is_open,
            "can_move": can_manage and is_open and groups_to.exists(),
            "can_plan": can_manage and is_open and status.code != "lapsed",
            "can_beneficiaries": can_manage and is_open,
            "can_rejoin": can_rejoin,
            "approver": Role(fund.member_approver_role).label,
            "approve_form": ApproveForm(initial={"joined_on": today}),
            "reject_form": RejectForm(),
        },
    )


@login_required
@require_POST
def member_approve(request: HttpRequest, pk: int) -> HttpResponse:
    m = membership_for(request.user, pk)
    if not fs.can_approve_members(request.user, m.fund):
        raise PermissionDenied(
            _("ผู้อนุมัติสมาชิกของกองทุนนี้คือ %(r)s") % {"r": Role(m.fund.member_approver_role).label}
        )
    form = ApproveForm(request.POST)
    form.fields["joined_on"].max_date = _today()  # type: ignore[attr-defined]
    if not form.is_valid():
        _form_messages(request, form)
    else:
        try:
            done = fs.member_approve(
                actor=request.user, membership=m, joined_on=form.cleaned_data["joined_on"]
            )
        except ValidationError as exc:
            for e in exc.messages:
                messages.error(request, e)
        else:
            messages.success(
                request,
                _("อนุมัติ %(p)s เป็นสมาชิกเลขที่ %(n)s แล้ว")
                % {"p": m.person.full_name, "n": done.member_no},
            )
    return redirect("member_detail", pk=m.pk)


@login_required
@require_POST
def member_reject(request: HttpRequest, pk: int) -> HttpResponse:
    m = membership_for(request.user, pk)
    if not fs.can_approve_members(request.user, m.fund):
        raise PermissionDenied(
            _("ผู้พิจารณาใบสมัครของกองทุนนี้คือ %(r)s") % {"r": Role(m.fund.member_approver_role).label}
        )
    form = RejectForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
    else:
        try:
            fs.member_reject(actor=request.user, membership=m, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for e in exc.messages:
                messages.error(request, e)
        else:
            messages.success(request, _("บันทึกว่าไม่อนุมัติใบสมัครแล้ว"))
    return redirect("member_detail", pk=m.pk)


def _managed_member(request: HttpRequest, pk: int) -> Membership:
    m = membership_for(request.user, pk)
    require(request.user, Perm.MANAGE_MEMBERS, m.org_unit)
    return m


@login_required
def member_resign(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed_member(request, pk)
    paid, refund, why = fs.refund_due(m)
    if refund > 0:  # the service's own sentence prints the percent as Decimal.normalize() (5E+1)
        why = _("คืนร้อยละ %(p)s ของเงินสมทบ %(c)s บาท") % {
            "p": pct(m.fund.refund_percent),
            "c": format_baht(paid),
        }
    form = ResignForm(request.POST or None, initial={"date": _today()})
    form.fields["date"].max_date = _today()  # type: ignore[attr-defined]
    allowed = m.state == MembershipState.APPROVED
    if request.method == "POST" and allowed and form.is_valid():
        try:
            fs.member_resign(actor=request.user, membership=m, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            if refund > 0:
                messages.success(
                    request,
                    _("บันทึกการลาออกแล้ว จ่ายเงินคืน %(a)s บาท") % {"a": format_baht(refund)},
                )
            else:
                messages.success(request, _("บันทึกการลาออกแล้ว"))
            return redirect("member_detail", pk=m.pk)
    return render(
        request,
        "web/funds/member_resign.html",
        {
            "fund": m.fund,
            "whole_fund": _sees_fund(request.user, m.fund),
            "m": m,
            "form": form,
            "allowed": allowed,
            "paid": paid,
            "refund": refund,
            "why": why,
            "status": fund_sel.member_status(m, _today()),
        },
    )


@login_required
def member_death(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed_member(request, pk)
    person = m.person
    error = ""
    if request.method == "POST":
        try:
            fs.member_record_death(actor=request.user, membership=m)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("บันทึกการสิ้นสุดสมาชิกภาพเพราะเสียชีวิตแล้ว"))
            return redirect("member_detail", pk=m.pk)
    return render(
        request,
        "web/funds/member_death.html",
        {
            "fund": m.fund,
            "whole_fund": _sees_fund(request.user, m.fund),
            "m": m,
            "person": person,
            "error": error,
            "is_open": m.state in (MembershipState.APPLIED, MembershipState.APPROVED),
            "can_edit_person": can(request.user, Perm.EDIT_PEOPLE, person.org_unit),
        },
    )


def _open_or_refuse(m: Membership) -> None:
    if m.state not in (MembershipState.APPLIED, MembershipState.APPROVED):
        raise PermissionDenied(_("สมาชิกภาพนี้สิ้นสุดแล้ว แก้ไขไม่ได้"))


@login_required
def member_move(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed_member(request, pk)
    _open_or_refuse(m)
    groups = _groups_where(request.user, m.fund, Perm.MANAGE_MEMBERS).exclude(pk=m.org_unit_id)
    form = MoveForm(request.POST or None, groups=groups, initial={"date": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            fs.member_move(actor=request.user, membership=m, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(
                request, _("ย้ายไป%(g)s แล้ว") % {"g": form.cleaned_data["to_unit"].name}
            )
            return redirect("member_detail", pk=m.pk)
    return render(
        request,
        "web/funds/member_form.html",
        {
            "fund": m.fund,
            "whole_fund": _sees_fund(request.user, m.fund),
            "m": m,
            "form": form,
            "title": _("ย้ายกลุ่มหมู่บ้าน"),
            "note": _("ปัจจุบันอยู่%(g)s") % {"g": m.org_unit.name},
            "empty": not groups.exists(),
        },
    )


@login_required
def member_plan(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed_member(request, pk)
    _open_or_refuse(m)
    plans = m.fund.plans.filter(active=True).exclude(pk=m.plan_id).order_by("months", "amount")
    form = PlanChangeForm(request.POST or None, plans=plans, initial={"date": _today()})
    start = m.joined_on or m.applied_on
    form.fields["date"].min_date = start  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            fs.member_change_plan(actor=request.user, membership=m, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(
                request, _("เปลี่ยนเป็นแบบ “%(p)s” แล้ว") % {"p": form.cleaned_data["plan"].name}
            )
            return redirect("member_detail", pk=m.pk)
    return render(
        request,
        "web/funds/member_form.html",
        {
            "fund": m.fund,
            "whole_fund": _sees_fund(request.user, m.fund),
            "m": m,
            "form": form,
            "title": _("เปลี่ยนแบบการออม"),
            "note": _("แบบปัจจุบัน: %(p)s %(a)s บาท ทุก %(n)s เดือน · งวดที่ครบกำหนดก่อนวันที่เปลี่ยนใช้แบบเดิม")
            % {"p": m.plan.name, "a": format_baht(m.plan.amount), "n": m.plan.months},
            "empty": not plans.exists(),
        },
    )


@login_required
def beneficiaries_edit(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed_member(request, pk)
    _open_or_refuse(m)
    initial = _beneficiary_initial(m)
    bens = beneficiary_rows(request.POST or None, initial=initial or None)
    error = ""
    if request.method == "POST" and bens.is_valid():
        try:
            fs.beneficiaries_set(
                actor=request.user, membership=m, beneficiaries=bens.beneficiaries()
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("บันทึกผู้รับผลประโยชน์แล้ว"))
            return redirect("member_detail", pk=m.pk)
    return render(
        request,
        "web/funds/beneficiaries_form.html",
        {
            "fund": m.fund,
            "whole_fund": _sees_fund(request.user, m.fund),
            "m": m,
            "bens": bens,
            "relations": RELATIONS,
            "error": error,
        },
    )


urlpatterns: list[URLPattern] = [
    path("funds/", fund_list, name="fund_list"),
    path("units/<int:pk>/fund/new/", fund_create, name="fund_create"),
    path("funds/<int:pk>/", fund_detail, name="fund_detail"),
    path("funds/<int:pk>/edit/", fund_edit, name="fund_edit"),
    path("funds/<int:pk>/plans/new/", plan_create, name="plan_create"),
    path("funds/<int:pk>/plans/<int:plan_pk>/", plan_edit, name="plan_edit"),
    path("funds/<int:pk>/accounts/", fund_chart, name="fund_chart"),
    path("funds/<int:pk>/accounts/new/", account_create, name="account_create"),
    path("funds/<int:pk>/accounts/<int:account_pk>/", account_edit, name="account_edit"),
    path("funds/<int:pk>/members/", member_list, name="member_list"),
    path("funds/<int:pk>/members/new/", member_apply, name="member_apply"),
    path("members/<int:pk>/", member_detail, name="member_detail"),
    path("members/<int:pk>/approve/", member_approve, name="member_approve"),
    path("members/<int:pk>/reject/", member_reject, name="member_reject"),
    path("members/<int:pk>/resign/", member_resign, name="member_resign"),
    path("members/<int:pk>/death/", member_death, name="member_death"),
    path("members/<int:pk>/move/", member_move, name="member_move"),
    path("members/<int:pk>/plan/", member_plan, name="member_plan"),
    path("members/<int:pk>/beneficiaries/", beneficiaries_edit, name="beneficiaries_edit"),
]
