"""The search form: what a parent types and ticks, read into the finder's GroupQuery.

A GET form, so that a search is a link a parent can bookmark or send. Bad input (an age of
"сто", a time window backwards) is shown next to its field, and the search still runs with
the rest of what was asked.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gorod.clubs.finder import DEFAULT_RADIUS_KM, GroupQuery
from gorod.clubs.models import Direction, GroupSession

RADII = ((1, _("1 км")), (3, _("3 км")), (5, _("5 км")), (10, _("10 км")))
PRICES = (("", _("любые")), ("free", _("бесплатные")), ("paid", _("платные")))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Что ищем"), required=False, max_length=200)
    child = forms.TypedChoiceField(
        label=_("Для кого"), required=False, coerce=int, empty_value=None
    )
    age = forms.IntegerField(label=_("Возраст, лет"), required=False, min_value=3, max_value=18)
    district = forms.CharField(label=_("Район"), required=False, max_length=100)
    direction = forms.ChoiceField(
        label=_("Направленность"),
        required=False,
        choices=[("", _("любая")), *Direction.choices],
    )
    price = forms.ChoiceField(label=_("Стоимость"), required=False, choices=PRICES)
    weekday = forms.TypedMultipleChoiceField(
        label=_("Дни занятий"),
        required=False,
        coerce=int,
        choices=GroupSession.Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    time_from = forms.TimeField(
        label=_("Не раньше"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_to = forms.TimeField(
        label=_("Не позже"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    address = forms.CharField(
        label=_("Рядом с адресом"),
        required=False,
        max_length=200,
        help_text=_("Улица и дом, например «Ленинский проспект, 62»."),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius = forms.TypedChoiceField(
        label=_("Не дальше"),
        required=False,
        coerce=int,
        choices=RADII,
        empty_value=DEFAULT_RADIUS_KM,
    )
    places = forms.BooleanField(label=_("Только со свободными местами"), required=False)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.children = {child.pk: child for child in children}
        self.fields["child"].choices = [
            ("", _("любой ребёнок")),
            *((c.pk, c.first_name) for c in children),
        ]
        if not children:
            del self.fields["child"]

    def query(self) -> GroupQuery:
        """What was asked, leaving out the fields that did not validate."""
        data = getattr(self, "cleaned_data", {})
        child = self.children.get(data.get("child"))
        near = (
            (data["lat"], data["lon"])
            if data.get("lat") is not None and data.get("lon") is not None
            else None
        )
        price = data.get("price")
        return GroupQuery(
            text=data.get("q") or "",
            district=data.get("district") or None,
            age=None if child else data.get("age"),
            birth_date=child.birth_date if child else None,
            sex=(child.sex or None) if child else None,
            direction=data.get("direction") or None,
            free={"free": True, "paid": False}.get(price),
            weekdays=frozenset(data.get("weekday") or ()),
            time_from=data.get("time_from"),
            time_to=data.get("time_to") if _window_forward(data) else None,
            near=near,
            near_address="" if near else data.get("address") or "",
            radius_km=float(data.get("radius") or DEFAULT_RADIUS_KM),
            only_with_places=bool(data.get("places")),
        )

    def clean(self):
        data = super().clean()
        if not _window_forward(data):
            self.add_error("time_to", _("Время «до» должно быть позже времени «с»."))
        return data


def _window_forward(data: dict) -> bool:
    start, end = data.get("time_from"), data.get("time_to")
    return start is None or end is None or start < end
