"""The registry's desk and the doctor's day, under /health/staff/."""

from django.urls import path

from gorod.health import backoffice, oversight, staff_record

app_name = "health_staff"
urlpatterns = [
    path("", backoffice.home, name="home"),
    path("clinics/<int:organisation_id>/day/", backoffice.day, name="day"),
    path("clinics/<int:organisation_id>/book/", backoffice.book, name="book"),
    path("clinics/<int:organisation_id>/schedules/", backoffice.schedules, name="schedules"),
    path(
        "clinics/<int:organisation_id>/schedules/new/",
        backoffice.schedule_edit,
        name="schedule_new",
    ),
    path(
        "clinics/<int:organisation_id>/schedules/<int:schedule_id>/",
        backoffice.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "clinics/<int:organisation_id>/absences/new/",
        backoffice.absence_add,
        name="absence_add",
    ),
    path(
        "clinics/<int:organisation_id>/attachments/",
        backoffice.attachments,
        name="attachments",
    ),
    path(
        "attachment-applications/<int:application_id>/decide/",
        backoffice.attachment_decide,
        name="attachment_decide",
    ),
    path(
        "appointments/<int:appointment_id>/mark/",
        backoffice.appointment_mark,
        name="appointment_mark",
    ),
    path("doctor/", backoffice.doctor_day, name="doctor_day"),
    # The doctor's record pages (staff_record.py).
    path(
        "appointments/<int:appointment_id>/encounter/",
        staff_record.encounter_open,
        name="encounter_open",
    ),
    path("encounters/<int:entry_id>/", staff_record.encounter, name="encounter"),
    path("encounters/<int:entry_id>/amend/", staff_record.encounter_amend, name="encounter_amend"),
    path("emergency/", staff_record.emergency, name="emergency"),
    # The supervisors' review of emergency looks (oversight.py).
    path("emergency/reviews/", oversight.reviews, name="emergency_reviews"),
    path("emergency/reviews/<int:grant_id>/", oversight.review, name="emergency_review"),
]
