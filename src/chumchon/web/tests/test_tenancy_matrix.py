"""The tenancy matrix: for every screen, a user of another tambon gets 404 (or 403) and no data.

Every URL pattern of ``chumchon.web.urls`` has an entry in ``MATRIX`` saying how to aim it at
fund A's records: URL arguments, a GET query and, for a view that writes, valid-looking POST data.
A view added later without an entry fails ``test_every_web_url_has_a_tenancy_matrix_entry`` and
every parametrised test below. Fund A's own chair makes the same requests first and reaches fund
A's data, so a 404 for anyone else means "refused", never "wrong URL".

A few views name no record at all (the home page, the lists, the forms for new records): another
tambon's user gets their own page there, and it must hold nothing of fund A.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, reverse

from chumchon.areas.models import OrgUnit, OrgUnitKind, RoleAssignment, Village
from chumchon.areas.services import role_assign
from chumchon.core.permissions import Role
from chumchon.core.thai import format_national_id, mask_national_id, national_id_check_digit
from chumchon.people.models import Household, HouseholdMember, Person, Relation
from chumchon.people.services import household_create
from chumchon.web import urls as web_urls

NOT_TENANT_VIEWS = {"login", "logout"}
DENIED = {403, 404}


def valid_id(first12: str) -> str:
    return first12 + str(national_id_check_digit(first12))


@dataclass
class FundA:
    """Fund A's records that every request of the matrix aims at."""

    world: Any
    person: Any  # kept by village group A1, head of ``household``
    person_a2: Any  # kept by village group A2, in no household
    person_fund: Any  # kept by fund A itself
    household: Any
    member: Any
    markers: list[str] = field(default_factory=list)
    # Fund A's books: the fund, ``person``'s membership with one paid receipt, a collection day.
    fund: Any = None
    membership: Any = None
    payment: Any = None
    day: Any = None


@dataclass
class FundB:
    person: Any
    household: Any
    member: Any
    fund: Any = None
    membership: Any = None


@pytest.fixture
def fund_a(world: Any, person_factory: Any) -> FundA:
    household = household_create(
        actor=world.chair_a,
        org_unit=world.group_a1,
        house_number="777/31",
        village=world.village_a1,
        house_registration_no="40019900123",
    )
    person = person_factory(
        first_name="ทองใบ",
        last_name="ศรีสมบูรณ์",
        national_id=valid_id("340010001234"),
        house_number="777/31",
        village=world.village_a1,
        phone="0891112222",
        birth_year=1955,
        household=household,
        relation=Relation.HEAD,
    )
    person_a2 = person_factory(
        org_unit=world.group_a2,
        title="นาง",
        first_name="บุญเรือน",
        last_name="คำแก้ว",
        national_id=valid_id("340010002345"),
        house_number="778/12",
        village=world.village_a2,
    )
    person_fund = person_factory(
        org_unit=world.fund_a,
        title="นางสาว",
        first_name="จันทร์เพ็ญ",
        last_name="แสงทอง",
        national_id=valid_id("340010003456"),
        house_number="779/5",
    )
    markers = ["777/31", "778/12", "779/5", "40019900123", "0891112222"]
    for p in (person, person_a2, person_fund):
        markers += [p.first_name, p.last_name, p.full_name, p.national_id]
        markers += [format_national_id(p.national_id), mask_national_id(p.national_id)]
    markers += [world.fund_a.name, world.group_a1.name, world.group_a2.name]
    markers += [world.village_a1.name, world.village_a2.name]
    fund, membership, payment, day = _books(world.chair_a, world.fund_a, world.group_a1, person)
    return FundA(
        world=world,
        person=person,
        person_a2=person_a2,
        person_fund=person_fund,
        household=household,
        member=person.household_membership,
        markers=markers,
        fund=fund,
        membership=membership,
        payment=payment,
        day=day,
    )


