"""The back office of clinics: organisations and buildings (fixed once created: the registry's
codes), specialties, practitioners and their roles, registrar posts and attachments."""

from django.contrib import admin
from django.db import transaction

from gorod.clinics.models import (
    Attachment,
    Location,
    Organisation,
    Practitioner,
    PractitionerRole,
    RegistrarPost,
    Specialty,
)
from gorod.core.admin import AuditedAdmin
from gorod.core.audit import audit_record


class FixedOnceCreated(AuditedAdmin):
    """What identifies the row is set when it is created and read-only afterwards."""

    fixed_fields: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, *self.fixed_fields]
        return self.readonly_fields


class ReadOnlyInline(admin.TabularInline):
    """Rows of another model shown on their parent's page, each a link to its own page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class LocationInline(ReadOnlyInline):
    model = Location
    fields = ["registry_code", "name", "address", "active"]


@admin.register(Organisation)
class OrganisationAdmin(FixedOnceCreated):
    audit_action = "health.organisation"
    list_display = ["name", "registry_code", "kind", "district", "active"]
    list_filter = ["kind", "district", "active"]
    search_fields = ["=registry_code", "name"]
    fields = ["registry_code", "name", "kind", "district", "phone", "active", "created_at"]
    readonly_fields = ["created_at"]
    fixed_fields = ["registry_code"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(FixedOnceCreated):
    audit_action = "health.location"
    list_display = ["name", "organisation", "address", "active"]
    list_select_related = ["organisation"]
    list_filter = ["active"]
    search_fields = ["=registry_code", "name", "address", "organisation__name"]
    raw_id_fields = ["organisation"]
    fields = [
        "organisation",
        "registry_code",
        "name",
        "address",
        "latitude",
        "longitude",
        "phone",
        "active",
    ]
    fixed_fields = ["organisation", "registry_code"]


@admin.register(Specialty)
class SpecialtyAdmin(FixedOnceCreated):
    audit_action = "health.specialty"
    list_display = ["name", "code", "slot_minutes", "patients", "patient_sex"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "name_en", "slot_minutes", "patients", "patient_sex"]
    # The settings name specialties by code (GOROD_HEALTH_DIRECT_SPECIALTIES).
    fixed_fields = ["code"]


class RoleInline(ReadOnlyInline):
    model = PractitionerRole
    fields = ["organisation", "location", "specialty", "room", "active"]


@admin.register(Practitioner)
class PractitionerAdmin(AuditedAdmin):
    audit_action = "health.practitioner"
    list_display = ["full_name", "user", "active"]
    list_select_related = ["user"]
    list_filter = ["active"]
    search_fields = ["last_name", "first_name", "=user__email"]
    raw_id_fields = ["user"]
    fields = ["last_name", "first_name", "middle_name", "user", "active"]
    inlines = [RoleInline]


@admin.register(PractitionerRole)
class PractitionerRoleAdmin(FixedOnceCreated):
    audit_action = "health.practitioner_role"
    list_display = ["practitioner", "specialty", "organisation", "location", "room", "active"]
    list_select_related = ["practitioner", "specialty", "organisation", "location"]
    list_filter = ["specialty", "active"]
    search_fields = [
        "practitioner__last_name",
        "organisation__name",
        "=organisation__registry_code",
    ]
    raw_id_fields = ["practitioner", "organisation", "location"]
    fields = ["practitioner", "organisation", "location", "specialty", "room", "active"]
    # Slots and appointments copy the role's clinic and specialty: a doctor who moves gets
    # a new role, and the old one is made inactive.
    fixed_fields = ["practitioner", "organisation", "location", "specialty"]


class PostingAdmin(AuditedAdmin):
    """Postings are given and taken away, both audited; a posting elsewhere is a new one."""

    list_display = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = ["=user__email", "organisation__name", "=organisation__registry_code"]
    raw_id_fields = ["user", "organisation"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request, obj) -> None:
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for post in queryset:
                audit_record(
                    actor=request.user,
                    action=f"{self.audit_action}_deleted",
                    target=post,
                    user=post.user_id,
                    organisation=post.organisation_id,
                )
            queryset.delete()


@admin.register(RegistrarPost)
class RegistrarPostAdmin(PostingAdmin):
    audit_action = "health.registrar_post"


@admin.register(Attachment)
class AttachmentAdmin(FixedOnceCreated):
    audit_action = "health.attachment"
    list_display = ["person", "organisation", "since", "until"]
    list_select_related = ["person", "organisation"]
    list_filter = ["organisation__district"]
    search_fields = ["=person__oms_policy", "person__last_name", "=organisation__registry_code"]
    raw_id_fields = ["person", "organisation"]
    fields = ["person", "organisation", "since", "until"]
    # Moving to another clinic ends this attachment (its "until") and starts a new one.
    fixed_fields = ["person", "organisation", "since"]
