"""The claim screens as a fund's officers use them: a new claim with its documents and the
regulation's Thai explanation, the committee's decision, payout with its voucher (PDF), the
cash signature sheet, reversal, the claims list and its filters, the approval rules, and which
person a login is.

Every refusal is in Thai and names its field; a double submit records once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chumchon.areas.services import role_assign
from chumchon.benefits import services_claims as svc
from chumchon.benefits.example import example_regulation
from chumchon.benefits.models import Claim, ClaimState, Payout
from chumchon.benefits.tests.helpers import as_person
from chumchon.core.permissions import Role
from chumchon.funds import services as fs
from chumchon.funds.services import BeneficiaryData
from chumchon.people.models import UserPerson
from chumchon.web import pdf

from .test_documents import (
    MM,
    dark_pixels,
    keep,
    media_box,
    needs_poppler,
    page_images,
    pdf_fonts,
    red_pixels,
)

D = Decimal
JOINED = dt.date(2023, 1, 1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the PDF renderer: keep the HTML handed to it, return a stub PDF."""
    calls: list[dict[str, Any]] = []

    def fake(html: str, **kw: Any) -> bytes:
        calls.append({"html": html, **kw})
        return b"%PDF-1.7 stub"

    monkeypatch.setattr(pdf, "render_pdf", fake)
    return calls


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def user_with(role: str, unit: Any, name: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(name, password="x", **extra)
    role_assign(user=user, org_unit=unit, role=role, start_date=dt.date(2020, 1, 1))
    return user


@pytest.fixture
def fund(world: Any) -> Any:
    as_person(world.chair_a, world.fund_a)  # the chair decides claims too
    f = fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )
    example_regulation(f, actor=world.chair_a, effective_from=dt.date(2020, 1, 1))
    return f


@pytest.fixture
def member(world: Any, fund: Any, person_factory: Any) -> Any:
    counter = iter(range(1, 1000))

    def make(*, joined: dt.date = JOINED, beneficiaries: Any = (), **person: Any) -> Any:
        person.setdefault("first_name", f"สมาชิก{next(counter):03d}")
        person.setdefault("last_name", "ทดสอบ")
        p = person_factory(**person)
        m = fs.member_apply(
            actor=world.chair_a,
            fund=fund,
            person=p,
            org_unit=world.group_a1,
            plan=fund.plans.get(months=12),
            applied_on=joined,
            beneficiaries=beneficiaries,
        )
        m = fs.member_approve(actor=world.chair_a, membership=m, joined_on=joined)
        fs.payment_record(
            actor=world.chair_a,
            membership=m,
            date=joined,
            amount=D("20") + D("365") * 4,
            check_status=False,
        )
        return m

    return make


@pytest.fixture
def committee(world: Any) -> Any:
    user = user_with(
        Role.COMMITTEE, world.fund_a, "committee1", first_name="กรรมการ", last_name="หนึ่ง"
    )
    return as_person(user, world.fund_a)


def body(response: Any) -> str:
    return response.content.decode()


def claim_post(m: Any, **extra: Any) -> dict[str, Any]:
    return {
        "member": str(m.member_no),
        "benefit_code": "hospital",
        "event_date": "03/03/2568",
        "event_end": "05/03/2568",
        "units": "",
        "note": "",
        "amount": "",
        "override_reason": "",
        "idempotency_key": "test-claim-key-0001",
        **extra,
    }


def recorded(world: Any, m: Any, **kw: Any) -> Claim:
    kw.setdefault("benefit_code", "hospital")
    kw.setdefault("event_date", dt.date(2025, 3, 3))
    if kw["benefit_code"] == "hospital":
        kw.setdefault("event_end", kw["event_date"] + dt.timedelta(days=2))
    return svc.claim_record(actor=world.registrar_a, membership=m, **kw)


def approved(world: Any, m: Any, committee: Any, **kw: Any) -> Claim:
    c = recorded(world, m, **kw)
    svc.claim_decide(actor=committee, claim=c, decision="approve")
    c.refresh_from_db()
    return c