def _books(
    actor: Any, unit: Any, group: Any, person: Any, approver: str = Role.CHAIR
) -> tuple[Any, Any, Any, Any]:
    """A fund on ``unit`` with ``person`` as member no. 1, one receipt and an open collection day."""
    from chumchon.funds import services as fs

    fund = fs.fund_create(
        actor=actor,
        org_unit=unit,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=Decimal("20"),
        plans=[("รายเดือน", 1, Decimal("30")), ("รายปี", 12, Decimal("365"))],
        lapse_days=60,
        member_approver_role=approver,
    )
    m = fs.member_apply(
        actor=actor,
        fund=fund,
        person=person,
        org_unit=group,
        plan=fund.plans.get(months=1),
        applied_on=dt.date(2025, 1, 1),
    )
    m = fs.member_approve(actor=actor, membership=m, joined_on=dt.date(2025, 1, 1))
    day = fs.collection_day_open(actor=actor, fund=fund, org_unit=group, date=dt.date(2025, 1, 5))
    payment = fs.payment_record(
        actor=actor, membership=m, date=day.date, amount="50", collection_day=day
    )
    return fund, m, payment, day


@pytest.fixture
def fund_b(world: Any, person_factory: Any) -> FundB:
    household = household_create(
        actor=world.officer_b,
        org_unit=world.group_b1,
        house_number="888/1",
        village=world.village_b1,
    )
    person = person_factory(
        actor=world.officer_b,
        org_unit=world.group_b1,
        first_name="ประเสริฐ",
        last_name="บุญมาก",
        national_id=valid_id("340020004567"),
        house_number="888/1",
        household=household,
        relation=Relation.HEAD,
    )
    # Fund B's treasurer: every money permission, in the other tambon.
    treasurer_b = get_user_model().objects.create_user("treasurer_b", password="x")
    role_assign(
        user=treasurer_b, org_unit=world.fund_b, role=Role.TREASURER, start_date=dt.date(2024, 1, 1)
    )
    world.treasurer_b = treasurer_b
    fund, membership, _payment, _day = _books(
        treasurer_b, world.fund_b, world.group_b1, person, Role.TREASURER
    )
    return FundB(
        person=person,
        household=household,
        member=person.household_membership,
        fund=fund,
        membership=membership,
    )


def person_post(a: FundA, **extra: Any) -> dict[str, Any]:
    """A filled-in person form, as fund A's registrar would send it."""
    return {
        "org_unit": a.world.group_a1.pk,
        "title": "นาย",
        "first_name": "แทรกซึม",
        "last_name": "ข้ามเขต",
        "sex": "M",
        "birth": "15/03/2510",
        "national_id": valid_id("110010005678"),
        "house_number": "5/5",
        "village": a.world.village_a1.pk,
        **extra,
    }


@dataclass(frozen=True)
class Entry:
    """How to aim one URL at fund A's records."""

    args: Callable[[FundA], list[int]] = lambda a: []
    query: Callable[[FundA], dict[str, Any]] = lambda a: {}
    post: Callable[[FundA], dict[str, Any]] | None = None  # set for views that write
    get: bool = True  # False: the view only accepts POST (a GET answers 405)
    names_no_record: bool = False  # home, lists and new-record forms: the user's own page
    binary: bool = False  # a PDF or an Excel file: fund A's chair gets 200 and a non-empty body


MATRIX: dict[str, Entry] = {
    "home": Entry(names_no_record=True),
    "unit_detail": Entry(args=lambda a: [a.world.fund_a.pk]),
    "village_create": Entry(
        args=lambda a: [a.world.fund_a.pk], post=lambda a: {"number": 9, "name": "แทรกซึม"}
    ),
    "sub_unit_create": Entry(
        args=lambda a: [a.world.fund_a.pk],
        post=lambda a: {
            "name": "กลุ่มแทรกซึม",
            "kind": OrgUnitKind.VILLAGE_GROUP,
            "village": a.world.village_a2.pk,
        },
    ),
    "role_create": Entry(
        args=lambda a: [a.world.fund_a.pk],
        post=lambda a: {
            "username": "intruder",
            "first_name": "แทรกซึม",
            "last_name": "ข้ามเขต",
            "password": "kp-9137-ระวัง",
            "password2": "kp-9137-ระวัง",
            "role": Role.TREASURER,
            "start_date": "01/01/2569",
        },
    ),
    "role_end": Entry(
        args=lambda a: [
            a.world.fund_a.pk,
            RoleAssignment.objects.get(user=a.world.registrar_a, org_unit=a.world.fund_a).pk,
        ],
        post=lambda a: {"end_date": "31/12/2568"},
    ),
    "person_list": Entry(query=lambda a: {"unit": a.world.fund_a.pk}),
    "person_create": Entry(
        query=lambda a: {"household": a.household.pk},
        post=lambda a: person_post(a, household=a.household.pk, relation=Relation.CHILD),
    ),
    "person_check": Entry(
        query=lambda a: {
            "national_id": a.person.national_id,
            "first_name": a.person.first_name,
            "last_name": a.person.last_name,
            "birth": "2498",
        },
        names_no_record=True,
    ),
    "person_detail": Entry(args=lambda a: [a.person.pk]),
    "person_edit": Entry(
        args=lambda a: [a.person.pk],
        post=lambda a: person_post(a, national_id=a.person.national_id, reason="ทดสอบ"),
    ),
    "household_list": Entry(names_no_record=True),
    "household_create": Entry(
        post=lambda a: {"org_unit": a.world.group_a1.pk, "house_number": "55/5"},
        names_no_record=True,
    ),
    "household_detail": Entry(
        args=lambda a: [a.household.pk], query=lambda a: {"q": a.person_a2.first_name}
    ),
    "household_edit": Entry(
        args=lambda a: [a.household.pk],
        post=lambda a: {"org_unit": a.world.group_a1.pk, "house_number": "1/1"},
    ),
    "household_member_add": Entry(
        args=lambda a: [a.household.pk],
        post=lambda a: {"person": a.person_a2.pk, "relation": Relation.CHILD},
        get=False,
    ),
    "household_member_remove": Entry(
        args=lambda a: [a.household.pk, a.member.pk], post=lambda a: {}, get=False
    ),
}

