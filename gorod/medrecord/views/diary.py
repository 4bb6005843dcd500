"""The health diary: readings the patient takes at home (pressure, pulse, sugar, ...).

Everything here was entered by the patient or a child's guardian, and every page says so:
a doctor reading it weighs it as the patient's own measurement, not as a clinic's result.
The patient and the guardian add and delete readings; a delegate and a doctor read them.
Each kind gets a small line chart (gorod.core.charts draws it) over the same numbers
that the table lists.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gorod.core import charts
from gorod.core.clock import local_now
from gorod.core.errors import DomainError, show_on_form
from gorod.core.problems import status_of
from gorod.medrecord.forms import DiaryReadingForm
from gorod.medrecord.models.record import DiaryReading, Section
from gorod.medrecord.selectors.access import RecordAccess, record_not_found
from gorod.medrecord.selectors.diary import diary_reading_get, diary_readings
from gorod.medrecord.selectors.record import record_context
from gorod.medrecord.services import diary as diary_services
from gorod.medrecord.views.record import open_record, record_page

# The diary page shows the last quarter: enough for a trend, few enough to list them all.
DIARY_DAYS = 90
DIARY_CHART_WIDTH = 480
DIARY_CHART_HEIGHT = 200
# Who writes the diary: the patient, or the guardian for a child.
DIARY_WRITERS = ("self", "guardian")


@dataclass(frozen=True)
class KindReadings:
    kind: str
    label: str
    readings: list[DiaryReading]
    chart: charts.LineChart | None


def diary_of(access: RecordAccess, *, days: int = DIARY_DAYS) -> list[KindReadings]:
    """The readings of the last `days` days, by kind, newest first: one query."""
    if not access.allows(Section.DIARY):
        raise record_not_found()
    since = timezone.now() - timedelta(days=days)
    by_kind: dict[str, list[DiaryReading]] = {}
    for reading in diary_readings(access, since=since):
        by_kind.setdefault(reading.kind, []).append(reading)
    return [
        KindReadings(kind, str(label), by_kind[kind], reading_chart(kind, by_kind[kind]))
        for kind, label in DiaryReading.Kind.choices
        if kind in by_kind
    ]


def reading_chart(kind: str, readings: list[DiaryReading]) -> charts.LineChart | None:
    """A line over the days from the first reading to the last (a day's last reading; days
    without one are bridged by a straight line, since readings are seldom daily); for
    pressure the lower value is the second line. None for a single day: no trend to draw."""
    by_day: dict = {}
    for reading in sorted(readings, key=lambda each: each.measured_at):
        by_day[local_now(reading.measured_at).date()] = reading
    if len(by_day) < 2:
        return None
    first, last = min(by_day), max(by_day)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def values(of) -> list[float]:
        measured = [(days.index(day), float(of(reading))) for day, reading in by_day.items()]
        line = []
        for (start, low), (end, high) in itertools.pairwise(measured):
            line += [low + (high - low) * step / (end - start) for step in range(end - start)]
        return [*line, measured[-1][1]]

    series = [("chart-series-main", values(lambda reading: reading.value))]
    if kind == DiaryReading.Kind.PRESSURE:
        series.append(("chart-series-compare", values(lambda reading: reading.value_low)))
    shown = [value for _css, line in series for value in line]
    # Whole numbers (pulse, pressure) get whole ticks; sugar and temperature need tenths.
    whole = all(
        value == int(value)
        for reading in by_day.values()
        for value in (reading.value, reading.value_low)
        if value is not None
    )
    return charts.line_chart(
        series,
        first_day=first,
        y_range=(min(shown), max(shown)),
        integer=whole,
        area=False,
        width=DIARY_CHART_WIDTH,
        height=DIARY_CHART_HEIGHT,
    )


def _diary_url(access: RecordAccess) -> str:
    return reverse("record:diary", kwargs={"person_id": access.patient.pk})


@require_http_methods(["GET", "HEAD", "POST"])
@record_page
def diary(request, person_id):
    access = open_record(request, person_id, Section.DIARY)
    can_write = access.role in DIARY_WRITERS
    form = None
    status = 200
    if can_write:
        form = DiaryReadingForm(
            request.POST or None,
            initial={"measured_at": local_now().replace(second=0, microsecond=0, tzinfo=None)},
        )
    if request.method == "POST":
        if form is None:
            raise record_not_found()
        if form.is_valid():
            try:
                diary_services.diary_reading_add(access=access, **form.cleaned_data)
            except DomainError as error:
                show_on_form(form, error)
                status = status_of(error)
            else:
                messages.success(request, _("Показание записано в дневник."))
                return redirect(_diary_url(access))
        else:
            status = 400
    return render(
        request,
        "medrecord/diary.html",
        {
            **record_context(request, access),
            "record_breadcrumb": [{"label": _("Дневник здоровья"), "url": None}],
            "kinds": diary_of(access),
            "form": form,
            "can_write": can_write,
            "days": DIARY_DAYS,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@record_page
def diary_delete(request, person_id, reading_id: int):
    access = open_record(request, person_id, Section.DIARY)
    if access.role not in DIARY_WRITERS:
        raise record_not_found()
    reading = diary_reading_get(access, reading_id)
    if request.method == "POST":
        diary_services.diary_reading_delete(access=access, reading_id=reading.pk)
        messages.success(request, _("Показание удалено из дневника."))
        return redirect(_diary_url(access))
    return render(
        request,
        "medrecord/diary_delete.html",
        {
            **record_context(request, access),
            "record_breadcrumb": [
                {"label": _("Дневник здоровья"), "url": _diary_url(access)},
                {"label": _("Удалить показание"), "url": None},
            ],
            "reading": reading,
        },
    )


urlpatterns = [
    path("<int:person_id>/diary/", diary, name="diary"),
    path("<int:person_id>/diary/<int:reading_id>/delete/", diary_delete, name="diary_delete"),
]
