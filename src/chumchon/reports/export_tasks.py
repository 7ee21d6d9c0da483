"""Large exports in the background (django-tasks; the database queue's `db_worker` runs them).

``start`` queues a job for a prepared export; ``run_export`` writes it: it prepares the export
again as the job's owner (so a role that ended meanwhile exports nothing), counts the rows,
writes the file with its progress saved every ``exports.PROGRESS_EVERY`` rows, keeps the file
on the job and marks it DONE, or FAILED with a Thai message.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db.models import Case, F, PositiveIntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from . import exports
from .models import ExportJob, ExportState

log = logging.getLogger(__name__)


def start(*, user: Any, prep: exports.Prepared) -> ExportJob:
    """Queue ``prep`` (or find the same job already queued); returns the job."""
    exports.purge_expired()
    job, created = exports.job_create(
        user=user, prep=prep, language=translation.get_language() or settings.LANGUAGE_CODE
    )
    if created:
        run_export.enqueue(job.pk)
    return job


def _progress(job_id: int, done: int) -> None:
    """Save how far the writer is; the total grows if rows were added since the count."""
    ExportJob.objects.filter(pk=job_id).update(
        done_rows=done,
        total_rows=Case(
            When(total_rows__lt=done, then=Value(done)),
            default=F("total_rows"),
            output_field=PositiveIntegerField(),
        ),
    )


def _fail(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportState.FAILED, error=message, finished_at=timezone.now()
    )


@task()
def run_export(job_id: int) -> dict[str, Any]:
    """Write the file of export job ``job_id``; returns its final state and row count."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None:
        return {"state": "missing"}
    # Claim the job: a second delivery of the same task writes nothing twice.
    if not ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING
    ):
        return {"state": job.state}
    language = job.params.get("lang") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            prep = exports.prepare(job.user, job.kind, job.params.get("query") or {})
        except exports.ExportNotFound:
            _fail(job_id, _("ไม่มีสิทธิ์เข้าถึงข้อมูลนี้แล้ว (บทบาทสิ้นสุดหรือถูกเปลี่ยน) จึงไม่ได้สร้างไฟล์"))
            return {"state": ExportState.FAILED}
        except Exception:  # never leave a job "running" for ever
            log.exception("export job %s (%s) could not start", job_id, job.kind)
            _fail(job_id, _("เกิดข้อผิดพลาดในระบบระหว่างสร้างไฟล์ กรุณาลองใหม่หรือแจ้งผู้ดูแลระบบ"))
            raise
        if prep.errors:
            _fail(job_id, "; ".join(prep.errors.values()))
            return {"state": ExportState.FAILED}
        # What the file holds is what the owner may see now: the download check follows it.
        params = {**job.params, **exports.job_params(prep, language)}
        ExportJob.objects.filter(pk=job_id).update(
            params=params, title=prep.title, total_rows=prep.count, done_rows=0
        )
        try:
            with tempfile.TemporaryFile() as tmp:
                n = exports.write(prep, tmp, progress=lambda done: _progress(job_id, done))
                tmp.seek(0)
                job.refresh_from_db()
                job.file.save(f"{uuid.uuid4().hex}.xlsx", File(tmp), save=False)
        except Exception:
            log.exception("export job %s (%s) failed", job_id, job.kind)
            _fail(job_id, _("เกิดข้อผิดพลาดในระบบระหว่างสร้างไฟล์ กรุณาลองใหม่หรือแจ้งผู้ดูแลระบบ"))
            raise
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportState.DONE,
            file=job.file.name,
            file_name=exports.file_name(prep, timezone.localdate()),
            done_rows=n,
            total_rows=n,
            finished_at=timezone.now(),
        )
    return {"state": ExportState.DONE, "rows": n}
