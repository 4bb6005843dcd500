"""Periodic work of clubs, run by `gorod worker` (GOROD_PERIODIC_TASKS)."""

from django_tasks import task

from gorod.clubs.services import invitations_lapse


@task()
def lapse_invitations() -> dict:
    """Invitations past their confirmation day give the place to the next in line."""
    return {"lapsed": invitations_lapse()}
