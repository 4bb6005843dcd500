"""Reads of the outbox and of the citizen's choice of optional topics, for their pages."""

from dataclasses import dataclass

from django.db.models import QuerySet

from gorod.notifications.models import Message, TopicPreference
from gorod.notifications.topics import OptionalTopic, optional_topics

# The cabinet shows the newest few; each carries a link to where the citizen acts on it.
RECENT_MESSAGES = 5


def recent_messages(*, person, limit: int = RECENT_MESSAGES) -> QuerySet[Message]:
    """A person's newest messages, whatever the channel that delivers them."""
    if person is None:
        return Message.objects.none()
    return Message.objects.filter(person=person).order_by("-created_at", "-id")[:limit]


def unread_count(*, person) -> int:
    """How many of a person's messages they have not marked read."""
    if person is None:
        return 0
    return Message.objects.filter(person=person, read_at__isnull=True).count()


@dataclass(frozen=True)
class TopicChoice:
    topic: OptionalTopic
    delivery: str  # TopicPreference.Delivery


def topic_choices(*, person) -> list[TopicChoice]:
    """Every optional topic with the person's choice for it (at once where none was made)."""
    chosen = (
        dict(TopicPreference.objects.filter(person=person).values_list("topic", "delivery"))
        if person is not None
        else {}
    )
    return [
        TopicChoice(topic, chosen.get(topic.code, TopicPreference.Delivery.AT_ONCE))
        for topic in optional_topics()
    ]
