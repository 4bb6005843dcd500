"""The admin's shared shapes: what services alone may write is shown, not changed."""

from django.contrib import admin

from gorod.core.services import reference_row_save


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browsable, never changed from the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Saves go through full_clean (the admin form) and leave an audit row; no deletes:
    readings and links refer to these rows, and their history must stay."""

    audit_action = ""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        reference_row_save(
            actor=request.user,
            row=obj,
            audit_action=self.audit_action,
            created=not change,
            changed_fields=form.changed_data,
        )
