"""Forms of the doctor's record pages: the encounter protocol, a correction, the emergency look.

Diagnosis codes are checked against the ICD-10 table here so that a mistyped code is
shown next to its field with what was typed; the services check them again.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.health.models import Diagnosis, Icd10
from gorod.health.record_rules import emergency_reason_refusal
from gorod.health.staff_forms import PatientSearchForm

# Codes are written "J06.9" or "j06.9"; several concomitant ones separated by commas,
# semicolons or spaces.
CODE_SEPARATORS = re.compile(r"[\s,;]+")
TEXT_AREA = forms.Textarea(attrs={"rows": 4})


def icd10_codes(text: str) -> list[Icd10]:
    """The ICD-10 rows of the codes typed, in order, each once; an unknown code is an error."""
    typed = [code.upper() for code in CODE_SEPARATORS.split(text.strip()) if code]
    wanted = list(dict.fromkeys(typed))
    found = Icd10.objects.in_bulk(wanted)
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationError(
            _("Нет в справочнике МКБ-10: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return [found[code] for code in wanted]


class EncounterForm(forms.Form):
    complaints = forms.CharField(label=gettext_lazy("Жалобы"), required=False, widget=TEXT_AREA)
    anamnesis = forms.CharField(label=gettext_lazy("Анамнез"), required=False, widget=TEXT_AREA)
    examination = forms.CharField(
        label=gettext_lazy("Объективный осмотр"), required=False, widget=TEXT_AREA
    )
    recommendations = forms.CharField(
        label=gettext_lazy("Рекомендации"), required=False, widget=TEXT_AREA
    )
    main_code = forms.CharField(
        label=gettext_lazy("Основной диагноз, код МКБ-10"),
        required=False,
        max_length=16,
        help_text=gettext_lazy("Например, J06.9. Без основного диагноза протокол не подписать."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    main_comment = forms.CharField(
        label=gettext_lazy("Уточнение основного диагноза"), required=False, max_length=255
    )
    concomitant_codes = forms.CharField(
        label=gettext_lazy("Сопутствующие диагнозы, коды МКБ-10"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Через запятую, например: I10, E11.9."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_main_code(self) -> Icd10 | None:
        codes = icd10_codes(self.cleaned_data["main_code"])
        if len(codes) > 1:
            raise ValidationError(_("Основной диагноз — один код."))
        return codes[0] if codes else None

    def clean_concomitant_codes(self) -> list[Icd10]:
        return icd10_codes(self.cleaned_data["concomitant_codes"])

    def diagnoses(self) -> list[tuple[str, str, str]]:
        """(code, kind, comment) for the service, the main diagnosis first."""
        main = self.cleaned_data["main_code"]
        found = (
            [(main.code, Diagnosis.Kind.MAIN, self.cleaned_data["main_comment"])] if main else []
        )
        found += [
            (row.code, Diagnosis.Kind.CONCOMITANT, "")
            for row in self.cleaned_data["concomitant_codes"]
            if main is None or row.code != main.code
        ]
        return found

    @staticmethod
    def initial_of(entry) -> dict:
        """The form's values from a stored encounter draft."""
        note = getattr(entry, "encounter", None)
        diagnoses = list(entry.diagnoses.all())
        main = next((row for row in diagnoses if row.kind == Diagnosis.Kind.MAIN), None)
        return {
            "complaints": note.complaints if note else "",
            "anamnesis": note.anamnesis if note else "",
            "examination": note.examination if note else "",
            "recommendations": note.recommendations if note else "",
            "main_code": main.icd10_id if main else "",
            "main_comment": main.comment if main else "",
            "concomitant_codes": ", ".join(
                row.icd10_id for row in diagnoses if row.kind == Diagnosis.Kind.CONCOMITANT
            ),
        }


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Причина исправления"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EmergencyReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Заключение (необязательно)"), max_length=500, required=False
    )


class EmergencyForm(PatientSearchForm):
    """The patient by policy and birth date, and why the doctor needs the record now."""

    reason = forms.CharField(
        label=gettext_lazy("Причина экстренного доступа"),
        max_length=500,
        help_text=gettext_lazy(
            "Не короче 10 знаков. Причина видна пациенту в журнале просмотров его карты."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if refusal := emergency_reason_refusal(reason):
            raise ValidationError(str(refusal.message))
        return reason
