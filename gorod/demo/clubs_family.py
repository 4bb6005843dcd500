"""The demo family in the clubs demo: the organisation's staff login, the demo citizen's
children of club age, and their applications, made and decided through the clubs'
services so that the history, the audit and the family's messages are what the portal
itself writes.

The story, in the order it happens (dated back from the demo's day): the eldest child is
invited to an audition and refused after it; the youngest is invited and enrolled by the
organisation; the youngest joins a full popular group's waiting list behind invented
families (whom the organisation enrolled, and two of whom wait ahead); the eldest is
invited two days ago and has the working days to confirm ahead. With one child of club
age, that child has all four (the refusal comes first and closes, so three free
programmes stay within the limit); with none, there is no story.
"""

import random
import secrets
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group as Role
from django.utils.translation import gettext_lazy

from gorod.accounts.models import Guardianship, Person, User
from gorod.accounts.rules import age_on
from gorod.accounts.services import guardianship_verify
from gorod.clubs import rules, services
from gorod.clubs.models import Application, Organisation, OrganisationStaff, Programme
from gorod.core import clock
from gorod.demo.accounts import DEMO_OPERATOR
from gorod.demo.clubs_plan import REJECTION_REASON, Planned, invented_child, invented_parent

DEMO_CLUB_STAFF = "clubs@gorod.local"
STAFF_ROLE = "club_staff"
STAFF_TRY = gettext_lazy(
    "сотрудник «%(organisation)s»: очередь заявлений, приглашение на испытание и на "
    "зачисление, зачисление, отказ, лист ожидания и места в группах: /clubs/desk/"
)
# Ages (on the programmes' start) at which the demo citizen's children go to clubs.
CLUB_AGES = range(5, 18)
# Invented families ahead of the demo child on the popular group's waiting list.
POPULAR_AHEAD = 2

Status = Application.Status


def staff_login(
    organisation: Organisation | None,
) -> tuple[User | None, list[tuple[str, str, str]]]:
    """The organisation's staff login, as (user, [(login, password, what to try)])."""
    if organisation is None:
        return None, []
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(DEMO_CLUB_STAFF, password)
    user.groups.add(Role.objects.get(name=STAFF_ROLE))
    OrganisationStaff.objects.create(organisation=organisation, user=user)
    hint = str(STAFF_TRY) % {"organisation": organisation.short_name}
    return user, [(DEMO_CLUB_STAFF, password, hint)]


def club_age_children(citizen: User, starts_on: date) -> list[Person]:
    """The demo citizen's children of club age, youngest first; their guardianship verified
    as a МФЦ operator does on the birth certificates (only verified parents apply)."""
    operator = User.objects.filter(email=DEMO_OPERATOR).first()
    links = Guardianship.objects.filter(guardian__user=citizen).select_related("child")
    children = []
    for link in links.order_by("-child__birth_date", "pk"):
        if age_on(link.child.birth_date, starts_on) not in CLUB_AGES:
            continue
        if link.verified_at is None:
            guardianship_verify(actor=operator, guardianship=link)
        children.append(link.child)
    return children


def _fits(child: Person, item: Planned) -> bool:
    """Whether the programme takes the child (as the services check it) and the group's
    name gives the child's age."""
    programme = item.programme
    age = age_on(child.birth_date, programme.starts_on)
    return (
        item.band[0] <= age <= item.band[1]
        and rules.age_fits(
            birth_date=child.birth_date,
            starts_on=programme.starts_on,
            age_min=programme.age_min,
            age_max=programme.age_max,
        )
        and (not programme.sex or programme.sex == child.sex)
    )


def _open_and_free(item: Planned) -> bool:
    programme = item.programme
    return (
        programme.is_free
        and not programme.requires_test
        and programme.enrollment == Programme.Enrollment.ALL_YEAR
    )


