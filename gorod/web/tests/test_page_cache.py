"""The anonymous public pages and the category navigation kept rendered (gorod.web.page_cache)."""

import re
import types

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory

from gorod.accounts.tests.factories import PersonFactory
from gorod.catalog import services as catalog_services
from gorod.catalog.models import Service
from gorod.feedback.tests.conftest import INFO_SERVICE, rate
from gorod.web import page_cache

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/categories/health/", "/services/meter-readings/"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _no_recheck_during_a_test(settings):
    # The pages are kept for the catalog's recheck interval; a slow test run must not see
    # one expire between two requests.
    settings.GOROD_CATALOG_RECHECK_SECONDS = 3600


def rendered(response) -> bool:
    """Whether the page was rendered for this request (a kept page renders no template)."""
    return bool(response.templates)


def token_of(response) -> str:
    (token,) = TOKEN.findall(response.content.decode())
    return token


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_second_anonymous_visitor_gets_the_kept_page_without_rendering_or_statements(
    catalog, django_assert_num_queries, path
):
    first = Client().get(path)
    assert rendered(first)
    with django_assert_num_queries(0):
        second = Client().get(path)
    assert second.status_code == 200
    assert not rendered(second)
    assert TOKEN.sub("", second.content.decode()) == TOKEN.sub("", first.content.decode())


def test_a_catalog_change_shows_at_once_in_this_process(
    client, catalog, django_capture_on_commit_callbacks
):
    assert "Передача показаний" in client.get("/services/meter-readings/").content.decode()
    service = Service.objects.get(slug="meter-readings")
    service.title = "Показания воды и тепла"
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.service_save(actor=None, service=service, changed_fields=["title"])
    for path in ("/services/meter-readings/", "/categories/housing/"):
        assert "Показания воды и тепла" in Client().get(path).content.decode()


def test_another_process_s_catalog_change_shows_within_the_recheck_interval(
    catalog, settings, django_capture_on_commit_callbacks
):
    assert "Переименованная" not in Client().get("/categories/health/").content.decode()
    # A write by another process: this one's snapshot is not told, it rechecks when due.
    service = Service.objects.filter(category__slug="health").order_by("title").first()
    service.title = "Переименованная услуга"
    service.save()
    assert "Переименованная" not in Client().get("/categories/health/").content.decode()
    settings.GOROD_CATALOG_RECHECK_SECONDS = 0  # the interval has passed
    assert "Переименованная" in Client().get("/categories/health/").content.decode()


def test_what_is_not_the_catalog_s_shows_within_the_interval(catalog, monkeypatch, settings):
    """Ratings change without a catalog change: a kept service page lives at most the
    catalog's recheck interval."""
    settings.GOROD_USAGE_WRITE = "immediate"
    citizen = PersonFactory().user
    service = Service.objects.get(slug=INFO_SERVICE)
    path = f"/services/{INFO_SERVICE}/"
    assert "оценок: 10" not in Client().get(path).content.decode()
    for stars in (5,) * 10:
        rate(citizen, service, stars)
    assert "оценок: 10" not in Client().get(path).content.decode()
    later = page_cache.time.monotonic() + settings.GOROD_CATALOG_RECHECK_SECONDS + 1
    monkeypatch.setattr(page_cache, "time", types.SimpleNamespace(monotonic=lambda: later))
    assert "оценок: 10" in Client().get(path).content.decode()


def test_each_language_has_its_own_page(catalog):
    russian, english = Client(), Client()
    english.cookies["django_language"] = "en"
    for _ in range(2):
        assert '<html lang="ru">' in russian.get("/services/emr/").content.decode()
        page = english.get("/services/emr/").content.decode()
        assert '<html lang="en">' in page
        assert "Electronic medical record" in page


def test_a_signed_in_visitor_never_gets_the_kept_page(client, catalog):
    Client().get("/")
    client.force_login(PersonFactory().user)
    response = client.get("/")
    assert rendered(response)
    assert "Выйти" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_a_signed_in_visitor_s_page_is_never_kept(client, catalog):
    client.force_login(PersonFactory().user)
    assert "Выйти" in client.get("/services/meter-readings/").content.decode()
    anonymous = Client().get("/services/meter-readings/")
    assert rendered(anonymous)
    assert "Выйти" not in anonymous.content.decode()


def test_no_visitor_gets_another_s_csrf_token(catalog):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = token_of(first.get("/"))
    second_page = second.get("/")
    assert not rendered(second_page)
    second_token = token_of(second_page)
    assert "<gorod-csrf-token>" not in second_page.content.decode()
    assert "csrftoken" in second_page.cookies  # the cookie is set as for a rendered page
    switch = {"language": "en", "next": "/"}
    # Each visitor's token is theirs: it works with their cookie, the other's does not.
    assert (
        second.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": first_token}).status_code
        == 403
    )
    assert (
        second.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": second_token}).status_code
        == 302
    )


def test_a_kept_page_keeps_the_security_headers(catalog):
    Client().get("/categories/health/")
    response = Client().get("/categories/health/")
    assert not rendered(response)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "nonce" not in response["Content-Security-Policy"]  # nothing per visitor to reuse
    assert response["X-Frame-Options"] == "DENY"
    assert {"Cookie", "Accept-Language"} <= {part.strip() for part in response["Vary"].split(",")}
    assert response["Content-Language"] == "ru"
    assert "Cache-Control" not in response


def test_a_visitor_with_a_message_gets_it_and_nobody_else_does(catalog):
    with_message = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    with_message.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Готово.")])
    response = with_message.get("/")
    assert rendered(response)
    assert "Готово." in response.content.decode()
    other = Client().get("/")
    assert rendered(other)  # the page with the message was not kept
    assert "Готово." not in other.content.decode()


def test_a_query_string_is_rendered_with_its_way_back(catalog):
    Client().get("/")
    response = Client().get("/?from=mail")
    assert rendered(response)
    assert 'name="next" value="/?from=mail"' in response.content.decode()


def test_the_navigation_is_kept_for_signed_in_pages_too(client, catalog):
    client.force_login(PersonFactory().user)
    client.get("/cabinet/")
    response = client.get("/cabinet/")
    names = [template.name for template in response.templates]
    assert "web/base.html" in names
    assert "web/_category_nav.html" not in names
    assert 'aria-label="Категории услуг"' in response.content.decode()


@pytest.mark.parametrize(
    ("path", "current"),
    [("/categories/health/", "page"), ("/services/meter-readings/", "true"), ("/", None)],
)
def test_the_navigation_marks_the_current_category(catalog, path, current):
    for _ in range(2):
        page = Client().get(path).content.decode()
        navigation = page[page.index('<nav class="category-nav"') :].split("</nav>")[0]
        marks = re.findall(r'aria-current="(\w+)"', navigation)
        assert marks == ([current] if current else [])
