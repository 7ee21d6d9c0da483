"""Properties of the engine (hypothesis): never above a cap, period totals within the period cap
when claims follow one another, and the same answer every time."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chumchon.benefits.engine import (
    Evaluation,
    Limit,
    MemberFacts,
    PastUse,
    Rule,
    Tier,
    evaluate,
    period_bounds,
)

D = Decimal
PERIODS = ("event", "calendar", "fiscal", "membership", "year_from", "lifetime")
MEASURES = ("amount", "units", "count")

dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2032, 12, 31))
money = st.integers(min_value=1, max_value=500_000).map(lambda c: D(c) / 100)


@st.composite
def limits(draw: st.DrawFn) -> tuple[Limit, ...]:
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(MEASURES), st.sampled_from(PERIODS)),
            unique=True,
            max_size=6,
        )
    )
    out = []
    for measure, period in pairs:
        if measure == "amount":
            maximum = draw(money)
        else:
            maximum = D(draw(st.integers(min_value=1, max_value=20)))
        start = draw(st.integers(min_value=1, max_value=12)) if period == "year_from" else None
        out.append(Limit(measure, period, maximum, start))
    return tuple(out)


@st.composite
def tiers(draw: st.DrawFn) -> tuple[Tier, ...]:
    """Contiguous tiers in days/months/years (the last one open, maybe with a step and a cap)."""
    unit = draw(st.sampled_from(("days", "months", "years")))
    bounds = sorted(draw(st.lists(st.integers(min_value=1, max_value=40), unique=True, max_size=4)))
    starts = [0, *bounds]
    out = []
    for i, start in enumerate(starts):
        top = i == len(starts) - 1
        out.append(
            Tier(
                from_n=start,
                from_unit=unit,
                to_n=None if top else starts[i + 1],
                to_unit=unit,
                amount=draw(st.integers(min_value=0, max_value=30_000).map(D)),
                step_amount=draw(st.none() | money) if top else None,
                max_amount=draw(st.none() | money),
            )
        )
    return tuple(out)


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    kind = draw(st.sampled_from(("fixed", "per_unit", "tiered")))
    return Rule(
        code="x",
        name="ทดสอบ",
        amount_kind=kind,
        amount=None if kind == "tiered" else draw(money),
        unit_name="คืน",
        waiting_n=draw(st.integers(min_value=0, max_value=400)),
        waiting_unit=draw(st.sampled_from(("days", "months", "years"))),
        standing=draw(st.sampled_from(("any", "not_lapsed", "no_arrears", "arrears_within"))),
        standing_arrears_days=draw(st.integers(min_value=0, max_value=90)),
        tiers=draw(tiers()) if kind == "tiered" else (),
        limits=draw(limits()),
    )


@st.composite
def member(draw: st.DrawFn) -> MemberFacts:
    return MemberFacts(
        joined_on=draw(st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2026, 12, 31))),
        fiscal_year_start_month=draw(st.integers(min_value=1, max_value=12)),
        standing=draw(st.sampled_from(("active", "active", "arrears", "lapsed"))),
        arrears_days=draw(st.integers(min_value=0, max_value=90)),
    )


units_asked = st.none() | st.integers(min_value=0, max_value=30).map(D)
past_uses = st.lists(
    st.builds(
        PastUse,
        event_date=dates,
        units=st.none() | st.integers(min_value=0, max_value=10).map(D),
        amount=money,
    ),
    max_size=8,
)


def in_period(lim: Limit, facts: MemberFacts, day: dt.date, other: dt.date) -> bool:
    if lim.period == "lifetime":
        return True
    b = period_bounds(
        lim.period,
        day,
        joined=facts.joined_on,
        fy_start=facts.fiscal_year_start_month,
        start_month=lim.start_month,
    )
    return b is not None and b[0] <= other <= b[1]


def check_caps(
    rule: Rule, facts: MemberFacts, day: dt.date, past: list[PastUse], ev: Evaluation
) -> None:
    """The evaluation keeps within every cap, given what was used before."""
    assert ev.amount >= 0
    assert ev.amount == ev.amount.quantize(D("0.01"))
    if not ev.eligible:
        assert ev.amount == 0
        return
    assert ev.amount > 0
    for lim in rule.limits:
        if lim.period == "event":
            if lim.measure == "amount":
                assert ev.amount <= lim.maximum
            elif lim.measure == "units":
                assert ev.units is not None and ev.units <= lim.maximum
            continue
        used = [p for p in past if in_period(lim, facts, day, p.event_date)]
        if lim.measure == "amount":
            assert ev.amount + sum((p.amount for p in used), D(0)) <= lim.maximum
        elif lim.measure == "units":
            spent = sum((p.units if p.units is not None else D(1) for p in used), D(0))
            assert ev.units is not None and ev.units + spent <= lim.maximum
        else:
            assert len(used) + 1 <= lim.maximum
    if rule.amount_kind == "tiered":
        ceiling = max((t.max_amount if t.max_amount is not None else D("1e12")) for t in rule.tiers)
        assert ev.amount <= ceiling
    if rule.amount_kind == "per_unit":
        assert ev.amount <= (rule.amount * (ev.units or 0)).quantize(D("0.01"))
    if rule.amount_kind == "fixed":
        assert ev.amount <= rule.amount


@settings(max_examples=400, deadline=None)
@given(rule=rules(), facts=member(), day=dates, units=units_asked, past=past_uses)
def test_never_above_any_cap(
    rule: Rule, facts: MemberFacts, day: dt.date, units: Decimal | None, past: list[PastUse]
) -> None:
    ev = evaluate(rule, facts, event_date=day, units=units, past=past)
    check_caps(rule, facts, day, past, ev)


@settings(max_examples=200, deadline=None)
@given(
    rule=rules(),
    facts=member(),
    events=st.lists(
        st.tuples(
            st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)), units_asked
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_period_totals_never_exceed_the_period_cap(
    rule: Rule, facts: MemberFacts, events: list[tuple[dt.date, Decimal | None]]
) -> None:
    """Claims judged one after another, each counting those before it (in any date order)."""
    facts = MemberFacts(
        joined_on=dt.date(2023, 1, 1),
        fiscal_year_start_month=facts.fiscal_year_start_month,
        standing="active",
    )
    rule = Rule(**{**rule.__dict__, "waiting_n": 0, "standing": "not_lapsed"})
    past: list[PastUse] = []
    for day, units in events:
        ev = evaluate(rule, facts, event_date=day, units=units, past=past)
        check_caps(rule, facts, day, past, ev)
        if ev.eligible:
            past.append(PastUse(day, ev.units, ev.amount))
    for lim in rule.limits:
        if lim.period == "event":
            continue
        for day, _units in events:
            used = [p for p in past if in_period(lim, facts, day, p.event_date)]
            if lim.measure == "amount":
                assert sum((p.amount for p in used), D(0)) <= lim.maximum
            elif lim.measure == "units":
                assert sum((p.units or D(1) for p in used), D(0)) <= lim.maximum
            else:
                assert len(used) <= lim.maximum


@settings(max_examples=200, deadline=None)
@given(
    rule=rules(),
    facts=member(),
    day=dates,
    units=units_asked,
    past=past_uses,
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_evaluation_is_deterministic(
    rule: Rule,
    facts: MemberFacts,
    day: dt.date,
    units: Decimal | None,
    past: list[PastUse],
    seed: int,
) -> None:
    first = evaluate(rule, facts, event_date=day, units=units, past=past)
    shuffled = list(past)
    random.Random(seed).shuffle(shuffled)
    again = evaluate(rule, facts, event_date=day, units=units, past=shuffled)
    reordered = Rule(**{**rule.__dict__, "limits": tuple(reversed(rule.limits))})
    third = evaluate(reordered, facts, event_date=day, units=units, past=tuple(past))
    assert first == again == third
    assert [r.as_json() for r in first.reasons] == [r.as_json() for r in again.reasons]
