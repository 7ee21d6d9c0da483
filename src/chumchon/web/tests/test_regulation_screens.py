"""The regulation screens as a fund's committee uses them: the list of versions, a draft with its
benefits in plain Thai and its problems, the benefit form with rows of tiers and limits,
adoption by a resolution, YAML/JSON export and import, the printed regulation, and the approval
rules of claims.

Every refusal is in Thai and names its field; an adopted version cannot be changed from any
screen; fund A's registrar reads the regulation but cannot change it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chumchon.benefits import regulation_io as rio
from chumchon.benefits import services_regulation as svc
from chumchon.benefits.models import (
    ApprovalRule,
    BenefitLimit,
    BenefitTier,
    BenefitType,
    RegulationVersion,
    VersionState,
)
from chumchon.benefits.tests.test_regulation import (
    HOSPITAL_SENTENCE,
    adopt,
    build_draft,
    example_benefits,
)
from chumchon.funds import services as fs
from chumchon.web.views_regulation import regulation_html

D = Decimal


def body(response: Any) -> str:
    return response.content.decode()


def rows(prefix: str, n: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(n),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


@pytest.fixture
def fund(world: Any) -> Any:
    return fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30"))],
        lapse_days=60,
    )


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


@pytest.fixture
def draft(fund: Any, world: Any) -> Any:
    return build_draft(fund, world.chair_a)


@pytest.fixture
def adopted(draft: Any, world: Any) -> Any:
    return adopt(draft, world.chair_a)


def fixed_benefit(**extra: Any) -> dict[str, Any]:
    """The benefit form filled in for a wedding gift of 500 baht, at most once per membership."""
    return {
        "name": "ของขวัญแต่งงาน",
        "category": "09",
        "code": "",
        "amount_kind": "fixed",
        "amount": "๕๐๐",
        "waiting_n": "1",
        "waiting_unit": "years",
        "standing": "no_arrears",
        "payee": "member",
        "recurrence": "",
        "documents": "สำเนาทะเบียนสมรส\n\n",
        **rows("tiers", 2),
        **rows("limits", 2),
        "limits-0-measure": "count",
        "limits-0-maximum": "1",
        "limits-0-period": "lifetime",
        **extra,
    }


# ------------------------------------------------------------------ the list of versions


def test_list_shows_the_version_in_force_drafts_and_history_with_be_dates(
    chair: Any, fund: Any, world: Any
) -> None:
    old = build_draft(fund, world.chair_a, effective=dt.date(2023, 10, 1))
    adopt(old, world.chair_a)
    current = build_draft(fund, world.chair_a, effective=dt.date(2024, 10, 1))
    adopt(current, world.chair_a)
    svc.version_create_draft(
        fund=fund, actor=world.chair_a, title="ร่างปรับปรุง", effective_from=dt.date(2027, 1, 1)
    )
    response = chair.get(reverse("regulation_list", args=[fund.pk]))
    assert response.context["in_force"] == current
    assert [v.pk for v in response.context["history"]] == [old.pk]
    assert [v.title for v in response.context["drafts"]] == ["ร่างปรับปรุง"]
    text = body(response)
    assert "ฉบับที่ใช้อยู่" in text and "มีผลตั้งแต่ 1 ตุลาคม พ.ศ. 2567" in text
    assert "มีผล 1 ม.ค. 2570" in text
    assert "5 สวัสดิการ" in text


def test_list_says_when_no_regulation_is_in_force(chair: Any, fund: Any) -> None:
    text = body(chair.get(reverse("regulation_list", args=[fund.pk])))
    assert "ยังไม่มีระเบียบที่ประกาศใช้และมีผลแล้ว" in text
    assert "ไม่มีร่างที่กำลังแก้ไข" in text
    assert reverse("regulation_create", args=[fund.pk]) in text


def test_fund_menu_links_to_the_regulation(chair: Any, fund: Any) -> None:
    text = body(chair.get(reverse("fund_detail", args=[fund.pk])))
    assert reverse("regulation_list", args=[fund.pk]) in text
    assert "ระเบียบสวัสดิการ" in text


# ------------------------------------------------------------------ drafts


def test_new_blank_draft(chair: Any, fund: Any) -> None:
    response = chair.post(
        reverse("regulation_create", args=[fund.pk]),
        {"based_on": "", "title": "ระเบียบใหม่", "effective_from": "01/10/2569", "preamble": ""},
    )
    version = RegulationVersion.objects.get(fund=fund)
    assert response.status_code == 302
    assert response["Location"] == reverse("regulation_detail", args=[version.pk])
    assert version.effective_from == dt.date(2026, 10, 1)
    assert version.state == VersionState.DRAFT
    assert not version.benefits.exists()


def test_new_draft_starts_as_a_copy_of_the_version_in_force(
    chair: Any, fund: Any, adopted: Any
) -> None:
    form = chair.get(reverse("regulation_create", args=[fund.pk])).context["form"]
    assert form["based_on"].value() == adopted.pk
    response = chair.post(
        reverse("regulation_create", args=[fund.pk]),
        {"based_on": adopted.pk, "title": "ฉบับแก้ไข", "effective_from": "01/10/2569"},
    )
    assert response.status_code == 302
    copy = RegulationVersion.objects.get(fund=fund, number=2)
    assert copy.based_on == adopted
    assert copy.preamble == adopted.preamble
    assert copy.benefits.count() == 5


def test_new_draft_form_errors_are_thai_and_name_the_field(chair: Any, fund: Any) -> None:
    response = chair.post(
        reverse("regulation_create", args=[fund.pk]),
        {"based_on": "", "title": "", "effective_from": "31/02/2569"},
    )
    assert response.status_code == 200
    text = body(response)
    assert "ชื่อระเบียบ: ต้องระบุ" in text
    assert "วันที่มีผลบังคับใช้:" in text
    assert not RegulationVersion.objects.exists()


def test_draft_page_reads_each_benefit_in_plain_thai_and_says_it_is_ready(
    chair: Any, draft: Any
) -> None:
    response = chair.get(reverse("regulation_detail", args=[draft.pk]))
    text = body(response)
    assert HOSPITAL_SENTENCE in text
    assert "จ่ายให้ผู้รับผลประโยชน์ที่สมาชิกระบุไว้" in text
    assert "ตรวจแล้ว ไม่พบข้อขัดแย้ง" in text
    assert "1 ตุลาคม พ.ศ. 2568" in text
    assert reverse("regulation_adopt", args=[draft.pk]) in text


def test_draft_page_shows_problems_under_their_benefit(chair: Any, draft: Any, world: Any) -> None:
    b = draft.benefits.get(code="elderly")
    data = svc.benefit_data(b)
    data["run_month"] = None
    svc.benefit_save(version=draft, actor=world.chair_a, data=data, benefit=b)
    response = chair.get(reverse("regulation_detail", args=[draft.pk]))
    assert response.context["problem_count"] == 1
    row = next(r for r in response.context["rows"] if r["b"].code == "elderly")
    assert row["problems"] == ["เดือนที่จ่าย (รอบปี): สวัสดิการที่จ่ายเป็นรอบปีต้องระบุเดือนที่จ่าย"]
    assert "ยังมีปัญหา 1 ข้อ ต้องแก้ก่อนประกาศใช้" in body(response)


def test_edit_draft_header(chair: Any, draft: Any) -> None:
    response = chair.post(
        reverse("regulation_edit", args=[draft.pk]),
        {"title": "ชื่อใหม่", "effective_from": "1/1/2569", "preamble": "หลักการ"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.effective_from, draft.preamble) == (
        "ชื่อใหม่",
        dt.date(2026, 1, 1),
        "หลักการ",
    )


def test_delete_draft(chair: Any, draft: Any, fund: Any) -> None:
    response = chair.post(reverse("regulation_delete", args=[draft.pk]))
    assert response["Location"] == reverse("regulation_list", args=[fund.pk])
    assert not RegulationVersion.objects.exists()
    assert not BenefitType.objects.exists()


# ------------------------------------------------------------------ the benefit form


def test_add_a_fixed_benefit_with_a_limit_blank_rows_ignored(chair: Any, draft: Any) -> None:
    response = chair.post(reverse("regulation_benefit_create", args=[draft.pk]), fixed_benefit())
    b = BenefitType.objects.get(version=draft, name="ของขวัญแต่งงาน")
    assert response["Location"] == reverse("regulation_detail", args=[draft.pk]) + f"#b{b.pk}"
    assert b.amount == D("500.00")
    assert b.code == "cat09"
    assert b.order == 6
    assert b.documents == ["สำเนาทะเบียนสมรส"]
    assert list(b.limits.values_list("measure", "period", "maximum")) == [
        ("count", "lifetime", D("1.00"))
    ]
    assert not b.tiers.exists()
    assert svc.validate(draft) == []


def test_add_a_tiered_benefit_from_rows(chair: Any, draft: Any) -> None:
    data = fixed_benefit(
        name="ค่าจัดการศพ",
        category="05",
        amount_kind="tiered",
        amount="",
        **rows("tiers", 4),
        **{
            "tiers-0-from_n": "0",
            "tiers-0-from_unit": "years",
            "tiers-0-to_n": "5",
            "tiers-0-to_unit": "years",
            "tiers-0-amount": "1,000",
            "tiers-1-from_n": "5",
            "tiers-1-from_unit": "years",
            "tiers-1-to_n": "",
            "tiers-1-to_unit": "years",
            "tiers-1-amount": "3000",
            "tiers-1-step_amount": "100",
            "tiers-1-max_amount": "5000",
            "tiers-2-from_unit": "years",
            "tiers-2-to_unit": "years",
            "tiers-3-from_unit": "years",
            "tiers-3-to_unit": "years",
        },
    )
    response = chair.post(reverse("regulation_benefit_create", args=[draft.pk]), data)
    assert response.status_code == 302, body(response)
    b = BenefitType.objects.get(version=draft, name="ค่าจัดการศพ")
    assert list(
        b.tiers.order_by("from_n").values_list("from_n", "to_n", "amount", "step_amount")
    ) == [
        (0, 5, D("1000.00"), None),
        (5, None, D("3000.00"), D("100.00")),
    ]
    assert "ครบ 5 ปีขึ้นไป 3,000 บาท และเพิ่มปีละ 100 บาท" in svc.benefit_sentence(b)


def test_benefit_form_errors_name_the_field_and_the_row(chair: Any, draft: Any) -> None:
    data = fixed_benefit(
        amount="",
        **{
            "tiers-0-from_n": "3",
            "tiers-0-to_n": "5",
            "tiers-0-step_amount": "50",
            "limits-1-maximum": "2",
        },
    )
    before = BenefitType.objects.count()
    response = chair.post(reverse("regulation_benefit_create", args=[draft.pk]), data)
    assert response.status_code == 200
    text = body(response)
    assert "ต้องระบุ (ใส่ 0 ถ้าไม่จ่าย)" in text  # tier 1 amount
    assert "ใช้ได้เฉพาะขั้นบนสุดที่เว้น “ถึงก่อน” ว่าง" in text
    assert "สิ่งที่จำกัด: ต้องเลือก" in text
    assert BenefitType.objects.count() == before


def test_benefit_refused_by_the_service_shows_the_thai_reason_on_its_field(
    chair: Any, draft: Any
) -> None:
    response = chair.post(
        reverse("regulation_benefit_create", args=[draft.pk]), fixed_benefit(amount="", code="x1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == ["ต้องระบุเมื่อจ่ายจำนวนเงินคงที่ต่อครั้ง"]
    response = chair.post(
        reverse("regulation_benefit_create", args=[draft.pk]), fixed_benefit(code="hospital")
    )
    assert "“hospital” ใช้กับสวัสดิการอื่นในฉบับนี้แล้ว" in body(response)


def test_edit_a_benefit_keeps_its_code_and_replaces_its_limits(chair: Any, draft: Any) -> None:
    b = draft.benefits.get(code="hospital")
    page = chair.get(reverse("regulation_benefit_edit", args=[draft.pk, b.pk]))
    assert page.context["form"]["amount"].value() == "150"  # as typed, not 150.00
    assert [f["maximum"].value() for f in page.context["limits"]] == ["5", "15", None, None]
    data = fixed_benefit(
        name=b.name,
        category="02",
        amount_kind="per_unit",
        amount="200",
        unit_name="คืน",
        **{
            "limits-0-measure": "units",
            "limits-0-maximum": "7",
            "limits-0-period": "event",
        },
    )
    response = chair.post(reverse("regulation_benefit_edit", args=[draft.pk, b.pk]), data)
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.code, b.amount) == ("hospital", D("200.00"))
    assert list(BenefitLimit.objects.filter(benefit=b).values_list("maximum", flat=True)) == [
        D("7.00")
    ]


def test_delete_a_benefit(chair: Any, draft: Any) -> None:
    b = draft.benefits.get(code="death")
    chair.post(reverse("regulation_benefit_delete", args=[draft.pk, b.pk]))
    assert not BenefitType.objects.filter(pk=b.pk).exists()
    assert not BenefitTier.objects.filter(benefit_id=b.pk).exists()


def test_a_benefit_of_another_version_is_not_found_through_this_one(
    chair: Any, draft: Any, fund: Any, world: Any
) -> None:
    other = build_draft(fund, world.chair_a, benefits=example_benefits()[:1])
    b = other.benefits.get()
    assert chair.get(reverse("regulation_benefit_edit", args=[draft.pk, b.pk])).status_code == 404


# ------------------------------------------------------------------ adoption and immutability


def test_adopt_records_the_resolution(chair: Any, draft: Any) -> None:
    response = chair.post(
        reverse("regulation_adopt", args=[draft.pk]),
        {
            "resolution_meeting": "ที่ประชุมใหญ่สามัญประจำปี 2568",
            "resolution_date": "20/09/2568",
            "resolution_no": "3/2568",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == VersionState.ADOPTED
    assert draft.resolution_date == dt.date(2025, 9, 20)


def test_adopt_page_lists_the_problems_and_the_post_is_refused(
    chair: Any, draft: Any, world: Any
) -> None:
    b = draft.benefits.get(code="hospital")
    data = svc.benefit_data(b)
    data["unit_name"] = ""
    svc.benefit_save(version=draft, actor=world.chair_a, data=data, benefit=b)
    page = body(chair.get(reverse("regulation_adopt", args=[draft.pk])))
    assert "ยังประกาศใช้ไม่ได้: มีปัญหา 1 ข้อ" in page
    assert "ค่ารักษาพยาบาล: หน่วย: ต้องระบุเมื่อจ่ายต่อหน่วย" in page
    response = chair.post(
        reverse("regulation_adopt", args=[draft.pk]),
        {"resolution_meeting": "ที่ประชุมใหญ่", "resolution_date": "20/09/2568"},
    )
    assert response.status_code == 200
    assert "ประกาศใช้ไม่ได้ ระเบียบยังมีปัญหา 1 ข้อ:" in body(response)
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_adopt_refuses_a_resolution_date_in_the_future(chair: Any, draft: Any) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = chair.post(
        reverse("regulation_adopt", args=[draft.pk]),
        {
            "resolution_meeting": "ที่ประชุมใหญ่",
            "resolution_date": f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year + 543}",
        },
    )
    assert response.status_code == 200
    assert "วันที่ประชุม: ต้องไม่เกิน" in body(response)


@pytest.mark.parametrize(
    "name", ["regulation_edit", "regulation_adopt", "regulation_benefit_create"]
)
def test_adopted_version_screens_refuse_changes(chair: Any, adopted: Any, name: str) -> None:
    before = list(RegulationVersion.objects.values_list()), list(BenefitType.objects.values_list())
    for response in (
        chair.get(reverse(name, args=[adopted.pk])),
        chair.post(reverse(name, args=[adopted.pk]), fixed_benefit(title="แก้")),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("regulation_detail", args=[adopted.pk])
    messages = [str(m) for m in chair.get(response["Location"]).context["messages"]]
    assert any("ประกาศใช้แล้ว แก้ไขไม่ได้" in m for m in messages)
    after = list(RegulationVersion.objects.values_list()), list(BenefitType.objects.values_list())
    assert after == before


def test_adopted_benefit_cannot_be_edited_or_deleted_from_the_screens(
    chair: Any, adopted: Any
) -> None:
    b = adopted.benefits.get(code="hospital")
    assert chair.get(reverse("regulation_benefit_edit", args=[adopted.pk, b.pk])).status_code == 302
    chair.post(reverse("regulation_benefit_delete", args=[adopted.pk, b.pk]))
    chair.post(reverse("regulation_delete", args=[adopted.pk]))
    assert BenefitType.objects.filter(pk=b.pk).exists()
    assert RegulationVersion.objects.filter(pk=adopted.pk).exists()


def test_adopted_page_offers_a_copy_not_edits(chair: Any, adopted: Any, fund: Any) -> None:
    text = body(chair.get(reverse("regulation_detail", args=[adopted.pk])))
    assert reverse("regulation_edit", args=[adopted.pk]) not in text
    assert f"{reverse('regulation_create', args=[fund.pk])}?based_on={adopted.pk}" in text
    assert "ประกาศใช้ตามมติที่ประชุมใหญ่สามัญประจำปี 2568 เมื่อ 20 กันยายน พ.ศ. 2568" in text


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_downloads_the_version(chair: Any, draft: Any, fmt: str) -> None:
    response = chair.get(reverse("regulation_export", args=[draft.pk, fmt]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="regulation-{draft.fund_id}-v1-2025-10-01.{fmt}"'
    )
    data = yaml.safe_load(body(response)) if fmt == "yaml" else json.loads(body(response))
    assert data["benefits"][1]["name"] == "ค่ารักษาพยาบาล"


def test_export_of_an_unknown_format_is_not_found(chair: Any, draft: Any) -> None:
    assert chair.get(reverse("regulation_export", args=[draft.pk, "xml"])).status_code == 404


def test_import_dry_run_shows_the_file_then_confirm_creates_the_draft(
    chair: Any, draft: Any, fund: Any
) -> None:
    content = rio.export_yaml(draft).encode()
    url = reverse("regulation_import", args=[fund.pk])
    response = chair.post(
        url,
        {
            "file": SimpleUploadedFile("reg.yaml", content),
            "title": "",
            "effective_from": "1/10/2569",
        },
    )
    assert response.status_code == 200
    assert RegulationVersion.objects.count() == 1
    text = body(response)
    assert "ตรวจไฟล์แล้ว: ยังไม่ได้บันทึก" in text
    assert HOSPITAL_SENTENCE in text
    carried = response.context["content"]
    assert base64.b64decode(carried) == content
    response = chair.post(
        url, {"confirm": "1", "content": carried, "kind": "yaml", "effective_from": "01/10/2569"}
    )
    new = RegulationVersion.objects.get(number=2)
    assert response["Location"] == reverse("regulation_detail", args=[new.pk])
    assert new.effective_from == dt.date(2026, 10, 1)
    assert rio.export_yaml(new).replace("2026-10-01", "2025-10-01") == content.decode()


def test_import_of_a_bad_file_lists_every_error_and_saves_nothing(
    chair: Any, draft: Any, fund: Any
) -> None:
    doc = yaml.safe_load(rio.export_yaml(draft))
    doc["benefits"][2]["tiers"][0]["amount"] = "สองพัน"
    doc["benefits"][0]["category"] = "42"
    content = json.dumps(doc, ensure_ascii=False).encode()
    response = chair.post(
        reverse("regulation_import", args=[fund.pk]),
        {"file": SimpleUploadedFile("reg.json", content)},
    )
    text = body(response)
    assert "นำเข้าไม่ได้: พบข้อผิดพลาด 2 ข้อ ไม่มีสิ่งใดถูกบันทึก" in text
    assert "สวัสดิการ[3].ขั้น[1].จำนวนเงิน: ต้องเป็นตัวเลข" in text
    assert "สวัสดิการ[1].หมวด: ไม่รู้จักหมวด “42”" in text
    assert RegulationVersion.objects.count() == 1


def test_import_refuses_a_file_that_is_not_yaml_or_json(chair: Any, fund: Any) -> None:
    response = chair.post(
        reverse("regulation_import", args=[fund.pk]),
        {"file": SimpleUploadedFile("reg.xlsx", b"PK\x03\x04")},
    )
    assert "ต้องเป็นไฟล์ .yaml .yml หรือ .json" in body(response)
    assert not RegulationVersion.objects.exists()


def test_import_confirm_with_a_tampered_payload_is_refused(chair: Any, fund: Any) -> None:
    response = chair.post(
        reverse("regulation_import", args=[fund.pk]),
        {"confirm": "1", "content": "%%%not-base64", "kind": "yaml"},
    )
    assert response.status_code == 200
    assert "ไฟล์ว่างเปล่า" in body(response)
    assert not RegulationVersion.objects.exists()


# ------------------------------------------------------------------ the printed regulation


def test_regulation_pdf_is_a_pdf(chair: Any, adopted: Any) -> None:
    response = chair.get(reverse("regulation_pdf", args=[adopted.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        f'filename="regulation-{adopted.fund_id}-v1-adopted.pdf"' in response["Content-Disposition"]
    )


def test_printed_regulation_has_title_resolution_clauses_and_signatures(
    adopted: Any, world: Any
) -> None:
    html = regulation_html(adopted)
    assert adopted.title in html
    assert "อาศัยมติที่ประชุมใหญ่สามัญประจำปี 2568 เมื่อวันที่ 20 กันยายน พ.ศ. 2568" in html
    assert "มติที่ 3/2568" in html
    assert "ระเบียบนี้ให้ใช้บังคับตั้งแต่วันที่ 1 ตุลาคม พ.ศ. 2568" in html
    for n in range(1, 10):  # name, effect, definitions, 5 benefits, who keeps it
        assert f"ข้อ {n}</span>" in html
    assert "ข้อ 10</span>" not in html
    assert HOSPITAL_SENTENCE in html
    assert "ประกาศ ณ วันที่ 20 กันยายน พ.ศ. 2568" in html
    assert "ประธานคณะกรรมการกองทุน" in html and "เลขานุการคณะกรรมการกองทุน" in html
    assert "(สมศักดิ์ ใจดี)" in html  # fund A's chair signs
    assert "watermark" not in html.split("<body>")[1]


def test_printed_draft_is_marked_as_a_draft_with_blank_resolution(draft: Any) -> None:
    html = regulation_html(draft)
    assert "ร่างเพื่อเสนอที่ประชุมพิจารณา ยังไม่มีผลบังคับใช้" in html
    assert 'class="watermark"' in html
    assert "อาศัยมติที่ประชุม</span>" not in html
    assert "อาศัยมติที่ประชุม ....." in html


def test_printed_amendment_says_which_version_it_replaces(
    adopted: Any, fund: Any, world: Any
) -> None:
    amended = svc.version_create_draft(
        fund=fund,
        actor=world.chair_a,
        title="ฉบับแก้ไข",
        effective_from=dt.date(2026, 10, 1),
        based_on=adopted,
    )
    html = regulation_html(amended)
    assert f"ให้ใช้ระเบียบนี้แทน{adopted.title} (ฉบับที่ 1)" in html
    assert "ข้อ 10</span>" in html


# ------------------------------------------------------------------ approval rules


def test_approval_rules_screen_saves_rules(chair: Any, fund: Any) -> None:
    url = reverse("approval_rules", args=[fund.pk])
    assert chair.get(url).status_code == 200
    response = chair.post(
        url,
        {
            **rows("rules", 3),
            "rules-0-min_amount": "0",
            "rules-0-approvals": "1",
            "rules-0-roles": ["chair", "treasurer"],
            "rules-1-min_amount": "10,000",
            "rules-1-approvals": "๓",
            "rules-1-roles": ["chair", "committee"],
        },
    )
    assert response["Location"] == url
    assert list(ApprovalRule.objects.values_list("min_amount", "approvals", "roles")) == [
        (D("0.00"), 1, ["chair", "treasurer"]),
        (D("10000.00"), 3, ["chair", "committee"]),
    ]
    text = body(chair.get(url))
    assert "คำขอยอดตั้งแต่ 10,000 บาท ต้องมีผู้อนุมัติ 3 คน" in text
    assert "ขณะนี้มีผู้ดำรงบทบาทเหล่านี้ 1 คน น้อยกว่าที่ต้องอนุมัติ 3 คน" in text


def test_approval_rules_refusals_are_thai(chair: Any, fund: Any) -> None:
    url = reverse("approval_rules", args=[fund.pk])
    response = chair.post(
        url,
        {
            **rows("rules", 1),
            "rules-0-min_amount": "500",
            "rules-0-approvals": "1",
            "rules-0-roles": ["chair"],
        },
    )
    assert "ยอดเงินตั้งแต่: เกณฑ์แรกต้องเริ่มที่ 0 บาท" in body(response)
    response = chair.post(
        url,
        {
            **rows("rules", 1),
            "rules-0-min_amount": "0",
            "rules-0-approvals": "1",
            "rules-0-roles": ["registrar"],
        },
    )
    assert response.status_code == 200
    assert "บทบาทที่อนุมัติได้:" in body(response)
    assert not ApprovalRule.objects.exists()


# ------------------------------------------------------------------ who may do what


def test_registrar_reads_the_regulation_but_cannot_change_it(
    client: Any, world: Any, draft: Any, fund: Any
) -> None:
    client.force_login(world.registrar_a)
    assert client.get(reverse("regulation_list", args=[fund.pk])).status_code == 200
    text = body(client.get(reverse("regulation_detail", args=[draft.pk])))
    assert HOSPITAL_SENTENCE in text
    assert reverse("regulation_benefit_create", args=[draft.pk]) not in text
    assert client.get(reverse("regulation_pdf", args=[draft.pk])).status_code == 200
    before = list(RegulationVersion.objects.values_list()), list(BenefitType.objects.values_list())
    for name, args in [
        ("regulation_create", [fund.pk]),
        ("regulation_import", [fund.pk]),
        ("regulation_edit", [draft.pk]),
        ("regulation_adopt", [draft.pk]),
        ("regulation_benefit_create", [draft.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
        assert client.post(reverse(name, args=args), fixed_benefit()).status_code == 403
    assert client.post(reverse("regulation_delete", args=[draft.pk])).status_code == 403
    rules = body(client.get(reverse("approval_rules", args=[fund.pk])))
    assert "กำหนดเกณฑ์</h2>" not in rules
    assert (
        client.post(reverse("approval_rules", args=[fund.pk]), rows("rules", 0)).status_code == 403
    )
    after = list(RegulationVersion.objects.values_list()), list(BenefitType.objects.values_list())
    assert after == before
