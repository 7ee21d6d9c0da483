"""Background jobs of the fund books, run by the database-backed worker (`chumchon db_worker`).

A large import (a tambon fund's whole history) takes minutes; it runs here rather than inside the
web request, and the status page polls the job's state kept beside the upload.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from . import importing
from .models import Fund

log = logging.getLogger(__name__)


@task()
def import_commit_job(fund_id: int, token: str, user_id: int) -> dict[str, Any]:
    """Write an upload to the books, all or nothing; record the outcome for the status page."""
    fund = Fund.objects.select_related("org_unit", "book").get(pk=fund_id)
    user = get_user_model().objects.get(pk=user_id)
    up = importing.upload_get(fund, token)
    if up is None:
        return {"state": "failed"}
    importing.upload_set_job(up, state="running", by=user_id)
    try:
        result = importing.commit(fund=fund, actor=user, up=up)
    except importing.ImportRefused as exc:
        errors = [str(e) for e in exc.dry.errors[:20]]
        importing.upload_set_job(
            up, state="refused", message=str(exc.messages[0]), errors=errors, by=user_id
        )
        return up.job
    except (importing.ImportFileError, PermissionDenied, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        importing.upload_set_job(up, state="failed", message=message, by=user_id)
        return up.job
    except Exception:
        log.exception("import %s of fund %s failed", token, fund_id)
        importing.upload_set_job(
            up,
            state="failed",
            message=_("เกิดข้อผิดพลาดในระบบ ไม่มีข้อมูลใดถูกบันทึก กรุณาลองใหม่หรือแจ้งผู้ดูแลระบบ"),
            by=user_id,
        )
        raise
    importing.upload_set_job(
        up,
        state="done",
        already=result.already,
        batch_at=result.batch.at.isoformat(),
        persons=result.persons,
        households=result.households,
        memberships=result.memberships,
        payments=result.payments,
        skipped=result.batch.skipped,
        by=user_id,
    )
    importing.upload_drop_content(up)
    return up.job
