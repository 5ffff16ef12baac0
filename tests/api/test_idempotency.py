"""`Idempotency-Key` on REST POSTs: a retried create replays the first answer and creates nothing more."""

import json
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from api.rest import idempotency
from responses.models import CrisisCase
from tenants.identity.models import ApiKey
from tenants.identity.principals import Principal
from tenants.models import Tenant
from tests.conftest import Api, key_auth

CASES = "/api/v1/cases"
BODY = {"title": "Battery fires", "scenario": "product_quality", "severity": "II", "activate_playbook": False}


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def case_titles(slug: str) -> list[str]:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return list(CrisisCase.objects.order_by("id").values_list("title", flat=True))


def with_key(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def test_the_same_key_and_body_create_one_case_and_replay_the_first_answer(alpha):
    api = admin(alpha)

    first = api.post(CASES, BODY, headers=with_key("retry-1"))
    again = api.post(CASES, BODY, headers=with_key("retry-1"))

    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert case_titles("alpha") == ["Battery fires"]


def test_the_same_key_with_another_body_is_422_naming_the_header(alpha):
    api = admin(alpha)
    api.post(CASES, BODY, headers=with_key("retry-2"))

    other = api.post(CASES, {**BODY, "title": "Something else"}, headers=with_key("retry-2"))
    elsewhere = api.post("/api/v1/rules", {"name": "r", "expression": "奶茶"}, headers=with_key("retry-2"))

    for response in (other, elsewhere):
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "idempotency_key_reused"
        assert response.json()["error"]["field"] == "Idempotency-Key"
    assert case_titles("alpha") == ["Battery fires"]


def test_keys_belong_to_their_tenant_and_caller(alpha, beta, make_key):
    _, other_key = make_key("alpha")

    mine = admin(alpha).post(CASES, BODY, headers=with_key("shared"))
    colleague = Api("alpha", auth=key_auth(other_key)).post(CASES, BODY, headers=with_key("shared"))
    other_tenant = admin(beta).post(CASES, BODY, headers=with_key("shared"))

    assert [r.status_code for r in (mine, colleague, other_tenant)] == [201, 201, 201]
    assert mine.json()["id"] != colleague.json()["id"]
    assert "Idempotent-Replayed" not in colleague and "Idempotent-Replayed" not in other_tenant
    assert case_titles("alpha") == ["Battery fires", "Battery fires"]
    assert case_titles("beta") == ["Battery fires"]


def test_a_request_arriving_while_the_first_still_runs_is_409_and_runs_nothing(alpha):
    with tenant_context(Tenant.objects.get(slug="alpha")):
        key = ApiKey.objects.get(prefix=alpha.api_key.split(".")[1])
        # The first request has claimed the key and not answered yet.
        idempotency.claim(
            principal=Principal.for_api_key(key, "alpha"),
            key="slow-one",
            fingerprint=idempotency.fingerprint(method="POST", path=CASES, body=json.dumps(BODY).encode()),
        )

    response = admin(alpha).post(CASES, BODY, headers=with_key("slow-one"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_progress"
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert case_titles("alpha") == []


def test_a_refused_request_frees_its_key_for_the_corrected_one(alpha):
    api = admin(alpha)

    refused = api.post(CASES, {**BODY, "severity": "V"}, headers=with_key("fix-me"))
    corrected = api.post(CASES, BODY, headers=with_key("fix-me"))
    replayed = api.post(CASES, BODY, headers=with_key("fix-me"))

    assert refused.status_code == 400 and refused.json()["error"]["field"] == "severity"
    assert corrected.status_code == 201
    assert replayed.json() == corrected.json()
    assert case_titles("alpha") == ["Battery fires"]


def test_actions_that_create_replay_too(alpha):
    api = admin(alpha)
    case = api.post(CASES, BODY).json()
    tasks = f"{CASES}/{case['id']}/tasks"

    first = api.post(tasks, {"title": "Call the supplier"}, headers=with_key("task-1"))
    again = api.post(tasks, {"title": "Call the supplier"}, headers=with_key("task-1"))

    assert again.json() == first.json()
    assert [t["title"] for t in api.get(tasks).json()["results"]] == ["Call the supplier"]


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve"])
def test_a_key_that_is_empty_too_long_or_not_printable_ascii_is_400_naming_the_header(alpha, key):
    response = admin(alpha).post(CASES, BODY, headers=with_key(key))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert case_titles("alpha") == []


def test_the_header_is_declared_on_every_post_that_takes_it(alpha):
    paths = admin(alpha).get("/api/schema/?format=json").json()["paths"]

    posts = {path: ops["post"] for path, ops in paths.items() if "post" in ops}
    declared = {
        path for path, op in posts.items() if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    }

    # Without a caller there is no one to keep a key for: the credential and account-token exchanges.
    assert set(posts) - declared == {
        "/api/v1/auth/token",
        "/api/v1/auth/token/refresh",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/invitations/accept",
    }
    assert {CASES, "/api/v1/alerts/{id}/promote", "/api/v1/mentions/batch"} <= declared
