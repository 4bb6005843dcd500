"""Forms of the meter pages, the citizens' and the operators': they collect input; the
services judge it.

A citizen's readings stay strings here: parsing, the meters' digit limits and every
acceptance rule live in gorod.housing.rules and are applied by the services, which name
the field at fault. The operator's meter replacement reads its initial value with the same
rules.parse_value.
"""

import re
import uuid
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.housing import rules
from gorod.housing.models import Meter, PremisesLink
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


class LinkDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("confirm", gettext_lazy("подтвердить")),
            ("decline", gettext_lazy("отклонить")),
        ],
        error_messages={
            "required": gettext_lazy("Выберите, подтвердить заявку или отклонить."),
            "invalid_choice": gettext_lazy("Выберите, подтвердить заявку или отклонить."),
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


# --- The operators' back office -------------------------------------------------------

MAX_DUE_DAYS = 3650
# Exports of periods before this year are a typo, not a request.
FIRST_EXPORT_YEAR = 2000
PERIOD_SHAPE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("keep", gettext_lazy("оставить")), ("reject", gettext_lazy("отклонить"))]
    )
    reason = forms.CharField(required=False, max_length=500)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", gettext_lazy("принять")), ("reject", gettext_lazy("отклонить"))]
    )
    reason = forms.CharField(required=False, max_length=1000)


class PayerCodeForm(forms.Form):
    payer_code = forms.CharField(
        label=gettext_lazy("Код плательщика"),
        max_length=20,
        help_text=gettext_lazy("Десять цифр из ЕПД."),
    )

    def clean_payer_code(self) -> str:
        code = self.cleaned_data["payer_code"].strip()
        if problem := rules.payer_code_problem(code):
            raise ValidationError(problem.message)
        return code


class DueForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Срок поверки наступает в течение, дней"),
        min_value=0,
        max_value=MAX_DUE_DAYS,
        required=False,
        help_text=gettext_lazy("Просроченные показываются всегда."),
    )


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Расчётный период"),
        max_length=7,
        help_text=gettext_lazy("Месяц в виде ГГГГ-ММ, например 2026-11."),
        widget=forms.TextInput(attrs={"type": "month", "pattern": "[0-9]{4}-[0-9]{2}"}),
    )

    def __init__(self, *args, latest: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest = latest

    def clean_period(self) -> date:
        text = self.cleaned_data["period"].strip()
        shape = PERIOD_SHAPE.match(text)
        if shape is None or not 1 <= int(shape[2]) <= 12:
            raise ValidationError(_("Укажите месяц в виде ГГГГ-ММ, например 2026-11."))
        period = date(int(shape[1]), int(shape[2]), 1)
        if period.year < FIRST_EXPORT_YEAR or period > self.latest:
            raise ValidationError(
                _("Выгрузка есть за периоды с %(first)d года по %(latest)s.")
                % {"first": FIRST_EXPORT_YEAR, "latest": rules.period_label(self.latest)}
            )
        return period


class MeterReplaceForm(forms.Form):
    serial = forms.CharField(label=gettext_lazy("Заводской номер нового счётчика"), max_length=32)
    initial_value = forms.CharField(
        label=gettext_lazy("Начальное показание"),
        max_length=20,
        help_text=gettext_lazy("Как на барабане нового счётчика, например 0,000."),
    )
    installed_on = forms.DateField(label=gettext_lazy("Дата установки"), widget=DATE_INPUT)
    commissioned_on = forms.DateField(
        label=gettext_lazy("Дата ввода в эксплуатацию"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Пока пусто, показания по новому счётчику не принимаются."),
    )
    next_verification_on = forms.DateField(
        label=gettext_lazy("Дата следующей поверки"), widget=DATE_INPUT
    )
    failed = forms.BooleanField(
        label=gettext_lazy("Старый счётчик неисправен"),
        required=False,
        help_text=gettext_lazy("Иначе он отмечается как заменённый."),
    )

    def __init__(self, *args, meter: Meter, **kwargs):
        super().__init__(*args, **kwargs)
        self.meter = meter

    def clean_initial_value(self) -> Decimal:
        try:
            return rules.parse_value(
                self.cleaned_data["initial_value"],
                integer_digits=self.meter.integer_digits,
                fraction_digits=self.meter.fraction_digits,
            )
        except rules.RuleError as error:
            raise ValidationError(error.message) from error

    def clean(self):
        cleaned = super().clean()
        installed = cleaned.get("installed_on")
        commissioned, verification = (
            cleaned.get("commissioned_on"),
            cleaned.get("next_verification_on"),
        )
        if installed and commissioned and commissioned < installed:
            self.add_error(
                "commissioned_on", _("Счётчик вводится в эксплуатацию не раньше установки.")
            )
        if installed and verification and verification <= installed:
            self.add_error("next_verification_on", _("Поверка должна быть позже установки."))
        return cleaned
