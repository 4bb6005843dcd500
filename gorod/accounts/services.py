"""Every write about users, people and tokens; each in one transaction with its audit row."""

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts import auth_cache, rules
from gorod.accounts.models import ApiToken, Delegation, Guardianship, Person, User
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, DomainError, Invalid, NotFound
from gorod.core.throttle import FailureThrottle

API_TOKEN_PREFIX = "gorod"  # noqa: S105 — a public label, not a secret
# last_used_at is informative; writing it on every request would turn reads into writes.
# A token remembered by a process (auth_cache) is not looked up, so the note may also lag
# by GOROD_AUTH_CACHE_SECONDS.
API_TOKEN_TOUCH_INTERVAL_SECONDS = 60


def _parse_login(login: str) -> tuple[str, str]:
    parsed = rules.normalize_login(login)
    if parsed is None:
        raise DomainError(
            "login_invalid",
            _("Укажите e-mail (name@example.ru) или номер телефона (+7 900 123-45-67)."),
            field="login",
        )
    return parsed


def _clean_identity_numbers(*, oms_policy: str | None, snils: str | None) -> dict:
    cleaned: dict[str, str | None] = {"oms_policy": None, "snils": None}
    if oms_policy:
        oms_policy = rules.digits_only(oms_policy)
        if not rules.oms_policy_is_valid(oms_policy):
            raise DomainError(
                "oms_policy_invalid",
                _("Номер полиса ОМС — 16 цифр, как на полисе или в приложении к нему."),
                field="oms_policy",
            )
        cleaned["oms_policy"] = oms_policy
    if snils:
        snils = rules.digits_only(snils)
        if not rules.snils_is_valid(snils):
            raise DomainError(
                "snils_invalid",
                _("СНИЛС не прошёл проверку контрольного числа — сверьте 11 цифр с документом."),
                field="snils",
            )
        cleaned["snils"] = snils
    return cleaned


def _check_birth_date(birth_date: date) -> None:
    if birth_date > clock.local_date():
        raise DomainError(
            "birth_date_in_future", _("Дата рождения не может быть в будущем."), field="birth_date"
        )
    if birth_date.year < 1900:
        raise DomainError("birth_date_invalid", _("Проверьте год рождения."), field="birth_date")


def _signup_throttle() -> FailureThrottle:
    # An account costs nothing to make: without a cap one address could mint hundreds to
    # spray passwords or link requests from. Each account made counts against the hour.
    return FailureThrottle(
        "signup_address",
        limit=settings.GOROD_SIGNUP_ADDRESS_LIMIT,
        refusal=_("С вашего адреса в сети за час создано много учётных записей. Попробуйте позже."),
    )


def user_register(
    *,
    login: str,
    password: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    birth_date: date,
    address: str | None = None,
) -> User:
    """Create a login and the citizen record behind it, together or not at all.

    A sign-up from the web names the client's `address`: each account made there counts
    against its hourly limit.
    """
    signups = _signup_throttle() if address is not None else None
    if signups is not None:
        signups.check(address)
    field, value = _parse_login(login)
    _check_birth_date(birth_date)
    candidate = User(**{field: value})
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError("password_weak", " ".join(error.messages), field="password1") from error
    try:
        with transaction.atomic():
            user = User.objects.create_user(**{field: value}, password=password)
            person = Person.objects.create(
                user=user,
                last_name=last_name.strip(),
                first_name=first_name.strip(),
                middle_name=middle_name.strip(),
                birth_date=birth_date,
            )
            audit_record(actor=user, action="user.registered", target=person, login_kind=field)
    except IntegrityError as error:
        # The unique constraint decides, not a check-then-insert: two sign-ups racing for
        # one address cannot both win.
        raise DomainError(
            "login_taken",
            _("Этот e-mail или телефон уже зарегистрирован. Войдите или восстановите пароль."),
            field="login",
        ) from error
    if signups is not None:
        signups.failed(address)
    return user


def user_logged_in_record(sender, request, user: User, **_kwargs) -> None:
    """Audit every successful sign-in (connected to Django's user_logged_in signal)."""
    audit_record(actor=user, action="user.logged_in", target=user)


def user_password_change(*, actor: User, password: str) -> None:
    """Set a new password (Django's form has checked the old one and validated this one)."""
    with transaction.atomic():
        actor.set_password(password)
        actor.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_changed", target=actor)


