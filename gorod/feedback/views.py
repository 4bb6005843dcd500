"""Rating pages: thin views over feedback services and selectors; all work without JS."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gorod.analytics.rules import Period
from gorod.catalog import selectors as catalog
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.feedback import selectors, services
from gorod.feedback.forms import (
    AnswerForm,
    AsksForm,
    CommentFilterForm,
    NewRatingForm,
    RatingForm,
    TagForm,
)
from gorod.feedback.models import Rating

COMMENTS_PAGE_SIZE = 20
# Without dates the owner pages look at the last quarter: long enough for rare services.


@login_required
@require_POST
def rate(request, slug: str):
    """The one-click form of the service page posts here with the use's receipt."""
    service = catalog.service_get(slug)
    form = NewRatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_create(
                actor=request.user,
                token=form.cleaned_data["token"],
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
                service=service.slug,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Спасибо! Оценка сохранена."))
            return redirect(service.page_url)
    return render(request, "feedback/rate.html", {"form": form, "service": service}, status=400)


@login_required
def rating_edit(request, rating_id: int):
    rating = selectors.own_rating_get(actor=request.user, rating_id=rating_id)
    form = RatingForm(
        request.POST or None, initial={"stars": rating.stars, "comment": rating.comment}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_edit(
                actor=request.user,
                rating_id=rating.pk,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
            )
        except NotFound:
            raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Оценка изменена."))
            return redirect(reverse("web:service", args=[rating.service.slug]))
    return render(request, "feedback/rating_edit.html", {"form": form, "rating": rating})


def _period(form) -> Period | None:
    """The form's period (by default the last quarter), or None with the error shown."""
    try:
        return selectors.owner_period(form.cleaned_data.get("first"), form.cleaned_data.get("last"))
    except DomainError as error:
        show_on_form(form, error)
        return None


@login_required
@require_safe
def owner_comments(request):
    """Comments on the services the staff member owns, filtered by a GET form."""
    owned = selectors.owned_services(actor=request.user)
    form = CommentFilterForm(request.GET or None, services=owned)
    filters = selectors.CommentFilter()
    dated = form.is_bound and (request.GET.get("first") or request.GET.get("last"))
    period = _period(form) if dated and form.is_valid() else None
    if form.is_bound and form.is_valid():
        by_slug = {service.slug: service for service in owned}
        filters = selectors.CommentFilter(
            service=by_slug.get(form.cleaned_data["service"]),
            stars=form.cleaned_data["stars"],
            topic=form.cleaned_data["topic"] or None,
            period=period,
        )
    page = Paginator(
        selectors.owner_comments(actor=request.user, filters=filters), COMMENTS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/owner_comments.html",
        {
            "owned": owned,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "topics": Rating.Topic.choices,
            "idea_statuses": Rating.IdeaStatus.choices,
            "return_to": request.get_full_path(),
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("feedback:owner_comments")
    return redirect(target)


@login_required
@require_POST
def owner_answer(request, rating_id: int):
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Напишите ответ."))
        return _back(request)
    try:
        services.rating_answer(
            actor=request.user, rating_id=rating_id, text=form.cleaned_data["answer"]
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Ответ сохранён."))
    return _back(request)


@login_required
@require_POST
def owner_tag(request, rating_id: int):
    form = TagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите тему и состояние из списков."))
        return _back(request)
    try:
        services.rating_tag(
            actor=request.user,
            rating_id=rating_id,
            topic=form.cleaned_data["topic"],
            idea_status=form.cleaned_data["idea_status"],
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Тема сохранена."))
    return _back(request)


@login_required
@require_safe
def owner_asks(request):
    """What people ask for: frequent words of low-rated comments on one owned service."""
    owned = selectors.owned_services(actor=request.user)
    form = AsksForm(request.GET or None, services=owned)
    phrases, comments, service, period = None, 0, None, None
    if form.is_bound and form.is_valid():
        period = _period(form)
    if period is not None:
        service = {item.slug: item for item in owned}[form.cleaned_data["service"]]
        phrases, comments = selectors.what_people_ask(
            actor=request.user, service=service, period=period
        )
    return render(
        request,
        "feedback/owner_asks.html",
        {
            "owned": owned,
            "form": form,
            "phrases": phrases,
            "comments": comments,
            "service": service,
            "period": period,
            "max_comments": selectors.PHRASES_MAX_COMMENTS,
        },
    )
