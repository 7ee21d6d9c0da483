"""Tenancy matrix entries of the money screens (payments, receipts, collection days)."""

from __future__ import annotations

from typing import Any


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "payment_create": Entry(
            args=lambda a: [a.membership.pk],
            post=lambda a: {
                "amount": "30",
                "date": "05/01/2568",
                "method": "cash",
                "idempotency_key": "matrix-payment-create-1",
            },
        ),
        "payment_detail": Entry(args=lambda a: [a.payment.pk]),
        "payment_void": Entry(
            args=lambda a: [a.payment.pk], post=lambda a: {"reason": "ทดสอบการยกเลิก"}
        ),
        "payment_list": Entry(
            args=lambda a: [a.fund.pk], query=lambda a: {"group": a.world.group_a1.pk}
        ),
        "collection_day_list": Entry(args=lambda a: [a.fund.pk]),
        "collection_day_open": Entry(
            args=lambda a: [a.fund.pk],
            post=lambda a: {"group": a.world.group_a1.pk, "date": "06/01/2568"},
        ),
        "collection_day_detail": Entry(args=lambda a: [a.day.pk]),
        "collection_day_pay": Entry(
            args=lambda a: [a.day.pk],
            post=lambda a: {
                "membership": a.membership.pk,
                "amount": "30",
                "idempotency_key": "matrix-collection-pay-1",
            },
            get=False,
        ),
        "collection_day_close": Entry(
            args=lambda a: [a.day.pk], post=lambda a: {"counted_cash": "50", "note": ""}
        ),
    }
