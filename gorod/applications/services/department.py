"""The department's writes: register, review, ask, suspend, decide, hand over, assign, note.

Every status change goes through `moves.application_move` (the workflow table, the
conditional UPDATE, the history row, the audit row, the message to the applicant). Each
write locks the application's row first, so of two operators deciding at once the second
finds the first one's decision and is told so (Conflict `transition_not_allowed`, or
`application_changed` where the database cannot lock).

Who may: staff with a post in the application's department (anyone else is told it does not
exist) and the permission to act; an operator acts on an application that is theirs or no
one's, the department's head on any of its applications.
"""

import hashlib
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gorod.applications import rules
from gorod.applications.documents import result_pdf
from gorod.applications.models import Application, DepartmentPost, Event, File, Office
from gorod.applications.selectors.department import desk_application_get, is_head_of, may_act
from gorod.applications.services.moves import application_move
from gorod.core.audit import audit_record
from gorod.core.clock import local_date
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound

# How far ahead a suspension may be set: the regulation's grounds are weeks, not years.
SUSPEND_MAX_DAYS = 365


# ---- shared checks -------------------------------------------------------------------------


def _text(value: str | None, *, field: str, required: bool, empty_message: str) -> str:
    words = (value or "").strip()
    if required and not words:
        raise Invalid(f"{field}_empty", empty_message, field=field)
    if len(words) > rules.TEXTAREA_MAX_LENGTH:
        raise Invalid(
            f"{field}_too_long",
            _("Не длиннее %(count)d знаков.") % {"count": rules.TEXTAREA_MAX_LENGTH},
            field=field,
        )
    return words


def _locked(actor, public_id) -> Application:
    """The application, its row locked, once the actor may act on it."""
    application = desk_application_get(actor=actor, public_id=public_id, for_update=True)
    if not may_act(actor):
        raise Forbidden("not_allowed", _("Вам доступен только просмотр заявлений."))
    if application.assignee_id not in (None, actor.pk) and not is_head_of(
        actor, application.department_id
    ):
        raise Forbidden(
            "assigned_to_other",
            _("Заявление ведёт другой сотрудник; передать его может руководитель."),
        )
    return application


def _not_allowed(status: str, to: str) -> Conflict:
    return Conflict(
        "transition_not_allowed",
        _("Из статуса «%(from)s» заявление нельзя перевести в «%(to)s».")
        % {"from": rules.status_label(status), "to": rules.status_label(to)},
    )


def _move(
    actor,
    public_id,
    *,
    to: str,
    now: datetime | None,
    from_status: str | None = None,
    text: str = "",
    updates: dict | None = None,
) -> Application:
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(actor, public_id)
        if from_status is not None and application.status != from_status:
            raise _not_allowed(application.status, to)
        return application_move(
            application, to=to, by="department", actor=actor, now=now, text=text, updates=updates
        )


# ---- accepting ------------------------------------------------------------------------------


def application_register(*, actor, public_id, now: datetime | None = None) -> Application:
    """Accept the application: the regulation's term starts the next working day."""
    return _move(actor, public_id, to="registered", now=now)


def application_refuse_to_accept(
    *, actor, public_id, reason: str, now: datetime | None = None
) -> Application:
    """Refuse to accept the documents (incomplete, unreadable), saying why to the citizen."""
    reason = _text(
        reason,
        field="reason",
        required=True,
        empty_message=_("Напишите причину отказа: её прочтёт заявитель."),
    )
    return _move(
        actor,
        public_id,
        to="refused_to_accept",
        now=now,
        text=reason,
        updates={"decision_text": reason},
    )


def application_review_start(*, actor, public_id, now: datetime | None = None) -> Application:
    return _move(actor, public_id, to="in_review", from_status="registered", now=now)


# ---- while reviewing ------------------------------------------------------------------------


def application_info_request(
    *, actor, public_id, text: str, now: datetime | None = None
) -> Application:
    """Ask the citizen for what is missing; the decision's term stands still until they answer."""
    text = _text(
        text,
        field="text",
        required=True,
        empty_message=_("Напишите, что нужно от заявителя: это он прочтёт."),
    )
    return _move(
        actor, public_id, to="info_requested", now=now, text=text, updates={"decision_text": text}
    )


