"""The example regulation of domain.md ("กองทุนสวัสดิการชุมชนตำบลตัวอย่าง"), as data.

Used by the demo and by tests: birth 800 per newborn (at most 2 a calendar year, after 90
days); hospital 150 a night (at most 5 nights an admission and 15 a fiscal year, after 90
days); death by tenure tiers paid to the beneficiary; elderly 300 a year, paid each January to
members aged 60+ with 2+ years of membership; scholarship 400 per child member per school year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chumchon.core.thai import be_year
from chumchon.funds.models import Fund

from .models import (
    BenefitLimit,
    BenefitTier,
    BenefitType,
    RegulationVersion,
    VersionState,
)

TITLE = "ระเบียบกองทุนสวัสดิการชุมชนตำบลตัวอย่าง ว่าด้วยการจัดสวัสดิการแก่สมาชิก"

#: (from_n, from_unit, to_n, to_unit, amount, step_amount, max_amount)
DEATH_TIERS: list[tuple[int, str, int | None, str, str, str | None, str | None]] = [
    (0, "days", 270, "days", "0", None, None),
    (270, "days", 1, "years", "2000", None, None),
    (1, "years", 3, "years", "4000", None, None),
    (3, "years", 6, "years", "8000", None, None),
    (6, "years", 10, "years", "12000", None, None),
    (10, "years", None, "years", "15000", "300", "25000"),
]


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def example_regulation(fund: Fund, *, actor: Any, effective_from: dt.date) -> RegulationVersion:
    """Create the example regulation as an adopted version of ``fund`` from ``effective_from``."""
    number = (RegulationVersion.objects.filter(fund=fund).aggregate(n=Max("number"))["n"] or 0) + 1
    year = be_year(effective_from)
    actor_or_none = actor if getattr(actor, "pk", None) else None
    version = RegulationVersion.objects.create(
        fund=fund,
        number=number,
        title=f"{TITLE} พ.ศ. {year}",
        effective_from=effective_from,
        state=VersionState.ADOPTED,
        resolution_meeting="ที่ประชุมใหญ่สามัญประจำปีของสมาชิกกองทุนสวัสดิการชุมชนตำบลตัวอย่าง",
        resolution_date=effective_from - dt.timedelta(days=14),
        resolution_no=f"{number}/{year}",
        preamble=(
            "เพื่อให้การจัดสวัสดิการแก่สมาชิกเป็นไปอย่างเป็นธรรม โปร่งใส และกองทุนดำรงอยู่ได้"
            "อย่างยั่งยืน ที่ประชุมใหญ่ของสมาชิกจึงมีมติให้ออกระเบียบนี้ สมาชิกออมวันละ 1 บาท"
            " (ชำระเป็นรายเดือน 30 บาท รายไตรมาส 90 บาท รายครึ่งปี 180 บาท หรือรายปี 365 บาท)"
            " ค่าสมัคร 20 บาท ผู้ที่ค้างชำระเกิน 60 วันขาดสมาชิกภาพ"
        ),
        created_by=actor_or_none,
        adopted_by=actor_or_none,
        adopted_at=timezone.now(),
    )

    def benefit(order: int, **data: Any) -> BenefitType:
        return BenefitType.objects.create(version=version, order=order, **data)

    birth = benefit(
        1,
        code="birth",
        name="สวัสดิการเกิด (คลอดบุตร)",
        category="01",
        description="สมาชิกคลอดบุตร ได้รับ 800 บาทต่อทารกหนึ่งคน ไม่เกินปีละ 2 คน",
        waiting_n=90,
        waiting_unit="days",
        amount_kind="per_unit",
        amount=Decimal("800"),
        unit_name="คน",
        documents=[
            "สำเนาสูติบัตรของทารก",
            "สำเนาบัตรประจำตัวประชาชนของสมาชิก",
        ],
    )
    BenefitLimit.objects.create(
        benefit=birth, measure="units", period="calendar", maximum=Decimal("2")
    )
    hospital = benefit(
        2,
        code="hospital",
        name="สวัสดิการเจ็บป่วยนอนโรงพยาบาล",
        category="02",
        description=(
            "สมาชิกนอนพักรักษาตัวในโรงพยาบาล ได้รับคืนละ 150 บาท ไม่เกินครั้งละ 5 คืน และไม่เกินปีงบประมาณละ 15 คืน"
        ),
        waiting_n=90,
        waiting_unit="days",
        amount_kind="per_unit",
        amount=Decimal("150"),
        unit_name="คืน",
        documents=[
            "ใบรับรองแพทย์หรือหนังสือรับรองการนอนโรงพยาบาล (ระบุวันที่เข้าและออก)",
            "สำเนาบัตรประจำตัวประชาชนของสมาชิก",
        ],
    )
    BenefitLimit.objects.create(
        benefit=hospital, measure="units", period="event", maximum=Decimal("5")
    )
    BenefitLimit.objects.create(
        benefit=hospital, measure="units", period="fiscal", maximum=Decimal("15")
    )
    death = benefit(
        3,
        code="death",
        name="สวัสดิการเสียชีวิต",
        category="04",
        description=(
            "สมาชิกเสียชีวิต จ่ายแก่ผู้รับผลประโยชน์ที่สมาชิกระบุ ตามอายุการเป็นสมาชิก:"
            " ไม่ถึง 270 วัน ไม่ได้รับ; 270 วันถึงไม่ถึง 1 ปี 2,000 บาท; 1–3 ปี 4,000 บาท;"
            " 3–6 ปี 8,000 บาท; 6–10 ปี 12,000 บาท; 10 ปีขึ้นไป 15,000 บาท"
            " เพิ่มปีละ 300 บาทสำหรับทุกปีเต็มที่เกิน 10 ปี รวมไม่เกิน 25,000 บาท"
        ),
        payee="beneficiary",
        amount_kind="tiered",
        documents=[
            "สำเนาใบมรณบัตร",
            "สำเนาทะเบียนบ้านของสมาชิกที่ประทับตราว่าตาย",
            "สำเนาบัตรประจำตัวประชาชนของผู้รับผลประโยชน์",
        ],
    )
    for from_n, from_unit, to_n, to_unit, amount, step, cap in DEATH_TIERS:
        BenefitTier.objects.create(
            benefit=death,
            from_n=from_n,
            from_unit=from_unit,
            to_n=to_n,
            to_unit=to_unit,
            amount=Decimal(amount),
            step_amount=_d(step),
            max_amount=_d(cap),
        )
    benefit(
        4,
        code="elderly",
        name="สวัสดิการผู้สูงอายุ",
        category="03",
        description=("สมาชิกอายุ 60 ปีขึ้นไปที่เป็นสมาชิกมาแล้วไม่น้อยกว่า 2 ปี ได้รับปีละ 300 บาท จ่ายทุกเดือนมกราคม"),
        waiting_n=2,
        waiting_unit="years",
        amount_kind="fixed",
        amount=Decimal("300"),
        min_age=60,
        recurrence="yearly",
        run_month=1,
        documents=["สำเนาบัตรประจำตัวประชาชนของสมาชิก"],
    )
    scholarship = benefit(
        5,
        code="scholarship",
        name="ทุนการศึกษาบุตรหลานสมาชิก",
        category="08",
        description="สมาชิกประเภทเด็กและเยาวชนที่กำลังศึกษา ได้รับทุนปีการศึกษาละ 400 บาท",
        amount_kind="fixed",
        amount=Decimal("400"),
        member_types=["child"],
        documents=[
            "หนังสือรับรองการเป็นนักเรียนหรือนักศึกษาจากสถานศึกษา",
            "สำเนาบัตรประจำตัวประชาชนหรือสูติบัตรของสมาชิก",
        ],
    )
    BenefitLimit.objects.create(
        benefit=scholarship,
        measure="count",
        period="year_from",
        start_month=5,
        maximum=Decimal("1"),
    )
    return version
