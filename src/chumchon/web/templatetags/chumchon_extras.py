"""Small template helpers that are not Thai conventions (those live in ``thai``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(person: Any) -> int | None:
    """Age in whole years today (or at death), from a full birth date or a birth year."""
    if person is None:
        return None
    day = person.death_date or timezone.localdate()
    result: int | None = person.age_on(day)
    return result


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
