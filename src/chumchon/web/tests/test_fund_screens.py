"""The fund setup and member screens as a fund's chair, registrar and group committee use them:
Thai pages, BE dates, refusals that name the field and change nothing, who may do what, the
member list's filters and a member's status as of any date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chumchon.areas.models import OrgUnitKind
from chumchon.areas.services import org_unit_create, role_assign
from chumchon.core.permissions import Role
from chumchon.core.thai import national_id_check_digit
from chumchon.funds import services as fs
from chumchon.funds.models import (
    Beneficiary,
    ContributionPlan,
    Fund,
    Membership,
    MembershipEvent,
    Refund,
)
from chumchon.ledger.models import Account
from chumchon.ledger.selectors import verify_book
from chumchon.people.models import Person
from chumchon.web.tests.matrix_funds import (
    apply_post,
    beneficiaries_post,
    fund_rules_post,
    plan_rows_post,
)

D = Decimal
TODAY_FIXED = dt.date(2026, 11, 30)


def valid_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


def body(response: Any) -> str:
    return response.content.decode()


def snapshot() -> list[list[Any]]:
    """Every fund row the screens write."""

    def rows(model: Any, *fields: str) -> list[Any]:
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return [
        rows(Fund, "entry_fee", "lapse_rule", "lapse_days", "refund_rule", "refund_percent"),
        rows(ContributionPlan, "name", "months", "amount", "active"),
        rows(Membership, "state", "org_unit_id", "plan_id", "member_type", "ended_on", "member_no"),
        rows(MembershipEvent, "kind"),
        rows(Beneficiary, "name", "share_percent"),
        rows(Account, "code", "name", "active"),
        rows(Refund, "amount"),
    ]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screens and services read today's date: pin it so statuses do not drift."""
    monkeypatch.setattr("chumchon.web.views_funds._today", lambda: TODAY_FIXED)
    monkeypatch.setattr("chumchon.funds.services._today", lambda: TODAY_FIXED)


@pytest.fixture
def fund(world: Any) -> Fund:
    """Fund A under the example regulation of domain.md (refund 50% if no benefit)."""
    return fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=D("20"),
        plans=[
            ("รายเดือน", 1, D("30")),
            ("รายไตรมาส", 3, D("90")),
            ("รายปี", 12, D("365")),
        ],
        lapse_days=60,
        refund_rule="if_no_benefit",
        refund_percent=D("50"),
    )


@pytest.fixture
def member(world: Any, fund: Fund, person_factory: Any) -> Any:
    """Make an approved member (joined on ``joined``) who paid ``paid`` baht in one go."""
    counter = iter(range(1, 1000))

    def make(
        *,
        joined: dt.date = dt.date(2025, 1, 1),
        paid: str | None = "50",
        group: Any = None,
        plan: str = "รายเดือน",
        **person: Any,
    ) -> Membership:
        n = next(counter)
        person.setdefault("first_name", f"สมาชิก{n}")
        p = person_factory(org_unit=group or world.group_a1, **person)
        m = fs.member_apply(
            actor=world.chair_a,
            fund=fund,
            person=p,
            org_unit=group or world.group_a1,
            plan=fund.plans.get(name=plan),
            applied_on=joined,
            beneficiaries=[fs.BeneficiaryData("ผู้รับ", "บุตร")],
        )
        m = fs.member_approve(actor=world.chair_a, membership=m, joined_on=joined)
        if paid:
            fs.payment_record(actor=world.chair_a, membership=m, date=joined, amount=paid)
        return m

    return make


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


# ------------------------------------------------------------------ every screen renders in Thai


def test_every_screen_renders_in_thai_for_the_chair(
    chair: Any, world: Any, fund: Fund, member: Any
) -> None:
    m = member()
    plan = fund.plans.get(months=12)
    account = fund.book.accounts.get(code="5299")
    pages = {
        reverse("fund_list"): "กองทุนสวัสดิการชุมชน",
        reverse("fund_detail", args=[fund.pk]): "ระเบียบของกองทุน",
        reverse("fund_edit", args=[fund.pk]): "แก้ไขระเบียบกองทุน",
        reverse("plan_create", args=[fund.pk]): "เพิ่มแบบการออม",
        reverse("plan_edit", args=[fund.pk, plan.pk]): "แก้ไขแบบการออม",
        reverse("fund_chart", args=[fund.pk]): "ผังบัญชี",
        reverse("account_create", args=[fund.pk]): "เพิ่มบัญชี",
        reverse("account_edit", args=[fund.pk, account.pk]): "แก้ไขบัญชี",
        reverse("member_list", args=[fund.pk]): "ค้นหาสมาชิก",
        reverse("member_apply", args=[fund.pk]): "เลือกผู้สมัครจากทะเบียนบุคคล",
        reverse("member_apply", args=[fund.pk]) + f"?person={m.person_id}": "ผู้รับผลประโยชน์",
        reverse("member_detail", args=[m.pk]): "ประวัติสมาชิกภาพ",
        reverse("member_resign", args=[m.pk]): "เงินคืนตามระเบียบ",
        reverse("member_death", args=[m.pk]): "ยังไม่มีวันที่เสียชีวิต",
        reverse("member_move", args=[m.pk]): "ย้ายกลุ่มหมู่บ้าน",
        reverse("member_plan", args=[m.pk]): "เปลี่ยนแบบการออม",
        reverse("beneficiaries_edit", args=[m.pk]): "แก้ไขผู้รับผลประโยชน์",
    }
    for url, text in pages.items():
        response = chair.get(url)
        assert response.status_code == 200, url
        html = body(response)
        assert '<html lang="th">' in html, url
        assert text in html, url
        assert "funds.css" in html, url


