"""Summaries (``FundSnapshot``) of a small fund, checked against figures worked out by hand.

Fund A opens on 1 Jan 2025: monthly plan 30 baht, yearly 365, entry fee 20, lapsed after more
than 60 days unpaid. Figures are taken as of 15 Jun 2025.

- M1 (group A1, monthly) joins 1 Jan, pays 50 on 5 Jan (20 fee + January) and 60 on 3 Feb
  (February and March), then nothing: in arrears from April, lapsed on 1 Jun (1 Apr + 61 days).
- M3 (group A1, monthly) joins 1 Feb, pays 50 (fee + February), resigns 15 Apr: arrears at the
  end of March, resigned in April.
- M2 (group A2, yearly) joins 10 Mar, pays 385 (fee + 365): paid to 9 Mar 2026. A payment of
  100 on 2 Apr is voided. Moves to group A1 on 5 May.
- An applicant never approved counts nowhere.

Dues falling due (current members only): M1 on 1 Jan … 1 May (1 Jun is the day it lapses);
M3 on 1 Feb, 1 Mar, 1 Apr; M2 365 on 10 Mar.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from chumchon.funds import services as fs
from chumchon.reports.models import FundSnapshot
from chumchon.reports.summaries import compute_fund, refresh_fund, summaries_touch

D = Decimal
AS_OF = dt.date(2025, 6, 15)


@pytest.fixture
def books(world: Any, person_factory: Any) -> Any:
    chair = world.chair_a
    fund = fs.fund_create(
        actor=chair,
        org_unit=world.fund_a,
        founded_on=dt.date(2025, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )
    monthly, yearly = fund.plans.get(months=1), fund.plans.get(months=12)

    def member(name: str, group: Any, plan: Any, joined: dt.date, approve: bool = True) -> Any:
        p = person_factory(first_name=name, org_unit=group)
        m = fs.member_apply(
            actor=chair, fund=fund, person=p, org_unit=group, plan=plan, applied_on=joined
        )
        return fs.member_approve(actor=chair, membership=m, joined_on=joined) if approve else m

    m1 = member("หนึ่ง", world.group_a1, monthly, dt.date(2025, 1, 1))
    fs.payment_record(actor=chair, membership=m1, date=dt.date(2025, 1, 5), amount="50")
    fs.payment_record(actor=chair, membership=m1, date=dt.date(2025, 2, 3), amount="60")
    m3 = member("สาม", world.group_a1, monthly, dt.date(2025, 2, 1))
    fs.payment_record(actor=chair, membership=m3, date=dt.date(2025, 2, 1), amount="50")
    fs.member_resign(actor=chair, membership=m3, date=dt.date(2025, 4, 15), reason="ย้ายไปต่างจังหวัด")
    m2 = member("สอง", world.group_a2, yearly, dt.date(2025, 3, 10))
    fs.payment_record(actor=chair, membership=m2, date=dt.date(2025, 3, 10), amount="385")
    extra = fs.payment_record(actor=chair, membership=m2, date=dt.date(2025, 4, 2), amount="100")
    fs.payment_void(actor=chair, payment=extra, reason="บันทึกซ้ำ", date=dt.date(2025, 4, 2))
    fs.member_move(
        actor=chair,
        membership=m2,
        to_unit=world.group_a1,
        date=dt.date(2025, 5, 5),
        reason="ย้ายบ้าน",
    )
    member("รอ", world.group_a1, monthly, dt.date(2025, 5, 1), approve=False)
    return fund


def rows_of(unit: Any) -> dict[dt.date, FundSnapshot]:
    return {r.month: r for r in FundSnapshot.objects.filter(org_unit=unit)}


def figures(r: FundSnapshot) -> tuple[Any, ...]:
    return (
        r.members_ever,
        r.active,
        r.arrears,
        r.lapsed,
        r.resigned,
        r.dead,
        r.joined,
        r.left,
        r.dues_expected,
        r.dues_paid,
    )


def month(m: int) -> dt.date:
    return dt.date(2025, m, 1)


def test_fund_rows_match_the_figures_worked_out_by_hand(books: Any, world: Any) -> None:
    written = refresh_fund(books, AS_OF)
    # The fund and its two village groups, January to June.
    assert written == 3 * 6
    rows = rows_of(world.fund_a)
    assert sorted(rows) == [month(m) for m in range(1, 7)]
    # ever, active, arrears, lapsed, resigned, dead, joined, left, due, paid
    assert figures(rows[month(1)]) == (1, 1, 0, 0, 0, 0, 1, 0, D("30"), D("30"))
    assert figures(rows[month(2)]) == (2, 2, 0, 0, 0, 0, 1, 0, D("60"), D("90"))
    assert figures(rows[month(3)]) == (3, 2, 1, 0, 0, 0, 1, 0, D("425"), D("365"))
    assert figures(rows[month(4)]) == (3, 1, 1, 0, 1, 0, 0, 1, D("60"), D("0"))
    assert figures(rows[month(5)]) == (3, 1, 1, 0, 1, 0, 0, 0, D("30"), D("0"))
    assert figures(rows[month(6)]) == (3, 1, 0, 1, 1, 0, 0, 1, D("0"), D("0"))
    assert rows[month(3)].by_type == {"general": 3}
    assert rows[month(6)].by_type == {"general": 1}
    assert rows[month(6)].current == 1
    assert {r.as_of for r in rows.values()} == {AS_OF}


def test_village_group_rows_follow_the_member_who_moved(books: Any, world: Any) -> None:
    refresh_fund(books, AS_OF)
    a1, a2 = rows_of(world.group_a1), rows_of(world.group_a2)
    assert figures(a1[month(1)]) == (1, 1, 0, 0, 0, 0, 1, 0, D("30"), D("30"))
    assert figures(a1[month(2)]) == (2, 2, 0, 0, 0, 0, 1, 0, D("60"), D("90"))
    assert figures(a1[month(3)]) == (2, 1, 1, 0, 0, 0, 0, 0, D("60"), D("0"))
    assert figures(a1[month(4)]) == (2, 0, 1, 0, 1, 0, 0, 1, D("60"), D("0"))
    # M2 arrives in May: counted in A1 from then on (everyone-ever stays with the group joined).
    assert figures(a1[month(5)]) == (2, 1, 1, 0, 1, 0, 0, 0, D("30"), D("0"))
    assert figures(a1[month(6)]) == (2, 1, 0, 1, 1, 0, 0, 1, D("0"), D("0"))
    assert figures(a2[month(3)]) == (1, 1, 0, 0, 0, 0, 1, 0, D("365"), D("365"))
    assert figures(a2[month(4)]) == (1, 1, 0, 0, 0, 0, 0, 0, D("0"), D("0"))
    assert figures(a2[month(5)]) == (1, 0, 0, 0, 0, 0, 0, 0, D("0"), D("0"))


def test_month_end_statuses_agree_with_member_status(books: Any, world: Any) -> None:
    """The one-pass walk gives what ``member_status`` says at every month's end."""
    from collections import Counter

    from chumchon.funds.models import Membership
    from chumchon.funds.selectors import statuses_for

    members = list(Membership.objects.filter(fund=books, joined_on__isnull=False))
    rows = {r.month: r for r in compute_fund(books, AS_OF) if r.org_unit_id == world.fund_a.pk}
    for m in range(1, 7):
        end = min(dt.date(2025, m + 1, 1) - dt.timedelta(days=1), AS_OF) if m < 12 else AS_OF
        live = [x for x in members if x.joined_on <= end]
        counts = Counter(s.code for s in statuses_for(live, end).values())
        r = rows[month(m)]
        assert (r.active, r.arrears, r.lapsed, r.resigned, r.dead) == (
            counts["active"],
            counts["arrears"],
            counts["lapsed"],
            counts["resigned"],
            counts["dead"],
        ), m


