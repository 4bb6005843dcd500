"""The clubs demo: groups with weekly schedules in several districts, places held by real
applications, the demo children's applications in four states made through the services,
the organisation's staff login, the same seed the same groups, a second run that writes
nothing."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery

from gorod.accounts.models import Guardianship, Person, Sex, User
from gorod.accounts.rules import age_on
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.clubs import rules, selectors
from gorod.clubs.importers import DIRECTIONS_FILE, SPORTS_FILE
from gorod.clubs.models import (
    Application,
    ApplicationEvent,
    Group,
    GroupSession,
    Organisation,
    OrganisationStaff,
    Programme,
)
from gorod.core.audit import AuditEvent
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.demo import clubs as demo_clubs
from gorod.demo.accounts import DEMO_CITIZEN
from gorod.demo.clubs_family import DEMO_CLUB_STAFF, POPULAR_AHEAD, STAFF_ROLE
from gorod.demo.clubs_plan import INVENTED_LINE, REGISTER_LINE, REJECTION_REASON

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
# A Friday evening in November: the school year's programmes started on 1 September 2026.
NOW = datetime(2026, 11, 20, 19, 0, tzinfo=MOSCOW)
SON_BORN = date(2015, 9, 1)  # 11 on 1 September 2026
DAUGHTER_BORN = date(2010, 5, 3)  # 16
TODDLER_BORN = date(2023, 2, 1)  # 3: not of club age
FAMILY_STATUSES = {
    Application.Status.INVITED,
    Application.Status.WAITLISTED,
    Application.Status.ENROLLED,
    Application.Status.REJECTED,
}
GROUP_NAME = re.compile(
    r"^(Группа|Группа начальной подготовки|Тренировочная группа) \d+(–\d+)? лет$"
)


def family(parent: Person, *born: tuple[str, date, str]) -> list[Person]:
    children = [
        ChildFactory(first_name=name, birth_date=birthday, sex=sex) for name, birthday, sex in born
    ]
    for child in children:
        Guardianship.objects.create(guardian=parent, child=child, kind="parent")
    return children


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The clubs demo built once for the module, in a small city: three districts get
    groups (the registers' other districts none)."""
    with rolled_back_after_module(django_db_blocker), pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo_clubs, "DEMO_DISTRICTS", 3)
        patch.setattr(demo_clubs, "GROUPS_ELSEWHERE", (0, 0))
        parent = PersonFactory(user__email=DEMO_CITIZEN)
        children = family(
            parent,
            ("Миша", SON_BORN, ""),
            ("Катя", DAUGHTER_BORN, Sex.FEMALE),
            ("Лиза", TODDLER_BORN, Sex.FEMALE),
        )
        made = demo_clubs.clubs_demo(citizen=parent.user, seed=7, now=NOW)
        yield parent, children, made


def snapshot() -> list[tuple]:
    groups = Group.objects.order_by(
        "programme__organisation__name", "programme__title", "venue__name", "name"
    )
    sessions = GroupSession.objects.order_by(
        "group__programme__organisation__name",
        "group__programme__title",
        "group__name",
        "weekday",
        "starts_at",
    )
    return [
        *groups.values_list(
            "programme__organisation__name",
            "programme__title",
            "venue__district",
            "name",
            "teacher_name",
            "capacity",
            "taken",
        ),
        *sessions.values_list("group__name", "weekday", "starts_at", "ends_at"),
        *Application.objects.order_by("child__birth_date", "status").values_list(
            "child__birth_date", "status"
        ),
    ]


# The tests that build clubs of their own run first, before the module's demo exists.
def test_the_same_seed_gives_the_same_groups(db):
    parent = PersonFactory(user__email=DEMO_CITIZEN)
    family(parent, ("Миша", SON_BORN, ""))
    made = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            demo_clubs.clubs_demo(
                citizen=parent.user, seed=seed, directions=None, sports=None, now=NOW
            )
            made.append(snapshot())
            transaction.set_rollback(True)

    assert made[0]
    assert made[0] == made[1]
    assert made[0] != made[2]


