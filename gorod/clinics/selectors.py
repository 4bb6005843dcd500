"""Reads of attachment (прикрепление): the clinics a person may apply to, the applications.

The citizen sees the applications of the people they act for; a registrar sees the ones
addressed to the clinics they are posted to. Anything else is "not found".
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gorod.accounts.models import Guardianship, Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER
from gorod.accounts.selectors import live_delegations
from gorod.clinics import rules
from gorod.clinics.models import (
    Attachment,
    AttachmentApplication,
    Organisation,
    RegistrarPost,
)
from gorod.core.clock import local_now
from gorod.core.errors import Forbidden, NotFound, RuleError
from gorod.core.ids import valid_id


# A search shows this many clinics at most: enough to choose from in one okrug.
def person_not_found() -> NotFound:
    return NotFound("person_not_found", _("Пациент не найден."))


@dataclass(frozen=True)
class Patient:
    """A person the actor may see the bookings of, and how the actor relates to them."""

    person: Person
    representation: rules.Representation

    @property
    def age_today(self) -> int:
        return rules.age_on(self.person.birth_date, local_now().date())

    @property
    def refusal(self) -> RuleError | None:
        """Why the actor may not book for this person (a guardian of a 15-year-old)."""
        return rules.representation_refusal(
            self.representation,
            patient_age=self.age_today,
            child_age_limit=GUARDIAN_REPRESENTS_UNDER,
        )


def patients_of(actor) -> list[Patient]:
    """The actor, their wards and their principals: the "whom for" choice of the pages.

    A ward of 15 or older is listed (the parent sees why they cannot book); a delegation
    without the appointments scope is not.
    """
    me = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if me is None:
        return []
    patients = [Patient(me, rules.Representation(is_self=True))]
    for guardianship in Guardianship.objects.filter(guardian=me).select_related("child"):
        patients.append(Patient(guardianship.child, rules.Representation(is_guardian=True)))
    today = local_now().date()
    for delegation in live_delegations(today=today).filter(delegate=me).select_related("principal"):
        scopes = frozenset(delegation.scopes)
        if rules.APPOINTMENTS_SCOPE in scopes:
            patients.append(
                Patient(delegation.principal, rules.Representation(delegated_scopes=scopes))
            )
    return sorted(
        patients, key=lambda patient: (not patient.representation.is_self, patient.person.pk)
    )


def patient_for(actor, person_id: int) -> Patient:
    """One person the actor relates to, or NotFound; the booking refusal is separate."""
    me = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if me is None or not valid_id(person_id):
        raise person_not_found()
    if person_id == me.pk:
        return Patient(me, rules.Representation(is_self=True))
    guardianship = (
        Guardianship.objects.filter(guardian=me, child_id=person_id).select_related("child").first()
    )
    if guardianship is not None:
        return Patient(guardianship.child, rules.Representation(is_guardian=True))
    delegation = (
        live_delegations(today=local_now().date())
        .filter(delegate=me, principal_id=person_id)
        .select_related("principal")
        .first()
    )
    if delegation is not None and rules.APPOINTMENTS_SCOPE in delegation.scopes:
        return Patient(
            delegation.principal,
            rules.Representation(delegated_scopes=frozenset(delegation.scopes)),
        )
    raise person_not_found()


def bookable_patient_for(actor, person_id: int) -> Patient:
    """`patient_for`, refused with `not_guardian` when the relation does not allow booking."""
    patient = patient_for(actor, person_id)
    if refusal := patient.refusal:
        raise Forbidden(refusal.code, refusal.message, field="person")
    return patient


def clinic_summary(organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "district": organisation.district,
        "phone": organisation.phone,
    }


def current_attachment(person_id: int) -> Attachment | None:
    return (
        Attachment.objects.filter(person_id=person_id, until__isnull=True)
        .select_related("organisation")
        .first()
    )


REGISTRAR_PERMISSION = "appointments.change_appointment"


def registrar_organisation_ids(actor) -> list[int]:
    """The clinics whose desk the actor works at (the role's permission and a posting)."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(REGISTRAR_PERMISSION)):
        return []
    return list(RegistrarPost.objects.filter(user=actor).values_list("organisation_id", flat=True))


def is_registrar_of(actor, organisation_id: int) -> bool:
    return organisation_id in registrar_organisation_ids(actor)


def recipients_of(person: Person) -> list[int]:
    """Who hears about a patient's appointment: the patient with a login, else the guardians."""
    if person.user_id is not None:
        return [person.pk]
    return list(
        Guardianship.objects.filter(child_id=person.pk).values_list("guardian_id", flat=True)
    )


CLINICS_SHOWN = 50


def application_not_found() -> NotFound:
    return NotFound("application_not_found", _("Заявление не найдено."))


def attachable_clinics(
    patient: Patient, *, query: str = "", district: str = ""
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


def attachable_districts(patient: Patient) -> list[str]:
    """The okrugs that have a polyclinic of the patient's age group, for the search's choice."""
    return list(
        Organisation.objects.filter(active=True, kind=rules.attachable_kind(patient.age_today))
        .exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()
    )


def attachable_clinic(patient: Patient, organisation_id: int) -> Organisation:
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
    visible = [patient.person.pk for patient in patients_of(actor)]
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
            organisation_id__in=registrar_organisation_ids(actor),
        )
        .select_related("person", "organisation")
        .first()
        if valid_id(application_id)
        else None
    )
    if found is None:
        raise application_not_found()
    return found
