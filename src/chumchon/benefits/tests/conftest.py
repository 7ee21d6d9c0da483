from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

MONTHLY = Decimal("30")


@pytest.fixture
def fund(world: Any) -> Any:
    """Fund A's books under the money rules of the example fund of domain.md (ตำบลตัวอย่าง)."""
    from chumchon.funds.services import fund_create

    return fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(1990, 1, 1),
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
def regulation(world: Any, fund: Any) -> Any:
    """The example regulation of domain.md, in force since 1 Jan 1990."""
    from chumchon.benefits.example import example_regulation

    return example_regulation(fund, actor=world.chair_a, effective_from=dt.date(1990, 1, 1))


@pytest.fixture
def member_factory(world: Any, fund: Any, person_factory: Any) -> Any:
    """An approved member on the monthly plan (30 baht), joined on ``joined``."""
    from chumchon.funds.services import member_apply, member_approve

    counter = iter(range(1, 10_000))

    def make(
        *,
        joined: dt.date = dt.date(2024, 1, 1),
        plan: str = "รายเดือน",
        group: Any = None,
        member_type: str | None = None,
        beneficiaries: Any = (),
        approve: bool = True,
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
            member_type=member_type,
            beneficiaries=beneficiaries,
        )
        if not approve:
            return m
        return member_approve(actor=world.chair_a, membership=m, joined_on=joined)

    return make


@pytest.fixture
def pay(world: Any) -> Any:
    """``pay(m, months, on=None)``: contributions for ``months`` months (and the entry fee when
    still owed), handed over on ``on`` (default: the joining day)."""
    from chumchon.funds.services import entry_fee_paid, payment_record

    def do(m: Any, months: int, on: dt.date | None = None) -> Any:
        fee = max(m.fund.entry_fee - entry_fee_paid(m), Decimal("0"))
        return payment_record(
            actor=world.chair_a,
            membership=m,
            date=on or m.joined_on,
            amount=MONTHLY * months + fee,
        )

    return do


@pytest.fixture
def claim_factory(world: Any) -> Any:
    """Store a claim as the regulation judges it (state ``submitted`` unless told), so later
    claims count it; the claim services are not needed to build history."""
    from django.db.models import Max

    from chumchon.benefits.models import Claim
    from chumchon.benefits.selectors import evaluate_claim

    def make(
        m: Any,
        code: str,
        event_date: dt.date,
        *,
        units: Any = None,
        event_end: dt.date | None = None,
        state: str = "submitted",
    ) -> tuple[Any, Any]:
        ev = evaluate_claim(
            membership=m, benefit_code=code, event_date=event_date, units=units, event_end=event_end
        )
        assert ev.benefit_id is not None, [r.text() for r in ev.reasons]
        last = Claim.objects.filter(fund_id=m.fund_id).aggregate(n=Max("number"))["n"] or 0
        claim = Claim.objects.create(
            fund_id=m.fund_id,
            number=last + 1,
            membership=m,
            benefit_id=ev.benefit_id,
            version_id=ev.version_id,
            event_date=event_date,
            event_end=event_end,
            units=ev.units,
            eligible=ev.eligible,
            evaluated_amount=ev.amount,
            amount=ev.amount,
            explanation=ev.explanation(),
            payee_name=m.person.full_name,
            state=state,
            made_by=world.chair_a,
        )
        return claim, ev

    return make
