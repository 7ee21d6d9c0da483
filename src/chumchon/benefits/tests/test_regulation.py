"""Writing a regulation: drafts, benefits, validation, adoption, approval rules, and the
YAML/JSON files a committee exports and imports.

The example regulation of domain.md ("ตำบลตัวอย่าง") is the worked example: it is valid as
written, and each test breaks one thing in it to see the Thai problem that names it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError

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
from chumchon.core.permissions import Role

D = Decimal
EFFECTIVE = dt.date(2025, 10, 1)
RESOLVED = dt.date(2025, 9, 20)

HOSPITAL_SENTENCE = (
    "ค่ารักษาพยาบาล คืนละ 150 บาท ไม่เกิน 5 คืนต่อครั้ง และไม่เกิน 15 คืนต่อปีบัญชี มีสิทธิ์เมื่อเป็นสมาชิกครบ 90 วัน"
)


def tier(fr: int, fu: str, to: int | None, tu: str, amount: str, **kw: Any) -> dict[str, Any]:
    return {"from_n": fr, "from_unit": fu, "to_n": to, "to_unit": tu, "amount": D(amount), **kw}


def example_benefits() -> list[dict[str, Any]]:
    """The benefits of domain.md's example regulation, as ``benefit_save`` takes them."""
    return [
        {
            "code": "birth",
            "name": "ค่าคลอดบุตร",
            "category": "01",
            "amount_kind": "per_unit",
            "amount": D("800"),
            "unit_name": "คน",
            "waiting_n": 90,
            "waiting_unit": "days",
            "documents": ["สำเนาสูติบัตร"],
            "limits": [{"measure": "units", "period": "calendar", "maximum": D("2")}],
        },
        {
            "code": "hospital",
            "name": "ค่ารักษาพยาบาล",
            "category": "02",
            "amount_kind": "per_unit",
            "amount": D("150"),
            "unit_name": "คืน",
            "waiting_n": 90,
            "waiting_unit": "days",
            "documents": ["ใบรับรองแพทย์", "ใบเสร็จโรงพยาบาล"],
            "limits": [
                {"measure": "units", "period": "event", "maximum": D("5")},
                {"measure": "units", "period": "fiscal", "maximum": D("15")},
            ],
        },
        {
            "code": "death",
            "name": "ค่าทำศพสมาชิกเสียชีวิต",
            "category": "04",
            "amount_kind": "tiered",
            "payee": "beneficiary",
            "documents": ["สำเนาใบมรณบัตร"],
            "tiers": [
                tier(0, "days", 270, "days", "0"),
                tier(270, "days", 1, "years", "2000"),
                tier(1, "years", 3, "years", "4000"),
                tier(3, "years", 6, "years", "8000"),
                tier(6, "years", 10, "years", "12000"),
                tier(
                    10,
                    "years",
                    None,
                    "years",
                    "15000",
                    step_amount=D("300"),
                    max_amount=D("25000"),
                ),
            ],
        },
        {
            "code": "elderly",
            "name": "เบี้ยยังชีพผู้สูงอายุ",
            "category": "03",
            "amount_kind": "fixed",
            "amount": D("300"),
            "min_age": 60,
            "waiting_n": 2,
            "waiting_unit": "years",
            "recurrence": "yearly",
            "run_month": 1,
        },
        {
            "code": "scholarship",
            "name": "ทุนการศึกษาบุตรสมาชิก",
            "category": "08",
            "amount_kind": "fixed",
            "amount": D("400"),
            "member_types": ["child"],
            "limits": [
                {"measure": "count", "period": "year_from", "start_month": 5, "maximum": D("1")}
            ],
        },
    ]


def build_draft(fund: Any, actor: Any, *, effective: dt.date = EFFECTIVE, benefits: Any = None):
    version = svc.version_create_draft(
        fund=fund,
        actor=actor,
        title="ระเบียบกองทุนสวัสดิการชุมชนตำบลตัวอย่าง ว่าด้วยการจ่ายสวัสดิการ",
        effective_from=effective,
        preamble="เพื่อให้การจ่ายสวัสดิการแก่สมาชิกเป็นไปอย่างเป็นธรรม",
    )
    for data in example_benefits() if benefits is None else benefits:
        svc.benefit_save(version=version, actor=actor, data=data)
    return version


def adopt(version: Any, actor: Any) -> Any:
    return svc.version_adopt(
        version=version,
        actor=actor,
        resolution_meeting="ที่ประชุมใหญ่สามัญประจำปี 2568",
        resolution_date=RESOLVED,
        resolution_no="3/2568",
    )


@pytest.fixture
def chair(world: Any) -> Any:
    return world.chair_a


@pytest.fixture
def draft(fund: Any, chair: Any) -> Any:
    return build_draft(fund, chair)


def benefit(version: Any, code: str) -> BenefitType:
    return BenefitType.objects.get(version=version, code=code)


