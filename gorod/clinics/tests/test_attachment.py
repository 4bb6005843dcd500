"""Attachment to a polyclinic by application (issue 13, item 16): the rules, the services,
the citizen's page, the registry's desk and the API.

A new citizen could not book at all: attaching was in person only. Now they apply to a
clinic of their choice and its registry confirms or declines.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.clinics import rules as clinic_rules
from gorod.clinics import services
from gorod.clinics.models import Attachment, AttachmentApplication, Organisation, RegistrarPost
from gorod.clinics.tests.factories import OrganisationFactory
from gorod.core.errors import DomainError, NotFound
from gorod.core.models import AuditEvent
from gorod.notifications.models import Message

# A Wednesday morning in Moscow, as in the booking tests.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
TODAY = NOW.date()


FACTS = clinic_rules.AttachmentFacts(
    patient_age=40,
    reason=clinic_rules.REASON_CHOICE,
    chosen_organisation_id=2,
    chosen_kind=clinic_rules.ADULT_POLYCLINIC,
    chosen_active=True,
    current_organisation_id=1,
    current_since=date(2025, 1, 10),
)


def refusal(facts=FACTS, *, today=TODAY, change_days=365):
    found = clinic_rules.attachment_refusal_of(facts, today=today, change_days=change_days)
    return found.code if found else None


def test_a_first_attachment_is_to_any_working_polyclinic_of_the_age_group():
    first = replace(FACTS, reason=clinic_rules.REASON_FIRST, current_organisation_id=None)
    assert refusal(replace(first, current_since=None)) is None
    assert refusal(replace(first, chosen_kind=clinic_rules.CHILDREN_POLYCLINIC)) == (
        "clinic_not_attachable"
    )
    assert refusal(replace(first, chosen_kind="hospital")) == "clinic_not_attachable"
    assert refusal(replace(first, chosen_active=False)) == "clinic_not_attachable"
    child = replace(first, patient_age=11, chosen_kind=clinic_rules.CHILDREN_POLYCLINIC)
    assert refusal(child) is None
    assert (
        refusal(replace(child, chosen_kind=clinic_rules.ADULT_POLYCLINIC))
        == "clinic_not_attachable"
    )


def test_a_change_by_choice_once_a_year_and_a_move_at_any_time():
    assert refusal() is None  # attached since January 2025
    recent = replace(FACTS, current_since=date(2026, 3, 1))
    assert refusal(recent) == "attachment_change_too_soon"
    assert refusal(recent, today=date(2027, 3, 1)) is None
    assert refusal(recent, change_days=180) is None
    assert refusal(replace(recent, reason=clinic_rules.REASON_MOVED)) is None
    assert refusal(replace(FACTS, reason=clinic_rules.REASON_FIRST)) == "attachment_reason_wrong"
    assert refusal(replace(FACTS, chosen_organisation_id=1)) == "already_attached"


def test_an_application_is_decided_once():
    pending = clinic_rules.APPLICATION_PENDING
    for target in (
        clinic_rules.APPLICATION_CONFIRMED,
        clinic_rules.APPLICATION_DECLINED,
        clinic_rules.APPLICATION_WITHDRAWN,
    ):
        assert clinic_rules.application_transition_refusal(pending, target) is None
        for decided in (
            target,
            clinic_rules.APPLICATION_CONFIRMED,
            clinic_rules.APPLICATION_DECLINED,
        ):
            assert clinic_rules.application_transition_refusal(decided, target).code == (
                "application_decided"
            )


@pytest.mark.parametrize(
    ("representation", "age", "allowed"),
    [
        (clinic_rules.Representation(is_self=True), 40, True),
        (clinic_rules.Representation(is_guardian=True), 14, True),
        (clinic_rules.Representation(is_guardian=True), 15, False),
        (clinic_rules.Representation(delegated_scopes=frozenset({"appointments"})), 70, False),
    ],
)
def test_who_applies(representation, age, allowed):
    found = clinic_rules.attachment_applicant_refusal(
        representation, patient_age=age, child_age_limit=15
    )
    assert (found is None) is allowed


@pytest.fixture
def newcomer(db):
    """A citizen with no attachment and a son of 11, also without one."""
    parent = PersonFactory()
    son = ChildFactory(birth_date=date(2015, 6, 1))
    Guardianship.objects.create(guardian=parent, child=son, kind=Guardianship.Kind.PARENT)
    return parent, son


@pytest.fixture
def clinics(db):
    adult = OrganisationFactory(name="Городская поликлиника № 2", district="ЦАО")
    children = OrganisationFactory(
        name="Детская городская поликлиника № 7",
        kind=Organisation.Kind.CHILDREN_POLYCLINIC,
        district="САО",
    )
    return adult, children


def registrar_of(organisation):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="registrar"))
    RegistrarPost.objects.create(user=user, organisation=organisation)
    return user


def apply(actor_person, person, clinic, reason=clinic_rules.REASON_FIRST):
    return services.attachment_apply(
        actor=actor_person.user,
        person_id=person.pk,
        organisation_id=clinic.pk,
        reason=reason,
        now=NOW,
    )


def test_a_newcomer_applies_and_the_registry_confirms(
    newcomer, clinics, django_capture_on_commit_callbacks
):
    parent, _son = newcomer
    adult, _children = clinics
    application = apply(parent, parent, adult)
    assert application.status == AttachmentApplication.Status.PENDING
    assert AuditEvent.objects.filter(action="health.attachment_apply").count() == 1
    with pytest.raises(DomainError) as again:
        apply(parent, parent, adult)
    assert again.value.code == "application_pending"

    registrar = registrar_of(adult)
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.attachment_decide(
            actor=registrar, application_id=application.pk, confirm=True, now=NOW
        )
    assert decided.status == AttachmentApplication.Status.CONFIRMED
    current = Attachment.objects.get(person=parent, until__isnull=True)
    assert current.organisation == adult
    assert current.since == TODAY
    assert decided.attachment == current
    assert AuditEvent.objects.filter(action="health.attachment_confirm").count() == 1
    message = Message.objects.get(person=parent)
    assert "оформлено" in message.subject
    assert message.link == "/health/book/"


def test_confirming_a_change_ends_the_old_attachment_in_the_same_step(clinics):
    adult, _children = clinics
    person = PersonFactory()
    old = Attachment.objects.create(
        person=person, organisation=OrganisationFactory(), since=date(2020, 1, 1)
    )
    application = apply(person, person, adult, reason=clinic_rules.REASON_MOVED)
    services.attachment_decide(
        actor=registrar_of(adult), application_id=application.pk, confirm=True, now=NOW
    )
    old.refresh_from_db()
    assert old.until == TODAY
    assert Attachment.objects.get(person=person, until__isnull=True).organisation == adult


def test_a_parent_applies_for_a_son_to_a_childrens_clinic_only(newcomer, clinics):
    parent, son = newcomer
    adult, children = clinics
    with pytest.raises(DomainError) as wrong:
        apply(parent, son, adult)
    assert wrong.value.code == "clinic_not_attachable"
    assert apply(parent, son, children).person == son


def test_a_decline_needs_a_reason_and_tells_the_family(
    newcomer, clinics, django_capture_on_commit_callbacks
):
    parent, son = newcomer
    _adult, children = clinics
    application = apply(parent, son, children)
    registrar = registrar_of(children)
    with pytest.raises(DomainError) as bare:
        services.attachment_decide(actor=registrar, application_id=application.pk, confirm=False)
    assert bare.value.code == "decline_reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_decide(
            actor=registrar,
            application_id=application.pk,
            confirm=False,
            decline_reason="Прикрепление по месту жительства: адрес вне участков",
        )
    assert not Attachment.objects.filter(person=son).exists()
    # A child has no login: the parent hears it.
    message = Message.objects.get(person=parent)
    assert "адрес вне участков" in message.body


def test_another_clinics_registrar_does_not_see_the_application(newcomer, clinics):
    parent, _son = newcomer
    adult, children = clinics
    application = apply(parent, parent, adult)
    with pytest.raises(NotFound):
        services.attachment_decide(
            actor=registrar_of(children), application_id=application.pk, confirm=True
        )


def test_a_withdrawn_application_cannot_be_confirmed(newcomer, clinics):
    parent, _son = newcomer
    adult, _children = clinics
    application = apply(parent, parent, adult)
    services.attachment_withdraw(actor=parent.user, application_id=application.pk)
    with pytest.raises(DomainError) as late:
        services.attachment_decide(
            actor=registrar_of(adult), application_id=application.pk, confirm=True
        )
    assert late.value.code == "application_decided"
    assert not Attachment.objects.filter(person=parent).exists()
    # Withdrawn, a new application may be made.
    assert apply(parent, parent, adult).status == AttachmentApplication.Status.PENDING


def test_a_stranger_cannot_apply_for_someone_else(newcomer, clinics):
    _parent, son = newcomer
    adult, _children = clinics
    with pytest.raises(NotFound):
        apply(PersonFactory(), son, adult)


@pytest.fixture
def signed_in(client, newcomer, time_machine):
    time_machine.move_to(NOW)
    client.force_login(newcomer[0].user)
    return client


def test_the_booking_page_of_a_person_without_a_clinic_leads_to_attachment(signed_in, newcomer):
    parent, _son = newcomer
    response = signed_in.get(f"/health/book/?person={parent.pk}")
    assert response.status_code == 200
    assert f'href="/health/attach/?person={parent.pk}"' in response.content.decode()


def test_a_citizen_finds_a_clinic_applies_and_withdraws_on_the_page(signed_in, newcomer, clinics):
    parent, _son = newcomer
    adult, children = clinics
    page = signed_in.get("/health/attach/")
    assert page.status_code == 200
    assert "Кого прикрепить?" in page.content.decode()

    found = signed_in.get(f"/health/attach/?person={parent.pk}&q=№ 2").content.decode()
    assert adult.name in found
    assert children.name not in found  # an adult's search shows adult polyclinics
    form = signed_in.get(f"/health/attach/?person={parent.pk}&clinic={adult.pk}")
    assert "Подать заявление" in form.content.decode()

    refused = signed_in.post(
        "/health/attach/",
        {"person": parent.pk, "organisation": children.pk, "reason": "first"},
    )
    assert refused.status_code == 409
    assert "выберите поликлинику для взрослых" in refused.content.decode()

    sent = signed_in.post(
        "/health/attach/", {"person": parent.pk, "organisation": adult.pk, "reason": "first"}
    )
    assert sent.status_code == 302
    after = signed_in.get(sent["Location"]).content.decode()
    assert "на рассмотрении" in after
    assert "Заявление отправлено в поликлинику" in after
    application = AttachmentApplication.objects.get(person=parent)

    withdrawn = signed_in.post(f"/health/attach/{application.pk}/withdraw/")
    assert withdrawn.status_code == 302
    application.refresh_from_db()
    assert application.status == AttachmentApplication.Status.WITHDRAWN


def test_another_familys_person_and_application_are_not_found(signed_in, clinics):
    adult, _children = clinics
    stranger = PersonFactory()
    assert signed_in.get(f"/health/attach/?person={stranger.pk}").status_code == 404
    theirs = apply(stranger, stranger, adult)
    assert signed_in.post(f"/health/attach/{theirs.pk}/withdraw/").status_code == 404


def test_the_desk_lists_confirms_and_declines(
    client, newcomer, clinics, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(NOW)
    parent, son = newcomer
    adult, children = clinics
    mine = apply(parent, son, children)
    registrar = registrar_of(children)
    client.force_login(registrar)
    home = client.get("/health/staff/").content.decode()
    assert f"/health/staff/clinics/{children.pk}/attachments/" in home
    with django_assert_max_num_queries(12):
        desk = client.get(f"/health/staff/clinics/{children.pk}/attachments/")
    assert desk.status_code == 200
    assert son.full_name in desk.content.decode()

    bare = client.post(
        f"/health/staff/attachment-applications/{mine.pk}/decide/",
        {f"a{mine.pk}-decision": "decline", f"a{mine.pk}-decline_reason": ""},
    )
    assert bare.status_code == 400
    assert "Напишите причину отказа" in bare.content.decode()

    confirm = {f"a{mine.pk}-decision": "confirm"}
    done = client.post(f"/health/staff/attachment-applications/{mine.pk}/decide/", confirm)
    assert done.status_code == 302
    assert Attachment.objects.get(person=son, until__isnull=True).organisation == children
    again = client.post(
        f"/health/staff/attachment-applications/{mine.pk}/decide/", confirm, follow=True
    )
    assert "уже рассмотрено" in again.content.decode()

    client.force_login(registrar_of(adult))
    assert client.get(f"/health/staff/clinics/{children.pk}/attachments/").status_code == 404
    assert (
        client.post(f"/health/staff/attachment-applications/{mine.pk}/decide/", confirm).status_code
        == 404
    )


BASE = "/api/v1/health"


def post(client, path, body):
    return client.post(f"{BASE}{path}", body, content_type="application/json")


def test_the_api_lists_clinics_applies_and_withdraws(signed_in, newcomer, clinics):
    _parent, son = newcomer
    adult, children = clinics
    listed = signed_in.get(f"{BASE}/people/{son.pk}/attachable-clinics?district=САО").json()
    assert listed["current"] is None
    assert [clinic["id"] for clinic in listed["clinics"]] == [children.pk]

    body = {"person_id": son.pk, "organisation_id": children.pk, "reason": "first"}
    created = post(signed_in, "/attachment-applications", body)
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    again = post(signed_in, "/attachment-applications", body)
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "application_pending"
    wrong = post(signed_in, "/attachment-applications", {**body, "organisation_id": adult.pk})
    assert wrong.json()["code"] in {"application_pending", "clinic_not_attachable"}

    mine = signed_in.get(f"{BASE}/attachment-applications").json()
    assert [each["id"] for each in mine] == [created.json()["id"]]
    path = f"/attachment-applications/{created.json()['id']}/withdraw"
    assert post(signed_in, path, {}).json()["status"] == "withdrawn"
    assert post(signed_in, path, {}).json()["code"] == "application_decided"
    odd = signed_in.get(f"{BASE}/people/{son.pk}/attachable-clinics?q=%00&district=%00")
    assert odd.status_code == 200
    assert [clinic["id"] for clinic in odd.json()["clinics"]] == [children.pk]
    unknown = post(signed_in, "/attachment-applications", {**body, "organisation_id": 999999})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "clinic_not_found"


def test_the_api_refuses_a_change_sooner_than_a_year(signed_in, newcomer, clinics):
    parent, _son = newcomer
    adult, _children = clinics
    Attachment.objects.create(
        person=parent, organisation=OrganisationFactory(), since=TODAY - timedelta(days=30)
    )
    body = {"person_id": parent.pk, "organisation_id": adult.pk, "reason": "choice"}
    refused = post(signed_in, "/attachment-applications", body)
    assert refused.status_code == 409
    assert refused.json()["code"] == "attachment_change_too_soon"
    moved = post(signed_in, "/attachment-applications", {**body, "reason": "moved"})
    assert moved.status_code == 201
