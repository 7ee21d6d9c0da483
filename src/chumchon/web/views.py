"""Thin views: parse input, call one selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from chumchon.areas import selectors as area_sel
from chumchon.areas import services as area_svc
from chumchon.areas.models import ALLOWED_CHILDREN, OrgUnit, OrgUnitKind, RoleAssignment, Village
from chumchon.core.audit import history_entries
from chumchon.core.permissions import Perm
from chumchon.core.querying import prefix_q
from chumchon.core.thai import to_arabic_digits
from chumchon.people import selectors as people_sel
from chumchon.people import services as people_svc
from chumchon.people.models import Household, HouseholdMember, Person, Relation, Sex

from .forms import HouseholdForm, LoginForm, MemberAddForm, PersonForm, VillageForm
from .forms_roles import RoleAssignForm, RoleEndForm, SubUnitForm

T = TypeVar("T")
PAGE_SIZE = 25


def _get_or_404(fn: Callable[[Any, int], T], user: Any, pk: int) -> T:
    try:
        return fn(user, pk)
    except ObjectDoesNotExist as exc:
        raise Http404(gettext("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง")) from exc


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            target = name if name in form.fields else None
            if name in {"birth_date", "birth_year"} and "birth" in form.fields:
                target = "birth"
            for e in errs:
                form.add_error(target, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def _history_ctx(
    user: Any, unit: OrgUnit, obj: Any, *, mask: set[str] | None = None
) -> dict[str, Any]:
    """The record's history for roles that may read it (Perm.VIEW_HISTORY at its unit)."""
    if not area_sel.user_can(user, Perm.VIEW_HISTORY, unit):
        return {"show_history": False, "history": []}
    return {"show_history": True, "history": history_entries(obj, mask=mask)}


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


# ---------------------------------------------------------------- home and org units


def _unit_counts(units: list[OrgUnit]) -> dict[int, dict[str, int]]:
    """Counts over each unit's subtree: one prefix query per figure, no per-row scans."""
    out: dict[int, dict[str, int]] = {}
    for unit in units:
        subtree = area_sel.subtree_q([unit])
        out[unit.pk] = {
            "persons": Person.objects.filter(subtree, death_date__isnull=True).count(),
            "households": Household.objects.filter(subtree).count(),
            "units": OrgUnit.objects.filter(prefix_q("path", unit.path)).count() - 1,
            "villages": area_sel.villages_for_units([unit]).count(),
        }
    return out


@login_required
def home(request: HttpRequest) -> HttpResponse:
    units = area_sel.user_home_units(request.user)
    counts = _unit_counts(units)
    roles = list(area_sel.active_roles(request.user))
    return render(
        request,
        "web/home.html",
        {
            "units": [(u, counts[u.pk]) for u in units],
            "roles": roles,
            "today": timezone.localdate(),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_or_404(area_sel.unit_get, request.user, pk)
    children = list(
        area_sel.units_visible_to(request.user).filter(parent=unit).order_by("kind", "name")
    )
    counts = _unit_counts([unit, *children])
    villages = (
        area_sel.villages_for_units([unit])
        .annotate(
            n_persons=Count(
                "person",
                filter=prefix_q("person__org_unit__path", unit.path)
                & Q(person__death_date__isnull=True),
            )
        )
        .order_by("subdistrict", "number")
    )
    holders = unit.role_assignments.select_related("user").order_by("role")
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "ancestors": [
                a for a in unit.ancestors() if area_sel.user_can(request.user, Perm.VIEW_PEOPLE, a)
            ],
            "children": [(c, counts[c.pk]) for c in children],
            "counts": counts[unit.pk],
            "villages": villages,
            "holders": holders,
            "can_manage": area_sel.user_can(request.user, Perm.MANAGE_AREAS, unit)
            and unit.subdistrict_id is not None,
            "can_add_units": unit.active
            and bool(ALLOWED_CHILDREN.get(unit.kind))
            and area_sel.user_can(request.user, Perm.MANAGE_AREAS, unit),
            "can_manage_roles": unit.active
            and area_sel.user_can(request.user, Perm.MANAGE_ROLES, unit),
            "today": timezone.localdate(),
            **_history_ctx(request.user, unit, unit),
        },
    )


