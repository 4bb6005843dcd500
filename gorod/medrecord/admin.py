"""The staff admin of doctor appointments (at /staff/), read-mostly.

Clinics, buildings, specialties, doctors, their roles, registrar postings, referrals and
attachments are reference data kept here (each save audited). Schedules, absences, slots
and appointments change only through the services, which close and reopen slots, cancel
the bookings an absence hits and tell the patients: here they can be looked at, not
changed. Schedules and absences are edited on the registry's pages (/health/staff/).
"""

from django.contrib import admin

from gorod.clinics.admin import PostingAdmin
from gorod.core.admin import ReadOnlyAdmin
from gorod.medrecord.models.oversight import EmergencyAccess, SecurityLook, SupervisorPost


@admin.register(SupervisorPost)
class SupervisorPostAdmin(PostingAdmin):
    """A clinic's supervisors review its doctors' emergency looks (with the role
    "health_supervisor")."""

    audit_action = "health.supervisor_post"


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(ReadOnlyAdmin):
    """Emergency openings of records; reviewed on the supervisors' page, looked at here."""

    list_display = ["opened_at", "practitioner", "patient", "channel", "reviewed_at"]
    list_select_related = ["practitioner", "patient"]
    list_filter = ["channel", ("reviewed_at", admin.EmptyFieldListFilter)]
    search_fields = ["practitioner__last_name", "=patient__oms_policy"]
    date_hierarchy = "opened_at"
    show_full_result_count = False


@admin.register(SecurityLook)
class SecurityLookAdmin(ReadOnlyAdmin):
    """Denied looks by strangers and anonymous callers: what the patients' logs leave out.

    `actor_name` is what the account called itself, not a verified name."""

    list_display = ["at", "actor_id", "actor_name", "role", "patient_id", "section", "channel"]
    list_filter = ["role", "channel", "section"]
    date_hierarchy = "at"
    show_full_result_count = False
