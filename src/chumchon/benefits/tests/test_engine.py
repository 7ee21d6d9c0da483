"""Each rule kind of the engine in isolation (pure: no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chumchon.benefits.engine import (
    Evaluation,
    Limit,
    MemberFacts,
    PastUse,
    Reason,
    Rule,
    Tier,
    after,
    evaluate,
    fmt_tenure,
    tenure,
)

D = Decimal
JOINED = dt.date(2024, 1, 1)


def rule(**kw: Any) -> Rule:
    kw.setdefault("code", "x")
    kw.setdefault("name", "สวัสดิการทดสอบ")
    kw.setdefault("amount", D("500"))
    return Rule(**kw)


def facts(**kw: Any) -> MemberFacts:
    kw.setdefault("joined_on", JOINED)
    return MemberFacts(**kw)


def texts(ev: Evaluation) -> str:
    return "\n".join(ev.texts())


def failed(ev: Evaluation) -> list[str]:
    return [r.text() for r in ev.reasons if r.ok is False]


def run(r: Rule, f: MemberFacts | None = None, day: dt.date = dt.date(2025, 6, 1), **kw: Any):
    return evaluate(r, f or facts(), event_date=day, **kw)


# --- calendar arithmetic ----------------------------------------------------------------------


def test_tenure_in_years_months_days() -> None:
    assert tenure(dt.date(2022, 1, 10), dt.date(2025, 3, 15)) == (3, 2, 5)
    assert fmt_tenure(dt.date(2022, 1, 10), dt.date(2025, 3, 15)) == "3 ปี 2 เดือน 5 วัน"
    assert fmt_tenure(dt.date(2022, 1, 10), dt.date(2023, 1, 10)) == "1 ปี"
    assert fmt_tenure(dt.date(2022, 1, 10), dt.date(2022, 1, 10)) == "0 วัน"
    # Month ends clip: a member from 31 Jan has a month on 29 Feb (leap year) and not before.
    assert tenure(dt.date(2024, 1, 31), dt.date(2024, 2, 28)) == (0, 0, 28)
    assert tenure(dt.date(2024, 1, 31), dt.date(2024, 2, 29)) == (0, 1, 0)


def test_anniversaries_of_29_february() -> None:
    leap = dt.date(2024, 2, 29)
    assert after(leap, 1, "years") == dt.date(2025, 2, 28)
    assert after(leap, 4, "years") == dt.date(2028, 2, 29)
    assert after(leap, 12, "months") == dt.date(2025, 2, 28)
    assert tenure(leap, dt.date(2025, 2, 27)) == (0, 11, 29)
    assert tenure(leap, dt.date(2025, 2, 28))[0] == 1
    assert after(leap, 90, "days") == dt.date(2024, 5, 29)


# --- waiting period ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "unit", "last_refused", "first_allowed"),
    [
        (90, "days", dt.date(2024, 3, 30), dt.date(2024, 3, 31)),
        (6, "months", dt.date(2024, 6, 30), dt.date(2024, 7, 1)),
        (2, "years", dt.date(2025, 12, 31), dt.date(2026, 1, 1)),
    ],
)
def test_waiting_period(n: int, unit: str, last_refused: dt.date, first_allowed: dt.date) -> None:
    r = rule(waiting_n=n, waiting_unit=unit)
    refused = run(r, day=last_refused)
    assert not refused.eligible and refused.amount == 0
    assert any("ยังไม่พ้นระยะรอสิทธิ์" in t for t in failed(refused))
    allowed = run(r, day=first_allowed)
    assert allowed.eligible and allowed.amount == D("500")
    assert "พ้นระยะรอสิทธิ์" in texts(allowed)


def test_waiting_period_in_years_from_29_february() -> None:
    r = rule(waiting_n=1, waiting_unit="years")
    f = facts(joined_on=dt.date(2024, 2, 29))
    assert not run(r, f, day=dt.date(2025, 2, 27)).eligible
    assert run(r, f, day=dt.date(2025, 2, 28)).eligible


def test_event_before_joining_is_refused() -> None:
    ev = run(rule(standing="any"), day=dt.date(2023, 12, 31))
    assert not ev.eligible
    assert any("ก่อนวันที่เป็นสมาชิก" in t for t in failed(ev))


def test_no_joining_date_is_refused() -> None:
    ev = run(rule(), facts(joined_on=None))
    assert not ev.eligible and ev.amount == 0


# --- standing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standing", "code", "days", "eligible"),
    [
        ("any", "lapsed", 0, True),
        ("not_lapsed", "active", 0, True),
        ("not_lapsed", "arrears", 59, True),
        ("not_lapsed", "lapsed", 0, False),
        ("not_lapsed", "resigned", 0, False),
        ("no_arrears", "active", 0, True),
        ("no_arrears", "arrears", 1, False),
        ("arrears_within", "arrears", 30, True),
        ("arrears_within", "arrears", 31, False),
        ("arrears_within", "active", 0, True),
        ("arrears_within", "lapsed", 0, False),
    ],
)
def test_standing(standing: str, code: str, days: int, eligible: bool) -> None:
    r = rule(standing=standing, standing_arrears_days=30)
    ev = run(r, facts(standing=code, arrears_days=days))
    assert ev.eligible is eligible
    line = next(x for x in ev.reasons if "สถานะสมาชิก" in x.text())
    assert line.ok is (None if standing == "any" else eligible)


def test_standing_line_shows_the_status_reason() -> None:
    f = facts(
        standing="arrears", arrears_days=12, standing_label="ค้างชำระ", standing_detail="12 วัน"
    )
    assert "สถานะสมาชิก ณ วันที่เกิดเหตุ: ค้างชำระ (12 วัน)" in texts(run(rule(), f))


# --- amounts ----------------------------------------------------------------------------------


def test_fixed_amount() -> None:
    ev = run(rule(amount=D("800")))
    assert (ev.eligible, ev.amount) == (True, D("800.00"))
    assert "จำนวนเงิน 800.00 บาทต่อครั้ง" in texts(ev)


def test_per_unit_nights_from_admission_and_discharge() -> None:
    r = rule(amount_kind="per_unit", amount=D("150"), unit_name="คืน")
    ev = run(r, day=dt.date(2025, 6, 1), event_end=dt.date(2025, 6, 4))
    assert (ev.amount, ev.units) == (D("450.00"), D(3))
    assert "150.00 บาทต่อคืน × 3 คืน = 450.00 บาท" in texts(ev)
    # Units given win over the dates.
    assert run(r, event_end=dt.date(2025, 6, 4), units=2).amount == D("300.00")
    # Fractions are paid to the satang.
    assert run(r, units="1.5").amount == D("225.00")


def test_per_unit_zero_nights_is_refused() -> None:
    r = rule(amount_kind="per_unit", amount=D("150"), unit_name="คืน")
    ev = run(r, day=dt.date(2025, 6, 1), event_end=dt.date(2025, 6, 1))
    assert not ev.eligible and ev.amount == 0
    assert "จำนวนคืน: ต้องมากกว่า 0" in failed(ev)


def test_per_unit_without_units_counts_one() -> None:
    r = rule(amount_kind="per_unit", amount=D("800"), unit_name="คน")
    ev = run(r)
    assert (ev.amount, ev.units) == (D("800.00"), D(1))
    assert "นับเป็น 1 คน" in texts(ev)


DEATH = (
    Tier(0, "days", 270, "days", D("0")),
    Tier(270, "days", 1, "years", D("2000")),
    Tier(1, "years", 3, "years", D("4000")),
    Tier(3, "years", 6, "years", D("8000")),
    Tier(6, "years", 10, "years", D("12000")),
    Tier(10, "years", None, "years", D("15000"), D("300"), D("25000")),
)


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (JOINED, D("0")),
        (JOINED + dt.timedelta(days=269), D("0")),
        (JOINED + dt.timedelta(days=270), D("2000")),
        (dt.date(2024, 12, 31), D("2000")),
        (dt.date(2025, 1, 1), D("4000")),
        (dt.date(2026, 12, 31), D("4000")),
        (dt.date(2027, 1, 1), D("8000")),
        (dt.date(2030, 1, 1), D("12000")),
        (dt.date(2033, 12, 31), D("12000")),
        (dt.date(2034, 1, 1), D("15000")),
        (dt.date(2034, 12, 31), D("15000")),
        (dt.date(2035, 1, 1), D("15300")),
        (dt.date(2058, 1, 1), D("22200")),
        (dt.date(2066, 1, 1), D("24600")),
        (dt.date(2067, 1, 1), D("24900")),
        (dt.date(2067, 12, 31), D("24900")),
        (dt.date(2068, 1, 1), D("25000")),
        (dt.date(2090, 1, 1), D("25000")),
    ],
)
def test_tiers_by_tenure(day: dt.date, amount: Decimal) -> None:
    r = rule(amount_kind="tiered", amount=None, tiers=DEATH, standing="any")
    ev = run(r, day=day)
    assert ev.amount == amount
    assert ev.eligible is (amount > 0)


def test_open_top_tier_explains_the_formula_and_the_maximum() -> None:
    r = rule(amount_kind="tiered", amount=None, tiers=DEATH)
    text = texts(run(r, day=dt.date(2035, 6, 1)))
    assert "ขั้นอายุสมาชิก ตั้งแต่ 10 ปี ขึ้นไป: 15,000.00 บาท + 300.00 บาท × 1 ปีเต็มที่เกิน" in text
    text = texts(run(r, day=dt.date(2068, 1, 1)))
    assert "× 34 ปีเต็มที่เกิน = 25,200.00 บาท" in text
    assert "ขั้นนี้จ่ายไม่เกิน 25,000.00 บาท" in text


def test_tier_chosen_is_named() -> None:
    r = rule(amount_kind="tiered", amount=None, tiers=DEATH)
    assert "ตั้งแต่ 270 วัน ถึงก่อน 1 ปี: 2,000.00 บาท" in texts(run(r, day=dt.date(2024, 10, 1)))


def test_gap_between_tiers_is_refused() -> None:
    tiers = (Tier(0, "years", 1, "years", D("100")), Tier(2, "years", None, "years", D("300")))
    r = rule(amount_kind="tiered", amount=None, tiers=tiers)
    ev = run(r, day=dt.date(2025, 6, 1))
    assert not ev.eligible
    assert any("ไม่อยู่ในขั้นใดของระเบียบ" in t for t in failed(ev))
    assert run(r, day=dt.date(2026, 1, 1)).amount == D("300")


def test_tiers_in_months() -> None:
    tiers = (
        Tier(0, "months", 6, "months", D("100")),
        Tier(6, "months", None, "months", D("200"), D("50")),
    )
    r = rule(amount_kind="tiered", amount=None, tiers=tiers)
    assert run(r, day=dt.date(2024, 6, 30)).amount == D("100")
    assert run(r, day=dt.date(2024, 7, 1)).amount == D("200")
    assert run(r, day=dt.date(2025, 7, 1)).amount == D("250")


# --- conditions -------------------------------------------------------------------------------


def test_age_in_complete_years_on_the_event_date() -> None:
    r = rule(min_age=60)
    f = facts(birth_date=dt.date(1965, 6, 2))
    young = run(r, f, day=dt.date(2025, 6, 1))
    assert not young.eligible
    assert "อายุ ณ วันที่เกิดเหตุ 59 ปี — เงื่อนไข: อายุตั้งแต่ 60 ปีขึ้นไป" in failed(young)
    assert run(r, f, day=dt.date(2025, 6, 2)).eligible


def test_age_upper_bound_and_year_only() -> None:
    r = rule(max_age=18)
    assert run(r, facts(birth_date=dt.date(2007, 6, 1)), day=dt.date(2025, 5, 31)).eligible
    assert run(r, facts(birth_date=dt.date(2007, 6, 1)), day=dt.date(2025, 6, 1)).eligible
    assert not run(r, facts(birth_date=dt.date(2006, 6, 1)), day=dt.date(2025, 6, 1)).eligible
    assert run(r, facts(birth_year=2010)).eligible
    unknown = run(r, facts())
    assert not unknown.eligible and "ไม่ทราบวันเกิด" in failed(unknown)[0]


def test_sex_condition() -> None:
    r = rule(sex="F")
    assert run(r, facts(sex="F")).eligible
    ev = run(r, facts(sex="M"))
    assert not ev.eligible
    assert "เพศของสมาชิก: ชาย — เงื่อนไข: เฉพาะเพศหญิง" in failed(ev)


def test_member_type_condition() -> None:
    r = rule(member_types=("child", "orphan"), member_type_labels=("เด็กและเยาวชน", "เด็กกำพร้า"))
    assert run(r, facts(member_type="orphan")).eligible
    ev = run(r, facts(member_type="general", member_type_label="ทั่วไป"))
    assert not ev.eligible
    assert "ประเภทสมาชิก: ทั่วไป — เงื่อนไข: เด็กและเยาวชน, เด็กกำพร้า" in failed(ev)


def test_every_failed_condition_is_listed() -> None:
    r = rule(min_age=60, sex="F", waiting_n=1, waiting_unit="years")
    ev = run(r, facts(sex="M", birth_date=dt.date(2000, 1, 1)), day=dt.date(2024, 6, 1))
    assert len(failed(ev)) == 4  # waiting, age, sex and the verdict
    assert ev.amount == 0


# --- limits -----------------------------------------------------------------------------------


def nights(*limits: Limit) -> Rule:
    return rule(amount_kind="per_unit", amount=D("150"), unit_name="คืน", limits=limits)


def test_units_per_event() -> None:
    ev = run(nights(Limit("units", "event", D("5"))), units=7)
    assert (ev.units, ev.amount) == (D(5), D("750.00"))
    assert "ไม่เกิน 5 คืนต่อครั้ง จึงจ่าย 5 คืน จากที่ขอ 7 คืน" in texts(ev)


def test_units_per_fiscal_year_with_what_remains() -> None:
    r = nights(Limit("units", "event", D("5")), Limit("units", "fiscal", D("15")))
    past = [
        PastUse(dt.date(2025, 10, 5), D(5), D("750")),
        PastUse(dt.date(2026, 1, 10), D(5), D("750")),
        PastUse(dt.date(2026, 3, 1), D(1), D("150")),
        PastUse(dt.date(2025, 9, 30), D(5), D("750")),  # the fiscal year before
    ]
    ev = run(r, day=dt.date(2026, 5, 1), units=5, past=past)
    assert "ใช้สิทธิ์แล้ว 11 คืนในปีงบประมาณ 2569 เหลือ 4 คืน" in texts(ev)
    assert (ev.units, ev.amount) == (D(4), D("600.00"))
    full = run(
        r, day=dt.date(2026, 5, 1), units=2, past=[*past, PastUse(dt.date(2026, 4, 1), D(4))]
    )
    assert not full.eligible and full.amount == 0
    assert "ใช้สิทธิ์ครบ 15 คืนในปีงบประมาณ 2569 แล้ว (ใช้ไป 15 คืน)" in failed(full)


def test_fiscal_year_follows_the_fund_start_month() -> None:
    r = nights(Limit("units", "fiscal", D("3")))
    past = [PastUse(dt.date(2025, 3, 31), D(3))]
    # A fund whose year starts in April: 31 Mar 2025 is in the year ending March 2025 (2568).
    april = facts(fiscal_year_start_month=4)
    ev = run(r, april, day=dt.date(2025, 4, 1), units=2, past=past)
    assert ev.amount == D("300.00")
    assert "ในปีงบประมาณ 2569" in texts(ev)
    # The default (October) puts both in 2568.
    assert not run(r, day=dt.date(2025, 4, 1), units=2, past=past).eligible


def test_calendar_year_count() -> None:
    r = rule(limits=(Limit("count", "calendar", D("2")),))
    past = [PastUse(dt.date(2025, 1, 5)), PastUse(dt.date(2025, 3, 5))]
    ev = run(r, day=dt.date(2025, 12, 31), past=past)
    assert not ev.eligible
    assert "ใช้สิทธิ์ครบ 2 ครั้งในปี พ.ศ. 2568 แล้ว (ใช้ไป 2 ครั้ง)" in failed(ev)
    assert run(r, day=dt.date(2026, 1, 1), past=past).eligible


def test_membership_year() -> None:
    r = rule(limits=(Limit("count", "membership", D("1")),))
    f = facts(joined_on=dt.date(2024, 7, 15))
    past = [PastUse(dt.date(2024, 8, 1))]
    assert not run(r, f, day=dt.date(2025, 7, 14), past=past).eligible
    ev = run(r, f, day=dt.date(2025, 7, 15), past=past)
    assert ev.eligible
    assert "ในปีสมาชิก 15 ก.ค. 2568 – 14 ก.ค. 2569" in texts(ev)


def test_year_from_a_month() -> None:
    r = rule(amount=D("400"), limits=(Limit("count", "year_from", D("1"), start_month=5),))
    past = [PastUse(dt.date(2025, 5, 1), None, D("400"))]
    assert not run(r, day=dt.date(2026, 4, 30), past=past).eligible
    ev = run(r, day=dt.date(2026, 5, 1), past=past)
    assert ev.eligible
    assert "ในรอบปี 1 พ.ค. 2569 – 30 เม.ย. 2570" in texts(ev)


def test_lifetime_amount_cap() -> None:
    r = rule(amount=D("5000"), limits=(Limit("amount", "lifetime", D("12000")),))
    past = [
        PastUse(dt.date(2024, 3, 1), None, D("5000")),
        PastUse(dt.date(2025, 3, 1), None, D("5000")),
    ]
    ev = run(r, day=dt.date(2030, 1, 1), past=past)
    assert ev.amount == D("2000.00")
    assert "ใช้สิทธิ์แล้ว 10,000.00 บาทตลอดการเป็นสมาชิก เหลือ 2,000.00 บาท" in texts(ev)
    gone = run(
        r, day=dt.date(2030, 1, 1), past=[*past, PastUse(dt.date(2026, 1, 1), None, D("2000"))]
    )
    assert not gone.eligible and gone.amount == 0


def test_amount_per_event_and_per_year() -> None:
    r = nights(Limit("amount", "event", D("500")), Limit("amount", "calendar", D("800")))
    ev = run(r, units=5)  # 750 asked, 500 per event
    assert ev.amount == D("500.00")
    assert "ไม่เกิน 500.00 บาทต่อครั้ง จึงจ่าย 500.00 บาท จากที่ขอ 750.00 บาท" in texts(ev)
    ev = run(r, units=5, past=[PastUse(dt.date(2025, 2, 1), D(3), D("450"))])
    assert ev.amount == D("350.00")


def test_units_cap_on_a_fixed_benefit_refuses_when_used_up() -> None:
    r = rule(limits=(Limit("units", "calendar", D("2")),))
    past = [PastUse(dt.date(2025, 1, 1), D(2))]
    assert not run(r, past=past).eligible
    assert run(r, past=[PastUse(dt.date(2025, 1, 1), D(1))]).amount == D("500.00")


def test_limits_apply_in_a_fixed_order() -> None:
    """Per event before per period, units before counts before amounts, whatever the rule's order."""
    limits = (
        Limit("amount", "lifetime", D("100000")),
        Limit("units", "fiscal", D("15")),
        Limit("count", "calendar", D("10")),
        Limit("units", "event", D("5")),
        Limit("amount", "event", D("700")),
    )
    a = run(nights(*limits), units=9)
    b = run(nights(*reversed(limits)), units=9)
    assert a == b
    lines = [r.text() for r in a.reasons if r.text().startswith(("ไม่เกิน", "ใช้สิทธิ์"))]
    assert lines[0].startswith("ไม่เกิน 5 คืนต่อครั้ง")
    assert "คืนในปีงบประมาณ" in lines[1]
    assert "ครั้งในปี พ.ศ." in lines[2]
    assert lines[3].startswith("ไม่เกิน 700.00 บาทต่อครั้ง")
    assert "บาทตลอดการเป็นสมาชิก" in lines[4]
    assert a.amount == D("700.00")


