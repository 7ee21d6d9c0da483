"""Workload ``person_search``: the person search box, against a raw indexed SELECT.

Runs inside a worker on the data ``dataset.load`` put in its database (an org tree, a
coordinator and ``--persons`` people), and times two kinds of search, each over ``--queries``
queries drawn with a fixed seed from the loaded people:

* ``name_prefix``: a name prefix as typed ("สม", "แสงท", "สมชาย ใจ"), through the app's own path:
  ``persons_visible_to(user).filter(person_search_q(q)).order_by(*thai_name_order())[:25]``;
* ``national_id``: the same with a full 13-digit ID.

Each is paired with a baseline on the same database in the same run: the smallest indexed
SELECT a hand-written query would do, sent through the DB-API cursor.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from typing import Any

from .dataset import Dataset
from .timing import WARMUP, log, measure

NAME = "person_search"
LIMIT = 25


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def _name_query(rng: random.Random, first: str, last: str) -> str:
    """What someone types: 2-4 characters of a first or family name, or "first fam-prefix"."""
    k = rng.randint(2, 4)
    r = rng.random()
    if r < 0.2 and last:
        return f"{first} {last[:k]}"
    if r < 0.6 or not last:
        return first[:k]
    return last[:k]


def draw_queries(n: int, seed: int) -> tuple[list[str], list[str]]:
    """``n`` + WARMUP name queries and as many ID queries, from people in the database."""
    from chumchon.people.models import Person

    rng = random.Random(seed)
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    total = n + WARMUP
    picked = rng.sample(ids, min(len(ids), 2 * total))
    rows = dict(
        (pk, (first, last, nid))
        for pk, first, last, nid in Person.objects.filter(pk__in=picked).values_list(
            "pk", "first_name", "last_name", "national_id"
        )
    )
    people = [rows[pk] for pk in picked]
    names = [_name_query(rng, first, last) for first, last, _ in people[:total]]
    national_ids = [nid for _, _, nid in people[total:] if nid]
    return names, national_ids


def _ours_qs(user: Any, query: str) -> Any:
    from chumchon.people.selectors import person_search_q, persons_visible_to, thai_name_order

    qs = persons_visible_to(user).filter(person_search_q(query)).order_by(*thai_name_order())
    return qs[:LIMIT]


def _ours(user: Any) -> Callable[[str], int]:
    """The app's own path: build the queryset, compile, run, make Person objects."""

    def run(query: str) -> int:
        return len(list(_ours_qs(user, query)))

    return run


def _ours_sql(user: Any, queries: Sequence[str]) -> Callable[[str], int]:
    """The SQL our queryset compiles to, sent raw through the cursor: the database's share."""
    from django.db import connection

    compiled = {q: _ours_qs(user, q).query.sql_with_params() for q in queries}

    def run(query: str) -> int:
        sql, params = compiled[query]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return len(cur.fetchall())

    return run


def _baseline_sql(kind: str) -> str:
    from django.db import connection

    if kind == "national_id":
        return "SELECT id, first_name, last_name FROM people_person WHERE national_id = %s"
    if connection.vendor == "sqlite":
        return (
            "SELECT id, first_name, last_name FROM people_person "
            f"WHERE first_name_key >= %s AND first_name_key < %s LIMIT {LIMIT}"
        )
    return (
        "SELECT id, first_name, last_name FROM people_person "
        f"WHERE first_name_key LIKE %s LIMIT {LIMIT}"
    )


def _baseline_params(kind: str, query: str) -> list[str]:
    from django.db import connection

    from chumchon.core.thai import search_key, strip_title

    if kind == "national_id":
        return [query]
    words = strip_title(query).split()
    key = search_key(words[0]) if words else ""
    if connection.vendor == "sqlite":
        return [key, key + "\U0010ffff"]
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [escaped + "%"]


def _baseline(kind: str) -> Callable[[str], int]:
    from django.db import connection

    sql = _baseline_sql(kind)

    def run(query: str) -> int:
        params = _baseline_params(kind, query)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return len(cur.fetchall())

    return run


def match_counts(user: Any, queries: Sequence[str]) -> dict[str, int]:
    """How many visible people each query matches before the LIMIT: what the sort has to order."""
    from chumchon.people.selectors import person_search_q, persons_visible_to

    counts = sorted(persons_visible_to(user).filter(person_search_q(q)).count() for q in queries)
    return {
        "p50": counts[len(counts) // 2],
        "p95": counts[min(len(counts) - 1, (len(counts) * 95) // 100)],
        "max": counts[-1],
    }


def _explain_raw(sql: str, params: list[str]) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cur.fetchall())
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(str(row[0]) for row in cur.fetchall())


def plans(user: Any, names: Sequence[str], national_ids: Sequence[str]) -> dict[str, Any]:
    """EXPLAIN of one query of each kind, ours and baseline, so a reader sees the indexes."""
    one_word = next((q for q in names if " " not in q), names[0])
    two_words = next((q for q in names if " " in q), None)
    out: dict[str, Any] = {}
    examples = [("name_prefix", one_word), ("name_prefix_two_words", two_words)]
    examples.append(("national_id", national_ids[0]))
    for label, query in examples:
        if query is None:
            continue
        qs = _ours_qs(user, query)
        out[label] = {"query": query, "sql": str(qs.query), "plan": qs.explain()}
    for kind, query in (("name_prefix", one_word), ("national_id", national_ids[0])):
        sql = _baseline_sql(kind)
        params = _baseline_params(kind, query)
        out[f"baseline_{kind}"] = {
            "query": query,
            "sql": sql,
            "params": params,
            "plan": _explain_raw(sql, params),
        }
    return out


# ---------------------------------------------------------------------------------------------
# The workload
# ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    q, user = args.queries, data.user
    names, national_ids = draw_queries(q, args.seed + 1)
    ours = _ours(user)
    log(f"  name_prefix: {len(names) - WARMUP} queries (+{WARMUP} warm-up)")
    name_result = measure(
        names,
        {"ours": ours, "ours_sql": _ours_sql(user, names), "baseline": _baseline("name_prefix")},
    )
    log(f"  national_id: {len(national_ids) - WARMUP} queries (+{WARMUP} warm-up)")
    id_result = measure(
        national_ids,
        {
            "ours": ours,
            "ours_sql": _ours_sql(user, national_ids),
            "baseline": _baseline("national_id"),
        },
    )
    name_result["matches_before_limit"] = match_counts(user, names[WARMUP:])
    for label, res in (("name_prefix", name_result), ("national_id", id_result)):
        log(
            f"  {label}: p50 {res['ours']['p50_ms']} ms vs {res['baseline']['p50_ms']} ms "
            f"(x{res['ratio_p50']}), p95 x{res['ratio_p95']}; "
            f"its SQL alone p50 {res['ours_sql']['p50_ms']} ms (x{res['ratio_sql_p50']})"
        )
    return {
        "persons": args.persons,
        "queries": len(names) - WARMUP,
        "seed": args.seed,
        "name_prefix": name_result,
        "national_id": id_result,
        "plans": plans(user, names[WARMUP:], national_ids[WARMUP:]),
    }
