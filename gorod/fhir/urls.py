"""HL7 FHIR R4 endpoints (mounted at /fhir/r4/): metadata, [type]?params, [type]/[id].

Anything else under /fhir/r4/ is a 404 OperationOutcome, not the portal's HTML page.
"""

from django.urls import path, re_path

from gorod.fhir import lab_intake, views

app_name = "fhir"
urlpatterns = [
    # A laboratory system's POST of a DiagnosticReport with its Observations (a Bundle).
    path("", lab_intake.bundle_post, name="bundle"),
    path("metadata", views.metadata, name="metadata"),
    re_path(
        r"^Patient/(?P<resource_id>[^/]+)/\$everything/?$",
        views.patient_everything,
        name="patient_everything",
    ),
    re_path(r"^Patient/(?P<resource_id>[^/]+)/?$", views.patient_read, name="patient"),
    re_path(r"^(?P<resource_type>[A-Z][A-Za-z]+)/?$", views.search, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<resource_id>[^/]+)/?$",
        views.read,
        name="read",
    ),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
