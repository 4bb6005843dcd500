"""Long-tail services in the demo city: every definition, the МФЦ offices, department staff,
and applications in every state across many services.

The definitions are the repository's own (gorod/applications/definitions); the offices are
the city's open data (data.mos.ru, 2013) when ../shared/data has it. Applicants are invented
and say so in their surname. Each application is made the way a citizen and a department
would make it — through the services, with answers the definition's own checks accept — and
dated back over the last weeks, so the queues have overdue items and the analytics have
processing times. A form whose fields this generator cannot answer validly is left out of
the sample rather than filled with answers that would not pass.
"""

import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from gorod.accounts.models import Guardianship, Person, User
from gorod.analytics.services import usage_paused
from gorod.applications import rules
from gorod.applications.loader import DEFINITIONS_DIR
from gorod.applications.models import Application, Definition, DepartmentPost
from gorod.applications.services import citizen
from gorod.applications.services.imports import definitions_import, offices_import
from gorod.applications.services.moves import application_move
from gorod.catalog.models import Department
from gorod.core.clock import local_date
from gorod.core.errors import DomainError
from gorod.demo.accounts import FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES
from gorod.housing.models import Premises, PremisesLink

MFC_FILE = settings.SHARED_DATA_DIR / "moscow_mfc_2013.csv"
MFC_ATTRIBUTION = "Портал открытых данных Правительства Москвы, data.mos.ru (2013)"
DEFAULT_APPLICATIONS = 240
APPLICANTS = 60
DEPARTMENT_ROLE = "department_operator"
# How the sample is spread over the lifecycle (weights), and the moves that lead there.
TARGETS = {
    "draft": (6, []),
    "submitted": (8, []),
    "registered": (7, ["registered"]),
    "in_review": (16, ["registered", "in_review"]),
    "info_requested": (7, ["registered", "in_review", "info_requested"]),
    "suspended": (3, ["registered", "in_review", "suspended"]),
    "result_ready": (10, ["registered", "in_review", "result_ready"]),
    "completed": (28, ["registered", "in_review", "result_ready", "completed"]),
    "refused": (6, ["registered", "in_review", "refused"]),
    "refused_to_accept": (4, ["refused_to_accept"]),
    "withdrawn": (5, ["withdrawn"]),
}
# Candidate answers for text fields with a pattern; the first the pattern takes is used.
PATTERN_CANDIDATES = (
    "4510 123456",
    "IV-МЮ 123456",
    "А123ВС77",
    "А123ВС777",
    "1234567890",
    "123456789012",
    "1027700132195",
    "304770000123456",
    "40817810099910004312",
    "044525225",
    "12345678901",
    "1234567890123456",
    "77:01:0001001:1234",
    "123456",
    "1234",
)


@dataclass
class Made:
    definitions: int = 0
    offices: int = 0
    operators: int = 0
    applications: int = 0
    left_out: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    quick_service: str = ""
    quick_operator: str = ""


def applications_demo(
    *,
    citizen_user: User,
    seed: int,
    count: int,
    progress: Callable[[int, int], None] = lambda *_: None,
) -> Made:
    made = Made()
    report = definitions_import(DEFINITIONS_DIR)
    if report.problems:
        raise DomainError(
            "definitions_invalid", "\n".join(str(item) for item in report.problems[:20])
        )
    made.definitions = len(report.created) + len(report.unchanged)
    if MFC_FILE.is_file():
        offices = offices_import(MFC_FILE)
        made.offices = offices.created + offices.updated
    made.credentials, made.operators = _department_staff()
    rng = random.Random(seed)  # noqa: S311 — invented data, not a secret
    forms = list(
        Definition.objects.filter(kind="form").select_related("service", "service__department")
    )
    applicants = _invented_applicants(rng)
    now = timezone.now()
    with usage_paused():
        for done in range(count):
            definition = rng.choice(forms)
            target = rng.choices(
                list(TARGETS), weights=[weight for weight, _moves in TARGETS.values()]
            )[0]
            # Someone the service is for: eligibility (age, residence) picks among a few.
            tries = (
                _application(definition, person, target, rng, now=now)
                for person in rng.sample(applicants, k=min(6, len(applicants)))
            )
            if next((one for one in tries if one is not None), None) is None:
                made.left_out.append(definition.service.slug)
            else:
                made.applications += 1
            progress(done + 1, count)
        made.quick_service = _demo_citizens_own(citizen_user, forms, rng, now=now)
    if made.quick_service:
        quick = next(one for one in forms if one.service.slug == made.quick_service)
        made.quick_operator = department_login(quick.service.department.code)
    made.left_out = sorted(set(made.left_out))
    return made


