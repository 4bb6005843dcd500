from django.urls import path

from gorod.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.csv", views.dashboard_export, name="export"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/export/<slug:table>.csv", views.open_data_export, name="open_data_export"),
]
