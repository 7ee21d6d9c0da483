"""Finding a person as a clerk types: name prefixes, typing slips, ID numbers however written,
never outside the user's scope, and Thai dictionary order the same on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from typing import Any

import pytest

from chumchon.core.thai import national_id_check_digit, thai_sort_key, to_thai_digits
from chumchon.people.models import Person
from chumchon.people.selectors import person_search, persons_visible_to, thai_name_order

NID_FIRST12 = "340010001234"
NID = NID_FIRST12 + str(national_id_check_digit(NID_FIRST12))  # 3400100012346


@pytest.fixture
def people(world: Any, person_factory: Any) -> dict[str, Person]:
    return {
        "somchai": person_factory(
            first_name="สมชาย", last_name="ใจดี", national_id=NID, phone="0891234567"
        ),
        "somying": person_factory(title="นางสาว", first_name="สมหญิง", last_name="ใจงาม"),
        "saengdao": person_factory(title="นาง", first_name="แสงดาว", last_name="คำแก้ว"),
        "kaewta": person_factory(title="นาง", first_name="เเก้วตา", last_name="ศรีสุข"),
        "other_group": person_factory(
            org_unit=world.group_a2, first_name="สมพร", last_name="ใจเย็น"
        ),
        "fund_b": person_factory(
            actor=world.officer_b,
            org_unit=world.group_b1,
            first_name="สมชาติ",
            last_name="ใจดี",
        ),
    }


def found(user: Any, query: str) -> list[str]:
    return [p.first_name for p in person_search(user, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("สมช", ["สมชาย"]),
        ("สม", ["สมชาย", "สมพร", "สมหญิง"]),
        ("ใจ", ["สมชาย", "สมพร", "สมหญิง"]),
        ("ใจง", ["สมหญิง"]),
        ("สมชาย ใจ", ["สมชาย"]),
        ("สม ใจง", ["สมหญิง"]),
        ("  สมชาย   ใจด  ", ["สมชาย"]),
        ("นาย สมชาย", ["สมชาย"]),
        ("น.ส.สมหญิง", ["สมหญิง"]),
        ("คำแก", ["แสงดาว"]),
    ],
)
def test_name_prefixes_find_people_in_thai_order(
    people: dict[str, Person], world: Any, query: str, expected: list[str]
) -> None:
    assert found(world.chair_a, query) == expected


@pytest.mark.parametrize("query", ["ชาย", "ดี", "สมชายใจดี", "ใจดี สมชาย", "สมชาย ใจร้าย"])
def test_text_that_is_not_a_name_prefix_finds_nobody(
    people: dict[str, Person], world: Any, query: str
) -> None:
    assert found(world.chair_a, query) == []


@pytest.mark.parametrize("query", ["", "   ", "\u200b", "นาย "])
def test_empty_query_finds_nobody_rather_than_everybody(
    people: dict[str, Person], world: Any, query: str
) -> None:
    assert found(world.chair_a, query) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("เเสง", "แสงดาว"),  # แ typed as เ twice
        ("แสง", "แสงดาว"),
        ("คํา", "แสงดาว"),  # ำ typed as nikhahit then sara aa
        ("แก้ว", "เเก้วตา"),  # the name itself was saved with เเ
        ("แก้้ว", "เเก้วตา"),  # tone mark typed twice
        ("สม\u200bชาย", "สมชาย"),  # zero-width space pasted from a chat app
    ],
)
def test_typing_slips_still_find_the_person(
    people: dict[str, Person], world: Any, query: str, expected: str
) -> None:
    assert found(world.chair_a, query) == [expected]


@pytest.mark.parametrize(
    "query",
    [
        NID,
        "3-4001-00012-34-6",
        "3 4001 00012 34 6",
        " 3400 1000 12346 ",
        to_thai_digits("3-4001-00012-34-6"),
        to_thai_digits(NID),
    ],
)
def test_full_national_id_however_written_finds_the_person(
    people: dict[str, Person], world: Any, query: str
) -> None:
    assert found(world.chair_a, query) == ["สมชาย"]


def test_national_id_with_a_wrong_last_digit_finds_nobody(
    people: dict[str, Person], world: Any
) -> None:
    assert found(world.chair_a, NID[:12] + "7") == []


def test_phone_number_prefix_finds_the_person(people: dict[str, Person], world: Any) -> None:
    assert found(world.chair_a, "089-123") == ["สมชาย"]


# ------------------------------------------------------------------ never outside the scope


def test_search_never_finds_another_tambons_people(people: dict[str, Person], world: Any) -> None:
    assert found(world.chair_a, "สมชา") == ["สมชาย"]
    assert found(world.officer_b, "สมชา") == ["สมชาติ"]
    assert found(world.officer_b, "สมชาย") == []
    assert found(world.officer_b, NID) == []
    assert found(world.officer_b, "ใจดี") == ["สมชาติ"]


def test_village_group_viewer_finds_only_their_groups_people(
    people: dict[str, Person], world: Any
) -> None:
    assert found(world.viewer_a, "สม") == ["สมชาย", "สมหญิง"]
    assert found(world.coordinator, "สม") == ["สมชาติ", "สมชาย", "สมพร", "สมหญิง"]


def test_former_chair_finds_nobody(people: dict[str, Person], world: Any) -> None:
    assert found(world.expired, "สม") == []


# ------------------------------------------------------------------ Thai dictionary order

THAI_ORDER = ["กา", "เกม", "ไก่", "ขาว", "รุ่ง", "ฤดี", "ลำดวน", "ฦๅษา", "อ้อย"]


def test_our_sort_key_agrees_with_the_dictionary_order_used_below() -> None:
    shuffled = THAI_ORDER[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=thai_sort_key) == THAI_ORDER


@pytest.fixture
def alphabet(world: Any, person_factory: Any) -> None:
    shuffled = THAI_ORDER[:]
    random.Random(2569).shuffle(shuffled)
    for name in shuffled:
        person_factory(first_name=name, last_name="เรียงลำดับ")


def test_people_are_listed_in_thai_dictionary_order(alphabet: None, world: Any) -> None:
    """Leading vowels sort by their consonant, ฤ after ร and ฦ after ล, on both databases."""
    ordered = persons_visible_to(world.chair_a).order_by(*thai_name_order())
    assert [p.first_name for p in ordered] == THAI_ORDER


def test_search_results_are_in_thai_dictionary_order(alphabet: None, world: Any) -> None:
    assert found(world.chair_a, "เรียง") == THAI_ORDER


def test_people_sharing_a_first_name_are_ordered_by_last_name_in_thai_order(
    world: Any, person_factory: Any
) -> None:
    for last in ["ไชยา", "แก้วกา", "กาบแก้ว", "เกตุแก้ว"]:
        person_factory(first_name="สมใจ", last_name=last)
    assert [p.last_name for p in person_search(world.chair_a, "สมใจ")] == [
        "กาบแก้ว",
        "เกตุแก้ว",
        "แก้วกา",
        "ไชยา",
    ]


def test_stored_sort_key_orders_like_the_databases_thai_collation(
    world: Any, person_factory: Any
) -> None:
    """name_sort (plain bytes) gives the order th-x-icu gives (PostgreSQL ICU; ours on SQLite)."""
    from chumchon.people.selectors import thai_collated_name_order

    names = [
        ("ไก่", "ขาว"),
        ("กา", "ไพร"),
        ("เกม", "ก้อง"),
        ("ฤดี", "ใจดี"),
        ("รุ่ง", "แสง"),
        ("สมใจ", "ไชยา"),
        ("สมใจ", "กาบแก้ว"),
        ("สมชาย", "เกตุแก้ว"),
        ("ก้อย", "ศรี"),
        ("ก่อ", "สุข"),
        ("เก๋", "มาก"),
        ("ฦๅชา", "ทอง"),
        ("ลำดวน", "ใบ"),
        ("ลําใย", "สี"),
    ]
    for first, last in names:
        person_factory(first_name=first, last_name=last)
    by_key = persons_visible_to(world.chair_a).order_by(*thai_name_order())
    by_collation = persons_visible_to(world.chair_a).order_by(*thai_collated_name_order())
    assert [p.pk for p in by_key] == [p.pk for p in by_collation]


def test_sort_key_follows_a_name_change(world: Any, person_factory: Any) -> None:
    from chumchon.people.services import person_update

    first = person_factory(first_name="ขจร", last_name="ทอง")
    person_factory(first_name="คำ", last_name="ทอง")
    person_update(actor=world.chair_a, person=first, first_name="ฮก")
    assert [p.first_name for p in persons_visible_to(world.chair_a).order_by(*thai_name_order())][
        -1
    ] == "ฮก"
