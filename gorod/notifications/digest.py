"""The daily digest: the messages a citizen takes once a day, in one message.

From GOROD_DIGEST_HOUR (the city's time) the hourly task writes each person with waiting
items one Message listing them, keyed `digest:<person>:<date>`, and marks the items
digested in the same transaction. A second run that day finds the key and writes nothing;
what arrives after the day's digest waits for the next day's. A worker that was down
catches up at its first run past the hour.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gorod.core import clock
from gorod.notifications.models import DigestItem, Message
from gorod.notifications.services import Draft, Text, in_every_language

DIGEST_TOPIC = "digest"
# People whose waiting items are read at once: bounds the memory of a run.
PEOPLE_PER_READ = 500


@dataclass(frozen=True)
class DigestsSent:
    day: date | None  # None: before the hour, nothing is due yet
    messages: int
    items: int


def digest_key(person_id: int, day: date) -> str:
    return f"{DIGEST_TOPIC}:{person_id}:{day.isoformat()}"


def digests_send(*, now: datetime | None = None) -> DigestsSent:
    """Write today's digests due now (idempotent; see the module's notes)."""
    now = now or clock.now()
    local = clock.local_now(now)
    if local.hour < settings.GOROD_DIGEST_HOUR:
        return DigestsSent(None, 0, 0)
    day = local.date()
    waiting = DigestItem.objects.filter(digested_at__isnull=True, created_at__lte=now)
    people = list(waiting.values_list("person_id", flat=True).distinct().order_by("person_id"))
    messages = items = 0
    for start in range(0, len(people), PEOPLE_PER_READ):
        chunk = people[start : start + PEOPLE_PER_READ]
        done = set(
            Message.objects.filter(
                key__in=[digest_key(person_id, day) for person_id in chunk]
            ).values_list("person_id", flat=True)
        )
        by_person: dict[int, list[DigestItem]] = {}
        for item in waiting.filter(person_id__in=set(chunk) - done).order_by("created_at", "pk"):
            by_person.setdefault(item.person_id, []).append(item)
        for person_id, held in by_person.items():
            if _digest_write(person_id, held, day=day, now=now):
                messages += 1
                items += len(held)
    return DigestsSent(day, messages, items)


def _digest_write(person_id: int, held: list[DigestItem], *, day: date, now: datetime) -> bool:
    """One person's digest and its items marked digested, together or not at all.

    Another worker digesting the same person at once claims some of the items first (the
    update's count falls short) or writes the day's key first (the insert fails): this one
    then writes nothing."""
    try:
        with transaction.atomic():
            claimed = DigestItem.objects.filter(
                pk__in=[item.pk for item in held], digested_at__isnull=True
            ).update(digested_at=now)
            if claimed != len(held):
                transaction.set_rollback(True)
                return False
            links = {item.link for item in held}
            draft = Draft(
                person_id=person_id,
                key=digest_key(person_id, day),
                texts=in_every_language(lambda: _compose(held, day)),
                # One place to act on, when all the items point there.
                link=links.pop() if len(links) == 1 else "",
            )
            Message.objects.create(topic=DIGEST_TOPIC, **draft.words())
    except IntegrityError:
        return False
    return True


def _compose(held: list[DigestItem], day: date) -> Text:
    """The digest's words in the active language: a line per item, oldest first."""
    lines = [f"— {item.display_subject}. {item.display_body}" for item in held]
    return _("Уведомления за %(day)s") % {"day": date_format(day, "j E")}, "\n".join(lines)
