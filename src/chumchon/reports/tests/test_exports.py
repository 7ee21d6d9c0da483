"""Exports (reports/exports.py, export_tasks.py) below the screens: whole lists with nothing cut
off, the cell rule (BE dates as text, money as numbers, formulas kept as text), background jobs
with their progress, who may download a job's file, and the housekeeping of old jobs.

The screens, each list's rows against its export and the tenancy of the URLs are in
web/tests/test_export_screens.py.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from chumchon.areas.models import RoleAssignment
from chumchon.areas.services import role_assign
from chumchon.core.permissions import Role
from chumchon.core.thai import (
    mask_national_id,
    national_id_check_digit,
    search_key,
    thai_name_sort_bytes,
)
from chumchon.funds import services as fs
from chumchon.funds.exporting import read_back
from chumchon.people.models import Person
from chumchon.reports import export_tasks, exports
from chumchon.reports.models import ExportJob, ExportState

D = Decimal
NID = "340010001234" + str(national_id_check_digit("340010001234"))


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def many_persons(world: Any, n: int, unit: Any = None) -> None:
    """``n`` persons kept by village group A1, written in bulk (no history, no services)."""
    unit = unit or world.group_a1
    rows = []
    for i in range(n):
        first, last = f"คนที่{i:05d}", "ทดสอบ"
        rows.append(
            Person(
                org_unit=unit,
                title="นาย",
                first_name=first,
                last_name=last,
                first_name_key=search_key(first),
                last_name_key=search_key(last),
                name_sort=thai_name_sort_bytes(first, last),
                birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                birth_year=1950 + i % 50,
                sex="M",
            )
        )
    Person.objects.bulk_create(rows, batch_size=2000)


def fresh(user: Any) -> Any:
    """The user as a new request loads it (scope checks cache on the instance)."""
    return get_user_model().objects.get(pk=user.pk)


def xlsx(prep: exports.Prepared) -> tuple[int, dict[str, list[list[Any]]]]:
    out = io.BytesIO()
    n = exports.write(prep, out)
    return n, read_back(out.getvalue())


@pytest.fixture
def fund(world: Any) -> Any:
    return fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30"))],
    )


def member(world: Any, fund: Any, person_factory: Any, name: str, group: Any = None) -> Any:
    group = group or world.group_a1
    p = person_factory(first_name=name, last_name="ใจดี", org_unit=group)
    m = fs.member_apply(
        actor=world.chair_a,
        fund=fund,
        person=p,
        org_unit=group,
        plan=fund.plans.get(),
        applied_on=dt.date(2025, 1, 1),
    )
    return fs.member_approve(actor=world.chair_a, membership=m, joined_on=dt.date(2025, 1, 1))


# ------------------------------------------------------------------ nothing cut off


def test_25000_persons_export_whole_in_the_list_order_with_thai_headers(world: Any) -> None:
    many_persons(world, 25_000)
    prep = exports.prepare(fresh(world.chair_a), "persons", {})
    assert prep.count == 25_000 and not prep.direct
    n, sheets = xlsx(prep)
    assert n == 25_000
    assert list(sheets) == ["รายชื่อบุคคล", "เกี่ยวกับไฟล์นี้"]
    rows = sheets["รายชื่อบุคคล"]
    assert rows[0][:4] == ["คำนำหน้า", "ชื่อ", "นามสกุล", "เพศ"]
    assert len(rows) == 25_001
    expected = list(
        Person.objects.filter(org_unit=world.group_a1)
        .order_by("name_sort", "pk")
        .values_list("first_name", flat=True)
    )
    assert [r[1] for r in rows[1:]] == expected
    assert rows[1][4] == "01/01/2493"  # the first person, born 1 Jan 1950: BE text
    about = dict((r[0], r[1]) for r in sheets["เกี่ยวกับไฟล์นี้"])
    assert about["จำนวนแถว"] == 25_000


def test_a_sheet_at_the_row_limit_continues_on_the_next_sheet(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_persons(world, 2_500)
    monkeypatch.setattr(exports, "SHEET_MAX_ROWS", 1_000)
    n, sheets = xlsx(exports.prepare(fresh(world.chair_a), "persons", {}))
    assert n == 2_500
    names = ["รายชื่อบุคคล", "รายชื่อบุคคล (2)", "รายชื่อบุคคล (3)"]
    assert list(sheets)[:3] == names
    assert [len(sheets[s]) for s in names] == [1_001, 1_001, 501]
    assert all(sheets[s][0][1] == "ชื่อ" for s in names)
    firsts = [r[1] for s in names for r in sheets[s][1:]]
    assert len(set(firsts)) == 2_500


# ------------------------------------------------------------------ cells


def test_dates_are_be_text_money_is_numbers_and_a_formula_stays_text(
    world: Any, fund: Any, person_factory: Any
) -> None:
    from openpyxl import load_workbook

    m = member(world, fund, person_factory, "ทองใบ")
    fs.payment_record(
        actor=world.chair_a,
        membership=m,
        date=dt.date(2025, 1, 5),
        amount="50",
        note='=HYPERLINK("http://x","y")',
    )
    prep = exports.prepare(fresh(world.chair_a), "payments", {"fund": str(fund.pk)})
    out = io.BytesIO()
    exports.write(prep, out)
    ws = load_workbook(io.BytesIO(out.getvalue()))["ใบเสร็จรับเงิน"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["วันที่ชำระ", "เลขที่ใบเสร็จ", "เลขที่สมาชิก", "ชื่อ-นามสกุล", "กลุ่ม", "จำนวนเงิน"]
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert row["วันที่ชำระ"].value == "05/01/2568" and row["วันที่ชำระ"].data_type == "s"
    assert row["จำนวนเงิน"].value == 50 and row["จำนวนเงิน"].data_type == "n"
    assert row["จำนวนเงิน"].number_format == "#,##0.00"
    assert row["ค่าสมัคร"].value == 20 and row["เงินสมทบ"].value == 30
    assert row["เลขที่สมาชิก"].value == 1 and row["เลขที่สมาชิก"].data_type == "n"
    assert row["ชื่อ-นามสกุล"].value == "นายทองใบ ใจดี"
    assert row["หมายเหตุ"].value == '=HYPERLINK("http://x","y")'
    assert row["หมายเหตุ"].data_type == "s"
    assert ws.freeze_panes == "A2"


def test_national_ids_are_masked_unless_the_user_may_see_them_everywhere_exported(
    world: Any, person_factory: Any
) -> None:
    person_factory(first_name="ทองใบ", national_id=NID)
    auditor = get_user_model().objects.create_user("auditor_a1", password="x")
    role_assign(
        user=auditor, org_unit=world.group_a1, role=Role.AUDITOR, start_date=dt.date(2024, 1, 1)
    )
    # The chair may see whole ID numbers of fund A: the file has them.
    _n, sheets = xlsx(exports.prepare(fresh(world.chair_a), "persons", {}))
    assert sheets["รายชื่อบุคคล"][1][6] == NID
    # A viewer of group A1 may not: masked.
    prep = exports.prepare(fresh(world.viewer_a), "persons", {})
    assert not prep.full_ids
    _n, sheets = xlsx(prep)
    assert sheets["รายชื่อบุคคล"][1][6] == mask_national_id(NID) != NID
    # The coordinator sees the whole province but holds no full-ID right: masked too.
    assert not exports.prepare(fresh(world.coordinator), "persons", {}).full_ids
    assert exports.prepare(fresh(auditor), "persons", {}).full_ids


# ------------------------------------------------------------------ background jobs


def test_a_background_job_saves_its_progress_and_ends_with_every_row(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_persons(world, 1_234)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 200)
    seen: list[tuple[int, int, int | None, str]] = []
    original = export_tasks._progress

    def spy(job_id: int, done: int) -> None:
        original(job_id, done)
        job = ExportJob.objects.get(pk=job_id)
        seen.append((done, job.done_rows, job.total_rows, job.state))

    monkeypatch.setattr(export_tasks, "_progress", spy)
    chair = fresh(world.chair_a)
    prep = exports.prepare(chair, "persons", {"age_min": "0"})
    job = export_tasks.start(user=chair, prep=prep)  # the test backend runs it at once
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.error
    assert [s[0] for s in seen] == [200, 400, 600, 800, 1000, 1200]
    assert all(
        done == saved and total == 1_234 and st == "running" for done, saved, total, st in seen
    )
    assert (job.done_rows, job.total_rows) == (1_234, 1_234)
    assert job.finished_at is not None and job.error == ""
    assert job.file_name.startswith("รายชื่อบุคคล ") and job.file_name.endswith(".xlsx")
    assert job.params["query"] == {"age_min": "0"}
    assert job.params["scope"] == [world.fund_a.path]
    with job.file.open("rb") as f:
        sheets = read_back(f.read())
    assert len(sheets["รายชื่อบุคคล"]) == 1_235


def test_progress_never_passes_the_total_when_rows_were_added_after_the_count(
    world: Any,
) -> None:
    chair = fresh(world.chair_a)
    many_persons(world, 3)
    prep = exports.prepare(chair, "persons", {})
    job, _created = exports.job_create(user=chair, prep=prep, language="th")
    assert job.total_rows == 3
    export_tasks._progress(job.pk, 5)
    job.refresh_from_db()
    assert (job.done_rows, job.total_rows) == (5, 5)


def test_a_job_whose_owner_lost_the_role_before_it_ran_fails_in_thai(world: Any) -> None:
    many_persons(world, 10)
    chair = fresh(world.chair_a)
    job, created = exports.job_create(
        user=chair, prep=exports.prepare(chair, "persons", {}), language="th"
    )
    assert created
    RoleAssignment.objects.filter(user=world.chair_a).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    result = export_tasks.run_export.call(job.pk)
    job.refresh_from_db()
    assert result["state"] == job.state == ExportState.FAILED
    assert "ไม่มีสิทธิ์เข้าถึงข้อมูลนี้แล้ว" in job.error
    assert not job.file
    # A second delivery of the task does nothing more.
    assert export_tasks.run_export.call(job.pk) == {"state": ExportState.FAILED}


def test_the_same_export_clicked_twice_while_queued_is_one_job(world: Any) -> None:
    chair = fresh(world.chair_a)
    prep = exports.prepare(chair, "persons", {"sex": "M"})
    first, created = exports.job_create(user=chair, prep=prep, language="th")
    again, created_again = exports.job_create(user=chair, prep=prep, language="th")
    assert created and not created_again and first.pk == again.pk
    other = exports.prepare(chair, "persons", {"sex": "F"})
    assert exports.job_create(user=chair, prep=other, language="th")[1]


# ------------------------------------------------------------------ who may download


def _done_job(user: Any, kind: str = "persons", query: dict[str, str] | None = None) -> Any:
    prep = exports.prepare(fresh(user), kind, query or {})
    job = export_tasks.start(user=fresh(user), prep=prep)
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.error
    return job


def test_only_the_owner_downloads_and_only_while_their_roles_cover_the_file(
    world: Any, fund: Any, person_factory: Any
) -> None:
    member(world, fund, person_factory, "ทองใบ")
    job = _done_job(world.chair_a, "members", {"fund": str(fund.pk)})
    assert exports.downloadable(fresh(world.chair_a), job) == (True, "")
    assert not exports.downloadable(fresh(world.officer_b), job)[0]
    assert not exports.downloadable(fresh(world.coordinator), job)[0]  # not theirs
    # The chair's term ends: the file stays on the list but is no longer theirs to take.
    RoleAssignment.objects.filter(user=world.chair_a).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    ok, why = exports.downloadable(fresh(world.chair_a), job)
    assert not ok and "สิทธิ์ของคุณในหน่วยของไฟล์นี้สิ้นสุดแล้ว" in why


def test_a_file_with_whole_id_numbers_needs_the_full_id_right_at_download(
    world: Any, person_factory: Any
) -> None:
    person_factory(first_name="ทองใบ", national_id=NID)
    job = _done_job(world.chair_a)
    assert job.params["full_ids"] is True
    # The chair becomes a committee member only: still sees the people, not whole IDs.
    RoleAssignment.objects.filter(user=world.chair_a).update(role=Role.COMMITTEE)
    ok, why = exports.downloadable(fresh(world.chair_a), job)
    assert not ok and "เลขประจำตัวประชาชนเต็ม" in why


def test_a_village_group_committee_exports_only_their_group_and_keeps_that_scope(
    world: Any, fund: Any, person_factory: Any
) -> None:
    member(world, fund, person_factory, "หนึ่ง", world.group_a1)
    member(world, fund, person_factory, "สอง", world.group_a2)
    committee = get_user_model().objects.create_user("committee_a1", password="x")
    role_assign(
        user=committee, org_unit=world.group_a1, role=Role.COMMITTEE, start_date=dt.date(2024, 1, 1)
    )
    prep = exports.prepare(fresh(committee), "members", {"fund": str(fund.pk)})
    assert prep.scope == [world.group_a1.path]
    _n, sheets = xlsx(prep)
    assert [r[2] for r in sheets["ทะเบียนสมาชิก"][1:]] == ["หนึ่ง"]
    # Fund-level books stay closed to a group's committee.
    with pytest.raises(exports.ExportNotFound):
        exports.prepare(fresh(committee), "payments", {"fund": str(fund.pk)})


def test_unknown_kinds_and_records_outside_the_scope_are_not_found(world: Any, fund: Any) -> None:
    for user, kind, query in (
        (world.chair_a, "nothing", {}),
        (world.officer_b, "payments", {"fund": str(fund.pk)}),
        (world.expired, "members", {"fund": str(fund.pk)}),
        (world.chair_a, "payments", {"fund": "x"}),
        (world.officer_b, "persons", {"unit": str(world.fund_a.pk)}),
    ):
        with pytest.raises(exports.ExportNotFound):
            exports.prepare(fresh(user), kind, query)


def test_a_filter_that_cannot_be_read_exports_nothing_and_says_which(world: Any, fund: Any) -> None:
    prep = exports.prepare(
        fresh(world.chair_a), "payments", {"fund": str(fund.pk), "date_from": "31/02/2568"}
    )
    assert prep.count == 0 and list(prep.rows()) == []
    assert prep.errors["date_from"].startswith("ตั้งแต่วันที่: ")
    prep = exports.prepare(fresh(world.chair_a), "persons", {"age_min": "70", "age_max": "60"})
    assert prep.errors == {"age_max": "ช่วงอายุ: อายุตั้งแต่ (70 ปี) มากกว่าอายุถึง (60 ปี)"}


# ------------------------------------------------------------------ housekeeping


def test_finished_jobs_older_than_the_keeping_days_are_removed_with_their_files(
    world: Any,
) -> None:
    many_persons(world, 3)
    old = _done_job(world.chair_a)
    recent = _done_job(world.chair_a, query={"sex": "M"})
    storage, name = old.file.storage, str(old.file.name)
    assert storage.exists(name)
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=exports.KEEP_DAYS + 1)
    )
    assert exports.purge_expired() == 1
    assert not ExportJob.objects.filter(pk=old.pk).exists() and not storage.exists(name)
    assert ExportJob.objects.filter(pk=recent.pk).exists()
