from django import forms
from django.utils.translation import gettext_lazy as _

from gorod.feedback import rules
from gorod.feedback.models import Rating

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STARS_CHOICES = [
    (5, _("5 — отлично")),
    (4, _("4 — хорошо")),
    (3, _("3 — удовлетворительно")),
    (2, _("2 — плохо")),
    (1, _("1 — очень плохо")),
]


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Ваша оценка"),
        coerce=int,
        choices=STARS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Выберите оценку от 1 до 5 звёзд."),
            "invalid_choice": _("Оценка — целое число звёзд от 1 до 5."),
        },
    )
    # No max_length here: the service counts the comment after folding the browser's
    # CRLF line breaks, and says by how much it is too long; the attribute stops typing.
    comment = forms.CharField(
        label=_("Комментарий (необязательно)"),
        required=False,
        strip=False,
        help_text=_("До 1000 символов: что помогло, что мешало, чего не хватает."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": rules.COMMENT_MAX_LENGTH}),
    )


class NewRatingForm(RatingForm):
    token = forms.CharField(widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Ответ жителю"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": rules.ANSWER_MAX_LENGTH}),
        error_messages={"required": _("Напишите ответ.")},
    )


class TagForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("Тема"),
        required=False,
        choices=[("", _("без темы")), *Rating.Topic.choices],
    )
    idea_status = forms.ChoiceField(
        label=_("Состояние идеи"),
        required=False,
        choices=[("", _("не идея")), *Rating.IdeaStatus.choices],
        help_text=_("Только для темы «идея»; новая идея получает состояние «новая»."),
    )


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("С"), required=False, widget=DATE_INPUT)
    last = forms.DateField(label=_("По"), required=False, widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last and first > last:
            self.add_error("last", _("Конец периода раньше его начала."))
        return cleaned


class CommentFilterForm(PeriodForm):
    service = forms.ChoiceField(label=_("Услуга"), required=False)
    stars = forms.TypedChoiceField(
        label=_("Оценка"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("любая")), *STARS_CHOICES],
    )
    topic = forms.ChoiceField(
        label=_("Тема"),
        required=False,
        choices=[("", _("любая")), *Rating.Topic.choices],
    )
    field_order = ["service", "stars", "topic", "first", "last"]

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            ("", _("все мои услуги")),
            *((service.slug, service.title) for service in services),
        ]


class AsksForm(PeriodForm):
    service = forms.ChoiceField(label=_("Услуга"))
    field_order = ["service", "first", "last"]

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(service.slug, service.title) for service in services]
