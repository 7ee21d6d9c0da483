"""Writes to the ledger. The only module that inserts entries and postings.

Every rule here is also held by the database (CHECK constraints and the triggers of
``triggers.py``); the service checks first so users get a Thai message naming the problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence as Seq
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.areas.models import OrgUnit

from .models import (
    Account,
    AccountKind,
    AccountMonth,
    Book,
    JournalEntry,
    Period,
    PeriodEvent,
    Posting,
    Sequence,
    Side,
)

CENT = Decimal("0.01")


class LedgerError(ValidationError):
    """A posting the ledger refuses, with a Thai message naming the problem."""


@dataclass(frozen=True)
class Line:
    account: Account
    side: str  # Side.DEBIT or Side.CREDIT
    amount: Decimal


def debit(account: Account, amount: Decimal) -> Line:
    return Line(account, Side.DEBIT, amount)


def credit(account: Account, amount: Decimal) -> Line:
    return Line(account, Side.CREDIT, amount)


def book_create(*, org_unit: OrgUnit, name: str, fiscal_year_start_month: int = 10) -> Book:
    return Book.objects.create(
        org_unit=org_unit, name=name, fiscal_year_start_month=fiscal_year_start_month
    )


def account_create(
    *,
    book: Book,
    code: str,
    name: str,
    kind: str,
    category: str = "",
    is_cash: bool = False,
    no_negative: bool | None = None,
) -> Account:
    if kind not in AccountKind.values:
        raise LedgerError({"kind": _("หมวดบัญชี: ไม่รู้จักหมวด %(kind)s") % {"kind": kind}})
    code = code.strip()
    if not code:
        raise LedgerError({"code": _("รหัสบัญชี: ต้องระบุ")})
    if Account.objects.filter(book=book, code=code).exists():
        raise LedgerError({"code": _("รหัสบัญชี: รหัส %(code)s มีอยู่แล้ว") % {"code": code}})
    return Account.objects.create(
        book=book,
        code=code,
        name=name.strip(),
        kind=kind,
        category=category,
        is_cash=is_cash,
        no_negative=is_cash if no_negative is None else no_negative,
    )


def _money(value: Decimal | int | str) -> Decimal:
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise LedgerError(_("จำนวนเงิน: ละเอียดได้ถึงสตางค์เท่านั้น (%(v)s)") % {"v": value})
    return amount.quantize(CENT)


def entry_hash(
    *,
    book_id: int,
    number: int,
    date: dt.date,
    memo: str,
    amount: Decimal,
    source_type: str,
    source_id: str,
    reverses_id: Any,
    postings: Seq[tuple[str, str, Decimal]],
    prev_hash: str,
) -> str:
    """The chain hash: the entry's content (postings by account code) plus the previous hash."""
    content = {
        "book": book_id,
        "number": number,
        "date": date.isoformat(),
        "memo": memo,
        "amount": str(Decimal(amount).quantize(CENT)),
        "source": [source_type, source_id],
        "reverses": str(reverses_id) if reverses_id else "",
        "postings": [[code, side, str(Decimal(a).quantize(CENT))] for code, side, a in postings],
        "prev": prev_hash,
    }
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def closed_period_on(book: Book, date: dt.date) -> Period | None:
    return Period.objects.filter(
        book=book, closed=True, start_date__lte=date, end_date__gte=date
    ).first()


def _add_to_months(book: Book, deltas: dict[tuple[int, dt.date], list[Decimal]]) -> None:
    """Add (debit, credit) per (account, first of month) to the monthly cache. The caller holds
    the book's lock, so no other transaction inserts the same rows meanwhile."""
    for (account_id, month), (d, c) in deltas.items():
        done = AccountMonth.objects.filter(account_id=account_id, month=month).update(
            debit=F("debit") + d, credit=F("credit") + c
        )
        if not done:
            AccountMonth.objects.create(
                book=book, account_id=account_id, month=month, debit=d, credit=c
            )


def _month_deltas(
    deltas: dict[tuple[int, dt.date], list[Decimal]], day: dt.date, lines: Seq[Line]
) -> None:
    month = day.replace(day=1)
    for ln in lines:
        pair = deltas.setdefault((ln.account.pk, month), [Decimal("0.00"), Decimal("0.00")])
        pair[0 if ln.side == Side.DEBIT else 1] += ln.amount