# --- reasons and the result -------------------------------------------------------------------


def test_reasons_round_trip_as_json() -> None:
    ev = run(rule(version_title="ระเบียบ", version_number=2, version_effective_from=JOINED))
    stored = ev.explanation()
    back = [Reason.from_json(x) for x in stored]
    assert tuple(back) == ev.reasons
    assert back[0].text().startswith("สวัสดิการทดสอบ ตามระเบียบ ฉบับที่ 2 มีผลบังคับใช้ตั้งแต่ 1 ม.ค. 2567")
    assert stored[-1] == ["มีสิทธิ์ได้รับ %(amount)s บาท", {"amount": "500.00"}, True]


def test_the_verdict_is_the_last_line() -> None:
    ok = run(rule())
    assert ok.reasons[-1].text() == "มีสิทธิ์ได้รับ 500.00 บาท"
    no = run(rule(), facts(standing="lapsed"))
    assert no.reasons[-1].text() == "ไม่มีสิทธิ์ได้รับตามระเบียบ"
    assert no.amount == 0 and no.reasons[-1].ok is False


def test_payee_is_named() -> None:
    assert "ผู้รับเงิน: ผู้รับผลประโยชน์ที่สมาชิกระบุ" in texts(run(rule(payee="beneficiary")))
    assert "ผู้รับเงิน: สมาชิก" in texts(run(rule()))