def person_update(
    *,
    actor: User,
    person: Person,
    last_name: str,
    first_name: str,
    middle_name: str,
    birth_date: date,
    oms_policy: str | None,
    snils: str | None,
) -> Person:
    _check_birth_date(birth_date)
    changes = {
        "last_name": last_name.strip(),
        "first_name": first_name.strip(),
        "middle_name": middle_name.strip(),
        "birth_date": birth_date,
        **_clean_identity_numbers(oms_policy=oms_policy, snils=snils),
    }
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, changes[name])
    try:
        with transaction.atomic():
            person.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, action="person.updated", target=person, fields=changed)
    except IntegrityError as error:
        person.refresh_from_db()
        raise DomainError(
            "identity_number_taken",
            _("Этот полис ОМС или СНИЛС уже указан у другого человека. Обратитесь в МФЦ."),
            field="oms_policy" if "oms_policy" in changed else "snils",
        ) from error
    return person


def child_add(
    *,
    actor: User,
    guardian: Person,
    last_name: str,
    first_name: str,
    middle_name: str,
    birth_date: date,
    kind: str,
    oms_policy: str | None = None,
) -> Guardianship:
    """Add a child the citizen represents; an operator verifies the documents later."""
    _check_birth_date(birth_date)
    if rules.age_on(birth_date, clock.local_date()) >= 18:
        raise DomainError(
            "child_adult",
            _("Ребёнку уже исполнилось 18 лет: взрослый даёт доверенность сам."),
            field="birth_date",
        )
    numbers = _clean_identity_numbers(oms_policy=oms_policy, snils=None)
    try:
        with transaction.atomic():
            child = Person.objects.create(
                last_name=last_name.strip(),
                first_name=first_name.strip(),
                middle_name=middle_name.strip(),
                birth_date=birth_date,
                oms_policy=numbers["oms_policy"],
            )
            guardianship = Guardianship.objects.create(guardian=guardian, child=child, kind=kind)
            audit_record(actor=actor, action="guardianship.created", target=guardianship)
    except IntegrityError as error:
        raise DomainError(
            "identity_number_taken",
            _("Ребёнок с этим полисом ОМС уже есть в системе. Обратитесь в МФЦ."),
            field="oms_policy",
        ) from error
    return guardianship


def guardianship_verify(*, actor: User, guardianship: Guardianship) -> Guardianship:
    """An operator confirms the documents; idempotent (a second call changes nothing)."""
    with transaction.atomic():
        updated = Guardianship.objects.filter(pk=guardianship.pk, verified_at__isnull=True).update(
            verified_at=timezone.now()
        )
        if updated:
            audit_record(actor=actor, action="guardianship.verified", target=guardianship)
    guardianship.refresh_from_db()
    return guardianship


# --- Delegation: one adult acting for another ------------------------------------------

# Guessing who holds a policy number is slowed down: 10 misses per account per hour.
PERSON_LOOKUP_THROTTLE = FailureThrottle("person-lookup", limit=10)


def _adult_by_policy(*, actor: User, oms_policy: str, birth_date: date, field: str) -> Person:
    """The person with this policy and birth date; any mismatch is the same "not found"."""
    PERSON_LOOKUP_THROTTLE.check(actor.pk)
    policy = rules.digits_only(oms_policy or "")
    person = Person.objects.filter(oms_policy=policy, birth_date=birth_date).first()
    if person is None or not rules.oms_policy_is_valid(policy):
        PERSON_LOOKUP_THROTTLE.failed(actor.pk)
        raise NotFound(
            "person_not_found",
            _("Не нашли человека с таким полисом ОМС и датой рождения. Сверьте данные."),
            field=field,
        )
    return person


def _check_delegation(*, principal: Person, delegate: Person, scopes: list[str]) -> list[str]:
    if refusal := rules.delegation_refusal(
        principal_birth_date=principal.birth_date,
        delegate_birth_date=delegate.birth_date,
        same_person=principal.pk == delegate.pk,
        scopes=scopes,
        today=clock.local_date(),
    ):
        raise Invalid(refusal.code, refusal.message, field="scopes")
    return sorted(set(scopes))


def _create_delegation(*, actor: User, principal: Person, delegate: Person, scopes, **fields):
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(
                principal=principal, delegate=delegate, scopes=scopes, **fields
            )
            audit_record(
                actor=actor,
                action="delegation.granted"
                if fields.get("confirmed_at")
                else "delegation.requested",
                target=delegation,
                scopes=scopes,
            )
    except IntegrityError as error:
        raise Conflict(
            "delegation_exists",
            _("Доверенность этому человеку уже есть. Отзовите её, чтобы выдать новую."),
        ) from error
    return delegation


