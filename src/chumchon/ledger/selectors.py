"""Reads of the ledger: balances, statements, trial balance and the verifier."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from .models import DEBIT_NORMAL, Account, AccountMonth, Book, JournalEntry, Posting, Side
from .services import entry_hash

ZERO = Decimal("0.00")


@dataclass
class TrialRow:
    account: Account
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        if self.account.kind in DEBIT_NORMAL:
            return self.debit - self.credit
        return self.credit - self.debit


def account_totals(
    book: Book, *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit sums per account id over a date range (from postings, never the cache)."""
    q = Q(account__book=book)
    if start:
        q &= Q(date__gte=start)
    if end:
        q &= Q(date__lte=end)
    rows = (
        Posting.objects.filter(q)
        .values("account_id", "side")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    out: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for r in rows:
        out[r["account_id"]][0 if r["side"] == Side.DEBIT else 1] += Decimal(r["total"])
    return {k: (v[0], v[1]) for k, v in out.items()}


def trial_balance(
    book: Book, *, start: dt.date | None = None, end: dt.date | None = None
) -> list[TrialRow]:
    totals = account_totals(book, start=start, end=end)
    return [
        TrialRow(a, *totals.get(a.pk, (ZERO, ZERO)))
        for a in Account.objects.filter(book=book).order_by("code")
    ]


@dataclass
class StatementLine:
    posting: Posting
    debit: Decimal
    credit: Decimal
    balance: Decimal


def account_statement(
    account: Account, *, start: dt.date, end: dt.date
) -> tuple[Decimal, list[StatementLine], Decimal]:
    """Opening balance, lines in date order with running balance, closing balance."""
    before = (
        Posting.objects.filter(account=account, date__lt=start)
        .values("side")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    d = sum((Decimal(r["t"]) for r in before if r["side"] == Side.DEBIT), ZERO)
    c = sum((Decimal(r["t"]) for r in before if r["side"] == Side.CREDIT), ZERO)
    sign = 1 if account.kind in DEBIT_NORMAL else -1
    balance = (d - c) * sign
    opening = balance
    lines: list[StatementLine] = []
    postings = (
        Posting.objects.filter(account=account, date__gte=start, date__lte=end)
        .select_related("entry")
        .order_by("date", "entry__number", "line")
    )
    for p in postings:
        dr = p.amount if p.side == Side.DEBIT else ZERO
        cr = p.amount if p.side == Side.CREDIT else ZERO
        balance += (dr - cr) * sign
        lines.append(StatementLine(p, dr, cr, balance))
    return opening, lines, balance


def entries(book: Book) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(book=book).order_by("number")


@dataclass
class VerifyReport:
    book: Book
    entries: int = 0
    faults: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def verify_book(book: Book) -> VerifyReport:
    """Re-check everything: balance per entry, the hash chain, numbering gaps, cached totals."""
    report = VerifyReport(book=book)
    postings: dict[object, list[Posting]] = defaultdict(list)
    for p in (
        Posting.objects.filter(account__book=book)
        .select_related("account")
        .order_by("entry_id", "line")
    ):
        postings[p.entry_id].append(p)
    prev = ""
    expected_no = 1
    for e in JournalEntry.objects.filter(book=book).order_by("number").iterator():
        report.entries += 1
        if e.number != expected_no:
            report.faults.append(
                _("เลขที่รายการขาดช่วง: คาดว่า %(a)s พบ %(b)s") % {"a": expected_no, "b": e.number}
            )
        expected_no = e.number + 1
        ps = postings.pop(e.pk, [])
        d = sum((p.amount for p in ps if p.side == Side.DEBIT), ZERO)
        c = sum((p.amount for p in ps if p.side == Side.CREDIT), ZERO)
        if len(ps) < 2 or d != c or d != e.amount:
            report.faults.append(
                _("รายการ %(n)s ไม่สมดุล: เดบิต %(d)s เครดิต %(c)s ยอด %(a)s")
                % {"n": e.number, "d": d, "c": c, "a": e.amount}
            )
        if e.prev_hash != prev:
            report.faults.append(_("รายการ %(n)s: ห่วงโซ่แฮชขาด") % {"n": e.number})
        digest = entry_hash(
            book_id=book.pk,
            number=e.number,
            date=e.date,
            memo=e.memo,
            amount=e.amount,
            source_type=e.source_type,
            source_id=e.source_id,
            reverses_id=e.reverses_id,
            postings=[(p.account.code, p.side, p.amount) for p in ps],
            prev_hash=e.prev_hash,
        )
        if digest != e.hash:
            report.faults.append(_("รายการ %(n)s: แฮชไม่ตรงกับเนื้อหา (ข้อมูลถูกแก้ไข)") % {"n": e.number})
        prev = e.hash
    for entry_id, ps in postings.items():
        report.faults.append(
            _("พบบรรทัดบัญชี %(k)s บรรทัดที่ไม่มีรายการ (%(id)s)") % {"k": len(ps), "id": entry_id}
        )
    header = Book.objects.get(pk=book.pk)  # the caller's instance may be stale
    if header.last_entry_no != expected_no - 1 or header.last_hash != prev:
        report.faults.append(_("ส่วนหัวของสมุดบัญชีไม่ตรงกับรายการล่าสุด"))
    totals = account_totals(book)
    for a in Account.objects.filter(book=book):
        d, c = totals.get(a.pk, (ZERO, ZERO))
        if a.debit_total != d or a.credit_total != c:
            report.faults.append(
                _("ยอดสะสมของบัญชี %(a)s ไม่ตรงกับรายการ: เก็บไว้ %(x)s/%(y)s คำนวณได้ %(d)s/%(c)s")
                % {"a": a, "x": a.debit_total, "y": a.credit_total, "d": d, "c": c}
            )
    computed = month_totals_from_postings(book)
    names = {a.pk: str(a) for a in Account.objects.filter(book=book)}
    for row in AccountMonth.objects.filter(book=book):
        d, c = computed.pop((row.account_id, row.month), (ZERO, ZERO))
        if row.debit != d or row.credit != c:
            report.faults.append(
                _("ยอดรายเดือนของบัญชี %(a)s เดือน %(m)s ไม่ตรงกับรายการ")
                % {"a": names.get(row.account_id, row.account_id), "m": row.month.strftime("%m/%Y")}
            )
    for (account_id, month), (d, c) in computed.items():
        if d or c:
            report.faults.append(
                _("ยอดรายเดือนของบัญชี %(a)s เดือน %(m)s หายไป")
                % {"a": names.get(account_id, account_id), "m": month.strftime("%m/%Y")}
            )
    return report


def month_totals_from_postings(book: Book) -> dict[tuple[int, dt.date], tuple[Decimal, Decimal]]:
    """(debit, credit) per (account, first of month), summed from the postings themselves."""
    out: dict[tuple[int, dt.date], list[Decimal]] = {}
    rows = (
        Posting.objects.filter(account__book=book)
        .annotate(m=TruncMonth("date"))
        .values("account_id", "m", "side")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    for r in rows:
        month = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        pair = out.setdefault((r["account_id"], month), [ZERO, ZERO])
        pair[0 if r["side"] == Side.DEBIT else 1] += Decimal(r["t"])
    return {k: (v[0], v[1]) for k, v in out.items()}


# --- book screens: cash book and general ledger --------------------------------------------------


def _debit_minus_credit(q: Q) -> Decimal:
    d = c = ZERO
    for r in Posting.objects.filter(q).values("side").annotate(t=Sum("amount")).order_by():
        if r["side"] == Side.DEBIT:
            d += Decimal(r["t"])
        else:
            c += Decimal(r["t"])
    return d - c


@dataclass
class CashLine:
    """One entry of the cash book: what came in and went out of the chosen accounts."""

    entry: JournalEntry
    receipts: Decimal
    payments: Decimal
    balance: Decimal
    others: list[Account] = field(default_factory=list)  # the counter accounts


def cash_book(
    book: Book, *, accounts: list[Account], start: dt.date, end: dt.date
) -> tuple[Decimal, list[CashLine], Decimal]:
    """Opening balance, each entry touching ``accounts`` in date and number order with its
    receipts, payments and running balance, and the closing balance (assets: debit normal)."""
    ids = {a.pk for a in accounts}
    if not ids:
        return ZERO, [], ZERO
    balance = opening = _debit_minus_credit(
        Q(account__book=book, account_id__in=ids, date__lt=start)
    )
    touching = Posting.objects.filter(
        account__book=book, account_id__in=ids, date__gte=start, date__lte=end
    ).values("entry_id")
    lines: list[CashLine] = []
    current: CashLine | None = None
    for p in (
        Posting.objects.filter(entry_id__in=touching)
        .select_related("entry", "account")
        .order_by("date", "entry__number", "line")
    ):
        if current is None or current.entry.pk != p.entry_id:
            if current is not None:
                lines.append(current)
            current = CashLine(p.entry, ZERO, ZERO, balance)
        if p.account_id in ids:
            if p.side == Side.DEBIT:
                current.receipts += p.amount
                balance += p.amount
            else:
                current.payments += p.amount
                balance -= p.amount
            current.balance = balance
        elif p.account not in current.others:
            current.others.append(p.account)
    if current is not None:
        lines.append(current)
    return opening, lines, balance


@dataclass
class LedgerSection:
    """One account of the general ledger over a date range."""

    account: Account
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal

    @property
    def debit(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((ln.credit for ln in self.lines), ZERO)


def general_ledger(
    book: Book, *, start: dt.date, end: dt.date, account: Account | None = None
) -> list[LedgerSection]:
    """Every account (or one) with its opening balance, postings with running balance and
    closing balance, in two queries. With every account, those with no balance and no posting
    in the range are left out."""
    accounts = [account] if account is not None else list(book.accounts.order_by("code"))
    before = account_totals(book, end=start - dt.timedelta(days=1))
    in_range: dict[int, list[Posting]] = defaultdict(list)
    q = Q(account__book=book, date__gte=start, date__lte=end)
    if account is not None:
        q &= Q(account=account)
    for p in (
        Posting.objects.filter(q).select_related("entry").order_by("date", "entry__number", "line")
    ):
        in_range[p.account_id].append(p)
    sections: list[LedgerSection] = []
    for a in accounts:
        d, c = before.get(a.pk, (ZERO, ZERO))
        sign = 1 if a.kind in DEBIT_NORMAL else -1
        opening = balance = (d - c) * sign
        lines: list[StatementLine] = []
        for p in in_range.get(a.pk, []):
            dr = p.amount if p.side == Side.DEBIT else ZERO
            cr = p.amount if p.side == Side.CREDIT else ZERO
            balance += (dr - cr) * sign
            lines.append(StatementLine(p, dr, cr, balance))
        if account is None and not lines and opening == 0:
            continue
        sections.append(LedgerSection(a, opening, lines, balance))
    return sections