# The fund screens keep their entries beside their own tests: each module named here has
# ``entries(Entry) -> dict[str, Entry]`` and may have ``PUBLIC``, names of views meant for anyone
# (the receipt verification page), which answer without login and show no personal data.
_FUND_MATRIX_MODULES = (
    "matrix_funds",
    "matrix_money",
    "matrix_books",
    "matrix_docs",
    "matrix_excel",
    "matrix_regulation",
    "matrix_claims",
    "matrix_runs",
    "matrix_statements",
    "matrix_dashboards",
    "matrix_exports",
    "matrix_cash",
)
for _mod_name in _FUND_MATRIX_MODULES:
    try:
        _mod = importlib.import_module(f"chumchon.web.tests.{_mod_name}")
    except ModuleNotFoundError:
        continue
    MATRIX.update(_mod.entries(Entry))
    NOT_TENANT_VIEWS |= set(getattr(_mod, "PUBLIC", ()))

WEB_URL_NAMES = sorted(
    p.name
    for p in web_urls.urlpatterns
    if isinstance(p, URLPattern) and p.name not in NOT_TENANT_VIEWS
)


def entry_for(name: str) -> Entry:
    if name not in MATRIX:
        pytest.fail(f"the URL {name!r} has no entry in the tenancy matrix: add one")
    return MATRIX[name]


def snapshot() -> tuple[list[Any], ...]:
    """Every row a screen of this app can write (units, roles and user accounts included)."""
    return (
        list(
            Person.objects.order_by("pk").values_list(
                "pk", "org_unit_id", "first_name", "last_name", "national_id", "house_number"
            )
        ),
        list(
            Household.objects.order_by("pk").values_list(
                "pk", "org_unit_id", "house_number", "house_registration_no"
            )
        ),
        list(
            HouseholdMember.objects.order_by("pk").values_list(
                "pk", "household_id", "person_id", "relation"
            )
        ),
        list(Village.objects.order_by("pk").values_list("pk", "subdistrict_id", "number", "name")),
        list(OrgUnit.objects.order_by("pk").values_list("pk", "parent_id", "name", "kind")),
        list(
            RoleAssignment.objects.order_by("pk").values_list(
                "pk", "user_id", "org_unit_id", "role", "start_date", "end_date"
            )
        ),
        list(get_user_model().objects.order_by("pk").values_list("pk", "username", "is_active")),
        *_books_snapshot(),
    )


def _books_snapshot() -> list[list[Any]]:
    """The fund and ledger rows a screen can write."""
    from chumchon.funds import models as fm
    from chumchon.ledger import models as lm

    def rows(model: Any, *fields: str) -> list[Any]:
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return [
        rows(fm.Fund, "entry_fee", "lapse_rule", "lapse_days", "refund_rule", "public_board"),
        rows(fm.ContributionPlan, "name", "months", "amount", "active"),
        rows(fm.Membership, "state", "org_unit_id", "plan_id", "member_type", "ended_on"),
        rows(fm.MembershipEvent, "kind"),
        rows(fm.Beneficiary, "name", "share_percent"),
        rows(fm.CollectionDay, "closed_at", "counted_cash"),
        rows(fm.Payment, "amount"),
        rows(fm.PaymentVoid, "reason"),
        rows(fm.FundReceipt, "amount"),
        rows(fm.Pledge, "amount"),
        rows(fm.MatchedMember, "round_no"),
        rows(fm.ImportMapping, "columns"),
        rows(fm.ImportBatch, "rows"),
        rows(fm.PassbookPrint, "last_line"),
        rows(lm.Account, "code", "name"),
        rows(lm.Period, "closed"),
        rows(lm.JournalEntry, "number"),
        *_benefits_snapshot(),
    ]


