"""Data for the documents a fund hands out: the receipt, the public check of a receipt, and the
member's passbook (สมุดบัญชีสมาชิก) printed page by page with balances carried forward.

Pure domain: no web imports. ``chumchon.web.views_docs`` renders what these functions return.

The passbook
------------
Its lines are the membership's payments and voids in the order they were posted to the ledger
(journal entry numbers are gap-free and only grow), so a line once printed never moves: a void
is a new reversal line, never an erasure. A paper page holds ``lines_per_page`` rows (say 20):

- page 1: rows 1..N-1 are lines, row N is ยอดยกไป (carried forward);
- page 2 onwards: row 1 is ยอดยกมา (brought forward, the previous page's ยอดยกไป), rows
  2..N-1 are lines, row N is ยอดยกไป.

A carry row is printed together with the line it follows (ยอดยกไป) or precedes (ยอดยกมา).
``PassbookPrint`` records how many lines went into the paper book; the next print starts on the
row after the last printed one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chumchon.areas.models import OrgUnit
from chumchon.areas.selectors import user_can
from chumchon.core.permissions import Perm
from chumchon.core.thai import baht_text, format_baht, format_be_date

from .models import Membership, PassbookPrint, Payment, PaymentVoid, ReceiptPrint, Refund

ZERO = Decimal("0.00")
PASSBOOK_LINES_PER_PAGE = 20
TOKEN_MAX_LENGTH = 64


# --- receipts ---------------------------------------------------------------------------------


def unit_address(unit: OrgUnit) -> str:
    """The postal area of an org unit: ตำบล… อำเภอ… จังหวัด… (what is known of it)."""
    if unit.subdistrict_id:
        return unit.subdistrict.full_name()  # type: ignore[union-attr]
    parts = [str(p) for p in (unit.district, unit.province) if p is not None]
    return " ".join(parts)


@dataclass(frozen=True)
class ReceiptItem:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt (ใบเสร็จรับเงิน)."""

    payment_pk: int
    token: str
    fund_name: str
    fund_address: str
    receipt_no: str
    date: dt.date
    member_name: str
    member_no: int | None
    group_name: str
    amount: Decimal
    amount_words: str
    items: list[ReceiptItem]
    covers_from: dt.date | None
    covers_to: dt.date | None
    method: str
    collector: str
    note: str
    copy: bool
    voided: bool
    void_reason: str = ""
    void_date: dt.date | None = None


def covers_whole_period(p: Payment) -> bool:
    """Whether the payment completed at least one period (else it is credit for the next one)."""
    return bool(p.covers_to and p.covers_from and p.covers_to >= p.covers_from)


def contribution_label(p: Payment, *, style: Literal["short", "long"] = "long") -> str:
    if covers_whole_period(p):
        return _("เงินสมทบ งวด %(f)s ถึง %(t)s") % {
            "f": format_be_date(p.covers_from, style),
            "t": format_be_date(p.covers_to, style),
        }
    return _("เงินสมทบ (ยังไม่ครบงวด สะสมไว้สำหรับงวดถัดไป)")


def _void_of(p: Payment) -> PaymentVoid | None:
    try:
        return p.void
    except PaymentVoid.DoesNotExist:
        return None


def receipt_data(payment: Payment, *, copy: bool = False) -> ReceiptData:
    p = (
        Payment.objects.select_related(
            "fund__org_unit__subdistrict__district__province",
            "membership__person",
            "org_unit",
            "created_by",
            "void__reversal",
        )
        .filter(pk=payment.pk)
        .get()
    )
    items = []
    if p.contribution > 0:
        items.append(ReceiptItem(contribution_label(p), p.contribution))
    if p.entry_fee > 0:
        items.append(ReceiptItem(_("ค่าสมัครสมาชิก"), p.entry_fee))
    void = _void_of(p)
    collector = ""
    if p.created_by is not None:
        collector = p.created_by.get_full_name() or p.created_by.get_username()
    return ReceiptData(
        payment_pk=p.pk,
        token=p.verify_token,
        fund_name=p.fund.name,
        fund_address=unit_address(p.fund.org_unit),
        receipt_no=p.receipt_label,
        date=p.date,
        member_name=p.membership.person.full_name,
        member_no=p.membership.member_no,
        group_name=p.org_unit.name,
        amount=p.amount,
        amount_words=baht_text(p.amount),
        items=items,
        covers_from=p.covers_from,
        covers_to=p.covers_to if covers_whole_period(p) else None,
        method=p.get_method_display(),
        collector=collector,
        note=p.note,
        copy=copy,
        voided=void is not None,
        void_reason=void.reason if void else "",
        void_date=void.reversal.date if void else None,
    )


