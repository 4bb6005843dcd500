"""Walk the whole catalog as a citizen: every service page lets them do something or says
exactly where and how — a form to start, information to read, a partner's site to go to."""

import html

import pytest
from django.urls import reverse

from gorod.applications.loader import DEFINITIONS_DIR
from gorod.applications.models import Definition
from gorod.applications.rules import text
from gorod.applications.services.imports import definitions_import
from gorod.catalog.models import Service

# Once, on PostgreSQL: 469 pages are an acceptance walk, not a unit of either database.
pytestmark = pytest.mark.e2e


@pytest.mark.django_db
def test_every_service_page_leads_somewhere(client, catalog):
    assert definitions_import(DEFINITIONS_DIR).problems == []
    documents = {
        definition.service_id: definition.document for definition in Definition.objects.all()
    }
    dead_ends = []
    for service in Service.objects.order_by("slug"):
        page = client.get(reverse("web:service", args=[service.slug]))
        body = page.content.decode()
        document = documents.get(service.pk)
        if page.status_code != 200 or "Скоро на портале" in body:
            dead_ends.append((service.slug, page.status_code))
        elif service.kind == "form":
            start = reverse("applications:new", args=[service.slug])
            if start not in body or html.escape(text(document["content"]["summary"])) not in body:
                dead_ends.append((service.slug, "no way to apply"))
        elif service.kind == "info":
            steps = [html.escape(text(step)) for step in document["content"]["how"]]
            if not all(step in body for step in steps):
                dead_ends.append((service.slug, "no information"))
        elif service.kind == "external":
            way_out = reverse("web:service_go", args=[service.slug])
            if way_out not in body or not service.external_url:
                dead_ends.append((service.slug, "no way to the partner"))
    assert dead_ends == []
