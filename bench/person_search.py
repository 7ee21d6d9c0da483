"""Workload ``person_search``: the person search box, against a raw indexed SELECT.

Runs inside a worker whose Django already points at a fresh database (see worker.py). Loads an
org tree, a coordinator and ``--persons`` people, then times two kinds of search, each over
``--queries`` queries drawn with a fixed seed from the loaded people:

* ``name_prefix``: a name prefix as typed ("สม", "แสงท", "สมชาย ใจ"), through the app's own path:
  ``persons_visible_to(user).filter(person_search_q(q)).order_by(*thai_name_order())[:25]``;
* ``national_id``: the same with a full 13-digit ID.

Each is paired with a baseline on the same database in the same run: the smallest indexed
SELECT a hand-written query would do, sent through the DB-API cursor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .names import VILLAGE_NAMES, ThaiPeople
from .timing import compare, log, timed_ms

NAME = "person_search"
BATCH = 5_000
FUNDS = 20
GROUPS_PER_FUND = 5
PROVINCE_CODE = "34"  # Ubon Ratchathani: enough subdistricts for 20 tambon funds
TODAY = dt.date(2025, 1, 1)  # fixed, so ages and titles do not depend on the day of the run
WARMUP = 10
LIMIT = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("person_search")
    group.add_argument("--persons", type=int, default=None, help="people to load (200000)")
    group.add_argument("--queries", type=int, default=None, help="queries per kind (300)")


@dataclass(frozen=True)
class Group:
    unit: Any
    village: Any
    subdistrict: Any
    area_code: str  # 4-digit district code, used in the national IDs
    postcode: str


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def build_org_tree() -> tuple[Any, list[Group]]:
    """One province network, FUNDS tambon funds, GROUPS_PER_FUND village groups under each."""
    from chumchon.areas.models import OrgUnitKind, Province, Subdistrict
    from chumchon.areas.services import org_unit_create, village_create

    province = Province.objects.filter(code=PROVINCE_CODE).first()
    subdistricts = list(
        Subdistrict.objects.filter(district__province_id=PROVINCE_CODE, active=True)
        .select_related("district")
        .order_by("code")[:FUNDS]
    )
    network = org_unit_create(
        name=f"เครือข่ายสวัสดิการชุมชนจังหวัด{province.name_th if province else 'ทดสอบ'}",
        kind=OrgUnitKind.PROVINCE_NETWORK,
    )
    groups: list[Group] = []
    for i in range(FUNDS):
        sub = subdistricts[i] if i < len(subdistricts) else None
        fund = org_unit_create(
            name=f"กองทุนสวัสดิการชุมชนตำบล{sub.name_th if sub else i + 1}",
            kind=OrgUnitKind.FUND,
            parent=network,
            subdistrict=sub,
        )
        for number in range(1, GROUPS_PER_FUND + 1):
            village = None
            if sub is not None:
                name = VILLAGE_NAMES[(i * GROUPS_PER_FUND + number) % len(VILLAGE_NAMES)]
                village = village_create(subdistrict=sub, number=number, name=f"บ้าน{name}")
            unit = org_unit_create(
                name=f"กลุ่มสวัสดิการหมู่ที่ {number} {fund.name}",
                kind=OrgUnitKind.VILLAGE_GROUP,
                parent=fund,
                village=village,
            )
            groups.append(
                Group(
                    unit=unit,
                    village=village,
                    subdistrict=sub,
                    area_code=sub.district_id if sub else "3401",
                    postcode=sub.postal_code_list[0] if sub and sub.postal_code_list else "",
                )
            )
    return network, groups


def make_coordinator(network: Any) -> Any:
    """A user with a coordinator role at the province network: scope_q gives a path filter."""
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.core.permissions import Role

    user = get_user_model().objects.create_user(username="bench-coordinator", password=None)
    role_assign(user=user, org_unit=network, role=Role.COORDINATOR, start_date=dt.date(2020, 1, 1))
    return user


def load_persons(n: int, groups: list[Group], seed: int) -> dict[str, float]:
    """``n`` people over the village groups, bulk_create in batches of BATCH."""
    from chumchon.core.thai import search_key, thai_name_sort_bytes
    from chumchon.people.models import Person

    rng = random.Random(seed)
    people = ThaiPeople(rng)
    # Village groups differ in size, as they do in life.
    weights = [rng.uniform(0.4, 1.6) for _ in groups]
    keys: dict[str, str] = {}

    def key(name: str) -> str:
        k = keys.get(name)
        if k is None:
            k = keys[name] = search_key(name)
        return k

    generate_s = insert_s = 0.0
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        t0 = time.perf_counter()
        drawn = []
        for g in rng.choices(groups, weights, k=size):
            p = people.person(g.area_code, TODAY)
            drawn.append((g, p, key(p.first_name), key(p.last_name)))
        t1 = time.perf_counter()
        objs = [
            Person(
                org_unit=g.unit,
                village=g.village,
                subdistrict=g.subdistrict,
                postcode=g.postcode,
                house_number=str(rng.randint(1, 400)),
                title=p.title,
                first_name=p.first_name,
                last_name=p.last_name,
                name_sort=thai_name_sort_bytes(p.first_name, p.last_name),
                first_name_key=fkey,  # bulk_create skips save(), which sets the keys
                last_name_key=lkey,
                sex=p.sex,
                birth_date=p.birth_date,
                birth_year=p.birth_date.year,
                national_id=p.national_id,
            )
            for g, p, fkey, lkey in drawn
        ]
        Person.objects.bulk_create(objs, batch_size=BATCH)
        t2 = time.perf_counter()
        generate_s += t1 - t0
        insert_s += t2 - t1
        done = start + size
        if done % 50_000 == 0 or done == n:
            log(f"  {done:,} persons ({insert_s:.1f}s in bulk_create)")
    return {
        "generate_s": round(generate_s, 2),
        "insert_s": round(insert_s, 2),
        "persons_per_s": round(n / insert_s) if insert_s else 0,
        "distinct_names": len(keys),  # first and family names together
    }


def analyze() -> float | None:
    """PostgreSQL: ANALYZE, as autovacuum would soon after a load this size.

    SQLite: nothing. The app never runs ANALYZE or PRAGMA optimize, so a real SQLite database has
    no sqlite_stat1 and its planner works from heuristics; the benchmark measures that.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return round(time.perf_counter() - start, 2)


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


