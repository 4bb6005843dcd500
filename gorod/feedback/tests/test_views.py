import pytest
from django.utils import timezone

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.models import UsageEvent
from gorod.feedback.models import Rating
from gorod.feedback.tests.conftest import rate, use_token

# The service page: session, user, catalog check, the use, the summary, the own rating.
SERVICE_PAGE_MAX_QUERIES = 12


def page_of(client, service) -> str:
    response = client.get(f"/services/{service.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_few_ratings_are_not_shown(client, citizen, service):
    for stars in (5,) * 9:
        rate(citizen, service, stars)
    page = page_of(client, service)
    assert "Оценок пока мало" in page
    assert "rating-distribution" not in page


def test_ten_ratings_show_average_count_and_distribution(client, citizen, service):
    for stars in (5,) * 7 + (4, 2, 1):
        rate(citizen, service, stars)
    page = page_of(client, service)
    assert '<span class="rating-number">4,2</span>' in page
    assert "оценок: 10" in page
    assert '<meter min="0" max="100" value="70"' in page
    assert "Оцените услугу" not in page  # anonymous visitors have no use to rate


def test_service_page_offers_a_one_click_rating_after_a_use(
    client, citizen, service, django_assert_max_num_queries
):
    client.force_login(citizen)
    with django_assert_max_num_queries(SERVICE_PAGE_MAX_QUERIES):
        page = page_of(client, service)
    assert "Оцените услугу" in page
    assert "<legend>Ваша оценка</legend>" in page
    assert 'maxlength="1000"' in page
    assert UsageEvent.objects.count() == 1


def test_rating_from_the_service_page(client, citizen, service):
    client.force_login(citizen)
    token = use_token(citizen, service)
    response = client.post(
        f"/feedback/services/{service.slug}/rate/",
        {"token": token, "stars": "4", "comment": "Всё нашёл"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/services/{service.slug}/"
    rating = Rating.objects.get()
    assert (rating.stars, rating.comment, rating.user) == (4, "Всё нашёл", citizen)
    again = client.post(f"/feedback/services/{service.slug}/rate/", {"token": token, "stars": "5"})
    assert again.status_code == 400
    assert "уже оценили" in again.content.decode()
    # Back on the page within the window: the citizen is offered to change the rating.
    page = page_of(client, service)
    assert "Изменить оценку" in page
    assert f"/feedback/ratings/{rating.pk}/edit/" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stars": "7"}, "Оценка — целое число звёзд от 1 до 5."),
        ({}, "Выберите оценку от 1 до 5 звёзд."),
        ({"stars": "3", "comment": "ж" * 1001}, "Комментарий не длиннее 1000 символов"),
    ],
)
def test_rating_form_errors_are_shown_next_to_fields(client, citizen, service, data, message):
    client.force_login(citizen)
    response = client.post(
        f"/feedback/services/{service.slug}/rate/", {"token": use_token(citizen, service), **data}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert not Rating.objects.exists()


def test_a_forged_receipt_is_refused_on_the_page(client, citizen, service):
    client.force_login(citizen)
    response = client.post(
        f"/feedback/services/{service.slug}/rate/", {"token": "forged", "stars": "5"}
    )
    assert response.status_code == 400
    assert "Не нашли обращения" in response.content.decode()


def test_edit_page(client, citizen, service):
    rating = rate(citizen, service, 2, "Долго")
    client.force_login(citizen)
    assert client.get(f"/feedback/ratings/{rating.pk}/edit/").status_code == 200
    response = client.post(
        f"/feedback/ratings/{rating.pk}/edit/", {"stars": "5", "comment": "Исправили"}
    )
    assert response.status_code == 302
    assert Rating.objects.get(pk=rating.pk).stars == 5
    Rating.objects.filter(pk=rating.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=40)
    )
    closed = client.post(f"/feedback/ratings/{rating.pk}/edit/", {"stars": "1"})
    assert "этот срок прошёл" in closed.content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/feedback/ratings/{rating.pk}/edit/").status_code == 404


def test_owner_pages(client, owner, citizen, service, other_service):
    low = rate(citizen, service, 1, "Не работает поиск аптеки")
    rate(citizen, service, 2, "Поиск не работает")
    rate(citizen, other_service, 1, "Чужой комментарий")
    client.force_login(owner)
    page = client.get("/feedback/owner/").content.decode()
    assert "Не работает поиск аптеки" in page
    assert "Чужой комментарий" not in page
    filtered = client.get(f"/feedback/owner/?service={service.slug}&stars=2").content.decode()
    assert "Поиск не работает" in filtered
    assert "Не работает поиск аптеки" not in filtered
    bad = client.get("/feedback/owner/?first=2025-02-01&last=2025-01-01")
    assert bad.status_code == 200
    assert "Конец периода раньше его начала." in bad.content.decode()
    answered = client.post(
        f"/feedback/owner/ratings/{low.pk}/answer/",
        {"answer": "Исправили", "next": "/feedback/owner/?stars=1"},
    )
    assert answered["Location"] == "/feedback/owner/?stars=1"
    tagged = client.post(
        f"/feedback/owner/ratings/{low.pk}/tag/",
        {"topic": "idea", "idea_status": "planned", "next": "https://evil.example/"},
    )
    assert tagged["Location"] == "/feedback/owner/"
    low.refresh_from_db()
    assert (low.answer, low.topic, low.idea_status) == ("Исправили", "idea", "planned")
    asks = client.get(f"/feedback/owner/asks/?service={service.slug}").content.decode()
    assert "не работать" in asks
    assert "поиск" in asks


def test_owner_pages_show_nothing_to_others(client, citizen, service):
    low = rate(citizen, service, 1, "Плохо")
    client.force_login(citizen)
    assert "Вы не отвечаете ни за одну услугу" in client.get("/feedback/owner/").content.decode()
    response = client.post(f"/feedback/owner/ratings/{low.pk}/answer/", {"answer": "Я"})
    assert response.status_code == 404


def test_owner_pages_need_a_login(client):
    response = client.get("/feedback/owner/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_owner_page_explains_a_date_outside_the_calendar(client, owner, service):
    client.force_login(owner)
    page = client.get("/feedback/owner/asks/", {"service": service.slug, "last": "0001-01-05"})
    assert page.status_code == 200
    assert "Укажите дату с 01.01.2000 по 31.12.2099." in page.content.decode()