def test_text_follows_the_active_language() -> None:
    from django.utils import translation

    r = Reason("ผู้รับเงิน: %(payee)s", {"payee": "x"})
    with translation.override("th"):
        assert r.text() == "ผู้รับเงิน: x"


def test_evaluation_is_deterministic_whatever_the_order_of_past_use() -> None:
    r = nights(Limit("units", "fiscal", D("15")), Limit("amount", "calendar", D("2000")))
    past = [PastUse(dt.date(2025, m, 1), D(m % 3 + 1), D(150 * (m % 3 + 1))) for m in range(1, 6)]
    a = run(r, units=4, past=past)
    b = run(r, units=4, past=list(reversed(past)))
    assert a == b


def test_an_end_date_on_a_fixed_or_tiered_benefit_changes_nothing() -> None:
    """The claim form always offers "ถึงวันที่"; a death or a fixed benefit with an end date
    (even the same day) is paid per event, not per day."""
    import datetime as dt
    from decimal import Decimal

    from chumchon.benefits import engine as e

    fixed = e.Rule(
        code="wedding", name="แต่งงาน", category="09", amount_kind=e.FIXED, amount=Decimal("500")
    )
    facts = e.MemberFacts(joined_on=dt.date(2020, 1, 1), standing="active")
    day = dt.date(2025, 3, 3)
    for end in (day, day + dt.timedelta(days=2), None):
        ev = e.evaluate(fixed, facts, event_date=day, units=None, event_end=end, past=())
        assert ev.eligible and ev.amount == Decimal("500.00") and ev.units is None
