import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.core.errors import DomainError
from gorod.core.models import AuditEvent
from gorod.housing import backoffice, corrections, linking, services
from gorod.housing.models import CorrectionRequest, Meter, Reading, ReadingReferral
from gorod.housing.tests.conftest import BETWEEN_WINDOWS, IN_WINDOW, MOSCOW, Household
from gorod.housing.tests.factories import MeterFactory, PremisesLinkFactory

pytestmark = pytest.mark.django_db

AUGUST_WINDOW = datetime(2026, 8, 20, 12, 0, tzinfo=MOSCOW)
SEPTEMBER_WINDOW = datetime(2026, 9, 20, 12, 0, tzinfo=MOSCOW)
OCTOBER_WINDOW = datetime(2026, 10, 20, 12, 0, tzinfo=MOSCOW)
HOME = "/housing/operator/"
keys = iter(range(10**6))


def submit(household, values, *, now=IN_WINDOW, confirm=False):
    return services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values=values,
        idempotency_key=f"bo-{next(keys)}",
        channel="web",
        confirm_warnings=confirm,
        now=now,
    )


@pytest.fixture
def operator(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    return user


@pytest.fixture
def viewer(db):
    """Staff who may look at readings but not act on them."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="housing", codename="view_reading")
    )
    return user


@pytest.fixture
def at(time_machine):
    def travel(moment):
        time_machine.move_to(moment)

    travel(IN_WINDOW)
    return travel


def text(response) -> str:
    return response.content.decode()


def another_household() -> Household:
    link = PremisesLinkFactory()
    return Household(
        user=link.person.user,
        premises=link.premises,
        cold=MeterFactory(premises=link.premises, kind=Meter.Kind.COLD_WATER),
        hot=MeterFactory(premises=link.premises, kind=Meter.Kind.HOT_WATER),
    )


def flagged_reading(household) -> Reading:
    """November's cold reading, far above the norm for two after October's, confirmed."""
    submit(household, {household.cold.pk: "11"}, now=OCTOBER_WINDOW)
    reading = submit(household, {household.cold.pk: "99"}, confirm=True).readings[0]
    assert reading.needs_review
    return reading


def open_correction(household) -> CorrectionRequest:
    reading = submit(household, {household.hot.pk: "12"}, now=OCTOBER_WINDOW).readings[0]
    return corrections.correction_request_create(
        actor=household.user,
        reading_id=reading.pk,
        value="12,5",
        reason="перепутал цифры",
        now=IN_WINDOW,
    )


# --- Who may --------------------------------------------------------------------------

PAGES = [
    HOME,
    "/housing/operator/premises/",
    "/housing/operator/verification/",
    "/housing/operator/export/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_do_not_exist_for_citizens_and_ask_strangers_to_sign_in(client, url, at):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_operators_and_viewers_see_the_pages(client, operator, viewer, url, at):
    for user in (operator, viewer):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_actions_are_refused_to_those_who_may_only_look(client, household, viewer, at):
    reading = flagged_reading(household)
    correction = open_correction(household)
    posts = [
        (f"/housing/operator/readings/{reading.pk}/review/", {"decision": "keep"}),
        (
            f"/housing/operator/corrections/{correction.pk}/decide/",
            {"decision": "accept", "reason": "да"},
        ),
        (f"/housing/operator/meters/{household.cold.pk}/replace/", {"serial": "X"}),
    ]
    citizen = household.user
    for url, data in posts:
        client.logout()
        assert client.post(url, data).status_code == 302  # to the login page
        client.force_login(citizen)
        assert client.post(url, data).status_code == 404
        client.force_login(viewer)
        assert client.post(url, data).status_code == 403
    assert client.get(f"/housing/operator/meters/{household.cold.pk}/replace/").status_code == 403
    reading.refresh_from_db()
    correction.refresh_from_db()
    assert reading.reviewed_at is None
    assert correction.status == CorrectionRequest.Status.OPEN
    assert not Meter.objects.filter(serial="X").exists()


def test_a_viewer_sees_no_action_forms(client, household, viewer, at):
    flagged_reading(household)
    client.force_login(viewer)
    body = text(client.get(HOME))
    assert "Житель подтвердил" in body
    assert 'name="decision"' not in body


# --- Home: figures, flagged readings, correction requests -----------------------------


def test_home_shows_the_periods_figures_and_what_waits(
    client, household, operator, at, django_assert_max_num_queries
):
    reading = flagged_reading(household)
    correction = open_correction(household)
    other = another_household()
    flagged_reading(other)
    open_correction(other)
    client.force_login(operator)
    # Session, user, permissions (2), figures (4), two lists of two (count and page), the
    # impossible readings and the link requests (one each): the same however many wait.
    with django_assert_max_num_queries(14):
        response = client.get(HOME)
    body = text(response)
    assert "Период: ноябрь 2026" in body
    assert "Приём показаний открыт до 03.12.2026" in body
    assert "Расход выше 3-кратного норматива на зарегистрированных жильцов (жильцов: 2)" in body
    assert f"/housing/operator/readings/{reading.pk}/review/" in body
    assert f"/housing/operator/corrections/{correction.pk}/decide/" in body
    assert "перепутал цифры" in body
    figures = response.context["counts"]
    assert (figures["accepted"], figures["flagged"], figures["corrections"]) == (2, 2, 2)


def test_an_impossible_reading_waits_for_the_operator_flagged(client, household, operator, at):
    submit(household, {household.cold.pk: "20.6"}, now=OCTOBER_WINDOW)
    with pytest.raises(DomainError):
        submit(household, {household.cold.pk: "99999"}, confirm=True)
    referral = ReadingReferral.objects.get()
    client.force_login(operator)
    body = text(client.get(HOME))
    assert "Невозможные показания" in body
    assert "Предыдущее: 20,600, расход: 99978,400, предел: 200,000" in body
    close = f"/housing/operator/referrals/{referral.pk}/close/"
    assert close in body
    response = client.post(close, {"next": HOME})
    assert response.status_code == 302
    assert ReadingReferral.objects.get().status == ReadingReferral.Status.CLOSED
    assert "Невозможных показаний нет." in text(client.get(HOME))


def test_a_link_request_for_a_premises_without_an_owner_waits_for_the_operator(
    client, operator, at
):
    tenant = PremisesLinkFactory(role="tenant")
    asking = PersonFactory().user
    request = linking.link_request_create(
        actor=asking,
        payer_code=tenant.premises.payer_code,
        apartment=tenant.premises.apartment,
        role="owner",
    )
    client.force_login(operator)
    page = f"/housing/link-requests/{request.pk}/"
    assert page in text(client.get(HOME))
    response = client.post(page, {"decision": "confirm"})
    assert response.status_code == 302
    assert asking.person.premises_links.get().verified_by == "operator"


def test_home_works_on_the_period_just_closed_between_windows(client, operator, at):
    at(BETWEEN_WINDOWS)
    client.force_login(operator)
    response = client.get(HOME)
    assert response.context["period"] == date(2026, 11, 1)
    assert "следующий откроется 15.12.2026" in text(response)


def test_an_operator_keeps_a_flagged_reading(client, household, operator, at):
    reading = flagged_reading(household)
    client.force_login(operator)
    response = client.post(
        f"/housing/operator/readings/{reading.pk}/review/",
        {"decision": "keep", "next": HOME},
        follow=True,
    )
    assert "Показание оставлено" in text(response)
    reading.refresh_from_db()
    assert (reading.status, reading.reviewed_at is not None) == (Reading.Status.ACCEPTED, True)
    assert f"readings/{reading.pk}/review/" not in text(client.get(HOME))


def test_a_rejection_needs_a_reason_and_the_services_word_is_shown(client, household, operator, at):
    reading = flagged_reading(household)
    client.force_login(operator)
    url = f"/housing/operator/readings/{reading.pk}/review/"
    response = client.post(url, {"decision": "reject", "reason": " "}, follow=True)
    assert "Укажите причину отклонения: её увидит житель." in text(response)
    reading.refresh_from_db()
    assert reading.status == Reading.Status.ACCEPTED
    response = client.post(url, {"decision": "reject", "reason": "опечатка"}, follow=True)
    assert "Показание отклонено" in text(response)
    reading.refresh_from_db()
    assert (reading.status, reading.rejection_reason) == (Reading.Status.REJECTED, "опечатка")
    response = client.post(url, {"decision": "keep"}, follow=True)
    assert "Показание уже проверено." in text(response)


def test_a_nonsense_decision_or_an_unknown_reading_changes_nothing(client, household, operator, at):
    reading = flagged_reading(household)
    client.force_login(operator)
    response = client.post(
        f"/housing/operator/readings/{reading.pk}/review/", {"decision": "maybe"}, follow=True
    )
    assert "Выберите, оставить показание или отклонить его." in text(response)
    missing = client.post("/housing/operator/readings/999999/review/", {"decision": "keep"})
    assert missing.status_code == 404
    reading.refresh_from_db()
    assert reading.reviewed_at is None


def test_after_an_action_the_operator_returns_to_the_page_but_not_elsewhere(
    client, household, operator, at
):
    reading = flagged_reading(household)
    client.force_login(operator)
    response = client.post(
        f"/housing/operator/readings/{reading.pk}/review/",
        {"decision": "keep", "next": "https://evil.example/"},
    )
    assert response["Location"] == HOME


def test_an_operator_accepts_a_correction_settled_in_the_open_period(
    client, household, operator, at
):
    correction = open_correction(household)
    client.force_login(operator)
    url = f"/housing/operator/corrections/{correction.pk}/decide/"
    response = client.post(url, {"decision": "accept", "reason": ""}, follow=True)
    assert "Напишите жителю, почему принято такое решение." in text(response)
    response = client.post(url, {"decision": "accept", "reason": "сверено по фото"}, follow=True)
    assert "исправление войдёт в начисление за ноябрь 2026" in text(response)
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.ACCEPTED
    assert correction.corrected_reading.value == Decimal("12.5")
    response = client.post(url, {"decision": "reject", "reason": "ещё раз"}, follow=True)
    assert "Заявка уже рассмотрена." in text(response)


def test_an_operator_rejects_a_correction_and_sees_why_one_cannot_be_accepted(
    client, household, operator, at
):
    reading = submit(household, {household.hot.pk: "12"}, now=OCTOBER_WINDOW).readings[0]
    below = corrections.correction_request_create(
        actor=household.user, reading_id=reading.pk, value="9", reason="ошибся", now=IN_WINDOW
    )
    client.force_login(operator)
    url = f"/housing/operator/corrections/{below.pk}/decide/"
    response = client.post(url, {"decision": "accept", "reason": "да"}, follow=True)
    assert "Исправленное показание должно быть не меньше предыдущего (10,000)" in text(response)
    response = client.post(url, {"decision": "reject", "reason": "ниже начального"}, follow=True)
    assert "Заявка отклонена." in text(response)
    below.refresh_from_db()
    assert (below.status, below.decision_reason) == (
        CorrectionRequest.Status.REJECTED,
        "ниже начального",
    )


# --- Search by payer code -------------------------------------------------------------


def test_search_shows_the_premises_people_meters_and_history(client, household, operator, at):
    submit(household, {household.cold.pk: "11,5"}, now=OCTOBER_WINDOW)
    neighbour = PremisesLinkFactory(premises=household.premises, person=PersonFactory())
    client.force_login(operator)
    response = client.get(
        "/housing/operator/premises/", {"payer_code": household.premises.payer_code}
    )
    body = text(response)
    assert household.user.person.full_name in body
    assert neighbour.person.full_name in body
    assert household.cold.serial in body
    assert household.hot.serial in body
    assert "11,500" in body  # October's value
    assert "1,500" in body  # and consumption
    assert f"/housing/operator/meters/{household.cold.pk}/replace/" in body
    assert len(response.context["meters"][0][1]) == 12
    audit = AuditEvent.objects.get(action="housing.premises_view")
    assert (audit.actor, audit.target_id) == (operator, str(household.premises.pk))


@pytest.mark.parametrize(
    ("code", "status", "says"),
    [
        ("12345", 400, "Код плательщика — 10 цифр."),
        ("١٢٣٤٥٦٧٨٩٠", 400, "Код плательщика — 10 цифр."),
        ("0000000000", 200, "Помещения с таким кодом плательщика нет."),
    ],
)
def test_search_explains_a_bad_or_unknown_code(client, operator, at, code, status, says):
    client.force_login(operator)
    response = client.get("/housing/operator/premises/", {"payer_code": code})
    assert response.status_code == status
    assert says in text(response)
    assert not AuditEvent.objects.filter(action="housing.premises_view").exists()


# --- Verification due -----------------------------------------------------------------


def test_verification_due_lists_expired_and_soon_due_meters(client, household, operator, at):
    expired = MeterFactory(next_verification_on=date(2026, 11, 1))
    soon = MeterFactory(next_verification_on=date(2026, 12, 10))
    later = MeterFactory(next_verification_on=date(2027, 3, 1))
    client.force_login(operator)
    response = client.get("/housing/operator/verification/")
    assert list(response.context["page"].object_list) == [expired, soon]
    assert "просрочена" in text(response)
    response = client.get("/housing/operator/verification/", {"days": "120"})
    assert list(response.context["page"].object_list) == [expired, soon, later]
    response = client.get("/housing/operator/verification/", {"days": "0"})
    assert list(response.context["page"].object_list) == [expired]


@pytest.mark.parametrize("days", ["-1", "abc", "99999", "1e3"])
def test_verification_due_refuses_bad_day_counts(client, operator, at, days):
    client.force_login(operator)
    response = client.get("/housing/operator/verification/", {"days": days})
    assert response.status_code == 400
    assert "error-summary" in text(response)


def test_verification_due_is_paginated(client, operator, at):
    for _ in range(backoffice.PAGE_SIZE + 1):
        MeterFactory(next_verification_on=date(2026, 11, 25))
    client.force_login(operator)
    first = client.get("/housing/operator/verification/", {"days": "10"})
    assert len(first.context["page"].object_list) == backoffice.PAGE_SIZE
    assert "days=10&amp;page=2" in text(first)
    second = client.get("/housing/operator/verification/", {"days": "10", "page": "2"})
    assert len(second.context["page"].object_list) == 1


# --- The billing export ---------------------------------------------------------------


@pytest.fixture
def october(household, operator):
    """October 2026 as billing sees it in December.

    Cold: read every month (1 m³ a month) → by its reading. Hot: read in August and
    September, September corrected to 12.5 in October's window → no October reading, billed
    at the average; the correction is settled in October. A neighbour's meter never read →
    by the norm for 2 residents. A meter not yet commissioned is not billed.
    """
    for moment, cold, hot in [
        (AUGUST_WINDOW, "11", "11"),
        (SEPTEMBER_WINDOW, "12", "12"),
        (OCTOBER_WINDOW, "13", None),
    ]:
        values = {household.cold.pk: cold} | ({household.hot.pk: hot} if hot else {})
        submit(household, values, now=moment)
    september = Reading.objects.get(meter=household.hot, period=date(2026, 9, 1))
    correction = corrections.correction_request_create(
        actor=household.user,
        reading_id=september.pk,
        value="12.5",
        reason="перепутал",
        now=OCTOBER_WINDOW,
    )
    corrections.correction_request_decide(
        actor=operator, request_id=correction.pk, accept=True, reason="да", now=OCTOBER_WINDOW
    )
    neighbour = MeterFactory(serial="NEIGHBOUR-1")
    MeterFactory(serial="NOT-YET", commissioned_on=None)
    return household, neighbour, correction


def read_export(response) -> list[list[list[str]]]:
    """The file's blocks (meters, corrections, totals), each a list of rows with header."""
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    assert not body.startswith("\ufeff")
    blocks, block = [], []
    for row in csv.reader(io.StringIO(body)):
        if row:
            block.append(row)
        else:
            blocks.append(block)
            block = []
    blocks.append(block)
    return blocks


def test_the_export_bills_every_meter_lists_corrections_and_totals(client, october, operator, at):
    household, neighbour, correction = october
    at(BETWEEN_WINDOWS)
    client.force_login(operator)
    response = client.get("/housing/operator/export/", {"period": "2026-10"})
    assert response["Content-Disposition"] == 'attachment; filename="housing-billing-2026-10.csv"'
    meters, corrections, totals = read_export(response)
    premises = household.premises
    assert meters[0] == list(backoffice.METER_HEADER)
    assert sorted(meters[1:]) == sorted(
        [
            [
                premises.payer_code,
                premises.apartment,
                premises.address,
                "cold",
                household.cold.serial,
                "reading",
                "13.000",
                "1.000",
                "0",
            ],
            [
                premises.payer_code,
                premises.apartment,
                premises.address,
                "hot",
                household.hot.serial,
                "average",
                "",
                "1.250",
                "1",
            ],
            [
                neighbour.premises.payer_code,
                neighbour.premises.apartment,
                neighbour.premises.address,
                "cold",
                "NEIGHBOUR-1",
                "norm",
                "",
                "13.870",
                "6",
            ],
        ]
    )
    assert corrections == [
        list(backoffice.CORRECTION_HEADER),
        [
            premises.payer_code,
            premises.apartment,
            premises.address,
            "hot",
            household.hot.serial,
            "2026-09",
            "12.000",
            "12.500",
            "0.500",
            str(correction.pk),
        ],
    ]
    assert totals == [
        list(backoffice.TOTALS_HEADER),
        ["cold", "reading", "1", "1.000"],
        ["cold", "norm", "1", "13.870"],
        ["cold", "total", "2", "14.870"],
        ["hot", "average", "1", "1.250"],
        ["hot", "correction", "1", "0.500"],
        ["hot", "total", "1", "1.750"],
    ]
    audit = AuditEvent.objects.get(action="housing.billing_export")
    assert audit.actor == operator
    assert audit.data == {"period": "2026-10"}


def test_heat_billed_at_the_norm_has_no_volume(client, operator, at):
    MeterFactory(kind=Meter.Kind.HEAT, serial="HEAT-1")
    client.force_login(operator)
    _meters, _corrections, totals = read_export(
        client.get("/housing/operator/export/", {"period": "2026-11"})
    )
    assert totals[1:] == [["heat", "norm", "1", ""], ["heat", "total", "1", "0.000"]]


def test_the_export_form_offers_the_period_just_closed(client, operator, at):
    client.force_login(operator)
    response = client.get("/housing/operator/export/")
    assert response.status_code == 200
    assert 'value="2026-10"' in text(response)
    assert not AuditEvent.objects.filter(action="housing.billing_export").exists()


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("", "Обязательное поле."),
        ("2026-13", "Укажите месяц в виде ГГГГ-ММ"),
        ("ноябрь", "Укажите месяц в виде ГГГГ-ММ"),
        ("2026-1", "Укажите месяц в виде ГГГГ-ММ"),
        ("２０２６-１０", "Укажите месяц в виде ГГГГ-ММ"),
        ("1999-12", "Выгрузка есть за периоды с 2000 года по ноябрь 2026."),
        ("2026-12", "Выгрузка есть за периоды с 2000 года по ноябрь 2026."),
        ("9999-12", "Выгрузка есть за периоды"),
        ("x" * 500, "Убедитесь, что это значение содержит не более 7 символов"),
    ],
)
def test_a_bad_period_shows_the_form_with_the_reason(client, operator, at, period, says):
    client.force_login(operator)
    response = client.get("/housing/operator/export/", {"period": period})
    assert response.status_code == 400
    assert says in text(response)
    assert not AuditEvent.objects.filter(action="housing.billing_export").exists()


