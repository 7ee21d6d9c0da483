"""The Excel exports as people use them: every list's "ส่งออก Excel" gives the rows the list
shows (all of its pages, with its filters), with Thai headers and Buddhist Era dates; a large
export asks first, runs in the background with a progress bar and ends with a download link;
only the owner downloads, and only while their roles still cover the file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from chumchon.areas.models import RoleAssignment
from chumchon.areas.services import role_assign
from chumchon.benefits import services_claims as claims_svc
from chumchon.benefits import services_runs as runs_svc
from chumchon.benefits.example import example_regulation
from chumchon.core.permissions import Role
from chumchon.core.thai import format_be_date
from chumchon.funds import services as fs
from chumchon.funds.exporting import read_back
from chumchon.ledger import selectors as ledger_sel
from chumchon.people.models import Relation
from chumchon.people.services import household_create
from chumchon.reports import exports
from chumchon.reports.models import ExportJob, ExportState

from .test_tenancy_matrix import fund_b  # noqa: F401 (fund B and its treasurer: a fixture)

D = Decimal
JOINED = dt.date(2020, 1, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


class Books:
    """Fund A with members in two village groups, receipts (one voided), a collection day,
    households, claims, a regulation and a payment run of the elderly benefit."""

    def __init__(self, world: Any, person_factory: Any) -> None:
        self.world = world
        chair = world.chair_a
        fund = fs.fund_create(
            actor=chair,
            org_unit=world.fund_a,
            founded_on=dt.date(2019, 1, 1),
            entry_fee=D("20"),
            plans=[("รายเดือน", 1, D("30"))],
            lapse_days=60,
        )
        example_regulation(fund, actor=chair, effective_from=JOINED)
        self.fund = fund
        self.h1 = household_create(
            actor=chair, org_unit=world.group_a1, house_number="10/1", village=world.village_a1
        )
        self.h2 = household_create(
            actor=chair, org_unit=world.group_a2, house_number="11/2", village=world.village_a2
        )
        self.m = {}
        for key, name, group, village, birth, months, household in (
            ("old", "ทองดี", world.group_a1, world.village_a1, dt.date(1950, 3, 1), 84, self.h1),
            ("lapsed", "บุญมา", world.group_a1, world.village_a1, dt.date(1940, 1, 1), 12, None),
            ("young", "สมหญิง", world.group_a2, world.village_a2, dt.date(1975, 1, 1), 84, self.h2),
            ("mid", "มาลัย", world.group_a1, world.village_a1, dt.date(1965, 6, 1), 84, None),
            ("old2", "บุญเรือน", world.group_a2, world.village_a2, dt.date(1945, 5, 5), 84, None),
        ):
            p = person_factory(
                first_name=name,
                last_name="ทดสอบ",
                org_unit=group,
                village=village,
                birth_date=birth,
                household=household,
                relation=Relation.HEAD if household else None,
            )
            m = fs.member_apply(
                actor=chair,
                fund=fund,
                person=p,
                org_unit=group,
                plan=fund.plans.get(),
                applied_on=JOINED,
            )
            m = fs.member_approve(actor=chair, membership=m, joined_on=JOINED)
            fs.payment_record(actor=chair, membership=m, date=JOINED, amount=D(30 * months + 20))
            self.m[key] = m
        applicant = person_factory(first_name="ใหม่", last_name="รอ", org_unit=world.group_a1)
        fs.member_apply(
            actor=chair,
            fund=fund,
            person=applicant,
            org_unit=world.group_a1,
            plan=fund.plans.get(),
            applied_on=dt.date(2025, 2, 1),
        )
        self.day = fs.collection_day_open(
            actor=chair, fund=fund, org_unit=world.group_a1, date=dt.date(2025, 1, 5)
        )
        fs.payment_record(
            actor=chair,
            membership=self.m["lapsed"],
            date=dt.date(2025, 1, 5),
            amount="30",
            collection_day=self.day,
            check_status=False,
        )
        wrong = fs.payment_record(
            actor=chair, membership=self.m["mid"], date=dt.date(2025, 1, 6), amount="30"
        )
        fs.payment_void(actor=chair, payment=wrong, reason="บันทึกผิดคน")
        for key in ("old", "young"):
            claims_svc.claim_record(
                actor=chair,
                membership=self.m[key],
                benefit_code="hospital",
                event_date=dt.date(2025, 3, 3),
                event_end=dt.date(2025, 3, 5),
            )
        self.run = runs_svc.run_preview(
            actor=chair,
            fund=fund,
            benefit_code="elderly",
            period_key="2568",
            as_of=dt.date(2025, 1, 15),
        )


@pytest.fixture
def books(world: Any, person_factory: Any) -> Books:
    return Books(world, person_factory)


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


def data(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def export(client: Any, kind: str, query: dict[str, Any]) -> list[list[Any]]:
    """The export's data rows (the header checked Thai, the download checked whole)."""
    response = client.get(reverse("export_new", args=[kind]), query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    assert "attachment; filename*=utf-8''" in response["Content-Disposition"]
    sheets = read_back(data(response))
    rows = sheets[str(exports.KINDS[kind].title)]
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in h) for h in rows[0])  # Thai headers
    about = dict((r[0], r[1]) for r in sheets["เกี่ยวกับไฟล์นี้"])
    assert about["จำนวนแถว"] == len(rows) - 1
    return rows[1:]


