"""API docs and GraphiQL render from Vigil's own static files: these machines have no internet."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.conftest import Api

ASSET = re.compile(r'(?:src|href)="([^"]+\.(?:js|css))"')


def local_assets(html: str) -> list[str]:
    assets = ASSET.findall(html)
    assert assets, "page references no scripts or styles"
    return assets


@pytest.mark.parametrize(("path", "headers"), [("/api/docs/", {}), ("/graphql/", {"Accept": "text/html"})])
@pytest.mark.parametrize("slug", [None, "alpha"])
def test_docs_pages_load_only_local_assets(tenants, path, headers, slug):
    response = Api(slug).get(path, headers=headers)
    html = response.content.decode()

    assert response.status_code == 200
    for asset in local_assets(html):
        assert asset.startswith("/static/"), f"{asset} would be fetched from outside"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the project's static files"
    assert "unpkg.com" not in html and "cdn.jsdelivr.net" not in html


def test_openapi_schema_documents_the_tenant_api(tenants):
    response = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    schema = response.json()

    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/auth/token",
        "/api/v1/auth/token/refresh",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}/revoke",
        "/readyz",
        "/healthz",
    ]:
        assert path in schema["paths"], path
    assert "ApiKey" in schema["components"]["securitySchemes"]


def test_graphiql_is_served_on_get_and_queries_still_work(alpha):
    from tests.conftest import key_auth

    page = Api("alpha").get("/graphql/", headers={"Accept": "text/html"})
    result = Api("alpha", auth=key_auth(alpha.api_key)).graphql("{ me { role } }")

    assert b"graphiql" in page.content.lower()
    assert result.json() == {"data": {"me": {"role": "ADMIN"}}}


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/api-keys/{id}/revoke" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/api/v1/cases/{id}/members", "CaseMember"),
        ("/api/v1/cases/{id}/statements", "Statement"),
        ("/api/v1/cases/{id}/tasks", "Task"),
        ("/api/v1/cases/{id}/timeline", "Event"),
        ("/api/v1/playbooks/{id}/versions", "PlaybookVersion"),
        ("/api/v1/statements/{id}/versions", "StatementVersion"),
        ("/api/v1/sla-policies", "SlaTargets"),
        ("/api/v1/mentions", "MentionOutput"),
        ("/api/v1/tasks", "Task"),
        ("/api/v1/audit-log", "AuditEntryOutput"),
    ],
)
def test_openapi_describes_each_list_as_the_envelope_it_answers(tenants, path, item):
    schema = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()

    answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][f"Paginated{item}List"]
    assert answer == {"$ref": f"#/components/schemas/Paginated{item}List"}
    assert page["required"] == ["results", "next_cursor", "previous_cursor"]
    assert page["properties"]["results"] == {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}
    assert page["properties"]["next_cursor"]["nullable"] is True
