"""The Redis cache backend, and the version bump the free-slot board's writers make.

Django's Redis backend builds a new `redis.Redis` on every cache call: the client's
constructor (its response callbacks, its event dispatcher) took 0.1–0.2 ms a call, 0.8 ms
across one booking. A client over a connection pool holds no connection of its own and
is thread-safe, so this backend makes one per pool and keeps it.
"""

from collections.abc import Sequence

from django.core.cache.backends import redis as django_redis


class _PooledClients(django_redis.RedisCacheClient):
    """Django's cache client, with one `redis.Redis` per connection pool, made once."""

    def __init__(self, servers, **options) -> None:
        super().__init__(servers, **options)
        # By the id of the pool: Django keeps its pools for the client's life.
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Two threads may both build one for a pool; the first stored is kept.
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with a client kept per pool and a one-round-trip version bump."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _PooledClients

    def versions_bump(self, keys: Sequence[str]) -> None:
        """INCR every key in one pipeline: a missing key starts at 0, so it becomes 1."""
        pipeline = self._cache.get_client(None, write=True).pipeline(transaction=False)
        for key in keys:
            pipeline.incr(self.make_and_validate_key(key))
        pipeline.execute()


def versions_bump(cache, keys: Sequence[str]) -> None:
    """Move each version counter in `keys` on by one, making the missing ones (persistent).

    On Redis one round trip; any other cache (the per-process memory of a laptop and the
    tests) through Django's generic calls. `cache` may be Django's `cache` proxy.
    """
    if (bump := getattr(cache, "versions_bump", None)) is not None:
        bump(keys)
        return
    for key in keys:
        # add() is a no-op when the key exists; incr() then moves it on.
        cache.add(key, 0, timeout=None)
        try:
            cache.incr(key)
        except ValueError:  # evicted between the two calls
            cache.add(key, 1, timeout=None)
