"""The chart of accounts every fund starts with, from the CODI statement categories.

``category`` is the stable tag reports read; a fund may rename an account or add its own.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

# The 16 benefit categories of national reporting (domain.md).
BENEFIT_CATEGORIES: list[tuple[str, str]] = [
    ("01", N_("เกิด/คลอดบุตร")),
    ("02", N_("เจ็บป่วย/รักษาพยาบาล")),
    ("03", N_("ผู้สูงอายุ")),
    ("04", N_("เสียชีวิต")),
    ("05", N_("ค่าจัดการศพ")),
    ("06", N_("ผู้ด้อยโอกาส/ผู้พิการ")),
    ("07", N_("ส่งเสริมอาชีพ")),
    ("08", N_("การศึกษา")),
    ("09", N_("ประเพณีและวัฒนธรรม")),
    ("10", N_("ซ่อมแซม/สร้างที่อยู่อาศัย")),
    ("11", N_("ภัยพิบัติ")),
    ("12", N_("กิจกรรมสาธารณประโยชน์")),
    ("13", N_("ทรัพยากรธรรมชาติและสิ่งแวดล้อม")),
    ("14", N_("อื่น ๆ: ประชาสัมพันธ์")),
    ("15", N_("อื่น ๆ: คืนกลับองค์กร")),
    ("16", N_("อื่น ๆ: โควิด-19")),
]

# (code, Thai name, kind, category, is_cash)
CHART: list[tuple[str, str, str, str, bool]] = [
    ("1101", N_("เงินสด"), "asset", "cash", True),
    ("1102", N_("เงินฝากธนาคาร"), "asset", "bank", True),
    ("3101", N_("ทุนกองทุนยกมา"), "equity", "equity.opening", False),
    ("4101", N_("เงินสมทบจากสมาชิก"), "income", "income.members", False),
    ("4102", N_("ค่าสมัครสมาชิก"), "income", "income.entry_fees", False),
    ("4103", N_("เงินบริจาค"), "income", "income.donation", False),
    ("4104", N_("ดอกเบี้ยเงินฝาก"), "income", "income.interest", False),
    ("4105", N_("เงินสมทบจาก อปท."), "income", "income.local_gov", False),
    ("4106", N_("เงินทุนประเดิมจาก พอช."), "income", "income.codi_seed", False),
    ("4107", N_("เงินสมทบจากรัฐบาลผ่าน พอช."), "income", "income.state_codi", False),
    ("4108", N_("เงินสนับสนุนจากหน่วยงานรัฐอื่น"), "income", "income.other_state", False),
    ("4109", N_("ผลกำไรจากกลุ่มการเงินชุมชน"), "income", "income.group_profit", False),
    ("4199", N_("รายได้อื่น"), "income", "income.other", False),
    *[
        (f"51{code}", name, "expense", f"benefit.{code}", False)
        for code, name in BENEFIT_CATEGORIES
    ],
    ("5201", N_("ค่าตอบแทนผู้ปฏิบัติงาน"), "expense", "admin.worker_pay", False),
    ("5202", N_("ค่าเดินทาง"), "expense", "admin.transport", False),
    ("5203", N_("ค่าวัสดุอุปกรณ์และเครื่องเขียน"), "expense", "admin.stationery", False),
    ("5204", N_("ค่าประชุมและกิจกรรม"), "expense", "admin.meetings", False),
    ("5299", N_("ค่าใช้จ่ายบริหารอื่น"), "expense", "admin.other", False),
    ("5301", N_("เงินคืนสมาชิกลาออก"), "expense", "refund.members", False),
]
