"""Message catalogs: Thai first, English a translation, Django's own messages in Thai.

See docs/adr/0002-thai-source-strings.md. Our UI strings are Thai in the source; the `en` catalog
translates them; the `th` catalog overrides Django's (incomplete) Thai for messages users meet.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import django
import polib
import pytest
from django import forms
from django.utils import timezone, translation

import chumchon

LOCALE = Path(chumchon.__file__).resolve().parent / "locale"
TEMPLATE_DIRS = sorted(Path(chumchon.__file__).resolve().parent.glob("*/templates"))
DJANGO_DIR = Path(django.__file__).resolve().parent
# Django catalogs whose messages a user of Chumchon can meet (front office and back office).
DJANGO_DOMAINS = [
    "conf",
    "contrib/admin",
    "contrib/auth",
    "contrib/contenttypes",
    "contrib/humanize",
    "contrib/sessions",
]
THAI = re.compile(r"[\u0E00-\u0E7F]")

# Deliberately not named gettext/ngettext/...: makemessages scans this file too, and must not
# collect Django's English msgids into our en catalog.
tr, ntr = translation.gettext, translation.ngettext
ptr, nptr = translation.pgettext, translation.npgettext


def _th_catalog() -> polib.POFile:
    return polib.pofile(str(LOCALE / "th/LC_MESSAGES/django.po"))


def _th(msgid: str) -> str:
    """Our Thai for a Django msgid, straight from the .po (so tests follow the catalog)."""
    entry = _th_catalog().find(msgid)
    assert entry is not None, f"{msgid!r} is not in our th catalog"
    return entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr


def _table(entries) -> dict:
    return {
        (e.msgctxt, e.msgid): (
            tuple(sorted((int(k), v) for k, v in e.msgstr_plural.items()))
            if e.msgid_plural
            else e.msgstr
        )
        for e in entries
        if e.msgid
    }


# --------------------------------------------------------------------------- (a) .mo in step


def test_there_are_catalogs_for_thai_and_english():
    assert (LOCALE / "th/LC_MESSAGES/django.po").exists()
    assert (LOCALE / "en/LC_MESSAGES/django.po").exists()


@pytest.mark.parametrize(
    "po_path", sorted(LOCALE.rglob("*.po")), ids=lambda p: str(p.relative_to(LOCALE))
)
def test_compiled_mo_is_up_to_date_with_its_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    hint = "run: .venv/bin/python src/chumchon/locale/compile.py"
    assert mo_path.exists(), f"{mo_path} is missing; {hint}"
    po, mo = polib.pofile(str(po_path)), polib.mofile(str(mo_path))
    translated = [e for e in po.translated_entries() if not e.fuzzy]
    assert _table(mo) == _table(translated), f"{mo_path} is stale; {hint}"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms"), hint


def test_thai_catalog_declares_thai_plural_rule():
    po = _th_catalog()
    assert po.metadata["Language"] == "th"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    for entry in po:
        if entry.msgid_plural:
            assert list(entry.msgstr_plural) == [0], entry.msgid


# --------------------------------------------------------------------------- (b) Django in Thai


def _validation_messages(field: forms.Field, value: object) -> list[str]:
    with pytest.raises(forms.ValidationError) as exc:
        field.clean(value)
    return exc.value.messages


def _representative_messages() -> dict[str, str]:
    """Messages users meet, produced the way Django produces them (evaluated under Thai)."""
    from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
    from django.contrib.auth.password_validation import validate_password
    from django.contrib.humanize.templatetags import humanize

    with pytest.raises(forms.ValidationError) as pw:
        validate_password("1234")
    now = timezone.now()
    return {
        "required": str(forms.Field().error_messages["required"]),
        "date invalid": str(forms.DateField().error_messages["invalid"]),
        "integer invalid": str(forms.IntegerField().error_messages["invalid"]),
        "decimal invalid": str(forms.DecimalField().error_messages["invalid"]),
        "choice invalid": _validation_messages(forms.ChoiceField(choices=[("a", "A")]), "x")[0],
        "max length": _validation_messages(forms.CharField(max_length=3), "abcdef")[0],
        "min length": _validation_messages(forms.CharField(min_length=5), "ab")[0],
        "max value": _validation_messages(forms.IntegerField(max_value=10), 11)[0],
        "min value": _validation_messages(forms.IntegerField(min_value=10), 9)[0],
        "max digits": _validation_messages(forms.DecimalField(max_digits=3), "12345")[0],
        "email": _validation_messages(forms.EmailField(), "not-an-email")[0],
        "invalid login": str(AuthenticationForm.error_messages["invalid_login"]),
        "inactive": str(AuthenticationForm.error_messages["inactive"]),
        "password mismatch": str(SetPasswordForm.error_messages["password_mismatch"]),
        "password too short": pw.value.messages[0],
        "password numeric": pw.value.messages[-1],
        "unique": tr("%(model_name)s with this %(field_label)s already exists."),
        "admin save": tr("Save"),
        "admin correct errors": ntr(
            "Please correct the error below.", "Please correct the errors below.", 2
        ),
        "admin deleted": tr("Successfully deleted %(count)d %(items)s."),
        "admin added": tr("The {name} “{obj}” was added successfully."),
        "admin select to change": tr("Select %s to change"),
        "admin none available": tr("None available"),
        "log in": tr("Log in"),
        "csrf": tr("CSRF verification failed. Request aborted."),
        "history changed by": tr("Changed by"),
        "history change reason": tr("Change reason"),
        "naturaltime": str(humanize.naturaltime(now - dt.timedelta(hours=3))),
        "naturaltime days": str(humanize.naturaltime(now - dt.timedelta(days=40))),
        "ordinal": str(humanize.ordinal(3)),
    }


ENGLISH = {
    "required": "This field is required.",
    "date invalid": "Enter a valid date.",
    "integer invalid": "Enter a whole number.",
    "decimal invalid": "Enter a number.",
    "invalid login": "Please enter a correct %(username)s and password. Note that both fields "
    "may be case-sensitive.",
    "inactive": "This account is inactive.",
    "unique": "%(model_name)s with this %(field_label)s already exists.",
    "admin save": "Save",
    "admin correct errors": "Please correct the errors below.",
    "log in": "Log in",
}


def test_django_messages_users_meet_are_in_thai():
    with translation.override("th"):
        messages = _representative_messages()
    assert len(messages) >= 25
    for name, text in messages.items():
        assert THAI.search(text), f"{name}: {text!r} is not Thai"
        assert text != ENGLISH.get(name), name


def test_thai_messages_read_naturally():
    with translation.override("th"):
        messages = _representative_messages()
    assert messages["required"] == _th("This field is required.") == "ช่องนี้จำเป็นต้องกรอก"
    assert messages["max length"] == "ต้องมีไม่เกิน 3 ตัวอักษร (ขณะนี้มี 6 ตัวอักษร)"
    assert messages["password too short"] == "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 8 ตัวอักษร"
    assert messages["naturaltime"] == "3\xa0ชั่วโมงที่แล้ว"
    assert messages["ordinal"] == "ที่ 3"
    with translation.override("th"):
        from django.contrib.humanize.templatetags import humanize

        assert humanize.intcomma(1234567) == "1,234,567"
        assert humanize.intword(1_200_000) == "1.2 ล้าน"


def test_every_django_message_in_the_user_facing_catalogs_has_thai():
    """Guards Django upgrades: a new or changed msgid must get Thai in our catalog."""
    # symbols, units and placeholders that read the same in Thai (", " becomes a plain space)
    same_in_thai = {
        ":?.!", ":", ", ", "URL", "IPv4", "IPv6", "…", "%(truncated_text)s…", "p.m.", "a.m.", "PM",
        "AM", "%s KB", "%s MB", "%s GB", "%s TB", "%s PB", "%(class_name)s %(instance)s",
    }  # fmt: skip
    untranslated = []
    with translation.override("th"):
        for domain in DJANGO_DOMAINS:
            en = polib.pofile(str(DJANGO_DIR / domain / "locale/en/LC_MESSAGES/django.po"))
            for e in en:
                if e.msgid in same_in_thai:
                    continue
                if e.msgid_plural:
                    args = (e.msgid, e.msgid_plural)
                    got = [
                        nptr(e.msgctxt, *args, n) if e.msgctxt else ntr(*args, n) for n in (1, 2)
                    ]
                else:
                    got = [ptr(e.msgctxt, e.msgid) if e.msgctxt else tr(e.msgid)]
                if any(g in (e.msgid, e.msgid_plural) or not THAI.search(g) for g in got):
                    untranslated.append(f"{domain}: {e.msgid!r}")
    assert not untranslated, "\n".join(untranslated)


def test_english_is_not_touched_by_the_thai_overrides():
    with translation.override("en"):
        assert str(forms.Field().error_messages["required"]) == "This field is required."
        assert tr("Save") == "Save"


# --------------------------------------------------------------------------- (c) English catalog


def test_every_msgid_in_the_english_catalog_is_translated():
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    assert len(po) > 0
    problems = []
    for e in po:
        if e.obsolete:
            continue
        strs = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        if not THAI.search(e.msgid):
            problems.append(f"{e.msgid} (not one of our Thai source strings)")
        elif e.fuzzy or not all(s.strip() for s in strs):
            problems.append(e.msgid)
        elif any(THAI.search(s) for s in strs):
            problems.append(f"{e.msgid} (still Thai: {strs})")
    assert not problems, "untranslated or fuzzy in en: " + "; ".join(problems)


def test_english_catalog_has_two_plural_forms():
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    assert po.metadata["Language"] == "en"
    assert "nplurals=2" in po.metadata["Plural-Forms"].replace(" ", "")


TRANSLATE_TAG = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.+?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<ctx>.+?)(?P=cq))?"""
)


