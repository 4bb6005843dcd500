"""Applications and how places move: every rule of DOMAIN.md's clubs section through the
services, each refusal checked to write nothing."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.clubs import services
from gorod.clubs.models import Application, ApplicationEvent, OrganisationStaff
from gorod.clubs.selectors import family_application
from gorod.clubs.tests.factories import GroupFactory, GroupSessionFactory, ProgrammeFactory
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound
from gorod.core.models import AuditEvent
from gorod.notifications.models import Message

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
# A Friday morning in September: ten working days later is Friday 2 October.
NOW = datetime(2026, 9, 18, 10, 0, tzinfo=MOSCOW)
Status = Application.Status


@pytest.fixture(autouse=True)
def _catalog(catalog):
    """The service the applications count as uses of."""


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """A block after which the worker has written the messages of the writes in it (the
    test's transaction never commits, so the after-commit work runs as the block ends)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def parent_with_child(*, birth_date=date(2017, 3, 1), verified=True):
    parent = PersonFactory()
    child = ChildFactory(birth_date=birth_date)
    Guardianship.objects.create(
        guardian=parent,
        child=child,
        kind=Guardianship.Kind.PARENT,
        verified_at=timezone.now() if verified else None,
    )
    return parent.user, child


def group_of(*, capacity=2, weekday=0, start=time(16), end=time(17), **programme):
    programme.setdefault("age_min", 6)
    programme.setdefault("age_max", 12)
    programme.setdefault("starts_on", date(2026, 9, 1))
    group = GroupFactory(capacity=capacity, programme=ProgrammeFactory(**programme))
    GroupSessionFactory(group=group, weekday=weekday, starts_at=start, ends_at=end)
    return group


def submit(user, child, group, **extra):
    return services.application_submit(
        actor=user, child_id=child.pk, group_id=group.pk, now=extra.pop("now", NOW), **extra
    )


def nothing_written():
    assert not Application.objects.exists()
    assert not ApplicationEvent.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="clubs.").exists()


# --- applying -----------------------------------------------------------------------------


def test_a_free_place_invites_the_child_with_ten_working_days_to_confirm(told):
    user, child = parent_with_child()
    group = group_of()
    with told():
        application = submit(user, child, group)
    assert application.status == Status.INVITED
    assert application.confirm_by == date(2026, 10, 2)
    group.refresh_from_db()
    assert group.taken == 1
    assert application.events.get().cause == ApplicationEvent.Cause.SUBMITTED
    assert AuditEvent.objects.filter(action="clubs.application_submitted").count() == 1
    message = Message.objects.get(person=user.person)
    assert "02.10.2026" in message.body
    assert message.link.endswith(f"/{application.pk}/")


def test_a_full_group_puts_children_on_the_waiting_list_in_order(told):
    group = group_of(capacity=1)
    first, second, third = (parent_with_child() for _ in range(3))
    submit(*first, group)
    with told():
        waiting = [
            submit(*family, group, now=NOW + timedelta(minutes=minute))
            for minute, family in enumerate([second, third], start=1)
        ]
    assert [application.status for application in waiting] == [Status.WAITLISTED] * 2
    positions = [
        family_application(person=family[0].person, application_id=application.pk).position
        for family, application in zip([second, third], waiting, strict=True)
    ]
    assert positions == [1, 2]
    assert "2-й" in Message.objects.filter(person=third[0].person).get().body


def test_a_programme_with_a_test_holds_the_place_for_the_organisation_to_review():
    user, child = parent_with_child()
    application = submit(user, child, group_of(requires_test=True))
    assert application.status == Status.SUBMITTED
    assert application.confirm_by is None


@pytest.mark.parametrize(
    ("birth_date", "fits"),
    [
        (date(2020, 9, 1), True),
        (date(2020, 9, 2), False),
        (date(2013, 9, 2), True),
        (date(2013, 9, 1), False),
    ],
)
def test_the_age_is_checked_on_the_programme_start_date(birth_date, fits):
    # 6..12 on 1 September 2026.
    user, child = parent_with_child(birth_date=birth_date)
    group = group_of()
    if fits:
        assert submit(user, child, group).status == Status.INVITED
    else:
        with pytest.raises(Invalid) as refused:
            submit(user, child, group)
        assert refused.value.code == "age_out_of_range"
        nothing_written()


def test_only_the_childs_verified_representative_applies():
    stranger = PersonFactory().user
    _user, child = parent_with_child()
    group = group_of()
    with pytest.raises(NotFound):
        submit(stranger, child, group)
    unverified_user, unverified_child = parent_with_child(verified=False)
    with pytest.raises(Forbidden):
        submit(unverified_user, unverified_child, group)
    nothing_written()


