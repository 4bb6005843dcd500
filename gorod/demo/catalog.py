"""The demo city's catalog: the project's own services file, and the home page's picks."""

from io import StringIO
from pathlib import Path

from django.conf import settings

from gorod.catalog.importers import import_services_file
from gorod.catalog.models import Service
from gorod.catalog.services import ImportReport, service_save

CATALOG_FIXTURE = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "services.csv"
# The home page's "popular services" block until usage analytics rank them for real.
FEATURED = [
    "emr",
    "doctor-appointment",
    "school-diary",
    "meter-readings",
    "clubs-enrollment",
]


def catalog_demo(*, style) -> tuple[ImportReport, str]:
    """Import the catalog file and feature the flagships; the report and what the import
    printed (the demo says what happened in its own words, the import's lines only on
    failure)."""
    printed = StringIO()
    report = import_services_file(CATALOG_FIXTURE, stdout=printed, style=style)
    if report.problems:
        return report, printed.getvalue()
    for position, slug in enumerate(FEATURED, start=1):
        service = Service.objects.get(slug=slug)
        if service.featured_position != position:
            service.featured_position = position
            service_save(actor=None, service=service, changed_fields=["featured_position"])
    return report, printed.getvalue()
