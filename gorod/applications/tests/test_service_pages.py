"""The catalog's service pages drawn from the definitions, and the cabinet's applications."""

import pytest
from django.urls import reverse

from gorod.applications.services import citizen as services
from gorod.applications.tests.factories import external_url_set


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_form_service_shows_its_regulation_and_the_offices(
    client, definitions, offices, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        html = html_of(client.get("/services/resident-parking-permit/"))

    for words in (
        "Разрешение жителя на парковку у дома",  # what
        "Житель дома в зоне платной парковки",  # who may apply
        "Разрешение в реестре парковочных разрешений",  # result
        "бесплатно",
        "Срок — 3 рабоч",
        "Свидетельство о регистрации транспортного средства",  # documents
        "Что ведомство запросит само",
        "Сведения о регистрации по месту жительства",
        "Не представлены документы",  # refusal to accept
        "Заявитель не относится к категории",  # refusal
        "Постановление Правительства Москвы от 17.05.2013",  # legal basis
        "Центр госуслуг района Тестовый-1",
        "Все центры госуслуг: 5",
    ):
        assert words in html, words
    assert "Скоро на портале" not in html
    login = reverse("accounts:login")
    assert f'href="{login}?next=/applications/new/resident-parking-permit/"' in html


def test_a_signed_in_parent_chooses_self_or_a_child(client, citizen, definitions):
    client.force_login(citizen.user)

    html = html_of(client.get("/services/library-card/"))

    assert 'action="/applications/new/library-card/"' in html
    assert 'name="start_key"' in html
    assert "За себя" in html
    assert f"За ребёнка: {citizen.child.full_name}" in html


def test_a_child_only_service_without_children_says_how_to_add_one(client, definitions):
    from gorod.applications.tests.factories import citizen_make

    lonely = citizen_make(with_child=False)
    client.force_login(lonely.user)

    html = html_of(client.get("/services/sports-school/"))

    assert reverse("accounts:child_add") in html
    assert "Заявление подаёт законный представитель за ребёнка." in html


def test_an_info_service_says_what_who_when_where_how(client, definitions):
    html = html_of(client.get("/services/e-prescriptions/"))

    for words in (
        "Электронные рецепты видны в медицинской карте.",
        "Пациенты городских поликлиник.",
        "Сразу после приёма у врача.",
        "В любой аптеке города.",
        "Назовите в аптеке номер полиса ОМС.",
        'href="https://example.org/pharmacies"',
    ):
        assert words in html, words
    assert "оформлять ничего не нужно" not in html


def test_an_external_service_leads_to_its_partner_through_the_counted_way_out(client, definitions):
    external_url_set("active-citizen", "https://ag.mos.ru/")

    html = html_of(client.get("/services/active-citizen/"))

    assert "Проект «Активный гражданин»" in html
    assert "Голосования о городских решениях." in html
    assert 'href="/services/active-citizen/go"' in html
    response = client.get("/services/active-citizen/go")
    assert response.status_code == 302
    assert response.url == "https://ag.mos.ru/"


def test_a_form_service_without_a_definition_says_where_to_go(client, offices, db):
    html = html_of(client.get("/services/passport/"))

    assert "Скоро на портале" not in html
    assert "центрах госуслуг «Мои документы»" in html
    assert "Центр госуслуг района Тестовый-1" in html


@pytest.mark.parametrize(
    "slug", ["resident-parking-permit", "e-prescriptions", "active-citizen", "school-diary"]
)
def test_related_services_are_of_the_same_category(client, definitions, slug):
    response = client.get(f"/services/{slug}/")
    service = response.context["service"]
    related = response.context["related"]

    assert related
    assert {other.category_id for other in related} == {service.category_id}


def test_the_cabinet_lists_open_applications(client, citizen, definitions):
    application = services.application_start(
        actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
    )
    client.force_login(citizen.user)

    html = html_of(client.get(reverse("web:cabinet")))

    assert reverse("applications:detail", args=[application.public_id]) in html
    assert "Прием в спортивную школу" in html
    assert reverse("applications:mine") in html
    assert "Скоро на портале" not in html


def test_my_applications_list_says_what_to_do_next(
    client, citizen, definitions, django_assert_max_num_queries
):
    for _ in range(3):
        services.application_start(actor=citizen.user, service_slug="library-card")
    client.force_login(citizen.user)

    with django_assert_max_num_queries(10):
        html = html_of(client.get(reverse("applications:mine")))

    assert html.count("Заполните и отправьте заявление") == 3