def receipt_print_record(*, actor: Any, payment: Payment, size: str) -> bool:
    """Log a print of the receipt; True when it must say สำเนา (a copy).

    The first print by someone who may collect money at the payment's unit is the original;
    any later print, and any print by a role that only views the books, is a copy.
    """
    may_issue = user_can(actor, Perm.COLLECT, payment.org_unit)
    by = actor if getattr(actor, "pk", None) else None
    if may_issue and not ReceiptPrint.objects.filter(payment=payment, copy=False).exists():
        try:
            with transaction.atomic():
                ReceiptPrint.objects.create(payment=payment, size=size, copy=False, by=by)
            return False
        except IntegrityError:
            pass  # printed at the same moment elsewhere: this one is the copy
    ReceiptPrint.objects.create(payment=payment, size=size, copy=True, by=by)
    return True


# --- public verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What anyone holding the receipt may check: no name, no ID, no member number."""

    fund_pk: int
    fund_name: str
    public_board: bool
    receipt_no: str
    date: dt.date
    amount: Decimal
    voided: bool
    void_date: dt.date | None


def verification_for(token: str) -> Verification | None:
    token = token.strip()
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    p = (
        Payment.objects.select_related("fund__org_unit", "void__reversal")
        .filter(verify_token=token)
        .first()
    )
    if p is None:
        return None
    void = _void_of(p)
    return Verification(
        fund_pk=p.fund_id,
        fund_name=p.fund.name,
        public_board=p.fund.public_board,
        receipt_no=p.receipt_label,
        date=p.date,
        amount=p.amount,
        voided=void is not None,
        void_date=void.reversal.date if void else None,
    )


# --- passbook lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PassbookLine:
    seq: int  # 1-based position among the passbook's lines
    date: dt.date
    receipt_no: str
    description: str
    amount: Decimal  # money handed over; negative on a reversal
    contribution: Decimal  # change in the member's contributions
    balance: Decimal  # contributions paid so far (เงินสมทบสะสม)
    reversal: bool = False


def _payment_description(p: Payment) -> str:
    """ "เงินสมทบถึง 28 ก.พ. 2566", with the amounts when an entry fee shares the receipt."""
    if p.entry_fee <= 0:
        if covers_whole_period(p):
            return _("เงินสมทบถึง %(d)s") % {"d": format_be_date(p.covers_to)}
        return _("เงินสมทบ (ยังไม่ครบงวด)")
    text = _("ค่าสมัคร %(a)s") % {"a": format_baht(p.entry_fee)}
    if p.contribution <= 0:
        return text
    values = {"fee": text, "a": format_baht(p.contribution), "d": format_be_date(p.covers_to)}
    if covers_whole_period(p):
        return _("%(fee)s + เงินสมทบ %(a)s ถึง %(d)s") % values
    return _("%(fee)s + เงินสมทบ %(a)s (ยังไม่ครบงวด)") % values


def passbook_lines(m: Membership) -> list[PassbookLine]:
    """The member's passbook lines in posting order, with the running total of contributions.

    A void is a line that takes its payment back. Money returned on resignation (the fund's
    refund rule) is a line of money paid out; the contributions paid stay what they were."""
    events: list[tuple[int, int, Any]] = []
    payments = Payment.objects.filter(membership=m).select_related("entry", "void__reversal")
    for p in payments:
        events.append((p.entry.number, 0, p))
        void = _void_of(p)
        if void is not None:
            events.append((void.reversal.number, 1, (p, void)))
    refund = Refund.objects.filter(membership=m).select_related("entry").first()
    if refund is not None:
        events.append((refund.entry.number, 2, refund))
    events.sort(key=lambda e: (e[0], e[1]))
    lines = []
    balance = ZERO
    for seq, (_number, kind, item) in enumerate(events, start=1):
        if kind == 0:
            p = item
            balance += p.contribution
            lines.append(
                PassbookLine(
                    seq=seq,
                    date=p.date,
                    receipt_no=p.receipt_label,
                    description=_payment_description(p),
                    amount=p.amount,
                    contribution=p.contribution,
                    balance=balance,
                )
            )
        elif kind == 1:
            p, void = item
            balance -= p.contribution
            lines.append(
                PassbookLine(
                    seq=seq,
                    date=void.reversal.date,
                    receipt_no=p.receipt_label,
                    description=_("ยกเลิกใบเสร็จ %(r)s: %(why)s")
                    % {"r": p.receipt_label, "why": void.reason},
                    amount=-p.amount,
                    contribution=-p.contribution,
                    balance=balance,
                    reversal=True,
                )
            )
        else:
            lines.append(
                PassbookLine(
                    seq=seq,
                    date=item.date,
                    receipt_no="",
                    description=_("จ่ายคืนเมื่อลาออก ร้อยละ %(p)s ของเงินสมทบ")
                    % {"p": format(item.percent.normalize(), "f")},
                    amount=-item.amount,
                    contribution=ZERO,
                    balance=balance,
                    reversal=True,
                )
            )
    return lines


# --- passbook pages ---------------------------------------------------------------------------

LINE = "line"
BROUGHT_FORWARD = "brought_forward"  # ยอดยกมา
CARRIED_FORWARD = "carried_forward"  # ยอดยกไป


