"""Writes to persons and households: checks in Thai naming the field, permissions, one
transaction per call, and the audit history each write leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chumchon.areas.models import Subdistrict
from chumchon.core.audit import FieldChange, history_entries
from chumchon.core.thai import national_id_check_digit
from chumchon.people.models import Household, HouseholdMember, Person, Relation
from chumchon.people.services import (
    household_create,
    household_member_add,
    household_member_remove,
    household_update,
    person_create,
    person_update,
)

ID_1 = "340010001234"
ID_2 = "340010002345"


def valid_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


def wrong_check_digit(first12: str) -> str:
    return first12 + str((national_id_check_digit(first12) + 1) % 10)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def is_thai(text: str) -> bool:
    return any("\u0e01" <= ch <= "\u0e5b" for ch in text)


@pytest.fixture
def household(world: Any) -> Household:
    return household_create(
        actor=world.chair_a,
        org_unit=world.group_a1,
        house_number="12/3",
        village=world.village_a1,
    )


# ------------------------------------------------------------------ person_create: checks


def test_person_is_created_with_a_national_id_typed_with_dashes_and_thai_digits(
    person_factory: Any,
) -> None:
    person = person_factory(national_id="๓-๔๐๐๑-๐๐๐๑๒-๓๔-๖")
    assert person.national_id == "3400100012346" == valid_id(ID_1)


def test_national_id_with_a_wrong_check_digit_is_refused_with_a_thai_message_on_the_field(
    person_factory: Any,
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(national_id=wrong_check_digit(ID_1))
    errors = errors_of(excinfo)
    assert list(errors) == ["national_id"]
    assert "เลขตรวจสอบหลักสุดท้ายไม่ตรง" in errors["national_id"][0]
    assert Person.objects.count() == 0


def test_national_id_of_twelve_digits_is_refused_saying_how_many_were_typed(
    person_factory: Any,
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(national_id=ID_1)
    assert errors_of(excinfo) == {"national_id": ["เลขประจำตัวประชาชนต้องมี 13 หลัก (กรอกมา 12 หลัก)"]}


def test_every_refusal_of_one_call_is_reported_at_once_each_under_its_field(
    person_factory: Any, world: Any
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(
            first_name="  ",
            national_id=wrong_check_digit(ID_1),
            postcode="4000",
            birth_date=dt.date(1990, 1, 1),
            death_date=dt.date(1980, 1, 1),
        )
    errors = errors_of(excinfo)
    assert set(errors) == {"first_name", "national_id", "postcode", "death_date"}
    assert all(is_thai(m) for messages in errors.values() for m in messages)
    assert errors["first_name"] == ["กรุณากรอกชื่อ"]


def test_duplicate_national_id_is_refused_even_typed_differently(person_factory: Any) -> None:
    person_factory(national_id=valid_id(ID_1))
    with pytest.raises(ValidationError) as excinfo:
        person_factory(first_name="สมหญิง", national_id="3 4001 00012 34 6")
    assert errors_of(excinfo) == {
        "national_id": ["เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว บุคคลสองคนใช้เลขเดียวกันไม่ได้"]
    }
    assert Person.objects.count() == 1


def test_duplicate_national_id_is_refused_across_tambons(person_factory: Any, world: Any) -> None:
    person_factory(national_id=valid_id(ID_1))
    with pytest.raises(ValidationError) as excinfo:
        person_factory(actor=world.officer_b, org_unit=world.group_b1, national_id=valid_id(ID_1))
    assert list(errors_of(excinfo)) == ["national_id"]


def test_two_persons_can_never_share_a_national_id_even_written_straight_to_the_database(
    world: Any,
) -> None:
    nid = valid_id(ID_1)
    Person.objects.create(org_unit=world.group_a1, title="นาย", first_name="หนึ่ง", national_id=nid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(org_unit=world.fund_b, title="นาย", first_name="สอง", national_id=nid)
    assert Person.objects.filter(national_id=nid).count() == 1


def test_many_persons_without_a_national_id_are_fine(person_factory: Any) -> None:
    first = person_factory(national_id="")
    second = person_factory(first_name="สมหญิง")
    assert first.national_id is None
    assert second.national_id is None


def test_birth_known_only_by_its_year_is_accepted(person_factory: Any) -> None:
    person = person_factory(birth_year=1947)
    person.refresh_from_db()
    assert (person.birth_date, person.birth_year) == (None, 1947)
    assert person.age_on(dt.date(2026, 6, 1)) == 79


def test_full_birth_date_sets_the_birth_year(person_factory: Any) -> None:
    person = person_factory(birth_date=dt.date(1967, 3, 15), birth_year=1900)
    person.refresh_from_db()
    assert (person.birth_date, person.birth_year) == (dt.date(1967, 3, 15), 1967)


def test_birth_year_outside_possible_years_is_refused(person_factory: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(birth_year=1700)
    assert errors_of(excinfo) == {"birth_date": ["ปีเกิดไม่อยู่ในช่วงที่เป็นไปได้"]}


def test_birth_date_in_the_future_is_refused(person_factory: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        person_factory(birth_date=tomorrow)
    assert list(errors_of(excinfo)) == ["birth_date"]
    assert errors_of(excinfo)["birth_date"][0].startswith("วันเกิดอยู่ในอนาคต")


def test_death_before_birth_is_refused(person_factory: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(birth_date=dt.date(1990, 5, 1), death_date=dt.date(1990, 4, 30))
    assert errors_of(excinfo) == {"death_date": ["วันที่เสียชีวิตต้องไม่ก่อนวันเกิด"]}
    assert Person.objects.count() == 0


def test_death_before_a_birth_year_is_refused(person_factory: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(birth_year=1990, death_date=dt.date(1989, 12, 31))
    assert errors_of(excinfo) == {"death_date": ["วันที่เสียชีวิตต้องไม่ก่อนวันเกิด"]}


def test_death_on_the_day_of_birth_is_accepted(person_factory: Any) -> None:
    day = dt.date(2020, 2, 29)
    person = person_factory(birth_date=day, death_date=day)
    assert person.is_dead


def test_death_in_the_future_is_refused(person_factory: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(death_date=timezone.localdate() + dt.timedelta(days=1))
    assert errors_of(excinfo) == {"death_date": ["วันที่เสียชีวิตอยู่ในอนาคต"]}


def test_village_of_another_subdistrict_is_refused(person_factory: Any, world: Any) -> None:
    sub_a = Subdistrict.objects.get(code="400101")
    with pytest.raises(ValidationError) as excinfo:
        person_factory(village=world.village_b1, subdistrict=sub_a)
    errors = errors_of(excinfo)
    assert list(errors) == ["village"]
    assert errors["village"][0] == f"{world.village_b1} ไม่ได้อยู่ใน{sub_a}"


def test_village_alone_fills_in_its_subdistrict_and_its_only_postcode(
    person_factory: Any, world: Any
) -> None:
    person = person_factory(village=world.village_a1)
    assert person.subdistrict_id == "400101"
    assert person.postcode == "40000"


def test_title_other_must_be_written_out(person_factory: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        person_factory(title="อื่น ๆ")
    assert list(errors_of(excinfo)) == ["title_other"]
    person = person_factory(title="อื่น ๆ", title_other="ว่าที่ร.ต.")
    assert person.full_name == "ว่าที่ร.ต. สมชาย ใจดี"


def test_names_are_saved_without_stray_spaces(person_factory: Any) -> None:
    person = person_factory(first_name="  สม   ชาย ", last_name=" ใจดี  ")
    assert (person.first_name, person.last_name) == ("สม ชาย", "ใจดี")


# ------------------------------------------------------------------ permissions


def test_viewer_cannot_create_a_person_even_in_their_own_group(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        person_create(actor=world.viewer_a, org_unit=world.group_a1, title="นาย", first_name="ก")
    assert Person.objects.count() == 0


@pytest.mark.parametrize("unit", ["fund_a", "group_a1", "group_a2"])
def test_officer_of_another_tambon_cannot_create_a_person_in_fund_a(world: Any, unit: str) -> None:
    with pytest.raises(PermissionDenied):
        person_create(
            actor=world.officer_b, org_unit=getattr(world, unit), title="นาย", first_name="ก"
        )
    assert Person.objects.count() == 0


@pytest.mark.parametrize("persona", ["coordinator", "expired"])
def test_coordinator_and_former_chair_cannot_create_a_person(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        person_create(
            actor=getattr(world, persona), org_unit=world.group_a1, title="นาย", first_name="ก"
        )


def test_registrar_of_fund_a_creates_people_in_its_village_groups(world: Any) -> None:
    person = person_create(
        actor=world.registrar_a, org_unit=world.group_a2, title="นาง", first_name="มะลิ"
    )
    assert person.org_unit == world.group_a2


def test_officer_of_another_tambon_cannot_update_a_fund_a_person(
    person_factory: Any, world: Any
) -> None:
    person = person_factory()
    with pytest.raises(PermissionDenied):
        person_update(actor=world.officer_b, person=person, first_name="ถูกแก้")
    person.refresh_from_db()
    assert person.first_name == "สมชาย"


def test_officer_cannot_add_a_fund_a_person_to_a_fund_b_household(
    person_factory: Any, world: Any
) -> None:
    person = person_factory()
    household_b = household_create(actor=world.officer_b, org_unit=world.group_b1, house_number="1")
    with pytest.raises(PermissionDenied):
        household_member_add(
            actor=world.officer_b, household=household_b, person=person, relation=Relation.HEAD
        )
    assert HouseholdMember.objects.count() == 0


def test_officer_cannot_create_a_household_in_fund_a(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        household_create(actor=world.officer_b, org_unit=world.group_a1, house_number="1")
    assert Household.objects.count() == 0


def test_viewer_cannot_remove_a_household_member(
    person_factory: Any, world: Any, household: Household
) -> None:
    person_factory(household=household, relation=Relation.HEAD)
    member = household.members.get()
    with pytest.raises(PermissionDenied):
        household_member_remove(actor=world.viewer_a, member=member)
    assert household.members.count() == 1


# ------------------------------------------------------------------ person_update


def test_update_keeps_the_persons_own_national_id(person_factory: Any, world: Any) -> None:
    person = person_factory(national_id=valid_id(ID_1))
    person_update(actor=world.chair_a, person=person, phone="0812345678")
    person.refresh_from_db()
    assert (person.national_id, person.phone) == (valid_id(ID_1), "0812345678")


def test_update_to_another_persons_national_id_is_refused(person_factory: Any, world: Any) -> None:
    person_factory(national_id=valid_id(ID_1))
    other = person_factory(first_name="สมหญิง", national_id=valid_id(ID_2))
    with pytest.raises(ValidationError) as excinfo:
        person_update(actor=world.chair_a, person=other, national_id=valid_id(ID_1))
    assert list(errors_of(excinfo)) == ["national_id"]
    other.refresh_from_db()
    assert other.national_id == valid_id(ID_2)


def test_update_can_clear_a_birth_date_to_a_year_only(person_factory: Any, world: Any) -> None:
    person = person_factory(birth_date=dt.date(1967, 3, 15))
    person_update(actor=world.chair_a, person=person, birth_date=None, birth_year=1966)
    person.refresh_from_db()
    assert (person.birth_date, person.birth_year) == (None, 1966)


def test_update_refusing_death_before_birth_changes_nothing(
    person_factory: Any, world: Any
) -> None:
    person = person_factory(birth_date=dt.date(1967, 3, 15))
    with pytest.raises(ValidationError) as excinfo:
        person_update(
            actor=world.chair_a, person=person, first_name="สมชัย", death_date=dt.date(1960, 1, 1)
        )
    assert list(errors_of(excinfo)) == ["death_date"]
    person.refresh_from_db()
    assert (person.first_name, person.death_date) == ("สมชาย", None)


# ------------------------------------------------------------------ households


def test_household_needs_a_house_number(world: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="  ")
    assert errors_of(excinfo) == {"house_number": ["กรุณากรอกบ้านเลขที่"]}


def test_household_registration_number_must_have_eleven_digits(world: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.chair_a,
            org_unit=world.group_a1,
            house_number="1",
            house_registration_no="4001-990012",
        )
    assert errors_of(excinfo) == {
        "house_registration_no": ["เลขประจำบ้านต้องเป็นตัวเลข 11 หลัก (กรอกมา 10 หลัก)"]
    }


def test_duplicate_household_registration_number_is_refused(world: Any) -> None:
    household_create(
        actor=world.chair_a,
        org_unit=world.group_a1,
        house_number="1",
        house_registration_no="4001-9900-123",
    )
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.officer_b,
            org_unit=world.group_b1,
            house_number="2",
            house_registration_no="40019900123",
        )
    assert errors_of(excinfo) == {"house_registration_no": ["เลขประจำบ้านนี้มีอยู่ในระบบแล้ว"]}
    assert Household.objects.count() == 1


def test_household_village_of_another_subdistrict_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.chair_a,
            org_unit=world.group_a1,
            house_number="1",
            village=world.village_b1,
            subdistrict=Subdistrict.objects.get(code="400101"),
        )
    assert list(errors_of(excinfo)) == ["village"]


def test_household_update_changes_the_address_and_records_who(
    world: Any, household: Household
) -> None:
    household_update(
        actor=world.registrar_a,
        household=household,
        house_number="12/4",
        village=world.village_a2,
    )
    household.refresh_from_db()
    assert (household.house_number, household.village) == ("12/4", world.village_a2)
    newest = history_entries(household)[0]
    assert (newest.kind, newest.who) == ("แก้ไข", "มาลี ศรีสุข")
    assert FieldChange("บ้านเลขที่", "12/3", "12/4") in newest.changes


def test_officer_of_another_tambon_cannot_update_a_fund_a_household(
    world: Any, household: Household
) -> None:
    with pytest.raises(PermissionDenied):
        household_update(actor=world.officer_b, household=household, house_number="9")
    household.refresh_from_db()
    assert household.house_number == "12/3"


def test_second_household_head_is_refused(
    person_factory: Any, world: Any, household: Household
) -> None:
    person_factory(household=household, relation=Relation.HEAD)
    other = person_factory(first_name="สมหญิง")
    with pytest.raises(ValidationError) as excinfo:
        household_member_add(
            actor=world.chair_a, household=household, person=other, relation=Relation.HEAD
        )
    assert errors_of(excinfo) == {"relation": ["ครัวเรือนนี้มีหัวหน้าครัวเรือนแล้ว"]}
    assert household.members.count() == 1


def test_the_database_itself_refuses_a_second_household_head(
    person_factory: Any, household: Household
) -> None:
    person_factory(household=household, relation=Relation.HEAD)
    other = person_factory(first_name="สมหญิง")
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMember.objects.create(household=household, person=other, relation=Relation.HEAD)


def test_person_in_one_household_cannot_be_added_to_another(
    person_factory: Any, world: Any, household: Household
) -> None:
    person = person_factory(household=household, relation=Relation.HEAD)
    second = household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="99")
    with pytest.raises(ValidationError) as excinfo:
        household_member_add(
            actor=world.chair_a, household=second, person=person, relation=Relation.CHILD
        )
    errors = errors_of(excinfo)
    assert list(errors) == ["person"]
    assert "เป็นสมาชิกของ" in errors["person"][0]
    assert second.members.count() == 0


def test_unknown_relation_is_refused(person_factory: Any, world: Any, household: Household) -> None:
    person = person_factory()
    with pytest.raises(ValidationError) as excinfo:
        household_member_add(
            actor=world.chair_a, household=household, person=person, relation="boss"
        )
    assert errors_of(excinfo) == {"relation": ["กรุณาเลือกความสัมพันธ์กับครัวเรือน"]}


def test_removed_member_may_join_another_household(
    person_factory: Any, world: Any, household: Household
) -> None:
    person = person_factory(household=household, relation=Relation.HEAD)
    household_member_remove(actor=world.chair_a, member=person.household_membership)
    second = household_create(actor=world.chair_a, org_unit=world.group_a2, house_number="7")
    member = household_member_add(
        actor=world.chair_a, household=second, person=person, relation=Relation.HEAD
    )
    assert list(HouseholdMember.objects.filter(person=person)) == [member]


def test_person_create_into_a_household_adds_the_membership(
    person_factory: Any, household: Household
) -> None:
    person = person_factory(household=household, relation=Relation.HEAD)
    assert person.household_membership.household == household
    assert person.household_membership.relation == Relation.HEAD


# ------------------------------------------------------------------ nothing half-saved


def test_failed_membership_inside_person_create_leaves_no_person_behind(
    person_factory: Any, world: Any, household: Household
) -> None:
    person_factory(household=household, relation=Relation.HEAD)
    persons, history_rows = Person.objects.count(), Person.history.count()
    with pytest.raises(ValidationError) as excinfo:
        person_create(
            actor=world.chair_a,
            org_unit=world.group_a1,
            household=household,
            relation=Relation.HEAD,
            title="นาง",
            first_name="สมร",
            national_id=valid_id(ID_2),
        )
    assert errors_of(excinfo) == {"relation": ["ครัวเรือนนี้มีหัวหน้าครัวเรือนแล้ว"]}
    assert Person.objects.count() == persons
    assert Person.history.count() == history_rows
    assert not Person.objects.filter(first_name="สมร").exists()
    assert household.members.count() == 1
    # The ID is free again: nothing of the refused person is left holding it.
    assert person_factory(first_name="สมร", national_id=valid_id(ID_2)).pk


def test_membership_in_a_household_the_actor_may_not_edit_leaves_no_person_behind(
    world: Any,
) -> None:
    household_b = household_create(actor=world.officer_b, org_unit=world.group_b1, house_number="1")
    with pytest.raises(PermissionDenied):
        person_create(
            actor=world.chair_a,
            org_unit=world.group_a1,
            household=household_b,
            relation=Relation.HEAD,
            title="นาย",
            first_name="ข้ามเขต",
        )
    assert Person.objects.count() == 0


# ------------------------------------------------------------------ audit history


def test_history_lists_the_update_then_the_creation_with_who_what_and_why(
    person_factory: Any, world: Any
) -> None:
    person = person_factory(actor=world.chair_a, first_name="สมชาย", birth_year=1960)
    person_update(
        actor=world.registrar_a,
        person=person,
        reason="แก้ชื่อตามบัตรประชาชน",
        first_name="สมชัย",
    )
    entries = history_entries(person)
    assert [(e.kind, e.who) for e in entries] == [
        ("แก้ไข", "มาลี ศรีสุข"),
        ("สร้าง", "สมศักดิ์ ใจดี"),
    ]
    assert entries[0].when >= entries[1].when
    assert entries[0].reason == "แก้ชื่อตามบัตรประชาชน"
    assert entries[1].reason == ""
    assert entries[0].changes == [FieldChange("ชื่อ", "สมชาย", "สมชัย")]
    assert FieldChange("ชื่อ", "—", "สมชาย") in entries[1].changes


def test_history_shows_dates_in_the_buddhist_era_and_choices_by_their_thai_label(
    person_factory: Any, world: Any
) -> None:
    person = person_factory(sex="U")
    person_update(actor=world.chair_a, person=person, sex="F", death_date=dt.date(2024, 11, 22))
    changes = history_entries(person)[0].changes
    assert FieldChange("เพศ", "ไม่ระบุ", "หญิง") in changes
    assert FieldChange("วันที่เสียชีวิต", "—", "22 พ.ย. 2567") in changes


def test_history_masks_the_national_id_when_asked(person_factory: Any, world: Any) -> None:
    person = person_factory(national_id=valid_id(ID_1))
    person_update(actor=world.chair_a, person=person, national_id=valid_id(ID_2))
    change = next(
        c
        for c in history_entries(person, mask={"national_id"})[0].changes
        if c.label == "เลขประจำตัวประชาชน"
    )
    assert (change.old, change.new) == ("•••", "•••")
    unmasked = history_entries(person)[0].changes
    assert FieldChange("เลขประจำตัวประชาชน", valid_id(ID_1), valid_id(ID_2)) in unmasked


def test_household_membership_history_records_the_removal(
    person_factory: Any, world: Any, household: Household
) -> None:
    person = person_factory(household=household, relation=Relation.HEAD)
    member = person.household_membership
    member_pk = member.pk
    household_member_remove(actor=world.registrar_a, member=member)
    assert not HouseholdMember.objects.filter(pk=member_pk).exists()
    records = HouseholdMember.history.filter(id=member_pk).order_by("-history_date", "-history_id")
    assert [(r.history_type, r.history_user) for r in records] == [
        ("-", world.registrar_a),
        ("+", world.chair_a),
    ]
