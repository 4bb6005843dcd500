"""Forms of the attachment pages: the steps' person choice, the clinic search, the application
and the registry's decision."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from gorod.clinics.models import AttachmentApplication


@dataclass(frozen=True)
class Choice:
    """What the citizen has chosen so far on the booking steps."""

    person: int | None = None
    specialty: int | None = None
    day: date | None = None
    slot: int | None = None


class StepsForm(forms.Form):
    person = forms.IntegerField(required=False)
    specialty = forms.IntegerField(required=False)
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    slot = forms.IntegerField(required=False)

    @classmethod
    def choice_of(cls, query) -> Choice:
        form = cls(query)
        form.is_valid()
        # A field that failed to parse is absent from cleaned_data: not chosen yet.
        return Choice(**{name: form.cleaned_data.get(name) for name in cls.base_fields})


class ClinicSearchForm(forms.Form):
    """The search for a polyclinic to attach to: by name or address, within an okrug."""

    q = forms.CharField(
        label=_("Название или адрес"),
        required=False,
        max_length=100,
        help_text=_("Например, «поликлиника № 2» или «Даев переулок»."),
    )
    district = forms.ChoiceField(label=_("Округ"), required=False)

    def __init__(self, *args, districts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("Все округа"))] + [
            (district, district) for district in districts
        ]


class AttachmentApplyForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Основание"),
        choices=AttachmentApplication.Reason.choices,
        widget=forms.RadioSelect,
    )


class AttachmentDecisionForm(forms.Form):
    """The desk's answer: the button says confirm or decline; a decline needs a reason the
    applicant reads (the service insists)."""

    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("decline", "decline")])
    decline_reason = forms.CharField(label=_("Причина отказа"), required=False, max_length=255)
