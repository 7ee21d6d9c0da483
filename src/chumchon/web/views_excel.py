"""Excel import and export screens (see funds/importing.py and funds/exporting.py).

The import goes in steps: upload (the file is kept under the storage's ``imports/<fund>/`` with
a random token), preview (the column mapping, adjustable, and the dry run's summary and errors),
the errors as a workbook, and commit (all or nothing). Records are found through fundcommon.py
(404 outside the user's funds); importing needs Perm.MANAGE_MEMBERS at the fund, exporting
Perm.VIEW_BOOKS (and Perm.VIEW_FULL_ID for unmasked ID numbers).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chumchon.core.permissions import Perm
from chumchon.core.thai import format_be_datetime
from chumchon.funds import exporting, importing, tasks
from chumchon.funds.models import Fund, ImportBatch, ImportKind, ImportMapping

from .fundcommon import can, fund_for, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 200


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("ไฟล์นี้มี"),
        choices=[
            (ImportKind.MEMBERS, gettext_lazy("รายชื่อสมาชิก (และยอดชำระ ถ้ามีในไฟล์เดียวกัน)")),
            (ImportKind.PAYMENTS, gettext_lazy("ประวัติการชำระเงินของสมาชิกที่มีอยู่แล้ว")),
        ],
        initial=ImportKind.MEMBERS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("ไฟล์ Excel"),
        help_text=gettext_lazy("ไฟล์ .xlsx .xls หรือ .ods ขนาดไม่เกิน 64 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.xlsb,.ods"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน 64 MB ให้แบ่งเป็นหลายไฟล์"))
        if not f.name.lower().endswith(importing.EXTENSIONS):
            raise forms.ValidationError(_("รับเฉพาะไฟล์ Excel (.xlsx .xls) หรือ .ods"))
        return f


def _fund(request: HttpRequest, pk: int) -> Fund:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.MANAGE_MEMBERS, fund.org_unit)
    return fund


def _upload(fund: Fund, token: str) -> importing.Upload:
    up = importing.upload_get(fund, token)
    if up is None:
        raise Http404(_("ไม่พบไฟล์ที่อัปโหลด (อาจนำเข้าไปแล้วหรือหมดอายุ) กรุณาอัปโหลดใหม่"))
    return up


@login_required
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            up = importing.upload_save(
                fund=fund,
                content=f.read(),
                file_name=f.name,
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            importing.mapping_save(actor=request.user, fund=fund, parts=importing.analyse(fund, up))
            return redirect("import_preview", fund.pk, up.token)
    return render(
        request,
        "web/funds/import_start.html",
        {
            "fund": fund,
            "form": form,
            "batches": ImportBatch.objects.filter(fund=fund)
            .select_related("by")
            .order_by("-at")[:20],
            "mappings": [
                (ImportKind(m.kind).label, sorted(m.columns.items()))
                for m in ImportMapping.objects.filter(fund=fund).order_by("kind")
            ],
            "field_labels": importing.FIELD_LABELS,
            "export_kinds": _export_kinds(),
        },
    )


def _export_kinds() -> list[tuple[str, str]]:
    return [
        ("members", _("ทะเบียนสมาชิก")),
        ("payments", _("การชำระเงิน")),
        ("ledger", _("สมุดรายวันและงบทดลอง")),
    ]


def _choices(kind: str) -> list[tuple[str, str]]:
    fields = importing.FIELDS_FOR.get(ImportKind(kind)) if kind else None
    fields = fields or tuple(dict.fromkeys((*importing.MEMBER_FIELDS, *importing.PAYMENT_FIELDS)))
    return [(f, str(importing.FIELD_LABELS[f])) for f in (importing.IGNORE, *fields)]


def _overrides_from(request: HttpRequest, parts: list[importing.Part]) -> dict[str, Any]:
    """The user's choice of kind and field for each sheet and column (unknown values dropped)."""
    out: dict[str, Any] = {}
    for p in parts:
        i = p.sheet.index
        kind = request.POST.get(f"kind-{i}", p.kind)
        if kind not in ("", *ImportKind.values):
            kind = p.kind
        allowed = {f for f, _l in _choices(kind)}
        columns = {}
        for c in p.columns:
            value = request.POST.get(f"col-{i}-{c.index}")
            if value is not None and value in allowed:
                columns[str(c.index)] = value
        out[str(i)] = {"kind": kind, "columns": columns}
    return out


