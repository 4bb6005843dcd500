"""Forms of the citizen's record tools: a certificate order, a diary reading, log filters.

The forms check only the shape of the input; whether a reading is plausible or an order
allowed is the services' answer (record_rules through gorod.health.services.record),
shown next to the field it is about.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gorod.accounts.forms import DATE_INPUT
from gorod.health.models import AccessLogEntry, Certificate, DiaryReading
from gorod.health.record_rules import SECURITY_ONLY_ROLES

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CertificateOrderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Какая справка нужна"), choices=Certificate.Kind.choices)
    purpose = forms.CharField(
        label=_("Куда предъявить (если нужно указать)"),
        max_length=255,
        required=False,
        help_text=_("Например: «ГБОУ Школа № 1234» или «бассейн „Лужники“»."),
    )


class DiaryReadingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Показатель"), choices=DiaryReading.Kind.choices)
    value = forms.DecimalField(
        label=_("Значение"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Для давления — верхнее (систолическое)."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    value_low = forms.DecimalField(
        label=_("Нижнее давление"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("Только для давления — нижнее (диастолическое)."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    measured_at = forms.DateTimeField(
        label=_("Когда измерено"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    note = forms.CharField(
        label=_("Заметка"),
        max_length=255,
        required=False,
        help_text=_("Например: «после нагрузки», «натощак»."),
    )


class AccessLogFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("В качестве"),
        # Strangers' and anonymous looks are the staff's security log, not the patient's.
        choices=[
            ("", _("все")),
            *(
                (role, label)
                for role, label in AccessLogEntry.Role.choices
                if role not in SECURITY_ONLY_ROLES
            ),
        ],
        required=False,
    )
    since = forms.DateField(label=_("С"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=_("По"), required=False, widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Конец периода раньше его начала."))
        return cleaned
