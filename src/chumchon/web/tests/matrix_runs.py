"""Tenancy matrix entries of the recurring-run and projection screens (views_runs.py).

Fund A gets the example regulation and its member (born 1955, joined 1 Jan 2025) pays ahead to
2029, so the member is due the elderly benefit from 2027. The runs each entry aims at are made
when its URL is built (before any snapshot): prepared by fund A's registrar, so fund A's chair
may approve them; the one to pay is approved already.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from chumchon.core.thai import format_be_date


def _ready(a: Any) -> None:
    if getattr(a, "runs_ready", False):
        return
    from chumchon.benefits.example import example_regulation
    from chumchon.funds import services as fs

    example_regulation(a.fund, actor=a.world.chair_a, effective_from=dt.date(2024, 1, 1))
    fs.payment_record(
        actor=a.world.chair_a, membership=a.membership, date=dt.date(2025, 1, 6), amount="1500"
    )
    a.runs_ready = True


def run(a: Any, key: str = "2570", *, approved: bool = False) -> Any:
    """A run of the elderly benefit of fund A for BE year ``key`` (cached on ``a``)."""
    cache = a.__dict__.setdefault("matrix_runs", {})
    if key not in cache:
        from chumchon.benefits import services_runs as runs

        _ready(a)
        made = runs.run_preview(
            actor=a.world.registrar_a,
            fund=a.fund,
            benefit_code="elderly",
            period_key=key,
            as_of=dt.date(int(key) - 543, 1, 15),
        )
        if approved:
            runs.run_approve(actor=a.world.chair_a, run=made)
        cache[key] = made
    return cache[key]


def entries(Entry: Any) -> dict[str, Any]:
    def fund_args(a: Any) -> list[int]:
        _ready(a)
        return [a.fund.pk]

    return {
        "run_list": Entry(args=lambda a: (run(a), [a.fund.pk])[1]),
        "run_create": Entry(
            args=fund_args,
            post=lambda a: {"benefit_code": "elderly", "period_key": "2571", "as_of": ""},
        ),
        "run_detail": Entry(args=lambda a: [run(a).pk]),
        "run_refresh": Entry(args=lambda a: [run(a).pk], post=lambda a: {"as_of": ""}, get=False),
        "run_approve": Entry(args=lambda a: [run(a).pk], post=lambda a: {}, get=False),
        "run_post": Entry(
            args=lambda a: [run(a, "2571", approved=True).pk],
            post=lambda a: {
                "pay_date": format_be_date(timezone.localdate(), "numeric"),
                "method": "cash",
                "bank_ref": "",
            },
        ),
        "run_cancel": Entry(args=lambda a: [run(a).pk], post=lambda a: {}, get=False),
        "run_sheet_pdf": Entry(args=lambda a: [run(a).pk], binary=True),
        "projection": Entry(
            args=fund_args,
            query=lambda a: {"years": 10, "benefit": "death", "benefit_percent": 150},
        ),
    }
