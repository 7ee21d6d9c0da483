"""Shared helpers of the fund screens: find a record the user may see (404 otherwise), check a
permission at the record's unit (403 otherwise), and show a service's ValidationError on a form.

Every fund screen finds its records through these, so tenancy is decided in one place: the
``*_visible_to`` selectors of ``chumchon.funds.selectors`` keep rows whose org unit one of the
user's live roles covers with ``Perm.VIEW_BOOKS``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext

from chumchon.areas.selectors import user_can
from chumchon.funds import selectors as fund_sel
from chumchon.funds.models import CollectionDay, Fund, Membership, Payment


def _not_found() -> Http404:
    return Http404(gettext("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


def fund_for(user: Any, pk: int) -> Fund:
    try:
        return fund_sel.funds_visible_to(user).get(pk=pk)
    except Fund.DoesNotExist as exc:
        raise _not_found() from exc


def membership_for(user: Any, pk: int) -> Membership:
    try:
        return fund_sel.memberships_visible_to(user).get(pk=pk)
    except Membership.DoesNotExist as exc:
        raise _not_found() from exc


def payment_for(user: Any, pk: int) -> Payment:
    try:
        return (
            fund_sel.payments_visible_to(user)
            .select_related("membership__person", "fund__org_unit", "org_unit")
            .get(pk=pk)
        )
    except Payment.DoesNotExist as exc:
        raise _not_found() from exc


def collection_day_for(user: Any, pk: int) -> CollectionDay:
    try:
        return (
            fund_sel.collection_days_visible_to(user)
            .select_related("fund__org_unit", "org_unit")
            .get(pk=pk)
        )
    except CollectionDay.DoesNotExist as exc:
        raise _not_found() from exc


def require(user: Any, perm: str, unit: Any) -> None:
    """403 unless the user holds ``perm`` at ``unit`` or above."""
    if not user_can(user, perm, unit):
        raise PermissionDenied(gettext("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))


def can(user: Any, perm: str, unit: Any) -> bool:
    return user_can(user, perm, unit)


def apply_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field when the form has it,
    otherwise as a form-wide error (the Thai message already names the field)."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            target = name if name in form.fields else None
            for e in errs:
                form.add_error(target, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)