def _benefits_snapshot() -> list[list[Any]]:
    """Every benefits and reports table, whole rows: regulations, claims, decisions, payouts,
    runs, the status form's answers, summaries and export jobs."""
    from django.apps import apps

    return [
        list(model.objects.order_by("pk").values_list())
        for app in ("benefits", "reports")
        for model in apps.get_app_config(app).get_models()
    ] + [list(apps.get_model("people", "UserPerson").objects.order_by("pk").values_list())]


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def leaked(response: Any, a: FundA, *, typed: tuple[str, ...] = ()) -> list[str]:
    """Fund A's data in the page, leaving out what the user typed (shown back in the form)."""
    text = body(response)
    return [m for m in a.markers if m in text and not any(m in t for t in typed)]


def test_every_web_url_has_a_tenancy_matrix_entry() -> None:
    names = {p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern)}
    assert set(MATRIX) == names - NOT_TENANT_VIEWS


# ------------------------------------------------------------------ the matrix itself


@pytest.mark.parametrize("name", WEB_URL_NAMES)
def test_matrix_requests_reach_fund_a_data_for_fund_a_chair(
    client: Any, fund_a: FundA, name: str
) -> None:
    entry = entry_for(name)
    url = reverse(name, args=entry.args(fund_a))
    client.force_login(fund_a.world.chair_a)
    if entry.get:
        response = client.get(url, entry.query(fund_a))
        assert response.status_code == 200
        if entry.binary:
            assert body(response), "the file is empty"
        else:
            assert leaked(response, fund_a), "the request does not reach fund A's data"
    else:
        assert client.get(url).status_code == 405
    if entry.post is not None:
        before = snapshot()
        response = client.post(url, {**entry.query(fund_a), **entry.post(fund_a)})
        assert response.status_code == 302, body(response)
        assert snapshot() != before, "the POST data of the matrix is not a working request"


@pytest.mark.parametrize("persona", ["officer_b", "expired", "treasurer_b"])
@pytest.mark.parametrize("name", WEB_URL_NAMES)
def test_user_of_another_tambon_or_ended_term_gets_404_or_403_and_no_data(
    client: Any, fund_a: FundA, fund_b: FundB, name: str, persona: str
) -> None:
    entry = entry_for(name)
    url = reverse(name, args=entry.args(fund_a))
    allowed = DENIED | {200} if entry.names_no_record else DENIED
    client.force_login(getattr(fund_a.world, persona))
    if entry.get:
        response = client.get(url, entry.query(fund_a))
        assert response.status_code in allowed
        assert leaked(response, fund_a) == []
    else:
        response = client.get(url)
        assert response.status_code == 405
        assert leaked(response, fund_a) == []
    if entry.post is not None:
        before = snapshot()
        response = client.post(url, {**entry.query(fund_a), **entry.post(fund_a)})
        assert response.status_code in allowed
        assert leaked(response, fund_a) == []
        assert snapshot() == before