@login_required
def village_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_or_404(area_sel.unit_get, request.user, pk)
    if not area_sel.user_can(request.user, Perm.MANAGE_AREAS, unit) or unit.subdistrict is None:
        raise PermissionDenied(gettext("ไม่มีสิทธิ์เพิ่มหมู่บ้านในหน่วยนี้"))
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = area_svc.village_create(
                subdistrict=unit.subdistrict, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, gettext("เพิ่ม%(village)sแล้ว") % {"village": village})
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "web/village_form.html", {"form": form, "unit": unit})


# ---------------------------------------------------------------- committee roles, sub-units


def _role_candidates(user: Any) -> Any:
    """Users who hold or held a role in a unit the actor manages: never another tambon's."""
    managed = area_sel.units_visible_to(user, perm=Perm.MANAGE_ROLES)
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__org_unit__in=managed)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _unit_managed_or_403(request: HttpRequest, pk: int, perm: str, message: str) -> OrgUnit:
    """The unit (404 outside the user's scope), then 403 without ``perm`` at it."""
    unit = _get_or_404(area_sel.unit_get, request.user, pk)
    if not unit.active or not area_sel.user_can(request.user, perm, unit):
        raise PermissionDenied(message)
    return unit


@login_required
def role_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_managed_or_403(request, pk, Perm.MANAGE_ROLES, gettext("ไม่มีสิทธิ์กำหนดบทบาทในหน่วยนี้"))
    form = RoleAssignForm(
        request.POST or None,
        users=_role_candidates(request.user),
        initial={"start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        term = {
            "role": data["role"],
            "start_date": data["start_date"],
            "end_date": data.get("end_date"),
        }
        try:
            if data.get("user") is not None:
                ra = area_svc.role_grant(actor=request.user, user=data["user"], unit=unit, **term)
            else:
                ra = area_svc.user_create_for_role(
                    actor=request.user,
                    unit=unit,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data.get("last_name", ""),
                    password=data["password"],
                    **term,
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("กำหนดให้ %(name)s เป็น%(role)s ของ%(unit)s แล้ว")
                % {
                    "name": ra.user.get_full_name() or ra.user.get_username(),
                    "role": ra.get_role_display(),
                    "unit": unit.name,
                },
            )
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "web/role_form.html", {"form": form, "unit": unit})


@login_required
def role_end(request: HttpRequest, pk: int, ra_pk: int) -> HttpResponse:
    unit = _unit_managed_or_403(request, pk, Perm.MANAGE_ROLES, gettext("ไม่มีสิทธิ์สิ้นสุดวาระในหน่วยนี้"))
    try:
        assignment = unit.role_assignments.select_related("user", "org_unit").get(pk=ra_pk)
    except RoleAssignment.DoesNotExist as exc:
        raise Http404(gettext("ไม่พบบทบาทนี้ในหน่วย")) from exc
    form = RoleEndForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            area_svc.role_end(
                actor=request.user, assignment=assignment, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("บันทึกการสิ้นสุดวาระ%(role)s ของ %(name)s แล้ว")
                % {
                    "role": assignment.get_role_display(),
                    "name": assignment.user.get_full_name() or assignment.user.get_username(),
                },
            )
            return redirect("unit_detail", pk=unit.pk)
    return render(
        request, "web/role_end.html", {"form": form, "unit": unit, "assignment": assignment}
    )


@login_required
def sub_unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_managed_or_403(request, pk, Perm.MANAGE_AREAS, gettext("ไม่มีสิทธิ์เพิ่มหน่วยย่อยในหน่วยนี้"))
    form = SubUnitForm(request.POST or None, parent=unit)
    if request.method == "POST" and form.is_valid():
        try:
            child = area_svc.sub_unit_create(actor=request.user, parent=unit, **form.service_data())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, gettext("เพิ่มหน่วย “%(name)s” แล้ว") % {"name": child.name})
            return redirect("unit_detail", pk=child.pk)
    return render(request, "web/unit_form.html", {"form": form, "unit": unit})


