"""The back office of service definitions, МФЦ offices and departments' staff (/staff/).

Definitions are versions: each is browsed read-only, with a preview of the service page
and the form as the citizen will see them; a new version is added by pasting or uploading
its YAML, checked as `gorod import definitions` checks a file — every mistake listed with
its path in the document and why, nothing saved until all is right. An old version is never
edited in place (applications keep the version they started under). Applications
themselves are not here: the department's desk (/applications/desk/) shows them to those
entitled, and logs every look.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.applications.models import Definition, DepartmentPost, Office
from gorod.applications.preview import preview_of
from gorod.applications.services.definitions import TEXT_MAX_BYTES, definition_add
from gorod.core.admin import AuditedAdmin
from gorod.core.audit import audit_record
from gorod.core.errors import DomainError


class DefinitionUploadForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Текст определения (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Вставьте YAML или загрузите файл ниже. Номер версии должен быть больше последней "
            "загруженной."
        ),
    )
    file = forms.FileField(label=gettext_lazy("Или файл .yaml"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > TEXT_MAX_BYTES:
                raise forms.ValidationError(_("Файл больше 1 МБ."))
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Файл не в кодировке UTF-8.")) from None
            data["source"] = upload.name
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Вставьте текст определения или загрузите файл."))
        return data


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ["service", "version", "kind", "imported_at", "preview_link"]
    list_filter = ["kind", "service__category"]
    list_select_related = ["service"]
    search_fields = ["service__slug", "service__title"]
    fields = ["service", "version", "kind", "sha256", "source_file", "imported_at", "preview_link"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("просмотр"))
    def preview_link(self, obj):
        url = reverse("admin:applications_definition_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Как увидит житель"))

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        own = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="applications_definition_upload",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="applications_definition_preview",
            ),
        ]
        return own + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # A new version comes as a whole document, not field by field.
        return redirect("admin:applications_definition_upload")

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DefinitionUploadForm(request.POST or None, request.FILES or None)
        problems = []
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    definition = definition_add(
                        actor=request.user,
                        text=form.cleaned_data["text"],
                        source=form.cleaned_data.get("source", ""),
                    )
                except DomainError as error:
                    form.add_error(None, str(error.message))
                    problems = error.details.get("problems", [])
                    status = 422
                else:
                    messages.success(
                        request,
                        _("Загружена версия %(version)d услуги «%(service)s».")
                        % {"version": definition.version, "service": definition.service.title},
                    )
                    return redirect("admin:applications_definition_preview", definition.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Новая версия определения услуги"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(
            request, "applications/admin/definition_upload.html", context, status=status
        )

    def preview_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        definition = get_object_or_404(Definition.objects.select_related("service"), pk=pk)
        newest = (
            Definition.objects.filter(service=definition.service)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(service)s, версия %(version)d")
            % {"service": definition.service.title, "version": definition.version},
            "definition": definition,
            "is_newest": newest == definition.version,
            "preview": preview_of(definition.document),
        }
        return TemplateResponse(request, "applications/admin/definition_preview.html", context)


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    audit_action = "applications.office"
    list_display = ["name", "code", "address", "phone", "windows"]
    search_fields = ["name", "code", "address"]
    fields = ["code", "name", "address", "phone", "windows"]


@admin.register(DepartmentPost)
class DepartmentPostAdmin(AuditedAdmin):
    """Who works which department's queue; the head may also reassign and decide."""

    audit_action = "applications.department_post"
    list_display = ["user", "department", "is_head", "created_at"]
    list_filter = ["is_head", "department"]
    list_select_related = ["user", "department"]
    search_fields = ["user__email", "department__code", "department__name"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["department"]
    fields = ["user", "department", "is_head", "created_at"]
    readonly_fields = ["created_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A post ends when the person leaves the department: deleting it is the way.
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request, obj) -> None:
        audit_record(
            actor=request.user,
            action="applications.department_post_deleted",
            target=obj,
            user=obj.user_id,
            department=obj.department_id,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for post in queryset:
            self.delete_model(request, post)
