"""Background work of notifications, run by `gorod worker` (GOROD_PERIODIC_TASKS)."""

from django_tasks import task

from gorod.notifications.digest import digests_send


@task()
def send_digests() -> dict:
    """Write the day's digests once their hour has come (idempotent, hourly)."""
    sent = digests_send()
    return {
        "day": sent.day.isoformat() if sent.day else None,
        "messages": sent.messages,
        "items": sent.items,
    }
