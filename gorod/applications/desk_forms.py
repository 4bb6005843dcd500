"""The forms of the department's desk: the queue's filters and one form per action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gorod.applications import rules
from gorod.applications.models import Office

TEXT_WIDGET = forms.Textarea(attrs={"rows": 4, "maxlength": rules.TEXTAREA_MAX_LENGTH})
# A refusal names the way to appeal (210-FZ, chapter 2.1); the operator adjusts it.
DEFAULT_APPEAL = _(
    "Решение можно обжаловать в досудебном порядке: жалобой руководителю ведомства или через "
    "портал в течение трёх месяцев (глава 2.1 Федерального закона № 210-ФЗ), а также в суде."
)


class QueueFilterForm(forms.Form):
    department = forms.TypedChoiceField(
        label=_("Ведомство"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Статус"), required=False)
    assigned = forms.ChoiceField(
        label=_("Исполнитель"),
        required=False,
        choices=[("", _("все")), ("me", _("мои")), ("none", _("не назначен"))],
    )
    service = forms.TypedChoiceField(
        label=_("Услуга"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, departments=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("все мои")), *departments]
        self.fields["status"].choices = [
            ("", _("все открытые")),
            *((status, rules.status_label(status)) for status in rules.OPEN_FOR_DEPARTMENT),
        ]
        self.fields["service"].choices = [("", _("все")), *services]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина — её прочтёт заявитель"),
        widget=TEXT_WIDGET,
        max_length=rules.TEXTAREA_MAX_LENGTH,
    )


class InfoRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Что нужно от заявителя"),
        help_text=_("Заявитель ответит в заявлении; срок решения стоит, пока он отвечает."),
        widget=TEXT_WIDGET,
        max_length=rules.TEXTAREA_MAX_LENGTH,
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Основание приостановления"),
        widget=TEXT_WIDGET,
        max_length=rules.TEXTAREA_MAX_LENGTH,
    )
    until = forms.DateField(
        label=_("Приостановлено до"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )


class ApproveForm(forms.Form):
    text = forms.CharField(
        label=_("Решение"), widget=TEXT_WIDGET, max_length=rules.TEXTAREA_MAX_LENGTH
    )
    office = forms.TypedChoiceField(
        label=_("Центр госуслуг, где получить результат"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, outcome: dict, **kwargs):
        super().__init__(*args, **kwargs)
        kind = outcome["kind"]
        if kind == "document":
            self.fields["text"].label = _("Текст документа (необязательно)")
            self.fields["text"].required = False
        elif kind == "in_person":
            self.fields["text"].label = _("Что взять с собой, чтобы получить результат")
        if kind == "in_person" and outcome.get("collect_at") == "mfc":
            self.fields["office"].choices = [
                ("", _("любой центр госуслуг")),
                *Office.objects.order_by("name").values_list("pk", "name"),
            ]
        else:
            del self.fields["office"]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отказа — основание из регламента"),
        widget=TEXT_WIDGET,
        max_length=rules.TEXTAREA_MAX_LENGTH,
    )
    appeal = forms.CharField(
        label=_("Как обжаловать"),
        widget=TEXT_WIDGET,
        max_length=rules.TEXTAREA_MAX_LENGTH,
        initial=DEFAULT_APPEAL,
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Исполнитель"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("никто")),
            *((post.user_id, post.user.email) for post in colleagues),
        ]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Служебная заметка"),
        help_text=_("Видна только сотрудникам ведомства."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": rules.TEXTAREA_MAX_LENGTH}),
        max_length=rules.TEXTAREA_MAX_LENGTH,
    )


class EmptyForm(forms.Form):
    """An action with nothing to fill in: the button is the whole form."""
