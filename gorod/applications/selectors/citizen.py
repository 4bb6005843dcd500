"""What a citizen reads of their applications: scoped to the applicant, "not found" otherwise.

An application and its files are the applicant's (DOMAIN.md, 152-FZ): another citizen asking
for one by its id is told it does not exist, never that it is someone else's.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.accounts.rules import ADULT_AGE, age_on
from gorod.accounts.selectors import guardianships_of
from gorod.applications import rules
from gorod.applications.models import Application, Event, File
from gorod.core.errors import NotFound, Unauthenticated
from gorod.core.ids import uuid_or_none


def application_not_found() -> NotFound:
    return NotFound("application_not_found", _("Такого заявления среди ваших нет."))


def file_not_found() -> NotFound:
    return NotFound("file_not_found", _("Такого файла среди ваших нет."))


def applicant_of(actor) -> Person:
    """The citizen behind the signed-in account; staff without a citizen record apply for nobody."""
    if not getattr(actor, "is_authenticated", False):
        raise Unauthenticated("sign_in_required", _("Войдите, чтобы подать заявление."))
    # The reverse one-to-one is cached on the user object: one query per request, not per call.
    try:
        return actor.person
    except Person.DoesNotExist:
        raise NotFound(
            "no_citizen_record",
            _("У этой учётной записи нет карточки жителя: заявления подают жители."),
        ) from None


def represented_children(person: Person, *, today: date) -> list[Person]:
    """The children under 18 the person is a parent or guardian of: those they apply for."""
    return [
        link.child
        for link in guardianships_of(person)
        if age_on(link.child.birth_date, today) < ADULT_AGE
    ]


def _own(actor) -> QuerySet[Application]:
    return Application.objects.filter(applicant=applicant_of(actor))


def own_application_get(*, actor, public_id, for_update: bool = False) -> Application:
    found = uuid_or_none(public_id)
    if found is None:
        raise application_not_found()
    query = _own(actor).select_related(
        "definition", "service", "service__category", "department", "subject", "applicant"
    )
    if for_update:
        query = query.select_for_update(of=("self",))
    application = query.filter(public_id=found).first()
    if application is None:
        raise application_not_found()
    return application


def own_file_get(*, actor, public_id) -> File:
    found = uuid_or_none(public_id)
    if found is None:
        raise file_not_found()
    file = (
        File.objects.filter(public_id=found, application__applicant=applicant_of(actor))
        .select_related("application")
        .first()
    )
    if file is None:
        raise file_not_found()
    return file


def my_applications(*, actor) -> QuerySet[Application]:
    """«Мои заявки»: newest first, drafts included."""
    return (
        _own(actor)
        .select_related("service", "subject", "department")
        .order_by("-created_at", "-id")
    )


def file_counts(application: Application, *, purpose: str = File.Purpose.FIELD) -> dict[str, int]:
    rows = (
        File.objects.filter(application=application, purpose=purpose)
        .values("field_key")
        .annotate(count=Count("id"))
    )
    return {row["field_key"]: row["count"] for row in rows}


def files_of(application: Application) -> list[File]:
    return list(File.objects.filter(application=application).order_by("uploaded_at", "id"))


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    status: str
    label: str
    text: str


def timeline_of(application: Application) -> list[TimelineEntry]:
    """The history the citizen reads: every status change with its words (no staff notes)."""
    events = Event.objects.filter(application=application, kind=Event.Kind.STATUS).order_by(
        "at", "id"
    )
    return [
        TimelineEntry(
            at=event.at,
            status=event.to_status,
            label=rules.status_label(event.to_status),
            text=event.text,
        )
        for event in events
    ]
