"""The cache when a site has Redis: Django's Redis cache, treating a Redis it cannot reach as an empty cache.

The cache only saves work (the desk's figures, Unfold's search results), so a Redis that is down must never fail
a page: every call then answers as an empty cache would, the error is logged once, and Redis is left alone for
RETRY_AFTER seconds so that no page waits for a connection timeout more than once in that time.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
RETRY_AFTER = 30  # seconds
_down_until = 0.0  # shared by every thread's cache object in this process


def _tolerant(name: str, empty):
    """The RedisCache method `name`, answering `empty(args, kwargs)` while Redis cannot be reached."""
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        global _down_until
        if time.monotonic() < _down_until:
            return empty(args, kwargs)
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            _down_until = time.monotonic() + RETRY_AFTER
            logger.warning("The cache (Redis) cannot be reached: %s. Working without it for %d s.", exc, RETRY_AFTER)
            return empty(args, kwargs)

    call.__name__ = name
    call.__doc__ = f"RedisCache.{name}, as an empty cache while Redis cannot be reached."
    return call


def _default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class TolerantRedisCache(RedisCache):
    """Django's Redis cache that answers as an empty cache (and logs) while Redis cannot be reached."""

    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", lambda args, kwargs: {})
    has_key = _tolerant("has_key", lambda args, kwargs: False)
    add = _tolerant("add", lambda args, kwargs: False)
    set = _tolerant("set", lambda args, kwargs: None)
    set_many = _tolerant("set_many", lambda args, kwargs: [])
    touch = _tolerant("touch", lambda args, kwargs: False)
    delete = _tolerant("delete", lambda args, kwargs: False)
    delete_many = _tolerant("delete_many", lambda args, kwargs: None)
    clear = _tolerant("clear", lambda args, kwargs: False)
