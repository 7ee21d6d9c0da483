"""Synthetic but realistic Thai people: names from syllable lists, valid national ID numbers.

Everything is drawn from a ``random.Random`` passed in, so a seed gives the same people every run.
Weights fall off with rank (a few name parts are very common, most are rare), roughly as in a
real register where "สม…" and "…ชัย" are everywhere.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# First names: a head and a tail ("สม" + "ชาย"), or a whole traditional name ("ปรีชา").
FIRST_HEADS = _words(
    """
    สม ประ สุ วิ ศรี บุญ ทอง กิตติ ธนา ณัฐ พร อร นิ จันทร์ ชัย อำ รัตน ปิยะ วรร สุข กมล
    อุ เพ็ญ แสง ไพ เกียรติ ธีร ภูมิ จิรา พิมพ์ กาญจ อนุ นพ ยุ ศุภ วัฒ มณี ดวง บัว ลำ คำ
    สาย เยาว อัญ ธิดา พัชร ชุติ ปณิ ภัทร อภิ
    """
)
FIRST_TAILS = _words(
    """
    ชาย ศักดิ์ ศรี พร ใจ ชัย ภรณ์ พงษ์ วุฒิ พล นภา ลักษณ์ รัตน์ มาศ ทิพย์ วรรณ ดา นี ยา
    กร ธร เดช สิทธิ์ ภา จิต ศิริ ชนก พันธ์ ชนะ วดี ทร เพ็ญ มล นันท์ กานต์ ธิดา สุดา
    พิมพ์ รินทร์ ปรีดา วงศ์ เกษม สาคร มงคล บุตร
    """
)
FIRST_WHOLE = _words(
    """
    ปรีชา มานพ บุญมี ทองดี แดง น้อย สมหมาย มาลี ประยูร สำราญ บุญเรือง คำปัน ทองใบ
    จำเนียร ละเอียด สังวาลย์ เฉลิม อุไร พยอม เสาวลักษณ์ กัญญา ณัฐวุฒิ ธนพล พิมพ์ชนก
    อรอุมา เกศินี ไพโรจน์ ยุพิน ลำดวน ฉวีวรรณ ทองสุข บัวผัน คำแปง แก้ว ศรีนวล เยาวลักษณ์
    """
)
# Family names: a head, sometimes a middle, and a tail ("แสง" + "ทอง" + "วงศ์").
LAST_HEADS = _words(
    """
    แสง ทอง ศรี บุญ ใจ สุข เจริญ วงศ์ ประเสริฐ รัตน จันทร์ ชัย มณี พร กิจ ศักดิ์ อินทร์
    คำ แก้ว เงิน นาค สาย มั่น ยืน พูน เพชร ทิพย์ สิริ วิ ธรรม โชติ เรือง สมบูรณ์ พึ่ง
    อ่อน ศิลา นาม ภู พิ เหล็ก
    """
)
LAST_MIDDLES = _words(
    """
    สวัสดิ์ ดี ทอง รุ่ง งาม ศรี เรือง ประเสริฐ สมบูรณ์ ยิ่ง มงคล สุข แก้ว คำ บุญ นิล
    จันทร์ ไชย พร ธน
    """
)
LAST_TAILS = _words(
    """
    วงศ์ กุล พันธ์ สกุล ชัย รักษ์ ไพศาล วัฒน์ สุข ธรรม ศักดิ์ เดช พงศ์ นนท์ ทิพย์ ทร
    วิเศษ มี ดี ศรี เจริญ สมบัติ ประเสริฐ นิมิตร ภักดี ไทย ชาติ รุ่งเรือง พานิช อนันต์
    """
)
VILLAGE_NAMES = _words(
    """
    หนองบัว โนนสูง ดอนแดง นาคำ หัวขัว โคกกลาง หนองแวง ป่าตาล ท่าช้าง สร้างแก้ว ห้วยทราย
    นาเจริญ โพนทอง บ่อแก หนองหิน ดงบัง คำเตย นาสีนวล โนนม่วง หนองไผ่
    """
)


def _zipf_weights(n: int, s: float = 0.9) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


@dataclass(frozen=True)
class PersonData:
    title: str
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    national_id: str


class ThaiPeople:
    """Draws people one by one; national IDs are unique within one instance."""

    def __init__(self, rng: random.Random) -> None:
        from chumchon.core.thai import national_id_check_digit  # after django.setup()

        self.rng = rng
        self._check_digit = national_id_check_digit
        self._seen_ids: set[str] = set()
        self._w_first_heads = _zipf_weights(len(FIRST_HEADS))
        self._w_first_tails = _zipf_weights(len(FIRST_TAILS))
        self._w_first_whole = _zipf_weights(len(FIRST_WHOLE))
        self._w_last_heads = _zipf_weights(len(LAST_HEADS), 0.7)
        self._w_last_middles = _zipf_weights(len(LAST_MIDDLES), 0.7)
        self._w_last_tails = _zipf_weights(len(LAST_TAILS), 0.7)

    def _pick(self, items: Sequence[str], weights: list[float]) -> str:
        return self.rng.choices(items, weights)[0]

    def first_name(self) -> str:
        if self.rng.random() < 0.15:
            return self._pick(FIRST_WHOLE, self._w_first_whole)
        head = self._pick(FIRST_HEADS, self._w_first_heads)
        tail = self._pick(FIRST_TAILS, self._w_first_tails)
        return head + tail

    def last_name(self) -> str:
        parts = [self._pick(LAST_HEADS, self._w_last_heads)]
        if self.rng.random() < 0.5:
            parts.append(self._pick(LAST_MIDDLES, self._w_last_middles))
        parts.append(self._pick(LAST_TAILS, self._w_last_tails))
        return "".join(parts)

    def national_id(self, birth_year: int, area_code: str) -> str:
        """A valid, unique 13-digit ID: type digit, 4-digit area code, 7 digits, check digit."""
        kind = "1" if birth_year >= 1984 else "3"
        while True:
            first12 = f"{kind}{area_code[:4]:0>4}{self.rng.randrange(10_000_000):07d}"
            nid = first12 + str(self._check_digit(first12))
            if nid not in self._seen_ids:
                self._seen_ids.add(nid)
                return nid

    def person(self, area_code: str, today: dt.date) -> PersonData:
        rng = self.rng
        sex = "M" if rng.random() < 0.49 else "F"
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(365 * 88))
        age = today.year - birth.year
        if age < 15:
            title = "ด.ช." if sex == "M" else "ด.ญ."
        elif sex == "M":
            title = "พระ" if rng.random() < 0.005 else "นาย"
        else:
            title = "นาง" if age >= 25 and rng.random() < 0.7 else "นางสาว"
        return PersonData(
            title=title,
            first_name=self.first_name(),
            last_name=self.last_name(),
            sex=sex,
            birth_date=birth,
            national_id=self.national_id(birth.year, area_code),
        )
