"""Rating endpoints: a public summary, the citizen's ratings, the service owner's comments."""

from datetime import timedelta

from django.conf import settings
from ninja import Path, Query, Router, Status

from gorod.accounts.auth import authenticated
from gorod.catalog import selectors as catalog
from gorod.core.ids import MAX_ID
from gorod.core.pagination import api_page
from gorod.core.schemas import with_problems
from gorod.feedback import selectors, services
from gorod.feedback.models import Rating
from gorod.feedback.schemas import (
    AnswerIn,
    AsksOut,
    AsksQuery,
    OwnerCommentOut,
    OwnerCommentPage,
    OwnerCommentsQuery,
    RatingIn,
    RatingOut,
    RatingPatch,
    SummaryOut,
    TagIn,
)

router = Router(tags=["feedback"])


RATING_ID = Path(..., ge=1, le=MAX_ID)


def _rating_fields(rating: Rating) -> dict:
    """What the citizen's and the owner's views of a rating both show."""
    return {
        "id": rating.pk,
        "service": rating.service.slug,
        "stars": rating.stars,
        "comment": rating.comment,
        "created_at": rating.created_at,
        "answer": rating.answer,
        "answered_at": rating.answered_at,
    }


def _rating_out(rating: Rating) -> dict:
    return {
        **_rating_fields(rating),
        "updated_at": rating.updated_at,
        "editable_until": rating.created_at + timedelta(days=settings.GOROD_RATING_EDIT_DAYS),
    }


@router.get(
    "/services/{slug}/summary",
    response=with_problems({200: SummaryOut}, 404),
    auth=None,
    summary="A service's public rating",
)
def service_summary(request, slug: str):
    """Average, count and distribution; `shown` is false below the public minimum."""
    service = catalog.service_get(slug)
    summary = selectors.service_rating_summary(service)
    data = {
        "service": service.slug,
        "shown": summary is not None,
        "min_count": settings.GOROD_PUBLIC_MIN_COUNT,
    }
    if summary is not None:
        data.update(
            count=summary.count,
            average=summary.average,
            distribution=[share.__dict__ for share in summary.distribution],
        )
    return data


@router.post(
    "/ratings",
    response=with_problems({201: RatingOut}, 400, 401, 403, 404, 409, 410, 422),
    auth=authenticated,
    summary="Rate a use of a service",
)
def create_rating(request, payload: RatingIn):
    rating = services.rating_create(
        actor=request.auth, token=payload.token, stars=payload.stars, comment=payload.comment
    )
    return Status(201, _rating_out(rating))


@router.get(
    "/ratings/{rating_id}",
    response=with_problems({200: RatingOut}, 401, 404, 422),
    auth=authenticated,
    summary="One of my ratings",
)
def get_rating(request, rating_id: int = RATING_ID):
    return _rating_out(selectors.own_rating_get(actor=request.auth, rating_id=rating_id))


@router.patch(
    "/ratings/{rating_id}",
    response=with_problems({200: RatingOut}, 400, 401, 403, 404, 409, 422),
    auth=authenticated,
    summary="Change my rating (within the feedback window)",
)
def edit_rating(request, payload: RatingPatch, rating_id: int = RATING_ID):
    rating = services.rating_edit(
        actor=request.auth, rating_id=rating_id, stars=payload.stars, comment=payload.comment
    )
    rating = selectors.own_rating_get(actor=request.auth, rating_id=rating.pk)
    return _rating_out(rating)


def _owner_comment_out(rating: Rating) -> dict:
    return {
        **_rating_fields(rating),
        "source": rating.source,
        "topic": rating.topic,
        "idea_status": rating.idea_status,
    }


@router.get(
    "/owner/comments",
    response=with_problems({200: OwnerCommentPage}, 400, 401, 404, 422),
    auth=authenticated,
    summary="Comments on the services I own",
)
def owner_comments(request, filters: Query[OwnerCommentsQuery]):
    service = None
    if filters.service is not None:
        service = selectors.owned_service_get(actor=request.auth, slug=filters.service)
    period = None
    if filters.first is not None or filters.last is not None:
        period = selectors.owner_period(filters.first, filters.last)
    ratings = selectors.owner_comments(
        actor=request.auth,
        filters=selectors.CommentFilter(
            service=service, stars=filters.stars, topic=filters.topic, period=period
        ),
    )
    page = api_page(ratings, count=ratings.count(), page=filters.page, page_size=filters.page_size)
    page["items"] = [_owner_comment_out(rating) for rating in page["items"]]
    return page


@router.post(
    "/owner/comments/{rating_id}/answer",
    response=with_problems({200: OwnerCommentOut}, 400, 401, 403, 404, 422),
    auth=authenticated,
    summary="Answer a comment",
)
def answer_comment(request, payload: AnswerIn, rating_id: int = RATING_ID):
    rating = services.rating_answer(actor=request.auth, rating_id=rating_id, text=payload.text)
    return _owner_comment_out(rating)


@router.post(
    "/owner/comments/{rating_id}/tag",
    response=with_problems({200: OwnerCommentOut}, 400, 401, 403, 404, 422),
    auth=authenticated,
    summary="Tag a comment (bug, idea, …) and move an idea to planned or done",
)
def tag_comment(request, payload: TagIn, rating_id: int = RATING_ID):
    rating = services.rating_tag(
        actor=request.auth,
        rating_id=rating_id,
        topic=payload.topic,
        idea_status=payload.idea_status,
    )
    return _owner_comment_out(rating)


@router.get(
    "/owner/asks",
    response=with_problems({200: AsksOut}, 400, 401, 404, 422),
    auth=authenticated,
    summary="What people ask for: frequent words of low-rated comments",
)
def what_people_ask(request, filters: Query[AsksQuery]):
    service = selectors.owned_service_get(actor=request.auth, slug=filters.service)
    period = selectors.owner_period(filters.first, filters.last)
    phrases, comments = selectors.what_people_ask(
        actor=request.auth, service=service, period=period
    )
    return {
        "service": service.slug,
        "first": period.first,
        "last": period.last,
        "comments": comments,
        "phrases": [phrase.__dict__ for phrase in phrases],
    }
