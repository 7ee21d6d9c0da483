"""Moving an org unit with its subtree (``areas.services.org_unit_move``, ADR 0001).

The fixture tree (conftest ``world``): province network → district (อ.เมืองขอนแก่น) → fund A
(village groups A1, A2) and fund B (group B1). These tests add a second district under the same
province network and move fund A there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.areas.models import PATH_SEGMENT, OrgUnit, OrgUnitKind
from chumchon.areas.selectors import scope_q, units_visible_to, user_can
from chumchon.areas.services import org_unit_create, org_unit_move, role_assign
from chumchon.core.permissions import Perm, Role
from chumchon.people.models import Household, Person
from chumchon.people.services import household_create

START = dt.date(2024, 1, 1)


def _seg(unit: OrgUnit) -> str:
    return f"{unit.pk:0{PATH_SEGMENT}d}/"


def _fresh(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.get(pk=unit.pk)


def _fresh_user(user: Any) -> Any:
    """A new user object, as each request loads: no cached role paths (scope_q caches them)."""
    return get_user_model().objects.get(pk=user.pk)


def _user_with_role(username: str, unit: OrgUnit, role: str) -> Any:
    user = get_user_model().objects.create_user(username=username, password=None)
    role_assign(user=user, org_unit=unit, role=role, start_date=START)
    return user


@pytest.fixture
def district_2(world: Any) -> OrgUnit:
    return org_unit_create(
        name="เครือข่ายอำเภอบ้านฝาง", kind=OrgUnitKind.DISTRICT, parent=world.province
    )


def _paths(*units: OrgUnit) -> dict[int, tuple[str, int]]:
    return {u.pk: (u.path, u.depth) for u in OrgUnit.objects.filter(pk__in=[u.pk for u in units])}


# ------------------------------------------------------------------ the subtree moves with it


def test_fund_moved_to_another_district_keeps_its_subtree(world: Any, district_2: OrgUnit) -> None:
    fund_a = world.fund_a
    moved = org_unit_move(actor=world.coordinator, unit=fund_a, new_parent=district_2)

    fund = _fresh(fund_a)
    assert fund.parent_id == district_2.pk
    assert fund.path == district_2.path + _seg(fund)
    assert fund.depth == district_2.depth + 1 == 2
    assert (moved.path, moved.depth, moved.parent_id) == (fund.path, fund.depth, district_2.pk)
    assert (fund_a.path, fund_a.depth) == (fund.path, fund.depth)  # the caller's object too
    for group in (world.group_a1, world.group_a2):
        g = _fresh(group)
        assert g.parent_id == fund.pk
        assert g.path == fund.path + _seg(g)
        assert g.depth == 3
    # Subtree queries: the fund and its groups are below district 2 now, not below district 1.
    assert set(district_2.subtree().values_list("pk", flat=True)) == {
        district_2.pk,
        fund.pk,
        world.group_a1.pk,
        world.group_a2.pk,
    }
    assert set(_fresh(world.district).subtree().values_list("pk", flat=True)) == {
        world.district.pk,
        world.fund_b.pk,
        world.group_b1.pk,
    }
    assert [u.pk for u in _fresh(world.group_a1).ancestors()] == [
        world.province.pk,
        district_2.pk,
        fund.pk,
    ]
    assert set(fund.subtree().values_list("pk", flat=True)) == {
        fund.pk,
        world.group_a1.pk,
        world.group_a2.pk,
    }
    # Units outside the moved subtree are untouched.
    assert _paths(world.province, world.district, world.fund_b, world.group_b1) == {
        u.pk: (u.path, u.depth)
        for u in (world.province, world.district, world.fund_b, world.group_b1)
    }


def test_move_to_a_shallower_parent_shifts_depth_for_the_whole_subtree(world: Any) -> None:
    org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=world.province)
    fund = _fresh(world.fund_a)
    assert fund.path == world.province.path + _seg(fund)
    assert fund.depth == 1
    assert {_fresh(g).depth for g in (world.group_a1, world.group_a2)} == {2}
    assert _fresh(world.group_a1).path == fund.path + _seg(world.group_a1)


def test_the_subtree_is_rewritten_by_one_update(world: Any, district_2: OrgUnit) -> None:
    with CaptureQueriesContext(connection) as ctx:
        org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=district_2)
    updates = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and '"path"' in q["sql"]
    ]
    assert len(updates) == 1, updates
    assert "SUBSTR" in updates[0].upper()


def test_history_names_the_actor_on_the_moved_unit_only(world: Any, district_2: OrgUnit) -> None:
    before = {u.pk: u.history.count() for u in (world.fund_a, world.group_a1, world.group_a2)}
    org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=district_2)
    latest = world.fund_a.history.order_by("-history_id").first()
    assert latest.history_user_id == world.coordinator.pk
    assert latest.parent_id == district_2.pk
    assert world.fund_a.history.count() == before[world.fund_a.pk] + 1
    # The village groups' rows changed only in path and depth, which history does not keep.
    assert world.group_a1.history.count() == before[world.group_a1.pk]
    assert world.group_a2.history.count() == before[world.group_a2.pk]


def test_moving_under_the_current_parent_writes_nothing(world: Any) -> None:
    count = world.fund_a.history.count()
    org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=world.district)
    assert _fresh(world.fund_a).path == world.fund_a.path
    assert world.fund_a.history.count() == count


# ------------------------------------------------------------------ who sees what afterwards


def test_persons_follow_the_fund_to_the_new_district(
    world: Any, district_2: OrgUnit, person_factory: Any
) -> None:
    kept = [
        person_factory(org_unit=world.group_a1, first_name="สมหญิง", national_id=None),
        person_factory(org_unit=world.group_a2, first_name="บุญมา", national_id=None),
    ]
    household = household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="12/3")
    other = person_factory(actor=world.officer_b, org_unit=world.group_b1, first_name="ทองใบ")
    old_coord = _user_with_role("coord_district_1", world.district, Role.COORDINATOR)
    new_coord = _user_with_role("coord_district_2", district_2, Role.COORDINATOR)
    kept_ids = {p.pk for p in kept}

    def visible(user: Any) -> set[int]:
        return set(Person.objects.filter(scope_q(user)).values_list("pk", flat=True))

    assert visible(old_coord) == kept_ids | {other.pk}
    assert visible(new_coord) == set()

    org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=district_2)

    old_coord, new_coord = _fresh_user(old_coord), _fresh_user(new_coord)
    assert visible(new_coord) == kept_ids
    assert visible(old_coord) == {other.pk}
    assert set(Household.objects.filter(scope_q(new_coord)).values_list("pk", flat=True)) == {
        household.pk
    }
    assert not Household.objects.filter(scope_q(old_coord)).exists()
    group_a1 = _fresh(world.group_a1)
    assert user_can(new_coord, Perm.VIEW_PEOPLE, group_a1)
    assert not user_can(old_coord, Perm.VIEW_PEOPLE, group_a1)
    assert units_visible_to(new_coord).filter(pk=world.fund_a.pk).exists()
    assert not units_visible_to(old_coord).filter(pk=world.fund_a.pk).exists()
    # Roles held inside the moved subtree keep covering it; the province coordinator still
    # sees everything.
    assert visible(_fresh_user(world.chair_a)) == kept_ids
    assert visible(_fresh_user(world.viewer_a)) == {kept[0].pk}
    assert visible(_fresh_user(world.coordinator)) == kept_ids | {other.pk}
    # The home page's figure (web.views._unit_counts) follows too.
    assert (
        Person.objects.filter(
            org_unit__path__startswith=district_2.path, death_date__isnull=True
        ).count()
        == 2
    )


# ------------------------------------------------------------------ refusals


def test_moving_under_itself_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=world.fund_a)
    assert "parent" in exc.value.message_dict


def test_moving_under_a_descendant_is_refused(world: Any) -> None:
    # Networks may hold networks, so only the cycle check stands in the way here.
    outer = org_unit_create(name="เครือข่ายผู้สูงอายุ", kind=OrgUnitKind.NETWORK, parent=world.province)
    middle = org_unit_create(name="เครือข่ายย่อย 1", kind=OrgUnitKind.NETWORK, parent=outer)
    inner = org_unit_create(name="เครือข่ายย่อย 2", kind=OrgUnitKind.NETWORK, parent=middle)
    before = _paths(outer, middle, inner)
    for target in (middle, inner):
        with pytest.raises(ValidationError) as exc:
            org_unit_move(actor=world.coordinator, unit=outer, new_parent=target)
        assert exc.value.message_dict["parent"] == ["ย้ายหน่วยไปไว้ภายใต้ตัวเองหรือหน่วยย่อยของตัวเองไม่ได้"]
    assert _paths(outer, middle, inner) == before
    # The other way round is a legal move: the inner network goes up a level.
    org_unit_move(actor=world.coordinator, unit=inner, new_parent=outer)
    assert _fresh(inner).depth == outer.depth + 1


def test_moving_a_fund_under_its_own_village_group_is_a_cycle_not_a_kind_error(
    world: Any,
) -> None:
    with pytest.raises(ValidationError) as exc:
        org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=world.group_a1)
    assert "ตัวเอง" in exc.value.message_dict["parent"][0]


@pytest.mark.parametrize(
    ("unit_name", "target_name"),
    [
        ("group_a1", "district"),  # a village group directly under a district
        ("fund_a", "fund_b"),  # a fund under another fund
        ("group_a1", "group_b1"),  # a village group under a village group
    ],
)
def test_kind_rules_are_enforced(world: Any, unit_name: str, target_name: str) -> None:
    unit, target = getattr(world, unit_name), getattr(world, target_name)
    before = _paths(unit)
    with pytest.raises(ValidationError) as exc:
        org_unit_move(actor=world.coordinator, unit=unit, new_parent=target)
    assert "อยู่ภายใต้" in exc.value.message_dict["parent"][0]
    assert _paths(unit) == before


def test_an_inactive_new_parent_is_refused(world: Any) -> None:
    OrgUnit.objects.filter(pk=world.fund_b.pk).update(active=False)
    with pytest.raises(ValidationError) as exc:
        org_unit_move(actor=world.coordinator, unit=world.group_a1, new_parent=world.fund_b)
    assert "parent" in exc.value.message_dict


def test_a_path_longer_than_the_column_is_refused(world: Any) -> None:
    # A chain of networks 25 levels deep, and another of 5: together past 255 characters.
    deep = world.province
    for i in range(25):
        deep = org_unit_create(name=f"ลึก {i}", kind=OrgUnitKind.NETWORK, parent=deep)
    top = chain = org_unit_create(name="สาย 0", kind=OrgUnitKind.NETWORK, parent=world.province)
    for i in range(1, 5):
        chain = org_unit_create(name=f"สาย {i}", kind=OrgUnitKind.NETWORK, parent=chain)
    with pytest.raises(ValidationError) as exc:
        org_unit_move(actor=world.coordinator, unit=top, new_parent=deep)
    assert "ลึกเกิน" in exc.value.message_dict["parent"][0]
    assert _fresh(chain).path.startswith(top.path)


# ------------------------------------------------------------------ permissions


def test_manage_areas_is_needed_at_the_new_parent(world: Any) -> None:
    # chair_a manages fund A (so may take its group out) but holds nothing at fund B.
    with pytest.raises(PermissionDenied):
        org_unit_move(actor=world.chair_a, unit=world.group_a1, new_parent=world.fund_b)
    assert _fresh(world.group_a1).parent_id == world.fund_a.pk


def test_manage_areas_is_needed_at_the_old_parent(world: Any) -> None:
    # officer_b manages fund B (the destination) but holds nothing at fund A.
    with pytest.raises(PermissionDenied):
        org_unit_move(actor=world.officer_b, unit=world.group_a1, new_parent=world.fund_b)
    assert _fresh(world.group_a1).parent_id == world.fund_a.pk


def test_a_role_without_manage_areas_is_refused(world: Any) -> None:
    # A treasurer of the whole district may edit people but not move units.
    treasurer = _user_with_role("treasurer_d", world.district, Role.TREASURER)
    with pytest.raises(PermissionDenied):
        org_unit_move(actor=treasurer, unit=world.group_a1, new_parent=world.fund_b)
    with pytest.raises(PermissionDenied):
        org_unit_move(actor=None, unit=world.group_a1, new_parent=world.fund_b)


def test_manage_areas_at_both_ends_is_enough(world: Any) -> None:
    # A registrar (MANAGE_AREAS) at both funds, nothing above them.
    registrar = _user_with_role("registrar_ab", world.fund_a, Role.REGISTRAR)
    role_assign(user=registrar, org_unit=world.fund_b, role=Role.REGISTRAR, start_date=START)
    registrar = _fresh_user(registrar)
    org_unit_move(actor=registrar, unit=world.group_a2, new_parent=world.fund_b)
    group = _fresh(world.group_a2)
    assert group.parent_id == world.fund_b.pk
    assert group.path == world.fund_b.path + _seg(group)


def test_permission_is_checked_before_the_refusals(world: Any) -> None:
    """Someone without rights learns nothing about the tree from the kind of refusal."""
    with pytest.raises(PermissionDenied):
        org_unit_move(actor=world.officer_b, unit=world.fund_a, new_parent=world.group_a1)


# ------------------------------------------------------------------ all or nothing


def test_nothing_is_half_moved_when_a_later_statement_fails(
    world: Any, district_2: OrgUnit
) -> None:
    """The subtree UPDATE ran, then saving the parent failed: everything is rolled back."""
    units = (world.fund_a, world.group_a1, world.group_a2)
    before = _paths(*units)
    history_before = world.fund_a.history.count()
    seen_during: dict[int, tuple[str, int]] = {}

    def failing_save(self: OrgUnit, *args: Any, **kwargs: Any) -> None:
        # The one UPDATE has run by now: the subtree is (uncommitted) under district 2.
        seen_during.update(_paths(*units))
        raise RuntimeError("disk full")

    with (
        mock.patch.object(OrgUnit, "save", failing_save),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=district_2)

    assert seen_during[world.group_a1.pk][0].startswith(district_2.path)
    assert _paths(*units) == before
    assert _fresh(world.fund_a).parent_id == world.district.pk
    assert world.fund_a.history.count() == history_before
    assert not district_2.subtree().exclude(pk=district_2.pk).exists()


def test_nothing_is_half_moved_when_the_update_itself_fails(
    world: Any, district_2: OrgUnit
) -> None:
    """The UPDATE raises (after the lock was taken): no path, depth or parent changes."""
    units = (world.fund_a, world.group_a1, world.group_a2)
    before = _paths(*units)
    real_update = type(OrgUnit.objects.all()).update

    def update_then_fail(self: Any, **kwargs: Any) -> int:
        rows = real_update(self, **kwargs)
        if "path" in kwargs:
            raise RuntimeError("connection lost after the UPDATE")
        return rows

    with (
        mock.patch.object(type(OrgUnit.objects.all()), "update", update_then_fail),
        pytest.raises(RuntimeError),
    ):
        org_unit_move(actor=world.coordinator, unit=world.fund_a, new_parent=district_2)
    assert _paths(*units) == before
    assert _fresh(world.fund_a).parent_id == world.district.pk
