"""Tenancy matrix entries of the receipt and passbook screens (views_docs.py)."""

from __future__ import annotations

from typing import Any

# The receipt check behind the QR code is for anyone holding the paper: no login, and it shows
# no personal data (see test_documents.py).
PUBLIC = {"receipt_verify"}


def entries(Entry: Any) -> dict[str, Any]:
    return {
        "receipt_pdf": Entry(args=lambda a: [a.payment.pk], binary=True),
        "passbook": Entry(args=lambda a: [a.membership.pk]),
        "passbook_pdf": Entry(args=lambda a: [a.membership.pk], binary=True),
        "passbook_mark_printed": Entry(
            args=lambda a: [a.membership.pk], get=False, post=lambda a: {"upto": 1}
        ),
    }
