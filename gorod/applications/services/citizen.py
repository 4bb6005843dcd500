"""The citizen's writes: start, fill in step by step, attach, submit, answer, withdraw, receive.

A draft keeps every step that was saved whole: a step with a mistake saves nothing of that
step and names each bad field, and what was saved before stays. Submitting checks the whole
form again (a definition's conditions may have hidden or shown fields since) and the
eligibility rules (a birthday may have passed); a second submit of the same draft — a
double click, a retried request — returns the one application.
"""

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime

import filetype
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.analytics.services import usage_record
from gorod.applications import rules
from gorod.applications.models import Application, Event, File
from gorod.applications.residence import is_resident
from gorod.applications.selectors.citizen import (
    applicant_of,
    file_counts,
    own_application_get,
    own_file_get,
    represented_children,
)
from gorod.applications.selectors.definitions import form_definition_get
from gorod.applications.services.moves import application_move
from gorod.core.audit import audit_record
from gorod.core.clock import local_date
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound

# Read at most this much more than a field allows: enough to know the file is too big.
_READ_SLACK = 1


def _not_a_draft() -> Conflict:
    return Conflict("not_a_draft", _("Заявление уже отправлено: изменить его ответы нельзя."))


def application_start(
    *,
    actor,
    service_slug: str,
    subject_id: int | None = None,
    start_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Application:
    """A new draft of `service_slug` for the applicant or a child they represent."""
    now = now or timezone.now()
    today = local_date(now)
    applicant = applicant_of(actor)
    definition = form_definition_get(service_slug)
    document = definition.document
    subject = applicant
    if subject_id is not None and subject_id != applicant.pk:
        children = {child.pk: child for child in represented_children(applicant, today=today)}
        subject = children.get(subject_id)
        if subject is None:
            raise NotFound(
                "person_not_found", _("Такого ребёнка среди ваших нет."), field="subject"
            )
    for_child = subject.pk != applicant.pk
    if ("child" if for_child else "self") not in document["applies_for"]:
        raise Invalid(
            "not_for_this_person",
            _("Это заявление подают за ребёнка.")
            if not for_child
            else _("Это заявление подают только за себя."),
            field="subject",
        )
    refusals = rules.eligibility_refusals(
        document.get("eligibility", []),
        rules.Applying(
            applicant_birth=applicant.birth_date,
            subject_birth=subject.birth_date,
            for_child=for_child,
            applicant_is_resident=is_resident(applicant.pk),
            today=today,
        ),
    )
    if refusals:
        raise Forbidden("not_eligible", " ".join(refusals), details={"reasons": refusals})
    if start_key is not None:
        existing = Application.objects.filter(applicant=applicant, start_key=start_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                definition=definition,
                service=definition.service,
                department=definition.service.department,
                applicant=applicant,
                subject=subject,
                start_key=start_key,
            )
            Event.objects.create(
                application=application,
                at=now,
                actor=actor,
                kind=Event.Kind.STATUS,
                to_status=rules.DRAFT,
            )
            audit_record(actor=actor, action="application.start", target=application)
    except IntegrityError:
        # The same start key at the same moment from a second click: the first one's draft.
        return Application.objects.get(applicant=applicant, start_key=start_key)
    return application


def application_step_save(
    *, actor, public_id, step: int, data: Mapping[str, list[str]], now: datetime | None = None
) -> Application:
    """Save one step of a draft; raises Invalid naming every bad field, saving none of them."""
    now = now or timezone.now()
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        if application.status != rules.DRAFT:
            raise _not_a_draft()
        steps = application.definition.document["steps"]
        if not 0 <= step < len(steps):
            raise NotFound("step_not_found", _("Такого шага в заявлении нет."))
        checked = rules.check_step(
            steps[step],
            data,
            earlier=application.answers,
            file_counts=file_counts(application),
            persons=[str(pk) for pk in _persons_of(application, now)],
            today=local_date(now),
        )
        if checked.errors:
            raise Invalid(
                "answers_invalid",
                _("Проверьте поля, отмеченные ниже."),
                field=next(iter(checked.errors)),
                details={"fields": checked.errors},
            )
        step_keys = {field["key"] for field in steps[step]["fields"]}
        answers = {key: value for key, value in application.answers.items() if key not in step_keys}
        answers.update(checked.values)
        # A field hidden by a changed answer is dropped: it is no longer asked.
        shown = {
            field["key"]
            for field in rules.fields_of(application.definition.document)
            if rules.is_shown(field, answers)
        }
        application.answers = {key: value for key, value in answers.items() if key in shown}
        application.save(update_fields=["answers", "updated_at"])
    return application


def _persons_of(application: Application, now: datetime) -> list[int]:
    """Whom a "person" field may name: the applicant and the children they represent."""
    children = represented_children(application.applicant, today=local_date(now))
    return [application.applicant_id, *(child.pk for child in children)]


def application_file_add(
    *, actor, public_id, field_key: str, upload, purpose: str = File.Purpose.FIELD
) -> File:
    """Attach an upload to a draft's file field, or to the answer to a department's request.

    The type is read from the file's bytes; the name and the browser's word are not trusted.
    """
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        field = _file_field(application, field_key, purpose)
        data = upload.read(field["max_mb"] * 1024 * 1024 + _READ_SLACK)
        refusal = rules.file_refusal(
            sniffed_mime=filetype.guess_mime(data[:8192]) if data else None,
            size=len(data),
            accept=field["accept"],
            max_mb=field["max_mb"],
        )
        if refusal:
            raise Invalid("file_refused", refusal, field=field_key)
        if file_counts(application, purpose=purpose).get(field_key, 0) >= field["max_files"]:
            raise Invalid(
                "too_many_files",
                _("Не больше %(count)d файлов.") % {"count": field["max_files"]},
                field=field_key,
            )
        file = File(
            application=application,
            purpose=purpose,
            field_key=field_key,
            name=rules.safe_file_name(getattr(upload, "name", "") or "file"),
            content_type=filetype.guess_mime(data[:8192]),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
        )
        file.blob.save(str(file.public_id), ContentFile(data), save=False)
        # The bytes are on disk before the row; if the row is not written, they go again.
        try:
            file.save()
        except Exception:
            file.blob.delete(save=False)
            raise
        audit_record(
            actor=actor, action="application.file_add", target=application, file=str(file.public_id)
        )
    return file


# An answer to a request for information takes files like a form's file field does.
ANSWER_FIELD = {
    "key": "answer",
    "type": "file",
    "accept": ["pdf", "jpeg", "png"],
    "max_mb": 10,
    "max_files": 10,
}


def _file_field(application: Application, field_key: str, purpose: str) -> Mapping:
    if purpose == File.Purpose.ANSWER:
        if application.status != rules.INFO_REQUESTED:
            raise Conflict(
                "no_request", _("Ведомство сейчас ничего не запрашивает по этому заявлению.")
            )
        return ANSWER_FIELD
    if application.status != rules.DRAFT:
        raise _not_a_draft()
    for field in rules.fields_of(application.definition.document):
        if field["key"] == field_key and field["type"] == "file":
            return field
    raise NotFound("field_not_found", _("В заявлении нет такого поля для файлов."), field=field_key)


def application_file_remove(*, actor, public_id) -> None:
    """Take a file back out of a draft (or of an answer not yet sent)."""
    with transaction.atomic():
        file = own_file_get(actor=actor, public_id=public_id)
        application = own_application_get(
            actor=actor, public_id=file.application.public_id, for_update=True
        )
        allowed = {File.Purpose.FIELD: rules.DRAFT, File.Purpose.ANSWER: rules.INFO_REQUESTED}
        if allowed.get(file.purpose) != application.status:
            raise Conflict("file_sent", _("Этот файл уже отправлен в ведомство."))
        file.delete()
        transaction.on_commit(lambda: file.blob.delete(save=False))
        audit_record(
            actor=actor,
            action="application.file_remove",
            target=application,
            file=str(file.public_id),
        )


def application_submit(
    *, actor, public_id, channel: str, now: datetime | None = None
) -> Application:
    """Send a draft to the department; a second submit of a sent one returns it unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        if application.status != rules.DRAFT:
            return application
        document = application.definition.document
        missing = rules.missing_answers(document, application.answers, file_counts(application))
        if missing:
            raise Invalid(
                "answers_missing",
                _("Заполните все обязательные поля: они отмечены на шагах заявления."),
                field=next(iter(missing)),
                details={"fields": missing},
            )
        _check_still_eligible(application, now)
        use_id = usage_record(
            service=application.service, actor=actor, action="submit", channel=channel
        )
        return application_move(
            application,
            to=rules.SUBMITTED,
            by="applicant",
            actor=actor,
            now=now,
            updates={"use_id": use_id},
        )


def _check_still_eligible(application: Application, now: datetime) -> None:
    refusals = rules.eligibility_refusals(
        application.definition.document.get("eligibility", []),
        rules.Applying(
            applicant_birth=application.applicant.birth_date,
            subject_birth=application.subject.birth_date,
            for_child=application.subject_id != application.applicant_id,
            applicant_is_resident=is_resident(application.applicant_id),
            today=local_date(now),
        ),
    )
    if refusals:
        raise Forbidden("not_eligible", " ".join(refusals), details={"reasons": refusals})


def application_withdraw(*, actor, public_id, now: datetime | None = None) -> Application:
    """The applicant takes the application back; allowed until the department decides."""
    now = now or timezone.now()
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        return application_move(application, to="withdrawn", by="applicant", actor=actor, now=now)


def application_answer(*, actor, public_id, text: str, now: datetime | None = None) -> Application:
    """The applicant's answer to a request for information: the review and its term go on."""
    now = now or timezone.now()
    words = (text or "").strip()
    if not words:
        raise Invalid("answer_empty", _("Напишите ответ ведомству."), field="text")
    if len(words) > rules.TEXTAREA_MAX_LENGTH:
        raise Invalid(
            "answer_too_long",
            _("Не длиннее %(count)d знаков.") % {"count": rules.TEXTAREA_MAX_LENGTH},
            field="text",
        )
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        return application_move(
            application, to="in_review", by="applicant", actor=actor, now=now, text=words
        )


def application_receive(*, actor, public_id, now: datetime | None = None) -> Application:
    """The applicant has the result (downloaded it or read the decision): the service is done."""
    now = now or timezone.now()
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        if application.status == "completed":
            return application
        return application_move(application, to="completed", by="applicant", actor=actor, now=now)


def application_draft_delete(*, actor, public_id) -> None:
    """Throw a draft away, with its files; a sent application stays in the history."""
    with transaction.atomic():
        application = own_application_get(actor=actor, public_id=public_id, for_update=True)
        if application.status != rules.DRAFT:
            raise _not_a_draft()
        blobs = [file.blob for file in application.files.all()]
        audit_record(actor=actor, action="application.draft_delete", target=application)
        application.delete()
        transaction.on_commit(lambda: [blob.delete(save=False) for blob in blobs])
