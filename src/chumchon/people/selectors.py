"""Reads of persons and households, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.areas.selectors import scope_q
from chumchon.core.querying import prefix_q
from chumchon.core.thai import normalize_national_id, search_key, strip_title

from .models import Household, Person

PERSON_STATUSES = ("living", "deceased", "all")

THAI_COLLATION = "th-x-icu"


def thai_name_order() -> list[Any]:
    """Thai dictionary order of (first name, last name), from the stored byte key.

    ``name_sort`` holds ``core.thai.thai_name_sort_bytes`` (the same order as PostgreSQL's
    th-x-icu collation, checked in core/tests/test_thai.py), so the sort is a plain byte
    comparison on both databases rather than a Python collation callback on SQLite.
    """
    return ["name_sort", "pk"]


def thai_collated_name_order() -> list[Any]:
    """The same order computed by the database's collation (ad-hoc queries, cross-checks)."""
    return [Collate("first_name", THAI_COLLATION), Collate("last_name", THAI_COLLATION), "pk"]


def persons_visible_to(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(scope_q(user)).select_related(
        "org_unit", "village", "subdistrict__district__province"
    )


def households_visible_to(user: Any) -> QuerySet[Household]:
    return Household.objects.filter(scope_q(user)).select_related(
        "org_unit", "village", "subdistrict"
    )


def person_get(user: Any, pk: int) -> Person:
    return persons_visible_to(user).get(pk=pk)


def household_get(user: Any, pk: int) -> Household:
    return households_visible_to(user).get(pk=pk)


_prefix_q = prefix_q  # index-friendly prefix match on a search-key column (core.querying)


def person_search_q(query: str) -> Q:
    """Match a typed query: a 13-digit ID, or name prefixes ("สมช", "สมชาย ใจ", "ใจดี")."""
    text = query.strip()
    digits = normalize_national_id(text)
    if (
        digits.isdigit()
        and len(digits) >= 4
        and len(digits) == len(normalize_national_id(text.replace(" ", "")))
    ):
        if len(digits) == 13:
            return Q(national_id=digits)
        if len(digits) >= 6:
            return Q(phone__startswith=digits)
    words = [search_key(w) for w in strip_title(text).split() if search_key(w)]
    if not words:
        return Q(pk__in=[])
    if len(words) == 1:
        w = words[0]
        return _prefix_q("first_name_key", w) | _prefix_q("last_name_key", w)
    first, last = words[0], words[-1]
    return _prefix_q("first_name_key", first) & _prefix_q("last_name_key", last)


def person_search(user: Any, query: str) -> QuerySet[Person]:
    return persons_visible_to(user).filter(person_search_q(query)).order_by(*thai_name_order())


@dataclass(frozen=True)
class DuplicateHint:
    person: Person
    reason: str  # shown to the user, in the active language (so never match on its text)
    visible: bool  # whether the user may open the record
    same_national_id: bool = False  # the hint is the same ID number (saving it would fail)


def person_duplicates(
    user: Any,
    *,
    national_id: str | None,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None,
    birth_year: int | None,
    exclude_pk: int | None = None,
) -> list[DuplicateHint]:
    """Possible duplicates of a person about to be saved: same ID, or same name and birth."""
    hints: list[DuplicateHint] = []
    visible_ids: set[int] = set()
    base = Person.objects.exclude(pk=exclude_pk) if exclude_pk else Person.objects.all()
    seen: set[int] = set()
    if national_id:
        for p in base.filter(national_id=national_id).select_related("org_unit")[:5]:
            seen.add(p.pk)
            hints.append(DuplicateHint(p, _("เลขประจำตัวประชาชนเดียวกัน"), False, True))
    if first_name and (birth_date or birth_year):
        q = base.filter(first_name_key=search_key(first_name), last_name_key=search_key(last_name))
        q = q.filter(birth_date=birth_date) if birth_date else q.filter(birth_year=birth_year)
        for p in q.select_related("org_unit")[:5]:
            if p.pk not in seen:
                seen.add(p.pk)
                hints.append(DuplicateHint(p, _("ชื่อ นามสกุล และวันเกิดเดียวกัน"), False))
    if hints:
        visible_ids = set(
            persons_visible_to(user)
            .filter(pk__in=[h.person.pk for h in hints])
            .values_list("pk", flat=True)
        )
    return [
        DuplicateHint(h.person, h.reason, h.person.pk in visible_ids, h.same_national_id)
        for h in hints
    ]


# ---------------------------------------------------------------- list filters


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 Feb becomes 28 Feb in a year without one.

    With that clamp, "age on ``day`` is at least N" is exactly ``birth_date <= years_before(day,
    N)`` for the age ``Person.age_on`` computes (a 29 Feb birthday comes on 1 Mar in other years).
    Years before year 1 clamp to ``date.min``.
    """
    year = day.year - years
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=year)
    except ValueError:  # 29 Feb -> a year with no 29 Feb
        return day.replace(year=year, day=28)


def age_at_least_q(n: int, on: dt.date) -> Q:
    """Persons aged ``n`` or more on ``on``: by birth date, or by birth year when only that is known."""
    return Q(birth_date__lte=years_before(on, n)) | Q(
        birth_date__isnull=True, birth_year__lte=on.year - n
    )


def age_at_most_q(n: int, on: dt.date) -> Q:
    """Persons aged ``n`` or less on ``on`` (younger than ``n + 1``); unknown birth never matches."""
    return Q(birth_date__gt=years_before(on, n + 1)) | Q(
        birth_date__isnull=True, birth_year__gte=on.year - n
    )


def person_filter(
    qs: QuerySet[Person],
    *,
    village: Any = None,
    status: str = "living",
    sex: str | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    on: dt.date | None = None,
    has_id: bool | None = None,
) -> QuerySet[Person]:
    """Narrow an already scoped person queryset by the list filters (never widens it).

    ``village``: a Village or its pk; ``status``: "living" (no death date), "deceased" or "all";
    ``age_min``/``age_max``: whole years on ``on`` (default today), inclusive, from the birth
    date, or from the birth year alone (age = year of ``on`` - birth year); a person whose birth
    is unknown is left out whenever an age bound is given. ``has_id``: with / without a national
    ID number. Validating the values against the user's scope is the caller's job.
    """
    if status not in PERSON_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == "living":
        qs = qs.filter(death_date__isnull=True)
    elif status == "deceased":
        qs = qs.filter(death_date__isnull=False)
    if village is not None:
        qs = qs.filter(village=village)
    if sex:
        qs = qs.filter(sex=sex)
    if has_id is not None:
        qs = qs.filter(national_id__isnull=not has_id)
    if age_min is not None or age_max is not None:
        day = on or timezone.localdate()
        if age_min is not None:
            qs = qs.filter(age_at_least_q(age_min, day))
        if age_max is not None:
            qs = qs.filter(age_at_most_q(age_max, day))
    return qs
