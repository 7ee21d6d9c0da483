"""The CODI status form of fiscal year 2569 filled from the books of ``test_statements.Scenario``
(members, money by source and round, benefits by the 16 categories, committee, management,
the financial statement), and the answers only people give, saved per year with Thai messages.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from chumchon.areas.services import role_assign
from chumchon.benefits.models import Payout
from chumchon.core.permissions import Role
from chumchon.funds.selectors import matching_eligible
from chumchon.ledger import services as ledger
from chumchon.ledger.models import Account, Posting
from chumchon.people.models import UserPerson
from chumchon.reports import codi_form as cf
from chumchon.reports.models import CodiFormYear
from chumchon.reports.services import codi_form_save

from .test_statements import FY, FY_END, FY_START, TODAY, Scenario, credit_net, debit_net

D = Decimal


@pytest.fixture
def books(world: Any, person_factory: Any) -> Scenario:
    return Scenario(world, person_factory)


@pytest.fixture
def form(books: Scenario) -> cf.CodiForm:
    return cf.codi_form(books.fund, FY, today=TODAY)


def _answers(**extra: Any) -> dict[str, Any]:
    return {
        "supporting_org": "เครือข่ายสวัสดิการชุมชนจังหวัดขอนแก่น",
        "objectives": "ให้สมาชิกดูแลกันตั้งแต่เกิดจนตาย",
        "activities": "ปลูกป่าชุมชน\nงานบุญประเพณี",
        "meeting_frequency": "monthly",
        "minutes": "always",
        "monitoring": "yes",
        "monitoring_detail": "ทบทวนทุกไตรมาส",
        "reporting": "general_meeting",
        "support_from": ["local_gov", "codi"],
        "plans": "ขยายสมาชิกให้ครบทุกหมู่",
        "problems": "สมาชิกค้างชำระ",
        "suggestions": "ขอคู่มือการทำบัญชี",
        "certifier_name": "นายรับรอง ประจำจังหวัด",
        "certifier_position": "ผู้แทนเครือข่ายจังหวัด",
        **extra,
    }


# --- 3 members ---------------------------------------------------------------------------------


def test_members_cumulative_current_founding_and_types(form: cf.CodiForm) -> None:
    m = form.members
    assert (m.cumulative, m.current, m.as_of) == (7, 3, FY_END)
    assert (m.founding, m.founding_answered) == (3, False)  # joined in FY2567, the founding year
    types = {t.key: (t.cumulative, t.current) for t in m.types}
    assert types == {
        "general": (5, 1),
        "child": (1, 1),
        "elderly": (1, 1),
        "disadvantaged": (0, 0),
        "disabled": (0, 0),
        "orphan": (0, 0),
    }
    assert m.villages_covered == 2  # m1 and m6 in group A1, m2 in group A2
    assert m.villages_total is None and m.villages_percent is None


def test_eligible_for_matching_is_the_selectors_list_and_rounds_come_from_the_rows(
    books: Scenario, form: cf.CodiForm
) -> None:
    assert form.members.eligible == len(matching_eligible(books.fund, FY)) == 2
    first = cf.codi_form(books.fund, 2568, today=TODAY)
    assert first.members.eligible == len(matching_eligible(books.fund, 2568)) == 3
    rounds = [(r.round_no, r.fiscal_years, r.members, r.amount) for r in form.members.rounds]
    assert rounds[:3] == [
        (1, [2568], 3, D("20000")),
        (2, [2569], 2, D("15000")),
        (3, [], 0, D("0")),
    ]
    assert len(rounds) == cf.STATE_ROUNDS
    # A round received after the year's end is not on that year's form.
    assert [r.amount for r in first.money.rounds][:2] == [D("20000"), D("0")]


def test_in_a_year_not_yet_over_eligibility_waits_for_the_year_end(books: Scenario) -> None:
    form = cf.codi_form(books.fund, 2570, today=TODAY)
    assert form.as_of == TODAY
    assert form.members.eligible is None
    assert form.members.current == 3  # m1, m2 and m6 still count today


def test_population_villages_and_founding_count_come_from_the_years_answers(
    books: Scenario,
) -> None:
    codi_form_save(
        actor=books.chair,
        fund=books.fund,
        fiscal_year=FY,
        community_population="๑,๒๐๐",
        villages_total="4",
        answers=_answers(founding_members="45"),
    )
    m = cf.codi_form(books.fund, FY, today=TODAY).members
    assert (m.population, m.coverage_percent) == (1200, D("0.3"))
    assert (m.villages_total, m.villages_percent) == (4, D("50.0"))
    assert (m.founding, m.founding_answered) == (45, True)
    other_year = cf.codi_form(books.fund, 2568, today=TODAY).members
    assert other_year.population is None and other_year.founding == 3


# --- 4 money -----------------------------------------------------------------------------------


def test_sources_since_founding_and_this_year_reconcile_with_the_postings(
    books: Scenario, form: cf.CodiForm
) -> None:
    fund = books.fund
    rows = {r.key: r for r in form.money.sources}
    for key, category in cf.SOURCE_ROWS:
        acc = Account.objects.filter(book=fund.book, category=category)
        assert rows[key].since_founding == credit_net(fund, acc, end=FY_END), key
        assert rows[key].this_year == credit_net(fund, acc, start=FY_START, end=FY_END), key
    assert rows["capital"].since_founding == D("10000")
    assert (
        rows["state_codi"].since_founding == sum(r.amount for r in form.money.rounds) == D("35000")
    )
    incoming = Account.objects.filter(book=fund.book, kind__in=["income", "equity", "liability"])
    assert form.money.cumulative == credit_net(fund, incoming, end=FY_END)
    assert form.money.sources_total.since_founding == form.money.cumulative
    money = Account.objects.filter(book=fund.book, is_cash=True)
    assert form.money.balance == debit_net(fund, money, end=FY_END)
    assert (form.money.initial, form.money.initial_note) == (D("10000"), "ทุนยกมาเมื่อเริ่มบันทึกบัญชี")


def test_contribution_frequency_lists_the_plans_with_their_current_members(
    form: cf.CodiForm,
) -> None:
    assert [(p.name, p.months, p.amount, p.members) for p in form.money.plans] == [
        ("รายเดือน", 1, D("30"), 0),
        ("รายปี", 12, D("365"), 3),
    ]


# --- 5-6 benefits ------------------------------------------------------------------------------


def test_benefits_by_category_in_persons_cases_and_baht_less_reversals(
    books: Scenario, form: cf.CodiForm
) -> None:
    rows = {r.code: r for r in form.benefits.rows}
    assert [r.code for r in form.benefits.rows] == [f"{n:02d}" for n in range(1, 17)]
    hospital = rows["02"]
    # m1: 450 (FY68) and 750 (FY69); m2's 300 of FY68 was reversed in FY69.
    assert (hospital.persons_total, hospital.cases_total, hospital.baht_total) == (1, 2, D("1200"))
    assert (hospital.persons_year, hospital.cases_year, hospital.baht_year) == (1, 1, D("450"))
    death = rows["04"]
    assert (death.persons_total, death.baht_total, death.persons_year, death.baht_year) == (
        1,
        D("4000"),
        1,
        D("4000"),
    )
    assert rows["01"].baht_total == 0 and rows["01"].persons_total == 0
    total = form.benefits.total
    assert (total.persons_total, total.baht_total, total.baht_year) == (2, D("5200"), D("4450"))
    assert form.benefits.matches_ledger
    before = cf.codi_form(books.fund, 2568, today=TODAY).benefits
    b02 = next(r for r in before.rows if r.code == "02")
    assert (b02.persons_total, b02.baht_total, b02.baht_year) == (2, D("750"), D("750"))


def test_benefit_baht_equal_the_benefit_accounts_of_the_ledger_per_category(
    books: Scenario, form: cf.CodiForm
) -> None:
    fund = books.fund
    for r in form.benefits.rows:
        acc = Account.objects.filter(book=fund.book, category=f"benefit.{r.code}")
        assert r.baht_total == debit_net(fund, acc, end=FY_END), r.code
        assert r.baht_year == debit_net(fund, acc, start=FY_START, end=FY_END), r.code
    paid = Payout.objects.filter(fund=fund, date__lte=FY_END).aggregate(t=Sum("amount"))["t"]
    assert paid == D("5500")  # the reversed 300 still stands as a payout row


# --- 8 committee, 1 identity and signatures ----------------------------------------------------


def test_committee_roles_names_phones_and_community_roles(
    books: Scenario, person_factory: Any
) -> None:
    world = books.world
    secretary = get_user_model().objects.create_user(
        "secretary_a", password="x", first_name="สมใจ", last_name="จดบันทึก"
    )
    ra = role_assign(
        user=secretary, org_unit=world.fund_a, role=Role.SECRETARY, start_date=dt.date(2024, 1, 1)
    )
    me = person_factory(
        org_unit=world.fund_a, first_name="สมศักดิ์", last_name="ใจดี", phone="0812345678"
    )
    UserPerson.objects.update_or_create(user=world.chair_a, defaults={"person": me})
    codi_form_save(
        actor=books.chair,
        fund=books.fund,
        fiscal_year=FY,
        answers=_answers(community_roles={str(ra.pk): "อสม. หมู่ 3"}),
    )
    form = cf.codi_form(books.fund, FY, today=TODAY)
    assert [(c.name, c.role, c.community_role, c.phone) for c in form.committee] == [
        ("นายสมศักดิ์ ใจดี", "ประธาน", "", "0812345678"),
        ("สมใจ จดบันทึก", "เลขานุการ", "อสม. หมู่ 3", ""),
        ("มาลี ศรีสุข", "ฝ่ายทะเบียน", "", ""),
    ]  # the chair whose term ended in 2023 is not on the list
    assert [(s.title, s.name, s.position) for s in form.signatures] == [
        ("เลขานุการกองทุน", "สมใจ จดบันทึก", ""),
        ("ประธานกองทุน", "นายสมศักดิ์ ใจดี", ""),
        ("ผู้รับรองระดับจังหวัด", "นายรับรอง ประจำจังหวัด", "ผู้แทนเครือข่ายจังหวัด"),
    ]
    idn = form.identity
    assert idn.fund_name == "กองทุนสวัสดิการชุมชนตำบลในเมือง"
    assert idn.province == "จังหวัดขอนแก่น" and idn.district.startswith("อำเภอ")
    assert idn.address.startswith(idn.subdistrict)
    assert idn.chair is not None and idn.chair.phone == "0812345678"
    assert idn.coordinator is not None and idn.coordinator.name == "วันดี รักถิ่น"


# --- 9 management -------------------------------------------------------------------------------


def test_written_rules_and_accounts_current_come_from_the_data(
    books: Scenario, form: cf.CodiForm
) -> None:
    mg = form.management
    assert mg.written_rules.ok is True and "ตำบลตัวอย่าง" in mg.written_rules.value
    # The last entry of FY2569 is the meeting of 1 Apr 2026: more than 45 days before 30 Sep.
    assert mg.last_entry == dt.date(2026, 4, 1)
    assert mg.accounts_current.ok is False
    assert mg.data_keeping.value == "ฐานข้อมูล/โปรแกรม"
    ledger.period_close(
        book=books.fund.book,
        start_date=FY_START,
        end_date=FY_END,
        actor=books.chair,
        reason="ปิดปีบัญชี",
    )
    closed = cf.codi_form(books.fund, FY, today=TODAY).management
    assert closed.accounts_current.ok is True and closed.last_closed == FY_END
    first = cf.codi_form(books.fund, 2568, today=TODAY).management
    assert first.accounts_current.ok is True  # the (later voided) receipt of 20 Sep 2025


def test_management_answers_show_their_thai_labels(books: Scenario) -> None:
    codi_form_save(
        actor=books.chair, fund=books.fund, fiscal_year=FY, data_keeping="file", answers=_answers()
    )
    form = cf.codi_form(books.fund, FY, today=TODAY)
    mg = form.management
    assert mg.meeting_frequency.value == "ทุกเดือน"
    assert mg.minutes.value == "จดบันทึกการประชุมทุกครั้ง"
    assert mg.monitoring.value == "มี (ทบทวนทุกไตรมาส)"
    assert mg.reporting.value == "รายงานในที่ประชุมใหญ่ประจำปี"
    assert mg.data_keeping.value == "ไฟล์คอมพิวเตอร์ (เช่น Excel)"
    assert form.support_from == "อปท., พอช."
    assert (form.activities, form.problems) == ("ปลูกป่าชุมชน\nงานบุญประเพณี", "สมาชิกค้างชำระ")


# --- 10 financial statement ----------------------------------------------------------------------


def test_financial_statement_since_founding_balances_and_matches_the_ledger(
    books: Scenario, form: cf.CodiForm
) -> None:
    fund = books.fund
    f = form.finance
    assert f.balanced
    lines = {
        (part, ln.key): ln.amount
        for part in ("receipts", "assets", "income", "expenses")
        for ln in getattr(f, part)
    }
    assert lines[("assets", "benefits")] == D("5200")
    assert lines[("assets", "cash")] == debit_net(fund, [fund.account("cash")], end=FY_END)
    assert lines[("assets", "bank")] == debit_net(fund, [fund.account("bank")], end=FY_END)
    assert lines[("receipts", "state_codi")] == D("35000")
    assert lines[("receipts", "other")] == D("10000")  # the capital brought in
    assert lines[("income", "interest")] == D("123.45")
    assert lines[("income", "donation")] == D("1000")
    assert lines[("expenses", "transport")] == D("300")
    assert lines[("expenses", "meetings")] == D("1200")
    assert lines[("expenses", "other")] == D("182.50")  # the refund to m4
    everything = Posting.objects.filter(account__book=fund.book, date__lte=FY_END)
    assert (
        f.sources
        == everything.filter(account__kind__in=["income", "equity"])
        .filter(side="C")
        .aggregate(t=Sum("amount"))["t"]
        - everything.filter(account__kind__in=["income", "equity"], side="D").aggregate(
            t=Sum("amount")
        )["t"]
    )


def test_support_criteria_of_codi(books: Scenario, form: cf.CodiForm) -> None:
    got = {c.label: c.ok for c in form.criteria}
    assert got == {
        "ดำเนินการมาแล้วอย่างน้อย 1 ปี": True,
        "มีสมาชิกเด็กและเยาวชน ผู้สูงอายุ ผู้พิการ และผู้ด้อยโอกาส": False,
        "หมู่บ้าน/ชุมชนที่เข้าร่วมไม่น้อยกว่าร้อยละ 50": None,
        "บัญชีเป็นปัจจุบัน": False,
        "จัดสวัสดิการพื้นฐานอย่างน้อย 3 ประเภทในปีที่ผ่านมา": False,
    }
    missing = next(c for c in form.criteria if not c.ok and "ผู้พิการ" in c.label)
    assert missing.detail == "ยังไม่มี: ผู้พิการ, ผู้ด้อยโอกาส"


# --- answers: saved per year, Thai messages naming the field --------------------------------------


def test_answers_are_saved_per_year_and_replace_the_years_previous_set(books: Scenario) -> None:
    codi_form_save(actor=books.chair, fund=books.fund, fiscal_year=FY, answers=_answers())
    codi_form_save(actor=books.chair, fund=books.fund, fiscal_year=2568, answers={"plans": "ปีก่อน"})
    codi_form_save(
        actor=books.chair,
        fund=books.fund,
        fiscal_year=FY,
        villages_total=5,
        answers={"plans": "ใหม่"},
    )
    this = CodiFormYear.objects.get(fund=books.fund, fiscal_year=FY)
    assert this.answers == {"plans": "ใหม่"} and this.villages_total == 5
    assert this.updated_by == books.chair
    assert CodiFormYear.objects.get(fund=books.fund, fiscal_year=2568).answers == {"plans": "ปีก่อน"}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"community_population": "-5"},
            "community_population",
            "จำนวนประชากรในชุมชน/ตำบล: ต้องไม่น้อยกว่า 0",
        ),
        (
            {"community_population": "สองพัน"},
            "community_population",
            "จำนวนประชากรในชุมชน/ตำบล: ต้องเป็นจำนวนเต็ม",
        ),
        ({"villages_total": "0"}, "villages_total", "จำนวนหมู่บ้าน/ชุมชนทั้งหมดในพื้นที่: ต้องไม่น้อยกว่า 1"),
        ({"villages_total": "1500"}, "villages_total", "จำนวนหมู่บ้าน/ชุมชนทั้งหมดในพื้นที่: ต้องไม่เกิน 999"),
        ({"data_keeping": "cloud"}, "data_keeping", "การเก็บข้อมูลสมาชิก: เลือกจากรายการ"),
        (
            {"answers": {"meeting_frequency": "daily"}},
            "meeting_frequency",
            "การประชุมคณะกรรมการ: เลือกจากรายการ",
        ),
        (
            {"answers": {"initial_money": "12.345"}},
            "initial_money",
            "เงินกองทุนเริ่มแรก (บาท): ใส่ได้ถึงสตางค์ (ทศนิยม 2 ตำแหน่ง)",
        ),
        (
            {"answers": {"founding_members": "-1"}},
            "founding_members",
            "จำนวนสมาชิกแรกก่อตั้ง (คน): ต้องไม่น้อยกว่า 0",
        ),
        (
            {"answers": {"plans": "ก" * 2001}},
            "plans",
            "แผนการดำเนินงานต่อไป: ยาวได้ไม่เกิน 2,000 ตัวอักษร (ตอนนี้ 2,001)",
        ),
        (
            {"answers": {"certifier_name": "สอง\nบรรทัด"}},
            "certifier_name",
            "ผู้รับรองระดับจังหวัด (ชื่อ): พิมพ์ได้บรรทัดเดียว",
        ),
        (
            {"answers": {"support_from": ["mars"]}},
            "support_from",
            "หน่วยงานที่ให้การสนับสนุน: เลือกจากรายการ",
        ),
        (
            {"answers": {"community_roles": {"999999": "x"}}},
            "community_roles",
            "บทบาทในชุมชน: ไม่ใช่กรรมการของกองทุนนี้ (999999)",
        ),
    ],
)
def test_bad_answers_are_refused_with_a_thai_message_naming_the_field(
    books: Scenario, kwargs: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        codi_form_save(actor=books.chair, fund=books.fund, fiscal_year=FY, **kwargs)
    assert exc.value.message_dict == {field: [message]}
    assert not CodiFormYear.objects.exists()


def test_only_who_manages_the_fund_saves_answers(books: Scenario) -> None:
    with pytest.raises(PermissionDenied):
        codi_form_save(actor=books.registrar, fund=books.fund, fiscal_year=FY, answers=_answers())
    with pytest.raises(PermissionDenied):
        codi_form_save(actor=books.world.officer_b, fund=books.fund, fiscal_year=FY, answers={})
    assert not CodiFormYear.objects.exists()


# --- Excel ------------------------------------------------------------------------------------------


def test_excel_lays_out_every_section_with_real_numbers(books: Scenario) -> None:
    from openpyxl import load_workbook

    codi_form_save(actor=books.chair, fund=books.fund, fiscal_year=FY, answers=_answers())
    form = cf.codi_form(books.fund, FY, today=TODAY)
    buf = io.BytesIO()
    cf.write_xlsx(form, buf)
    ws = load_workbook(io.BytesIO(buf.getvalue())).active
    cells = {row[0].value: [c.value for c in row[1:]] for row in ws.iter_rows() if row[0].value}
    for n in (1, 2, 4, 7, 8, 9, 11, 12, 13, 14, 15):
        assert any(str(k).startswith(f"{n}. ") for k in cells), n
    assert any(str(k).startswith("3. สมาชิก") for k in cells)
    assert any(str(k).startswith("10. งบการเงิน") for k in cells)
    assert cells["สมาชิกปัจจุบัน (ไม่รวมผู้เสียชีวิต ลาออก ขาดสมาชิกภาพ) (คน)"][0] == 3
    assert cells["02 เจ็บป่วย/รักษาพยาบาล"][:6] == [1, 2, 1200, 1, 1, 450]
    assert cells["รอบที่ 1"][:3] == ["2568", 3, 20000]
    assert cells["รวมรายรับและรายได้"][0] == float(form.finance.sources)
    money_cell = next(r for r in ws.iter_rows() if r[0].value == "เงินกองทุนสะสม (บาท)")[1]
    assert money_cell.number_format == cf.MONEY_FORMAT
