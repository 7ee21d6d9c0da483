"""Filters on the person and household lists, as a fund's registrar uses them.

Every filter is a GET parameter (a filtered list is a link to bookmark or send), combines with
the search box and the htmx live search, and keeps to the user's scope: a filter can only narrow
what ``persons_visible_to`` gives. Unreadable input gets a Thai message naming the filter and an
empty list, never a 500 and never a wider list.

Ages are whole years on the day (Bangkok), from the birth date, or from the birth year alone
(age = this year - birth year); a person whose birth is unknown matches no age bound.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from chumchon.people.models import Person
from chumchon.people.selectors import person_filter, persons_visible_to, years_before
from chumchon.people.services import household_create

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
TODAY = dt.date(2026, 3, 10)  # every test runs on this day (Bangkok time) unless it travels


def body(response: Any) -> str:
    return response.content.decode()


def names(response: Any) -> set[str]:
    return {p.first_name for p in response.context["page"].object_list}


def count(response: Any) -> int:
    result: int = response.context["page"].paginator.count
    return result


def on(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=BKK), tick=False)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with on(TODAY):
        yield


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


@pytest.fixture
def ages(person_factory: Any, world: Any) -> dict[str, Person]:
    """Fund A persons around the 60th and 18th birthdays (today is 10 Mar 2026)."""
    made = {
        "sixty_today": dict(birth_date=dt.date(1966, 3, 10)),  # 60 today
        "sixty_tomorrow": dict(birth_date=dt.date(1966, 3, 11)),  # 59 until tomorrow
        "year_1966": dict(birth_year=1966),  # 2026 - 1966 = 60
        "year_1967": dict(birth_year=1967),  # 59
        "eighteen_today": dict(birth_date=dt.date(2008, 3, 10)),  # 18 today
        "seventeen": dict(birth_date=dt.date(2008, 3, 11)),  # 17 until tomorrow
        "unknown": {},  # no birth date or year
    }
    return {
        key: person_factory(first_name=key, village=world.village_a1, **data)
        for key, data in made.items()
    }


# ------------------------------------------------------------------ the selector


def test_years_before_clamps_29_february_to_28_february() -> None:
    assert years_before(dt.date(2028, 2, 29), 60) == dt.date(1968, 2, 29)  # 1968 is a leap year
    assert years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)
    assert years_before(dt.date(2026, 3, 10), 60) == dt.date(1966, 3, 10)
    assert years_before(dt.date(2026, 3, 10), 5000) == dt.date.min


def test_born_exactly_60_years_ago_today_counts_as_60_and_the_day_before_the_birthday_as_59(
    ages: dict[str, Person],
) -> None:
    qs = Person.objects.all()
    sixty_up = {p.first_name for p in person_filter(qs, age_min=60, on=TODAY)}
    assert sixty_up == {"sixty_today", "year_1966"}
    up_to_59 = {p.first_name for p in person_filter(qs, age_min=18, age_max=59, on=TODAY)}
    assert up_to_59 == {"sixty_tomorrow", "year_1967", "eighteen_today"}
    children = {p.first_name for p in person_filter(qs, age_max=17, on=TODAY)}
    assert children == {"seventeen"}
    # the next day, the person born on 11 March 1966 turns 60
    nxt = TODAY + dt.timedelta(days=1)
    assert {p.first_name for p in person_filter(qs, age_min=60, on=nxt)} == {
        "sixty_today",
        "sixty_tomorrow",
        "year_1966",
    }


def test_unknown_birth_is_left_out_only_when_an_age_bound_is_given(
    ages: dict[str, Person],
) -> None:
    qs = Person.objects.all()
    assert "unknown" in {p.first_name for p in person_filter(qs)}
    assert "unknown" not in {p.first_name for p in person_filter(qs, age_min=0, on=TODAY)}
    assert "unknown" not in {p.first_name for p in person_filter(qs, age_max=150, on=TODAY)}


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 3, 10),
        dt.date(2028, 2, 29),  # a leap day
        dt.date(2028, 2, 28),
        dt.date(2028, 3, 1),
        dt.date(2027, 2, 28),  # a year without 29 Feb
        dt.date(2027, 3, 1),
    ],
)
def test_age_filter_agrees_with_person_age_on_around_leap_days(
    person_factory: Any, day: dt.date
) -> None:
    births: list[dict[str, Any]] = [
        dict(birth_date=dt.date(1968, 2, 29)),
        dict(birth_date=dt.date(1968, 2, 28)),
        dict(birth_date=dt.date(1968, 3, 1)),
        dict(birth_date=dt.date(1967, 2, 28)),
        dict(birth_date=dt.date(1967, 3, 1)),
        dict(birth_date=dt.date(2024, 2, 29)),
        dict(birth_date=dt.date(2023, 3, 1)),
        dict(birth_year=1967),
        dict(birth_year=1968),
        {},
    ]
    people = [person_factory(first_name=f"คน{i}", **b) for i, b in enumerate(births)]
    qs = Person.objects.all()
    for n in (0, 1, 2, 3, 4, 58, 59, 60, 61):
        ages = {p.pk: p.age_on(day) for p in people}
        at_least = {pk for pk, a in ages.items() if a is not None and a >= n}
        at_most = {pk for pk, a in ages.items() if a is not None and a <= n}
        assert set(person_filter(qs, age_min=n, on=day).values_list("pk", flat=True)) == at_least
        assert set(person_filter(qs, age_max=n, on=day).values_list("pk", flat=True)) == at_most


def test_status_sex_id_and_village_filters(person_factory: Any, world: Any) -> None:
    person_factory(first_name="ชาย", sex="M", national_id="3400100012346", village=world.village_a1)
    person_factory(first_name="หญิง", sex="F", village=world.village_a2)
    person_factory(first_name="ล่วงลับ", sex="F", death_date=dt.date(2025, 1, 1))
    qs = Person.objects.all()

    def got(**kw: Any) -> set[str]:
        return {p.first_name for p in person_filter(qs, **kw)}

    assert got() == {"ชาย", "หญิง"}
    assert got(status="deceased") == {"ล่วงลับ"}
    assert got(status="all") == {"ชาย", "หญิง", "ล่วงลับ"}
    assert got(status="all", sex="F") == {"หญิง", "ล่วงลับ"}
    assert got(has_id=True) == {"ชาย"}
    assert got(has_id=False) == {"หญิง"}
    assert got(village=world.village_a2) == {"หญิง"}
    assert got(village=world.village_a1.pk) == {"ชาย"}
    with pytest.raises(ValueError):
        person_filter(qs, status="zombie")


def test_selector_never_widens_a_scoped_queryset(person_factory: Any, world: Any) -> None:
    person_factory(first_name="คนบี", actor=world.officer_b, org_unit=world.group_b1)
    mine = person_filter(persons_visible_to(world.chair_a), status="all", age_max=150)
    assert "คนบี" not in {p.first_name for p in person_filter(mine, status="all")}


# ------------------------------------------------------------------ the person list screen


def test_elderly_filter_on_the_list_uses_the_same_boundaries(
    chair: Any, ages: dict[str, Person]
) -> None:
    response = chair.get(reverse("person_list"), {"age_min": "60"})
    assert response.status_code == 200
    assert names(response) == {"sixty_today", "year_1966"}
    assert "อายุ 60 ปีขึ้นไป" in body(response)  # the filters in force, in words
    response = chair.get(reverse("person_list"), {"age_min": "18", "age_max": "59"})
    assert names(response) == {"sixty_tomorrow", "year_1967", "eighteen_today"}
    response = chair.get(reverse("person_list"), {"age_max": "๑๗"})  # Thai digits are read
    assert names(response) == {"seventeen"}


def test_age_chips_link_to_the_welfare_groups_and_keep_the_other_filters(
    chair: Any, world: Any, ages: dict[str, Person]
) -> None:
    params = {"q": "s", "village": world.village_a1.pk, "age_min": "60", "page": "1"}
    response = chair.get(reverse("person_list"), params)
    chips = {str(c["label"]): c for c in response.context["age_chips"]}
    assert set(chips) == {"เด็ก (0–17 ปี)", "วัยทำงาน (18–59 ปี)", "ผู้สูงอายุ (60 ปีขึ้นไป)"}
    assert chips["ผู้สูงอายุ (60 ปีขึ้นไป)"]["active"]
    child = parse_qs(chips["เด็ก (0–17 ปี)"]["query"])
    assert child == {
        "q": ["s"],
        "village": [str(world.village_a1.pk)],
        "age_min": ["0"],
        "age_max": ["17"],
    }
    # the active chip clears the age range (and keeps the rest)
    assert parse_qs(chips["ผู้สูงอายุ (60 ปีขึ้นไป)"]["query"]) == {
        "q": ["s"],
        "village": [str(world.village_a1.pk)],
    }
    working = chair.get(reverse("person_list") + "?" + chips["วัยทำงาน (18–59 ปี)"]["query"])
    assert names(working) == {"sixty_tomorrow"}  # the search "s" and the village still apply
    assert working.context["age_chips"][1]["active"]
    working = chair.get(reverse("person_list"), {"age_min": "18", "age_max": "59"})
    assert names(working) == {"sixty_tomorrow", "year_1967", "eighteen_today"}


def test_deceased_are_left_out_by_default_and_shown_with_status_all(
    chair: Any, person_factory: Any
) -> None:
    person_factory(first_name="ยังอยู่")
    person_factory(first_name="ล่วงลับ", death_date=dt.date(2025, 1, 1))
    assert names(chair.get(reverse("person_list"))) == {"ยังอยู่"}
    response = chair.get(reverse("person_list"), {"status": "all"})
    assert names(response) == {"ยังอยู่", "ล่วงลับ"}
    assert "รวมผู้เสียชีวิต" in body(response)
    assert names(chair.get(reverse("person_list"), {"status": "deceased"})) == {"ล่วงลับ"}
    assert names(chair.get(reverse("person_list"), {"status": ""})) == {"ยังอยู่"}


def test_sex_and_national_id_filters_on_the_list(chair: Any, person_factory: Any) -> None:
    person_factory(first_name="มีบัตร", sex="M", national_id="3400100012346")
    person_factory(first_name="ไม่มีบัตร", title="นาง", sex="F")
    assert names(chair.get(reverse("person_list"), {"has_id": "yes"})) == {"มีบัตร"}
    assert names(chair.get(reverse("person_list"), {"has_id": "no"})) == {"ไม่มีบัตร"}
    assert names(chair.get(reverse("person_list"), {"sex": "F"})) == {"ไม่มีบัตร"}
    assert names(chair.get(reverse("person_list"), {"sex": "M", "has_id": "no"})) == set()


def test_filters_and_search_combine(chair: Any, person_factory: Any, world: Any) -> None:
    person_factory(first_name="สมหญิง", title="นาง", sex="F", village=world.village_a1)
    person_factory(first_name="สมศรี", title="นาง", sex="F", village=world.village_a2)
    person_factory(first_name="สมชาย", sex="M", village=world.village_a1)
    person_factory(first_name="มาลี", title="นาง", sex="F", village=world.village_a1)
    params = {"q": "สม", "village": world.village_a1.pk, "sex": "F"}
    assert names(chair.get(reverse("person_list"), params)) == {"สมหญิง"}
    # the htmx live search sends the whole form and gets the same rows in the partial
    response = chair.get(reverse("person_list"), params, headers={"HX-Request": "true"})
    assert names(response) == {"สมหญิง"}
    assert "<form" not in body(response)
    assert "พบ 1 คน" in body(response)


def test_search_box_and_every_filter_are_one_get_form_that_works_without_javascript(
    chair: Any, world: Any
) -> None:
    params = {"q": "สม", "village": world.village_a2.pk, "status": "all", "sex": "F"}
    params |= {"age_min": "18", "age_max": "59", "has_id": "no"}
    text = body(chair.get(reverse("person_list"), params))
    form = re.search(r'<form id="person-filters" method="get".*?</form>', text, re.S)
    assert form is not None
    html = form[0]
    for name in ("q", "village", "status", "sex", "age_min", "age_max", "has_id"):
        assert f'name="{name}"' in html
    assert 'type="submit"' in html
    assert f'<option value="{world.village_a2.pk}" selected>' in html
    assert '<option value="all" selected>' in html
    assert '<option value="F" selected>' in html
    assert '<option value="no" selected>' in html
    assert 'name="age_min" id="filter-age-min" value="18"' in html
    # the live search and the filter fields send the whole form
    assert html.count('hx-include="#person-filters"') == 2


def test_village_choices_are_only_the_users_villages(chair: Any, client: Any, world: Any) -> None:
    response = chair.get(reverse("person_list"))
    values = {v for v, _label in response.context["villages"]}
    assert values == {str(world.village_a1.pk), str(world.village_a2.pk)}
    client.force_login(world.officer_b)
    response = client.get(reverse("person_list"))
    assert {v for v, _label in response.context["villages"]} == {str(world.village_b1.pk)}
    assert world.village_a1.name not in body(response)


def test_village_filter_cannot_reveal_another_tambons_village(
    client: Any, person_factory: Any, world: Any
) -> None:
    person_factory(first_name="ทองใบ", last_name="ศรีสมบูรณ์", village=world.village_a1)
    person_factory(
        first_name="ประเสริฐ", actor=world.officer_b, org_unit=world.group_b1, village=None
    )
    client.force_login(world.chair_a)
    assert names(client.get(reverse("person_list"), {"village": world.village_a1.pk})) == {"ทองใบ"}
    client.force_login(world.officer_b)
    for headers in ({}, {"HX-Request": "true"}):
        for status in ("living", "all"):
            response = client.get(
                reverse("person_list"),
                {"village": world.village_a1.pk, "status": status},
                headers=headers,
            )
            assert response.status_code == 200
            text = body(response)
            assert count(response) == 0  # not even officer_b's own people: never wider
            assert "หมู่บ้าน: ไม่พบหมู่บ้านที่เลือกในพื้นที่ที่คุณมีสิทธิ์ดู" in text
            for leak in ("ทองใบ", "ศรีสมบูรณ์", world.village_a1.name, world.fund_a.name):
                assert leak not in text


def test_village_group_viewer_filtering_a_sibling_village_sees_no_one_of_it(
    client: Any, person_factory: Any, world: Any
) -> None:
    person_factory(first_name="บุญเรือน", org_unit=world.group_a2, village=world.village_a2)
    client.force_login(world.viewer_a)
    response = client.get(reverse("person_list"), {"village": world.village_a2.pk})
    assert response.status_code == 200
    assert count(response) == 0
    assert "บุญเรือน" not in body(response)


def test_out_of_scope_unit_is_still_a_404_with_filters(client: Any, world: Any) -> None:
    client.force_login(world.officer_b)
    response = client.get(
        reverse("person_list"), {"unit": world.fund_a.pk, "village": world.village_a1.pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"age_min": "abc"}, "อายุตั้งแต่: กรุณากรอกอายุเป็นจำนวนปีเต็ม ตั้งแต่ 0 ถึง 150 ปี"),
        ({"age_max": "-3"}, "อายุถึง: กรุณากรอกอายุเป็นจำนวนปีเต็ม ตั้งแต่ 0 ถึง 150 ปี"),
        ({"age_min": "60.5"}, "อายุตั้งแต่: กรุณากรอกอายุเป็นจำนวนปีเต็ม"),
        ({"age_min": "99999999999999999999"}, "อายุตั้งแต่: กรุณากรอกอายุเป็นจำนวนปีเต็ม"),
        ({"age_min": "60", "age_max": "18"}, "ช่วงอายุ: อายุตั้งแต่ (60 ปี) มากกว่าอายุถึง (18 ปี)"),
        ({"village": "abc"}, "หมู่บ้าน: ไม่พบหมู่บ้านที่เลือกในพื้นที่ที่คุณมีสิทธิ์ดู"),
        ({"village": "999999"}, "หมู่บ้าน: ไม่พบหมู่บ้านที่เลือกในพื้นที่ที่คุณมีสิทธิ์ดู"),
        ({"status": "zombie"}, "สถานะ: ตัวเลือกไม่ถูกต้อง"),
        ({"sex": "X"}, "เพศ: ตัวเลือกไม่ถูกต้อง"),
        ({"has_id": "maybe"}, "เลขประจำตัวประชาชน: ตัวเลือกไม่ถูกต้อง"),
    ],
)
def test_bad_filter_input_shows_a_thai_message_naming_the_filter_and_lists_no_one(
    chair: Any, person_factory: Any, params: dict[str, str], message: str
) -> None:
    person_factory(first_name="สมชาย", birth_year=1950)
    for headers in ({}, {"HX-Request": "true"}):
        response = chair.get(reverse("person_list"), params, headers=headers)
        assert response.status_code == 200
        text = body(response)
        assert message in text
        assert "ยังไม่แสดงรายชื่อจนกว่าจะแก้ตัวกรองที่ไม่ถูกต้อง" in text
        assert count(response) == 0
        assert "สมชาย" not in text


def test_invalid_age_is_shown_back_in_the_form_to_correct(chair: Any) -> None:
    text = body(chair.get(reverse("person_list"), {"age_min": "<b>abc</b>"}))
    assert 'value="&lt;b&gt;abc&lt;/b&gt;"' in text
    assert (
        'id="filter-age-min" value="&lt;b&gt;abc&lt;/b&gt;" style="width:5rem" aria-invalid="true"'
        in text
    )
    assert "<b>abc</b>" not in text


def test_filter_message_is_english_when_switched(chair: Any) -> None:
    chair.cookies["django_language"] = "en"
    text = body(chair.get(reverse("person_list"), {"age_min": "abc"}))
    assert "Age from: enter the age in whole years, from 0 to 150" in text
    assert "อายุตั้งแต่" not in text


def test_pager_links_carry_the_filters(chair: Any, person_factory: Any, world: Any) -> None:
    for i in range(27):
        person_factory(first_name=f"สมใจ{i:02d}", birth_year=1950, village=world.village_a1)
    person_factory(first_name="สมใจหนุ่ม", birth_year=2000, village=world.village_a1)
    person_factory(first_name="สมใจหมู่สอง", birth_year=1950, village=world.village_a2)
    params = {"q": "สมใจ", "village": world.village_a1.pk, "age_min": "60", "status": "living"}
    response = chair.get(reverse("person_list"), params)
    assert count(response) == 27
    text = body(response)
    next_href = re.search(r'<a href="(\?[^"]*page=2)">', text)
    assert next_href is not None
    query = parse_qs(urlsplit(next_href[1].replace("&amp;", "&")).query)
    assert query == {
        "q": ["สมใจ"],
        "village": [str(world.village_a1.pk)],
        "age_min": ["60"],
        "status": ["living"],
        "page": ["2"],
    }
    page2 = chair.get(reverse("person_list") + next_href[1].replace("&amp;", "&"))
    assert count(page2) == 27
    assert len(page2.context["page"].object_list) == 2
    assert "สมใจหนุ่ม" not in body(page2)
    assert "สมใจหมู่สอง" not in body(page2)
    prev_href = re.search(r'<a href="(\?[^"]*page=1)">', body(page2))
    assert prev_href is not None
    assert "age_min=60" in prev_href[1]
    # the htmx partial builds the same links
    partial = chair.get(reverse("person_list"), params, headers={"HX-Request": "true"})
    assert next_href[1] in body(partial)


# ------------------------------------------------------------------ unit page and households


def test_unit_page_links_each_village_to_the_person_list_filtered_by_it(
    chair: Any, person_factory: Any, world: Any
) -> None:
    person_factory(first_name="หนึ่ง", village=world.village_a1)
    person_factory(first_name="สอง", org_unit=world.group_a2, village=world.village_a2)
    text = body(chair.get(reverse("unit_detail", args=[world.fund_a.pk])))
    links = {}
    for village in (world.village_a1, world.village_a2):
        href = f"{reverse('person_list')}?unit={world.fund_a.pk}&amp;village={village.pk}"
        assert f'<a href="{href}">{village.name}</a>' in text
        links[village.pk] = href.replace("&amp;", "&")
    response = chair.get(links[world.village_a2.pk])
    assert response.status_code == 200
    assert names(response) == {"สอง"}
    assert response.context["unit"] == world.fund_a


def test_household_list_filters_by_village_and_keeps_it_in_the_pager(
    chair: Any, client: Any, world: Any
) -> None:
    for i in range(26):
        household_create(
            actor=world.chair_a,
            org_unit=world.group_a1,
            house_number=f"{i + 1}",
            village=world.village_a1,
        )
    household_create(
        actor=world.chair_a, org_unit=world.group_a2, house_number="99", village=world.village_a2
    )
    response = chair.get(reverse("household_list"), {"village": world.village_a2.pk})
    assert [h.house_number for h in response.context["page"].object_list] == ["99"]
    response = chair.get(reverse("household_list"), {"village": world.village_a1.pk, "q": "1"})
    assert count(response) == 11  # 1, 10-19 of village 1 (the search combines)
    response = chair.get(reverse("household_list"), {"village": world.village_a1.pk})
    assert count(response) == 26
    assert f"village={world.village_a1.pk}&amp;page=2" in body(response)
    assert f'<option value="{world.village_a1.pk}" selected>' in body(response)
    # another tambon's officer naming fund A's village: a Thai message, nothing listed
    client.force_login(world.officer_b)
    household_create(
        actor=world.officer_b, org_unit=world.group_b1, house_number="888/1", village=None
    )
    response = client.get(reverse("household_list"), {"village": world.village_a1.pk})
    assert response.status_code == 200
    assert count(response) == 0
    text = body(response)
    assert "หมู่บ้าน: ไม่พบหมู่บ้านที่เลือกในพื้นที่ที่คุณมีสิทธิ์ดู" in text
    assert world.village_a1.name not in text
    assert world.fund_a.name not in text