def test_without_the_registers_the_organisations_are_invented_and_one_child_has_it_all(db):
    parent = PersonFactory(user__email=DEMO_CITIZEN)
    (son,) = family(parent, ("Миша", SON_BORN, ""))

    made = demo_clubs.clubs_demo(citizen=parent.user, seed=7, directions=None, sports=None, now=NOW)

    assert not made.imported
    assert all(
        name.startswith("Демонстрационн")
        for name in Organisation.objects.values_list("name", flat=True)
    )
    assert made.groups == Group.objects.count() > 0
    # The one child of club age has the four applications, within the rules.
    assert set(Application.objects.filter(child=son).values_list("status", flat=True)) == (
        FAMILY_STATUSES
    )
    assert set(made.family) == FAMILY_STATUSES
    live = Application.objects.filter(child=son, status__in=sorted(rules.LIVE))
    assert live.filter(group__programme__is_free=True).count() <= 3


def test_groups_with_schedules_in_several_districts(demo):
    _parent, _children, made = demo
    assert made.imported == (DIRECTIONS_FILE.exists() and SPORTS_FILE.exists())
    groups = Group.objects.select_related("programme", "venue")
    assert made.groups == groups.count() > 0
    assert made.districts == len(selectors.groups_by_district()) >= 3
    assert made.full == groups.filter(taken=F("capacity")).count() > 0
    assert groups.filter(taken=0).exists()
    assert not groups.annotate(meetings=Count("sessions")).filter(meetings=0).exists()
    for group in groups:
        assert GROUP_NAME.match(group.name), group.name
        assert group.teacher_name
        assert group.venue in group.programme.venues.all()
        assert 6 <= group.capacity <= 25
    for session in GroupSession.objects.all():
        minutes = (session.ends_at.hour - session.starts_at.hour) * 60 + (
            session.ends_at.minute - session.starts_at.minute
        )
        assert minutes in (45, 60, 90, 120)
        assert time(9) <= session.starts_at
        assert session.ends_at <= time(20)
        if session.weekday < 5:
            assert session.starts_at >= time(15)
    # What the demo invented says so; the register's sections given groups say theirs are.
    with_groups = Programme.objects.filter(groups__isnull=False).distinct()
    for programme in with_groups:
        assert programme.description.endswith((INVENTED_LINE, REGISTER_LINE))
        assert programme.search_lemmas
    assert with_groups.filter(is_free=False, price_month__gt=0).exists()
    assert with_groups.filter(requires_test=True).exists()


def test_one_seasonal_programme_opens_on_an_august_morning(demo):
    seasonal = Programme.objects.get(enrollment=Programme.Enrollment.SEASON)
    assert seasonal.season_opens_at.astimezone(MOSCOW) == datetime(2027, 8, 15, 9, 0, tzinfo=MOSCOW)
    assert seasonal.starts_on == date(2027, 9, 1)
    assert not Application.objects.filter(group__programme=seasonal).exists()


def test_taken_counts_the_applications_holding_places(demo):
    holding = Count("applications", filter=Q(applications__status__in=sorted(rules.HOLDING_PLACE)))
    assert not Group.objects.annotate(holding=holding).exclude(taken=F("holding")).exists()
    # Children wait only where no place is free.
    waiting = Application.objects.filter(status=Application.Status.WAITLISTED)
    assert waiting.exists()
    assert not waiting.exclude(group__taken=F("group__capacity")).exists()
    # Each application's status is the last of its history; an invitation has its day.
    latest = ApplicationEvent.objects.filter(application=OuterRef("pk")).order_by("-at", "-id")
    assert not (
        Application.objects.annotate(latest=Subquery(latest.values("status")[:1]))
        .exclude(status=F("latest"))
        .exists()
    )
    assert not Application.objects.filter(status=Application.Status.INVITED, confirm_by=None)
    # Every child is of the programme's ages and sex.
    for birth, sex, starts_on, age_min, age_max, wanted in Application.objects.values_list(
        "child__birth_date",
        "child__sex",
        "group__programme__starts_on",
        "group__programme__age_min",
        "group__programme__age_max",
        "group__programme__sex",
    ):
        assert age_min <= age_on(birth, starts_on) <= age_max
        assert not wanted or wanted == sex