# --- Replacing a meter ----------------------------------------------------------------


def replacement(**changes) -> dict:
    return {
        "serial": "NEW-1",
        "initial_value": "0,5",
        "installed_on": "2026-11-02",
        "commissioned_on": "2026-11-03",
        "next_verification_on": "2032-11-02",
    } | changes


def test_an_operator_replaces_a_meter(client, household, operator, at):
    client.force_login(operator)
    url = f"/housing/operator/meters/{household.cold.pk}/replace/"
    assert household.cold.serial in text(client.get(url))
    response = client.post(url, replacement(failed="on"))
    assert response.status_code == 302
    assert response["Location"] == (
        f"/housing/operator/premises/?payer_code={household.premises.payer_code}"
    )
    household.cold.refresh_from_db()
    new = Meter.objects.get(serial="NEW-1")
    assert (household.cold.status, household.cold.retired_on) == (
        Meter.Status.FAILED,
        date(2026, 11, 2),
    )
    assert (new.replaces, new.initial_value, new.premises) == (
        household.cold,
        Decimal("0.5"),
        household.premises,
    )
    assert AuditEvent.objects.filter(action="housing.meter_replace").count() == 1
    again = client.get(url)
    assert "заменить можно только работающий" in text(again)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"initial_value": "-1"}, "Показание не может быть отрицательным."),
        ({"initial_value": "123456,5"}, "до запятой у этого счётчика: не больше 5"),
        ({"installed_on": "02.11.2026x"}, "Введите правильную дату."),
        ({"serial": ""}, "Обязательное поле."),
        ({"commissioned_on": "2026-11-01"}, "вводится в эксплуатацию не раньше установки"),
        ({"next_verification_on": "2026-11-02"}, "Поверка должна быть позже установки."),
    ],
)
def test_a_bad_replacement_is_explained_and_changes_nothing(
    client, household, operator, at, changes, says
):
    client.force_login(operator)
    response = client.post(
        f"/housing/operator/meters/{household.cold.pk}/replace/", replacement(**changes)
    )
    assert response.status_code == 400
    assert says in text(response)
    household.cold.refresh_from_db()
    assert household.cold.status == Meter.Status.ACTIVE
    assert not Meter.objects.filter(replaces=household.cold).exists()


