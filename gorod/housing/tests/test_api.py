import json
from datetime import date, datetime

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings

from conftest import load_catalog
from gorod.accounts import services as accounts
from gorod.accounts.tests.factories import UserFactory
from gorod.catalog import snapshot
from gorod.core.tests.schema_checks import assert_documented_answer
from gorod.housing import services
from gorod.housing.models import (
    CorrectionRequest,
    Meter,
    PremisesLink,
    Reading,
    ReadingReferral,
    Submission,
)
from gorod.housing.tests.conftest import BETWEEN_WINDOWS, IN_WINDOW, MOSCOW
from gorod.housing.tests.factories import MeterFactory, PremisesFactory, PremisesLinkFactory

PROBLEM = "application/problem+json"
BASE = "/api/v1/housing"
OCTOBER_WINDOW = datetime(2026, 10, 20, 12, 0, tzinfo=MOSCOW)


@pytest.fixture
def at(client, household, time_machine):
    """Move the clock, then sign in: a session made before a long jump would expire."""

    def travel(moment: datetime):
        time_machine.move_to(moment)
        client.force_login(household.user)
        return client

    return travel


@pytest.fixture
def api(at):
    return at(IN_WINDOW)


def post(client, path, body, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        f"{BASE}{path}", json.dumps(body), content_type="application/json", **headers
    )


def submit(client, household, values: dict, key="key-1", **extra):
    readings = [{"meter_id": meter_id, "value": value} for meter_id, value in values.items()]
    return post(
        client,
        f"/premises/{household.premises.pk}/readings",
        {"readings": readings, **extra},
        key=key,
    )


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code, body
    return body


def submit_earlier(household, cold: str, hot: str, now=OCTOBER_WINDOW):
    return services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: cold, household.hot.pk: hot},
        idempotency_key=f"earlier-{now:%Y%m%d}",
        channel="web",
        now=now,
    )


# --- GET /premises --------------------------------------------------------------------


def test_my_premises_shows_the_window_meters_and_readings(api, household):
    submit_earlier(household, cold="12,345", hot="11")
    assert submit(api, household, {household.cold.pk: "14,5"}).status_code == 201

    response = api.get(f"{BASE}/premises")

    assert response.status_code == 200
    body = response.json()
    assert body["window"] == {
        "open": True,
        "period": "2026-11",
        "opens_on": "2026-11-15",
        "closes_on": "2026-12-03",
    }
    [premises] = body["premises"]
    assert premises["id"] == household.premises.pk
    assert premises["payer_code"] == household.premises.payer_code
    assert (premises["residents"], premises["role"]) == (2, "owner")
    meters = {meter["id"]: meter for meter in premises["meters"]}
    cold, hot = meters[household.cold.pk], meters[household.hot.pk]
    assert cold["kind"] == "cold"
    assert cold["unit"] == "m3"
    assert cold["verification"] == "ok"
    assert cold["accepts_readings"] is True
    assert cold["next_verification_on"] == "2030-01-10"
    assert (cold["integer_digits"], cold["fraction_digits"]) == (5, 3)
    assert cold["previous_value"] == "12.345"
    assert cold["current_reading"]["value"] == "14.500"
    assert cold["current_reading"]["period"] == "2026-11"
    assert cold["last_reading"] == cold["current_reading"]
    assert hot["previous_value"] == "11.000"
    assert hot["current_reading"] is None
    assert hot["last_reading"]["period"] == "2026-10"
    assert hot["last_reading"]["value"] == "11.000"


def test_the_window_between_windows(at, household):
    client = at(BETWEEN_WINDOWS)
    window = client.get(f"{BASE}/premises").json()["window"]
    assert window == {
        "open": False,
        "period": "2026-12",
        "opens_on": "2026-12-15",
        "closes_on": "2027-01-03",
    }


