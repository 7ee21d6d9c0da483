"""`chumchon demo [--port N] [--no-serve] [--seed S] [--fund-size full|small|none]`: a fresh
SQLite demo tambon with its welfare fund's books, served locally.

``chumchon demo`` (see ``chumchon.__main__``) points DATABASE_URL at ``var/demo.sqlite3`` and
turns DEBUG on before Django starts; this command deletes that file, migrates, builds the demo
and serves it on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from chumchon.core.thai import format_baht, format_be_date
from chumchon.demo.build import DemoError, DemoResult, build_demo
from chumchon.demo.funds import SIZES, FundSummary
from chumchon.funds.models import FundingSource
from chumchon.ledger.models import Book
from chumchon.ledger.selectors import verify_book

DEMO_FILE_NAME = "demo.sqlite3"


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"พอร์ตต้องเป็นตัวเลข (port must be a number): {text}") from exc
    if not 1 <= value <= 65535:
        raise ArgumentTypeError(f"พอร์ตต้องอยู่ระหว่าง 1-65535 (port out of range): {value}")
    return value


def _width(text: str) -> int:
    """Columns a string takes on a terminal: Thai vowel and tone marks take none."""
    return sum(
        0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn" else 1 for ch in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = (
        "สร้างฐานข้อมูลตัวอย่าง (SQLite) ของตำบลหนึ่งในจังหวัดขอนแก่นใหม่ทั้งหมด แล้วเปิดให้ใช้ที่ "
        "127.0.0.1 / Rebuild the SQLite demo tambon from scratch and serve it on 127.0.0.1."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=_port, default=8000, help="พอร์ต (port), ค่าเริ่มต้น 8000")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="สร้างข้อมูลแล้วจบ ไม่เปิดเว็บ (build the data and exit)",
        )
        parser.add_argument("--seed", type=int, default=2569, help="seed ของข้อมูลสุ่ม (default 2569)")
        parser.add_argument(
            "--fund-size",
            choices=[*SIZES, "none"],
            default="full",
            help="ประวัติบัญชีกองทุน: full ราว 3 ปีทั้งตำบล, small สั้นกว่าสำหรับการทดสอบ, none ไม่สร้าง "
            "(fund history: full about 3 years, small for tests, none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                "ข้อมูลตัวอย่างใช้ได้กับฐานข้อมูล SQLite เท่านั้น และจะลบฐานข้อมูลเดิมทิ้ง "
                "ไม่ทำกับฐานข้อมูลจริง (PostgreSQL) / The demo runs only on SQLite: it deletes the "
                "database first, so it refuses a real (PostgreSQL) database. Run it as "
                "`chumchon demo`, which uses its own file var/demo.sqlite3."
            )
        path = Path(str(db["NAME"]))
        if path.name != DEMO_FILE_NAME:
            raise CommandError(
                f"จะไม่ลบไฟล์ฐานข้อมูล {path} เพราะไม่ใช่ไฟล์ข้อมูลตัวอย่าง ({DEMO_FILE_NAME}) "
                f"กรุณาเรียกผ่าน `chumchon demo` / Refusing to delete {path}: it is not the demo "
                f"database ({DEMO_FILE_NAME}). Run `chumchon demo`, which points at its own file."
            )

        self.stdout.write(f"สร้างฐานข้อมูลตัวอย่างใหม่ / Rebuilding the demo database: {path}")
        connections.close_all()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
        size = None if options["fund_size"] == "none" else options["fund_size"]
        # The fund's history runs some 150,000 queries: with DEBUG on, Django would keep (and,
        # on SQLite, quote with one more query) every one of them. Serving keeps DEBUG.
        debug = settings.DEBUG
        settings.DEBUG = False
        try:
            result = build_demo(seed=options["seed"], stdout=self.stdout, fund_size=size)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            settings.DEBUG = debug
        faults = sum(len(verify_book(b).faults) for b in Book.objects.all())
        if faults:
            raise CommandError(f"ledger verify found {faults} fault(s) in the demo books")

        port: int = options["port"]
        self._summary(result, port, serving=not options["no_serve"])
        if not options["no_serve"]:
            # The background worker (large Excel imports) runs beside the web server.
            worker = subprocess.Popen(
                [sys.executable, "-m", "chumchon", "db_worker", "--no-reload", "--interval", "1"],
                env=os.environ.copy(),
            )
            try:
                call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
            finally:
                worker.terminate()
                worker.wait(timeout=10)

    def _fund(self, f: FundSummary) -> None:
        w = self.stdout.write
        labels = {
            "active": "ปกติ active",
            "arrears": "ค้างชำระ arrears",
            "lapsed": "ขาดสมาชิกภาพ lapsed",
            "resigned": "ลาออก resigned",
            "dead": "เสียชีวิต dead",
        }
        states = ", ".join(f"{labels.get(k, k)} {v}" for k, v in sorted(f.statuses.items()))
        w(f"  {f.name} เปิดบัญชี / opened {format_be_date(f.founded_on)}")
        w(f"    สมาชิก {f.members} members ({states}) · รอพิจารณา {f.applicants} applied")
        w(
            f"    ใบเสร็จ {f.payments} receipts (ยกเลิก {f.voids} void) · วันเก็บเงิน "
            f"{f.collection_days} collection days · รายการบัญชี {f.entries} journal entries"
        )
        money = [f"สมาชิก {format_baht(f.contributions)}"] + [
            f"{FundingSource(src).label} {format_baht(total)}"
            for src, total in sorted(f.received.items())
        ]
        w("    รับเงิน / received: " + " · ".join(money) + " บาท")
        b = f.benefits
        if b:
            w(
                f"    ระเบียบ {b['versions']} ฉบับ regulation versions · คำขอสวัสดิการ {b['claims']} "
                f"claims (จ่ายแล้ว {b['paid']} paid, ไม่อนุมัติ {b['rejected']} rejected, "
                f"รอ {b['waiting']} waiting) · จ่ายรายรอบ {b['runs']} runs · "
                f"ใบสำคัญจ่าย {b['payouts']} payouts"
            )
        if f.rounds:
            w(
                "    สมทบจากรัฐ / state matching: "
                + " · ".join(f"รอบ {n} ปีงบ {fy}: {count} คน" for n, fy, count in f.rounds)
            )

    def _summary(self, r: DemoResult, port: int, *, serving: bool) -> None:
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"ข้อมูลตัวอย่างพร้อมแล้ว / Demo ready ({r.seconds:.1f} s, seed {r.seed})"))
        w(f"  {r.tambon_name} {r.district_name} {r.province_name} (รหัส DOPA {r.tambon_code})")
        w(
            f"  {r.villages} หมู่บ้าน villages · {r.households} ครัวเรือน households · "
            f"{r.persons} คน persons (เสียชีวิต {r.deaths} deceased)"
        )
        w(
            f"  กองทุนข้างเคียง / neighbouring fund: {r.other_tambon_name} ({r.other_tambon_code}) "
            f"{r.other_households} ครัวเรือน · {r.other_persons} คน"
        )
        w(f"  ผู้ใช้ {r.users} users · แก้ไขหลังบันทึก {r.edits} edits (ดูในประวัติ / see history)")
        if r.funds is not None:
            for f in r.funds.funds:
                self._fund(f)
            w(
                f"  บัญชีกองทุนสร้างใน {r.funds.seconds:.1f} s / fund books built · "
                "ตรวจสมุดบัญชีแล้ว ถูกต้อง / ledger verified OK"
            )
        w("")
        url = f"http://127.0.0.1:{port}/"
        w(
            f"  เปิด / Open: {url}"
            + ("" if serving else "  (ใช้ --no-serve: ยังไม่เปิดเว็บ / not serving)")
        )
        w(
            self.style.WARNING(
                f"  รหัสผ่านทุกบัญชี / Password for every login: {r.password}"
                "   (ข้อมูลตัวอย่างเท่านั้น / demo only)"
            )
        )
        w("")
        cols = (14, 26, 42)
        w(
            "  "
            + "".join(
                _pad(h, c)
                for h, c in zip(("username", "บทบาท role", "หน่วย unit"), cols, strict=True)
            )
        )
        w("  " + "-" * (sum(cols) + 10))
        for login in r.logins:
            line = "".join(
                _pad(text, c)
                for text, c in zip((login.username, login.role, login.unit), cols, strict=True)
            )
            w(("  " + line + (f" {login.note}" if login.note else "")).rstrip())
        w("")
