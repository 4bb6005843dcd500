"""Reads of the citizen's record pages: the timeline, a section, one entry, an analyte.

Every function takes the `RecordAccess` that `selectors.access.record_open` returned (the
look is already decided and logged) and checks that it covers the section read. What the
patient side sees is `VISIBLE`: current (not superseded) and signed entries, plus ordered
certificates, whose status is the point of showing them. A superseded version is reached
only from its amendment's page (`entry_detail(..., newer_id=...)`), never listed.
"""

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.accounts.models import Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER, age_on
from gorod.clinics.models import Organisation, Specialty
from gorod.core.clock import city_zone, local_now
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.core.moments import moment_refusal
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.record import Diagnosis, Entry, Observation, Section
from gorod.medrecord.selectors import record_sql
from gorod.medrecord.selectors.access import RecordAccess, record_not_found

VISIBLE = Q(superseded_at__isnull=True) & (
    Q(finalised_at__isnull=False) | Q(section=Section.CERTIFICATES)
)
# The sections the timeline and the section pages list. The diary is the patient's own
# readings with a page of its own; it is never an entry of the doctors' record.
LISTED_SECTIONS = tuple(section for section in Section.values if section != Section.DIARY)
# The details table of each section (Entry's one-to-one related name).
DETAIL_OF = {
    Section.ENCOUNTERS: "encounter",
    Section.CONDITIONS: "condition",
    Section.LABS: "lab_report",
    Section.STUDIES: "study",
    Section.DISCHARGES: "discharge",
    Section.PRESCRIPTIONS: "prescription",
    Section.SICK_LEAVES: "sick_leave",
    Section.IMMUNIZATIONS: "immunization",
    Section.CERTIFICATES: "certificate",
}
DIAGNOSED_SECTIONS = frozenset({Section.ENCOUNTERS, Section.DISCHARGES})


def record_people(actor) -> list[tuple[Person, str]]:
    """Me, my children under 15 and principals whose delegation covers the record.

    The same relations `record_open` allows on the patient side; a teen of 15 is not listed
    (from that birthday the record is the teen's own, or by the teen's delegation). One
    statement (record_sql.switch_rows, with `accounts.selectors.live_delegations` written out).
    """
    if not getattr(actor, "is_authenticated", False):
        return []
    today = local_now().date()
    people = []
    for row in record_sql.switch_rows(actor.pk, today):
        if row.relation == "guardian":
            if age_on(row.person.birth_date, today) >= GUARDIAN_REPRESENTS_UNDER:
                continue
        elif row.relation == "delegate" and record_rules.RECORD_SCOPE not in row.scopes:
            continue
        people.append((row.person, row.relation))
    return people


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    current: str  # the aria-current value: "page", "true" (an entry of the section) or ""


# The section pages in the order of the navigation, with their short names.
NAV_SECTIONS = (
    (Section.ENCOUNTERS, gettext_lazy("Приёмы")),
    (Section.LABS, gettext_lazy("Анализы")),
    (Section.STUDIES, gettext_lazy("Исследования")),
    (Section.DISCHARGES, gettext_lazy("Выписки")),
    (Section.PRESCRIPTIONS, gettext_lazy("Рецепты")),
    (Section.SICK_LEAVES, gettext_lazy("Больничные")),
    (Section.IMMUNIZATIONS, gettext_lazy("Прививки")),
    (Section.CONDITIONS, gettext_lazy("Заболевания")),
)
# Pages that exist for every person of the switch: switching keeps the reader on them.
SWITCH_KEEPS = frozenset({"timeline", "section", "certificates", "diary"})