def test_my_premises_queries_do_not_grow_with_meters(api, household, django_assert_max_num_queries):
    submit_earlier(household, cold="12", hot="11")
    with CaptureQueriesContext(connection) as few:
        assert api.get(f"{BASE}/premises").status_code == 200
    for _number in range(8):
        meter = MeterFactory(premises=household.premises, kind=Meter.Kind.HEAT)
        Reading.objects.create(
            meter=meter,
            period=date(2026, 10, 1),
            value="20.000",
            previous_value="10.000",
            submitted_at=OCTOBER_WINDOW,
            channel="web",
        )
    other = PremisesLinkFactory(person=household.user.person).premises
    MeterFactory.create_batch(5, premises=other)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(f"{BASE}/premises")

    assert sum(len(premises["meters"]) for premises in response.json()["premises"]) == 15


def test_a_person_without_premises_sees_an_empty_list(client, db, time_machine):
    time_machine.move_to(IN_WINDOW)
    client.force_login(UserFactory())
    assert client.get(f"{BASE}/premises").json()["premises"] == []


def test_a_personal_token_works(client, household, time_machine):
    time_machine.move_to(IN_WINDOW)
    _token, plaintext = accounts.api_token_create(actor=household.user, name="app")
    response = client.get(f"{BASE}/premises", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert [p["id"] for p in response.json()["premises"]] == [household.premises.pk]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/premises"),
        ("post", "/premises/link"),
        ("delete", "/premises/1"),
        ("post", "/premises/1/readings"),
        ("get", "/meters/1"),
        ("get", "/meters/1/readings?period=2026-11"),
        ("post", "/readings/1/correction-requests"),
        ("get", "/correction-requests"),
    ],
)
def test_anonymous_callers_get_401(client, db, method, path):
    response = getattr(client, method)(f"{BASE}{path}", content_type="application/json")
    assert_problem(response, 401, "not_authenticated")


def test_a_session_write_without_the_csrf_token_is_refused(household, time_machine):
    time_machine.move_to(IN_WINDOW)
    client = Client(enforce_csrf_checks=True)
    client.force_login(household.user)
    response = submit(client, household, {household.cold.pk: "12"})
    assert_problem(response, 403, "http_error")
    assert not Reading.objects.exists()


def test_a_write_with_a_personal_token(household, time_machine):
    time_machine.move_to(IN_WINDOW)
    _token, plaintext = accounts.api_token_create(actor=household.user, name="app")
    # A program has no CSRF cookie: the test client's CSRF exemption would hide that.
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert submit(client, household, {household.cold.pk: "12"}).status_code == 201


# --- Linking and unlinking ------------------------------------------------------------


def test_linking_waits_for_the_owners_confirmation(api, household, client):
    """The payer code and apartment open a request; the flat stays unseen until an owner
    linked to it confirms, over the API as on the web."""
    premises = PremisesFactory(apartment="12А")
    meter = MeterFactory(premises=premises)
    owner = PremisesLinkFactory(premises=premises).person.user

    response = post(
        api,
        "/premises/link",
        {"payer_code": premises.payer_code, "apartment": "12а", "role": "tenant"},
    )

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["role"]) == ("pending", "tenant")
    assert "12А" in body["premises"]
    assert [item["id"] for item in api.get(f"{BASE}/link-requests").json()["mine"]] == [body["id"]]
    assert [view["id"] for view in api.get(f"{BASE}/premises").json()["premises"]] == [
        household.premises.pk
    ]
    assert_problem(api.get(f"{BASE}/meters/{meter.pk}"), 404, "meter_not_found")
    # The requester cannot confirm it.
    assert_problem(
        post(api, f"/link-requests/{body['id']}/decision", {"confirm": True}),
        404,
        "link_request_not_found",
    )

    client.force_login(owner)
    waiting = client.get(f"{BASE}/link-requests").json()["to_confirm"]
    assert [item["id"] for item in waiting] == [body["id"]]
    decided = post(client, f"/link-requests/{body['id']}/decision", {"confirm": True})
    assert (decided.status_code, decided.json()["status"]) == (200, "confirmed")
    again = post(client, f"/link-requests/{body['id']}/decision", {"confirm": False})
    assert_problem(again, 409, "link_request_already_decided")

    client.force_login(household.user)
    mine = client.get(f"{BASE}/premises").json()["premises"]
    assert {view["id"] for view in mine} == {household.premises.pk, premises.pk}
    assert PremisesLink.objects.filter(person__user=household.user).count() == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"payer_code": "7799999999", "apartment": "1", "role": "owner"},
            404,
            "premises_not_found",
        ),
        ({"payer_code": "12", "apartment": "1", "role": "owner"}, 422, "payer_code_invalid"),
        (
            {"payer_code": "١٢٣٤٥٦٧٨٩٠", "apartment": "1", "role": "owner"},
            422,
            "payer_code_invalid",
        ),
        ({"payer_code": "OK", "apartment": "", "role": "owner"}, 422, "apartment_required"),
        ({"payer_code": "OK", "apartment": "1", "role": "king"}, 422, "role_invalid"),
        ({"payer_code": 7700000000, "apartment": "1", "role": "owner"}, 422, "validation_error"),
        ({"payer_code": "OK", "apartment": "1"}, 422, "validation_error"),
    ],
)
def test_link_refusals(api, household, body, status, code):
    if body["payer_code"] == "OK":
        body["payer_code"] = PremisesFactory().payer_code
    response = post(api, "/premises/link", body)
    problem = assert_problem(response, status, code)
    if code != "validation_error":
        assert problem["field"]
    assert PremisesLink.objects.filter(person__user=household.user).count() == 1


