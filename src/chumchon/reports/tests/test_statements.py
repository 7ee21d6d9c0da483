"""The statements of fiscal years 2568 and 2569 of a fund with two years of real books, each
total checked against sums over the postings themselves (not the monthly cache).

The fund (``Scenario`` below; FY2568 = 1 Oct 2024 – 30 Sep 2025, FY2569 = 1 Oct 2025 –
30 Sep 2026), entry fee 20, monthly 30 or yearly 365, lapse after 60 days, refund 50 %:
- 1 Oct 2023: 10,000 capital brought into the bank (equity) when the books opened
- m1 joined Nov 2023 (yearly), pays every November; two hospital claims paid (FY68 450,
  FY69 750)
- m2 (elderly, group A2) joined Jan 2024 (yearly); a hospital claim paid May 2025 (300, by
  transfer), reversed 15 Oct 2025 (FY69)
- m3 joined 1 Dec 2024 (monthly), pays one month: lapses 3 Mar 2025 (FY68)
- m4 joined 15 Jan 2025 (yearly), resigns 20 Nov 2025 (FY69) with 182.50 back in cash
- m5 joined Jun 2024 (yearly), dies 10 Mar 2026 (FY69); death benefit 4,000 to the beneficiary
- m6 (child) joined 5 Oct 2025 (FY69), by transfer
- m7 joined Oct 2024 (monthly, three months at a time); the 20 Sep 2025 payment is voided on
  2 Oct 2025 (FY69), so it lapses 10 Dec 2025 (FY69)
- อปท. 5,000 cash (Dec 2024); state via CODI round 1 20,000 (Mar 2025), round 2 15,000
  (Feb 2026) to the bank; interest 123.45 (Jun 2025); a donation of 1,000 (Jan 2026)
- transport 300 (Aug 2025) and a meeting 1,200 (Apr 2026) paid in cash by journal;
  2,000 moved from cash to the bank (Sep 2025)
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from chumchon.areas.services import role_assign
from chumchon.core.permissions import Role
from chumchon.funds import services as fs
from chumchon.funds.models import Fund, Membership
from chumchon.funds.selectors import statuses_for
from chumchon.ledger import selectors as ledger_sel
from chumchon.ledger import services as ledger
from chumchon.ledger.models import Account, AccountKind, Posting
from chumchon.reports import statements as st

D = Decimal
FY = 2569
FY_START, FY_END = dt.date(2025, 10, 1), dt.date(2026, 9, 30)
PREV_START, PREV_END = dt.date(2024, 10, 1), dt.date(2025, 9, 30)
TODAY = dt.date(2026, 11, 30)


class Scenario:
    """Fund A with the two years of books described in the module docstring."""

    def __init__(self, world: Any, person_factory: Any) -> None:
        from chumchon.benefits.example import example_regulation

        self.world = world
        self.person_factory = person_factory
        chair = self.chair = world.chair_a
        from chumchon.benefits.tests.helpers import as_person

        as_person(chair, world.fund_a)  # the chair decides claims too
        self.registrar = world.registrar_a
        self.fund: Fund = fs.fund_create(
            actor=chair,
            org_unit=world.fund_a,
            founded_on=dt.date(2023, 10, 1),
            entry_fee=D("20"),
            plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
            lapse_days=60,
            refund_rule="always",
            refund_percent=D("50"),
        )
        self.regulation = example_regulation(
            self.fund, actor=chair, effective_from=dt.date(2023, 10, 1)
        )
        self.journal(dt.date(2023, 10, 1), "ทุนกองทุนยกมา", "bank", "equity.opening", "10000")
        self._n = 0
        self.m1 = self.member(dt.date(2023, 11, 1), "รายปี")
        self.m2 = self.member(dt.date(2024, 1, 1), "รายปี", group=world.group_a2, birth_year=1950)
        self.m5 = self.member(dt.date(2024, 6, 1), "รายปี", beneficiary=True)
        self.m7 = self.member(dt.date(2024, 10, 10), "รายเดือน")
        self.m3 = self.member(dt.date(2024, 12, 1), "รายเดือน")
        self.m4 = self.member(dt.date(2025, 1, 15), "รายปี")
        self.m6 = self.member(dt.date(2025, 10, 5), "รายปี", birth_year=2015)

        pay = self.pay
        pay(self.m1, dt.date(2023, 11, 1), "385")
        pay(self.m2, dt.date(2024, 1, 1), "385")
        pay(self.m5, dt.date(2024, 6, 1), "385")
        pay(self.m1, dt.date(2024, 11, 1), "365")
        pay(self.m7, dt.date(2024, 10, 10), "110")
        pay(self.m3, dt.date(2024, 12, 1), "50")
        self.receipt("local_gov", "5000", dt.date(2024, 12, 15), method="cash")
        pay(self.m2, dt.date(2025, 1, 1), "365")
        pay(self.m7, dt.date(2025, 1, 5), "90")
        pay(self.m4, dt.date(2025, 1, 15), "385")
        self.receipt("state_codi", "20000", dt.date(2025, 3, 1), round_no=1)
        pay(self.m7, dt.date(2025, 4, 5), "90")
        pay(self.m5, dt.date(2025, 6, 1), "365")
        self.receipt("interest", "123.45", dt.date(2025, 6, 30))
        pay(self.m7, dt.date(2025, 7, 5), "90")
        self.journal(dt.date(2025, 8, 1), "ค่าเดินทางประชุมเครือข่าย", "admin.transport", "cash", "300")
        self.journal(dt.date(2025, 9, 1), "นำเงินสดฝากธนาคาร", "bank", "cash", "2000")
        self.voided = pay(self.m7, dt.date(2025, 9, 20), "90")
        fs.payment_void(
            actor=chair, payment=self.voided, reason="บันทึกซ้ำ", date=dt.date(2025, 10, 2)
        )
        pay(self.m6, dt.date(2025, 10, 5), "385", method="transfer")
        pay(self.m1, dt.date(2025, 11, 1), "365", method="transfer")
        pay(self.m2, dt.date(2026, 1, 1), "365")
        self.receipt("donation", "1000", dt.date(2026, 1, 10), method="cash")
        self.receipt("state_codi", "15000", dt.date(2026, 2, 1), round_no=2)
        self.journal(dt.date(2026, 4, 1), "ค่าประชุมคณะกรรมการ", "admin.meetings", "cash", "1200")

        # Benefits: recorded by the registrar, approved and paid by the chair.
        self.claim(
            self.m1, "hospital", dt.date(2025, 2, 1), dt.date(2025, 2, 4), dt.date(2025, 2, 10)
        )
        p2 = self.claim(
            self.m2,
            "hospital",
            dt.date(2025, 5, 1),
            dt.date(2025, 5, 3),
            dt.date(2025, 5, 5),
            method="transfer",
        )
        from chumchon.benefits.services_claims import payout_reverse

        payout_reverse(actor=chair, payout=p2, reason="จ่ายผิดคน", date=dt.date(2025, 10, 15))
        self.claim(
            self.m1, "hospital", dt.date(2025, 12, 1), dt.date(2025, 12, 6), dt.date(2025, 12, 10)
        )
        fs.member_resign(
            actor=chair, membership=self.m4, date=dt.date(2025, 11, 20), reason="ย้ายไปต่างจังหวัด"
        )
        from chumchon.people.services import person_update

        person_update(
            actor=chair, person=self.m5.person, death_date=dt.date(2026, 3, 10), reason="ถึงแก่กรรม"
        )
        fs.member_record_death(actor=chair, membership=self.m5)
        self.claim(self.m5, "death", dt.date(2026, 3, 10), None, dt.date(2026, 3, 20))
        fs.matching_round_freeze(actor=chair, fund=self.fund, round_no=1, fiscal_year_be=2568)
        fs.matching_round_freeze(actor=chair, fund=self.fund, round_no=2, fiscal_year_be=2569)
        for m in (self.m1, self.m2, self.m3, self.m4, self.m5, self.m6, self.m7):
            m.refresh_from_db()

    def member(
        self,
        joined: dt.date,
        plan: str,
        *,
        group: Any = None,
        beneficiary: bool = False,
        **person: Any,
    ) -> Membership:
        self._n += 1
        group = group or self.world.group_a1
        p = self.person_factory(org_unit=group, first_name=f"สมาชิกงบ{self._n}", **person)
        beneficiaries = (
            [fs.BeneficiaryData(name="ทายาท ผู้รับ", relation="บุตร")] if beneficiary else []
        )
        m = fs.member_apply(
            actor=self.chair,
            fund=self.fund,
            person=p,
            org_unit=group,
            plan=self.fund.plans.get(name=plan),
            applied_on=joined,
            beneficiaries=beneficiaries,
        )
        return fs.member_approve(actor=self.chair, membership=m, joined_on=joined)

    def pay(self, m: Membership, day: dt.date, amount: str, method: str = "cash") -> Any:
        return fs.payment_record(
            actor=self.chair, membership=m, date=day, amount=amount, method=method
        )

    def receipt(
        self,
        source: str,
        amount: str,
        day: dt.date,
        *,
        method: str = "transfer",
        round_no: Any = None,
    ) -> Any:
        return fs.fund_receipt_record(
            actor=self.chair,
            fund=self.fund,
            source=source,
            amount=amount,
            date=day,
            method=method,
            round_no=round_no,
        )

    def journal(self, day: dt.date, memo: str, debit: str, credit: str, amount: str) -> Any:
        return ledger.post(
            book=self.fund.book,
            date=day,
            memo=memo,
            lines=[
                ledger.debit(self.fund.account(debit), D(amount)),
                ledger.credit(self.fund.account(credit), D(amount)),
            ],
            actor=self.chair,
        )

    def claim(
        self,
        m: Membership,
        code: str,
        event: dt.date,
        event_end: dt.date | None,
        paid: dt.date,
        method: str = "cash",
    ) -> Any:
        from chumchon.benefits import services_claims as svc

        c = svc.claim_record(
            actor=self.registrar,
            membership=m,
            benefit_code=code,
            event_date=event,
            event_end=event_end,
        )
        assert c.eligible, c.explanation
        svc.claim_decide(actor=self.chair, claim=c, decision="approve")
        return svc.claim_pay(actor=self.chair, claim=c, date=paid, method=method)


@pytest.fixture
def books(world: Any, person_factory: Any) -> Scenario:
    return Scenario(world, person_factory)


@pytest.fixture
def stmts(books: Scenario) -> st.Statements:
    return st.fund_statements(books.fund, FY, today=TODAY)


# --- independent sums over the postings -----------------------------------------------------


def posted(
    fund: Fund, accounts: Any, *, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[Decimal, Decimal]:
    """(debit, credit) over the postings of ``accounts`` between the dates (inclusive)."""
    q = Posting.objects.filter(account__in=accounts)
    if start:
        q = q.filter(date__gte=start)
    if end:
        q = q.filter(date__lte=end)
    d = q.filter(side="D").aggregate(t=Sum("amount"))["t"] or D("0")
    c = q.filter(side="C").aggregate(t=Sum("amount"))["t"] or D("0")
    return d, c


def accounts(fund: Fund, *kinds: str, cash: bool | None = None) -> Any:
    q = Account.objects.filter(book=fund.book, kind__in=kinds)
    if cash is not None:
        q = q.filter(is_cash=cash)
    return q


def credit_net(fund: Fund, accs: Any, **span: Any) -> Decimal:
    d, c = posted(fund, accs, **span)
    return c - d


def debit_net(fund: Fund, accs: Any, **span: Any) -> Decimal:
    d, c = posted(fund, accs, **span)
    return d - c


# --- receipts and payments ----------------------------------------------------------------


def test_receipts_and_payments_reconcile_with_the_postings_of_both_years(
    books: Scenario, stmts: st.Statements
) -> None:
    fund = books.fund
    rp = stmts.receipts_payments
    money = accounts(fund, "asset", cash=True)
    sources = accounts(fund, "income", "equity", "liability")
    uses = Account.objects.filter(book=fund.book).filter(kind="expense") | accounts(
        fund, "asset", cash=False
    )
    for col, (start, end) in (
        ("current", (FY_START, FY_END)),
        ("previous", (PREV_START, PREV_END)),
    ):
        assert getattr(rp.row("opening"), col) == debit_net(
            fund, money, end=start - dt.timedelta(days=1)
        )
        assert getattr(rp.row("receipts"), col) == credit_net(fund, sources, start=start, end=end)
        assert getattr(rp.row("payments"), col) == debit_net(fund, uses, start=start, end=end)
        assert getattr(rp.row("closing"), col) == debit_net(fund, money, end=end)
    assert rp.ok


def test_receipts_and_payments_worked_figures_of_fiscal_year_2569(stmts: st.Statements) -> None:
    rp = stmts.receipts_payments
    # Members: 385 + 365 + 365 in FY69, less the voided 90 of FY68 reversed on 2 Oct 2025.
    assert rp.row("income.members").current == D("365") * 3 - D("90")
    assert rp.row("income.entry_fees").current == D("20")
    assert rp.row("income.state_codi").current == D("15000")
    assert rp.row("income.state_codi").previous == D("20000")
    # Benefits: 750 + 4,000 paid, the 300 of FY68 reversed in FY69.
    assert rp.row("benefit.02").current == D("750") - D("300")
    assert rp.row("benefit.02").previous == D("450") + D("300")
    assert rp.row("benefit.04").current == D("4000")
    assert rp.row("refund.members").current == D("182.50")
    assert rp.row("benefits").current == D("4450")
    # Moving 2,000 from cash to the bank is neither a receipt nor a payment.
    labels = [r.label for r in rp.rows]
    assert "นำเงินสดฝากธนาคาร" not in labels
    assert rp.row("net").current == rp.row("receipts").current - rp.row("payments").current


def test_the_capital_brought_in_is_a_receipt_of_its_year_and_opening_money_after(
    books: Scenario,
) -> None:
    first = st.fund_statements(books.fund, 2568, today=TODAY)
    rp = first.receipts_payments
    assert rp.row("opening").current == D("11155")  # the capital, m1's, m2's and m5's 385
    assert rp.row("equity.opening").previous == D("10000")
    assert "equity.opening" not in [r.key for r in rp.rows if r.current]


# --- income and expenditure, balance sheet, trial balance -----------------------------------


def test_income_and_expenditure_reconcile_with_the_postings(
    books: Scenario, stmts: st.Statements
) -> None:
    fund = books.fund
    ie = stmts.income_expenditure
    for col, (start, end) in (
        ("current", (FY_START, FY_END)),
        ("previous", (PREV_START, PREV_END)),
    ):
        income = credit_net(fund, accounts(fund, "income"), start=start, end=end)
        expenses = debit_net(fund, accounts(fund, "expense"), start=start, end=end)
        assert getattr(ie.row("income"), col) == income
        assert getattr(ie.row("expenses"), col) == expenses
        assert getattr(ie.row("surplus"), col) == income - expenses
    assert ie.row("admin").current == D("1200")
    assert ie.row("admin").previous == D("300")


def test_balance_sheet_balances_and_equals_the_ledger_trial_balance(
    books: Scenario, stmts: st.Statements
) -> None:
    fund = books.fund
    bs = stmts.balance_sheet
    assert bs.ok
    for col, day in (("current", FY_END), ("previous", PREV_END)):
        rows = ledger_sel.trial_balance(fund.book, end=day)
        assets = sum((r.balance for r in rows if r.account.kind == AccountKind.ASSET), D("0"))
        capital = sum((r.balance for r in rows if r.account.kind == AccountKind.EQUITY), D("0"))
        surplus = sum(
            (r.balance for r in rows if r.account.kind == AccountKind.INCOME), D("0")
        ) - sum((r.balance for r in rows if r.account.kind == AccountKind.EXPENSE), D("0"))
        assert getattr(bs.row("assets"), col) == assets
        assert getattr(bs.row("equity"), col) == capital + surplus
        assert getattr(bs.row("liabilities_equity"), col) == assets
    cash = books.fund.account("cash")
    assert bs.row("cash").current == debit_net(fund, [cash], end=FY_END)
    # This year's surplus is the income statement's; what came before is carried forward.
    assert bs.row("surplus_year").current == stmts.income_expenditure.row("surplus").current
    assert (
        bs.row("surplus_brought_forward").current
        == bs.row("surplus_brought_forward").previous + bs.row("surplus_year").previous
    )


def test_trial_balance_at_the_year_end_is_the_ledgers(
    books: Scenario, stmts: st.Statements
) -> None:
    tb = stmts.trial_balance
    assert tb.ok
    now = {
        r.account.pk: r.debit - r.credit
        for r in ledger_sel.trial_balance(books.fund.book, end=FY_END)
    }
    before = {
        r.account.pk: r.debit - r.credit
        for r in ledger_sel.trial_balance(books.fund.book, end=PREV_END)
    }
    assert {ln.account.pk: ln.debit - ln.credit for ln in tb.lines} == {
        k: v for k, v in now.items() if v or before[k]
    }
    assert {ln.account.pk: ln.prev_debit - ln.prev_credit for ln in tb.lines} == {
        k: v for k, v in before.items() if v or now[k]
    }
    assert tb.debit == sum((max(v, D("0")) for v in now.values()), D("0"))


def test_statements_of_a_year_read_the_monthly_cache_not_the_postings(
    books: Scenario, django_assert_max_num_queries: Any
) -> None:
    lives = st.member_lives(books.fund, FY_END)
    with django_assert_max_num_queries(2):
        figs = st.account_figures(
            books.fund.book_id, start=FY_START, end=FY_END, prev_start=PREV_START
        )
    assert {f.account.category for f in figs} >= {"cash", "bank", "income.members"}
    with django_assert_max_num_queries(2):
        st.fund_statements(books.fund, FY, today=TODAY, lives=lives)


# --- members ----------------------------------------------------------------------------------


def test_members_movement_of_both_years(stmts: st.Statements) -> None:
    mv = stmts.members
    assert [(r.key, r.current, r.previous) for r in mv.rows] == [
        ("start", 5, 3),  # FY69: m1 m2 m4 m5 m7; FY68: m1 m2 m5
        ("joined", 1, 3),  # FY69: m6; FY68: m7 m3 m4
        ("lapsed", 1, 1),  # FY69: m7 (its last payment voided); FY68: m3
        ("resigned", 1, 0),  # m4
        ("died", 1, 0),  # m5
        ("end", 3, 5),  # FY69: m1 m2 m6
    ]
    assert mv.ok


def test_members_at_each_end_are_the_members_in_good_standing_by_status(
    books: Scenario, stmts: st.Statements
) -> None:
    members = list(
        Membership.objects.filter(fund=books.fund).select_related("person", "plan", "fund")
    )
    for day, key, col in (
        (FY_END, "end", "current"),
        (PREV_END, "end", "previous"),
        (PREV_END, "start", "current"),
    ):
        statuses = statuses_for(members, day)
        good = sum(1 for s in statuses.values() if s.in_good_standing)
        assert getattr(stmts.members.row(key), col) == good, (day, key)


def test_a_member_who_lapsed_before_dying_left_on_the_lapse_date(
    books: Scenario, person_factory: Any
) -> None:
    chair = books.chair
    m = books.member(dt.date(2024, 11, 1), "รายเดือน")
    books.pay(m, dt.date(2024, 11, 1), "50")  # through 30 Nov 2024: lapses 30 Jan 2025
    from chumchon.people.services import person_update

    person_update(actor=chair, person=m.person, death_date=dt.date(2025, 12, 1), reason="ถึงแก่กรรม")
    life = next(x for x in st.member_lives(books.fund, FY_END) if x.membership_id == m.pk)
    assert (life.left, life.reason) == (dt.date(2025, 1, 31), "lapsed")


def test_a_year_not_yet_over_counts_members_today(books: Scenario) -> None:
    s = st.fund_statements(books.fund, 2570, today=dt.date(2026, 11, 30))
    assert s.as_of == dt.date(2026, 11, 30)
    assert s.members.row("start").current == s.members.row("end").previous


# --- the years on offer, and the Excel file ---------------------------------------------------


def test_fiscal_years_run_from_the_founding_year_to_this_one(books: Scenario) -> None:
    assert st.fiscal_years(books.fund, TODAY) == [2570, 2569, 2568, 2567]
    assert st.default_fiscal_year(books.fund, TODAY) == 2569


def test_excel_holds_every_statement_as_numbers_with_number_formats(stmts: st.Statements) -> None:
    from openpyxl import load_workbook

    buf = io.BytesIO()
    st.write_xlsx(stmts, buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == [
        "งบรายรับ-รายจ่าย",
        "งบรายได้-ค่าใช้จ่าย",
        "งบแสดงฐานะการเงิน",
        "ความเคลื่อนไหวของสมาชิก",
        "งบทดลอง",
    ]
    ws = wb["งบรายรับ-รายจ่าย"]
    found = {row[0].value: row for row in ws.iter_rows(min_row=6) if row[0].value}
    total = found["รวมรายรับ"]
    assert total[1].value == float(stmts.receipts_payments.row("receipts").current)
    assert total[2].value == float(stmts.receipts_payments.row("receipts").previous)
    assert total[1].number_format == st.MONEY_FORMAT
    assert ws["B5"].value == "ปี 2569" and ws["C5"].value == "ปี 2568"
    members = wb["ความเคลื่อนไหวของสมาชิก"]
    rows = {row[0].value: row for row in members.iter_rows(min_row=6) if row[0].value}
    assert rows["สมาชิกปลายปี"][1].value == stmts.members.row("end").current
    tb = wb["งบทดลอง"]
    last = next(iter(tb.iter_rows(min_row=tb.max_row)))
    assert last[1].value == float(stmts.trial_balance.debit) == last[2].value


def test_statements_hold_for_a_fund_added_account_without_a_category(books: Scenario) -> None:
    """A bank account and an equipment account the fund adds: the first counts as money held,
    the second as an asset bought with cash (a payment), and everything still reconciles."""
    fund = books.fund
    savings = fs.fund_account_create(
        actor=books.chair,
        fund=fund,
        code="1103",
        name="เงินฝากออมทรัพย์ ธ.ก.ส.",
        kind="asset",
        is_cash=True,
    )
    tools = fs.fund_account_create(
        actor=books.chair, fund=fund, code="1201", name="ครุภัณฑ์สำนักงาน", kind="asset"
    )
    for acc, amount in ((savings, "3000"), (tools, "1500")):
        ledger.post(
            book=fund.book,
            date=dt.date(2026, 5, 1),
            memo=f"โอนไป {acc.name}",
            lines=[ledger.debit(acc, D(amount)), ledger.credit(fund.account("bank"), D(amount))],
            actor=books.chair,
        )
    s = st.fund_statements(fund, FY, today=TODAY)
    rp = s.receipts_payments
    assert rp.row("account:1201").current == D("1500")
    assert rp.row("account:1103").current == D("3000")  # in the closing money
    assert rp.ok and s.balance_sheet.ok
    assert s.balance_sheet.row("account:1201").current == D("1500")


def test_a_second_treasurer_user_does_not_change_the_figures(books: Scenario) -> None:
    other = get_user_model().objects.create_user("treasurer_x", password="x")
    role_assign(
        user=other, org_unit=books.world.fund_a, role=Role.TREASURER, start_date=dt.date(2024, 1, 1)
    )
    a = st.fund_statements(books.fund, FY, today=TODAY)
    assert a.ok
    assert [c.label for c in a.checks if not c.ok] == []


def test_excel_cells_never_become_formulas() -> None:
    from openpyxl import Workbook

    from chumchon.reports.xlsx import append_row

    ws = Workbook().active
    append_row(ws, ['=HYPERLINK("http://x")', "ค่าใช้จ่าย", 5])
    cells = list(ws[ws.max_row])
    assert cells[0].data_type == "s" and cells[0].value.startswith("=")
    assert cells[2].data_type == "n"