# ---------------------------------------------------------------- persons


AGE_LIMIT = 150  # the highest age a filter accepts (years)
AGE_GROUPS: tuple[tuple[Any, int, int | None], ...] = (
    (gettext_lazy("เด็ก (0–17 ปี)"), 0, 17),
    (gettext_lazy("วัยทำงาน (18–59 ปี)"), 18, 59),
    (gettext_lazy("ผู้สูงอายุ (60 ปีขึ้นไป)"), 60, None),
)
PERSON_STATUS_CHOICES: tuple[tuple[str, Any], ...] = (
    ("living", gettext_lazy("ยังมีชีวิต")),
    ("deceased", gettext_lazy("เสียชีวิต")),
    ("all", gettext_lazy("ทั้งหมด")),
)
HAS_ID_CHOICES: tuple[tuple[str, Any], ...] = (
    ("yes", gettext_lazy("มีเลขประจำตัวประชาชน")),
    ("no", gettext_lazy("ไม่มีเลขประจำตัวประชาชน")),
)


@dataclass
class PersonFilters:
    """The list filters of a request, parsed; ``raw`` is what was typed, shown back in the form."""

    raw: dict[str, str]
    village: Village | None = None
    status: str = "living"
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    has_id: bool | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def narrowed(self) -> bool:
        """Whether anything beyond the default (living persons) is asked for."""
        return bool(
            self.errors
            or self.village
            or self.status != "living"
            or self.sex
            or self.age_min is not None
            or self.age_max is not None
            or self.has_id is not None
        )


def _query_without(params: QueryDict, *names: str) -> QueryDict:
    """A copy of the query string without the given keys (pager and chip links keep the rest)."""
    out = params.copy()
    for name in names:
        out.pop(name, None)
    return out


def _filter_villages(user: Any, unit: OrgUnit | None) -> list[tuple[str, Village, str]]:
    """The villages a filter may name: those the user sees (and, with a unit, the unit's)."""
    qs = area_sel.villages_visible_to(user)
    if unit is not None:
        qs = qs.filter(pk__in=area_sel.villages_for_units([unit]).values("pk"))
    villages = list(qs.order_by("subdistrict", "number"))
    many = len({v.subdistrict_id for v in villages}) > 1
    out = []
    for v in villages:
        label = f"{v} ({v.subdistrict})" if many else str(v)
        if not v.active:
            label += " · " + gettext("ไม่ใช้แล้ว")
        out.append((str(v.pk), v, label))
    return out


def _parse_village(
    raw: str, villages: list[tuple[str, Village, str]], errors: dict[str, str]
) -> Village | None:
    """The chosen village, only from ``villages``; anything else is refused, never looked up."""
    if not raw:
        return None
    for value, village, _label in villages:
        if value == raw:
            return village
    errors["village"] = gettext("หมู่บ้าน: ไม่พบหมู่บ้านที่เลือกในพื้นที่ที่คุณมีสิทธิ์ดู")
    return None


def _parse_age(raw: str, name: str, label: str, errors: dict[str, str]) -> int | None:
    text = to_arabic_digits(raw).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and int(text) <= AGE_LIMIT:
        return int(text)
    errors[name] = gettext("%(filter)s: กรุณากรอกอายุเป็นจำนวนปีเต็ม ตั้งแต่ 0 ถึง %(limit)s ปี") % {
        "filter": label,
        "limit": AGE_LIMIT,
    }
    return None


def _parse_choice(
    raw: str, allowed: Any, name: str, label: str, errors: dict[str, str]
) -> str | None:
    if not raw:
        return None
    if raw in allowed:
        return raw
    errors[name] = gettext("%(filter)s: ตัวเลือกไม่ถูกต้อง") % {"filter": label}
    return None


