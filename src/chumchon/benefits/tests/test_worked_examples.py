"""The example regulation of domain.md as worked examples, on the database.

Fund: entry fee 20, 30 baht a month, lapsed when dues are unpaid for more than 60 days.
Regulation (``example_regulation``): birth 800 per newborn, at most 2 a calendar year, after 90
days; hospital 150 a night, at most 5 nights an admission and 15 a fiscal year (Oct-Sep), after
90 days; death by tenure tiers, paid to the beneficiary; elderly 300 a year (age 60+, 2+ years);
scholarship 400 per child member per school year (from May).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chumchon.benefits.selectors import evaluate_claim

pytestmark = pytest.mark.django_db

D = Decimal


def texts(ev: Any) -> str:
    return "\n".join(ev.texts())


def failed(ev: Any) -> list[str]:
    return [r.text() for r in ev.reasons if r.ok is False]


def claim(m: Any, code: str, day: dt.date, **kw: Any) -> Any:
    return evaluate_claim(membership=m, benefit_code=code, event_date=day, **kw)


# --- death: every tier boundary ---------------------------------------------------------------


DEATH_CASES = [
    # (event date, amount) for a member who joined on 1 Jan 2000
    (dt.date(2000, 1, 1), D("0")),
    (dt.date(2000, 9, 26), D("0")),  # day 269
    (dt.date(2000, 9, 27), D("2000")),  # day 270
    (dt.date(2000, 12, 31), D("2000")),
    (dt.date(2001, 1, 1), D("4000")),  # 1 year exactly
    (dt.date(2002, 12, 31), D("4000")),
    (dt.date(2003, 1, 1), D("8000")),  # 3 years
    (dt.date(2005, 12, 31), D("8000")),
    (dt.date(2006, 1, 1), D("12000")),  # 6 years
    (dt.date(2009, 12, 31), D("12000")),
    (dt.date(2010, 1, 1), D("15000")),  # 10 years
    (dt.date(2010, 12, 31), D("15000")),
    (dt.date(2011, 1, 1), D("15300")),  # 11 years: one complete year beyond 10
    (dt.date(2042, 12, 31), D("24600")),  # 42 years and 364 days: 32 complete years beyond
    (dt.date(2043, 12, 31), D("24900")),  # 43 years and 364 days: 33 complete years beyond
    (dt.date(2044, 1, 1), D("25000")),  # 44 years: 15,000 + 34 x 300 = 25,200, at most 25,000
    (dt.date(2050, 6, 1), D("25000")),
]


def test_death_benefit_at_every_tier_boundary(
    regulation: Any, member_factory: Any, pay: Any
) -> None:
    m = member_factory(joined=dt.date(2000, 1, 1))
    pay(m, 12 * 51)  # paid through 2050
    for day, amount in DEATH_CASES:
        ev = claim(m, "death", day)
        assert ev.amount == amount, (day, texts(ev))
        assert ev.eligible is (amount > 0), (day, texts(ev))
    ev = claim(m, "death", dt.date(2000, 9, 26))
    assert "เป็นสมาชิก 8 เดือน 25 วัน" in texts(ev)
    assert "ขั้นอายุสมาชิก ตั้งแต่ 0 วัน ถึงก่อน 270 วัน: 0.00 บาท" in texts(ev)
    assert "ตามระเบียบ กรณีนี้จ่าย 0 บาท" in failed(ev)
    ev = claim(m, "death", dt.date(2011, 1, 1))
    assert "เป็นสมาชิก 11 ปี" in texts(ev)
    assert (
        "ขั้นอายุสมาชิก ตั้งแต่ 10 ปี ขึ้นไป: 15,000.00 บาท + 300.00 บาท × 1 ปีเต็มที่เกิน = 15,300.00 บาท"
        in texts(ev)
    )
    ev = claim(m, "death", dt.date(2044, 1, 1))
    assert "× 34 ปีเต็มที่เกิน = 25,200.00 บาท" in texts(ev)
    assert "ขั้นนี้จ่ายไม่เกิน 25,000.00 บาท จึงจ่าย 25,000.00 บาท" in texts(ev)


def test_death_tiers_for_a_member_who_joined_on_29_february(
    regulation: Any, member_factory: Any, pay: Any
) -> None:
    m = member_factory(joined=dt.date(2004, 2, 29))
    pay(m, 12 * 13)
    assert claim(m, "death", dt.date(2005, 2, 27)).amount == D("2000")
    assert claim(m, "death", dt.date(2005, 2, 28)).amount == D("4000")  # the anniversary, clipped
    assert claim(m, "death", dt.date(2014, 2, 27)).amount == D("12000")
    assert claim(m, "death", dt.date(2014, 2, 28)).amount == D("15000")  # 10 years
    assert claim(m, "death", dt.date(2016, 2, 28)).amount == D("15300")  # 11 years
    assert claim(m, "death", dt.date(2016, 2, 29)).amount == D("15600")  # leap year: the 29th


def test_death_is_paid_to_the_beneficiary_and_judged_on_the_death_date(
    world: Any, regulation: Any, member_factory: Any, pay: Any
) -> None:
    from chumchon.benefits.selectors import benefit_in_force, default_payee
    from chumchon.funds.selectors import member_status
    from chumchon.funds.services import BeneficiaryData, member_record_death

    m = member_factory(
        joined=dt.date(2020, 3, 1),
        beneficiaries=[BeneficiaryData(name="นางสมใจ ใจดี", relation="ภรรยา")],
    )
    pay(m, 12 * 8)
    person = m.person
    person.death_date = dt.date(2026, 5, 10)
    person.save()
    m = member_record_death(actor=world.chair_a, membership=m)
    assert member_status(m, dt.date(2026, 5, 10)).code == "dead"

    ev = claim(m, "death", dt.date(2026, 5, 10))
    assert ev.eligible and ev.amount == D("12000")  # 6 years 2 months
    assert "ผู้รับเงิน: ผู้รับผลประโยชน์ที่สมาชิกระบุ" in texts(ev)
    assert "สมาชิกเสียชีวิตเมื่อ 10 พ.ค. 2569: พิจารณาสถานะสมาชิก ณ วันที่เสียชีวิต" in texts(ev)
    assert "สถานะสมาชิก ณ วันที่เกิดเหตุ: ปกติ" in texts(ev)
    bt = benefit_in_force(m.fund, "death", dt.date(2026, 5, 10))
    name, beneficiary = default_payee(m, bt)
    assert name == "นางสมใจ ใจดี" and beneficiary.relation == "ภรรยา"
    # The member's own benefits are paid to the member; after death, they are refused.
    hospital = benefit_in_force(m.fund, "hospital", dt.date(2026, 5, 10))
    assert default_payee(m, hospital) == (m.person.full_name, None)
    assert not claim(m, "hospital", dt.date(2026, 5, 12), units=2).eligible


def test_death_after_lapse_is_not_paid(
    world: Any, regulation: Any, member_factory: Any, pay: Any
) -> None:
    from chumchon.funds.services import member_record_death

    m = member_factory(joined=dt.date(2020, 1, 1))
    pay(m, 24)  # paid through 31 Dec 2021; lapsed on 2 Mar 2022
    person = m.person
    person.death_date = dt.date(2023, 1, 5)
    person.save()
    m = member_record_death(actor=world.chair_a, membership=m)
    ev = claim(m, "death", dt.date(2023, 1, 5))
    assert not ev.eligible and ev.amount == 0
    assert any("ขาดสมาชิกภาพ" in t for t in failed(ev))


# --- hospital: caps per admission and per fiscal year -----------------------------------------


def test_hospital_nights_across_two_fiscal_years(
    regulation: Any, member_factory: Any, pay: Any, claim_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2024, 1, 1))
    pay(m, 12 * 3)
    # Fiscal year 2568 (1 Oct 2024 - 30 Sep 2025).
    _c, ev = claim_factory(m, "hospital", dt.date(2025, 8, 1), event_end=dt.date(2025, 8, 6))
    assert (ev.units, ev.amount) == (D(5), D("750.00"))
    _c, ev = claim_factory(m, "hospital", dt.date(2025, 9, 1), event_end=dt.date(2025, 9, 8))
    assert (ev.units, ev.amount) == (D(5), D("750.00"))  # 7 nights asked, 5 per admission
    assert "ไม่เกิน 5 คืนต่อครั้ง จึงจ่าย 5 คืน จากที่ขอ 7 คืน" in texts(ev)
    _c, ev = claim_factory(m, "hospital", dt.date(2025, 9, 20), event_end=dt.date(2025, 9, 24))
    assert (ev.units, ev.amount) == (D(4), D("600.00"))
    assert "ใช้สิทธิ์แล้ว 10 คืนในปีงบประมาณ 2568 เหลือ 5 คืน" in texts(ev)
    ev = claim(m, "hospital", dt.date(2025, 9, 30), event_end=dt.date(2025, 10, 3))
    assert (ev.units, ev.amount) == (D(1), D("150.00"))
    assert "ใช้สิทธิ์แล้ว 14 คืนในปีงบประมาณ 2568 เหลือ 1 คืน จึงจ่าย 1 คืน จากที่ขอ 3 คืน" in texts(ev)
    claim_factory(m, "hospital", dt.date(2025, 9, 30), event_end=dt.date(2025, 10, 3))
    full = claim(m, "hospital", dt.date(2025, 9, 30), units=1)
    assert not full.eligible and full.amount == 0
    assert "ใช้สิทธิ์ครบ 15 คืนในปีงบประมาณ 2568 แล้ว (ใช้ไป 15 คืน)" in failed(full)
    # 1 October starts fiscal year 2569 afresh.
    ev = claim(m, "hospital", dt.date(2025, 10, 1), units=3)
    assert ev.eligible and ev.amount == D("450.00")
    assert "ใช้สิทธิ์แล้ว 0 คืนในปีงบประมาณ 2569 เหลือ 15 คืน" in texts(ev)
    for start in (dt.date(2025, 10, 1), dt.date(2025, 12, 1)):
        claim_factory(m, "hospital", start, units=5)
    claim_factory(m, "hospital", dt.date(2026, 2, 1), units=1)
    ev = claim(m, "hospital", dt.date(2026, 3, 1), units=5)
    assert "ใช้สิทธิ์แล้ว 11 คืนในปีงบประมาณ 2569 เหลือ 4 คืน" in texts(ev)
    assert (ev.units, ev.amount) == (D(4), D("600.00"))


def test_rejected_and_reversed_claims_do_not_count(
    regulation: Any, member_factory: Any, pay: Any, claim_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2024, 1, 1))
    pay(m, 12 * 3)
    claim_factory(m, "hospital", dt.date(2025, 11, 1), units=5, state="rejected")
    claim_factory(m, "hospital", dt.date(2025, 11, 10), units=5, state="reversed")
    kept, _ev = claim_factory(m, "hospital", dt.date(2025, 12, 1), units=5, state="paid")
    ev = claim(m, "hospital", dt.date(2026, 1, 1), units=5)
    assert "ใช้สิทธิ์แล้ว 5 คืนในปีงบประมาณ 2569 เหลือ 10 คืน" in texts(ev)
    # Re-evaluating a stored claim does not count it against itself.
    again = claim(m, "hospital", kept.event_date, units=5, exclude_claim_id=kept.pk)
    assert "ใช้สิทธิ์แล้ว 0 คืนในปีงบประมาณ 2569" in texts(again)


# --- birth: newborns per calendar year --------------------------------------------------------


def test_birth_newborns_per_calendar_year(
    regulation: Any, member_factory: Any, pay: Any, claim_factory: Any
) -> None:
    m = member_factory(joined=dt.date(2024, 1, 1), title="นาง", sex="F")
    pay(m, 12 * 3)
    early = claim(m, "birth", dt.date(2024, 3, 30))  # day 89
    assert not early.eligible
    assert "ยังไม่พ้นระยะรอสิทธิ์ 90 วัน (จะมีสิทธิ์ตั้งแต่ 31 มี.ค. 2567)" in failed(early)
    _c, ev = claim_factory(m, "birth", dt.date(2024, 3, 31))  # day 90: one newborn
    assert (ev.eligible, ev.amount, ev.units) == (True, D("800.00"), D(1))
    _c, ev = claim_factory(m, "birth", dt.date(2024, 12, 1), units=2)  # twins: one more left
    assert (ev.amount, ev.units) == (D("800.00"), D(1))
    assert "ใช้สิทธิ์แล้ว 1 คนในปี พ.ศ. 2567 เหลือ 1 คน จึงจ่าย 1 คน จากที่ขอ 2 คน" in texts(ev)
    third = claim(m, "birth", dt.date(2024, 12, 31))
    assert not third.eligible
    assert "ใช้สิทธิ์ครบ 2 คนในปี พ.ศ. 2567 แล้ว (ใช้ไป 2 คน)" in failed(third)
    ev = claim(m, "birth", dt.date(2025, 1, 1), units=2)
    assert (ev.eligible, ev.amount) == (True, D("1600.00"))


# --- standing: lapse at the event date, applicants ----------------------------------------------


def test_lapse_at_the_event_date(regulation: Any, member_factory: Any, pay: Any) -> None:
    m = member_factory(joined=dt.date(2024, 1, 1))
    pay(m, 3)  # paid through 31 Mar 2024: unpaid from 1 Apr
    in_arrears = claim(m, "hospital", dt.date(2024, 5, 31), units=2)  # 60 days unpaid
    assert in_arrears.eligible and in_arrears.amount == D("300.00")
    assert "สถานะสมาชิก ณ วันที่เกิดเหตุ: ค้างชำระ" in texts(in_arrears)
    lapsed = claim(m, "hospital", dt.date(2024, 6, 1), units=2)  # more than 60 days
    assert not lapsed.eligible and lapsed.amount == 0
    line = next(t for t in failed(lapsed) if t.startswith("สถานะสมาชิก"))
    assert "ขาดสมาชิกภาพ" in line and "ค้างชำระเกิน 60 วัน" in line
    # An event before the lapse is still judged on its own date.
    assert claim(m, "hospital", dt.date(2024, 4, 15), units=1).eligible


def test_applicants_and_rejected_applicants_are_not_eligible(
    world: Any, regulation: Any, member_factory: Any
) -> None:
    from chumchon.funds.services import member_reject

    waiting = member_factory(joined=dt.date(2024, 1, 1), approve=False)
    ev = claim(waiting, "death", dt.date(2026, 1, 1))
    assert not ev.eligible and ev.amount == 0
    assert "สมาชิกภาพยังไม่ได้รับอนุมัติ (ยื่นใบสมัครเมื่อ 1 ม.ค. 2567)" in failed(ev)
    assert ev.benefit_id is not None and ev.version_id == regulation.pk
    rejected = member_factory(joined=dt.date(2024, 1, 1), approve=False)
    rejected = member_reject(actor=world.chair_a, membership=rejected, reason="ข้อมูลไม่ครบ")
    assert "ใบสมัครไม่ได้รับอนุมัติ จึงไม่มีสิทธิ์รับสวัสดิการ" in failed(
        claim(rejected, "death", dt.date(2026, 1, 1))
    )


# --- rejoining ----------------------------------------------------------------------------------


def test_rejoining_resets_waiting_periods_and_caps(
    world: Any, regulation: Any, fund: Any, member_factory: Any, pay: Any, claim_factory: Any
) -> None:
    from chumchon.funds.services import member_apply, member_approve

    old = member_factory(joined=dt.date(2023, 1, 1))
    pay(old, 12)  # paid through 31 Dec 2023, lapsed on 2 Mar 2024
    for start in (dt.date(2023, 10, 1), dt.date(2023, 11, 1), dt.date(2023, 12, 1)):
        claim_factory(old, "hospital", start, units=5)  # 15 nights in fiscal year 2567
    assert not claim(old, "hospital", dt.date(2023, 12, 20), units=1).eligible
    assert claim(old, "death", dt.date(2024, 1, 10)).amount == D("4000")

    new = member_apply(
        actor=world.chair_a,
        fund=fund,
        person=old.person,
        org_unit=world.group_a1,
        plan=fund.plans.get(name="รายเดือน"),
        applied_on=dt.date(2024, 4, 1),
    )
    new = member_approve(actor=world.chair_a, membership=new, joined_on=dt.date(2024, 4, 1))
    pay(new, 12)
    assert new.previous_id == old.pk
    waiting = claim(new, "hospital", dt.date(2024, 6, 29), units=2)  # day 89 of the new one
    assert not waiting.eligible
    assert "ยังไม่พ้นระยะรอสิทธิ์ 90 วัน (จะมีสิทธิ์ตั้งแต่ 30 มิ.ย. 2567)" in failed(waiting)
    ev = claim(new, "hospital", dt.date(2024, 6, 30), units=2)  # same fiscal year, caps afresh
    assert ev.eligible and ev.amount == D("300.00")
    assert "ใช้สิทธิ์แล้ว 0 คืนในปีงบประมาณ 2567 เหลือ 15 คืน" in texts(ev)
    assert "เป็นสมาชิกตั้งแต่ 1 เม.ย. 2567" in texts(ev)
    # Death within 270 days of the new membership: nothing, whatever the old tenure was.
    assert claim(new, "death", dt.date(2024, 12, 25)).amount == 0
    assert claim(new, "death", dt.date(2024, 12, 27)).amount == D("2000")


# --- versions -----------------------------------------------------------------------------------


def test_the_version_in_force_on_the_event_date_is_used(
    world: Any, regulation: Any, fund: Any, member_factory: Any, pay: Any, claim_factory: Any
) -> None:
    from chumchon.benefits.example import example_regulation
    from chumchon.benefits.models import BenefitType, RegulationVersion
    from chumchon.benefits.selectors import benefit_in_force, version_in_force

    second = example_regulation(fund, actor=world.chair_a, effective_from=dt.date(2026, 1, 1))
    BenefitType.objects.filter(version=second, code="birth").update(amount=D("1000"))
    BenefitType.objects.filter(version=second, code="hospital").update(amount=D("200"))
    draft = RegulationVersion.objects.create(
        fund=fund, number=3, title="ร่างแก้ไข", effective_from=dt.date(2026, 3, 1)
    )
    assert version_in_force(fund, dt.date(2025, 12, 31)) == regulation
    assert version_in_force(fund, dt.date(2026, 1, 1)) == second
    assert version_in_force(fund, dt.date(2026, 6, 1)) == second  # a draft is never in force
    assert version_in_force(fund, dt.date(1989, 12, 31)) is None
    assert draft.pk and benefit_in_force(fund, "birth", dt.date(2026, 6, 1)).amount == D("1000")
    assert benefit_in_force(fund, "wedding", dt.date(2026, 6, 1)) is None

    m = member_factory(joined=dt.date(2024, 1, 1))
    pay(m, 12 * 3)
    before = claim(m, "birth", dt.date(2025, 12, 31))
    after = claim(m, "birth", dt.date(2026, 1, 1))
    assert (before.amount, before.version_id) == (D("800.00"), regulation.pk)
    assert (after.amount, after.version_id) == (D("1000.00"), second.pk)
    assert "ฉบับที่ 2 มีผลบังคับใช้ตั้งแต่ 1 ม.ค. 2569" in texts(after)
    # Caps count the same benefit code across versions.
    claim_factory(m, "hospital", dt.date(2025, 11, 1), units=5)  # version 1, fiscal year 2569
    ev = claim(m, "hospital", dt.date(2026, 2, 1), units=5)
    assert "ใช้สิทธิ์แล้ว 5 คืนในปีงบประมาณ 2569 เหลือ 10 คืน" in texts(ev)
    assert ev.amount == D("1000.00")
    none = claim(m, "birth", dt.date(1989, 6, 1))
    assert not none.eligible and none.benefit_id is None
    assert "ยังไม่มีระเบียบสวัสดิการที่มีผลบังคับใช้ ณ วันที่ 1 มิ.ย. 2532" in failed(none)
    unknown = claim(m, "wedding", dt.date(2026, 2, 1))
    assert "ไม่มีสวัสดิการรหัส “wedding”" in failed(unknown)[0]


# --- elderly (recurring) and scholarship ----------------------------------------------------


def _posted_run(world: Any, fund: Any, bt: Any, members: list[Any], start: dt.date) -> Any:
    from chumchon.benefits.models import BenefitRun, RunLine

    run = BenefitRun.objects.create(
        fund=fund,
        benefit=bt,
        benefit_code=bt.code,
        period_key=str(start.year + 543),
        period_start=start,
        period_end=dt.date(start.year, 12, 31),
        as_of=start,
        state="posted",
        created_by=world.chair_a,
    )
    for m in members:
        RunLine.objects.create(run=run, membership=m, amount=bt.amount, payee_name="x")
    return run


def test_elderly_yearly_benefit(
    world: Any, regulation: Any, fund: Any, member_factory: Any, pay: Any
) -> None:
    from chumchon.benefits.selectors import (
        benefit_in_force,
        evaluate_recurring,
        evaluate_recurring_many,
    )

    old = member_factory(joined=dt.date(2022, 6, 1), birth_date=dt.date(1960, 1, 10))
    young = member_factory(joined=dt.date(2022, 6, 1), birth_date=dt.date(1966, 3, 1))
    new = member_factory(joined=dt.date(2024, 6, 1), birth_date=dt.date(1950, 3, 1))
    lapsed = member_factory(joined=dt.date(2020, 6, 1), birth_date=dt.date(1950, 3, 1))
    for m in (old, young, new):
        pay(m, 12 * 5)
    pay(lapsed, 12)
    bt = benefit_in_force(fund, "elderly", dt.date(2026, 1, 15))
    jan = {"as_of": dt.date(2026, 1, 15), "period_start": dt.date(2026, 1, 1)}
    jan["period_end"] = dt.date(2026, 12, 31)

    def judge(m: Any) -> Any:
        return evaluate_recurring(membership=m, benefit=bt, **jan)

    ev = judge(old)
    assert (ev.eligible, ev.amount) == (True, D("300.00"))
    assert "อายุ ณ วันที่เกิดเหตุ 66 ปี — เงื่อนไข: อายุตั้งแต่ 60 ปีขึ้นไป" in texts(ev)
    assert "พ้นระยะรอสิทธิ์ 2 ปี แล้ว (มีสิทธิ์ตั้งแต่ 1 มิ.ย. 2567)" in texts(ev)
    assert "อายุ ณ วันที่เกิดเหตุ 59 ปี — เงื่อนไข: อายุตั้งแต่ 60 ปีขึ้นไป" in failed(judge(young))
    assert "ยังไม่พ้นระยะรอสิทธิ์ 2 ปี (จะมีสิทธิ์ตั้งแต่ 1 มิ.ย. 2569)" in failed(judge(new))
    assert not judge(lapsed).eligible

    many = evaluate_recurring_many(memberships=[old, young, new, lapsed], benefit=bt, **jan)
    assert {k: (v.eligible, v.amount) for k, v in many.items()} == {
        m.pk: (judge(m).eligible, judge(m).amount) for m in (old, young, new, lapsed)
    }
    assert many[old.pk] == judge(old)

    _posted_run(world, fund, bt, [old], dt.date(2026, 1, 1))
    # Posted run lines are past use of the benefit code (for caps), as claims are.
    from chumchon.benefits.engine import PastUse
    from chumchon.benefits.selectors import past_use

    assert past_use(old, "elderly") == [PastUse(dt.date(2026, 1, 1), None, D("300.00"))]
    assert past_use(young, "elderly") == []
    done = judge(old)
    assert not done.eligible and done.amount == 0
    assert any(t.startswith("ได้รับสวัสดิการรอบ 1 ม.ค. 2569 – 31 ธ.ค. 2569 แล้ว") for t in failed(done))
    assert done.reasons[-1].text() == "ไม่มีสิทธิ์ได้รับตามระเบียบ"
    assert not evaluate_recurring_many(memberships=[old], benefit=bt, **jan)[old.pk].eligible
    # The next year's run picks the member up again; a member who turned 60 is picked up too.
    next_year = {
        "as_of": dt.date(2027, 1, 15),
        "period_start": dt.date(2027, 1, 1),
        "period_end": dt.date(2027, 12, 31),
    }
    assert evaluate_recurring(membership=old, benefit=bt, **next_year).eligible
    assert evaluate_recurring(membership=young, benefit=bt, **next_year).eligible


def test_scholarship_once_per_school_year_for_child_members(
    regulation: Any, member_factory: Any, pay: Any, claim_factory: Any
) -> None:
    child = member_factory(
        joined=dt.date(2024, 1, 1), birth_date=dt.date(2012, 5, 5), title="เด็กชาย"
    )
    adult = member_factory(joined=dt.date(2024, 1, 1), birth_date=dt.date(1990, 5, 5))
    assert child.member_type == "child"
    pay(child, 12 * 3)
    pay(adult, 12 * 3)
    _c, ev = claim_factory(child, "scholarship", dt.date(2025, 5, 20))
    assert (ev.eligible, ev.amount) == (True, D("400.00"))
    again = claim(child, "scholarship", dt.date(2026, 4, 30))
    assert not again.eligible
    assert "ใช้สิทธิ์ครบ 1 ครั้งในรอบปี 1 พ.ค. 2568 – 30 เม.ย. 2569 แล้ว (ใช้ไป 1 ครั้ง)" in failed(again)
    assert claim(child, "scholarship", dt.date(2026, 5, 1)).eligible
    no = claim(adult, "scholarship", dt.date(2025, 5, 20))
    assert "ประเภทสมาชิก: ทั่วไป — เงื่อนไข: เด็กและเยาวชน" in failed(no)


# --- scope ------------------------------------------------------------------------------------


def test_visibility_follows_the_user_roles(
    world: Any, regulation: Any, member_factory: Any, pay: Any, claim_factory: Any, fund: Any
) -> None:
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.benefits.selectors import (
        claims_visible_to,
        regulations_visible_to,
        runs_visible_to,
    )
    from chumchon.core.permissions import Role

    village = get_user_model().objects.create_user(username="committee_a1", password="x-1234-word")
    role_assign(
        user=village, org_unit=world.group_a1, role=Role.COMMITTEE, start_date=dt.date(2024, 1, 1)
    )

    a1 = member_factory(joined=dt.date(2024, 1, 1))
    a2 = member_factory(joined=dt.date(2024, 1, 1), group=world.group_a2)
    pay(a1, 12)
    pay(a2, 12)
    c1, _ev = claim_factory(a1, "hospital", dt.date(2024, 6, 1), units=2)
    c2, _ev = claim_factory(a2, "hospital", dt.date(2024, 6, 1), units=2)
    bt = c1.benefit
    run = _posted_run(world, fund, bt, [a1], dt.date(2024, 1, 1))
    assert set(claims_visible_to(world.chair_a)) == {c1, c2}
    assert set(claims_visible_to(village)) == {c1}
    assert not claims_visible_to(world.viewer_a).exists()  # a viewer does not see the books
    assert set(claims_visible_to(world.coordinator)) == {c1, c2}
    assert not claims_visible_to(world.officer_b).exists()
    assert not claims_visible_to(world.expired).exists()
    assert list(regulations_visible_to(world.chair_a)) == [regulation]
    assert not regulations_visible_to(world.officer_b).exists()
    assert list(runs_visible_to(world.coordinator)) == [run]
    assert not runs_visible_to(village).exists()  # fund-level books: not a village's
    assert not regulations_visible_to(village).exists()