def test_unlink_a_premises(api, household):
    response = api.delete(f"{BASE}/premises/{household.premises.pk}")
    assert response.status_code == 204
    assert api.get(f"{BASE}/premises").json()["premises"] == []
    assert_problem(
        api.delete(f"{BASE}/premises/{household.premises.pk}"), 404, "premises_not_found"
    )


def test_another_persons_premises_is_not_found(api, household):
    stranger = PremisesLinkFactory()
    meter = MeterFactory(premises=stranger.premises)
    assert_problem(api.delete(f"{BASE}/premises/{stranger.premises.pk}"), 404, "premises_not_found")
    response = post(
        api,
        f"/premises/{stranger.premises.pk}/readings",
        {"readings": [{"meter_id": meter.pk, "value": "20"}]},
        key="k",
    )
    assert_problem(response, 404, "premises_not_found")
    assert PremisesLink.objects.filter(pk=stranger.pk).exists()
    assert not Reading.objects.exists()


# --- Submitting readings --------------------------------------------------------------


def test_submit_readings_of_two_meters(api, household):
    response = submit(api, household, {household.cold.pk: "12,5", household.hot.pk: "11.25"})

    assert response.status_code == 201
    body = response.json()
    assert (body["period"], body["replayed"]) == ("2026-11", False)
    readings = {reading["meter_id"]: reading for reading in body["readings"]}
    assert readings[household.cold.pk] == {
        "id": readings[household.cold.pk]["id"],
        "meter_id": household.cold.pk,
        "period": "2026-11",
        "value": "12.500",
        "previous_value": "10.000",
        "consumption": "2.500",
        "warnings": [],
        "status": "accepted",
    }
    assert readings[household.hot.pk]["value"] == "11.250"
    submission = Submission.objects.get(pk=body["submission_id"])
    assert submission.channel == "api"
    assert set(Reading.objects.values_list("channel", flat=True)) == {"api"}


def use_write() -> int:
    """The statements of a use written at once, as the tests write it (production buffers
    it): one INSERT on SQLite; on PostgreSQL a staging table, COPY, INSERT … ON CONFLICT."""
    return 3 if connection.vendor == "postgresql" else 1


def test_a_submission_with_a_token_is_a_budget_of_statements(
    household, time_machine, django_assert_num_queries
):
    time_machine.move_to(IN_WINDOW)
    _token, plaintext = accounts.api_token_create(actor=household.user, name="app")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    client.get(f"{BASE}/premises")  # the token's "last used" is written once
    snapshot.current()  # the catalog as the process holds it: the use names its service
    values = {household.cold.pk: "12", household.hot.pk: "11"}
    # The token with its user and person; in the transaction (a savepoint within the
    # test's): the key claimed by one INSERT … ON CONFLICT, the premises' meters locked,
    # their recent readings, the readings in one INSERT, the audit row and the use
    # (buffered in production, written here).
    with django_assert_num_queries(8 + use_write()):
        response = submit(client, household, values, key="budget")
    assert response.status_code == 201, response.content
    # A retry: the key's claim finds the first submission, which answers with its readings.
    with django_assert_num_queries(6):
        again = submit(client, household, values, key="budget")
    assert again.json()["replayed"] is True


