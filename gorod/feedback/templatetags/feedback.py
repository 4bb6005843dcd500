"""The rating block of a service page, as a tag: the catalog's view stays unaware of
ratings, and the block costs one read by primary key (plus one for a signed-in citizen
who has just used the service)."""

from django import template
from django.conf import settings

from gorod.feedback import selectors
from gorod.feedback.forms import NewRatingForm, RatingForm

register = template.Library()


@register.inclusion_tag("feedback/_service_rating.html", takes_context=True)
def rating_block(context, service, use_id=None):
    request = context["request"]
    user = request.user
    own_rating = invitation = form = None
    if use_id is not None and user.is_authenticated:
        own_rating = selectors.own_rating_editable(actor=user, service=service)
        if own_rating is not None:
            # One rating per use, but a citizen who comes back within the window is
            # offered to change what they said rather than to say it again.
            form = RatingForm(initial={"stars": own_rating.stars, "comment": own_rating.comment})
        else:
            invitation = selectors.rating_invitation(actor=user, service=service, use_id=use_id)
            form = NewRatingForm(initial={"token": invitation})
    return {
        "service": service,
        "summary": selectors.service_rating_summary(service),
        "own_rating": own_rating,
        "form": form,
        "csrf_token": context.get("csrf_token"),
        "min_count": settings.GOROD_PUBLIC_MIN_COUNT,
    }
