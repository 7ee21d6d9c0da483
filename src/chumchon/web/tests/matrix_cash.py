"""Tenancy matrix entries of the expense and bank-transfer screen (views_cash.py)."""

from __future__ import annotations

from typing import Any


def _expense(a: Any) -> dict[str, Any]:
    account = a.fund.account("admin.stationery")
    return {
        "kind": "expense",
        "date": "06/01/2568",
        "account": str(account.pk),
        "method": "cash",
        "amount": "1.00",
        "memo": "ค่าถ่ายเอกสาร (ทดสอบสิทธิ์)",
    }


def entries(Entry: Any) -> dict[str, Any]:
    return {"cash_movements": Entry(args=lambda a: [a.fund.pk], post=_expense)}