def _person_filters(params: QueryDict, villages: list[tuple[str, Village, str]]) -> PersonFilters:
    names = ("village", "status", "sex", "age_min", "age_max", "has_id")
    raw = {n: params.get(n, "").strip() for n in names}
    f = PersonFilters(raw=raw)
    f.village = _parse_village(raw["village"], villages, f.errors)
    f.status = (
        _parse_choice(
            raw["status"],
            [c for c, _ in PERSON_STATUS_CHOICES],
            "status",
            gettext("สถานะ"),
            f.errors,
        )
        or "living"
    )
    f.sex = _parse_choice(raw["sex"], Sex.values, "sex", gettext("เพศ"), f.errors)
    has_id = _parse_choice(
        raw["has_id"],
        [c for c, _ in HAS_ID_CHOICES],
        "has_id",
        gettext("เลขประจำตัวประชาชน"),
        f.errors,
    )
    f.has_id = None if has_id is None else has_id == "yes"
    f.age_min = _parse_age(raw["age_min"], "age_min", gettext("อายุตั้งแต่"), f.errors)
    f.age_max = _parse_age(raw["age_max"], "age_max", gettext("อายุถึง"), f.errors)
    if f.age_min is not None and f.age_max is not None and f.age_min > f.age_max:
        f.errors["age_max"] = gettext("ช่วงอายุ: อายุตั้งแต่ (%(min)s ปี) มากกว่าอายุถึง (%(max)s ปี)") % {
            "min": f.age_min,
            "max": f.age_max,
        }
    return f


def _age_text(age_min: int | None, age_max: int | None) -> str:
    if age_min is not None and age_max is not None:
        return gettext("อายุ %(min)s–%(max)s ปี") % {"min": age_min, "max": age_max}
    if age_min is not None:
        return gettext("อายุ %(min)s ปีขึ้นไป") % {"min": age_min}
    return gettext("อายุไม่เกิน %(max)s ปี") % {"max": age_max}


def _filter_summary(f: PersonFilters, village_label: str | None) -> list[str]:
    """The filters in force, in words (shown above the list, and on paper)."""
    out = []
    if village_label:
        out.append(village_label)
    if f.status == "deceased":
        out.append(gettext("เฉพาะผู้เสียชีวิต"))
    elif f.status == "all":
        out.append(gettext("รวมผู้เสียชีวิต"))
    if f.sex:
        out.append(gettext("เพศ%(sex)s") % {"sex": Sex(f.sex).label})
    if f.age_min is not None or f.age_max is not None:
        out.append(_age_text(f.age_min, f.age_max))
    if f.has_id is not None:
        out.append(str(dict(HAS_ID_CHOICES)["yes" if f.has_id else "no"]))
    return out


