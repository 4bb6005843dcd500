"""The family's pages: finding a group, applying, following the application."""

from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.clubs import geo
from gorod.clubs.models import Application, ApplicationEvent
from gorod.clubs.tests.factories import GroupFactory, GroupSessionFactory, ProgrammeFactory
from gorod.clubs.tests.test_desk_views import russian_left
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture(autouse=True)
def _catalog(catalog):
    """The service applications count as uses of."""


@pytest.fixture
def family(client):
    parent = PersonFactory()
    child = ChildFactory(birth_date=date(2017, 3, 1), first_name="Варя")
    Guardianship.objects.create(
        guardian=parent, child=child, kind="parent", verified_at=timezone.now()
    )
    client.force_login(parent.user)
    return parent, child


@pytest.fixture
def chess():
    programme = ProgrammeFactory(title="Шахматы", activity="Шахматы", age_min=6, age_max=12)
    group = GroupFactory(programme=programme, capacity=1, name="Начинающие")
    GroupSessionFactory(group=group, weekday=1, starts_at=time(16), ends_at=time(17))
    return group


def test_the_search_finds_a_group_by_an_everyday_word_and_shows_the_map(client, chess):
    page = client.get(reverse("clubs:search"), {"q": "шахматами"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Шахматы" in html
    assert 'class="clubs-map-svg"' in html
    assert "OpenStreetMap" in html


def test_bad_search_input_is_shown_next_to_its_field_and_the_rest_still_searches(client, chess):
    page = client.get(reverse("clubs:search"), {"age": "сто", "q": "шахматы", "page": "x"})
    assert page.status_code == 200
    assert "Шахматы" in page.content.decode()
    assert page.context["form"].errors["age"]


def test_a_parent_applies_from_the_group_page_and_follows_the_application(client, family, chess):
    _parent, child = family
    page = client.get(reverse("clubs:group", args=[chess.pk]))
    assert "Варя" in page.content.decode()
    answer = client.post(reverse("clubs:apply", args=[chess.pk]), {"child": child.pk})
    application = Application.objects.get()
    assert answer.url == reverse("clubs:application", args=[application.pk])
    detail = client.get(answer.url).content.decode()
    assert application.confirm_by.strftime("%d.%m.%Y") in detail
    listing = client.get(reverse("clubs:applications")).content.decode()
    assert "Шахматы" in listing


def test_a_refusal_is_shown_on_the_group_page_and_writes_nothing(client, family, chess):
    _parent, _child = family
    too_young = ChildFactory(birth_date=date(2022, 1, 1))
    Guardianship.objects.create(
        guardian=family[0], child=too_young, kind="parent", verified_at=timezone.now()
    )
    answer = client.post(reverse("clubs:apply", args=[chess.pk]), {"child": too_young.pk})
    assert answer.status_code == 422
    assert "6–12" in answer.content.decode()
    assert not Application.objects.exists()


def test_a_full_group_queues_the_child_and_shows_the_position(client, family, chess):
    other_parent = PersonFactory()
    other_child = ChildFactory(birth_date=date(2017, 1, 1))
    Guardianship.objects.create(
        guardian=other_parent, child=other_child, kind="parent", verified_at=timezone.now()
    )
    client.force_login(other_parent.user)
    client.post(reverse("clubs:apply", args=[chess.pk]), {"child": other_child.pk})
    _parent, child = family
    client.force_login(family[0].user)
    answer = client.post(reverse("clubs:apply", args=[chess.pk]), {"child": child.pk})
    detail = client.get(answer.url).content.decode()
    assert "1-е в очереди" in detail


def test_another_family_gets_the_404_page_and_changes_nothing(client, family, chess):
    _parent, child = family
    client.post(reverse("clubs:apply", args=[chess.pk]), {"child": child.pk})
    application = Application.objects.get()
    client.force_login(PersonFactory().user)
    assert client.get(reverse("clubs:application", args=[application.pk])).status_code == 404
    assert client.post(reverse("clubs:withdraw", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.INVITED
    assert ApplicationEvent.objects.count() == 1
    assert not AuditEvent.objects.filter(action="clubs.application_withdrawn").exists()


def test_a_stranger_cannot_apply_for_someone_elses_child(client, family, chess):
    _parent, child = family
    client.force_login(PersonFactory().user)
    answer = client.post(reverse("clubs:apply", args=[chess.pk]), {"child": child.pk})
    assert answer.status_code == 404
    assert not Application.objects.exists()


def test_anonymous_is_sent_to_sign_in_to_apply(client, chess):
    answer = client.post(reverse("clubs:apply", args=[chess.pk]), {"child": "1"})
    assert answer.status_code == 302
    assert "login" in answer.url
    assert not Application.objects.exists()


def test_the_family_withdraws_and_accepts_through_the_page(client, family, chess):
    _parent, child = family
    client.post(reverse("clubs:apply", args=[chess.pk]), {"child": child.pk})
    application = Application.objects.get()
    client.post(reverse("clubs:accept", args=[application.pk]))
    application.refresh_from_db()
    assert application.accepted_at is not None
    client.post(reverse("clubs:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Status.CANCELLED


def test_without_the_districts_boundaries_the_search_shows_the_list_alone(
    client, chess, settings, tmp_path
):
    settings.GOROD_DISTRICTS_GEOJSON = tmp_path / "absent.geojson"
    page = client.get(reverse("clubs:search"), {"q": "шахматы"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Шахматы" in html
    assert "clubs-map-svg" not in html


def test_the_familys_pages_speak_english(client, family, chess, settings):
    """Needs the pages' strings in the English catalogue (gorod/locale/en)."""
    _parent, child = family
    answer = client.post(reverse("clubs:apply", args=[chess.pk]), {"child": child.pk})
    client.get(answer.url)  # the message of the application, said in Russian, is read
    application = Application.objects.get()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "search": client.get(reverse("clubs:search"), {"q": "chess шахматы", "age": "сто"}),
        "group": client.get(reverse("clubs:group", args=[chess.pk])),
        "applications": client.get(reverse("clubs:applications")),
        "application": client.get(reverse("clubs:application", args=[application.pk])),
    }
    # The map names the city's districts and okrugs as the city does, in any language; the
    # query typed in Russian is repeated as typed, and the address hint's example is a
    # Moscow street as the venues' addresses spell it.
    map_names = {district.name for district in geo.districts()}
    map_names |= {district.okrug for district in geo.districts()}
    left = {}
    for name, response in pages.items():
        html = response.content.decode()
        assert '<html lang="en">' in html, name
        if words := russian_left(
            html, extra=[*map_names, "chess шахматы", "сто", "Ленинский проспект, 62"]
        ):
            left[name] = words
    assert not left, left
