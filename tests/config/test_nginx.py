"""nginx in front of gunicorn (config/nginx/vigil.conf.template), real processes on free ports.

Without nginx, two clients that open a connection and never finish their request header occupy both sync
gunicorn workers and /healthz stops answering for every tenant (bench/slow_clients.py measures it)."""

import json
import os
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.web_stack import free_port, gunicorn, half_open_connections, nginx, request, services_dir

# django_db: so that pytest-django creates this run's test database, which the gunicorn processes use.
pytestmark = [pytest.mark.processes, pytest.mark.django_db]

BODY_LIMIT = settings.MAX_REQUEST_BYTES


def state_dir(name: str) -> Path:
    namespace = os.environ.get("VIGIL_TEST_NAMESPACE", "vigiltest")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return services_dir() / "test-web" / f"{namespace}-{worker}-{name}"


def this_runs_database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="module")
def stack(django_db_setup: object) -> Iterator[tuple[int, int]]:
    """(nginx port, gunicorn port): two sync workers, as in the finding, on this test run's database."""
    app_env = {
        # The session's test database, where the alpha and beta tenants are committed.
        "DATABASE_URL": this_runs_database_url(),
        "VIGIL_ES_INDEX_PREFIX": settings.ES_INDEX_PREFIX,
        "CELERY_TASK_DEFAULT_QUEUE": str(celery_app.conf.task_default_queue),
    }
    directory = state_dir("stack")
    with gunicorn(directory / "app", workers=2, env=app_env) as app_port, nginx(directory, app_port) as proxy_port:
        yield proxy_port, app_port


def test_healthz_answers_quickly_while_50_clients_hold_half_open_requests(stack):
    proxy_port, _ = stack

    with half_open_connections(proxy_port, 50) as attackers:
        time.sleep(0.5)
        answers = [request(proxy_port, "GET", "/healthz", timeout=2) for _ in range(10)]

        # nginx still holds every attacker (header timeout 10 s), so they were not simply refused.
        for sock in attackers:
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)

    assert [answer.status for answer in answers] == [200] * 10
    assert json.loads(answers[0].body) == {"status": "ok"}
    assert statistics.median(answer.seconds for answer in answers) < 0.2


def test_a_body_over_the_limit_gets_413_in_the_error_shape_before_it_is_sent(stack):
    proxy_port, _ = stack
    sock = socket.create_connection(("127.0.0.1", proxy_port), timeout=5)
    try:
        # Only the header: nginx answers from Content-Length, without waiting for 10 MiB to arrive.
        sock.sendall(
            b"POST /api/v1/mentions/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tenant: alpha\r\n"
            b"Content-Type: application/json\r\nContent-Length: " + str(BODY_LIMIT + 1).encode() + b"\r\n\r\n"
        )
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            raw += chunk
    finally:
        sock.close()
    head, _, body = raw.partition(b"\r\n\r\n")

    assert head.startswith(b"HTTP/1.1 413")
    assert b"Content-Type: application/json" in head
    assert json.loads(body) == {
        "error": {
            "code": "payload_too_large",
            "message": f"Request body is larger than the limit of {BODY_LIMIT} bytes.",
            "field": "body",
        }
    }


def test_a_body_within_the_limit_reaches_the_app(stack):
    proxy_port, _ = stack

    answer = request(
        proxy_port,
        "POST",
        "/api/v1/mentions/batch",
        body=b"[" + b" " * (BODY_LIMIT - 2) + b"]",
        headers={"X-Tenant": "alpha", "Content-Type": "application/json"},
        timeout=30,
    )

    # The app's own answer (no credentials), not nginx's 413.
    assert answer.status == 401
    assert json.loads(answer.body)["error"]["code"] == "not_authenticated"


def test_the_host_header_reaches_the_app_as_sent_so_tenants_by_host_still_resolve(stack):
    proxy_port, _ = stack

    tenant_host = request(proxy_port, "GET", "/api/v1/me", headers={"Host": f"alpha.localhost:{proxy_port}"})
    unknown_host = request(proxy_port, "GET", "/api/v1/me", headers={"Host": f"nobody.localhost:{proxy_port}"})

    assert tenant_host.status == 401  # alpha's API, asking for credentials
    assert unknown_host.status == 404
    assert json.loads(unknown_host.body)["error"]["code"] == "tenant_not_found"


def test_login_attempts_beyond_the_burst_get_429_in_the_error_shape(stack):
    proxy_port, _ = stack
    headers = {"X-Tenant": "alpha", "Content-Type": "application/json"}

    # 10 per minute per address with a burst of 5: six pass at once, the seventh is refused by nginx.
    answers = [request(proxy_port, "POST", "/api/v1/auth/token", body=b"{}", headers=headers) for _ in range(7)]

    assert [answer.status for answer in answers[:6]] == [400] * 6
    refused = answers[6]
    assert refused.status == 429
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.headers["Retry-After"] == "60"
    assert json.loads(refused.body) == {
        "error": {
            "code": "rate_limited",
            "message": "Too many login attempts from this address; try again in a minute.",
            "field": None,
        }
    }
    # Only the login is limited.
    assert request(proxy_port, "GET", "/healthz").status == 200


def test_nginx_answers_502_in_the_error_shape_when_the_app_is_down():
    with nginx(state_dir("down"), free_port()) as proxy_port:
        answer = request(proxy_port, "GET", "/healthz")

    assert answer.status == 502
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.body)["error"]["code"] == "bad_gateway"


def test_a_client_that_never_finishes_its_header_is_dropped_after_the_client_timeout():
    with (
        nginx(state_dir("timeout"), free_port(), env={"VIGIL_CLIENT_TIMEOUT": "1s"}) as proxy_port,
        half_open_connections(proxy_port, 1) as (sock,),
    ):
        started = time.monotonic()
        sock.settimeout(10)
        assert sock.recv(1024) == b""  # closed by nginx, nothing sent upstream
        assert time.monotonic() - started < 5
