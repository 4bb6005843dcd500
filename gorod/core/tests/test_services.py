import pytest
from django.contrib.auth.models import Group

from gorod.accounts.tests.factories import UserFactory
from gorod.core.models import AuditEvent
from gorod.core.services import reference_row_save

pytestmark = pytest.mark.django_db


def test_an_edit_of_reference_data_is_saved_with_its_audit_row():
    editor = UserFactory(is_staff=True)
    row = reference_row_save(
        actor=editor,
        row=Group(name="registry"),
        audit_action="test.group",
        created=True,
        changed_fields=["name"],
    )
    row.name = "registry office"
    reference_row_save(
        actor=editor, row=row, audit_action="test.group", created=False, changed_fields=["name"]
    )
    assert Group.objects.get(pk=row.pk).name == "registry office"
    audits = AuditEvent.objects.filter(action__startswith="test.group").order_by("id")
    assert [(audit.action, audit.actor, audit.target_id, audit.data) for audit in audits] == [
        ("test.group_created", editor, str(row.pk), {"fields": ["name"]}),
        ("test.group_changed", editor, str(row.pk), {"fields": ["name"]}),
    ]
