"""``python -m bench``: run the workloads on each database and print one JSON document.

The parent process starts one worker per database (``--_worker sqlite``), because Django reads
its settings once per process, and gathers the JSON each worker prints on stdout. Progress goes
to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("chumchon") is None:  # not installed: use the source tree
    sys.path.insert(0, str(ROOT / "src"))

from . import (  # noqa: E402
    dataset,
    fund_import,
    fund_posting,
    member_status,
    person_search,
    subtree_counts,
)
from .timing import log  # noqa: E402

WORKLOADS: dict[str, Any] = {
    person_search.NAME: person_search,
    subtree_counts.NAME: subtree_counts,
    fund_posting.NAME: fund_posting,
    member_status.NAME: member_status,
    fund_import.NAME: fund_import,
}
DATABASES = ("sqlite", "postgres")
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"
QUICK = {"persons": 5_000, "queries": 50}
FULL = {"persons": 200_000, "queries": 300}


from . import statements as statements_workload  # noqa: E402

WORKLOADS[statements_workload.NAME] = statements_workload

from . import benefit_run, claim_eval  # noqa: E402

WORKLOADS[claim_eval.NAME] = claim_eval
WORKLOADS[benefit_run.NAME] = benefit_run

from . import rollup as rollup_workload  # noqa: E402

WORKLOADS[rollup_workload.NAME] = rollup_workload


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Chumchon benchmarks: JSON on stdout, each figure as a ratio to a baseline.",
    )
    parser.add_argument(
        "--db", choices=[*DATABASES, "both"], default="both", help="database(s) (both)"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("CHUMCHON_BENCH_PG_URL", DEFAULT_PG_URL),
        help="an existing PostgreSQL database to connect to while creating and dropping "
        f"the benchmark database (default {DEFAULT_PG_URL})",
    )
    parser.add_argument("--only", choices=sorted(WORKLOADS), help="run only this workload")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 persons, 50 queries")
    parser.add_argument("--seed", type=int, default=20250101, help="random seed (20250101)")
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the benchmark database afterwards"
    )
    parser.add_argument("--_worker", dest="worker", choices=DATABASES, help=argparse.SUPPRESS)
    dataset.add_arguments(parser)
    for workload in WORKLOADS.values():
        if hasattr(workload, "add_arguments"):
            workload.add_arguments(parser)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    for name, value in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.persons < 100 or args.queries < 1:
        parser.error("--persons must be at least 100 and --queries at least 1")
    args.workload_names = [args.only] if args.only else list(WORKLOADS)
    return args


def _worker_argv(args: argparse.Namespace, db: str) -> list[str]:
    argv = [sys.executable, "-m", "bench", "--_worker", db, "--pg-url", args.pg_url]
    argv += ["--persons", str(args.persons), "--queries", str(args.queries)]
    argv += ["--seed", str(args.seed)]
    if args.count_queries is not None:
        argv += ["--count-queries", str(args.count_queries)]
    for workload in WORKLOADS.values():  # a workload's own options, sizes resolved here
        if hasattr(workload, "worker_argv"):
            argv += workload.worker_argv(args)
    if args.only:
        argv += ["--only", args.only]
    if args.keep_db:
        argv.append("--keep-db")
    return argv


def _postgres_version(pg_url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(pg_url, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception as exc:
        log(f"postgres: cannot connect to {pg_url}: {exc}")
        return None


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info(args: argparse.Namespace, dbs: list[str]) -> dict[str, Any]:
    import django

    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": _postgres_version(args.pg_url) if "postgres" in dbs else None,
        # Other work on the machine shows up in the timings: here is how busy it was.
        "loadavg_start": _loadavg(),
    }


def run_parent(args: argparse.Namespace) -> int:
    dbs = list(DATABASES) if args.db == "both" else [args.db]
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1"}
    out: dict[str, Any] = {
        "machine": machine_info(args, dbs),
        "options": {
            "persons": args.persons,
            "queries": args.queries,
            "seed": args.seed,
            "databases": dbs,
        },
        "load": {},
        "workloads": {name: {} for name in args.workload_names},
    }
    failed = False
    for db in dbs:
        log(f"{db}: starting worker")
        proc = subprocess.run(
            _worker_argv(args, db), cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        if proc.returncode != 0:
            failed = True
            log(f"{db}: worker failed with exit code {proc.returncode}")
            for name in args.workload_names:
                out["workloads"][name][db] = {"error": f"worker exit code {proc.returncode}"}
            continue
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        out["load"][db] = result.get("load")
        for name in args.workload_names:
            out["workloads"][name][db] = result[name]
        out["machine"].setdefault("databases", {})[db] = result.get("database_info")
    out["machine"]["loadavg_end"] = _loadavg()
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        from .worker import run_worker

        return run_worker(args, WORKLOADS)
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
