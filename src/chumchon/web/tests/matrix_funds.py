"""Tenancy matrix entries of the fund setup and member screens (``web/views_funds.py``).

Each entry aims its URL at fund A's records (see ``test_tenancy_matrix.FundA``); the POST data
is a working request for fund A's chair (a 302 and a change in the database).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

NEW_FUND_UNIT = "กองทุนสวัสดิการชุมชนเทศบาลตำบลทดสอบ"


def _unit_without_books(a: Any) -> Any:
    """A tambon-level unit in fund A's tambon with no books yet, chaired by fund A's chair."""
    from chumchon.areas.models import OrgUnit, OrgUnitKind
    from chumchon.areas.services import org_unit_create, role_assign
    from chumchon.core.permissions import Role

    unit = OrgUnit.objects.filter(name=NEW_FUND_UNIT).first()
    if unit is None:
        unit = org_unit_create(
            name=NEW_FUND_UNIT,
            kind=OrgUnitKind.FUND,
            parent=a.world.district,
            subdistrict=a.world.fund_a.subdistrict,
        )
        role_assign(
            user=a.world.chair_a, org_unit=unit, role=Role.CHAIR, start_date=dt.date(2024, 1, 1)
        )
    return unit


def _applicant(a: Any) -> Any:
    """An application of fund A waiting for the chair (the fund's approver)."""
    from chumchon.funds import services as fs
    from chumchon.funds.models import Membership

    m = Membership.objects.filter(fund=a.fund, person=a.person_a2, state="applied").first()
    if m is None:
        m = fs.member_apply(
            actor=a.world.chair_a,
            fund=a.fund,
            person=a.person_a2,
            org_unit=a.world.group_a2,
            plan=a.fund.plans.get(months=1),
            applied_on=dt.date(2025, 2, 1),
        )
    return m


def _member_whose_death_is_recorded(a: Any) -> Any:
    from chumchon.people.models import Person

    Person.objects.filter(pk=a.person.pk).update(death_date=dt.date(2025, 3, 1))
    return a.membership


def fund_rules_post(**extra: Any) -> dict[str, Any]:
    return {
        "founded_on": "01/01/2563",
        "entry_fee": "30",
        "lapse_rule": "days",
        "lapse_days": "90",
        "lapse_missed_dues": "3",
        "refund_rule": "if_no_benefit",
        "refund_percent": "50",
        "member_approver_role": "chair",
        **extra,
    }


def plan_rows_post() -> dict[str, Any]:
    return {
        "plans-TOTAL_FORMS": "2",
        "plans-INITIAL_FORMS": "0",
        "plans-0-use": "on",
        "plans-0-name": "รายเดือน",
        "plans-0-months": "1",
        "plans-0-amount": "30",
        "plans-1-use": "on",
        "plans-1-name": "รายปี",
        "plans-1-months": "12",
        "plans-1-amount": "365",
    }


def beneficiaries_post(*rows: tuple[str, str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"ben-TOTAL_FORMS": str(max(len(rows), 1)), "ben-INITIAL_FORMS": "0"}
    for i, (name, relation, share) in enumerate(rows):
        data[f"ben-{i}-name"] = name
        data[f"ben-{i}-relation"] = relation
        data[f"ben-{i}-share_percent"] = share
    return data


def apply_post(a: Any, **extra: Any) -> dict[str, Any]:
    return {
        "person": a.person_a2.pk,
        "org_unit": a.world.group_a2.pk,
        "plan": a.fund.plans.get(months=1).pk,
        "applied_on": "01/02/2568",
        "member_type": "general",
        **beneficiaries_post(("สมหญิง คำแก้ว", "บุตร", "100")),
        **extra,
    }


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "fund_list": Entry(names_no_record=True),
        "fund_create": Entry(
            args=lambda a: [_unit_without_books(a).pk],
            post=lambda a: {
                "fiscal_year_start_month": "10",
                **fund_rules_post(),
                **plan_rows_post(),
            },
        ),
        "fund_detail": Entry(args=lambda a: [a.fund.pk]),
        "fund_edit": Entry(
            args=lambda a: [a.fund.pk],
            post=lambda a: fund_rules_post(reason="มติที่ประชุมใหญ่ประจำปี 2568"),
        ),
        "plan_create": Entry(
            args=lambda a: [a.fund.pk],
            post=lambda a: {"name": "รายไตรมาส", "months": "3", "amount": "90"},
        ),
        "plan_edit": Entry(
            args=lambda a: [a.fund.pk, a.fund.plans.get(months=12).pk],
            post=lambda a: {"name": "รายปี (ปิดรับ)", "months": "12", "amount": "365"},
        ),
        "fund_chart": Entry(args=lambda a: [a.fund.pk]),
        "account_create": Entry(
            args=lambda a: [a.fund.pk],
            post=lambda a: {"kind": "expense", "code": "5401", "name": "ค่าของที่ระลึก"},
        ),
        "account_edit": Entry(
            args=lambda a: [a.fund.pk, a.fund.book.accounts.get(code="5299").pk],
            post=lambda a: {"name": "ค่าใช้จ่ายบริหารอื่น ๆ", "active": "on"},
        ),
        "member_list": Entry(
            args=lambda a: [a.fund.pk], query=lambda a: {"group": a.world.group_a1.pk}
        ),
        "member_apply": Entry(
            args=lambda a: [a.fund.pk],
            query=lambda a: {"person": a.person_a2.pk},
            post=lambda a: apply_post(a),
        ),
        "member_detail": Entry(
            args=lambda a: [a.membership.pk], query=lambda a: {"on": "15/01/2568"}
        ),
        "member_approve": Entry(
            args=lambda a: [_applicant(a).pk],
            post=lambda a: {"joined_on": "01/03/2568"},
            get=False,
        ),
        "member_reject": Entry(
            args=lambda a: [_applicant(a).pk],
            post=lambda a: {"reason": "เอกสารไม่ครบ"},
            get=False,
        ),
        "member_resign": Entry(
            args=lambda a: [a.membership.pk],
            post=lambda a: {"date": "31/03/2568", "reason": "ย้ายไปต่างจังหวัด", "method": "cash"},
        ),
        "member_death": Entry(
            args=lambda a: [_member_whose_death_is_recorded(a).pk], post=lambda a: {}
        ),
        "member_move": Entry(
            args=lambda a: [a.membership.pk],
            post=lambda a: {
                "to_unit": a.world.group_a2.pk,
                "date": "01/02/2568",
                "reason": "ย้ายบ้าน",
            },
        ),
        "member_plan": Entry(
            args=lambda a: [a.membership.pk],
            post=lambda a: {"plan": a.fund.plans.get(months=12).pk, "date": "01/02/2568"},
        ),
        "beneficiaries_edit": Entry(
            args=lambda a: [a.membership.pk],
            post=lambda a: beneficiaries_post(
                ("สมหมาย ศรีสมบูรณ์", "คู่สมรส", "60"), ("แดง ศรีสมบูรณ์", "บุตร", "40")
            ),
        ),
    }
