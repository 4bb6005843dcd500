"""The meter window's reminders: written to the outbox once per person and period."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gorod.core import clock
from gorod.housing import rules, selectors
from gorod.notifications.services import Draft, in_every_language, messages_enqueue


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
    today = clock.local_date(now)
    closing_from = state.closes_on - timedelta(days=settings.GOROD_METER_REMINDER_DAYS_BEFORE_CLOSE)
    closing = today >= closing_from
    topic = "housing.window_closing" if closing else "housing.window_open"

    def compose() -> tuple[str, str]:
        values = {
            "period": _period_words(state.period),
            "closes": date_format(state.closes_on, "j E"),
        }
        if closing:
            return _("Осталось несколько дней, чтобы передать показания счётчиков"), _(
                "Приём показаний за %(period)s закрывается %(closes)s. Без показаний начисление "
                "пойдёт по среднему расходу, а потом по нормативу."
            ) % values
        return _("Пора передать показания счётчиков"), _(
            "Приём показаний за %(period)s открыт до %(closes)s включительно."
        ) % values

    texts = in_every_language(compose)
    link = reverse("housing:meters")
    drafts = (
        Draft(
            person_id=person_id,
            key=f"{topic}:{state.period:%Y-%m}:{person_id}",
            texts=texts,
            link=link,
        )
        for person_id in selectors.people_without_readings(period=state.period, today=today)
    )
    return RemindersSent(topic, messages_enqueue(topic=topic, drafts=drafts))


def _period_words(period: date) -> str:
    """The period in the active language: «ноябрь 2026» (in a sentence, lower case), or
    "November 2026"."""
    if get_language() == settings.LANGUAGE_CODE:
        return rules.period_label(period)
    return date_format(period, "F Y")
