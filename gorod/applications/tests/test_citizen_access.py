"""Who may see and act on an application and its files: the applicant alone.

Another citizen, a staff account without a citizen record and an anonymous visitor get
"not found" (pages and API) or the sign-in page / 401 — never the data.
"""

import json

import pytest
from django.urls import reverse

from gorod.accounts.tests.factories import UserFactory
from gorod.applications.models import Application, DepartmentPost, File
from gorod.applications.services import citizen as services
from gorod.applications.tests.factories import pdf
from gorod.catalog.models import Department

BASE = "/api/v1/applications"


@pytest.fixture
def draft(citizen, definitions):
    application = services.application_start(
        actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
    )
    file = services.application_file_add(
        actor=citizen.user, public_id=application.public_id, field_key="medical", upload=pdf()
    )
    return application, file


def pages(application, file):
    one = application.public_id
    return {
        "get": [
            reverse("applications:detail", args=[one]),
            reverse("applications:step", args=[one, 1]),
            reverse("applications:review", args=[one]),
            reverse("applications:file", args=[file.public_id]),
        ],
        "post": [
            reverse("applications:step", args=[one, 1]),
            reverse("applications:submit", args=[one]),
            reverse("applications:answer", args=[one]),
            reverse("applications:withdraw", args=[one]),
            reverse("applications:receive", args=[one]),
            reverse("applications:draft_delete", args=[one]),
        ],
    }


def api_calls(application, file):
    one = application.public_id
    return [
        ("get", f"{BASE}/{one}", None),
        ("put", f"{BASE}/{one}/steps/1", {"answers": {"sport": "judo"}}),
        ("post", f"{BASE}/{one}/submit", {}),
        ("post", f"{BASE}/{one}/answer", {"text": "x"}),
        ("post", f"{BASE}/{one}/withdraw", {}),
        ("post", f"{BASE}/{one}/receive", {}),
        ("delete", f"{BASE}/{one}", None),
        ("delete", f"{BASE}/files/{file.public_id}", None),
    ]


def _call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def _untouched(application, file):
    application.refresh_from_db()
    assert application.status == "draft"
    assert File.objects.filter(pk=file.pk).exists()


def _operator_of_another_department(application):
    """Staff of a department that does not answer for this application (the citizen's pages
    and API are no back door for them)."""
    user = UserFactory(is_staff=True)
    other = Department.objects.exclude(pk=application.department_id).first()
    DepartmentPost.objects.create(user=user, department=other)
    return user


@pytest.mark.parametrize("who", ["other_citizen", "operator"])
def test_no_one_else_reads_or_acts_on_an_application(client, draft, other_citizen, who):
    application, file = draft
    intruder = (
        other_citizen.user
        if who == "other_citizen"
        else _operator_of_another_department(application)
    )
    client.force_login(intruder)
    urls = pages(application, file)

    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Медицинская справка" not in response.content.decode()
    for url in urls["post"]:
        assert client.post(url, {"text": "x", "subject": "self"}).status_code == 404, url
    for method, path, body in api_calls(application, file):
        response = _call(client, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] in {
            "application_not_found",
            "file_not_found",
            "no_citizen_record",
        }
    _untouched(application, file)


def test_anonymous_is_sent_to_sign_in_and_the_api_says_401(client, draft):
    application, file = draft
    urls = pages(application, file)

    for url in urls["get"] + urls["post"]:
        response = client.post(url) if url in urls["post"] else client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url
    for method, path, body in api_calls(application, file):
        assert _call(client, method, path, body).status_code == 401, (method, path)
    assert client.get(f"{BASE}/mine").status_code == 401
    _untouched(application, file)


def test_the_applicant_downloads_a_file_as_an_attachment(client, citizen, draft):
    _application, file = draft
    client.force_login(citizen.user)

    response = client.get(reverse("applications:file", args=[file.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_someone_elses_files_and_applications_do_not_leak_into_lists(client, draft, other_citizen):
    client.force_login(other_citizen.user)

    assert (
        "Прием в спортивную школу" not in client.get(reverse("applications:mine")).content.decode()
    )
    assert client.get(f"{BASE}/mine").json()["count"] == 0
    assert Application.objects.count() == 1


def test_files_have_no_address_of_their_own(client, citizen, draft, settings):
    _application, file = draft
    client.force_login(citizen.user)

    # Only the download view above serves a file; the storage's own "URL" leads nowhere.
    assert client.get(file.blob.url).status_code == 404
    assert not file.blob.path.startswith(str(settings.STATIC_ROOT))