def test_fund_detail_shows_rules_in_thai_sentences_counts_and_cash(
    chair: Any, fund: Fund, member: Any
) -> None:
    member(joined=dt.date(2026, 11, 1))  # paid 30 for November: active
    member(joined=dt.date(2026, 9, 1))  # paid September only: in arrears
    member(joined=dt.date(2025, 1, 1))  # paid January 2025 only: lapsed
    response = chair.get(reverse("fund_detail", args=[fund.pk]))
    html = body(response)
    for sentence in (
        "ปีบัญชีเริ่มวันที่ 1 ตุลาคม สิ้นสุดสิ้นเดือนกันยายน",
        "ค่าสมัครสมาชิก 20.00 บาท",
        "สมาชิกที่ค้างชำระเกิน 60 วัน ขาดสมาชิกภาพ",
        "เมื่อลาออก คืนเงินสมทบร้อยละ 50 หากไม่เคยได้รับสวัสดิการ",
        "ใบสมัครสมาชิกใหม่อนุมัติโดยประธาน",
        "ก่อตั้งเมื่อ 1 มกราคม พ.ศ. 2563",
    ):
        assert sentence in html
    statuses = {code: n for code, _label, n in response.context["statuses"]}
    assert statuses["active"] == 1 and statuses["arrears"] == 1 and statuses["lapsed"] == 1
    assert response.context["current"] == 2
    assert response.context["cash_total"] == D("150.00")
    assert "หนึ่งร้อยห้าสิบบาทถ้วน" in html


# ------------------------------------------------------------------ opening the books


@pytest.fixture
def bare_unit(world: Any) -> Any:
    unit = org_unit_create(
        name="กองทุนสวัสดิการชุมชนตำบลใหม่",
        kind=OrgUnitKind.FUND,
        parent=world.district,
        subdistrict=world.fund_a.subdistrict,
    )
    role_assign(user=world.chair_a, org_unit=unit, role=Role.CHAIR, start_date=dt.date(2024, 1, 1))
    return unit


def test_fund_create_opens_books_with_the_chosen_plans_and_the_chart(
    chair: Any, bare_unit: Any
) -> None:
    url = reverse("fund_create", args=[bare_unit.pk])
    form = chair.get(url)
    assert form.status_code == 200
    assert [f.initial["name"] for f in form.context["plans"].forms[:5]] == [
        "รายเดือน",
        "รายไตรมาส",
        "รายครึ่งปี",
        "รายปี 360 บาท",
        "รายปี 365 บาท",
    ]
    data = {"fiscal_year_start_month": "1", **fund_rules_post(), **plan_rows_post()}
    response = chair.post(url, data)
    assert response.status_code == 302
    fund = Fund.objects.get(org_unit=bare_unit)
    assert response["Location"] == reverse("fund_detail", args=[fund.pk])
    assert fund.fiscal_year_start_month == 1 and fund.entry_fee == D("30")
    assert fund.refund_percent == D("50") and fund.lapse_days == 90
    assert sorted(fund.plans.values_list("name", "months", "amount")) == [
        ("รายปี", 12, D("365.00")),
        ("รายเดือน", 1, D("30.00")),
    ]
    assert fund.book.accounts.filter(code="1101", is_cash=True).exists()
    assert fund.book.accounts.count() > 30


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"entry_fee": "ยี่สิบ"}, "entry_fee", "ค่าสมัครสมาชิก (บาท): อ่านเป็นจำนวนเงินไม่ได้"),
        ({"entry_fee": "-5"}, "entry_fee", "ค่าสมัครสมาชิก (บาท): ต้องไม่ติดลบ"),
        ({"lapse_days": "0"}, "lapse_days", "ขาดสมาชิกภาพเมื่อค้างชำระเกิน (วัน):"),
        ({"refund_percent": "0"}, "refund_percent", "อัตราการคืนเงินสมทบ (ร้อยละ): ต้องมากกว่าศูนย์"),
        ({"refund_percent": "150"}, "refund_percent", "อัตราการคืนเงินสมทบ (ร้อยละ):"),
        ({"plans-0-use": "", "plans-1-use": ""}, None, "แบบการออม: เลือกอย่างน้อยหนึ่งแบบ"),
        ({"plans-1-name": "รายเดือน"}, None, "แบบการออม: ชื่อ “รายเดือน” ซ้ำกัน"),
        ({"plans-1-amount": "0"}, None, "จำนวนเงินต่องวด: ต้องมากกว่าศูนย์"),
    ],
)
def test_fund_create_refuses_bad_input_naming_the_field_and_creates_nothing(
    chair: Any, bare_unit: Any, change: dict[str, str], field: str | None, message: str
) -> None:
    data = {"fiscal_year_start_month": "10", **fund_rules_post(), **plan_rows_post(), **change}
    before = snapshot()
    response = chair.post(reverse("fund_create", args=[bare_unit.pk]), data)
    assert response.status_code == 200
    assert message in body(response)
    if field:
        assert field in response.context["form"].errors
    assert snapshot() == before
    assert not Fund.objects.filter(org_unit=bare_unit).exists()


def test_fund_create_for_a_village_group_explains_and_a_second_time_redirects(
    chair: Any, world: Any, fund: Fund
) -> None:
    response = chair.get(reverse("fund_create", args=[world.group_a1.pk]))
    assert response.status_code == 200
    assert "เปิดบัญชีกองทุนได้เฉพาะหน่วยระดับตำบล" in body(response)
    assert chair.post(reverse("fund_create", args=[world.group_a1.pk]), {}).status_code == 200
    again = chair.get(reverse("fund_create", args=[world.fund_a.pk]))
    assert again.status_code == 302 and again["Location"] == reverse("fund_detail", args=[fund.pk])


def test_fund_list_offers_to_open_books_for_a_unit_without_them(
    chair: Any, fund: Fund, bare_unit: Any
) -> None:
    html = body(chair.get(reverse("fund_list")))
    assert fund.name in html
    assert reverse("fund_create", args=[bare_unit.pk]) in html


# ------------------------------------------------------------------ editing the rules


