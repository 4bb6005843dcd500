"""/api/v1/clubs: the public search, the family's applications and the organisation's desk;
every refusal problem+json with a stable code and nothing written; and schemathesis over
the clubs' operations as a parent and as the organisation's staff, each with a token."""

from datetime import date, time
from decimal import Decimal

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings

from gorod.accounts import services as accounts
from gorod.clubs import finder
from gorod.clubs.models import Application, Direction, Group, Programme
from gorod.clubs.tests.factories import (
    GroupFactory,
    GroupSessionFactory,
    ProgrammeFactory,
    VenueFactory,
)
from gorod.clubs.tests.test_authorization import (
    API,
    NOW,
    DeskWorld,
    build_desk_world,
    desk_world,
    parent_with_child,
    state,
)
from gorod.core.models import AuditEvent
from gorod.core.tests.schema_checks import assert_documented_answer

pytestmark = pytest.mark.django_db
__all__ = ["desk_world"]

Status = Application.Status
PROBLEM = "application/problem+json"


def send(client, method: str, url: str, body: dict | None = None):
    return getattr(client, method)(
        url, data=body or {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru"
    )


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == code


def written_state() -> dict:
    """state() without the logged looks at a queue."""
    before = state()
    before["audit"] -= AuditEvent.objects.filter(action="clubs.group_queue_read").count()
    return before


# --- the public search -----------------------------------------------------------------------


@pytest.fixture
def city(db):
    """Chess in Хамовники on Mondays, paid swimming on Арбат on Wednesdays (full), and a
    closed group."""
    finder.forget_vocabulary()
    chess = GroupFactory(
        name="Первая",
        capacity=10,
        programme=ProgrammeFactory(title="Шахматы", activity="Шахматы", age_min=7, age_max=12),
    )
    GroupSessionFactory(group=chess, weekday=0, starts_at=time(16), ends_at=time(17))
    arbat = VenueFactory(district="Арбат", lat=Decimal("55.752000"), lon=Decimal("37.592000"))
    swimming = GroupFactory(
        name="Дельфины",
        capacity=1,
        venue=arbat,
        programme=ProgrammeFactory(
            organisation=arbat.organisation,
            title="Плавание",
            direction=Direction.SPORTS,
            is_free=False,
            price_month=Decimal("3500.00"),
            age_min=5,
            age_max=9,
        ),
    )
    GroupSessionFactory(group=swimming, weekday=2, starts_at=time(18), ends_at=time(19))
    Group.objects.filter(pk=swimming.pk).update(taken=1)
    closed = GroupFactory(active=False, programme=ProgrammeFactory(title="Шахматы для взрослых"))
    return {"chess": chess, "swimming": swimming, "closed": closed}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_search_finds_groups_by_words_and_shows_what_a_parent_weighs(client, city):
    answer = client.get(f"{API}/groups", {"q": "шахматы"})
    assert ids(answer) == [city["chess"].pk]
    item = answer.json()["items"][0]
    assert item["programme"]["title"] == "Шахматы"
    assert item["programme"]["age_min"] == 7
    assert item["programme"]["is_free"] is True
    assert item["organisation"]["short_name"] == city["chess"].programme.organisation.short_name
    assert item["venue"]["district"] == "Хамовники"
    assert item["venue"]["lat"] == pytest.approx(55.7338)
    assert item["schedule"] == [
        {"weekday": 0, "weekday_label": "понедельник", "starts_at": "16:00", "ends_at": "17:00"}
    ]
    assert (item["capacity"], item["free_places"]) == (10, 10)
    assert item["distance_km"] is None
    assert item["url"] == f"/clubs/groups/{city['chess'].pk}/"


@pytest.mark.parametrize("sex", [Programme.Sex.BOYS, Programme.Sex.GIRLS])
def test_a_programme_for_boys_or_girls_only_is_answered_with_its_sex(client, city, sex):
    Programme.objects.filter(pk=city["chess"].programme_id).update(sex=sex)
    answer = client.get(f"{API}/groups", {"q": "шахматы"})
    assert answer.status_code == 200
    assert answer.json()["items"][0]["programme"]["sex"] == sex


def test_every_filter_narrows_the_search(client, city):
    chess, swimming = city["chess"].pk, city["swimming"].pk
    assert sorted(ids(client.get(f"{API}/groups"))) == sorted([chess, swimming])
    assert ids(client.get(f"{API}/groups", {"district": "Арбат"})) == [swimming]
    assert ids(client.get(f"{API}/groups", {"direction": "sports"})) == [swimming]
    assert ids(client.get(f"{API}/groups", {"free": "true"})) == [chess]
    assert ids(client.get(f"{API}/groups", {"age": 12})) == [chess]
    assert ids(client.get(f"{API}/groups", {"with_places": "true"})) == [chess]
    assert ids(client.get(f"{API}/groups", {"weekday": [2, 4]})) == [swimming]
    assert ids(client.get(f"{API}/groups", {"time_from": "17:30"})) == [swimming]
    assert ids(client.get(f"{API}/groups", {"time_to": "17:00"})) == [chess]
    near = client.get(f"{API}/groups", {"lat": 55.7338, "lon": 37.5874, "radius_km": 1})
    assert ids(near) == [chess]
    assert near.json()["items"][0]["distance_km"] == pytest.approx(0.0, abs=0.01)


def test_a_parent_searches_for_their_child_and_not_for_anothers(client, city):
    parent, child = parent_with_child(birth_date=date(2020, 6, 1))  # 6 on 1 September 2026
    client.force_login(parent)
    assert ids(client.get(f"{API}/groups", {"child": child.pk})) == [city["swimming"].pk]
    _other_parent, other_child = parent_with_child()
    refused(client.get(f"{API}/groups", {"child": other_child.pk}), 404, "child_not_found")
    client.logout()
    refused(client.get(f"{API}/groups", {"child": child.pk}), 404, "child_not_found")


def test_a_token_names_the_parent_for_the_child_filter(client, city):
    parent, child = parent_with_child(birth_date=date(2020, 6, 1))
    _token, plaintext = accounts.api_token_create(actor=parent, name="search")
    answer = client.get(
        f"{API}/groups", {"child": child.pk}, HTTP_AUTHORIZATION=f"Bearer {plaintext}"
    )
    assert ids(answer) == [city["swimming"].pk]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"lat": 55.7}, 422, "coordinates_incomplete"),
        ({"lat": 91, "lon": 37}, 422, "validation_error"),
        ({"weekday": 7}, 422, "weekday_invalid"),
        ({"time_from": "18:00", "time_to": "17:00"}, 422, "time_window_invalid"),
        ({"age": 7, "child": 1}, 404, "child_not_found"),
        ({"radius_km": 0}, 422, "validation_error"),
        ({"direction": "cooking"}, 422, "validation_error"),
        ({"page": 2}, 404, "page_out_of_range"),
        ({"q": "шахматы\x00"}, 422, "validation_error"),
        ({"time_from": "10:00+03:00"}, 422, "validation_error"),
    ],
)
def test_a_bad_search_is_a_problem_with_its_code(client, city, query, status, code):
    refused(client.get(f"{API}/groups", query), status, code)


