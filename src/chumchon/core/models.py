from __future__ import annotations

from django.db import models
from django.db.models.functions import Length

# `field__length` in CHECK constraints (ID and registration numbers have fixed lengths).
models.CharField.register_lookup(Length)


class TimeStampedModel(models.Model):
    """Creation and change times for business records (history itself lives in simple-history)."""

    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)
    updated_at = models.DateTimeField("แก้ไขเมื่อ", auto_now=True)

    class Meta:
        abstract = True
