"""Tenancy matrix entries of the export screens (views_exports.py; see test_tenancy_matrix.py).

The job screens name an export job of fund A's chair: ``_job`` has the chair export fund A's
member register in the background (the test task backend runs it at once), so the job is done
and its file is there. Every other persona gets 404 for it: a job is its owner's alone. "My
exports" and the progress endpoint name no record: another user gets their own (empty) list.
"""

from __future__ import annotations

from typing import Any


def _job(a: Any) -> int:
    from django.contrib.auth import get_user_model

    from chumchon.reports import export_tasks, exports

    chair = get_user_model().objects.get(pk=a.world.chair_a.pk)
    prep = exports.prepare(chair, "members", {"fund": str(a.fund.pk)})
    job = export_tasks.start(user=chair, prep=prep)
    return int(job.pk)


def _no_args_after_a_job(a: Any) -> list[int]:
    """No URL arguments; the chair's done job made first (before the matrix's snapshot)."""
    _job(a)
    return []


def _latest(a: Any) -> int:
    """The chair's newest job (read only: a query lambda runs after the matrix's snapshot)."""
    from chumchon.reports.models import ExportJob

    return int(ExportJob.objects.filter(user=a.world.chair_a).latest("pk").pk)


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "export_list": Entry(args=_no_args_after_a_job, names_no_record=True),
        "export_progress": Entry(
            args=_no_args_after_a_job,
            query=lambda a: {"ids": str(_latest(a))},
            names_no_record=True,
        ),
        "export_new": Entry(
            args=lambda a: ["members"],
            query=lambda a: {"fund": a.fund.pk},
            post=lambda a: {},
            binary=True,
        ),
        "export_job": Entry(args=lambda a: [_job(a)]),
        "export_download": Entry(args=lambda a: [_job(a)], binary=True),
        "export_delete": Entry(args=lambda a: [_job(a)], post=lambda a: {}, get=False),
    }
