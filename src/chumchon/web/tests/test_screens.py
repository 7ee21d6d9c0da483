"""The screens as a fund's registrar uses them: Thai first, Buddhist Era dates, Thai digits,
duplicate warnings, households, masked ID numbers, history, and the English switch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from chumchon.core.audit import FieldChange
from chumchon.core.thai import (
    format_national_id,
    mask_national_id,
    national_id_check_digit,
    to_thai_digits,
)
from chumchon.people.models import Household, Person, Relation
from chumchon.people.services import household_create


def valid_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


NID = valid_id("340010001234")  # 3400100012346
OTHER_NID = valid_id("340010002345")


def body(response: Any) -> str:
    return response.content.decode()


def person_form(world: Any, **extra: Any) -> dict[str, Any]:
    """The new-person form as a registrar fills it in."""
    return {
        "org_unit": world.group_a1.pk,
        "title": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "sex": "M",
        "birth": "15/03/2510",
        "national_id": "",
        "other_id_kind": "",
        "other_id_number": "",
        "phone": "",
        "house_number": "12",
        "village": world.village_a1.pk,
        "street": "",
        "postcode": "",
        "death_date": "",
        "note": "",
        **extra,
    }


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


# ------------------------------------------------------------------ login and home


def test_login_page_is_in_thai(client: Any, world: Any) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    text = body(response)
    assert '<html lang="th">' in text
    assert "เข้าสู่ระบบ" in text
    assert "ชื่อผู้ใช้" in text
    assert "รหัสผ่าน" in text


def test_wrong_password_is_refused_with_a_thai_message(client: Any, world: Any) -> None:
    response = client.post(reverse("login"), {"username": "chair_a", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง กรุณาลองใหม่" in body(response)
    assert "_auth_user_id" not in client.session


def test_right_password_leads_home(client: Any, world: Any) -> None:
    response = client.post(reverse("login"), {"username": "chair_a", "password": "pass-1234-word"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "สวัสดี สมศักดิ์ ใจดี" in body(client.get(reverse("home")))


def test_home_lists_the_users_units_with_real_counts(
    chair: Any, world: Any, person_factory: Any
) -> None:
    household = household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="1")
    person_factory(household=household, relation=Relation.HEAD)
    person_factory(first_name="สมหญิง", org_unit=world.group_a2)
    person_factory(first_name="ผู้ล่วงลับ", death_date=dt.date(2024, 5, 1))
    person_factory(first_name="คนตำบลอื่น", actor=world.officer_b, org_unit=world.group_b1)
    response = chair.get(reverse("home"))
    assert [(u, c) for u, c in response.context["units"]] == [
        (world.fund_a, {"persons": 2, "households": 1, "units": 2, "villages": 2})
    ]
    text = body(response)
    assert world.fund_a.name in text
    assert world.fund_b.name not in text
    for figure in ("<b>2</b> คน", "<b>1</b> ครัวเรือน", "<b>2</b> หมู่บ้าน", "<b>2</b> หน่วยย่อย"):
        assert figure in text


def test_home_of_a_former_chair_says_the_term_has_ended(client: Any, world: Any) -> None:
    client.force_login(world.expired)
    response = client.get(reverse("home"))
    assert response.context["units"] == []
    assert "วาระสิ้นสุดแล้ว" in body(response)


# ------------------------------------------------------------------ creating a person


def test_new_person_with_a_buddhist_era_birth_date_is_stored_in_the_common_era(
    chair: Any, world: Any
) -> None:
    response = chair.post(reverse("person_create"), person_form(world, national_id=NID))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert (person.birth_date, person.birth_year) == (dt.date(1967, 3, 15), 1967)
    assert (person.national_id, person.org_unit) == (NID, world.group_a1)
    assert (person.subdistrict_id, person.postcode) == ("400101", "40000")
    page = body(chair.get(response["Location"]))
    assert "บันทึก นายสมชาย ใจดี แล้ว" in page
    assert "15 มีนาคม พ.ศ. 2510" in page


def test_new_person_typed_with_thai_digits_is_stored_with_arabic_digits(
    chair: Any, world: Any
) -> None:
    response = chair.post(
        reverse("person_create"),
        person_form(
            world,
            birth="๑๕/๐๓/๒๕๑๐",
            national_id=to_thai_digits(format_national_id(NID)),
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.birth_date, person.national_id) == (dt.date(1967, 3, 15), NID)


def test_birth_year_alone_is_accepted(chair: Any, world: Any) -> None:
    assert chair.post(reverse("person_create"), person_form(world, birth="2490")).status_code == 302
    person = Person.objects.get()
    assert (person.birth_date, person.birth_year) == (None, 1947)


def test_common_era_birth_year_is_refused_with_a_thai_message_naming_the_field(
    chair: Any, world: Any
) -> None:
    response = chair.post(reverse("person_create"), person_form(world, birth="15/03/1967"))
    assert response.status_code == 200
    assert "ดูเหมือนเป็นปี ค.ศ." in body(response)
    assert "วันเกิด (วว/ดด/ปปปป พ.ศ. หรือปี พ.ศ. อย่างเดียว): ปี 1967" in body(response)
    assert Person.objects.count() == 0


def test_invalid_national_id_shows_a_thai_message_naming_the_field_and_saves_nothing(
    chair: Any, world: Any
) -> None:
    wrong = NID[:12] + str((int(NID[12]) + 1) % 10)
    response = chair.post(reverse("person_create"), person_form(world, national_id=wrong))
    assert response.status_code == 200
    text = body(response)
    assert 'class="field has-error" id="field-national_id"' in text
    assert (
        "เลขประจำตัวประชาชน 13 หลัก: เลขประจำตัวประชาชนไม่ถูกต้อง "
        "(เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง"
    ) in text
    assert Person.objects.count() == 0


def test_same_name_and_birth_warns_with_a_link_and_saves_on_the_confirmed_second_submit(
    chair: Any, world: Any, person_factory: Any
) -> None:
    existing = person_factory(birth_date=dt.date(1967, 3, 15))
    first = chair.post(reverse("person_create"), person_form(world))
    assert first.status_code == 200
    text = body(first)
    assert "อาจซ้ำกับบุคคลที่มีอยู่แล้ว" in text
    assert f'<a href="{reverse("person_detail", args=[existing.pk])}"' in text
    assert "ชื่อ นามสกุล และวันเกิดเดียวกัน" in text
    assert '<input type="hidden" name="confirm_duplicate" value="1">' in text
    assert Person.objects.count() == 1
    second = chair.post(reverse("person_create"), person_form(world, confirm_duplicate="1"))
    assert second.status_code == 302
    assert Person.objects.count() == 2


def test_duplicate_national_id_is_refused_even_when_confirmed(
    chair: Any, world: Any, person_factory: Any
) -> None:
    person_factory(first_name="สมหญิง", national_id=NID)
    response = chair.post(
        reverse("person_create"),
        person_form(world, national_id=format_national_id(NID), confirm_duplicate="1"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"] == [
        "เลขประจำตัวประชาชนนี้มีอยู่ในระบบแล้ว บุคคลสองคนใช้เลขเดียวกันไม่ได้"
    ]
    assert Person.objects.count() == 1


def test_duplicate_check_while_typing_warns_about_the_same_id(
    chair: Any, world: Any, person_factory: Any
) -> None:
    existing = person_factory(national_id=NID)
    response = chair.get(reverse("person_check"), {"national_id": format_national_id(NID)})
    assert "เลขประจำตัวประชาชนเดียวกัน" in body(response)
    assert existing.full_name in body(response)
    response = chair.get(reverse("person_check"), {"national_id": OTHER_NID})
    assert "อาจซ้ำ" not in body(response)


# ------------------------------------------------------------------ households


def test_household_is_created_and_then_gets_a_new_head_and_an_existing_spouse(
    chair: Any, world: Any, person_factory: Any
) -> None:
    response = chair.post(
        reverse("household_create"),
        {
            "org_unit": world.group_a1.pk,
            "house_number": "45/2",
            "village": world.village_a1.pk,
            "house_registration_no": "4001-9900-123",
        },
    )
    household = Household.objects.get()
    assert response["Location"] == reverse("household_detail", args=[household.pk])
    assert (household.house_registration_no, household.postcode) == ("40019900123", "40000")

    form = chair.get(reverse("person_create"), {"household": household.pk}).context["form"]
    assert form.initial["relation"] == Relation.HEAD
    response = chair.post(
        reverse("person_create"),
        person_form(world, household=household.pk, relation=Relation.HEAD, house_number="45/2"),
    )
    assert response["Location"] == reverse("household_detail", args=[household.pk])

    spouse = person_factory(title="นาง", first_name="สมศรี", birth_year=1970)
    page = body(chair.get(reverse("household_detail", args=[household.pk]), {"q": "สมศ"}))
    assert f'<input type="hidden" name="person" value="{spouse.pk}">' in page
    response = chair.post(
        reverse("household_member_add", args=[household.pk]),
        {"person": spouse.pk, "relation": Relation.SPOUSE},
        follow=True,
    )
    page = body(response)
    assert "เพิ่ม นางสมศรี ใจดี เข้าครัวเรือนแล้ว" in page
    members = {(m.person.first_name, m.relation) for m in household.members.all()}
    assert members == {("สมชาย", Relation.HEAD), ("สมศรี", Relation.SPOUSE)}
    assert "หัวหน้าครัวเรือน" in page
    assert "คู่สมรส" in page


@pytest.mark.parametrize("query", ["", "45", "ใจดี", "สมศ"])
def test_household_list_counts_each_member_once_whatever_the_search(
    chair: Any, world: Any, person_factory: Any, query: str
) -> None:
    household = household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="45")
    person_factory(household=household, relation=Relation.HEAD)
    person_factory(first_name="สมศรี", household=household, relation=Relation.SPOUSE)
    person_factory(first_name="สมใจ", household=household, relation=Relation.CHILD)
    response = chair.get(reverse("household_list"), {"q": query})
    rows = [(h.house_number, h.n_members) for h in response.context["page"].object_list]
    assert rows == [("45", 3)]
    assert response.context["heads"][household.pk].first_name == "สมชาย"


def test_second_head_added_on_screen_is_refused_with_the_reason(
    chair: Any, world: Any, person_factory: Any
) -> None:
    household = household_create(actor=world.chair_a, org_unit=world.group_a1, house_number="1")
    person_factory(household=household, relation=Relation.HEAD)
    other = person_factory(first_name="สมหญิง")
    response = chair.post(
        reverse("household_member_add", args=[household.pk]),
        {"person": other.pk, "relation": Relation.HEAD},
        follow=True,
    )
    assert "ครัวเรือนนี้มีหัวหน้าครัวเรือนแล้ว" in body(response)
    assert household.members.count() == 1


# ------------------------------------------------------------------ person page


@pytest.fixture
def person(world: Any, person_factory: Any) -> Person:
    return person_factory(
        national_id=NID,
        birth_date=dt.date(1967, 3, 15),
        village=world.village_a1,
        house_number="12",
    )


def test_viewer_sees_only_a_masked_national_id(client: Any, world: Any, person: Person) -> None:
    client.force_login(world.viewer_a)
    response = client.get(reverse("person_detail", args=[person.pk]))
    assert response.status_code == 200
    text = body(response)
    assert mask_national_id(NID) in text  # X-XXXX-XXXX2-34-6
    assert format_national_id(NID) not in text
    assert NID not in text
    assert reverse("person_edit", args=[person.pk]) not in text


def test_chair_sees_the_full_national_id(chair: Any, person: Person) -> None:
    text = body(chair.get(reverse("person_detail", args=[person.pk])))
    assert format_national_id(NID) in text  # 3-4001-00012-34-6
    assert reverse("person_edit", args=[person.pk]) in text


def test_person_list_masks_national_ids_even_for_the_chair(chair: Any, person: Person) -> None:
    text = body(chair.get(reverse("person_list")))
    assert person.full_name in text
    assert mask_national_id(NID) in text
    assert format_national_id(NID) not in text


def test_history_on_the_person_page_shows_an_edit_with_its_reason(
    chair: Any, world: Any, person: Person
) -> None:
    response = chair.post(
        reverse("person_edit", args=[person.pk]),
        person_form(
            world,
            first_name="สมชัย",
            sex="U",
            national_id=format_national_id(NID),
            postcode="40000",
            reason="แก้ชื่อตามบัตรประชาชน",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    response = chair.get(response["Location"])
    newest = response.context["history"][0]
    assert newest.changes == [FieldChange("ชื่อ", "สมชาย", "สมชัย")]
    text = body(response)
    assert "<b>แก้ไข</b>" in text
    assert "สมศักดิ์ ใจดี" in text
    assert "<i>แก้ชื่อตามบัตรประชาชน</i>" in text
    assert "ชื่อ: <del>สมชาย</del> → <ins>สมชัย</ins>" in text


def test_edit_screen_shows_the_birth_date_in_the_buddhist_era(chair: Any, person: Person) -> None:
    text = body(chair.get(reverse("person_edit", args=[person.pk])))
    assert 'value="15/03/2510"' in text


# ------------------------------------------------------------------ language


def test_english_switch_changes_the_page_language(chair: Any) -> None:
    assert '<html lang="th">' in body(chair.get(reverse("home")))
    response = chair.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    response = chair.get(reverse("home"))
    assert '<html lang="en">' in body(response)
    assert response["Content-Language"] == "en"
    chair.post(reverse("set_language"), {"language": "th", "next": reverse("home")})
    assert '<html lang="th">' in body(chair.get(reverse("home")))


def test_english_user_typing_an_existing_id_gets_the_id_error_not_a_confirm_prompt(
    chair: Any, world: Any, person_factory: Any
) -> None:
    person_factory(first_name="สมหญิง", national_id=NID)
    chair.cookies["django_language"] = "en"
    response = chair.post(
        reverse("person_create"), person_form(world, national_id=format_national_id(NID))
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "national_id" in errors
    assert "already" in errors["national_id"][0]
    assert "__all__" not in errors
    assert Person.objects.count() == 1
