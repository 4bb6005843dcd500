"""The citizen's booking pages (/health/, namespace `health`) and the registry's desk and the
doctor's day (/health/staff/, namespace `health_staff`); gorod/urls.py mounts both, next to
the attachment and record pages that share those namespaces."""

from django.urls import path

from gorod.appointments.views import booking, desk

urlpatterns = [
    path("", booking.appointments, name="appointments"),
    path("book/", booking.book, name="book"),
    path("appointments/<int:appointment_id>/", booking.appointment_detail, name="appointment"),
    path("appointments/<int:appointment_id>/reschedule/", booking.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/cancel/", booking.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/calendar.ics", booking.calendar_file, name="ics"),
]

desk_urlpatterns = [
    path("clinics/<int:organisation_id>/day/", desk.day, name="day"),
    path("clinics/<int:organisation_id>/book/", desk.book, name="book"),
    path("clinics/<int:organisation_id>/schedules/", desk.schedules, name="schedules"),
    path(
        "clinics/<int:organisation_id>/schedules/new/",
        desk.schedule_edit,
        name="schedule_new",
    ),
    path(
        "clinics/<int:organisation_id>/schedules/<int:schedule_id>/",
        desk.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "clinics/<int:organisation_id>/absences/new/",
        desk.absence_add,
        name="absence_add",
    ),
    path(
        "clinics/<int:organisation_id>/attachments/",
        desk.attachments,
        name="attachments",
    ),
    path(
        "attachment-applications/<int:application_id>/decide/",
        desk.attachment_decide,
        name="attachment_decide",
    ),
    path(
        "appointments/<int:appointment_id>/mark/",
        desk.appointment_mark,
        name="appointment_mark",
    ),
    path("doctor/", desk.doctor_day, name="doctor_day"),
]
