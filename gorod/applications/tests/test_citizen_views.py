"""The citizen's pages: start, the form step by step, uploads, review, submit, the
application's page with its timeline, answer, withdraw, result, downloads — and who may see them."""

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from gorod.applications.models import Application, File
from gorod.applications.services import citizen as services
from gorod.applications.services.moves import application_move
from gorod.applications.tests.factories import EXE_BYTES, PNG_BYTES, pdf
from gorod.core.clock import local_date

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=MOSCOW)


@pytest.fixture
def signed_in(client, citizen, definitions, offices):
    client.force_login(citizen.user)
    return client


def start(client, slug: str, subject="self", key=None):
    return client.post(
        reverse("applications:new", args=[slug]),
        {"subject": subject, "start_key": str(key or uuid.uuid4())},
    )


def text(response) -> str:
    return response.content.decode()


def test_start_makes_a_draft_and_opens_its_first_step(signed_in, citizen):
    response = start(signed_in, "resident-parking-permit")

    application = Application.objects.get(applicant=citizen.person)
    assert response.status_code == 302
    assert response.url == reverse("applications:step", args=[application.public_id, 1])
    page = signed_in.get(response.url)
    assert page.status_code == 200
    html = text(page)
    assert "Шаг 1 из 3" in html
    assert 'name="plate"' in html
    assert 'name="zones"' in html
    assert 'type="checkbox"' in html
    # The lease contract is asked only for a leased car.
    assert re.search(r'id="field-lease_contract-wrapper"[^>]*hidden', html)


def test_the_same_start_key_twice_is_one_draft(signed_in, citizen):
    key = uuid.uuid4()
    start(signed_in, "resident-parking-permit", key=key)
    start(signed_in, "resident-parking-permit", key=key)

    assert Application.objects.filter(applicant=citizen.person).count() == 1


def test_a_child_only_service_offers_the_children_and_starts_for_one(signed_in, citizen):
    page = signed_in.get(reverse("applications:new", args=["sports-school"]))
    assert citizen.child.full_name in text(page)

    start(signed_in, "sports-school", subject=citizen.child.pk)

    assert Application.objects.get(applicant=citizen.person).subject == citizen.child


def test_an_ineligible_start_says_why_and_what_to_do(signed_in, citizen):
    response = start(signed_in, "sports-school", subject="self")

    assert response.status_code in (403, 422)
    assert not Application.objects.exists()
    html = text(response)
    assert "error-summary" in html


def test_eligibility_refusal_names_the_reason(signed_in, citizen):
    citizen.child.birth_date = local_date(NOW).replace(year=local_date(NOW).year - 3)
    citizen.child.save()

    response = start(signed_in, "sports-school", subject=citizen.child.pk)

    assert response.status_code == 403
    html = text(response)
    assert "Что можно сделать" in html
    assert "6 лет" in html
    assert "Центр госуслуг района Тестовый-1" in html


def test_a_bad_step_keeps_what_was_typed_and_names_each_field(signed_in, citizen):
    start(signed_in, "resident-parking-permit")
    application = Application.objects.get()
    url = reverse("applications:step", args=[application.public_id, 1])

    response = signed_in.post(
        url,
        {"plate": "abc", "zones": ["home"], "owner": "mine", "seats": "12", "registered_on": ""},
    )

    assert response.status_code == 400
    html = text(response)
    assert 'value="abc"' in html
    assert "autofocus" in html
    assert "error-summary" in html
    assert 'href="#field-plate"' in html
    assert 'href="#field-seats"' in html
    assert "Не больше 9" in html
    application.refresh_from_db()
    assert application.answers == {}


def fill_parking(client, application):
    first = reverse("applications:step", args=[application.public_id, 1])
    response = client.post(
        first,
        {
            "plate": "А123ВС777",
            "zones": ["home", "work"],
            "owner": "mine",
            "seats": "5",
            "registered_on": "2020-05-01",
            "_shown": ["plate", "zones", "owner", "seats", "registered_on"],
        },
    )
    assert response.status_code == 302, text(response)
    response = client.post(
        reverse("applications:step", args=[application.public_id, 2]),
        {"address": "ул. Тверская, д. 13, кв. 5", "phone": "+7 495 123-45-67"},
    )
    assert response.status_code == 302, text(response)
    response = client.post(
        reverse("applications:step", args=[application.public_id, 3]),
        {"data_consent": "yes", "data_correct": "yes"},
    )
    assert response.url == reverse("applications:review", args=[application.public_id])


def test_a_condition_that_now_holds_shows_its_field_after_saving(signed_in):
    start(signed_in, "resident-parking-permit")
    application = Application.objects.get()
    url = reverse("applications:step", args=[application.public_id, 1])

    response = signed_in.post(
        url,
        {
            "plate": "А123ВС777",
            "zones": ["home"],
            "owner": "lease",
            "seats": "5",
            "registered_on": "2020-05-01",
            "_shown": ["plate", "zones", "owner", "seats", "registered_on"],
        },
    )

    assert response.status_code == 400
    html = text(response)
    assert "Появилось новое поле" in html
    assert not re.search(r'id="field-lease_contract-wrapper"[^>]*hidden', html)


def test_the_whole_form_reviewed_and_submitted_once(signed_in, citizen):
    start(signed_in, "resident-parking-permit")
    application = Application.objects.get()
    fill_parking(signed_in, application)

    review = signed_in.get(reverse("applications:review", args=[application.public_id]))
    assert "А123ВС777" in text(review)
    assert "У дома, У работы" in text(review)
    submit_url = reverse("applications:submit", args=[application.public_id])
    first = signed_in.post(submit_url)
    second = signed_in.post(submit_url)

    detail = reverse("applications:detail", args=[application.public_id])
    assert first.url == detail
    assert second.url == detail
    application.refresh_from_db()
    assert application.status == "submitted"
    page = signed_in.get(detail)
    assert "отправлено" in text(page)
    assert application.number in text(page)