def _nav(access: RecordAccess, url_name: str, current_section: str) -> list[NavItem]:
    person_id = access.patient.pk
    timeline_url = reverse("record:timeline", kwargs={"person_id": person_id})
    items = [
        NavItem("timeline", _("Лента"), timeline_url, "page" if url_name == "timeline" else "")
    ]
    for section, label in NAV_SECTIONS:
        # The section page's pattern is `<person_id>/<section>/` (views/record.py): one
        # reverse for the navigation instead of one per section.
        url = f"{timeline_url}{section}/"
        current = ""
        if current_section == section:
            current = "page" if url_name == "section" else "true"
        items.append(NavItem(section, str(label), url, current))
    tools = [("certificates", _("Справки")), ("diary", _("Дневник здоровья"))]
    if access.role in ("self", "guardian"):
        tools.append(("access_log", _("Кто смотрел карту")))
    for name, label in tools:
        url = reverse(f"record:{name}", kwargs={"person_id": person_id})
        items.append(NavItem(name, str(label), url, "page" if url_name == name else ""))
    return items


def record_context(request, access: RecordAccess) -> dict:
    """What `medrecord/base.html` needs: the person switch and the section navigation."""
    match = request.resolver_match
    url_name = match.url_name if match else ""
    current_section = match.kwargs.get("section", "") if match else ""
    people = []
    # A doctor's look at a patient has no "whose record" choice: the switch lists the
    # reader's own family, which is the patient side's.
    readers_people = record_people(request.user) if access.is_patient_side else []
    for person, role in readers_people:
        if url_name in SWITCH_KEEPS:
            kwargs = dict(match.kwargs, person_id=person.pk)
            url = reverse(f"record:{url_name}", kwargs=kwargs)
        else:
            url = None
        people.append(
            {
                "person": person,
                "role": role,
                "url": url or reverse("record:timeline", kwargs={"person_id": person.pk}),
                "current": person.pk == access.patient.pk,
            }
        )
    return {
        "access": access,
        "patient": access.patient,
        "record_people": people,
        "record_nav": _nav(access, url_name, current_section),
    }


@dataclass(frozen=True)
class RecordFilters:
    """The filters of the timeline and section pages (all optional)."""

    since: date | None = None
    until: date | None = None
    specialty_id: int | None = None
    organisation_id: int | None = None

    @property
    def active(self) -> bool:
        return any(
            value is not None
            for value in (self.since, self.until, self.specialty_id, self.organisation_id)
        )


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=city_zone())


def encode_cursor(entry: Entry) -> str:
    raw = f"{entry.occurred_at.isoformat()}|{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (occurred_at, id) a page continues after; None for a cursor that is not ours.

    A cursor is the client's text: a naive or out-of-range moment (an offset of +25:00, a
    year the database cannot compare) or an id past bigint is not ours either."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        text, pk_text = raw.split("|")
        moment, pk = datetime.fromisoformat(text), int(pk_text)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None
    if moment.tzinfo is None or moment_refusal(moment) is not None or not valid_id(pk):
        return None
    return moment, pk


def _listed_sections(access: RecordAccess, section: str | None) -> tuple[str, ...]:
    """The sections a listing of `section` (None: the timeline) reads, if the look covers it."""
    if section is None:
        if not access.allows(record_rules.TIMELINE):
            raise record_not_found()
        return LISTED_SECTIONS
    if section not in LISTED_SECTIONS or not access.allows(section):
        raise record_not_found()
    return (section,)


def _entries(access: RecordAccess, section: str | None):
    sections = _listed_sections(access, section)
    return Entry.objects.filter(VISIBLE, patient=access.patient, section__in=sections)


def _visible_where(access: RecordAccess, sections) -> tuple[list[str], list]:
    """`VISIBLE` of this patient's `sections`, as record_sql's WHERE parts and parameters."""
    return (
        [
            "e.patient_id = %s",
            "e.superseded_at IS NULL",
            "(e.finalised_at IS NOT NULL OR e.section = %s)",
            f"e.section IN ({', '.join(['%s'] * len(sections))})",
        ],
        [access.patient.pk, Section.CERTIFICATES.value, *sections],
    )


