"""The organisation's back office pages: the groups at a glance, a group's queue with a
decision on each row (success: a redirect; a refusal: the message next to its row and
nothing written), places that seat the waiting list in order, the schedule and the group's
details, the register of enrolled children as CSV (logged), and all of it in English."""

import csv
import html
import io
import re

import pytest
from django.urls import reverse

from gorod.accounts.models import Person
from gorod.clubs.models import (
    Application,
    ApplicationEvent,
    Group,
    GroupSession,
    Organisation,
    Programme,
    Venue,
)
from gorod.clubs.tests.factories import GroupFactory, GroupSessionFactory
from gorod.clubs.tests.test_authorization import NOW, DeskWorld, desk_world, state
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db
__all__ = ["desk_world"]

Status = Application.Status
# The group's page: the session and its user, the group, its sessions, its programme's
# venues, its applications (with the children and representatives), the audit row of the look.
GROUP_PAGE_MAX_QUERIES = 7
# The groups at a glance: the session and its user, the organisations, their groups with
# the queue counted, the groups' sessions — however many groups.
DESK_PAGE_MAX_QUERIES = 5
QUEUE_READ = "clubs.group_queue_read"


@pytest.fixture
def staff_client(client, desk_world):
    client.force_login(desk_world.staff)
    return client


def group_url(world: DeskWorld) -> str:
    return reverse("clubs:desk_group", args=[world.group.pk])


def move(client, application: Application, status: str, reason: str = ""):
    return client.post(
        reverse("clubs:desk_move", args=[application.pk]), {"status": status, "reason": reason}
    )


def status_of(application: Application) -> str:
    application.refresh_from_db()
    return application.status


def written_state() -> dict:
    """state() without the logged looks at the queue that a re-shown page adds."""
    before = state()
    before["audit"] -= AuditEvent.objects.filter(action=QUEUE_READ).count()
    return before


# --- the groups at a glance ------------------------------------------------------------------


def test_the_desk_lists_the_organisations_groups_with_their_queue(
    staff_client, desk_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(DESK_PAGE_MAX_QUERIES):
        page = staff_client.get(reverse("clubs:desk")).content.decode()
    assert desk_world.organisation.short_name in page
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S).group(0)
    assert "Бальные танцы — Младшая" in row
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    # schedule, places, taken, free, deciding, invited, enrolled, waiting, deadline
    assert [cell.strip() for cell in cells[1:8]] == ["3", "3", "0", "1", "1", "1", "2"]
    assert "03.09.2026" in cells[8]
    assert "badge-error" in cells[8]
    # The other organisation's group is not here.
    assert desk_world.other_group.name not in page
    for _ in range(3):
        GroupSessionFactory(group=GroupFactory(programme=desk_world.group.programme))
    with django_assert_max_num_queries(DESK_PAGE_MAX_QUERIES):
        assert staff_client.get(reverse("clubs:desk")).status_code == 200


# --- a group's queue -------------------------------------------------------------------------


