"""Writes every app shares: a staff member's edit of reference data, with its audit row."""

from collections.abc import Iterable

from django.db import models, transaction

from gorod.core.audit import audit_record


def reference_row_save(
    *, actor, row: models.Model, audit_action: str, created: bool, changed_fields: Iterable[str]
) -> models.Model:
    """Save an edit of reference data (premises, a meter, a practitioner) made in the staff
    admin, with its audit row `<audit_action>_created` or `<audit_action>_changed`.

    The admin's form has already run full_clean; the database's constraints hold the rest.
    """
    with transaction.atomic():
        row.save()
        audit_record(
            actor=actor,
            action=f"{audit_action}_{'created' if created else 'changed'}",
            target=row,
            fields=sorted(changed_fields),
        )
    return row
