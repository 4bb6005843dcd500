"""The citizen's meter pages: "Мои счётчики", the readings form, a meter's history, linking
a premises and asking for a correction — every branch, through the Django test client."""

import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gorod.accounts.tests.factories import PersonFactory
from gorod.housing import reminders, services
from gorod.housing.models import (
    CorrectionRequest,
    LinkRequest,
    Meter,
    PremisesLink,
    Reading,
    ReadingReferral,
    Submission,
)
from gorod.housing.tests.conftest import BETWEEN_WINDOWS, IN_WINDOW, MOSCOW
from gorod.housing.tests.factories import MeterFactory, PremisesFactory, PremisesLinkFactory

OCTOBER_WINDOW = datetime(2026, 10, 20, 12, 0, tzinfo=MOSCOW)
METERS_URL = reverse("housing:meters")
# Session, user, the premises links, their meters, the meters' readings, the correction
# requests: however many premises and meters there are.
# Session, user, window, premises and meters, readings, corrections, and the two lists of
# link requests (waiting for me, and mine).
METERS_PAGE_MAX_QUERIES = 8


@pytest.fixture
def in_window(time_machine):
    time_machine.move_to(IN_WINDOW)


@pytest.fixture
def between_windows(time_machine):
    time_machine.move_to(BETWEEN_WINDOWS)


@pytest.fixture
def signed_in(client, household):
    client.force_login(household.user)
    return client


def submit_url(premises) -> str:
    return reverse("housing:readings_submit", args=[premises.pk])


def readings_post(premises, values: dict, *, token=None, confirm=False) -> dict:
    """The readings form as a browser sends it: every meter field, empty or not."""
    prefix = f"p{premises.pk}"
    data = {f"{prefix}-token": str(token or uuid.uuid4())}
    for meter, value in values.items():
        data[f"{prefix}-meter_{meter.pk}"] = value
    if confirm:
        data[f"{prefix}-confirm"] = "on"
    return data


def page_text(response) -> str:
    return response.content.decode()


