"""The Excel screens as a fund's chair and registrar use them: upload, the preview with the
guessed columns and the dry run's Thai errors, the errors workbook, adjusting the mapping,
commit (refused while errors remain), a second run, and the exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chumchon.areas.services import role_assign
from chumchon.core.permissions import Role
from chumchon.funds import exporting, importing
from chumchon.funds import services as fs
from chumchon.funds.models import ImportBatch, ImportMapping, Membership, Payment
from chumchon.funds.tests.test_importing import (
    ID1,
    member_rows,
    payment_rows,
    valid_id,
    xlsx,
)
from chumchon.ledger.selectors import verify_book
from chumchon.people.models import Person


@pytest.fixture
def fund(world: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=Decimal("20"),
        plans=[("รายเดือน", 1, Decimal("30")), ("รายปี", 12, Decimal("365"))],
    )


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


def data(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def send(client: Any, fund: Any, content: bytes, kind: str = "members", name: str = "ทะเบียน.xlsx"):
    return client.post(
        reverse("import_start", args=[fund.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def token_of(response: Any) -> str:
    assert response.status_code == 302, body(response)
    return str(response["Location"].rstrip("/").split("/")[-1])


def test_upload_shows_columns_summary_and_thai_errors(chair: Any, fund: Any) -> None:
    page = chair.get(reverse("import_start", args=[fund.pk]))
    assert page.status_code == 200
    text = body(page)
    assert "นำเข้าสมาชิกและประวัติการชำระเงิน" in text and 'enctype="multipart/form-data"' in text
    token = token_of(send(chair, fund, xlsx(("ทะเบียนสมาชิก", member_rows()))))
    preview = chair.get(reverse("import_preview", args=[fund.pk, token]))
    assert preview.status_code == 200
    text = body(preview)
    assert "ทะเบียน.xlsx" in text
    assert "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง)" in text
    assert "เลขประจำตัวประชาชนซ้ำกับแถว 4" in text
    assert 'id="n-errors">2<' in text and 'id="n-members">3<' in text
    assert 'id="commit-form"' not in text  # no commit while errors remain
    assert reverse("import_errors", args=[fund.pk, token]) in text
    # The guessed mapping is shown with the header as written and selected fields.
    assert "เลขบัตรประชาชน" in text and '<option value="national_id" selected>' in text
    assert "ม.ค. 67" in text and '<option value="month" selected>' in text
    # The errors as a workbook: the original rows and an error column.
    response = chair.get(reverse("import_errors", args=[fund.pk, token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = exporting.read_back(data(response))["ทะเบียนสมาชิก"]
    assert [r[0] for r in rows[1:]] == [7, 8]
    assert rows[2][1] == "แถว 8 คอลัมน์ 'เลขบัตรประชาชน': เลขประจำตัวประชาชนซ้ำกับแถว 4"


def test_commit_is_refused_while_errors_remain(chair: Any, fund: Any) -> None:
    token = token_of(send(chair, fund, xlsx(("ทะเบียนสมาชิก", member_rows()))))
    before = (Person.objects.count(), Membership.objects.count(), Payment.objects.count())
    response = chair.post(reverse("import_commit", args=[fund.pk, token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("import_status", args=[fund.pk, token])
    text = body(response)
    assert "ไม่ได้บันทึก: พบข้อผิดพลาด" in text and "ยังมีข้อผิดพลาด 2 รายการ" in text
    assert "เลขประจำตัวประชาชนซ้ำกับแถว 4" in text
    assert reverse("import_preview", args=[fund.pk, token]) in text  # back to fix the mapping
    assert (Person.objects.count(), Membership.objects.count(), Payment.objects.count()) == before
    assert not ImportBatch.objects.exists()


def test_fixed_file_commits_and_a_second_run_creates_nothing(chair: Any, fund: Any) -> None:
    content = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows()))
    token = token_of(send(chair, fund, content))
    text = body(chair.get(reverse("import_preview", args=[fund.pk, token])))
    assert 'id="n-members">5<' in text and 'id="n-payments">13<' in text
    assert 'id="commit-form"' in text and "แผ่นงาน “ชำระเงิน”" in text
    response = chair.post(reverse("import_commit", args=[fund.pk, token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("import_start", args=[fund.pk])
    text = body(response)
    assert "นำเข้าแล้ว: บุคคลใหม่ 5 คน ครัวเรือนใหม่ 4 ครัวเรือน สมาชิกใหม่ 5 คน" in text
    assert "การชำระเงิน 13 รายการ" in text
    assert "ทะเบียน.xlsx" in text  # the import history
    assert Membership.objects.filter(fund=fund).count() == 5
    assert verify_book(fund.book).ok
    # The upload is gone once committed.
    assert chair.get(reverse("import_preview", args=[fund.pk, token])).status_code == 404
    # The same file again: recognised, nothing saved twice.
    token = token_of(send(chair, fund, content))
    text = body(chair.get(reverse("import_preview", args=[fund.pk, token])))
    assert 'id="already"' in text and 'id="n-skipped">18<' in text
    response = chair.post(reverse("import_commit", args=[fund.pk, token]), follow=True)
    assert "ไฟล์นี้นำเข้าไปแล้วเมื่อ" in body(response)
    assert Payment.objects.filter(fund=fund).count() == 13
    assert ImportBatch.objects.count() == 1


def test_adjusted_mapping_is_used_and_remembered(chair: Any, fund: Any) -> None:
    rows = [
        ["รหัส", "ชื่อเต็ม", "PID", "เข้าร่วม"],
        [7, "นายหนึ่ง สอง", valid_id("330000000007"), "01/01/2567"],
    ]
    token = token_of(send(chair, fund, xlsx(("สมาชิก", rows))))
    text = body(chair.get(reverse("import_preview", args=[fund.pk, token])))
    assert "ไม่พบแผ่นงานที่อ่านได้" in text
    response = chair.post(
        reverse("import_preview", args=[fund.pk, token]),
        {
            "kind-0": "members",
            "col-0-0": "member_no",
            "col-0-1": "full_name",
            "col-0-2": "national_id",
            "col-0-3": "joined_on",
        },
        follow=True,
    )
    text = body(response)
    assert "บันทึกการจับคู่คอลัมน์แล้ว" in text
    assert 'id="n-errors">0<' in text and 'id="n-members">1<' in text
    saved = ImportMapping.objects.get(fund=fund, kind="members").columns
    assert saved["รหัส"] == "member_no" and saved["เข้าร่วม"] == "joined_on"
    # A field the kind does not offer is ignored, not stored.
    chair.post(
        reverse("import_preview", args=[fund.pk, token]), {"kind-0": "members", "col-0-0": "amount"}
    )
    assert ImportMapping.objects.get(fund=fund, kind="members").columns["รหัส"] == "member_no"
    # The next file with the same headers needs no help.
    token = token_of(send(chair, fund, xlsx(("สมาชิก", rows))))
    text = body(chair.get(reverse("import_preview", args=[fund.pk, token])))
    assert 'id="n-errors">0<' in text and 'id="n-members">1<' in text
    chair.post(reverse("import_commit", args=[fund.pk, token]))
    assert Membership.objects.get(fund=fund, member_no=7).person.first_name == "หนึ่ง"


def test_a_file_that_is_not_a_workbook_is_refused_naming_the_field(chair: Any, fund: Any) -> None:
    response = send(chair, fund, b"hello", name="members.xlsx")
    assert response.status_code == 200
    assert "ไฟล์ Excel: ไฟล์: อ่านไม่ได้" in body(response) or "อ่านไม่ได้" in body(response)
    response = send(chair, fund, b"hello", name="members.csv")
    assert "ไฟล์ Excel: รับเฉพาะไฟล์ Excel" in body(response)
    response = chair.post(reverse("import_start", args=[fund.pk]), {"kind": "members"})
    assert "ไฟล์ Excel:" in body(response)


def test_an_unknown_upload_is_not_found(chair: Any, fund: Any) -> None:
    for name in ("import_preview", "import_errors"):
        assert chair.get(reverse(name, args=[fund.pk, "x" * 24])).status_code == 404
    assert chair.post(reverse("import_commit", args=[fund.pk, "x" * 24])).status_code == 404


def test_registrar_imports_a_committee_member_only_exports(
    client: Any, world: Any, fund: Any
) -> None:
    client.force_login(world.registrar_a)
    assert client.get(reverse("import_start", args=[fund.pk])).status_code == 200
    committee = get_user_model().objects.create_user("committee_a", password="x")
    role_assign(
        user=committee, org_unit=world.fund_a, role=Role.COMMITTEE, start_date=dt.date(2024, 1, 1)
    )
    client.force_login(committee)
    assert client.get(reverse("import_start", args=[fund.pk])).status_code == 403
    response = send(client, fund, xlsx(("ทะเบียนสมาชิก", member_rows(bad=False))))
    assert response.status_code == 403
    assert client.get(reverse("export_xlsx", args=[fund.pk, "members"])).status_code == 200
    client.force_login(world.viewer_a)  # a viewer of one village group: not the fund's books
    assert client.get(reverse("import_start", args=[fund.pk])).status_code == 404
    assert client.get(reverse("export_xlsx", args=[fund.pk, "ledger"])).status_code == 404


def test_exports_download_with_thai_headers_and_masked_ids_without_the_permission(
    client: Any, world: Any, fund: Any
) -> None:
    importing.commit(
        fund=fund,
        actor=world.chair_a,
        up=importing.upload_save(
            fund=fund,
            content=xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows())),
            file_name="a.xlsx",
            kind="members",
            user=world.chair_a,
        ),
    )
    client.force_login(world.chair_a)
    response = client.get(reverse("export_xlsx", args=[fund.pk, "members"]))
    assert response.status_code == 200
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    members = exporting.read_back(data(response))["สมาชิก"]
    assert members[1][4] == ID1
    payments = exporting.read_back(
        data(client.get(reverse("export_xlsx", args=[fund.pk, "payments"])))
    )
    assert len(payments["การชำระเงิน"]) == 14
    ledger = exporting.read_back(data(client.get(reverse("export_xlsx", args=[fund.pk, "ledger"]))))
    assert set(ledger) == {"สมุดรายวัน", "งบทดลอง"}
    assert client.get(reverse("export_xlsx", args=[fund.pk, "people"])).status_code == 404
    committee = get_user_model().objects.create_user("committee_a", password="x")
    role_assign(
        user=committee, org_unit=world.fund_a, role=Role.COMMITTEE, start_date=dt.date(2024, 1, 1)
    )
    client.force_login(committee)
    members = exporting.read_back(
        data(client.get(reverse("export_xlsx", args=[fund.pk, "members"])))
    )
    assert members["สมาชิก"][1][4].startswith("X-XXXX-XXXX")


def test_commit_runs_in_the_background_queue_and_the_status_page_follows_it(
    chair: Any, fund: Any, settings: Any, monkeypatch: Any
) -> None:
    """With the real database queue: the click queues the job and writes nothing; the worker
    (`db_worker`, as the demo and production run it) writes the books; the page then says so."""
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    content = xlsx(("ทะเบียนสมาชิก", member_rows(bad=False)), ("ชำระเงิน", payment_rows()))
    token = token_of(send(chair, fund, content))
    response = chair.post(reverse("import_commit", args=[fund.pk, token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("import_status", args=[fund.pk, token])
    text = body(response)
    assert "รอคิวบันทึก" in text and 'http-equiv="refresh"' in text
    assert not Membership.objects.filter(fund=fund).exists()
    # A second click while queued queues nothing more.
    chair.post(reverse("import_commit", args=[fund.pk, token]))
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 1
    # The worker closes stale connections between jobs; here that would be the test's own.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    response = chair.get(reverse("import_status", args=[fund.pk, token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("import_start", args=[fund.pk])
    assert "นำเข้าแล้ว: บุคคลใหม่ 5 คน" in body(response)
    assert Membership.objects.filter(fund=fund).count() == 5
    assert Payment.objects.filter(fund=fund).count() == 13
    assert verify_book(fund.book).ok
