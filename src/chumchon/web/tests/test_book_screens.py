"""The book screens on a worked example of fiscal year 2568 (1 Oct 2024 – 30 Sep 2025).

Fund A (entry fee 20 baht; monthly 30, yearly 365):
- 5 Oct 2024   member 1 pays 110 in cash (fee 20 + three months)       cash  +110
- 10 Nov 2024  member 2 pays 110 by transfer (fee 20 + three months)  bank  +110
- 3 Feb 2025   member 1 pays 120 in cash                               cash  +120
- 4 Feb 2025   that receipt is voided (a reversing entry)              cash  -120
- 20 Feb 2025  member 2 pays 60 in cash (January and February)         cash  +60
- 1 Mar 2025   state via CODI, round 1: 3,000 to the bank              bank  +3,000
- 1 Apr 2025   the อปท. hands over 1,000 in cash                       cash  +1,000
Cash ends the year at 1,170.00, the bank at 3,110.00: 4,280.00 in all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from chumchon.areas.services import role_assign
from chumchon.core.permissions import Role
from chumchon.funds import services as fs
from chumchon.funds.models import Fund, MatchedMember, Membership, Payment, Pledge
from chumchon.ledger import selectors as ledger_sel
from chumchon.ledger.models import Account, JournalEntry, Period, PeriodEvent
from chumchon.ledger.selectors import TrialRow, verify_book

D = Decimal
FY_START, FY_END = dt.date(2024, 10, 1), dt.date(2025, 9, 30)
FY_QUERY = {"start": "01/10/2567", "end": "30/09/2568"}


def _user(world: Any, username: str, role: str, unit: Any) -> Any:
    user = get_user_model().objects.create_user(
        username, password="pass-1234-word", first_name=username, last_name="ทดสอบ"
    )
    role_assign(user=user, org_unit=unit, role=role, start_date=dt.date(2024, 1, 1))
    return user


class Books:
    """Fund A with the worked example above, its treasurer and a committee member."""

    def __init__(self, world: Any, person_factory: Any) -> None:
        self.world = world
        self.chair = world.chair_a
        self.treasurer = _user(world, "treasurer_a", Role.TREASURER, world.fund_a)
        self.committee = _user(world, "committee_a", Role.COMMITTEE, world.fund_a)
        self.fund: Fund = fs.fund_create(
            actor=self.chair,
            org_unit=world.fund_a,
            founded_on=dt.date(2020, 1, 1),
            entry_fee=D("20"),
            plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
            lapse_days=60,
        )
        self._n = 0
        self.person_factory = person_factory

    def member(self, joined: dt.date, *, group: Any = None, plan: str = "รายเดือน") -> Membership:
        self._n += 1
        group = group or self.world.group_a1
        person = self.person_factory(org_unit=group, first_name=f"สมาชิกที่{self._n}")
        m = fs.member_apply(
            actor=self.chair,
            fund=self.fund,
            person=person,
            org_unit=group,
            plan=self.fund.plans.get(name=plan),
            applied_on=joined,
        )
        return fs.member_approve(actor=self.chair, membership=m, joined_on=joined)

    def pay(self, m: Membership, day: dt.date, amount: str, **kw: Any) -> Payment:
        return fs.payment_record(actor=self.chair, membership=m, date=day, amount=amount, **kw)

    def worked_example(self) -> None:
        self.m1 = self.member(FY_START)
        self.m2 = self.member(FY_START, group=self.world.group_a2)
        self.pay(self.m1, dt.date(2024, 10, 5), "110")
        self.pay(self.m2, dt.date(2024, 11, 10), "110", method="transfer")
        self.voided = self.pay(self.m1, dt.date(2025, 2, 3), "120")
        self.void = fs.payment_void(
            actor=self.chair, payment=self.voided, reason="รับเงินซ้ำ", date=dt.date(2025, 2, 4)
        )
        self.pay(self.m2, dt.date(2025, 2, 20), "60")
        self.state = fs.fund_receipt_record(
            actor=self.chair,
            fund=self.fund,
            source="state_codi",
            amount="3000",
            date=dt.date(2025, 3, 1),
            round_no=1,
        )
        fs.fund_receipt_record(
            actor=self.chair,
            fund=self.fund,
            source="local_gov",
            amount="1000",
            date=dt.date(2025, 4, 1),
            method="cash",
            payer="อบต.ในเมือง",
        )

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.fund.pk, *args])


@pytest.fixture
def books(world: Any, person_factory: Any) -> Books:
    b = Books(world, person_factory)
    b.worked_example()
    return b


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


# ---------------------------------------------------------------- cash book and trial balance


def test_cash_book_running_balance_and_closing_equal_the_trial_balance_cash(
    client: Client, books: Books
) -> None:
    login(client, books.committee)
    r = client.get(books.url("cash_book"), FY_QUERY)
    assert r.status_code == 200
    ctx = r.context
    assert ctx["opening"] == 0
    running = ctx["opening"]
    for line in ctx["lines"]:
        running += line.receipts - line.payments
        assert line.balance == running
    assert [ln.entry.date for ln in ctx["lines"]] == sorted(ln.entry.date for ln in ctx["lines"])
    assert len(ctx["lines"]) == 7  # the void's reversal is a line of its own
    assert ctx["closing"] == running == D("4280.00")
    assert (ctx["receipts"], ctx["payments"]) == (D("4400.00"), D("120.00"))
    body = text(r)
    assert "ยอดยกมา" in body and "ยอดยกไป" in body and "4,280.00" in body
    assert 'class="reversal"' in body

    tb = client.get(books.url("trial_balance"), {"as_of": "30/09/2568"})
    assert tb.status_code == 200
    by_category = {ln.account.category: ln for ln in tb.context["lines"]}
    assert by_category["cash"].debit == D("1170.00")
    assert by_category["bank"].debit == D("3110.00")
    assert by_category["cash"].debit + by_category["bank"].debit == ctx["closing"]
    assert tb.context["debit"] == tb.context["credit"] and tb.context["balanced"]
    assert 'id="trial-check"' in text(tb) and "✓" in text(tb) and "สมดุล" in text(tb)

    cash_only = client.get(books.url("cash_book"), {**FY_QUERY, "kind": "cash"})
    assert cash_only.context["closing"] == by_category["cash"].debit
    bank_only = client.get(books.url("cash_book"), {**FY_QUERY, "kind": "bank"})
    assert bank_only.context["closing"] == by_category["bank"].debit
    assert len(bank_only.context["lines"]) == 2


def test_cash_book_pages_carry_the_balance_from_page_to_page(
    client: Client, books: Books, monkeypatch: Any
) -> None:
    from chumchon.web import views_books

    monkeypatch.setattr(views_books, "CASH_PAGE", 3)
    login(client, books.committee)
    whole = client.get(books.url("cash_book"), FY_QUERY).context
    assert whole["pages"] == 3 and whole["line_count"] == 7
    seen = []
    carried = D("0")
    for page in (1, 2, 3):
        r = client.get(books.url("cash_book"), {**FY_QUERY, "page": page})
        ctx = r.context
        assert ctx["page_opening"] == carried  # ยอดยกมา = the last page's ยอดยกไป
        running = carried
        for line in ctx["lines"]:
            running += line.receipts - line.payments
            assert line.balance == running
        assert ctx["page_closing"] == running
        carried = running
        seen += [ln.entry.number for ln in ctx["lines"]]
        body = text(r)
        assert f"หน้า {page} จาก 3 (7 รายการ)" in body
        # The whole range's totals stay on every page.
        assert (ctx["receipts"], ctx["payments"]) == (D("4400.00"), D("120.00"))
    assert carried == whole["closing"] == D("4280.00")
    assert len(seen) == len(set(seen)) == 7
    assert "page=2" in text(client.get(books.url("cash_book"), {**FY_QUERY, "page": 3}))
    # A page number out of range shows the nearest page.
    assert client.get(books.url("cash_book"), {**FY_QUERY, "page": "99"}).context["page"] == 3


def test_cash_book_opening_carries_the_year_before(client: Client, books: Books) -> None:
    login(client, books.chair)
    r = client.get(books.url("cash_book"), {"start": "01/03/2568", "end": "31/03/2568"})
    assert r.context["opening"] == D("280.00")  # 110 + 110 + 120 - 120 + 60
    assert [ln.entry.number for ln in r.context["lines"]] == [books.state.entry.number]
    assert r.context["closing"] == D("3280.00")


def test_cash_book_default_range_is_this_fiscal_year_to_date(client: Client, books: Books) -> None:
    from django.utils import timezone

    from chumchon.core.thai import fiscal_year, fiscal_year_bounds

    login(client, books.chair)
    r = client.get(books.url("cash_book"))
    today = timezone.localdate()
    assert r.context["start"] == fiscal_year_bounds(fiscal_year(today))[0]
    assert r.context["end"] == today
    assert r.context["opening"] == D("4280.00")  # everything of 2568 is brought forward


def test_bad_be_date_is_refused_in_thai_naming_the_field(client: Client, books: Books) -> None:
    login(client, books.chair)
    r = client.get(books.url("cash_book"), {"start": "31/02/2568", "end": "30/09/2568"})
    assert r.status_code == 200
    assert not r.context["ok"] and r.context["form"].errors["start"]
    assert "ตั้งแต่วันที่:" in text(r)
    assert 'id="cash-book"' not in text(r)
    r = client.get(books.url("cash_book"), {"start": "30/09/2568", "end": "01/10/2567"})
    assert r.context["form"].errors["end"]


def test_trial_balance_shows_a_thai_alarm_when_totals_differ(
    client: Client, books: Books, monkeypatch: Any
) -> None:
    cash = books.fund.account("cash")
    monkeypatch.setattr(
        ledger_sel, "trial_balance", lambda book, end=None: [TrialRow(cash, D("10"), D("0"))]
    )
    login(client, books.chair)
    r = client.get(books.url("trial_balance"))
    assert not r.context["balanced"]
    body = text(r)
    assert "check-alarm" in body and "ไม่เท่ากับยอดรวมเครดิต" in body and "10.00" in body


def test_trial_balance_every_account_and_hide_zero(client: Client, books: Books) -> None:
    login(client, books.chair)
    everything = client.get(books.url("trial_balance"), {"as_of": "30/09/2568"})
    assert len(everything.context["lines"]) == Account.objects.filter(book=books.fund.book).count()
    some = client.get(books.url("trial_balance"), {"as_of": "30/09/2568", "hide_zero": "on"})
    codes = {ln.account.category for ln in some.context["lines"]}
    assert codes == {
        "cash",
        "bank",
        "income.members",
        "income.entry_fees",
        "income.state_codi",
        "income.local_gov",
    }
    before = client.get(books.url("trial_balance"), {"as_of": "31/12/2567", "hide_zero": "on"})
    assert before.context["debit"] == D("220.00") == before.context["credit"]


# ---------------------------------------------------------------- general ledger


def test_general_ledger_opening_mid_year_equals_the_sum_before_it(
    client: Client, books: Books
) -> None:
    login(client, books.chair)
    cash = books.fund.account("cash")
    members = books.fund.account("income.members")
    query = {"start": "01/02/2568", "end": "30/09/2568"}
    r = client.get(books.url("general_ledger"), {**query, "account": cash.pk})
    [section] = r.context["sections"]
    before = ledger_sel.account_totals(books.fund.book, end=dt.date(2025, 1, 31))
    d, c = before[cash.pk]
    assert section.opening == d - c == D("110.00")
    assert [ln.balance for ln in section.lines] == [D("230"), D("110"), D("170"), D("1170")]
    assert section.closing == D("1170.00")
    body = text(r)
    for ln in section.lines:
        assert reverse("journal_entry", args=[books.fund.pk, ln.posting.entry.number]) in body

    everything = client.get(books.url("general_ledger"), query)
    sections = {s.account.category: s for s in everything.context["sections"]}
    d, c = before[members.pk]
    assert sections["income.members"].opening == c - d == D("180.00")  # 90 + 90
    assert sections["cash"].opening == D("110.00")
    assert "income.donation" not in sections  # no balance and no posting: left out
    assert sum(s.closing for s in sections.values() if s.account.kind == "asset") == D("4280")


# ---------------------------------------------------------------- one entry


def test_journal_entry_shows_postings_source_reversal_links_and_hash(
    client: Client, books: Books
) -> None:
    login(client, books.committee)
    original = books.voided.entry
    reversal = books.void.reversal
    r = client.get(books.url("journal_entry", original.number))
    assert r.status_code == 200
    body = text(r)
    assert r.context["reversed_by"] == reversal
    assert reverse("journal_entry", args=[books.fund.pk, reversal.number]) in body
    assert original.hash[:12] in body and original.hash not in body.replace(
        f'title="{original.hash}"', ""
    )
    assert books.voided.receipt_label in body
    assert r.context["debit"] == r.context["credit"] == D("120.00")
    try:
        payment_url = reverse("payment_detail", args=[books.voided.pk])
    except NoReverseMatch:
        payment_url = None
    if payment_url:
        assert payment_url in body
    back = client.get(books.url("journal_entry", reversal.number))
    assert back.context["entry"].reverses == original
    assert reverse("journal_entry", args=[books.fund.pk, original.number]) in text(back)
    assert 'id="reverses"' in text(back)
    state = client.get(books.url("journal_entry", books.state.entry.number))
    assert state.context["receipt"] == books.state
    assert reverse("matching", args=[books.fund.pk]) in text(state)
    last = JournalEntry.objects.filter(book=books.fund.book).count()
    assert client.get(books.url("journal_entry", last + 1)).status_code == 404


# ---------------------------------------------------------------- periods


def test_closing_a_period_refuses_a_payment_dated_in_it_and_reopening_is_recorded(
    client: Client, books: Books
) -> None:
    login(client, books.committee)
    page = client.get(books.url("periods"))
    assert page.status_code == 200
    period = Period.objects.get(book=books.fund.book, start_date=FY_START, end_date=FY_END)
    assert not period.closed
    assert not page.context["can_close"]
    # The chair may not close: only a treasurer holds Perm.CLOSE_PERIOD.
    for user in (books.committee, books.chair):
        login(client, user)
        assert (
            client.post(books.url("period_close", period.pk), {"reason": "ปิดปี"}).status_code == 403
        )
    login(client, books.treasurer)
    r = client.post(books.url("period_close", period.pk), {"reason": " "})
    assert r.status_code == 200 and "เหตุผล: ต้องระบุเหตุผล" in text(r)
    period.refresh_from_db()
    assert not period.closed
    r = client.post(books.url("period_close", period.pk), {"reason": "ตรวจยอดปี 2568 แล้ว"})
    assert r.status_code == 302
    period.refresh_from_db()
    assert period.closed

    with pytest.raises(ValidationError) as exc:
        books.pay(books.m2, dt.date(2025, 3, 10), "30")
    assert "งวดบัญชีที่ปิดแล้ว" in str(exc.value)
    r = login(client, books.chair).post(
        books.url("fund_receipt_create"),
        {"source": "donation", "amount": "500", "date": "01/06/2568", "method": "cash"},
    )
    assert r.status_code == 200
    assert "งวดบัญชีที่ปิดแล้ว" in str(r.context["form"].errors["date"])

    # Reopening: the role, then a reason; both are recorded with who did it.
    assert (
        client.post(books.url("period_reopen", period.pk), {"reason": "ตกหล่น"}).status_code == 403
    )
    login(client, books.treasurer)
    r = client.post(books.url("period_reopen", period.pk), {"reason": ""})
    assert r.status_code == 200 and r.context["rows"]
    period.refresh_from_db()
    assert period.closed
    r = client.post(books.url("period_reopen", period.pk), {"reason": "บันทึกใบเสร็จตกหล่น"})
    assert r.status_code == 302
    period.refresh_from_db()
    assert not period.closed
    events = list(PeriodEvent.objects.filter(period=period).order_by("at", "pk"))
    assert [(e.action, e.reason, e.by) for e in events] == [
        ("close", "ตรวจยอดปี 2568 แล้ว", books.treasurer),
        ("reopen", "บันทึกใบเสร็จตกหล่น", books.treasurer),
    ]
    body = text(client.get(books.url("periods")))
    assert "บันทึกใบเสร็จตกหล่น" in body and "ตรวจยอดปี 2568 แล้ว" in body
    books.pay(books.m2, dt.date(2025, 3, 10), "30")  # open again: posts


def test_periods_page_creates_each_fiscal_year_once(client: Client, books: Books) -> None:
    login(client, books.chair)
    client.get(books.url("periods"))
    first = list(Period.objects.filter(book=books.fund.book).values_list("start_date", flat=True))
    assert dt.date(2019, 10, 1) in first and FY_START in first  # founded 1 Jan 2020 (FY 2563)
    client.get(books.url("periods"))
    assert Period.objects.filter(book=books.fund.book).count() == len(first)


# ---------------------------------------------------------------- verify


def test_verify_shows_ok_then_the_fault_in_thai(client: Client, books: Books) -> None:
    login(client, books.committee)
    r = client.get(books.url("ledger_verify"))
    assert r.context["report"].ok and "สมุดบัญชีถูกต้องครบถ้วน" in text(r)
    Account.objects.filter(pk=books.fund.account("cash").pk).update(debit_total=D("99999"))
    r = client.get(books.url("ledger_verify"))
    assert not r.context["report"].ok
    assert "ยอดสะสมของบัญชี" in text(r) and "check-alarm" in text(r)


# ---------------------------------------------------------------- matching money


def test_matching_shows_pledged_received_and_outstanding(client: Client, books: Books) -> None:
    login(client, books.chair)
    r = client.post(
        books.url("pledge_create"),
        {"source": "state_codi", "fiscal_year": "2568", "round_no": "1", "amount": "5,000"},
    )
    assert r.status_code == 302
    assert Pledge.objects.get(fund=books.fund).amount == D("5000.00")
    r = client.get(books.url("matching"))
    [year] = r.context["years"]
    rows = {(row.source, row.round_no): row for row in year.rows}
    state = rows[("state_codi", 1)]
    assert (state.pledged, state.received, state.outstanding) == (D("5000"), D("3000"), D("2000"))
    assert rows[("local_gov", None)].received == D("1000")
    assert rows[("members", None)].received == D("240.00")  # 90 + 90 + 60; the void left out
    assert r.context["total"].outstanding == D("2000")
    assert "2,000.00" in text(r)


def test_state_receipt_needs_a_round_and_bad_amount_is_named(client: Client, books: Books) -> None:
    login(client, books.chair)
    before = JournalEntry.objects.count()
    r = client.post(
        books.url("fund_receipt_create"),
        {"source": "state_codi", "amount": "3000", "date": "01/03/2568", "method": "transfer"},
    )
    assert r.status_code == 200 and r.context["form"].errors["round_no"]
    r = client.post(
        books.url("fund_receipt_create"),
        {"source": "donation", "amount": "12.345", "date": "01/03/2568", "method": "cash"},
    )
    assert r.status_code == 200 and "จำนวนเงิน" in str(r.context["form"].errors["amount"])
    assert JournalEntry.objects.count() == before
    r = client.post(
        books.url("fund_receipt_create"),
        {
            "source": "state_codi",
            "round_no": "2",
            "amount": "1,500.50",
            "date": "02/10/2568",
            "method": "transfer",
            "fiscal_year": "2568",
        },
    )
    assert r.status_code == 302
    assert JournalEntry.objects.count() == before + 1


def test_matching_eligible_counts_at_the_30_september_boundary(
    client: Client, world: Any, person_factory: Any
) -> None:
    b = Books(world, person_factory)
    on_time = b.member(dt.date(2024, 10, 1), plan="รายปี")  # one full year on 30 Sep 2025
    b.pay(on_time, dt.date(2024, 10, 1), "385")
    one_day_late = b.member(dt.date(2024, 10, 2), plan="รายปี", group=world.group_a2)
    b.pay(one_day_late, dt.date(2024, 10, 2), "385")
    old = b.member(dt.date(2023, 6, 1), plan="รายปี", group=world.group_a2)
    b.pay(old, dt.date(2023, 6, 1), "385")
    b.pay(old, dt.date(2024, 6, 1), "365")
    b.pay(old, dt.date(2025, 6, 1), "365")
    lapsed = b.member(dt.date(2024, 1, 1))
    b.pay(lapsed, dt.date(2024, 1, 1), "50")

    login(client, b.committee)
    r = client.get(b.url("matching_eligible", 2568))
    assert r.status_code == 200
    assert [row.membership for row in r.context["rows"]] == [on_time, old]
    assert [(g, len(ms)) for g, ms in r.context["groups"]] == [
        (world.group_a1, 1),
        (world.group_a2, 1),
    ]
    body = text(r)
    assert on_time.person.full_name in body and old.person.full_name in body
    assert one_day_late.person.full_name not in body and lapsed.person.full_name not in body
    assert 'id="freeze-form"' not in body  # the committee only looks
    assert client.post(b.url("matching_freeze", 2568), {"round_no": "1"}).status_code == 403

    login(client, b.chair)
    r = client.post(b.url("matching_freeze", 2568), {"round_no": "1"})
    assert r.status_code == 302
    assert set(MatchedMember.objects.values_list("membership", "round_no")) == {
        (on_time.pk, 1),
        (old.pk, 1),
    }
    r = client.get(b.url("matching_eligible", 2568))
    assert [row.rounds for row in r.context["rows"]] == [[1], [1]]
    assert r.context["form"].initial["round_no"] == 2
    again = client.post(b.url("matching_freeze", 2568), {"round_no": "1"})
    assert again.status_code == 200 and again.context["form"].errors["round_no"]
    assert MatchedMember.objects.count() == 2
    empty = client.post(b.url("matching_freeze", 2560), {"round_no": "5"})
    assert empty.status_code == 200 and empty.context["form"].non_field_errors()
    assert client.get(b.url("matching_eligible", 68)).status_code == 404
    # The same list as an Excel file (the list a fund sends to CODI).
    assert "export-xlsx" in text(client.get(b.url("matching_eligible", 2568)))
    r = client.get(
        reverse("export_new", args=["matching_eligible"]), {"fund": b.fund.pk, "fy": 2568}
    )
    assert r.status_code == 200
    from chumchon.funds.exporting import read_back

    data = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    (sheet,) = [rows for name, rows in read_back(data).items() if name != "เกี่ยวกับไฟล์นี้"]
    assert sheet[0][:2] == ["เลขที่สมาชิก", "ชื่อ-สกุล"]
    assert [row[0] for row in sheet[1:]] == [on_time.member_no, old.member_no]
    assert [row[5] for row in sheet[1:]] == ["1", "1"]


# ---------------------------------------------------------------- who may see and do what

BOOK_PAGES = [
    ("cash_book", ()),
    ("general_ledger", ()),
    ("trial_balance", ()),
    ("ledger_verify", ()),
    ("periods", ()),
    ("matching", ()),
    ("matching_eligible", (2568,)),
]


@pytest.mark.parametrize(("name", "extra"), BOOK_PAGES)
def test_committee_views_every_book_page_but_writes_nothing(
    client: Client, books: Books, name: str, extra: tuple[int, ...]
) -> None:
    login(client, books.committee)
    assert client.get(books.url(name, *extra)).status_code == 200


def test_committee_may_not_record_money(client: Client, books: Books) -> None:
    login(client, books.committee)
    before = (JournalEntry.objects.count(), Pledge.objects.count())
    assert client.get(books.url("fund_receipt_create")).status_code == 403
    assert client.get(books.url("pledge_create")).status_code == 403
    r = client.post(
        books.url("fund_receipt_create"),
        {"source": "donation", "amount": "500", "date": "01/06/2568", "method": "cash"},
    )
    assert r.status_code == 403
    r = client.post(
        books.url("pledge_create"), {"source": "donation", "fiscal_year": "2568", "amount": "9"}
    )
    assert r.status_code == 403
    assert (JournalEntry.objects.count(), Pledge.objects.count()) == before
    assert "บันทึกรับเงินจากแหล่งทุน" not in text(client.get(books.url("matching")))


@pytest.mark.parametrize(("name", "extra"), [*BOOK_PAGES, ("journal_entry", (1,))])
def test_village_group_users_cannot_see_fund_level_books(
    client: Client, books: Books, name: str, extra: tuple[int, ...]
) -> None:
    group_committee = _user(books.world, "committee_a1", Role.COMMITTEE, books.world.group_a1)
    for user in (books.world.viewer_a, group_committee):
        login(client, user)
        r = client.get(books.url(name, *extra))
        assert r.status_code == 404
        assert books.fund.name not in text(r)


# ---------------------------------------------------------------- expenses and bank transfers


def test_expense_voucher_and_bank_deposit_post_and_show_in_the_books(
    client: Client, books: Books
) -> None:
    login(client, books.treasurer)
    stationery = books.fund.account("admin.stationery")
    r = client.post(
        books.url("cash_movements"),
        {
            "kind": "expense",
            "date": "10/04/2568",
            "account": str(stationery.pk),
            "method": "cash",
            "amount": "250.50",
            "memo": "ค่าถ่ายเอกสารใบสมัคร",
            "reference": "IV-0012",
        },
        follow=True,
    )
    body = text(r)
    assert "ค่าถ่ายเอกสารใบสมัคร" in body and "ใบสำคัญจ่าย 2568/00001" in body
    assert books.fund.account("admin.stationery").balance == D("250.50")
    assert books.fund.account("cash").balance == D("1170.00") - D("250.50")
    r = client.post(
        books.url("cash_movements"),
        {"kind": "deposit", "date": "11/04/2568", "amount": "900", "memo": "นำเงินสดฝากธนาคาร"},
        follow=True,
    )
    assert books.fund.account("bank").balance == D("3110.00") + D("900")
    assert books.fund.account("cash").balance == D("19.50")
    # The cash box cannot pay out more than it holds: nothing is posted, the field is named.
    before = JournalEntry.objects.filter(book=books.fund.book).count()
    r = client.post(
        books.url("cash_movements"),
        {
            "kind": "expense",
            "date": "12/04/2568",
            "account": str(stationery.pk),
            "method": "cash",
            "amount": "100",
            "memo": "ค่ากระดาษ",
        },
    )
    assert r.status_code == 200 and "มากกว่าเงินที่มีอยู่ในบัญชีที่จ่ายออก" in text(r)
    assert JournalEntry.objects.filter(book=books.fund.book).count() == before
    # A benefit account is not offered: benefits are paid through claims.
    r = client.post(
        books.url("cash_movements"),
        {
            "kind": "expense",
            "date": "12/04/2568",
            "account": str(books.fund.account("benefit.04").pk),
            "method": "transfer",
            "amount": "100",
            "memo": "จ่ายค่าทำศพ",
        },
    )
    assert "บัญชีค่าใช้จ่าย:" in text(r)
    assert verify_book(books.fund.book).ok


def test_expense_screen_shows_to_the_committee_but_only_managers_post(
    client: Client, books: Books
) -> None:
    login(client, books.committee)
    r = client.get(books.url("cash_movements"))
    assert r.status_code == 200 and 'id="movement-form"' not in text(r)
    r = client.post(
        books.url("cash_movements"),
        {"kind": "deposit", "date": "11/04/2568", "amount": "100", "memo": "ฝาก"},
    )
    assert r.status_code == 403
    login(client, books.treasurer)
    r = client.post(books.url("cash_movements"), {"kind": "deposit", "amount": "abc"})
    body = text(r)
    assert "วันที่:" in body and "รายละเอียด:" in body and "จำนวนเงิน" in body


def test_general_ledger_folds_busy_accounts_and_pages_one_account(
    client: Client, books: Books, monkeypatch: Any
) -> None:
    from chumchon.web import views_books

    monkeypatch.setattr(views_books, "CASH_PAGE", 2)
    login(client, books.committee)
    r = client.get(books.url("general_ledger"), FY_QUERY)
    income = next(s for s in r.context["sections"] if s.account.category == "income.members")
    assert len(income.lines) > 2 and income.folded and income.shown == []
    body = text(r)
    assert f"account={income.account.pk}" in body
    # The whole account, a page at a time, the balance carried from page to page.
    q = {**FY_QUERY, "account": income.account.pk}
    first = client.get(books.url("general_ledger"), q).context
    (sec,) = first["sections"]
    assert first["pages"] == (len(sec.lines) + 1) // 2 and len(sec.shown) == 2
    second = client.get(books.url("general_ledger"), {**q, "page": 2}).context
    (sec2,) = second["sections"]
    assert sec2.page_opening == sec.shown[-1].balance
    assert "ledger-pager" in text(client.get(books.url("general_ledger"), {**q, "page": 2}))
