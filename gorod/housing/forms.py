"""Forms of the citizen's meter pages: they only collect text; the services judge it.

Values stay strings here: parsing, the meters' digit limits and every acceptance rule live
in gorod.housing.rules and are applied by the services, which name the field at fault.
"""

import uuid

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.housing.models import PremisesLink
from gorod.housing.rules import format_value
from gorod.housing.selectors import MeterRow, PremisesView

# Longer than any meter's drums with separators and spaces, short enough to refuse junk
# before it reaches the service; the service's digit limits say what is wrong below it.
VALUE_MAX_LENGTH = 64
VALUE_INPUT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}


def _value_field(*, label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=VALUE_MAX_LENGTH,
        widget=forms.TextInput(attrs=VALUE_INPUT_ATTRS),
        error_messages={
            "max_length": gettext_lazy("Показание — число, например 123,456: здесь слишком длинно.")
        },
    )


class ReadingsForm(forms.Form):
    """This period's readings of one premises: a field for each meter that accepts them.

    An empty field means "not this meter"; `values` holds the filled ones for the service.
    The hidden token is made when the form is drawn and is the submission's idempotency
    key, so a double click or a resent POST finds the first submission.
    """

    token = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=gettext_lazy("Подтверждаю показания"),
        required=False,
        help_text=gettext_lazy("Цифры сверены со счётчиками: они верны."),
    )

    def __init__(self, premises_view: PremisesView, period_label: str, *args, **kwargs):
        kwargs.setdefault("prefix", f"p{premises_view.premises.pk}")
        kwargs.setdefault("initial", {"token": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.premises = premises_view.premises
        self.meter_fields: dict[int, str] = {}
        self.warnings: dict[str, list[str]] = {}
        for row in premises_view.meters:
            if row.accepts_readings:
                name = f"meter_{row.meter.pk}"
                self.fields[name] = _value_field(
                    label=f"{row.meter}, {row.meter.get_unit_display()}",
                    help_text=self._hint(row, period_label),
                )
                self.meter_fields[row.meter.pk] = name
        self.order_fields([*self.meter_fields.values(), "confirm", "token"])

    @staticmethod
    def _hint(row: MeterRow, period_label: str) -> str:
        unit = row.meter.get_unit_display()
        hint = _("Предыдущее показание: %(value)s %(unit)s.") % {
            "value": format_value(row.previous_value),
            "unit": unit,
        }
        if row.current is not None:
            hint += " " + _(
                "За %(period)s уже передано %(value)s %(unit)s: новое показание заменит его."
            ) % {
                "period": period_label,
                "value": format_value(row.current.value),
                "unit": unit,
            }
        return hint

    @property
    def has_warnings(self) -> bool:
        return bool(self.warnings)

    def clean_token(self):
        return str(self.cleaned_data["token"])

    def clean(self):
        cleaned = super().clean()
        if "token" in self.errors:
            # Only a stale or tampered page lacks a good token: a fresh one is offered.
            del self.errors["token"]
            self.add_error(None, _("Форма устарела. Проверьте показания и отправьте их ещё раз."))
            self.renew_token()
        return cleaned

    @property
    def values(self) -> dict[int, str]:
        return {
            meter_id: self.cleaned_data[name]
            for meter_id, name in self.meter_fields.items()
            if self.cleaned_data.get(name)
        }

    def renew_token(self) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix("token")] = str(uuid.uuid4())

    def add_meter_problems(self, problems: list[dict], *, warning: bool = False) -> None:
        """The service's per-meter errors or warnings, each next to its own field."""
        for problem in problems:
            name = self.meter_fields.get(problem["meter_id"])
            if name is None:
                self.add_error(
                    None, f"{problem['meter'] or problem['meter_id']}: {problem['message']}"
                )
            elif warning:
                self.warnings.setdefault(name, []).append(problem["message"])
                # Django links the hint by itself, but not a warning: name all of them.
                bound = self[name]
                described = [f"{bound.auto_id}_helptext", f"{bound.auto_id}_warning"]
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
            else:
                self.add_error(name, problem["message"])

    def field_warnings(self):
        """(bound field, warnings) pairs for the template."""
        return [(self[name], self.warnings.get(name, [])) for name in self.meter_fields.values()]


class PremisesLinkForm(forms.Form):
    """Payer code and apartment as printed on the ЕПД; the service checks them together."""

    payer_code = forms.CharField(
        label=gettext_lazy("Код плательщика"),
        required=False,
        help_text=gettext_lazy(
            "10 цифр. Он напечатан в верхней части единого платёжного документа (ЕПД), "
            "в строке «Код плательщика»."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    apartment = forms.CharField(
        label=gettext_lazy("Номер квартиры"),
        required=False,
        max_length=10,
        help_text=gettext_lazy("Как в ЕПД, например 15 или 15А."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": gettext_lazy("Номер квартиры — не длиннее 10 знаков.")},
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Кем вы приходитесь этой квартире"),
        choices=PremisesLink.Role.choices,
        initial=PremisesLink.Role.OWNER,
        error_messages={
            "required": gettext_lazy("Выберите, кем вы приходитесь квартире."),
            "invalid_choice": gettext_lazy("Выберите, кем вы приходитесь квартире."),
        },
    )


class CorrectionRequestForm(forms.Form):
    value = _value_field(
        label=gettext_lazy("Верное показание"),
        help_text=gettext_lazy("Как на счётчике, например 123,456."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Что случилось"),
        required=False,
        help_text=gettext_lazy("Например: «ошибся в цифре», «перепутал горячую и холодную»."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
    )

    def clean_reason(self):
        # Browsers count a line break as one character against maxlength but send two.
        return self.cleaned_data["reason"].replace("\r\n", "\n")
