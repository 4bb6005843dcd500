from django.contrib import admin
from django.urls import include, path

from gorod.api import api
from gorod.appointments import urls as appointments_urls
from gorod.clinics import urls as clinics_urls
from gorod.fhir import exports as fhir_exports
from gorod.medrecord import urls as medrecord_urls
from gorod.school.oneroster_views import oneroster_api

urlpatterns = [
    path("", include("gorod.web.urls")),
    path("accounts/", include("gorod.accounts.urls")),
    path("analytics/", include("gorod.analytics.urls")),
    # Before the citizen's applications/ pages: the department's desk.
    path("applications/desk/", include("gorod.applications.desk_urls")),
    path("applications/", include("gorod.applications.urls")),
    path("feedback/", include("gorod.feedback.urls")),
    path("housing/", include("gorod.housing.urls")),
    path("school/", include("gorod.school.urls")),
    path("clubs/", include("gorod.clubs.urls")),
    # The health pages keep their paths and namespaces; each app brings its own routes.
    path(
        "health/staff/",
        include(
            (
                [*appointments_urls.desk_urlpatterns, *medrecord_urls.staff_urlpatterns],
                "health_staff",
            )
        ),
    ),
    path(
        "health/record/",
        include(
            (
                [
                    *medrecord_urls.tool_urlpatterns,
                    *fhir_exports.urlpatterns,
                    *medrecord_urls.section_urlpatterns,
                ],
                "record",
            )
        ),
    ),
    path(
        "health/", include(([*appointments_urls.urlpatterns, *clinics_urls.urlpatterns], "health"))
    ),
    path("fhir/r4/", include("gorod.fhir.urls")),
    # IMS OneRoster 1.2's REST binding for the schools (rostering and gradebook, read-only).
    path("ims/oneroster/", oneroster_api.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", admin.site.urls),
]

handler404 = "gorod.web.views.not_found"
handler500 = "gorod.web.views.server_error"