def resave(version: Any, chair: Any, which: str, **changes: Any) -> None:
    """Change fields of one of the draft's benefits (``tiers`` / ``limits`` replace the rows)."""
    b = benefit(version, which)
    data = svc.benefit_data(b)
    data.update(changes)
    svc.benefit_save(version=version, actor=chair, data=data, benefit=b)


def problems_of(version: Any) -> str:
    return "\n".join(svc.validate(version))


# ------------------------------------------------------------------ the example as written


def test_example_regulation_is_valid_and_adopted_by_its_resolution(draft: Any, chair: Any) -> None:
    assert svc.validate(draft) == []
    adopted = adopt(draft, chair)
    assert adopted.state == VersionState.ADOPTED
    assert adopted.adopted_by == chair
    assert adopted.resolution_no == "3/2568"
    assert adopted.number == 1


def test_hospital_benefit_reads_as_one_plain_thai_sentence(draft: Any) -> None:
    assert svc.benefit_sentence(benefit(draft, "hospital")) == HOSPITAL_SENTENCE


def test_death_benefit_sentence_spells_out_every_tenure_tier(draft: Any) -> None:
    text = svc.benefit_sentence(benefit(draft, "death"))
    assert text.startswith("ค่าทำศพสมาชิกเสียชีวิต จ่ายตามอายุการเป็นสมาชิก: ไม่ถึง 270 วัน ไม่ได้รับ;")
    assert "ครบ 270 วัน แต่ไม่ถึง 1 ปี 2,000 บาท" in text
    assert "ครบ 6 ปี แต่ไม่ถึง 10 ปี 12,000 บาท" in text
    assert text.endswith(
        "ครบ 10 ปีขึ้นไป 15,000 บาท และเพิ่มปีละ 300 บาทสำหรับทุกปีเต็มที่เกิน 10 ปี รวมไม่เกิน 25,000 บาท"
    )
    assert "จ่ายให้ผู้รับผลประโยชน์ที่สมาชิกระบุไว้" in svc.benefit_details(benefit(draft, "death"))


def test_elderly_and_scholarship_sentences_name_their_conditions(draft: Any) -> None:
    elderly = benefit(draft, "elderly")
    assert svc.benefit_sentence(elderly) == ("เบี้ยยังชีพผู้สูงอายุ ปีละ 300 บาท มีสิทธิ์เมื่อเป็นสมาชิกครบ 2 ปี")
    details = svc.benefit_details(elderly)
    assert "เฉพาะสมาชิกอายุ 60 ปีขึ้นไป ณ วันที่เกิดเหตุ" in details
    assert any("ในเดือนมกราคม" in d for d in details)
    scholarship = benefit(draft, "scholarship")
    assert svc.benefit_sentence(scholarship) == (
        "ทุนการศึกษาบุตรสมาชิก ครั้งละ 400 บาท ไม่เกิน 1 ครั้งต่อปีที่เริ่มเดือนพฤษภาคม"
    )
    assert "เฉพาะสมาชิกประเภทเด็กและเยาวชน ณ วันที่เกิดเหตุ" in svc.benefit_details(scholarship)


# ------------------------------------------------------------------ contradictions listed by validate


