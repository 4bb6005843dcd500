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