def test_fund_edit_needs_a_reason_and_keeps_history(chair: Any, fund: Fund) -> None:
    url = reverse("fund_edit", args=[fund.pk])
    before = snapshot()
    missing = chair.post(url, fund_rules_post(reason=""))
    assert missing.status_code == 200
    assert "reason" in missing.context["form"].errors
    assert snapshot() == before
    response = chair.post(url, fund_rules_post(lapse_days="90", reason="มติที่ประชุมใหญ่ 1/2569"))
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.lapse_days == 90 and fund.entry_fee == D("30")
    assert fund.history.first().history_change_reason == "มติที่ประชุมใหญ่ 1/2569"
    page = body(chair.get(reverse("fund_detail", args=[fund.pk])))
    assert "มติที่ประชุมใหญ่ 1/2569" in page
    assert "สมาชิกที่ค้างชำระเกิน 90 วัน" in page


def test_fund_edit_refuses_a_refund_rule_without_a_percent(chair: Any, fund: Fund) -> None:
    before = snapshot()
    response = chair.post(
        reverse("fund_edit", args=[fund.pk]),
        fund_rules_post(refund_rule="always", refund_percent="", reason="ทดสอบ"),
    )
    assert response.status_code == 200
    assert "อัตราการคืนเงินสมทบ (ร้อยละ): ต้องมากกว่าศูนย์" in body(response)
    assert snapshot() == before


# ------------------------------------------------------------------ plans


def test_plan_create_and_its_refusals(chair: Any, fund: Fund) -> None:
    url = reverse("plan_create", args=[fund.pk])
    assert (
        chair.post(url, {"name": "ราย 6 เดือน", "months": "6", "amount": "180"}).status_code == 302
    )
    assert fund.plans.filter(name="ราย 6 เดือน", months=6, amount=D("180")).exists()
    before = snapshot()
    duplicate = chair.post(url, {"name": "รายเดือน", "months": "1", "amount": "30"})
    assert "ชื่อแบบการออม: มีชื่อนี้อยู่แล้ว" in body(duplicate)
    bad_months = chair.post(url, {"name": "ราย 5 เดือน", "months": "5", "amount": "150"})
    assert "ชำระทุก:" in body(bad_months)
    bad_amount = chair.post(url, {"name": "ราย 2 เดือน", "months": "2", "amount": "60.555"})
    assert "จำนวนเงินต่องวด (บาท): ใส่ได้ถึงสตางค์" in body(bad_amount)
    assert snapshot() == before


def test_plan_in_use_keeps_its_amount_but_may_be_renamed_and_closed(
    chair: Any, fund: Fund, member: Any, world: Any
) -> None:
    member()  # pays monthly
    monthly = fund.plans.get(months=1)
    url = reverse("plan_edit", args=[fund.pk, monthly.pk])
    page = chair.get(url)
    assert "มีสมาชิกใช้แบบนี้อยู่" in body(page)
    response = chair.post(url, {"name": "รายเดือน (เดิม)", "months": "1", "amount": "40"})
    assert response.status_code == 302
    monthly.refresh_from_db()
    assert (monthly.name, monthly.amount, monthly.active) == ("รายเดือน (เดิม)", D("30"), False)
    with pytest.raises(fs.ValidationError, match="จำนวนเงินต่องวด: มีสมาชิกใช้แบบนี้อยู่"):
        fs.plan_update(actor=world.chair_a, plan=monthly, name="x", active=True, amount="40")


def test_plan_not_in_use_may_change_its_amount_but_the_last_open_plan_stays_open(
    chair: Any, fund: Fund
) -> None:
    yearly = fund.plans.get(months=12)
    url = reverse("plan_edit", args=[fund.pk, yearly.pk])
    data = {"name": "รายปี", "months": "12", "amount": "360", "active": "on"}
    assert chair.post(url, data).status_code == 302
    yearly.refresh_from_db()
    assert yearly.amount == D("360")
    fund.plans.exclude(pk=yearly.pk).update(active=False)
    before = snapshot()
    response = chair.post(url, {"name": "รายปี", "months": "12", "amount": "360"})
    assert response.status_code == 200
    assert "เปิดให้ผู้สมัครใหม่เลือก: ต้องมีแบบการออมที่เปิดให้เลือกอย่างน้อยหนึ่งแบบ" in body(response)
    assert snapshot() == before


# ------------------------------------------------------------------ chart of accounts


def test_chart_groups_accounts_by_kind_with_balances(chair: Any, fund: Fund, member: Any) -> None:
    member(paid="50")
    response = chair.get(reverse("fund_chart", args=[fund.pk]))
    groups = {g["kind"].value: g for g in response.context["groups"]}
    assert groups["asset"]["total"] == D("50.00")
    assert groups["income"]["total"] == D("50.00")
    assert [a.code for a in groups["expense"]["rows"]][:2] == ["5101", "5102"]
    html = body(response)
    assert "สินทรัพย์" in html and "ค่าใช้จ่าย" in html and "เงินสมทบจากสมาชิก" in html


def test_account_create_and_its_refusals(chair: Any, fund: Fund) -> None:
    url = reverse("account_create", args=[fund.pk])
    ok = chair.post(url, {"kind": "expense", "code": "๕๔๐๑", "name": "ค่าพวงหรีด"})
    assert ok.status_code == 302
    assert fund.book.accounts.filter(code="5401", name="ค่าพวงหรีด", kind="expense").exists()
    before = snapshot()
    for data, message in [
        ({"kind": "expense", "code": "4401", "name": "ผิดหมวด"}, "บัญชีหมวดนี้ต้องขึ้นต้นด้วยเลข 5"),
        ({"kind": "expense", "code": "5401", "name": "ซ้ำ"}, "รหัส 5401 มีอยู่แล้ว"),
        ({"kind": "expense", "code": "54", "name": "สั้น"}, "รหัสบัญชี: ใช้ตัวเลข 4 ถึง 12 หลัก"),
        (
            {"kind": "income", "code": "4201", "name": "x", "is_cash": "on"},
            "ได้เฉพาะบัญชีหมวดสินทรัพย์",
        ),
    ]:
        response = chair.post(url, data)
        assert response.status_code == 200
        assert message in body(response), message
    assert snapshot() == before


