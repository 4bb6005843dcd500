import pytest

from gorod.accounts.tests.factories import PersonFactory
from gorod.notifications.models import Message
from gorod.notifications.services import Draft, messages_enqueue


@pytest.mark.django_db
def test_the_outbox_writes_each_key_once():
    people = PersonFactory.create_batch(3)
    drafts = [Draft(person.pk, f"test:{person.pk}", "Тема", "Текст") for person in people]
    assert messages_enqueue(topic="test", drafts=drafts[:2], batch_size=1) == 2
    assert messages_enqueue(topic="test", drafts=drafts, batch_size=2) == 1
    assert Message.objects.count() == 3
    assert set(Message.objects.values_list("topic", flat=True)) == {"test"}
