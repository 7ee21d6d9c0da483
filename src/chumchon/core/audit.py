"""Audit history of business records, read from django-simple-history.

Every business model carries ``history = HistoricalRecords()``; services set ``_history_user``
so each create, change and delete records who, when, and the full row before and after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# What happened to the record, as shown in its history ("แก้ไข" alone is the "Edit" button).
KIND_LABELS = {
    "+": pgettext_lazy("history", "สร้าง"),
    "~": pgettext_lazy("history", "แก้ไข"),
    "-": pgettext_lazy("history", "ลบ"),
}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _display(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    f = _field(model, name)
    if getattr(f, "choices", None):
        return str(dict(f.choices).get(value, value))
    if isinstance(f, models.ForeignKey):
        try:
            return str(f.related_model._default_manager.get(pk=value))
        except Exception:  # the target may be gone
            return f"#{value}"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        from chumchon.core.thai import format_be_date

        return format_be_date(value)
    if isinstance(value, bool):
        return _("ใช่") if value else _("ไม่ใช่")
    return str(value)


def history_entries(obj: models.Model, *, mask: set[str] | None = None) -> list[HistoryEntry]:
    """The record's history, newest first, with per-field before and after.

    Labels and kinds are in the active language (Thai unless the user switched to English).
    """
    records = list(obj.history.all().select_related("history_user"))  # type: ignore[attr-defined]
    model = type(obj)
    tracked = (
        [
            f.name
            for f in model._meta.concrete_fields
            if f.name in {hf.name for hf in records[0]._meta.fields}
        ]
        if records
        else []
    )
    hidden = {"id", "created_at", "updated_at"}
    entries: list[HistoryEntry] = []
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes: list[FieldChange] = []
        for name in tracked:
            if name in hidden:
                continue
            attname = _field(model, name).attname
            new = getattr(rec, attname)
            old = getattr(prev, attname) if prev is not None else None
            if rec.history_type == "-":
                continue
            if prev is not None and old == new:
                continue
            if prev is None and new in (None, ""):
                continue
            label = str(_field(model, name).verbose_name)
            if mask and name in mask:
                changes.append(FieldChange(label, "•••" if old else "—", "•••" if new else "—"))
            else:
                changes.append(
                    FieldChange(label, _display(model, name, old), _display(model, name, new))
                )
        user = rec.history_user
        who = (user.get_full_name() or user.get_username()) if user else _("ระบบ")
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                who=who,
                kind=str(KIND_LABELS.get(rec.history_type, rec.history_type)),
                reason=rec.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
