"""Forms of the citizen's appointment pages: they collect ids; the services judge them.

The booking steps travel in the query string (person, specialty, day, slot), so that
every step is a plain page that can be reloaded or bookmarked; a malformed value there
counts as a choice not yet made, never as an error page.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.accounts.forms import DATE_INPUT
from gorod.appointments.models import Appointment
from gorod.clinics.models import PractitionerRole


class BookForm(forms.Form):
    """The confirmation: whom, which slot, and (for a specialty by referral) which referral.

    The referral's radio buttons are drawn by the template from the patient's referrals;
    the service checks that the one sent is the patient's, valid and unused.
    """

    person = forms.IntegerField(widget=forms.HiddenInput)
    slot = forms.IntegerField(widget=forms.HiddenInput)
    referral = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RescheduleForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)


OMS_POLICY = re.compile(r"[0-9]{16}")
# The registry marks what happens at the door; the rest of the statuses are the services'.
MARKS = (
    Appointment.Status.ARRIVED,
    Appointment.Status.FULFILLED,
    Appointment.Status.NOSHOW,
)


def role_label(role: PractitionerRole) -> str:
    return f"{role.practitioner.initials_name}, {role.specialty.name}"


class RoleChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", gettext_lazy("Выберите врача"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, role: PractitionerRole) -> str:
        return role_label(role)


class DateForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Дата"), required=False, widget=DATE_INPUT)


class DayForm(DateForm):
    """The day list's filter: a date and, if wanted, one doctor."""

    role = RoleChoiceField(
        label=gettext_lazy("Врач"),
        queryset=PractitionerRole.objects.none(),
        required=False,
        empty_label=gettext_lazy("Все врачи"),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=[(status, status) for status in MARKS])


class PatientSearchForm(forms.Form):
    """The patient's identity at the desk: the OMS policy number and the birth date."""

    oms_policy = forms.CharField(
        label=gettext_lazy("Номер полиса ОМС"),
        max_length=32,
        help_text=gettext_lazy("16 цифр, пробелы можно не убирать."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    birth_date = forms.DateField(label=gettext_lazy("Дата рождения"), widget=DATE_INPUT)

    def clean_oms_policy(self) -> str:
        policy = re.sub(r"[\s-]", "", self.cleaned_data["oms_policy"])
        if not OMS_POLICY.fullmatch(policy):
            raise ValidationError(_("Номер полиса ОМС — 16 цифр."))
        return policy

    def clean_birth_date(self) -> date:
        born = self.cleaned_data["birth_date"]
        if born.year < 1900:
            raise ValidationError(_("Проверьте дату рождения."))
        return born


class SlotSearchForm(forms.Form):
    """Which specialty and, if wanted, which day the patient asks for."""

    specialty = forms.ModelChoiceField(
        label=gettext_lazy("Специальность"),
        queryset=None,
        empty_label=gettext_lazy("Выберите специальность"),
    )
    day = forms.DateField(
        label=gettext_lazy("День"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Пусто — ближайшие свободные талоны."),
    )

    def __init__(self, *args, specialties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = specialties


class RegistryBookForm(forms.Form):
    """The slot and, when the specialty needs one, the referral; the service decides."""

    slot = forms.TypedChoiceField(label=gettext_lazy("Время приёма"), coerce=int)
    referral = forms.TypedChoiceField(
        label=gettext_lazy("Направление"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, slots, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(slot.pk, str(slot.pk)) for slot in slots]
        self.fields["slot"].error_messages["invalid_choice"] = _(
            "Это время уже занято или недоступно. Выберите другое."
        )
        self.fields["referral"].choices = [("", _("Без направления"))] + [
            (referral.pk, f"№ {referral.number}: {referral.specialty}") for referral in referrals
        ]


WEEKDAYS = [
    ("1", gettext_lazy("понедельник")),
    ("2", gettext_lazy("вторник")),
    ("3", gettext_lazy("среда")),
    ("4", gettext_lazy("четверг")),
    ("5", gettext_lazy("пятница")),
    ("6", gettext_lazy("суббота")),
    ("7", gettext_lazy("воскресенье")),
]
# A number typed, not spun: the portal styles text inputs, and a spinner is no help here.
NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    """A doctor's working pattern; the scheduling service checks it and reopens the slots."""

    role = RoleChoiceField(label=gettext_lazy("Врач"), queryset=PractitionerRole.objects.none())
    valid_from = forms.DateField(label=gettext_lazy("Действует с"), widget=DATE_INPUT)
    valid_until = forms.DateField(
        label=gettext_lazy("Действует по"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Пусто — бессрочно."),
    )
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Дни приёма"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    day_start = forms.TimeField(label=gettext_lazy("Начало приёма"), widget=TIME_INPUT)
    day_end = forms.TimeField(label=gettext_lazy("Конец приёма"), widget=TIME_INPUT)
    break_start = forms.TimeField(
        label=gettext_lazy("Начало перерыва"), required=False, widget=TIME_INPUT
    )
    break_end = forms.TimeField(
        label=gettext_lazy("Конец перерыва"), required=False, widget=TIME_INPUT
    )
    slot_minutes = forms.IntegerField(
        label=gettext_lazy("Длительность приёма, минут"),
        min_value=5,
        max_value=120,
        required=False,
        widget=NUMBER_INPUT,
        help_text=gettext_lazy("Пусто — по федеральной норме для специальности."),
    )
    online_percent = forms.IntegerField(
        label=gettext_lazy("Доля записи через портал, %"),
        min_value=0,
        max_value=100,
        initial=100,
        widget=NUMBER_INPUT,
        help_text=gettext_lazy("Остальные талоны выдаёт только регистратура."),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles

    def clean_weekdays(self) -> str:
        return ",".join(sorted(self.cleaned_data["weekdays"]))


class AbsenceForm(forms.Form):
    role = RoleChoiceField(label=gettext_lazy("Врач"), queryset=PractitionerRole.objects.none())
    starts_at = forms.DateTimeField(label=gettext_lazy("С"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=gettext_lazy("По"), widget=DATETIME_INPUT)
    reason = forms.CharField(
        label=gettext_lazy("Причина"),
        max_length=255,
        help_text=gettext_lazy("Например: отпуск, больничный, учёба. Пациенты увидят её."),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
