"""Login contention: `/api/v1/me` latency and login answers while 4 clients hammer one account with wrong
passwords, before (the account's hash is PBKDF2, no login limits) and after (Argon2id and the login limits).

Starts its own gunicorn (2 sync workers, as `make demo` does) per scenario, in a fresh tenant.

    uv run python bench/login_contention.py [--seconds 20] [--attackers 4]
"""

import argparse
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

from _setup import ROOT, fresh_tenant, percentile, write_result  # type: ignore[import-not-found]
from django.contrib.auth.hashers import make_password
from django_tenants.utils import tenant_context

from tenants.identity.models import User
from tenants.models import Tenant
from tests.web_stack import gunicorn

SLUG = "bench-login"
UNLIMITED = "1000000000"
NO_LIMITS = {
    "VIGIL_LOGIN_MAX_FAILURES": UNLIMITED,
    "VIGIL_LOGIN_MAX_FAILURES_PER_ADDRESS": UNLIMITED,
    "VIGIL_RATE_LIMIT_ANONYMOUS_PER_MINUTE": UNLIMITED,
    "VIGIL_RATE_LIMIT_PER_MINUTE": UNLIMITED,
}
SCENARIOS: dict[str, dict[str, Any]] = {
    # First, so its counters start empty: the defaults (5 failures per account, 20 per address, 60 anonymous
    # requests a minute). Rerunning within 15 minutes finds the account still locked.
    "after_argon2_with_limits": {"hasher": "argon2", "env": {}},
    "before_pbkdf2_no_limits": {"hasher": "pbkdf2_sha256", "env": NO_LIMITS},
    "argon2_no_limits": {"hasher": "argon2", "env": NO_LIMITS},
}


def request(url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> tuple[int, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={**headers, "Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, (time.perf_counter() - started) * 1000


def me_latencies(base: str, api_key: str, stop: threading.Event, out: list[float]) -> None:
    headers = {"X-Tenant": SLUG, "Authorization": f"Api-Key {api_key}"}
    while not stop.is_set():
        status, ms = request(f"{base}/api/v1/me", headers)
        if status == 200:
            out.append(ms)
        time.sleep(0.05)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1) if values else 0.0,
        "p95_ms": round(percentile(values, 95), 1),
    }


def run(name: str, scenario: dict[str, Any], email: str, api_key: str, seconds: int, attackers: int) -> dict[str, Any]:
    with tenant_context(Tenant.objects.get(slug=SLUG)):
        User.objects.filter(email=email).update(password=make_password("the-right-password", hasher=scenario["hasher"]))
    with gunicorn(ROOT / "bench" / "results", workers=2, env=scenario["env"]) as port:
        base = f"http://127.0.0.1:{port}"
        request(f"{base}/api/v1/me", {"X-Tenant": SLUG, "Authorization": f"Api-Key {api_key}"})  # warm both workers
        idle: list[float] = []
        stop = threading.Event()
        watcher = threading.Thread(target=me_latencies, args=(base, api_key, stop, idle))
        watcher.start()
        time.sleep(min(5, seconds))
        stop.set()
        watcher.join()

        busy: list[float] = []
        logins: list[tuple[int, float]] = []
        lock = threading.Lock()
        stop = threading.Event()

        def attack() -> None:
            while not stop.is_set():
                result = request(f"{base}/api/v1/auth/token", {"X-Tenant": SLUG}, {"email": email, "password": "guess"})
                with lock:
                    logins.append(result)

        threads = [threading.Thread(target=attack) for _ in range(attackers)]
        watcher = threading.Thread(target=me_latencies, args=(base, api_key, stop, busy))
        for thread in [*threads, watcher]:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in [*threads, watcher]:
            thread.join()
    statuses = Counter(status for status, _ in logins)
    return {
        "hasher": scenario["hasher"],
        "settings": scenario["env"] or "defaults",
        "me_idle": summary(idle),
        "me_under_attack": summary(busy),
        "login_attempts_per_minute": round(len(logins) * 60 / seconds),
        "login_statuses": dict(statuses),
        "login_latency": summary([ms for _, ms in logins]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--attackers", type=int, default=4)
    args = parser.parse_args()
    created = fresh_tenant(SLUG)
    results = {
        name: run(name, scenario, created.admin_email, created.api_key, args.seconds, args.attackers)
        for name, scenario in SCENARIOS.items()
    }
    write_result(
        "login_contention",
        {"seconds": args.seconds, "attackers": args.attackers, "gunicorn_workers": 2, "results": results},
    )


if __name__ == "__main__":
    main()