def everything(response: Any) -> list[Any]:
    """Every row of a paged list (all pages), from the view's paginator."""
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list)


# ------------------------------------------------------------------ each list, same rows


def test_persons_export_the_persons_list_with_its_filters(chair: Any, books: Books) -> None:
    w = books.world
    query = {"village": w.village_a1.pk, "age_min": "70"}
    listed = everything(chair.get(reverse("person_list"), query))
    rows = export(chair, "persons", query)
    assert [(r[1], r[2]) for r in rows] == [(p.first_name, p.last_name) for p in listed]
    assert {r[1] for r in rows} == {"ทองดี", "บุญมา"}
    assert rows[0][4] == format_be_date(listed[0].birth_date, "numeric")  # dd/mm/BE text
    assert rows[0][5] == listed[0].age_on(timezone.localdate())  # a number


def test_households_export_the_households_list(chair: Any, books: Books) -> None:
    query = {"q": "ทองดี"}
    listed = everything(chair.get(reverse("household_list"), query))
    rows = export(chair, "households", query)
    assert [r[0] for r in rows] == [h.house_number for h in listed] == ["10/1"]
    assert rows[0][6] == "นายทองดี ทดสอบ" and rows[0][7] == 1
    assert len(export(chair, "households", {})) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"status": "active"},
        {"status": "lapsed"},
        {"status": "applicant"},
        {"group": "A2"},
        {"type": "elderly", "q": "บุญ"},
        {},
    ],
)
def test_members_export_the_member_list_with_derived_statuses(
    chair: Any, books: Books, query: dict[str, Any]
) -> None:
    if query.get("group") == "A2":
        query = {"group": books.world.group_a2.pk}
    url = reverse("member_list", args=[books.fund.pk])
    listed = everything(chair.get(url, query))
    rows = export(chair, "members", {"fund": books.fund.pk, **query})
    # An applicant has no member number yet: an empty cell (calamine reads it as "").
    assert [(r[0] or None, r[2]) for r in rows] == [
        (m.member_no, m.person.first_name) for m in listed
    ]
    assert rows, "the filter should keep someone"


def test_members_statuses_in_the_file_are_the_list_statuses(chair: Any, books: Books) -> None:
    rows = export(chair, "members", {"fund": books.fund.pk, "status": "lapsed"})
    assert [(r[2], r[13]) for r in rows] == [("บุญมา", "ขาดสมาชิกภาพ")]
    assert rows[0][11] == "01/01/2563"  # joined 1 Jan 2020, BE text


@pytest.mark.parametrize(
    "query",
    [
        {"void": "live", "date_from": "01/01/2568"},
        {"void": "void"},
        {"q": "บุญมา"},
        {"group": "A1"},
    ],
)
def test_payments_export_the_receipts_list(chair: Any, books: Books, query: dict[str, Any]) -> None:
    if query.get("group") == "A1":
        query = {"group": books.world.group_a1.pk}
    listed = everything(chair.get(reverse("payment_list", args=[books.fund.pk]), query))
    rows = export(chair, "payments", {"fund": books.fund.pk, **query})
    assert [r[1] for r in rows] == [p.receipt_label for p in listed]
    assert [r[5] for r in rows] == [float(p.amount) for p in listed]
    assert rows