def chair_user(fund: Fund) -> Any:
    from chumchon.areas.models import RoleAssignment

    return RoleAssignment.objects.filter(org_unit=fund.org_unit, role="chair").first().user


def test_account_edit_renames_and_closes_but_keeps_codes_and_auto_accounts(
    chair: Any, fund: Fund, member: Any
) -> None:
    member(paid="50")
    from chumchon.funds.services import fund_account_create

    wedding = fund_account_create(
        actor=chair_user(fund), fund=fund, code="5901", name="ของขวัญงานแต่ง", kind="expense"
    )
    url = reverse("account_edit", args=[fund.pk, wedding.pk])
    assert chair.post(url, {"name": "ของขวัญงานแต่งงาน", "code": "9999"}).status_code == 302
    wedding.refresh_from_db()
    assert (wedding.code, wedding.name, wedding.active) == ("5901", "ของขวัญงานแต่งงาน", False)
    # A benefit category's account takes the claims' payouts: renamed, never closed.
    tradition = fund.book.accounts.get(code="5109")
    kept = chair.post(
        reverse("account_edit", args=[fund.pk, tradition.pk]), {"name": "ประเพณี (งานบวช)"}
    )
    assert "ใช้งาน: ระบบบันทึกรายการเข้าบัญชีนี้โดยอัตโนมัติ" in body(kept)
    before = snapshot()
    cash = fund.book.accounts.get(code="1101")
    refused = chair.post(reverse("account_edit", args=[fund.pk, cash.pk]), {"name": "เงินสด"})
    assert "ใช้งาน: ระบบบันทึกรายการเข้าบัญชีนี้โดยอัตโนมัติ" in body(refused)
    blank = chair.post(url, {"name": "", "active": "on"})
    assert "ชื่อบัญชี:" in body(blank)
    assert snapshot() == before


# ------------------------------------------------------------------ member list


@pytest.fixture
def roster(world: Any, fund: Fund, member: Any, person_factory: Any) -> dict[str, Membership]:
    """One member in each status on 30 Nov 2026, a child member and one in group A2."""
    out = {
        "active": member(joined=dt.date(2026, 11, 1), first_name="ปกติ", last_name="ดีใจ"),
        "arrears": member(joined=dt.date(2026, 9, 1), first_name="ค้าง", last_name="สามเดือน"),
        "lapsed": member(joined=dt.date(2025, 1, 1), first_name="ขาด", last_name="สมาชิกภาพ"),
        "resigned": member(
            joined=dt.date(2026, 1, 1), paid="380", first_name="ลา", last_name="ออก"
        ),
        "dead": member(joined=dt.date(2026, 1, 1), paid="380", first_name="จาก", last_name="ไป"),
        "child": member(
            joined=dt.date(2026, 11, 1),
            first_name="เด็กชาย",
            last_name="ตัวน้อย",
            birth_date=dt.date(2015, 5, 5),
        ),
        "a2": member(
            joined=dt.date(2026, 11, 1), group=world.group_a2, first_name="หมู่สอง", last_name="คนดี"
        ),
    }
    fs.member_resign(
        actor=world.chair_a, membership=out["resigned"], date=dt.date(2026, 6, 1), reason="ย้ายบ้าน"
    )
    Person.objects.filter(pk=out["dead"].person_id).update(death_date=dt.date(2026, 7, 1))
    fs.member_record_death(actor=world.chair_a, membership=out["dead"])
    p = person_factory(first_name="รอ", last_name="อนุมัติ")
    out["applicant"] = fs.member_apply(
        actor=world.chair_a,
        fund=fund,
        person=p,
        org_unit=world.group_a1,
        plan=fund.plans.get(months=1),
        applied_on=dt.date(2026, 11, 20),
    )
    return out


def _listed(chair: Any, fund: Fund, **params: Any) -> set[int]:
    response = chair.get(reverse("member_list", args=[fund.pk]), params)
    assert response.status_code == 200
    return {m.pk for m, _st in response.context["rows"]}


@pytest.mark.parametrize("status", ["active", "arrears", "lapsed", "resigned", "dead", "applicant"])
def test_member_list_status_filter(
    chair: Any, fund: Fund, roster: dict[str, Any], status: str
) -> None:
    listed = _listed(chair, fund, status=status)
    assert roster[status].pk in listed
    expected = {
        "active": {"active", "child", "a2"},
        "arrears": {"arrears"},
        "lapsed": {"lapsed"},
        "resigned": {"resigned"},
        "dead": {"dead"},
        "applicant": {"applicant"},
    }[status]
    assert listed == {roster[k].pk for k in expected}


def test_member_list_group_type_and_search_filters(
    chair: Any, world: Any, fund: Fund, roster: dict[str, Any]
) -> None:
    assert _listed(chair, fund, group=world.group_a2.pk) == {roster["a2"].pk}
    assert _listed(chair, fund, type="child") == {roster["child"].pk}
    assert _listed(chair, fund, q="ค้าง") == {roster["arrears"].pk}
    assert _listed(chair, fund, q="สามเดือน") == {roster["arrears"].pk}
    assert _listed(chair, fund, q=str(roster["lapsed"].member_no)) == {roster["lapsed"].pk}
    assert len(_listed(chair, fund)) == len(roster)
    html = body(chair.get(reverse("member_list", args=[fund.pk]), {"status": "arrears"}))
    assert "ค้างชำระ 2 งวด" in html  # the status comes with its reason


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"group": "999999"}, "กลุ่มหมู่บ้าน: ไม่พบกลุ่มที่เลือกในกองทุนนี้"),
        ({"status": "vip"}, "สถานะ: ตัวเลือกไม่ถูกต้อง"),
        ({"type": "x"}, "ประเภทสมาชิก: ตัวเลือกไม่ถูกต้อง"),
    ],
)
def test_member_list_refuses_a_bad_filter_in_thai_and_lists_nothing(
    chair: Any, fund: Fund, roster: dict[str, Any], params: dict[str, str], message: str
) -> None:
    response = chair.get(reverse("member_list", args=[fund.pk]), params)
    assert message in body(response)
    assert response.context["rows"] == []


