"""Reads of the outbox for the citizen's pages."""

from django.db.models import QuerySet

from gorod.notifications.models import Message

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
