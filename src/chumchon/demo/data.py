"""Names and places for the demo: plausible for a tambon in Khon Kaen (Isan), written for this
project. Given names are grouped by generation, because a grandmother named ปุณยาพร or a boy
named บุญมา would look wrong: *traditional* for people born before about 1966, *middle* for
1966-1991, *modern* for 1992 onwards.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MALE_TRADITIONAL: Final[tuple[str, ...]] = _words(
    """
    บุญมี บุญเลิศ บุญส่ง บุญชู บุญมา ทองดี ทองใบ ทองคำ คำปั่น
    คำพอง คำสิงห์ คำมี พรหมมา สมาน ถาวร เฉลิม อุดม ปัญญา หนูกร
    จันทร์ที
    """
)
MALE_MIDDLE: Final[tuple[str, ...]] = _words(
    """
    สมชาย สมศักดิ์ สมพงษ์ สมบัติ สมหมาย ประยูร ประสิทธิ์
    ประเสริฐ วิชัย วีระ สุรชัย อนันต์ ณรงค์ สุวิทย์ มานพ
    ไพโรจน์ ชัยวัฒน์ วิเชียร สุพจน์ ชาตรี
    """
)
MALE_MODERN: Final[tuple[str, ...]] = _words(
    """
    ธนากร ณัฐพล ธีรวัฒน์ กิตติศักดิ์ พงศกร ศุภชัย อภิชาติ
    เอกชัย ธนพล ภานุวัฒน์ ปิยะพงษ์ นพดล ธนภัทร ภูริภัทร ณัฐวุฒิ
    ธีรภัทร พีรพัฒน์ ศุภกร กฤษดา ปัณณวัฒน์
    """
)

FEMALE_TRADITIONAL: Final[tuple[str, ...]] = _words(
    """
    บัวผัน บัวเรียน บัวลอย คำพัน คำปุ่น คำแพง ทองม้วน ทองพูน
    จันทร์เพ็ญ จันทร์หอม บุญเรือน บุญหลาย บุญเพ็ง ผ่องศรี
    ละเอียด สุดใจ ประคอง หนูพิน แสงจันทร์ อำพร
    """
)
FEMALE_MIDDLE: Final[tuple[str, ...]] = _words(
    """
    มาลี วันดี สมศรี สมจิตร สุนีย์ ประไพ พรทิพย์ รัตนา อรุณี
    ยุพิน วิไลวรรณ นงลักษณ์ สุกัญญา กาญจนา จิราพร เพ็ญศรี
    ศิริพร อัมพร ดวงใจ บังอร
    """
)
FEMALE_MODERN: Final[tuple[str, ...]] = _words(
    """
    ณัฐธิดา กัญญารัตน์ ปวีณา สุภาวดี ชลธิชา ธิดารัตน์ พิมพ์ชนก
    ศิริวรรณ อรอุมา นันทิชา ปิยะธิดา ภัทรา กมลชนก ณัฐณิชา
    ปุณยาพร พัชราภา ชนิดาภา วรรณิดา ธัญชนก อภิญญา
    """
)

MALE_NAMES: Final[tuple[tuple[str, ...], ...]] = (MALE_TRADITIONAL, MALE_MIDDLE, MALE_MODERN)
FEMALE_NAMES: Final[tuple[tuple[str, ...], ...]] = (
    FEMALE_TRADITIONAL,
    FEMALE_MIDDLE,
    FEMALE_MODERN,
)

SURNAMES: Final[tuple[str, ...]] = _words(
    """
    ศรีสุข ใจดี ทองดี มีสุข ภูมิสะอาด แก้วมณี บุญมา พรหมมา
    ศรีบุญเรือง สุขเจริญ ไชยสงคราม จันทร์หอม นามวงศ์ ชัยมงคล
    แสนสุข ศรีวงษ์ พิมพ์ทอง คำภูแสน ภูผาทอง ดวงจันทร์ สีหาราช
    บุตรดี วงศ์ษา ทองสุข ผาสุข ศรีสะอาด นาคสุข อินทร์แก้ว
    บุญประเสริฐ แสงอรุณ คำมุงคุณ ศรีโคตร พลเยี่ยม มูลมณี ไชยชนะ
    โคตรชมภู ศรีลาพัฒน์ บุญเรือง แสนพันธ์ ภูเงิน ทองมา คำแสน
    สุวรรณศรี พันธุ์ดี หอมจันทร์ โพธิ์ศรี ศรีนาค นาคำ มะลิวัลย์
    บุญศรี ชาญชัย ขันทอง สุดสะอาด จันทร์แก้ว สายทอง ปัญญาดี
    รักษาพล วงศ์ใหญ่ หล้าสุด ทองประเสริฐ อุ่นใจ ศรีจันทร์ พลศรี
    โสภา อินทนาม คำผา บุญหล้า ภูมิวงศ์ เสนาสุข ชมภูพาน
    แก้วกัณหา ขุนทอง บัวลา สิงห์ทอง แสงสว่าง วิเศษสุข ทาทอง
    พรมทา ศรีประเสริฐ กองแก้ว มณีวงศ์ จำปาทอง ดีพร้อม
    สมบูรณ์ชัย เจริญสุข สุขสวัสดิ์ รุ่งเรือง ทองคำแสน ศรีเมือง
    นาทอง โนนทอง บุญยืน คำวงศ์ ภักดี สิทธิวงศ์ ชัยศรี ศรีอุดม
    พึ่งทอง ไชยวงศ์ ดอนสกุล พลอาสา สุขประเสริฐ ผลดี ยอดคำ
    หมื่นแสน แพงศรี คำหล้า อ่อนศรี เหล่าสุวรรณ ทองจันทร์
    บุญโคตร ศรีทอง กาญจนวงศ์ จันทร์ทา นามบุตร อุดมศรี ทองแสน
    พรมมี สีดาคำ วงศ์คำ
    """
)

# The main tambon's villages (หมู่ที่ 1..7). DOPA publishes no village list; these are
# plausible local names, not a claim about the real villages of the tambon.
MAIN_VILLAGES: Final[tuple[str, ...]] = _words(
    """
    บ้านป่าหวายนั่ง บ้านโนนสะอาด บ้านหนองแวง บ้านโคกสูง
    บ้านดอนหัน บ้านหนองบัวน้อย บ้านนาคำ
    """
)
OTHER_VILLAGES: Final[tuple[str, ...]] = ("บ้านโคกงาม",)

# Where registration offices are, for the digits 2-5 of an ID number: mostly the home district,
# some people registered elsewhere in Khon Kaen or in neighbouring provinces.
HOME_OFFICE: Final = "4002"
OTHER_OFFICES: Final[tuple[str, ...]] = ("4001", "4010", "4016", "4005", "4601", "4401", "3901")

PHONE_PREFIXES: Final[tuple[str, ...]] = _words("081 084 086 087 089 091 092 095 098 061 063 064")

# Non-Thai residents (spouses from across the Mekong): noted on the record.
NON_THAI_NOTE: Final = "สัญชาติลาว ถือบัตรประจำตัวผู้ไม่มีสัญชาติไทย"

# (username, first name, last name): one demo login per role, all with the demo password.
USER_NAMES: Final[dict[str, tuple[str, str]]] = {
    "chair": ("สมศักดิ์", "ศรีบุญเรือง"),
    "vice_chair": ("บัวเรียน", "แสนสุข"),
    "treasurer": ("มาลี", "ทองประเสริฐ"),
    "secretary": ("วิไลวรรณ", "คำภูแสน"),
    "registrar": ("ณัฐพล", "พิมพ์ทอง"),
    "auditor": ("ประเสริฐ", "ไชยชนะ"),
    "committee": ("บุญส่ง", "ภูมิวงศ์"),
    "viewer": ("อรุณี", "ดวงจันทร์"),
    "local_officer": ("กิตติศักดิ์", "สุขสวัสดิ์"),
    "coordinator": ("วันดี", "รักษาพล"),
    "caseworker": ("ชลธิชา", "มณีวงศ์"),
    "other_fund": ("สุรชัย", "โนนทอง"),
    "former_chair": ("ทองใบ", "ศรีสุข"),
    "admin": ("ผู้ดูแล", "ระบบตัวอย่าง"),
}