def test_member_list_pages_and_computes_status_for_one_page_only(
    chair: Any,
    fund: Fund,
    member: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(7):
        member(joined=dt.date(2026, 11, 1))
    monkeypatch.setattr("chumchon.web.views_funds.PAGE_SIZE", 3)
    seen: list[int] = []
    from chumchon.funds import selectors as sel

    real = sel.statuses_for

    def counting(memberships: Any, day: Any, **kw: Any) -> Any:
        seen.append(len(memberships))
        return real(memberships, day, **kw)

    monkeypatch.setattr("chumchon.web.views_funds.fund_sel.statuses_for", counting)
    url = reverse("member_list", args=[fund.pk])
    with django_assert_max_num_queries(25):
        page = chair.get(url, {"page": 2})
    assert page.context["page"].number == 2 and len(page.context["rows"]) == 3
    assert seen == [3]
    assert "หน้า 2 จาก 3" in body(page)


def test_member_list_htmx_returns_the_rows_only(chair: Any, fund: Fund, member: Any) -> None:
    member()
    response = chair.get(
        reverse("member_list", args=[fund.pk]), {"q": "สมาชิก"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in body(response) and "result-count" in body(response)


# ------------------------------------------------------------------ applying and deciding


def test_apply_finds_a_person_of_the_fund_and_records_the_application(
    chair: Any, world: Any, fund: Fund, person_factory: Any
) -> None:
    child = person_factory(
        org_unit=world.group_a2,
        first_name="น้องฟ้า",
        last_name="ใสสะอาด",
        birth_date=dt.date(2016, 2, 2),
        national_id=valid_id("110020003333"),
    )
    url = reverse("member_apply", args=[fund.pk])
    found = chair.get(url, {"q": "น้องฟ้า"})
    assert [p.pk for p, _open in found.context["candidates"]] == [child.pk]
    by_id = chair.get(url, {"q": child.national_id})
    assert [p.pk for p, _open in by_id.context["candidates"]] == [child.pk]
    chosen = chair.get(url, {"person": child.pk})
    form = chosen.context["form"]
    assert form.initial["member_type"] == "child"
    assert form.initial["org_unit"] == world.group_a2.pk
    data = {
        "person": child.pk,
        "org_unit": world.group_a2.pk,
        "plan": fund.plans.get(months=1).pk,
        "applied_on": "20/11/2569",
        "member_type": "child",
        **beneficiaries_post(("นางแม่ ใสสะอาด", "มารดา", "70"), ("นายพ่อ ใสสะอาด", "บิดา", "30")),
    }
    response = chair.post(url, data)
    m = Membership.objects.get(person=child)
    assert response.status_code == 302 and response["Location"] == reverse(
        "member_detail", args=[m.pk]
    )
    assert (m.state, m.member_type, m.applied_on) == ("applied", "child", dt.date(2026, 11, 20))
    assert sorted(m.beneficiaries.values_list("relation", "share_percent")) == [
        ("บิดา", D("30")),
        ("มารดา", D("70")),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            beneficiaries_post(("ก", "บุตร", "60"), ("ข", "บุตร", "30")),
            "ผู้รับผลประโยชน์: สัดส่วนรวมต้องเท่ากับร้อยละ 100 (ตอนนี้รวมได้ 90)",
        ),
        (
            {"ben-0-name": "", "ben-0-relation": "", "ben-0-share_percent": ""},
            "ผู้รับผลประโยชน์: ระบุอย่างน้อยหนึ่งคน",
        ),
        ({"ben-0-relation": ""}, "ความสัมพันธ์: ต้องระบุความสัมพันธ์กับสมาชิก"),
        ({"applied_on": "01/12/2569"}, "วันที่สมัคร: ต้องไม่เกิน 30 พ.ย. 2569"),
        ({"applied_on": "31/02/2569"}, "วันที่สมัคร:"),
        ({"plan": "999999"}, "แบบการออม:"),
    ],
)
def test_apply_refuses_bad_input_naming_the_field_and_saves_nothing(
    chair: Any, world: Any, fund: Fund, person_factory: Any, change: dict[str, str], message: str
) -> None:
    person = person_factory(org_unit=world.group_a2, first_name="บุญเรือน", last_name="คำแก้ว")

    class A:
        pass

    a: Any = A()
    a.person_a2, a.world, a.fund = person, world, fund
    data = apply_post(a)
    data.update(change)
    before = snapshot()
    response = chair.post(reverse("member_apply", args=[fund.pk]), data)
    assert response.status_code == 200
    assert message in body(response)
    assert snapshot() == before


def test_apply_refuses_a_person_who_is_already_a_member(
    chair: Any, world: Any, fund: Fund, member: Any
) -> None:
    m = member(joined=dt.date(2026, 11, 1))
    url = reverse("member_apply", args=[fund.pk])
    found = chair.get(url, {"q": m.person.first_name})
    assert found.context["candidates"][0][1] == m
    assert f"เป็นสมาชิกอยู่แล้ว เลขที่ {m.member_no}" in body(found)
    before = snapshot()
    data = {
        "person": m.person_id,
        "org_unit": world.group_a1.pk,
        "plan": fund.plans.get(months=1).pk,
        "applied_on": "20/11/2569",
        "member_type": "general",
        **beneficiaries_post(("ก", "บุตร", "100")),
    }
    response = chair.post(url, data)
    assert f"ผู้สมัคร: เป็นสมาชิกอยู่แล้ว (เลขที่ {m.member_no})" in body(response)
    assert snapshot() == before


def test_apply_cannot_reach_a_person_of_another_tambon(
    chair: Any, world: Any, fund: Fund, person_factory: Any
) -> None:
    outsider = person_factory(actor=world.officer_b, org_unit=world.fund_b, first_name="นอกเขต")
    url = reverse("member_apply", args=[fund.pk])
    assert chair.get(url, {"person": outsider.pk}).status_code == 404
    assert chair.get(url, {"q": "นอกเขต"}).context["candidates"] == []


def test_registrar_applies_but_only_the_named_approver_role_approves(
    client: Any, world: Any, fund: Fund, person_factory: Any
) -> None:
    person = person_factory(first_name="ผู้สมัคร", last_name="ใหม่")
    client.force_login(world.registrar_a)
    data = {
        "person": person.pk,
        "org_unit": world.group_a1.pk,
        "plan": fund.plans.get(months=1).pk,
        "applied_on": "01/11/2569",
        "member_type": "general",
        **beneficiaries_post(("ก", "บุตร", "100")),
    }
    assert client.post(reverse("member_apply", args=[fund.pk]), data).status_code == 302
    m = Membership.objects.get(person=person)
    detail = body(client.get(reverse("member_detail", args=[m.pk])))
    assert "อนุมัติเป็นสมาชิก" not in detail
    before = snapshot()
    approve = reverse("member_approve", args=[m.pk])
    refused = client.post(approve, {"joined_on": "15/11/2569"})
    assert refused.status_code == 403
    assert client.post(reverse("member_reject", args=[m.pk]), {"reason": "x"}).status_code == 403
    assert snapshot() == before
    client.force_login(world.chair_a)
    assert "อนุมัติเป็นสมาชิก" in body(client.get(reverse("member_detail", args=[m.pk])))
    bad = client.post(approve, {"joined_on": "15/10/2569"}, follow=True)
    assert "วันที่เป็นสมาชิก: ต้องไม่ก่อนวันที่สมัคร" in body(bad)
    unreadable = client.post(approve, {"joined_on": "15-11"}, follow=True)
    assert "วันที่เป็นสมาชิก:" in body(unreadable)
    assert snapshot() == before
    ok = client.post(approve, {"joined_on": "15/11/2569"})
    assert ok.status_code == 302
    m.refresh_from_db()
    assert m.state == "approved" and m.joined_on == dt.date(2026, 11, 15) and m.member_no == 1


def test_treasurer_named_approver_approves_while_the_chair_may_not(
    client: Any, world: Any, fund: Fund, person_factory: Any
) -> None:
    fs.fund_update(actor=world.chair_a, fund=fund, reason="มติ", member_approver_role="treasurer")
    treasurer = get_user_model().objects.create_user("treasurer_a", password="x")
    role_assign(
        user=treasurer, org_unit=world.fund_a, role=Role.TREASURER, start_date=dt.date(2024, 1, 1)
    )
    person = person_factory(first_name="รอเหรัญญิก")
    m = fs.member_apply(
        actor=world.chair_a,
        fund=fund,
        person=person,
        org_unit=world.group_a1,
        plan=fund.plans.get(months=1),
        applied_on=dt.date(2026, 11, 1),
    )
    client.force_login(world.chair_a)
    assert (
        client.post(reverse("member_approve", args=[m.pk]), {"joined_on": "02/11/2569"}).status_code
        == 403
    )
    client.force_login(treasurer)
    assert (
        client.post(reverse("member_reject", args=[m.pk]), {"reason": ""}, follow=True).status_code
        == 200
    )
    m.refresh_from_db()
    assert m.state == "applied"
    assert (
        client.post(reverse("member_reject", args=[m.pk]), {"reason": "ไม่มีทะเบียนบ้าน"}).status_code
        == 302
    )
    m.refresh_from_db()
    assert (m.state, m.end_reason) == ("rejected", "ไม่มีทะเบียนบ้าน")


# ------------------------------------------------------------------ who sees what


def test_group_viewer_gets_404_on_fund_pages_and_may_not_write(
    client: Any, world: Any, fund: Fund, member: Any
) -> None:
    m = member()
    client.force_login(world.viewer_a)  # a viewer of group A1: people only, no books
    before = snapshot()
    for url in (
        reverse("fund_detail", args=[fund.pk]),
        reverse("member_list", args=[fund.pk]),
        reverse("member_detail", args=[m.pk]),
        reverse("fund_chart", args=[fund.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
    for url, data in (
        (reverse("member_resign", args=[m.pk]), {"date": "01/11/2569", "reason": "x"}),
        (reverse("member_move", args=[m.pk]), {"to_unit": world.group_a2.pk, "date": "01/11/2569"}),
        (reverse("fund_edit", args=[fund.pk]), fund_rules_post(reason="x")),
        (reverse("plan_create", args=[fund.pk]), {"name": "x", "months": "1", "amount": "1"}),
    ):
        assert client.post(url, data).status_code in (403, 404), url
    assert snapshot() == before


def test_group_committee_sees_their_group_members_only_and_may_not_write(
    client: Any, world: Any, fund: Fund, member: Any
) -> None:
    mine = member()
    other = member(group=world.group_a2)
    committee = get_user_model().objects.create_user("committee_a1", password="x")
    role_assign(
        user=committee, org_unit=world.group_a1, role=Role.COMMITTEE, start_date=dt.date(2024, 1, 1)
    )
    client.force_login(committee)
    assert client.get(reverse("fund_detail", args=[fund.pk])).status_code == 404
    assert client.get(reverse("fund_chart", args=[fund.pk])).status_code == 404
    listed = client.get(reverse("member_list", args=[fund.pk]))
    assert listed.status_code == 200
    assert {m.pk for m, _st in listed.context["rows"]} == {mine.pk}
    assert other.person.first_name not in body(listed)
    assert world.group_a2.name not in body(listed)
    assert client.get(reverse("member_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("member_detail", args=[other.pk])).status_code == 404
    assert reverse("member_list", args=[fund.pk]) in body(client.get(reverse("fund_list")))
    before = snapshot()
    assert client.get(reverse("member_resign", args=[mine.pk])).status_code == 403
    assert (
        client.post(
            reverse("member_resign", args=[mine.pk]), {"date": "01/11/2569", "reason": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("member_apply", args=[fund.pk])).status_code == 403
    assert snapshot() == before


def test_group_registrar_applies_people_of_their_group_only(
    client: Any, world: Any, fund: Fund, person_factory: Any
) -> None:
    mine = person_factory(first_name="คนหมู่หนึ่ง")
    theirs = person_factory(org_unit=world.group_a2, first_name="คนหมู่สอง")
    registrar = get_user_model().objects.create_user("registrar_a1", password="x")
    role_assign(
        user=registrar, org_unit=world.group_a1, role=Role.REGISTRAR, start_date=dt.date(2024, 1, 1)
    )
    client.force_login(registrar)
    url = reverse("member_apply", args=[fund.pk])
    page = client.get(url, {"person": mine.pk})
    assert page.status_code == 200
    assert list(page.context["form"].fields["org_unit"].queryset) == [world.group_a1]
    assert f'href="{reverse("fund_detail", args=[fund.pk])}"' not in body(page)
    assert client.get(url, {"person": theirs.pk}).status_code == 404
    assert client.get(url, {"q": "คนหมู่"}).context["candidates"] == [(mine, None)]
    before = snapshot()
    into_a2 = {
        "person": mine.pk,
        "org_unit": world.group_a2.pk,
        "plan": fund.plans.get(months=1).pk,
        "applied_on": "01/11/2569",
        "member_type": "general",
        **beneficiaries_post(("ก", "บุตร", "100")),
    }
    assert "org_unit" in client.post(url, into_a2).context["form"].errors
    assert snapshot() == before
    assert client.post(url, {**into_a2, "org_unit": world.group_a1.pk}).status_code == 302
    assert Membership.objects.get(person=mine).org_unit == world.group_a1


def test_fund_b_treasurer_sees_only_fund_b(
    client: Any, world: Any, fund: Fund, member: Any
) -> None:
    m = member()
    treasurer_b = get_user_model().objects.create_user("treasurer_b2", password="x")
    role_assign(
        user=treasurer_b, org_unit=world.fund_b, role=Role.TREASURER, start_date=dt.date(2024, 1, 1)
    )
    fund_b = fs.fund_create(
        actor=treasurer_b, org_unit=world.fund_b, plans=[("รายเดือน", 1, D("30"))]
    )
    client.force_login(treasurer_b)
    listing = client.get(reverse("fund_list"))
    assert [r["fund"] for r in listing.context["rows"]] == [fund_b]
    assert fund.name not in body(listing)
    assert client.get(reverse("member_detail", args=[m.pk])).status_code == 404
    assert client.get(reverse("member_list", args=[fund.pk])).status_code == 404


# ------------------------------------------------------------------ one member


def test_member_detail_shows_status_today_and_as_of_a_typed_date(
    chair: Any, fund: Fund, member: Any
) -> None:
    m = member(joined=dt.date(2025, 1, 1), paid="50")  # covers January 2025
    url = reverse("member_detail", args=[m.pk])
    today = chair.get(url)
    assert today.context["status"].code == "lapsed"
    assert "ค้างชำระเกิน 60 วัน ตามระเบียบกองทุน" in body(today)
    assert "31 มกราคม พ.ศ. 2568" in body(today)  # paid through
    on_jan = chair.get(url, {"on": "15/01/2568"})
    assert on_jan.context["status_on"].code == "active"
    assert "ณ วันที่ 15 มกราคม พ.ศ. 2568" in body(on_jan)
    on_mar = chair.get(url, {"on": "๐๑/๐๓/๒๕๖๘"})  # Thai digits
    assert on_mar.context["status_on"].code == "arrears"
    assert "ค้างชำระ 2 งวด" in body(on_mar)
    bad = chair.get(url, {"on": "32/13/2568"})
    assert bad.context["status_on"] is None
    assert "ดูสถานะ ณ วันที่:" in body(bad)


def test_member_detail_lists_payments_events_beneficiaries_and_actions(
    chair: Any, fund: Fund, member: Any, world: Any
) -> None:
    m = member(joined=dt.date(2026, 11, 1), paid="50")
    html = body(chair.get(reverse("member_detail", args=[m.pk])))
    receipt = m.payments.get().receipt_label
    assert receipt in html
    assert "ผู้รับ" in html and "บุตร" in html
    assert "สมัคร" in html and "อนุมัติ" in html and f"เลขที่สมาชิก {m.member_no}" in html
    for action in (
        "member_resign",
        "member_death",
        "member_move",
        "member_plan",
        "beneficiaries_edit",
    ):
        assert reverse(action, args=[m.pk]) in html, action


def test_resign_shows_the_refund_then_posts_it(chair: Any, fund: Fund, member: Any) -> None:
    m = member(joined=dt.date(2026, 1, 1), paid="380")  # 20 fee + 360 contributions
    url = reverse("member_resign", args=[m.pk])
    page = chair.get(url)
    assert page.context["refund"] == D("180.00")
    assert "คืนร้อยละ 50 ของเงินสมทบ 360.00 บาท" in body(page)
    assert "หนึ่งร้อยแปดสิบบาทถ้วน" in body(page)
    before = snapshot()
    for data, message in [
        ({"date": "01/06/2569", "reason": "", "method": "cash"}, "เหตุผลการลาออก:"),
        (
            {"date": "01/12/2568", "reason": "ย้าย", "method": "cash"},
            "วันที่ลาออก: ต้องไม่ก่อนวันที่เป็นสมาชิก",
        ),
        ({"date": "01/06/2569", "reason": "ย้าย", "method": "gold"}, "จ่ายเงินคืนเป็น:"),
    ]:
        response = chair.post(url, data)
        assert response.status_code == 200
        assert message in body(response), message
    assert snapshot() == before
    ok = chair.post(url, {"date": "01/06/2569", "reason": "ย้ายไปต่างจังหวัด", "method": "cash"})
    assert ok.status_code == 302
    m.refresh_from_db()
    assert m.state == "resigned" and m.ended_on == dt.date(2026, 6, 1)
    assert Refund.objects.get(membership=m).amount == D("180.00")
    assert verify_book(fund.book).ok
    assert fund.book.accounts.get(category="cash").balance == D("200.00")


def test_death_needs_the_person_record_first(chair: Any, fund: Fund, member: Any) -> None:
    m = member(joined=dt.date(2026, 1, 1))
    url = reverse("member_death", args=[m.pk])
    page = body(chair.get(url))
    assert "วันที่เสียชีวิตต้องบันทึกในข้อมูลบุคคลก่อน" in page
    assert reverse("person_edit", args=[m.person_id]) in page
    before = snapshot()
    refused = chair.post(url)
    assert refused.status_code == 200
    assert "บันทึกวันที่เสียชีวิตในข้อมูลบุคคลก่อน" in body(refused)
    assert snapshot() == before
    Person.objects.filter(pk=m.person_id).update(death_date=dt.date(2026, 8, 8))
    assert "8 สิงหาคม พ.ศ. 2569" in body(chair.get(url))
    assert chair.post(url).status_code == 302
    m.refresh_from_db()
    assert m.state == "died" and m.ended_on == dt.date(2026, 8, 8)


def test_move_to_another_group_of_the_fund(chair: Any, world: Any, fund: Fund, member: Any) -> None:
    m = member()
    url = reverse("member_move", args=[m.pk])
    assert list(chair.get(url).context["form"].fields["to_unit"].queryset) == [world.group_a2]
    before = snapshot()
    same = chair.post(url, {"to_unit": world.group_a1.pk, "date": "01/11/2569"})
    assert "ย้ายไปกลุ่ม:" in body(same)
    bad_date = chair.post(url, {"to_unit": world.group_a2.pk, "date": "1 พ.ย."})
    assert "วันที่ย้าย:" in body(bad_date)
    assert snapshot() == before
    assert (
        chair.post(
            url, {"to_unit": world.group_a2.pk, "date": "01/11/2569", "reason": "ย้ายบ้าน"}
        ).status_code
        == 302
    )
    m.refresh_from_db()
    assert m.org_unit == world.group_a2
    assert m.events.filter(kind="move", to_value=world.group_a2.name).exists()


def test_change_plan_from_a_date(chair: Any, fund: Fund, member: Any) -> None:
    m = member(joined=dt.date(2025, 1, 1))
    yearly = fund.plans.get(months=12)
    url = reverse("member_plan", args=[m.pk])
    before = snapshot()
    early = chair.post(url, {"plan": yearly.pk, "date": "01/12/2567"})
    assert "ใช้แบบใหม่ตั้งแต่วันที่: ต้องไม่ก่อน 1 ม.ค. 2568" in body(early)
    assert snapshot() == before
    assert chair.post(url, {"plan": yearly.pk, "date": "01/02/2568"}).status_code == 302
    m.refresh_from_db()
    assert m.plan == yearly
    html = body(chair.get(reverse("member_detail", args=[m.pk])))
    assert "รายปี" in html and "<del>รายเดือน</del>" in html


def test_beneficiaries_edit_replaces_them_when_shares_add_up(
    chair: Any, fund: Fund, member: Any
) -> None:
    m = member()
    url = reverse("beneficiaries_edit", args=[m.pk])
    assert chair.get(url).context["bens"].forms[0].initial["name"] == "ผู้รับ"
    before = snapshot()
    bad = chair.post(url, beneficiaries_post(("ก", "บุตร", "50"), ("ข", "บุตร", "40")))
    assert "สัดส่วนรวมต้องเท่ากับร้อยละ 100 (ตอนนี้รวมได้ 90)" in body(bad)
    assert snapshot() == before
    ok = chair.post(url, beneficiaries_post(("ก", "บุตร", "50"), ("ข", "หลาน", "50")))
    assert ok.status_code == 302
    assert sorted(m.beneficiaries.values_list("name", "relation")) == [("ก", "บุตร"), ("ข", "หลาน")]


def test_resigned_member_applies_again_prefilled_from_the_last_membership(
    chair: Any, world: Any, fund: Fund, member: Any
) -> None:
    m = member(joined=dt.date(2026, 1, 1), paid="380", plan="รายไตรมาส")
    fs.member_resign(actor=world.chair_a, membership=m, date=dt.date(2026, 6, 1), reason="ย้าย")
    detail = body(chair.get(reverse("member_detail", args=[m.pk])))
    link = reverse("member_apply", args=[fund.pk]) + f"?person={m.person_id}&amp;previous={m.pk}"
    assert link in detail
    page = chair.get(
        reverse("member_apply", args=[fund.pk]), {"person": m.person_id, "previous": m.pk}
    )
    assert page.context["form"].initial["plan"] == fund.plans.get(months=3)
    assert page.context["bens"].forms[0].initial["name"] == "ผู้รับ"
    data = {
        "person": m.person_id,
        "org_unit": world.group_a1.pk,
        "plan": fund.plans.get(months=3).pk,
        "applied_on": "01/11/2569",
        "member_type": "general",
        **beneficiaries_post(("ผู้รับ", "บุตร", "100")),
    }
    assert chair.post(reverse("member_apply", args=[fund.pk]), data).status_code == 302
    again = Membership.objects.get(person=m.person, state="applied")
    assert again.previous == m
    detail = body(chair.get(reverse("member_detail", args=[m.pk])))
    assert "สมาชิกภาพครั้งถัดไป" in detail and "apply-again" not in detail
