"""The clubs' back office in the staff admin (/staff/): what the portal's operators keep in
order, each save audited.

Organisations with their staff (the logins of the organisation's desk) and venues,
programmes, and groups with their weekly schedules are edited here. Nothing is deleted but
a group's meeting: applications and their history refer to the rest (a staff member leaves
by being marked as no longer working).

What only the services write is shown, not changed: a group's places taken, and its
capacity once it exists (more places seat the waiting children, which the organisation's
desk does through services.group_capacity_set); applications and their history, whose
every change is a decision of the family or the organisation with its notification. Each
look at children's applications is logged like any staff read of personal data.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.clubs import finder, rules
from gorod.clubs.models import (
    Application,
    ApplicationEvent,
    Group,
    GroupSession,
    Organisation,
    OrganisationStaff,
    Programme,
    Venue,
)
from gorod.clubs.search import lemmas_of
from gorod.core.admin import AuditedAdmin, ReadOnlyAdmin
from gorod.core.audit import audit_read, audit_record
from gorod.core.services import reference_row_save


class AuditedInlinesAdmin(AuditedAdmin):
    """An audited page whose inline rows are audited too, one row each; an inline that
    allows deleting (a group's meeting) audits each deletion."""

    def save_formset(self, request, form, formset, change) -> None:
        rows = formset.save(commit=False)
        new = {id(row) for row in formset.new_objects}
        changed = {id(row): fields for row, fields in formset.changed_objects}
        with transaction.atomic():
            for row in formset.deleted_objects:
                facts = {"id": row.pk, "row": str(row)}
                row.delete()
                audit_record(
                    actor=request.user,
                    action=f"clubs.{row._meta.model_name}_deleted",
                    target=form.instance,
                    **facts,
                )
            for row in rows:
                reference_row_save(
                    actor=request.user,
                    row=row,
                    audit_action=f"clubs.{row._meta.model_name}",
                    created=id(row) in new,
                    changed_fields=changed.get(
                        id(row), [field.name for field in row._meta.concrete_fields]
                    ),
                )
            formset.save_m2m()


class EditableInline(admin.TabularInline):
    extra = 0
    can_delete = False


# --- organisations --------------------------------------------------------------------------


class StaffInline(EditableInline):
    model = OrganisationStaff
    fields = ["user", "active"]
    raw_id_fields = ["user"]


class VenueInline(EditableInline):
    model = Venue
    fields = ["name", "address", "district", "okrug", "lat", "lon"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedInlinesAdmin):
    audit_action = "clubs.organisation"
    list_display = ["short_name", "kind", "address", "phone"]
    search_fields = ["name", "short_name", "address"]
    fields = ["name", "short_name", "kind", "address", "phone", "website", "register_directions"]
    inlines = [StaffInline, VenueInline]


@admin.register(Venue)
class VenueAdmin(AuditedAdmin):
    audit_action = "clubs.venue"
    list_display = ["name", "organisation", "address", "district", "okrug"]
    list_select_related = ["organisation"]
    list_filter = ["okrug"]
    search_fields = ["name", "address", "district", "organisation__short_name"]
    raw_id_fields = ["organisation"]
    fields = ["organisation", "name", "address", ("district", "okrug"), ("lat", "lon")]


# --- programmes -----------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "organisation",
            "title",
            "direction",
            "activity",
            "description",
            "age_min",
            "age_max",
            "sex",
            "is_free",
            "price_month",
            "enrollment",
            "season_opens_at",
            "requires_test",
            "starts_on",
            "venues",
        ]

    def clean(self):
        data = super().clean()
        organisation, venues = data.get("organisation"), data.get("venues")
        if organisation and venues and any(v.organisation_id != organisation.pk for v in venues):
            self.add_error("venues", _("Выберите места занятий этой же организации."))
        return data


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    audit_action = "clubs.programme"
    form = ProgrammeForm
    list_display = ["title", "organisation", "direction", "age_min", "age_max", "is_free"]
    list_select_related = ["organisation"]
    list_filter = ["direction", "is_free", "enrollment", "requires_test"]
    search_fields = ["title", "activity", "organisation__short_name"]
    raw_id_fields = ["organisation"]
    filter_horizontal = ["venues"]
    fields = [
        "organisation",
        "title",
        ("direction", "activity"),
        "description",
        ("age_min", "age_max", "sex"),
        ("is_free", "price_month"),
        ("enrollment", "season_opens_at"),
        "requires_test",
        "starts_on",
        "venues",
    ]

    def save_model(self, request, obj, form, change) -> None:
        # The search matches these forms of the words, not the text as typed.
        obj.search_lemmas = lemmas_of(obj.title, obj.activity, obj.description)
        super().save_model(request, obj, form, change)
        # This process's search learns the new words at once (others within a minute).
        transaction.on_commit(finder.forget_vocabulary)