def test_refresh_replaces_the_fund_rows(books: Any, world: Any) -> None:
    refresh_fund(books, dt.date(2025, 3, 31))
    assert FundSnapshot.objects.filter(fund=books).count() == 3 * 3
    refresh_fund(books, AS_OF)
    assert FundSnapshot.objects.filter(fund=books).count() == 3 * 6
    assert FundSnapshot.objects.filter(fund=books, as_of=dt.date(2025, 3, 31)).count() == 0


def test_a_death_counts_from_the_death_date(books: Any, world: Any) -> None:
    from chumchon.funds.models import Membership
    from chumchon.people.services import person_update

    m2 = Membership.objects.get(fund=books, person__first_name="สอง")
    person_update(
        actor=world.chair_a, person=m2.person, death_date=dt.date(2025, 5, 20), reason="มรณบัตร"
    )
    fs.member_record_death(actor=world.chair_a, membership=m2)
    refresh_fund(books, AS_OF)
    rows = rows_of(world.fund_a)
    assert (rows[month(4)].active, rows[month(4)].dead) == (1, 0)
    assert (rows[month(5)].active, rows[month(5)].dead, rows[month(5)].left) == (0, 1, 1)
    assert rows[month(6)].dead == 1


def test_claims_waiting_at_each_month_end(books: Any, world: Any) -> None:
    from chumchon.benefits.example import example_regulation
    from chumchon.benefits.models import Claim, ClaimState
    from chumchon.funds.models import Membership

    version = example_regulation(books, actor=world.chair_a, effective_from=dt.date(2025, 1, 1))
    birth = version.benefits.get(code="birth")
    m1 = Membership.objects.get(fund=books, person__first_name="หนึ่ง")
    m2 = Membership.objects.get(fund=books, person__first_name="สอง")

    def claim(m: Any, n: int, made: dt.date, state: str, decided: dt.date | None = None) -> None:
        c = Claim.objects.create(
            fund=books,
            number=n,
            membership=m,
            benefit=birth,
            version=version,
            event_date=made,
            payee_name="ผู้รับ",
            state=state,
            made_by=world.chair_a,
        )
        at = lambda d: timezone.make_aware(dt.datetime(d.year, d.month, d.day, 10))  # noqa: E731
        Claim.objects.filter(pk=c.pk).update(
            made_at=at(made), decided_at=at(decided) if decided else None
        )

    claim(m1, 1, dt.date(2025, 2, 10), ClaimState.REJECTED, dt.date(2025, 4, 20))
    claim(m2, 2, dt.date(2025, 3, 5), ClaimState.SUBMITTED)
    refresh_fund(books, AS_OF)
    pending = {k: r.claims_pending for k, r in rows_of(world.fund_a).items()}
    assert pending == {month(1): 0, month(2): 1, month(3): 2, month(4): 1, month(5): 1, month(6): 1}
    # The waiting claim is M2's, now in group A1.
    assert rows_of(world.group_a1)[month(6)].claims_pending == 1
    assert rows_of(world.group_a2)[month(6)].claims_pending == 0