def test_one_group_and_the_districts(client, city):
    detail = client.get(f"{API}/groups/{city['swimming'].pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["free_places"], body["waiting"]) == (0, 0)
    assert body["programme"]["price_month"] == "3500.00"
    refused(client.get(f"{API}/groups/{city['closed'].pk}"), 404, "group_not_found")
    refused(client.get(f"{API}/groups/{2**63 - 1}"), 404, "group_not_found")
    districts = client.get(f"{API}/districts").json()
    assert districts == [{"name": "Арбат", "groups": 1}, {"name": "Хамовники", "groups": 1}]


# --- the family ------------------------------------------------------------------------------


def test_a_parent_applies_and_hears_where_the_application_stands(client, city, catalog):
    parent, child = parent_with_child(birth_date=date(2017, 3, 1))
    client.force_login(parent)
    children = client.get(f"{API}/children").json()["children"]
    assert [(c["id"], c["birth_date"]) for c in children] == [(child.pk, "2017-03-01")]
    answer = send(
        client, "post", f"{API}/applications", {"child_id": child.pk, "group_id": city["chess"].pk}
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == Status.INVITED
    assert body["confirm_by"] is not None
    assert body["position"] is None
    assert [event["status"] for event in body["history"]] == [Status.INVITED]
    listed = client.get(f"{API}/applications").json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    accepted = send(client, "post", f"{API}/applications/{body['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["accepted_at"] is not None
    withdrawn = send(client, "post", f"{API}/applications/{body['id']}/withdraw")
    assert withdrawn.json()["status"] == Status.CANCELLED
    refused(
        send(client, "post", f"{API}/applications/{body['id']}/withdraw"), 409, "already_closed"
    )


def test_a_full_group_puts_the_child_on_the_waiting_list_with_its_position(client, city, catalog):
    parent, child = parent_with_child(birth_date=date(2019, 3, 1))
    client.force_login(parent)
    answer = send(
        client,
        "post",
        f"{API}/applications",
        {"child_id": child.pk, "group_id": city["swimming"].pk},
    )
    assert answer.status_code == 201
    assert (answer.json()["status"], answer.json()["position"]) == (Status.WAITLISTED, 1)


@pytest.mark.parametrize(
    ("birth_date", "verified", "status", "code"),
    [
        (date(2010, 1, 1), True, 422, "age_out_of_range"),
        (date(2017, 3, 1), False, 403, "guardianship_unverified"),
    ],
)
def test_a_refused_application_is_a_problem_and_writes_nothing(
    client, city, catalog, birth_date, verified, status, code
):
    parent, child = parent_with_child(birth_date=birth_date)
    if not verified:
        child.guardians.update(verified_at=None)
    client.force_login(parent)
    before = state()
    answer = send(
        client, "post", f"{API}/applications", {"child_id": child.pk, "group_id": city["chess"].pk}
    )
    refused(answer, status, code)
    assert state() == before


# --- the organisation's desk -----------------------------------------------------------------


@pytest.fixture
def staff_client(client, desk_world):
    client.force_login(desk_world.staff)
    return client


def test_the_desk_lists_its_groups_with_the_queue_counted(staff_client, desk_world):
    (item,) = staff_client.get(f"{API}/desk/groups").json()["items"]
    assert item["id"] == desk_world.group.pk
    assert (item["capacity"], item["taken"], item["free_places"]) == (3, 3, 0)
    assert (item["deciding"], item["invited"], item["enrolled"], item["waiting"]) == (1, 1, 1, 2)
    assert (item["confirm_soonest"], item["overdue"]) == ("2026-09-03", True)


def test_the_queue_comes_in_order_with_positions_and_deadlines(staff_client, desk_world):
    answer = staff_client.get(f"{API}/desk/groups/{desk_world.group.pk}/applications")
    assert answer.status_code == 200
    rows = answer.json()["applications"]
    assert [row["id"] for row in rows] == [
        desk_world.deciding.pk,
        desk_world.overdue.pk,
        desk_world.enrolled.pk,
        desk_world.first_waiting.pk,
        desk_world.second_waiting.pk,
    ]
    assert [row["position"] for row in rows] == [None, None, None, 1, 2]
    assert rows[1]["overdue"] is True
    assert rows[0]["moves"] == ["review", "invited", "rejected"]
    assert rows[3]["moves"] == ["rejected"]
    assert rows[0]["representative"]["email"]
    assert AuditEvent.objects.filter(action="clubs.group_queue_read").count() == 1


def test_staff_move_an_application_along_and_the_refusal_frees_a_place(staff_client, desk_world):
    url = f"{API}/desk/applications/{desk_world.deciding.pk}/move"
    answer = send(staff_client, "post", url, {"status": "review"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["moves"]) == (
        "review",
        ["test", "invited", "rejected"],
    )
    answer = send(staff_client, "post", url, {"status": "rejected", "reason": "Не прошёл просмотр"})
    assert answer.json()["reason"] == "Не прошёл просмотр"
    desk_world.first_waiting.refresh_from_db()
    assert desk_world.first_waiting.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("which", "body", "status", "code"),
    [
        ("deciding", {"status": "rejected"}, 422, "reason_required"),
        ("deciding", {"status": "rejected", "reason": "   "}, 422, "reason_required"),
        ("enrolled", {"status": "review"}, 409, "status_not_allowed"),
        ("first_waiting", {"status": "invited"}, 409, "status_not_allowed"),
        ("deciding", {"status": "cancelled", "reason": "Переехали"}, 409, "status_not_allowed"),
        ("deciding", {"status": "deleted"}, 422, "validation_error"),
        ("deciding", {"status": "rejected", "reason": "x\x00"}, 422, "validation_error"),
        ("deciding", {"status": "rejected", "reason": "я" * 501}, 422, "validation_error"),
    ],
)
def test_a_refused_move_is_a_problem_and_writes_nothing(
    staff_client, desk_world, which, body, status, code
):
    before = written_state()
    application = getattr(desk_world, which)
    answer = send(staff_client, "post", f"{API}/desk/applications/{application.pk}/move", body)
    refused(answer, status, code)
    assert written_state() == before


def test_more_places_seat_the_waiting_in_order(staff_client, desk_world):
    url = f"{API}/desk/groups/{desk_world.group.pk}/capacity"
    answer = send(staff_client, "put", url, {"capacity": 4})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["capacity"], body["taken"], body["waiting"], body["deciding"]) == (4, 4, 1, 2)
    desk_world.first_waiting.refresh_from_db()
    desk_world.second_waiting.refresh_from_db()
    assert desk_world.first_waiting.status == Status.SUBMITTED
    assert desk_world.second_waiting.status == Status.WAITLISTED


@pytest.mark.parametrize(
    ("capacity", "status", "code"),
    [
        (2, 422, "capacity_below_taken"),
        (0, 422, "validation_error"),
        (40000, 422, "validation_error"),
        ("много", 422, "validation_error"),
    ],
)
def test_a_refused_capacity_is_a_problem_and_writes_nothing(
    staff_client, desk_world, capacity, status, code
):
    before = written_state()
    answer = send(
        staff_client,
        "put",
        f"{API}/desk/groups/{desk_world.group.pk}/capacity",
        {"capacity": capacity},
    )
    refused(answer, status, code)
    assert written_state() == before


# --- the schema, signed in -------------------------------------------------------------------

# The project-wide schema test calls anonymously; these call with a parent's and with the
# organisation's staff member's token, on the world's own ids half of the time, so that the
# answers with data (queues, applications, refusals by rule) are checked against the schema.
clubs_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application()
).include(path_regex="^/api/v1/clubs/")

# Generated requests only: the schema's examples and edges are walked once for the whole
# API (gorod/tests/test_api_roles_schema.py), the same requests whoever sends them.
SCHEMA_SETTINGS = {
    "max_examples": 12,
    "phases": [Phase.generate],
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@pytest.fixture
def schema_world(wsgi_db, catalog, time_machine) -> DeskWorld:
    time_machine.move_to(NOW, tick=False)
    finder.forget_vocabulary()
    return build_desk_world()


def _on_the_worlds_objects(case, ours: dict[str, int]) -> None:
    """An even generated id becomes the world's own: a deterministic half of the examples."""
    for name, value in (case.path_parameters or {}).items():
        if name in ours and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = ours[name]


def _token(user) -> dict[str, str]:
    _row, plaintext = accounts.api_token_create(actor=user, name="schema")
    return {"Authorization": f"Bearer {plaintext}"}


@clubs_schema.parametrize()
@settings(**SCHEMA_SETTINGS)
def test_the_staff_members_answers_conform_to_the_schema(case, schema_world):
    ours = {"group_id": schema_world.group.pk, "application_id": schema_world.deciding.pk}
    _on_the_worlds_objects(case, ours)
    assert_documented_answer(case, _token(schema_world.staff))


@clubs_schema.parametrize()
@settings(**SCHEMA_SETTINGS)
def test_the_parents_answers_conform_to_the_schema(case, schema_world):
    ours = {"group_id": schema_world.group.pk, "application_id": schema_world.overdue.pk}
    _on_the_worlds_objects(case, ours)
    assert_documented_answer(case, _token(schema_world.parent))