def test_a_fourth_free_programme_is_refused_and_a_paid_one_is_not_counted():
    user, child = parent_with_child()
    for weekday in range(3):
        submit(user, child, group_of(weekday=weekday))
    with pytest.raises(Conflict) as refused:
        submit(user, child, group_of(weekday=3))
    assert refused.value.code == "free_limit"
    paid = group_of(weekday=4, is_free=False, price_month=Decimal("3500"))
    assert submit(user, child, paid).status == Status.INVITED
    assert Application.objects.count() == 4


def test_a_closed_application_frees_its_programme_for_the_limit():
    user, child = parent_with_child()
    first = submit(user, child, group_of(weekday=0))
    for weekday in (1, 2):
        submit(user, child, group_of(weekday=weekday))
    services.application_withdraw(actor=user, application_id=first.pk, now=NOW)
    assert submit(user, child, group_of(weekday=3)).status == Status.INVITED


def test_groups_meeting_at_the_same_time_are_refused_for_one_child():
    user, child = parent_with_child()
    submit(user, child, group_of(weekday=2, start=time(16), end=time(17, 30)))
    with pytest.raises(Conflict) as refused:
        submit(user, child, group_of(weekday=2, start=time(17), end=time(18)))
    assert refused.value.code == "schedule_clash"
    # Back to back is fine.
    assert submit(user, child, group_of(weekday=2, start=time(17, 30), end=time(18, 30)))


def test_one_child_applies_to_a_group_once():
    user, child = parent_with_child()
    group = group_of()
    submit(user, child, group)
    with pytest.raises(Conflict) as refused:
        submit(user, child, group)
    assert refused.value.code == "already_applied"


def test_a_seasonal_programme_takes_applications_from_its_opening_moment():
    user, child = parent_with_child()
    opens = NOW + timedelta(hours=1)
    group = group_of(enrollment="season", season_opens_at=opens)
    with pytest.raises(Conflict) as refused:
        submit(user, child, group)
    assert refused.value.code == "enrollment_not_open"
    nothing_written()
    assert submit(user, child, group, now=opens).status == Status.INVITED


# --- places moving along the queue ---------------------------------------------------------


def full_group_with_queue(waiting=2):
    group = group_of(capacity=1)
    holder = parent_with_child()
    held = submit(*holder, group)
    queue = []
    for minute in range(1, waiting + 1):
        family = parent_with_child()
        queue.append((family, submit(*family, group, now=NOW + timedelta(minutes=minute))))
    return group, holder, held, queue


def test_a_withdrawn_place_goes_to_the_first_in_line_who_is_told(told):
    with told():
        group, holder, held, queue = full_group_with_queue()
    with told():
        services.application_withdraw(
            actor=holder[0], application_id=held.pk, now=NOW + timedelta(days=1)
        )
    (first_family, first), (_second_family, second) = queue
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.INVITED
    assert second.status == Status.WAITLISTED
    assert first.events.last().cause == ApplicationEvent.Cause.PLACE_FREED
    group.refresh_from_db()
    assert group.taken == 1
    assert Message.objects.filter(person=first_family[0].person).count() == 2


def test_leaving_the_waiting_list_moves_nobody_and_frees_no_place():
    group, _holder, held, queue = full_group_with_queue()
    (family, waiting), _ = queue
    services.application_withdraw(actor=family[0], application_id=waiting.pk, now=NOW)
    group.refresh_from_db()
    held.refresh_from_db()
    assert group.taken == 1
    assert held.status == Status.INVITED
    assert queue[1][1].__class__.objects.get(pk=queue[1][1].pk).status == Status.WAITLISTED


def staff_of(group):
    user = UserFactory()
    OrganisationStaff.objects.create(organisation=group.programme.organisation, user=user)
    return user


def test_a_refusal_needs_a_reason_and_passes_the_place_on():
    group, _holder, held, queue = full_group_with_queue(waiting=1)
    staff = staff_of(group)
    with pytest.raises(Invalid):
        services.application_move(actor=staff, application_id=held.pk, target=Status.REJECTED)
    services.application_move(
        actor=staff,
        application_id=held.pk,
        target=Status.REJECTED,
        reason="Нет медицинской справки",
    )
    held.refresh_from_db()
    assert held.status == Status.REJECTED
    assert held.reason == "Нет медицинской справки"
    assert Application.objects.get(pk=queue[0][1].pk).status == Status.INVITED


