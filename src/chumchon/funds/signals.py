"""Signals of the fund books for layers above them.

``fund_changed`` says "the membership or the money of this fund changed": the services that
approve, end or move memberships and record or void payments send it, inside their transaction.
The funds layer imports nothing above it; ``chumchon.reports`` connects a receiver (see
``reports.apps``) that queues one refresh of the fund's summaries when the transaction commits.
Receivers must not write to the books: this is a notice that cached figures are stale, never
part of a business flow.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``fund_id`` (int): the fund whose members, payments or claims changed.
fund_changed = Signal()
