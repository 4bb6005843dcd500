"""The citizen's medical record: the timeline, the section pages, one entry, one analyte.

Every page first opens the record through `record_open` (which logs the look, allowed or
not), so there is no `login_required` in front of it: an anonymous look is logged, then
sent to sign in. A record or entry the reader may not see is the 404 page. The filters are
a GET form and "Показать ещё" a cursor link, so everything works without JavaScript;
`?print=1` renders the same content on a bare page for printing.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, register_converter, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_ALT
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.medrecord import charts as record_charts
from gorod.medrecord import rules as record_rules
from gorod.medrecord import words as record_words
from gorod.medrecord.emergency import emergency_session_grant
from gorod.medrecord.models.record import Section
from gorod.medrecord.selectors import record as selectors
from gorod.medrecord.selectors.access import NotSignedIn, RecordAccess, record_open

# The sections with pages here; certificates and the diary are the citizen tools' pages.
PAGE_SECTIONS = tuple(
    section for section in selectors.LISTED_SECTIONS if section != Section.CERTIFICATES
)


class SectionConverter:
    """`<record_section:section>`: only the sections with pages here match."""

    regex = "|".join(PAGE_SECTIONS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SectionConverter, "record_section")


def open_record(request, person_id, section: str, entry_id: int | None = None) -> RecordAccess:
    """`record_open` for a web page: the signed-in reader, the emergency grant if any."""
    return record_open(
        actor=request.user,
        person_id=person_id,
        section=section,
        channel="web",
        emergency_access=emergency_session_grant(request, person_id),
        entry_id=entry_id,
    )


def record_page(view):
    """An anonymous look goes to sign in (after it was logged); "not found" goes on to the
    404 page (gorod.core.middleware.NotFoundPageMiddleware)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotSignedIn:
            return redirect_to_login(request.get_full_path())

    return wrapper


def render_record(request, template: str, access: RecordAccess, context: dict):
    """A record page with the switch and navigation; `?print=1` on the bare print layout."""
    printing = request.GET.get("print") == "1"
    return render(
        request,
        template,
        {
            **selectors.record_context(request, access),
            "layout": "medrecord/print.html" if printing else "medrecord/base.html",
            "printing": printing,
            "print_url": _with_query(request, print="1"),
            "printed_at": timezone.localtime(),
            **context,
        },
    )


