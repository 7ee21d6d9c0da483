"""Tenancy matrix entries of the claim screens (``web/views_claims.py``).

Fund A gets the example regulation, and its member (``a.membership``, joined 1 Jan 2025) a
hospital claim recorded by the registrar: inside the 90-day wait, so it is paid 30 baht on a
written reason (the fund holds 50 baht in cash). The chair approves, pays and reverses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _regulated(a: Any) -> Any:
    from chumchon.benefits.example import example_regulation
    from chumchon.benefits.models import RegulationVersion

    if not RegulationVersion.objects.filter(fund=a.fund).exists():
        example_regulation(a.fund, actor=a.world.chair_a, effective_from=dt.date(2020, 1, 1))
    return a.fund


def _claim(a: Any, *, documents: bool = False) -> Any:
    """Fund A's claim waiting for a decision (recorded by the registrar, not the chair)."""
    from chumchon.benefits import services_claims as svc
    from chumchon.benefits.models import Claim
    from chumchon.benefits.tests.helpers import as_person

    _regulated(a)
    as_person(a.world.chair_a, a.world.fund_a)  # the matrix's chair decides claims
    found = Claim.objects.filter(fund=a.fund, state="submitted").first()
    if found is not None and (found.documents.exists() or not documents):
        return found
    return svc.claim_record(
        actor=a.world.registrar_a,
        membership=a.membership,
        benefit_code="hospital",
        event_date=dt.date(2025, 1, 20),
        event_end=dt.date(2025, 1, 22),
        amount="30",
        override_reason="ทดสอบสิทธิ์ข้ามเขต",
        documents=[("ใบรับรองแพทย์", SimpleUploadedFile("ใบรับรองแพทย์.pdf", PDF))]
        if documents
        else [],
    )


def _approved(a: Any) -> Any:
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.benefits import services_claims as svc
    from chumchon.benefits.tests.helpers import as_person
    from chumchon.core.permissions import Role

    claim = _claim(a)
    user = get_user_model().objects.filter(username="committee_a").first()
    if user is None:
        user = get_user_model().objects.create_user("committee_a", password="x")
        role_assign(
            user=user, org_unit=a.world.fund_a, role=Role.COMMITTEE, start_date=dt.date(2024, 1, 1)
        )
    as_person(user, a.world.fund_a)
    svc.claim_decide(actor=user, claim=claim, decision="approve")
    return claim


def _paid(a: Any) -> Any:
    from chumchon.benefits import services_claims as svc

    claim = _approved(a)
    svc.claim_pay(actor=a.world.chair_a, claim=claim, date=dt.date(2025, 1, 25), method="cash")
    return claim


def _document(a: Any) -> int:
    return int(_claim(a, documents=True).documents.get().pk)


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "claim_list": Entry(
            args=lambda a: [_claim(a).fund_id], query=lambda a: {"state": "submitted"}
        ),
        "claim_create": Entry(
            args=lambda a: [_regulated(a).pk],
            query=lambda a: {"member_pk": a.membership.pk},
            post=lambda a: {
                "member": str(a.membership.member_no),
                "benefit_code": "hospital",
                "event_date": "20/01/2568",
                "event_end": "22/01/2568",
                "idempotency_key": "matrix-claim-create-1",
            },
        ),
        "claim_cash_sheet": Entry(
            args=lambda a: [_paid(a).fund_id],
            query=lambda a: {"date_from": "01/01/2568", "date_to": "31/01/2568"},
            binary=True,
        ),
        "claim_detail": Entry(args=lambda a: [_claim(a).pk]),
        "claim_decide": Entry(
            args=lambda a: [_claim(a).pk], post=lambda a: {"decision": "approve"}, get=False
        ),
        "claim_document_add": Entry(
            args=lambda a: [_claim(a).pk],
            post=lambda a: {
                "doc_type": "สำเนาบัตรประจำตัวประชาชนของสมาชิก",
                "file": SimpleUploadedFile("id.pdf", PDF),
            },
            get=False,
        ),
        "claim_document": Entry(args=lambda a: [_document(a)], binary=True),
        "claim_pay": Entry(
            args=lambda a: [_approved(a).pk],
            post=lambda a: {"date": "25/01/2568", "method": "cash", "bank_ref": ""},
        ),
        "payout_reverse": Entry(
            args=lambda a: [_paid(a).pk], post=lambda a: {"reason": "ทดสอบการกลับรายการ"}
        ),
        "payout_voucher": Entry(args=lambda a: [_paid(a).pk], binary=True),
        "user_people": Entry(
            args=lambda a: [a.world.fund_a.pk],
            query=lambda a: {"q": a.person.first_name},
            post=lambda a: {"user": a.world.registrar_a.pk, "person": a.person.pk},
        ),
    }
