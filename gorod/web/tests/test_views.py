import pytest
from django.urls import reverse

from gorod.accounts.models import User
from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory, UserFactory
from gorod.analytics.models import UsageEvent
from gorod.analytics.services import usage_record
from gorod.catalog import services as catalog_services
from gorod.catalog.models import Service
from gorod.feedback import selectors as feedback_selectors
from gorod.feedback import services as feedback_services

pytestmark = pytest.mark.django_db

# The home page: session, user and the catalog snapshot's re-check when it is due.
HOME_MAX_QUERIES = 8


def test_home_lists_categories_and_popular_services(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Здоровье" in html
    assert 'role="search"' in html


def test_home_queries_are_bounded_for_anonymous_and_signed_in(
    client, catalog, django_assert_max_num_queries
):
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        assert client.get("/").status_code == 200
    client.force_login(PersonFactory().user)
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        assert client.get("/").status_code == 200


def test_pages_switch_to_english(client, catalog):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/services/emr/"})
    assert response.status_code == 302
    page = client.get("/services/emr/").content.decode()
    assert '<html lang="en">' in page
    assert "Electronic medical record" in page


@pytest.mark.parametrize(
    "url",
    [
        "/categories/health/",
        "/services/meter-readings/",
        "/services/mos-ru-external/",
        "/search?q=счетчики+воды",
        "/search?q=",
        "/search",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ],
)
def test_public_pages_render(client, catalog, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    if "mos-ru-external" not in url:
        assert response.status_code == 200


def test_a_flagship_page_leads_into_its_module(client, catalog):
    html = client.get("/services/meter-readings/").content.decode()
    assert "Передача показаний счетчиков воды и тепла" in html
    assert 'href="/housing/"' in html
    assert "Скоро на портале" not in html


def test_doctor_appointments_lead_into_the_health_module(client, catalog):
    html = client.get("/services/doctor-appointment/").content.decode()
    assert 'href="/health/"' in html
    assert "Скоро на портале" not in html


def test_the_school_diary_leads_into_the_school_module(client, catalog):
    html = client.get("/services/school-diary/").content.decode()
    assert 'href="/school/"' in html
    assert "Скоро на портале" not in html


def test_clubs_enrollment_leads_into_the_clubs_module(client, catalog):
    html = client.get("/services/clubs-enrollment/").content.decode()
    assert 'href="/clubs/"' in html
    assert "Скоро на портале" not in html


def test_search_page_finds_meter_readings_first(client, catalog):
    response = client.get("/search", {"q": "счетчики воды"})
    assert response.context["result"].services[0].slug == "meter-readings"


def test_search_page_understands_russian_typed_in_latin_letters(client, catalog):
    response = client.get("/search", {"q": "pokazaniya schetchikov"})
    assert response.context["result"].services[0].slug == "meter-readings"
    html = response.content.decode()
    assert "Запрос набран латиницей. Показаны результаты для «показания счетчиков»." in html
    assert "не в той раскладке" not in html


def test_search_page_partial_for_htmx(client, catalog):
    response = client.get("/search", {"q": "врач"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert "Запись к врачу" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["я" * 10_000, "\x00\x01", "%%%", "<script>alert(1)</script>", "' OR 1=1 --", "😀"],
)
def test_garbage_search_never_fails(client, catalog, query):
    response = client.get("/search", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_unknown_pages_are_404_in_html(client, catalog):
    for url in ("/services/nope/", "/categories/nope/", "/nope"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Страница не найдена" in response.content.decode()


def test_write_methods_on_pages_are_refused(client, catalog):
    assert client.post("/").status_code == 405
    assert client.delete("/services/emr/").status_code == 405


def test_cabinet_requires_sign_in(client, catalog):
    response = client.get("/cabinet/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_cabinet_lists_flagships_children_and_activity(client, catalog):
    person = PersonFactory()
    client.post(
        "/accounts/login/", {"username": person.user.email.upper(), "password": TEST_PASSWORD}
    )
    client.post(
        "/accounts/children/add/",
        {
            "last_name": "Иванов",
            "first_name": "Петя",
            "birth_date": "2017-09-01",
            "kind": "parent",
        },
    )
    html = client.get("/cabinet/").content.decode()
    assert "Мой кабинет" in html
    assert "Электронный дневник школьника" in html
    # The services online link into their modules, doctor appointments beside the meters.
    assert 'href="/housing/"' in html
    assert 'href="/health/"' in html
    assert "Иванов Петя" in html
    assert "Вход на портал" in html
    assert "Добавлен ребёнок" in html


def test_signup_shows_errors_next_to_fields_and_keeps_input(client, catalog):
    response = client.post(
        "/accounts/signup/",
        {
            "login": "anna@example.ru",
            "last_name": "Петрова",
            "first_name": "Анна",
            "birth_date": "1990-01-01",
            "password1": "1234567890",
            "password2": "1234567890",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert 'value="anna@example.ru"' in response.content.decode()
    assert not User.objects.filter(email="anna@example.ru").exists()


def test_signup_with_garbage_date_is_a_form_error(client, catalog):
    response = client.post("/accounts/signup/", {"birth_date": "31.02.x", "login": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"]


def test_signup_signs_in_and_opens_the_cabinet(client, catalog):
    response = client.post(
        "/accounts/signup/",
        {
            "login": "8 916 765-43-21",
            "last_name": "Петрова",
            "first_name": "Анна",
            "birth_date": "1990-01-01",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/cabinet/"
    assert User.objects.get(phone="+79167654321").person.first_name == "Анна"


def test_one_address_makes_only_so_many_accounts_an_hour(client, catalog, settings):
    settings.GOROD_SIGNUP_ADDRESS_LIMIT = 2

    def signup(login):
        client.logout()
        return client.post(
            "/accounts/signup/",
            {
                "login": login,
                "last_name": "Петрова",
                "first_name": "Анна",
                "birth_date": "1990-01-01",
                "password1": TEST_PASSWORD,
                "password2": TEST_PASSWORD,
            },
        )

    assert signup("first@example.ru").status_code == 302
    assert signup("second@example.ru").status_code == 302
    refused = signup("third@example.ru")
    assert refused.status_code == 200
    assert "создано много учётных записей" in refused.content.decode()
    assert not User.objects.filter(email="third@example.ru").exists()


def test_too_many_wrong_passwords_lock_the_login_out(client, catalog, settings):
    person = PersonFactory()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/accounts/login/", {"username": person.user.email, "password": "wrong"}
        )
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": person.user.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    # Even the right password is refused during the cool-off, also typed differently.
    response = client.post(
        "/accounts/login/", {"username": person.user.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 429


def test_api_token_is_shown_once(client, catalog):
    person = PersonFactory()
    client.force_login(person.user)
    client.post("/accounts/tokens/", {"name": "Мой скрипт"})
    first = client.get("/accounts/profile/").content.decode()
    assert "gorod_" in first
    second = client.get("/accounts/profile/").content.decode()
    assert "скопируйте его сейчас" not in second


def test_healthz(client):
    response = client.get("/healthz")
    assert response.content == b"ok"


@pytest.mark.django_db
def test_cabinet_lists_my_ratings_with_the_owners_answer(client, catalog):
    user = UserFactory()
    service = Service.objects.get(slug="emr")
    use_id = usage_record(service=service, actor=user, action="open", channel="web")
    token = feedback_selectors.rating_invitation(actor=user, service=service, use_id=use_id)
    rating = feedback_services.rating_create(actor=user, token=token, stars=4, comment="Удобно")
    rating.answer = "Спасибо!"
    rating.save(update_fields=["answer"])
    client.force_login(user)
    page = client.get(reverse("web:cabinet")).content.decode()
    assert "Мои оценки" in page
    assert "4 из 5" in page
    assert "есть ответ" in page
    assert reverse("feedback:rating_edit", args=[rating.pk]) in page


def test_the_way_out_to_a_partners_site_counts_a_signed_in_use(
    client, catalog, django_capture_on_commit_callbacks
):
    service = Service.objects.get(slug="our-city-portal")
    Service.objects.filter(pk=service.pk).update(external_url="")
    assert client.get("/services/our-city-portal/go").status_code == 404  # no address yet
    service.external_url = "https://gorod.example.ru/"
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.service_save(actor=None, service=service, changed_fields=["url"])
    response = client.get("/services/our-city-portal/go")
    assert (response.status_code, response["Location"]) == (302, "https://gorod.example.ru/")
    assert not UsageEvent.objects.exists()
    client.force_login(PersonFactory().user)
    assert client.get("/services/our-city-portal/go").status_code == 302
    assert UsageEvent.objects.get().service_id == service.pk
    assert client.get("/services/emr/go").status_code == 404
