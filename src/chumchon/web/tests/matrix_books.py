"""Tenancy matrix entries of the book screens (views_books.py).

Closing and reopening a period needs ``Perm.CLOSE_PERIOD``, which only a treasurer holds: the
URL arguments of those two views make fund A's chair also fund A's treasurer (one person holding
both posts, as happens in small funds) before the matrix takes its snapshot. They also create
the period the URL names, closed for the reopen view. The eligible list of fiscal year 2569 needs
a member in good standing on 30 Sep 2026: the arguments record fund A's member paying ahead (with
an idempotency key, so repeated calls pay once).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chumchon.core.permissions import Role
from chumchon.core.thai import fiscal_year_bounds

FY = 2568  # the fiscal year of fund A's receipt (5 Jan 2025)
FREEZE_FY = 2569


def _treasurer_chair(a: Any) -> Any:
    from chumchon.areas.models import RoleAssignment
    from chumchon.areas.services import role_assign

    chair = a.world.chair_a
    if not RoleAssignment.objects.filter(
        user=chair, org_unit=a.world.fund_a, role=Role.TREASURER
    ).exists():
        role_assign(
            user=chair, org_unit=a.world.fund_a, role=Role.TREASURER, start_date=dt.date(2024, 1, 1)
        )
    return chair


def _period(a: Any, *, closed: bool) -> int:
    from chumchon.ledger import services as ledger

    chair = _treasurer_chair(a)
    start, end = fiscal_year_bounds(FY)
    period = ledger.period_ensure(book=a.fund.book, start_date=start, end_date=end)
    assert period is not None
    if closed and not period.closed:
        period = ledger.period_close(
            book=a.fund.book, start_date=start, end_date=end, actor=chair, reason="ปิดปีบัญชี"
        )
    return int(period.pk)


def _paid_ahead(a: Any) -> list[int]:
    from chumchon.funds import services as fs

    fs.payment_record(
        actor=a.world.chair_a,
        membership=a.membership,
        date=dt.date(2025, 1, 6),
        amount="600",
        idempotency_key="matrix-books-paid-ahead",
    )
    return [a.fund.pk, FREEZE_FY]


def entries(Entry: Any) -> dict[str, Any]:
    fund = lambda a: [a.fund.pk]  # noqa: E731
    return {
        "cash_book": Entry(args=fund, query=lambda a: {"start": "01/10/2567", "end": "30/09/2568"}),
        "general_ledger": Entry(
            args=fund, query=lambda a: {"start": "01/10/2567", "end": "30/09/2568"}
        ),
        "trial_balance": Entry(args=fund, query=lambda a: {"as_of": "30/09/2568"}),
        "ledger_verify": Entry(args=fund),
        "journal_entry": Entry(args=lambda a: [a.fund.pk, a.payment.entry.number]),
        "periods": Entry(args=fund),
        "period_close": Entry(
            args=lambda a: [a.fund.pk, _period(a, closed=False)],
            post=lambda a: {"reason": "ตรวจยอดปีบัญชีแล้ว"},
            get=False,
        ),
        "period_reopen": Entry(
            args=lambda a: [a.fund.pk, _period(a, closed=True)],
            post=lambda a: {"reason": "บันทึกใบเสร็จตกหล่น"},
            get=False,
        ),
        "matching": Entry(args=fund),
        "fund_receipt_create": Entry(
            args=fund,
            post=lambda a: {
                "source": "local_gov",
                "amount": "10,000",
                "date": "15/02/2568",
                "method": "transfer",
                "payer": "อบต.",
            },
        ),
        "pledge_create": Entry(
            args=fund,
            post=lambda a: {"source": "local_gov", "fiscal_year": "2568", "amount": "20000"},
        ),
        "matching_eligible": Entry(args=lambda a: [a.fund.pk, FY]),
        "matching_freeze": Entry(args=_paid_ahead, post=lambda a: {"round_no": "1"}, get=False),
    }
