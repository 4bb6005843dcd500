"""The daily digest: from the hour, one message per person and day listing what was held,
in every language; a second run, or a second worker, writes nothing more."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from gorod.accounts.tests.factories import PersonFactory
from gorod.notifications import topics
from gorod.notifications.digest import _digest_write, digest_key, digests_send
from gorod.notifications.models import DigestItem, Message, TopicPreference
from gorod.notifications.services import Draft, messages_enqueue
from gorod.notifications.topics import OptionalTopic

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
OPTIONAL = OptionalTopic("test.daily", "Тестовая тема", "Описание темы")
MORNING = datetime(2026, 9, 14, 9, 0, tzinfo=MOSCOW)
BEFORE_THE_HOUR = datetime(2026, 9, 14, 18, 59, tzinfo=MOSCOW)
THE_HOUR = datetime(2026, 9, 14, 19, 0, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def optional_topic(monkeypatch):
    monkeypatch.setattr(topics, "_registered", dict(topics._registered))
    topics.topic_register(OPTIONAL)


def hold(person, key: str, subject: str = "Оценки", body: str = "Пять.", link: str = "/a"):
    TopicPreference.objects.get_or_create(
        person=person, topic=OPTIONAL.code, defaults={"delivery": "digest"}
    )
    texts = {"ru": (subject, body), "en": (f"{subject} (en)", f"{body} (en)")}
    messages_enqueue(topic=OPTIONAL.code, drafts=[Draft(person.pk, key, texts, link)])


def test_nothing_is_due_before_the_hour_of_the_city(time_machine):
    time_machine.move_to(MORNING)
    hold(PersonFactory(), "k1")
    sent = digests_send(now=BEFORE_THE_HOUR)
    assert (sent.day, sent.messages) == (None, 0)
    assert not Message.objects.exists()
    assert not DigestItem.objects.filter(digested_at__isnull=False).exists()


def test_the_hour_is_the_city_s_not_utc(time_machine, settings):
    time_machine.move_to(MORNING)
    hold(PersonFactory(), "k1")
    # 16:30 UTC is 19:30 in Moscow: due; 15:30 UTC (18:30 in Moscow) is not.
    assert digests_send(now=datetime(2026, 9, 14, 15, 30, tzinfo=ZoneInfo("UTC"))).messages == 0
    assert digests_send(now=datetime(2026, 9, 14, 16, 30, tzinfo=ZoneInfo("UTC"))).messages == 1
    settings.GOROD_DIGEST_HOUR = 21
    time_machine.move_to(MORNING + timedelta(days=1))
    hold(PersonFactory(), "k2")
    assert digests_send(now=THE_HOUR + timedelta(days=1)).messages == 0


def test_one_digest_per_person_lists_the_held_items_in_every_language(time_machine):
    time_machine.move_to(MORNING)
    first, second, at_once = PersonFactory.create_batch(3)
    hold(first, "k1", "Оценки", "Пять.")
    hold(first, "k2", "Домашнее задание", "№ 12.")
    hold(second, "k3")
    messages_enqueue(
        topic=OPTIONAL.code,
        drafts=[Draft(at_once.pk, "k4", {"ru": ("Сразу", "Текст"), "en": ("Now", "Text")})],
    )
    sent = digests_send(now=THE_HOUR)
    assert (sent.day, sent.messages, sent.items) == (THE_HOUR.date(), 2, 3)
    digest = Message.objects.get(person=first, topic="digest")
    assert digest.key == digest_key(first.pk, THE_HOUR.date()) == f"digest:{first.pk}:2026-09-14"
    assert digest.subject == "Уведомления за 14 сентября"
    assert digest.body == "— Оценки. Пять.\n— Домашнее задание. № 12."
    assert digest.link == "/a"  # both items point there
    with translation.override("en"):
        assert digest.display_subject == "Notifications of 14 September"
        assert digest.display_body.splitlines() == [
            "— Оценки (en). Пять. (en)",
            "— Домашнее задание (en). № 12. (en)",
        ]
    assert Message.objects.filter(person=second, topic="digest").count() == 1
    assert not Message.objects.filter(person=at_once, topic="digest").exists()
    assert not DigestItem.objects.filter(digested_at__isnull=True).exists()


def test_a_second_run_writes_nothing_and_later_items_wait_for_the_next_day(time_machine):
    time_machine.move_to(MORNING)
    person = PersonFactory()
    hold(person, "k1")
    assert digests_send(now=THE_HOUR).messages == 1
    assert digests_send(now=THE_HOUR + timedelta(minutes=5)).messages == 0
    time_machine.move_to(THE_HOUR + timedelta(hours=1))
    hold(person, "k2", link="/b")
    assert digests_send(now=THE_HOUR + timedelta(hours=2)).messages == 0
    assert DigestItem.objects.get(key="k2").digested_at is None
    next_day = digests_send(now=THE_HOUR + timedelta(days=1))
    assert (next_day.messages, next_day.items) == (1, 1)
    assert Message.objects.filter(topic="digest").count() == 2
    assert Message.objects.get(key=f"digest:{person.pk}:2026-09-15").body == "— Оценки. Пять."


def test_items_with_different_links_make_a_digest_without_one(time_machine):
    time_machine.move_to(MORNING)
    person = PersonFactory()
    hold(person, "k1", link="/a")
    hold(person, "k2", link="/b")
    digests_send(now=THE_HOUR)
    assert Message.objects.get(topic="digest").link == ""


def test_items_another_worker_took_meanwhile_are_not_digested_twice(time_machine):
    time_machine.move_to(MORNING)
    person = PersonFactory()
    hold(person, "k1")
    hold(person, "k2")
    read = list(DigestItem.objects.order_by("pk"))
    DigestItem.objects.filter(key="k1").update(digested_at=THE_HOUR)  # the other worker's
    assert not _digest_write(person.pk, read, day=THE_HOUR.date(), now=THE_HOUR)
    assert not Message.objects.exists()
    assert DigestItem.objects.get(key="k2").digested_at is None


def test_the_digest_runs_hourly_in_the_worker(time_machine):
    assert ("gorod.notifications.tasks.send_digests", 60) in settings.GOROD_PERIODIC_TASKS
    time_machine.move_to(MORNING)
    hold(PersonFactory(), "k1")
    time_machine.move_to(THE_HOUR)
    result = import_string("gorod.notifications.tasks.send_digests").enqueue()
    assert result.return_value == {"day": "2026-09-14", "messages": 1, "items": 1}