def accepted(meter) -> list[Decimal]:
    return list(
        Reading.objects.filter(meter=meter, status=Reading.Status.ACCEPTED)
        .order_by("period")
        .values_list("value", flat=True)
    )


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("meters", []),
        ("premises_link", []),
        ("premises_unlink", [1]),
        ("readings_submit", [1]),
        ("meter_detail", [1]),
        ("correction_request", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, name, args):
    url = reverse(f"housing:{name}", args=args)
    response = client.post(url) if name == "readings_submit" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_persons_objects_are_not_found(client, household, in_window):
    reading = services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: "12"},
        idempotency_key="theirs",
        channel="web",
    ).readings[0]
    stranger = PersonFactory().user
    client.force_login(stranger)
    premises = household.premises
    for url in (
        reverse("housing:meter_detail", args=[household.cold.pk]),
        reverse("housing:correction_request", args=[reading.pk]),
        reverse("housing:premises_unlink", args=[premises.pk]),
        reverse("housing:meter_detail", args=[2**70]),
        reverse("housing:correction_request", args=[2**63]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Страница не найдена" in page_text(response)
    for url, data in (
        (submit_url(premises), readings_post(premises, {household.cold: "13"})),
        (reverse("housing:premises_unlink", args=[premises.pk]), {}),
        (reverse("housing:correction_request", args=[reading.pk]), {"value": "1", "reason": "x"}),
        (reverse("housing:readings_submit", args=[2**64]), {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert Reading.objects.count() == 1
    assert PremisesLink.objects.filter(premises=premises).count() == 1
    assert not CorrectionRequest.objects.exists()


# --- "Мои счётчики" -------------------------------------------------------------------


def test_meters_page_shows_premises_meters_window_and_form(in_window, signed_in, household):
    services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: "15,5"},
        idempotency_key="october",
        channel="web",
        now=OCTOBER_WINDOW,
    )
    html = page_text(signed_in.get(METERS_URL))
    premises = household.premises
    assert f"{premises.address}, кв. {premises.apartment}" in html
    assert "Вы — собственник" in html
    assert premises.payer_code in html
    assert "Приём показаний за ноябрь 2026 открыт до 3 декабря включительно." in html
    assert "15,500 м³" in html
    assert "Октябрь 2026" in html
    cold_field = f'name="p{premises.pk}-meter_{household.cold.pk}"'
    assert cold_field in html
    assert f'name="p{premises.pk}-meter_{household.hot.pk}"' in html
    assert 'inputmode="decimal"' in html
    assert "Предыдущее показание: 15,500 м³." in html  # cold, after October
    assert "Предыдущее показание: 10,000 м³." in html  # hot: its initial value
    assert f'aria-describedby="id_p{premises.pk}-meter_{household.cold.pk}_helptext"' in html
    token = re.search(rf'name="p{premises.pk}-token" value="([^"]+)"', html).group(1)
    assert uuid.UUID(token)
    assert "Подтверждаю показания" not in html
    # Every drawing of the form is a new submission's key.
    assert token not in page_text(signed_in.get(METERS_URL))


def test_meters_page_without_premises_invites_to_link_one(client, db, in_window):
    client.force_login(PersonFactory().user)
    html = page_text(client.get(METERS_URL))
    assert "Вы ещё не привязали квартиру." in html
    assert reverse("housing:premises_link") in html
    assert '<form method="post" action' not in html


def test_verification_due_is_warned_and_expired_takes_no_readings(in_window, signed_in, household):
    household.cold.next_verification_on = date(2026, 12, 10)  # within 30 days of Nov 20
    household.cold.save()
    household.hot.next_verification_on = date(2026, 11, 1)
    household.hot.save()
    html = page_text(signed_in.get(METERS_URL))
    assert "скоро поверка" in html
    assert "Поверка до 10.12.2026" in html
    assert "поверка просрочена" in html
    assert "Срок поверки истёк 01.11.2026: показания по этому счётчику не принимаются" in html
    premises = household.premises
    assert f"p{premises.pk}-meter_{household.cold.pk}" in html
    assert f"p{premises.pk}-meter_{household.hot.pk}" not in html


def test_no_form_when_no_meter_accepts_readings(in_window, signed_in, household):
    Meter.objects.filter(premises=household.premises).update(commissioned_on=None)
    html = page_text(signed_in.get(METERS_URL))
    assert "Счётчик ещё не введён в эксплуатацию" in html
    assert "Ни один счётчик этой квартиры сейчас не принимает показания." in html
    assert "-token" not in html


def test_between_windows_the_page_says_when_it_opens_and_has_no_form(
    between_windows, signed_in, household
):
    html = page_text(signed_in.get(METERS_URL))
    assert "Приём показаний за декабрь 2026 откроется 15 декабря." in html
    assert "с 15 декабря по 3 января включительно" in html
    assert "Передать показания" not in html
    assert "-token" not in html


def _household_with_history(premises_count: int, meters_each: int):
    person = PersonFactory()
    for _ in range(premises_count):
        premises = PremisesFactory()
        PremisesLinkFactory(person=person, premises=premises)
        meters = [MeterFactory(premises=premises) for _ in range(meters_each)]
        for month, moment in enumerate((OCTOBER_WINDOW, IN_WINDOW)):
            services.readings_submit(
                actor=person.user,
                premises_id=premises.pk,
                values={meter.pk: str(11 + month) for meter in meters},
                idempotency_key=f"{premises.pk}-{month}",
                channel="web",
                now=moment,
            )
        CorrectionRequest.objects.create(
            reading=Reading.objects.filter(meter=meters[0]).earliest("period"),
            requested_by=person.user,
            requested_value=Decimal("11.5"),
            reason="ошибся",
            created_at=IN_WINDOW,
        )
    return person.user


def test_meters_page_costs_the_same_queries_for_one_or_many_premises(
    client, db, in_window, django_assert_max_num_queries
):
    counts = []
    for premises_count, meters_each in ((1, 1), (3, 3)):
        client.force_login(_household_with_history(premises_count, meters_each))
        with (
            django_assert_max_num_queries(METERS_PAGE_MAX_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.get(METERS_URL)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert page_text(response).count("на рассмотрении") == 3


# --- Submitting readings --------------------------------------------------------------


def test_submission_saves_redirects_and_shows_what_was_accepted(in_window, signed_in, household):
    premises = household.premises
    response = signed_in.post(
        submit_url(premises),
        readings_post(premises, {household.cold: "12,5", household.hot: " 11.25 "}),
    )
    assert response.status_code == 302
    assert response["Location"] == METERS_URL
    assert accepted(household.cold) == [Decimal("12.500")]
    assert accepted(household.hot) == [Decimal("11.250")]
    reading = Reading.objects.get(meter=household.cold)
    assert (reading.channel, reading.submitted_by) == ("web", household.user)
    html = page_text(signed_in.get(METERS_URL))
    assert "Показания за ноябрь 2026 приняты: Холодная вода, ванная, № " in html
    assert "12,500 м³" in html
    assert "11,250 м³" in html
    assert "передано в этом месяце" in html
    # The use is offered for rating once, right after the submission.
    assert "Оцените услугу" in html
    assert "Оцените услугу" not in page_text(signed_in.get(METERS_URL))


def test_the_same_form_sent_twice_makes_one_submission(in_window, signed_in, household):
    premises = household.premises
    data = readings_post(premises, {household.cold: "12,5", household.hot: ""})
    first = signed_in.post(submit_url(premises), data)
    second = signed_in.post(submit_url(premises), data)
    assert first.status_code == second.status_code == 302
    assert Submission.objects.count() == 1
    assert Reading.objects.count() == 1
    html = page_text(signed_in.get(METERS_URL))
    assert html.count("Показания за ноябрь 2026 приняты") == 2  # the same answer, twice


def test_the_same_form_resent_with_other_values_is_a_new_key(in_window, signed_in, household):
    premises = household.premises
    token = uuid.uuid4()
    signed_in.post(
        submit_url(premises), readings_post(premises, {household.cold: "12"}, token=token)
    )
    response = signed_in.post(
        submit_url(premises), readings_post(premises, {household.cold: "13"}, token=token)
    )
    assert response.status_code == 400
    html = page_text(response)
    assert "Эта форма уже была отправлена с другими показаниями" in html
    assert str(token) not in html  # a fresh key for the new values
    assert 'value="13"' in html  # what was typed is kept
    assert accepted(household.cold) == [Decimal("12.000")]


def test_a_correction_in_the_window_keeps_the_earlier_version(in_window, signed_in, household):
    premises = household.premises
    signed_in.post(submit_url(premises), readings_post(premises, {household.cold: "12"}))
    html = page_text(signed_in.get(METERS_URL))
    assert "За ноябрь 2026 уже передано 12,000 м³: новое показание заменит его." in html
    signed_in.post(submit_url(premises), readings_post(premises, {household.cold: "12,7"}))
    assert accepted(household.cold) == [Decimal("12.700")]
    statuses = Reading.objects.filter(meter=household.cold).values_list("status", flat=True)
    assert sorted(statuses) == ["accepted", "superseded"]


def test_one_bad_meter_saves_nothing_and_is_named_next_to_its_field(
    in_window, signed_in, household
):
    premises = household.premises
    response = signed_in.post(
        submit_url(premises), readings_post(premises, {household.cold: "12", household.hot: "5"})
    )
    assert response.status_code == 400
    assert not Reading.objects.exists()
    assert not Submission.objects.exists()
    html = page_text(response)
    hot_id = f"id_p{premises.pk}-meter_{household.hot.pk}"
    error = re.search(rf'<ul class="errorlist" id="{hot_id}_error"><li>([^<]+)</li>', html)
    assert error
    assert "Показание меньше предыдущего (10,000)" in error.group(1)
    assert f"id_p{premises.pk}-meter_{household.cold.pk}_error" not in html
    assert f'<a href="#{hot_id}">Горячая вода, ванная, № {household.hot.serial}, м³:' in html
    assert "Ни одно показание не сохранено" in html
    assert 'value="12"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" * 40, "до запятой у этого счётчика: не больше 5"),
        ("9" * 70, "здесь слишком длинно"),
        ("NaN", "Буквы и другие знаки не принимаются"),
        ("1e5", "Буквы и другие знаки не принимаются"),
        ("Infinity", "Буквы и другие знаки не принимаются"),
        ("١٢٣", "обычными цифрами 0–9"),
        ("-5", "не может быть отрицательным"),
        ("12,3,4", "только одна запятая"),
        ("12,3456", "после запятой у этого счётчика: не больше 3"),
        (",", "Показание — это число"),
        ("12\x00", "запрещённый символ"),
    ],
)
def test_bad_values_are_refused_next_to_the_field(in_window, signed_in, household, value, message):
    premises = household.premises
    response = signed_in.post(
        submit_url(premises), readings_post(premises, {household.cold: value})
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert f"id_p{premises.pk}-meter_{household.cold.pk}_error" in page_text(response)
    assert not Reading.objects.exists()


def test_all_fields_empty_is_the_services_readings_required(in_window, signed_in, household):
    premises = household.premises
    response = signed_in.post(
        submit_url(premises), readings_post(premises, {household.cold: "", household.hot: " "})
    )
    assert response.status_code == 400
    assert "Введите показания хотя бы одного счётчика." in page_text(response)
    assert not Submission.objects.exists()


@pytest.mark.parametrize("token", ["", "not-a-uuid", "x" * 500])
def test_a_missing_or_forged_token_asks_to_send_again(in_window, signed_in, household, token):
    premises = household.premises
    data = readings_post(premises, {household.cold: "12"})
    data[f"p{premises.pk}-token"] = token
    response = signed_in.post(submit_url(premises), data)
    assert response.status_code == 400
    html = page_text(response)
    assert "Форма устарела" in html
    fresh = re.search(rf'name="p{premises.pk}-token" value="([^"]+)"', html).group(1)
    assert uuid.UUID(fresh)
    assert not Reading.objects.exists()


def test_unusual_consumption_is_confirmed_before_it_is_saved(in_window, signed_in, household):
    premises = household.premises
    token = uuid.uuid4()
    data = readings_post(premises, {household.cold: "5000", household.hot: "12"}, token=token)
    response = signed_in.post(submit_url(premises), data)
    assert response.status_code == 200
    assert not Reading.objects.exists()
    html = page_text(response)
    cold_id = f"id_p{premises.pk}-meter_{household.cold.pk}"
    # The warning says what it computed: 4 990 m³ since commissioning 34 months ago,
    # against a norm of 2 × 6,935 m³ a month.
    warning = f'<ul class="warninglist" id="{cold_id}_warning"><li>Расход 4\xa0990,0 м³ за 34 мес.'
    assert warning in html
    assert "от нормы 471,6 м³ для зарегистрированных жильцов (2)" in html
    assert f'aria-describedby="{cold_id}_helptext {cold_id}_warning"' in html
    assert "Подтверждаю показания" in html
    assert 'value="5000"' in html
    assert "error-summary" not in html

    response = signed_in.post(
        submit_url(premises),
        readings_post(
            premises, {household.cold: "5000", household.hot: "12"}, token=token, confirm=True
        ),
    )
    assert response.status_code == 302
    reading = Reading.objects.get(meter=household.cold)
    assert reading.warnings == ["high_consumption"]
    assert reading.warnings_confirmed
    assert accepted(household.hot) == [Decimal("12.000")]


def test_the_error_summary_is_first_in_the_content_and_takes_the_focus(
    in_window, signed_in, household
):
    """The probe: a refused form of the second apartment showed its summary below the
    first one's meters, out of sight, with the focus left on the page."""
    second = PremisesLinkFactory(person=household.user.person).premises
    second_cold = MeterFactory(premises=second)
    response = signed_in.post(submit_url(second), readings_post(second, {second_cold: "1"}))
    assert response.status_code == 400
    html = page_text(response)
    summary = html.index('class="error-summary"')
    assert html.index("<h1>") < summary < html.index('<section class="premises"')
    tag = html[html.rindex("<div", 0, summary) : html.index(">", summary)]
    assert 'role="alert"' in tag
    assert 'tabindex="-1"' in tag
    assert "autofocus" in tag
    field = f"id_p{second.pk}-meter_{second_cold.pk}"
    assert f'<a href="#{field}">' in html[summary:]
    assert str(second) in html[summary : html.index("</div>", summary)]
    assert html.count('class="error-summary"') == 1
    assert "<title>Ошибка: Мои счётчики" in html


def test_a_success_is_confirmed_at_the_top_of_the_page(in_window, signed_in, household):
    response = signed_in.post(
        submit_url(household.premises),
        readings_post(household.premises, {household.cold: "12"}),
        follow=True,
    )
    html = page_text(response)
    message = html.index("Показания за ноябрь 2026 приняты")
    assert message < html.index("<h1>")
    assert 'role="status"' in html[html.rindex("<div", 0, message) : message]


def test_an_impossible_reading_is_refused_and_the_citizen_told_it_went_to_the_operator(
    in_window, signed_in, household
):
    premises = household.premises
    response = signed_in.post(
        submit_url(premises),
        readings_post(premises, {household.cold: "99999"}, confirm=True),
    )
    assert response.status_code == 400
    html = page_text(response)
    cold_id = f"id_p{premises.pk}-meter_{household.cold.pk}"
    error = re.search(rf'<ul class="errorlist" id="{cold_id}_error"><li>([^<]+)</li>', html)
    assert "передано оператору" in error.group(1)
    assert "Подтверждаю показания" not in html
    assert not Reading.objects.exists()
    assert ReadingReferral.objects.get().meter == household.cold


def test_a_submission_after_the_window_closed_says_when_it_opens(
    between_windows, signed_in, household
):
    premises = household.premises
    response = signed_in.post(
        submit_url(premises), readings_post(premises, {household.cold: "12"}), follow=True
    )
    assert response.redirect_chain == [(METERS_URL, 302)]
    html = page_text(response)
    assert "Приём показаний закрыт. Передать показания можно с 15 декабря по 3 января" in html
    assert not Reading.objects.exists()


def test_readings_submit_takes_only_post(signed_in, household):
    assert signed_in.get(submit_url(household.premises)).status_code == 405


# --- Linking and unlinking ------------------------------------------------------------


def test_link_page_explains_where_the_payer_code_is(client, db):
    client.force_login(PersonFactory().user)
    html = page_text(client.get(reverse("housing:premises_link")))
    assert "Код плательщика" in html
    assert "единого платёжного документа (ЕПД)" in html
    assert 'inputmode="numeric"' in html
    assert "собственник" in html
    assert "наниматель" in html


def test_linking_waits_for_an_owners_confirmation(client, household):
    person = PersonFactory()
    premises = household.premises
    premises.apartment = "15А"
    premises.save()
    client.force_login(person.user)
    response = client.post(
        reverse("housing:premises_link"),
        {"payer_code": f" {premises.payer_code} ", "apartment": "15а", "role": "tenant"},
        follow=True,
    )
    assert response.redirect_chain == [(METERS_URL, 302)]
    html = page_text(response)
    assert "Заявка на привязку отправлена" in html
    assert "ждёт подтверждения собственника" in html
    assert not PremisesLink.objects.filter(person=person).exists()
    assert "Холодная вода" not in html

    # The owner sees the request on the meters page and confirms it on its own page.
    client.force_login(household.user)
    request = LinkRequest.objects.get()
    url = reverse("housing:link_request", args=[request.pk])
    meters_page = page_text(client.get(METERS_URL))
    assert "Просят доступ к вашей квартире" in meters_page
    assert url in meters_page
    assert person.full_name in page_text(client.get(url))
    response = client.post(url, {"decision": "confirm"}, follow=True)
    assert response.redirect_chain == [(METERS_URL, 302)]
    assert "Заявка подтверждена" in page_text(response)
    link = PremisesLink.objects.get(person=person)
    assert (link.premises, link.role, link.verified_by) == (premises, "tenant", "owner")


def test_a_link_request_is_not_found_for_the_requester_and_strangers(client, household):
    person = PersonFactory()
    client.force_login(person.user)
    client.post(
        reverse("housing:premises_link"),
        {
            "payer_code": household.premises.payer_code,
            "apartment": household.premises.apartment,
            "role": "owner",
        },
    )
    url = reverse("housing:link_request", args=[LinkRequest.objects.get().pk])
    for who in (person.user, PersonFactory().user):
        client.force_login(who)
        assert client.get(url).status_code == 404
        assert client.post(url, {"decision": "confirm"}).status_code == 404
    assert not PremisesLink.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"payer_code": "12345", "apartment": "1"}, "payer_code", "Код плательщика — 10 цифр"),
        ({"payer_code": "١٢٣٤٥٦٧٨٩٠", "apartment": "1"}, "payer_code", "10 цифр"),
        ({"payer_code": "9999999999", "apartment": "1"}, "payer_code", "не найдено"),
        ({"payer_code": "7700000000", "apartment": ""}, "apartment", "Введите номер квартиры"),
        ({"payer_code": "7700000000", "apartment": "1" * 40}, "apartment", "не длиннее 10"),
        ({"payer_code": "7700000000", "apartment": "1", "role": "boss"}, "role", "кем вы"),
    ],
)
def test_link_errors_are_shown_next_to_their_fields(client, db, data, field, message):
    client.force_login(PersonFactory().user)
    response = client.post(reverse("housing:premises_link"), {"role": "owner", **data})
    assert response.status_code == 400
    html = page_text(response)
    error = re.search(rf'<ul class="errorlist" id="id_{field}_error"><li>([^<]+)</li>', html)
    assert error
    assert message in error.group(1)
    assert not PremisesLink.objects.exists()


