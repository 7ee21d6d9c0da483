"""The demo tambon's welfare fund has real books: written through the services, they pass
`chumchon ledger verify`, and hold the mix the demo promises (plans, member types, statuses,
voids, refunds, matching money). Built at the "small" size to stay quick."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from chumchon.demo.build import MAIN_TAMBON_CODE, OTHER_TAMBON_CODE, PASSWORD


@pytest.fixture
def demo(db: Any) -> Any:
    from chumchon.demo.build import build_demo

    return build_demo(seed=2569, fund_size="small")


@pytest.mark.django_db
def test_demo_fund_books_verify_and_hold_the_promised_mix(demo: Any, capsys: Any) -> None:
    from chumchon.funds.models import Fund, Payment

    call_command("ledger", "verify")
    assert "all books OK" in capsys.readouterr().out
    check_demo_books()
    fund = Fund.objects.get(org_unit__subdistrict_id=MAIN_TAMBON_CODE)
    assert demo.funds is not None and demo.funds.main.payments == (
        Payment.objects.filter(fund=fund).count()
    )


def check_demo_books(founded_days: tuple[int, int] = (700, 830)) -> None:
    """What the demo's books promise, whatever their size (also run on a full build by hand:
    ``check_demo_books((1000, 1130))`` against var/demo.sqlite3)."""
    from django.contrib.auth import get_user_model

    from chumchon.funds.models import (
        CollectionDay,
        Fund,
        FundReceipt,
        MatchedMember,
        Membership,
        Payment,
        PaymentVoid,
        Pledge,
        Refund,
    )
    from chumchon.funds.selectors import funds_visible_to, statuses_for
    from chumchon.ledger.models import Period

    fund = Fund.objects.get(org_unit__subdistrict_id=MAIN_TAMBON_CODE)
    today = timezone.localdate()
    # The example regulation of domain.md.
    assert fund.entry_fee == Decimal("20") and fund.lapse_days == 60
    assert fund.refund_rule == "if_no_benefit" and fund.refund_percent == Decimal("50")
    assert sorted((p.months, p.amount) for p in fund.plans.all()) == [
        (1, Decimal("30")),
        (3, Decimal("90")),
        (6, Decimal("180")),
        (12, Decimal("365")),
    ]
    assert founded_days[0] < (today - fund.founded_on).days < founded_days[1]

    members = list(
        Membership.objects.filter(fund=fund, joined_on__isnull=False).select_related(
            "person", "plan", "fund"
        )
    )
    statuses = statuses_for(members, today)
    codes = Counter(s.code for s in statuses.values())
    assert {"active", "arrears", "lapsed", "resigned", "dead"} <= set(codes), codes
    assert codes["active"] > len(members) / 2
    assert len({m.plan_id for m in members}) == 4
    assert "general" in {m.member_type for m in members}
    assert len({m.member_type for m in members}) >= 2
    assert Membership.objects.filter(fund=fund, state="applied").exists()
    assert Membership.objects.filter(fund=fund, state="rejected").exists()
    assert Membership.objects.filter(fund=fund, previous__isnull=False).exists()  # rejoined

    # The plan followed the fund's rule: nobody paid after lapsing or dying.
    paid: dict[int, list[dt.date]] = defaultdict(list)
    for mid, day in Payment.objects.filter(fund=fund, void__isnull=True).values_list(
        "membership_id", "date"
    ):
        paid[mid].append(day)
    for m in members:
        st = statuses[m.pk]
        if st.lapsed_on:
            assert max(paid[m.pk], default=dt.date.min) < st.lapsed_on, (m, st.reason)
        if m.person.death_date:
            assert max(paid[m.pk], default=dt.date.min) <= m.person.death_date
        if st.code == "dead":
            assert m.state == "died"

    # Receipts: gap-free per fiscal year; every payment has its own entry.
    by_year: dict[int, list[int]] = defaultdict(list)
    for fy, no in Payment.objects.filter(fund=fund).values_list("fiscal_year", "receipt_no"):
        by_year[fy].append(no)
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert Payment.objects.filter(fund=fund, method="transfer").exists()
    voids = list(PaymentVoid.objects.filter(payment__fund=fund))
    assert len(voids) == 3 and all(v.reason.strip() for v in voids)
    # The refund rule (50 % if never helped): a resigned member who received a benefit gets none.
    from chumchon.funds.services import has_received_benefit

    # (A lapsed member who rejoins has the old membership closed without a resignation.)
    resigned = list(Membership.objects.filter(fund=fund, events__kind="resign").distinct())
    assert resigned
    refunded = set(
        Refund.objects.filter(membership__fund=fund).values_list("membership", flat=True)
    )
    for m in resigned:
        assert (m.pk in refunded) == (not has_received_benefit(m)), m
    assert refunded <= {m.pk for m in resigned}

    days = CollectionDay.objects.filter(fund=fund)
    assert days.count() > 20 and not days.filter(closed_at__isnull=True).exists()
    assert days.exclude(difference=0).exclude(note="").exists()

    # Money from outside: the อปท. every year, the CODI seed, donations, interest, state round 1.
    sources = set(FundReceipt.objects.filter(fund=fund).values_list("source", flat=True))
    assert {"local_gov", "codi_seed", "donation", "interest"} <= sources
    state = Pledge.objects.get(fund=fund, source="state_codi", round_no=1)
    counted = MatchedMember.objects.filter(fund=fund, round_no=1).count()
    assert counted > 0 and state.amount == 365 * counted
    assert Period.objects.filter(book=fund.book, closed=True).exists()

    # The treasurer logs in with the documented password and sees only this fund's books.
    treasurer = get_user_model().objects.get(username="treasurer")
    assert treasurer.check_password(PASSWORD)
    assert list(funds_visible_to(treasurer)) == [fund]
    other = Fund.objects.get(org_unit__subdistrict_id=OTHER_TAMBON_CODE)
    other_chair = get_user_model().objects.get(username="other_fund")
    assert list(funds_visible_to(other_chair)) == [other]
    assert Payment.objects.filter(fund=other).exists()
