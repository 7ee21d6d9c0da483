"""Background jobs of the reports: refreshing a fund's summaries (``FundSnapshot`` rows).

The services send ``funds.signals.fund_changed``; ``summaries.summaries_touch`` queues
``refresh_fund_task`` once per fund when their transaction commits. A refresh already waiting in
the database queue covers every change made before it starts, so no second one is queued.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from chumchon.funds.models import Fund

from . import summaries


@task()
def refresh_fund_task(fund_id: int) -> dict[str, Any]:
    """Rebuild one fund's summaries as of today."""
    fund = Fund.objects.select_related("org_unit").filter(pk=fund_id).first()
    if fund is None:
        return {"fund": fund_id, "rows": 0}
    return {"fund": fund_id, "rows": summaries.refresh_fund(fund)}


def already_queued(fund_id: int) -> bool:
    """Whether a refresh of the fund waits in the database queue and has not started yet."""
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(refresh_fund_task.get_backend(), DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = (
        DBTaskResult.objects.ready()
        .filter(task_path=refresh_fund_task.module_path)
        .values_list("args_kwargs", flat=True)
    )
    return any((row or {}).get("args") == [fund_id] for row in waiting)


def queue_refresh(fund_id: int) -> bool:
    """Queue a refresh of the fund unless one is already waiting; True when one was queued."""
    if already_queued(fund_id):
        return False
    refresh_fund_task.enqueue(fund_id)
    return True
