from django.contrib import admin
from django.urls import include, path

from gorod.api import api

urlpatterns = [
    path("", include("gorod.web.urls")),
    path("accounts/", include("gorod.accounts.urls")),
    path("analytics/", include("gorod.analytics.urls")),
    path("feedback/", include("gorod.feedback.urls")),
    path("housing/", include("gorod.housing.urls")),
    path("health/staff/", include("gorod.health.staff_urls")),
    path("health/record/", include("gorod.health.record.urls")),
    path("health/", include("gorod.health.urls")),
    path("fhir/r4/", include("gorod.health.fhir.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", admin.site.urls),
]

handler404 = "gorod.web.views.not_found"
handler500 = "gorod.web.views.server_error"