def test_unlinking_asks_first_then_unlinks_on_post(signed_in, household):
    url = reverse("housing:premises_unlink", args=[household.premises.pk])
    html = page_text(signed_in.get(url))
    assert "Отвязать квартиру?" in html
    assert str(household.premises) in html
    assert PremisesLink.objects.filter(premises=household.premises).exists()
    response = signed_in.post(url, follow=True)
    assert response.redirect_chain == [(METERS_URL, 302)]
    assert "отвязана" in page_text(response)
    assert not PremisesLink.objects.filter(premises=household.premises).exists()


# --- A meter's page and correction requests -------------------------------------------


def test_meter_page_says_how_a_month_without_a_reading_was_billed(in_window, signed_in, household):
    services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: "13"},
        idempotency_key="september",
        channel="web",
        now=OCTOBER_WINDOW.replace(month=9),
    )
    text = page_text(signed_in.get(reverse("housing:meter_detail", args=[household.cold.pk])))
    assert "нет показания: начислено по среднему" in text
    assert "нет показания: начислено по нормативу" in text


def test_meter_page_has_history_table_chart_and_every_version(in_window, signed_in, household):
    cold = household.cold
    services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={cold.pk: "13,25"},
        idempotency_key="october",
        channel="web",
        now=OCTOBER_WINDOW,
    )
    for key, value in (("first", "14"), ("second", "14,5")):
        services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={cold.pk: value},
            idempotency_key=key,
            channel="web",
        )
    html = page_text(signed_in.get(reverse("housing:meter_detail", args=[cold.pk])))
    assert f"Холодная вода, ванная, № {cold.serial}" in html
    history = html.split('class="dash-table history-table"')[1].split("</table>")[0]
    assert history.count('<th scope="row">') == 12
    assert "Ноябрь 2026" in history
    assert "Декабрь 2025" in history
    assert "14,500" in history
    assert "1,250" in history
    assert "3,250" in history  # October's consumption from the initial 10
    assert '<svg class="chart-svg chart-bars"' in html
    assert 'role="img"' in html
    assert "1,250 м³" in html.split("<svg")[1]  # the chart prints the same values
    versions = html.split('class="dash-table versions-table"')[1].split("</table>")[0]
    assert versions.count('<th scope="row">') == 2
    assert "действует" in versions
    assert "заменено" in versions
    october = Reading.objects.get(meter=cold, period=date(2026, 10, 1))
    november = Reading.objects.get(meter=cold, period=date(2026, 11, 1), status="accepted")
    assert reverse("housing:correction_request", args=[october.pk]) in html
    assert reverse("housing:correction_request", args=[november.pk]) not in html