def test_overlapping_tiers_are_a_problem(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"]
    tiers[3] = tier(2, "years", 6, "years", "8000")  # starts before tier 3 ends (3 years)
    resave(draft, chair, "death", tiers=tiers)
    assert "ค่าทำศพสมาชิกเสียชีวิต: ขั้นซ้อนกัน: ขั้นที่ 3 ถึงก่อน 3 ปี แต่ขั้นที่ 4 เริ่มแล้วตั้งแต่ 2 ปี" in (
        problems_of(draft)
    )


def test_a_gap_between_tiers_is_a_problem(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"]
    tiers[3] = tier(4, "years", 6, "years", "8000")
    resave(draft, chair, "death", tiers=tiers)
    assert "ช่องว่างระหว่างขั้น: ขั้นที่ 3 สิ้นสุดก่อน 3 ปี แต่ขั้นที่ 4 เริ่ม 4 ปี" in problems_of(draft)


def test_a_missing_first_tier_is_a_problem_unless_the_waiting_period_covers_it(
    draft: Any, chair: Any
) -> None:
    tiers = example_benefits()[2]["tiers"][1:]  # starts at 270 days
    resave(draft, chair, "death", tiers=tiers)
    assert "ขั้นที่ 1 เริ่มที่ 270 วัน" in problems_of(draft)
    resave(draft, chair, "death", tiers=tiers, waiting_n=270, waiting_unit="days")
    assert svc.validate(draft) == []


def test_tiers_without_an_open_top_are_a_problem(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"][:-1]
    resave(draft, chair, "death", tiers=tiers)
    assert "ไม่มีขั้นบนสุด: ขั้นสุดท้ายสิ้นสุดก่อน 10 ปี" in problems_of(draft)


def test_an_open_tier_below_another_tier_is_a_problem(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"]
    tiers[4] = tier(6, "years", None, "years", "12000")
    resave(draft, chair, "death", tiers=tiers)
    assert "ขั้นที่ 5 ไม่มี “ถึงก่อน” (ขั้นบนสุด) แต่ยังมีขั้นที่ 6" in problems_of(draft)


def test_tiers_meeting_in_different_units_are_a_problem(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"]
    tiers[1] = tier(270, "days", 365, "days", "2000")  # the next tier starts at 1 year
    resave(draft, chair, "death", tiers=tiers)
    assert "ต่างหน่วยกัน" in problems_of(draft)


def test_twelve_months_meet_one_year_exactly(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"]
    tiers[1] = tier(270, "days", 12, "months", "2000")
    resave(draft, chair, "death", tiers=tiers)
    assert svc.validate(draft) == []


@pytest.mark.parametrize(
    ("code", "changes", "expected"),
    [
        ("hospital", {"unit_name": ""}, "ค่ารักษาพยาบาล: หน่วย: ต้องระบุเมื่อจ่ายต่อหน่วย"),
        ("elderly", {"run_month": None}, "เดือนที่จ่าย (รอบปี): สวัสดิการที่จ่ายเป็นรอบปีต้องระบุเดือนที่จ่าย"),
        ("birth", {"run_month": 3}, "เดือนที่จ่าย (รอบปี): ใช้เฉพาะสวัสดิการที่จ่ายเป็นรอบปีละครั้ง"),
        (
            "scholarship",
            {"limits": [{"measure": "units", "period": "fiscal", "maximum": D("2")}]},
            "จำกัดจำนวนหน่วยได้เฉพาะสวัสดิการที่จ่ายต่อหน่วย",
        ),
        (
            "scholarship",
            {"limits": [{"measure": "count", "period": "event", "maximum": D("1")}]},
            "จำนวนครั้งต่อครั้งไม่มีความหมาย",
        ),
        (
            "scholarship",
            {"limits": [{"measure": "amount", "period": "event", "maximum": D("300")}]},
            "เพดาน 300 บาท น้อยกว่าจำนวนเงินที่จ่ายต่อครั้ง 400 บาท",
        ),
        (
            "scholarship",
            {"limits": [{"measure": "count", "period": "fiscal", "start_month": 5, "maximum": 1}]},
            "ใส่เดือนเริ่มปีได้เฉพาะเมื่อนับปีจากเดือนที่กำหนด",
        ),
        (
            "scholarship",
            {"max_age": 18, "waiting_n": 20, "waiting_unit": "years"},
            "ระยะรอสิทธิ์: รอ 20 ปี นานกว่าอายุสูงสุด 18 ปี ไม่มีใครได้รับสิทธิ์",
        ),
        ("death", {"tiers": []}, "ขั้นตามอายุสมาชิก: ยังไม่มีขั้นเลย"),
        (
            "birth",
            {"tiers": [tier(0, "days", None, "years", "100")]},
            "มีขั้นตามอายุสมาชิก 1 ขั้น แต่วิธีคิดจำนวนเงินเป็น",
        ),
        ("death", {"amount": D("5000")}, "ให้ลบจำนวนเงิน 5,000 บาทออก"),
        ("birth", {"standing": "arrears_within"}, "ค้างชำระได้ไม่เกิน (วัน): ต้องระบุ"),
        ("birth", {"standing_arrears_days": 30}, "ค้างชำระได้ไม่เกิน (วัน): ใช้เฉพาะเมื่อเลือก"),
        (
            "elderly",
            {"amount_kind": "per_unit", "unit_name": "คน"},
            "สวัสดิการที่จ่ายเป็นรอบไม่มีจำนวนหน่วยให้คิด",
        ),
        ("hospital", {"name": "ค่าคลอดบุตร"}, "ชื่อสวัสดิการ: ซ้ำกับสวัสดิการรหัส “birth”"),
    ],
)
def test_contradictions_in_one_benefit_are_listed_in_thai_naming_the_benefit(
    draft: Any, chair: Any, code: str, changes: dict[str, Any], expected: str
) -> None:
    resave(draft, chair, code, **changes)
    assert expected in problems_of(draft)


def test_tier_maximum_below_its_amount_is_a_problem(draft: Any, chair: Any) -> None:
    tiers = example_benefits()[2]["tiers"]
    tiers[5]["max_amount"] = D("10000")
    resave(draft, chair, "death", tiers=tiers)
    assert "ขั้นที่ 6: “ไม่เกิน” 10,000 บาท น้อยกว่าจำนวนเงินของขั้น 15,000 บาท" in problems_of(draft)


def test_a_version_without_benefits_cannot_be_adopted(fund: Any, chair: Any) -> None:
    version = build_draft(fund, chair, benefits=[])
    assert svc.validate(version) == ["ระเบียบยังไม่มีสวัสดิการเลย ต้องมีอย่างน้อยหนึ่งประเภท"]


# ------------------------------------------------------------------ refused at once (cannot be stored)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": None}, "amount", "จำนวนเงิน (บาท): ต้องระบุเมื่อจ่ายจำนวนเงินต่อหน่วย"),
        ({"amount": D("0")}, "amount", "จำนวนเงิน (บาท): ต้องมากกว่าศูนย์"),
        ({"amount": "1.234"}, "amount", "จำนวนเงิน (บาท): ใส่ได้ถึงทศนิยม 2 ตำแหน่ง"),
        ({"category": "17"}, "category", "หมวดตามรายงานระดับชาติ: ไม่รู้จักหมวด “17”"),
        ({"min_age": 70, "max_age": 60}, "max_age", "อายุไม่เกิน (ปี): ต้องไม่น้อยกว่าอายุตั้งแต่ (70 ปี)"),
        ({"run_month": 13}, "run_month", "เดือนที่จ่าย (รอบปี): ต้องไม่เกิน 12"),
        ({"code": "birth"}, "code", "รหัสสวัสดิการ: “birth” ใช้กับสวัสดิการอื่นในฉบับนี้แล้ว"),
        ({"code": "ค่ารักษา"}, "code", "รหัสสวัสดิการ: ใช้ได้เฉพาะอักษรอังกฤษตัวเล็ก"),
        ({"payee": "heir"}, "payee", "ผู้รับเงิน: ไม่รู้จักค่า “heir”"),
        ({"member_types": ["monk"]}, "member_types", "ประเภทสมาชิกที่มีสิทธิ์: ไม่รู้จักประเภท “monk”"),
        (
            {"tiers": [tier(0, "years", 5, "years", "100", step_amount=D("10"))]},
            "tiers",
            "ขั้นที่ 1 · เพิ่มต่อปีเต็มที่เกิน: ใช้ได้เฉพาะขั้นบนสุดที่ไม่มี “ถึงก่อน”",
        ),
        (
            {"tiers": [tier(0, "years", None, "years", "-1")]},
            "tiers",
            "ขั้นที่ 1 · จำนวนเงิน (บาท): ต้องไม่ติดลบ",
        ),
        (
            {"limits": [{"measure": "count", "period": "year_from", "maximum": D("1")}]},
            "limits",
            "เพดานที่ 1 · เดือนเริ่มปี: ต้องระบุเมื่อนับปีจากเดือนที่กำหนด",
        ),
        (
            {
                "limits": [
                    {"measure": "units", "period": "event", "maximum": D("5")},
                    {"measure": "units", "period": "event", "maximum": D("7")},
                ]
            },
            "limits",
            "เพดานที่ 2: ซ้ำกับเพดานก่อนหน้า",
        ),
        (
            {"limits": [{"measure": "units", "period": "event", "maximum": D("0")}]},
            "limits",
            "เพดานที่ 1 · ไม่เกิน: ต้องมากกว่าศูนย์",
        ),
    ],
)
def test_benefit_save_refuses_what_cannot_be_stored_naming_the_field(
    draft: Any, chair: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    b = benefit(draft, "hospital")
    before = svc.benefit_data(b)
    with pytest.raises(ValidationError) as exc:
        resave(draft, chair, "hospital", **changes)
    assert any(m.startswith(message) for m in exc.value.message_dict[field]), exc.value.message_dict
    b.refresh_from_db()
    assert svc.benefit_data(b) == before  # nothing half saved


def test_new_benefits_are_numbered_in_order_and_keep_their_tiers_and_limits(draft: Any) -> None:
    orders = list(BenefitType.objects.filter(version=draft).values_list("code", "order"))
    assert orders == [
        ("birth", 1),
        ("hospital", 2),
        ("death", 3),
        ("elderly", 4),
        ("scholarship", 5),
    ]
    assert BenefitTier.objects.filter(benefit__version=draft).count() == 6
    assert BenefitLimit.objects.filter(benefit__version=draft).count() == 4


def test_deleting_a_benefit_removes_its_tiers(draft: Any, chair: Any) -> None:
    svc.benefit_delete(benefit=benefit(draft, "death"), actor=chair)
    assert not BenefitType.objects.filter(version=draft, code="death").exists()
    assert BenefitTier.objects.filter(benefit__version=draft).count() == 0


# ------------------------------------------------------------------ adoption


def test_adopt_refuses_an_invalid_draft_listing_every_problem(draft: Any, chair: Any) -> None:
    resave(draft, chair, "hospital", unit_name="")
    resave(draft, chair, "elderly", run_month=None)
    with pytest.raises(ValidationError) as exc:
        adopt(draft, chair)
    messages = exc.value.message_dict["__all__"]
    assert messages[0] == "ประกาศใช้ไม่ได้ ระเบียบยังมีปัญหา 2 ข้อ:"
    assert any(m.startswith("ค่ารักษาพยาบาล: หน่วย") for m in messages)
    assert any(m.startswith("เบี้ยยังชีพผู้สูงอายุ: เดือนที่จ่าย") for m in messages)
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT
    assert draft.resolution_meeting == ""


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"resolution_meeting": ""}, "resolution_meeting", "มติที่ประชุม: ต้องระบุ"),
        ({"resolution_date": None}, "resolution_date", "วันที่ประชุม: ต้องระบุ"),
        (
            {"resolution_date": dt.date.today() + dt.timedelta(days=3)},
            "resolution_date",
            "วันที่ประชุม: ต้องไม่เป็นวันในอนาคต",
        ),
    ],
)
def test_adopt_needs_the_resolution(
    draft: Any, chair: Any, kw: dict[str, Any], field: str, message: str
) -> None:
    args = {
        "resolution_meeting": "ที่ประชุมใหญ่",
        "resolution_date": RESOLVED,
        "resolution_no": "1/2568",
        **kw,
    }
    with pytest.raises(ValidationError) as exc:
        svc.version_adopt(version=draft, actor=chair, **args)
    assert exc.value.message_dict[field][0].startswith(message)
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_adopted_version_can_never_be_edited(draft: Any, chair: Any) -> None:
    adopt(draft, chair)
    b = benefit(draft, "hospital")
    attempts = [
        lambda: svc.version_update(version=draft, actor=chair, title="แก้"),
        lambda: svc.benefit_save(version=draft, actor=chair, data=svc.benefit_data(b), benefit=b),
        lambda: svc.benefit_save(version=draft, actor=chair, data=example_benefits()[0]),
        lambda: svc.benefit_delete(benefit=b, actor=chair),
        lambda: svc.version_delete_draft(version=draft, actor=chair),
        lambda: adopt(draft, chair),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "ประกาศใช้แล้ว แก้ไขหรือลบไม่ได้" in exc.value.messages[0]
    assert BenefitType.objects.filter(version=draft).count() == 5


def test_one_adopted_version_per_effective_date_but_an_earlier_date_is_allowed(
    draft: Any, chair: Any, fund: Any
) -> None:
    adopt(draft, chair)
    same_day = build_draft(fund, chair)
    with pytest.raises(ValidationError) as exc:
        adopt(same_day, chair)
    assert exc.value.message_dict["effective_from"][0].startswith(
        "วันที่มีผลบังคับใช้: ระเบียบฉบับที่ 1 ประกาศใช้แล้วโดยมีผลวันที่ 1 ตุลาคม พ.ศ. 2568"
    )
    svc.version_update(version=same_day, actor=chair, effective_from=dt.date(2024, 10, 1))
    assert adopt(same_day, chair).state == VersionState.ADOPTED


def test_the_database_holds_one_adopted_version_per_date_too(
    draft: Any, chair: Any, fund: Any
) -> None:
    from django.db import IntegrityError, transaction

    adopt(draft, chair)
    other = build_draft(fund, chair, benefits=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        RegulationVersion.objects.filter(pk=other.pk).update(
            state="adopted", resolution_meeting="x", resolution_date=RESOLVED
        )


def test_a_race_for_the_same_effective_date_ends_in_a_thai_refusal(
    draft: Any, chair: Any, fund: Any, monkeypatch: Any
) -> None:
    other = build_draft(fund, chair)
    real_validate = svc.validate

    def other_adopted_meanwhile(version: Any) -> list[str]:
        # another committee member adopts the other draft between the check and the save
        RegulationVersion.objects.filter(pk=other.pk).update(
            state="adopted", resolution_meeting="ที่ประชุมใหญ่", resolution_date=RESOLVED
        )
        return real_validate(version)

    monkeypatch.setattr(svc, "validate", other_adopted_meanwhile)
    with pytest.raises(ValidationError) as exc:
        adopt(draft, chair)
    assert exc.value.message_dict["effective_from"][0].startswith(
        "วันที่มีผลบังคับใช้: มีระเบียบที่ประกาศใช้แล้วซึ่งมีผลวันเดียวกัน"
    )
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


# ------------------------------------------------------------------ drafts


def test_a_copy_carries_every_benefit_tier_and_limit_and_changes_apart(
    draft: Any, chair: Any, fund: Any
) -> None:
    adopt(draft, chair)
    amended = svc.version_create_draft(
        fund=fund,
        actor=chair,
        title="ระเบียบ (ฉบับแก้ไข)",
        effective_from=dt.date(2026, 10, 1),
        based_on=draft,
    )
    assert amended.number == 2
    assert amended.based_on == draft
    assert amended.preamble == draft.preamble
    old = [svc.benefit_data(b) for b in draft.benefits.order_by("order")]
    new = [svc.benefit_data(b) for b in amended.benefits.order_by("order")]
    assert new == old
    resave(amended, chair, "hospital", amount=D("200"))
    assert benefit(draft, "hospital").amount == D("150")
    assert benefit(amended, "hospital").amount == D("200")


def test_a_copy_must_come_from_the_same_fund(draft: Any, world: Any, person_factory: Any) -> None:
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.funds.services import fund_create

    role_assign(
        user=world.chair_a, org_unit=world.fund_b, role=Role.CHAIR, start_date=dt.date(2024, 1, 1)
    )
    both = get_user_model().objects.get(pk=world.chair_a.pk)  # roles are read once per user object
    other = fund_create(actor=both, org_unit=world.fund_b)
    with pytest.raises(ValidationError) as exc:
        svc.version_create_draft(
            fund=other, actor=both, title="x", effective_from=EFFECTIVE, based_on=draft
        )
    assert "based_on" in exc.value.message_dict


def test_deleting_a_draft_keeps_the_lineage_of_drafts_copied_from_it(
    draft: Any, chair: Any, fund: Any
) -> None:
    adopt(draft, chair)
    middle = svc.version_create_draft(
        fund=fund, actor=chair, title="กลาง", effective_from=dt.date(2026, 1, 1), based_on=draft
    )
    last = svc.version_create_draft(
        fund=fund, actor=chair, title="ล่าสุด", effective_from=dt.date(2026, 2, 1), based_on=middle
    )
    svc.version_delete_draft(version=middle, actor=chair)
    last.refresh_from_db()
    assert last.based_on == draft
    assert not RegulationVersion.objects.filter(pk=middle.pk).exists()


def test_header_needs_a_title_and_a_date(fund: Any, chair: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.version_create_draft(fund=fund, actor=chair, title=" ", effective_from=None)  # type: ignore[arg-type]
    assert exc.value.message_dict["title"] == ["ชื่อระเบียบ: ต้องระบุ"]
    assert exc.value.message_dict["effective_from"] == ["วันที่มีผลบังคับใช้: ต้องระบุ"]


@pytest.mark.parametrize("who", ["registrar_a", "officer_b", "expired"])
def test_only_those_who_manage_the_regulation_of_this_fund_may_write(
    draft: Any, world: Any, fund: Any, who: str
) -> None:
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        svc.version_create_draft(fund=fund, actor=user, title="x", effective_from=EFFECTIVE)
    with pytest.raises(PermissionDenied):
        svc.benefit_save(version=draft, actor=user, data=example_benefits()[0])
    with pytest.raises(PermissionDenied):
        adopt(draft, user)
    with pytest.raises(PermissionDenied):
        svc.approval_rules_set(fund=fund, actor=user, rules=[(0, 1, [Role.CHAIR])])


# ------------------------------------------------------------------ approval rules


def test_approval_rules_replace_the_funds_rules(fund: Any, chair: Any) -> None:
    svc.approval_rules_set(fund=fund, actor=chair, rules=[(0, 1, [Role.CHAIR])])
    svc.approval_rules_set(
        fund=fund,
        actor=chair,
        rules=[("5,000", 3, [Role.CHAIR, Role.COMMITTEE]), (0, 2, [Role.TREASURER, Role.CHAIR])],
    )
    rows = list(
        ApprovalRule.objects.filter(fund=fund).values_list("min_amount", "approvals", "roles")
    )
    assert rows == [
        (D("0.00"), 2, ["chair", "treasurer"]),
        (D("5000.00"), 3, ["chair", "committee"]),
    ]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([(0, 0, [Role.CHAIR])], "เกณฑ์ที่ 1 · จำนวนผู้อนุมัติ: ต้องไม่น้อยกว่า 1"),
        ([(0, 1, [])], "เกณฑ์ที่ 1 · บทบาทที่อนุมัติได้: ต้องเลือกอย่างน้อยหนึ่งบทบาท"),
        ([(0, 1, [Role.REGISTRAR])], "เกณฑ์ที่ 1 · บทบาทที่อนุมัติได้: “ฝ่ายทะเบียน” ไม่มีสิทธิ์อนุมัติ"),
        ([(0, 1, ["pope"])], "“pope” ไม่มีสิทธิ์อนุมัติ"),
        ([(0, 1, [Role.CHAIR]), ("0.00", 2, [Role.CHAIR])], "เกณฑ์ที่ 2 · ยอดเงินตั้งแต่ (บาท): 0 บาท ซ้ำ"),
        ([(100, 1, [Role.CHAIR])], "ยอดเงินตั้งแต่: เกณฑ์แรกต้องเริ่มที่ 0 บาท"),
        ([(0, 2, [Role.CHAIR]), (1000, 1, [Role.CHAIR])], "จำนวนผู้อนุมัติ: ยอดตั้งแต่ 1,000 บาท"),
        ([(-5, 1, [Role.CHAIR])], "เกณฑ์ที่ 1 · ยอดเงินตั้งแต่ (บาท): ต้องไม่ติดลบ"),
    ],
)
def test_approval_rules_are_checked(fund: Any, chair: Any, rules: Any, message: str) -> None:
    svc.approval_rules_set(fund=fund, actor=chair, rules=[(0, 1, [Role.CHAIR])])
    with pytest.raises(ValidationError) as exc:
        svc.approval_rules_set(fund=fund, actor=chair, rules=rules)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert ApprovalRule.objects.filter(fund=fund).count() == 1  # the old rules stay


# ------------------------------------------------------------------ YAML and JSON files


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_export_import_export_round_trip_is_identical(
    draft: Any, chair: Any, fund: Any, kind: str
) -> None:
    resave(draft, chair, "hospital", amount=D("150.50"), description="นอนโรงพยาบาลรัฐ\nบรรทัดสอง")
    export = rio.export_yaml if kind == "yaml" else rio.export_json
    first = export(draft)
    result = rio.regulation_import(fund=fund, actor=chair, content=first.encode(), kind=kind)
    assert result.errors == []
    assert result.version is not None and result.version.pk != draft.pk
    assert result.version.state == VersionState.DRAFT
    assert export(result.version) == first


def test_yaml_export_is_readable_thai_with_english_keys_in_a_stable_order(draft: Any) -> None:
    text = rio.export_yaml(draft)
    assert "ค่ารักษาพยาบาล" in text and "\\u0e04" not in text
    data = yaml.safe_load(text)
    assert list(data) == [
        "format",
        "format_version",
        "title",
        "effective_from",
        "preamble",
        "benefits",
    ]
    assert data["effective_from"] == "2025-10-01"
    hospital = data["benefits"][1]
    assert list(hospital)[:3] == ["code", "name", "category"]
    assert hospital["amount"] == 150 and hospital["category"] == "02"
    assert hospital["limits"] == [
        {"measure": "units", "period": "event", "start_month": None, "maximum": 5},
        {"measure": "units", "period": "fiscal", "start_month": None, "maximum": 15},
    ]
    assert json.loads(rio.export_json(draft)) == data


def _doc(draft: Any) -> dict[str, Any]:
    return yaml.safe_load(rio.export_yaml(draft))


def _import(fund: Any, chair: Any, doc: Any, **kw: Any) -> rio.ImportResult:
    return rio.regulation_import(
        fund=fund, actor=chair, content=yaml.safe_dump(doc, allow_unicode=True).encode(), **kw
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["benefits"][2]["tiers"][0].update(amount="ไม่ทราบ"),
            "สวัสดิการ[3].ขั้น[1].จำนวนเงิน: ต้องเป็นตัวเลข",
        ),
        (
            lambda d: d["benefits"][1]["limits"][1].update(period="weekly"),
            "สวัสดิการ[2].เพดาน[2].ช่วงเวลา: ไม่รู้จักค่า “weekly”",
        ),
        (lambda d: d["benefits"][0].update(category="99"), "สวัสดิการ[1].หมวด: ไม่รู้จักหมวด “99”"),
        (lambda d: d["benefits"][0].update(amount=None), "สวัสดิการ[1].จำนวนเงิน: ต้องระบุ"),
        (lambda d: d["benefits"][0].update(colour="red"), "สวัสดิการ[1].colour: ไม่รู้จักช่อง “colour”"),
        (lambda d: d["benefits"][1].update(code="birth"), "สวัสดิการ[2].รหัส: “birth” ซ้ำกับสวัสดิการ[1]"),
        (
            lambda d: d["benefits"][3].update(min_age=70, max_age=60),
            "สวัสดิการ[4].อายุไม่เกิน: ต้องไม่น้อยกว่า",
        ),
        (lambda d: d["benefits"][0].update(tiers="many"), "สวัสดิการ[1].ขั้น: ต้องเป็นรายการ"),
        (lambda d: d["benefits"].append("hello"), "สวัสดิการ[6]: ต้องเป็นชุดข้อมูลของสวัสดิการ"),
        (lambda d: d.update(effective_from="31/02/2568"), "วันที่มีผลบังคับใช้:"),
        (lambda d: d.update(title=""), "ชื่อระเบียบ: ต้องระบุ"),
        (lambda d: d.update(format="something-else"), "format: ต้องเป็น “chumchon.regulation”"),
        (lambda d: d.update(format_version=9), "format_version: ระบบนี้อ่านได้ถึงรุ่น 1"),
    ],
)
def test_a_bad_file_is_refused_whole_with_thai_errors_naming_the_path(
    draft: Any, chair: Any, fund: Any, change: Any, message: str
) -> None:
    doc = _doc(draft)
    change(doc)
    before = RegulationVersion.objects.count(), BenefitType.objects.count()
    result = _import(fund, chair, doc)
    assert result.version is None
    assert any(e.startswith(message) for e in result.errors), result.errors
    assert (RegulationVersion.objects.count(), BenefitType.objects.count()) == before


