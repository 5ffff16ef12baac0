"""Fixed-window counters in the shared cache (Redis), so every web process counts against the same limit.

Cache keys already carry the tenant's schema (django_tenants.cache.make_key), so tenants never share a counter.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Window:
    limit: int
    count: int
    # Seconds until the window ends and the count starts again from zero.
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def _key(scope: str, identity: str, seconds: int) -> tuple[str, int]:
    now = time.time()
    index = int(now // seconds)
    reset = max(1, math.ceil((index + 1) * seconds - now))
    # Identities are client input (emails, addresses): hash them into safe, bounded keys.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{index}", reset


def hit(scope: str, identity: str, *, limit: int, seconds: int) -> Window:
    """Count one event in the current window and return the window after it."""
    key, reset = _key(scope, identity, seconds)
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window ended between add and incr.
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return Window(limit=limit, count=count, reset=reset)


def peek(scope: str, identity: str, *, limit: int, seconds: int) -> Window:
    key, reset = _key(scope, identity, seconds)
    return Window(limit=limit, count=int(cache.get(key, 0)), reset=reset)


def clear(scope: str, identity: str, *, seconds: int) -> None:
    cache.delete(_key(scope, identity, seconds)[0])