def test_a_voided_receipt_says_so_with_its_reason(chair: Any, books: Books) -> None:
    rows = export(chair, "payments", {"fund": books.fund.pk, "void": "void"})
    assert [(r[0], r[10]) for r in rows] == [("06/01/2568", "ยกเลิก: บันทึกผิดคน")]


def test_collection_days_export_the_days_list(chair: Any, books: Books) -> None:
    listed = everything(chair.get(reverse("collection_day_list", args=[books.fund.pk])))
    rows = export(chair, "collection_days", {"fund": books.fund.pk})
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (format_be_date(d.date, "numeric"), d.org_unit.name, d.n, float(d.total)) for d in listed
    ]
    assert rows[0][:4] == ["05/01/2568", books.world.group_a1.name, 1, 30.0]


@pytest.mark.parametrize("query", [{}, {"state": "submitted"}, {"benefit": "hospital", "q": "2"}])
def test_claims_export_the_claims_list(chair: Any, books: Books, query: dict[str, Any]) -> None:
    listed = everything(chair.get(reverse("claim_list", args=[books.fund.pk]), query))
    rows = export(chair, "claims", {"fund": books.fund.pk, **query})
    assert [r[0] for r in rows] == [c.number for c in listed]
    assert [r[11] for r in rows] == [float(c.amount) for c in listed]
    assert rows and rows[0][2] == "03/03/2568" and rows[0][3] == "05/03/2568"


def test_runs_and_a_runs_members_export_as_their_pages(chair: Any, books: Books) -> None:
    listed = everything(chair.get(reverse("run_list", args=[books.fund.pk])))
    rows = export(chair, "runs", {"fund": books.fund.pk})
    assert [r[0] for r in rows] == [r.pk for r in listed] == [books.run.pk]
    assert rows[0][8] == books.run.count == 2
    url = reverse("run_detail", args=[books.run.pk])
    for query in ({}, {"group": books.world.group_a2.pk}):
        lines = everything(chair.get(url, query))
        rows = export(chair, "run_lines", {"run": books.run.pk, **query})
        assert [(r[0], r[3]) for r in rows] == [
            (ln.membership.member_no, float(ln.amount)) for ln in lines
        ]
    assert [r[1] for r in rows] == ["นายบุญเรือน ทดสอบ"]


def test_regulations_export_every_version(chair: Any, books: Books) -> None:
    rows = export(chair, "regulations", {"fund": books.fund.pk})
    assert [(r[0], r[2], r[3]) for r in rows] == [(1, "01/01/2563", "ประกาศใช้แล้ว")]
    assert rows[0][7] >= 5  # the example regulation's benefits


BOOK_RANGE = {"start": "01/01/2563", "end": "31/12/2568"}


@pytest.mark.parametrize("kind_filter", ["", "cash"])
def test_the_cash_book_exports_every_line_of_every_page(
    chair: Any, books: Books, kind_filter: str
) -> None:
    query = {**BOOK_RANGE, "kind": kind_filter}
    response = chair.get(reverse("cash_book", args=[books.fund.pk]), query)
    ctx = response.context
    opening, lines, closing = ledger_sel.cash_book(
        books.fund.book, accounts=list(ctx["accounts"]), start=ctx["start"], end=ctx["end"]
    )
    assert ctx["line_count"] == len(lines)
    rows = export(chair, "cash_book", {"fund": books.fund.pk, **query})
    assert rows[0][2] == "ยอดยกมา" and rows[0][6] == float(opening)
    assert [(r[1], r[4] or 0, r[5] or 0, r[6]) for r in rows[1:-1]] == [
        (ln.entry.number, float(ln.receipts), float(ln.payments), float(ln.balance)) for ln in lines
    ]
    assert rows[-1][2] == "รวม / ยอดยกไป"
    assert rows[-1][4] == float(ctx["receipts"]) and rows[-1][5] == float(ctx["payments"])
    assert rows[-1][6] == float(closing)