def test_every_translate_tag_in_our_templates_is_in_the_english_catalog():
    """Catches a template string added without re-running makemessages -l en."""
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))}
    missing = []
    for template_dir in TEMPLATE_DIRS:
        for path in sorted(template_dir.rglob("*.html")):
            for m in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
                if THAI.search(m["msgid"]) and (m["ctx"], m["msgid"]) not in known:
                    missing.append(f"{path.name}: {m['msgid']}")
    assert not missing, (
        "run makemessages -l en (see docs/adr/0002-thai-source-strings.md): " + "; ".join(missing)
    )


def test_our_thai_source_strings_show_in_english_when_switched():
    with translation.override("en"):
        assert tr("หน้าแรก") == "Home"
        assert ntr("พบ %(n)s คน", "พบ %(n)s คน", 1) % {"n": 1} == "1 person found"
        assert ntr("พบ %(n)s คน", "พบ %(n)s คน", 3) % {"n": 3} == "3 people found"
    with translation.override("th"):
        assert tr("หน้าแรก") == "หน้าแรก"


# --------------------------------------------------------------------------- (d) a rendered form


class _PersonForm(forms.Form):
    first_name = forms.CharField(label="ชื่อ", max_length=100)
    birth_date = forms.DateField(label="วันเกิด", required=False)