def test_every_error_of_a_file_is_reported_at_once(draft: Any, chair: Any, fund: Any) -> None:
    doc = _doc(draft)
    doc["benefits"][0]["amount"] = "x"
    doc["benefits"][4]["limits"][0]["maximum"] = -1
    result = _import(fund, chair, doc)
    assert "สวัสดิการ[1].จำนวนเงิน: ต้องเป็นตัวเลข" in result.errors
    assert "สวัสดิการ[5].เพดาน[1].ไม่เกิน: ต้องมากกว่าศูนย์" in result.errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title: [unclosed\n  benefits: x", "อ่านไฟล์ YAML ไม่ได้ บรรทัดที่"),
        (b'{"title": "x",}', "อ่านไฟล์ JSON ไม่ได้ บรรทัดที่ 1"),
        ("ระเบียบ".encode("cp874"), "อ่านไฟล์ไม่ได้: ต้องเป็นข้อความ UTF-8"),
        (b"   ", "ไฟล์ว่างเปล่า"),
        (b"- a\n- b\n", "ไฟล์ต้องเป็นชุดข้อมูลที่มี title"),
    ],
)
def test_an_unreadable_file_is_refused(fund: Any, chair: Any, content: bytes, message: str) -> None:
    result = rio.regulation_import(fund=fund, actor=chair, content=content)
    assert result.errors and result.errors[0].startswith(message), result.errors
    assert not RegulationVersion.objects.exists()