def _with_query(request, **changes) -> str:
    """This page's URL with some query parameters replaced (None drops one)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


# The lifecycle statuses a reader needs next to the title: a certificate's readiness, an
# open sick leave. A finished encounter or a final report says nothing new.
STATUS_LABELS = {
    "ordered": gettext_lazy("заказана"),
    "ready": gettext_lazy("готова"),
    "issued": gettext_lazy("выдана"),
    "open": gettext_lazy("открыт"),
    "closed": gettext_lazy("закрыт"),
}


class RecordFilterForm(forms.Form):
    """The period, specialty, clinic and (on the timeline) section of the listed entries."""

    since = forms.DateField(
        label=gettext_lazy("С"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("По"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    specialty = forms.TypedChoiceField(
        label=gettext_lazy("Специальность"), required=False, coerce=int, empty_value=None
    )
    clinic = forms.TypedChoiceField(
        label=gettext_lazy("Организация"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    section = forms.ChoiceField(label=gettext_lazy("Раздел"), required=False)

    def __init__(self, data, *, specialties, organisations, with_section: bool):
        super().__init__(data)
        anything = [("", _("Все"))]
        self.fields["specialty"].choices = anything + [(s.pk, s.display_name) for s in specialties]
        self.fields["clinic"].choices = anything + [(o.pk, o.name) for o in organisations]
        if with_section:
            self.fields["section"].choices = anything + [
                (value, label)
                for value, label in Section.choices
                if value in selectors.LISTED_SECTIONS
            ]
        else:
            del self.fields["section"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Дата «по» раньше даты «с»."))
        return cleaned

    def filters(self) -> selectors.RecordFilters:
        """The valid part of the filters: a wrong field is shown with its error and ignored."""
        cleaned = self.cleaned_data if self.is_bound else {}

        def valid(name):
            return None if name in self.errors else cleaned.get(name)

        return selectors.RecordFilters(
            since=valid("since"),
            until=valid("until"),
            specialty_id=valid("specialty"),
            organisation_id=valid("clinic"),
        )


# The query parameters of the filter form: with any of them the page shows the form (a
# no-JavaScript reader opens it by the link `?filters=1`); without, the form and its choice
# queries are not built, and the closed box fetches the form when opened (htmx).
FILTER_PARAMETERS = ("filters", "since", "until", "specialty", "clinic", "section")


def _filter_form(request, access: RecordAccess, *, with_section: bool) -> RecordFilterForm:
    specialties, organisations = selectors.filter_choices(access)
    form = RecordFilterForm(
        request.GET or None,
        specialties=specialties,
        organisations=organisations,
        with_section=with_section,
    )
    if form.is_bound and not form.is_valid():
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )
    return form


@dataclass(frozen=True)
class ListedEntry:
    """One entry of a listing with everything the page prints, computed once in Python."""

    section: str
    section_label: str
    machine_time: str
    shown_time: str
    title: str
    summary: str
    url: str | None
    status: str
    flagged: bool
    source: str  # "Doctor, specialty · Clinic", the parts there are


def _source(entry) -> str:
    doctor = entry.practitioner.full_name if entry.practitioner else ""
    if doctor and entry.specialty:
        doctor = f"{doctor}, {entry.specialty.display_name.lower()}"
    clinic = entry.organisation.name if entry.organisation else ""
    return " · ".join(part for part in (doctor, clinic) if part)


class _Listing:
    """What every row of one listing shares, looked up once: the reader's time zone and
    words (the month names of `date:"j E Y, H:i"`, the section and status labels) and the
    entries' addresses, by this module's pattern (`<person_id>/<section>/<entry_id>/` under
    the timeline's): one reverse for a listing, not one per entry."""

    def __init__(self, person_id: int):
        self.zone = timezone.get_current_timezone()
        self.months = {number: str(name) for number, name in MONTHS_ALT.items()}
        self.sections = {value: str(label) for value, label in Section.choices}
        self.statuses = {value: str(label) for value, label in STATUS_LABELS.items()}
        self.timeline_url = reverse("record:timeline", kwargs={"person_id": person_id})
        # An ordered certificate lives on the certificates page, with its download.
        self.certificates_url = reverse("record:certificates", kwargs={"person_id": person_id})

    def row(self, entry) -> ListedEntry:
        moment = entry.occurred_at.astimezone(self.zone)
        url = (
            self.certificates_url
            if entry.section == Section.CERTIFICATES
            else f"{self.timeline_url}{entry.section}/{entry.pk}/"
        )
        return ListedEntry(
            section=entry.section,
            section_label=self.sections[entry.section],
            machine_time=moment.isoformat(timespec="seconds"),
            shown_time=f"{moment.day} {self.months[moment.month]} {moment.year}, {moment:%H:%M}",
            title=record_words.entry_title(entry),
            summary=record_words.entry_summary(entry) if entry.summary else "",
            url=url,
            status=self.statuses.get(entry.status, ""),
            flagged=entry.flagged,
            source=_source(entry),
        )


def _listing(request, access: RecordAccess, *, section: str | None, with_section: bool):
    """The filter form and the page of entries the timeline and the section pages share."""
    form = None
    if any(name in request.GET for name in FILTER_PARAMETERS):
        form = _filter_form(request, access, with_section=with_section)
    filters = form.filters() if form is not None else selectors.RecordFilters()
    if form is not None and with_section and section is None and "section" not in form.errors:
        section = form.cleaned_data.get("section") or None
    page = selectors.timeline(
        access, filters=filters, cursor=request.GET.get("cursor"), section=section
    )
    listing = _Listing(access.patient.pk)
    return {
        "form": form,
        "filters_url": _with_query(request, filters="1", cursor=None),
        "filtered": filters.active or bool(section and with_section),
        "rows": [listing.row(entry) for entry in page.entries],
        "continued": bool(request.GET.get("cursor")),
        "more_url": _with_query(request, cursor=page.next_cursor) if page.next_cursor else None,
        "reset_url": request.path,
        "first_page_url": _with_query(request, cursor=None),
    }


def _listing_page(request, access: RecordAccess, *, section: str | None, template: str):
    """The page; for htmx the next entries ("Показать ещё") or the filter form alone."""
    if request.htmx and request.GET.get("filters") == "1" and "cursor" not in request.GET:
        # The closed box opened: the form, without reading a page of entries again.
        form = _filter_form(request, access, with_section=section is None)
        context = {"form": form, "filtered": False, "reset_url": request.path}
        return render(request, "medrecord/_filter_form.html", context)
    context = _listing(request, access, section=section, with_section=section is None)
    if section is not None:
        context["section_label"] = Section(section).label
        context["record_breadcrumb"] = [{"label": Section(section).label, "url": None}]
    if request.htmx and context["continued"]:
        template = "medrecord/_entries.html"
    return render_record(request, template, access, context)


@require_safe
def own_record(request):
    """`/health/record/`: the signed-in citizen's own record."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("Медицинская карта не найдена."))
    return redirect("record:timeline", person_id=person.pk)


@require_safe
@record_page
def timeline(request, person_id):
    access = open_record(request, person_id, record_rules.TIMELINE)
    return _listing_page(request, access, section=None, template="medrecord/timeline.html")


@require_safe
@record_page
def section_page(request, person_id, section):
    access = open_record(request, person_id, section)
    return _listing_page(request, access, section=section, template="medrecord/section.html")


def _newer_id(request) -> int | None:
    newer = request.GET.get("of")
    if newer is None:
        return None
    if not (newer.isdigit() and valid_id(int(newer))):
        raise NotFound("entry_not_found", _("Запись не найдена."))
    return int(newer)


@require_safe
@record_page
def entry_page(request, person_id, section, entry_id):
    access = open_record(request, person_id, section, entry_id=entry_id)
    newer_id = _newer_id(request)
    item = selectors.entry_detail(access, section, entry_id, newer_id=newer_id)
    context = {
        "entry": item,
        "detail": getattr(item, selectors.DETAIL_OF[section]),
        "older_version": newer_id is not None,
        "section_url": reverse(
            "record:section", kwargs={"person_id": person_id, "section": section}
        ),
        "record_breadcrumb": [
            {
                "label": Section(section).label,
                "url": reverse(
                    "record:section", kwargs={"person_id": person_id, "section": section}
                ),
            },
            {"label": item.title, "url": None},
        ],
    }
    if item.amends_id:
        context["previous_url"] = (
            reverse(
                "record:entry",
                kwargs={"person_id": person_id, "section": section, "entry_id": item.amends_id},
            )
            + "?"
            + urlencode({"of": item.pk})
        )
    if section == Section.LABS:
        context["results"] = _lab_results(access, item)
        context["trends"] = [result for result in context["results"] if result["trend"]]
    context["status"] = STATUS_LABELS.get(item.status, "")
    return render_record(request, f"medrecord/entry_{section}.html", access, context)


def _lab_results(access: RecordAccess, item) -> list[dict]:
    """Each result with its range bar and, for a numeric analyte, its trend so far."""
    observations = list(item.observations.all())
    numeric = [o.code for o in observations if o.value is not None]
    histories = selectors.analyte_histories(access, numeric) if numeric else {}
    results = []
    for observation in observations:
        history = [
            earlier
            for earlier in histories.get(observation.code, [])
            if earlier.entry.occurred_at <= item.occurred_at and earlier.value is not None
        ]
        results.append(
            {
                "observation": observation,
                "range_bar": record_charts.range_bar(observation),
                "trend": record_charts.trend_chart(history) if len(history) > 1 else None,
                "history": history,
                "analyte_url": reverse(
                    "record:analyte",
                    kwargs={"person_id": access.patient.pk, "code": observation.code},
                ),
            }
        )
    return results


@require_safe
@record_page
def analyte(request, person_id, code):
    access = open_record(request, person_id, Section.LABS)
    history = selectors.analyte_history(access, code)
    latest = history[-1]
    numeric = [observation for observation in history if observation.value is not None]
    labs_url = reverse("record:section", kwargs={"person_id": person_id, "section": "labs"})
    context = {
        "analyte": latest,
        "history": list(reversed(history)),
        "chronological": numeric,
        "chart": record_charts.trend_chart(numeric, large=True) if numeric else None,
        "record_breadcrumb": [
            {"label": Section.LABS.label, "url": labs_url},
            {"label": latest.name, "url": None},
        ],
    }
    return render_record(request, "medrecord/analyte.html", access, context)


urlpatterns = [
    path("", own_record, name="own"),
    path("<int:person_id>/", timeline, name="timeline"),
    path("<int:person_id>/labs/analyte/<str:code>/", analyte, name="analyte"),
    path("<int:person_id>/<record_section:section>/", section_page, name="section"),
    path("<int:person_id>/<record_section:section>/<int:entry_id>/", entry_page, name="entry"),
]