def test_required_field_error_renders_in_thai():
    required = _th("This field is required.")
    with translation.override("th"):
        form = _PersonForm(data={"first_name": "", "birth_date": "ไม่ใช่วันที่"})
        assert not form.is_valid()
        html = str(form)
    assert required in html
    assert _th("Enter a valid date.") in html
    assert "This field is required." not in html
    assert "Enter a valid date." not in html


def test_required_field_error_renders_in_english_when_switched():
    with translation.override("en"):
        html = str(_PersonForm(data={"first_name": ""}))
    assert "This field is required." in html


# --------------------------------------------------------------------------- (e) Python messages

CHECK_DIGIT_TH = "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง) กรุณาตรวจสอบอีกครั้ง"
CHECK_DIGIT_EN = (
    "This national ID number is not valid (the last digit, the check digit, does not match). "
    "Please check it."
)


def _bad_national_id_messages(world) -> list[str]:
    from django.core.exceptions import ValidationError

    from chumchon.core.thai import national_id_check_digit
    from chumchon.people.services import person_create

    first12 = "340010001234"
    wrong = first12 + str((national_id_check_digit(first12) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        person_create(
            actor=world.chair_a,
            org_unit=world.group_a1,
            title="นาย",
            first_name="สมชาย",
            national_id=wrong,
        )
    return exc.value.message_dict["national_id"]


def test_service_refusals_and_model_labels_show_in_english_when_switched(world):
    from chumchon.people.models import Person

    with translation.override("en"):
        assert _bad_national_id_messages(world) == [CHECK_DIGIT_EN]
        assert str(Person._meta.get_field("first_name").verbose_name) == "First name"
        assert str(Person._meta.verbose_name_plural) == "people"
    with translation.override("th"):
        assert _bad_national_id_messages(world) == [CHECK_DIGIT_TH]
        assert str(Person._meta.get_field("first_name").verbose_name) == "ชื่อ"
        assert str(Person._meta.verbose_name_plural) == "บุคคล"


def test_thai_helpers_work_without_django_settings_and_then_stay_thai():
    """core.thai needs no Django set-up; outside Django its messages are the Thai source text."""
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('DJANGO_SETTINGS_MODULE', None)\n"
        "from chumchon.core.thai import national_id_error\n"
        "print(national_id_error('3400100012340'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == CHECK_DIGIT_TH


def test_duplicate_hints_are_translated_and_flag_a_same_id_without_reading_the_text(world):
    from chumchon.core.thai import national_id_check_digit
    from chumchon.people.selectors import person_duplicates
    from chumchon.people.services import person_create

    national_id = "340010001234" + str(national_id_check_digit("340010001234"))
    person_create(
        actor=world.chair_a,
        org_unit=world.group_a1,
        title="นาย",
        first_name="สมชาย",
        national_id=national_id,
    )
    args = {"national_id": national_id, "first_name": "x", "last_name": "", "birth_date": None}
    with translation.override("en"):
        (hint,) = person_duplicates(world.chair_a, birth_year=None, **args)
    assert (hint.reason, hint.same_national_id, hint.visible) == (
        "Same national ID number",
        True,
        True,
    )
    with translation.override("th"):
        (hint,) = person_duplicates(world.chair_a, birth_year=None, **args)
    assert hint.reason == "เลขประจำตัวประชาชนเดียวกัน"
