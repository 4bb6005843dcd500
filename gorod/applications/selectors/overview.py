"""What the cabinet shows of a citizen's applications: the ones still going on."""

from django.db.models import QuerySet

from gorod.applications import rules
from gorod.applications.models import Application
from gorod.applications.selectors.citizen import my_applications


def my_open_applications(*, actor) -> QuerySet[Application]:
    """Drafts and applications the department has not closed yet, newest first."""
    return my_applications(actor=actor).exclude(status__in=rules.CLOSED)
