"""The clock's work on appointments: reminders before a visit, no-shows after it.

Both run every few minutes (gorod/health/tasks.py) and are idempotent: a reminder is one
outbox row per appointment, moment and recipient (its key), and a no-show is a conditional
update of a still-booked row, so a second node or a rerun changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Guardianship
from gorod.appointments import rules
from gorod.appointments.models import Appointment
from gorod.appointments.services.scheduling import when_label
from gorod.core.audit import audit_record
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

REMINDER_TOPIC = "health.reminder"
# No-shows are marked this many appointments per transaction (and per audit row).
NO_SHOW_BATCH = 1000


@dataclass(frozen=True)
class RemindersSent:
    # Appointments with a reminder due now, and the messages newly written for them.
    appointments: int
    messages: int


def _reminder(appointment: Appointment, *, person_id: int, hours: int, link: str) -> Draft:
    role = appointment.slot.role

    def compose() -> tuple[str, str]:
        values = {
            "patient": appointment.person.full_name,
            "when": when_label(appointment.start),
            "specialty": appointment.specialty.display_name,
            "doctor": role.practitioner.full_name,
            "address": role.location.address,
            "room": role.room,
        }
        place = (
            _("Адрес: %(address)s, кабинет %(room)s.") if role.room else _("Адрес: %(address)s.")
        ) % values
        body = " ".join(
            (
                _("%(patient)s, %(when)s — приём: %(specialty)s, %(doctor)s.") % values,
                place,
                _("Если прийти не получится, отмените запись: время достанется другим."),
            )
        )
        return _("Напоминание: приём у врача %(when)s") % values, body

    return Draft(
        person_id=person_id,
        key=f"{REMINDER_TOPIC}:{appointment.pk}:{hours}h:{person_id}",
        texts=in_every_language(compose),
        link=link,
    )


def appointment_reminders_send(*, now: datetime | None = None) -> RemindersSent:
    """Write the reminders due now (GOROD_HEALTH_REMINDER_HOURS before each visit).

    Two reads whatever the number of appointments: the booked ones within the largest
    lead time (streamed), and the guardians of the patients among them who have no login.
    The rule (`rules.reminders_due`) sends only the latest moment passed and none that had
    passed when the patient booked.
    """
    now = now or timezone.now()
    hours_before = tuple(settings.GOROD_HEALTH_REMINDER_HOURS)
    if not hours_before:
        return RemindersSent(0, 0)
    upcoming = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        start__gt=now,
        start__lte=now + timedelta(hours=max(hours_before)),
    )
    guardians: dict[int, list[int]] = defaultdict(list)
    for child_id, guardian_id in Guardianship.objects.filter(
        child__user__isnull=True, child_id__in=upcoming.values("person_id")
    ).values_list("child_id", "guardian_id"):
        guardians[child_id].append(guardian_id)
    link = reverse("health:appointments")
    due_count = 0

    def drafts():
        nonlocal due_count
        rows = upcoming.select_related(
            "person", "specialty", "slot__role__practitioner", "slot__role__location"
        ).order_by("start", "pk")
        for appointment in rows.iterator(chunk_size=2000):
            hours = rules.reminders_due(
                start=appointment.start,
                booked_at=appointment.created_at,
                now=now,
                hours_before=hours_before,
            )
            if hours is None:
                continue
            due_count += 1
            person = appointment.person
            recipients = [person.pk] if person.user_id else guardians.get(person.pk, [])
            for person_id in recipients:
                yield _reminder(appointment, person_id=person_id, hours=hours, link=link)

    messages = messages_enqueue(topic=REMINDER_TOPIC, drafts=drafts())
    return RemindersSent(due_count, messages)


@dataclass(frozen=True)
class NoShowsMarked:
    appointments: list[int]

    @property
    def count(self) -> int:
        return len(self.appointments)


def no_shows_mark(*, now: datetime | None = None) -> NoShowsMarked:
    """Booked appointments whose end + GOROD_HEALTH_NO_SHOW_GRACE_MINUTES has passed
    become no-shows.

    The rows are locked and changed by a conditional update in batches; a registrar
    marking the arrival at the same moment wins or loses cleanly. One audit row per batch
    (so per run, in practice) names the appointments: the task has no actor to record, and
    a row per appointment would double the writes of a city's evening for nothing the list
    does not already say. The slot stays taken: a no-show holds it (HOLDS_SLOT).
    """
    now = now or timezone.now()
    grace = timedelta(minutes=settings.GOROD_HEALTH_NO_SHOW_GRACE_MINUTES)
    marked: list[int] = []
    while True:
        with transaction.atomic():
            rows = list(
                Appointment.objects.select_for_update()
                .filter(status=Appointment.Status.BOOKED, end__lte=now - grace)
                .order_by("pk")
                .values_list("pk", "end")[:NO_SHOW_BATCH]
            )
            due = [pk for pk, end in rows if rules.no_show_due(end=end, now=now, grace=grace)]
            if due:
                Appointment.objects.filter(pk__in=due, status=Appointment.Status.BOOKED).update(
                    status=Appointment.Status.NOSHOW, updated_at=now
                )
                audit_record(
                    actor=None,
                    action="health.no_shows_mark",
                    count=len(due),
                    appointments=due,
                    grace_minutes=settings.GOROD_HEALTH_NO_SHOW_GRACE_MINUTES,
                )
        marked += due
        if len(rows) < NO_SHOW_BATCH or not due:
            return NoShowsMarked(marked)
