"""Tenancy matrix entries of the Excel import and export screens (see test_tenancy_matrix.py).

The import screens name an upload of fund A: ``_upload`` keeps a small members file for fund
A (one new member with one month paid) the way the upload screen does, and returns its token.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from chumchon.core.thai import national_id_check_digit

NEW_ID = "110020003000"


def members_file() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "สมาชิก"
    ws.append(["เลขที่สมาชิก", "ชื่อ-สกุล", "เลขบัตรประชาชน", "วันที่สมัคร", "ม.ค. 68"])
    nid = NEW_ID + str(national_id_check_digit(NEW_ID))
    ws.append([2, "นายนำเข้า ทดลองระบบ", nid, "01/01/2568", 30])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(a: Any) -> str:
    from chumchon.funds import importing

    up = importing.upload_save(
        fund=a.fund,
        content=members_file(),
        file_name="matrix.xlsx",
        kind="members",
        user=a.world.chair_a,
    )
    return up.token


def _refused_upload(a: Any) -> str:
    """An upload whose background commit was refused (the status page shows why)."""
    from chumchon.funds import importing

    token = _upload(a)
    up = importing.upload_get(a.fund, token)
    assert up is not None
    importing.upload_set_job(up, state="refused", message="ยังมีข้อผิดพลาด", errors=["แถว 2"])
    return token


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "import_start": Entry(
            args=lambda a: [a.fund.pk],
            post=lambda a: {
                "kind": "members",
                "file": SimpleUploadedFile("members.xlsx", members_file()),
            },
        ),
        "import_preview": Entry(
            args=lambda a: [a.fund.pk, _upload(a)],
            post=lambda a: {"kind-0": "members", "col-0-0": "member_no"},
        ),
        "import_errors": Entry(args=lambda a: [a.fund.pk, _upload(a)], binary=True),
        "import_commit": Entry(
            args=lambda a: [a.fund.pk, _upload(a)], post=lambda a: {}, get=False
        ),
        "import_status": Entry(args=lambda a: [a.fund.pk, _refused_upload(a)]),
        "export_xlsx": Entry(args=lambda a: [a.fund.pk, "members"], binary=True),
    }
