from django.urls import path

from gorod.health import attachment_views, views

app_name = "health"

urlpatterns = [
    path("", views.appointments, name="appointments"),
    path("book/", views.book, name="book"),
    path("attach/", attachment_views.attach, name="attach"),
    path(
        "attach/<int:application_id>/withdraw/",
        attachment_views.attach_withdraw,
        name="attach_withdraw",
    ),
    path("appointments/<int:appointment_id>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/calendar.ics", views.calendar_file, name="ics"),
]