@pytest.mark.parametrize("one_account", [False, True])
def test_the_general_ledger_exports_every_section(
    chair: Any, books: Books, one_account: bool
) -> None:
    query = dict(BOOK_RANGE)
    if one_account:
        query["account"] = str(books.fund.account("cash").pk)
    response = chair.get(reverse("general_ledger", args=[books.fund.pk]), query)
    sections = response.context["sections"]
    rows = export(chair, "general_ledger", {"fund": books.fund.pk, **query})
    expected: list[tuple[Any, ...]] = []
    for s in sections:
        expected.append((s.account.code, None, "ยอดยกมา", float(s.opening)))
        for ln in s.lines:
            entry = ln.posting.entry
            expected.append((s.account.code, entry.number, entry.memo, float(ln.balance)))
        expected.append((s.account.code, None, "รวม / ยอดยกไป", float(s.closing)))
    assert [(r[0], r[3] or None, r[4], r[7]) for r in rows] == expected
    assert len(sections) == 1 if one_account else len(sections) > 1


def test_the_journal_exports_every_posting_in_the_range(chair: Any, books: Books) -> None:
    rows = export(chair, "journal", {"fund": books.fund.pk, **BOOK_RANGE})
    postings = ledger_sel.Posting.objects.filter(
        entry__book=books.fund.book, date__lte=dt.date(2025, 12, 31)
    )
    assert len(rows) == postings.count() > 10
    assert sum(r[8] or 0 for r in rows) == sum(r[9] or 0 for r in rows)
    # The void's reversal is posted today: a range to today shows it, naming what it reverses.
    to_today = export(chair, "journal", {"fund": books.fund.pk, "start": "01/01/2563"})
    assert len(to_today) == len(rows) + 2
    assert [r[2] for r in to_today if r[5]] and all(
        isinstance(r[5], float) for r in to_today if r[5]
    )
    narrow = export(chair, "journal", {"fund": books.fund.pk, "start": "06/01/2568"})
    assert {r[1] for r in narrow} <= {"06/01/2568"} | {
        format_be_date(timezone.localdate(), "numeric")
    }


def test_the_trial_balance_exports_the_lines_and_totals(chair: Any, books: Books) -> None:
    query = {"as_of": "31/12/2568", "hide_zero": "on"}
    ctx = chair.get(reverse("trial_balance", args=[books.fund.pk]), query).context
    rows = export(chair, "trial_balance", {"fund": books.fund.pk, **query})
    assert [(r[0], r[3] or 0, r[4] or 0) for r in rows[:-1]] == [
        (ln.account.code, float(ln.debit), float(ln.credit)) for ln in ctx["lines"]
    ]
    assert rows[-1][1] == "รวม" and rows[-1][3] == rows[-1][4] == float(ctx["debit"])


# ------------------------------------------------------------------ links, names, errors


def test_list_pages_link_to_their_export_with_their_filters(chair: Any, books: Books) -> None:
    fund = books.fund.pk
    page = chair.get(reverse("payment_list", args=[fund]), {"void": "live", "page": "1"})
    href = f"{reverse('export_new', args=['payments'])}?fund={fund}&amp;void=live&amp;page=1"
    assert href in page.content.decode()
    partial = chair.get(reverse("person_list"), {"sex": "F"}, headers={"HX-Request": "true"})
    assert f"{reverse('export_new', args=['persons'])}?sex=F" in partial.content.decode()
    for name, kind in (
        ("member_list", "members"),
        ("collection_day_list", "collection_days"),
        ("claim_list", "claims"),
        ("cash_book", "cash_book"),
        ("general_ledger", "general_ledger"),
        ("trial_balance", "trial_balance"),
        ("run_list", "runs"),
        ("regulation_list", "regulations"),
    ):
        text = chair.get(reverse(name, args=[fund])).content.decode()
        assert f"{reverse('export_new', args=[kind])}?fund={fund}" in text, name
        assert "ส่งออก Excel" in text
    text = chair.get(reverse("run_detail", args=[books.run.pk])).content.decode()
    assert f"{reverse('export_new', args=['run_lines'])}?run={books.run.pk}" in text
    assert "ไฟล์ส่งออก" in text  # the menu link to "my exports"


