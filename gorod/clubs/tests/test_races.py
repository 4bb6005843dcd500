"""The enrollment morning, for real: threads with their own database connections.

On PostgreSQL the applications truly overlap and the group's and the child's row locks
decide; on SQLite the IMMEDIATE transactions queue. Either way a group never seats more
children than it has places, the waiting list keeps the order of submission, a freed
place seats each waiting child once, and one child never holds more free programmes than
allowed. Run on PostgreSQL with DATABASE_URL=postgres://… (make test does).
"""

from collections import Counter
from datetime import date, time

import pytest
from django.utils import timezone

from gorod.accounts.models import Guardianship, Person, User
from gorod.clubs import services
from gorod.clubs.models import Application, ApplicationEvent, Group
from gorod.clubs.selectors import waiting_positions
from gorod.clubs.tests.factories import GroupFactory, GroupSessionFactory, ProgrammeFactory
from gorod.core.tests.races import race

Status = Application.Status
THREADS = 20


def families(count: int) -> list[tuple[User, Person]]:
    """`count` parents with one verified child each, written in three statements."""
    users = User.objects.bulk_create(
        User(email=f"parent{index}@race.example") for index in range(count)
    )
    parents = Person.objects.bulk_create(
        Person(
            user=user, last_name="Гонкина", first_name=f"Мама{index}", birth_date=date(1988, 1, 1)
        )
        for index, user in enumerate(users)
    )
    children = Person.objects.bulk_create(
        Person(last_name="Гонкин", first_name=f"Сын{index}", birth_date=date(2016, 5, 5))
        for index in range(count)
    )
    Guardianship.objects.bulk_create(
        Guardianship(guardian=parent, child=child, kind="parent", verified_at=timezone.now())
        for parent, child in zip(parents, children, strict=True)
    )
    return list(zip(users, children, strict=True))


def group_of(capacity: int, *, weekday: int = 0) -> Group:
    programme = ProgrammeFactory(age_min=6, age_max=14, starts_on=date(2026, 9, 1))
    group = GroupFactory(programme=programme, capacity=capacity)
    GroupSessionFactory(group=group, weekday=weekday, starts_at=time(16), ends_at=time(17))
    return group


@pytest.mark.django_db(transaction=True)
def test_500_families_at_once_for_20_places_seat_20_and_queue_480_in_order(transactional_catalog):
    group = group_of(20)
    applicants = families(500)

    def work(index):
        user, child = applicants[index]
        return services.application_submit(actor=user, child_id=child.pk, group_id=group.pk).status

    outcomes = race(work, threads=THREADS, rounds=25)
    assert Counter(outcomes) == {Status.INVITED: 20, Status.WAITLISTED: 480}, Counter(outcomes)
    group.refresh_from_db()
    assert group.taken == 20
    in_order = list(Application.objects.filter(group=group).order_by("submitted_at", "id"))
    # First come, first served: the 20 seated are the 20 earliest submissions.
    assert {application.status for application in in_order[:20]} == {Status.INVITED}
    waiting = in_order[20:]
    positions = waiting_positions(waiting)
    assert [positions[application.pk] for application in waiting] == list(range(1, 481))


@pytest.mark.django_db(transaction=True)
def test_cancellations_at_once_promote_each_waiting_child_exactly_once(transactional_catalog):
    group = group_of(10)
    applicants = families(40)
    seated = [
        services.application_submit(actor=user, child_id=child.pk, group_id=group.pk)
        for user, child in applicants
    ]
    holders, queue = seated[:10], seated[10:]

    def work(index):
        return services.application_withdraw(
            actor=applicants[index][0], application_id=holders[index].pk
        ).status

    outcomes = race(work, threads=10)
    assert outcomes == [Status.CANCELLED] * 10
    group.refresh_from_db()
    assert group.taken == 10
    statuses = [Application.objects.get(pk=application.pk).status for application in queue]
    assert statuses == [Status.INVITED] * 10 + [Status.WAITLISTED] * 20
    promotions = Counter(
        ApplicationEvent.objects.filter(cause=ApplicationEvent.Cause.PLACE_FREED).values_list(
            "application_id", flat=True
        )
    )
    assert sorted(promotions) == sorted(application.pk for application in queue[:10])
    assert set(promotions.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_one_childs_parallel_applications_never_pass_the_free_limit(transactional_catalog):
    ((user, child),) = families(1)
    groups = [group_of(5, weekday=weekday) for weekday in range(7)]

    def work(index):
        return services.application_submit(
            actor=user, child_id=child.pk, group_id=groups[index].pk
        ).status

    outcomes = race(work, threads=len(groups))
    assert Counter(outcomes) == {Status.INVITED: 3, "free_limit": 4}, outcomes
    assert Application.objects.filter(child=child).count() == 3
