"""The department's reads: the queue's scope, order and filters, the countdown, one
application's answers and history, the reads logged."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from gorod.applications.models import Application, Event
from gorod.applications.selectors import department as selectors
from gorod.applications.selectors.citizen import timeline_of
from gorod.applications.services import citizen
from gorod.applications.services import department as services
from gorod.applications.tests.department_world import DECISION, sent_application
from gorod.core.errors import NotFound
from gorod.core.models import AuditEvent

pytest_plugins = ["gorod.applications.tests.department_fixtures"]


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


def _queue(actor, **filters):
    return list(selectors.desk_queue(actor=actor, filters=selectors.QueueFilters(**filters)))


def test_the_queue_puts_the_overdue_first_then_the_nearest_term(desk):
    today = timezone.localdate()
    late = sent_application(DECISION)
    soon = sent_application(DECISION)
    Application.objects.filter(pk=late.pk).update(status="in_review", due_on=today - timedelta(5))
    Application.objects.filter(pk=soon.pk).update(status="in_review", due_on=today)
    Application.objects.filter(pk=desk.document.pk).update(due_on=None, step_due_on=None)
    rows = _queue(desk.operator)
    assert rows[0] == late
    assert rows[1] == soon
    assert rows[-1] == desk.document  # no term: last


def test_the_queue_holds_only_open_applications_of_my_departments(desk):
    draft = citizen.application_start(actor=desk.decision.applicant.user, service_slug=DECISION)
    services.application_refuse_to_accept(
        actor=desk.operator, public_id=desk.document.public_id, reason="Скан не читается."
    )
    assert _queue(desk.operator) == [desk.decision]
    assert draft not in _queue(desk.head)
    assert _queue(desk.stranger) == []
    assert _queue(desk.viewer) == []
    assert _queue(desk.decision.applicant.user) == []


def test_the_queue_filters_by_status_assignee_and_service(desk):
    services.application_take(actor=desk.operator, public_id=desk.decision.public_id)
    services.application_register(actor=desk.operator, public_id=desk.decision.public_id)
    assert _queue(desk.operator, status="registered") == [desk.decision]
    assert _queue(desk.operator, assigned="me") == [desk.decision]
    assert _queue(desk.operator, assigned="none") == [desk.document]
    assert _queue(desk.operator, service_id=desk.document.service_id) == [desk.document]
    assert _queue(desk.operator, department_id=desk.decision.department_id + 10_000) == []
    services_offered = dict(selectors.queue_services(actor=desk.operator))
    assert set(services_offered) == {desk.decision.service_id, desk.document.service_id}


def test_the_queue_is_one_query_however_long(desk, django_assert_num_queries):
    for _ in range(4):
        sent_application(DECISION)
    desk.operator.has_perm(selectors.VIEW_PERMISSION)  # the permissions, read once a request
    with django_assert_num_queries(1):
        rows = _queue(desk.operator)
        names = [(row.service.title, row.applicant.full_name, row.department.code) for row in rows]
    assert len(names) == 6


def test_the_countdown_in_working_days():
    application = Application(status="in_review", due_on=date(2026, 12, 11))
    monday = date(2026, 12, 7)
    assert selectors.countdown(application, monday).days_left == 4
    late = selectors.countdown(application, date(2026, 12, 15))
    assert (late.overdue, late.late_by) == (True, 2)
    waiting = Application(status="info_requested", due_on=date(2026, 12, 1))
    paused = selectors.countdown(waiting, monday)
    assert (paused.paused, paused.overdue) == (True, False)
    none = selectors.countdown(Application(status="submitted"), monday)
    assert (none.due_on, none.days_left, none.overdue) == (None, None, False)


def test_one_application_with_answers_history_and_the_read_logged(
    desk, django_assert_max_num_queries
):
    services.application_note_add(
        actor=desk.operator, public_id=desk.decision.public_id, text="Позвонить."
    )
    with django_assert_max_num_queries(7):
        view = selectors.desk_application_read(
            actor=desk.operator,
            public_id=desk.decision.public_id,
            channel="web",
            today=timezone.localdate(),
        )
    answers = {answer.key: answer for answer in view.answers}
    assert answers["purpose"].value == "Переезд в новый район"
    assert (answers["kind"].label, answers["kind"].value) == ("Вид", "Повторное")
    assert answers["since"].value == "15.01.2026"
    assert answers["urgent"].value == "да"
    assert [file.name for file in answers["scan"].files] == ["паспорт.pdf"]
    assert view.moves == ["registered", "refused_to_accept"]
    assert [entry.internal for entry in view.history] == [False, False, True]
    assert view.history[-1].text == "Позвонить."
    read = AuditEvent.objects.get(action="application.read")
    assert (read.actor, read.target_id, read.data["channel"]) == (
        desk.operator,
        str(desk.decision.pk),
        "web",
    )


def test_a_read_of_another_departments_application_is_not_found_and_not_logged(desk):
    with pytest.raises(NotFound):
        selectors.desk_application_read(
            actor=desk.stranger,
            public_id=desk.decision.public_id,
            channel="web",
            today=timezone.localdate(),
        )
    assert not AuditEvent.objects.filter(action="application.read").exists()


def test_the_citizen_timeline_does_not_show_staff_notes(desk):
    services.application_note_add(
        actor=desk.operator, public_id=desk.decision.public_id, text="Внутреннее."
    )
    assert Event.objects.filter(application=desk.decision, kind=Event.Kind.NOTE).exists()
    assert all(entry.text != "Внутреннее." for entry in timeline_of(desk.decision))
