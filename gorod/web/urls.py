from django.urls import path

from gorod.notifications import views as notifications
from gorod.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("services/<slug:slug>/go", views.service_go, name="service_go"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/notifications/read", views.notifications_read, name="notifications_read"),
    path(
        "cabinet/notifications/settings",
        notifications.preferences_page,
        name="notification_settings",
    ),
    path("healthz", views.healthz, name="healthz"),
]