def test_the_mobile_app_is_its_own_channel(api, household):
    response = post(
        api,
        f"/premises/{household.premises.pk}/readings",
        {"readings": [{"meter_id": household.cold.pk, "value": "12"}]},
        key="m-1",
        HTTP_X_GOROD_CLIENT="mobile",
    )
    assert response.status_code == 201
    assert Reading.objects.get().channel == "mobile"


def test_a_replay_returns_the_same_readings_and_writes_nothing(api, household):
    values = {household.cold.pk: "12,5", household.hot.pk: "11"}
    first = submit(api, household, values, key="retry-me")
    rows = Reading.objects.count()

    again = submit(
        api, household, {household.hot.pk: "11.000", household.cold.pk: "12.5"}, "retry-me"
    )

    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["submission_id"] == first.json()["submission_id"]
    assert again.json()["readings"] == first.json()["readings"]
    assert Reading.objects.count() == rows == 2
    assert Submission.objects.count() == 1


def test_the_same_key_with_other_readings_is_a_conflict(api, household):
    assert submit(api, household, {household.cold.pk: "12"}, key="once").status_code == 201
    response = submit(api, household, {household.cold.pk: "13"}, key="once")
    problem = assert_problem(response, 409, "idempotency_key_reused")
    assert problem["field"] == "Idempotency-Key"
    assert Reading.objects.get().value == 12


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "idempotency_key_required"),
        ("  ", "idempotency_key_required"),
        ("ключ", "idempotency_key_invalid"),
        ("k" * 65, "idempotency_key_invalid"),
    ],
)
def test_the_idempotency_key_is_required_and_checked(api, household, key, code):
    response = submit(api, household, {household.cold.pk: "12"}, key=key)
    assert_problem(response, 400, code)
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("١٢٣", "value_not_ascii_digits"),
        ("1e5", "value_not_a_number"),
        ("NaN", "value_not_a_number"),
        ("Infinity", "value_not_a_number"),
        ("1" * 40, "value_too_many_digits"),
        ("12,3456", "value_too_many_decimals"),
        ("-15", "value_negative"),
        ("", "value_required"),
        ("12,3,4", "value_not_a_number"),
        ("5", "reading_below_previous"),
    ],
)
def test_bad_values_are_refused_with_the_meter_named(api, household, text, code):
    response = submit(api, household, {household.cold.pk: text})

    problem = assert_problem(response, 422, code)
    assert problem["field"] == f"readings.{household.cold.pk}"
    [error] = problem["errors"]
    assert (error["meter_id"], error["code"]) == (household.cold.pk, code)
    assert error["meter"]
    assert error["message"]
    assert not Reading.objects.exists()
    assert not Submission.objects.exists()


@pytest.mark.parametrize("value", [12.345, 12, None, True, ["12"], {"value": "12"}], ids=repr)
def test_a_value_that_is_not_a_string_is_refused(api, household, value):
    response = submit(api, household, {household.cold.pk: value})
    problem = assert_problem(response, 422, "validation_error")
    assert [e["location"] for e in problem["errors"]] == ["body.payload.readings.0.value"]
    assert not Reading.objects.exists()


@pytest.mark.parametrize("meter_id", ["1", 0, -1, 2**63, 10**40, True, 1.5, None], ids=repr)
def test_a_meter_id_that_is_not_a_positive_bigint_is_refused(api, household, meter_id):
    response = submit(api, household, {meter_id: "12"})
    problem = assert_problem(response, 422, "validation_error")
    locations = [e["location"] for e in problem["errors"]]
    assert locations
    assert set(locations) == {"body.payload.readings.0.meter_id"}
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"readings": "12"},
        {"readings": [{"value": "12"}]},
        {"readings": [1]},
        {"readings": [], "confirm_warnings": "yes"},
    ],
    ids=repr,
)
def test_malformed_bodies_are_refused(api, household, body):
    response = post(api, f"/premises/{household.premises.pk}/readings", body, key="k")
    assert_problem(response, 422, "validation_error")


