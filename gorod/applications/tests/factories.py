"""Test data of applications: a citizen with a child, МФЦ offices, files' bytes, and the
test definitions (tests/definitions/) imported through the real import."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from gorod.accounts.models import Guardianship, Person
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.applications.models import Definition, Office
from gorod.applications.services.imports import definitions_import
from gorod.catalog import snapshot
from gorod.catalog.models import Service

TEST_DEFINITIONS_DIR = Path(__file__).with_name("definitions")

# The smallest files whose bytes say what they are (filetype reads the magic numbers).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def pdf(name: str = "справка.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Citizen:
    user: object
    person: Person
    child: Person | None


def citizen_make(*, with_child: bool = True, child_birth: date = date(2016, 3, 1)) -> Citizen:
    """A signed-up citizen (born 1985) and, by default, a child (born 2016) they represent."""
    person = PersonFactory()
    child = None
    if with_child:
        child = ChildFactory(birth_date=child_birth, last_name=person.last_name)
        Guardianship.objects.create(guardian=person, child=child, kind=Guardianship.Kind.PARENT)
    return Citizen(user=person.user, person=person, child=child)


def offices_make(count: int = 5) -> list[Office]:
    return [
        Office.objects.create(
            code=f"T{number}",
            name=f"Центр госуслуг района Тестовый-{number}",
            address=f"ул. Тестовая, д. {number}",
            phone="+7 495 777-77-77",
        )
        for number in range(1, count + 1)
    ]


def definitions_load(directory: Path = TEST_DEFINITIONS_DIR) -> dict[str, Definition]:
    """Import a directory of definitions as `gorod import definitions` does; by service slug."""
    report = definitions_import(directory)
    assert not report.problems, report.problems
    return {
        definition.service.slug: definition
        for definition in Definition.objects.select_related("service").filter(
            service__slug__in=report.created + report.unchanged
        )
    }


def external_url_set(slug: str, url: str) -> None:
    Service.objects.filter(slug=slug).update(external_url=url)
    snapshot.invalidate()
