"""Linking a premises: writes of the link requests and of the links they create.

The payer code and apartment number are printed on the single payment document, which
passes through many hands (a tenant, a neighbour, a recycling bin), so knowing them proves
nothing on its own. They open a request; the link exists only when someone who already
answers for the premises confirms it: an owner linked to it on the portal, or, when no
owner is linked yet, an operator of the managing company, who checks it against the
registry. A request nobody answers expires (docs/housing.md, "Premises, people and meters").
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, DomainError, Invalid, NotFound, Throttled
from gorod.core.ids import valid_id
from gorod.core.throttle import FailureThrottle
from gorod.housing import rules, selectors
from gorod.housing.models import LinkRequest, Premises, PremisesLink
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

# Guessing payer codes is slowed down per account and per address: an attacker with many
# accounts still comes from few addresses, and one address may be a whole office's.
LINK_THROTTLE = FailureThrottle("housing-link", limit=10)
LINK_IP_THROTTLE = FailureThrottle("housing-link-ip", limit=30)
# A person asks for a few apartments at a time, not for every code they can read.
MAX_PENDING_REQUESTS = 3
REQUEST_TOPIC = "housing.link_request"
DECISION_TOPIC = "housing.link_decision"


def _check_throttles(actor, ip: str | None) -> None:
    LINK_THROTTLE.check(actor.pk)
    if ip:
        LINK_IP_THROTTLE.check(ip)


def _failed(actor, ip: str | None) -> None:
    LINK_THROTTLE.failed(actor.pk)
    if ip:
        LINK_IP_THROTTLE.failed(ip)


def _expire_overdue(queryset, now: datetime) -> int:
    return queryset.filter(status=LinkRequest.Status.PENDING, expires_at__lte=now).update(
        status=LinkRequest.Status.EXPIRED, decided_at=now
    )


def link_request_create(
    *,
    actor,
    payer_code: str,
    apartment: str,
    role: str,
    ip: str | None = None,
    now: datetime | None = None,
) -> LinkRequest:
    """Ask to be linked to an apartment by the payer code and apartment from the ЕПД.

    Both must match: a wrong pair gets the same answer whether or not the code exists, and
    counts against the person and the address. A right pair links nobody yet: it opens a
    request for the owners linked to the premises (or the operator) to confirm. Asking
    again while a request waits returns that request.
    """
    now = now or timezone.now()
    person, payer_code, apartment = _link_request_input(actor, payer_code, apartment, role)
    _check_throttles(actor, ip)
    premises = Premises.objects.filter(payer_code=payer_code, apartment=apartment).first()
    if premises is None:
        _failed(actor, ip)
        raise NotFound(
            "premises_not_found",
            _(
                "Помещение с таким кодом плательщика и номером квартиры не найдено. "
                "Сверьте их с ЕПД."
            ),
            field="payer_code",
        )
    if PremisesLink.objects.filter(person=person, premises=premises).exists():
        raise Conflict("premises_already_linked", _("Эта квартира уже привязана к вам."))
    mine = LinkRequest.objects.filter(person=person)
    with transaction.atomic():
        _expire_overdue(mine, now)
        waiting = mine.filter(premises=premises, status=LinkRequest.Status.PENDING).first()
        if waiting is not None:
            return waiting
        if mine.filter(status=LinkRequest.Status.PENDING).count() >= MAX_PENDING_REQUESTS:
            raise Throttled(
                "too_many_link_requests",
                _(
                    "У вас уже %(count)d заявки ждут подтверждения. Дождитесь ответа по ним "
                    "или обратитесь в управляющую организацию."
                )
                % {"count": MAX_PENDING_REQUESTS},
            )
        try:
            with transaction.atomic():
                request = LinkRequest.objects.create(
                    person=person,
                    premises=premises,
                    role=role,
                    created_at=now,
                    expires_at=now + timedelta(days=settings.GOROD_HOUSING_LINK_REQUEST_DAYS),
                )
        except IntegrityError:
            # The same request sent twice at once: the other one is it.
            return mine.get(premises=premises, status=LinkRequest.Status.PENDING)
        owners = selectors.premises_owners(premises=premises)
        audit_record(
            actor=actor,
            action="housing.link_request",
            target=request,
            role=role,
            confirmer="owner" if owners else "operator",
        )

        _owners_told(request, owners)
    return request


def _link_request_input(actor, payer_code: str, apartment: str, role: str):
    """The asking person and the payer code and apartment as stored, or why not."""
    person = getattr(actor, "person", None)
    if person is None:
        raise DomainError("profile_required", _("Сначала заполните профиль: ФИО и дату рождения."))
    payer_code = (payer_code or "").strip()
    apartment = rules.normalize_apartment(apartment)
    if problem := rules.payer_code_problem(payer_code):
        raise Invalid(problem.code, problem.message, field="payer_code")
    if not apartment:
        raise Invalid("apartment_required", _("Введите номер квартиры."), field="apartment")
    if role not in PremisesLink.Role.values:
        raise Invalid("role_invalid", _("Выберите, кем вы приходитесь помещению."), field="role")
    return person, payer_code, apartment


def _owners_told(request: LinkRequest, owners) -> None:
    """Tell the premises' owners that someone asks to be linked to it. Called inside the
    request's transaction: the outbox row exists exactly when the request does."""
    person, premises = request.person, request.premises

    def compose() -> tuple[str, str]:
        return _("Кто-то просит доступ к показаниям вашей квартиры"), _(
            "%(name)s просит привязать квартиру %(premises)s к своей учётной "
            "записи как «%(role)s». Если вы не знаете этого человека, отклоните "
            "заявку: без вашего подтверждения доступа не будет."
        ) % {
            "name": person.full_name,
            "premises": premises,
            "role": request.get_role_display(),
        }

    texts = in_every_language(compose)
    messages_enqueue(
        topic=REQUEST_TOPIC,
        drafts=(
            Draft(
                person_id=owner_id,
                key=f"{REQUEST_TOPIC}:{request.pk}:{owner_id}",
                texts=texts,
                link=reverse("housing:link_request", args=[request.pk]),
            )
            for owner_id in owners
        ),
    )


