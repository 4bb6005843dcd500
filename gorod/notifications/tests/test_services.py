import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.translation import gettext as _

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.core.errors import Invalid, NotFound
from gorod.core.models import AuditEvent
from gorod.notifications import topics
from gorod.notifications.models import DigestItem, Message, TopicPreference
from gorod.notifications.services import (
    Draft,
    in_every_language,
    messages_enqueue,
    topic_preferences_set,
)
from gorod.notifications.topics import OptionalTopic, optional_topics

Delivery = TopicPreference.Delivery


def fixed_text() -> tuple[str, str]:
    return "Тема", "Текст"


@pytest.mark.django_db
def test_the_outbox_writes_each_key_once():
    people = PersonFactory.create_batch(3)
    texts = in_every_language(fixed_text)
    drafts = [Draft(person.pk, f"test:{person.pk}", texts) for person in people]
    assert messages_enqueue(topic="test", drafts=drafts[:2], batch_size=1) == 2
    assert messages_enqueue(topic="test", drafts=drafts, batch_size=2) == 1
    assert Message.objects.count() == 3
    assert set(Message.objects.values_list("topic", flat=True)) == {"test"}


def test_a_text_is_composed_under_each_language():
    # Django's own catalog translates "Yes"; what the portal writes goes the same way.
    texts = in_every_language(lambda: (_("Yes"), translation.get_language()))
    assert texts == {"ru": ("Да", "ru"), "en": ("Yes", "en")}


@pytest.mark.django_db
def test_a_message_reads_in_the_readers_language():
    person = PersonFactory()
    texts = {"ru": ("Тема", "Текст"), "en": ("Subject", "Text")}
    messages_enqueue(topic="test", drafts=[Draft(person.pk, "test:1", texts)])
    message = Message.objects.get()
    assert (message.subject, message.body) == ("Тема", "Текст")
    with translation.override("en"):
        assert (message.display_subject, message.display_body) == ("Subject", "Text")
    with translation.override("ru"):
        assert (message.display_subject, message.display_body) == ("Тема", "Текст")


@pytest.mark.django_db
def test_a_message_written_before_english_falls_back_to_russian():
    message = Message.objects.create(
        person=PersonFactory(), topic="old", key="old:1", subject="Тема", body="Текст"
    )
    with translation.override("en"):
        assert (message.display_subject, message.display_body) == ("Тема", "Текст")


OPTIONAL = OptionalTopic("test.optional", "Тестовая тема", "Описание темы")


@pytest.fixture
def optional_topic(monkeypatch) -> OptionalTopic:
    """A topic registered for this test only (the registry is put back after it)."""
    monkeypatch.setattr(topics, "_registered", dict(topics._registered))
    topics.topic_register(OPTIONAL)
    return OPTIONAL


def choose(person, delivery: str, topic: str = OPTIONAL.code) -> None:
    TopicPreference.objects.create(person=person, topic=topic, delivery=delivery)


def enqueue_one_each(people, topic: str = OPTIONAL.code, key: str = "k") -> int:
    texts = {"ru": ("Тема", "Текст"), "en": ("Subject", "Text")}
    drafts = [Draft(person.pk, f"{topic}:{key}:{person.pk}", texts, "/x") for person in people]
    return messages_enqueue(topic=topic, drafts=drafts)


@pytest.mark.django_db
def test_an_optional_topic_turned_off_is_not_written(optional_topic):
    reader, silent = PersonFactory.create_batch(2)
    choose(silent, Delivery.OFF)
    assert enqueue_one_each([reader, silent]) == 1
    assert list(Message.objects.values_list("person_id", flat=True)) == [reader.pk]
    assert not DigestItem.objects.exists()


@pytest.mark.django_db
def test_an_optional_topic_taken_once_a_day_is_held_for_the_digest(optional_topic):
    reader, daily = PersonFactory.create_batch(2)
    choose(daily, Delivery.DIGEST)
    assert enqueue_one_each([reader, daily]) == 2
    assert list(Message.objects.values_list("person_id", flat=True)) == [reader.pk]
    held = DigestItem.objects.get()
    assert (held.person, held.topic, held.digested_at) == (daily, OPTIONAL.code, None)
    assert (held.subject, held.subject_en, held.link) == ("Тема", "Subject", "/x")


@pytest.mark.django_db
def test_an_optional_topic_chosen_at_once_is_written_at_once(optional_topic):
    reader = PersonFactory()
    choose(reader, Delivery.AT_ONCE)
    assert enqueue_one_each([reader]) == 1
    assert Message.objects.get().person == reader
    assert not DigestItem.objects.exists()


@pytest.mark.django_db
def test_a_topic_nobody_registered_is_written_whatever_was_chosen(optional_topic):
    reader = PersonFactory()
    choose(reader, Delivery.OFF, topic="test.mandatory")
    assert enqueue_one_each([reader], topic="test.mandatory") == 1
    assert Message.objects.get().topic == "test.mandatory"


@pytest.mark.django_db
def test_a_key_held_for_the_digest_is_not_told_again_at_once(optional_topic):
    reader = PersonFactory()
    choose(reader, Delivery.DIGEST)
    enqueue_one_each([reader])
    TopicPreference.objects.filter(person=reader).update(delivery=Delivery.AT_ONCE)
    assert enqueue_one_each([reader]) == 0
    assert not Message.objects.exists()
    assert enqueue_one_each([reader], key="other") == 1
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_the_citizen_sets_their_own_choices_and_only_changes_are_written_and_audited(
    optional_topic,
):
    person = PersonFactory()
    changed = topic_preferences_set(
        actor=person.user, choices={OPTIONAL.code: Delivery.DIGEST, "school.marks": "at_once"}
    )
    assert changed == {OPTIONAL.code: Delivery.DIGEST}  # at once is what it already was
    assert list(TopicPreference.objects.values_list("person_id", "topic", "delivery")) == [
        (person.pk, OPTIONAL.code, Delivery.DIGEST)
    ]
    event = AuditEvent.objects.get(action="notifications.preferences_set")
    assert (event.actor, event.target_id, event.data) == (
        person.user,
        str(person.pk),
        {"changed": {OPTIONAL.code: "digest"}},
    )
    assert topic_preferences_set(actor=person.user, choices={OPTIONAL.code: "digest"}) == {}
    topic_preferences_set(actor=person.user, choices={OPTIONAL.code: Delivery.OFF})
    assert TopicPreference.objects.get().delivery == Delivery.OFF
    assert AuditEvent.objects.filter(action="notifications.preferences_set").count() == 2


@pytest.mark.django_db
def test_choices_of_unknown_topics_or_deliveries_and_of_nobody_are_refused(optional_topic):
    person = PersonFactory()
    with pytest.raises(Invalid) as refused:
        topic_preferences_set(actor=person.user, choices={"housing.window_open": "off"})
    assert refused.value.code == "topic_not_optional"
    with pytest.raises(Invalid) as refused:
        topic_preferences_set(actor=person.user, choices={OPTIONAL.code: "hourly"})
    assert refused.value.code == "delivery_unknown"
    with pytest.raises(NotFound):
        topic_preferences_set(actor=AnonymousUser(), choices={OPTIONAL.code: "off"})
    with pytest.raises(NotFound):  # a staff login without a resident's record
        topic_preferences_set(actor=UserFactory(), choices={OPTIONAL.code: "off"})
    assert not TopicPreference.objects.exists()
    assert not AuditEvent.objects.filter(action="notifications.preferences_set").exists()


def test_the_school_s_topics_are_registered_when_the_app_starts():
    assert {"school.marks", "school.homework"} <= {topic.code for topic in optional_topics()}
