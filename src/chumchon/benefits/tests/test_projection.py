"""The sustainability projection: deterministic for a seed, the band around the expected line,
"what if" a rule changes, the fund's own history moving the default rates, and the rules of the
regulation priced as the engine prices them."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from decimal import Decimal
from typing import Any

import pytest

from chumchon.benefits import projection as pj
from chumchon.benefits.example import example_regulation
from chumchon.benefits.selectors import benefit_in_force
from chumchon.funds import services as fs
from chumchon.funds.models import Membership, MembershipState, MemberType
from chumchon.ledger import services as ledger
from chumchon.people.models import Person

D = Decimal
AS_OF = dt.date(2025, 6, 30)
START = dt.date(2015, 1, 1)


def build_fund(world: Any, *, members: int = 300, deaths: int = 6, seed: int = 7) -> Any:
    """Fund A under the example regulation with ``members`` members of all ages who joined
    2015-2024 and paid ahead to the end of 2026 (one lump each), ``deaths`` of them dead in the
    last three years, a matching round and some administration costs."""
    rng = random.Random(seed)
    fund = fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=START,
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )
    example_regulation(fund, actor=world.chair_a, effective_from=START)
    monthly = fund.plans.get(months=1)
    persons = []
    for i in range(members):
        age = rng.choice([8, 12, 15, *range(20, 86)])
        born = dt.date(AS_OF.year - age, rng.randint(1, 12), rng.randint(1, 28))
        persons.append(
            Person(
                org_unit=world.group_a1,
                title="นาย" if i % 2 else "นาง",
                first_name=f"สมาชิก{i:04d}",
                last_name="ประมาณการ",
                sex="M" if i % 2 else "F",
                birth_date=born,
                birth_year=born.year,
            )
        )
    persons = Person.objects.bulk_create(persons)
    rows = []
    for i, p in enumerate(persons):
        joined = START + dt.timedelta(days=rng.randrange(0, 3650))
        age = AS_OF.year - p.birth_date.year
        mtype = (
            MemberType.CHILD
            if age < 18
            else MemberType.ELDERLY
            if age >= 60
            else MemberType.GENERAL
        )
        rows.append(
            Membership(
                fund=fund,
                person=p,
                org_unit=world.group_a1,
                member_no=i + 1,
                member_type=mtype,
                plan=monthly,
                state=MembershipState.APPROVED,
                applied_on=joined,
                joined_on=joined,
            )
        )
    made = Membership.objects.bulk_create(rows)
    made = list(
        Membership.objects.filter(fund=fund).select_related("person", "plan").order_by("pk")
    )
    items = []
    for m in made:
        months = (2026 - m.joined_on.year) * 12 + 13 - m.joined_on.month
        items.append(
            fs.ImportedPayment(
                membership=m, date=m.joined_on, amount=D(30 * months + 20), entry_fee=D("20")
            )
        )
    fs.payments_import(actor=world.chair_a, fund=fund, items=items)
    for m in made[:deaths]:
        Person.objects.filter(pk=m.person_id).update(death_date=dt.date(2024, 3, 1))
    fs.fund_receipt_record(
        actor=world.chair_a,
        fund=fund,
        source="state_codi",
        round_no=1,
        amount=D(365 * members),
        date=dt.date(2024, 10, 15),
    )
    ledger.post(
        book=fund.book,
        date=dt.date(2024, 12, 1),
        memo="ค่าเครื่องเขียนและค่าประชุม",
        lines=[
            ledger.debit(fund.account("admin.meetings"), D("3000")),
            ledger.credit(fund.account("bank"), D("3000")),
        ],
    )
    return fund


@pytest.fixture
def fund(world: Any) -> Any:
    return build_fund(world)


def project(fund: Any, **kw: Any) -> tuple[pj.Projection, pj.Projection | None]:
    kw.setdefault("runs", 200)
    return pj.project_fund(fund, as_of=AS_OF, **kw)


# ------------------------------------------------------------------ reading the fund


def test_gather_reads_current_members_deaths_money_and_the_regulation(
    world: Any, fund: Any
) -> None:
    h = pj.gather(fund, as_of=AS_OF)
    assert len(h.members) == 294  # 300 less the 6 who died
    assert sum(1 for s in h.spells if s.end_kind == "death") == 6
    assert {r.code for r in h.rules} == {"birth", "hospital", "death", "elderly", "scholarship"}
    assert h.money["matching"] == 365 * 300
    assert h.money["admin"] == 3000
    paid = sum(float(i) for i in fund.payments.values_list("amount", flat=True))
    assert h.opening_balance == pytest.approx(paid + 365 * 300 - 3000)
    assert all(m.annual == 360 for m in h.members)


def test_a_member_who_stopped_paying_is_counted_as_lapsed_not_current(
    world: Any, fund: Any
) -> None:
    h = pj.gather(fund, as_of=dt.date(2027, 6, 30))  # everyone paid up to December 2026 only
    assert h.members == []
    assert sum(1 for s in h.spells if s.end_kind == "lapse") == 294


def test_the_funds_own_deaths_move_the_mortality_rate(world: Any, fund: Any) -> None:
    h = pj.gather(fund, as_of=AS_OF)
    e = pj.estimate(h)
    assert e.deaths_actual == 6
    assert e.mortality_factor == pytest.approx((6 + 10) / (e.deaths_expected + 10))
    quiet = pj.estimate(
        pj.FundHistory(**{**h.__dict__, "spells": [s for s in h.spells if s.end_kind != "death"]})
    )
    assert quiet.mortality_factor < e.mortality_factor
    assert e.matching_per_member == pytest.approx(365 * 300 / e.exposure)


# ------------------------------------------------------------------ the rules priced


def test_death_benefit_amounts_follow_the_tenure_tiers_as_the_engine_reads_them(
    world: Any, fund: Any
) -> None:
    rule = pj.Rule.from_model(benefit_in_force(fund, "death", AS_OF))
    rm = pj.RuleModel(rule=rule, model="death", waiting_days=0, unit_dist=((1.0, 1.0),))
    days = pj.YEAR_DAYS
    assert rm.amount(200) == 0
    assert rm.amount(300) == 2000
    assert rm.amount(2 * days) == 4000
    assert rm.amount(7 * days) == 12000
    assert rm.amount(12.5 * days) == 15600  # 15,000 + 300 × 2 complete years beyond 10
    assert rm.amount(60 * days) == 25000  # at most 25,000


def test_hospital_nights_are_capped_per_admission(world: Any, fund: Any) -> None:
    rule = pj.Rule.from_model(benefit_in_force(fund, "hospital", AS_OF))
    dist = pj._unit_distribution(rule, "hospital", [])
    assert max(u for u, _p in dist) == 5
    assert sum(p for _u, p in dist) == pytest.approx(1)
    mean_nights = sum(u * p for u, p in dist)
    assert 3 < mean_nights < pj.DEFAULT_NIGHTS
    history = [2.0] * 30
    assert pj._unit_distribution(rule, "hospital", history) == ((2.0, 1.0),)


def test_mortality_rises_with_age_and_women_live_longer() -> None:
    ages = range(20, 95, 5)
    for sex in ("M", "F"):
        rates = [pj.death_rate(a, sex) for a in ages]
        assert rates == sorted(rates)
    assert all(pj.death_rate(a, "F") < pj.death_rate(a, "M") for a in ages)
    assert pj.death_rate(70, "M") > pj.death_rate(70, "U") > pj.death_rate(70, "F")


def test_poisson_draws_average_their_rate() -> None:
    rng = random.Random(1)
    for lam in (0.3, 4.0, 80.0):
        mean = statistics.fmean(pj.poisson(rng, lam) for _i in range(4000))
        assert mean == pytest.approx(lam, rel=0.08, abs=0.05)


# ------------------------------------------------------------------ the projection


def test_the_projection_is_deterministic_for_a_seed(world: Any, fund: Any) -> None:
    first, _none = project(fund, years=12, seed=11)
    second, _none = project(fund, years=12, seed=11)
    assert first.rows == second.rows
    other, _none = project(fund, years=12, seed=12)
    assert [r.balance for r in other.rows] == [r.balance for r in first.rows]  # expected line
    assert [r.p50 for r in other.rows] != [r.p50 for r in first.rows]  # the draws differ


def test_the_band_holds_the_expected_line_every_year(world: Any, fund: Any) -> None:
    base, _none = project(fund, years=20, runs=500)
    assert len(base.rows) == 20
    for row in base.rows:
        assert row.p10 <= row.balance <= row.p90, row
        assert row.p10 < row.p90
    assert base.rows[0].start == AS_OF
    assert base.rows[-1].end == dt.date(2045, 6, 29)
    assert base.rows[-1].be_year == 2588


def test_a_year_adds_up(world: Any, fund: Any) -> None:
    base, _none = project(fund, years=10)
    previous = base.opening_balance
    for row in base.rows:
        assert row.income == pytest.approx(
            row.contributions + row.matching + row.other_income, abs=2
        )
        assert row.benefits_total == pytest.approx(sum(row.benefits.values()), abs=5)
        assert row.net == pytest.approx(row.income - row.benefits_total - row.admin, abs=2)
        assert row.balance == pytest.approx(previous + row.net, abs=2)
        previous = row.balance
    assert set(base.rows[0].benefits) == {"birth", "hospital", "death", "elderly", "scholarship"}
    assert base.rows[0].benefits["elderly"] > 0 and base.rows[0].benefits["death"] > 0


def test_a_higher_death_benefit_leaves_a_lower_balance(world: Any, fund: Any) -> None:
    base, what_if = project(fund, years=15, what_if=pj.Scenario(benefit_factors=(("death", 1.5),)))
    assert what_if is not None
    assert what_if.final.balance < base.final.balance
    assert what_if.final.p50 < base.final.p50
    for b, w in zip(base.rows, what_if.rows, strict=True):
        assert w.benefits["death"] == pytest.approx(b.benefits["death"] * D("1.5"), abs=2)
        assert w.benefits["hospital"] == b.benefits["hospital"]
        assert w.members == b.members


def test_a_higher_contribution_or_a_lower_elderly_amount_leaves_more(world: Any, fund: Any) -> None:
    base, more = project(fund, years=10, what_if=pj.Scenario(contribution_factor=1.2))
    assert more is not None and more.final.balance > base.final.balance
    _base, less = project(fund, years=10, what_if=pj.Scenario(benefit_factors=(("elderly", 0.5),)))
    assert less is not None and less.final.balance > base.final.balance


def test_a_what_if_that_changes_nothing_is_not_run(world: Any, fund: Any) -> None:
    _base, none = project(fund, years=10, what_if=pj.Scenario(benefit_factors=(("death", 1.0),)))
    assert none is None


def test_matching_given_on_the_screen_replaces_the_history(world: Any, fund: Any) -> None:
    none, _x = project(fund, years=10, matching_per_member=0)
    some, _x = project(fund, years=10, matching_per_member=365)
    assert all(r.matching == 0 for r in none.rows)
    assert some.final.balance > none.final.balance


def test_a_fund_without_a_regulation_or_members_projects_with_warnings(world: Any) -> None:
    fund = fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        plans=[("รายเดือน", 1, D("30"))],
    )
    base, _none = project(fund, years=10)
    assert len(base.rows) == 10
    assert base.final.balance == 0
    assert len(base.warnings) == 3
