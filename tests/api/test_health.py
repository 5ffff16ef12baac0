"""/healthz and /readyz against the real services; the disruptive ones really stop a service and start it again."""

import subprocess
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.conftest import Api

SERVICES = str(settings.BASE_DIR / "scripts" / "services.sh")


def services(*args: str) -> None:
    subprocess.run([SERVICES, *args], check=True, timeout=300, capture_output=True)


def test_healthz_answers_without_credentials(tenants):
    response = Api(None).get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency_up_with_latency(tenants):
    response = Api("alpha").get("/readyz")
    checks = response.json()["checks"]

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert set(checks) == {"postgres", "redis", "elasticsearch", "celery_broker"}
    for check in checks.values():
        assert check["status"] == "up"
        assert 0 <= check["latency_ms"] < 2000


@pytest.fixture
def stopped(request: pytest.FixtureRequest) -> Iterator[str]:
    name = request.param
    services("down", name)
    try:
        yield name
    finally:
        services("up", name)


@pytest.mark.disruptive
@pytest.mark.parametrize("stopped", ["redis"], indirect=True)
def test_readyz_reports_stopped_redis_as_down(tenants, stopped):
    response = Api(None).get("/readyz")
    checks = response.json()["checks"]

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert checks["redis"]["status"] == "down" and "error" in checks["redis"]
    assert checks["celery_broker"]["status"] == "down"
    assert checks["postgres"]["status"] == "up"
    assert checks["elasticsearch"]["status"] == "up"


@pytest.mark.disruptive
@pytest.mark.parametrize("stopped", ["elasticsearch"], indirect=True)
def test_readyz_reports_stopped_elasticsearch_as_down(tenants, stopped):
    response = Api("alpha").get("/readyz")
    checks = response.json()["checks"]

    assert response.status_code == 503
    assert checks["elasticsearch"]["status"] == "down"
    assert checks["redis"]["status"] == "up"
    assert checks["postgres"]["status"] == "up"