def story_groups(
    rng: random.Random, children: list[Person], candidates: list[Planned]
) -> dict[str, tuple[Person, Planned]]:
    """The groups of the family's story, by the status each application ends in: the
    eldest refused after an audition, the youngest enrolled and on a waiting list, the
    eldest invited. One child of club age takes all four (the refused one is closed before
    the others are made, so three free programmes stay within the limit); none, none.
    No child's held groups meet at the same time."""
    if not children:
        return {}
    youngest, eldest = children[0], children[-1]
    roles = (
        (Status.REJECTED, eldest, lambda item: item.programme.requires_test),
        (Status.ENROLLED, youngest, _open_and_free),
        (Status.WAITLISTED, youngest, _open_and_free),
        (Status.INVITED, eldest, _open_and_free),
    )
    ordered = sorted(candidates, key=lambda item: (item.programme.title, item.group.name))
    rng.shuffle(ordered)
    held: dict[int, list[rules.Meeting]] = {child.pk: [] for child in children}
    used: set[tuple[int, str]] = set()
    chosen: dict[str, tuple[Person, Planned]] = {}
    for status, child, wanted in roles:
        for item in ordered:
            week = [rules.Meeting(*meeting) for meeting in item.week]
            if (
                (child.pk, item.programme.title) in used
                or not wanted(item)
                or not _fits(child, item)
                or (status != Status.REJECTED and rules.meetings_clash(held[child.pk], week))
            ):
                continue
            chosen[status] = (child, item)
            used.add((child.pk, item.programme.title))
            if status != Status.REJECTED:
                held[child.pk] += week
            break
    return chosen


def family_story(
    rng: random.Random,
    citizen: User,
    staff: User | None,
    story: dict[str, tuple[Person, Planned]],
    *,
    now: datetime,
) -> tuple[str, ...]:
    """Make and decide the family's applications (see the module's docstring); the
    statuses they end in."""

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    def submit(status: str, days: float) -> Application:
        child, item = story[status]
        return services.application_submit(
            actor=citizen, child_id=child.pk, group_id=item.group.pk, now=ago(days)
        )

    def move(application: Application, target: str, days: float, reason: str = "") -> None:
        services.application_move(
            actor=staff, application_id=application.pk, target=target, reason=reason, now=ago(days)
        )

    made = []
    if Status.REJECTED in story:
        auditioned = submit(Status.REJECTED, 30)
        move(auditioned, Status.REVIEW, 29)
        move(auditioned, Status.TEST, 27)
        move(auditioned, Status.REJECTED, 24, reason=REJECTION_REASON)
        made.append(auditioned)
    if Status.ENROLLED in story:
        enrolled = submit(Status.ENROLLED, 20)
        move(enrolled, Status.ENROLLED, 15)
        made.append(enrolled)
    if Status.WAITLISTED in story:
        _families_ahead(rng, story[Status.WAITLISTED][1], staff, since=ago(40), until=ago(8))
        made.append(submit(Status.WAITLISTED, 7))
    if Status.INVITED in story:
        made.append(submit(Status.INVITED, 2))
    statuses = Application.objects.filter(pk__in=[one.pk for one in made]).values_list(
        "status", flat=True
    )
    return tuple(sorted(statuses))


def _families_ahead(
    rng: random.Random, item: Planned, staff: User | None, *, since: datetime, until: datetime
) -> None:
    """Invented families fill the popular group, one after another (the organisation
    enrolls each), and POPULAR_AHEAD more join its waiting list. Their logins have no
    password anyone could use."""
    total = item.group.capacity + POPULAR_AHEAD
    step = (until - since) / total
    for number in range(total):
        user = User.objects.create_user(f"club-family-{number:03d}@demo.gorod.local", None)
        parent = invented_parent(rng)
        parent.user = user
        child = invented_child(rng, item.band, item.programme)
        Person.objects.bulk_create([parent, child])
        Guardianship.objects.create(
            guardian=parent, child=child, kind="parent", verified_at=clock.now()
        )
        at = since + step * number
        application = services.application_submit(
            actor=user, child_id=child.pk, group_id=item.group.pk, now=at
        )
        if application.status == Status.INVITED:
            services.application_move(
                actor=staff,
                application_id=application.pk,
                target=Status.ENROLLED,
                now=at + step / 2,
            )