def test_correction_request_of_a_closed_period(in_window, signed_in, household):
    reading = services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: "13"},
        idempotency_key="october",
        channel="web",
        now=OCTOBER_WINDOW,
    ).readings[0]
    url = reverse("housing:correction_request", args=[reading.pk])
    html = page_text(signed_in.get(url))
    assert "Октябрь 2026" in html
    assert "13,000 м³" in html
    assert 'name="value"' in html
    assert 'name="reason"' in html

    response = signed_in.post(url, {"value": "1e5", "reason": ""})
    assert response.status_code == 400
    assert re.search(r'id="id_value_error"><li>[^<]*Буквы', page_text(response))

    response = signed_in.post(url, {"value": "12,5", "reason": " "})
    assert re.search(r'id="id_reason_error"><li>Опишите', page_text(response))

    response = signed_in.post(
        url, {"value": "12,5", "reason": "Перепутал цифры\r\nна барабане"}, follow=True
    )
    meter_url = reverse("housing:meter_detail", args=[household.cold.pk])
    assert response.redirect_chain == [(meter_url, 302)]
    request = CorrectionRequest.objects.get()
    assert request.requested_value == Decimal("12.500")
    assert request.reason == "Перепутал цифры\nна барабане"  # one line break, as typed
    html = page_text(response)
    assert "Заявка на исправление отправлена оператору" in html
    assert "заявка на рассмотрении" in html
    assert "Перепутал цифры" in html
    assert "на рассмотрении" in page_text(signed_in.get(METERS_URL))

    response = signed_in.post(url, {"value": "12,7", "reason": "Ещё раз"})
    assert response.status_code == 400
    assert "уже на рассмотрении" in page_text(response)
    assert CorrectionRequest.objects.count() == 1


def test_a_reading_of_the_open_period_is_corrected_by_sending_it_again(
    in_window, signed_in, household
):
    reading = services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: "13"},
        idempotency_key="now",
        channel="web",
    ).readings[0]
    response = signed_in.post(
        reverse("housing:correction_request", args=[reading.pk]),
        {"value": "12", "reason": "Ошибся"},
    )
    assert response.status_code == 400
    assert "просто передайте показание заново" in page_text(response)
    assert not CorrectionRequest.objects.exists()


# --- The cabinet's notifications ------------------------------------------------------


def test_reminders_appear_in_the_cabinet(in_window, signed_in, household):
    # The cabinet always has its notifications section; before the reminder it is empty.
    assert "Пора передать показания счётчиков" not in page_text(
        signed_in.get(reverse("web:cabinet"))
    )
    reminders.window_reminders_send(now=IN_WINDOW + timedelta(minutes=1))
    html = page_text(signed_in.get(reverse("web:cabinet")))
    assert f'<a href="{METERS_URL}">Пора передать показания счётчиков</a>' in html
    assert "Приём показаний за ноябрь 2026 открыт до 3 декабря включительно." in html
