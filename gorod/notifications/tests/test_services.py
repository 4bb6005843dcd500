import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from gorod.accounts.tests.factories import PersonFactory
from gorod.notifications.models import Message
from gorod.notifications.services import Draft, in_every_language, messages_enqueue


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
