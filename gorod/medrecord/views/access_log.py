"""«Кто смотрел мою карту»: the record's access log as the patient (or a child's guardian)
reads it.

The log page is itself a look at the record ("access_log"), so it is logged like any
other; the rule lets only the patient and the guardian of a child under 15 open it. It
shows the looks of readers related to the patient or known to the registry, each named
from verified data, with the reason in the reader's language (selectors/access.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gorod.core.clock import city_zone
from gorod.medrecord import rules as record_rules
from gorod.medrecord.forms import AccessLogFilterForm
from gorod.medrecord.models.record import AccessLogEntry, Section
from gorod.medrecord.selectors.access import RecordAccess, look_reader, look_reason, patient_looks
from gorod.medrecord.selectors.record import record_context
from gorod.medrecord.views.record import open_record, record_page

ACCESS_LOG_PAGE = 50


@dataclass(frozen=True)
class AccessLogFilters:
    role: str = ""
    since: date | None = None
    until: date | None = None


def _moscow_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=city_zone())


def access_log_of(
    access: RecordAccess, *, filters: AccessLogFilters, page: int | str | None
) -> Page:
    """The looks at the patient's record, newest first, one page of them."""
    looks: QuerySet[AccessLogEntry] = patient_looks(access)
    if filters.role:
        looks = looks.filter(role=filters.role)
    if filters.since:
        looks = looks.filter(at__gte=_moscow_start(filters.since))
    if filters.until:
        looks = looks.filter(at__lt=_moscow_start(filters.until + timedelta(days=1)))
    return Paginator(looks, ACCESS_LOG_PAGE).get_page(page)


def _what_names() -> dict[str, str]:
    """What each look was at, in words: the sections plus the whole-record looks."""
    return {
        **{value: str(label) for value, label in Section.choices},
        record_rules.TIMELINE: _("лента карты"),
        record_rules.EVERYTHING: _("вся карта (выгрузка)"),
        record_rules.ACCESS_LOG: _("журнал просмотров"),
    }


@require_safe
@record_page
def access_log(request, person_id):
    access = open_record(request, person_id, record_rules.ACCESS_LOG)
    form = AccessLogFilterForm(request.GET or None)
    filters = AccessLogFilters()
    if form.is_bound and form.is_valid():
        filters = AccessLogFilters(
            role=form.cleaned_data["role"],
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
    page = access_log_of(access, filters=filters, page=request.GET.get("page"))
    what = _what_names()
    for look in page.object_list:
        look.what = what.get(look.section, look.section)
        look.reader = look_reader(look, request.user)
        look.why = look_reason(look)
    query = request.GET.copy()
    query.pop("page", None)
    context = record_context(request, access)
    for item in context["record_people"]:
        # The switch keeps the reader on the log for the records whose log they may read:
        # their own and their young children's.
        if item["role"] in ("self", "guardian"):
            item["url"] = reverse("record:access_log", kwargs={"person_id": item["person"].pk})
    return render(
        request,
        "medrecord/access_log.html",
        {
            **context,
            "record_breadcrumb": [{"label": _("Кто смотрел карту"), "url": None}],
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


urlpatterns = [
    path("<int:person_id>/access-log/", access_log, name="access_log"),
]
