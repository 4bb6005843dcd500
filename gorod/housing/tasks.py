"""Background work of meter readings, run by `gorod worker`."""

from django_tasks import task

from gorod.housing.reminders import window_reminders_send


@task()
def send_window_reminders() -> dict:
    """Remind people who have not sent this period's readings (idempotent, run hourly)."""
    sent = window_reminders_send()
    return {"topic": sent.topic, "messages": sent.messages}
