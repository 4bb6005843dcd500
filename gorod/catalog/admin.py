"""The catalog editors' back office (/staff/): services, categories and departments.

Every save goes through the catalog's services (full_clean, the audit row, the search
snapshot rebuilt after commit). Nothing is deleted here: applications, ratings and usage
statistics refer to these rows. The ten categories are fixed (a migration makes them):
editors change their texts and order, not their number.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from gorod.catalog import services
from gorod.catalog.models import Category, Department, Service


class _NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(_NoDelete):
    list_display = ["title", "title_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["title", "title_en", "slug"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["slug", "title", "title_en", "description", "description_en", "position"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.category_save(actor=request.user, category=obj, changed_fields=form.changed_data)


@admin.register(Department)
class DepartmentAdmin(_NoDelete):
    list_display = ["code", "name", "updated_at"]
    search_fields = ["code", "name"]
    readonly_fields = ["updated_at"]
    fields = ["code", "name", "updated_at"]

    def save_model(self, request, obj, form, change) -> None:
        services.department_save(
            actor=request.user, department=obj, changed_fields=form.changed_data
        )


@admin.register(Service)
class ServiceAdmin(_NoDelete):
    list_display = ["title", "slug", "category", "department", "kind", "is_published"]
    list_filter = ["category", "kind", "audience", "is_published", "is_online", "department"]
    list_select_related = ["category", "department"]
    search_fields = ["title", "title_en", "slug", "department__code"]
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["department"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["slug", "title", "title_en", "category", "department", "kind"]}),
        (
            _("Описание"),
            {"fields": ["description", "description_en", "keywords", "audience"]},
        ),
        (
            _("Публикация"),
            {
                "fields": [
                    "is_published",
                    "is_online",
                    "external_url",
                    "featured_position",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change) -> None:
        services.service_save(actor=request.user, service=obj, changed_fields=form.changed_data)
