"""The OpenAPI document tells the truth: how to authenticate (credential and tenant), what each operation is called,
and which errors it can answer, in the one Error shape."""

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Api, key_auth

ERROR_STATUSES = {"400", "401", "403", "404", "409", "413", "415", "422", "429"}


@pytest.fixture
def schema(tenants: Any) -> dict[str, Any]:
    response = Client().get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]


def operation(schema: dict[str, Any], operation_id: str) -> dict[str, Any]:
    return next(op for _, _, op in operations(schema) if op["operationId"] == operation_id)


def swagger_headers(schema: dict[str, Any], requirement: dict[str, list[str]], values: dict[str, str]) -> dict:
    """The headers Swagger UI sends for one security requirement once its Authorize dialog is filled in."""
    headers = {}
    for name in requirement:
        scheme = schema["components"]["securitySchemes"][name]
        if scheme["type"] == "http":
            headers["Authorization"] = f"{scheme['scheme'].title()} {values[name]}"
        else:
            assert scheme["in"] == "header"
            headers[scheme["name"]] = values[name]
    return headers


def test_every_operation_has_a_declared_tag_a_unique_snake_case_id_and_a_summary(schema):
    declared_tags = {tag["name"] for tag in schema["tags"]}
    ids = [op["operationId"] for _, _, op in operations(schema)]

    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for method, path, op in operations(schema):
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", op["operationId"]), (method, path)
        assert len(op["tags"]) == 1 and op["tags"][0] in declared_tags, (method, path, op["tags"])
        assert op.get("summary", "").strip(), (method, path)
        assert "\n" not in op["summary"], (method, path)


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "tag"),
    [
        ("post", "/api/v1/cases/{id}/transition", "cases_transition", "cases"),
        ("get", "/api/v1/cases", "cases_list", "cases"),
        ("get", "/api/v1/cases/{id}", "cases_retrieve", "cases"),
        ("patch", "/api/v1/cases/{id}", "cases_update", "cases"),
        ("get", "/api/v1/cases/{id}/tasks", "cases_tasks_list", "cases"),
        ("post", "/api/v1/cases/{id}/tasks", "cases_tasks_create", "cases"),
        ("delete", "/api/v1/cases/{id}/members/{member_id}", "cases_members_delete", "cases"),
        ("get", "/api/v1/mentions/search", "mentions_search", "search"),
        ("post", "/api/v1/mentions/batch", "mentions_batch", "monitoring"),
        ("delete", "/api/v1/rules/{id}", "rules_delete", "monitoring"),
        ("post", "/api/v1/auth/token", "auth_token_obtain", "identity"),
        ("get", "/readyz", "health_ready", "health"),
    ],
)
def test_operations_are_named_resource_action_and_tagged_by_domain(schema, method, path, operation_id, tag):
    op = schema["paths"][path][method]

    assert (op["operationId"], op["tags"]) == (operation_id, [tag])


def test_every_tenant_operation_needs_the_tenant_with_each_credential(schema):
    for method, path, op in operations(schema):
        if not path.startswith("/api/v1/"):
            assert "security" not in op, (method, path)
        elif path.startswith("/api/v1/auth/") or path == "/api/v1/invitations/accept":
            # No credential: the tenant alone (logins, refreshes, mailed account tokens).
            assert op["security"] == [{"Tenant": []}], (method, path)
        else:
            assert op["security"] == [{"JWT": [], "Tenant": []}, {"ApiKey": [], "Tenant": []}], (method, path)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["Tenant"] == {**schemes["Tenant"], "type": "apiKey", "in": "header", "name": "X-Tenant"}
    assert schemes["ApiKey"] == {**schemes["ApiKey"], "type": "apiKey", "in": "header", "name": "Authorization"}
    assert "Api-Key <tenant>.<prefix>.<secret>" in schemes["ApiKey"]["description"]
    assert schemes["JWT"] == {**schemes["JWT"], "type": "http", "scheme": "bearer"}


def test_swagger_ui_requests_on_the_loopback_host_work_once_both_schemes_are_filled_in(schema, alpha, login):
    me = schema["paths"]["/api/v1/me"]["get"]
    values = {
        "Tenant": "alpha",
        "ApiKey": key_auth(alpha.api_key),
        "JWT": login("alpha", alpha.admin_email).removeprefix("Bearer "),
    }

    for requirement in me["security"]:
        response = Client().get(
            "/api/v1/me", HTTP_HOST="127.0.0.1", headers=swagger_headers(schema, requirement, values)
        )
        assert response.status_code == 200, (requirement, response.content)
        assert response.json()["tenant"]["slug"] == "alpha"
    without_tenant = Client().get(
        "/api/v1/me", HTTP_HOST="127.0.0.1", headers=swagger_headers(schema, {"ApiKey": []}, values)
    )
    assert without_tenant.status_code == 403
    assert without_tenant.json()["error"]["code"] == "wrong_tenant"


def test_error_answers_refer_to_the_one_error_schema(schema):
    body = schema["components"]["schemas"]["ErrorBody"]

    assert schema["components"]["schemas"]["Error"]["properties"] == {
        "error": {"$ref": "#/components/schemas/ErrorBody"}
    }
    assert set(body["required"]) == {"code", "message", "field"}
    assert body["properties"]["field"]["nullable"] is True
    for method, path, op in operations(schema):
        for status in ERROR_STATUSES & set(op["responses"]):
            content = op["responses"][status]["content"]
            assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}, (path, status)
            assert op["responses"][status]["description"], (method, path, status)


@pytest.mark.parametrize(
    ("operation_id", "errors"),
    [
        # A body, an id, a state machine: everything but nothing more. Every operation checks its query
        # parameters (400); an authenticated POST takes an Idempotency-Key (409 while it runs, 422 reused).
        ("cases_transition", {"400", "401", "403", "404", "409", "413", "415", "422", "429"}),
        ("cases_list", {"400", "401", "403", "429"}),
        ("cases_retrieve", {"400", "401", "403", "404", "429"}),
        ("cases_notes", {"400", "401", "403", "404", "409", "413", "415", "422", "429"}),
        ("statements_submit", {"400", "401", "403", "404", "409", "422", "429"}),
        ("sla_policies_list", {"400", "401", "403", "429"}),
        ("auth_token_obtain", {"400", "401", "413", "415", "429"}),
        ("auth_token_refresh", {"400", "401", "403", "413", "415", "429"}),
        ("health_ready", {"400"}),
    ],
)
def test_operations_declare_the_errors_they_can_give(schema, operation_id, errors):
    op = operation(schema, operation_id)

    assert ERROR_STATUSES & set(op["responses"]) == errors


def test_rate_limited_answers_document_retry_after(schema):
    for _, path, op in operations(schema):
        if "429" in op["responses"]:
            assert op["responses"]["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}, path


def test_a_documented_conflict_answers_in_the_error_shape(alpha):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    case = api.post("/api/v1/cases", {"title": "Outage", "activate_playbook": False}).json()

    response = api.post(f"/api/v1/cases/{case['id']}/transition", {"transition": "review"})

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_transition", "transition")
    assert isinstance(error["message"], str)
