"""Claims as a fund's committee handles them: recorded and judged at once by the example
regulation, decided by N of M committee members (never by the maker, the claimant or their
household), paid once into the books under the benefit's category, and reversed with a reason.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from chumchon.areas.services import role_assign
from chumchon.benefits import services_claims as svc
from chumchon.benefits.example import example_regulation
from chumchon.benefits.models import (
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimState,
    Payout,
    PayoutReversal,
)
from chumchon.benefits.services_regulation import approval_rules_set as set_rules
from chumchon.benefits.tests.helpers import as_person
from chumchon.core.permissions import Role
from chumchon.funds import services as fs
from chumchon.funds.services import BeneficiaryData
from chumchon.ledger.models import JournalEntry, Posting
from chumchon.ledger.selectors import verify_book
from chumchon.people.models import HouseholdMember, Relation
from chumchon.people.services import household_create

D = Decimal
JOINED = dt.date(2023, 1, 1)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 20
ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def user_with(role: str, unit: Any, name: str) -> Any:
    user = get_user_model().objects.create_user(name, password="x", first_name=name)
    role_assign(user=user, org_unit=unit, role=role, start_date=dt.date(2020, 1, 1))
    return as_person(user, unit)


@pytest.fixture
def fund(world: Any) -> Any:
    """Fund A under the example regulation of domain.md, in force since 1 Jan 2020."""
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
    """A member joined on ``joined`` who paid ``years`` years ahead in cash (good standing)."""
    counter = iter(range(1, 1000))

    def make(
        *, joined: dt.date = JOINED, years: int = 4, beneficiaries: Any = (), **person: Any
    ) -> Any:
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
        if years:
            fs.payment_record(
                actor=world.chair_a,
                membership=m,
                date=joined,
                amount=D("20") + D("365") * years,
                check_status=False,
            )
        return m

    return make


@pytest.fixture
def committee(world: Any) -> list[Any]:
    """Three committee members of fund A (กรรมการ: they approve claims, nothing else)."""
    return [user_with(Role.COMMITTEE, world.fund_a, f"committee{i}") for i in (1, 2, 3)]


def record(world: Any, m: Any, **kw: Any) -> Claim:
    kw.setdefault("actor", world.registrar_a)
    kw.setdefault("benefit_code", "hospital")
    kw.setdefault("event_date", dt.date(2025, 3, 3))
    if kw["benefit_code"] == "hospital":
        kw.setdefault("event_end", kw["event_date"] + dt.timedelta(days=3))
    return svc.claim_record(membership=m, **kw)


def approved(world: Any, m: Any, committee: list[Any], **kw: Any) -> Claim:
    claim = record(world, m, **kw)
    svc.claim_decide(actor=committee[0], claim=claim, decision="approve")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    return claim


def texts(claim: Claim) -> list[str]:
    from chumchon.benefits.engine import reasons_from_json

    return [r.text() for r in reasons_from_json(claim.explanation)]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# ------------------------------------------------------------------ recording and judging


def test_a_claim_is_judged_at_once_and_the_judgement_is_stored(world: Any, member: Any) -> None:
    m = member()
    claim = record(world, m)  # three nights in hospital, from 3 to 6 March 2025
    assert claim.number == 1
    assert claim.eligible is True
    assert (claim.evaluated_amount, claim.amount) == (D("450.00"), D("450.00"))
    assert claim.units == D("3.00")
    assert claim.benefit.code == "hospital" and claim.version_id == claim.benefit.version_id
    assert claim.state == ClaimState.SUBMITTED
    assert claim.payee_name == m.person.full_name
    assert claim.made_by == world.registrar_a
    lines = texts(claim)
    assert any("ฉบับที่ 1" in t for t in lines)  # the version used
    assert any("150.00 บาทต่อคืน × 3 คืน = 450.00 บาท" in t for t in lines)
    assert lines[-1] == "มีสิทธิ์ได้รับ 450.00 บาท"
    assert all(len(item) == 3 for item in claim.explanation)  # [msgid, params, ok]
    assert record(world, m, event_date=dt.date(2025, 5, 1)).number == 2


def test_nights_a_claim_uses_are_the_nights_paid_so_the_yearly_cap_counts_right(
    world: Any, member: Any
) -> None:
    m = member()
    first = record(world, m, event_date=dt.date(2024, 11, 1), event_end=dt.date(2024, 11, 8))
    assert first.units == D("5.00") and first.amount == D("750.00")  # 7 asked, 5 an admission
    second = record(world, m, event_date=dt.date(2025, 1, 10), event_end=dt.date(2025, 1, 15))
    assert second.amount == D("750.00")
    third = record(world, m, event_date=dt.date(2025, 2, 1), event_end=dt.date(2025, 2, 6))
    assert third.amount == D("750.00")
    assert any("ใช้สิทธิ์แล้ว 10 คืนในปีงบประมาณ 2568 เหลือ 5 คืน" in t for t in texts(third))
    full = record(world, m, event_date=dt.date(2025, 3, 1), event_end=dt.date(2025, 3, 4))
    assert not full.eligible and full.amount == D("0.00")
    assert full.units == D("0.00")  # nothing paid, no nights used
    # The next fiscal year (from 1 October 2025) starts afresh.
    later = record(world, m, event_date=dt.date(2025, 10, 2), event_end=dt.date(2025, 10, 4))
    assert later.amount == D("300.00")


def test_an_ineligible_claim_is_kept_with_amount_zero_and_its_reasons(
    world: Any, member: Any
) -> None:
    m = member(joined=dt.date(2025, 1, 1))
    claim = record(world, m, event_date=dt.date(2025, 2, 1))  # inside the 90-day wait
    assert claim.eligible is False
    assert (claim.evaluated_amount, claim.amount, claim.override_reason) == (D("0"), D("0"), "")
    assert any("ยังไม่พ้นระยะรอสิทธิ์ 90 วัน" in t for t in texts(claim))


def test_paying_other_than_the_regulation_needs_a_written_reason(world: Any, member: Any) -> None:
    m = member(joined=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as err:
        record(world, m, event_date=dt.date(2025, 2, 1), amount="300")
    assert "override_reason" in err.value.message_dict
    assert "เหตุผลที่จ่ายต่างจากระเบียบ: ต้องระบุ" in err.value.message_dict["override_reason"][0]
    assert Claim.objects.count() == 0
    claim = record(
        world,
        m,
        event_date=dt.date(2025, 2, 1),
        amount="300",
        override_reason="มติกรรมการ ผ่อนผันกรณีน้ำท่วม",
    )
    assert (claim.eligible, claim.evaluated_amount, claim.amount) == (False, D("0"), D("300"))
    assert claim.override_reason == "มติกรรมการ ผ่อนผันกรณีน้ำท่วม"
    last = texts(claim)[-1]
    assert "จ่ายต่างจากระเบียบ: 300.00 บาท (ระเบียบกำหนด 0.00 บาท)" in last
    assert "มาลี ศรีสุข" in last and "ผ่อนผันกรณีน้ำท่วม" in last  # who, and why
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(override_reason="")


def test_the_regulation_amount_typed_again_is_not_an_override(world: Any, member: Any) -> None:
    claim = record(world, member(), amount="450.00", override_reason="ไม่จำเป็น")
    assert claim.amount == claim.evaluated_amount == D("450.00")
    assert claim.override_reason == ""


@pytest.mark.parametrize(
    ("field", "kw", "message"),
    [
        ("event_date", {"event_date": dt.date(2099, 1, 1)}, "วันที่เกิดเหตุ: เป็นวันในอนาคต"),
        (
            "event_end",
            {"event_date": dt.date(2025, 3, 3), "event_end": dt.date(2025, 3, 1)},
            "ถึงวันที่: ต้องไม่ก่อนวันที่เกิดเหตุ",
        ),
        ("units", {"units": "-2"}, "จำนวนหน่วย: ต้องมากกว่าศูนย์"),
        ("benefit_code", {"benefit_code": "wedding"}, "ไม่มีสวัสดิการรหัส “wedding”"),
        ("benefit_code", {"benefit_code": "elderly"}, "จ่ายเป็นรอบ"),
        ("benefit_code", {"event_date": dt.date(2019, 6, 1)}, "ยังไม่มีระเบียบสวัสดิการ"),
    ],
)
def test_bad_input_is_refused_in_thai_naming_the_field(
    world: Any, member: Any, field: str, kw: dict[str, Any], message: str
) -> None:
    m = member(joined=dt.date(2019, 1, 1) if "event_date" in kw else JOINED, years=8)
    with pytest.raises(ValidationError) as err:
        record(world, m, **kw)
    assert field in err.value.message_dict
    assert message in " ".join(err.value.message_dict[field])
    assert Claim.objects.count() == 0


def test_only_those_who_record_claims_in_the_fund_may_record_one(
    world: Any, member: Any, committee: list[Any]
) -> None:
    m = member()
    for user in (world.viewer_a, world.officer_b, world.expired, committee[0]):
        with pytest.raises(PermissionDenied):
            record(world, m, actor=user)
    assert Claim.objects.count() == 0


# ------------------------------------------------------------------ documents


def test_documents_are_kept_by_type_checked_by_content_and_missing_ones_listed(
    world: Any, member: Any
) -> None:
    claim = record(
        world,
        member(),
        documents=[
            (
                "ใบรับรองแพทย์หรือหนังสือรับรองการนอนโรงพยาบาล (ระบุวันที่เข้าและออก)",
                upload("ใบรับรองแพทย์.pdf", PDF),
            ),
            ("ภาพถ่าย", upload("photo.HEIC", HEIC)),
            ("ภาพถ่าย", upload("x.png", PNG)),
        ],
    )
    docs = list(claim.documents.order_by("pk"))
    assert [(d.file_name, d.content_type) for d in docs] == [
        ("ใบรับรองแพทย์.pdf", "application/pdf"),
        ("photo.HEIC", "image/heic"),
        ("x.png", "image/png"),
    ]
    assert docs[0].size == len(PDF) and docs[0].uploaded_by == world.registrar_a
    assert docs[0].file.read() == PDF
    assert "ใบรับรองแพทย์" not in docs[0].file.name  # stored under a random name
    assert svc.missing_documents(claim) == ["สำเนาบัตรประจำตัวประชาชนของสมาชิก"]
    svc.claim_document_add(
        actor=world.registrar_a,
        claim=claim,
        documents=[("สำเนาบัตรประจำตัวประชาชนของสมาชิก", upload("id.jpg", JPEG))],
    )
    assert svc.missing_documents(claim) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "form.docx",
            b"PK\x03\x04" + b"\x00" * 50,
            "เอกสาร “form.docx”: รับเฉพาะไฟล์ PDF, JPEG, PNG หรือ HEIC",
        ),
        (
            "fake.pdf",
            b"<html>not a pdf</html>",
            "เอกสาร “fake.pdf”: รับเฉพาะไฟล์ PDF, JPEG, PNG หรือ HEIC",
        ),
        (
            "big.pdf",
            b"%PDF-" + b"0" * (10 * 1024 * 1024),
            "เอกสาร “big.pdf”: ขนาด 10.0 MB เกิน 10 MB",
        ),
        ("empty.png", b"", "เอกสาร “empty.png”: เป็นไฟล์ว่าง"),
    ],
)
def test_a_bad_document_is_refused_naming_the_file_and_nothing_is_saved(
    world: Any, member: Any, name: str, content: bytes, message: str
) -> None:
    m = member()
    with pytest.raises(ValidationError) as err:
        record(
            world, m, documents=[("ภาพถ่าย", upload("ok.pdf", PDF)), ("อื่น ๆ", upload(name, content))]
        )
    (problem,) = err.value.message_dict["documents"]
    assert problem.startswith(message)
    assert (Claim.objects.count(), ClaimDocument.objects.count()) == (0, 0)


def test_a_document_must_say_what_it_is(world: Any, member: Any) -> None:
    with pytest.raises(ValidationError) as err:
        record(world, member(), documents=[("  ", upload("a.pdf", PDF))])
    assert err.value.message_dict["documents"] == ["เอกสาร “a.pdf”: ต้องระบุประเภทเอกสาร"]


def test_a_claim_is_recorded_even_with_required_documents_missing(world: Any, member: Any) -> None:
    claim = record(world, member())
    assert svc.missing_documents(claim) == [
        "ใบรับรองแพทย์หรือหนังสือรับรองการนอนโรงพยาบาล (ระบุวันที่เข้าและออก)",
        "สำเนาบัตรประจำตัวประชาชนของสมาชิก",
    ]


# ------------------------------------------------------------------ payee


def test_death_is_paid_to_the_beneficiaries_the_member_named(world: Any, member: Any) -> None:
    m = member(
        joined=dt.date(2020, 1, 1),
        years=7,
        beneficiaries=[
            BeneficiaryData("นางบุญมา ทดสอบ", "คู่สมรส", D("60")),
            BeneficiaryData("นายต้น ทดสอบ", "บุตร", D("40")),
        ],
    )
    claim = record(world, m, benefit_code="death", event_date=dt.date(2025, 6, 1))
    assert claim.amount == D("8000.00")  # 5 years of membership: the 3-6 years tier
    assert claim.payee_name == "นางบุญมา ทดสอบ (คู่สมรส ร้อยละ 60), นายต้น ทดสอบ (บุตร ร้อยละ 40)"
    assert claim.payee_beneficiary is None
    son = m.beneficiaries.get(relation="บุตร")
    chosen = record(
        world, m, benefit_code="death", event_date=dt.date(2025, 6, 1), payee_beneficiary=son
    )
    assert (chosen.payee_name, chosen.payee_beneficiary) == ("นายต้น ทดสอบ (บุตร)", son)


def test_death_without_a_named_beneficiary_is_refused_until_one_is_named(
    world: Any, member: Any
) -> None:
    m = member(joined=dt.date(2020, 1, 1), years=7)
    with pytest.raises(ValidationError) as err:
        record(world, m, benefit_code="death", event_date=dt.date(2025, 6, 1))
    assert "ยังไม่ได้ระบุผู้รับผลประโยชน์" in err.value.message_dict["payee_beneficiary"][0]
    other = member(beneficiaries=[BeneficiaryData("ผู้อื่น", "บุตร")])
    with pytest.raises(ValidationError) as err:
        record(
            world,
            m,
            benefit_code="death",
            event_date=dt.date(2025, 6, 1),
            payee_beneficiary=other.beneficiaries.get(),
        )
    assert "ไม่ใช่ผู้รับผลประโยชน์ที่สมาชิกคนนี้ระบุไว้" in err.value.message_dict["payee_beneficiary"][0]


# ------------------------------------------------------------------ approval


def test_the_maker_never_approves_their_own_claim(world: Any, member: Any) -> None:
    claim = record(world, member(), actor=world.chair_a)
    with pytest.raises(ValidationError) as err:
        svc.claim_decide(actor=world.chair_a, claim=claim, decision="approve")
    assert "ผู้บันทึกคำขอพิจารณาคำขอที่ตนเองบันทึกไม่ได้" in err.value.messages
    assert ClaimDecision.objects.count() == 0
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_the_claimant_cannot_approve_their_own_claim(
    world: Any, member: Any, committee: list[Any]
) -> None:
    m = member()
    svc.userperson_set(actor=world.chair_a, user=committee[0], person=m.person)
    claim = record(world, m)
    with pytest.raises(ValidationError) as err:
        svc.claim_decide(actor=committee[0], claim=claim, decision="approve")
    assert "ผู้ขอรับสวัสดิการพิจารณาคำขอของตนเองไม่ได้" in err.value.messages


def test_a_committee_member_of_the_claimants_household_cannot_approve(
    world: Any, member: Any, committee: list[Any], person_factory: Any
) -> None:
    home = household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="12/3")
    m = member(household=home, relation=Relation.HEAD)
    spouse = person_factory(first_name="คู่สมรส", household=home, relation=Relation.SPOUSE)
    neighbour = person_factory(first_name="เพื่อนบ้าน")
    svc.userperson_set(actor=world.chair_a, user=committee[0], person=spouse)
    svc.userperson_set(actor=world.chair_a, user=committee[1], person=neighbour)
    assert HouseholdMember.objects.get(person=spouse).household == home
    claim = record(world, m)
    with pytest.raises(ValidationError) as err:
        svc.claim_decide(actor=committee[0], claim=claim, decision="approve")
    assert "กรรมการที่อยู่ครัวเรือนเดียวกับผู้ขอรับสวัสดิการพิจารณาคำขอนี้ไม่ได้" in err.value.messages
    assert svc.decision_refusal(committee[1], claim) is None
    svc.claim_decide(actor=committee[1], claim=claim, decision="approve")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


def test_a_role_that_does_not_approve_claims_is_refused(world: Any, member: Any) -> None:
    claim = record(world, member(), actor=world.chair_a)
    for user in (world.registrar_a, world.viewer_a, world.officer_b):
        with pytest.raises(PermissionDenied):
            svc.claim_decide(actor=user, claim=claim, decision="approve")
    assert ClaimDecision.objects.count() == 0


def test_n_of_m_approvals_by_amount_thresholds(
    world: Any, member: Any, committee: list[Any]
) -> None:
    fund = member().fund
    set_rules(
        actor=world.chair_a,
        fund=fund,
        rules=[
            ("0", 1, [Role.COMMITTEE, Role.CHAIR]),
            ("5000", 2, [Role.COMMITTEE]),
            ("20000", 3, [Role.COMMITTEE, Role.CHAIR]),
        ],
    )
    assert svc.approval_need(fund, D("4999.99")).approvals == 1
    assert svc.approval_need(fund, D("5000")).approvals == 2
    assert set(svc.approval_need(fund, D("25000")).roles) == {Role.COMMITTEE, Role.CHAIR}
    small = record(world, member())
    svc.claim_decide(actor=world.chair_a, claim=small, decision="approve")
    assert small.state == ClaimState.APPROVED  # one approval under 5,000

    big = record(world, member(), amount="6000", override_reason="ค่ารักษาสูง มติที่ประชุม 3/2568")
    with pytest.raises(PermissionDenied):  # a chair is not among the roles for 5,000 and more
        svc.claim_decide(actor=world.chair_a, claim=big, decision="approve")
    svc.claim_decide(actor=committee[0], claim=big, decision="approve")
    big.refresh_from_db()
    assert big.state == ClaimState.SUBMITTED  # one of two
    with pytest.raises(ValidationError) as err:  # one decision per person
        svc.claim_decide(actor=committee[0], claim=big, decision="approve")
    assert "คุณพิจารณาคำขอนี้ไปแล้ว (คนละหนึ่งครั้ง)" in err.value.messages
    svc.claim_decide(actor=committee[1], claim=big, decision="approve")
    big.refresh_from_db()
    assert big.state == ClaimState.APPROVED and big.decided_at is not None
    assert [d.role for d in big.decisions.all()] == [Role.COMMITTEE, Role.COMMITTEE]
    with pytest.raises(ValidationError):  # decided: nobody decides again
        svc.claim_decide(actor=committee[2], claim=big, decision="approve")


def test_the_database_allows_one_decision_per_person(
    world: Any, member: Any, committee: list[Any]
) -> None:
    claim = record(world, member())
    ClaimDecision.objects.create(claim=claim, by=committee[0], role="committee", decision="approve")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimDecision.objects.create(
            claim=claim, by=committee[0], role="committee", decision="reject", reason="x"
        )


def test_reject_needs_a_reason_and_the_rejected_claim_keeps_its_history(
    world: Any, member: Any, committee: list[Any]
) -> None:
    fund = member().fund
    set_rules(actor=world.chair_a, fund=fund, rules=[("0", 2, [Role.COMMITTEE])])
    m = member()
    claim = record(world, m)
    svc.claim_decide(actor=committee[0], claim=claim, decision="approve")
    with pytest.raises(ValidationError) as err:
        svc.claim_decide(actor=committee[1], claim=claim, decision="reject", reason=" ")
    assert err.value.message_dict["reason"] == ["เหตุผล: ต้องระบุเหตุผลที่ไม่อนุมัติ"]
    svc.claim_decide(
        actor=committee[1], claim=claim, decision="reject", reason="ไม่ได้นอนโรงพยาบาลจริง"
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED  # one reject ends it, after an approval too
    assert [(d.by, d.decision, d.reason) for d in claim.decisions.order_by("at", "pk")] == [
        (committee[0], "approve", ""),
        (committee[1], "reject", "ไม่ได้นอนโรงพยาบาลจริง"),
    ]
    assert texts(claim)[-1] == "มีสิทธิ์ได้รับ 450.00 บาท"  # its judgement is kept
    with pytest.raises(ValidationError):
        svc.claim_decide(actor=committee[2], claim=claim, decision="approve")
    # A rejected claim uses up nothing: the same nights can be claimed again.
    again = record(world, m)
    assert again.amount == D("450.00")


def test_an_ineligible_claim_with_nothing_to_pay_cannot_be_approved(
    world: Any, member: Any, committee: list[Any]
) -> None:
    claim = record(world, member(joined=dt.date(2025, 1, 1)), event_date=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError) as err:
        svc.claim_decide(actor=committee[0], claim=claim, decision="approve")
    assert "อนุมัติไม่ได้" in err.value.message_dict["decision"][0]


# ------------------------------------------------------------------ payout


def test_paying_posts_a_balanced_entry_under_the_benefits_category(
    world: Any, member: Any, committee: list[Any]
) -> None:
    m = member()
    fund = m.fund
    claim = approved(world, m, committee)
    cash_before = fund.account("cash").balance
    assert not fs.has_received_benefit(m)
    payout = svc.claim_pay(
        actor=world.chair_a, claim=claim, date=dt.date(2025, 3, 10), method="cash"
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    assert (payout.amount, payout.category, payout.fiscal_year, payout.voucher_no) == (
        D("450.00"),
        "02",
        2568,
        1,
    )
    assert svc.voucher_label(payout) == "2568/00001"
    entry = payout.entry
    assert (entry.source_type, entry.source_id, entry.idempotency_key) == (
        "benefit",
        f"m{m.pk}:claim{claim.pk}",
        f"claim:{claim.pk}",
    )
    legs = sorted(
        (p.account.category, p.side, p.amount) for p in Posting.objects.filter(entry=entry)
    )
    assert legs == [("benefit.02", "D", D("450.00")), ("cash", "C", D("450.00"))]
    assert fund.account("cash").balance == cash_before - D("450.00")
    assert fs.has_received_benefit(m)
    assert verify_book(fund.book).ok


def test_vouchers_are_numbered_per_fiscal_year(
    world: Any, member: Any, committee: list[Any]
) -> None:
    m = member()
    a = approved(world, m, committee, event_date=dt.date(2025, 9, 1))
    b = approved(world, m, committee, event_date=dt.date(2025, 9, 10))
    c = approved(world, m, committee, event_date=dt.date(2025, 9, 20))
    pays = [
        svc.claim_pay(actor=world.chair_a, claim=a, date=dt.date(2025, 9, 30), method="cash"),
        svc.claim_pay(actor=world.chair_a, claim=b, date=dt.date(2025, 10, 1), method="cash"),
        svc.claim_pay(actor=world.chair_a, claim=c, date=dt.date(2025, 10, 2), method="cash"),
    ]
    assert [svc.voucher_label(p) for p in pays] == ["2568/00001", "2569/00001", "2569/00002"]


def test_paying_twice_is_impossible(world: Any, member: Any, committee: list[Any]) -> None:
    claim = approved(world, member(), committee)
    svc.claim_pay(actor=world.chair_a, claim=claim, date=dt.date(2025, 3, 10), method="cash")
    entries = JournalEntry.objects.count()
    stale = Claim.objects.get(pk=claim.pk)
    Claim.objects.filter(pk=claim.pk).update(state=ClaimState.APPROVED)  # a stale screen
    with pytest.raises(ValidationError) as err:
        svc.claim_pay(actor=world.chair_a, claim=stale, date=dt.date(2025, 3, 11), method="bank")
    assert "จ่ายซ้ำไม่ได้" in err.value.messages[0]
    assert (Payout.objects.count(), JournalEntry.objects.count()) == (1, entries)
    # The database refuses a second payout for the claim, whatever the code does.
    p = Payout.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            fund=p.fund,
            claim=p.claim,
            membership=p.membership,
            category=p.category,
            date=p.date,
            amount=p.amount,
            fiscal_year=p.fiscal_year,
            voucher_no=99,
            payee_name="x",
            entry=JournalEntry.objects.exclude(pk=p.entry_id).first(),
            paid_by=world.chair_a,
        )


@pytest.mark.parametrize("state", ["submitted", "rejected"])
def test_only_an_approved_claim_is_paid(world: Any, member: Any, state: str) -> None:
    claim = record(world, member())
    Claim.objects.filter(pk=claim.pk).update(state=state)
    with pytest.raises(ValidationError) as err:
        svc.claim_pay(actor=world.chair_a, claim=claim, date=dt.date(2025, 3, 10), method="cash")
    assert "จ่ายได้เฉพาะคำขอที่อนุมัติแล้ว" in err.value.messages[0]
    assert Payout.objects.count() == 0


def test_paying_needs_the_pay_permission(world: Any, member: Any, committee: list[Any]) -> None:
    claim = approved(world, member(), committee)
    for user in (committee[1], world.registrar_a, world.officer_b):
        with pytest.raises(PermissionDenied):
            svc.claim_pay(actor=user, claim=claim, date=dt.date(2025, 3, 10), method="cash")
    assert Payout.objects.count() == 0


def test_a_transfer_without_money_in_the_bank_leaves_nothing_behind(
    world: Any, member: Any, committee: list[Any]
) -> None:
    claim = approved(world, member(), committee)
    with pytest.raises(ValidationError) as err:
        svc.claim_pay(
            actor=world.chair_a, claim=claim, date=dt.date(2025, 3, 10), method="transfer"
        )
    assert "ติดลบ" in " ".join(err.value.messages)
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED and Payout.objects.count() == 0
    fs.fund_receipt_record(
        actor=world.chair_a,
        fund=claim.fund,
        source="donation",
        amount="1000",
        date=dt.date(2025, 3, 1),
    )
    p = svc.claim_pay(
        actor=world.chair_a,
        claim=claim,
        date=dt.date(2025, 3, 10),
        method="transfer",
        bank_ref="TX-1",
    )
    assert p.voucher_no == 1  # the refused try took no number
    assert Posting.objects.get(entry=p.entry, side="C").account.category == "bank"


def test_a_payout_is_reversed_once_with_a_reason(
    world: Any, member: Any, committee: list[Any]
) -> None:
    m = member()
    claim = approved(world, m, committee)
    from chumchon.funds.services import has_received_benefit

    assert not has_received_benefit(m)
    payout = svc.claim_pay(
        actor=world.chair_a, claim=claim, date=dt.date(2025, 3, 10), method="cash"
    )
    assert has_received_benefit(m)  # a resigning member would get no refund now
    cash = m.fund.account("cash").balance
    with pytest.raises(ValidationError) as err:
        svc.payout_reverse(actor=world.chair_a, payout=payout, reason="  ")
    assert err.value.message_dict["reason"] == ["เหตุผลการกลับรายการ: ต้องระบุ"]
    with pytest.raises(PermissionDenied):
        svc.payout_reverse(actor=committee[0], payout=payout, reason="ผิดคน")
    rev = svc.payout_reverse(actor=world.chair_a, payout=payout, reason="จ่ายผิดคน")
    claim.refresh_from_db()
    assert claim.state == ClaimState.REVERSED
    assert rev.entry.reverses_id == payout.entry_id and rev.reason == "จ่ายผิดคน"
    assert m.fund.account("cash").balance == cash + D("450.00")
    with pytest.raises(ValidationError):
        svc.payout_reverse(actor=world.chair_a, payout=payout, reason="อีกครั้ง")
    with pytest.raises(ValidationError):
        svc.claim_pay(actor=world.chair_a, claim=claim, date=dt.date(2025, 3, 12), method="cash")
    assert PayoutReversal.objects.count() == 1 and Payout.objects.count() == 1
    assert verify_book(m.fund.book).ok
    assert not has_received_benefit(m)  # taken back: the refund rule sees no benefit
    # A reversed claim uses up nothing: the nights may be claimed again.
    assert record(world, m).amount == D("450.00")


# ------------------------------------------------------------------ concurrency


PG_ONLY = pytest.mark.skipif(
    ON_SQLITE, reason="SQLite serialises writers: two payers never overlap there"
)


@PG_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_payers_paying_the_same_claim_at_once_pay_it_once(
    world: Any, member: Any, committee: list[Any]
) -> None:
    import threading

    from django.db import connection, connections

    claims = [approved(world, member(), committee) for _ in range(3)]
    treasurer = user_with(Role.TREASURER, world.fund_a, "treasurer_a")
    for claim in claims:
        barrier = threading.Barrier(2)
        results: list[Any] = [None, None]

        def pay(
            i: int,
            actor: Any,
            claim: Claim = claim,
            barrier: threading.Barrier = barrier,
            results: list[Any] = results,
        ) -> None:
            try:
                connection.ensure_connection()
                barrier.wait(timeout=30)
                results[i] = svc.claim_pay(
                    actor=actor, claim=claim, date=dt.date(2025, 3, 10), method="cash"
                )
            except Exception as exc:  # reported to the test
                results[i] = exc
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=pay, args=(0, world.chair_a)),
            threading.Thread(target=pay, args=(1, treasurer)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        paid = [r for r in results if isinstance(r, Payout)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(paid) == 1 and len(refused) == 1, results
        assert "จ่ายซ้ำไม่ได้" in refused[0].messages[0]
    assert Payout.objects.count() == 3
    assert JournalEntry.objects.filter(source_type="benefit").count() == 3
    assert sorted(Payout.objects.values_list("voucher_no", flat=True)) == [1, 2, 3]
    assert verify_book(claims[0].fund.book).ok


# ------------------------------------------------------------------ which person a login is


def test_userperson_links_a_login_to_a_person_within_the_fund(
    world: Any, member: Any, committee: list[Any], person_factory: Any
) -> None:
    m = member()
    link = svc.userperson_set(actor=world.chair_a, user=committee[0], person=m.person)
    assert link is not None and svc.person_of(committee[0]) == m.person
    with pytest.raises(ValidationError) as err:  # one login per person
        svc.userperson_set(actor=world.chair_a, user=committee[1], person=m.person)
    assert "ผูกกับผู้ใช้ committee1 อยู่แล้ว" in err.value.message_dict["person"][0]
    with pytest.raises(PermissionDenied):  # another tambon's officer
        svc.userperson_set(actor=world.officer_b, user=committee[1], person=m.person)
    with pytest.raises(PermissionDenied):  # the registrar does not manage roles
        svc.userperson_set(actor=world.registrar_a, user=committee[1], person=m.person)
    svc.userperson_set(actor=world.chair_a, user=committee[0], person=None)
    assert svc.person_of(committee[0]) is None


def test_sniffing_recognises_the_four_kinds_by_content() -> None:
    assert svc.sniff_document(PDF[:16]) == ("pdf", "application/pdf")
    assert svc.sniff_document(JPEG[:16]) == ("jpg", "image/jpeg")
    assert svc.sniff_document(PNG[:16]) == ("png", "image/png")
    assert svc.sniff_document(HEIC[:16]) == ("heic", "image/heic")
    assert svc.sniff_document(b"GIF89a" + b"\x00" * 10) is None
    assert svc.sniff_document(io.BytesIO(b"").read()) is None


def test_an_approver_whose_login_is_not_linked_to_a_person_cannot_decide(
    world: Any, member: Any
) -> None:
    """Without knowing who the approver is, "not the claimant or their household" cannot be
    checked: the login must be linked first (ผู้ใช้กับบุคคล)."""
    m = member()
    claim = record(world, m)
    stranger = get_user_model().objects.create_user("committee9", password="x")
    role_assign(
        user=stranger, org_unit=world.fund_a, role=Role.COMMITTEE, start_date=dt.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as err:
        svc.claim_decide(actor=stranger, claim=claim, decision="approve")
    assert "ผูกบัญชีผู้ใช้ของคุณกับบุคคลในทะเบียนก่อน" in str(err.value)
    as_person(stranger, world.fund_a)
    svc.claim_decide(actor=stranger, claim=claim, decision="approve")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
