"""A short per-process memory of verified callers, so that a signed-in request does not pay
for reading its token or its user from the database every time (1–2 ms of CPU a request).

A personal token is remembered under its prefix and the SHA-256 of its secret (the hash the
database keeps, never the secret), a session's user under the session's user id, backend
and password-derived hash. Only a caller that the database has just accepted is remembered:
a wrong secret with the right prefix has another key, misses, and is refused as before
(how long a look-up takes depends on the hash, which tells a guesser nothing usable).

When a remembered caller stops being accepted — a token revoked or deleted, a user
deactivated, deleted or given a new password, a person's details changed — the change
publishes a new **revocation version** in the shared cache once it commits (`revoke_all`).
An entry is good only under the version read *before* its database read, so a change that
commits while a request is being verified cannot be remembered past it. The bounds:

- with a shared cache (Redis), every process sees a revocation within
  GOROD_AUTH_REVOCATION_SECONDS (it re-reads the version at most that often; 0 = one GET
  on every request); the process that made the change sees it at once;
- without one (the per-process memory cache), each process keeps its own version, so the
  others see it when their entry expires: GOROD_AUTH_CACHE_SECONDS (off by default there);
- an entry lives GOROD_AUTH_CACHE_SECONDS at most in any case, which also bounds changes
  made around the services (SQL by hand) and how stale a token's last use may be noted.

Entries hold field values, not model instances: every request builds its own user (and
person), so nothing one request sets on its user is seen by another. 0 seconds turns the
memory off.
"""

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

from gorod.accounts.models import Person, User

logger = logging.getLogger(__name__)

VERSION_KEY = "accounts:revocation-version"
# A few hundred bytes an entry: ten thousand callers active within a minute per process.
MAX_ENTRIES = 10_000

# The person of a user loaded without it: read lazily, as Django would.
_NOT_LOADED = object()


def _row(instance) -> tuple:
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


@dataclass(frozen=True, slots=True)
class _Entry:
    version: str
    stored_at: float
    user_row: tuple
    person_row: Any  # a tuple, None (no person), or _NOT_LOADED

    @classmethod
    def of(cls, user: User, *, version: str, stored_at: float) -> "_Entry":
        if "person" not in user._state.fields_cache:
            person_row = _NOT_LOADED
        else:
            person = user._state.fields_cache["person"]
            person_row = None if person is None else _row(person)
        return cls(version, stored_at, _row(user), person_row)

    def user(self) -> User:
        """A new user (and person) built from the remembered values, as the ORM builds them."""
        user = User.from_db(DEFAULT_DB_ALIAS, None, self.user_row)
        if self.person_row is not _NOT_LOADED:
            person = None
            if self.person_row is not None:
                person = Person.from_db(DEFAULT_DB_ALIAS, None, self.person_row)
                Person.user.field.set_cached_value(person, user)
            User.person.related.set_cached_value(user, person)
        return user


class AuthCache:
    """Verified callers of this process, bounded, safe to share between its threads."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, size: int = MAX_ENTRIES):
        self._clock = clock
        self._size = size
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        # (version, when it was read): one attribute, so that threads never see half of it.
        self._seen: tuple[str | None, float] = (None, float("-inf"))

    def user(self, key: Hashable, load: Callable[[], User | None]) -> User | None:
        """The remembered user under `key`, or `load()`'s (remembered when it is a user)."""
        lifetime = settings.GOROD_AUTH_CACHE_SECONDS
        if lifetime <= 0:
            return load()
        version = self._version()
        if version is None:  # the shared cache is unreachable: every caller from the database
            return load()
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version and now - entry.stored_at < lifetime:
                self._entries.move_to_end(key)
            else:
                entry = None
        if entry is not None:
            return entry.user()
        user = load()
        if user is not None:
            self._remember(key, _Entry.of(user, version=version, stored_at=now))
        return user

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def revoked(self, version: str) -> None:
        """This process published `version`: forget every entry, whatever the interval."""
        with self._lock:
            self._entries.clear()
            self._seen = (version, self._clock())

    def _remember(self, key: Hashable, entry: _Entry) -> None:
        with self._lock:
            if entry.version != self._seen[0]:
                return  # a revocation came while the database was read
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def _version(self) -> str | None:
        """The revocation version, or None while the shared cache cannot be read."""
        version, read_at = self._seen
        now = self._clock()
        if version is not None and now - read_at < settings.GOROD_AUTH_REVOCATION_SECONDS:
            return version
        try:
            version = cache.get(VERSION_KEY)
            if version is None:  # never published, or evicted: a new one, and one for all
                cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
                version = cache.get(VERSION_KEY)
        except Exception:
            # Redis down: a revocation meanwhile could not be published, so nothing
            # remembered before is trusted after; signing in still works, from the database.
            logger.warning("auth cache: the revocation version is unreadable", exc_info=True)
            version, now = None, float("-inf")
        with self._lock:
            if version != self._seen[0]:
                self._entries.clear()  # all of them are of an older version now
            self._seen = (version, now)
        return version


# This process's memory, used by the token check and the session middleware.
shared = AuthCache()


def revoke_all() -> None:
    """No remembered caller is trusted any more: in this process at once (its own later
    reads see the change, committed or not), in every process once the change commits."""
    shared.forget()
    connection = transaction.get_connection()
    # One publication a transaction is enough (the demo city saves thousands of people).
    if any(callback is _publish_version for _ids, callback, _robust in connection.run_on_commit):
        return
    # Robust: the change has committed; a shared cache that is down must not turn it into
    # an error (the processes that cannot read the version trust no entry meanwhile).
    transaction.on_commit(_publish_version, robust=True)


def _publish_version() -> None:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=None)
    shared.revoked(version)


# --- What revokes: every write that can make a remembered caller unacceptable ----------
# Connected to the models' signals (apps.py), so that the admin's edits count as well as
# the services'. A sign-in notes its time on the user row: that changes no check.
_UNCHECKED_USER_FIELDS = frozenset({"last_login"})


def user_saved(sender, instance: User, created: bool, update_fields, **_kwargs) -> None:
    # A new user has never been remembered.
    if not created and (update_fields is None or not update_fields <= _UNCHECKED_USER_FIELDS):
        revoke_all()


def person_changed(sender, instance: Person, **_kwargs) -> None:
    # The person rides along with their user; a child without a login is never remembered.
    if instance.user_id is not None:
        revoke_all()


def token_saved(sender, instance, created: bool, **_kwargs) -> None:
    if not created:
        revoke_all()


def deleted(sender, instance, **_kwargs) -> None:
    revoke_all()
