"""Tenancy matrix entries of the yearly report screens (views_statements.py).

Every URL names fund A and fiscal year 2568 (the year of fund A's receipt of 5 Jan 2025). The
PDFs and Excel files are binary: fund A's chair gets a non-empty file, anyone else 404 and no
file. Saving the CODI form's answers writes a ``CodiFormYear`` row (the snapshot holds every
reports table), which fund B's treasurer and officer must not be able to do.
"""

from __future__ import annotations

from typing import Any

FY = 2568


def entries(Entry: Any) -> dict[str, Any]:
    fund = lambda a: [a.fund.pk]  # noqa: E731
    fund_year = lambda a: [a.fund.pk, FY]  # noqa: E731
    return {
        "statements": Entry(args=fund, query=lambda a: {"fy": str(FY)}),
        "statements_pdf": Entry(args=fund_year, binary=True),
        "statements_xlsx": Entry(args=fund_year, binary=True),
        "codi_form": Entry(args=fund, query=lambda a: {"fy": str(FY)}),
        "codi_form_edit": Entry(
            args=fund_year,
            post=lambda a: {
                "community_population": "1200",
                "villages_total": "8",
                "data_keeping": "file",
                "objectives": "ดูแลกันตั้งแต่เกิดจนตาย",
                "problems": "สมาชิกค้างชำระ",
            },
        ),
        "codi_form_pdf": Entry(args=fund_year, binary=True),
        "codi_form_xlsx": Entry(args=fund_year, binary=True),
    }
