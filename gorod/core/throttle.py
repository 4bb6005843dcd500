"""Slowing down guesses: a lookup by identifying numbers fails only so often per account;
and who is guessing: the client's address, as the proxies we run report it."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gorod.core.errors import Throttled


@dataclass(frozen=True)
class FailureThrottle:
    """At most `limit` failed attempts of one kind per account per hour (in the cache)."""

    name: str
    limit: int = 10
    # What the refused are told, where "failed attempts" is not what was counted.
    refusal: str = ""

    def _key(self, account_id: int) -> str:
        return f"throttle:{self.name}:{account_id}"

    def check(self, account_id: int) -> None:
        if cache.get(self._key(account_id), 0) >= self.limit:
            raise Throttled(
                "too_many_attempts",
                str(self.refusal) or _("Слишком много неудачных попыток. Попробуйте через час."),
            )

    def failed(self, account_id: int) -> None:
        key = self._key(account_id)
        cache.add(key, 0, timeout=3600)
        cache.incr(key)


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent the request.

    REMOTE_ADDR, unless the operator named the header their load balancer sets
    (GOROD_TRUSTED_PROXY_HEADER) and how many of their proxies append to it
    (GOROD_TRUSTED_PROXY_COUNT): then the address the outermost of those proxies saw. The
    entries left of it are whatever the client wrote and are never believed; a header
    that is absent, too short or not an address means the request did not come through
    the proxies, so REMOTE_ADDR is the caller.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.GOROD_TRUSTED_PROXY_HEADER
    if not header:
        return remote
    meta_key = "HTTP_" + header.upper().replace("-", "_")
    hops = [hop.strip() for hop in request.META.get(meta_key, "").split(",") if hop.strip()]
    count = settings.GOROD_TRUSTED_PROXY_COUNT
    if count < 1 or len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
