"""One database, one process: create a fresh database, point Django at it, load the data once
(``dataset.load``), run the workloads on it.

Django reads its settings once per process, so the parent starts one worker per database
(``python -m bench --_worker sqlite ...``) and reads the JSON each prints on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .timing import log

# Two benchmark runs on one server at once need different names (CHUMCHON_BENCH_DB_NAME).
BENCH_DB_NAME = os.environ.get("CHUMCHON_BENCH_DB_NAME", "chumchon_bench")


def _pg_url_for(admin_url: str, dbname: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def _pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def create_database(db: str, pg_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh, empty database; returns its DATABASE_URL and a function that removes it."""
    if db == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="chumchon-bench-")
        path = Path(tmpdir) / "bench.sqlite3"
        log(f"sqlite: fresh database {path}")
        return f"sqlite:///{path}", lambda: shutil.rmtree(tmpdir, ignore_errors=True)
    if db == "postgres":
        log(f"postgres: drop/create database {BENCH_DB_NAME}")
        _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
        _pg_admin(pg_url, f"CREATE DATABASE {BENCH_DB_NAME}")

        def drop() -> None:
            _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")

        return _pg_url_for(pg_url, BENCH_DB_NAME), drop
    raise ValueError(f"unknown database: {db}")


def configure_django(database_url: str) -> None:
    """Settings come from the environment, so set it before django.setup()."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "chumchon.settings"
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    # DEBUG would record every query in memory and slow every cursor call: keep it off.
    os.environ["CHUMCHON_DEBUG"] = "0"
    os.environ.setdefault("CHUMCHON_SECRET_KEY", "chumchon-bench-" + "x" * 40)
    import django

    django.setup()


def database_info() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            cur.execute("SELECT pg_database_size(current_database())")
            size = cur.fetchone()[0]
        else:
            cur.execute("SELECT sqlite_version()")
            version = cur.fetchone()[0]
            cur.execute("PRAGMA page_count")
            pages = cur.fetchone()[0]
            cur.execute("PRAGMA page_size")
            size = pages * cur.fetchone()[0]
    return {"vendor": connection.vendor, "version": version, "size_mb": round(size / 2**20, 1)}


def run_worker(args: argparse.Namespace, workloads: dict[str, Any]) -> int:
    url, remove = create_database(args.worker, args.pg_url)
    result: dict[str, Any] = {"database": args.worker}
    django_ready = False
    try:
        configure_django(url)
        django_ready = True
        from . import dataset

        log(f"{args.worker}: loading the data (once, for every workload)")
        data = dataset.load(args)
        result["load"] = data.load
        for name in args.workload_names:
            log(f"{args.worker}: workload {name}")
            result[name] = workloads[name].run(args, data)
        result["database_info"] = database_info()
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if args.keep_db:
            log(f"{args.worker}: keeping the database at {url}")
        else:
            remove()
    print(json.dumps(result, ensure_ascii=False))
    return 0