def _checked_lines(book: Book, memo: str, lines: Seq[Line]) -> tuple[list[Line], Decimal]:
    """The lines of one entry, checked as the triggers will check them; returns them and the
    entry's amount. Raises ``LedgerError`` with a Thai message naming the problem."""
    if not memo.strip():
        raise LedgerError({"memo": _("คำอธิบายรายการ: ต้องระบุ")})
    if len(lines) < 2:
        raise LedgerError(_("รายการบัญชีต้องมีอย่างน้อยสองบรรทัด (เดบิตและเครดิต)"))
    debits = Decimal("0.00")
    credits = Decimal("0.00")
    clean: list[Line] = []
    for line in lines:
        amount = _money(line.amount)
        if amount <= 0:
            raise LedgerError(_("จำนวนเงิน: ต้องมากกว่าศูนย์ (บัญชี %(a)s)") % {"a": line.account})
        if line.account.book_id != book.pk:
            raise LedgerError(_("บัญชี %(a)s ไม่ใช่ของสมุดบัญชีนี้") % {"a": line.account})
        if not line.account.active:
            raise LedgerError(_("บัญชี %(a)s ปิดการใช้งานแล้ว") % {"a": line.account})
        if line.side == Side.DEBIT:
            debits += amount
        elif line.side == Side.CREDIT:
            credits += amount
        else:
            raise LedgerError(_("ด้านบัญชีต้องเป็นเดบิตหรือเครดิต"))
        clean.append(Line(line.account, line.side, amount))
    if debits != credits:
        raise LedgerError(
            _("รายการไม่สมดุล: เดบิต %(d)s ไม่เท่ากับเครดิต %(c)s") % {"d": debits, "c": credits}
        )
    return clean, debits


