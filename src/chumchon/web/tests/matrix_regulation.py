"""Tenancy matrix entries of the regulation screens (views_regulation.py).

The version screens name a draft of fund A's regulation: ``_draft`` makes it once per test (the
example regulation of domain.md, valid, so fund A's chair can adopt it) through the services, as
the committee would. The import entry carries a small YAML file the way the confirm step of the upload
screen does (base64 in the form).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

MATRIX_TITLE = "ระเบียบทดสอบตารางสิทธิ์"


def _draft(a: Any) -> Any:
    from chumchon.benefits import services_regulation as svc
    from chumchon.benefits.models import RegulationVersion
    from chumchon.benefits.tests.test_regulation import example_benefits

    found = RegulationVersion.objects.filter(fund=a.fund, title=MATRIX_TITLE).first()
    if found is not None:
        return found
    version = svc.version_create_draft(
        fund=a.fund,
        actor=a.world.chair_a,
        title=MATRIX_TITLE,
        effective_from=dt.date(2025, 10, 1),
    )
    for data in example_benefits():
        svc.benefit_save(version=version, actor=a.world.chair_a, data=data)
    return version


def _benefit(a: Any) -> list[int]:
    version = _draft(a)
    return [version.pk, version.benefits.get(code="hospital").pk]


IMPORT_YAML = """\
format: chumchon.regulation
format_version: 1
title: ระเบียบนำเข้าทดสอบ
effective_from: '2026-10-01'
benefits:
- code: birth
  name: ค่าคลอดบุตร
  category: '01'
  amount_kind: per_unit
  amount: 800
  unit_name: คน
  waiting_n: 90
  limits:
  - {measure: units, period: calendar, maximum: 2}
"""


def _yaml(a: Any) -> str:
    """The file as the confirm step carries it (written here: making it must not touch the
    database, which the matrix compares before and after the POST)."""
    return base64.b64encode(IMPORT_YAML.encode()).decode()


def _rows(prefix: str, n: int) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(n),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def benefit_post(**extra: Any) -> dict[str, Any]:
    """A filled-in benefit form: a funeral grant of 2,000 baht once per membership."""
    return {
        "name": "ค่าจัดการศพ",
        "category": "05",
        "code": "",
        "amount_kind": "fixed",
        "amount": "2,000",
        "waiting_n": "180",
        "waiting_unit": "days",
        "standing": "not_lapsed",
        "payee": "beneficiary",
        "recurrence": "",
        "documents": "สำเนาใบมรณบัตร",
        **_rows("tiers", 0),
        **_rows("limits", 1),
        "limits-0-measure": "count",
        "limits-0-maximum": "1",
        "limits-0-period": "lifetime",
        **extra,
    }


def entries(Entry: Any) -> dict[str, Any]:
    fund = lambda a: [a.fund.pk]  # noqa: E731
    draft = lambda a: [_draft(a).pk]  # noqa: E731
    return {
        "regulation_list": Entry(args=fund),
        "regulation_create": Entry(
            args=fund,
            post=lambda a: {
                "based_on": "",
                "title": "ระเบียบฉบับใหม่",
                "effective_from": "01/10/2569",
                "preamble": "",
            },
        ),
        "regulation_import": Entry(
            args=fund,
            post=lambda a: {"confirm": "1", "content": _yaml(a), "kind": "yaml"},
        ),
        "approval_rules": Entry(
            args=fund,
            post=lambda a: {
                **_rows("rules", 1),
                "rules-0-min_amount": "0",
                "rules-0-approvals": "2",
                "rules-0-roles": ["chair", "committee"],
            },
        ),
        "regulation_detail": Entry(args=draft),
        "regulation_edit": Entry(
            args=draft,
            post=lambda a: {
                "title": "ระเบียบทดสอบ (แก้ชื่อ)",
                "effective_from": "01/10/2568",
                "preamble": "หลักการใหม่",
            },
        ),
        "regulation_delete": Entry(args=draft, post=lambda a: {}, get=False),
        "regulation_adopt": Entry(
            args=draft,
            post=lambda a: {
                "resolution_meeting": "ที่ประชุมใหญ่สามัญประจำปี",
                "resolution_date": "15/09/2568",
                "resolution_no": "2/2568",
            },
        ),
        "regulation_pdf": Entry(args=draft, binary=True),
        "regulation_export": Entry(args=lambda a: [_draft(a).pk, "yaml"], binary=True),
        "regulation_benefit_create": Entry(args=draft, post=lambda a: benefit_post()),
        "regulation_benefit_edit": Entry(
            args=_benefit,
            post=lambda a: benefit_post(name="ค่ารักษาพยาบาล", category="02", amount="300"),
        ),
        "regulation_benefit_delete": Entry(args=_benefit, post=lambda a: {}, get=False),
    }