def _age_chips(params: QueryDict, f: PersonFilters) -> list[dict[str, Any]]:
    """Quick welfare age groups: each a link keeping the other filters; the active one clears."""
    base = _query_without(params, "page", "age_min", "age_max")
    chips = []
    for label, lo, hi in AGE_GROUPS:
        active = (
            "age_min" not in f.errors
            and "age_max" not in f.errors
            and (f.age_min, f.age_max) == (lo, hi)
        )
        query = base.copy()
        if not active:
            query["age_min"] = str(lo)
            if hi is not None:
                query["age_max"] = str(hi)
        chips.append({"label": label, "query": query.urlencode(), "active": active})
    return chips


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    unit_id = request.GET.get("unit")
    qs = people_sel.persons_visible_to(request.user)
    unit = None
    if unit_id and unit_id.isdigit():
        unit = _get_or_404(area_sel.unit_get, request.user, int(unit_id))
        qs = qs.filter(prefix_q("org_unit__path", unit.path))
    villages = _filter_villages(request.user, unit)
    filters = _person_filters(request.GET, villages)
    if filters.errors:
        qs = qs.none()  # a filter we cannot read narrows to nothing, never to everything
    else:
        qs = people_sel.person_filter(
            qs,
            village=filters.village,
            status=filters.status,
            sex=filters.sex,
            age_min=filters.age_min,
            age_max=filters.age_max,
            has_id=filters.has_id,
        )
    if q:
        qs = qs.filter(people_sel.person_search_q(q))
    qs = qs.select_related("household_membership__household").order_by(
        *people_sel.thai_name_order()
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    village_label = next((lbl for _v, vil, lbl in villages if vil == filters.village), None)
    ctx = {
        "page": page,
        "q": q,
        "unit": unit,
        "filters": filters,
        "villages": [(value, label) for value, _v, label in villages],
        "status_choices": PERSON_STATUS_CHOICES,
        "sex_choices": Sex.choices,
        "has_id_choices": HAS_ID_CHOICES,
        "filter_summary": [] if filters.errors else _filter_summary(filters, village_label),
        # Open the filter panel when a filter other than the default is in use, or is wrong.
        "filters_open": bool(filters.errors)
        or any(request.GET.get(k) for k in ("village", "sex", "has_id", "age_min", "age_max"))
        or request.GET.get("status", "living") not in ("", "living"),
        "age_chips": _age_chips(request.GET, filters),
        "pager_query": _query_without(request.GET, "page").urlencode(),
        "can_edit": area_sel.user_can_anywhere(request.user, Perm.EDIT_PEOPLE),
        "full_id": False,
    }
    template = "web/_person_rows.html" if request.htmx else "web/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


def _person_form(
    request: HttpRequest, *, data: Any = None, initial: Any = None, with_relation: bool = False
) -> PersonForm:
    return PersonForm(
        data,
        initial=initial,
        units=area_sel.editable_units(request.user, Perm.EDIT_PEOPLE).exclude(
            kind__in=[OrgUnitKind.NATION]
        ),
        villages=area_sel.villages_visible_to(request.user).filter(active=True),
        with_relation=with_relation,
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    if not area_sel.user_can_anywhere(request.user, Perm.EDIT_PEOPLE):
        raise PermissionDenied(gettext("ไม่มีสิทธิ์เพิ่มบุคคล"))
    household = None
    hh_id = request.GET.get("household") or request.POST.get("household")
    initial: dict[str, Any] = {}
    if hh_id and str(hh_id).isdigit():
        household = _get_or_404(people_sel.household_get, request.user, int(hh_id))
        initial = {
            "org_unit": household.org_unit,
            "house_number": household.house_number,
            "village": household.village,
            "street": household.street,
            "postcode": household.postcode,
            "relation": Relation.HEAD if not household.members.exists() else Relation.CHILD,
        }
    form = _person_form(
        request, data=request.POST or None, initial=initial, with_relation=household is not None
    )
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        duplicates = people_sel.person_duplicates(
            request.user,
            national_id=data.get("national_id") or None,
            first_name=data["first_name"],
            last_name=data.get("last_name", ""),
            birth_date=data.get("birth_date"),
            birth_year=data.get("birth_year"),
        )
        same_id = [d for d in duplicates if d.same_national_id]
        confirmed = request.POST.get("confirm_duplicate") == "1"
        if same_id:
            form.add_error(
                "national_id", gettext("เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว บุคคลสองคนใช้เลขเดียวกันไม่ได้")
            )
        elif duplicates and not confirmed:
            form.add_error(
                None,
                gettext("อาจเป็นบุคคลที่มีอยู่แล้ว กรุณาตรวจสอบรายการด้านล่าง หากไม่ใช่คนเดียวกัน กดบันทึกอีกครั้ง"),
            )
        else:
            try:
                person = people_svc.person_create(
                    actor=request.user,
                    org_unit=form.cleaned_data["org_unit"],
                    household=household,
                    relation=form.cleaned_data.get("relation"),
                    **data,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied:
                form.add_error("org_unit", gettext("ไม่มีสิทธิ์เพิ่มบุคคลในหน่วยนี้"))
            else:
                messages.success(request, gettext("บันทึก %(name)s แล้ว") % {"name": person.full_name})
                if household is not None:
                    return redirect("household_detail", pk=household.pk)
                return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "web/person_form.html",
        {"form": form, "household": household, "duplicates": duplicates, "person": None},
    )


@login_required
def person_check(request: HttpRequest) -> HttpResponse:
    """htmx: warn while typing when the ID, or the name and birth date, already exist."""
    if not area_sel.user_can_anywhere(request.user, Perm.EDIT_PEOPLE):
        raise PermissionDenied(gettext("ไม่มีสิทธิ์เพิ่มหรือแก้ไขบุคคล"))
    form = _person_form(request, data=request.GET)
    form.is_valid()
    data = form.cleaned_data
    birth = data.get("birth") or (None, None)
    duplicates = people_sel.person_duplicates(
        request.user,
        national_id=data.get("national_id") or None,
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        birth_date=birth[0],
        birth_year=birth[1],
        exclude_pk=int(request.GET["exclude"])
        if request.GET.get("exclude", "").isdigit()
        else None,
    )
    return render(request, "web/_duplicates.html", {"duplicates": duplicates})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_or_404(people_sel.person_get, request.user, pk)
    full_id = area_sel.user_can(request.user, Perm.VIEW_FULL_ID, person.org_unit)
    membership = HouseholdMember.objects.filter(person=person).select_related("household").first()
    household_visible = membership is not None and (
        people_sel.households_visible_to(request.user).filter(pk=membership.household_id).exists()
    )
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "membership": membership,
            "household_visible": household_visible,
            "full_id": full_id,
            "can_edit": area_sel.user_can(request.user, Perm.EDIT_PEOPLE, person.org_unit),
            **_history_ctx(
                request.user, person.org_unit, person, mask=None if full_id else {"national_id"}
            ),
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_or_404(people_sel.person_get, request.user, pk)
    if not area_sel.user_can(request.user, Perm.EDIT_PEOPLE, person.org_unit):
        raise PermissionDenied(gettext("ไม่มีสิทธิ์แก้ไขบุคคลนี้"))
    initial = {
        "org_unit": person.org_unit,
        "title": person.title,
        "title_other": person.title_other,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "birth": (person.birth_date, person.birth_year) if person.birth_year else None,
        "national_id": person.national_id or "",
        "other_id_kind": person.other_id_kind,
        "other_id_number": person.other_id_number,
        "phone": person.phone,
        "house_number": person.house_number,
        "village": person.village,
        "street": person.street,
        "postcode": person.postcode,
        "death_date": person.death_date,
        "note": person.note,
    }
    form = _person_form(request, data=request.POST or None, initial=initial)
    form.fields["org_unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            people_svc.person_update(
                actor=request.user,
                person=person,
                reason=request.POST.get("reason", ""),
                **form.service_data(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, gettext("บันทึกการแก้ไขแล้ว"))
            return redirect("person_detail", pk=person.pk)
    return render(
        request, "web/person_form.html", {"form": form, "person": person, "household": None}
    )


# ---------------------------------------------------------------- households


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = people_sel.households_visible_to(request.user).annotate(
        n_members=Count("members", distinct=True)
    )
    villages = _filter_villages(request.user, None)
    errors: dict[str, str] = {}
    village_raw = request.GET.get("village", "").strip()
    village = _parse_village(village_raw, villages, errors)
    if errors:
        qs = qs.none()  # never widen: an unreadable or foreign village lists nothing
    elif village is not None:
        qs = qs.filter(village=village)
    if q:
        person_ids = (
            people_sel.persons_visible_to(request.user)
            .filter(people_sel.person_search_q(q))
            .values("pk")
        )
        qs = qs.filter(
            Q(house_number__startswith=q)
            | Q(house_registration_no=q)
            | Q(members__person__in=person_ids)
        ).distinct()
    qs = qs.order_by("village__number", "house_number", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    heads = {
        m.household_id: m.person
        for m in HouseholdMember.objects.filter(
            household__in=[h.pk for h in page.object_list],
            relation=Relation.HEAD,
            person__in=people_sel.persons_visible_to(request.user).values("pk"),
        ).select_related("person")
    }
    return render(
        request,
        "web/household_list.html",
        {
            "page": page,
            "q": q,
            "heads": heads,
            "villages": [(value, label) for value, _v, label in villages],
            "village_raw": village_raw,
            "filter_errors": errors,
            "pager_query": _query_without(request.GET, "page").urlencode(),
            "can_edit": area_sel.user_can_anywhere(request.user, Perm.EDIT_PEOPLE),
        },
    )


def _household_form(
    request: HttpRequest, *, data: Any = None, initial: Any = None
) -> HouseholdForm:
    return HouseholdForm(
        data,
        initial=initial,
        units=area_sel.editable_units(request.user, Perm.EDIT_PEOPLE).exclude(
            kind__in=[OrgUnitKind.NATION]
        ),
        villages=area_sel.villages_visible_to(request.user).filter(active=True),
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    if not area_sel.user_can_anywhere(request.user, Perm.EDIT_PEOPLE):
        raise PermissionDenied(gettext("ไม่มีสิทธิ์เพิ่มครัวเรือน"))
    form = _household_form(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = people_svc.household_create(
                actor=request.user, org_unit=form.cleaned_data["org_unit"], **form.service_data()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("org_unit", gettext("ไม่มีสิทธิ์เพิ่มครัวเรือนในหน่วยนี้"))
        else:
            messages.success(
                request,
                gettext("บันทึก%(household)sแล้ว เพิ่มสมาชิกครัวเรือนได้เลย") % {"household": household},
            )
            return redirect("household_detail", pk=household.pk)
    return render(request, "web/household_form.html", {"form": form, "household": None})


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = _get_or_404(people_sel.household_get, request.user, pk)
    if not area_sel.user_can(request.user, Perm.EDIT_PEOPLE, household.org_unit):
        raise PermissionDenied(gettext("ไม่มีสิทธิ์แก้ไขครัวเรือนนี้"))
    initial = {
        "org_unit": household.org_unit,
        "house_number": household.house_number,
        "village": household.village,
        "house_registration_no": household.house_registration_no or "",
        "street": household.street,
        "postcode": household.postcode,
        "note": household.note,
    }
    form = _household_form(request, data=request.POST or None, initial=initial)
    form.fields["org_unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            people_svc.household_update(
                actor=request.user, household=household, **form.service_data()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, gettext("บันทึกการแก้ไขแล้ว"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "web/household_form.html", {"form": form, "household": household})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _get_or_404(people_sel.household_get, request.user, pk)
    all_members = household.members.select_related("person").order_by("created_at")
    visible_ids = (
        people_sel.persons_visible_to(request.user)
        .filter(household_membership__household=household)
        .values("pk")
    )
    members = all_members.filter(person__in=visible_ids)
    hidden_members = all_members.count() - members.count()
    can_edit = area_sel.user_can(request.user, Perm.EDIT_PEOPLE, household.org_unit)
    q = request.GET.get("q", "").strip()
    candidates: list[Person] = []
    if can_edit and q:
        candidates = list(
            people_sel.person_search(request.user, q).filter(household_membership__isnull=True)[:10]
        )
    return render(
        request,
        "web/household_detail.html",
        {
            "household": household,
            "members": members,
            "can_edit": can_edit,
            "q": q,
            "candidates": candidates,
            "add_form": MemberAddForm(),
            "hidden_members": hidden_members,
            **_history_ctx(request.user, household.org_unit, household),
        },
    )


@login_required
@require_POST
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = _get_or_404(people_sel.household_get, request.user, pk)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        person = _get_or_404(people_sel.person_get, request.user, form.cleaned_data["person"])
        try:
            people_svc.household_member_add(
                actor=request.user,
                household=household,
                person=person,
                relation=form.cleaned_data["relation"],
            )
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, gettext("เพิ่ม %(name)s เข้าครัวเรือนแล้ว") % {"name": person.full_name}
            )
    else:
        messages.error(request, gettext("กรุณาเลือกบุคคลและความสัมพันธ์"))
    return redirect(reverse("household_detail", args=[household.pk]))


@login_required
@require_POST
def household_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    household = _get_or_404(people_sel.household_get, request.user, pk)
    member = household.members.filter(pk=member_pk).select_related("person", "household").first()
    if member is None:
        raise Http404(gettext("ไม่พบสมาชิกนี้ในครัวเรือน"))
    try:
        people_svc.household_member_remove(actor=request.user, member=member)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, gettext("ย้าย %(name)s ออกจากครัวเรือนแล้ว") % {"name": member.person.full_name}
        )
    return redirect("household_detail", pk=household.pk)
