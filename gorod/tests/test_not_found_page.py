"""One NotFound→404 mapping for pages: a view lets a selector's NotFound through and the
middleware draws the 404 page; other refusals are left to the view."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import path

from gorod import urls as project_urls
from gorod.core.errors import Conflict, NotFound
from gorod.core.middleware import NotFoundPageMiddleware
from gorod.core.problems import PROBLEM_CONTENT_TYPE


def _not_found(request):
    raise NotFound("meter_not_found", "Такого счётчика среди ваших нет.")


# The project's pages (the 404 page links to them) and two that let a NotFound through.
urlpatterns = [
    path("test/page/", _not_found),
    path("api/test/plain/", _not_found),
    *project_urls.urlpatterns,
]
handler404 = project_urls.handler404


def _middleware() -> NotFoundPageMiddleware:
    return NotFoundPageMiddleware(lambda request: None)


def test_a_not_found_becomes_http404_with_its_message():
    request = RequestFactory().get("/test/page/")
    error = NotFound("meter_not_found", "Такого счётчика среди ваших нет.")
    with pytest.raises(Http404) as raised:
        _middleware().process_exception(request, error)
    assert str(raised.value) == "Такого счётчика среди ваших нет."
    assert raised.value.__cause__ is error


@pytest.mark.parametrize(
    "error", [Conflict("slot_taken", "Это время уже заняли."), ValueError("a bug")]
)
def test_other_exceptions_are_left_alone(error):
    request = RequestFactory().get("/test/page/")
    assert _middleware().process_exception(request, error) is None


@pytest.mark.urls(__name__)
def test_a_page_that_lets_not_found_through_is_the_404_page(client, catalog):
    response = client.get("/test/page/")
    assert response.status_code == 404
    assert "web/404.html" in [template.name for template in response.templates]
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.urls(__name__)
def test_under_the_api_prefix_it_is_a_problem(client):
    response = client.get("/api/test/plain/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert response.json()["code"] == "not_found"