@login_required
def import_preview(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    fund = _fund(request, pk)
    up = _upload(fund, token)
    if request.method == "POST":
        parts = importing.analyse(fund, up)
        importing.upload_set_overrides(up, _overrides_from(request, parts))
        importing.mapping_save(actor=request.user, fund=fund, parts=importing.analyse(fund, up))
        messages.success(request, _("บันทึกการจับคู่คอลัมน์แล้ว และตรวจสอบข้อมูลใหม่ทั้งไฟล์"))
        return redirect("import_preview", fund.pk, up.token)
    dry = importing.dry_run(fund, up)
    by_sheet = len(dry.used_parts) > 1
    return render(
        request,
        "web/funds/import_preview.html",
        {
            "fund": fund,
            "up": up,
            "dry": dry,
            "by_sheet": by_sheet,
            "errors": dry.errors[:ERRORS_SHOWN],
            "more_errors": max(len(dry.errors) - ERRORS_SHOWN, 0),
            "parts": [(p, _choices(p.kind)) for p in dry.parts],
            "kind_choices": [("", _("ไม่นำเข้าแผ่นงานนี้")), *ImportKind.choices],
            "uploaded_at": _uploaded_at(up),
        },
    )


def _uploaded_at(up: importing.Upload) -> Any:
    try:
        return dt.datetime.fromisoformat(up.uploaded_at)
    except ValueError:
        return None


@login_required
def import_errors(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    fund = _fund(request, pk)
    up = _upload(fund, token)
    dry = importing.dry_run(fund, up)
    out = io.BytesIO()
    importing.errors_workbook(dry, out)
    stem = re.sub(r"[^A-Za-z0-9_.-]", "", up.file_name.rsplit(".", 1)[0]) or "import"
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{stem}-errors.xlsx"'
    return response


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Queue the commit (a whole history takes minutes) and show its progress page."""
    fund = _fund(request, pk)
    up = _upload(fund, token)
    if up.job.get("state") not in ("queued", "running"):  # a second click queues nothing
        user_id = int(request.user.pk or 0)  # login_required: a real user
        importing.upload_set_job(up, state="queued", by=user_id)
        tasks.import_commit_job.enqueue(fund.pk, up.token, user_id)
    return redirect("import_status", fund.pk, up.token)


@login_required
def import_status(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    fund = _fund(request, pk)
    job = importing.upload_job(fund, token)
    if not job:
        raise Http404(_("ไม่พบไฟล์ที่อัปโหลด (อาจนำเข้าไปแล้วหรือหมดอายุ) กรุณาอัปโหลดใหม่"))
    state = job.get("state", "")
    if state == "done":
        if job.get("already"):
            messages.warning(
                request,
                _("ไฟล์นี้นำเข้าไปแล้วเมื่อ %(d)s ไม่มีการบันทึกซ้ำ")
                % {"d": format_be_datetime(dt.datetime.fromisoformat(job["batch_at"]))},
            )
        else:
            messages.success(
                request,
                _(
                    "นำเข้าแล้ว: บุคคลใหม่ %(p)s คน ครัวเรือนใหม่ %(h)s ครัวเรือน สมาชิกใหม่ %(m)s คน "
                    "การชำระเงิน %(pay)s รายการ (มีอยู่แล้ว ข้าม %(s)s รายการ)"
                )
                % {
                    "p": job.get("persons", 0),
                    "h": job.get("households", 0),
                    "m": job.get("memberships", 0),
                    "pay": job.get("payments", 0),
                    "s": job.get("skipped", 0),
                },
            )
        return redirect("import_start", fund.pk)
    started = job.get("at")
    return render(
        request,
        "web/funds/import_status.html",
        {
            "fund": fund,
            "token": token,
            "job": job,
            "state": state,
            "waiting": state in ("queued", "running"),
            "since": dt.datetime.fromisoformat(started) if started else None,
            "can_retry": importing.upload_get(fund, token) is not None,
        },
    )


@login_required
def export_xlsx(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    fund = fund_for(request.user, pk)
    require(request.user, Perm.VIEW_BOOKS, fund.org_unit)
    if kind not in exporting.KINDS:
        raise Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))
    today = timezone.localdate()
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    exporting.export_workbook(
        fund,
        kind,
        tmp,
        full_ids=can(request.user, Perm.VIEW_FULL_ID, fund.org_unit),
        today=today,
    )
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=exporting.file_name(fund, kind, today),
        content_type=XLSX,
    )


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/import/", import_start, name="import_start"),
    path("funds/<int:pk>/import/<str:token>/", import_preview, name="import_preview"),
    path("funds/<int:pk>/import/<str:token>/errors.xlsx", import_errors, name="import_errors"),
    path("funds/<int:pk>/import/<str:token>/commit/", import_commit, name="import_commit"),
    path("funds/<int:pk>/import/<str:token>/status/", import_status, name="import_status"),
    path("funds/<int:pk>/export/<str:kind>.xlsx", export_xlsx, name="export_xlsx"),
]
