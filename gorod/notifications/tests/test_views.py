"""The cabinet's page of optional notifications: a plain form, the citizen's own choice."""

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.core.models import AuditEvent
from gorod.notifications.models import TopicPreference

pytestmark = pytest.mark.django_db

PAGE = "/cabinet/notifications/settings"
# The school's topics, registered when the app starts (the page lists every app's).
MARKS, HOMEWORK = "school.marks", "school.homework"
MAIN = re.compile(r"<main\b.*?</main>", re.S)
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S)
CYRILLIC = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё0-9.,:;«»()№ -]*")


@pytest.fixture
def citizen(client):
    person = PersonFactory()
    client.force_login(person.user)
    return client, person


def choices_of(person) -> dict[str, str]:
    return dict(TopicPreference.objects.filter(person=person).values_list("topic", "delivery"))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(PAGE, {MARKS: "off"}).status_code == 302
    assert not TopicPreference.objects.exists()


def test_the_page_groups_each_topic_s_choices_under_its_legend(citizen):
    client, person = citizen
    TopicPreference.objects.create(person=person, topic=MARKS, delivery="digest")
    page = client.get(PAGE).content.decode()
    assert page.count("<fieldset") == 2
    assert "<legend>Оценки в электронном дневнике</legend>" in page
    assert "<legend>Домашние задания</legend>" in page
    assert 'name="csrfmiddlewaretoken"' in page
    checked = re.findall(r'<input type="radio" name="([\w.]+)" value="(\w+)"[^>]*checked', page)
    assert sorted(checked) == [(HOMEWORK, "at_once"), (MARKS, "digest")]
    for radio_id in re.findall(r'<input type="radio"[^>]*id="([^"]+)"', page):
        assert f'<label for="{radio_id}">' in page
    assert "после 19:00" in page


def test_a_choice_is_saved_audited_and_the_page_redirects_with_a_notice(citizen):
    client, person = citizen
    response = client.post(PAGE, {MARKS: "digest", HOMEWORK: "off"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert choices_of(person) == {MARKS: "digest", HOMEWORK: "off"}
    assert AuditEvent.objects.filter(action="notifications.preferences_set").count() == 1
    page = client.get(PAGE).content.decode()
    assert "Настройки уведомлений сохранены." in page


def test_a_choice_that_is_not_offered_is_shown_and_nothing_is_saved(citizen):
    client, person = citizen
    response = client.post(PAGE, {MARKS: "hourly", HOMEWORK: "off"})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert choices_of(person) == {}


def test_a_citizen_changes_only_their_own_choices(citizen):
    client, person = citizen
    other = PersonFactory()
    TopicPreference.objects.create(person=other, topic=MARKS, delivery="digest")
    client.post(PAGE, {MARKS: "off", HOMEWORK: "off", "person": other.pk})
    assert choices_of(other) == {MARKS: "digest"}
    assert choices_of(person) == {MARKS: "off", HOMEWORK: "off"}


def test_a_post_without_the_csrf_token_is_refused(citizen):
    _client, person = citizen
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(person.user)
    assert guarded.post(PAGE, {MARKS: "off", HOMEWORK: "off"}).status_code == 403
    assert choices_of(person) == {}


def test_a_staff_login_without_a_resident_record_has_nothing_to_choose(client):
    client.force_login(UserFactory())
    page = client.get(PAGE).content.decode()
    assert "<fieldset" not in page
    assert "нет карточки жителя" in page


def test_the_cabinet_links_to_the_page(citizen, catalog):
    client, _person = citizen
    assert f'href="{PAGE}"' in client.get("/cabinet/").content.decode()


def test_the_page_in_english_has_no_russian_of_the_portal_s_own(citizen):
    client, _person = citizen
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The request switches this thread to English; leave it as the next test expects.
    with translation.override(translation.get_language()):
        page = client.get(PAGE).content.decode()
    assert '<html lang="en">' in page
    text = html.unescape(TAG.sub(" ", MAIN.search(page).group(0)))
    assert CYRILLIC.findall(text) == []
    assert "Marks in the school diary" in text
    assert "once a day, in one digest" in text