def delegation_grant(
    *,
    actor: User,
    delegate_policy: str,
    delegate_birth_date: date,
    scopes: list[str],
    valid_until: date | None = None,
) -> Delegation:
    """The principal gives another adult the right to act for them; confirmed at once."""
    principal = _person_of(actor)
    delegate = _adult_by_policy(
        actor=actor,
        oms_policy=delegate_policy,
        birth_date=delegate_birth_date,
        field="delegate_policy",
    )
    scopes = _check_delegation(principal=principal, delegate=delegate, scopes=scopes)
    if valid_until is not None and valid_until < clock.local_date():
        raise DomainError(
            "valid_until_in_past", _("Срок доверенности уже прошёл."), field="valid_until"
        )
    return _create_delegation(
        actor=actor,
        principal=principal,
        delegate=delegate,
        scopes=scopes,
        confirmed_at=timezone.now(),
        valid_until=valid_until,
    )


def delegation_request(
    *, actor: User, principal_policy: str, principal_birth_date: date, scopes: list[str]
) -> Delegation:
    """An adult asks another to let them act for them; it works once the principal confirms."""
    delegate = _person_of(actor)
    principal = _adult_by_policy(
        actor=actor,
        oms_policy=principal_policy,
        birth_date=principal_birth_date,
        field="principal_policy",
    )
    scopes = _check_delegation(principal=principal, delegate=delegate, scopes=scopes)
    return _create_delegation(actor=actor, principal=principal, delegate=delegate, scopes=scopes)


def _person_of(actor: User) -> Person:
    person = getattr(actor, "person", None)
    if person is None:
        raise DomainError("profile_required", _("Сначала заполните профиль: ФИО и дату рождения."))
    return person


def _delegation_not_found() -> NotFound:
    return NotFound("delegation_not_found", _("Доверенность не найдена."))


def delegation_confirm(*, actor: User, delegation_id: int) -> Delegation:
    """Only the principal confirms; a second confirmation changes nothing."""
    principal = _person_of(actor)
    delegation = Delegation.objects.filter(
        pk=delegation_id, principal=principal, revoked_at__isnull=True
    ).first()
    if delegation is None:
        raise _delegation_not_found()
    with transaction.atomic():
        if Delegation.objects.filter(pk=delegation.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        ):
            audit_record(actor=actor, action="delegation.confirmed", target=delegation)
    delegation.refresh_from_db()
    return delegation


def delegation_revoke(*, actor: User, delegation_id: int) -> Delegation:
    """Either side ends a delegation (or withdraws a request); it stops working at once."""
    person = _person_of(actor)
    delegation = (
        Delegation.objects.filter(pk=delegation_id, revoked_at__isnull=True)
        .filter(Q(principal=person) | Q(delegate=person))
        .first()
    )
    if delegation is None:
        raise _delegation_not_found()
    with transaction.atomic():
        if Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            audit_record(actor=actor, action="delegation.revoked", target=delegation)
    delegation.refresh_from_db()
    return delegation


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token; the plaintext is returned once and never stored."""
    name = name.strip()
    if not name:
        raise DomainError(
            "token_name_required", _("Назовите токен, чтобы потом его узнать."), field="name"
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name[:100], prefix=prefix, secret_hash=_hash_secret(secret)
        )
        audit_record(actor=actor, action="api_token.created", target=token, name=token.name)
    return token, f"{API_TOKEN_PREFIX}_{prefix}_{secret}"


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.filter(pk=token_id, user=actor).first()
        if token is None:
            raise NotFound("token_not_found", _("Токен не найден."))
        if token.revoked_at is None:
            ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            audit_record(actor=actor, action="api_token.revoked", target=token)
            auth_cache.revoke_all()
    token.refresh_from_db()
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a presented token belongs to, or None; notes when it was last used.

    A token the database accepted is remembered by this process for a short while
    (auth_cache): the key is its prefix and the hash of the presented secret, so only the
    same secret finds it, and a revocation ends it within the documented bound.
    """
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_TOKEN_PREFIX:
        return None
    _prefix_label, prefix, secret = parts
    secret_hash = _hash_secret(secret)
    return auth_cache.shared.user(
        ("token", prefix, secret_hash), lambda: _api_token_user(prefix, secret_hash)
    )


def _api_token_user(prefix: str, secret_hash: str) -> User | None:
    token = (
        # The person rides along: every domain's first question is "whose is this".
        ApiToken.objects.select_related("user", "user__person")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.secret_hash, secret_hash):
        return None
    now = timezone.now()
    stale_before = now - timedelta(seconds=API_TOKEN_TOUCH_INTERVAL_SECONDS)
    if token.last_used_at is None or token.last_used_at < stale_before:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
