"""Areas loaded from geothai, the org-unit tree, villages, and how far a role reaches."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geothai
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from chumchon.areas.models import (
    AreaDataImport,
    District,
    OrgUnit,
    OrgUnitKind,
    Province,
    Subdistrict,
    Village,
)
from chumchon.areas.selectors import (
    active_roles,
    scope_q,
    subdistricts_visible_to,
    units_visible_to,
    user_can,
    user_home_units,
    villages_visible_to,
)
from chumchon.areas.services import org_unit_create, role_assign, village_create
from chumchon.core.permissions import Perm, Role
from chumchon.people.models import Person

# ------------------------------------------------------------------ geothai data


@pytest.mark.django_db
def test_migration_loads_the_77_active_provinces() -> None:
    assert Province.objects.filter(active=True).count() == 77
    assert str(Province.objects.get(code="40")) == "จังหวัดขอนแก่น"
    assert str(Province.objects.get(code="10")) == "กรุงเทพมหานคร"


@pytest.mark.django_db
def test_migration_loads_the_928_active_districts() -> None:
    assert District.objects.filter(active=True).count() == 928
    assert str(District.objects.get(code="4001")) == "อำเภอเมืองขอนแก่น"


@pytest.mark.django_db
def test_migration_loads_the_7436_active_subdistricts_with_postcodes() -> None:
    assert Subdistrict.objects.filter(active=True).count() == 7436
    sub = Subdistrict.objects.select_related("district__province").get(code="400101")
    assert sub.full_name() == "ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น"
    assert sub.postal_code_list == ["40000"]
    assert str(Subdistrict.objects.get(code="100101")).startswith("แขวง")


@pytest.mark.django_db
def test_abolished_subdistrict_is_kept_inactive_with_its_abolition_date() -> None:
    sub = Subdistrict.objects.get(code="400198")
    assert (sub.name_th, sub.district_id) == ("บ้านโต้น", "4001")
    assert sub.active is False
    assert sub.abolished_on == dt.date(2006, 1, 1)
    assert Subdistrict.objects.filter(active=False, abolished_on__isnull=True).count() == 0


@pytest.mark.django_db
def test_abolished_subdistricts_are_not_offered_for_new_records(world: Any) -> None:
    assert not subdistricts_visible_to(world.admin).filter(code="400198").exists()


@pytest.mark.django_db
def test_area_import_records_the_geothai_data_version_and_counts() -> None:
    record = AreaDataImport.objects.get()
    assert record.source == "geothai"
    assert record.data_version == geothai.DATA_VERSION
    assert (record.provinces, record.districts, record.subdistricts) == (77, 928, 7436)
    inactive = (
        Province.objects.filter(active=False).count()
        + District.objects.filter(active=False).count()
        + Subdistrict.objects.filter(active=False).count()
    )
    assert record.inactive == inactive > 0


# ------------------------------------------------------------------ the org-unit tree


def test_subtree_is_exactly_the_unit_and_its_descendants(world: Any) -> None:
    assert set(world.fund_a.subtree()) == {world.fund_a, world.group_a1, world.group_a2}
    assert set(world.group_a1.subtree()) == {world.group_a1}
    assert set(world.district.subtree()) == {
        world.district,
        world.fund_a,
        world.fund_b,
        world.group_a1,
        world.group_a2,
        world.group_b1,
    }


def test_ancestors_run_from_the_root_down_to_the_parent(world: Any) -> None:
    assert list(world.group_a1.ancestors()) == [world.province, world.district, world.fund_a]
    assert list(world.province.ancestors()) == []


def test_paths_are_the_parent_path_plus_a_fixed_width_segment(world: Any) -> None:
    fund_a = OrgUnit.objects.get(pk=world.fund_a.pk)
    assert fund_a.path == f"{world.district.path}{fund_a.pk:08d}/"
    assert fund_a.depth == 2
    assert world.fund_a.is_ancestor_or_self_of(world.group_a1)
    assert not world.fund_a.is_ancestor_or_self_of(world.group_b1)
    assert not world.group_a1.is_ancestor_or_self_of(world.fund_a)


def descendants_by_parent_links(unit: OrgUnit) -> set[OrgUnit]:
    everything = list(OrgUnit.objects.all())
    found = {unit}
    grew = True
    while grew:
        below = {u for u in everything if u.parent_id in {f.pk for f in found}}
        grew = not below <= found
        found |= below
    return found


def test_subtree_of_every_unit_matches_its_parent_links_whatever_the_ids(world: Any) -> None:
    """Unit 1 must not reach unit 10 or 12: segments are fixed width and end with a slash."""
    for i in range(12):
        root = org_unit_create(name=f"เครือข่ายทดสอบ {i}", kind=OrgUnitKind.PROVINCE_NETWORK)
        if i % 3 == 0:
            org_unit_create(name=f"อำเภอทดสอบ {i}", kind=OrgUnitKind.DISTRICT, parent=root)
    for unit in OrgUnit.objects.all():
        assert set(unit.subtree()) == descendants_by_parent_links(unit), unit.name


def test_fund_under_a_village_group_is_refused_with_a_thai_message(world: Any) -> None:
    before = OrgUnit.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        org_unit_create(name="กองทุนซ้อน", kind=OrgUnitKind.FUND, parent=world.group_a1)
    assert excinfo.value.message_dict == {
        "kind": ["หน่วยประเภท “กองทุนสวัสดิการชุมชน (ระดับตำบล)” อยู่ภายใต้ “กลุ่มระดับหมู่บ้าน” ไม่ได้"]
    }
    assert OrgUnit.objects.count() == before


def test_village_group_under_a_fund_is_allowed_and_inherits_the_funds_area(world: Any) -> None:
    group = org_unit_create(name="กลุ่มใหม่", kind=OrgUnitKind.VILLAGE_GROUP, parent=world.fund_a)
    assert group.parent == world.fund_a
    assert group.subdistrict_id == "400101"
    assert group.district_id == "4001"
    assert group.province_id == "40"


def test_org_unit_needs_a_name(world: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        org_unit_create(name="  ", kind=OrgUnitKind.VILLAGE_GROUP, parent=world.fund_a)
    assert excinfo.value.message_dict == {"name": ["กรุณากรอกชื่อหน่วย"]}


# ------------------------------------------------------------------ villages


def test_village_create_refuses_a_duplicate_number_with_a_thai_message(world: Any) -> None:
    sub_a = Subdistrict.objects.get(code="400101")
    with pytest.raises(ValidationError) as excinfo:
        village_create(subdistrict=sub_a, number=1, name="โนนทันใหม่")
    assert excinfo.value.message_dict == {"number": ["ตำบลในเมือง มีหมู่ที่ 1 อยู่แล้ว"]}
    assert Village.objects.filter(subdistrict=sub_a, number=1).count() == 1


def test_same_village_number_in_another_subdistrict_is_fine(world: Any) -> None:
    assert world.village_a1.number == world.village_b1.number == 1


@pytest.mark.parametrize("number", [0, 100])
def test_village_number_outside_1_to_99_is_refused(world: Any, number: int) -> None:
    sub_a = Subdistrict.objects.get(code="400101")
    with pytest.raises(ValidationError) as excinfo:
        village_create(subdistrict=sub_a, number=number, name="นอกช่วง")
    assert excinfo.value.message_dict == {"number": ["หมู่ที่ต้องอยู่ระหว่าง 1 ถึง 99"]}


def test_village_names_read_as_thai_addresses(world: Any) -> None:
    sub_a = Subdistrict.objects.get(code="400101")
    assert str(world.village_a1) == "หมู่ที่ 1 บ้านโนนทัน"
    assert str(village_create(subdistrict=sub_a, number=3, name="บ้านดอนบม")) == ("หมู่ที่ 3 บ้านดอนบม")


# ------------------------------------------------------------------ how far a role reaches


def fresh(user: Any) -> Any:
    """The user as a new request would load it (scope is cached on the user object)."""
    return get_user_model().objects.get(pk=user.pk)


def test_role_covers_its_unit_and_descendants_never_siblings_or_parents(world: Any) -> None:
    assert set(units_visible_to(world.chair_a)) == {world.fund_a, world.group_a1, world.group_a2}
    assert set(units_visible_to(world.viewer_a)) == {world.group_a1}
    assert set(units_visible_to(world.officer_b)) == {world.fund_b, world.group_b1}
    assert set(units_visible_to(world.coordinator)) == set(OrgUnit.objects.all())


def test_role_at_a_village_group_does_not_reach_the_fund_above_or_the_group_beside(
    world: Any,
) -> None:
    viewer = world.viewer_a
    assert user_can(viewer, Perm.VIEW_PEOPLE, world.group_a1)
    assert not user_can(viewer, Perm.VIEW_PEOPLE, world.group_a2)
    assert not user_can(viewer, Perm.VIEW_PEOPLE, world.fund_a)
    assert not user_can(viewer, Perm.VIEW_PEOPLE, world.province)


def test_role_allows_only_its_own_actions(world: Any) -> None:
    assert not user_can(world.viewer_a, Perm.EDIT_PEOPLE, world.group_a1)
    assert not user_can(world.viewer_a, Perm.VIEW_FULL_ID, world.group_a1)
    assert user_can(world.chair_a, Perm.VIEW_FULL_ID, world.group_a1)
    assert user_can(world.coordinator, Perm.MANAGE_AREAS, world.fund_b)
    assert not user_can(world.coordinator, Perm.EDIT_PEOPLE, world.fund_b)


def test_scope_filter_keeps_only_people_of_covered_units(world: Any, person_factory: Any) -> None:
    in_a1 = person_factory(first_name="หนึ่ง")
    in_a2 = person_factory(first_name="สอง", org_unit=world.group_a2)
    in_b1 = person_factory(first_name="สาม", actor=world.officer_b, org_unit=world.group_b1)
    assert set(Person.objects.filter(scope_q(world.viewer_a))) == {in_a1}
    assert set(Person.objects.filter(scope_q(world.chair_a))) == {in_a1, in_a2}
    assert set(Person.objects.filter(scope_q(world.officer_b))) == {in_b1}
    assert set(Person.objects.filter(scope_q(world.admin))) == {in_a1, in_a2, in_b1}


def test_ended_term_sees_nothing(world: Any, person_factory: Any) -> None:
    person_factory()
    expired = world.expired
    assert list(active_roles(expired)) == []
    assert list(units_visible_to(expired)) == []
    assert user_home_units(expired) == []
    assert not user_can(expired, Perm.VIEW_PEOPLE, world.fund_a)
    assert not Person.objects.filter(scope_q(expired)).exists()
    assert not villages_visible_to(expired).exists()


def test_future_term_sees_nothing_yet(world: Any, person_factory: Any) -> None:
    person_factory()
    today = timezone.localdate()
    newcomer = get_user_model().objects.create_user("newcomer", password="x-pass-1234")
    role_assign(
        user=newcomer,
        org_unit=world.fund_a,
        role=Role.CHAIR,
        start_date=today + dt.timedelta(days=1),
    )
    assert list(units_visible_to(newcomer)) == []
    assert not Person.objects.filter(scope_q(newcomer)).exists()
    assert active_roles(newcomer, on=today + dt.timedelta(days=1)).count() == 1


def test_term_counts_its_first_and_its_last_day(world: Any) -> None:
    today = timezone.localdate()
    user = get_user_model().objects.create_user("oneday", password="x-pass-1234")
    role_assign(
        user=user, org_unit=world.fund_b, role=Role.VIEWER, start_date=today, end_date=today
    )
    assert set(units_visible_to(user)) == {world.fund_b, world.group_b1}
    assert not active_roles(user, on=today + dt.timedelta(days=1)).exists()
    assert not active_roles(user, on=today - dt.timedelta(days=1)).exists()


def test_role_at_a_deactivated_unit_sees_nothing(world: Any) -> None:
    OrgUnit.objects.filter(pk=world.group_a1.pk).update(active=False)
    assert list(units_visible_to(fresh(world.viewer_a))) == []


def test_term_may_not_end_before_it_starts(world: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        role_assign(
            user=world.viewer_a,
            org_unit=world.group_a2,
            role=Role.VIEWER,
            start_date=dt.date(2024, 1, 2),
            end_date=dt.date(2024, 1, 1),
        )
    assert excinfo.value.message_dict == {"end_date": ["วันสิ้นสุดวาระต้องไม่ก่อนวันเริ่มวาระ"]}


def test_second_role_widens_the_scope_for_the_next_request(world: Any) -> None:
    role_assign(
        user=world.viewer_a,
        org_unit=world.group_a2,
        role=Role.VIEWER,
        start_date=dt.date(2024, 1, 1),
    )
    assert set(units_visible_to(fresh(world.viewer_a))) == {world.group_a1, world.group_a2}


def test_home_units_are_where_the_user_holds_a_role_today(world: Any) -> None:
    assert user_home_units(world.chair_a) == [world.fund_a]
    assert user_home_units(world.viewer_a) == [world.group_a1]
    assert user_home_units(world.coordinator) == [world.province]


def test_villages_visible_are_those_of_the_users_subdistricts(world: Any) -> None:
    assert set(villages_visible_to(world.chair_a)) == {world.village_a1, world.village_a2}
    assert set(villages_visible_to(world.officer_b)) == {world.village_b1}
    assert set(villages_visible_to(world.coordinator)) == {
        world.village_a1,
        world.village_a2,
        world.village_b1,
    }
