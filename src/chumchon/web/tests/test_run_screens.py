"""The recurring-run screens as a fund's committee uses them (the registrar prepares the list, the
chair approves, the treasurer pays and prints the signature sheet), and the projection screen.

Every refusal is in Thai and names its field; a run is paid once however often the button is
pressed; another tambon's treasurer sees nothing (see also matrix_runs.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from chumchon.benefits import services_runs as runs
from chumchon.benefits.models import BenefitRun, Payout, RunState
from chumchon.benefits.tests.test_runs import AS_OF_2568, make_fund, make_member, user_with
from chumchon.core.permissions import Role
from chumchon.ledger.models import JournalEntry

D = Decimal


def body(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def fund(world: Any) -> Any:
    return make_fund(world)


@pytest.fixture
def treasurer(world: Any) -> Any:
    return user_with(Role.TREASURER, world.fund_a, "treasurer_a")


@pytest.fixture
def elders(world: Any, fund: Any, person_factory: Any) -> list[Any]:
    return [
        make_member(world, fund, person_factory, birth=dt.date(1950, 3, 1), name="ทองดี"),
        make_member(
            world,
            fund,
            person_factory,
            birth=dt.date(1944, 7, 7),
            name="บุญมา",
            group=world.group_a2,
        ),
        make_member(world, fund, person_factory, birth=dt.date(1980, 1, 1), name="หนุ่ม"),
    ]


@pytest.fixture
def prepared(world: Any, fund: Any, elders: list[Any]) -> BenefitRun:
    """The January 2025 elderly run, prepared by the registrar."""
    return runs.run_preview(
        actor=world.registrar_a,
        fund=fund,
        benefit_code="elderly",
        period_key="2568",
        as_of=AS_OF_2568,
    )


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


# ------------------------------------------------------------------ a new run


def test_new_run_form_offers_the_recurring_benefits_and_makes_the_preview(
    client: Any, world: Any, fund: Any, elders: list[Any]
) -> None:
    login(client, world.registrar_a)
    url = reverse("run_create", args=[fund.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert [c for c, _n in form.context["form"].fields["benefit_code"].choices] == ["elderly"]
    response = client.post(
        url, {"benefit_code": "elderly", "period_key": "๒๕๖๘", "as_of": "15/01/2568"}
    )
    run = BenefitRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "run_detail", args=[run.pk]
    )
    assert (run.period_key, run.as_of, run.count, run.total) == ("2568", AS_OF_2568, 2, D("600"))
    page = body(client.get(response["Location"]))
    assert "ทองดี" in page and "บุญมา" in page and "หนุ่ม" not in page
    assert "อายุ ณ วันที่เกิดเหตุ 74 ปี" in page  # the reasons, in Thai
    assert "15 มกราคม พ.ศ. 2568" in page  # BE dates
    assert "600.00" in page


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"period_key": "2568-01"}, "period_key", "จ่ายปีละครั้ง"),
        ({"period_key": "ปีหน้า"}, "period_key", "อ่านไม่ได้"),
        ({"period_key": "2568", "as_of": "15/01/2569"}, "as_of", "ต้องอยู่ในรอบ"),
        ({"benefit_code": "death"}, "benefit_code", "เลือกสวัสดิการที่จ่ายเป็นรอบ"),
    ],
)
def test_new_run_errors_name_their_field_and_save_nothing(
    client: Any, world: Any, fund: Any, post: dict[str, str], field: str, message: str
) -> None:
    login(client, world.registrar_a)
    data = {"benefit_code": "elderly", "period_key": "2568", "as_of": "", **post}
    response = client.post(reverse("run_create", args=[fund.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not errors[0].startswith("รอบ:")  # the template puts the label before the message
    assert not BenefitRun.objects.exists()


def test_a_period_already_paid_is_refused_on_the_form(
    client: Any, world: Any, fund: Any, prepared: BenefitRun, treasurer: Any
) -> None:
    runs.run_approve(actor=treasurer, run=prepared)
    runs.run_post(actor=treasurer, run=prepared, pay_date=dt.date(2025, 1, 20))
    login(client, world.registrar_a)
    response = client.post(
        reverse("run_create", args=[fund.pk]),
        {"benefit_code": "elderly", "period_key": "2568", "as_of": "15/01/2568"},
    )
    assert "จ่ายไปแล้ว" in response.context["form"].errors["period_key"][0]
    assert BenefitRun.objects.count() == 1


def test_a_viewer_of_the_books_sees_runs_but_cannot_make_one(
    client: Any, world: Any, fund: Any, prepared: BenefitRun
) -> None:
    auditor = user_with(Role.AUDITOR, world.fund_a, "auditor_a")
    login(client, auditor)
    listing = body(client.get(reverse("run_list", args=[fund.pk])))
    assert "ปี 2568" in listing and "จัดทำรายชื่อรอบใหม่" not in listing
    assert client.get(reverse("run_create", args=[fund.pk])).status_code == 403
    detail = body(client.get(reverse("run_detail", args=[prepared.pk])))
    assert "ทองดี" in detail and "อนุมัติรายชื่อนี้" not in detail
    assert client.post(reverse("run_approve", args=[prepared.pk])).status_code == 403
    assert client.post(reverse("run_cancel", args=[prepared.pk])).status_code == 403


# ------------------------------------------------------------------ approve, pay, cancel


def test_the_maker_is_told_they_cannot_approve_and_another_committee_member_does(
    client: Any, world: Any, prepared: BenefitRun, treasurer: Any
) -> None:
    runs.run_refresh(actor=world.chair_a, run=prepared)  # the chair is now the maker
    login(client, world.chair_a)
    page = body(client.get(reverse("run_detail", args=[prepared.pk])))
    assert "อนุมัติเองไม่ได้" in page and "อนุมัติรายชื่อนี้" not in page
    response = client.post(reverse("run_approve", args=[prepared.pk]), follow=True)
    assert "อนุมัติเองไม่ได้" in body(response)
    prepared.refresh_from_db()
    assert prepared.state == RunState.PREVIEW
    login(client, treasurer)
    assert "อนุมัติรายชื่อนี้" in body(client.get(reverse("run_detail", args=[prepared.pk])))
    response = client.post(reverse("run_approve", args=[prepared.pk]), follow=True)
    assert "อนุมัติรายชื่อแล้ว" in body(response)
    prepared.refresh_from_db()
    assert (prepared.state, prepared.approved_by) == (RunState.APPROVED, treasurer)


def test_refresh_on_screen_takes_a_new_day_of_judgement(
    client: Any, world: Any, prepared: BenefitRun
) -> None:
    login(client, world.chair_a)
    response = client.post(reverse("run_refresh", args=[prepared.pk]), {"as_of": "01/12/2568"})
    assert response.status_code == 302
    prepared.refresh_from_db()
    assert prepared.as_of == dt.date(2025, 12, 1) and prepared.created_by == world.chair_a
    response = client.post(
        reverse("run_refresh", args=[prepared.pk]), {"as_of": "01/01/2570"}, follow=True
    )
    assert "ต้องอยู่ในรอบ" in body(response)


def test_paying_a_run_posts_once_and_shows_the_vouchers(
    client: Any, world: Any, fund: Any, prepared: BenefitRun, treasurer: Any
) -> None:
    runs.run_approve(actor=world.chair_a, run=prepared)
    login(client, treasurer)
    url = reverse("run_post", args=[prepared.pk])
    form = client.get(url)
    assert form.status_code == 200 and "600.00" in body(form)
    data = {"pay_date": "20/01/2568", "method": "cash", "bank_ref": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    prepared.refresh_from_db()
    assert prepared.state == RunState.POSTED and prepared.pay_date == dt.date(2025, 1, 20)
    entries = JournalEntry.objects.count()
    again = client.post(url, data, follow=True)
    assert "จ่ายและลงบัญชีไปแล้ว" in body(again)
    assert JournalEntry.objects.count() == entries and Payout.objects.count() == 2
    page = body(client.get(reverse("run_detail", args=[prepared.pk])))
    assert "2568/00001" in page and "2568/00002" in page
    assert "20 ม.ค. 2568" in page


def test_pay_form_errors_name_their_field(
    client: Any, world: Any, prepared: BenefitRun, treasurer: Any
) -> None:
    runs.run_approve(actor=world.chair_a, run=prepared)
    login(client, treasurer)
    url = reverse("run_post", args=[prepared.pk])
    response = client.post(url, {"pay_date": "20/01/2568", "method": "transfer"})
    assert response.status_code == 200
    assert "ไม่พอจ่าย" in response.context["form"].errors["method"][0]
    response = client.post(url, {"pay_date": "", "method": "cash"})
    assert response.context["form"].errors["pay_date"]
    assert not Payout.objects.exists()


def test_only_those_who_pay_benefits_may_pay_a_run(
    client: Any, world: Any, prepared: BenefitRun
) -> None:
    runs.run_approve(actor=world.chair_a, run=prepared)
    login(client, world.registrar_a)
    url = reverse("run_post", args=[prepared.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"pay_date": "20/01/2568", "method": "cash"}).status_code == 403
    assert not Payout.objects.exists()


def test_cancelling_a_preview_from_its_page(client: Any, world: Any, prepared: BenefitRun) -> None:
    login(client, world.registrar_a)
    response = client.post(reverse("run_cancel", args=[prepared.pk]), follow=True)
    assert "ยกเลิกรอบนี้แล้ว" in body(response)
    prepared.refresh_from_db()
    assert prepared.state == RunState.CANCELLED
    assert client.get(reverse("run_sheet_pdf", args=[prepared.pk])).status_code == 404


def test_lines_can_be_shown_for_one_village_group(
    client: Any, world: Any, prepared: BenefitRun
) -> None:
    login(client, world.chair_a)
    url = reverse("run_detail", args=[prepared.pk])
    page = body(client.get(url, {"group": world.group_a2.pk}))
    table = page[page.index('id="line-table"') :]
    assert "บุญมา" in table and "ทองดี" not in table


# ------------------------------------------------------------------ the signature sheet


def test_signature_sheet_lists_payees_by_group_with_a_column_to_sign(
    client: Any, world: Any, prepared: BenefitRun, treasurer: Any, monkeypatch: Any
) -> None:
    from chumchon.web import pdf

    runs.run_approve(actor=world.chair_a, run=prepared)
    runs.run_post(actor=treasurer, run=prepared, pay_date=dt.date(2025, 1, 20))
    seen: list[str] = []
    monkeypatch.setattr(pdf, "render_pdf", lambda html, **kw: seen.append(html) or b"%PDF-1.7 x")
    login(client, treasurer)
    response = client.get(reverse("run_sheet_pdf", args=[prepared.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    html = seen[0]
    assert "ลายมือชื่อผู้รับเงิน" in html
    assert "20 มกราคม พ.ศ. 2568" in html
    assert "หกร้อยบาทถ้วน" in html
    assert html.index(world.group_a1.name) < html.index("ทองดี") < html.index(world.group_a2.name)
    assert html.index(world.group_a2.name) < html.index("บุญมา")
    assert re.search(r"รวมทั้งสิ้น 2 คน เป็นเงิน 600.00 บาท", html)
    assert "ร่าง" not in html.split("<body>")[1].split("<h2>")[0]
    client.get(reverse("run_sheet_pdf", args=[prepared.pk]), {"group": world.group_a2.pk})
    assert "บุญมา" in seen[1] and "ทองดี" not in seen[1]


def test_signature_sheet_of_a_preview_is_marked_draft_and_renders_as_a_pdf(
    client: Any, world: Any, prepared: BenefitRun
) -> None:
    login(client, world.chair_a)
    response = client.get(reverse("run_sheet_pdf", args=[prepared.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# ------------------------------------------------------------------ the projection


def test_projection_page_draws_the_chart_and_a_thai_year_table(
    client: Any, world: Any, fund: Any, elders: list[Any]
) -> None:
    login(client, world.chair_a)
    response = client.get(reverse("projection", args=[fund.pk]))
    assert response.status_code == 200
    page = body(response)
    assert page.count("<svg") == 2 and "<polygon" in page and "<polyline" in page
    base = response.context["base"]
    assert len(base.rows) == 15 and response.context["other"] is None
    assert f"<b>{base.rows[0].be_year}</b>" in page
    assert "สมมติฐานที่ใช้" in page and "ตารางชีพไทย" in page
    assert 'id="compare-table"' not in page


def test_projection_what_if_shows_both_side_by_side(
    client: Any, world: Any, fund: Any, elders: list[Any]
) -> None:
    login(client, world.chair_a)
    response = client.get(
        reverse("projection", args=[fund.pk]),
        {"years": "20", "benefit": "elderly", "benefit_percent": "200", "matching": "0"},
    )
    page = body(response)
    base, other = response.context["base"], response.context["other"]
    assert len(base.rows) == 20 and other is not None
    assert other.final.balance < base.final.balance
    assert 'id="compare-table"' in page and 'id="sum-alt"' in page
    assert "สวัสดิการผู้สูงอายุ เป็นร้อยละ 200 ของจำนวนเงินเดิม" in page
    assert page.count('class="s-alt"') == 1


def test_projection_input_errors_name_their_field(client: Any, world: Any, fund: Any) -> None:
    login(client, world.chair_a)
    response = client.get(
        reverse("projection", args=[fund.pk]), {"years": "15", "benefit": "death"}
    )
    assert response.status_code == 200
    assert response.context["base"] is None
    assert response.context["form"].errors["benefit_percent"]
    assert "เป็นร้อยละของจำนวนเงินเดิม: ต้องระบุ" in body(response)
    response = client.get(reverse("projection", args=[fund.pk]), {"years": "40"})
    assert response.context["form"].errors["years"]


def test_chart_labels_are_short_thai_amounts() -> None:
    from chumchon.web.views_runs import short_baht

    assert short_baht(1_500_000) == "1.5 ล้าน"
    assert short_baht(2_000_000) == "2 ล้าน"
    assert short_baht(-80_000) == "-80 พัน"
    assert short_baht(0) == "0"
