"""Money the fund spends or moves: administration expenses (with a payment voucher number) and
deposits to or withdrawals from the bank. Everything posts at once through
``funds.services.cash_movement_record``; a mistake is corrected by reversing the entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chumchon.core.permissions import Perm
from chumchon.core.thai import format_baht
from chumchon.core.thai_forms import BEDateField
from chumchon.funds import services as fund_svc
from chumchon.funds.models import Fund, PaymentMethod
from chumchon.funds.services import MovementKind
from chumchon.ledger.models import JournalEntry

from .forms_books import MONEY_ATTRS
from .fundcommon import apply_errors, can, fund_for, require

KINDS = ("expense", "deposit", "withdraw")


class CashMovementForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("รายการ"),
        choices=MovementKind.choices,
        widget=forms.RadioSelect,
        initial=MovementKind.EXPENSE,
    )
    date = BEDateField(label=gettext_lazy("วันที่"))
    account = forms.ChoiceField(
        label=gettext_lazy("บัญชีค่าใช้จ่าย"),
        required=False,
        help_text=gettext_lazy("เฉพาะการจ่ายค่าใช้จ่าย (สวัสดิการจ่ายที่หน้าคำขอ)"),
    )
    method = forms.ChoiceField(
        label=gettext_lazy("จ่ายจาก"),
        choices=[
            (PaymentMethod.CASH, gettext_lazy("เงินสด")),
            (PaymentMethod.TRANSFER, gettext_lazy("เงินฝากธนาคาร")),
        ],
        initial=PaymentMethod.CASH,
        required=False,
    )
    amount = forms.CharField(
        label=gettext_lazy("จำนวนเงิน (บาท)"), max_length=20, widget=forms.TextInput(MONEY_ATTRS)
    )
    memo = forms.CharField(
        label=gettext_lazy("รายละเอียด"),
        max_length=200,
        help_text=gettext_lazy("เช่น ค่าถ่ายเอกสารใบสมัคร ร้านสมใจการพิมพ์"),
    )
    reference = forms.CharField(
        label=gettext_lazy("เลขที่ใบเสร็จของผู้ขาย / เลขอ้างอิง"), max_length=60, required=False
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(a.pk), f"{a.code} {a.name}") for a in fund_svc.expense_accounts(fund)
        ]


@login_required
def cash_movements(request: HttpRequest, pk: int) -> HttpResponse:
    """The form and the fund's recent expenses, deposits and withdrawals."""
    fund = fund_for(request.user, pk)
    require(request.user, Perm.VIEW_BOOKS, fund.org_unit)
    may = can(request.user, Perm.MANAGE_FUND, fund.org_unit)
    form = CashMovementForm(request.POST or None, fund=fund, initial={"date": timezone.localdate()})
    if request.method == "POST":
        require(request.user, Perm.MANAGE_FUND, fund.org_unit)
        if form.is_valid():
            data = form.cleaned_data
            accounts = {str(a.pk): a for a in fund_svc.expense_accounts(fund)}
            try:
                entry = fund_svc.cash_movement_record(
                    actor=request.user,
                    fund=fund,
                    kind=data["kind"],
                    date=data["date"],
                    amount=data["amount"],
                    memo=data["memo"],
                    account=accounts.get(data.get("account") or ""),
                    method=data.get("method") or PaymentMethod.CASH,
                    reference=data.get("reference", ""),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("บันทึกแล้ว: %(m)s %(a)s บาท (รายการบัญชีเลขที่ %(n)s)")
                    % {"m": entry.memo, "a": format_baht(entry.amount), "n": entry.number},
                )
                return redirect("cash_movements", pk=fund.pk)
    recent = (
        JournalEntry.objects.filter(book=fund.book, source_type__in=KINDS)
        .select_related("reverses")
        .order_by("-number")[:50]
    )
    return render(
        request,
        "web/funds/cash_movements.html",
        {"fund": fund, "form": form, "recent": recent, "may": may},
    )


urlpatterns: list[URLPattern] = [
    path("funds/<int:pk>/books/expenses/", cash_movements, name="cash_movements"),
]
