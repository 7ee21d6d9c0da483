"""Recurring runs of the example regulation's elderly benefit (300 baht a year to members aged
60 and over with 2 years of membership, paid each January): preview, approve, post, cancel.

The fund's chair prepares the list, the treasurer approves and pays (or the other way round);
the maker never approves their own list; a period is paid once, by the service and by the
database; a member who turns 60 after a period's run is paid by the next period's run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from chumchon.areas.services import role_assign
from chumchon.benefits import services_runs as runs
from chumchon.benefits.example import example_regulation
from chumchon.benefits.models import BenefitRun, Payout, RunLine, RunState
from chumchon.core.permissions import Role
from chumchon.funds import services as fs
from chumchon.ledger.models import JournalEntry, Sequence
from chumchon.ledger.selectors import verify_book

D = Decimal
JOINED = dt.date(2020, 1, 1)
AS_OF_2568 = dt.date(2025, 1, 15)  # the January 2025 run (BE 2568)
AS_OF_2569 = dt.date(2026, 1, 15)
PAY_2568 = dt.date(2025, 1, 20)
PAY_2569 = dt.date(2026, 1, 20)


def user_with(role: str, unit: Any, name: str) -> Any:
    user = get_user_model().objects.create_user(name, password="x")
    role_assign(user=user, org_unit=unit, role=role, start_date=dt.date(2019, 1, 1))
    return user


def make_fund(world: Any) -> Any:
    """Fund A with the example regulation in force from 1 Jan 2020 (30 a month, lapse 60 days)."""
    fund = fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2019, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )
    example_regulation(fund, actor=world.chair_a, effective_from=JOINED)
    return fund


def make_member(
    world: Any,
    fund: Any,
    person_factory: Any,
    *,
    birth: dt.date,
    joined: dt.date = JOINED,
    months_paid: int = 84,
    name: str = "สมาชิก",
    group: Any = None,
) -> Any:
    """A member paying 30 a month, ``months_paid`` months paid on the joining day (plus the fee)."""
    group = group or world.group_a1
    person = person_factory(first_name=name, last_name="ทดสอบ", birth_date=birth, org_unit=group)
    m = fs.member_apply(
        actor=world.chair_a,
        fund=fund,
        person=person,
        org_unit=group,
        plan=fund.plans.get(months=1),
        applied_on=joined,
    )
    m = fs.member_approve(actor=world.chair_a, membership=m, joined_on=joined)
    if months_paid:
        fs.payment_record(
            actor=world.chair_a, membership=m, date=joined, amount=D(30 * months_paid + 20)
        )
    return m


@pytest.fixture
def fund(world: Any) -> Any:
    return make_fund(world)


@pytest.fixture
def treasurer(world: Any) -> Any:
    return user_with(Role.TREASURER, world.fund_a, "treasurer_a")


@pytest.fixture
def members(world: Any, fund: Any, person_factory: Any) -> dict[str, Any]:
    """Who the January 2025 run should and should not pay."""
    return {
        "old": make_member(world, fund, person_factory, birth=dt.date(1950, 3, 1), name="ทองดี"),
        "older": make_member(world, fund, person_factory, birth=dt.date(1940, 12, 31), name="บุญมา"),
        "young": make_member(world, fund, person_factory, birth=dt.date(1975, 1, 1), name="สมหญิง"),
        # 60 on 1 June 2025: too young for the January 2025 run, paid by January 2026's.
        "turns_60": make_member(
            world, fund, person_factory, birth=dt.date(1965, 6, 1), name="มาลัย"
        ),
        # Joined 1 Jan 2024: two years only from 1 Jan 2026.
        "new": make_member(
            world,
            fund,
            person_factory,
            birth=dt.date(1950, 1, 1),
            joined=dt.date(2024, 1, 1),
            months_paid=36,
            name="ใหม่",
        ),
        # Paid 12 months from 2020: lapsed long before 2025.
        "lapsed": make_member(
            world, fund, person_factory, birth=dt.date(1945, 5, 5), months_paid=12, name="ขาด"
        ),
    }


def preview(
    world: Any, fund: Any, key: str = "2568", as_of: dt.date = AS_OF_2568, **kw: Any
) -> Any:
    actor = kw.pop("actor", world.chair_a)
    return runs.run_preview(
        actor=actor, fund=fund, benefit_code="elderly", period_key=key, as_of=as_of, **kw
    )


def paid_members(run: BenefitRun) -> set[int]:
    return set(RunLine.objects.filter(run=run).values_list("membership_id", flat=True))


# ------------------------------------------------------------------ periods


def test_period_keys_read_a_be_year_or_a_month_of_it() -> None:
    year = runs.parse_period("๒๕๗๐")
    assert (year.key, year.start, year.end) == ("2570", dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    month = runs.parse_period("2570-2")
    assert (month.key, month.start, month.end) == (
        "2570-02",
        dt.date(2027, 2, 1),
        dt.date(2027, 2, 28),
    )
    assert runs.parse_period("02/2570").key == "2570-02"
    assert runs.period_label("2570-02") == "กุมภาพันธ์ 2570"


@pytest.mark.parametrize("bad", ["", "2027x", "1970", "2570-13", "abc"])
def test_unreadable_period_keys_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        runs.parse_period(bad)
    assert exc.value.message_dict["period_key"][0].startswith("รอบ:")


def test_a_run_prepared_early_is_judged_on_the_first_day_of_its_period() -> None:
    period = runs.parse_period("2570")
    assert runs.default_as_of(period, dt.date(2026, 12, 20)) == dt.date(2027, 1, 1)
    assert runs.default_as_of(period, dt.date(2027, 3, 5)) == dt.date(2027, 3, 5)
    assert runs.default_as_of(period, dt.date(2028, 3, 5)) == dt.date(2027, 12, 31)


# ------------------------------------------------------------------ preview


def test_preview_lists_every_eligible_member_with_amount_and_reasons(
    world: Any, fund: Any, members: dict[str, Any]
) -> None:
    run = preview(world, fund)
    assert run.state == RunState.PREVIEW
    assert paid_members(run) == {members["old"].pk, members["older"].pk}
    assert (run.count, run.total) == (2, D("600.00"))
    line = RunLine.objects.get(run=run, membership=members["old"])
    assert line.amount == D("300.00")
    assert line.payee_name == members["old"].person.full_name
    texts = [r[0] % r[1] if r[1] else r[0] for r in line.explanation]
    assert any("อายุ ณ วันที่เกิดเหตุ 74 ปี" in t for t in texts)
    assert any("มีสิทธิ์ได้รับ 300.00 บาท" in t for t in texts)
    assert run.benefit.code == "elderly" and run.period_start == dt.date(2025, 1, 1)


def test_preview_refuses_a_benefit_that_is_not_recurring_or_a_wrong_period_shape(
    world: Any, fund: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        runs.run_preview(actor=world.chair_a, fund=fund, benefit_code="death", period_key="2568")
    assert "ไม่ได้จ่ายเป็นรอบ" in exc.value.message_dict["benefit_code"][0]
    with pytest.raises(ValidationError) as exc:
        runs.run_preview(
            actor=world.chair_a, fund=fund, benefit_code="elderly", period_key="2568-01"
        )
    assert "จ่ายปีละครั้ง" in exc.value.message_dict["period_key"][0]
    with pytest.raises(ValidationError) as exc:
        runs.run_preview(actor=world.chair_a, fund=fund, benefit_code="nothing", period_key="2568")
    assert "ไม่มีสวัสดิการรหัส nothing" in exc.value.message_dict["benefit_code"][0]
    with pytest.raises(ValidationError) as exc:
        preview(world, fund, as_of=dt.date(2026, 1, 1))
    assert exc.value.message_dict["as_of"][0].startswith("วันที่พิจารณาสิทธิ์:")
    assert not BenefitRun.objects.exists()


def test_registrar_may_prepare_but_not_approve_or_pay_and_another_tambon_may_do_nothing(
    world: Any, fund: Any, members: dict[str, Any]
) -> None:
    run = preview(world, fund, actor=world.registrar_a)
    with pytest.raises(PermissionDenied):
        runs.run_approve(actor=world.registrar_a, run=run)
    runs.run_approve(actor=world.chair_a, run=run)
    with pytest.raises(PermissionDenied):
        runs.run_post(actor=world.registrar_a, run=run, pay_date=PAY_2568)
    with pytest.raises(PermissionDenied):
        preview(world, fund, key="2569", as_of=AS_OF_2569, actor=world.officer_b)


def test_refresh_picks_up_changes_and_makes_the_refresher_the_maker(
    world: Any, fund: Any, members: dict[str, Any], person_factory: Any, treasurer: Any
) -> None:
    run = preview(world, fund)
    late = make_member(world, fund, person_factory, birth=dt.date(1949, 9, 9), name="มาทีหลัง")
    runs.run_refresh(actor=treasurer, run=run)
    run.refresh_from_db()
    assert late.pk in paid_members(run)
    assert (run.count, run.created_by) == (3, treasurer)
    with pytest.raises(ValidationError, match="อนุมัติเองไม่ได้"):
        runs.run_approve(actor=treasurer, run=run)


# ------------------------------------------------------------------ approve and post


def test_the_maker_never_approves_their_own_list(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    run = preview(world, fund)
    with pytest.raises(ValidationError, match="อนุมัติเองไม่ได้"):
        runs.run_approve(actor=world.chair_a, run=run)
    runs.run_approve(actor=treasurer, run=run)
    run.refresh_from_db()
    assert (run.state, run.approved_by) == (RunState.APPROVED, treasurer)
    with pytest.raises(ValidationError, match="สถานะ"):
        runs.run_approve(actor=treasurer, run=run)


def test_an_empty_run_cannot_be_approved(world: Any, fund: Any, treasurer: Any) -> None:
    run = preview(world, fund)
    assert run.count == 0
    with pytest.raises(ValidationError, match="ไม่มีผู้มีสิทธิ์"):
        runs.run_approve(actor=treasurer, run=run)


def test_posting_writes_one_balanced_entry_and_one_payout_per_line(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    run = preview(world, fund)
    runs.run_approve(actor=treasurer, run=run)
    cash_before = fund.account("cash").balance
    assert fund.account("benefit.03").balance == D("0.00")
    runs.run_post(actor=treasurer, run=run, pay_date=PAY_2568, method="cash")
    run.refresh_from_db()
    assert (run.state, run.pay_date, run.posted_by) == (RunState.POSTED, PAY_2568, treasurer)
    payouts = list(Payout.objects.filter(run_line__run=run).order_by("voucher_no"))
    assert [p.voucher_no for p in payouts] == [1, 2]
    assert {p.fiscal_year for p in payouts} == {2568}  # 20 Jan 2025 is in fiscal year 2568
    for p in payouts:
        m = p.membership
        entry = p.entry
        assert entry.source_type == "benefit"
        assert entry.source_id == f"m{m.pk}:run{run.pk}"
        assert entry.idempotency_key == f"run:{run.pk}:{p.run_line_id}"
        assert entry.date == PAY_2568 and entry.amount == D("300.00")
        legs = sorted((x.account.category, x.side, x.amount) for x in entry.postings.all())
        assert legs == [("benefit.03", "D", D("300.00")), ("cash", "C", D("300.00"))]
        assert fs.has_received_benefit(m)
    assert not fs.has_received_benefit(members["young"])
    assert fund.account("benefit.03").balance == D("600.00")
    assert fund.account("cash").balance == cash_before - D("600.00")
    assert verify_book(fund.book).faults == []


def test_a_transfer_run_credits_the_bank_and_keeps_the_reference(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    fs.fund_receipt_record(
        actor=world.chair_a, fund=fund, source="donation", amount="5000", date=dt.date(2024, 12, 1)
    )
    run = preview(world, fund)
    runs.run_approve(actor=treasurer, run=run)
    runs.run_post(actor=treasurer, run=run, pay_date=PAY_2568, method="transfer", bank_ref="TX-9")
    assert fund.account("bank").balance == D("4400.00")
    assert set(Payout.objects.values_list("method", "bank_ref")) == {("transfer", "TX-9")}


def test_vouchers_follow_on_from_the_fiscal_years_sequence(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    from chumchon.ledger import services as ledger

    assert ledger.next_number(book=fund.book, name="voucher", year=2568) == 1  # a claim's voucher
    run = preview(world, fund)
    runs.run_approve(actor=treasurer, run=run)
    runs.run_post(actor=treasurer, run=run, pay_date=PAY_2568)
    assert sorted(Payout.objects.values_list("voucher_no", flat=True)) == [2, 3]
    assert Sequence.objects.get(book=fund.book, name="voucher", year=2568).last == 3


def test_not_enough_cash_refuses_the_whole_run_and_saves_nothing(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    run = preview(world, fund)
    runs.run_approve(actor=treasurer, run=run)
    entries = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        runs.run_post(actor=treasurer, run=run, pay_date=PAY_2568, method="transfer")
    assert exc.value.message_dict["method"][0].startswith("วิธีจ่าย:")
    run.refresh_from_db()
    assert run.state == RunState.APPROVED
    assert JournalEntry.objects.count() == entries
    assert not Payout.objects.exists()
    assert not Sequence.objects.filter(name="voucher").exclude(last=0).exists()


def test_pay_date_in_the_future_is_refused(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    run = preview(world, fund)
    runs.run_approve(actor=treasurer, run=run)
    with pytest.raises(ValidationError) as exc:
        runs.run_post(actor=treasurer, run=run, pay_date=dt.date.today() + dt.timedelta(days=3))
    assert exc.value.message_dict["pay_date"] == ["วันที่จ่าย: เป็นวันในอนาคต"]


# ------------------------------------------------------------------ once per period


def test_a_run_cannot_post_twice(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    run = preview(world, fund)
    runs.run_approve(actor=treasurer, run=run)
    runs.run_post(actor=treasurer, run=run, pay_date=PAY_2568)
    entries = JournalEntry.objects.count()
    with pytest.raises(ValidationError, match="จ่ายซ้ำไม่ได้"):
        runs.run_post(actor=treasurer, run=run, pay_date=PAY_2568)
    with pytest.raises(ValidationError) as exc:
        preview(world, fund)
    assert "จ่ายไปแล้ว" in exc.value.message_dict["period_key"][0]
    assert JournalEntry.objects.count() == entries
    assert Payout.objects.count() == 2


def test_a_second_preview_of_the_same_period_cannot_be_approved_once_one_is(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    first = preview(world, fund)
    second = preview(world, fund)
    runs.run_approve(actor=treasurer, run=first)
    with pytest.raises(ValidationError) as exc:
        runs.run_approve(actor=treasurer, run=second)
    assert "อนุมัติไปแล้ว" in exc.value.message_dict["period_key"][0]
    second.refresh_from_db()
    assert second.state == RunState.PREVIEW


def test_the_database_refuses_two_approved_runs_of_one_period(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    first = preview(world, fund)
    second = preview(world, fund)
    runs.run_approve(actor=treasurer, run=first)
    runs.run_post(actor=treasurer, run=first, pay_date=PAY_2568)
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitRun.objects.filter(pk=second.pk).update(state=RunState.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitRun.objects.filter(pk=second.pk).update(state=RunState.POSTED)


def test_a_member_eligible_after_a_periods_run_is_paid_by_the_next_period(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    jan_2025 = preview(world, fund)
    runs.run_approve(actor=treasurer, run=jan_2025)
    runs.run_post(actor=treasurer, run=jan_2025, pay_date=PAY_2568)
    assert members["turns_60"].pk not in paid_members(jan_2025)
    jan_2026 = preview(world, fund, key="2569", as_of=AS_OF_2569)
    assert paid_members(jan_2026) == {
        members["old"].pk,
        members["older"].pk,
        members["turns_60"].pk,  # 60 since June 2025
        members["new"].pk,  # two years of membership since 1 Jan 2026
    }
    runs.run_approve(actor=treasurer, run=jan_2026)
    runs.run_post(actor=treasurer, run=jan_2026, pay_date=PAY_2569)
    assert Payout.objects.filter(membership=members["old"]).count() == 2
    assert Payout.objects.filter(membership=members["turns_60"]).count() == 1
    fy = set(Payout.objects.filter(run_line__run=jan_2026).values_list("fiscal_year", flat=True))
    assert fy == {2569}
    assert verify_book(fund.book).faults == []


def test_a_run_for_the_beneficiary_is_paid_to_the_named_person(
    world: Any, fund: Any, members: dict[str, Any]
) -> None:
    from chumchon.benefits.models import BenefitType, Payee

    m = members["old"]
    fs.beneficiaries_set(
        actor=world.chair_a,
        membership=m,
        beneficiaries=[fs.BeneficiaryData(name="นางสาวลูกสาว ทดสอบ", relation="บุตร")],
    )
    BenefitType.objects.filter(code="elderly").update(payee=Payee.BENEFICIARY)
    run = preview(world, fund)
    assert RunLine.objects.get(run=run, membership=m).payee_name == "นางสาวลูกสาว ทดสอบ"


# ------------------------------------------------------------------ cancel


def test_previews_and_unpaid_approved_runs_can_be_cancelled_posted_ones_cannot(
    world: Any, fund: Any, members: dict[str, Any], treasurer: Any
) -> None:
    run = preview(world, fund)
    runs.run_cancel(actor=world.registrar_a, run=run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    with pytest.raises(ValidationError, match="ยกเลิกไปแล้ว"):
        runs.run_cancel(actor=world.chair_a, run=run)
    approved = preview(world, fund)
    runs.run_approve(actor=treasurer, run=approved)
    with pytest.raises(PermissionDenied):
        runs.run_cancel(actor=world.registrar_a, run=approved)
    runs.run_cancel(actor=treasurer, run=approved)
    again = preview(world, fund)  # the period is free again
    runs.run_approve(actor=treasurer, run=again)
    runs.run_post(actor=treasurer, run=again, pay_date=PAY_2568)
    with pytest.raises(ValidationError, match="ยกเลิกไม่ได้"):
        runs.run_cancel(actor=treasurer, run=again)


def test_recurring_benefits_offered_are_those_in_force_or_adopted_for_later(
    world: Any, fund: Any
) -> None:
    assert [b.code for b in runs.recurring_benefits(fund, dt.date(2025, 1, 1))] == ["elderly"]
    assert runs.recurring_benefits(fund, dt.date(2019, 6, 1))[0].version.effective_from == JOINED


# ------------------------------------------------------------------ the bulk path


@pytest.mark.parametrize(("key", "as_of"), [("2568", AS_OF_2568), ("2569", AS_OF_2569)])
def test_the_runs_bulk_evaluation_matches_evaluate_recurring_member_by_member(
    world: Any,
    fund: Any,
    members: dict[str, Any],
    person_factory: Any,
    treasurer: Any,
    key: str,
    as_of: dt.date,
) -> None:
    """Every membership the run leaves out is ineligible by ``evaluate_recurring``; every one it
    evaluates gets the same verdict, amount and reasons from both paths (dead after the day,
    resigned after the day, in arrears, lapsed, too young, paid the year before)."""
    from chumchon.benefits.models import BenefitType
    from chumchon.benefits.selectors import evaluate_recurring
    from chumchon.funds.models import Membership
    from chumchon.people.services import person_update

    dies = make_member(world, fund, person_factory, birth=dt.date(1948, 2, 2), name="จากไป")
    person_update(actor=world.chair_a, person=dies.person, death_date=dt.date(2026, 6, 1))
    resigns = make_member(world, fund, person_factory, birth=dt.date(1951, 2, 2), name="ลาออก")
    fs.member_resign(
        actor=world.chair_a, membership=resigns, date=dt.date(2026, 3, 1), reason="ย้ายบ้าน"
    )
    make_member(world, fund, person_factory, birth=dt.date(1952, 2, 2), months_paid=59, name="ค้าง")
    make_member(world, fund, person_factory, birth=dt.date(1953, 2, 2), months_paid=72, name="ค้าง2")
    if key == "2569":  # last year's run paid: past use for this one
        jan_2025 = preview(world, fund)
        runs.run_approve(actor=treasurer, run=jan_2025)
        runs.run_post(actor=treasurer, run=jan_2025, pay_date=PAY_2568)
    period = runs.parse_period(key)
    benefit = BenefitType.objects.get(code="elderly")
    chosen = runs._candidates(fund, benefit, period, as_of)
    bulk = runs._evaluations(benefit, period, as_of, chosen)
    everyone = Membership.objects.filter(fund=fund).select_related("person", "fund", "plan")
    assert len(chosen) >= 7 and everyone.count() > len(chosen)
    eligible = 0
    for m in everyone:
        one = evaluate_recurring(
            membership=m,
            benefit=benefit,
            as_of=as_of,
            period_start=period.start,
            period_end=period.end,
        )
        if m not in chosen:
            assert not one.eligible, m
            continue
        assert (bulk[m.pk].eligible, bulk[m.pk].amount) == (one.eligible, one.amount), m
        assert [r.as_json() for r in bulk[m.pk].reasons] == [r.as_json() for r in one.reasons]
        eligible += one.eligible
    assert eligible >= 3
