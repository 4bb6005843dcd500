"""Two operators deciding one application at once: one decision, one history line.

Real threads, each with its own database connection (gorod.core.tests.races). On PostgreSQL
the decisions truly overlap (the row lock and the conditional UPDATE decide); on SQLite the
transactions queue. The outcome is the same on both.
"""

import pytest

from gorod.applications.models import Application, Event
from gorod.applications.services import department as services
from gorod.core.tests.races import race

pytest_plugins = ["gorod.applications.tests.department_fixtures"]

THREADS = 8
LOSERS = {"transition_not_allowed", "application_changed"}


@pytest.mark.django_db(transaction=True)
def test_approve_against_refuse_makes_one_decision(desk):
    public_id = desk.decision.public_id
    services.application_register(actor=desk.operator, public_id=public_id)
    services.application_review_start(actor=desk.operator, public_id=public_id)
    operators = [desk.operator, desk.colleague]

    def decide(index: int):
        actor = operators[index % 2]
        if index % 2:
            services.application_refuse(
                actor=actor, public_id=public_id, reason="Нет права.", appeal="В суде."
            )
            return "refused"
        services.application_approve(actor=actor, public_id=public_id, text="Да.")
        return "result_ready"

    outcomes = race(decide, threads=THREADS)
    winners = [outcome for outcome in outcomes if outcome in ("refused", "result_ready")]
    assert len(winners) == 1, outcomes
    assert set(outcomes) - set(winners) <= LOSERS, outcomes
    application = Application.objects.get(public_id=public_id)
    assert application.status == winners[0]
    decisions = Event.objects.filter(
        application=application, kind=Event.Kind.STATUS, from_status="in_review"
    )
    assert list(decisions.values_list("to_status", flat=True)) == winners


@pytest.mark.django_db(transaction=True)
def test_two_operators_taking_one_application_make_one_assignee(desk):
    public_id = desk.document.public_id
    operators = [desk.operator, desk.colleague]

    def take(index: int):
        services.application_take(actor=operators[index % 2], public_id=public_id)
        return operators[index % 2].email

    outcomes = race(take, threads=THREADS)
    application = Application.objects.get(public_id=public_id)
    assert application.assignee is not None
    taken = [outcome for outcome in outcomes if "@" in str(outcome)]
    assert set(taken) == {application.assignee.email}, outcomes
    assert set(outcomes) - set(taken) <= {"assigned_to_other", "application_changed"}, outcomes
    assert Event.objects.filter(application=application, kind=Event.Kind.ASSIGNED).count() == 1
