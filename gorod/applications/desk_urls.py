"""The department's desk at /applications/desk/: the queue, an application, its actions."""

from django.urls import path

from gorod.applications import desk_views

app_name = "applications_desk"

urlpatterns = [
    path("", desk_views.queue, name="queue"),
    path("<uuid:public_id>/", desk_views.detail, name="detail"),
    path("<uuid:public_id>/<slug:action>/", desk_views.act, name="act"),
    path("files/<uuid:public_id>/", desk_views.file_download, name="file"),
]
