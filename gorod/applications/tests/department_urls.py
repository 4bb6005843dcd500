"""The project's URLs plus a stand-in for the citizen's page of an application, which the
messages of moves.py link to, for a branch where the citizen's pages are not mounted yet."""

from django.http import HttpResponse
from django.urls import include, path

from gorod.urls import handler404, handler500
from gorod.urls import urlpatterns as project_urlpatterns


def _citizen_page(request, public_id):
    return HttpResponse("")


urlpatterns = [
    *project_urlpatterns,
    path(
        "applications/mine/",
        include(([path("<uuid:public_id>/", _citizen_page, name="detail")], "applications")),
    ),
]

__all__ = ["handler404", "handler500", "urlpatterns"]
