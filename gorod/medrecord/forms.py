"""Forms of the citizen's record tools: a certificate order, a diary reading, log filters.

The forms check only the shape of the input; whether a reading is plausible or an order
allowed is the services' answer (record_rules through gorod.medrecord.services),
shown next to the field it is about.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.accounts.forms import DATE_INPUT
from gorod.appointments.forms import PatientSearchForm
from gorod.medrecord.models.record import (
    AccessLogEntry,
    Certificate,
    Diagnosis,
    DiaryReading,
    Icd10,
)
from gorod.medrecord.rules import SECURITY_ONLY_ROLES, emergency_reason_refusal

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CertificateOrderForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Какая справка нужна"), choices=Certificate.Kind.choices
    )
    purpose = forms.CharField(
        label=gettext_lazy("Куда предъявить (если нужно указать)"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Например: «ГБОУ Школа № 1234» или «бассейн „Лужники“»."),
    )


class DiaryReadingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Показатель"), choices=DiaryReading.Kind.choices)
    value = forms.DecimalField(
        label=gettext_lazy("Значение"),
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("Для давления — верхнее (систолическое)."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    value_low = forms.DecimalField(
        label=gettext_lazy("Нижнее давление"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("Только для давления — нижнее (диастолическое)."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    measured_at = forms.DateTimeField(
        label=gettext_lazy("Когда измерено"),
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    note = forms.CharField(
        label=gettext_lazy("Заметка"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Например: «после нагрузки», «натощак»."),
    )


class AccessLogFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("В качестве"),
        # Strangers' and anonymous looks are the staff's security log, not the patient's.
        choices=[
            ("", gettext_lazy("все")),
            *(
                (role, label)
                for role, label in AccessLogEntry.Role.choices
                if role not in SECURITY_ONLY_ROLES
            ),
        ],
        required=False,
    )
    since = forms.DateField(label=gettext_lazy("С"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=gettext_lazy("По"), required=False, widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("Конец периода раньше его начала."))
        return cleaned


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