@transaction.atomic
def post(
    *,
    book: Book,
    date: dt.date,
    memo: str,
    lines: Seq[Line],
    actor: Any = None,
    source_type: str = "",
    source_id: str = "",
    idempotency_key: str | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry. With an idempotency key already used, return that entry instead."""
    if idempotency_key:
        existing = JournalEntry.objects.filter(book=book, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    clean, debits = _checked_lines(book, memo, lines)
    if closed_period_on(book, date) is not None:
        raise LedgerError({"date": _("วันที่: อยู่ในงวดบัญชีที่ปิดแล้ว บันทึกไม่ได้ ให้บันทึกในงวดที่เปิดอยู่")})
    # One row lock per book serialises numbering and the hash chain (gap-free, no forks).
    locked = Book.objects.select_for_update().get(pk=book.pk)
    number = locked.last_entry_no + 1
    entry_id = JournalEntry._meta.pk.default()  # type: ignore[union-attr,misc]
    digest = entry_hash(
        book_id=book.pk,
        number=number,
        date=date,
        memo=memo.strip(),
        amount=debits,
        source_type=source_type,
        source_id=str(source_id),
        reverses_id=reverses.pk if reverses else None,
        postings=[(ln.account.code, ln.side, ln.amount) for ln in clean],
        prev_hash=locked.last_hash,
    )
    Posting.objects.bulk_create(
        [
            Posting(
                entry_id=entry_id,
                account=ln.account,
                side=ln.side,
                amount=ln.amount,
                date=date,
                line=i,
            )
            for i, ln in enumerate(clean, start=1)
        ]
    )
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                id=entry_id,
                book=book,
                number=number,
                date=date,
                memo=memo.strip(),
                amount=debits,
                source_type=source_type,
                source_id=str(source_id),
                idempotency_key=idempotency_key or None,
                reverses=reverses,
                created_by=actor if getattr(actor, "pk", None) else None,
                posted_at=timezone.now(),
                prev_hash=locked.last_hash,
                hash=digest,
            )
    except IntegrityError as exc:
        raise LedgerError(_("ฐานข้อมูลปฏิเสธรายการบัญชี: %(e)s") % {"e": exc}) from exc
    for ln in clean:
        field = "debit_total" if ln.side == Side.DEBIT else "credit_total"
        try:
            with transaction.atomic():
                Account.objects.filter(pk=ln.account.pk).update(**{field: F(field) + ln.amount})
        except IntegrityError as exc:
            raise LedgerError(_("บัญชี %(a)s จะติดลบ: ยอดคงเหลือไม่พอ") % {"a": ln.account}) from exc
    months: dict[tuple[int, dt.date], list[Decimal]] = {}
    _month_deltas(months, date, clean)
    _add_to_months(book, months)
    Book.objects.filter(pk=book.pk).update(last_entry_no=number, last_hash=digest)
    book.last_entry_no, book.last_hash = number, digest
    return entry


@dataclass(frozen=True)
class EntrySpec:
    """One entry for ``post_many``: what ``post`` takes, less the book and the actor."""

    date: dt.date
    memo: str
    lines: Seq[Line]
    source_type: str = ""
    source_id: str = ""
    idempotency_key: str | None = None


@transaction.atomic
def post_many(
    *, book: Book, items: Seq[EntrySpec], actor: Any = None, chunk: int = 1000
) -> list[JournalEntry]:
    """Post many balanced entries in one go, in the order given: all or nothing.

    The same checks as ``post`` run on every entry (and the triggers still check every row),
    but the book is locked once, postings and entries are inserted in bulk, and each account's
    cached totals and the book's chain head are written once at the end. That keeps a batch of
    thousands from rewriting the same rows thousands of times, which on PostgreSQL leaves a
    dead row version behind per write and slows a long transaction down as it goes.
    An item whose idempotency key was already used returns that entry and posts nothing.
    Accounts that may not go negative are checked after every entry, as ``post`` would.
    """
    if not items:
        return []
    keys = [it.idempotency_key for it in items if it.idempotency_key]
    if len(keys) != len(set(keys)):
        raise LedgerError(_("รายการบัญชีในชุดเดียวกันใช้รหัสอ้างอิงซ้ำกัน"))
    locked = Book.objects.select_for_update().get(pk=book.pk)
    existing: dict[str, JournalEntry] = {}
    for i in range(0, len(keys), 500):
        for e in JournalEntry.objects.filter(book=book, idempotency_key__in=keys[i : i + 500]):
            existing[e.idempotency_key or ""] = e
    closed = list(
        Period.objects.filter(book=book, closed=True).values_list("start_date", "end_date")
    )
    totals: dict[int, list[Decimal]] = {}
    months: dict[tuple[int, dt.date], list[Decimal]] = {}
    guarded: dict[int, Account] = {}
    number, prev = locked.last_entry_no, locked.last_hash
    now = timezone.now()
    creator = actor if getattr(actor, "pk", None) else None
    out: list[JournalEntry] = []
    new_entries: list[JournalEntry] = []
    new_postings: list[Posting] = []

    def flush() -> None:
        try:
            with transaction.atomic():
                Posting.objects.bulk_create(new_postings, batch_size=chunk)
                JournalEntry.objects.bulk_create(new_entries, batch_size=chunk)
        except IntegrityError as exc:
            raise LedgerError(_("ฐานข้อมูลปฏิเสธรายการบัญชี: %(e)s") % {"e": exc}) from exc
        new_postings.clear()
        new_entries.clear()

    for it in items:
        if it.idempotency_key and it.idempotency_key in existing:
            out.append(existing[it.idempotency_key])
            continue
        clean, amount = _checked_lines(book, it.memo, it.lines)
        if any(start <= it.date <= end for start, end in closed):
            raise LedgerError({"date": _("วันที่: อยู่ในงวดบัญชีที่ปิดแล้ว บันทึกไม่ได้ ให้บันทึกในงวดที่เปิดอยู่")})
        for ln in clean:
            acc = ln.account
            if acc.pk not in totals:
                fresh = (
                    Account.objects.filter(pk=acc.pk)
                    .values_list("debit_total", "credit_total", "no_negative")
                    .get()
                )
                totals[acc.pk] = [Decimal(fresh[0]), Decimal(fresh[1])]
                if fresh[2]:
                    guarded[acc.pk] = acc
            totals[acc.pk][0 if ln.side == Side.DEBIT else 1] += ln.amount
        for pk, acc in guarded.items():
            if totals[pk][0] < totals[pk][1]:
                raise LedgerError(_("บัญชี %(a)s จะติดลบ: ยอดคงเหลือไม่พอ") % {"a": acc})
        _month_deltas(months, it.date, clean)
        number += 1
        memo = it.memo.strip()
        entry_id = JournalEntry._meta.pk.default()  # type: ignore[union-attr,misc]
        digest = entry_hash(
            book_id=book.pk,
            number=number,
            date=it.date,
            memo=memo,
            amount=amount,
            source_type=it.source_type,
            source_id=str(it.source_id),
            reverses_id=None,
            postings=[(ln.account.code, ln.side, ln.amount) for ln in clean],
            prev_hash=prev,
        )
        new_postings.extend(
            Posting(
                entry_id=entry_id,
                account=ln.account,
                side=ln.side,
                amount=ln.amount,
                date=it.date,
                line=i,
            )
            for i, ln in enumerate(clean, start=1)
        )
        entry = JournalEntry(
            id=entry_id,
            book=book,
            number=number,
            date=it.date,
            memo=memo,
            amount=amount,
            source_type=it.source_type,
            source_id=str(it.source_id),
            idempotency_key=it.idempotency_key or None,
            created_by=creator,
            posted_at=now,
            prev_hash=prev,
            hash=digest,
        )
        new_entries.append(entry)
        out.append(entry)
        prev = digest
        if len(new_entries) >= chunk:
            flush()
    if new_entries:
        flush()
    for pk, (debit_total, credit_total) in totals.items():
        try:
            with transaction.atomic():
                Account.objects.filter(pk=pk).update(
                    debit_total=debit_total, credit_total=credit_total
                )
        except IntegrityError as exc:
            raise LedgerError(_("ยอดบัญชีติดลบ: ยอดคงเหลือไม่พอ")) from exc
    _add_to_months(book, months)
    if number != locked.last_entry_no:
        Book.objects.filter(pk=book.pk).update(last_entry_no=number, last_hash=prev)
        book.last_entry_no, book.last_hash = number, prev
    return out


@transaction.atomic
def reverse(
    *, entry: JournalEntry, reason: str, actor: Any = None, date: dt.date | None = None
) -> JournalEntry:
    """Post the mirror image of ``entry``. An entry is reversed at most once."""
    if not reason.strip():
        raise LedgerError({"reason": _("เหตุผลการกลับรายการ: ต้องระบุ")})
    if entry.reverses_id is not None:
        raise LedgerError(_("รายการนี้เป็นรายการกลับอยู่แล้ว กลับซ้ำไม่ได้"))
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("รายการนี้ถูกกลับรายการไปแล้ว"))
    day = date or timezone.localdate()
    lines = [
        Line(p.account, Side.CREDIT if p.side == Side.DEBIT else Side.DEBIT, p.amount)
        for p in entry.postings.select_related("account").order_by("line")
    ]
    memo = _("กลับรายการเลขที่ %(n)s: %(r)s") % {"n": entry.number, "r": reason.strip()}
    return post(
        book=entry.book,
        date=day,
        memo=memo[:300],
        lines=lines,
        actor=actor,
        source_type=entry.source_type,
        source_id=entry.source_id,
        reverses=entry,
        idempotency_key=f"reverse:{entry.pk}",
    )


@transaction.atomic
def next_number(*, book: Book, name: str, year: int = 0) -> int:
    """The next gap-free number: rolled back with the caller's transaction if it fails."""
    seq, _created = Sequence.objects.select_for_update().get_or_create(
        book=book, name=name, year=year
    )
    Sequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    return seq.last + 1


@transaction.atomic
def period_close(
    *, book: Book, start_date: dt.date, end_date: dt.date, actor: Any, reason: str = ""
) -> Period:
    if end_date < start_date:
        raise LedgerError({"end_date": _("วันสิ้นงวด: ต้องไม่ก่อนวันเริ่มงวด")})
    overlap = Period.objects.filter(
        book=book, start_date__lte=end_date, end_date__gte=start_date
    ).exclude(start_date=start_date, end_date=end_date)
    if overlap.exists():
        raise LedgerError({"start_date": _("งวดบัญชี: ซ้อนกับงวดที่มีอยู่แล้ว")})
    period, _created = Period.objects.select_for_update().get_or_create(
        book=book, start_date=start_date, end_date=end_date
    )
    if period.closed:
        raise LedgerError(_("งวดนี้ปิดอยู่แล้ว"))
    Period.objects.filter(pk=period.pk).update(closed=True)
    period.closed = True
    PeriodEvent.objects.create(
        period=period, action=PeriodEvent.Action.CLOSE, reason=reason.strip(), by=actor
    )
    return period


@transaction.atomic
def period_reopen(*, period: Period, actor: Any, reason: str) -> Period:
    if not reason.strip():
        raise LedgerError({"reason": _("เหตุผลการเปิดงวด: ต้องระบุ")})
    locked = Period.objects.select_for_update().get(pk=period.pk)
    if not locked.closed:
        raise LedgerError(_("งวดนี้เปิดอยู่แล้ว"))
    Period.objects.filter(pk=period.pk).update(closed=False)
    period.closed = False
    PeriodEvent.objects.create(
        period=period, action=PeriodEvent.Action.REOPEN, reason=reason.strip(), by=actor
    )
    return period


@transaction.atomic
def period_ensure(*, book: Book, start_date: dt.date, end_date: dt.date) -> Period | None:
    """The open-or-closed period with exactly these dates, created (open) when missing.
    ``None`` when another period already covers part of the span (it is left as it is)."""
    if end_date < start_date:
        raise LedgerError({"end_date": _("วันสิ้นงวด: ต้องไม่ก่อนวันเริ่มงวด")})
    same = Period.objects.filter(book=book, start_date=start_date, end_date=end_date).first()
    if same is not None:
        return same
    if Period.objects.filter(
        book=book, start_date__lte=end_date, end_date__gte=start_date
    ).exists():
        return None
    return Period.objects.create(book=book, start_date=start_date, end_date=end_date)
