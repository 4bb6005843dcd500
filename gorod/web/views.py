"""Portal pages: thin views over the catalog and accounts selectors."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from gorod.accounts import selectors as accounts
from gorod.analytics.services import service_exit_record, service_page_read
from gorod.applications.selectors import citizen as applications
from gorod.applications.selectors import definitions as service_definitions
from gorod.applications.selectors.overview import my_open_applications
from gorod.appointments.selectors import booking as health
from gorod.catalog import selectors as catalog
from gorod.clubs.selectors import is_staff_of_any
from gorod.core.channels import channel_of
from gorod.core.clock import local_date
from gorod.core.problems import not_found_problem, server_error_problem
from gorod.feedback import selectors as feedback
from gorod.housing import selectors as housing
from gorod.notifications import selectors as notifications
from gorod.notifications.services import messages_mark_read
from gorod.web.activity import describe
from gorod.web.page_cache import anonymous_page

SEARCH_PAGE_SIZE = 30
# The cabinet shows the nearest appointments; "Мои записи" has them all.
UPCOMING_SHOWN = 3
# The cabinet shows the newest open applications; «Мои заявки» has them all.
APPLICATIONS_SHOWN = 3


@require_safe
@anonymous_page
def home(request):
    return TemplateResponse(
        request,
        "web/home.html",
        {"categories": catalog.category_list(), "featured": catalog.services_featured()},
    )


@require_safe
@anonymous_page
def category(request, slug: str):
    found = catalog.category_get(slug)
    return TemplateResponse(
        request,
        "web/category.html",
        {
            "category": found,
            "services": catalog.service_list(category=slug),
            "current_category": slug,
        },
    )


@require_safe
@anonymous_page
def service(request, slug: str):
    found = catalog.service_get(slug)
    # Counts a signed-in reader's use only: an anonymous visitor's page is stored.
    use_id = service_page_read(service=found, actor=request.user, channel=channel_of(request))
    definition = service_definitions.definition_current(found)
    document = definition.document if definition is not None else None
    return TemplateResponse(
        request,
        "web/service.html",
        {
            "service": found,
            "current_category": found.category.slug,
            "entry_url": catalog.service_entry_url(found),
            "related": catalog.services_related(found),
            "use_id": use_id,
            "definition": definition,
            "document": document,
            "content": document["content"] if document else None,
            "offices": _offices_for(found, document),
            **_start_choice(request, found, document),
        },
    )


def _offices_for(found, document) -> list:
    """The МФЦ list where the page sends the citizen in person (or has nothing else to say)."""
    if document is None:
        wanted = found.kind == "form" or (
            found.kind == "flagship" and catalog.service_entry_url(found) is None
        )
    else:
        wanted = document.get("content", {}).get("in_person") == "mfc"
    return list(service_definitions.offices()) if wanted else []


def _start_choice(request, found, document) -> dict:
    """Whom a signed-in citizen may apply for from the service page: self and/or children."""
    if document is None or document.get("kind") != "form":
        return {}
    applies_for = document["applies_for"]
    person = accounts.person_of(request.user) if request.user.is_authenticated else None
    children = (
        applications.represented_children(person, today=local_date(timezone.now()))
        if person is not None and "child" in applies_for
        else []
    )
    return {
        "can_apply": True,
        "for_self": "self" in applies_for,
        "for_child": "child" in applies_for,
        "children": children,
        "applicant": person,
        "start_key": uuid.uuid4(),
    }


@require_safe
def service_go(request, slug: str):
    """The way out to a partner's site: counted as a use when the citizen is signed in."""
    found = catalog.external_service_get(slug)
    service_exit_record(service=found, actor=request.user, channel=channel_of(request))
    return redirect(found.external_url)


@require_safe
def search(request):
    raw_query = request.GET.get("q", "")
    too_long = len(raw_query) > settings.GOROD_SEARCH_QUERY_MAX_LENGTH
    result = catalog.service_search(raw_query, limit=SEARCH_PAGE_SIZE)
    context = {
        "query": result.query.strip(),
        "result": result,
        "too_long": too_long,
        "max_length": settings.GOROD_SEARCH_QUERY_MAX_LENGTH,
        "categories": catalog.category_list(),
    }
    # htmx asks for the results alone while the citizen types; without JS the whole page.
    template = "web/_search_results.html" if request.htmx else "web/search.html"
    return render(request, template, context)


@login_required
@require_safe
def cabinet(request):
    person = accounts.person_of(request.user)
    window = housing.window_state()
    return render(
        request,
        "web/cabinet.html",
        {
            "person": person,
            "children": list(accounts.guardianships_of(person)) if person else [],
            "flagships": [
                (service, catalog.service_entry_url(service))
                for service in catalog.flagship_services()
            ],
            "activity": [
                (event, describe(event.action))
                for event in accounts.recent_activity_of(request.user)
            ],
            "ratings": feedback.own_ratings(actor=request.user),
            "notifications": list(notifications.recent_messages(person=person)),
            "unread": notifications.unread_count(person=person),
            "appointments": list(health.upcoming_of(request.user)[:UPCOMING_SHOWN])
            if person
            else [],
            "applications": list(my_open_applications(actor=request.user)[:APPLICATIONS_SHOWN])
            if person
            else [],
            "meter_window": window,
            # The last day to send readings, or the day sending opens.
            "meter_window_day": window.closes_on if window.open else window.opens_on,
            # Club staff's logins are not the admin's staff: their desk is linked from here.
            "clubs_desk": is_staff_of_any(request.user),
        },
    )


@login_required
@require_POST
def notifications_read(request):
    person = accounts.person_of(request.user)
    if person is not None:
        messages_mark_read(person=person, now=timezone.now())
    return redirect("web:cabinet")


def healthz(request):
    """Liveness for load balancers and the benchmark's baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return not_found_problem(request)
    return render(request, "web/404.html", status=404)


def server_error(request):
    if _is_api(request):
        return server_error_problem(request)
    # Standalone template, no context processors: the database may be what failed.
    return HttpResponse(loader.render_to_string("web/500.html"), status=500)
