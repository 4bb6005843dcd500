"""Who may read and act on an application, on the pages and in the API.

Another parent, another organisation's staff, a former staff member, a citizen with no
children and an anonymous caller can neither read an application nor move it: the pages
answer with the 404 page (anonymous: the sign-in page), the API with 404 (anonymous: 401).
Every refused write leaves everything as it was: no status changed, no history row, no
audit row, no place or schedule touched.

The world built here (`desk_world`) is the other desk tests' too.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from gorod.accounts.models import Guardianship, User
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.clubs import services
from gorod.clubs.models import (
    Application,
    ApplicationEvent,
    Group,
    GroupSession,
    Organisation,
    OrganisationStaff,
)
from gorod.clubs.tests.factories import GroupFactory, GroupSessionFactory, ProgrammeFactory
from gorod.core.models import AuditEvent

MOSCOW = ZoneInfo("Europe/Moscow")
# A Friday morning in September; the programme started on 1 September.
NOW = datetime(2026, 9, 18, 10, 0, tzinfo=MOSCOW)
Status = Application.Status
API = "/api/v1/clubs"


@dataclass
class DeskWorld:
    """One organisation's group (3 places, entrance test) with a full queue, and another
    organisation's group with one application, as on Friday 18 September 2026."""

    organisation: Organisation
    group: Group
    session: GroupSession
    staff: User
    # Invited on 20 August: the last day to confirm (3 September) has passed.
    overdue: Application
    # Came on 16 September; the place is held while the organisation decides.
    deciding: Application
    enrolled: Application
    # Full group: the next two wait, in this order.
    first_waiting: Application
    second_waiting: Application
    other_group: Group
    other_staff: User
    other_application: Application
    # A parent of the overdue child, and one of the other group's child.
    parent: User
    other_parent: User

    def user(self, who: str) -> User | None:
        if who == "anonymous":
            return None
        if who == "citizen":
            return PersonFactory().user
        if who == "former_staff":
            former = UserFactory()
            OrganisationStaff.objects.create(
                organisation=self.organisation, user=former, active=False
            )
            return former
        return {
            "staff": self.staff,
            "other_staff": self.other_staff,
            "parent": self.parent,
            "other_parent": self.other_parent,
        }[who]


def parent_with_child(**child) -> tuple[User, object]:
    parent = PersonFactory()
    kid = ChildFactory(**child)
    Guardianship.objects.create(
        guardian=parent, child=kid, kind=Guardianship.Kind.PARENT, verified_at=timezone.now()
    )
    return parent.user, kid


def staff_of(organisation: Organisation) -> User:
    user = UserFactory()
    OrganisationStaff.objects.create(organisation=organisation, user=user)
    return user


def submit(user, child, group, when: datetime) -> Application:
    return services.application_submit(actor=user, child_id=child.pk, group_id=group.pk, now=when)


def build_desk_world() -> DeskWorld:
    group = GroupFactory(
        capacity=3,
        name="Младшая",
        programme=ProgrammeFactory(title="Бальные танцы", requires_test=True),
    )
    session = GroupSessionFactory(group=group)
    organisation = group.programme.organisation
    staff = staff_of(organisation)
    families = [parent_with_child(last_name=name) for name in ("Орлова", "Белов", "Андреев")]
    overdue = submit(*families[0], group, NOW - timedelta(days=30))
    services.application_move(
        actor=staff,
        application_id=overdue.pk,
        target=Status.INVITED,
        now=NOW - timedelta(days=29),
    )
    enrolled = submit(*families[2], group, NOW - timedelta(days=10))
    for target in (Status.INVITED, Status.ENROLLED):
        services.application_move(
            actor=staff, application_id=enrolled.pk, target=target, now=NOW - timedelta(days=9)
        )
    deciding = submit(*families[1], group, NOW - timedelta(days=2))
    first_waiting = submit(*parent_with_child(), group, NOW - timedelta(hours=2))
    second_waiting = submit(*parent_with_child(), group, NOW - timedelta(hours=1))
    other_group = GroupFactory(capacity=5)
    GroupSessionFactory(group=other_group)
    other_parent, other_child = parent_with_child()
    other_application = submit(other_parent, other_child, other_group, NOW - timedelta(days=1))
    for application in (overdue, deciding, enrolled, first_waiting, second_waiting):
        application.refresh_from_db()
    return DeskWorld(
        organisation=organisation,
        group=group,
        session=session,
        staff=staff,
        overdue=overdue,
        deciding=deciding,
        enrolled=enrolled,
        first_waiting=first_waiting,
        second_waiting=second_waiting,
        other_group=other_group,
        other_staff=staff_of(other_group.programme.organisation),
        other_application=other_application,
        parent=families[0][0],
        other_parent=other_parent,
    )