def test_another_persons_meter_in_a_submission(api, household):
    strangers = MeterFactory(premises=PremisesLinkFactory().premises)

    response = submit(api, household, {household.cold.pk: "12", strangers.pk: "20"})

    problem = assert_problem(response, 422, "meter_not_found")
    assert problem["field"] == f"readings.{strangers.pk}"
    assert [(e["meter_id"], e["meter"]) for e in problem["errors"]] == [(strangers.pk, None)]
    assert not Reading.objects.exists()


def test_a_bulk_submission_with_bad_meters_saves_nothing_and_lists_them(api, household):
    heat = MeterFactory(premises=household.premises, kind=Meter.Kind.HEAT)

    response = submit(
        api, household, {household.cold.pk: "12", household.hot.pk: "abc", heat.pk: "9"}
    )

    problem = assert_problem(response, 422, "value_not_a_number")
    errors = {error["meter_id"]: error["code"] for error in problem["errors"]}
    assert errors == {household.hot.pk: "value_not_a_number", heat.pk: "reading_below_previous"}
    assert not Reading.objects.exists()
    assert not Submission.objects.exists()
    # Nothing was kept of the refused attempt: the same key goes through once it is fixed.
    fixed = {household.cold.pk: "12", household.hot.pk: "11", heat.pk: "19"}
    assert submit(api, household, fixed).status_code == 201
    assert Reading.objects.count() == 3


def test_a_meter_twice_in_one_body(api, household):
    body = {
        "readings": [
            {"meter_id": household.cold.pk, "value": "12"},
            {"meter_id": household.hot.pk, "value": "11"},
            {"meter_id": household.cold.pk, "value": "13"},
        ]
    }
    response = post(api, f"/premises/{household.premises.pk}/readings", body, key="k")
    problem = assert_problem(response, 422, "duplicate_meter")
    assert problem["field"] == f"readings.{household.cold.pk}"
    assert not Reading.objects.exists()


def test_too_many_or_no_readings(api, household):
    many = {meter_id: "1" for meter_id in range(1, services.MAX_METERS_PER_SUBMISSION + 2)}
    assert_problem(submit(api, household, many), 422, "too_many_readings")
    assert_problem(submit(api, household, {}), 422, "readings_required")
    assert not Reading.objects.exists()


def test_high_consumption_needs_confirmation(api, household):
    values = {household.cold.pk: "2500", household.hot.pk: "11"}

    problem = assert_problem(
        submit(api, household, values, key="big"), 422, "consumption_needs_confirmation"
    )
    assert problem["field"] == f"readings.{household.cold.pk}"
    assert [(w["meter_id"], w["code"]) for w in problem["warnings"]] == [
        (household.cold.pk, "high_consumption")
    ]
    assert problem["warnings"][0]["message"]
    assert not Reading.objects.exists()

    response = submit(api, household, values, key="big", confirm_warnings=True)

    assert response.status_code == 201
    readings = {reading["meter_id"]: reading for reading in response.json()["readings"]}
    assert readings[household.cold.pk]["warnings"] == ["high_consumption"]
    assert readings[household.hot.pk]["warnings"] == []
    assert Reading.objects.get(meter=household.cold).warnings_confirmed


def test_an_impossible_reading_is_refused_whatever_is_confirmed(api, household):
    submit_earlier(household, cold="20.6", hot="10")
    values = {household.cold.pk: "99999", household.hot.pk: "11"}
    problem = assert_problem(
        submit(api, household, values, key="huge", confirm_warnings=True),
        422,
        "consumption_impossible",
    )
    assert [(e["meter_id"], e["code"]) for e in problem["errors"]] == [
        (household.cold.pk, "consumption_impossible")
    ]
    assert not Reading.objects.filter(period=date(2026, 11, 1)).exists()
    assert ReadingReferral.objects.get().value == 99999


