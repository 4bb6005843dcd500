"""The project's URLs plus a stand-in for the citizen's page of an application, which the
messages of moves.py link to, for a branch where the citizen's pages are not mounted yet.
(The project's table by its dotted name: the applications app sits below gorod.urls.)"""

from django.http import HttpResponse
from django.urls import include, path

handler404 = "gorod.web.views.not_found"
handler500 = "gorod.web.views.server_error"


def _citizen_page(request, public_id):
    return HttpResponse("")


urlpatterns = [
    path(
        "applications/mine/",
        include(([path("<uuid:public_id>/", _citizen_page, name="detail")], "applications")),
    ),
    path("", include("gorod.urls")),
]
