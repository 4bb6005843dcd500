"""The audit log writer every service calls inside its transaction."""

from typing import Any

from django.db import models

from gorod.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit row; call it inside the service's `transaction.atomic` block."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


def audit_read(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    **data: Any,
) -> AuditEvent:
    """Record that `actor` has just been shown personal data: a person looked up at a desk,
    the residents of a premises, a file of payer codes. The row is what the citizen's
    activity page and the auditors see of the read.

    Every staff read of personal data is recorded through here, found or not, when it is
    read; the medical record keeps its own access log (the patient's "who looked" page).
    The reader must be signed in: personal data is never shown to nobody, and a row
    without a reader would say nothing.
    """
    if not getattr(actor, "is_authenticated", False):
        raise ValueError("a read of personal data needs a signed-in reader")
    return audit_record(actor=actor, action=action, target=target, **data)
