"""Two people saving the same national ID (or house registration number) at the same moment.

``people.services`` checks for a clash before saving, but two requests can both pass that check
before either commits; the UNIQUE constraint then stops the second insert, and ``_save`` turns
the IntegrityError into a Thai ``ValidationError`` on the field, so the form shows an error
instead of a 500. These tests run two threads, each with its own database connection, released
together by a ``threading.Barrier``.

PostgreSQL only. On SQLite the suite's test database is in memory: another thread's connection
would open a different, empty database (or, with a shared-cache URI, fail with "database table
is locked" rather than wait, since busy_timeout does not apply to shared-cache locks), so the
race cannot be staged without switching the whole run to a file database. Nor is there much to
stage: with ``transaction_mode = IMMEDIATE`` SQLite takes the write lock at BEGIN, so the second
transaction waits (busy_timeout 5000 ms) until the first commits and then sees the row in its
own clash check. The PostgreSQL pass of the suite (``./run test`` and CI run both) covers the
race, where READ COMMITTED lets both checks pass.

``transaction=True`` because each thread must see what the other committed;
``serialized_rollback=True`` because the flush after a transactional test would otherwise delete
the geothai area rows that migrations loaded, and later tests need them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from chumchon.people import services
from chumchon.people.models import Household, Person
from chumchon.people.services import household_create, person_create

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's in-memory test database is not shared between "
        "threads' connections, and IMMEDIATE transactions serialise writers anyway",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NATIONAL_IDS = ("1101700203450", "3340100012347")  # valid check digits
HOUSE_NOS = ("40010012345", "40010012346")
TIMEOUT = 20  # seconds: a stuck thread fails the test instead of hanging it


def _race(calls: list[Callable[[], Any]], *, force_both_past_check: bool) -> list[Any]:
    """Run each call in its own thread, all released at once; return results or exceptions.

    With ``force_both_past_check`` every thread also waits, just before its INSERT (in
    ``services._save``), for the others to get there: both have then passed the clash check,
    so the UNIQUE constraint is what stops the second one. Without it the threads race freely
    and the loser may be stopped by either the check or the constraint.
    """
    start = threading.Barrier(len(calls), timeout=TIMEOUT)
    at_save = threading.Barrier(len(calls), timeout=TIMEOUT)
    results: list[Any] = [None] * len(calls)
    real_save = services._save

    def save_together(obj: Any, actor: Any, reason: str | None = None) -> None:
        at_save.wait()
        real_save(obj, actor, reason)

    def worker(i: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[i] = call()
        except BaseException as exc:  # handed back to the test thread
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    patch = (
        mock.patch.object(services, "_save", save_together)
        if force_both_past_check
        else mock.patch.object(services, "_save", real_save)
    )
    with patch:
        threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT + 5)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


def _one_won_one_refused(results: list[Any], model: type, field: str) -> ValidationError:
    winners = [r for r in results if isinstance(r, model)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    loser = losers[0]
    assert not isinstance(loser, IntegrityError), loser
    assert isinstance(loser, ValidationError), repr(loser)
    assert field in loser.message_dict, loser.message_dict
    return loser


def test_same_national_id_at_once_gives_one_person_and_a_field_error(world: Any) -> None:
    """Two registrars of fund A save the same ID for two people at the same moment.

    Round 1 makes both pass the clash check, so the UNIQUE constraint stops the second insert;
    round 2 (another ID) lets the threads race freely. (One test for both rounds: each
    transactional test reloads the area tables, which takes seconds.)
    """

    def create(actor: Any, unit: Any, first_name: str, nid: str) -> Callable[[], Person]:
        return lambda: person_create(
            actor=actor,
            org_unit=unit,
            title="นาย",
            first_name=first_name,
            last_name="ทดสอบ",
            national_id=nid,
        )

    for nid, forced in ((NATIONAL_IDS[0], True), (NATIONAL_IDS[1], False)):
        results = _race(
            [
                create(world.chair_a, world.group_a1, "สมชาย", nid),
                create(world.registrar_a, world.group_a2, "สมศักดิ์", nid),
            ],
            force_both_past_check=forced,
        )
        loser = _one_won_one_refused(results, Person, "national_id")
        assert Person.objects.filter(national_id=nid).count() == 1
        assert Person.history.filter(national_id=nid).count() == 1  # the loser left no trace
        if forced:
            # Both passed the check: the database's UNIQUE constraint caught the second insert.
            assert isinstance(loser.__cause__, IntegrityError)
            assert loser.message_dict["national_id"] == ["เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว"]
    assert Person.objects.count() == 2


def test_same_house_registration_no_at_once_gives_one_household_and_a_field_error(
    world: Any,
) -> None:
    """The same with households and the 11-digit house registration number."""

    def create(actor: Any, unit: Any, house_number: str, reg: str) -> Callable[[], Household]:
        return lambda: household_create(
            actor=actor, org_unit=unit, house_registration_no=reg, house_number=house_number
        )

    for reg, forced in ((HOUSE_NOS[0], True), (HOUSE_NOS[1], False)):
        results = _race(
            [
                create(world.chair_a, world.group_a1, "12", reg),
                create(world.registrar_a, world.group_a2, "34", reg),
            ],
            force_both_past_check=forced,
        )
        loser = _one_won_one_refused(results, Household, "house_registration_no")
        assert Household.objects.filter(house_registration_no=reg).count() == 1
        if forced:
            assert isinstance(loser.__cause__, IntegrityError)
            assert loser.message_dict["house_registration_no"] == ["เลขประจำบ้านนี้มีอยู่ในระบบแล้ว"]
    assert Household.objects.count() == 2