def forget_fixture_changes() -> None:
    """The fixture's own changes wait in the test's transaction (which never commits): drop
    that pending refresh, so the test starts as a new transaction would."""
    from django.db import connection

    from chumchon.reports.summaries import _Pending

    connection.run_on_commit[:] = [
        c for c in connection.run_on_commit if not isinstance(c[1], _Pending)
    ]


def test_a_fund_change_queues_one_refresh_when_the_transaction_commits(
    books: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    from chumchon.funds.models import Membership

    m1 = Membership.objects.get(fund=books, person__first_name="หนึ่ง")
    forget_fixture_changes()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        summaries_touch(books.pk)
        summaries_touch(books.pk)
    assert len(callbacks) == 1  # two changes, one refresh
    forget_fixture_changes()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fs.payment_record(
            actor=world.chair_a, membership=m1, date=dt.date(2025, 5, 20), amount="60"
        )
    assert len(callbacks) == 1
    # The tests' task backend runs the refresh at once: the summaries now exist, as of today.
    today = timezone.localdate()
    assert FundSnapshot.objects.filter(fund=books, org_unit=world.fund_a).count() > 0
    assert set(FundSnapshot.objects.filter(fund=books).values_list("as_of", flat=True)) == {today}


def test_a_refresh_inside_the_transaction_cancels_the_one_queued_for_commit(
    books: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    forget_fixture_changes()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        summaries_touch(books.pk)
        refresh_fund(books, AS_OF)
    assert len(callbacks) == 1
    # Nothing was queued: the rows are still those of the refresh as of AS_OF.
    assert set(FundSnapshot.objects.filter(fund=books).values_list("as_of", flat=True)) == {AS_OF}


def test_management_command_refreshes_one_fund(books: Any, world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("summaries_refresh", "--fund", str(books.pk), "--as-of", "2025-06-15", stdout=out)
    assert "18 rows" in out.getvalue()
    assert FundSnapshot.objects.filter(fund=books).count() == 18