def test_thai_labels_and_be_dates_are_read_as_codes(draft: Any, chair: Any, fund: Any) -> None:
    doc = _doc(draft)
    doc["effective_from"] = "1/10/2569"
    doc["benefits"][2]["payee"] = "ผู้รับผลประโยชน์ที่สมาชิกระบุ"
    doc["benefits"][1]["amount_kind"] = "จำนวนเงินต่อหน่วย (เช่น ต่อคืน ต่อคน)"
    doc["benefits"][1]["limits"][1]["period"] = "ต่อปีบัญชีของกองทุน"
    doc["benefits"][0]["category"] = "เกิด/คลอดบุตร"
    doc["benefits"][4]["member_types"] = ["เด็กและเยาวชน"]
    result = _import(fund, chair, doc)
    assert result.errors == []
    assert result.version.effective_from == dt.date(2026, 10, 1)
    again = _doc(result.version)
    again["effective_from"] = "2025-10-01"
    assert again == _doc(draft)


def test_a_dry_run_reports_but_writes_nothing(draft: Any, chair: Any, fund: Any) -> None:
    doc = _doc(draft)
    doc["benefits"][3]["run_month"] = None
    before = RegulationVersion.objects.count(), BenefitType.objects.count()
    result = _import(fund, chair, doc, dry_run=True)
    assert result.errors == [] and result.version is None
    assert result.problems == ["เบี้ยยังชีพผู้สูงอายุ: เดือนที่จ่าย (รอบปี): สวัสดิการที่จ่ายเป็นรอบปีต้องระบุเดือนที่จ่าย"]
    assert HOSPITAL_SENTENCE in result.sentences
    assert (RegulationVersion.objects.count(), BenefitType.objects.count()) == before
    real = _import(fund, chair, doc)
    assert real.version is not None and real.problems == result.problems


