"""The record's pages: each module lists its own routes, so each has one author.

The tools' fixed paths (certificates/, diary/, access-log/, and the FHIR door's export.*,
which gorod/urls.py puts between them) come before the generic `<section>/` pages, which
would otherwise take them for a section name. The doctor's record pages and the supervisors'
review are under /health/staff/ (namespace `health_staff`).
"""

from django.urls import path

from gorod.medrecord.views import access_log, certificates, diary, oversight, staff
from gorod.medrecord.views import record as views

tool_urlpatterns = [
    *certificates.urlpatterns,
    *diary.urlpatterns,
    *access_log.urlpatterns,
]
section_urlpatterns = views.urlpatterns

staff_urlpatterns = [
    # The staff's landing: a registrar's clinics, a supervisor's reviews or a doctor's day.
    path("", staff.home, name="home"),
    path(
        "appointments/<int:appointment_id>/encounter/",
        staff.encounter_open,
        name="encounter_open",
    ),
    path("encounters/<int:entry_id>/", staff.encounter, name="encounter"),
    path("encounters/<int:entry_id>/amend/", staff.encounter_amend, name="encounter_amend"),
    path("emergency/", staff.emergency, name="emergency"),
    # The supervisors' review of emergency looks (views/oversight.py).
    path("emergency/reviews/", oversight.reviews, name="emergency_reviews"),
    path("emergency/reviews/<int:grant_id>/", oversight.review, name="emergency_review"),
]
