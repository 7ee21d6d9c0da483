"""The demo tambon: its plan is deterministic and plausible, its build is complete and scoped,
and `chumchon demo --no-serve` rebuilds cleanly when run twice. (The fund's books: see
``test_demo_fund.py``.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from chumchon.core.thai import is_valid_national_id
from chumchon.demo.build import MAIN_TAMBON_CODE, OTHER_TAMBON_CODE, REFERENCE_DATE, plan_demo


def test_plan_is_deterministic_and_plausible() -> None:
    plan = plan_demo(2569)
    assert plan == plan_demo(2569)
    assert plan.fingerprint() == plan_demo(2569).fingerprint()
    assert plan.fingerprint() != plan_demo(7).fingerprint()

    people = plan.persons()
    ids = [p.national_id for p in people]
    assert len(ids) == len(set(ids))
    assert all(is_valid_national_id(i) and i[0] in "013" for i in ids)
    assert 1 <= sum(i.startswith("0") for i in ids) <= 10
    for hh in plan.households:
        assert 2 <= len(hh.members) <= 5
        assert [m.relation for m in hh.members].count("head") == 1
        assert len(hh.house_registration_no) == 11 and hh.house_registration_no.isdigit()
    for p in people:
        age = p.age()
        assert 0 <= age <= 100
        if age < 15:
            assert p.title == ("ด.ช." if p.sex == "M" else "ด.ญ.")
        else:
            assert p.title in (("นาย",) if p.sex == "M" else ("นาง", "นางสาว"))
        if p.relation == "head":
            assert 30 <= age <= 80
        if p.birth_date is None:
            assert age >= 60
        else:
            assert p.birth_date.year == p.birth_year and p.birth_date <= REFERENCE_DATE
        if p.phone:
            assert len(p.phone) == 10 and p.phone[:2] in {"06", "08", "09"} and age >= 18
    assert sum(p.birth_date is None for p in people) >= 5
    assert sum(p.death_date is not None for p in people) >= 2
    regs = [hh.house_registration_no for hh in plan.households]
    assert len(regs) == len(set(regs))


@pytest.mark.django_db
def test_build_demo(db: object) -> None:
    from django.contrib.auth import get_user_model

    from chumchon.areas.models import OrgUnit, RoleAssignment, Village
    from chumchon.areas.selectors import scope_q
    from chumchon.core.permissions import Role
    from chumchon.demo.build import build_demo
    from chumchon.people.models import Household, HouseholdMember, Person

    result = build_demo(seed=2569, fund_size=None)
    fund = OrgUnit.objects.get(kind="fund", subdistrict_id=MAIN_TAMBON_CODE)
    other = OrgUnit.objects.get(kind="fund", subdistrict_id=OTHER_TAMBON_CODE)

    assert 6 <= Village.objects.filter(subdistrict_id=MAIN_TAMBON_CODE).count() <= 8
    households = Household.objects.filter(org_unit__path__startswith=fund.path)
    persons = Person.objects.filter(org_unit__path__startswith=fund.path)
    assert 180 <= households.count() <= 220
    assert 550 <= persons.count() <= 650
    assert result.persons == persons.count() and result.households == households.count()
    assert 10 <= Person.objects.filter(org_unit__path__startswith=other.path).count() <= 30
    # Addresses follow the household's village, in the real tambon.
    assert not persons.exclude(subdistrict_id=MAIN_TAMBON_CODE).exists()
    assert set(persons.values_list("postcode", flat=True)) == {"40270"}

    ids = list(Person.objects.values_list("national_id", flat=True))
    assert all(i is not None and is_valid_national_id(i) for i in ids)
    assert len(ids) == len(set(ids))
    heads = Counter(
        HouseholdMember.objects.filter(relation="head").values_list("household_id", flat=True)
    )
    assert set(heads) == set(Household.objects.values_list("pk", flat=True))
    assert set(heads.values()) == {1}
    assert not Person.objects.filter(household_membership__isnull=True).exists()

    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser

    # Tenancy: the other fund's chair sees only their own people; a former chair sees nothing.
    other_chair = User.objects.get(username="other_fund")
    visible = Person.objects.filter(scope_q(other_chair))
    assert visible.count() == result.other_persons
    assert not visible.filter(org_unit__path__startswith=fund.path).exists()
    assert not Person.objects.filter(scope_q(User.objects.get(username="former_chair"))).exists()
    viewer_sees = Person.objects.filter(scope_q(User.objects.get(username="viewer")))
    assert 0 < viewer_sees.count() < persons.count()
    assert Person.objects.filter(scope_q(User.objects.get(username="chair"))).count() == (
        persons.count()
    )

    # History: every person was created with an actor, and some were edited with a reason.
    assert Person.history.filter(history_type="+").count() == Person.objects.count()
    assert not Person.history.filter(history_user__isnull=True).exists()
    assert Person.history.filter(history_type="~").exclude(history_change_reason="").count() >= 3


def test_command_rebuilds_cleanly(tmp_path: Path) -> None:
    """Built twice into the same file (the second time with a small fund history), the demo
    holds the same people; `chumchon ledger verify` passes on its books."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("CHUMCHON_TESTING", None)
    env.update(CHUMCHON_DATA_DIR=str(tmp_path), PYTHAINLP_OFFLINE="1")
    counts = []
    for size in ("none", "small"):
        run = subprocess.run(
            [sys.executable, "-m", "chumchon", "demo", "--no-serve", "--fund-size", size],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        assert MAIN_TAMBON_CODE in run.stdout
        assert "http://127.0.0.1:8000/" in run.stdout and "chumchon" in run.stdout
        assert "treasurer" in run.stdout
        with sqlite3.connect(tmp_path / "demo.sqlite3") as conn:
            counts.append(
                (
                    conn.execute("select count(*) from people_person").fetchone()[0],
                    conn.execute("select count(*) from auth_user").fetchone()[0],
                )
            )
            payments = conn.execute("select count(*) from funds_payment").fetchone()[0]
        assert (payments > 0) == (size == "small")
    assert counts[0] == counts[1]
    assert 560 <= counts[0][0] <= 700
    assert "ledger verified OK" in run.stdout

    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", CHUMCHON_DEBUG="1")
    verify = subprocess.run(
        [sys.executable, "-m", "chumchon", "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]
    assert "all books OK" in verify.stdout and verify.stdout.count("entries") == 2