def test_the_window_is_closed_between_windows(at, household):
    client = at(BETWEEN_WINDOWS)
    problem = assert_problem(
        submit(client, household, {household.cold.pk: "12"}), 422, "window_closed"
    )
    assert "15" in problem["detail"]
    assert not Reading.objects.exists()


def test_a_correction_in_the_window_is_a_new_version(api, household):
    first = submit(api, household, {household.cold.pk: "12"}, key="a").json()
    second = submit(api, household, {household.cold.pk: "12,7"}, key="b").json()

    response = api.get(f"{BASE}/meters/{household.cold.pk}/readings", {"period": "2026-11"})

    assert response.status_code == 200
    versions = response.json()
    assert [(v["id"], v["status"], v["value"]) for v in versions] == [
        (second["readings"][0]["id"], "accepted", "12.700"),
        (first["readings"][0]["id"], "superseded", "12.000"),
    ]
    assert versions[1]["superseded_at"] is not None
    assert versions[0]["source"] == "citizen"
    assert versions[0]["channel"] == "api"
    assert api.get(f"{BASE}/meters/{household.cold.pk}/readings?period=2026-10").json() == []


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "0000-01", "november", ""])
def test_a_bad_period_is_refused(api, household, period):
    response = api.get(f"{BASE}/meters/{household.cold.pk}/readings", {"period": period})
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["location"] == "query.period"


# --- Meters ---------------------------------------------------------------------------


def test_a_meter_with_its_history(api, household):
    submit_earlier(household, cold="12", hot="11")
    submit(api, household, {household.cold.pk: "15,5"})

    response = api.get(f"{BASE}/meters/{household.cold.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["premises_id"]) == (household.cold.pk, household.premises.pk)
    assert (body["serial"], body["location"]) == (household.cold.serial, "ванная")
    assert body["commissioned_on"] == "2024-01-15"
    assert body["verification"] == "ok"
    history = body["history"]
    assert len(history) == 12
    assert history[0] == {"period": "2026-11", "value": "15.500", "consumption": "3.500"}
    assert history[1] == {"period": "2026-10", "value": "12.000", "consumption": "2.000"}
    assert history[2] == {"period": "2026-09", "value": None, "consumption": None}
    assert history[-1]["period"] == "2025-12"


def test_verification_due_soon_is_flagged(api, household):
    Meter.objects.filter(pk=household.hot.pk).update(next_verification_on=date(2026, 12, 1))
    assert api.get(f"{BASE}/meters/{household.hot.pk}").json()["verification"] == "due"


@pytest.mark.parametrize("path", ["/meters/{id}", "/meters/{id}/readings?period=2026-11"])
def test_another_persons_meter_is_not_found(api, household, path):
    meter = MeterFactory(premises=PremisesLinkFactory().premises)
    response = api.get(BASE + path.format(id=meter.pk))
    assert_problem(response, 404, "meter_not_found")


@pytest.mark.parametrize("meter_id", ["0", "-1", str(2**63), "9" * 40, "abc"])
def test_impossible_ids_in_the_path_are_refused(api, household, meter_id):
    problem = assert_problem(api.get(f"{BASE}/meters/{meter_id}"), 422, "validation_error")
    assert [e["location"] for e in problem["errors"]] == ["path.meter_id"]


# --- Correction requests --------------------------------------------------------------


@pytest.fixture
def closed_reading(at, household):
    """A November reading, after November's window has closed."""
    submit_earlier(household, cold="12", hot="11", now=IN_WINDOW)
    at(BETWEEN_WINDOWS)
    return Reading.objects.get(meter=household.cold)


def test_request_a_correction_after_the_window(client, household, closed_reading):
    response = post(
        client,
        f"/readings/{closed_reading.pk}/correction-requests",
        {"value": "12,9", "reason": "Перепутал цифры"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["reading_id"] == closed_reading.pk
    assert (body["period"], body["value"], body["requested_value"]) == (
        "2026-11",
        "12.000",
        "12.900",
    )
    assert (body["status"], body["settled_period"], body["decided_at"]) == ("open", None, None)

    listed = client.get(f"{BASE}/correction-requests").json()
    assert (listed["count"], listed["pages"]) == (1, 1)
    assert listed["items"] == [body]
    again = post(
        client,
        f"/readings/{closed_reading.pk}/correction-requests",
        {"value": "13", "reason": "Ещё раз"},
    )
    assert_problem(again, 409, "correction_already_requested")
    assert CorrectionRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"value": "١٢", "reason": "x"}, "value_not_ascii_digits", "value"),
        ({"value": "12", "reason": " "}, "reason_required", "reason"),
        ({"value": "12", "reason": "x"}, "correction_same_value", "value"),
        ({"value": 12.9, "reason": "x"}, "validation_error", None),
        ({"value": "12,9"}, "validation_error", None),
    ],
)
def test_correction_refusals(client, household, closed_reading, body, code, field):
    response = post(client, f"/readings/{closed_reading.pk}/correction-requests", body)
    problem = assert_problem(response, 422, code)
    assert problem.get("field") == field
    assert not CorrectionRequest.objects.exists()


