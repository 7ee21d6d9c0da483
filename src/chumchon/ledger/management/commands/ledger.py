"""``chumchon ledger verify [--fund X]``: re-check every book; exit non-zero on any fault."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chumchon.ledger.models import Book
from chumchon.ledger.selectors import verify_book


class Command(BaseCommand):
    help = "Ledger maintenance: verify balances, the hash chain, numbering and cached totals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every book (or one fund's)")
        verify.add_argument(
            "--fund", help="org unit id, book id or part of the fund's name", default=None
        )

    def handle(self, *args: Any, **options: Any) -> None:
        books = Book.objects.select_related("org_unit").order_by("pk")
        wanted = options.get("fund")
        if wanted:
            if str(wanted).isdigit():
                books = books.filter(org_unit_id=int(wanted)) | books.filter(pk=int(wanted))
            else:
                books = books.filter(org_unit__name__contains=wanted)
            if not books.exists():
                raise CommandError(f"no book matches --fund {wanted!r}")
        faults = 0
        for book in books:
            report = verify_book(book)
            status = "OK" if report.ok else f"{len(report.faults)} FAULT(S)"
            self.stdout.write(f"{book.pk}\t{book.name}\t{report.entries} entries\t{status}")
            for fault in report.faults:
                self.stdout.write(f"  - {fault}")
            faults += len(report.faults)
        if faults:
            raise CommandError(f"ledger verify found {faults} fault(s)")
        self.stdout.write("ledger verify: all books OK")