def test_a_replacement_with_a_serial_in_use_is_explained(client, household, operator, at):
    elsewhere = MeterFactory(kind=Meter.Kind.COLD_WATER)
    client.force_login(operator)
    response = client.post(
        f"/housing/operator/meters/{household.cold.pk}/replace/",
        replacement(serial=elsewhere.serial),
    )
    assert response.status_code == 400
    assert "уже существует" in text(response)
    household.cold.refresh_from_db()
    assert household.cold.status == Meter.Status.ACTIVE


def test_replacing_an_unknown_meter_is_not_found(client, operator, at):
    client.force_login(operator)
    assert client.get("/housing/operator/meters/999999/replace/").status_code == 404


# --- The staff admin ------------------------------------------------------------------


def test_the_admin_shows_readings_but_never_changes_them(client, household, operator, at):
    reading = flagged_reading(household)
    client.force_login(operator)
    assert client.get("/staff/housing/reading/").status_code == 200
    page = client.get(f"/staff/housing/reading/{reading.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/staff/housing/reading/{reading.pk}/change/", {}).status_code == 403
    assert client.get("/staff/housing/correctionrequest/").status_code == 200
    assert client.get("/staff/housing/reading/add/").status_code == 403


def test_the_admin_edits_a_meters_dates_but_not_what_it_is(client, household, operator, at):
    client.force_login(operator)
    url = f"/staff/housing/meter/{household.cold.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="next_verification_on"' in page
    assert 'name="initial_value"' not in page
    response = client.post(
        url,
        {
            "location": "кухня",
            "commissioned_on": "2024-01-15",
            "next_verification_on": "2031-01-10",
            "_save": "1",
        },
    )
    assert response.status_code == 302
    household.cold.refresh_from_db()
    assert (household.cold.location, household.cold.next_verification_on) == (
        "кухня",
        date(2031, 1, 10),
    )
    audit = AuditEvent.objects.get(action="housing.meter_changed")
    assert audit.data["fields"] == ["location", "next_verification_on"]
