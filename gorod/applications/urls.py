from django.urls import path

from gorod.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/<slug:slug>/", views.new, name="new"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/steps/<int:number>/", views.step, name="step"),
    path("<uuid:public_id>/review/", views.review, name="review"),
    path("<uuid:public_id>/submit/", views.submit, name="submit"),
    path("<uuid:public_id>/delete/", views.draft_delete, name="draft_delete"),
    path("<uuid:public_id>/answer/", views.answer, name="answer"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/receive/", views.receive, name="receive"),
    path("files/<uuid:public_id>/", views.file_download, name="file"),
]