@pytest.mark.parametrize("name", WEB_URL_NAMES)
def test_anonymous_visitor_is_sent_to_login_from_every_view(
    client: Any, fund_a: FundA, name: str
) -> None:
    entry = entry_for(name)
    url = reverse(name, args=entry.args(fund_a))
    login = reverse("login") + "?next="
    before = snapshot()
    for response in (
        client.get(url, entry.query(fund_a)),
        client.post(url, {**entry.query(fund_a), **(entry.post(fund_a) if entry.post else {})}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    assert snapshot() == before


# ------------------------------------------------------------------ who sees what


def test_village_group_viewer_sees_a_person_kept_by_their_own_group(
    client: Any, fund_a: FundA
) -> None:
    client.force_login(fund_a.world.viewer_a)
    response = client.get(reverse("person_detail", args=[fund_a.person.pk]))
    assert response.status_code == 200
    assert fund_a.person.full_name in body(response)


def test_village_group_viewer_gets_404_for_a_person_kept_by_a_sibling_group(
    client: Any, fund_a: FundA
) -> None:
    client.force_login(fund_a.world.viewer_a)
    response = client.get(reverse("person_detail", args=[fund_a.person_a2.pk]))
    assert response.status_code == 404
    assert fund_a.person_a2.first_name not in body(response)


def test_village_group_viewer_gets_404_for_a_person_kept_by_the_fund_above_the_group(
    client: Any, fund_a: FundA
) -> None:
    client.force_login(fund_a.world.viewer_a)
    response = client.get(reverse("person_detail", args=[fund_a.person_fund.pk]))
    assert response.status_code == 404
    assert fund_a.person_fund.first_name not in body(response)


def test_village_group_viewer_lists_only_the_people_of_their_group(
    client: Any, fund_a: FundA
) -> None:
    client.force_login(fund_a.world.viewer_a)
    text = body(client.get(reverse("person_list")))
    assert fund_a.person.full_name in text
    assert fund_a.person_a2.first_name not in text
    assert fund_a.person_fund.first_name not in text


def test_village_group_viewer_sees_their_group_but_not_its_sibling_or_its_fund(
    client: Any, fund_a: FundA
) -> None:
    world = fund_a.world
    client.force_login(world.viewer_a)
    assert client.get(reverse("unit_detail", args=[world.group_a1.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[world.group_a2.pk])).status_code == 404
    assert client.get(reverse("unit_detail", args=[world.fund_a.pk])).status_code == 404


def test_village_group_viewer_may_not_edit_even_a_person_of_their_group(
    client: Any, fund_a: FundA
) -> None:
    client.force_login(fund_a.world.viewer_a)
    before = snapshot()
    url = reverse("person_edit", args=[fund_a.person.pk])
    assert client.get(url).status_code == 403
    post = person_post(fund_a, national_id=fund_a.person.national_id)
    assert client.post(url, post).status_code == 403
    assert client.post(reverse("person_create"), person_post(fund_a)).status_code == 403
    assert snapshot() == before


def test_village_group_viewer_may_not_add_a_village_even_to_their_own_group(
    client: Any, fund_a: FundA
) -> None:
    world = fund_a.world
    client.force_login(world.viewer_a)
    before = snapshot()
    url = reverse("village_create", args=[world.group_a1.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"number": 9, "name": "ใหม่"}).status_code == 403
    assert snapshot() == before


def test_province_coordinator_sees_people_and_units_of_both_funds(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    world = fund_a.world
    client.force_login(world.coordinator)
    for person in (fund_a.person, fund_a.person_fund, fund_b.person):
        response = client.get(reverse("person_detail", args=[person.pk]))
        assert response.status_code == 200
        assert person.full_name in body(response)
    for unit in (world.fund_a, world.group_a2, world.fund_b, world.group_b1):
        assert client.get(reverse("unit_detail", args=[unit.pk])).status_code == 200
    text = body(client.get(reverse("person_list")))
    assert fund_a.person.full_name in text
    assert fund_b.person.full_name in text


def test_fund_a_chair_sees_fund_a_and_its_groups_but_nothing_of_fund_b(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    world = fund_a.world
    client.force_login(world.chair_a)
    for unit in (world.fund_a, world.group_a1, world.group_a2):
        assert client.get(reverse("unit_detail", args=[unit.pk])).status_code == 200
    for unit in (world.fund_b, world.group_b1, world.district, world.province):
        assert client.get(reverse("unit_detail", args=[unit.pk])).status_code == 404
    assert client.get(reverse("person_detail", args=[fund_b.person.pk])).status_code == 404
    assert client.get(reverse("household_detail", args=[fund_b.household.pk])).status_code == 404
    for name in ("person_list", "household_list"):
        text = body(client.get(reverse(name)))
        assert fund_a.person.full_name in text
        assert fund_b.person.full_name not in text
        assert "888/1" not in text


# ------------------------------------------------------------------ lists, search and counts


@pytest.mark.parametrize("name", ["person_list", "household_list"])
def test_lists_of_another_tambon_officer_hold_none_of_fund_a_data(
    client: Any, fund_a: FundA, fund_b: FundB, name: str
) -> None:
    client.force_login(fund_a.world.officer_b)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert fund_b.person.full_name in body(response)
    assert leaked(response, fund_a) == []


@pytest.mark.parametrize("typed", ["ทองใบ", "ศรีสมบูรณ์", "ทองใบ ศรี", "3-4001-00012-34-6"])
def test_search_for_a_fund_a_person_returns_no_rows_to_another_tambon_officer(
    client: Any, fund_a: FundA, typed: str
) -> None:
    world = fund_a.world
    client.force_login(world.chair_a)
    assert client.get(reverse("person_list"), {"q": typed}).context["page"].paginator.count == 1
    client.force_login(world.officer_b)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(reverse("person_list"), {"q": typed}, headers=headers)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0
        assert leaked(response, fund_a, typed=(typed,)) == []


def test_household_search_by_a_fund_a_member_name_finds_nothing_for_another_tambon_officer(
    client: Any, fund_a: FundA
) -> None:
    world = fund_a.world
    client.force_login(world.chair_a)
    assert (
        client.get(reverse("household_list"), {"q": "ทองใบ"}).context["page"].paginator.count == 1
    )
    client.force_login(world.officer_b)
    response = client.get(reverse("household_list"), {"q": "ทองใบ"})
    assert response.context["page"].paginator.count == 0
    assert leaked(response, fund_a, typed=("ทองใบ",)) == []


def test_home_counts_of_another_tambon_officer_leave_out_fund_a_people(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    world = fund_a.world
    client.force_login(world.officer_b)
    response = client.get(reverse("home"))
    assert [(unit, c["persons"], c["households"]) for unit, c in response.context["units"]] == [
        (world.fund_b, 1, 1)
    ]
    assert leaked(response, fund_a) == []
    client.force_login(world.chair_a)
    response = client.get(reverse("home"))
    assert [(unit, c["persons"], c["households"]) for unit, c in response.context["units"]] == [
        (world.fund_a, 3, 1)
    ]


# ------------------------------------------------------------------ reaching across from fund B


def test_officer_cannot_pull_a_fund_a_person_into_their_own_household(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    client.force_login(fund_a.world.officer_b)
    before = snapshot()
    response = client.post(
        reverse("household_member_add", args=[fund_b.household.pk]),
        {"person": fund_a.person_a2.pk, "relation": Relation.CHILD},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_officer_cannot_remove_a_fund_a_member_through_their_own_household_url(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    client.force_login(fund_a.world.officer_b)
    before = snapshot()
    response = client.post(
        reverse("household_member_remove", args=[fund_b.household.pk, fund_a.member.pk])
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_new_person_form_of_another_tambon_officer_offers_only_their_units_and_villages(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    world = fund_a.world
    client.force_login(world.officer_b)
    response = client.get(reverse("person_create"))
    assert response.status_code == 200
    assert world.group_b1.name in body(response)
    assert leaked(response, fund_a) == []
    form = response.context["form"]
    assert set(form.fields["org_unit"].queryset) == {world.fund_b, world.group_b1}
    assert set(form.fields["village"].queryset) == {world.village_b1}


def test_officer_cannot_register_a_person_into_fund_a_or_one_of_its_villages(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    world = fund_a.world
    client.force_login(world.officer_b)
    before = snapshot()
    into_fund_a = client.post(reverse("person_create"), person_post(fund_a))
    assert into_fund_a.status_code == 200
    assert "org_unit" in into_fund_a.context["form"].errors
    into_village_a = client.post(
        reverse("person_create"), person_post(fund_a, org_unit=world.group_b1.pk)
    )
    assert into_village_a.status_code == 200
    assert "village" in into_village_a.context["form"].errors
    assert snapshot() == before


def test_officer_typing_a_fund_a_national_id_is_refused_without_learning_whose_it_is(
    client: Any, fund_a: FundA, fund_b: FundB
) -> None:
    world = fund_a.world
    client.force_login(world.officer_b)
    before = snapshot()
    response = client.post(
        reverse("person_create"),
        {
            "org_unit": world.group_b1.pk,
            "title": "นาย",
            "first_name": "ใหม่",
            "last_name": "ทดลอง",
            "sex": "M",
            "national_id": fund_a.person.national_id,
            "confirm_duplicate": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"]
    assert "บุคคลในหน่วยอื่นที่คุณไม่มีสิทธิ์ดู" in body(response)
    assert leaked(response, fund_a, typed=(fund_a.person.national_id,)) == []
    assert snapshot() == before
