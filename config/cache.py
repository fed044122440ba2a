"""The shared cache (allauth's sign-in rate limits, the reports' lock) on Redis, that keeps
working when Redis is down or hangs.

Sign-in is a page too: with Redis stopped, every sign-in answered 500 (the rate-limit counter
lives in the cache). Here a Redis error or timeout switches this process to a cache in its own
memory for a short while (a circuit breaker, so that a hanging Redis costs one short timeout, not
one per call), logged once; rate limits keep counting, per process, until Redis is back."""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_AFTER = 30.0  # seconds on the local cache before Redis is tried again


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + RETRY_AFTER
            log.warning("Redis cache unavailable (%s); this process uses its own memory for %ss", exc, RETRY_AFTER)
            return getattr(self._local, name)(*args, **kwargs)


def _passing(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _passing(_name))