@pytest.fixture
def desk_world(catalog, time_machine) -> DeskWorld:
    time_machine.move_to(NOW, tick=False)
    return build_desk_world()


def state() -> dict:
    """Everything a refused write must leave as it was."""
    return {
        "applications": list(
            Application.objects.order_by("pk").values_list(
                "pk", "status", "reason", "confirm_by", "accepted_at", "status_changed_at"
            )
        ),
        "events": ApplicationEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
        "groups": list(
            Group.objects.order_by("pk").values_list(
                "pk", "capacity", "taken", "name", "teacher_name", "venue_id", "active"
            )
        ),
        "sessions": list(GroupSession.objects.order_by("pk").values_list("pk", "weekday")),
    }


# --- the matrix ------------------------------------------------------------------------------

OUTSIDERS = ["other_parent", "other_staff", "former_staff", "citizen", "anonymous"]


def signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def group_page_requests(world: DeskWorld) -> list[tuple[str, str, dict]]:
    """Every page of the organisation's group and its applications."""
    group = world.group.pk
    return [
        ("get", reverse("clubs:desk_group", args=[group]), {}),
        ("get", reverse("clubs:desk_attendance", args=[group]), {}),
        ("post", reverse("clubs:desk_move", args=[world.deciding.pk]), {"status": "review"}),
        (
            "post",
            reverse("clubs:desk_move", args=[world.first_waiting.pk]),
            {"status": "rejected", "reason": "нет мест"},
        ),
        ("post", reverse("clubs:desk_capacity", args=[group]), {"capacity-capacity": "10"}),
        (
            "post",
            reverse("clubs:desk_session_add", args=[group]),
            {"session-weekday": "2", "session-starts_at": "10:00", "session-ends_at": "11:00"},
        ),
        ("post", reverse("clubs:desk_session_remove", args=[group, world.session.pk]), {}),
        (
            "post",
            reverse("clubs:desk_group_edit", args=[group]),
            {
                "group-name": "Захвачена",
                "group-venue": str(world.group.venue_id),
                "group-active": "on",
            },
        ),
    ]


def new_group_of(world: DeskWorld) -> dict:
    """The form of a new group in the organisation's programme, sent by someone else."""
    return {
        "programme": str(world.group.programme_id),
        "venue": str(world.group.venue_id),
        "name": "Чужая",
        "capacity": "5",
    }


