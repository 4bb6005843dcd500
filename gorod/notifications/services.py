"""Writes of the outbox."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation

from gorod.notifications.models import Message

# A message's words: its subject and its body.
Text = tuple[str, str]


def in_every_language(compose: Callable[[], Text]) -> dict[str, Text]:
    """`compose` run once under each of the portal's languages.

    `compose` builds the words with gettext and the data's own display names, so a value
    inside them (a specialty, a reason, a certificate's kind) is translated along with the
    sentence around it.
    """
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            subject, body = compose()
            texts[language] = (str(subject), str(body))
    return texts


@dataclass(frozen=True)
class Draft:
    person_id: int
    key: str
    # Language code → (subject, body), as `in_every_language` makes it.
    texts: Mapping[str, Text]
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
        subject, body = draft.texts[settings.LANGUAGE_CODE]
        subject_en, body_en = draft.texts.get("en", ("", ""))
        batch.append(
            Message(
                person_id=draft.person_id,
                topic=topic,
                key=draft.key,
                subject=subject,
                body=body,
                subject_en=subject_en,
                body_en=body_en,
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
