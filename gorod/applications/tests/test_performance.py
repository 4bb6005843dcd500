"""The services' figures read from the applications' history: exact, by the city's days, in
two queries whatever the number of services; every application sent is one use."""

import uuid
from datetime import date

import pytest

from gorod.analytics.applications_port import applications_figures_for
from gorod.analytics.models import UsageEvent
from gorod.analytics.rules import ApplicationFlows, Period
from gorod.applications.selectors import performance
from gorod.applications.services import citizen
from gorod.applications.tests.performance_data import (
    ATTACHMENT,
    HOME_VISIT,
    citizen_user,
    definitions_setup,
    march_history,
    moscow,
    submitted,
)

pytestmark = pytest.mark.django_db

MARCH = Period(date(2025, 3, 3), date(2025, 3, 16))


@pytest.fixture(autouse=True)
def _moves(catalog, tmp_path):
    definitions_setup(tmp_path)


@pytest.fixture
def history():
    return march_history()


def test_each_figure_is_counted_from_the_history(history):
    figures = performance.applications_figures_for(MARCH)
    assert [row.slug for row in figures.services] == [HOME_VISIT, ATTACHMENT]
    visit, attachment = figures.services
    assert visit.title == "Вызов врача на дом"
    assert visit.flows == ApplicationFlows(
        started=6,
        submitted=5,
        completed=1,
        refused_to_accept=1,
        refused=1,
        withdrawn=1,
        started_then_submitted=4,
        submitted_then_completed=1,
    )
    assert visit.rejected == 2
    assert visit.submitted_of_started == 4 / 6
    assert visit.completed_of_submitted == 1 / 5
    # Decisions: 1, 3 and 8 working days (1, 3, 10 calendar days); nearest rank.
    assert visit.decided == 3
    assert (visit.median_working_days, visit.p90_working_days) == (3, 8)
    assert (visit.median_calendar_days, visit.p90_calendar_days) == (3, 10)
    assert (visit.within_term, visit.with_term, visit.within_term_share) == (1, 2, 0.5)
    assert visit.channels == {"web": 2, "mobile": 1, "api": 2}
    assert visit.digital_take_up is None
    assert attachment.flows.submitted == attachment.flows.started == 1
    assert (attachment.median_working_days, attachment.median_calendar_days) == (0, 0)
    total = figures.total
    assert total.title == "Все услуги"
    assert (total.flows.submitted, total.decided) == (6, 4)
    # The median of every decision [0, 1, 3, 8], not of the services' medians.
    assert (total.median_working_days, total.p90_working_days) == (1, 8)
    assert total.channels == {"web": 3, "mobile": 1, "api": 2}


def test_a_period_counts_only_its_own_days(history):
    first_week = performance.applications_figures_for(Period(date(2025, 3, 3), date(2025, 3, 9)))
    [visit] = first_week.services
    assert (visit.flows.submitted, visit.flows.completed, visit.flows.refused) == (5, 1, 0)
    assert visit.decided == 2
    last_day = performance.applications_figures_for(Period(date(2025, 3, 17), date(2025, 3, 17)))
    [visit] = last_day.services
    assert visit.flows == ApplicationFlows(started=1)
    empty = performance.applications_figures_for(Period(date(2024, 1, 1), date(2024, 1, 31)))
    assert empty.services == []
    assert empty.total.flows == ApplicationFlows()
    assert empty.total.median_working_days is None


def test_a_submission_without_a_recorded_use_has_an_unknown_channel(history):
    UsageEvent.objects.filter(channel="mobile").delete()
    visit = performance.applications_figures_for(MARCH).services[0]
    assert visit.channels == {"web": 2, "unknown": 1, "api": 2}


def test_two_queries_whatever_the_number_of_services(history, django_assert_num_queries):
    user = citizen_user()
    for day in (11, 12, 13):
        submitted(user, ATTACHMENT, at=moscow(day))
    with django_assert_num_queries(2):
        figures = performance.applications_figures_for(MARCH)
    assert figures.services[1].flows.submitted == 4


def test_the_port_answers_with_the_selector(history):
    assert applications_figures_for(MARCH) == performance.applications_figures_for(MARCH)


def test_every_application_sent_is_one_use_and_a_draft_none():
    user = citizen_user()
    key = uuid.uuid4()
    first, second = (
        citizen.application_start(actor=user, service_slug=HOME_VISIT, start_key=key, now=moscow(3))
        for _click in range(2)
    )
    assert first.pk == second.pk
    citizen.application_step_save(
        actor=user, public_id=first.public_id, step=0, data={"note": ["да"]}, now=moscow(3)
    )
    # Starting (and resuming) a draft is not a use: the application is one, when sent.
    assert not UsageEvent.objects.exists()
    for _click in range(2):
        citizen.application_submit(
            actor=user, public_id=first.public_id, channel="web", now=moscow(3)
        )
    first.refresh_from_db()
    [use] = UsageEvent.objects.all()
    assert (use.pk, use.action, use.channel) == (first.use_id, "submit", "web")
    assert performance.applications_figures_for(MARCH).services[0].flows.submitted == 1
