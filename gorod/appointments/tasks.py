"""Background work of doctor appointments, run by `gorod worker` (GOROD_PERIODIC_TASKS)."""

from django_tasks import task

from gorod.appointments.services.scheduling import slots_open
from gorod.appointments.services.upkeep import appointment_reminders_send, no_shows_mark


@task()
def open_slots() -> dict:
    """Keep the horizon's slots generated, the next day's included (idempotent, hourly)."""
    opened = slots_open()
    return {
        "through": opened.through.isoformat(),
        "roles": opened.roles,
        "created": opened.created,
        "reopened": opened.reopened,
    }


@task()
def send_appointment_reminders() -> dict:
    """Write the 24-hour and 2-hour reminders due now (idempotent by the outbox key)."""
    sent = appointment_reminders_send()
    return {"appointments": sent.appointments, "messages": sent.messages}


@task()
def mark_no_shows() -> dict:
    """Booked visits past their end and the grace become no-shows."""
    return {"no_shows": no_shows_mark().count}
