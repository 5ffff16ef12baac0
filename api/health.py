"""Readiness of each backing service, measured, so /readyz says which one is down and how slow each is."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connections
from kombu import Connection

from monitoring.search.client import es_client


@dataclass
class CheckResult:
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"status": "up" if self.ok else "down", "latency_ms": round(self.latency_ms, 2)}
        if self.error:
            body["error"] = self.error
        return body


def _check_postgres() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    connections["default"].close_if_unusable_or_obsolete()


def _check_redis() -> None:
    timeout = settings.HEALTH_CHECK_TIMEOUT
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def _check_elasticsearch() -> None:
    health = es_client().options(request_timeout=settings.HEALTH_CHECK_TIMEOUT).cluster.health()
    if health["status"] == "red":
        raise RuntimeError("cluster status is red")


def _check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=settings.HEALTH_CHECK_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=0, timeout=settings.HEALTH_CHECK_TIMEOUT)
        conn.default_channel.client.ping()  # type: ignore[attr-defined]


CHECKS: dict[str, Callable[[], None]] = {
    "postgres": _check_postgres,
    "redis": _check_redis,
    "elasticsearch": _check_elasticsearch,
    "celery_broker": _check_broker,
}


def _run(name: str, check: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        return CheckResult(name, False, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"[:300])
    return CheckResult(name, True, (time.perf_counter() - started) * 1000)


def readiness() -> dict[str, CheckResult]:
    # PostgreSQL runs on the request's own connection; the network checks run side by side to bound the wait.
    results = {"postgres": _run("postgres", CHECKS["postgres"])}
    others = [name for name in CHECKS if name != "postgres"]
    with ThreadPoolExecutor(max_workers=len(others)) as pool:
        futures = {name: pool.submit(_run, name, CHECKS[name]) for name in others}
        results.update({name: future.result() for name, future in futures.items()})
    return results
