"""The catalog editor's back office: services, categories, departments, definitions, offices,
departments' staff — and nobody else's."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from gorod.accounts.tests.factories import UserFactory
from gorod.applications.models import Definition, DepartmentPost, Office
from gorod.applications.tests.department_world import DECISION, FORM_TEMPLATE, HEALTH, staff
from gorod.catalog.models import Department, Service
from gorod.core.models import AuditEvent

pytest_plugins = ["gorod.applications.tests.department_fixtures"]


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


@pytest.fixture
def editor(catalog):
    return staff(HEALTH, role="catalog_editor")


def _service_form(service: Service, **changes) -> dict:
    data = {
        "slug": service.slug,
        "title": service.title,
        "title_en": service.title_en,
        "category": service.category_id,
        "department": service.department_id,
        "kind": service.kind,
        "description": service.description,
        "description_en": service.description_en,
        "keywords": "[]",
        "audience": service.audience,
        "is_published": "on" if service.is_published else "",
        "is_online": "on" if service.is_online else "",
        "external_url": service.external_url,
        "featured_position": service.featured_position or "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_the_editor_sees_and_changes_a_service(editor, client):
    client.force_login(editor)
    service = Service.objects.get(slug=DECISION)
    listing = client.get(reverse("admin:catalog_service_changelist"), {"q": "поликлиник"})
    assert listing.status_code == 200
    assert service.title in listing.content.decode()
    url = reverse("admin:catalog_service_change", args=[service.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _service_form(service, title="Прикрепление к поликлинике (новое)"))
    assert response.status_code == 302, response.content.decode()[:3000]
    service.refresh_from_db()
    assert service.title == "Прикрепление к поликлинике (новое)"
    assert AuditEvent.objects.filter(action="service.updated", actor=editor).exists()


def test_the_editor_adds_a_department_and_changes_a_category(editor, client):
    client.force_login(editor)
    response = client.post(
        reverse("admin:catalog_department_add"),
        {"code": "ДКН", "name": "Департамент культурного наследия"},
    )
    assert response.status_code == 302
    assert Department.objects.filter(code="ДКН").exists()
    assert AuditEvent.objects.filter(action="department.created").exists()
    assert client.get(reverse("admin:catalog_category_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_category_add")).status_code == 403


def test_the_editor_manages_department_posts_and_offices(editor, client):
    client.force_login(editor)
    worker = UserFactory(is_staff=True)
    department = Department.objects.get(code=HEALTH)
    response = client.post(
        reverse("admin:applications_departmentpost_add"),
        {"user": worker.pk, "department": department.pk, "is_head": "on"},
    )
    assert response.status_code == 302
    post = DepartmentPost.objects.get(user=worker)
    assert post.is_head
    assert (
        client.get(
            reverse("admin:applications_departmentpost_changelist"), {"q": worker.email}
        ).status_code
        == 200
    )
    response = client.post(
        reverse("admin:applications_departmentpost_delete", args=[post.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not DepartmentPost.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(action="applications.department_post_deleted").exists()
    response = client.post(
        reverse("admin:applications_office_add"),
        {"code": "M1", "name": "МФЦ района Арбат", "address": "ул. Новый Арбат, 11"},
    )
    assert response.status_code == 302
    assert Office.objects.filter(code="M1").exists()


def test_a_definition_is_read_only_with_a_preview(editor, client, desk_definitions):
    client.force_login(editor)
    definition = Definition.objects.get(service__slug=DECISION)
    listing = client.get(reverse("admin:applications_definition_changelist"))
    assert listing.status_code == 200
    change = client.get(reverse("admin:applications_definition_change", args=[definition.pk]))
    assert change.status_code == 200
    assert 'name="version"' not in change.content.decode()
    preview = client.get(reverse("admin:applications_definition_preview", args=[definition.pk]))
    assert preview.status_code == 200
    page = preview.content.decode()
    for text in ("Цель обращения", "Первичное", "Повторное", "Шаг 1. Сведения", "решение (текст)"):
        assert text in page
    assert "зарегистрировано" in page


def test_a_new_version_is_checked_and_added_beside_the_old(editor, client, desk_definitions):
    client.force_login(editor)
    url = reverse("admin:applications_definition_upload")
    assert client.get(url).status_code == 200
    broken = FORM_TEMPLATE.format(slug=DECISION, kind="decision").replace(
        "version: 1", "version: 2"
    )
    broken = broken.replace("term_days: 10", "term_days: 0")
    response = client.post(url, {"text": broken})
    assert response.status_code == 422
    page = response.content.decode()
    assert "content.term_days" in page
    assert Definition.objects.filter(service__slug=DECISION).count() == 1
    same = client.post(url, {"text": FORM_TEMPLATE.format(slug=DECISION, kind="decision")})
    assert same.status_code == 422
    assert "совпадает с последней версией" in same.content.decode()
    fresh = FORM_TEMPLATE.format(slug=DECISION, kind="document").replace("version: 1", "version: 2")
    response = client.post(url, {"file": SimpleUploadedFile("clinic.yaml", fresh.encode())})
    assert response.status_code == 302
    versions = dict(
        Definition.objects.filter(service__slug=DECISION).values_list("version", "kind")
    )
    assert versions == {1: "form", 2: "form"}
    old = Definition.objects.get(service__slug=DECISION, version=1)
    assert old.document["outcome"]["kind"] == "decision"
    assert AuditEvent.objects.filter(action="applications.definition_add", actor=editor).exists()


def test_a_definition_mistake_names_yaml_problems(editor, client, desk_definitions):
    client.force_login(editor)
    url = reverse("admin:applications_definition_upload")
    response = client.post(url, {"text": "schema: 1\nservice: [unclosed"})
    assert response.status_code == 422
    assert "line" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("x.yaml", b"\xff\xfe\x00bad")})
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


@pytest.mark.parametrize("role", [None, "operator", "department_operator"])
def test_others_cannot_edit_the_catalog(catalog, client, role):
    user = UserFactory(is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    service = Service.objects.get(slug=DECISION)
    change = reverse("admin:catalog_service_change", args=[service.pk])
    assert client.get(change).status_code == 403
    assert client.post(change, _service_form(service, title="Взлом")).status_code == 403
    assert client.get(reverse("admin:applications_definition_upload")).status_code == 403
    service.refresh_from_db()
    assert service.title != "Взлом"


def test_a_citizen_is_sent_to_the_admin_sign_in(catalog, client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:catalog_service_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]