def test_the_organisation_cannot_seat_a_waiting_child_over_the_queue():
    group, _holder, _held, queue = full_group_with_queue()
    staff = staff_of(group)
    with pytest.raises(Conflict):
        services.application_move(actor=staff, application_id=queue[1][1].pk, target=Status.INVITED)
    assert Application.objects.get(pk=queue[1][1].pk).status == Status.WAITLISTED


def test_another_organisations_staff_finds_nothing():
    _group, _holder, held, _queue = full_group_with_queue(waiting=0)
    other = staff_of(group_of())
    with pytest.raises(NotFound):
        services.application_move(actor=other, application_id=held.pk, target=Status.ENROLLED)
    assert Application.objects.get(pk=held.pk).status == Status.INVITED


def test_the_path_through_review_and_test_to_enrollment():
    user, child = parent_with_child()
    group = group_of(requires_test=True)
    application = submit(user, child, group)
    staff = staff_of(group)
    for target in (Status.REVIEW, Status.TEST, Status.INVITED, Status.ENROLLED):
        services.application_move(
            actor=staff, application_id=application.pk, target=target, now=NOW
        )
    application.refresh_from_db()
    assert application.status == Status.ENROLLED
    assert list(application.events.values_list("status", flat=True)) == [
        Status.SUBMITTED,
        Status.REVIEW,
        Status.TEST,
        Status.INVITED,
        Status.ENROLLED,
    ]


def test_an_unconfirmed_invitation_lapses_after_its_day_and_the_next_is_invited():
    group, _holder, held, queue = full_group_with_queue(waiting=1)
    on_the_last_day = datetime(2026, 10, 2, 20, 0, tzinfo=MOSCOW)
    assert services.invitations_lapse(now=on_the_last_day) == 0
    the_day_after = datetime(2026, 10, 3, 9, 0, tzinfo=MOSCOW)
    assert services.invitations_lapse(now=the_day_after) == 1
    assert services.invitations_lapse(now=the_day_after) == 0
    held.refresh_from_db()
    assert held.status == Status.CANCELLED
    assert held.events.last().cause == ApplicationEvent.Cause.LAPSED
    assert Application.objects.get(pk=queue[0][1].pk).status == Status.INVITED
    group.refresh_from_db()
    assert group.taken == 1


def test_more_places_seat_the_waiting_children_in_order():
    group, _holder, _held, queue = full_group_with_queue(waiting=3)
    services.group_capacity_set(actor=staff_of(group), group_id=group.pk, capacity=3, now=NOW)
    statuses = [Application.objects.get(pk=application.pk).status for _f, application in queue]
    assert statuses == [Status.INVITED, Status.INVITED, Status.WAITLISTED]


def test_places_cannot_drop_below_those_taken():
    group, *_ = full_group_with_queue(waiting=0)
    with pytest.raises(Invalid):
        services.group_capacity_set(actor=staff_of(group), group_id=group.pk, capacity=0)


def test_the_family_accepts_an_invitation_once():
    user, child = parent_with_child()
    application = submit(user, child, group_of())
    services.application_accept(actor=user, application_id=application.pk, now=NOW)
    services.application_accept(
        actor=user, application_id=application.pk, now=NOW + timedelta(hours=1)
    )
    application.refresh_from_db()
    assert application.accepted_at == NOW
    assert AuditEvent.objects.filter(action="clubs.invitation_accepted").count() == 1


def test_the_organisation_lets_go_a_child_who_stopped_coming_and_seats_the_next():
    group, _holder, held, queue = full_group_with_queue(waiting=1)
    staff = staff_of(group)
    services.application_move(actor=staff, application_id=held.pk, target=Status.ENROLLED)
    with pytest.raises(Invalid):
        services.application_move(actor=staff, application_id=held.pk, target=Status.CANCELLED)
    services.application_move(
        actor=staff, application_id=held.pk, target=Status.CANCELLED, reason="Переехали"
    )
    held.refresh_from_db()
    assert held.status == Status.CANCELLED
    assert held.events.last().cause == ApplicationEvent.Cause.ORGANISATION
    assert Application.objects.get(pk=queue[0][1].pk).status == Status.INVITED


def test_a_decision_refuses_a_reason_the_database_would_not_take():
    _group, _holder, held, _queue = full_group_with_queue(waiting=0)
    staff = staff_of(held.group)
    with pytest.raises(Invalid):
        services.application_move(
            actor=staff, application_id=held.pk, target=Status.REJECTED, reason="нет\x00"
        )
    assert Application.objects.get(pk=held.pk).status == Status.INVITED
