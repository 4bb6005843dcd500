"""Reads about users and people, always scoped to the actor."""

from datetime import date

from django.db.models import Q, QuerySet

from gorod.accounts import rules
from gorod.accounts.models import ApiToken, Delegation, Guardianship, Person, User
from gorod.core.models import AuditEvent


def staff_member_by_login(login: str) -> User | None:
    """The staff account with this e-mail or phone, in any spelling of it."""
    parsed = rules.normalize_login(login)
    if parsed is None:
        return None
    field, value = parsed
    return User.objects.filter(**{field: value}, is_staff=True).first()


def person_of(user: User) -> Person | None:
    """The citizen record behind a login (staff accounts may have none)."""
    return Person.objects.filter(user=user).first()


def guardianships_of(person: Person) -> QuerySet[Guardianship]:
    return (
        Guardianship.objects.filter(guardian=person)
        .select_related("child")
        .order_by("child__birth_date", "child__id")
    )


def role_names_of(user: User) -> list[str]:
    """The roles (groups) of an account, by name, sorted."""
    return sorted(user.groups.values_list("name", flat=True))


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def recent_activity_of(user: User, *, limit: int = 10) -> list[AuditEvent]:
    """What the user did lately, newest first, from the audit log of their own actions."""
    return list(AuditEvent.objects.filter(actor=user).order_by("-occurred_at", "-id")[:limit])


def live_delegations(*, today: date) -> QuerySet[Delegation]:
    """Delegations that work today: confirmed, not revoked, not expired."""
    return Delegation.objects.filter(confirmed_at__isnull=False, revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def delegations_of(person: Person) -> tuple[list[Delegation], list[Delegation]]:
    """The person's delegations not yet revoked: (given by them, received by them)."""
    given, received = [], []
    labels = Delegation.Scope.values
    for delegation in (
        Delegation.objects.filter(Q(principal=person) | Q(delegate=person), revoked_at__isnull=True)
        .select_related("principal", "delegate")
        .order_by("-requested_at", "-id")
    ):
        delegation.scope_labels = [
            Delegation.Scope(scope).label for scope in delegation.scopes if scope in labels
        ]
        (given if delegation.principal_id == person.pk else received).append(delegation)
    return given, received
