"""Writes of the outbox."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from gorod.notifications.models import Message


@dataclass(frozen=True)
class Draft:
    person_id: int
    key: str
    subject: str
    body: str
    link: str = ""


def messages_enqueue(*, topic: str, drafts: Iterable[Draft], batch_size: int = 1000) -> int:
    """Put messages in the outbox, skipping keys already there; return how many are new.

    Idempotent by `key`, so a reminder task may run again (or on two nodes at once)
    without a citizen hearing twice.
    """
    created = 0
    batch: list[Message] = []

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            keys = [message.key for message in batch]
            existing = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
            fresh = [message for message in batch if message.key not in existing]
            Message.objects.bulk_create(fresh, ignore_conflicts=True)
            created += len(fresh)
        batch.clear()

    for draft in drafts:
        batch.append(
            Message(
                person_id=draft.person_id,
                topic=topic,
                key=draft.key,
                subject=draft.subject,
                body=draft.body,
                link=draft.link,
            )
        )
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return created


def messages_mark_read(*, person, now: datetime) -> int:
    """Mark every unread message of a person read; how many were."""
    return Message.objects.filter(person=person, read_at__isnull=True).update(read_at=now)
