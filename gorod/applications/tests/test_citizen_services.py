"""The citizen's writes as the pages and the API use them: drafts that resume, steps saved
whole or not at all, conditional fields, eligibility, uploads judged by their bytes, an
idempotent submit."""

from datetime import date

import pytest

from gorod.applications.models import Application, File
from gorod.applications.services import citizen as services
from gorod.applications.tests.factories import EXE_BYTES, PNG_BYTES, pdf
from gorod.core.errors import Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db


def parking(citizen) -> Application:
    return services.application_start(actor=citizen.user, service_slug="resident-parking-permit")


FIRST_STEP = {
    "plate": ["А123ВС777"],
    "zones": ["home"],
    "owner": ["mine"],
    "seats": ["5"],
    "registered_on": ["01.05.2020"],
}


def save(citizen, application, step, data):
    return services.application_step_save(
        actor=citizen.user, public_id=application.public_id, step=step, data=data
    )


def test_a_draft_resumes_with_the_steps_saved(citizen, definitions):
    application = parking(citizen)
    save(citizen, application, 0, FIRST_STEP)

    again = Application.objects.get(pk=application.pk)
    assert again.status == "draft"
    assert again.answers == {
        "plate": "А123ВС777",
        "zones": ["home"],
        "owner": "mine",
        "seats": "5",
        "registered_on": "2020-05-01",
    }


def test_a_bad_step_saves_nothing_of_it_and_keeps_the_earlier_steps(citizen, definitions):
    application = parking(citizen)
    save(citizen, application, 0, FIRST_STEP)

    with pytest.raises(Invalid) as refused:
        save(citizen, application, 1, {"address": ["ул. Тверская, д. 13"], "phone": ["12"]})

    assert refused.value.code == "answers_invalid"
    assert set(refused.value.details["fields"]) == {"phone"}
    application.refresh_from_db()
    assert "address" not in application.answers
    assert application.answers["plate"] == "А123ВС777"


def test_a_field_hidden_by_a_changed_answer_is_dropped(citizen, definitions):
    application = parking(citizen)
    save(citizen, application, 0, {**FIRST_STEP, "owner": ["lease"], "lease_contract": ["Л-1"]})
    assert Application.objects.get().answers["lease_contract"] == "Л-1"

    save(citizen, application, 0, {**FIRST_STEP, "owner": ["mine"], "lease_contract": ["Л-1"]})

    assert "lease_contract" not in Application.objects.get().answers


def test_a_conditional_field_is_required_only_while_shown(citizen, definitions):
    application = parking(citizen)
    with pytest.raises(Invalid) as refused:
        save(citizen, application, 0, {**FIRST_STEP, "owner": ["lease"]})
    assert set(refused.value.details["fields"]) == {"lease_contract"}


def test_a_child_only_service_refuses_the_applicant_themself(citizen, definitions):
    with pytest.raises(Invalid) as refused:
        services.application_start(actor=citizen.user, service_slug="sports-school")
    assert refused.value.code == "not_for_this_person"


def test_eligibility_by_age_names_the_bound(citizen, definitions):
    citizen.child.birth_date = date.today().replace(year=date.today().year - 19)
    citizen.child.save()
    # Nineteen: no longer a child the applicant represents.
    with pytest.raises(NotFound):
        services.application_start(
            actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
        )
    citizen.child.birth_date = date.today().replace(year=date.today().year - 4)
    citizen.child.save()
    with pytest.raises(Forbidden) as refused:
        services.application_start(
            actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
        )
    assert refused.value.code == "not_eligible"
    assert "6" in refused.value.details["reasons"][0]


def test_someone_elses_child_is_not_found(citizen, other_citizen, definitions):
    with pytest.raises(NotFound):
        services.application_start(
            actor=citizen.user, service_slug="sports-school", subject_id=other_citizen.child.pk
        )


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("справка.pdf", PNG_BYTES, "Это не PDF"),
        ("справка.pdf", EXE_BYTES, "Это не PDF"),
        ("справка.pdf", b"%PDF-1.4" + b"\x00" * (1024 * 1024), "больше 1 МБ"),
        ("пусто.pdf", b"", "пустой"),
    ],
)
def test_uploads_are_judged_by_their_bytes(citizen, definitions, name, content, why):
    application = services.application_start(
        actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
    )
    with pytest.raises(Invalid) as refused:
        services.application_file_add(
            actor=citizen.user,
            public_id=application.public_id,
            field_key="medical",
            upload=pdf(name, content),
        )
    assert refused.value.code == "file_refused"
    assert why in str(refused.value.message)
    assert not File.objects.exists()


def test_a_file_field_takes_no_more_than_its_count(citizen, definitions):
    application = services.application_start(
        actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
    )
    for _ in range(2):
        services.application_file_add(
            actor=citizen.user, public_id=application.public_id, field_key="medical", upload=pdf()
        )
    with pytest.raises(Invalid) as refused:
        services.application_file_add(
            actor=citizen.user, public_id=application.public_id, field_key="medical", upload=pdf()
        )
    assert refused.value.code == "too_many_files"
    assert File.objects.count() == 2


def test_submit_is_idempotent(citizen, definitions):
    application = services.application_start(actor=citizen.user, service_slug="library-card")
    save(citizen, application, 0, {"has_card": ["no"], "email": ["a@b.ru"]})
    save(citizen, application, 1, {"data_consent": ["yes"], "data_correct": ["yes"]})

    first = services.application_submit(
        actor=citizen.user, public_id=application.public_id, channel="web"
    )
    second = services.application_submit(
        actor=citizen.user, public_id=application.public_id, channel="web"
    )

    assert first.status == second.status == "submitted"
    assert first.use_id == second.use_id is not None
    assert application.events.filter(to_status="submitted").count() == 1