@dataclass(frozen=True)
class PassbookRow:
    """One row of a paper page: a line, or a carried balance printed with line ``anchor``."""

    page: int
    row: int  # 1..lines_per_page
    kind: str
    balance: Decimal
    anchor: int  # the seq of the line this row is printed with
    date: dt.date
    line: PassbookLine | None = None

    @property
    def is_carry(self) -> bool:
        return self.kind != LINE


def passbook_layout(lines: list[PassbookLine], per_page: int) -> list[PassbookRow]:
    """Where every line (and every ยอดยกมา / ยอดยกไป) sits in the paper book."""
    if per_page < 4:
        raise ValueError("a passbook page needs at least 4 rows")
    rows: list[PassbookRow] = []
    page, used = 1, 0
    balance = ZERO
    for line in lines:
        if page > 1 and used == 0:
            rows.append(PassbookRow(page, 1, BROUGHT_FORWARD, balance, line.seq, line.date))
            used = 1
        used += 1
        rows.append(PassbookRow(page, used, LINE, line.balance, line.seq, line.date, line))
        balance = line.balance
        if used == per_page - 1:
            rows.append(PassbookRow(page, per_page, CARRIED_FORWARD, balance, line.seq, line.date))
            page, used = page + 1, 0
    return rows


@dataclass
class Passbook:
    """A member's whole passbook: its lines, their places, and how far it was printed."""

    membership: Membership
    lines: list[PassbookLine]
    rows: list[PassbookRow]
    per_page: int
    printed: int  # lines already in the paper book
    last_print: PassbookPrint | None

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def balance(self) -> Decimal:
        return self.lines[-1].balance if self.lines else ZERO

    @property
    def unprinted(self) -> int:
        return self.total - self.printed

    @property
    def pages(self) -> list[int]:
        return sorted({r.page for r in self.rows})

    @property
    def last_printed_row(self) -> PassbookRow | None:
        done = [r for r in self.rows if r.anchor <= self.printed]
        return done[-1] if done else None

    def rows_on(self, page: int) -> list[PassbookRow]:
        return [r for r in self.rows if r.page == page]


def passbook_for(m: Membership, *, per_page: int | None = None) -> Passbook:
    prints = PassbookPrint.objects.filter(membership=m)
    first = prints.order_by("first_line").first()
    last = prints.order_by("-last_line").first()
    size = per_page or (first.lines_per_page if first else PASSBOOK_LINES_PER_PAGE)
    printed = prints.aggregate(n=Max("last_line"))["n"] or 0
    lines = passbook_lines(m)
    return Passbook(
        membership=m,
        lines=lines,
        rows=passbook_layout(lines, size),
        per_page=size,
        printed=printed,
        last_print=last,
    )


@dataclass
class PassbookJob:
    """The rows of one print: new lines after the last printed one, or a page printed again."""

    book: Passbook
    rows: list[PassbookRow]
    first_line: int
    last_line: int
    reprint_page: int | None = None
    pages: list[int] = field(default_factory=list)

    def page_rows(self, page: int) -> list[PassbookRow | None]:
        """All rows of a page, None where this job prints nothing (keeps the positions)."""
        at = {r.row: r for r in self.rows if r.page == page}
        return [at.get(i) for i in range(1, self.book.per_page + 1)]

    def starts_page(self, page: int) -> bool:
        """Whether this job prints the page's first row (its heading goes on with it)."""
        return any(r.page == page and r.row == 1 for r in self.rows)


def passbook_job(book: Passbook, *, upto: int | None = None) -> PassbookJob | None:
    """The lines not yet printed (up to ``upto``), each on its row of its page."""
    last = book.total if upto is None else min(upto, book.total)
    if last <= book.printed:
        return None
    first = book.printed + 1
    rows = [r for r in book.rows if first <= r.anchor <= last]
    return PassbookJob(
        book=book,
        rows=rows,
        first_line=first,
        last_line=last,
        pages=sorted({r.page for r in rows}),
    )


def passbook_reprint(book: Passbook, page: int) -> PassbookJob | None:
    """Page ``page`` again, with the lines of it already printed (a spoilt or new book)."""
    rows = [r for r in book.rows if r.page == page and r.anchor <= book.printed]
    if not rows:
        return None
    return PassbookJob(
        book=book,
        rows=rows,
        first_line=rows[0].anchor,
        last_line=rows[-1].anchor,
        reprint_page=page,
        pages=[page],
    )


@transaction.atomic
def passbook_mark_printed(*, actor: Any, membership: Membership, upto: int) -> PassbookPrint | None:
    """Record that lines up to ``upto`` went into the paper book; None if they already had."""
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    if not user_can(actor, Perm.COLLECT, m.org_unit):
        raise PermissionDenied(_("ไม่มีสิทธิ์ทำรายการนี้ในหน่วยนี้"))
    book = passbook_for(m)
    if upto > book.total:
        raise ValidationError(
            {"upto": _("รายการที่พิมพ์: มีเพียง %(n)s รายการในสมุด") % {"n": book.total}}
        )
    if upto <= book.printed:
        return None
    return PassbookPrint.objects.create(
        membership=m,
        first_line=book.printed + 1,
        last_line=upto,
        lines_per_page=book.per_page,
        by=actor,
    )
