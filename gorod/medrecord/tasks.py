"""The record's background task: prepare the certificates that are due."""

from django_tasks import task

from gorod.medrecord.services.certificates import certificates_prepare_due


@task()
def prepare_due_certificates() -> dict:
    """Ordered certificates whose working day has come become ready (hourly, idempotent)."""
    return {"prepared": certificates_prepare_due()}