def timeline(
    access: RecordAccess,
    *,
    filters: RecordFilters,
    cursor: str | None = None,
    section: str | None = None,
) -> TimelinePage:
    """A page of the record, newest first, continuing after `cursor`: one statement.

    Keyset on (occurred_at, id), so paging stays stable while entries arrive and entries
    at the same minute are neither repeated nor skipped. A cursor that is not ours starts
    from the top.
    """
    where, params = _visible_where(access, _listed_sections(access, section))
    moment = connection.ops.adapt_datetimefield_value
    if filters.since is not None:
        where.append("e.occurred_at >= %s")
        params.append(moment(_start_of(filters.since)))
    if filters.until is not None:
        where.append("e.occurred_at < %s")
        params.append(moment(_start_of(filters.until + timedelta(days=1))))
    if filters.specialty_id is not None:
        where.append("e.specialty_id = %s")
        params.append(filters.specialty_id)
    if filters.organisation_id is not None:
        where.append("e.organisation_id = %s")
        params.append(filters.organisation_id)
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        after_moment, pk = after
        where.append("(e.occurred_at < %s OR (e.occurred_at = %s AND e.id < %s))")
        params += [moment(after_moment), moment(after_moment), pk]
    size = settings.GOROD_HEALTH_TIMELINE_PAGE
    rows = record_sql.entries_page(where, params, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return TimelinePage(rows, encode_cursor(rows[-1]) if more else None)


def filter_choices(access: RecordAccess) -> tuple[list[Specialty], list[Organisation]]:
    """The specialties and organisations that occur in this record: the filters' choices."""
    entries = _entries(access, None)
    specialties = list(
        Specialty.objects.filter(pk__in=entries.values("specialty_id")).order_by("name")
    )
    organisations = list(
        Organisation.objects.filter(pk__in=entries.values("organisation_id")).order_by("name")
    )
    return specialties, organisations


def entry_detail(
    access: RecordAccess, section: str, entry_id: int, *, newer_id: int | None = None
) -> Entry:
    """One entry of this record and section with its details, or NotFound.

    Without `newer_id` the entry must be visible. With it, the entry is the version that
    entry `newer_id` amended: the only way to a superseded version is from its successor,
    and it must be signed (a draft amendment's original is still the current one).
    """
    if section not in DETAIL_OF or not access.allows(section):
        raise record_not_found()
    entries = Entry.objects.filter(patient=access.patient, section=section, pk=entry_id)
    if newer_id is None:
        entries = entries.filter(VISIBLE)
    else:
        # Only a signed amendment opens its original: a doctor's draft is not yet news.
        entries = entries.filter(
            amendment__pk=newer_id,
            amendment__finalised_at__isnull=False,
            finalised_at__isnull=False,
        )
    detail = DETAIL_OF[section]
    related = ["organisation", "specialty", "practitioner", detail, "amendment"]
    if section == Section.CONDITIONS:
        related.append("condition__icd10")
    entries = entries.select_related(*related)
    if section == Section.CERTIFICATES:
        entries = entries.defer("certificate__pdf")
    if section in DIAGNOSED_SECTIONS:
        entries = entries.prefetch_related(
            Prefetch("diagnoses", queryset=Diagnosis.objects.select_related("icd10"))
        )
    if section == Section.LABS:
        entries = entries.prefetch_related("observations")
    entry = entries.first()
    if entry is None:
        raise record_not_found()
    return entry


def analyte_histories(access: RecordAccess, codes) -> dict[str, list[Observation]]:
    """Each analyte's visible values in this record, oldest first, in one query."""
    if not access.allows(Section.LABS):
        raise record_not_found()
    histories: dict[str, list[Observation]] = defaultdict(list)
    observations = (
        Observation.objects.filter(
            code__in=list(codes),
            entry__in=Entry.objects.filter(VISIBLE, patient=access.patient, section=Section.LABS),
        )
        .select_related("entry")
        .order_by("entry__occurred_at", "entry_id", "position", "id")
    )
    for observation in observations:
        histories[observation.code].append(observation)
    return dict(histories)


def analyte_history(access: RecordAccess, code: str) -> list[Observation]:
    """One analyte's values across this record's lab reports, oldest first; NotFound if none."""
    history = analyte_histories(access, [code]).get(code)
    if not history:
        raise NotFound("analyte_not_found", _("Такого показателя в анализах нет."))
    return history
