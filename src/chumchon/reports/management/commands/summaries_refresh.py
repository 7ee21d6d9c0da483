"""``chumchon summaries_refresh [--fund ID] [--as-of YYYY-MM-DD]``: rebuild the dashboards'
summaries (``FundSnapshot`` rows) of every fund, or of one, now, in this process."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chumchon.funds.models import Fund
from chumchon.reports.summaries import refresh_fund


class Command(BaseCommand):
    help = "สร้างข้อมูลสรุปสำหรับแดชบอร์ดใหม่ / Rebuild the dashboard summaries of the funds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fund", type=int, default=None, help="fund id (default: every fund)")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="figures as of this day, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        funds = Fund.objects.select_related("org_unit").order_by("pk")
        if options["fund"] is not None:
            funds = funds.filter(pk=options["fund"])
            if not funds.exists():
                raise CommandError(f"no fund with id {options['fund']}")
        total = 0
        for fund in funds:
            started = time.perf_counter()
            rows = refresh_fund(fund, options["as_of"])
            total += rows
            self.stdout.write(
                f"{fund.pk}\t{fund.name}\t{rows} rows\t{time.perf_counter() - started:.2f} s"
            )
        self.stdout.write(f"summaries_refresh: {total} rows written")
