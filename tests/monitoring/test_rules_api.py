"""Monitoring rules and brands: CRUD over both faces, expression errors with their column, matching at ingest."""

from django_tenants.utils import tenant_context

from monitoring.models import MonitoringRule
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def test_malformed_expression_is_400_naming_the_column_and_writes_nothing(alpha):
    response = admin(alpha).post("/api/v1/rules", {"name": "recall", "expression": "召回 AND (质量 OR"})

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "invalid_expression"
    assert error["field"] == "expression"
    assert "column" in error["message"]
    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert not MonitoringRule.objects.exists()


def test_graphql_reports_the_same_expression_error(alpha):
    response = admin(alpha).graphql(
        'mutation { createRule(input: {name: "r", expression: "platform:myspace"}) { id } }'
    )

    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["code"] == "invalid_expression" and extensions["field"] == "expression"


def test_rule_crud(alpha):
    api = admin(alpha)
    created = api.post("/api/v1/rules", {"name": "recall", "expression": "召回 OR recall"}).json()
    duplicate = api.post("/api/v1/rules", {"name": "recall", "expression": "x"})
    patched = api.patch(f"/api/v1/rules/{created['id']}", {"expression": '"刹车 失灵" OR 召回'})
    listed = nodes(api.graphql("{ rules { edges { node { name expression isActive } } } }").json()["data"]["rules"])
    deleted = api.request("delete", f"/api/v1/rules/{created['id']}")

    assert duplicate.status_code == 409
    assert patched.json()["expression"] == '"刹车 失灵" OR 召回'
    assert listed == [{"name": "recall", "expression": '"刹车 失灵" OR 召回', "isActive": True}]
    assert deleted.status_code == 204
    assert api.get("/api/v1/rules").json()["results"] == []


def test_ingested_mentions_record_matched_rules_and_brands(alpha, item):
    api = admin(alpha)
    rule = api.post("/api/v1/rules", {"name": "recall", "expression": "召回 AND platform:weibo"}).json()
    brand = api.graphql(
        'mutation { createBrand(input: {name: "极光汽车", expression: "极光汽车 OR 极光ES9", '
        'keywords: ["极光ES9"]}) { id kind } }'
    ).json()["data"]["createBrand"]

    api.post(
        "/api/v1/mentions/batch",
        {
            "mentions": [
                item(external_id="hit", text="極光汽車宣布召回部分极光ES9车型"),
                item(external_id="miss", text="极光汽车召回", platform="douyin"),
                item(external_id="none", text="今天天气不错"),
            ]
        },
    )
    by_rule = api.get(f"/api/v1/mentions?rule={rule['id']}").json()["results"]
    by_brand = api.get(f"/api/v1/mentions?brand={brand['id']}").json()["results"]

    assert brand["kind"] == "OWN"
    assert [m["external_id"] for m in by_rule] == ["hit"]
    assert sorted(m["external_id"] for m in by_brand) == ["hit", "miss"]
    assert by_rule[0]["matched_brands"] == [int(brand["id"])]


def test_brand_keywords_stay_whole_tokens(alpha, item):
    api = admin(alpha)
    api.post("/api/v1/brands", {"name": "极光汽车", "expression": "极光ES9", "keywords": ["极光ES9"]})

    api.post("/api/v1/mentions/batch", {"mentions": [item(external_id="k", text="我买的极光ES9刹车失灵")]})

    with tenant_context(Tenant.objects.get(slug="alpha")):
        from monitoring.models import Mention

        assert "极光es9" in Mention.objects.get(external_id="k").tokens.lower().split()


def test_viewer_reads_rules_but_cannot_write(alpha, make_key):
    _key, raw = make_key("alpha", "viewer")
    viewer = Api("alpha", auth=key_auth(raw))

    assert viewer.get("/api/v1/rules").status_code == 200
    assert viewer.post("/api/v1/rules", {"name": "x", "expression": "x"}).status_code == 403


def test_rules_are_per_tenant(alpha, beta):
    admin(alpha).post("/api/v1/rules", {"name": "alpha only", "expression": "x"})

    assert admin(beta).get("/api/v1/rules").json()["results"] == []
    assert admin(beta).graphql("{ rules { edges { node { id } } } }").json()["data"]["rules"]["edges"] == []
