"""Every write to the catalog; each in one transaction with its audit row."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from gorod.catalog import rules, snapshot
from gorod.catalog.models import Category, Department, Service
from gorod.core.audit import audit_record
from gorod.core.importing import read_csv

# Fields the importer owns; an editor's featured_position or published flag survives it.
IMPORTED_FIELDS = (
    "title",
    "title_en",
    "category_id",
    "department_id",
    "kind",
    "audience",
    "keywords",
    "description",
    "description_en",
    "is_online",
    "external_url",
)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[rules.RowProblem] = field(default_factory=list)


def catalog_read_file(path: Path) -> tuple[list[rules.ServiceRow], list[rules.RowProblem]]:
    """Parse a catalog CSV; a wrong header is refused before any row is looked at."""
    categories = set(Category.objects.values_list("slug", flat=True))
    return read_csv(
        path,
        columns=rules.CATALOG_COLUMNS,
        parse_rows=lambda records: rules.parse_service_rows(
            (raw for _line, raw in records), categories=categories
        ),
    )


def catalog_import(*, actor, rows: list[rules.ServiceRow]) -> ImportReport:
    """Create or update services from parsed rows, all in one transaction.

    Idempotent: a row equal to what is stored is counted as unchanged and not written, so
    re-running an import touches nothing and leaves updated_at alone.
    """
    report = ImportReport()
    with transaction.atomic():
        categories = {category.slug: category.pk for category in Category.objects.all()}
        departments = {department.code: department.pk for department in Department.objects.all()}
        for code in {row.department for row in rows} - departments.keys():
            departments[code] = Department.objects.create(code=code).pk
        existing = {service.slug: service for service in Service.objects.all()}
        for row in rows:
            values = {
                "title": row.title,
                "title_en": row.title_en,
                "category_id": categories[row.category],
                "department_id": departments[row.department],
                "kind": row.kind,
                "audience": row.audience,
                "keywords": list(row.keywords),
                "description": row.description,
                "description_en": row.description_en,
                "is_online": row.is_online,
                "external_url": row.external_url,
            }
            service = existing.get(row.slug)
            if service is None:
                service = Service(slug=row.slug, **values)
                service.full_clean()
                service.save()
                report.created.append(row.slug)
                continue
            changed = [name for name in IMPORTED_FIELDS if getattr(service, name) != values[name]]
            if not changed:
                report.unchanged.append(row.slug)
                continue
            for name in changed:
                setattr(service, name, values[name])
            service.full_clean()
            service.save(update_fields=[*changed, "updated_at"])
            report.updated.append(row.slug)
        audit_record(
            actor=actor,
            action="catalog.imported",
            created=len(report.created),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
        )
        transaction.on_commit(snapshot.invalidate)
    return report


def service_save(*, actor, service: Service, changed_fields: list[str]) -> Service:
    """Save an editor's change to a service (the admin calls this)."""
    creating = service.pk is None
    with transaction.atomic():
        service.full_clean()
        service.save()
        audit_record(
            actor=actor,
            action="service.created" if creating else "service.updated",
            target=service,
            fields=changed_fields,
        )
        transaction.on_commit(snapshot.invalidate)
    return service


def category_save(*, actor, category: Category, changed_fields: list[str]) -> Category:
    with transaction.atomic():
        category.full_clean()
        category.save()
        audit_record(actor=actor, action="category.updated", target=category, fields=changed_fields)
        transaction.on_commit(snapshot.invalidate)
    return category


def department_save(*, actor, department: Department, changed_fields: list[str]) -> Department:
    """Save an editor's new or changed department (the admin calls this)."""
    creating = department.pk is None
    with transaction.atomic():
        department.full_clean()
        department.save()
        audit_record(
            actor=actor,
            action="department.created" if creating else "department.updated",
            target=department,
            fields=changed_fields,
        )
        transaction.on_commit(snapshot.invalidate)
    return department