def test_an_import_always_makes_a_new_draft_with_the_next_number(
    draft: Any, chair: Any, fund: Any
) -> None:
    adopt(draft, chair)
    result = rio.regulation_import(
        fund=fund,
        actor=chair,
        content=rio.export_json(draft),
        title="ฉบับนำเข้า",
        effective_from=dt.date(2026, 10, 1),
    )
    assert result.version.number == 2
    assert result.version.title == "ฉบับนำเข้า"
    draft.refresh_from_db()
    assert draft.state == VersionState.ADOPTED


def test_import_needs_the_permission(draft: Any, world: Any, fund: Any) -> None:
    with pytest.raises(PermissionDenied):
        rio.regulation_import(fund=fund, actor=world.registrar_a, content=rio.export_yaml(draft))


def test_example_data_is_not_shared_between_tests() -> None:
    a = example_benefits()
    b = copy.deepcopy(a)
    a[0]["limits"].clear()
    assert example_benefits() == b


def test_the_shared_example_regulation_is_valid_and_round_trips(
    regulation: Any, fund: Any, chair: Any
) -> None:
    """``benefits.example`` (used by the demo and the engine tests) passes the same checks."""
    assert svc.validate(regulation) == []
    text = rio.export_yaml(regulation)
    result = rio.regulation_import(fund=fund, actor=chair, content=text)
    assert result.errors == [] and result.problems == []
    assert rio.export_yaml(result.version) == text
