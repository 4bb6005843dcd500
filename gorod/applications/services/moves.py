"""The one way an application changes status: checked, race-safe, recorded, notified.

Both sides (the citizen's services and the department's) move applications through
`application_move`: the definition's workflow table allows the move for that side, the row
changes with a conditional UPDATE (… WHERE id = %s AND status = %s), so of two operators
deciding at once exactly one succeeds, and the history row, the audit row and the message to
the applicant (an outbox row the worker delivers) are written in the same transaction.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gorod.applications import rules
from gorod.applications.models import Application, Event
from gorod.core.audit import audit_record
from gorod.core.clock import local_date
from gorod.core.errors import Conflict, RuleError
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

NOTIFICATION_TOPIC = "applications"


def moved_elsewhere() -> Conflict:
    return Conflict(
        "application_changed",
        _("Заявление уже изменилось: обновите страницу и посмотрите его новый статус."),
    )


def application_move(
    application: Application,
    *,
    to: str,
    by: str,
    actor,
    now: datetime,
    text: str = "",
    updates: Mapping[str, Any] | None = None,
) -> Application:
    """Move `application` to `to` on behalf of `by` ("applicant" or "department").

    Call inside `transaction.atomic`. `updates` are further columns to set in the same
    UPDATE (the term, the decision's text). Raises Conflict when the move is not allowed
    from the status the row has now (another operator was first, the citizen withdrew).
    """
    workflow = application.definition.document["workflow"]
    try:
        rules.check_move(workflow, application.status, to, by=by)
    except RuleError as error:
        raise Conflict(error.code, error.message) from error
    columns = {
        "status": to,
        "updated_at": now,
        **_step_columns(application, to, now),
        **(updates or {}),
    }
    changed = Application.objects.filter(pk=application.pk, status=application.status).update(
        **columns
    )
    if changed != 1:
        raise moved_elsewhere()
    from_status = application.status
    for name, value in columns.items():
        setattr(application, name, value)
    event = Event.objects.create(
        application=application,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=Event.Kind.STATUS,
        from_status=from_status,
        to_status=to,
        text=text,
    )
    audit_record(
        actor=actor,
        action=f"application.{to}",
        target=application,
        service=application.service_id,
        from_status=from_status,
    )
    _notify(application, event)
    return application


def _step_columns(application: Application, to: str, now: datetime) -> dict[str, Any]:
    """The terms and times a status brings with it (DOMAIN.md, "Terms")."""
    today = local_date(now)
    workflow = application.definition.document["workflow"]
    columns: dict[str, Any] = {"step_due_on": rules.step_due(workflow, to, today)}
    if to == rules.SUBMITTED:
        columns["submitted_at"] = now
    elif to == "registered":
        columns["registered_at"] = now
        term_days = application.definition.document["content"]["term_days"]
        columns["due_on"] = rules.decision_due(today, term_days)
    elif application.status in rules.PAUSING and application.due_on is not None:
        paused_on = _entered_on(application)
        if paused_on is not None:
            columns["due_on"] = rules.due_after_pause(application.due_on, paused_on, today)
    if to in (rules.RESULT_READY, "refused", "refused_to_accept"):
        columns["decided_at"] = now
    if to in rules.CLOSED:
        columns["closed_at"] = now
        columns["step_due_on"] = None
    return columns


def _entered_on(application: Application):
    """The day the application entered its present status (from its history)."""
    entered = (
        Event.objects.filter(
            application=application, kind=Event.Kind.STATUS, to_status=application.status
        )
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return local_date(entered) if entered else None


def _notify(application: Application, event: Event) -> None:
    """Tell the applicant of every change, their own included: the message is the receipt."""
    title = application.service.title
    title_en = application.service.title_en or title
    link = reverse("applications:detail", args=[application.public_id])

    def compose():
        name = title_en if get_language() == "en" else title
        subject = _("Заявление %(number)s: %(status)s") % {
            "number": application.number,
            "status": rules.status_label(event.to_status),
        }
        body = _("«%(service)s» — %(status)s.") % {
            "service": name,
            "status": rules.status_label(event.to_status),
        }
        if event.text:
            body = f"{body}\n\n{event.text}"
        return subject, body

    draft = Draft(
        person_id=application.applicant_id,
        key=f"application:{application.pk}:event:{event.pk}",
        texts=in_every_language(compose),
        link=link,
    )
    # The outbox row is written in the move's own transaction: the message exists exactly when
    # the change does, and the worker delivers it later (one commit per move, not two).
    messages_enqueue(topic=NOTIFICATION_TOPIC, drafts=[draft])
