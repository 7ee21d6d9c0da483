"""Small helpers for the Excel files reports write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append`` that keeps text text: a name or answer starting with "=" is never a
    formula in the file (openpyxl would store it as one)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
