"""Reads of persons and households, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Collate
from django.utils.translation import gettext as _

from chumchon.areas.selectors import scope_q
from chumchon.core.thai import normalize_national_id, search_key, strip_title

from .models import Household, Person

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


def _prefix_q(field: str, prefix: str) -> Q:
    """An index-friendly prefix match on a search-key column.

    PostgreSQL: LIKE 'x%' (Django's varchar_pattern_ops "_like" index serves it).
    SQLite: a range on the binary-collated column, which its B-tree index serves (SQLite's LIKE is
    case-insensitive and would scan).
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})


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