def test_no_correction_request_while_the_window_is_open(api, household):
    reading_id = submit(api, household, {household.cold.pk: "12"}).json()["readings"][0]["id"]
    response = post(
        api, f"/readings/{reading_id}/correction-requests", {"value": "13", "reason": "x"}
    )
    assert_problem(response, 422, "correction_window_open")


def test_another_persons_reading_is_not_found(api, household):
    stranger = PremisesLinkFactory()
    meter = MeterFactory(premises=stranger.premises)
    reading = services.readings_submit(
        actor=stranger.person.user,
        premises_id=stranger.premises.pk,
        values={meter.pk: "12"},
        idempotency_key="theirs",
        channel="web",
        now=OCTOBER_WINDOW,
    ).readings[0]
    response = post(
        api, f"/readings/{reading.pk}/correction-requests", {"value": "13", "reason": "x"}
    )
    assert_problem(response, 404, "reading_not_found")
    assert api.get(f"{BASE}/correction-requests").json()["items"] == []


def test_a_page_past_the_last_is_not_found(api, household):
    assert_problem(api.get(f"{BASE}/correction-requests?page=2"), 404, "page_out_of_range")


# --- Language -------------------------------------------------------------------------


def test_codes_do_not_depend_on_the_language(api, household):
    russian = submit(api, household, {household.cold.pk: "abc"}).json()
    english = post(
        api,
        f"/premises/{household.premises.pk}/readings",
        {"readings": [{"meter_id": household.cold.pk, "value": "abc"}]},
        key="key-1",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert english["code"] == russian["code"] == "value_not_a_number"
    assert english["field"] == russian["field"]
    assert [e["code"] for e in english["errors"]] == [e["code"] for e in russian["errors"]]
    assert english["detail"]


# --- The schema, signed in ------------------------------------------------------------

# The project-wide schema test calls anonymously; this one signs in with a personal token,
# so that the answers a citizen gets (not only 401) are checked against the schema.
housing_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application()
).include(path_regex="^/api/v1/housing/")


@pytest.fixture
def token_header(wsgi_db, household, time_machine):
    load_catalog()
    time_machine.move_to(IN_WINDOW)
    _token, plaintext = accounts.api_token_create(actor=household.user, name="schema")
    return {"Authorization": f"Bearer {plaintext}"}


@housing_schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_signed_in_answers_conform_to_the_schema(case, token_header):
    response = assert_documented_answer(case, token_header)
    assert response.status_code != 403, response.text


def test_a_submission_hands_out_the_receipt_to_rate_the_service(api, household):
    first = submit(api, household, {household.cold.pk: "12"}, key="rate-me").json()
    assert (
        submit(api, household, {household.cold.pk: "12"}, key="rate-me").json()["rating_token"]
        is None
    )
    rated = api.post(
        "/api/v1/feedback/ratings",
        json.dumps({"token": first["rating_token"], "stars": 5, "comment": "Быстро"}),
        content_type="application/json",
    )
    assert rated.status_code == 201, rated.content
    assert rated.json()["service"] == "meter-readings"
