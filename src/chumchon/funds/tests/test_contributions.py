"""Worked examples of the example regulation's contribution rules (domain.md, ตำบลตัวอย่าง):
entry fee 20; 1 baht a day payable as 30/90/180/365; lapsed when dues are unpaid for more than
60 days; a resigning member who never received a benefit gets back 50% of contributions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chumchon.funds import services as fs
from chumchon.funds.models import Membership, Payment
from chumchon.funds.selectors import add_months, coverage, matching_eligible, member_status
from chumchon.ledger.selectors import verify_book

D = Decimal


def pay(world: Any, m: Membership, day: dt.date, amount: str, **kw: Any) -> Payment:
    return fs.payment_record(actor=world.chair_a, membership=m, date=day, amount=amount, **kw)


def test_add_months_clips_to_month_end() -> None:
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_first_payment_takes_entry_fee_then_a_month(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    p = pay(world, m, dt.date(2025, 1, 1), "50")
    assert (p.entry_fee, p.contribution) == (D("20"), D("30"))
    assert p.covers_to == dt.date(2025, 1, 31)
    assert (p.fiscal_year, p.receipt_no) == (2568, 1)
    p2 = pay(world, m, dt.date(2025, 2, 1), "30")
    assert p2.entry_fee == 0 and p2.receipt_no == 2
    assert verify_book(m.fund.book).ok


def test_paying_several_periods_and_partial(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 15))
    pay(world, m, dt.date(2025, 1, 15), "20")  # entry fee only
    pay(world, m, dt.date(2025, 1, 15), "100")  # three months and 10 baht over
    cov = coverage(m)
    assert cov.paid_through == dt.date(2025, 4, 14)
    assert cov.credit == D("10") and cov.next_amount == D("20")
    st = member_status(m, dt.date(2025, 4, 20))
    assert st.code == "arrears" and st.amount_due == D("20") and st.missed_dues == 1
    assert "ค้างชำระ 1 งวด" in st.reason


def test_yearly_plan_365(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2024, 10, 1), plan="รายปี")
    pay(world, m, dt.date(2024, 10, 1), "385")
    assert coverage(m).paid_through == dt.date(2025, 9, 30)
    assert member_status(m, dt.date(2025, 9, 30)).code == "active"


def test_lapse_after_more_than_60_days_unpaid(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")  # covers January
    # Due 1 Feb; 60 days unpaid on 2 Apr (Feb 28 days + Mar 31 + 1); lapses on 3 Apr.
    assert member_status(m, dt.date(2025, 4, 2)).code == "arrears"
    st = member_status(m, dt.date(2025, 4, 3))
    assert st.code == "lapsed" and st.lapsed_on == dt.date(2025, 4, 3)
    assert "60 วัน" in st.reason
    with pytest.raises(ValidationError, match="ขาดสมาชิกภาพ"):
        pay(world, m, dt.date(2025, 4, 3), "30")


def test_payment_on_the_last_day_saves_membership(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    pay(world, m, dt.date(2025, 4, 2), "90")
    assert member_status(m, dt.date(2025, 4, 3)).code == "active"


def test_lapse_is_sticky_even_if_history_shows_a_later_payment(
    world: Any, member_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    fs.payment_record(
        actor=world.chair_a,
        membership=m,
        date=dt.date(2025, 6, 1),
        amount="150",
        check_status=False,
    )
    st = member_status(m, dt.date(2025, 6, 2))
    assert st.code == "lapsed" and st.lapsed_on == dt.date(2025, 4, 3)


def test_missed_dues_rule(world: Any, member_factory: Any, fund: Any) -> None:
    fs.fund_update(actor=world.chair_a, fund=fund, lapse_rule="missed_dues", lapse_missed_dues=3)
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    # Dues 1 Feb, 1 Mar, 1 Apr missed = 3 (allowed); the fourth, 1 May, lapses.
    assert member_status(m, dt.date(2025, 4, 30)).missed_dues == 3
    st = member_status(m, dt.date(2025, 5, 1))
    assert st.code == "lapsed" and "3 งวด" in st.reason


def test_rejoin_after_lapse_is_a_new_membership(world: Any, member_factory: Any, fund: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    again = fs.member_apply(
        actor=world.chair_a,
        fund=fund,
        person=m.person,
        org_unit=world.group_a1,
        plan=m.plan,
        applied_on=dt.date(2025, 7, 1),
    )
    m.refresh_from_db()
    assert m.state == "resigned" and m.ended_on == dt.date(2025, 4, 3)
    assert again.previous_id == m.pk
    again = fs.member_approve(actor=world.chair_a, membership=again, joined_on=dt.date(2025, 7, 1))
    assert again.member_no != m.member_no
    assert member_status(m, dt.date(2025, 8, 1)).code == "lapsed"


def test_cannot_apply_twice_while_member(world: Any, member_factory: Any, fund: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    with pytest.raises(ValidationError, match="เป็นสมาชิกอยู่แล้ว"):
        fs.member_apply(
            actor=world.chair_a,
            fund=fund,
            person=m.person,
            org_unit=world.group_a1,
            plan=m.plan,
            applied_on=dt.date(2025, 1, 20),
        )


def test_resign_refunds_half_when_no_benefit(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    pay(world, m, dt.date(2025, 2, 1), "30.50")
    fs.member_resign(
        actor=world.chair_a, membership=m, date=dt.date(2025, 2, 10), reason="ย้ายภูมิลำเนา"
    )
    m.refresh_from_db()
    assert m.refund.contributions == D("60.50") and m.refund.amount == D("30.25")
    assert m.fund.account("cash").balance == D("80.50") - D("30.25")
    assert member_status(m, dt.date(2025, 2, 10)).code == "resigned"
    assert verify_book(m.fund.book).ok


def test_void_is_a_reversal_and_coverage_drops(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    pay(world, m, dt.date(2025, 1, 1), "50")
    p = pay(world, m, dt.date(2025, 2, 1), "30")
    fs.payment_void(actor=world.chair_a, payment=p, reason="รับเงินซ้ำ", date=dt.date(2025, 2, 1))
    assert coverage(m).paid_through == dt.date(2025, 1, 31)
    assert m.fund.account("cash").balance == D("50")
    with pytest.raises(ValidationError):
        fs.payment_void(actor=world.chair_a, payment=p, reason="อีกครั้ง")
    assert verify_book(m.fund.book).ok


def test_idempotent_payment_posts_once(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    a = pay(world, m, dt.date(2025, 1, 1), "50", idempotency_key="row-7-abc")
    b = pay(world, m, dt.date(2025, 1, 1), "50", idempotency_key="row-7-abc")
    assert a.pk == b.pk and Payment.objects.count() == 1


def test_receipt_numbers_restart_each_fiscal_year(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 9, 1))
    a = pay(world, m, dt.date(2025, 9, 30), "50")
    b = pay(world, m, dt.date(2025, 10, 1), "30")
    assert (a.fiscal_year, a.receipt_no, b.fiscal_year, b.receipt_no) == (2568, 1, 2569, 1)


def test_other_fund_officer_cannot_collect(world: Any, member_factory: Any) -> None:
    m = member_factory(joined=dt.date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        fs.payment_record(
            actor=world.officer_b, membership=m, date=dt.date(2025, 1, 1), amount="50"
        )


def test_matching_eligible_after_a_full_year(world: Any, member_factory: Any, fund: Any) -> None:
    old = member_factory(joined=dt.date(2024, 10, 1), plan="รายปี")
    pay(world, old, dt.date(2024, 10, 1), "385")
    late = member_factory(joined=dt.date(2024, 10, 2), plan="รายปี")
    pay(world, late, dt.date(2024, 10, 2), "385")
    lapsed = member_factory(joined=dt.date(2024, 1, 1))
    pay(world, lapsed, dt.date(2024, 1, 1), "50")
    rows = matching_eligible(fund, 2568)  # as of 30 Sep 2025
    assert [r.membership.pk for r in rows] == [old.pk]
    fs.matching_round_freeze(actor=world.chair_a, fund=fund, round_no=1, fiscal_year_be=2568)
    assert matching_eligible(fund, 2568)[0].rounds == [1]


def test_fund_receipt_posts_to_source_income(world: Any, fund: Any) -> None:
    fs.fund_receipt_record(
        actor=world.chair_a,
        fund=fund,
        source="state_codi",
        amount="36500",
        date=dt.date(2025, 3, 1),
        round_no=2,
    )
    assert fund.account("income.state_codi").balance == D("36500")
    assert fund.account("bank").balance == D("36500")
    with pytest.raises(ValidationError, match="รอบ"):
        fs.fund_receipt_record(
            actor=world.chair_a,
            fund=fund,
            source="state_codi",
            amount="1",
            date=dt.date(2025, 3, 1),
        )


def test_collection_day_close_records_difference(
    world: Any, member_factory: Any, fund: Any
) -> None:
    from chumchon.funds.selectors import collection_sheet

    m1 = member_factory(joined=dt.date(2025, 1, 1))
    m2 = member_factory(joined=dt.date(2025, 1, 1))
    day = fs.collection_day_open(
        actor=world.chair_a, fund=fund, org_unit=world.group_a1, date=dt.date(2025, 1, 5)
    )
    sheet = collection_sheet(day)
    assert [r.membership.pk for r in sheet] == [m1.pk, m2.pk]
    assert [r.due for r in sheet] == [D("50"), D("50")]
    fs.payment_record(
        actor=world.chair_a, membership=m1, date=day.date, amount="50", collection_day=day
    )
    with pytest.raises(ValidationError, match="หมายเหตุ"):
        fs.collection_day_close(actor=world.chair_a, day=day, counted_cash="40")
    closed = fs.collection_day_close(
        actor=world.chair_a, day=day, counted_cash="40", note="เงินทอนผิด"
    )
    assert closed.expected_cash == D("50") and closed.difference == D("-10")


def test_walk_carried_forward_equals_walk_from_the_start(member_factory: Any, fund: Any) -> None:
    """member_status walks once, payment by payment; that must equal a walk of the total."""
    import random

    from chumchon.funds.selectors import PlanSchedule, _walk

    m = member_factory(joined=dt.date(2024, 1, 31), plan="รายไตรมาส")
    schedule = PlanSchedule(m)
    rng = random.Random(7)
    state = _walk(m.joined_on, D("0"), schedule)
    total = D("0")
    for _ in range(200):
        add = D(rng.choice(["30", "45.50", "90", "180", "7", "365"]))
        total += add
        state = _walk(m.joined_on, add, schedule, state)
        assert state == _walk(m.joined_on, total, schedule)