def paid(world: Any, m: Any, committee: Any, **kw: Any) -> tuple[Claim, Payout]:
    c = approved(world, m, committee, **kw)
    p = svc.claim_pay(actor=world.chair_a, claim=c, date=dt.date(2025, 3, 10), method="cash")
    c.refresh_from_db()
    return c, p


# ------------------------------------------------------------------ a new claim


def test_new_claim_form_offers_the_benefits_in_force_claimed_one_by_one(
    client: Any, world: Any, fund: Any
) -> None:
    client.force_login(world.registrar_a)
    response = client.get(reverse("claim_create", args=[fund.pk]))
    assert response.status_code == 200
    choices = [c for c, _label in response.context["form"].fields["benefit_code"].choices if c]
    assert choices == ["birth", "hospital", "death", "scholarship"]  # elderly is paid in runs
    text = body(response)
    assert "วว/ดด/ปปปป" in text  # BE dates
    assert "สำเนาสูติบัตรของทารก" in text  # the regulation's documents are offered as types


def test_a_claim_is_recorded_with_its_documents_and_its_thai_explanation(
    client: Any, world: Any, member: Any
) -> None:
    m = member()
    client.force_login(world.registrar_a)
    response = client.post(
        reverse("claim_create", args=[m.fund_id]),
        claim_post(
            m,
            doc_type_1="ใบรับรองแพทย์หรือหนังสือรับรองการนอนโรงพยาบาล (ระบุวันที่เข้าและออก)",
            file_1=SimpleUploadedFile("ใบรับรองแพทย์.pdf", PDF),
        ),
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claim_detail", args=[claim.pk])
    assert (claim.amount, claim.eligible, claim.made_by) == (D("300.00"), True, world.registrar_a)
    page = client.get(response["Location"])
    text = body(page)
    assert "บันทึกคำขอเลขที่ 1 แล้ว: มีสิทธิ์ตามระเบียบ" in text
    assert "150.00 บาทต่อคืน × 2 คืน = 300.00 บาท" in text
    assert "พ้นระยะรอสิทธิ์ 90 วัน แล้ว" in text
    assert "มีสิทธิ์ได้รับ 300.00 บาท" in text
    assert "3 มีนาคม พ.ศ. 2568" in text  # the event date in BE
    assert "ใบรับรองแพทย์.pdf" in text
    assert "สามร้อยบาทถ้วน" in text
    assert page.context["missing"] == ["สำเนาบัตรประจำตัวประชาชนของสมาชิก"]
    assert 'id="missing-documents"' in text
    doc = claim.documents.get()
    download = client.get(reverse("claim_document", args=[doc.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_a_member_can_be_picked_by_name_and_an_ambiguous_name_is_explained(
    client: Any, world: Any, member: Any
) -> None:
    a = member(first_name="สมปอง", last_name="ดีใจ")
    member(first_name="สมปอง", last_name="ใจงาม")
    client.force_login(world.registrar_a)
    url = reverse("claim_create", args=[a.fund_id])
    response = client.post(url, claim_post(a, member="สมปอง"))
    assert response.status_code == 200
    error = response.context["form"].errors["member"][0]
    assert error.startswith("พบหลายคน:") and "สมปอง ดีใจ" in error and "สมปอง ใจงาม" in error
    assert Claim.objects.count() == 0
    response = client.post(url, claim_post(a, member="สมปอง ดีใจ"))
    assert response.status_code == 302
    assert Claim.objects.get().membership == a
    response = client.post(url, claim_post(a, member="999", idempotency_key="test-claim-key-0002"))
    assert response.context["form"].errors["member"] == ["ไม่พบสมาชิกเลขที่ 999 ในกองทุนนี้"]


def test_the_preview_explains_the_judgement_without_saving(
    client: Any, world: Any, member: Any
) -> None:
    m = member(joined=dt.date(2025, 1, 1))
    client.force_login(world.registrar_a)
    response = client.get(
        reverse("claim_create", args=[m.fund_id]),
        {
            "fragment": "preview",
            "member": str(m.member_no),
            "benefit_code": "hospital",
            "event_date": "01/02/2568",
            "event_end": "03/02/2568",
        },
        headers={"HX-Request": "true"},
    )
    text = body(response)
    assert "<html" not in text  # the panel only
    assert "ไม่มีสิทธิ์ตามระเบียบ" in text
    assert "ยังไม่พ้นระยะรอสิทธิ์ 90 วัน" in text
    assert "ยังไม่ได้บันทึก" in text
    # Without JavaScript the preview button posts the form: shown, not saved.
    response = client.post(
        reverse("claim_create", args=[m.fund_id]),
        claim_post(m, event_date="01/02/2568", event_end="03/02/2568", preview="1"),
    )
    assert response.status_code == 200
    assert "ยังไม่พ้นระยะรอสิทธิ์ 90 วัน" in body(response)
    assert Claim.objects.count() == 0


def test_an_override_without_a_reason_is_refused_on_its_field(
    client: Any, world: Any, member: Any
) -> None:
    m = member()
    client.force_login(world.registrar_a)
    url = reverse("claim_create", args=[m.fund_id])
    response = client.post(url, claim_post(m, amount="500"))
    assert response.status_code == 200
    errors = response.context["form"].errors["override_reason"]
    assert errors[0].startswith(
        "ต้องระบุ เพราะจำนวนเงินที่ขอจ่าย 500.00 บาท ต่างจากที่ระเบียบกำหนด 300.00 บาท"
    )
    assert "เหตุผลที่จ่ายต่างจากระเบียบ: ต้องระบุ" in body(response)
    response = client.post(url, claim_post(m, amount="500", override_reason="มติกรรมการครั้งที่ 2/2568"))
    assert response.status_code == 302
    text = body(client.get(response["Location"]))
    assert "จ่ายต่างจากระเบียบ" in text and "มติกรรมการครั้งที่ 2/2568" in text


def test_a_bad_document_is_refused_naming_the_file(client: Any, world: Any, member: Any) -> None:
    m = member()
    client.force_login(world.registrar_a)
    response = client.post(
        reverse("claim_create", args=[m.fund_id]),
        claim_post(m, doc_type_1="ภาพถ่าย", file_1=SimpleUploadedFile("scan.gif", b"GIF89a....")),
    )
    assert response.status_code == 200
    assert "เอกสาร “scan.gif”: รับเฉพาะไฟล์ PDF, JPEG, PNG หรือ HEIC" in body(response)
    assert Claim.objects.count() == 0
    response = client.post(
        reverse("claim_create", args=[m.fund_id]),
        claim_post(m, file_1=SimpleUploadedFile("a.pdf", PDF)),
    )
    assert response.context["form"].errors["doc_type_1"] == ["ต้องระบุประเภทของเอกสารที่แนบ"]


def test_the_same_form_sent_twice_records_one_claim(client: Any, world: Any, member: Any) -> None:
    m = member()
    client.force_login(world.registrar_a)
    url = reverse("claim_create", args=[m.fund_id])
    first = client.post(url, claim_post(m))
    again = client.post(url, claim_post(m))
    assert first["Location"] == again["Location"]
    assert Claim.objects.count() == 1
    assert "ไม่ได้บันทึกซ้ำ" in body(client.get(again["Location"]))


def test_death_claim_offers_the_named_beneficiaries_as_payee(
    client: Any, world: Any, member: Any
) -> None:
    m = member(
        joined=dt.date(2022, 1, 1),
        beneficiaries=[
            BeneficiaryData("นางบุญมา ทดสอบ", "คู่สมรส", D("50")),
            BeneficiaryData("นายต้น ทดสอบ", "บุตร", D("50")),
        ],
    )
    client.force_login(world.registrar_a)
    url = reverse("claim_create", args=[m.fund_id])
    form = client.get(url, {"member_pk": m.pk}).context["form"]
    assert form.initial["member"] == str(m.member_no)
    labels = [label for _v, label in form.fields["beneficiary"].choices]
    assert "นายต้น ทดสอบ (บุตร ร้อยละ 50)" in labels
    son = m.beneficiaries.get(relation="บุตร")
    response = client.post(
        url,
        claim_post(
            m, benefit_code="death", event_date="01/06/2568", event_end="", beneficiary=str(son.pk)
        ),
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.payee_name, claim.amount) == ("นายต้น ทดสอบ (บุตร)", D("8000.00"))


def test_only_those_who_record_claims_see_the_form(client: Any, world: Any, fund: Any) -> None:
    viewer = user_with(Role.AUDITOR, world.fund_a, "auditor_a")
    client.force_login(viewer)
    assert client.get(reverse("claim_create", args=[fund.pk])).status_code == 403
    assert client.get(reverse("claim_list", args=[fund.pk])).status_code == 200
    client.force_login(world.officer_b)
    assert client.get(reverse("claim_create", args=[fund.pk])).status_code == 404


# ------------------------------------------------------------------ decisions


def test_the_committee_decides_on_the_detail_page_and_the_maker_is_told_why_not(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    m = member()
    claim = svc.claim_record(
        actor=world.chair_a,
        membership=m,
        benefit_code="hospital",
        event_date=dt.date(2025, 3, 3),
        event_end=dt.date(2025, 3, 5),
    )
    client.force_login(world.chair_a)
    page = client.get(reverse("claim_detail", args=[claim.pk]))
    assert 'id="decide-form"' not in body(page)
    assert "ผู้บันทึกคำขอพิจารณาคำขอที่ตนเองบันทึกไม่ได้" in body(page)
    refused = client.post(reverse("claim_decide", args=[claim.pk]), {"decision": "approve"})
    assert refused.status_code == 200
    assert "ผู้บันทึกคำขอพิจารณาคำขอที่ตนเองบันทึกไม่ได้" in body(refused)
    client.force_login(world.registrar_a)  # a registrar records claims but never approves
    assert (
        client.post(reverse("claim_decide", args=[claim.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(committee)
    page = client.get(reverse("claim_detail", args=[claim.pk]))
    assert 'id="decide-form"' in body(page)
    assert "ต้องได้รับอนุมัติ 1 คน" in body(page)
    no_reason = client.post(reverse("claim_decide", args=[claim.pk]), {"decision": "reject"})
    assert no_reason.status_code == 200
    assert "เหตุผล: ต้องระบุเหตุผลที่ไม่อนุมัติ" in body(no_reason)
    done = client.post(reverse("claim_decide", args=[claim.pk]), {"decision": "approve"})
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    text = body(client.get(done["Location"]))
    assert "อนุมัติครบแล้ว" in text and "กรรมการ หนึ่ง" in text


def test_a_rejected_claim_shows_its_decisions_and_reasons(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    claim = recorded(world, member())
    client.force_login(committee)
    client.post(
        reverse("claim_decide", args=[claim.pk]), {"decision": "reject", "reason": "เอกสารปลอม"}
    )
    text = body(client.get(reverse("claim_detail", args=[claim.pk])))
    assert "ไม่อนุมัติ" in text and "เอกสารปลอม" in text
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED


# ------------------------------------------------------------------ payout


def test_paying_an_approved_claim_from_its_page(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    claim = approved(world, member(), committee)
    client.force_login(world.chair_a)
    page = body(client.get(reverse("claim_detail", args=[claim.pk])))
    assert 'id="pay-link"' in page
    url = reverse("claim_pay", args=[claim.pk])
    form = client.get(url)
    assert form.status_code == 200 and "สามร้อยบาทถ้วน" in body(form)
    bad = client.post(url, {"date": "01/01/2568", "method": "cash"})  # before the event
    assert "วันที่จ่าย: ต้องไม่ก่อน 3 มี.ค. 2568" in body(bad)
    response = client.post(url, {"date": "10/03/2568", "method": "cash"})
    assert response.status_code == 302
    text = body(client.get(response["Location"]))
    assert "ใบสำคัญจ่ายเลขที่ 2568/00001" in text
    assert 'id="voucher-no"' in text
    again = client.post(url, {"date": "10/03/2568", "method": "cash"})
    assert again.status_code == 302 and Payout.objects.count() == 1
    assert "ไม่ได้จ่ายซ้ำ" in body(client.get(again["Location"]))


def test_paying_needs_the_pay_permission(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    claim = approved(world, member(), committee)
    client.force_login(committee)
    assert client.get(reverse("claim_pay", args=[claim.pk])).status_code == 403
    assert 'id="pay-link"' not in body(client.get(reverse("claim_detail", args=[claim.pk])))


def test_voucher_html_in_thai_with_be_date_words_and_signature_lines(
    client: Any, world: Any, member: Any, committee: Any, captured: list[dict[str, Any]]
) -> None:
    claim, _payout = paid(world, member(), committee)
    client.force_login(world.chair_a)
    response = client.get(reverse("payout_voucher", args=[claim.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    html = captured[-1]["html"]
    for text in (
        "ใบสำคัญจ่าย",
        "2568/00001",
        "10 มีนาคม พ.ศ. 2568",
        world.fund_a.name,
        claim.payee_name,
        "สวัสดิการเจ็บป่วยนอนโรงพยาบาล",
        "300.00",
        "สามร้อยบาทถ้วน",
        "ผู้รับเงิน",
        "ผู้จ่ายเงิน",
        "ผู้อนุมัติ",
        "สมศักดิ์ ใจดี",  # the chair paid
        "กรรมการ หนึ่ง",  # the committee member approved
    ):
        assert text in html, text
    assert "watermark" not in html.split("</style>")[1]


@needs_poppler
def test_voucher_pdf_embeds_sarabun_on_an_a5_landscape_page(
    client: Any, world: Any, member: Any, committee: Any, tmp_path: Path
) -> None:
    claim, payout = paid(world, member(), committee)
    client.force_login(world.chair_a)
    data = client.get(reverse("payout_voucher", args=[claim.pk])).content
    keep("voucher.pdf", data)
    assert data.startswith(b"%PDF")
    assert re.search(r"\+Sarabun\S*\s.*\byes\b", pdf_fonts(data, tmp_path))
    width, height = media_box(data)
    assert abs(width - 210 * MM) < 1 and abs(height - 148 * MM) < 1
    (page,) = page_images(data, tmp_path, "voucher")
    assert dark_pixels(page) > 2000 and red_pixels(page) == 0
    svc.payout_reverse(actor=world.chair_a, payout=payout, reason="จ่ายผิดคน")
    data = client.get(reverse("payout_voucher", args=[claim.pk])).content
    keep("voucher-reversed.pdf", data)
    (page,) = page_images(data, tmp_path, "voucher-reversed")
    assert red_pixels(page) > 500


def test_cash_sheet_lists_cash_payouts_of_the_days_with_a_signature_column(
    client: Any, world: Any, member: Any, committee: Any, captured: list[dict[str, Any]]
) -> None:
    a, _pa = paid(world, member(), committee)
    b = approved(world, member(), committee, event_date=dt.date(2025, 3, 4))
    fs.fund_receipt_record(
        actor=world.chair_a, fund=a.fund, source="donation", amount="1000", date=dt.date(2025, 3, 1)
    )
    svc.claim_pay(actor=world.chair_a, claim=b, date=dt.date(2025, 3, 10), method="transfer")
    waiting = approved(world, member(), committee, event_date=dt.date(2025, 3, 6))
    client.force_login(world.chair_a)
    url = reverse("claim_cash_sheet", args=[a.fund_id])
    response = client.get(url, {"date_from": "01/03/2568", "date_to": "31/03/2568"})
    assert response.status_code == 200
    html = captured[-1]["html"]
    assert "ใบลงลายมือชื่อรับเงินสวัสดิการ (เงินสด)" in html
    assert "ลายมือชื่อผู้รับเงิน" in html
    assert a.payee_name in html and b.payee_name not in html  # the transfer is not on it
    assert "สามร้อยบาทถ้วน" in html
    assert "จ่ายระหว่างวันที่ 1 มีนาคม พ.ศ. 2568 ถึง 31 มีนาคม พ.ศ. 2568" in html
    client.get(url, {"approved": "1"})
    html = captured[-1]["html"]
    assert waiting.payee_name in html and a.payee_name not in html
    assert f"คำขอ {waiting.number}" in html


def test_reversing_a_payout_from_its_page(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    claim, _payout = paid(world, member(), committee)
    client.force_login(world.chair_a)
    url = reverse("payout_reverse", args=[claim.pk])
    assert "ยืนยันกลับรายการ" in body(client.get(url))
    empty = client.post(url, {"reason": ""})
    assert "เหตุผลการกลับรายการ: ต้องระบุเหตุผล" in body(empty)
    response = client.post(url, {"reason": "จ่ายผิดคน"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.REVERSED
    text = body(client.get(response["Location"]))
    assert "กลับรายการแล้ว" in text and "จ่ายผิดคน" in text
    assert client.get(url).status_code == 302  # nothing left to reverse


# ------------------------------------------------------------------ list and filters


def test_claims_list_filters_by_state_benefit_search_and_my_decisions(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    a = member(first_name="อำนวย")
    b = member(first_name="บุญชู")
    c1 = recorded(world, a)
    c2 = recorded(world, b, benefit_code="birth", event_date=dt.date(2025, 3, 1), event_end=None)
    c3 = approved(world, b, committee, event_date=dt.date(2025, 4, 1))
    own = svc.claim_record(
        actor=world.chair_a,
        membership=a,
        benefit_code="hospital",
        event_date=dt.date(2025, 5, 1),
        event_end=dt.date(2025, 5, 2),
    )
    client.force_login(world.chair_a)
    url = reverse("claim_list", args=[a.fund_id])

    def numbers(**q: Any) -> list[int]:
        return [c.number for c in client.get(url, q).context["page"].object_list]

    assert numbers() == [own.number, c3.number, c2.number, c1.number]
    assert numbers(state="approved") == [c3.number]
    assert numbers(benefit="birth") == [c2.number]
    assert numbers(q="บุญชู") == [c3.number, c2.number]
    assert numbers(q=str(c3.number)) == [c3.number]  # no member has that number
    # Awaiting my approval: the chair made ``own`` and may not decide it.
    assert numbers(mine="1") == [c2.number, c1.number]
    client.force_login(world.officer_b)
    assert client.get(url).status_code == 404


def test_fund_menu_links_the_claims(client: Any, world: Any, fund: Any) -> None:
    client.force_login(world.chair_a)
    text = body(client.get(reverse("fund_detail", args=[fund.pk])))
    assert reverse("claim_list", args=[fund.pk]) in text and "สวัสดิการ/คำขอ" in text


def test_documents_are_downloaded_only_within_scope(client: Any, world: Any, member: Any) -> None:
    claim = recorded(world, member(), documents=[("ภาพถ่าย", SimpleUploadedFile("x.pdf", PDF))])
    doc = claim.documents.get()
    url = reverse("claim_document", args=[doc.pk])
    for user in (world.officer_b, world.expired):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.coordinator)  # the province network sees both funds' books
    assert client.get(url).status_code == 200


# ------------------------------------------------------------------ settings screens


def test_a_login_is_linked_to_its_person(
    client: Any, world: Any, member: Any, committee: Any
) -> None:
    m = member(first_name="ประไพ")
    client.force_login(world.chair_a)
    url = reverse("user_people", args=[world.fund_a.pk])
    page = client.get(url, {"q": "ประไพ", "user": committee.pk})
    assert "ประไพ ทดสอบ" in body(page)
    response = client.post(url, {"user": committee.pk, "person": m.person.pk})
    assert response.status_code == 302
    assert UserPerson.objects.get(user=committee).person == m.person
    assert "ประไพ ทดสอบ" in body(client.get(url))
    client.post(url, {"user": committee.pk, "clear": "1"})
    assert not UserPerson.objects.filter(user=committee).exists()
    client.force_login(world.registrar_a)
    assert client.get(url).status_code == 403


@needs_poppler
def test_cash_sheet_pdf_is_an_a4_page_in_sarabun(
    client: Any, world: Any, member: Any, committee: Any, tmp_path: Path
) -> None:
    for day in (3, 5, 7):
        paid(world, member(), committee, event_date=dt.date(2025, 3, day))
    client.force_login(world.chair_a)
    data = client.get(
        reverse("claim_cash_sheet", args=[world.fund_a.fund.pk]),
        {"date_from": "01/03/2568", "date_to": "31/03/2568"},
    ).content
    keep("cash-sheet.pdf", data)
    assert "Sarabun" in pdf_fonts(data, tmp_path)
    width, height = media_box(data)
    assert abs(width - 210 * MM) < 1 and abs(height - 297 * MM) < 1
    (page,) = page_images(data, tmp_path, "cash-sheet")
    assert dark_pixels(page) > 3000
