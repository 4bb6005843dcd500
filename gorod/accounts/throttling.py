"""Login throttling that slows guessing without locking the real owner out.

Three limits, each against a different attack, checked by axes before any password:
- one login from one address: AXES_FAILURE_LIMIT wrong passwords lock that pair for the
  cool-off (axes' own rule). Nobody else is affected, the owner at home included.
- one address against many logins (password spraying: one password tried on thirty
  accounts): GOROD_LOGIN_ADDRESS_ACCOUNTS_LIMIT distinct failing logins within the cool-off
  refuse the address. Behind a load balancer this needs the real client address
  (gorod.core.throttle.client_ip), or the whole city would share one.
- one login from many addresses: past AXES_FAILURE_LIMIT failures in all, each further
  attempt waits a delay that doubles per failure up to GOROD_LOGIN_DELAY_MAX_SECONDS. An
  attacker hammering someone's login then gets a guess a minute, not a lock on the account.

The owner is spared the last two from an address they signed in from before (a mark kept
for GOROD_LOGIN_KNOWN_ADDRESS_DAYS), so an attack on their login or from their network does
not keep them out.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone

from gorod.accounts import rules


@dataclass(frozen=True)
class Refusal:
    """Why a login attempt was refused before its password was checked, and for how long."""

    reason: str  # "login_and_address" | "address" | "login"
    seconds: int


def progressive_delay(failures: int, *, free: int, ceiling: int) -> int:
    """Seconds to wait after `failures` failures of one login: none for the first `free`,
    then 1, 2, 4, … up to `ceiling`."""
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 30), ceiling)


def _known_key(login: str, address: str) -> str:
    return f"login:known:{login}:{address}"


def _cooloff_seconds() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME * 3600)


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with the per-address and per-login limits above."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            request.login_refusal = Refusal("login_and_address", _cooloff_seconds())
            return True
        login = get_client_username(request, credentials) or ""
        address = request.axes_ip_address
        since = get_cool_off_threshold(request)
        refusal = self._address_refusal(address, since) or self._login_refusal(login, since)
        if refusal is None or cache.get(_known_key(login, address)):
            return False
        request.login_refusal = refusal
        return True

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        login = get_client_username(request, None)
        if login and rules.normalize_login(login):
            days = settings.GOROD_LOGIN_KNOWN_ADDRESS_DAYS
            cache.set(_known_key(login, request.axes_ip_address), True, days * 24 * 3600)

    def _address_refusal(self, address: str, since) -> Refusal | None:
        failing_logins = (
            AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
            .order_by()
            .values("username")
            .distinct()
            .count()
        )
        if failing_logins >= settings.GOROD_LOGIN_ADDRESS_ACCOUNTS_LIMIT:
            return Refusal("address", _cooloff_seconds())
        return None

    def _login_refusal(self, login: str, since) -> Refusal | None:
        if not login:
            return None
        totals = AccessAttempt.objects.filter(username=login, attempt_time__gte=since).aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        delay = progressive_delay(
            totals["failures"] or 0,
            free=settings.AXES_FAILURE_LIMIT,
            ceiling=settings.GOROD_LOGIN_DELAY_MAX_SECONDS,
        )
        if not delay:
            return None
        remaining = (totals["last"] + timedelta(seconds=delay) - timezone.now()).total_seconds()
        return Refusal("login", math.ceil(remaining)) if remaining > 0 else None
