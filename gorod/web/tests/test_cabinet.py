"""The citizen's cabinet (issue 13, item 17): what happened in words, not audit codes;
the next appointments, the meter window, unread notifications; in few queries."""

import ast
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.models import Appointment
from gorod.appointments.tests.factories import AppointmentFactory, SlotFactory
from gorod.clinics.tests.factories import specialty
from gorod.core.audit import audit_record
from gorod.notifications.models import Message
from gorod.web.activity import ACTIVITY_LABELS, describe

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
IN_WINDOW = datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW)  # sending is open 15th to 3rd
BETWEEN_WINDOWS = datetime(2026, 12, 7, 9, 0, tzinfo=MOSCOW)
# The cabinet's reads, none per row: session, user, person, children, the catalog's
# freshness (3) and flagships (2), activity, ratings, notifications and the unread count,
# whom the citizen books for (person, guardianships, delegations) and the appointments with
# their doctor and clinic.
CABINET_MAX_QUERIES = 17
AUDIT_CODE = re.compile(r"[a-z_]+\.[a-z_]+")
GOROD_SOURCES = Path(__file__).resolve().parents[2]


def audit_codes_in_sources() -> set[str]:
    """Every audit code an `audit_record(action=...)` of the project's modules writes as a
    literal (either branch of a conditional too); f-strings are the suffix rules'."""
    codes = set()
    for path in GOROD_SOURCES.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record"):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    codes |= {
                        each.value
                        for each in ast.walk(keyword.value)
                        if isinstance(each, ast.Constant)
                        and isinstance(each.value, str)
                        and AUDIT_CODE.fullmatch(each.value)
                    }
    return codes


def test_every_audit_code_the_project_writes_has_a_sentence():
    codes = audit_codes_in_sources()
    assert "health.appointment_book" in codes  # the finder finds
    assert sorted(codes - set(ACTIVITY_LABELS)) == []


def test_codes_of_a_pattern_and_unknown_codes_read_as_sentences():
    assert describe("health.labs_finalise") == "Подписана запись в медицинской карте"
    assert describe("health.location_changed") == "Изменена запись в справочнике"
    assert describe("health.something_new") == "Действие в разделе «Здоровье»"
    assert describe("nobody.knows") == "Действие на портале"


def test_sentences_are_translated_when_shown():
    """Passes once the integrator adds the English of the new msgids (the report's list)."""
    with translation.override("en"):
        assert describe("health.attachment_apply") == "Applied to attach to a polyclinic"


@pytest.fixture
def citizen(client, catalog, time_machine):
    time_machine.move_to(IN_WINDOW)
    person = PersonFactory()
    client.force_login(person.user)
    return client, person


def test_the_cabinet_says_what_was_done_in_words(citizen):
    client, person = citizen
    appointment = AppointmentFactory(
        person=person, slot__start=datetime(2026, 11, 26, 10, tzinfo=MOSCOW)
    )
    audit_record(actor=person.user, action="health.appointment_book", target=appointment)
    html = client.get("/cabinet/").content.decode()
    assert "health.appointment_book" not in html
    assert "Запись к врачу" in html


def test_the_cabinet_shows_the_next_appointments_with_links(citizen):
    client, person = citizen
    slot = SlotFactory(start=datetime(2026, 11, 26, 10, tzinfo=MOSCOW))
    upcoming = AppointmentFactory(person=person, slot=slot)
    AppointmentFactory(
        person=person,
        slot__start=datetime(2026, 11, 27, 10, tzinfo=MOSCOW),
        status=Appointment.Status.CANCELLED,
        cancelled_at=IN_WINDOW,
        cancellation_reason=Appointment.Reason.PATIENT,
    )
    html = client.get("/cabinet/").content.decode()
    assert f'href="/health/appointments/{upcoming.pk}/"' in html
    assert "26.11 10:00" in html
    assert "Участковый терапевт" in html
    assert html.count('href="/health/appointments/') == 1  # not the cancelled one


def test_the_cabinet_shows_the_meter_window(citizen, time_machine):
    client, _person = citizen
    assert (
        "Приём показаний открыт до 3 декабря включительно."
        in client.get("/cabinet/").content.decode()
    )
    time_machine.move_to(BETWEEN_WINDOWS)
    html = client.get("/cabinet/").content.decode()
    assert "Приём показаний откроется 15 декабря." in html
    assert 'href="/housing/"' in html


def test_the_cabinet_counts_unread_notifications_and_marks_them_read(citizen):
    client, person = citizen
    for number in range(3):
        Message.objects.create(
            person=person, topic="t", key=f"t:{number}", subject=f"Тема {number}", body="…"
        )
    html = client.get("/cabinet/").content.decode()
    assert "3 новых" in html
    assert "Тема 2" in html
    response = client.post("/cabinet/notifications/read")
    assert response.status_code == 302
    assert not Message.objects.filter(person=person, read_at__isnull=True).exists()
    assert "новых" not in client.get("/cabinet/").content.decode()


def test_the_cabinets_queries_do_not_grow_with_appointments_and_events(
    citizen, django_assert_max_num_queries
):
    client, person = citizen
    for day, code in ((26, "therapist"), (27, "surgeon"), (30, "ent")):
        appointment = AppointmentFactory(
            person=person,
            slot__start=datetime(2026, 11, day, 10, tzinfo=MOSCOW),
            slot__schedule__role__specialty=specialty(code),
        )
        audit_record(actor=person.user, action="health.appointment_book", target=appointment)
    with django_assert_max_num_queries(CABINET_MAX_QUERIES):
        assert client.get("/cabinet/").status_code == 200
