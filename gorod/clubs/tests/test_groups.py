"""The organisation's writes on its groups and their schedules (gorod/clubs/groups.py):
each audited, each refused for another organisation's group as "not found", a session
that clashes with the group's others refused — every refusal writing nothing."""

from datetime import time

import pytest

from gorod.clubs import groups
from gorod.clubs.models import GROUP_CAPACITY_MAX, Group, GroupSession
from gorod.clubs.tests.factories import (
    GroupFactory,
    GroupSessionFactory,
    ProgrammeFactory,
    VenueFactory,
)
from gorod.clubs.tests.test_authorization import staff_of
from gorod.core.errors import Conflict, Invalid, NotFound
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    group = GroupFactory(name="Старшая", capacity=12)
    GroupSessionFactory(group=group, weekday=0, starts_at=time(16), ends_at=time(17, 30))
    return group


@pytest.fixture
def staff(group):
    return staff_of(group.programme.organisation)


def snapshot() -> tuple:
    return (
        list(Group.objects.order_by("pk").values()),
        list(GroupSession.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


# --- a new group ----------------------------------------------------------------------------


def test_staff_create_a_group_at_one_of_the_programmes_venues(group, staff):
    created = groups.group_create(
        actor=staff,
        programme_id=group.programme_id,
        venue_id=group.venue_id,
        name="  Младшая ",
        teacher_name="Иванов Пётр",
        capacity=15,
    )
    created.refresh_from_db()
    assert (created.name, created.capacity, created.taken, created.active) == (
        "Младшая",
        15,
        0,
        True,
    )
    audit = AuditEvent.objects.get(action="clubs.group_created")
    assert audit.actor == staff
    assert audit.target_id == str(created.pk)
    assert audit.data["capacity"] == 15


def test_a_group_is_refused_elsewhere_than_the_programmes_venues(group, staff):
    elsewhere = VenueFactory(organisation=group.programme.organisation)
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        groups.group_create(
            actor=staff,
            programme_id=group.programme_id,
            venue_id=elsewhere.pk,
            name="Вне программы",
            capacity=10,
        )
    assert refused.value.code == "venue_not_of_programme"
    assert refused.value.field == "venue"
    assert snapshot() == before


def test_another_organisations_programme_is_not_found(group, staff):
    foreign = ProgrammeFactory()
    before = snapshot()
    with pytest.raises(NotFound):
        groups.group_create(
            actor=staff, programme_id=foreign.pk, venue_id=group.venue_id, name="X", capacity=5
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "capacity", "code"),
    [
        ("  ", 10, "name_required"),
        ("Я" * 121, 10, "name_too_long"),
        ("Новая", 0, "capacity_out_of_range"),
        ("Новая", GROUP_CAPACITY_MAX + 1, "capacity_out_of_range"),
        ("Старшая", 10, "group_name_taken"),
    ],
)
def test_a_new_group_breaking_a_rule_is_refused(group, staff, name, capacity, code):
    before = snapshot()
    with pytest.raises((Invalid, Conflict)) as refused:
        groups.group_create(
            actor=staff,
            programme_id=group.programme_id,
            venue_id=group.venue_id,
            name=name,
            capacity=capacity,
        )
    assert refused.value.code == code
    assert snapshot() == before


# --- changing a group -----------------------------------------------------------------------


def test_an_update_writes_and_audits_only_what_changed(group, staff):
    second_venue = VenueFactory(organisation=group.programme.organisation)
    group.programme.venues.add(second_venue)
    groups.group_update(
        actor=staff,
        group_id=group.pk,
        name="Старшая",
        teacher_name="Петрова Ольга",
        venue_id=second_venue.pk,
        active=False,
    )
    group.refresh_from_db()
    assert (group.teacher_name, group.venue_id, group.active) == (
        "Петрова Ольга",
        second_venue.pk,
        False,
    )
    changed = AuditEvent.objects.get(action="clubs.group_updated").data["changed"]
    assert set(changed) == {"teacher_name", "venue_id", "active"}
    assert changed["active"] == {"before": True, "after": False}
    # The same values again: nothing to write, nothing to audit.
    groups.group_update(
        actor=staff,
        group_id=group.pk,
        name="Старшая",
        teacher_name="Петрова Ольга",
        venue_id=second_venue.pk,
        active=False,
    )
    assert AuditEvent.objects.filter(action="clubs.group_updated").count() == 1


def test_another_organisations_staff_cannot_update_the_group(group):
    outsider = staff_of(GroupFactory().programme.organisation)
    before = snapshot()
    with pytest.raises(NotFound) as refused:
        groups.group_update(
            actor=outsider,
            group_id=group.pk,
            name="Чужая",
            teacher_name="",
            venue_id=group.venue_id,
            active=True,
        )
    assert refused.value.code == "group_not_found"
    assert snapshot() == before


def test_a_rename_onto_a_sibling_groups_name_is_refused(group, staff):
    GroupFactory(programme=group.programme, venue=group.venue, name="Младшая")
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        groups.group_update(
            actor=staff,
            group_id=group.pk,
            name="Младшая",
            teacher_name=group.teacher_name,
            venue_id=group.venue_id,
            active=True,
        )
    assert refused.value.code == "group_name_taken"
    assert snapshot() == before


# --- the schedule ---------------------------------------------------------------------------


def test_a_session_is_added_and_removed_each_audited(group, staff):
    session = groups.group_session_add(
        actor=staff, group_id=group.pk, weekday=2, starts_at=time(16), ends_at=time(17, 30)
    )
    # Back to back with Monday's is fine.
    groups.group_session_add(
        actor=staff, group_id=group.pk, weekday=0, starts_at=time(17, 30), ends_at=time(18, 30)
    )
    added = AuditEvent.objects.filter(action="clubs.group_session_added").order_by("pk")
    assert [event.data["starts_at"] for event in added] == ["16:00", "17:30"]
    groups.group_session_remove(actor=staff, group_id=group.pk, session_id=session.pk)
    assert not GroupSession.objects.filter(pk=session.pk).exists()
    removed = AuditEvent.objects.get(action="clubs.group_session_removed")
    assert removed.data == {
        "session": session.pk,
        "weekday": 2,
        "starts_at": "16:00",
        "ends_at": "17:30",
    }


@pytest.mark.parametrize(
    ("weekday", "starts_at", "ends_at", "code"),
    [
        (0, time(17), time(18), "session_clash"),
        (0, time(15), time(16, 1), "session_clash"),
        (0, time(16), time(17, 30), "session_clash"),
        (0, time(18), time(17), "session_times"),
        (0, time(18), time(18), "session_times"),
        (7, time(10), time(11), "bad_weekday"),
    ],
)
def test_a_session_breaking_the_schedule_is_refused(
    group, staff, weekday, starts_at, ends_at, code
):
    before = snapshot()
    with pytest.raises((Invalid, Conflict)) as refused:
        groups.group_session_add(
            actor=staff,
            group_id=group.pk,
            weekday=weekday,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    assert refused.value.code == code
    assert snapshot() == before


def test_the_clash_names_the_session_it_meets(group, staff):
    with pytest.raises(Conflict) as refused:
        groups.group_session_add(
            actor=staff, group_id=group.pk, weekday=0, starts_at=time(17), ends_at=time(18)
        )
    assert "16:00–17:30" in str(refused.value.message)


def test_another_groups_session_is_not_found_and_stays(group, staff):
    sibling = GroupFactory(programme=group.programme, venue=group.venue)
    foreign_session = GroupSessionFactory(group=sibling)
    before = snapshot()
    with pytest.raises(NotFound) as refused:
        groups.group_session_remove(actor=staff, group_id=group.pk, session_id=foreign_session.pk)
    assert refused.value.code == "session_not_found"
    assert snapshot() == before


def test_another_organisations_staff_cannot_touch_the_schedule(group):
    outsider = staff_of(GroupFactory().programme.organisation)
    session = group.sessions.get()
    before = snapshot()
    with pytest.raises(NotFound):
        groups.group_session_add(
            actor=outsider, group_id=group.pk, weekday=3, starts_at=time(10), ends_at=time(11)
        )
    with pytest.raises(NotFound):
        groups.group_session_remove(actor=outsider, group_id=group.pk, session_id=session.pk)
    assert snapshot() == before