def link_request_decide(
    *, actor, request_id: int, confirm: bool, now: datetime | None = None
) -> LinkRequest:
    """An owner of the premises (or an operator) confirms or declines a link request.

    The change is a conditional update from "pending" (rules.LINK_TRANSITIONS), so two
    owners answering at once decide once; a request past its date becomes "expired".
    """
    now = now or timezone.now()
    if not valid_id(request_id):
        raise selectors.link_request_not_found()
    request = selectors.link_request_to_decide(actor=actor, request_id=request_id)
    new_status = LinkRequest.Status.CONFIRMED if confirm else LinkRequest.Status.DECLINED
    if not rules.link_transition_allowed(request.status, new_status):
        raise Conflict("link_request_already_decided", _("Заявка уже рассмотрена."))
    with transaction.atomic():
        expired = _expire_overdue(LinkRequest.objects.filter(pk=request.pk), now)
        if expired:
            audit_record(actor=actor, action="housing.link_request_expire", target=request)
    if expired:
        raise Conflict(
            "link_request_expired",
            _("Срок заявки истёк: человек может подать её заново."),
        )
    with transaction.atomic():
        decided = LinkRequest.objects.filter(
            pk=request.pk, status=LinkRequest.Status.PENDING
        ).update(status=new_status, decided_by=actor, decided_at=now)
        if not decided:
            raise Conflict("link_request_already_decided", _("Заявка уже рассмотрена."))
        by_owner = selectors.is_owner_of(actor=actor, premises_id=request.premises_id)
        if confirm:
            PremisesLink.objects.get_or_create(
                person_id=request.person_id,
                premises_id=request.premises_id,
                defaults={
                    "role": request.role,
                    "verified_by": PremisesLink.Verification.OWNER
                    if by_owner
                    else PremisesLink.Verification.OPERATOR,
                },
            )
        audit_record(
            actor=actor,
            action="housing.link_request_confirm" if confirm else "housing.link_request_decline",
            target=request,
            by="owner" if by_owner else "operator",
        )
        request.refresh_from_db()
        messages_enqueue(
            topic=DECISION_TOPIC,
            drafts=[
                Draft(
                    person_id=request.person_id,
                    key=f"{DECISION_TOPIC}:{request.pk}",
                    texts=in_every_language(lambda: _decision_words(request, confirm)),
                    link=reverse("housing:meters"),
                )
            ],
        )
    return request


def premises_unlink(*, actor, premises_id: int) -> None:
    premises = selectors.premises_get(actor=actor, premises_id=premises_id)
    with transaction.atomic():
        deleted, _rows = PremisesLink.objects.filter(premises=premises, person__user=actor).delete()
        if deleted:
            audit_record(actor=actor, action="housing.premises_unlink", target=premises)


def _decision_words(request: LinkRequest, confirm: bool) -> tuple[str, str]:
    values = {"premises": request.premises}
    if confirm:
        return _("Квартира привязана"), _(
            "Квартира %(premises)s привязана: можно передавать показания."
        ) % values
    return _("Заявка на привязку отклонена"), _(
        "Заявку на привязку квартиры %(premises)s отклонили. Если это ошибка, обратитесь в "
        "управляющую организацию."
    ) % values