def test_uploads_are_checked_by_their_bytes(signed_in, citizen):
    start(signed_in, "sports-school", subject=citizen.child.pk)
    application = Application.objects.get()
    url = reverse("applications:step", args=[application.public_id, 1])

    bad = signed_in.post(
        url, {"_action": "upload", "medical": pdf("справка.pdf", EXE_BYTES)}, format="multipart"
    )
    assert bad.status_code == 400
    assert "справка.pdf" in text(bad)
    assert "Это не" in text(bad)
    assert not File.objects.exists()

    renamed = signed_in.post(url, {"_action": "upload", "medical": pdf("скан.pdf", PNG_BYTES)})
    assert renamed.status_code == 400
    assert "Это не PDF" in text(renamed)
    good = signed_in.post(url, {"_action": "upload", "medical": pdf("справка.pdf")})
    assert good.status_code == 200
    file = File.objects.get()
    assert file.content_type == "application/pdf"
    assert file.name == "справка.pdf"
    assert "справка.pdf" in text(good)

    removed = signed_in.post(url, {"_remove": str(file.public_id)})
    assert removed.status_code == 200
    assert not File.objects.exists()


def test_an_oversize_upload_is_refused(signed_in, citizen):
    start(signed_in, "sports-school", subject=citizen.child.pk)
    application = Application.objects.get()
    url = reverse("applications:step", args=[application.public_id, 1])

    big = pdf("big.pdf", PNG_BYTES[:8] + b"\x00" * (1024 * 1024 + 10))
    response = signed_in.post(url, {"_action": "upload", "medical": big})

    assert response.status_code == 400
    assert "больше 1 МБ" in text(response)
    assert not File.objects.exists()


def test_the_department_asks_the_citizen_answers_and_the_result_is_received(
    signed_in, citizen, django_assert_max_num_queries
):
    start(signed_in, "resident-parking-permit")
    application = Application.objects.get()
    fill_parking(signed_in, application)
    signed_in.post(reverse("applications:submit", args=[application.public_id]))
    detail = reverse("applications:detail", args=[application.public_id])
    for to in ("registered", "in_review", "info_requested"):
        _department(
            application, to, text="Приложите СТС с двух сторон." if to == "info_requested" else ""
        )

    page = signed_in.get(detail)
    assert "Приложите СТС с двух сторон." in text(page)
    assert "Осталось" in text(page) or "осталось" in text(page)
    empty = signed_in.post(
        reverse("applications:answer", args=[application.public_id]), {"text": " "}
    )
    assert empty.status_code == 400
    assert "Напишите ответ" in text(empty)
    sent = signed_in.post(
        reverse("applications:answer", args=[application.public_id]),
        {"text": "Приложил.", "files": pdf("стс.pdf")},
    )
    assert sent.status_code == 302
    application.refresh_from_db()
    assert application.status == "in_review"

    _department(application, "result_ready", text="Разрешение выдано.")
    result = services.File.objects  # noqa: F841 (the model, through the services module)
    with django_assert_max_num_queries(25):
        page = signed_in.get(detail)
    assert "Разрешение выдано." in text(page)
    assert "Я получил(а) результат" in text(page)
    signed_in.post(reverse("applications:receive", args=[application.public_id]))
    application.refresh_from_db()
    assert application.status == "completed"
    page = signed_in.get(detail)
    assert "Оцените услугу" in text(page)


def _department(application, to, *, text=""):
    from django.db import transaction

    application.refresh_from_db()
    with transaction.atomic():
        application_move(application, to=to, by="department", actor=None, now=NOW, text=text)


def test_an_anonymous_applicant_signs_in_and_comes_back_to_start(client, definitions):
    new = reverse("applications:new", args=["library-card"])

    response = client.get(new)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={new}"


def test_the_form_reads_in_english(signed_in):
    start(signed_in, "resident-parking-permit")
    application = Application.objects.get()

    page = signed_in.get(
        reverse("applications:step", args=[application.public_id, 1]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = text(page)
    assert "Number plate" in html
    assert "Near home" in html
    assert "Госномер" not in html


def test_every_field_type_is_drawn_with_its_control(signed_in, citizen):
    start(signed_in, "resident-parking-permit")
    parking = Application.objects.get()
    start(signed_in, "sports-school", subject=citizen.child.pk)
    school = Application.objects.exclude(pk=parking.pk).get()

    def step(application, number):
        return text(
            signed_in.get(reverse("applications:step", args=[application.public_id, number]))
        )

    first, second, school_first = step(parking, 1), step(parking, 2), step(school, 1)
    assert 'name="plate" value="" type="text"' in " ".join(first.split())  # text
    assert 'type="checkbox" name="zones"' in first  # several choices
    assert 'type="radio" name="owner"' in first  # one choice
    assert 'inputmode="decimal"' in first  # number
    assert 'type="date"' in first  # date
    assert 'autocomplete="street-address"' in second  # address
    assert '<textarea id="field-note"' in second  # textarea
    assert 'type="tel"' in second
    assert 'type="email"' in second
    assert "(необязательно)" in second  # the optional comment says so
    assert f'name="athlete" value="{citizen.child.pk}"' in school_first  # person
    assert f'name="athlete" value="{citizen.person.pk}"' in school_first
    assert 'type="file" id="field-medical" name="medical" accept=".pdf,application/pdf"' in (
        school_first
    )  # file
    consent = step(parking, 3)
    assert 'type="checkbox" id="field-data_consent" name="data_consent" value="yes"' in consent