def test_the_file_name_is_thai_in_rfc_5987_form(chair: Any, books: Books) -> None:
    response = chair.get(reverse("export_new", args=["payments"]), {"fund": books.fund.pk})
    today = timezone.localdate()
    name = f"ใบเสร็จรับเงิน {books.world.fund_a.name} {today:%d-%m}-{today.year + 543}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_a_filter_that_cannot_be_read_gives_no_file_and_names_the_field(
    chair: Any, books: Books
) -> None:
    response = chair.get(
        reverse("export_new", args=["payments"]), {"fund": books.fund.pk, "date_from": "31/02/2568"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "ตั้งแต่วันที่: " in text and "ยังส่งออกไม่ได้" in text
    assert not ExportJob.objects.exists()


def test_an_unknown_kind_is_not_found(chair: Any, books: Books) -> None:
    assert chair.get(reverse("export_new", args=["secrets"])).status_code == 404


# ------------------------------------------------------------------ large exports


def test_a_large_export_asks_first_then_runs_and_offers_the_file(
    chair: Any, books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "DIRECT_MAX_ROWS", 2)
    url = reverse("export_new", args=["payments"])
    page = chair.get(url, {"fund": books.fund.pk, "void": "live"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    text = page.content.decode()
    assert "มากกว่า 2 แถว" in text and "สร้างไฟล์ Excel" in text
    assert 'name="void" value="live"' in text
    assert not ExportJob.objects.exists()  # a GET writes nothing
    response = chair.post(url, {"fund": books.fund.pk, "void": "live"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "export_job", args=[job.pk]
    )
    assert job.state == ExportState.DONE and job.done_rows == job.total_rows == 6
    text = chair.get(response["Location"]).content.decode()
    assert reverse("export_download", args=[job.pk]) in text and "ไฟล์ Excel พร้อมแล้ว" in text
    download = chair.get(reverse("export_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    rows = read_back(data(download))["ใบเสร็จรับเงิน"]
    monkeypatch.setattr(exports, "DIRECT_MAX_ROWS", 5000)
    assert rows[1:] == export(chair, "payments", {"fund": books.fund.pk, "void": "live"})


def test_the_database_queue_runs_the_job_and_the_pages_follow_it(
    chair: Any, books: Books, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the real queue: the click queues the job; the pages show a progress bar and refresh
    themselves (meta refresh without scripts, exports.js with them); `db_worker` writes it."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(exports, "DIRECT_MAX_ROWS", 1)
    url = reverse("export_new", args=["members"])
    response = chair.post(url, {"fund": books.fund.pk}, follow=True)
    job = ExportJob.objects.get()
    assert job.state == ExportState.QUEUED and job.total_rows == 6
    for text in (
        response.content.decode(),
        chair.get(reverse("export_list")).content.decode(),
    ):
        assert '<noscript><meta http-equiv="refresh"' in text
        assert "<progress" in text and "web/exports.js" in text
        assert "0 จาก 6 แถว" in text
    chair.post(url, {"fund": books.fund.pk})  # a second click queues nothing more
    assert ExportJob.objects.count() == DBTaskResult.objects.count() == 1
    progress = chair.get(reverse("export_progress"), {"ids": str(job.pk)}).json()
    assert progress["jobs"][0]["state"] == "queued" and progress["jobs"][0]["percent"] == 0
    # The worker closes stale connections between jobs; here that would be the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.done_rows == job.total_rows == 6
    j = chair.get(reverse("export_progress"), {"ids": str(job.pk)}).json()["jobs"][0]
    assert (j["state"], j["percent"], j["done"], j["total"]) == ("done", 100, 6, 6)
    text = chair.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "refresh" not in text and reverse("export_download", args=[job.pk]) in text
    rows = read_back(data(chair.get(reverse("export_download", args=[job.pk]))))["ทะเบียนสมาชิก"]
    assert len(rows) == 7


def test_deleting_a_job_removes_its_file(chair: Any, books: Books) -> None:
    chair.post(reverse("export_new", args=["members"]), {"fund": books.fund.pk})
    job = ExportJob.objects.get()
    storage, name = job.file.storage, str(job.file.name)
    assert storage.exists(name)
    response = chair.post(reverse("export_delete", args=[job.pk]), follow=True)
    assert "ลบ “ทะเบียนสมาชิก" in response.content.decode()
    assert not ExportJob.objects.exists() and not storage.exists(name)


# ------------------------------------------------------------------ tenancy


def _chairs_job(client: Any, books: Books) -> ExportJob:
    client.force_login(books.world.chair_a)
    client.post(reverse("export_new", args=["members"]), {"fund": books.fund.pk})
    return ExportJob.objects.get()


@pytest.mark.usefixtures("fund_b")
@pytest.mark.parametrize("persona", ["officer_b", "treasurer_b", "expired", "viewer_a"])
def test_another_tambon_or_an_ended_term_cannot_export_fund_a_or_take_its_file(
    client: Any, books: Books, persona: str
) -> None:
    job = _chairs_job(client, books)
    client.force_login(getattr(books.world, persona))
    for kind in ("members", "payments", "claims", "cash_book", "journal", "regulations"):
        url = reverse("export_new", args=[kind])
        assert client.get(url, {"fund": books.fund.pk}).status_code == 404
        assert client.post(url, {"fund": books.fund.pk}).status_code == 404
    run_url = reverse("export_new", args=["run_lines"])
    assert client.get(run_url, {"run": books.run.pk}).status_code == 404
    assert ExportJob.objects.count() == 1
    for name in ("export_job", "export_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("export_delete", args=[job.pk])).status_code == 404
    assert client.get(reverse("export_progress"), {"ids": str(job.pk)}).json() == {"jobs": []}
    assert job.title not in client.get(reverse("export_list")).content.decode()
    assert ExportJob.objects.filter(pk=job.pk, state=ExportState.DONE).exists()


@pytest.mark.usefixtures("fund_b")
def test_fund_b_treasurer_exports_only_fund_b(client: Any, books: Books) -> None:
    from chumchon.funds.models import Fund

    client.force_login(books.world.treasurer_b)
    rows = export(client, "members", {"fund": Fund.objects.get(org_unit=books.world.fund_b).pk})
    assert [r[2] for r in rows] == ["ประเสริฐ"]
    persons = export(client, "persons", {})
    assert "ทองดี" not in {r[1] for r in persons} and "ประเสริฐ" in {r[1] for r in persons}


def test_the_owner_whose_term_ended_keeps_the_entry_but_not_the_file(
    client: Any, books: Books
) -> None:
    job = _chairs_job(client, books)
    RoleAssignment.objects.filter(user=books.world.chair_a).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    response = client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 403
    text = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "สิทธิ์ของคุณในหน่วยของไฟล์นี้สิ้นสุดแล้ว" in text
    assert reverse("export_download", args=[job.pk]) not in text


@pytest.mark.usefixtures("fund_b")
def test_a_coordinator_exports_the_whole_province_and_nothing_else(
    client: Any, books: Books
) -> None:
    client.force_login(books.world.coordinator)
    rows = export(client, "members", {"fund": books.fund.pk})
    assert len(rows) == 6
    names = {r[1] for r in export(client, "persons", {})}
    assert {"ทองดี", "ประเสริฐ"} <= names
    outsider = get_user_model().objects.create_user("other_coordinator", password="x")
    role_assign(
        user=outsider, org_unit=books.world.fund_b, role=Role.COORDINATOR, start_date=JOINED
    )
    client.force_login(outsider)
    assert (
        client.get(reverse("export_new", args=["members"]), {"fund": books.fund.pk}).status_code
        == 404
    )


def test_a_running_job_is_kept_until_it_looks_abandoned(chair: Any, books: Books) -> None:
    chair.post(reverse("export_new", args=["members"]), {"fund": books.fund.pk})
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING)
    response = chair.post(reverse("export_delete", args=[job.pk]), follow=True)
    assert "กำลังสร้างอยู่" in response.content.decode()
    assert ExportJob.objects.filter(pk=job.pk).exists()
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    chair.post(reverse("export_delete", args=[job.pk]))
    assert not ExportJob.objects.filter(pk=job.pk).exists()
