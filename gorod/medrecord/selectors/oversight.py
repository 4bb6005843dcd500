"""Reads of the record's oversight: who supervises a clinic, the emergency looks to review.

A supervisor is a user with the review permission (the "health_supervisor" role) and a
posting to a clinic; they see the emergency openings of doctors who worked at one of their
clinics when they opened them. For anyone else the list does not exist (404).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.medrecord.models.oversight import REVIEW_PERMISSION, EmergencyAccess, SupervisorPost
from gorod.medrecord.models.record import AccessLogEntry

REVIEW_PAGE = 30


def supervisor_clinic_ids(actor) -> list[int]:
    """The clinics whose doctors' emergency looks the actor reviews; empty for others."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(REVIEW_PERMISSION)):
        return []
    return list(SupervisorPost.objects.filter(user=actor).values_list("organisation_id", flat=True))


def clinic_supervisors(clinic_ids) -> list:
    """The users who review emergency looks at any of these clinics (a handful a clinic)."""
    posted = (
        get_user_model()
        .objects.filter(
            pk__in=SupervisorPost.objects.filter(organisation_id__in=clinic_ids).values("user_id"),
            is_active=True,
        )
        .select_related("person")
    )
    return [user for user in posted if user.has_perm(REVIEW_PERMISSION)]


def _not_found() -> NotFound:
    return NotFound("emergency_access_not_found", _("Экстренный доступ не найден."))


def _under_review(clinic_ids: list[int]) -> QuerySet[EmergencyAccess]:
    return EmergencyAccess.objects.filter(
        pk__in=EmergencyAccess.clinics.through.objects.filter(
            organisation_id__in=clinic_ids
        ).values("emergencyaccess_id")
    )


def emergency_access_for_review(actor, grant_id) -> EmergencyAccess:
    """One emergency opening the actor reviews, or NotFound."""
    clinics = supervisor_clinic_ids(actor)
    grant = (
        _under_review(clinics).select_related("practitioner").filter(pk=grant_id).first()
        if clinics and valid_id(grant_id)
        else None
    )
    if grant is None:
        raise _not_found()
    return grant


@dataclass(frozen=True)
class ChannelLooks:
    channel: str
    label: str
    looks: int


def emergency_reviews(actor, *, pending_only: bool, page) -> Page:
    """The emergency openings at the actor's clinics, newest first, with the looks taken
    under each by channel (`grant.looks_by_channel`). NotFound for a non-supervisor."""
    clinics = supervisor_clinic_ids(actor)
    if not clinics:
        raise _not_found()
    grants = _under_review(clinics).select_related("practitioner", "patient", "reviewed_by")
    if pending_only:
        grants = grants.filter(reviewed_at__isnull=True)
    result = Paginator(grants.order_by("-opened_at", "-id"), REVIEW_PAGE).get_page(page)
    counts: dict[int, list[ChannelLooks]] = {}
    labels = dict(AccessLogEntry.Channel.choices)
    rows = (
        AccessLogEntry.objects.filter(
            emergency_access_id__in=[grant.pk for grant in result.object_list]
        )
        .values("emergency_access_id", "channel")
        .annotate(looks=Count("id"))
        .order_by("emergency_access_id", "channel")
    )
    for row in rows:
        counts.setdefault(row["emergency_access_id"], []).append(
            ChannelLooks(
                row["channel"], str(labels.get(row["channel"], row["channel"])), row["looks"]
            )
        )
    for grant in result.object_list:
        grant.looks_by_channel = counts.get(grant.pk, [])
    return result
