"""The department's desk pages: the queue, an application, its actions and files."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gorod.applications.models import Application, Event, File, Office
from gorod.applications.tests.department_world import (
    DECISION,
    HEALTH,
    IN_PERSON,
    ZAGS,
    sent_application,
    staff,
)
from gorod.core.models import AuditEvent

pytest_plugins = ["gorod.applications.tests.department_fixtures"]


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


def _queue():
    return reverse("applications_desk:queue")


def _detail(application):
    return reverse("applications_desk:detail", args=[application.public_id])


def _act(application, action):
    return reverse("applications_desk:act", args=[application.public_id, action])


def _file_url(file):
    return reverse("applications_desk:file", args=[file.public_id])


def test_the_queue_shows_the_departments_open_applications_most_urgent_first(desk, client):
    late = sent_application(DECISION)
    Application.objects.filter(pk=late.pk).update(
        status="in_review", due_on=timezone.localdate() - timedelta(days=10)
    )
    client.force_login(desk.operator)
    response = client.get(_queue())
    assert response.status_code == 200
    page = response.content.decode()
    assert desk.decision.number in page
    assert desk.document.number in page
    assert page.index(late.number) < page.index(desk.decision.number)
    assert "просрочено, рабочих дней" in page
    assert AuditEvent.objects.filter(action="application.queue_read", actor=desk.operator).exists()


def test_the_queue_filters(desk, client):
    client.force_login(desk.operator)
    client.post(_act(desk.decision, "take"))
    mine = client.get(_queue(), {"assigned": "me"}).content.decode()
    assert desk.decision.number in mine
    assert desk.document.number not in mine
    unassigned = client.get(_queue(), {"assigned": "none"}).content.decode()
    assert desk.decision.number not in unassigned
    assert desk.document.number in unassigned
    by_service = client.get(_queue(), {"service": desk.document.service_id}).content.decode()
    assert desk.document.number in by_service
    assert desk.decision.number not in by_service
    bad = client.get(_queue(), {"status": "nonsense"})
    assert bad.status_code == 400


def test_another_department_sees_an_empty_queue_and_no_application(desk, client):
    client.force_login(desk.stranger)
    page = client.get(_queue()).content.decode()
    assert desk.decision.number not in page
    assert client.get(_detail(desk.decision)).status_code == 404
    assert client.post(_act(desk.decision, "register")).status_code == 404
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"


@pytest.mark.parametrize("who", ["citizen", "applicant", "viewer"])
def test_the_desk_does_not_exist_for_those_without_a_post_and_the_role(desk, client, who):
    user = {
        "citizen": lambda: sent_application(DECISION).applicant.user,
        "applicant": lambda: desk.decision.applicant.user,
        "viewer": lambda: desk.viewer,
    }[who]()
    client.force_login(user)
    file = File.objects.get(application=desk.decision)
    assert client.get(_queue()).status_code == 404
    assert client.get(_detail(desk.decision)).status_code == 404
    assert client.post(_act(desk.decision, "register")).status_code == 404
    assert client.get(_file_url(file)).status_code == 404


def test_anonymous_is_sent_to_sign_in(desk, client):
    file = File.objects.get(application=desk.decision)
    for url in (_queue(), _detail(desk.decision), _file_url(file)):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
    assert client.post(_act(desk.decision, "register")).status_code == 302


def test_the_application_page_shows_the_answers_by_type_and_logs_the_read(desk, client):
    client.force_login(desk.operator)
    response = client.get(_detail(desk.decision))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Цель обращения",
        "Переезд в новый район",
        "Повторное",
        "15.01.2026",
        "паспорт.pdf",
    ):
        assert text in page
    assert "Зарегистрировать" in page
    assert "Отказать в приёме" in page
    assert "Выдать результат" not in page
    assert AuditEvent.objects.filter(
        action="application.read", actor=desk.operator, target_id=str(desk.decision.pk)
    ).exists()


def test_an_action_moves_the_application_and_returns_to_its_page(desk, client):
    client.force_login(desk.operator)
    response = client.post(_act(desk.decision, "register"))
    assert response.status_code == 302
    assert response["Location"] == _detail(desk.decision)
    desk.decision.refresh_from_db()
    assert desk.decision.status == "registered"
    page = client.get(response["Location"]).content.decode()
    assert "Заявление зарегистрировано" in page
    assert "Начать рассмотрение" in page


def test_a_missing_reason_is_shown_next_to_its_field(desk, client):
    client.force_login(desk.operator)
    response = client.post(_act(desk.decision, "refuse-to-accept"), {"refuse-to-accept-reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page
    assert 'id="id_refuse-to-accept-reason_error"' in page
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"


def test_a_move_no_longer_allowed_is_a_conflict_shown_on_the_form(desk, client):
    client.force_login(desk.operator)
    client.post(_act(desk.decision, "register"))
    response = client.post(_act(desk.decision, "register"))
    assert response.status_code == 409
    assert "нельзя перевести" in response.content.decode()


def test_the_whole_way_to_a_decision(desk, client):
    client.force_login(desk.operator)
    client.post(_act(desk.decision, "register"))
    client.post(_act(desk.decision, "review"))
    response = client.post(
        _act(desk.decision, "approve"), {"approve-text": "Прикреплены к поликлинике № 5."}
    )
    assert response.status_code == 302
    desk.decision.refresh_from_db()
    assert desk.decision.status == "result_ready"
    assert desk.decision.decision_text == "Прикреплены к поликлинике № 5."


def test_a_note_stays_internal(desk, client):
    client.force_login(desk.operator)
    client.post(_act(desk.decision, "note"), {"note-text": "Позвонить заявителю."})
    event = Event.objects.get(application=desk.decision, kind=Event.Kind.NOTE)
    assert event.text == "Позвонить заявителю."
    page = client.get(_detail(desk.decision)).content.decode()
    assert "не видно заявителю" in page


def test_only_the_head_sees_assignment_to_a_colleague(desk, client):
    client.force_login(desk.operator)
    assert "Назначить исполнителя" not in client.get(_detail(desk.decision)).content.decode()
    client.force_login(desk.head)
    assert "Назначить исполнителя" in client.get(_detail(desk.decision)).content.decode()
    response = client.post(_act(desk.decision, "assign"), {"assign-assignee": desk.colleague.pk})
    assert response.status_code == 302
    desk.decision.refresh_from_db()
    assert desk.decision.assignee == desk.colleague
    # The operator may not act on a colleague's application.
    client.force_login(desk.operator)
    assert client.post(_act(desk.decision, "register")).status_code == 403


def test_a_file_is_downloaded_by_the_departments_staff_and_the_read_logged(desk, client):
    file = File.objects.get(application=desk.decision)
    client.force_login(desk.operator)
    response = client.get(_file_url(file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="application.file_read", actor=desk.operator).exists()
    client.force_login(desk.stranger)
    assert client.get(_file_url(file)).status_code == 404


def test_actions_need_the_csrf_token(desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.operator)
    assert client.post(_act(desk.decision, "register")).status_code == 403
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"


def test_an_unknown_action_is_not_found(desk, client):
    client.force_login(desk.operator)
    assert client.post(_act(desk.decision, "explode")).status_code == 404


def test_the_queue_and_the_page_keep_their_query_counts(
    desk, client, django_assert_max_num_queries
):
    for _ in range(5):
        sent_application(DECISION)
    other = staff(HEALTH)
    client.force_login(other)
    client.get(_queue())  # warm the session and the content types
    with django_assert_max_num_queries(9):
        response = client.get(_queue())
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(_detail(desk.decision))
    assert response.status_code == 200


def test_an_in_person_result_names_the_office_and_is_handed_over(desk, client):
    operator = staff(ZAGS)
    application = sent_application(IN_PERSON)
    office = Office.objects.create(code="T1", name="МФЦ Тверской", address="ул. Тверская, 1")
    client.force_login(operator)
    client.post(_act(application, "register"))
    client.post(_act(application, "review"))
    page = client.get(_detail(application)).content.decode()
    assert "МФЦ Тверской" in page
    assert "Что взять с собой" in page
    response = client.post(
        _act(application, "approve"),
        {"approve-text": "Возьмите паспорт.", "approve-office": office.pk},
    )
    assert response.status_code == 302
    page = client.get(_detail(application)).content.decode()
    assert "ул. Тверская, 1" in page
    assert "Отметить выдачу" in page
    assert client.post(_act(application, "hand-over")).status_code == 302
    application.refresh_from_db()
    assert application.status == "completed"


def test_a_decision_is_not_handed_over_at_the_desk(desk, client):
    client.force_login(desk.operator)
    for action in ("register", "review"):
        client.post(_act(desk.decision, action))
    client.post(_act(desk.decision, "approve"), {"approve-text": "Да."})
    assert "Отметить выдачу" not in client.get(_detail(desk.decision)).content.decode()
    response = client.post(_act(desk.decision, "hand-over"))
    assert response.status_code == 409


def test_the_desk_is_in_the_staffs_menu_and_nobody_elses(desk, client):
    client.force_login(desk.operator)
    assert f'href="{_queue()}"' in client.get("/").content.decode()
    client.force_login(desk.decision.applicant.user)
    assert f'href="{_queue()}"' not in client.get("/").content.decode()
