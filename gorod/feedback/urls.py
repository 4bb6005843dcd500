from django.urls import path

from gorod.feedback import views

app_name = "feedback"

urlpatterns = [
    path("services/<slug:slug>/rate/", views.rate, name="rate"),
    path("ratings/<int:rating_id>/edit/", views.rating_edit, name="rating_edit"),
    path("owner/", views.owner_comments, name="owner_comments"),
    path("owner/asks/", views.owner_asks, name="owner_asks"),
    path("owner/ratings/<int:rating_id>/answer/", views.owner_answer, name="owner_answer"),
    path("owner/ratings/<int:rating_id>/tag/", views.owner_tag, name="owner_tag"),
]
