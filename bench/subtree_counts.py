"""Workload ``subtree_counts``: the home page's figures, against a count over known unit ids.

Runs inside a worker on the data ``dataset.load`` put in its database. The home page
(``web.views._unit_counts``) shows, for each unit where the user holds a role, how many living
persons and how many households are kept in that unit's subtree, through the app's own filter
``areas.selectors.subtree_q`` (since run 4: ``org_unit_id IN (SELECT id FROM areas_orgunit
WHERE path in prefix range)``; runs 1-3 used a join on ``org_unit__path LIKE 'prefix%'``)::

    Person.objects.filter(subtree_q([unit]), death_date__isnull=True).count()
    Household.objects.filter(subtree_q([unit])).count()

This times those two counts at three levels of the tree: the province network (every person),
one tambon fund (about 1/20), one village group (about 1/100); funds and village groups are
taken in turn in a seeded order. Each is paired with a baseline on the same database in the
same run, the same count with the subtree's unit ids already known::

    SELECT count(*) FROM people_person WHERE org_unit_id IN (...) AND death_date IS NULL
    SELECT count(*) FROM people_household WHERE org_unit_id IN (...)

and, for persons, the count without the death filter (``all_rows``), which an index on
``org_unit_id`` alone can answer. ``candidate_subquery`` (what the app did not do before run 4): the same
count written ``org_unit_id IN (SELECT id FROM areas_orgunit WHERE path LIKE 'prefix%')``
(``org_unit_id__in=OrgUnit.objects.filter(path__startswith=...).values("pk")``), timed to see
whether the join is what costs.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from typing import Any

from .dataset import Dataset
from .timing import WARMUP, log, measure

NAME = "subtree_counts"
LEVELS = ("province", "fund", "village_group")
KINDS = ("persons", "households")
DEFAULT_QUERIES = 100  # per level and kind: a province count reads every row, 300 adds little


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("subtree_counts")
    group.add_argument(
        "--count-queries",
        type=int,
        default=None,
        help=f"timed counts per level and kind (min(--queries, {DEFAULT_QUERIES}))",
    )


def _ours_qs(kind: str, unit: Any) -> Any:
    """Exactly what web.views._unit_counts builds (the app's own subtree filter)."""
    from chumchon.areas.selectors import subtree_q
    from chumchon.people.models import Household, Person

    subtree = subtree_q([unit])
    if kind == "persons":
        return Person.objects.filter(subtree, death_date__isnull=True)
    return Household.objects.filter(subtree)


def _subquery_qs(kind: str, unit: Any) -> Any:
    """A candidate, not what the app does: the subtree's ids as a subquery instead of a join."""
    from chumchon.areas.models import OrgUnit
    from chumchon.people.models import Household, Person

    ids = OrgUnit.objects.filter(path__startswith=unit.path).values("pk")
    if kind == "persons":
        return Person.objects.filter(org_unit_id__in=ids, death_date__isnull=True)
    return Household.objects.filter(org_unit_id__in=ids)


def _candidate(kind: str) -> Callable[[Any], int]:
    def run(unit: Any) -> int:
        return int(_subquery_qs(kind, unit).count())

    return run


def _ours(kind: str) -> Callable[[Any], int]:
    def run(unit: Any) -> int:
        return int(_ours_qs(kind, unit).count())

    return run


def count_sql(qs: Any) -> str:
    """The statement ``qs.count()`` sends, as sent (parameters inlined by the driver).

    Caught from a real ``.count()`` rather than rebuilt, so it cannot drift from what Django
    does; outside the timing.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        qs.count()
    (statement,) = (q["sql"] for q in ctx.captured_queries)
    return statement


def _ours_sql(kind: str, units: list[Any]) -> Callable[[Any], int]:
    """The SELECT COUNT(*) our queryset compiles to, sent raw: the database's share."""
    from django.db import connection

    compiled = {unit.pk: count_sql(_ours_qs(kind, unit)) for unit in units}

    def run(unit: Any) -> int:
        with connection.cursor() as cur:
            cur.execute(compiled[unit.pk])
            return int(cur.fetchone()[0])

    return run


def _baseline_statement(kind: str, unit_ids: list[int], *, living: bool = True) -> str:
    """The hand-written count over known ids (ids are integers we made: inlined)."""
    table = "people_person" if kind == "persons" else "people_household"
    extra = " AND death_date IS NULL" if kind == "persons" and living else ""
    id_list = ", ".join(str(int(pk)) for pk in unit_ids)
    return f"SELECT count(*) FROM {table} WHERE org_unit_id IN ({id_list}){extra}"


def _baseline(kind: str, ids: dict[int, list[int]], *, living: bool = True) -> Callable[[Any], int]:
    from django.db import connection

    sqls = {pk: _baseline_statement(kind, unit_ids, living=living) for pk, unit_ids in ids.items()}

    def run(unit: Any) -> int:
        with connection.cursor() as cur:
            cur.execute(sqls[unit.pk])
            return int(cur.fetchone()[0])

    return run


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cur.fetchall())
        cur.execute("EXPLAIN " + sql)
        return "\n".join(str(row[0]) for row in cur.fetchall())


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    from chumchon.areas.models import OrgUnit

    n = args.count_queries or min(args.queries, DEFAULT_QUERIES)
    rng = random.Random(args.seed + 2)
    funds = list(data.funds)
    groups = [g.unit for g in data.groups]
    rng.shuffle(funds)
    rng.shuffle(groups)
    pools = {"province": [data.network], "fund": funds, "village_group": groups}
    # The subtree's unit ids for each unit, computed once, outside the timing.
    ids = {
        unit.pk: list(
            OrgUnit.objects.filter(path__startswith=unit.path)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pool in pools.values()
        for unit in pool
    }
    out: dict[str, Any] = {"counts": n, "seed": args.seed}
    plans: dict[str, Any] = {}
    for level in LEVELS:
        pool = pools[level]
        units = [pool[i % len(pool)] for i in range(n + WARMUP)]
        out[level] = {"units": len(pool), "subtree_units_p50": _median_size(pool, ids)}
        for kind in KINDS:
            fns: dict[str, Callable[[Any], int]] = {
                "ours": _ours(kind),
                "ours_sql": _ours_sql(kind, pool),
                "baseline": _baseline(kind, ids),
                "candidate_subquery": _candidate(kind),
            }
            if kind == "persons":
                fns["all_rows"] = _baseline(kind, ids, living=False)
            for unit in pool:  # every way must give the same answer
                answers = {name: fn(unit) for name, fn in fns.items() if name != "all_rows"}
                if len(set(answers.values())) != 1:
                    raise AssertionError(f"{level} {kind} {unit.pk}: counts differ {answers}")
            log(f"  {level} {kind}: {n} counts (+{WARMUP} warm-up)")
            res = measure(units, fns)
            out[level][kind] = res
            log(
                f"  {level} {kind}: p50 {res['ours']['p50_ms']} ms vs "
                f"{res['baseline']['p50_ms']} ms (x{res['ratio_p50']}), p95 x{res['ratio_p95']}; "
                f"its SQL alone p50 {res['ours_sql']['p50_ms']} ms (x{res['ratio_sql_p50']})"
            )
            unit = pool[0]
            sql = count_sql(_ours_qs(kind, unit))
            base_sql = _baseline_statement(kind, ids[unit.pk])
            candidate_sql = count_sql(_subquery_qs(kind, unit))
            plans[f"{level}_{kind}"] = {
                "unit": unit.name,
                "sql": sql,
                "plan": _explain(sql),
                "baseline_sql": base_sql,
                "baseline_plan": _explain(base_sql),
                "candidate_subquery_sql": candidate_sql,
                "candidate_subquery_plan": _explain(candidate_sql),
            }
    out["plans"] = plans
    return out


def _median_size(pool: list[Any], ids: dict[int, list[int]]) -> int:
    sizes = sorted(len(ids[u.pk]) for u in pool)
    return sizes[len(sizes) // 2]