def application_suspend(
    *, actor, public_id, reason: str, until: date | None, now: datetime | None = None
) -> Application:
    """Suspend on one of the regulation's grounds, until a date the citizen is told."""
    now = now or timezone.now()
    today = local_date(now)
    reason = _text(
        reason,
        field="reason",
        required=True,
        empty_message=_("Напишите основание приостановления: его прочтёт заявитель."),
    )
    if until is None:
        raise Invalid("until_empty", _("Укажите, до какого дня приостановлено."), field="until")
    if not today < until <= today + timedelta(days=SUSPEND_MAX_DAYS):
        raise Invalid(
            "until_out_of_range",
            _("Дата — после сегодняшней и не дальше чем через год."),
            field="until",
        )
    until_words = _("Приостановлено до %(day)s.") % {"day": formats.date_format(until, "d.m.Y")}
    words = f"{reason}\n\n{until_words}"
    return _move(
        actor,
        public_id,
        to="suspended",
        now=now,
        text=words,
        updates={"decision_text": words, "step_due_on": until},
    )


def application_resume(*, actor, public_id, now: datetime | None = None) -> Application:
    return _move(actor, public_id, to="in_review", from_status="suspended", now=now)


# ---- deciding -------------------------------------------------------------------------------


def application_approve(
    *,
    actor,
    public_id,
    text: str = "",
    office_id: int | None = None,
    now: datetime | None = None,
) -> Application:
    """Decide for the citizen; the result is what the definition's `outcome.kind` says:
    `decision` — the decision's text; `document` — a PDF the citizen downloads;
    `in_person` — where to collect it and what to bring."""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(actor, public_id)
        outcome = application.definition.document["outcome"]
        words = _result_text(application, outcome, text=text, office_id=office_id)
        moved = application_move(
            application,
            to=rules.RESULT_READY,
            by="department",
            actor=actor,
            now=now,
            text=words,
            updates={"decision_text": words},
        )
        if outcome["kind"] == "document":
            _result_file_add(moved, actor=actor, text=words, now=now)
        return moved


def _result_text(application: Application, outcome: dict, *, text: str, office_id) -> str:
    kind = outcome["kind"]
    if kind == "decision":
        return _text(
            text,
            field="text",
            required=True,
            empty_message=_("Напишите решение: его прочтёт заявитель."),
        )
    if kind == "document":
        words = _text(text, field="text", required=False, empty_message="")
        return words or _("Результат готов: скачайте документ на странице заявления.")
    words = _text(
        text,
        field="text",
        required=True,
        empty_message=_("Напишите, что взять с собой, чтобы получить результат."),
    )
    return f"{_where_to_collect(application, outcome, office_id)}\n\n{words}"


def _where_to_collect(application: Application, outcome: dict, office_id) -> str:
    if outcome.get("collect_at") == "department":
        department = application.department
        return _("Где получить: %(place)s.") % {"place": department.name or department.code}
    if office_id in (None, ""):
        return _("Где получить: в любом центре госуслуг «Мои документы».")
    office = Office.objects.filter(pk=office_id).first()
    if office is None:
        raise Invalid("office_unknown", _("Выберите центр госуслуг из списка."), field="office")
    return _("Где получить: %(name)s, %(address)s.") % {
        "name": office.name,
        "address": office.address,
    }


