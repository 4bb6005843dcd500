"""Reads of ratings for pages, the API and reports, scoped to the actor.

A rating outside the actor's reach (someone else's, or a service they do not own) is
"not found", never "forbidden". Report figures come from the daily rollup only.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.analytics.rules import FIRST_DAY, Period, day_bounds
from gorod.analytics.selectors import period_of
from gorod.analytics.services import analytics_zone
from gorod.catalog import selectors as catalog
from gorod.catalog.models import Department, Service
from gorod.core import clock
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.feedback import rules
from gorod.feedback.models import Rating, RatingDaily, RatingSummary, ServiceOwnership

USE_TOKEN_SALT = "gorod.feedback.use"  # noqa: S105 — a namespace for signatures, not a secret
# Primary keys are 64-bit: a larger number from a URL or a request is simply not a rating
# (SQLite would otherwise fail on the conversion instead of finding nothing).
# "What people ask for" reads the newest low-rated comments of one service: enough for
# the phrases to settle, few enough that lemmatising them stays well under a second.
PHRASES_MAX_COMMENTS = 5000
# Without dates the owner pages and endpoints look at the last quarter.
OWNER_PERIOD_DAYS = 90


def rating_invitation(*, actor, service: Service, use_id: uuid.UUID) -> str:
    """The signed receipt of a use that the citizen hands back to rate it.

    Uses are recorded off the request and pseudonymously, so they cannot be looked up by
    user; the receipt proves the use instead: who, which service, which use, and when
    (the signature's timestamp bounds how long it can be rated).
    """
    return signing.dumps(
        {"use": str(use_id), "service": service.slug, "user": actor.pk}, salt=USE_TOKEN_SALT
    )


def rated_service(slug: str) -> Service | None:
    """The catalog's card of a service whose rating is offered after a use (None if gone)."""
    try:
        return catalog.service_get(slug)
    except NotFound:
        return None


def rating_receipt(*, actor, service_slug: str, use_id: uuid.UUID | None) -> str | None:
    """The signed receipt an API client hands back to rate this use (None on a replay)."""
    service = rated_service(service_slug) if use_id is not None else None
    if service is None:
        return None
    return rating_invitation(actor=actor, service=service, use_id=use_id)


def rating_not_found() -> NotFound:
    return NotFound("rating_not_found", _("Такой оценки нет."))


def service_rating_summary(service: Service) -> rules.PublicSummary | None:
    """A service's public figures (one read by primary key), or None while it has fewer
    than GOROD_PUBLIC_MIN_COUNT ratings and nothing may be shown."""
    summary = RatingSummary.objects.filter(pk=service.pk).first()
    if summary is None:
        return None
    return rules.public_summary(summary.counts, min_count=settings.GOROD_PUBLIC_MIN_COUNT)


def own_rating_editable(*, actor, service: Service) -> Rating | None:
    """The actor's newest rating of this service that can still be changed, if any."""
    if not getattr(actor, "is_authenticated", False):
        return None
    since = timezone.now() - timedelta(days=settings.GOROD_RATING_EDIT_DAYS)
    return (
        Rating.objects.filter(user_id=actor.pk, service_id=service.pk, created_at__gt=since)
        .order_by("-created_at")
        .first()
    )


def own_ratings(*, actor, limit: int = 10) -> list[Rating]:
    """The actor's latest ratings with the service, newest first (the cabinet's list, where
    a citizen sees whether the service's owner answered)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    editable_since = timezone.now() - timedelta(days=settings.GOROD_RATING_EDIT_DAYS)
    ratings = list(
        Rating.objects.filter(user_id=actor.pk)
        .select_related("service")
        .order_by("-created_at", "-id")[:limit]
    )
    for rating in ratings:
        rating.is_editable = rating.created_at > editable_since
    return ratings


def own_rating_get(*, actor, rating_id: int) -> Rating:
    if not valid_id(rating_id) or not getattr(actor, "is_authenticated", False):
        raise rating_not_found()
    rating = Rating.objects.filter(pk=rating_id, user_id=actor.pk).select_related("service").first()
    if rating is None:
        raise rating_not_found()
    return rating


def ownership_target(
    *, service_slug: str | None, department_code: str | None
) -> tuple[Service | None, Department | None]:
    """The service (published or not) or the department named for an ownership grant."""
    service = Service.objects.filter(slug=service_slug).first() if service_slug else None
    department = (
        Department.objects.filter(code=department_code).first() if department_code else None
    )
    return service, department


def owner_scope(actor) -> Q:
    """The ratings a service owner may read and answer: their services and departments."""
    if not getattr(actor, "is_authenticated", False):
        return Q(pk__in=[])
    ownerships = ServiceOwnership.objects.filter(user_id=actor.pk)
    return Q(service_id__in=ownerships.values("service_id")) | Q(
        service__department_id__in=ownerships.values("department_id")
    )


def owned_services(*, actor) -> list[Service]:
    if not getattr(actor, "is_authenticated", False):
        return []
    ownerships = ServiceOwnership.objects.filter(user_id=actor.pk)
    return list(
        Service.objects.filter(
            Q(pk__in=ownerships.values("service_id"))
            | Q(department_id__in=ownerships.values("department_id"))
        ).order_by("title", "slug")
    )


def owned_service_get(*, actor, slug: str) -> Service:
    for service in owned_services(actor=actor):
        if service.slug == slug:
            return service
    raise NotFound("service_not_found", _("Такой услуги нет среди ваших."))


@dataclass(frozen=True)
class CommentFilter:
    service: Service | None = None
    stars: int | None = None
    period: Period | None = None
    topic: str | None = None


def owner_comments(*, actor, filters: CommentFilter) -> QuerySet[Rating]:
    """Ratings with a comment on the actor's services, newest first."""
    ratings = Rating.objects.filter(owner_scope(actor)).exclude(comment="")
    if filters.service is not None:
        ratings = ratings.filter(service_id=filters.service.pk)
    if filters.stars is not None:
        ratings = ratings.filter(stars=filters.stars)
    if filters.topic is not None:
        ratings = ratings.filter(topic=filters.topic)
    if filters.period is not None:
        start, end = _period_bounds(filters.period)
        ratings = ratings.filter(created_at__gte=start, created_at__lt=end)
    return ratings.select_related("service", "answered_by").order_by("-created_at", "-pk")


def owner_rating_get(*, actor, rating_id: int) -> Rating:
    if not valid_id(rating_id):
        raise rating_not_found()
    rating = (
        Rating.objects.filter(owner_scope(actor), pk=rating_id).select_related("service").first()
    )
    if rating is None:
        raise rating_not_found()
    return rating


def what_people_ask(
    *, actor, service: Service, period: Period, top: int = 30
) -> tuple[list[rules.Phrase], int]:
    """The frequent words and phrases of a service's low-rated comments in a period, and
    how many comments they were drawn from (the newest PHRASES_MAX_COMMENTS at most)."""
    owned_service_get(actor=actor, slug=service.slug)
    start, end = _period_bounds(period)
    comments = list(
        Rating.objects.filter(
            service_id=service.pk,
            stars__lte=rules.LOW_STARS,
            created_at__gte=start,
            created_at__lt=end,
        )
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("comment", flat=True)[:PHRASES_MAX_COMMENTS]
    )
    return rules.frequent_phrases(comments, top=top), len(comments)


def rating_figures_for(period: Period) -> rules.RatingFigures:
    """Report figures of a period, from the daily rollup (never the ratings themselves)."""
    rows = RatingDaily.objects.filter(day__gte=period.first, day__lte=period.last)
    by_service = list(
        rows.values_list("service_id", "stars").annotate(total=Sum("count")).order_by()
    )
    daily = {
        (day, stars): total
        for day, stars, total in rows.values_list("day", "stars")
        .annotate(total=Sum("count"))
        .order_by()
    }
    catalog = {
        pk: (slug, title, category)
        for pk, slug, title, category in Service.objects.filter(
            pk__in={service_id for service_id, _stars, _total in by_service}
        ).values_list("pk", "slug", "title", "category__slug")
    }
    return rules.rating_figures(
        period,
        counts={(catalog[service_id][0], stars): total for service_id, stars, total in by_service},
        daily=daily,
        services={slug: (title, category) for slug, title, category in catalog.values()},
    )


def owner_period(first: date | None, last: date | None) -> Period:
    """The period of the owner pages and API: the given dates, by default the last quarter
    up to the given end (or today); a DomainError names the field that is wrong."""
    last = last or clock.local_date()
    if first is None:
        # The end is checked before a default start is counted back from it: from a
        # year-1 date that subtraction would overflow.
        period_of(last, last, fields=("last", "last"))
        first = max(FIRST_DAY, last - timedelta(days=OWNER_PERIOD_DAYS - 1))
    return period_of(first, last, fields=("first", "last"))


def _period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The instants [start, end) of a period of Moscow days."""
    zone = analytics_zone()
    return day_bounds(period.first, zone)[0], day_bounds(period.last, zone)[1]
