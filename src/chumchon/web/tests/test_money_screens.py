"""The money screens as a fund's treasurer uses them: a member's payment with its preview, the
receipt on screen, voids, the receipts list, and the collection day (open, pay, close).

Every refusal is in Thai and names its field; nothing is half saved; a double submit posts once.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from chumchon.areas.services import role_assign
from chumchon.core.permissions import Role
from chumchon.funds import services as fs
from chumchon.funds.models import CollectionDay, Payment, PaymentVoid
from chumchon.ledger.models import JournalEntry
from chumchon.ledger.selectors import verify_book

D = Decimal
JOINED = dt.date(2025, 1, 1)
DAY = dt.date(2025, 1, 5)
JSON = {"Accept": "application/json"}


def recently(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def body(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def books(world: Any) -> Any:
    """Fund A: entry fee 20, 30 a month or 365 a year, lapsed after 60 days in arrears."""
    return fs.fund_create(
        actor=world.chair_a,
        org_unit=world.fund_a,
        founded_on=dt.date(2020, 1, 1),
        entry_fee=D("20"),
        plans=[("รายเดือน", 1, D("30")), ("รายปี", 12, D("365"))],
        lapse_days=60,
    )


@pytest.fixture
def member(world: Any, books: Any, person_factory: Any) -> Any:
    counter = iter(range(1, 1000))

    def make(*, group: Any = None, joined: dt.date = JOINED, plan: str = "รายเดือน", **kw: Any):
        n = next(counter)
        kw.setdefault("first_name", f"สมาชิก{n:03d}")
        kw.setdefault("last_name", "ทดสอบ")
        person = person_factory(org_unit=group or world.group_a1, **kw)
        m = fs.member_apply(
            actor=world.chair_a,
            fund=books,
            person=person,
            org_unit=group or world.group_a1,
            plan=books.plans.get(name=plan),
            applied_on=joined,
        )
        return fs.member_approve(actor=world.chair_a, membership=m, joined_on=joined)

    return make


@pytest.fixture
def chair(client: Any, world: Any) -> Any:
    client.force_login(world.chair_a)
    return client


@pytest.fixture
def day(world: Any, books: Any) -> CollectionDay:
    return fs.collection_day_open(
        actor=world.chair_a, fund=books, org_unit=world.group_a1, date=DAY
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Payment.objects.count(),
        JournalEntry.objects.count(),
        PaymentVoid.objects.count(),
        CollectionDay.objects.filter(closed_at__isnull=False).count(),
    )


def user_with(role: str, unit: Any, name: str) -> Any:
    user = get_user_model().objects.create_user(name, password="x")
    role_assign(user=user, org_unit=unit, role=role, start_date=dt.date(2024, 1, 1))
    return user


def pay_form(key: str = "test-key-00000001", **extra: Any) -> dict[str, Any]:
    return {
        "amount": "50",
        "date": "05/01/2568",
        "method": "cash",
        "note": "",
        "idempotency_key": key,
        **extra,
    }


# ------------------------------------------------------------------ a member's payment


def test_payment_form_shows_due_arrears_entry_fee_and_a_fresh_key(chair: Any, member: Any) -> None:
    m = member(joined=recently(40))  # two months begun, nothing paid
    url = reverse("payment_create", args=[m.pk])
    first = chair.get(url)
    assert first.status_code == 200
    text = body(first)
    assert m.person.full_name in text
    assert "ค่าสมัครที่ยังไม่ได้ชำระ" in text  # the entry fee is still owed
    assert "2 งวด (40 วัน) เป็นเงิน 60.00 บาท" in text
    assert "<b>80.00</b>" in text  # due today: 60 + the entry fee
    form = first.context["form"]
    assert form.initial["amount"] == D("80")
    assert form.initial["date"] == timezone.localdate()
    key1 = form.initial["idempotency_key"]
    key2 = chair.get(url).context["form"].initial["idempotency_key"]
    assert key1 and key2 and key1 != key2
    assert f'value="{key1}"' in text


def test_payment_posts_once_and_redirects_to_its_receipt(chair: Any, member: Any) -> None:
    m = member()
    url = reverse("payment_create", args=[m.pk])
    response = chair.post(url, pay_form())
    p = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payment_detail", args=[p.pk])
    assert (p.amount, p.entry_fee, p.contribution, p.date) == (D("50"), D("20"), D("30"), DAY)
    assert p.covers_to == dt.date(2025, 1, 31)
    # The same form sent again (a double click, a retry after a lost answer): nothing new.
    again = chair.post(url, pay_form())
    assert again.status_code == 302
    assert again["Location"] == reverse("payment_detail", args=[p.pk])
    assert Payment.objects.count() == 1
    assert "ไม่ได้บันทึกซ้ำ" in body(chair.get(again["Location"]))
    assert verify_book(m.fund.book).ok


@pytest.mark.parametrize(
    ("field", "value", "label", "message"),
    [
        ("amount", "abc", "จำนวนเงินที่รับ (บาท)", "อ่านเป็นจำนวนเงินไม่ได้"),
        ("amount", "0", "จำนวนเงินที่รับ (บาท)", "ต้องมากกว่าศูนย์"),
        ("amount", "10.555", "จำนวนเงินที่รับ (บาท)", "ใส่ได้ถึงสตางค์"),
        ("amount", "", "จำนวนเงินที่รับ (บาท)", "ต้องระบุจำนวนเงิน"),
        ("date", "31/02/2568", "วันที่ชำระ", ""),
        ("date", "31/12/2567", "วันที่ชำระ", "ต้องไม่ก่อน"),
    ],
)
def test_bad_payment_input_is_refused_in_thai_naming_the_field_and_saves_nothing(
    chair: Any, member: Any, field: str, value: str, label: str, message: str
) -> None:
    m = member()
    before = counts()
    response = chair.post(reverse("payment_create", args=[m.pk]), pay_form(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f"{label}: {message}" in body(response)
    assert counts() == before


def test_payment_in_thai_digits_with_commas_is_read(chair: Any, member: Any) -> None:
    m = member(plan="รายปี")
    chair.post(reverse("payment_create", args=[m.pk]), pay_form(amount="๓๘๕.๐๐"))
    p = Payment.objects.get()
    assert (p.amount, p.contribution, p.covers_to) == (D("385"), D("365"), dt.date(2025, 12, 31))


def test_stale_form_without_a_key_is_refused(chair: Any, member: Any) -> None:
    m = member()
    before = counts()
    response = chair.post(reverse("payment_create", args=[m.pk]), pay_form(key=""))
    assert response.status_code == 200
    assert "แบบฟอร์มนี้หมดอายุ" in body(response)
    assert counts() == before


def test_preview_button_shows_what_the_amount_covers_and_saves_nothing(
    chair: Any, member: Any
) -> None:
    m = member()
    before = counts()
    response = chair.post(
        reverse("payment_create", args=[m.pk]), pay_form(amount="90", preview="1")
    )
    assert response.status_code == 200
    text = body(response)
    # 20 entry fee, then 70: two months (to 28 Feb 2025) and 10 baht towards March.
    assert "28 กุมภาพันธ์ พ.ศ. 2568" in text
    assert "เงินสะสม 10.00 บาท" in text
    assert counts() == before


def test_live_preview_fragment_follows_the_typed_amount_and_date(
    chair: Any, world: Any, member: Any
) -> None:
    m = member()
    fs.payment_record(actor=world.chair_a, membership=m, date=DAY, amount="50")
    response = chair.get(
        reverse("payment_create", args=[m.pk]),
        {"fragment": "preview", "amount": "๙๐", "date": "10/03/2568"},
        headers={"HX-Request": "true"},
    )
    text = body(response)
    assert "<html" not in text
    assert "30 เมษายน พ.ศ. 2568" in text  # paid to 31 Jan, then 90 more: Feb, Mar, Apr
    assert "ค้างชำระ" in text  # on 10 Mar 2025 February is unpaid


def test_quick_amounts_offer_the_due_and_whole_periods(chair: Any, member: Any) -> None:
    m = member(joined=recently(40))
    response = chair.get(reverse("payment_create", args=[m.pk]))
    amounts = [s.amount for s in response.context["preview"].suggestions]
    assert amounts == [D("80"), D("50"), D("110"), D("200"), D("380")]
    chosen = chair.get(reverse("payment_create", args=[m.pk]), {"amount": "110"})
    assert chosen.context["form"].initial["amount"] == D("110")


def test_a_lapsed_member_cannot_pay_and_is_told_why(chair: Any, member: Any) -> None:
    m = member(joined=dt.date(2024, 1, 1))
    before = counts()
    response = chair.post(reverse("payment_create", args=[m.pk]), pay_form())
    assert response.status_code == 200
    assert "รับชำระไม่ได้" in body(response)
    assert "ขาดสมาชิกภาพ" in body(response)
    assert counts() == before


def test_collecting_needs_the_collect_permission(client: Any, world: Any, member: Any) -> None:
    m = member()
    auditor = user_with(Role.AUDITOR, world.fund_a, "auditor_a")
    client.force_login(auditor)
    url = reverse("payment_create", args=[m.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, pay_form()).status_code == 403
    client.force_login(world.viewer_a)  # sees people of group A1, not the books
    assert client.get(url).status_code == 404
    assert Payment.objects.count() == 0


# ------------------------------------------------------------------ the receipt and its void


def test_receipt_shows_fund_number_be_date_words_period_and_method(
    chair: Any, world: Any, member: Any
) -> None:
    m = member()
    p = fs.payment_record(actor=world.chair_a, membership=m, date=DAY, amount="50")
    response = chair.get(reverse("payment_detail", args=[p.pk]))
    text = body(response)
    assert world.fund_a.name in text
    assert "2568/00001" in text
    assert "5 มกราคม พ.ศ. 2568" in text
    assert "ห้าสิบบาทถ้วน" in text
    assert "50.00" in text
    assert "1 ม.ค. 2568 – 31 ม.ค. 2568" in text
    assert "เงินสด" in text
    assert m.person.full_name in text
    assert "ยกเลิกแล้ว" not in text
    assert reverse("payment_void", args=[p.pk]) in text


def test_partial_payment_receipt_says_the_period_is_not_complete(
    chair: Any, world: Any, member: Any
) -> None:
    m = member()
    fs.payment_record(actor=world.chair_a, membership=m, date=DAY, amount="50")
    p = fs.payment_record(actor=world.chair_a, membership=m, date=DAY, amount="10")
    text = body(chair.get(reverse("payment_detail", args=[p.pk])))
    assert "ยังไม่ครบงวด" in text
    assert "สิบบาทถ้วน" in text


def test_void_needs_a_reason_then_reverses_and_the_receipt_shows_it(
    chair: Any, world: Any, member: Any
) -> None:
    m = member()
    p = fs.payment_record(actor=world.chair_a, membership=m, date=DAY, amount="50")
    url = reverse("payment_void", args=[p.pk])
    assert chair.get(url).status_code == 200
    before = counts()
    refused = chair.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "เหตุผลการยกเลิก: ต้องระบุเหตุผล" in body(refused)
    assert counts() == before
    done = chair.post(url, {"reason": "รับเงินซ้ำกับใบเสร็จเดิม"})
    assert done.status_code == 302
    assert PaymentVoid.objects.get(payment=p).reason == "รับเงินซ้ำกับใบเสร็จเดิม"
    text = body(chair.get(reverse("payment_detail", args=[p.pk])))
    assert "ยกเลิกแล้ว" in text
    assert "รับเงินซ้ำกับใบเสร็จเดิม" in text
    assert reverse("payment_void", args=[p.pk]) not in text
    # A second void (another tab): refused, nothing posted again.
    after = counts()
    assert chair.post(url, {"reason": "อีกครั้ง"}).status_code == 302
    assert counts() == after
    assert m.fund.account("cash").balance == D("0")
    assert verify_book(m.fund.book).ok


def test_void_needs_the_void_permission(client: Any, world: Any, member: Any) -> None:
    m = member()
    p = fs.payment_record(actor=world.chair_a, membership=m, date=DAY, amount="50")
    client.force_login(world.registrar_a)  # collects, may not void
    url = reverse("payment_void", args=[p.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "ลองดู"}).status_code == 403
    assert PaymentVoid.objects.count() == 0
    assert reverse("payment_void", args=[p.pk]) not in body(
        client.get(reverse("payment_detail", args=[p.pk]))
    )


# ------------------------------------------------------------------ the receipts of a fund


def test_receipts_list_filters_and_totals(chair: Any, world: Any, member: Any) -> None:
    a1 = member(first_name="อารีย์")
    a2 = member(group=world.group_a2, first_name="บุญส่ง")
    p1 = fs.payment_record(actor=world.chair_a, membership=a1, date=DAY, amount="50")
    fs.payment_record(actor=world.chair_a, membership=a2, date=dt.date(2025, 1, 6), amount="80")
    p3 = fs.payment_record(
        actor=world.chair_a, membership=a1, date=dt.date(2025, 1, 7), amount="30", method="transfer"
    )
    fs.payment_void(actor=world.chair_a, payment=p3, reason="ผิดคน")
    url = reverse("payment_list", args=[a1.fund.pk])

    everything = chair.get(url)
    assert everything.context["totals"]["n"] == 3
    assert everything.context["totals"]["live"] == D("130")
    assert everything.context["totals"]["void_n"] == 1
    assert "ยกเลิกแล้ว" in body(everything)

    def receipts(**q: Any) -> list[str]:
        r = chair.get(url, q)
        assert r.status_code == 200
        return [p.receipt_label for p in r.context["page"].object_list]

    assert receipts(group=world.group_a2.pk) == ["2568/00002"]
    assert receipts(void="void") == [p3.receipt_label]
    assert receipts(void="live", date_from="06/01/2568") == ["2568/00002"]
    assert receipts(date_to="05/01/2568") == [p1.receipt_label]
    assert receipts(q="2568/1") == [p1.receipt_label]
    assert receipts(q="บุญส่ง") == ["2568/00002"]
    bad = chair.get(url, {"date_from": "32/01/2568"})
    assert "ตั้งแต่วันที่:" in body(bad)
    assert list(bad.context["page"].object_list) == []
    backwards = chair.get(url, {"date_from": "06/01/2568", "date_to": "05/01/2568"})
    assert "ถึงวันที่: ต้องไม่ก่อนวันที่เริ่ม" in body(backwards)


def test_receipts_list_pages(chair: Any, world: Any, member: Any) -> None:
    m = member(plan="รายเดือน")
    for _ in range(55):
        fs.payment_record(
            actor=world.chair_a, membership=m, date=DAY, amount="1", check_status=False
        )
    url = reverse("payment_list", args=[m.fund.pk])
    first = chair.get(url)
    assert len(first.context["page"].object_list) == 50
    assert first.context["totals"]["n"] == 55
    assert len(chair.get(url, {"page": 2}).context["page"].object_list) == 5


# ------------------------------------------------------------------ collection days


def test_open_a_day_from_the_list_then_again_lands_on_the_same_day(
    chair: Any, world: Any, books: Any
) -> None:
    listing = chair.get(reverse("collection_day_list", args=[books.pk]))
    assert listing.status_code == 200
    assert "เปิดวันเก็บเงิน" in body(listing)
    url = reverse("collection_day_open", args=[books.pk])
    response = chair.post(url, {"group": world.group_a1.pk, "date": "05/01/2568"})
    day = CollectionDay.objects.get()
    assert response["Location"] == reverse("collection_day_detail", args=[day.pk])
    assert (day.org_unit, day.date) == (world.group_a1, DAY)
    again = chair.post(url, {"group": world.group_a1.pk, "date": "05/01/2568"})
    assert again["Location"] == response["Location"]
    assert CollectionDay.objects.count() == 1
    listed = chair.get(reverse("collection_day_list", args=[books.pk]))
    assert world.group_a1.name in body(listed)
    assert "5 ม.ค. 2568" in body(listed)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"date": "05/01/2568"}, "กลุ่มหมู่บ้าน: ต้องเลือกกลุ่ม"),
        ({"group": "999999", "date": "05/01/2568"}, "กลุ่มหมู่บ้าน: เลือกกลุ่มที่คุณรับเงินได้"),
        ({"group": "G", "date": "5 ม.ค."}, "วันที่เก็บเงิน:"),
        ({"group": "G"}, "วันที่เก็บเงิน: ต้องระบุวันที่"),
        ({"group": "G", "date": "01/01/2600"}, "วันที่เก็บเงิน: ต้องไม่เกิน"),
    ],
)
def test_opening_a_day_refuses_bad_input_naming_the_field(
    chair: Any, world: Any, books: Any, data: dict[str, str], expected: str
) -> None:
    data = {k: (str(world.group_a1.pk) if v == "G" else v) for k, v in data.items()}
    response = chair.post(reverse("collection_day_open", args=[books.pk]), data)
    assert response.status_code == 200
    assert expected in body(response)
    assert CollectionDay.objects.count() == 0


def test_a_group_viewer_of_the_books_may_not_open_a_day(
    client: Any, world: Any, books: Any
) -> None:
    committee = user_with(Role.COMMITTEE, world.fund_a, "committee_a")
    client.force_login(committee)
    assert client.get(reverse("collection_day_list", args=[books.pk])).status_code == 200
    url = reverse("collection_day_open", args=[books.pk])
    assert client.post(url, {"group": world.group_a1.pk, "date": "05/01/2568"}).status_code == 403
    assert CollectionDay.objects.count() == 0


def test_collection_screen_lists_members_in_number_order_with_dues_and_keys(
    chair: Any, world: Any, member: Any, day: Any
) -> None:
    ms = [member() for _ in range(4)]
    other = member(group=world.group_a2)
    fs.payment_record(
        actor=world.chair_a, membership=ms[1], date=DAY, amount="50", collection_day=day
    )
    response = chair.get(reverse("collection_day_detail", args=[day.pk]))
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [ln.m.pk for ln in lines] == [m.pk for m in ms]
    assert [ln.row.due for ln in lines] == [D("50")] * 4
    assert [ln.remaining for ln in lines] == [D("50"), D("0"), D("50"), D("50")]
    assert len({ln.key for ln in lines}) == 4
    text = body(response)
    assert other.person.full_name not in text
    assert response.context["expected"] == D("200")
    assert response.context["totals"]["total"] == D("50")
    assert response.context["outstanding"] == D("150")
    # The focus starts on the first member (the first with nothing paid today).
    assert response.context["focus"] == ms[0].pk
    assert f'id="amt-{ms[0].pk}"' in text
    assert text.count(" autofocus") == 1
    assert "web/collection.js" in text


def test_pay_by_fetch_answers_json_with_totals_and_a_second_post_is_the_same_payment(
    chair: Any, world: Any, member: Any, day: Any
) -> None:
    m1, m2 = member(), member()
    url = reverse("collection_day_pay", args=[day.pk])
    data = {"membership": m1.pk, "amount": "50.00", "idempotency_key": "row-key-000001"}
    first = chair.post(url, data, headers=JSON)
    assert first.status_code == 200
    payload = first.json()
    assert payload["ok"] and not payload["duplicate"]
    assert payload["payment"]["receipt"] == "2568/00001"
    assert payload["totals"] == {
        "count": 1,
        "members": 1,
        "total": "50.00",
        "cash": "50.00",
        "transfer": "0.00",
    }
    assert payload["row"]["remaining_satang"] == 0
    assert payload["row"]["next_key"] != "row-key-000001"
    assert "2568/00001" in payload["row"]["html"]
    second = chair.post(url, data, headers=JSON).json()
    assert second["duplicate"] is True
    assert second["payment"]["pk"] == payload["payment"]["pk"]
    assert Payment.objects.count() == 1
    # The same key sent for another member is refused, not paid.
    stolen = chair.post(url, {**data, "membership": m2.pk}, headers=JSON)
    assert stolen.status_code == 400
    assert Payment.objects.count() == 1
    p = Payment.objects.get()
    assert (p.collection_day, p.date, p.created_by) == (day, DAY, world.chair_a)


def test_partial_amount_and_method_are_posted_as_typed(chair: Any, member: Any, day: Any) -> None:
    m = member()
    url = reverse("collection_day_pay", args=[day.pk])
    r = chair.post(
        url,
        {
            "membership": m.pk,
            "amount": "๒๐",
            "idempotency_key": "row-key-partial",
            "method": "transfer",
        },
        headers=JSON,
    ).json()
    assert r["ok"]
    assert r["row"]["remaining"] == "30.00"
    p = Payment.objects.get()
    assert (p.amount, p.method, p.entry_fee, p.contribution) == (
        D("20"),
        "transfer",
        D("20"),
        D("0"),
    )


def test_without_javascript_enter_on_an_empty_field_pays_the_due_and_moves_on(
    chair: Any, member: Any, day: Any
) -> None:
    m1, m2 = member(), member()
    url = reverse("collection_day_pay", args=[day.pk])
    response = chair.post(url, {"membership": m1.pk, "amount": "", "idempotency_key": "plain-0001"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?focus={m2.pk}#row-{m2.pk}")
    assert Payment.objects.get().amount == D("50")
    page = chair.get(response["Location"])
    assert page.context["focus"] == m2.pk
    assert "2568/00001" in body(page)
    # Nothing left to pay: an empty amount is refused with a message naming the field.
    again = chair.post(url, {"membership": m1.pk, "amount": "", "idempotency_key": "plain-0002"})
    assert again.status_code == 302
    assert "จำนวนเงิน: สมาชิกคนนี้ไม่มียอดค้าง" in body(chair.get(again["Location"]))
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "จำนวนเงิน: อ่านเป็นจำนวนเงินไม่ได้"),
        ("-5", "จำนวนเงิน: ต้องมากกว่าศูนย์"),
        ("1.234", "จำนวนเงิน: ใส่ได้ถึงสตางค์"),
    ],
)
def test_bad_amount_on_the_collection_screen_is_refused_and_saves_nothing(
    chair: Any, member: Any, day: Any, amount: str, message: str
) -> None:
    m = member()
    before = counts()
    r = chair.post(
        reverse("collection_day_pay", args=[day.pk]),
        {"membership": m.pk, "amount": amount, "idempotency_key": "row-key-bad01"},
        headers=JSON,
    )
    assert r.status_code == 400
    assert r.json()["error"].startswith(message)
    assert counts() == before


def test_member_of_another_group_or_no_key_is_refused(
    chair: Any, world: Any, member: Any, day: Any
) -> None:
    m = member()
    other = member(group=world.group_a2)
    url = reverse("collection_day_pay", args=[day.pk])
    r = chair.post(
        url,
        {"membership": other.pk, "amount": "50", "idempotency_key": "row-key-other"},
        headers=JSON,
    )
    assert r.status_code == 400
    assert "ไม่ได้อยู่ในกลุ่ม" in r.json()["error"]
    r = chair.post(url, {"membership": m.pk, "amount": "50"}, headers=JSON)
    assert r.status_code == 400
    assert "โหลดหน้าใหม่" in r.json()["error"]
    assert Payment.objects.count() == 0


def test_closing_needs_a_note_when_the_cash_differs_then_the_day_is_read_only(
    chair: Any, world: Any, member: Any, day: Any
) -> None:
    m1, m2, m3 = member(), member(), member()
    pay = reverse("collection_day_pay", args=[day.pk])
    chair.post(
        pay, {"membership": m1.pk, "amount": "50", "idempotency_key": "close-0001"}, headers=JSON
    )
    chair.post(
        pay,
        {
            "membership": m2.pk,
            "amount": "50",
            "idempotency_key": "close-0002",
            "method": "transfer",
        },
        headers=JSON,
    )
    url = reverse("collection_day_close", args=[day.pk])
    summary = chair.get(url)
    assert summary.context["totals"]["count"] == 2
    assert summary.context["totals"]["cash"] == D("50")
    assert summary.context["totals"]["transfer"] == D("50")
    assert summary.context["expected_cash"] == D("50")
    before = counts()
    refused = chair.post(url, {"counted_cash": "40", "note": ""})
    assert refused.status_code == 200
    text = body(refused)
    assert "หมายเหตุ: เงินที่นับได้ต่างจากยอดในระบบ -10.00 บาท" in text
    assert counts() == before
    bad = chair.post(url, {"counted_cash": "สี่สิบ", "note": ""})
    assert "เงินสดที่นับได้ (บาท): อ่านเป็นจำนวนเงินไม่ได้" in body(bad)
    done = chair.post(url, {"counted_cash": "40", "note": "ทอนเงินผิด 10 บาท"})
    assert done.status_code == 302
    day.refresh_from_db()
    assert (day.expected_cash, day.counted_cash, day.difference) == (D("50"), D("40"), D("-10"))
    assert day.note == "ทอนเงินผิด 10 บาท"
    page = chair.get(reverse("collection_day_detail", args=[day.pk]))
    text = body(page)
    assert "ปิดยอดแล้ว" in text
    assert "ทอนเงินผิด 10 บาท" in text
    assert 'class="amount"' not in text
    assert "collection.js" not in text
    # A closed day refuses payments, by fetch and by a plain form, and closing again.
    after = counts()
    r = chair.post(
        pay, {"membership": m3.pk, "amount": "50", "idempotency_key": "close-0003"}, headers=JSON
    )
    assert r.status_code == 400
    assert "ปิดยอดแล้ว" in r.json()["error"]
    plain = chair.post(pay, {"membership": m3.pk, "amount": "50", "idempotency_key": "close-0004"})
    assert plain.status_code == 302
    assert chair.post(url, {"counted_cash": "50"}).status_code == 302
    assert counts() == after


def test_closing_with_the_right_cash_needs_no_note(chair: Any, member: Any, day: Any) -> None:
    m = member()
    chair.post(
        reverse("collection_day_pay", args=[day.pk]),
        {"membership": m.pk, "amount": "50", "idempotency_key": "exact-0001"},
        headers=JSON,
    )
    r = chair.post(reverse("collection_day_close", args=[day.pk]), {"counted_cash": "50.00"})
    assert r.status_code == 302
    day.refresh_from_db()
    assert day.closed_at is not None and day.difference == D("0")


def test_collect_permission_is_needed_to_pay_or_close(
    client: Any, world: Any, member: Any, day: Any
) -> None:
    m = member()
    auditor = user_with(Role.AUDITOR, world.fund_a, "auditor_a")
    client.force_login(auditor)
    page = client.get(reverse("collection_day_detail", args=[day.pk]))
    assert page.status_code == 200
    assert 'class="amount"' not in body(page)
    r = client.post(
        reverse("collection_day_pay", args=[day.pk]),
        {"membership": m.pk, "amount": "50", "idempotency_key": "audit-0001"},
        headers=JSON,
    )
    assert r.status_code == 403
    assert client.get(reverse("collection_day_close", args=[day.pk])).status_code == 403
    assert Payment.objects.count() == 0


def test_collection_js_messages_are_in_the_page(chair: Any, member: Any, day: Any) -> None:
    member()
    text = body(chair.get(reverse("collection_day_detail", args=[day.pk])))
    start = text.index('id="collection-messages"')
    blob = text[text.index(">", start) + 1 : text.index("</script>", start)]
    words = json.loads(blob)
    assert "{amount}" in words["pending"] and "{receipt}" in words["saved"]
