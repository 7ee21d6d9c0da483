from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def fund(world: Any) -> Any:
    """Fund A's books under the example regulation of domain.md (ตำบลตัวอย่าง)."""
    from chumchon.funds.services import fund_create

    return fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=Decimal("20"),
        plans=[
            ("รายเดือน", 1, Decimal("30")),
            ("รายไตรมาส", 3, Decimal("90")),
            ("รายครึ่งปี", 6, Decimal("180")),
            ("รายปี", 12, Decimal("365")),
        ],
        lapse_days=60,
        refund_rule="if_no_benefit",
        refund_percent=Decimal("50"),
    )


@pytest.fixture
def member_factory(world: Any, fund: Any, person_factory: Any) -> Any:
    from chumchon.funds.services import member_apply, member_approve

    counter = iter(range(1, 10_000))

    def make(
        *,
        joined: dt.date = dt.date(2024, 1, 1),
        plan: str = "รายเดือน",
        group: Any = None,
        **person: Any,
    ) -> Any:
        n = next(counter)
        person.setdefault("first_name", f"สมาชิก{n}")
        p = person_factory(org_unit=group or world.group_a1, **person)
        m = member_apply(
            actor=world.chair_a,
            fund=fund,
            person=p,
            org_unit=group or world.group_a1,
            plan=fund.plans.get(name=plan),
            applied_on=joined,
        )
        return member_approve(actor=world.chair_a, membership=m, joined_on=joined)

    return make
