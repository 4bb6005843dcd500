"""The back office of booking: referrals (fixed once created) and, read-only, what the
services write (schedules, absences, slots, appointments)."""

from django.contrib import admin

from gorod.appointments.models import Absence, Appointment, Referral, Schedule, Slot
from gorod.clinics.admin import FixedOnceCreated
from gorod.core.admin import ReadOnlyAdmin


@admin.register(Referral)
class ReferralAdmin(FixedOnceCreated):
    audit_action = "health.referral"
    list_display = ["number", "person", "specialty", "issued_on", "valid_until"]
    list_select_related = ["person", "specialty"]
    list_filter = ["specialty"]
    search_fields = ["=number", "=person__oms_policy"]
    raw_id_fields = ["person", "issued_by"]
    date_hierarchy = "issued_on"
    fields = [
        "number",
        "person",
        "specialty",
        "issued_by",
        "issued_on",
        "valid_until",
        "diagnosis",
        "note",
        "created_at",
    ]
    readonly_fields = ["created_at"]
    # A booking may hold it: whose and to whom it is stays as issued.
    fixed_fields = ["number", "person", "specialty", "issued_by", "issued_on"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = [
        "role",
        "weekdays",
        "day_start",
        "day_end",
        "slot_minutes",
        "online_percent",
        "valid_from",
        "valid_until",
    ]
    list_select_related = ["role__practitioner", "role__specialty"]
    list_filter = ["role__specialty"]
    search_fields = ["role__practitioner__last_name", "=role__organisation__registry_code"]


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyAdmin):
    list_display = ["role", "starts_at", "ends_at", "reason", "created_by"]
    list_select_related = ["role__practitioner", "role__specialty", "created_by"]
    search_fields = ["role__practitioner__last_name"]
    date_hierarchy = "starts_at"


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = ["start", "role", "status", "online"]
    list_select_related = ["role__practitioner", "role__specialty"]
    list_filter = ["status", "online", "specialty"]
    search_fields = ["role__practitioner__last_name", "=organisation__registry_code"]
    date_hierarchy = "start"
    show_full_result_count = False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["start", "person", "specialty", "organisation", "status", "channel"]
    list_select_related = ["person", "specialty", "organisation"]
    list_filter = ["status", "channel", "specialty", "cancellation_reason"]
    search_fields = ["=person__oms_policy", "person__last_name", "=referral__number"]
    date_hierarchy = "start"
    ordering = ["-start", "-id"]
    show_full_result_count = False
