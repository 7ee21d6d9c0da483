"""Query helpers that must read the same, and use an index, on SQLite and PostgreSQL."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

# Above every character a key or a path can hold: "k" <= s < "k" + TOP  <=>  s starts with "k".
TOP = "\U0010ffff"


def prefix_q(lookup: str, prefix: str) -> Q:
    """``lookup`` starts with ``prefix``, in the form each database's B-tree index serves.

    PostgreSQL: ``LIKE 'p%'`` (Django's ``varchar_pattern_ops`` "_like" index serves it).
    SQLite: a range on the binary-collated column. Django's ``startswith`` there is
    ``LIKE ... ESCAPE``, which SQLite never serves from an index (its LIKE is case-insensitive),
    so a subtree count would read the whole table (measured in bench/, run 3).
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{lookup}__gte": prefix, f"{lookup}__lt": prefix + TOP})
    return Q(**{f"{lookup}__startswith": prefix})