def test_the_demo_children_have_applications_in_four_states(demo):
    parent, (son, daughter, toddler), made = demo
    mine = {fa.application.status: fa for fa in selectors.family_applications(person=parent)}
    assert set(mine) == FAMILY_STATUSES
    assert set(made.family) == FAMILY_STATUSES
    assert not Application.objects.filter(child=toddler).exists()
    # The children of club age had their guardianship verified: only a verified parent
    # applies.
    unverified = Guardianship.objects.filter(guardian=parent, verified_at=None)
    assert list(unverified.values_list("child", flat=True)) == [toddler.pk]
    waiting = mine[Application.Status.WAITLISTED]
    assert waiting.position == POPULAR_AHEAD + 1
    assert waiting.application.child == son
    invited = mine[Application.Status.INVITED].application
    assert invited.confirm_by > NOW.date()
    staff = User.objects.get(email=DEMO_CLUB_STAFF)
    enrolled = mine[Application.Status.ENROLLED].application
    assert enrolled.events.filter(status=Application.Status.ENROLLED, actor=staff).exists()
    rejected = mine[Application.Status.REJECTED].application
    assert rejected.child == daughter
    assert rejected.reason == REJECTION_REASON
    assert list(rejected.events.values_list("status", flat=True)) == [
        "submitted",
        "review",
        "test",
        "rejected",
    ]
    # Made through the services: audited, each child's held groups never meeting at once.
    assert AuditEvent.objects.filter(
        action="clubs.application_submitted", actor=parent.user
    ).count() == len(FAMILY_STATUSES)
    for child in (son, daughter):
        held = Application.objects.filter(child=child, status__in=sorted(rules.LIVE))
        weeks = [
            [
                rules.Meeting(*row)
                for row in a.group.sessions.values_list("weekday", "starts_at", "ends_at")
            ]
            for a in held
        ]
        for number, week in enumerate(weeks):
            for other in weeks[number + 1 :]:
                assert rules.meetings_clash(week, other) is None
        assert held.filter(group__programme__is_free=True).count() <= 3


def test_the_staff_login_has_its_role_and_works_its_organisations_groups(demo, client):
    parent, _children, made = demo
    ((login, password, hint),) = made.credentials
    assert login == DEMO_CLUB_STAFF
    assert password
    assert "/clubs/desk/" in hint
    staff = User.objects.get(email=DEMO_CLUB_STAFF)
    assert list(staff.groups.values_list("name", flat=True)) == [STAFF_ROLE]
    post = OrganisationStaff.objects.get(user=staff)
    assert post.organisation.short_name == made.staff_organisation
    groups = selectors.staff_groups(staff)
    assert set(groups) == set(Group.objects.filter(programme__organisation=post.organisation))
    family_groups = Application.objects.filter(child__guardians__guardian=parent).values("group")
    assert groups.filter(pk__in=family_groups).count() == len(FAMILY_STATUSES)

    client.force_login(staff)
    waiting = Application.objects.get(
        child__guardians__guardian=parent, status=Application.Status.WAITLISTED
    )
    assert client.get("/clubs/desk/").status_code == 200
    page = client.get(f"/clubs/desk/groups/{waiting.group_id}/")
    assert page.status_code == 200
    assert waiting.number in page.content.decode()


def test_a_second_run_writes_nothing(demo):
    parent, _children, _made = demo
    models = (Organisation, Programme, Group, GroupSession, Application, Person, User)
    counts = [model.objects.count() for model in models]

    again = demo_clubs.clubs_demo(citizen=parent.user, seed=7, now=NOW)

    assert again.already
    assert again.credentials == []
    assert [model.objects.count() for model in models] == counts
