"""Forms of the statement screens: the fiscal-year picker and the CODI form's human-only answers.

They only parse; ``reports.services.codi_form_save`` checks the answers and says in Thai what is
wrong (the view puts each message on its field).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chumchon.reports.codi_form import ANSWER_FIELDS, CommitteeRow
from chumchon.reports.models import CodiFormYear, DataKeeping

from .forms_books import MONEY_ATTRS

NUMBER_ATTRS = {"inputmode": "numeric", "autocomplete": "off"}
ROLE_PREFIX = "community_role_"


class FiscalYearForm(forms.Form):
    fy = forms.TypedChoiceField(
        label=_("ปีงบประมาณ (พ.ศ.)"), coerce=int, choices=[], required=False, empty_value=None
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["fy"].error_messages["invalid_choice"] = gettext(  # type: ignore[index]
            "เลือกปีงบประมาณจากรายการ"
        )


def _answer_field(f: Any) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": False, "help_text": f.help_text}
    if f.kind == "text":
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": f.max_length}),
            strip=False,
            **common,
        )
    if f.kind == "line":
        return forms.CharField(widget=forms.TextInput(attrs={"maxlength": f.max_length}), **common)
    if f.kind == "int":
        return forms.CharField(widget=forms.TextInput(attrs=NUMBER_ATTRS), **common)
    if f.kind == "money":
        return forms.CharField(widget=forms.TextInput(attrs=MONEY_ATTRS), **common)
    invalid = {"invalid_choice": _("เลือกจากรายการ"), "invalid_list": _("เลือกจากรายการ")}
    if f.kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *f.choices], error_messages=invalid, **common)
    if f.kind == "choices":
        return forms.MultipleChoiceField(
            choices=list(f.choices),
            widget=forms.CheckboxSelectMultiple,
            error_messages=invalid,
            **common,
        )
    raise ValueError(f.kind)


class CodiAnswersForm(forms.Form):
    """What only people know for one year's form; one community-role box per committee member."""

    community_population = forms.CharField(
        label=CodiFormYear._meta.get_field("community_population").verbose_name,
        required=False,
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
    )
    villages_total = forms.CharField(
        label=CodiFormYear._meta.get_field("villages_total").verbose_name,
        required=False,
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
        help_text=_("ใช้คิดสัดส่วนหมู่บ้านที่มีสมาชิก"),
    )
    data_keeping = forms.ChoiceField(
        label=CodiFormYear._meta.get_field("data_keeping").verbose_name,
        choices=DataKeeping.choices,
        widget=forms.RadioSelect,
        required=False,
        initial=DataKeeping.DATABASE,
        error_messages={"invalid_choice": _("เลือกจากรายการ")},
    )

    def __init__(
        self, *args: Any, committee: list[CommitteeRow], record: CodiFormYear | None, **kwargs: Any
    ) -> None:
        if record is not None and "initial" not in kwargs:
            answers = dict(record.answers)
            roles = answers.pop("community_roles", {}) or {}
            initial = {
                "community_population": record.community_population,
                "villages_total": record.villages_total,
                "data_keeping": record.data_keeping,
                **answers,
            }
            initial.update({f"{ROLE_PREFIX}{k}": v for k, v in roles.items()})
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for f in ANSWER_FIELDS:
            self.fields[f.key] = _answer_field(f)
        self.committee = committee
        for c in committee:
            self.fields[f"{ROLE_PREFIX}{c.assignment_id}"] = forms.CharField(
                label=gettext("บทบาทในชุมชน: %(n)s (%(r)s)") % {"n": c.name, "r": c.role},
                required=False,
                widget=forms.TextInput(attrs={"maxlength": 200}),
            )

    def sections(self) -> list[tuple[str, list[Any]]]:
        """The fields grouped under the form's section titles, in order."""
        titles = {
            2: _("2. การก่อตั้ง"),
            3: _("3. สมาชิก"),
            4: _("4. เงินกองทุน"),
            7: _("7. กิจกรรมชุมชน"),
            8: _("8. คณะกรรมการ"),
            9: _("9. การบริหารจัดการ"),
            11: _("11. การเชื่อมโยงกับงานพัฒนาอื่น ๆ"),
            12: _("12. การสนับสนุนที่ได้รับ"),
            13: _("13. แผนการดำเนินงาน"),
            14: _("14. ปัญหาและอุปสรรค"),
            15: _("15. ข้อเสนอแนะ"),
            16: _("ผู้รับรอง"),
        }
        by_section: dict[int, list[Any]] = {n: [] for n in titles}
        by_section[3] += [self["community_population"], self["villages_total"]]
        by_section[9].append(self["data_keeping"])
        for f in ANSWER_FIELDS:
            by_section[f.section].append(self[f.key])
        by_section[8] += [self[f"{ROLE_PREFIX}{c.assignment_id}"] for c in self.committee]
        return [(str(titles[n]), fields) for n, fields in by_section.items() if fields]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        answers = {f.key: data.get(f.key) for f in ANSWER_FIELDS}
        answers["community_roles"] = {
            str(c.assignment_id): data.get(f"{ROLE_PREFIX}{c.assignment_id}", "")
            for c in self.committee
        }
        return {
            "community_population": data.get("community_population"),
            "villages_total": data.get("villages_total"),
            "data_keeping": data.get("data_keeping") or DataKeeping.DATABASE,
            "answers": answers,
        }
