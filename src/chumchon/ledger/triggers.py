"""Database triggers that hold the ledger's invariants even against direct SQL.

Shape (the same on SQLite and PostgreSQL, because SQLite has no deferred constraint triggers):
postings are inserted first and the entry row last. Django's foreign keys are deferred on both
databases, so a posting may name an entry id that is inserted later in the same transaction.

- A posting may not be added to an entry that already exists (entries are sealed once written).
- Inserting the entry checks its postings: at least two, debits = credits = the entry's amount,
  every account of the entry's book, every posting dated on the entry's date.
- No entry may be dated inside a closed period of its book.
- UPDATE and DELETE of entries and postings are refused. (TRUNCATE, which needs the table
  owner's rights on PostgreSQL, is left to the operator: the hash chain still shows it.)

``guards_lifted`` drops and re-creates the guards for the one legitimate purge there is: tests'
teardown and the demo rebuild wiping a whole database. Nothing else may call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

ENTRY = "ledger_journalentry"
POSTING = "ledger_posting"
PERIOD = "ledger_period"
ACCOUNT = "ledger_account"

MSG_SEALED = "ledger: postings cannot be added to an entry that is already written"
MSG_UNBALANCED = "ledger: entry does not balance (debits must equal credits and the amount)"
MSG_CLOSED = "ledger: the entry date lies in a closed period"
MSG_FOREIGN = "ledger: posting account or date does not match its entry"
MSG_APPEND_ONLY = "ledger: entries and postings are append-only; post a reversal instead"

# Amounts compare in satang as integers: SQLite keeps decimals with REAL affinity.
_SQLITE_CENTS = "CAST(ROUND({} * 100) AS INTEGER)"

SQLITE_CREATE = [
    f"""
CREATE TRIGGER ledger_posting_sealed BEFORE INSERT ON {POSTING}
WHEN EXISTS (SELECT 1 FROM {ENTRY} WHERE id = NEW.entry_id)
BEGIN SELECT RAISE(ABORT, '{MSG_SEALED}'); END
""",
    f"""
CREATE TRIGGER ledger_entry_balanced BEFORE INSERT ON {ENTRY}
WHEN (SELECT COUNT(*) FROM {POSTING} WHERE entry_id = NEW.id) < 2
  OR (SELECT {_SQLITE_CENTS.format("COALESCE(SUM(amount), 0)")} FROM {POSTING}
      WHERE entry_id = NEW.id AND side = 'D') <> {_SQLITE_CENTS.format("NEW.amount")}
  OR (SELECT {_SQLITE_CENTS.format("COALESCE(SUM(amount), 0)")} FROM {POSTING}
      WHERE entry_id = NEW.id AND side = 'C') <> {_SQLITE_CENTS.format("NEW.amount")}
BEGIN SELECT RAISE(ABORT, '{MSG_UNBALANCED}'); END
""",
    f"""
CREATE TRIGGER ledger_entry_same_book BEFORE INSERT ON {ENTRY}
WHEN EXISTS (
  SELECT 1 FROM {POSTING} p JOIN {ACCOUNT} a ON a.id = p.account_id
  WHERE p.entry_id = NEW.id AND (a.book_id <> NEW.book_id OR p.date <> NEW.date))
BEGIN SELECT RAISE(ABORT, '{MSG_FOREIGN}'); END
""",
    f"""
CREATE TRIGGER ledger_entry_open_period BEFORE INSERT ON {ENTRY}
WHEN EXISTS (
  SELECT 1 FROM {PERIOD} WHERE book_id = NEW.book_id AND closed
  AND start_date <= NEW.date AND end_date >= NEW.date)
BEGIN SELECT RAISE(ABORT, '{MSG_CLOSED}'); END
""",
    f"CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON {ENTRY} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_APPEND_ONLY}'); END",
    f"CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON {ENTRY} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_APPEND_ONLY}'); END",
    f"CREATE TRIGGER ledger_posting_no_update BEFORE UPDATE ON {POSTING} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_APPEND_ONLY}'); END",
    f"CREATE TRIGGER ledger_posting_no_delete BEFORE DELETE ON {POSTING} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_APPEND_ONLY}'); END",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_posting_sealed",
        "ledger_entry_balanced",
        "ledger_entry_same_book",
        "ledger_entry_open_period",
        "ledger_entry_no_update",
        "ledger_entry_no_delete",
        "ledger_posting_no_update",
        "ledger_posting_no_delete",
    )
]

POSTGRES_CREATE = [
    f"""
CREATE OR REPLACE FUNCTION ledger_posting_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM {ENTRY} WHERE id = NEW.entry_id) THEN
    RAISE EXCEPTION '{MSG_SEALED}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION ledger_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n integer; d numeric; c numeric;
BEGIN
  SELECT COUNT(*), COALESCE(SUM(amount) FILTER (WHERE side = 'D'), 0),
         COALESCE(SUM(amount) FILTER (WHERE side = 'C'), 0)
    INTO n, d, c FROM {POSTING} WHERE entry_id = NEW.id;
  IF n < 2 OR d <> NEW.amount OR c <> NEW.amount THEN
    RAISE EXCEPTION '{MSG_UNBALANCED}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM {POSTING} p JOIN {ACCOUNT} a ON a.id = p.account_id
             WHERE p.entry_id = NEW.id AND (a.book_id <> NEW.book_id OR p.date <> NEW.date)) THEN
    RAISE EXCEPTION '{MSG_FOREIGN}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM {PERIOD} WHERE book_id = NEW.book_id AND closed
             AND start_date <= NEW.date AND end_date >= NEW.date) THEN
    RAISE EXCEPTION '{MSG_CLOSED}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MSG_APPEND_ONLY}' USING ERRCODE = 'integrity_constraint_violation';
END $$
""",
    f"CREATE TRIGGER ledger_posting_sealed BEFORE INSERT ON {POSTING} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_posting_insert()",
    f"CREATE TRIGGER ledger_entry_checks BEFORE INSERT ON {ENTRY} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_entry_insert()",
    f"CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON {ENTRY} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()",
    f"CREATE TRIGGER ledger_posting_append_only BEFORE UPDATE OR DELETE ON {POSTING} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()",
]

POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS ledger_posting_sealed ON {POSTING}",
    f"DROP TRIGGER IF EXISTS ledger_entry_checks ON {ENTRY}",
    f"DROP TRIGGER IF EXISTS ledger_entry_append_only ON {ENTRY}",
    f"DROP TRIGGER IF EXISTS ledger_posting_append_only ON {POSTING}",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    raise NotImplementedError(
        f"ledger triggers are written for SQLite and PostgreSQL, not {vendor}"
    )


def install(connection: Any = None) -> None:
    conn = connection or default_connection
    with conn.cursor() as cur:
        for sql in statements(conn.vendor, create=False) + statements(conn.vendor, create=True):
            cur.execute(sql)


def remove(connection: Any = None) -> None:
    conn = connection or default_connection
    with conn.cursor() as cur:
        for sql in statements(conn.vendor, create=False):
            cur.execute(sql)


@contextmanager
def guards_lifted(connection: Any = None) -> Iterator[None]:
    """Drop the guards for a whole-database purge (tests, demo rebuild), then restore them."""
    conn = connection or default_connection
    remove(conn)
    try:
        yield
    finally:
        install(conn)
