"""Reads of service definitions and offices: what a service page and a form are built from."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from gorod.applications.models import Definition, Office
from gorod.catalog.models import Service
from gorod.core.errors import NotFound


def definition_current(service: Service) -> Definition | None:
    """The newest version of a service's definition, which new applications follow."""
    return Definition.objects.filter(service=service).order_by("-version").first()


def form_definition_get(service_slug: str) -> Definition:
    """The current definition of a published form service, or "not found"."""
    definition = (
        Definition.objects.filter(
            service__slug=service_slug, service__is_published=True, kind="form"
        )
        .select_related("service", "service__department", "service__category")
        .order_by("-version")
        .first()
    )
    if definition is None:
        raise NotFound(
            "service_not_applicable", _("Такой услуги, на которую подают заявление, нет.")
        )
    return definition


def definitions_current() -> QuerySet[Definition]:
    """The newest version of every published service's definition (the public list, the API)."""
    newest = (
        Definition.objects.filter(service=OuterRef("service"))
        .order_by("-version")
        .values("version")[:1]
    )
    return (
        Definition.objects.filter(service__is_published=True, version=Subquery(newest))
        .select_related("service")
        .order_by("service__slug")
    )


def offices() -> QuerySet[Office]:
    return Office.objects.order_by("name")


def definition_current_get(service_slug: str) -> Definition:
    """The newest definition of a published service, whatever its kind, or "not found"."""
    definition = (
        Definition.objects.filter(service__slug=service_slug, service__is_published=True)
        .select_related("service")
        .order_by("-version")
        .first()
    )
    if definition is None:
        raise NotFound("definition_not_found", _("У этой услуги нет определения."))
    return definition