def test_the_group_page_shows_the_queue_by_status_in_order(
    staff_client, desk_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(GROUP_PAGE_MAX_QUERIES):
        response = staff_client.get(group_url(desk_world))
    assert response.status_code == 200
    page = response.content.decode()
    order = [
        page.index(f'id="application-{application.pk}"')
        for application in (
            desk_world.deciding,
            desk_world.overdue,
            desk_world.enrolled,
            desk_world.first_waiting,
            desk_world.second_waiting,
        )
    ]
    assert order == sorted(order)
    waiting = page[page.index('id="queue-waiting"') :]
    positions = re.findall(r'<tr id="application-\d+">\s*<td>(\d+)</td>', waiting)
    assert positions == ["1", "2"]
    overdue_row = page[page.index(f'id="application-{desk_world.overdue.pk}"') :]
    overdue_row = overdue_row[: overdue_row.index("</tr>")]
    assert "03.09.2026" in overdue_row
    assert "badge-error" in overdue_row
    # A waiting child can only be refused: the portal seats the queue itself.
    waiting_row = page[page.index(f'id="application-{desk_world.first_waiting.pk}"') :]
    waiting_row = waiting_row[: waiting_row.index("</tr>")]
    assert re.findall(r'name="status" value="(\w+)"', waiting_row) == ["rejected"]
    # Accessible tables and labelled inputs.
    assert "<caption" in page
    assert 'scope="col"' in page
    reason_id = f"reason-{desk_world.deciding.pk}"
    assert f'<label for="{reason_id}">' in page
    assert AuditEvent.objects.get(action=QUEUE_READ).data == {"applications": 5}


def test_staff_take_an_application_from_review_to_enrollment(staff_client, desk_world):
    application = desk_world.deciding
    for target in (Status.REVIEW, Status.TEST, Status.INVITED, Status.ENROLLED):
        response = move(staff_client, application, target)
        assert response.status_code == 302
        assert response["Location"] == f"{group_url(desk_world)}#application-{application.pk}"
        assert status_of(application) == target
    assert list(application.events.values_list("status", flat=True)) == [
        Status.SUBMITTED,
        Status.REVIEW,
        Status.TEST,
        Status.INVITED,
        Status.ENROLLED,
    ]
    assert AuditEvent.objects.filter(action="clubs.application_moved").count() >= 4
    followed = staff_client.get(group_url(desk_world)).content.decode()
    assert "Зачислен" in followed


def test_a_refusal_without_a_reason_is_shown_next_to_its_row_and_writes_nothing(
    staff_client, desk_world
):
    before = written_state()
    response = move(staff_client, desk_world.deciding, Status.REJECTED, reason="   ")
    assert response.status_code == 422
    page = response.content.decode()
    error_id = f"move-error-{desk_world.deciding.pk}"
    row = page[page.index(f'id="application-{desk_world.deciding.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'id="{error_id}"' in row
    assert "Укажите причину: её увидит семья." in row
    assert f'aria-describedby="{error_id}"' in row
    assert 'class="error-summary"' in page
    assert written_state() == before


def test_a_move_the_status_does_not_allow_is_a_409_next_to_the_row(staff_client, desk_world):
    before = written_state()
    response = move(staff_client, desk_world.overdue, Status.REVIEW, reason="ещё раз")
    assert response.status_code == 409
    row = response.content.decode()
    row = row[row.index(f'id="application-{desk_world.overdue.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'value="ещё раз"' in row
    assert "так поступить нельзя" in row
    # A row with no decision left still shows why the one tried was refused.
    enrolled = move(staff_client, desk_world.enrolled, Status.REJECTED, reason="ушёл")
    assert enrolled.status_code == 409
    assert f'id="move-error-{desk_world.enrolled.pk}"' in enrolled.content.decode()
    assert written_state() == before


def test_an_unknown_decision_is_refused_by_the_form(staff_client, desk_world):
    before = written_state()
    response = move(staff_client, desk_world.deciding, "deleted")
    assert response.status_code == 422
    assert "Такого решения по заявлению нет." in response.content.decode()
    assert written_state() == before


def test_a_refusal_with_its_reason_frees_the_place_for_the_first_waiting(staff_client, desk_world):
    response = move(staff_client, desk_world.deciding, Status.REJECTED, reason="Не прошёл просмотр")
    assert response.status_code == 302
    assert Application.objects.get(pk=desk_world.deciding.pk).reason == "Не прошёл просмотр"
    # The programme tests first: the seated child's place is held for review.
    assert status_of(desk_world.first_waiting) == Status.SUBMITTED
    assert status_of(desk_world.second_waiting) == Status.WAITLISTED


# --- places ----------------------------------------------------------------------------------


def test_more_places_seat_the_waiting_list_in_order(staff_client, desk_world):
    url = reverse("clubs:desk_capacity", args=[desk_world.group.pk])
    response = staff_client.post(url, {"capacity-capacity": "4"})
    assert response.status_code == 302
    assert response["Location"].endswith("#places")
    assert status_of(desk_world.first_waiting) == Status.SUBMITTED
    assert status_of(desk_world.second_waiting) == Status.WAITLISTED
    seated = desk_world.first_waiting.events.last()
    assert seated.cause == ApplicationEvent.Cause.PLACE_FREED
    staff_client.post(url, {"capacity-capacity": "6"})
    assert status_of(desk_world.second_waiting) == Status.SUBMITTED
    group = Group.objects.get(pk=desk_world.group.pk)
    assert (group.capacity, group.taken) == (6, 5)
    assert AuditEvent.objects.filter(action="clubs.group_capacity_set").count() == 2


@pytest.mark.parametrize(("typed", "status"), [("2", 422), ("0", 422), ("много", 422)])
def test_places_below_those_taken_or_not_a_number_are_refused(
    staff_client, desk_world, typed, status
):
    before = written_state()
    response = staff_client.post(
        reverse("clubs:desk_capacity", args=[desk_world.group.pk]), {"capacity-capacity": typed}
    )
    assert response.status_code == status
    page = response.content.decode()
    assert 'id="id_capacity-capacity_error"' in page
    assert f'value="{typed}"' in page
    assert written_state() == before


# --- the schedule and the group --------------------------------------------------------------


def session_form(weekday: int, starts: str, ends: str) -> dict:
    return {"session-weekday": str(weekday), "session-starts_at": starts, "session-ends_at": ends}


def test_staff_add_and_remove_a_session(staff_client, desk_world):
    add = reverse("clubs:desk_session_add", args=[desk_world.group.pk])
    response = staff_client.post(add, session_form(3, "18:00", "19:30"))
    assert response.status_code == 302
    added = GroupSession.objects.get(group=desk_world.group, weekday=3)
    page = staff_client.get(group_url(desk_world)).content.decode()
    assert "18:00–19:30" in page
    remove = reverse("clubs:desk_session_remove", args=[desk_world.group.pk, added.pk])
    assert staff_client.post(remove).status_code == 302
    assert not GroupSession.objects.filter(pk=added.pk).exists()
    # A second click finds it gone: said on the group's page, not a 404.
    again = staff_client.post(remove, follow=True)
    assert "Такого занятия в расписании группы нет." in again.content.decode()
    actions = AuditEvent.objects.filter(action__startswith="clubs.group_session")
    assert sorted(actions.values_list("action", flat=True)) == [
        "clubs.group_session_added",
        "clubs.group_session_removed",
    ]


def test_a_clashing_session_is_refused_next_to_the_field(staff_client, desk_world):
    before = written_state()
    response = staff_client.post(
        reverse("clubs:desk_session_add", args=[desk_world.group.pk]),
        session_form(0, "16:30", "17:30"),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="id_session-starts_at_error"' in page
    assert "16:00–17:00" in page
    assert written_state() == before


def test_staff_rename_the_group_and_close_its_enrollment(staff_client, desk_world):
    response = staff_client.post(
        reverse("clubs:desk_group_edit", args=[desk_world.group.pk]),
        {
            "group-name": "Младшая А",
            "group-teacher_name": "Кузнецова Ирина",
            "group-venue": str(desk_world.group.venue_id),
        },
    )
    assert response.status_code == 302
    group = Group.objects.get(pk=desk_world.group.pk)
    assert (group.name, group.teacher_name, group.active) == (
        "Младшая А",
        "Кузнецова Ирина",
        False,
    )


def test_a_venue_outside_the_programme_is_not_a_choice(staff_client, desk_world):
    elsewhere = Venue.objects.create(
        organisation=desk_world.organisation, name="Чужой зал", address="ул. Другая, 1"
    )
    before = written_state()
    response = staff_client.post(
        reverse("clubs:desk_group_edit", args=[desk_world.group.pk]),
        {"group-name": "Младшая", "group-venue": str(elsewhere.pk), "group-active": "on"},
    )
    assert response.status_code == 422
    assert 'id="id_group-venue_error"' in response.content.decode()
    assert written_state() == before


def test_staff_create_a_group(staff_client, desk_world):
    url = reverse("clubs:desk_group_new")
    form = staff_client.get(url).content.decode()
    assert "Бальные танцы" in form
    response = staff_client.post(
        url,
        {
            "programme": str(desk_world.group.programme_id),
            "venue": str(desk_world.group.venue_id),
            "name": "Старшая",
            "teacher_name": "",
            "capacity": "12",
        },
    )
    created = Group.objects.get(name="Старшая")
    assert response["Location"] == reverse("clubs:desk_group", args=[created.pk])
    assert created.capacity == 12
    taken = staff_client.post(
        url,
        {
            "programme": str(desk_world.group.programme_id),
            "venue": str(desk_world.group.venue_id),
            "name": "Старшая",
            "capacity": "12",
        },
    )
    assert taken.status_code == 409
    assert 'id="id_name_error"' in taken.content.decode()


# --- the register ----------------------------------------------------------------------------


def test_the_enrolled_children_download_as_csv_for_excel_and_the_look_is_logged(
    staff_client, desk_world
):
    representative = desk_world.enrolled.representative
    representative.user.phone = "+79161234567"
    representative.user.save()
    response = staff_client.get(reverse("clubs:desk_attendance", args=[desk_world.group.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Законный представитель",
        "Телефон представителя",
        "E-mail представителя",
    ]
    child = desk_world.enrolled.child
    assert rows[1:] == [
        [
            child.last_name,
            child.first_name,
            child.middle_name,
            f"{child.birth_date:%d.%m.%Y}",
            representative.full_name,
            # A leading "+" would make a spreadsheet read a formula.
            "'+79161234567",
            representative.user.email,
        ]
    ]
    logged = AuditEvent.objects.get(action="clubs.attendance_export")
    assert logged.actor == desk_world.staff
    assert logged.target_id == str(desk_world.group.pk)
    assert logged.data == {"children": 1}


def test_a_name_that_looks_like_a_formula_is_written_as_text(staff_client, desk_world):
    child = desk_world.enrolled.child
    child.last_name = '=HYPERLINK("http://evil")'
    child.save()
    body = staff_client.get(
        reverse("clubs:desk_attendance", args=[desk_world.group.pk])
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body


# --- in English ------------------------------------------------------------------------------

CYRILLIC = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё0-9.,:;«»()№ -]*")
MAIN = re.compile(r"<main\b.*?</main>", re.S)
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S)


def written_by_people() -> list[str]:
    """What stays as written in any language: names, organisations, places, programmes."""
    words: set[str] = set()
    for person in Person.objects.all():
        words |= {person.full_name, person.last_name, person.first_name, person.middle_name}
    for organisation in Organisation.objects.all():
        words |= {organisation.name, organisation.short_name}
    for venue in Venue.objects.all():
        words |= {venue.name, venue.address, venue.district, venue.okrug}
    words |= set(Programme.objects.values_list("title", flat=True))
    for group in Group.objects.select_related("programme"):
        words |= {group.name, group.teacher_name, f"{group.programme.title} — {group.name}"}
    return sorted((word for word in words if word), key=len, reverse=True)


def russian_left(page: str, extra=()) -> list[str]:
    """The Russian words left in the page's main part once people's own words (and `extra`,
    the longest first) are taken out."""
    main = MAIN.search(page)
    text = html.unescape(TAG.sub(" ", main.group(0) if main else page))
    text = re.sub(r"\s+", " ", text)
    for word in sorted({*written_by_people(), *extra}, key=len, reverse=True):
        text = text.replace(word, " ")
    return [found.group(0).strip() for found in CYRILLIC.finditer(text)]


def test_every_desk_page_speaks_english(staff_client, desk_world, settings):
    """Needs the desk's strings in the English catalogue (gorod/locale/en)."""
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = move(staff_client, desk_world.deciding, Status.REJECTED)
    pages = {
        "desk": staff_client.get(reverse("clubs:desk")),
        "group": staff_client.get(group_url(desk_world)),
        "new group": staff_client.get(reverse("clubs:desk_group_new")),
        "refused move": refused,
    }
    left = {}
    for name, response in pages.items():
        page = response.content.decode()
        assert '<html lang="en">' in page, name
        if words := russian_left(page):
            left[name] = words
    assert not left, left
    register = staff_client.get(reverse("clubs:desk_attendance", args=[desk_world.group.pk]))
    header = register.content.decode("utf-8-sig").splitlines()[0]
    assert not CYRILLIC.search(header), header


def test_the_queue_is_read_on_the_day_in_moscow(staff_client, desk_world, time_machine):
    """Late on 3 September (Moscow time) the invitation due that day is not overdue yet."""
    time_machine.move_to(NOW.replace(month=9, day=3, hour=23, minute=30), tick=False)
    page = staff_client.get(group_url(desk_world)).content.decode()
    row = page[page.index(f'id="application-{desk_world.overdue.pk}"') :]
    assert "badge-error" not in row[: row.index("</tr>")]


def test_staff_find_their_desk_from_the_cabinet_and_parents_do_not(client, desk_world):
    desk = f'href="{reverse("clubs:desk")}"'
    client.force_login(desk_world.staff)
    assert desk in client.get(reverse("web:cabinet")).content.decode()
    client.force_login(desk_world.parent)
    assert desk not in client.get(reverse("web:cabinet")).content.decode()
