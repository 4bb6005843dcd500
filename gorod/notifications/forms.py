from django import forms

from gorod.notifications.models import TopicPreference
from gorod.notifications.selectors import TopicChoice


class TopicPreferencesForm(forms.Form):
    """One group of radios per optional topic, named by the topic's code."""

    def __init__(self, choices: list[TopicChoice], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for choice in choices:
            self.fields[choice.topic.code] = forms.ChoiceField(
                label=choice.topic.label,
                help_text=choice.topic.description,
                choices=TopicPreference.Delivery.choices,
                initial=choice.delivery,
                widget=forms.RadioSelect,
            )
