"""Each service's applications in a period, as the GOV.UK Performance Platform counts them.

Read from the applications' status history (Event rows, written by every move and never
changed): a count is of the moves made in the period, by the city's calendar day they were
made on, so a report of March says the same in April however the applications have moved
since. Two aggregate queries whatever the number of services: the moves per service, status
and submission channel; the decisions with their submission day and term. The figures are
computed by analytics.rules (docs/analytics.md, "Applications by service").

The channel an application was sent through is the channel of the use its submission
recorded (Application.use_id → analytics' UsageEvent); a use not written (usage recording
off, an event lost in a crash) shows as "unknown".
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gorod.analytics import rules as analytics_rules
from gorod.analytics.models import UsageEvent
from gorod.applications import rules
from gorod.applications.models import Event
from gorod.core.calendar import is_working_day
from gorod.core.clock import city_zone, local_date

COMPLETED = "completed"
REFUSED = "refused"
REFUSED_TO_ACCEPT = "refused_to_accept"
WITHDRAWN = "withdrawn"
# The moves a department decides with: the processing time runs from submission to these.
DECISIONS = (rules.RESULT_READY, REFUSED, REFUSED_TO_ACCEPT)
# The moves counted, and the flow each one adds to.
FLOW_OF_STATUS = {
    rules.DRAFT: "started",
    rules.SUBMITTED: "submitted",
    COMPLETED: "completed",
    REFUSED_TO_ACCEPT: "refused_to_accept",
    REFUSED: "refused",
    WITHDRAWN: "withdrawn",
}
# The cohort each counted move opens: of the drafts started, those sent since; of the
# applications sent, those completed since (their status now says so: neither goes back).
ONWARD = Q(to_status=rules.DRAFT, application__submitted_at__isnull=False) | Q(
    to_status=rules.SUBMITTED, application__status=COMPLETED
)
ONWARD_FLOW = {rules.DRAFT: "started_then_submitted", rules.SUBMITTED: "submitted_then_completed"}
UNKNOWN_CHANNEL = "unknown"

_SERVICE = ("application__service__slug", "application__service__title")
_SERVICE_EN = "application__service__title_en"


def applications_figures_for(period: analytics_rules.Period) -> analytics_rules.ApplicationsFigures:
    """Every service's figures for `period` (city days, both ends included)."""
    zone = city_zone()
    start = analytics_rules.day_bounds(period.first, zone)[0]
    end = analytics_rules.day_bounds(period.last, zone)[1]
    in_period = Q(kind=Event.Kind.STATUS, at__gte=start, at__lt=end)
    titles: dict[str, str] = {}
    english = get_language() == "en"

    def title_of(slug: str, title: str, title_en: str) -> str:
        titles[slug] = title_en if english and title_en else title
        return slug

    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    channels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    channel_of_use = UsageEvent.objects.filter(pk=OuterRef("application__use_id")).values(
        "channel"
    )[:1]
    moves = (
        Event.objects.filter(in_period, to_status__in=list(FLOW_OF_STATUS))
        .annotate(channel=Subquery(channel_of_use))
        .values(*_SERVICE, _SERVICE_EN, "to_status", "channel")
        .annotate(
            count=Count("application", distinct=True),
            onward=Count("application", distinct=True, filter=ONWARD),
        )
        .order_by()
    )
    for row in moves:
        slug = title_of(row[_SERVICE[0]], row[_SERVICE[1]], row[_SERVICE_EN])
        status = row["to_status"]
        counts[slug][FLOW_OF_STATUS[status]] += row["count"]
        if status in ONWARD_FLOW:
            counts[slug][ONWARD_FLOW[status]] += row["onward"]
        if status == rules.SUBMITTED:
            channels[slug][row["channel"] or UNKNOWN_CHANNEL] += row["count"]

    decided = list(
        Event.objects.filter(in_period, to_status__in=DECISIONS)
        .order_by()
        .values_list(
            *_SERVICE, _SERVICE_EN, "at", "application__submitted_at", "application__due_on"
        )
    )
    between = working_days_counter(
        day for _s, _t, _e, at, sent, _due in decided for day in (local_date(at), local_date(sent))
    )
    decisions: dict[str, list[analytics_rules.Decided]] = defaultdict(list)
    for slug, title, title_en, at, sent_at, due_on in decided:
        decided_on, sent_on = local_date(at), local_date(sent_at)
        decisions[title_of(slug, title, title_en)].append(
            analytics_rules.Decided(
                working_days=between(sent_on, decided_on),
                calendar_days=max((decided_on - sent_on).days, 0),
                on_time=None if due_on is None else decided_on <= due_on,
            )
        )
    return analytics_rules.applications_figures(
        period,
        flows={slug: analytics_rules.ApplicationFlows(**values) for slug, values in counts.items()},
        decisions=dict(decisions),
        channels={slug: dict(values) for slug, values in channels.items()},
        titles=titles,
        total_title=_("Все услуги"),
    )


def working_days_counter(days: Iterable[date]) -> Callable[[date, date], int]:
    """core.calendar.working_days_between for days within the span of `days`, each answer a
    subtraction: the calendar is walked once, not once per application."""
    span = list(days)
    cumulative: dict[date, int] = {}
    if span:
        day, last, count = min(span), max(span), 0
        cumulative[day] = 0
        while day < last:
            day += timedelta(days=1)
            count += is_working_day(day)
            cumulative[day] = count

    def between(first: date, last: date) -> int:
        return cumulative[last] - cumulative[first] if last > first else 0

    return between
