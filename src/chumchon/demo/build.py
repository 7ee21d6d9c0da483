"""Build the demo tambon: a pure, seeded plan (``plan_demo``) and its writing through the
services (``build_demo``), so every row has its history as if typed in by the registrar.

Everything is drawn from ``random.Random(seed)`` and dated against a fixed reference day, so two
builds with the same seed hold the same names, ID numbers and dates whenever they are run.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from chumchon.areas.models import (
    AgencyKind,
    District,
    OrgUnit,
    OrgUnitKind,
    Province,
    Subdistrict,
    Village,
)
from chumchon.areas.services import org_unit_create, role_assign, village_create
from chumchon.core.permissions import Role
from chumchon.core.thai import national_id_check_digit
from chumchon.people.models import Household, Person, Relation, Sex, Title
from chumchon.people.services import household_create, person_create, person_update

from . import data
from .funds import SIZES, FundsResult, build_funds
from .more_funds import build_more_funds

REFERENCE_DATE = dt.date(2026, 11, 1)  # ages are "on this day": the demo does not age
TERM_START = dt.date(2024, 10, 1)
FORMER_TERM = (dt.date(2020, 10, 1), dt.date(2024, 9, 30))
PASSWORD = "chumchon"

PROVINCE_CODE = "40"  # ขอนแก่น
DISTRICT_CODE = "4002"  # บ้านฝาง
MAIN_TAMBON_CODE = "400202"  # ป่าหวายนั่ง
OTHER_TAMBON_CODE = "400207"  # โคกงาม

MAIN_HOUSEHOLDS = 200
OTHER_HOUSEHOLDS = 7
# Households per village of the main tambon (sums to MAIN_HOUSEHOLDS).
MAIN_VILLAGE_HOUSEHOLDS = (34, 30, 26, 32, 24, 28, 26)

# Household size: 2-5 members, mean about 3 (Isan households are small: the young work away).
SIZE_WEIGHTS = {2: 33, 3: 37, 4: 22, 5: 8}

# Compositions per size: (members after the head, head age range, weight, head is usually male).
# S spouse, C child, A adult child, P parent of the head, G grandchild, R child-in-law.
TEMPLATES: dict[int, list[tuple[str, tuple[int, int], int, bool]]] = {
    2: [
        ("S", (30, 45), 2, True),
        ("S", (60, 80), 4, True),
        ("C", (30, 55), 2, False),
        ("G", (58, 80), 2, False),
    ],
    3: [
        ("SC", (30, 50), 6, True),
        ("SG", (55, 78), 3, True),
        ("AG", (58, 80), 1, False),
        ("SP", (30, 50), 1, True),
        ("SA", (50, 72), 2, True),
    ],
    4: [
        ("SCC", (30, 50), 5, True),
        ("SCP", (32, 52), 2, True),
        ("SGG", (55, 78), 2, True),
        ("SAG", (55, 75), 2, True),
    ],
    5: [
        ("SCCP", (33, 52), 2, True),
        ("SARG", (55, 75), 2, True),
        ("SCCC", (32, 48), 1, True),
    ],
}
RELATION_OF = {
    "H": Relation.HEAD,
    "S": Relation.SPOUSE,
    "C": Relation.CHILD,
    "A": Relation.CHILD,
    "P": Relation.PARENT,
    "G": Relation.GRANDCHILD,
    "R": Relation.RELATIVE,
}


class _Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


# ---------------------------------------------------------------------------------------------
# The plan: pure data, no database
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonPlan:
    relation: str
    title: str
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date | None
    birth_year: int
    national_id: str
    phone: str = ""
    death_date: dt.date | None = None
    note: str = ""

    def age(self) -> int:
        if self.birth_date is None:
            return REFERENCE_DATE.year - self.birth_year
        b = self.birth_date
        return (
            REFERENCE_DATE.year
            - b.year
            - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (b.month, b.day))
        )


@dataclass(frozen=True)
class HouseholdPlan:
    fund: str  # "main" or "other"
    village_number: int
    house_number: str
    house_registration_no: str
    members: tuple[PersonPlan, ...]


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    households: tuple[HouseholdPlan, ...]

    def persons(self, fund: str | None = None) -> list[PersonPlan]:
        return [p for h in self.households if fund is None or h.fund == fund for p in h.members]

    def fingerprint(self) -> list[tuple[str, str, str]]:
        return sorted((p.first_name, p.last_name, p.national_id) for p in self.persons())


def _check_digit_11(first10: str) -> int:
    total = sum(int(d) * (11 - i) for i, d in enumerate(first10))
    return (11 - total % 11) % 10


@dataclass
class _Planner:
    rng: random.Random
    ids: set[str] = field(default_factory=set)
    house_reg_seq: int = 0

    # -- identity numbers -------------------------------------------------------------------

    def national_id(self, birth_year: int, *, non_thai: bool = False) -> str:
        rng = self.rng
        while True:
            if non_thai:
                first = "0"
                office = data.HOME_OFFICE
            else:
                # Type 1: born from 1984 and registered in time; type 3: registered before 1984.
                first = "1" if birth_year >= 1984 else "3"
                office = data.HOME_OFFICE if rng.random() < 0.8 else rng.choice(data.OTHER_OFFICES)
            body = f"{first}{office}{rng.randrange(100000):05d}{rng.randrange(1, 100):02d}"
            nid = body + str(national_id_check_digit(body))
            if nid not in self.ids:
                self.ids.add(nid)
                return nid

    def house_registration_no(self) -> str:
        self.house_reg_seq += self.rng.randint(1, 37)
        first10 = f"{data.HOME_OFFICE}{self.house_reg_seq:06d}"
        return first10 + str(_check_digit_11(first10))

    def phone(self) -> str:
        return self.rng.choice(data.PHONE_PREFIXES) + f"{self.rng.randrange(10_000_000):07d}"

    # -- people -----------------------------------------------------------------------------

    def birth_date(self, age: int) -> dt.date:
        """A birth date making the person exactly ``age`` on the reference day."""
        latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
        earliest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age - 1) + dt.timedelta(1)
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def given_name(self, sex: str, birth_year: int, taken: set[str]) -> str:
        generation = 0 if birth_year < 1966 else (1 if birth_year < 1992 else 2)
        if self.rng.random() < 0.15:  # parents' tastes vary: sometimes a neighbouring generation
            generation = min(2, max(0, generation + self.rng.choice((-1, 1))))
        pool = (data.MALE_NAMES if sex == Sex.MALE else data.FEMALE_NAMES)[generation]
        while True:
            name = self.rng.choice(pool)
            if name not in taken:
                taken.add(name)
                return name

    def person(
        self,
        *,
        relation: str,
        sex: str,
        age: int,
        last_name: str,
        married: bool,
        taken: set[str],
        non_thai: bool = False,
    ) -> PersonPlan:
        rng = self.rng
        birth = self.birth_date(age)
        if age < 15:
            title = Title.BOY if sex == Sex.MALE else Title.GIRL
        elif sex == Sex.MALE:
            title = Title.MR
        else:
            title = Title.MRS if married else Title.MISS
        known_date: dt.date | None = birth
        if age >= 60 and rng.random() < 0.12:
            known_date = None  # old registrations often hold only the year of birth
        return PersonPlan(
            relation=relation,
            title=title,
            first_name=self.given_name(sex, birth.year, taken),
            last_name=last_name,
            sex=sex,
            birth_date=known_date,
            birth_year=birth.year,
            national_id=self.national_id(birth.year, non_thai=non_thai),
            phone=self.phone() if age >= 18 and rng.random() < 0.45 else "",
            note=data.NON_THAI_NOTE if non_thai else "",
        )

    def household(self, fund: str, village_number: int, house_number: str) -> HouseholdPlan:
        rng = self.rng
        size = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()))[0]
        options = TEMPLATES[size]
        codes, (lo, hi), _, male_head = rng.choices(options, weights=[o[2] for o in options])[0]
        surname = rng.choice(data.SURNAMES)
        head_age = rng.randint(lo, hi)
        head_sex = Sex.MALE if rng.random() < (0.8 if male_head else 0.3) else Sex.FEMALE
        has_spouse = "S" in codes
        taken: set[str] = set()
        members = [
            self.person(
                relation=Relation.HEAD,
                sex=head_sex,
                age=head_age,
                last_name=surname,
                # A woman heading a home alone is mostly widowed or divorced: still นาง.
                married=has_spouse or head_age >= 35 or rng.random() < 0.5,
                taken=taken,
            )
        ]
        mother_age = head_age
        adult: PersonPlan | None = None
        in_law: PersonPlan | None = None
        for code in codes:
            other_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            if code == "S":
                gap = rng.randint(-2, 6)
                age = max(20, head_age - gap if head_sex == Sex.MALE else head_age + gap)
                mother_age = head_age if head_sex == Sex.FEMALE else age
                non_thai = fund == "main" and rng.random() < 0.015
                keeps_name = other_sex == Sex.FEMALE and (non_thai or rng.random() < 0.15)
                members.append(
                    self.person(
                        relation=Relation.SPOUSE,
                        sex=other_sex,
                        age=age,
                        last_name=rng.choice(data.SURNAMES) if keeps_name else surname,
                        married=True,
                        taken=taken,
                        non_thai=non_thai,
                    )
                )
            elif code == "C":
                age = mother_age - rng.randint(20, 36)
                age = min(25, age) if age >= 1 else rng.randint(1, 4)
                members.append(
                    self.person(
                        relation=Relation.CHILD,
                        sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                        age=age,
                        last_name=surname,
                        married=False,
                        taken=taken,
                    )
                )
            elif code == "A":
                age = max(20, head_age - rng.randint(22, 34))
                adult = self.person(
                    relation=Relation.CHILD,
                    sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                    age=age,
                    last_name=surname,
                    married="R" in codes or rng.random() < 0.4,
                    taken=taken,
                )
                members.append(adult)
            elif code == "R":
                assert adult is not None
                in_law_sex = Sex.FEMALE if adult.sex == Sex.MALE else Sex.MALE
                in_law = self.person(
                    relation=Relation.RELATIVE,
                    sex=in_law_sex,
                    age=max(20, adult.age() + rng.randint(-4, 4)),
                    # A daughter-in-law takes the family name; a son-in-law keeps his own.
                    last_name=surname if in_law_sex == Sex.FEMALE else rng.choice(data.SURNAMES),
                    married=True,
                    taken=taken,
                )
                members.append(in_law)
            elif code == "P":
                sex = Sex.FEMALE if rng.random() < 0.65 else Sex.MALE
                members.append(
                    self.person(
                        relation=Relation.PARENT,
                        sex=sex,
                        age=min(95, head_age + rng.randint(20, 32)),
                        last_name=surname if head_sex == Sex.MALE else rng.choice(data.SURNAMES),
                        married=True,
                        taken=taken,
                    )
                )
            elif code == "G":
                base = adult.age() if adult is not None else head_age - rng.randint(22, 30)
                age = max(1, min(17, base - rng.randint(18, 30)))
                if in_law is not None and in_law.sex == Sex.MALE:
                    last_name = in_law.last_name
                elif adult is None and rng.random() < 0.3:
                    last_name = rng.choice(data.SURNAMES)  # a daughter's child, sent home
                else:
                    last_name = surname
                members.append(
                    self.person(
                        relation=Relation.GRANDCHILD,
                        sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                        age=age,
                        last_name=last_name,
                        married=False,
                        taken=taken,
                    )
                )
        return HouseholdPlan(
            fund=fund,
            village_number=village_number,
            house_number=house_number,
            house_registration_no=self.house_registration_no(),
            members=tuple(members),
        )

    def house_numbers(self, count: int) -> list[str]:
        numbers: list[str] = []
        n = self.rng.randint(1, 15)
        while len(numbers) < count:
            if numbers and "/" not in numbers[-1] and self.rng.random() < 0.1:
                numbers.append(f"{n}/1")  # a second house on the same plot
                continue
            n += self.rng.randint(1, 5)
            numbers.append(str(n))
        return numbers


def plan_demo(seed: int = 2569) -> DemoPlan:
    """The whole demo population, decided by the seed alone (no database, no clock)."""
    planner = _Planner(random.Random(seed))
    households: list[HouseholdPlan] = []
    for number, count in enumerate(MAIN_VILLAGE_HOUSEHOLDS, start=1):
        for house in planner.house_numbers(count):
            households.append(planner.household("main", number, house))
    for house in planner.house_numbers(OTHER_HOUSEHOLDS):
        households.append(planner.household("other", 1, house))

    # A few deaths among the oldest who are not heads (the head stays the registered contact).
    rng = planner.rng
    candidates = [
        (i, j)
        for i, h in enumerate(households)
        if h.fund == "main"
        for j, p in enumerate(h.members)
        if p.relation != Relation.HEAD and p.age() >= 70
    ]
    for i, j in sorted(rng.sample(candidates, min(4, len(candidates)))):
        hh = households[i]
        person = hh.members[j]
        died = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 880))
        members = list(hh.members)
        members[j] = replace(person, death_date=died, phone="")
        households[i] = replace(hh, members=tuple(members))
    return DemoPlan(seed=seed, households=tuple(households))


# ---------------------------------------------------------------------------------------------
# Writing it: through the services, in one transaction
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str
    note: str = ""


@dataclass
class DemoResult:
    seed: int
    tambon_code: str
    tambon_name: str
    other_tambon_code: str
    other_tambon_name: str
    district_name: str
    province_name: str
    villages: int
    households: int
    persons: int
    other_households: int
    other_persons: int
    deaths: int
    users: int
    edits: int
    logins: list[DemoLogin]
    password: str
    seconds: float
    funds: FundsResult | None = None


class DemoError(Exception):
    """The demo cannot be built here (the database is not empty, or area data is missing)."""


def _say(stdout: _Writer | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def _place(unit: OrgUnit, **fields: Any) -> None:
    """Set the province/district of a unit above tambon level (the service derives them only
    from a subdistrict). Descriptive fields, not history-worthy: a plain update."""
    OrgUnit.objects.filter(pk=unit.pk).update(**fields)
    for key, value in fields.items():
        setattr(unit, key, value)


def _typo(surname: str) -> str | None:
    """A common misspelling (ศ/ส, ษ/ส, ค/ข), or None if the name offers none."""
    for right, wrong in (("ศ", "ส"), ("ข", "ค"), ("ษ", "ส")):
        if right in surname:
            return surname.replace(right, wrong, 1)
    return None


def build_demo(
    *, seed: int = 2569, stdout: _Writer | None = None, fund_size: str | None = "full"
) -> DemoResult:
    """Write the demo into the (empty) current database and say what was made.

    ``fund_size`` is how much fund history to write (see ``funds.SIZES``: ``"full"`` is about
    three years of the whole tambon, ``"small"`` a shorter one for tests); ``None`` writes none.
    """
    started = time.perf_counter()
    if fund_size is not None and fund_size not in SIZES:
        raise DemoError(f"unknown fund size {fund_size!r}: one of {', '.join(SIZES)}")
    plan = plan_demo(seed)
    User = get_user_model()
    if OrgUnit.objects.exists() or Person.objects.exists() or User.objects.exists():
        raise DemoError(
            "ฐานข้อมูลนี้มีข้อมูลอยู่แล้ว สร้างข้อมูลตัวอย่างได้เฉพาะในฐานข้อมูลว่าง "
            "(the database is not empty: the demo is built only into an empty one)"
        )
    try:
        province = Province.objects.get(code=PROVINCE_CODE)
        district = District.objects.get(code=DISTRICT_CODE)
        tambon = Subdistrict.objects.get(code=MAIN_TAMBON_CODE)
        other_tambon = Subdistrict.objects.get(code=OTHER_TAMBON_CODE)
    except (Province.DoesNotExist, District.DoesNotExist, Subdistrict.DoesNotExist) as exc:
        raise DemoError(
            "ไม่พบข้อมูลจังหวัด/อำเภอ/ตำบล กรุณารัน migrate หรือ load_areas ก่อน "
            "(area data missing: run migrate or load_areas first)"
        ) from exc

    with transaction.atomic():
        # -- users (one password hash for all: hashing 14 times would be most of the build) --
        hashed = make_password(PASSWORD)
        users: dict[str, Any] = {}
        for username, (first, last) in data.USER_NAMES.items():
            is_admin = username == "admin"
            users[username] = User.objects.create(
                username=username,
                password=hashed,
                first_name=first,
                last_name=last,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
        admin = users["admin"]

        # -- the org tree ----------------------------------------------------------------------
        _say(stdout, f"  หน่วยงานและหมู่บ้าน: {tambon.full_name()} ({tambon.code})")
        nation = org_unit_create(name="ประเทศไทย", kind=OrgUnitKind.NATION, actor=admin)
        network = org_unit_create(
            name=f"เครือข่ายสวัสดิการชุมชนจังหวัด{province.name_th}",
            kind=OrgUnitKind.PROVINCE_NETWORK,
            parent=nation,
            actor=admin,
        )
        _place(network, province=province)
        district_unit = org_unit_create(
            name=f"เครือข่ายอำเภอ{district.name_th}",
            kind=OrgUnitKind.DISTRICT,
            parent=network,
            actor=admin,
        )
        _place(district_unit, province=province, district=district)
        fund = org_unit_create(
            name=f"กองทุนสวัสดิการชุมชนตำบล{tambon.name_th}",
            kind=OrgUnitKind.FUND,
            parent=district_unit,
            subdistrict=tambon,
            actor=admin,
        )
        local_authority = org_unit_create(
            name=f"องค์การบริหารส่วนตำบล{tambon.name_th}",
            kind=OrgUnitKind.LOCAL_AUTHORITY,
            parent=district_unit,
            subdistrict=tambon,
            actor=admin,
        )
        health = org_unit_create(
            name=f"รพ.สต.{tambon.name_th}",
            kind=OrgUnitKind.AGENCY,
            parent=local_authority,
            subdistrict=tambon,
            agency_kind=AgencyKind.HEALTH,
            actor=admin,
        )
        other_fund = org_unit_create(
            name=f"กองทุนสวัสดิการชุมชนตำบล{other_tambon.name_th}",
            kind=OrgUnitKind.FUND,
            parent=district_unit,
            subdistrict=other_tambon,
            actor=admin,
        )
        villages: dict[tuple[str, int], Village] = {}
        groups: dict[tuple[str, int], OrgUnit] = {}
        for key, sub, names, parent in (
            ("main", tambon, data.MAIN_VILLAGES, fund),
            ("other", other_tambon, data.OTHER_VILLAGES, other_fund),
        ):
            for number, name in enumerate(names, start=1):
                village = village_create(subdistrict=sub, number=number, name=name, actor=admin)
                villages[key, number] = village
                groups[key, number] = org_unit_create(
                    name=f"กลุ่มสวัสดิการหมู่ที่ {number} {name}",
                    kind=OrgUnitKind.VILLAGE_GROUP,
                    parent=parent,
                    village=village,
                    actor=admin,
                )

        # -- roles -----------------------------------------------------------------------------
        # What each fund role does in the demo's books (shown with the logins).
        fund_notes = {
            Role.CHAIR: "อนุมัติสมาชิกใหม่ (approves members)",
            Role.TREASURER: (
                "รับชำระเงินกลุ่มหมู่ 1, 4, 7 ยกเลิกใบเสร็จ รับเงินสมทบ ปิดงวดบัญชี "
                "(collects in villages 1, 4, 7, voids, records matching money, closes periods)"
            ),
            Role.SECRETARY: "เก็บเงินกลุ่มหมู่ 2 และ 5 (collects in villages 2, 5)",
            Role.REGISTRAR: (
                "รับสมัคร ลาออก แจ้งเสียชีวิต เก็บเงินกลุ่มหมู่ 3 และ 6 "
                "(applications, resignations, deaths; collects in villages 3, 6)"
            ),
        }
        assignments: list[tuple[str, str, OrgUnit, str]] = [
            (role, role, fund, fund_notes.get(role, "") if fund_size is not None else "")
            for role in (
                Role.CHAIR,
                Role.VICE_CHAIR,
                Role.TREASURER,
                Role.SECRETARY,
                Role.REGISTRAR,
                Role.AUDITOR,
                Role.COMMITTEE,
            )
        ]
        assignments += [
            ("viewer", Role.VIEWER, groups["main", 1], ""),
            # The อบต. officer who sits on the fund committee holds the role at the fund; a role
            # at the อบต. unit itself would not cover the fund (a sibling).
            ("local_officer", Role.LOCAL_OFFICER, fund, "เจ้าหน้าที่ อบต. ในคณะกรรมการกองทุน"),
            ("coordinator", Role.COORDINATOR, network, ""),
            (
                "caseworker",
                Role.CASEWORKER,
                health,
                "ยังไม่มีผู้รับการส่งต่อ: รายชื่อว่าง (no referred cases yet)",
            ),
            ("other_fund", Role.CHAIR, other_fund, "อีกตำบลหนึ่ง: ไม่เห็นข้อมูลของกองทุนแรก"),
        ]
        logins: list[DemoLogin] = []
        for username, role, unit, note in assignments:
            role_assign(
                user=users[username], org_unit=unit, role=role, start_date=TERM_START, actor=admin
            )
            logins.append(DemoLogin(username, str(Role(role).label), unit.name, note))
        role_assign(
            user=users["former_chair"],
            org_unit=fund,
            role=Role.CHAIR,
            start_date=FORMER_TERM[0],
            end_date=FORMER_TERM[1],
            actor=admin,
        )
        logins.append(
            DemoLogin(
                "former_chair",
                str(Role.CHAIR.label),
                fund.name,
                "หมดวาระ 30 ก.ย. 2567: ไม่เห็นข้อมูลใด (term ended: sees nothing)",
            )
        )
        logins.append(DemoLogin("admin", "ผู้ดูแลระบบ (superuser)", "ทุกหน่วย", "/admin/"))

        # -- households and people ---------------------------------------------------------------
        _say(stdout, f"  ครัวเรือนและบุคคล: {len(plan.households)} ครัวเรือน")
        registrars = {"main": users["registrar"], "other": users["other_fund"]}
        typo_done = False
        typo_target: tuple[Person, str] | None = None
        created: list[tuple[HouseholdPlan, list[Person]]] = []
        for hh in plan.households:
            actor = registrars[hh.fund]
            village = villages[hh.fund, hh.village_number]
            unit = groups[hh.fund, hh.village_number]
            household = household_create(
                actor=actor,
                org_unit=unit,
                house_registration_no=hh.house_registration_no,
                house_number=hh.house_number,
                village=village,
            )
            persons: list[Person] = []
            for p in hh.members:
                last_name = p.last_name
                if not typo_done and hh.fund == "main" and p.relation == Relation.HEAD:
                    wrong = _typo(p.last_name)
                    if wrong is not None:
                        last_name, typo_done = wrong, True
                person = person_create(
                    actor=actor,
                    org_unit=unit,
                    household=household,
                    relation=p.relation,
                    title=p.title,
                    first_name=p.first_name,
                    last_name=last_name,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    birth_year=p.birth_year,
                    national_id=p.national_id,
                    phone=p.phone,
                    house_number=hh.house_number,
                    village=village,
                    death_date=p.death_date,
                    note=p.note,
                )
                if last_name != p.last_name:
                    typo_target = (person, p.last_name)
                persons.append(person)
            created.append((hh, persons))

        # -- a few edits, so the history screens have something to show -------------------------
        edits = _edits(created, typo_target, users)

        # -- the welfare funds' books: members, collection days, payments, matching money ---------
        books = None
        if fund_size is not None:
            books = build_funds(
                fund_unit=fund,
                other_unit=other_fund,
                users=users,
                seed=seed,
                size=fund_size,
                stdout=stdout,
            )
            # Two more funds in the province (full size only), then every fund's summaries.
            books = build_more_funds(
                network=network,
                district=district_unit,
                users=users,
                logins=logins,
                books=books,
                seed=seed,
                size=fund_size,
                stdout=stdout,
            )

    main_persons = Person.objects.filter(org_unit__path__startswith=fund.path)
    result = DemoResult(
        seed=seed,
        tambon_code=tambon.code,
        tambon_name=str(tambon),
        other_tambon_code=other_tambon.code,
        other_tambon_name=str(other_tambon),
        district_name=str(district),
        province_name=str(province),
        villages=Village.objects.filter(subdistrict=tambon).count(),
        households=Household.objects.filter(org_unit__path__startswith=fund.path).count(),
        persons=main_persons.count(),
        other_households=Household.objects.filter(
            org_unit__path__startswith=other_fund.path
        ).count(),
        other_persons=Person.objects.filter(org_unit__path__startswith=other_fund.path).count(),
        deaths=main_persons.filter(death_date__isnull=False).count(),
        users=User.objects.count(),
        edits=edits,
        logins=logins,
        password=PASSWORD,
        seconds=time.perf_counter() - started,
        funds=books,
    )
    return result


def _edits(
    created: Sequence[tuple[HouseholdPlan, list[Person]]],
    typo_target: tuple[Person, str] | None,
    users: dict[str, Any],
) -> int:
    registrar, secretary = users["registrar"], users["secretary"]
    main = [(hh, persons) for hh, persons in created if hh.fund == "main"]
    count = 0
    if typo_target is not None:
        person, right = typo_target
        person_update(
            actor=registrar,
            person=person,
            last_name=right,
            reason="แก้ไขนามสกุลให้ตรงกับบัตรประจำตัวประชาชน (เดิมสะกดผิด)",
        )
        count += 1
    # New phone numbers for two heads who have one.
    rng = random.Random(len(created))
    with_phone = [persons[0] for _, persons in main if persons[0].phone]
    for person, actor in zip(with_phone[2:4], (registrar, secretary), strict=False):
        new = rng.choice(data.PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
        person_update(actor=actor, person=person, phone=new, reason="เปลี่ยนหมายเลขโทรศัพท์ตามที่แจ้ง")
        count += 1
    # A death reported after registration: an elder (not the head) of a mid-list household.
    for _, persons in main[40:]:
        elder = next(
            (
                p
                for p in persons[1:]
                if p.death_date is None and (REFERENCE_DATE.year - (p.birth_year or 0)) >= 75
            ),
            None,
        )
        if elder is not None:
            person_update(
                actor=registrar,
                person=elder,
                death_date=dt.date(2026, 9, 14),
                reason="ญาติแจ้งการเสียชีวิต พร้อมสำเนาใบมรณบัตร",
            )
            count += 1
            break
    return count
