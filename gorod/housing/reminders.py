"""The meter window's reminders: written to the outbox once per person and period."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.housing import rules, selectors
from gorod.notifications.services import Draft, messages_enqueue


@dataclass(frozen=True)
class RemindersSent:
    topic: str | None  # None: no reminder is due now
    messages: int


def window_reminders_send(*, now: datetime | None = None) -> RemindersSent:
    """Write this period's reminders to the outbox for people who have not submitted.

    The opening reminder is due from the first day of the window, the closing one from
    GOROD_METER_REMINDER_DAYS_BEFORE_CLOSE days before the last; each is written once per
    person and period (the outbox key), so a worker that was down catches up and a
    worker that runs twice does not repeat itself.
    """
    now = now or timezone.now()
    state = selectors.window_state(now)
    if not state.open:
        return RemindersSent(None, 0)
    today = selectors.local_today(now)
    closing_from = state.closes_on - timedelta(days=settings.GOROD_METER_REMINDER_DAYS_BEFORE_CLOSE)
    if today >= closing_from:
        topic = "housing.window_closing"
        subject = _("Осталось несколько дней, чтобы передать показания счётчиков")
        body = _(
            "Приём показаний за %(period)s закрывается %(closes)s. Без показаний начисление "
            "пойдёт по среднему расходу, а потом по нормативу."
        )
    else:
        topic = "housing.window_open"
        subject = _("Пора передать показания счётчиков")
        body = _("Приём показаний за %(period)s открыт до %(closes)s включительно.")
    values = {
        "period": rules.period_label(state.period),
        "closes": rules.day_month(state.closes_on),
    }
    link = reverse("housing:meters")
    drafts = (
        Draft(
            person_id=person_id,
            key=f"{topic}:{state.period:%Y-%m}:{person_id}",
            subject=str(subject),
            body=str(body) % values,
            link=link,
        )
        for person_id in selectors.people_without_readings(period=state.period, today=today)
    )
    return RemindersSent(topic, messages_enqueue(topic=topic, drafts=drafts))