def _result_file_add(application: Application, *, actor, text: str, now: datetime) -> File:
    data = result_pdf(application, text=text, now=now)
    file = File(
        application=application,
        purpose=File.Purpose.RESULT,
        field_key="result",
        name=f"result-{application.number}.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    file.blob.save(str(file.public_id), ContentFile(data), save=False)
    # The bytes are on disk before the row; if the row is not written, they go again.
    try:
        file.save()
        audit_record(
            actor=actor,
            action="application.result_file",
            target=application,
            file=str(file.public_id),
        )
    except Exception:
        file.blob.delete(save=False)
        raise
    return file


def application_refuse(
    *, actor, public_id, reason: str, appeal: str, now: datetime | None = None
) -> Application:
    """Refuse the service on one of the regulation's grounds, saying how to appeal."""
    reason = _text(
        reason,
        field="reason",
        required=True,
        empty_message=_("Напишите причину отказа: её прочтёт заявитель."),
    )
    appeal = _text(
        appeal,
        field="appeal",
        required=True,
        empty_message=_("Напишите, как обжаловать отказ."),
    )
    appeal_words = _("Как обжаловать: %(appeal)s") % {"appeal": appeal}
    words = f"{reason}\n\n{appeal_words}"
    return _move(
        actor, public_id, to="refused", now=now, text=words, updates={"decision_text": words}
    )


def application_hand_over(*, actor, public_id, now: datetime | None = None) -> Application:
    """The citizen has collected the result in person: the service is done. (A decision or
    a document the citizen receives online; their receipt completes the application.)"""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(actor, public_id)
        if application.status != rules.RESULT_READY:
            raise _not_allowed(application.status, "completed")
        if application.definition.document["outcome"]["kind"] != "in_person":
            raise Conflict(
                "result_not_in_person",
                _("Этот результат заявитель получает на портале, а не лично."),
            )
        return application_move(application, to="completed", by="department", actor=actor, now=now)


# ---- who works on it ------------------------------------------------------------------------


def application_take(*, actor, public_id, now: datetime | None = None) -> Application:
    """An operator takes an application no one is working on (taking one's own is a no-op)."""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(actor, public_id)
        if application.assignee_id == actor.pk:
            return application
        return _assign(application, actor=actor, assignee=actor, now=now)


def application_assign(
    *, actor, public_id, assignee_id: int | None, now: datetime | None = None
) -> Application:
    """The head gives an application to a colleague of the department (or to no one)."""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(actor, public_id)
        if not is_head_of(actor, application.department_id):
            raise Forbidden("head_only", _("Назначать исполнителя может руководитель ведомства."))
        assignee = None
        if assignee_id is not None:
            post = (
                DepartmentPost.objects.filter(
                    user_id=assignee_id, department_id=application.department_id
                )
                .select_related("user")
                .first()
            )
            if post is None:
                raise NotFound(
                    "colleague_not_found",
                    _("Такого сотрудника в ведомстве нет."),
                    field="assignee",
                )
            assignee = post.user
        if application.assignee_id == assignee_id:
            return application
        return _assign(application, actor=actor, assignee=assignee, now=now)


def _assign(application: Application, *, actor, assignee, now: datetime) -> Application:
    if application.status in rules.CLOSED or application.status == rules.DRAFT:
        raise Conflict("application_closed", _("Заявление закрыто: исполнителя не назначить."))
    changed = Application.objects.filter(
        pk=application.pk, assignee_id=application.assignee_id
    ).update(assignee=assignee, updated_at=now)
    if changed != 1:
        raise Conflict(
            "application_changed",
            _("Заявление уже изменилось: обновите страницу и посмотрите его новый статус."),
        )
    previous = application.assignee_id
    application.assignee = assignee
    application.updated_at = now
    Event.objects.create(
        application=application,
        at=now,
        actor=actor,
        kind=Event.Kind.ASSIGNED,
        text=assignee.email if assignee is not None else "",
    )
    audit_record(
        actor=actor,
        action="application.assign",
        target=application,
        previous=previous,
        assignee=assignee.pk if assignee is not None else None,
    )
    return application


def application_note_add(*, actor, public_id, text: str, now: datetime | None = None) -> Event:
    """A staff note in the application's history; never shown to the citizen."""
    now = now or timezone.now()
    text = _text(text, field="text", required=True, empty_message=_("Напишите текст заметки."))
    with transaction.atomic():
        application = _locked(actor, public_id)
        event = Event.objects.create(
            application=application, at=now, actor=actor, kind=Event.Kind.NOTE, text=text
        )
        audit_record(actor=actor, action="application.note", target=application)
    return event
