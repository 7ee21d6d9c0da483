"""The data every workload runs on, loaded once per database (see bench/README.md).

Runs inside a worker whose Django already points at a fresh database (see worker.py):
``migrate``, an org tree made with the app's own services, a coordinator at the top of it,
``--persons`` people and about a third as many households over the village groups, then
``ANALYZE`` on PostgreSQL. Every workload then reads the same rows.

The people are drawn from one ``random.Random(seed)`` exactly as before households and deaths
were added: those two come from their own generators, so the names, IDs and village groups
the ``person_search`` figures depend on do not change with them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from .names import VILLAGE_NAMES, ThaiPeople
from .timing import log

BATCH = 5_000
FUNDS = 20
GROUPS_PER_FUND = 5
PROVINCE_CODE = "34"  # Ubon Ratchathani: enough subdistricts for 20 tambon funds
TODAY = dt.date(2025, 1, 1)  # fixed, so ages and titles do not depend on the day of the run
DEAD_SHARE = 0.04  # people with a death date (the home page counts the living)
PERSONS_PER_HOUSEHOLD = 3  # about the Thai average household size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data (shared by all workloads)")
    group.add_argument("--persons", type=int, default=None, help="people to load (200000)")
    group.add_argument("--queries", type=int, default=None, help="timed queries per kind (300)")


@dataclass(frozen=True)
class Group:
    unit: Any
    village: Any
    subdistrict: Any
    area_code: str  # 4-digit district code, used in the national IDs
    postcode: str


@dataclass
class Dataset:
    network: Any  # the province network unit, root of the tree
    funds: list[Any]
    groups: list[Group]
    user: Any  # coordinator at the network: every scoped query carries its path filter
    load: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def build_org_tree() -> tuple[Any, list[Any], list[Group]]:
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
    funds: list[Any] = []
    groups: list[Group] = []
    for i in range(FUNDS):
        sub = subdistricts[i] if i < len(subdistricts) else None
        fund = org_unit_create(
            name=f"กองทุนสวัสดิการชุมชนตำบล{sub.name_th if sub else i + 1}",
            kind=OrgUnitKind.FUND,
            parent=network,
            subdistrict=sub,
        )
        funds.append(fund)
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
    return network, funds, groups


def make_coordinator(network: Any) -> Any:
    """A user with a coordinator role at the province network: scope_q gives a path filter."""
    from django.contrib.auth import get_user_model

    from chumchon.areas.services import role_assign
    from chumchon.core.permissions import Role

    user = get_user_model().objects.create_user(username="bench-coordinator", password=None)
    role_assign(user=user, org_unit=network, role=Role.COORDINATOR, start_date=dt.date(2020, 1, 1))
    return user


def _death_date(rng: random.Random, birth: dt.date) -> dt.date | None:
    """DEAD_SHARE of people have died, on a day between their birth and TODAY."""
    if rng.random() >= DEAD_SHARE:
        return None
    return birth + dt.timedelta(days=rng.randrange(max(1, (TODAY - birth).days)))


def load_persons(n: int, groups: list[Group], seed: int) -> dict[str, Any]:
    """``n`` people over the village groups, bulk_create in batches of BATCH."""
    from chumchon.core.thai import search_key, thai_name_sort_bytes
    from chumchon.people.models import Person

    rng = random.Random(seed)
    deaths = random.Random(seed + 7)  # its own stream: the people stay the same as without it
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
    dead = 0
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        t0 = time.perf_counter()
        drawn = []
        for g in rng.choices(groups, weights, k=size):
            p = people.person(g.area_code, TODAY)
            died = _death_date(deaths, p.birth_date)
            dead += died is not None
            drawn.append((g, p, key(p.first_name), key(p.last_name), died))
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
                death_date=died,
            )
            for g, p, fkey, lkey, died in drawn
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
        "dead": dead,
    }


def load_households(n_persons: int, groups: list[Group], seed: int) -> dict[str, Any]:
    """About one household per PERSONS_PER_HOUSEHOLD people, over the same village groups.

    Only the rows: no members are linked (no workload reads HouseholdMember yet). Own
    generator, so adding households changes nothing in the people.
    """
    from chumchon.people.models import Household

    rng = random.Random(seed + 11)
    weights = [rng.uniform(0.4, 1.6) for _ in groups]
    n = max(1, n_persons // PERSONS_PER_HOUSEHOLD)
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        size = min(BATCH, n - first)
        Household.objects.bulk_create(
            [
                Household(
                    org_unit=g.unit,
                    village=g.village,
                    subdistrict=g.subdistrict,
                    postcode=g.postcode,
                    house_number=f"{rng.randint(1, 400)}/{rng.randint(1, 9)}",
                )
                for g in rng.choices(groups, weights, k=size)
            ],
            batch_size=BATCH,
        )
    insert_s = time.perf_counter() - start
    log(f"  {n:,} households ({insert_s:.1f}s in bulk_create)")
    return {"households": n, "households_insert_s": round(insert_s, 2)}


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


def load(args: argparse.Namespace) -> Dataset:
    """Migrate, build the tree, load people and households: once per database."""
    from django.core.management import call_command

    n = args.persons
    figures: dict[str, Any] = {"persons": n}

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures["migrate_s"] = round(time.perf_counter() - start, 2)
    log(f"  migrated in {figures['migrate_s']}s")

    start = time.perf_counter()
    network, funds, groups = build_org_tree()
    user = make_coordinator(network)
    figures["org_tree_s"] = round(time.perf_counter() - start, 2)
    log(f"  org tree: 1 province network, {len(funds)} funds, {len(groups)} village groups")

    log(f"  loading {n:,} persons in batches of {BATCH:,}")
    figures.update(load_persons(n, groups, args.seed))
    figures.update(load_households(n, groups, args.seed))
    figures["analyze_s"] = analyze()
    figures["load_s"] = round(
        figures["generate_s"]
        + figures["insert_s"]
        + figures["households_insert_s"]
        + (figures["analyze_s"] or 0),
        2,
    )
    return Dataset(network=network, funds=funds, groups=groups, user=user, load=figures)
