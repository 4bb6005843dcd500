"""Writes of the outbox and of the citizen's choice of optional topics."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gorod.accounts.selectors import person_of
from gorod.core.audit import audit_record
from gorod.core.errors import Invalid, NotFound
from gorod.notifications.models import DigestItem, Message, TopicPreference
from gorod.notifications.topics import is_optional, optional_topics

# A message's words: its subject and its body.
Text = tuple[str, str]
Delivery = TopicPreference.Delivery


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

    def words(self) -> dict[str, str]:
        """The fields of a written message (Message or DigestItem) that the draft fills."""
        subject, body = self.texts[settings.LANGUAGE_CODE]
        subject_en, body_en = self.texts.get("en", ("", ""))
        return {
            "person_id": self.person_id,
            "key": self.key,
            "subject": subject,
            "body": body,
            "subject_en": subject_en,
            "body_en": body_en,
            "link": self.link,
        }


def messages_enqueue(*, topic: str, drafts: Iterable[Draft], batch_size: int = 1000) -> int:
    """Put messages in the outbox, skipping keys already there; return how many are new.

    Idempotent by `key`, so a reminder task may run again (or on two nodes at once)
    without a citizen hearing twice. An optional topic (topics.py) follows each reader's
    choice: nothing for one who turned it off, a DigestItem (counted as new) for one who
    takes it once a day; a key held for a digest is not written again either.
    """
    created = 0
    batch: list[Draft] = []
    optional = is_optional(topic)

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            keys = [draft.key for draft in batch]
            existing = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
            existing |= set(DigestItem.objects.filter(key__in=keys).values_list("key", flat=True))
            fresh = [draft for draft in batch if draft.key not in existing]
            chosen = _deliveries(topic, {draft.person_id for draft in fresh}) if optional else {}
            at_once, held = [], []
            for draft in fresh:
                delivery = chosen.get(draft.person_id, Delivery.AT_ONCE)
                if delivery == Delivery.AT_ONCE:
                    at_once.append(Message(topic=topic, **draft.words()))
                elif delivery == Delivery.DIGEST:
                    held.append(DigestItem(topic=topic, **draft.words()))
            Message.objects.bulk_create(at_once, ignore_conflicts=True)
            DigestItem.objects.bulk_create(held, ignore_conflicts=True)
            created += len(at_once) + len(held)
        batch.clear()

    for draft in drafts:
        batch.append(draft)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return created


def _deliveries(topic: str, person_ids: set[int]) -> dict[int, str]:
    """The choices the people made for the topic; those who made none take it at once."""
    if not person_ids:
        return {}
    return dict(
        TopicPreference.objects.filter(topic=topic, person_id__in=person_ids).values_list(
            "person_id", "delivery"
        )
    )


def messages_mark_read(*, person, now: datetime) -> int:
    """Mark every unread message of a person read; how many were."""
    return Message.objects.filter(person=person, read_at__isnull=True).update(read_at=now)


def topic_preferences_set(*, actor, choices: Mapping[str, str]) -> dict[str, str]:
    """The signed-in citizen's choice per optional topic (topic code → Delivery); returns
    what changed. Only the citizen's own: whose is the login's, never a parameter."""
    person = person_of(actor) if getattr(actor, "is_authenticated", False) else None
    if person is None:
        raise NotFound("person_not_found", _("У этой учётной записи нет карточки жителя."))
    codes = {topic.code for topic in optional_topics()}
    for code, delivery in choices.items():
        if code not in codes:
            raise Invalid("topic_not_optional", _("Такой темы уведомлений нет."), field=code)
        if delivery not in Delivery.values:
            raise Invalid("delivery_unknown", _("Выберите, как присылать."), field=code)
    with transaction.atomic():
        current = dict(
            TopicPreference.objects.filter(person=person).values_list("topic", "delivery")
        )
        changed = {
            code: delivery
            for code, delivery in choices.items()
            if current.get(code, Delivery.AT_ONCE) != delivery
        }
        if not changed:
            return changed
        # One upsert: two saves at once (two tabs) each leave a row, never a duplicate.
        TopicPreference.objects.bulk_create(
            [
                TopicPreference(person=person, topic=code, delivery=delivery)
                for code, delivery in changed.items()
            ],
            update_conflicts=True,
            unique_fields=["person", "topic"],
            update_fields=["delivery", "updated_at"],
        )
        audit_record(
            actor=actor, action="notifications.preferences_set", target=person, changed=changed
        )
    return changed