def measure(queries: Sequence[str], fns: dict[str, Callable[[str], int]]) -> dict[str, Any]:
    """Warm up, then time each query every way, rotating which goes first."""
    for q in queries[:WARMUP]:
        for fn in fns.values():
            fn(q)
    names = list(fns)
    ms: dict[str, list[float]] = {name: [] for name in names}
    rows: dict[str, list[int]] = {name: [] for name in names}
    gc.collect()
    for i, q in enumerate(queries[WARMUP:]):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, n = timed_ms(fns[name], q)
            ms[name].append(elapsed)
            rows[name].append(n)
    return compare(ms, rows)


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


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    n, q = args.persons, args.queries
    load: dict[str, Any] = {}

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    load["migrate_s"] = round(time.perf_counter() - start, 2)
    log(f"  migrated in {load['migrate_s']}s")

    start = time.perf_counter()
    network, groups = build_org_tree()
    user = make_coordinator(network)
    load["org_tree_s"] = round(time.perf_counter() - start, 2)
    log(f"  org tree: 1 province network, {FUNDS} funds, {len(groups)} village groups")

    log(f"  loading {n:,} persons in batches of {BATCH:,}")
    load.update(load_persons(n, groups, args.seed))
    load["analyze_s"] = analyze()
    load["load_s"] = round(load["generate_s"] + load["insert_s"] + (load["analyze_s"] or 0), 2)

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
        "persons": n,
        "queries": len(names) - WARMUP,
        "seed": args.seed,
        "load": load,
        "name_prefix": name_result,
        "national_id": id_result,
        "plans": plans(user, names[WARMUP:], national_ids[WARMUP:]),
    }