def family_page_requests(world: DeskWorld) -> list[tuple[str, str, dict]]:
    application = world.overdue.pk
    return [
        ("get", reverse("clubs:application", args=[application]), {}),
        ("post", reverse("clubs:withdraw", args=[application]), {}),
        ("post", reverse("clubs:accept", args=[application]), {}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_find_no_page_of_the_group_and_change_nothing(client, desk_world, who):
    signed_in(client, desk_world.user(who))
    before = state()
    for method, url, data in group_page_requests(desk_world):
        response = getattr(client, method)(url, data)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url
        else:
            assert response.status_code == 404, url
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_parent", "former_staff", "citizen"])
def test_who_works_for_no_organisation_has_no_desk(client, desk_world, who):
    client.force_login(desk_world.user(who))
    before = state()
    assert client.get(reverse("clubs:desk")).status_code == 404
    assert client.get(reverse("clubs:desk_group_new")).status_code == 404
    new = client.post(reverse("clubs:desk_group_new"), new_group_of(desk_world))
    assert new.status_code == 404
    assert state() == before


@pytest.mark.django_db
def test_another_organisations_staff_cannot_make_a_group_in_this_ones_programme(client, desk_world):
    client.force_login(desk_world.other_staff)
    before = state()
    desk = client.get(reverse("clubs:desk")).content.decode()
    assert "Бальные танцы" not in desk
    new = client.post(reverse("clubs:desk_group_new"), new_group_of(desk_world))
    # The programme is not among the choices of their own organisations' programmes.
    assert new.status_code == 422
    assert "Бальные танцы" not in new.content.decode()
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", [*OUTSIDERS, "staff"])
def test_nobody_but_the_family_reads_or_acts_on_its_application_page(client, desk_world, who):
    signed_in(client, desk_world.user(who))
    before = state()
    for method, url, data in family_page_requests(desk_world):
        response = getattr(client, method)(url, data)
        expected = 302 if who == "anonymous" else 404
        assert response.status_code == expected, url
    assert state() == before


def api_family_requests(world: DeskWorld) -> list[tuple[str, str, dict | None]]:
    application = world.overdue.pk
    return [
        ("get", f"{API}/applications/{application}", None),
        ("post", f"{API}/applications/{application}/withdraw", None),
        ("post", f"{API}/applications/{application}/accept", None),
    ]


def api_desk_requests(world: DeskWorld) -> list[tuple[str, str, dict | None]]:
    group = world.group.pk
    return [
        ("get", f"{API}/desk/groups/{group}/applications", None),
        ("post", f"{API}/desk/applications/{world.deciding.pk}/move", {"status": "review"}),
        (
            "post",
            f"{API}/desk/applications/{world.first_waiting.pk}/move",
            {"status": "rejected", "reason": "нет мест"},
        ),
        ("put", f"{API}/desk/groups/{group}/capacity", {"capacity": 10}),
    ]


def call(client, method: str, url: str, body: dict | None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=body or {}, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_from_the_desk_api_and_change_nothing(client, desk_world, who):
    signed_in(client, desk_world.user(who))
    before = state()
    requests = api_desk_requests(desk_world)
    if who != "other_staff":  # who has a desk of their own is tested below
        requests.append(("get", f"{API}/desk/groups", None))
    for method, url, body in requests:
        response = call(client, method, url, body)
        expected = 401 if who == "anonymous" else 404
        assert response.status_code == expected, (url, response.content)
        assert response["Content-Type"].startswith("application/problem+json")
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", [*OUTSIDERS, "staff"])
def test_nobody_but_the_family_reads_or_acts_on_its_application_in_the_api(client, desk_world, who):
    signed_in(client, desk_world.user(who))
    before = state()
    for method, url, body in api_family_requests(desk_world):
        response = call(client, method, url, body)
        expected = 401 if who == "anonymous" else 404
        assert response.status_code == expected, (url, response.content)
        if expected == 404:
            # Staff logins have no citizen behind them: nobody's application is theirs.
            assert response.json()["code"] in {"application_not_found", "person_not_found"}
    assert state() == before


@pytest.mark.django_db
def test_staff_reach_only_their_own_organisations_groups(client, desk_world):
    """The organisation's own staff, on the other organisation's group and application."""
    client.force_login(desk_world.staff)
    before = state()
    other = desk_world.other_group.pk
    pages = [
        client.get(reverse("clubs:desk_group", args=[other])),
        client.get(reverse("clubs:desk_attendance", args=[other])),
        client.post(
            reverse("clubs:desk_move", args=[desk_world.other_application.pk]),
            {"status": "rejected", "reason": "не наш"},
        ),
        client.post(reverse("clubs:desk_capacity", args=[other]), {"capacity-capacity": "9"}),
    ]
    assert [page.status_code for page in pages] == [404] * 4
    api = [
        client.get(f"{API}/desk/groups/{other}/applications"),
        call(
            client,
            "post",
            f"{API}/desk/applications/{desk_world.other_application.pk}/move",
            {"status": "rejected", "reason": "не наш"},
        ),
        call(client, "put", f"{API}/desk/groups/{other}/capacity", {"capacity": 9}),
    ]
    assert [answer.status_code for answer in api] == [404] * 3
    listed = client.get(f"{API}/desk/groups").json()["items"]
    assert [item["id"] for item in listed] == [desk_world.group.pk]
    assert state() == before


@pytest.mark.django_db
def test_the_family_reads_its_own_application_in_both_doors(client, desk_world):
    client.force_login(desk_world.parent)
    assert client.get(reverse("clubs:application", args=[desk_world.overdue.pk])).status_code == 200
    answer = client.get(f"{API}/applications/{desk_world.overdue.pk}")
    assert answer.status_code == 200
    assert answer.json()["status"] == Status.INVITED
    assert answer.json()["confirm_by"] == str(date(2026, 9, 3))


# --- the staff admin: places and statuses only through the services --------------------------


@pytest.fixture
def office(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["organisation", "venue", "programme", "group", "application"])
def test_every_clubs_page_of_the_admin_opens(office, desk_world, model):
    assert office.get(reverse(f"admin:clubs_{model}_changelist")).status_code == 200
    target = {
        "organisation": desk_world.organisation,
        "venue": desk_world.group.venue,
        "programme": desk_world.group.programme,
        "group": desk_world.group,
        "application": desk_world.deciding,
    }[model]
    page = office.get(reverse(f"admin:clubs_{model}_change", args=[target.pk]))
    assert page.status_code == 200


@pytest.mark.django_db
def test_an_application_is_shown_in_the_admin_never_changed_and_each_look_logged(
    office, desk_world
):
    url = reverse("admin:clubs_application_change", args=[desk_world.deciding.pk])
    office.get(reverse("admin:clubs_application_changelist"))
    office.get(url)
    before = state()
    refused = office.post(url, {"status": "enrolled", "reason": "вручную"})
    assert refused.status_code == 403
    assert state() == before
    deleted = office.post(
        reverse("admin:clubs_application_delete", args=[desk_world.deciding.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert state() == before
    looks = AuditEvent.objects.filter(
        action__in=["clubs.applications_listed", "clubs.application_viewed"]
    )
    assert sorted(looks.values_list("action", flat=True)) == [
        "clubs.application_viewed",
        "clubs.applications_listed",
    ]


def group_admin_form(world: DeskWorld, **changes) -> dict:
    session = world.session
    data = {
        "venue": world.group.venue_id,
        "name": world.group.name,
        "teacher_name": world.group.teacher_name,
        "capacity": world.group.capacity,
        "active": "on",
        "sessions-TOTAL_FORMS": 1,
        "sessions-INITIAL_FORMS": 1,
        "sessions-0-id": session.pk,
        "sessions-0-group": world.group.pk,
        "sessions-0-weekday": session.weekday,
        "sessions-0-starts_at": f"{session.starts_at:%H:%M}",
        "sessions-0-ends_at": f"{session.ends_at:%H:%M}",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_admin_edits_a_group_but_not_its_places(office, desk_world):
    url = reverse("admin:clubs_group_change", args=[desk_world.group.pk])
    response = office.post(
        url, group_admin_form(desk_world, teacher_name="Новикова Ольга", capacity=99, taken=0)
    )
    assert response.status_code == 302
    group = Group.objects.get(pk=desk_world.group.pk)
    assert (group.teacher_name, group.capacity, group.taken) == ("Новикова Ольга", 3, 3)
    assert AuditEvent.objects.filter(action="clubs.group_changed").exists()


@pytest.mark.django_db
def test_the_admin_refuses_a_clashing_meeting_and_writes_nothing(office, desk_world):
    before = state()
    data = group_admin_form(
        desk_world,
        **{
            "sessions-TOTAL_FORMS": 2,
            "sessions-1-group": desk_world.group.pk,
            "sessions-1-weekday": desk_world.session.weekday,
            "sessions-1-starts_at": "16:30",
            "sessions-1-ends_at": "17:30",
        },
    )
    response = office.post(reverse("admin:clubs_group_change", args=[desk_world.group.pk]), data)
    assert response.status_code == 200
    assert "Пересекается с другим занятием группы" in response.content.decode()
    assert state() == before
