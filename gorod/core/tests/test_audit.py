import pytest
from django.contrib.auth import get_user_model

from gorod.core.audit import audit_read
from gorod.core.models import AuditEvent


@pytest.mark.django_db
def test_a_read_of_personal_data_records_who_read_what():
    reader = get_user_model().objects.create_user("reader@gorod.local", "x" * 16, is_staff=True)
    event = audit_read(actor=reader, action="housing.premises_view", target=reader, found=True)
    stored = AuditEvent.objects.get(action="housing.premises_view")
    assert stored == event
    assert stored.actor == reader
    assert (stored.target_type, stored.target_id) == (reader._meta.label_lower, str(reader.pk))
    assert stored.data == {"found": True}


def test_a_read_without_a_signed_in_reader_is_refused():
    class Anonymous:
        is_authenticated = False

    with pytest.raises(ValueError, match="signed-in reader"):
        audit_read(actor=Anonymous(), action="housing.premises_view")
