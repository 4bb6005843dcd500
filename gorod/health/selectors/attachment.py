"""Reads of attachment (прикрепление): the clinics a person may apply to, the applications.

The citizen sees the applications of the people they act for; a registrar sees the ones
addressed to the clinics they are posted to. Anything else is "not found".
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.health import rules
from gorod.health.models import Attachment, AttachmentApplication, Organisation
from gorod.health.selectors import booking

# A search shows this many clinics at most: enough to choose from in one okrug.
CLINICS_SHOWN = 50


def application_not_found() -> NotFound:
    return NotFound("application_not_found", _("Заявление не найдено."))


def attachable_clinics(
    patient: booking.Patient, *, query: str = "", district: str = ""
) -> QuerySet[Organisation]:
    """Working polyclinics of the patient's age group, by name or address and okrug."""
    # PostgreSQL refuses a NUL in a string parameter; no name or okrug has one.
    query, district = query.replace("\x00", ""), district.replace("\x00", "")
    clinics = Organisation.objects.filter(
        active=True, kind=rules.attachable_kind(patient.age_today)
    )
    if district:
        clinics = clinics.filter(district=district)
    if query := query.strip():
        clinics = clinics.filter(
            Q(name__icontains=query) | Q(locations__address__icontains=query)
        ).distinct()
    return clinics.order_by("district", "name", "id")[:CLINICS_SHOWN]


def attachable_districts(patient: booking.Patient) -> list[str]:
    """The okrugs that have a polyclinic of the patient's age group, for the search's choice."""
    return list(
        Organisation.objects.filter(active=True, kind=rules.attachable_kind(patient.age_today))
        .exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()
    )


def attachable_clinic(patient: booking.Patient, organisation_id: int) -> Organisation:
    """A clinic the patient's application names: any known one (the rules judge its kind)."""
    clinic = (
        Organisation.objects.filter(pk=organisation_id).first()
        if valid_id(organisation_id)
        else None
    )
    if clinic is None:
        raise NotFound("clinic_not_found", _("Поликлиника не найдена."), field="organisation")
    return clinic


def applications_of(actor, *, person_ids: list[int] | None = None):
    """Applications of the people the actor acts for, newest first."""
    visible = [patient.person.pk for patient in booking.patients_of(actor)]
    if person_ids is not None:
        visible = [person_id for person_id in visible if person_id in person_ids]
    return (
        AttachmentApplication.objects.filter(person_id__in=visible)
        .select_related("person", "organisation")
        .order_by("-created_at", "-id")
    )


def application_for(actor, application_id: int) -> AttachmentApplication:
    found = (
        applications_of(actor).filter(pk=application_id).first()
        if valid_id(application_id)
        else None
    )
    if found is None:
        raise application_not_found()
    return found


def pending_of(person_id: int) -> AttachmentApplication | None:
    return (
        AttachmentApplication.objects.filter(
            person_id=person_id, status=AttachmentApplication.Status.PENDING
        )
        .select_related("organisation")
        .first()
    )


# --- The registrar's desk -------------------------------------------------------------


def desk_applications(organisation_id: int) -> list[AttachmentApplication]:
    """A clinic's pending applications, oldest first, each with the patient's current clinic
    (`current`: an Attachment or None), in two queries."""
    applications = list(
        AttachmentApplication.objects.filter(
            organisation_id=organisation_id, status=AttachmentApplication.Status.PENDING
        )
        .select_related("person")
        .order_by("created_at", "id")
    )
    current = {
        attachment.person_id: attachment
        for attachment in Attachment.objects.filter(
            person_id__in=[application.person_id for application in applications],
            until__isnull=True,
        ).select_related("organisation")
    }
    for application in applications:
        application.current = current.get(application.person_id)
    return applications


def pending_counts(organisation_ids: list[int]) -> dict[int, int]:
    """Per clinic, how many applications wait for the desk: one grouped count."""
    return dict(
        AttachmentApplication.objects.filter(
            organisation_id__in=organisation_ids, status=AttachmentApplication.Status.PENDING
        )
        .values_list("organisation_id")
        .annotate(count=Count("id"))
        .order_by()
    )


def desk_application(actor, application_id: int) -> AttachmentApplication:
    """An application addressed to one of the actor's desks, or not found."""
    found = (
        AttachmentApplication.objects.filter(
            pk=application_id,
            organisation_id__in=booking.registrar_organisation_ids(actor),
        )
        .select_related("person", "organisation")
        .first()
        if valid_id(application_id)
        else None
    )
    if found is None:
        raise application_not_found()
    return found