# Passport-style transliteration (ГОСТ 52535.1-2006), enough for a login; "-" is silent.
_LETTERS = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e iu ia"
_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LETTERS.split(" "), strict=True))


def department_login(code: str) -> str:
    """A department's demo login from its code: ДТСЗН → dtszn@gorod.local."""
    words = "".join(char if char.isalnum() else " " for char in code.lower()).split()
    latin = "-".join(
        "".join(_LATIN.get(char, char) for char in word).replace("-", "") for word in words
    )
    return f"{latin[:40] or 'department'}@gorod.local"


@transaction.atomic
def _department_staff() -> tuple[list[tuple[str, str, str]], int]:
    """One operator (the department's head in the demo) for each department with forms."""
    credentials = []
    group = Group.objects.filter(name=DEPARTMENT_ROLE).first()
    departments = Department.objects.filter(services__kind="form").distinct().order_by("code")
    count = 0
    for department in departments:
        login = department_login(department.code)
        user = User.objects.filter(email=login).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(login, password, is_staff=True)
            hint = _("очередь заявлений ведомства «%(department)s»: /applications/desk/") % {
                "department": department.code
            }
            credentials.append((login, password, hint))
        if group is not None:
            user.groups.add(group)
        DepartmentPost.objects.get_or_create(
            user=user, department=department, defaults={"is_head": True}
        )
        count += 1
    return credentials, count


def _operator_of(department_id: int) -> User | None:
    post = DepartmentPost.objects.filter(department_id=department_id).select_related("user").first()
    return post.user if post else None


def _invented_applicants(rng: random.Random) -> list[Person]:
    """Invented citizens of every adult age, each with a child of some age and a flat in the
    city (the `resident` rule); their logins have no password anyone could use."""
    people = []
    for number in range(APPLICANTS):
        sex = rng.choice("mf")
        user = User.objects.create_user(f"applicant-{number:03d}@demo.gorod.local", None)
        person = Person.objects.create(
            user=user,
            last_name=LAST_NAMES[sex],
            first_name=rng.choice(FIRST_NAMES[sex]),
            middle_name=rng.choice(MIDDLE_NAMES[sex]),
            birth_date=date(1940 + number * 47 % 66, 1 + number % 12, 1 + number % 28),
        )
        flat = Premises.objects.create(
            payer_code=f"97{number:08d}",
            apartment=str(number + 1),
            address=f"Москва, Демонстрационная ул., д. {number // 20 + 1}",
            residents=3,
        )
        PremisesLink.objects.create(
            person=person,
            premises=flat,
            role=PremisesLink.Role.OWNER,
            verified_by=PremisesLink.Verification.REGISTRY,
        )
        child_sex = rng.choice("mf")
        child = Person.objects.create(
            last_name=LAST_NAMES[child_sex],
            first_name=rng.choice(FIRST_NAMES[child_sex]),
            birth_date=date(2008 + number * 7 % 19, 1 + number % 12, 1 + number % 28),
        )
        Guardianship.objects.create(guardian=person, child=child, kind="parent")
        people.append(person)
    return people


def _application(definition: Definition, person: Person, target: str, rng, *, now: datetime):
    """One application of `definition` brought to `target`; None when it cannot be answered."""
    document = definition.document
    for_child = "self" not in document["applies_for"] or (
        "child" in document["applies_for"] and rng.random() < 0.3
    )
    subject_id = None
    if for_child:
        link = Guardianship.objects.filter(guardian=person).select_related("child").first()
        subject_id = link.child.pk if link else None
    actor = person.user
    staff = _operator_of(definition.service.department_id)
    started = now - timedelta(days=rng.randint(2, 45), hours=rng.randint(0, 10))
    try:
        with transaction.atomic():
            application = citizen.application_start(
                actor=actor,
                service_slug=definition.service.slug,
                subject_id=subject_id,
                now=started,
            )
            _answer_every_step(application, actor, rng, now=started)
            if target == "draft":
                return application
            moment = started + timedelta(minutes=rng.randint(3, 40))
            citizen.application_submit(
                actor=actor, public_id=application.public_id, channel="web", now=moment
            )
            application.refresh_from_db()
            for to in _path_to(target, document["workflow"]):
                moment = min(
                    moment + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 6)), now
                )
                by = (
                    "applicant"
                    if to in ("withdrawn",) or (to == "completed" and rng.random() < 0.7)
                    else "department"
                )
                application_move(
                    application,
                    to=to,
                    by=by,
                    actor=actor if by == "applicant" else staff,
                    now=moment,
                    text=_words_for(to, document),
                )
            return application
    except DomainError:
        return None


