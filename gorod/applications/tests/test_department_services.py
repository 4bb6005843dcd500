"""The department's writes: each move through the workflow, its texts, terms, audit and rules."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from gorod.applications.models import Event, File, Office
from gorod.applications.services import citizen
from gorod.applications.services import department as services
from gorod.applications.tests.department_world import IN_PERSON, ZAGS, sent_application, staff
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound
from gorod.core.models import AuditEvent
from gorod.notifications.models import Message

pytest_plugins = ["gorod.applications.tests.department_fixtures"]

MOSCOW = ZoneInfo("Europe/Moscow")
# A Monday: registered today, a 10-working-day term ends on the Monday two weeks on.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


def _to_review(desk, application, actor=None):
    actor = actor or desk.operator
    services.application_register(actor=actor, public_id=application.public_id, now=MONDAY)
    return services.application_review_start(
        actor=actor, public_id=application.public_id, now=MONDAY
    )


def test_register_sets_the_term_and_tells_the_citizen(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_register(
            actor=desk.operator, public_id=desk.decision.public_id, now=MONDAY
        )
    application.refresh_from_db()
    assert application.status == "registered"
    assert application.registered_at == MONDAY
    assert application.due_on == date(2026, 12, 21)
    event = Event.objects.filter(application=application).order_by("-id").first()
    assert (event.from_status, event.to_status, event.actor) == (
        "submitted",
        "registered",
        desk.operator,
    )
    assert AuditEvent.objects.filter(
        action="application.registered", actor=desk.operator, target_id=str(application.pk)
    ).exists()
    # Its submission was told before; now the registration.
    told = Message.objects.filter(person=application.applicant).order_by("id")
    assert [message.subject.split(": ")[-1] for message in told] == [
        "отправлено",
        "зарегистрировано",
    ]


def test_refuse_to_accept_needs_a_reason_and_keeps_it_for_the_citizen(desk):
    with pytest.raises(Invalid) as error:
        services.application_refuse_to_accept(
            actor=desk.operator, public_id=desk.decision.public_id, reason="   "
        )
    assert (error.value.code, error.value.field) == ("reason_empty", "reason")
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"
    application = services.application_refuse_to_accept(
        actor=desk.operator, public_id=desk.decision.public_id, reason="Скан не читается."
    )
    assert application.status == "refused_to_accept"
    assert application.decision_text == "Скан не читается."
    assert application.closed_at is not None


def test_request_information_pauses_the_term_until_the_answer(desk):
    application = _to_review(desk, desk.decision)
    due = application.due_on
    services.application_info_request(
        actor=desk.operator,
        public_id=application.public_id,
        text="Приложите справку с места жительства.",
        now=MONDAY,
    )
    citizen.application_answer(
        actor=application.applicant.user,
        public_id=application.public_id,
        text="Приложил.",
        now=MONDAY + timedelta(days=7),
    )
    application.refresh_from_db()
    assert application.status == "in_review"
    assert application.due_on == date(2026, 12, 28)  # five working days later than `due`
    assert due == date(2026, 12, 21)


def test_suspend_says_until_when_and_resume_goes_back_to_review(desk):
    application = _to_review(desk, desk.decision)
    with pytest.raises(Invalid) as error:
        services.application_suspend(
            actor=desk.operator,
            public_id=application.public_id,
            reason="Ждём ответа из архива.",
            until=date(2026, 12, 1),
            now=MONDAY,
        )
    assert error.value.field == "until"
    application = services.application_suspend(
        actor=desk.operator,
        public_id=application.public_id,
        reason="Ждём ответа из архива.",
        until=date(2026, 12, 25),
        now=MONDAY,
    )
    assert application.status == "suspended"
    assert application.step_due_on == date(2026, 12, 25)
    assert "25.12.2026" in application.decision_text
    with pytest.raises(Conflict) as conflict:
        services.application_review_start(actor=desk.operator, public_id=application.public_id)
    assert conflict.value.code == "transition_not_allowed"
    application = services.application_resume(
        actor=desk.operator, public_id=application.public_id, now=MONDAY
    )
    assert application.status == "in_review"


def test_approve_a_decision_needs_its_text(desk):
    application = _to_review(desk, desk.decision)
    with pytest.raises(Invalid) as error:
        services.application_approve(actor=desk.operator, public_id=application.public_id)
    assert error.value.field == "text"
    application = services.application_approve(
        actor=desk.operator, public_id=application.public_id, text="Прикреплены к поликлинике № 5."
    )
    assert application.status == "result_ready"
    assert application.decision_text == "Прикреплены к поликлинике № 5."
    assert application.decided_at is not None
    assert not File.objects.filter(application=application, purpose=File.Purpose.RESULT).exists()


def test_approve_a_document_makes_a_pdf_result(desk):
    application = _to_review(desk, desk.document)
    application = services.application_approve(
        actor=desk.operator, public_id=application.public_id, text="Сертификат выдан."
    )
    result = File.objects.get(application=application, purpose=File.Purpose.RESULT)
    data = result.blob.read()
    assert data.startswith(b"%PDF")
    assert result.size == len(data)
    assert result.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="application.result_file").exists()


def test_approve_in_person_says_where_and_what_to_bring_then_hand_over(desk):
    operator = staff(ZAGS)
    application = sent_application(IN_PERSON)
    office = Office.objects.create(code="T1", name="МФЦ Тверской", address="ул. Тверская, 1")
    _to_review(desk, application, actor=operator)
    with pytest.raises(Invalid):
        services.application_approve(
            actor=operator, public_id=application.public_id, office_id=office.pk
        )
    application = services.application_approve(
        actor=operator,
        public_id=application.public_id,
        text="Возьмите паспорт.",
        office_id=office.pk,
    )
    assert "МФЦ Тверской, ул. Тверская, 1" in application.decision_text
    assert "Возьмите паспорт." in application.decision_text
    application = services.application_hand_over(actor=operator, public_id=application.public_id)
    assert application.status == "completed"
    assert application.closed_at is not None


def test_refuse_says_why_and_how_to_appeal(desk):
    application = _to_review(desk, desk.decision)
    with pytest.raises(Invalid) as error:
        services.application_refuse(
            actor=desk.operator, public_id=application.public_id, reason="Нет права.", appeal=""
        )
    assert error.value.field == "appeal"
    application = services.application_refuse(
        actor=desk.operator,
        public_id=application.public_id,
        reason="Нет права.",
        appeal="В досудебном порядке — жалобой в ведомство.",
    )
    assert application.status == "refused"
    assert "Как обжаловать: В досудебном порядке" in application.decision_text


def test_a_move_the_workflow_does_not_allow_is_a_conflict(desk):
    with pytest.raises(Conflict) as error:
        services.application_approve(
            actor=desk.operator, public_id=desk.decision.public_id, text="Да."
        )
    assert error.value.code == "transition_not_allowed"
    with pytest.raises(Conflict):
        services.application_hand_over(actor=desk.operator, public_id=desk.decision.public_id)


def test_only_an_in_person_result_is_handed_over(desk):
    application = _to_review(desk, desk.decision)
    services.application_approve(actor=desk.operator, public_id=application.public_id, text="Да.")
    with pytest.raises(Conflict) as error:
        services.application_hand_over(actor=desk.operator, public_id=application.public_id)
    assert error.value.code == "result_not_in_person"


def test_another_departments_staff_and_a_citizen_are_told_it_does_not_exist(desk):
    for actor in (desk.stranger, desk.decision.applicant.user):
        with pytest.raises(NotFound):
            services.application_register(actor=actor, public_id=desk.decision.public_id)
    with pytest.raises(NotFound):
        services.application_register(actor=desk.operator, public_id="not-a-uuid")
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"


def test_a_post_without_the_role_cannot_act(desk):
    with pytest.raises(NotFound):
        services.application_register(actor=desk.viewer, public_id=desk.decision.public_id)


def test_take_and_assign(desk):
    public_id = desk.decision.public_id
    services.application_take(actor=desk.operator, public_id=public_id)
    with pytest.raises(Forbidden) as error:
        services.application_take(actor=desk.colleague, public_id=public_id)
    assert error.value.code == "assigned_to_other"
    with pytest.raises(Forbidden):
        services.application_register(actor=desk.colleague, public_id=public_id)
    with pytest.raises(Forbidden) as error:
        services.application_assign(
            actor=desk.operator, public_id=public_id, assignee_id=desk.colleague.pk
        )
    assert error.value.code == "head_only"
    with pytest.raises(NotFound):
        services.application_assign(
            actor=desk.head, public_id=public_id, assignee_id=desk.stranger.pk
        )
    application = services.application_assign(
        actor=desk.head, public_id=public_id, assignee_id=desk.colleague.pk
    )
    assert application.assignee == desk.colleague
    services.application_register(actor=desk.colleague, public_id=public_id)
    # The head decides whoever holds it.
    services.application_review_start(actor=desk.head, public_id=public_id)
    kinds = list(
        Event.objects.filter(application=application, kind=Event.Kind.ASSIGNED).values_list(
            "text", flat=True
        )
    )
    assert kinds == [desk.operator.email, desk.colleague.email]


def test_a_note_is_kept_in_the_history_but_not_sent_to_the_citizen(
    desk, django_capture_on_commit_callbacks
):
    with pytest.raises(Invalid):
        services.application_note_add(
            actor=desk.operator, public_id=desk.decision.public_id, text=""
        )
    messages_before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = services.application_note_add(
            actor=desk.operator, public_id=desk.decision.public_id, text="Позвонить заявителю."
        )
    assert callbacks == []
    assert event.kind == Event.Kind.NOTE
    assert Message.objects.count() == messages_before
    assert AuditEvent.objects.filter(action="application.note").exists()


def test_too_long_a_text_is_refused(desk):
    with pytest.raises(Invalid) as error:
        services.application_refuse_to_accept(
            actor=desk.operator, public_id=desk.decision.public_id, reason="я" * 4001
        )
    assert error.value.code == "reason_too_long"
