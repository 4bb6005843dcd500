"""The department side's test world: small definitions of each result kind, a citizen's sent
application, and the staff of two departments.

The fixtures are in department_fixtures.py, which a test module loads with
`pytest_plugins = ["gorod.applications.tests.department_fixtures"]` (not conftest.py: the
citizen side's tests live in the same folder with their own).

- `DECISION` (clinic-attachment, ДЗМ): the result is a decision's text;
- `DOCUMENT` (immunization-record, ДЗМ): the result is a generated PDF;
- the committed example zags-repeat-certificate (ЗАГС Москвы): collected in person at an МФЦ.
"""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from gorod.accounts.models import User
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.applications.loader import DEFINITIONS_DIR
from gorod.applications.models import Application, DepartmentPost
from gorod.applications.services import citizen
from gorod.catalog.models import Department

DECISION = "clinic-attachment"
DOCUMENT = "immunization-record"
IN_PERSON = "zags-repeat-certificate"
HEALTH = "ДЗМ"
ZAGS = "ЗАГС Москвы"

# A PDF's first bytes are enough for the type check (filetype reads the magic number).
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

FORM_TEMPLATE = """\
schema: 1
service: {slug}
version: 1
kind: form
applies_for: [self, child]
content:
  summary: {{ru: Тестовая услуга, en: A test service}}
  who_may_apply: {{ru: Жители, en: Residents}}
  result: {{ru: Результат, en: The result}}
  term_days: 10
  refusal_to_accept:
    - use: refuse_incomplete
  refusal_grounds:
    - use: refuse_not_entitled
  legal_basis:
    - use: law_210
  in_person: none
steps:
  - title: {{ru: Сведения, en: Details}}
    fields:
      - key: purpose
        type: text
        label: {{ru: Цель обращения, en: Purpose}}
      - key: kind
        type: choice
        label: {{ru: Вид, en: Kind}}
        choices:
          - {{value: first, label: {{ru: Первичное, en: First}}}}
          - {{value: again, label: {{ru: Повторное, en: Again}}}}
      - key: since
        type: date
        past: true
        label: {{ru: С какого дня, en: Since}}
      - key: urgent
        type: yes_no
        label: {{ru: Срочно, en: Urgent}}
      - key: scan
        type: file
        required: false
        label: {{ru: Скан документа, en: Document scan}}
workflow:
  use: standard
outcome:
  kind: {kind}
  title: {{ru: Решение о прикреплении, en: Decision}}
"""

STEP_DATA = {
    "purpose": ["Переезд в новый район"],
    "kind": ["again"],
    "since": ["2026-01-15"],
    "urgent": ["yes"],
}


def write_definitions(directory: Path) -> Path:
    """The two test definitions and the committed in-person example, in one directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "decision.yaml").write_text(
        FORM_TEMPLATE.format(slug=DECISION, kind="decision"), encoding="utf-8"
    )
    (directory / "document.yaml").write_text(
        FORM_TEMPLATE.format(slug=DOCUMENT, kind="document"), encoding="utf-8"
    )
    example = DEFINITIONS_DIR / "documents" / f"{IN_PERSON}.yaml"
    (directory / "zags.yaml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    return directory


def staff(department_code: str, *, head: bool = False, role: str = "department_operator") -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    DepartmentPost.objects.create(
        user=user, department=Department.objects.get(code=department_code), is_head=head
    )
    return user


def sent_application(slug: str, *, applicant=None, with_file: bool = False) -> Application:
    """A citizen's application of `slug`, filled in and submitted through the citizen's services."""
    person = applicant or PersonFactory()
    user = person.user
    application = citizen.application_start(actor=user, service_slug=slug)
    if slug == IN_PERSON:
        _fill_zags(user, application)
    else:
        citizen.application_step_save(
            actor=user, public_id=application.public_id, step=0, data=STEP_DATA
        )
        if with_file:
            citizen.application_file_add(
                actor=user,
                public_id=application.public_id,
                field_key="scan",
                upload=SimpleUploadedFile("паспорт.pdf", PDF_BYTES),
            )
    return citizen.application_submit(actor=user, public_id=application.public_id, channel="web")


def _fill_zags(user, application) -> None:
    steps = [
        {"act_kind": ["birth"], "act_date": ["2001-02-03"], "reason": ["lost"]},
        {"phone": ["+7 495 123-45-67"]},
        None,
        {"data_consent": ["yes"], "data_correct": ["yes"]},
    ]
    citizen.application_file_add(
        actor=user,
        public_id=application.public_id,
        field_key="documents",
        upload=SimpleUploadedFile("паспорт.pdf", PDF_BYTES),
    )
    for index, data in enumerate(steps):
        if data is not None:
            citizen.application_step_save(
                actor=user, public_id=application.public_id, step=index, data=data
            )


@dataclass
class Desk:
    """Two departments' staff and a sent application of each result kind."""

    operator: User
    colleague: User
    head: User
    stranger: User  # an operator of another department
    viewer: User  # a post in the department, without the role's permissions
    decision: Application
    document: Application


def viewer() -> User:
    user = UserFactory(is_staff=True)
    DepartmentPost.objects.create(user=user, department=Department.objects.get(code=HEALTH))
    return user