def _path_to(target: str, workflow: dict) -> list[str]:
    """The moves toward `target` that this workflow allows, in order; stops where it cannot go."""
    path = []
    status = rules.SUBMITTED
    for to in TARGETS[target][1]:
        allowed = rules.moves_from(workflow, status, by="department") + rules.moves_from(
            workflow, status, by="applicant"
        )
        if to not in allowed:
            break
        path.append(to)
        status = to
    return path


def _words_for(to: str, document: dict) -> str:
    """What the department says to the citizen with a move (invented, in the demo's voice)."""
    outcome = rules.text(document["outcome"]["title"])
    return {
        "info_requested": "Приложите, пожалуйста, разборчивую копию документа: "
        "на скане не видна вторая страница.",
        "suspended": "Рассмотрение приостановлено до получения ответа на межведомственный запрос.",
        "result_ready": f"Решение принято: {outcome}.",
        "refused": "Отказано: заявитель не относится к категории лиц, имеющих право на услугу. "
        "Решение можно обжаловать в досудебном порядке в течение трёх месяцев.",
        "refused_to_accept": "В приёме документов отказано: не приложены обязательные документы.",
    }.get(to, "")


def _answer_every_step(application: Application, actor, rng, *, now: datetime) -> None:
    document = application.definition.document
    persons = [str(application.applicant_id)]
    for index, step in enumerate(document["steps"]):
        for one in step["fields"]:
            if one["type"] == "file":
                citizen.application_file_add(
                    actor=actor,
                    public_id=application.public_id,
                    field_key=one["key"],
                    upload=_demo_pdf(),
                )
        raw = {
            one["key"]: _answer_for(one, rng, persons, local_date(now)) for one in step["fields"]
        }
        citizen.application_step_save(
            actor=actor, public_id=application.public_id, step=index, data=raw, now=now
        )


def _answer_for(one: dict, rng, persons: list[str], today: date) -> list[str]:
    kind = one["type"]
    if kind == "choice":
        return [rng.choice(one["choices"])["value"]]
    if kind == "text" and one.get("pattern"):
        return [
            next(
                (value for value in PATTERN_CANDIDATES if re.fullmatch(one["pattern"], value)), "—"
            )
        ]
    return [
        {
            "text": "Демонстрационный ответ"[: one.get("max_length") or 200],
            "textarea": "Демонстрационное заявление: текст придуман для показа портала.",
            "number": str(one.get("min") or 1),
            "date": (
                today - timedelta(days=rng.randint(30, 3000))
                if not one.get("future")
                else today + timedelta(days=10)
            ).isoformat(),
            "yes_no": "yes",
            "address": "ул. Демонстрационная, д. 1, кв. 1",
            "person": persons[0],
            "email": f"demo{rng.randint(1, 9999)}@example.ru",
            "phone": f"+7 900 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            "file": "",
        }[kind]
    ]


def _demo_pdf() -> SimpleUploadedFile:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="gorod demo document (invented)")
    return SimpleUploadedFile(
        "demo-document.pdf", bytes(pdf.output()), content_type="application/pdf"
    )


def _demo_citizens_own(user: User, forms: list[Definition], rng, *, now: datetime) -> str:
    """The demo citizen's own applications, one at each step a newcomer should see."""
    person = user.person
    for target in ("draft", "info_requested", "result_ready", "completed", "in_review"):
        for definition in rng.sample(forms, k=min(10, len(forms))):
            if _application(definition, person, target, rng, now=now) is not None:
                break
    return quickest_form(forms)


def quickest_form(forms: list[Definition]) -> str:
    """A short form with a decision and no files: the newcomer's two-minute flow."""

    def size(definition: Definition) -> int:
        return sum(len(step["fields"]) for step in definition.document["steps"])

    candidates = [
        definition
        for definition in forms
        if definition.document["outcome"]["kind"] == "decision"
        and "self" in definition.document["applies_for"]
        and not definition.document.get("eligibility")
        and all(one["type"] != "file" for one in rules.fields_of(definition.document))
    ]
    return min(candidates, key=size).service.slug if candidates else ""


def valid_answers(document: dict, *, person_id: int, today: date, rng) -> dict | None:
    """Answers to every step of a form without file fields that its own checks accept, as
    a draft stores them; None when the generator cannot answer some field validly."""
    answers: dict = {}
    for step in document["steps"]:
        raw = {one["key"]: _answer_for(one, rng, [str(person_id)], today) for one in step["fields"]}
        checked = rules.check_step(
            step, raw, earlier=answers, file_counts={}, persons=[str(person_id)], today=today
        )
        if checked.errors:
            return None
        answers.update(checked.values)
    return answers