# --- groups and their schedules -------------------------------------------------------------


class SessionFormSet(forms.BaseInlineFormSet):
    """A group's meetings may not overlap one another (as the desk refuses too)."""

    def clean(self) -> None:
        super().clean()
        meetings: list[rules.Meeting] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            meeting = rules.Meeting(data["weekday"], data["starts_at"], data["ends_at"])
            clash = rules.meetings_clash([meeting], meetings)
            if clash is not None:
                form.add_error(
                    "starts_at",
                    _("Пересекается с другим занятием группы: %(start)s–%(end)s.")
                    % {"start": f"{clash.starts_at:%H:%M}", "end": f"{clash.ends_at:%H:%M}"},
                )
            meetings.append(meeting)


class SessionInline(admin.TabularInline):
    model = GroupSession
    formset = SessionFormSet
    fields = ["weekday", "starts_at", "ends_at"]
    extra = 0


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["programme", "venue", "name", "teacher_name", "capacity", "active"]

    def clean(self):
        data = super().clean()
        # Once the group exists its programme is read-only, so not among the data.
        programme = data.get("programme") or (self.instance.programme if self.instance.pk else None)
        venue = data.get("venue")
        if programme and venue and not programme.venues.filter(pk=venue.pk).exists():
            self.add_error("venue", _("Выберите одно из мест, где идёт программа."))
        return data


@admin.register(Group)
class GroupAdmin(AuditedInlinesAdmin):
    audit_action = "clubs.group"
    form = GroupForm
    list_display = ["__str__", "venue", "capacity", "taken", "free_places", "active"]
    list_select_related = ["programme", "venue"]
    list_filter = ["active", "programme__direction"]
    search_fields = ["name", "programme__title", "programme__organisation__short_name"]
    raw_id_fields = ["programme", "venue"]
    fields = ["programme", "venue", "name", "teacher_name", "capacity", "taken", "active"]
    inlines = [SessionInline]

    @admin.display(description=gettext_lazy("свободно"))
    def free_places(self, obj: Group) -> int:
        return obj.free_places

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["taken"]
        # The programme is what the applications were made to; places move the waiting
        # list, which the organisation's desk does through its service.
        return ["programme", "capacity", "taken"]


# --- applications: shown, never changed -----------------------------------------------------


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    fields = ["at", "status", "cause", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Children's applications and their history; each look is an audited staff read.
    Decisions are the organisation's desk's (/clubs/desk/), a withdrawal the family's."""

    list_display = ["number", "child", "group", "status", "submitted_at", "confirm_by"]
    list_select_related = ["child", "group__programme"]
    list_filter = ["status"]
    search_fields = ["child__last_name", "group__programme__title"]
    date_hierarchy = "submitted_at"
    ordering = ["-submitted_at", "-id"]
    fields = [
        "child",
        "representative",
        "group",
        "status",
        "submitted_at",
        "status_changed_at",
        "confirm_by",
        "accepted_at",
        "reason",
    ]
    readonly_fields = fields
    inlines = [EventInline]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            audit_read(
                actor=request.user,
                action="clubs.applications_listed",
                query=request.GET.urlencode(),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", 200) == 200:
            audit_read(
                actor=request.user,
                action="clubs.application_viewed",
                target=self.get_object(request, object_id),
            )
        return response
