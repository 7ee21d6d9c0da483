"""Fund screens (see fundcommon.py for how records are found and permissions checked)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
