"""Reads about users and people, always scoped to the actor."""

from django.db.models import QuerySet

from gorod.accounts.models import ApiToken, Guardianship, Person, User
from gorod.core.models import AuditEvent


def person_of(user: User) -> Person | None:
    """The citizen record behind a login (staff accounts may have none)."""
    return Person.objects.filter(user=user).first()


def guardianships_of(person: Person) -> QuerySet[Guardianship]:
    return (
        Guardianship.objects.filter(guardian=person)
        .select_related("child")
        .order_by("child__birth_date", "child__id")
    )


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def recent_activity_of(user: User, *, limit: int = 10) -> list[AuditEvent]:
    """What the user did lately, newest first, from the audit log of their own actions."""
    return list(AuditEvent.objects.filter(actor=user).order_by("-occurred_at", "-id")[:limit])
