"""Tenancy matrix entries of the dashboards (views_dashboards.py).

``dashboard`` names no unit: it shows the highest unit the user holds a role at, so another
tambon's user gets their own page (or an empty one), never fund A's. The refresh queues a
rebuild of fund A's summaries (the tests' task backend runs it at once), which writes rows.
"""

from __future__ import annotations

from typing import Any

# Each fund's transparency board is public by the fund's own choice (404 unless it opted in);
# it shows aggregates only (see test_dashboard_screens.py).
PUBLIC = {"fund_board"}


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "dashboard": Entry(names_no_record=True),
        "dashboard_unit": Entry(args=lambda a: [a.world.fund_a.pk]),
        "dashboard_refresh": Entry(
            args=lambda a: [a.world.fund_a.pk], post=lambda a: {}, get=False
        ),
    }
