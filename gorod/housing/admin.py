"""The staff admin of meter readings (at /staff/), read-mostly.

Premises and meters are reference data the operator keeps in order, so they are edited
here (each save audited). Readings, submissions, links and correction requests change only
through the services, which hold the rules (the series never decreases, a past period is
never edited in place, a decision carries a reason): here they can be looked at, not
changed. A meter is replaced on the back-office page, not by editing its status.
"""

from django.contrib import admin

from gorod.core.admin import AuditedAdmin, ReadOnlyAdmin
from gorod.housing.models import (
    CorrectionRequest,
    Meter,
    Premises,
    PremisesLink,
    Reading,
    Submission,
)


class PremisesLinkInline(admin.TabularInline):
    model = PremisesLink
    fields = ["person", "role", "verified_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MeterInline(admin.TabularInline):
    model = Meter
    fields = ["kind", "serial", "location", "status", "next_verification_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Premises)
class PremisesAdmin(AuditedAdmin):
    audit_action = "housing.premises"
    list_display = ["payer_code", "address", "apartment", "residents"]
    search_fields = ["=payer_code", "address"]
    fields = ["payer_code", "apartment", "address", "residents", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [MeterInline, PremisesLinkInline]

    def get_readonly_fields(self, request, obj=None):
        # Citizens linked by the code and apartment: changing them would hand the
        # premises to whoever holds another payment document.
        if obj is not None:
            return [*self.readonly_fields, "payer_code", "apartment"]
        return self.readonly_fields


@admin.register(Meter)
class MeterAdmin(AuditedAdmin):
    audit_action = "housing.meter"
    list_display = ["serial", "kind", "premises", "status", "next_verification_on"]
    list_filter = ["kind", "status"]
    list_select_related = ["premises"]
    search_fields = ["=serial", "=premises__payer_code"]
    raw_id_fields = ["premises"]
    fields = [
        "premises",
        "kind",
        "unit",
        "serial",
        "location",
        "installed_on",
        "commissioned_on",
        "initial_value",
        "next_verification_on",
        "integer_digits",
        "fraction_digits",
        "status",
        "retired_on",
        "replaces",
    ]
    readonly_fields = ["status", "retired_on", "replaces"]

    def get_readonly_fields(self, request, obj=None):
        # What a meter is and where its series starts is fixed once it exists (the
        # readings are compared with the initial value); a different meter is a
        # replacement, on the back-office page.
        if obj is not None:
            return [
                *self.readonly_fields,
                "premises",
                "kind",
                "unit",
                "serial",
                "installed_on",
                "initial_value",
                "integer_digits",
                "fraction_digits",
            ]
        return self.readonly_fields


@admin.register(PremisesLink)
class PremisesLinkAdmin(ReadOnlyAdmin):
    list_display = ["person", "premises", "role", "verified_by", "created_at"]
    list_select_related = ["person", "premises"]
    search_fields = ["=premises__payer_code", "person__last_name"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["premises", "user", "channel", "submitted_at"]
    list_select_related = ["premises", "user"]
    list_filter = ["channel"]
    search_fields = ["=premises__payer_code"]
    date_hierarchy = "submitted_at"


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdmin):
    list_display = ["meter", "period", "value", "previous_value", "status", "source", "channel"]
    list_select_related = ["meter"]
    ordering = ["-submitted_at", "-id"]
    list_filter = ["status", "source", "channel", "warnings_confirmed", "period"]
    search_fields = ["=meter__serial", "=meter__premises__payer_code"]
    date_hierarchy = "submitted_at"


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    list_display = ["reading", "requested_value", "status", "created_at", "decided_at"]
    list_select_related = ["reading__meter"]
    list_filter = ["status", "settled_period"]
    search_fields = ["=reading__meter__serial", "=reading__meter__premises__payer_code"]
    date_hierarchy = "created_at"
