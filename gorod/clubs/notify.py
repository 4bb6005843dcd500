"""Telling the family where their application stands.

Composed by the worker after the write commits (the request only enqueues ids), in every
language the portal speaks, to each verified representative of the child. One message per
status change: the key carries the history row, so a task that runs twice writes once.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from gorod.accounts.models import Guardianship
from gorod.clubs.models import Application, ApplicationEvent
from gorod.clubs.selectors import waiting_positions
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

TOPIC = "clubs.application"
Status = Application.Status
Cause = ApplicationEvent.Cause


def on_commit(application_ids: list[int]) -> None:
    """After the write commits, let the worker tell the families (only ids cross over)."""
    if application_ids:
        ids = list(application_ids)
        transaction.on_commit(lambda: notify_families.enqueue(ids))


@task()
def notify_families(application_ids: list[int]) -> dict:
    """The worker's side of `on_commit`."""
    return {"messages": families_notify(application_ids)}


def families_notify(application_ids: list[int]) -> int:
    """A message about each application's latest status; how many were new."""
    applications = list(
        Application.objects.filter(pk__in=application_ids).select_related(
            "child", "group__programme__organisation", "group__venue"
        )
    )
    if not applications:
        return 0
    latest: dict[int, ApplicationEvent] = {}
    for event in ApplicationEvent.objects.filter(application__in=applications).order_by("at", "id"):
        latest[event.application_id] = event
    positions = waiting_positions([a for a in applications if a.status == Status.WAITLISTED])
    guardians: dict[int, list[int]] = {}
    for guardian_id, child_id in Guardianship.objects.filter(
        child_id__in={a.child_id for a in applications}, verified_at__isnull=False
    ).values_list("guardian_id", "child_id"):
        guardians.setdefault(child_id, []).append(guardian_id)
    drafts = []
    for application in applications:
        event = latest[application.pk]
        texts = in_every_language(
            lambda application=application, event=event: _words(
                application, event, positions.get(application.pk)
            )
        )
        link = reverse("clubs:application", args=[application.pk])
        drafts.extend(
            Draft(
                person_id=guardian_id,
                key=f"{TOPIC}:{event.pk}:{guardian_id}",
                texts=texts,
                link=link,
            )
            for guardian_id in guardians.get(application.child_id, [])
        )
    return messages_enqueue(topic=TOPIC, drafts=drafts)


def _words(
    application: Application, event: ApplicationEvent, position: int | None
) -> tuple[str, str]:
    group = application.group
    facts = {
        "child": application.child.first_name,
        "programme": group.programme.title,
        "group": group.name,
        "organisation": group.programme.organisation.short_name,
        "address": group.venue.address,
    }
    status = application.status
    if status == Status.INVITED:
        subject = _("Место в кружке: «%(programme)s»")
        body = _(
            "%(child)s приглашён(а) в группу «%(group)s» (%(organisation)s). Подтвердите место "
            "лично с документами до %(until)s: %(address)s."
        )
        facts["until"] = f"{application.confirm_by:%d.%m.%Y}"
    elif status == Status.WAITLISTED:
        subject = _("Лист ожидания: «%(programme)s»")
        body = _(
            "Свободных мест в группе «%(group)s» нет. %(child)s — %(position)s-й(-я) в очереди; "
            "когда место освободится, мы сразу сообщим."
        )
        facts["position"] = position or "—"
    elif status == Status.SUBMITTED:
        subject = _("Заявление принято: «%(programme)s»")
        body = _(
            "Место в группе «%(group)s» за %(child)s сохранено. %(organisation)s рассмотрит "
            "заявление и пригласит на вступительное испытание."
        )
    elif status == Status.REVIEW:
        subject = _("Заявление на рассмотрении: «%(programme)s»")
        body = _("%(organisation)s рассматривает заявление: %(child)s, группа «%(group)s».")
    elif status == Status.TEST:
        subject = _("Приглашение на испытание: «%(programme)s»")
        body = _(
            "%(child)s приглашён(а) на вступительное испытание в %(organisation)s, %(address)s. "
            "Дату и время сообщит организация."
        )
    elif status == Status.ENROLLED:
        subject = _("Зачисление: «%(programme)s»")
        body = _(
            "%(child)s зачислен(а) в группу «%(group)s» (%(organisation)s). Оцените, как прошла "
            "запись: это помогает городу улучшать услугу."
        )
    elif status == Status.REJECTED:
        subject = _("Отказ: «%(programme)s»")
        body = _(
            "%(organisation)s отказала в зачислении %(child)s в группу «%(group)s»: %(reason)s"
        )
        facts["reason"] = application.reason
    elif event.cause == Cause.LAPSED:
        subject = _("Приглашение истекло: «%(programme)s»")
        body = _(
            "Место в группе «%(group)s» не подтвердили в срок, и оно передано следующему в "
            "очереди. Можно подать новое заявление."
        )
    else:
        subject = _("Заявление отозвано: «%(programme)s»")
        body = _("Заявление %(child)s в группу «%(group)s» отозвано.")
    return subject % facts, body % facts
