"""Excel exports of every list (see reports/exports.py for what each export holds).

A list's "ส่งออก Excel" link leads to ``export_new`` with the list's own query string. A small
export (``exports.DIRECT_MAX_ROWS`` rows or fewer) downloads at once; a larger one shows its
size and a button that queues a background job (POST: a GET never writes). The job's page and
"my exports" show a progress bar, refresh themselves while a job runs (a meta refresh, or
``exports.js`` polling ``export_progress`` when scripts run), and offer the file when it is
done. Only the job's owner sees a job (404 for anyone else), and downloads it only while their
roles still cover what it holds (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chumchon.reports import export_tasks, exports
from chumchon.reports.models import ExportJob, ExportState

LIST_SHOWN = 50  # jobs on "my exports"
STALE_AFTER = dt.timedelta(hours=1)  # a job "running" this long lost its worker: it may go


def _not_found() -> Http404:
    return Http404(_("ไม่พบข้อมูล หรือไม่มีสิทธิ์เข้าถึง"))


def _job_of(request: HttpRequest, pk: int) -> ExportJob:
    job = exports.jobs_of(request.user).filter(pk=pk).first()
    if job is None:
        raise _not_found()
    return job


def _percent(job: ExportJob) -> int:
    if job.state == ExportState.DONE:
        return 100
    if not job.total_rows:
        return 0
    return min(100, job.done_rows * 100 // job.total_rows)


def _deletable(job: ExportJob) -> bool:
    return job.state != ExportState.RUNNING or job.created_at < timezone.now() - STALE_AFTER


def _row(request: HttpRequest, job: ExportJob) -> dict[str, Any]:
    ok, why = exports.downloadable(request.user, job)
    return {
        "can_delete": _deletable(job),
        "job": job,
        "percent": _percent(job),
        "waiting": job.state in (ExportState.QUEUED, ExportState.RUNNING),
        "can_download": ok,
        "why_not": why if job.state == ExportState.DONE else "",
    }


def _params_for(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


@login_required
def export_new(request: HttpRequest, kind: str) -> HttpResponseBase:
    """The export of a list: the file at once when small, else a page to queue it."""
    try:
        prep = exports.prepare(request.user, kind, _params_for(request))
    except exports.ExportNotFound as exc:
        raise _not_found() from exc
    if prep.errors:
        return render(request, "web/exports/new.html", {"prep": prep}, status=400)
    if request.method == "POST":
        job = export_tasks.start(user=request.user, prep=prep)
        if job.state == ExportState.DONE:
            messages.success(request, _("สร้างไฟล์เสร็จแล้ว ดาวน์โหลดได้เลย"))
        return redirect("export_job", job.pk)
    if prep.direct:
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
        exports.write(prep, tmp)
        tmp.seek(0)
        return FileResponse(
            tmp,
            as_attachment=True,
            filename=exports.file_name(prep, timezone.localdate()),
            content_type=exports.XLSX,
        )
    return render(
        request,
        "web/exports/new.html",
        {"prep": prep, "limit": exports.DIRECT_MAX_ROWS, "hidden": sorted(prep.query.items())},
    )


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """My exports: newest first, progress bars, download and delete."""
    jobs = list(exports.jobs_of(request.user)[:LIST_SHOWN])
    rows = [_row(request, j) for j in jobs]
    return render(
        request,
        "web/exports/list.html",
        {
            "rows": rows,
            "waiting": any(r["waiting"] for r in rows),
            "keep_days": exports.KEEP_DAYS,
            "limit": exports.DIRECT_MAX_ROWS,
        },
    )


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_of(request, pk)
    row = _row(request, job)
    return render(
        request,
        "web/exports/job.html",
        {**row, "waiting": row["waiting"], "keep_days": exports.KEEP_DAYS},
    )


@login_required
def export_progress(request: HttpRequest) -> JsonResponse:
    """The user's jobs named by ``ids`` (comma-separated), for the progress bars' script."""
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.strip().isdigit()][:100]
    jobs = exports.jobs_of(request.user).filter(pk__in=ids)
    return JsonResponse(
        {
            "jobs": [
                {
                    "id": j.pk,
                    "title": j.title,
                    "state": j.state,
                    "state_label": j.get_state_display(),
                    "done": j.done_rows,
                    "total": j.total_rows,
                    "percent": _percent(j),
                    "url": reverse("export_job", args=[j.pk]),
                }
                for j in jobs
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_of(request, pk)
    ok, why = exports.downloadable(request.user, job)
    if not ok:
        if job.state != ExportState.DONE:
            raise _not_found()
        raise PermissionDenied(why)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("ไม่พบไฟล์ (อาจถูกลบไปแล้ว) กรุณาส่งออกใหม่")) from exc
    return FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=exports.XLSX
    )


@login_required
@require_POST
def export_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_of(request, pk)
    if not _deletable(job):
        messages.warning(request, _("ไฟล์นี้กำลังสร้างอยู่ ลบได้เมื่อสร้างเสร็จ"))
        return redirect("export_list")
    title = job.title
    exports.job_delete(job)
    messages.success(request, _("ลบ “%(t)s” แล้ว") % {"t": title})
    return redirect("export_list")


urlpatterns: list[URLPattern] = [
    path("exports/", export_list, name="export_list"),
    path("exports/progress.json", export_progress, name="export_progress"),
    path("exports/new/<str:kind>/", export_new, name="export_new"),
    path("exports/<int:pk>/", export_job, name="export_job"),
    path("exports/<int:pk>/download/", export_download, name="export_download"),
    path("exports/<int:pk>/delete/", export_delete, name="export_delete"),
]
