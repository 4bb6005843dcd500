"""Slowing down guesses: a lookup by identifying numbers fails only so often per account."""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from gorod.core.errors import DomainError


@dataclass(frozen=True)
class FailureThrottle:
    """At most `limit` failed attempts of one kind per account per hour (in the cache)."""

    name: str
    limit: int = 10

    def _key(self, account_id: int) -> str:
        return f"throttle:{self.name}:{account_id}"

    def check(self, account_id: int) -> None:
        if cache.get(self._key(account_id), 0) >= self.limit:
            raise DomainError(
                "too_many_attempts",
                _("Слишком много неудачных попыток. Попробуйте через час."),
                status=429,
            )

    def failed(self, account_id: int) -> None:
        key = self._key(account_id)
        cache.add(key, 0, timeout=3600)
        cache.incr(key)
