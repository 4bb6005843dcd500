"""The citizen's attachment pages, under /health/ in the `health` namespace (gorod/urls.py)."""

from django.urls import path

from gorod.clinics import views

urlpatterns = [
    path("attach/", views.attach, name="attach"),
    path(
        "attach/<int:application_id>/withdraw/",
        views.attach_withdraw,
        name="attach_withdraw",
    ),
]
