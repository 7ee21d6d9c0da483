"""Roll-ups: the figures of a unit are the sums of the funds below it, and only of those.

Three funds: A and B in the same district of one province network, C in another province
network. Fiscal year 2568 (1 Oct 2024 – 30 Sep 2025) holds their payments and outside money.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chumchon.funds import services as fs
from chumchon.reports import rollup as ru
from chumchon.reports.models import CodiFormYear
from chumchon.reports.summaries import refresh_fund

D = Decimal
FY = 2568
AS_OF = dt.date(2025, 6, 30)


def open_fund(actor: Any, unit: Any, founded: dt.date) -> Any:
    return fs.fund_create(
        actor=actor,
        org_unit=unit,
        founded_on=founded,
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )


def join(actor: Any, fund: Any, person: Any, group: Any, joined: dt.date, months: int = 1) -> Any:
    m = fs.member_apply(
        actor=actor,
        fund=fund,
        person=person,
        org_unit=group,
        plan=fund.plans.get(months=months),
        applied_on=joined,
    )
    return fs.member_approve(actor=actor, membership=m, joined_on=joined)


@pytest.fixture
def network(world: Any, person_factory: Any) -> Any:
    return build_network(world, person_factory)


def build_network(world: Any, person_factory: Any) -> tuple[Any, Any, Any]:
    """Funds A, B (this province) and C (another), their books and summaries as of AS_OF."""
    from django.contrib.auth import get_user_model

    from chumchon.areas.models import OrgUnitKind, Subdistrict
    from chumchon.areas.services import org_unit_create, role_assign
    from chumchon.core.permissions import Role

    chair = world.chair_a
    a = open_fund(chair, world.fund_a, dt.date(2024, 10, 1))
    for i, (group, months, paid) in enumerate(
        [
            (world.group_a1, 1, ["50", "60", "90"]),
            (world.group_a1, 1, ["50"]),
            (world.group_a2, 12, ["385"]),
            (world.group_a2, 1, ["80", "30"]),
        ]
    ):
        p = person_factory(first_name=f"เอ{i}", org_unit=group)
        m = join(chair, a, p, group, dt.date(2024, 11, 1) + dt.timedelta(days=7 * i), months)
        for k, amount in enumerate(paid):
            fs.payment_record(
                actor=chair,
                membership=m,
                date=m.joined_on + dt.timedelta(days=31 * k),
                amount=amount,
            )
    fs.pledge_record(actor=chair, fund=a, source="local_gov", amount=D("20000"), fiscal_year_be=FY)
    fs.fund_receipt_record(
        actor=chair,
        fund=a,
        source="local_gov",
        amount=D("15000"),
        date=dt.date(2025, 3, 20),
        fiscal_year_be=FY,
    )
    # Fund B: its own treasurer, one member, a donation.
    treasurer_b = get_user_model().objects.create_user("treasurer_rollup_b", password="x")
    role_assign(
        user=treasurer_b, org_unit=world.fund_b, role=Role.TREASURER, start_date=dt.date(2024, 1, 1)
    )
    b = fs.fund_create(
        actor=treasurer_b,
        org_unit=world.fund_b,
        founded_on=dt.date(2025, 1, 1),
        entry_fee=D("10"),
        plans=[("รายเดือน", 1, D("30"))],
        lapse_days=60,
        member_approver_role=Role.TREASURER,
    )
    pb = person_factory(actor=treasurer_b, org_unit=world.group_b1, first_name="บี")
    mb = join(treasurer_b, b, pb, world.group_b1, dt.date(2025, 1, 10))
    fs.payment_record(actor=treasurer_b, membership=mb, date=dt.date(2025, 1, 10), amount="100")
    fs.fund_receipt_record(
        actor=treasurer_b,
        fund=b,
        source="donation",
        amount=D("2500"),
        date=dt.date(2025, 4, 1),
        method="cash",
    )
    # Fund C, in another province network.
    province_c = org_unit_create(name="เครือข่ายจังหวัดอื่น", kind=OrgUnitKind.PROVINCE_NETWORK)
    unit_c = org_unit_create(
        name="กองทุนสวัสดิการชุมชนตำบลโคกสี",
        kind=OrgUnitKind.FUND,
        parent=province_c,
        subdistrict=Subdistrict.objects.get(code="400103"),
    )
    group_c = org_unit_create(name="กลุ่มหมู่ 1 โคกสี", kind=OrgUnitKind.VILLAGE_GROUP, parent=unit_c)
    chair_c = get_user_model().objects.create_user("chair_c", password="x")
    role_assign(user=chair_c, org_unit=unit_c, role=Role.CHAIR, start_date=dt.date(2024, 1, 1))
    c = open_fund(chair_c, unit_c, dt.date(2024, 10, 1))
    pc = person_factory(actor=chair_c, org_unit=group_c, first_name="ซี")
    mc = join(chair_c, c, pc, group_c, dt.date(2024, 12, 1))
    fs.payment_record(actor=chair_c, membership=mc, date=dt.date(2024, 12, 1), amount="3020")
    for fund in (a, b, c):
        refresh_fund(fund, AS_OF)
    world.province_c, world.unit_c, world.chair_c = province_c, unit_c, chair_c
    return a, b, c


SUMMED = (
    "current",
    "active",
    "arrears",
    "lapsed",
    "resigned",
    "members_ever",
    "joined",
    "dues_expected",
    "dues_paid",
    "balance",
    "benefits",
    "pledged",
    "received",
    "pledged_received",
)


def cash_and_bank(fund: Any) -> Decimal:
    from chumchon.ledger.models import Account

    return sum(
        (a.balance for a in Account.objects.filter(book=fund.book, category__in=["cash", "bank"])),
        D("0"),
    )


def test_province_figures_are_the_sums_of_its_funds_and_only_of_them(
    world: Any, network: Any
) -> None:
    a, b, c = network
    province = ru.rollup_for(world.province, fiscal_year_be=FY)
    assert {r.fund_id for r in province.funds} == {a.pk, b.pk}
    singles = [ru.rollup_for(f.org_unit, fiscal_year_be=FY).total for f in (a, b)]
    for name in SUMMED:
        assert getattr(province.total, name) == sum(getattr(s, name) for s in singles), name
    assert province.total.funds == 2
    assert province.total.balance == cash_and_bank(a) + cash_and_bank(b)
    assert province.total.received == D("17500") and province.total.pledged == D("20000")
    # The district holds the same two funds; the other province only fund C.
    district = ru.rollup_for(world.district, fiscal_year_be=FY)
    assert district.total == province.total
    other = ru.rollup_for(world.province_c, fiscal_year_be=FY)
    assert [r.fund_id for r in other.funds] == [c.pk]
    assert other.total.balance == cash_and_bank(c)


def test_fund_figures_come_from_its_summaries_and_books(world: Any, network: Any) -> None:
    a, _b, _c = network
    r = ru.rollup_for(world.fund_a, fiscal_year_be=FY)
    assert r.level == "fund" and r.fund == a
    t = r.total
    # Member 0 paid 30+60+90 (after the fee): to 30 Apr; member 1 paid January only: lapsed 1 Mar
    # (1 Dec + 91 days is after 60); member 2 paid a year; member 3 paid 60+30 to 28 Feb.
    assert (t.current, t.active, t.arrears, t.lapsed) == (2, 1, 1, 2)
    assert t.members_ever == 4
    assert t.dues_paid == D("30") + D("60") + D("90") + D("30") + D("365") + D("60") + D("30")
    assert t.balance == cash_and_bank(a)
    income = {m.key: m for m in r.income}
    assert income["income.members"].this_year == t.dues_paid
    assert income["income.entry_fees"].this_year == D("80")
    assert income["income.local_gov"].this_year == D("15000")
    match = {m.source: m for m in r.matching}
    assert (match["local_gov"].pledged, match["local_gov"].received) == (D("20000"), D("15000"))
    assert match["local_gov"].outstanding == D("5000")
    assert (t.pledged_received, t.pledged, t.received_rate) == (D("15000"), D("20000"), D("75.0"))
    assert r.series[-1].balance == t.balance
    assert r.series[-1].month == dt.date(2025, 6, 1)  # the summaries' last month
    # Village groups: the links down, their figures adding up to the fund's.
    assert [c.name for c in r.children] == [world.group_a1.name, world.group_a2.name]
    assert sum(c.figures.current for c in r.children) == t.current
    assert sum((c.figures.dues_paid for c in r.children), D("0")) == t.dues_paid


def test_children_of_a_province_are_its_districts_with_their_funds_summed(
    world: Any, network: Any
) -> None:
    province = ru.rollup_for(world.province, fiscal_year_be=FY)
    assert [c.unit_id for c in province.children] == [world.district.pk]
    assert province.children[0].figures.current == province.total.current
    district = ru.rollup_for(world.district, fiscal_year_be=FY)
    assert {c.unit_id for c in district.children} == {world.fund_a.pk, world.fund_b.pk}


def test_village_group_shows_its_members_and_no_money(world: Any, network: Any) -> None:
    r = ru.rollup_for(world.group_a2, fiscal_year_be=FY)
    assert r.level == "group" and not r.money
    assert r.total.current == 1  # the yearly member; the other lapsed on 1 May
    assert r.total.lapsed == 1
    assert r.total.balance == D("0") and r.income == []


def test_population_comes_from_the_status_form_or_from_registered_persons(
    world: Any, network: Any
) -> None:
    a, b, _c = network
    CodiFormYear.objects.create(fund=a, fiscal_year=FY, community_population=1000)
    r = ru.rollup_for(world.district, fiscal_year_be=FY)
    rows = {row.fund_id: row for row in r.funds}
    assert (rows[a.pk].figures.population, rows[a.pk].population_source) == (1000, "codi")
    assert rows[a.pk].figures.coverage == D("0.2")  # 2 of 1,000
    assert rows[b.pk].population_source == "persons"
    from chumchon.people.models import Person

    living_b = Person.objects.filter(
        org_unit__path__startswith=world.fund_b.path, death_date__isnull=True
    ).count()
    assert rows[b.pk].figures.population == living_b
    assert r.total.population == 1000 + living_b


def test_claims_waiting_are_counted_live(world: Any, network: Any) -> None:
    from chumchon.benefits.example import example_regulation
    from chumchon.benefits.models import Claim
    from chumchon.funds.models import Membership

    a, _b, _c = network
    version = example_regulation(a, actor=world.chair_a, effective_from=dt.date(2024, 10, 1))
    m = Membership.objects.filter(fund=a).order_by("pk").first()
    for n, state in enumerate(["submitted", "approved", "rejected"], start=1):
        Claim.objects.create(
            fund=a,
            number=n,
            membership=m,
            benefit=version.benefits.get(code="birth"),
            version=version,
            event_date=dt.date(2025, 5, 1),
            payee_name="ผู้รับ",
            state=state,
            made_by=world.chair_a,
        )
    assert ru.rollup_for(world.province).total.claims_pending == 2
    assert ru.rollup_for(world.group_a1).total.claims_pending == 2


def test_a_province_roll_up_is_a_fixed_number_of_queries(
    world: Any, network: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(14):
        ru.rollup_for(world.province, fiscal_year_be=FY)


def test_demo_more_funds_give_the_province_an_old_big_fund_and_a_young_small_one(
    world: Any, capsys: Any
) -> None:
    """The demo's two extra funds (at a tiny size): books that verify, summaries refreshed, and
    figures that differ in the roll-up; the district coordinator sees their district only."""
    from django.core.management import call_command

    from chumchon.benefits.models import Payout
    from chumchon.demo.funds import FundsResult
    from chumchon.demo.more_funds import build_more_funds
    from chumchon.funds.models import Fund
    from chumchon.funds.selectors import funds_visible_to
    from chumchon.reports.models import FundSnapshot

    logins: list[Any] = []
    books = build_more_funds(
        network=world.province,
        district=world.district,
        users={"admin": world.admin, "chair": world.chair_a},
        logins=logins,
        books=FundsResult(funds=[], seconds=0.0),
        seed=2569,
        size="tiny",
    )
    assert books is not None
    big, young = books.funds
    assert big.founded_on < young.founded_on and big.members > young.members
    assert big.rounds and big.closed_years and big.received["local_gov"] > 0
    call_command("ledger", "verify")
    assert "all books OK" in capsys.readouterr().out
    funds = {f.name: f for f in Fund.objects.all()}
    big_fund, young_fund = funds[big.name], funds[young.name]
    assert Payout.objects.filter(fund=big_fund).exists()
    for fund in (big_fund, young_fund):
        assert FundSnapshot.objects.filter(fund=fund, org_unit=fund.org_unit).exists()
    r = ru.rollup_for(world.province)
    rows = {row.fund_id: row.figures for row in r.funds}
    assert rows[big_fund.pk].balance > rows[young_fund.pk].balance > 0
    assert rows[big_fund.pk].pledged > rows[young_fund.pk].pledged
    assert len(r.children) == 2  # the demo district and the big fund's own district
    coordinator = next(x for x in logins if x.username == "amphoe_coord")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=coordinator.username)
    assert list(funds_visible_to(user)) == [big_fund]


def test_a_second_bank_account_the_fund_added_counts_in_the_balance(
    world: Any, network: Any
) -> None:
    """Money moved from the main bank account to one the fund added (no category tag) is
    still the fund's money: balances follow ``is_cash``, not the category."""
    from chumchon.funds.services import fund_account_create
    from chumchon.ledger import services as ledger

    a, _b, _c = network
    before = ru.rollup_for(world.fund_a, fiscal_year_be=FY).total.balance
    savings = fund_account_create(
        actor=world.chair_a,
        fund=a,
        code="1103",
        name="บัญชีออมทรัพย์ ธ.ก.ส.",
        kind="asset",
        is_cash=True,
    )
    bank = a.account("bank")
    ledger.post(
        book=a.book,
        date=dt.date(2025, 6, 20),
        memo="โอนเข้าบัญชีออมทรัพย์",
        lines=[ledger.debit(savings, D("1000")), ledger.credit(bank, D("1000"))],
        actor=world.chair_a,
    )
    assert ru.rollup_for(world.fund_a, fiscal_year_be=FY).total.balance == before
