"""Reply scripts: variables, approval before use, rendering (a missing variable is a 400 naming it), usage."""

from django_tenants.utils import tenant_context

from responses.models import ReplyScript
from tenants.models import Tenant
from tests.conftest import Api, key_auth

SCRIPTS = "/api/v1/reply-scripts"
BODY = "{customer_name}您好，关于订单{order_id}的问题我们深表歉意，专员将在24小时内联系您。"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def test_script_is_approved_then_rendered_and_counted(alpha):
    api = admin(alpha)
    script = api.post(
        SCRIPTS, {"name": "道歉-订单", "body": BODY, "scenarios": ["service_failure"], "tone": "apologetic"}
    ).json()

    unapproved = api.post(f"{SCRIPTS}/{script['id']}/render", {"variables": {"customer_name": "王女士"}})
    api.post(f"{SCRIPTS}/{script['id']}/approve")
    missing = api.post(f"{SCRIPTS}/{script['id']}/render", {"variables": {"customer_name": "王女士"}})
    rendered = api.post(
        f"{SCRIPTS}/{script['id']}/render", {"variables": {"customer_name": "王女士", "order_id": "A1024"}}
    )
    graphql = api.graphql(
        f'mutation {{ renderReplyScript(id: {script["id"]}, variables: {{customer_name: "李先生", order_id: "B7"}}) }}'
    )

    assert script["variables"] == ["customer_name", "order_id"] and script["approval"] == "draft"
    assert unapproved.status_code == 409 and unapproved.json()["error"]["code"] == "not_approved"
    assert missing.status_code == 400
    assert missing.json()["error"] == {
        "code": "invalid",
        "message": "Missing variable 'order_id'.",
        "field": "variables.order_id",
    }
    assert rendered.json()["text"].startswith("王女士您好，关于订单A1024的问题")
    assert graphql.json()["data"]["renderReplyScript"].startswith("李先生您好")
    assert api.get(f"{SCRIPTS}/{script['id']}").json()["usage_count"] == 2


def test_editing_an_approved_script_sends_it_back_to_draft(alpha):
    api = admin(alpha)
    script = api.post(SCRIPTS, {"name": "s", "body": "Dear {name}"}).json()
    api.post(f"{SCRIPTS}/{script['id']}/approve")

    edited = api.patch(f"{SCRIPTS}/{script['id']}", {"body": "Dear {name}, sorry"})

    assert edited.json()["approval"] == "draft"


def test_malformed_templates_and_bad_fields_are_400(alpha):
    api = admin(alpha)

    broken = api.post(SCRIPTS, {"name": "a", "body": "Hello {customer"})
    attribute = api.post(SCRIPTS, {"name": "b", "body": "Hello {user.name}"})
    language = api.post(SCRIPTS, {"name": "c", "body": "x", "language": "fr"})

    assert broken.status_code == 400 and broken.json()["error"]["field"] == "body"
    assert attribute.status_code == 400 and "plain name" in attribute.json()["error"]["message"]
    assert language.status_code == 400 and language.json()["error"]["field"] == "language"
    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert not ReplyScript.objects.exists()


def test_only_approvers_approve_and_scripts_are_per_tenant(alpha, beta, make_key):
    api = admin(alpha)
    script = api.post(SCRIPTS, {"name": "s", "body": "Dear {name}"}).json()
    _key, analyst_key = make_key("alpha", "analyst")
    _key, approver_key = make_key("alpha", "approver")

    denied = Api("alpha", auth=key_auth(analyst_key)).post(f"{SCRIPTS}/{script['id']}/approve")
    approved = Api("alpha", auth=key_auth(approver_key)).post(f"{SCRIPTS}/{script['id']}/approve")

    assert denied.status_code == 403
    assert approved.json()["approval"] == "approved"
    assert admin(beta).get(SCRIPTS).json()["results"] == []
    assert (
        admin(beta).graphql("{ replyScripts { edges { node { id } } } }").json()["data"]["replyScripts"]["edges"] == []
    )


def test_one_reply_has_variants_per_language(alpha):
    api = admin(alpha)
    hans = api.post(SCRIPTS, {"name": "延迟发货", "body": "{customer_name}您好，您的订单将延迟发货。"}).json()
    hant = api.post(
        SCRIPTS, {"name": "延迟发货", "body": "{customer_name}您好，您的訂單將延遲發貨。", "language": "zh-Hant"}
    ).json()
    english = api.post(
        SCRIPTS, {"name": "延迟发货", "body": "Dear {customer_name}, your order will ship late.", "language": "en"}
    ).json()
    duplicate = api.post(SCRIPTS, {"name": "延迟发货", "body": "again", "language": "en"})
    api.post(f"{SCRIPTS}/{english['id']}/approve")

    variants = api.get(f"{SCRIPTS}?name=延迟发货").json()["results"]
    rendered = api.post(f"{SCRIPTS}/{english['id']}/render", {"variables": {"customer_name": "Ms Lee"}}).json()
    bad_language = api.get(f"{SCRIPTS}?language=fr")

    assert sorted(v["language"] for v in variants) == ["en", "zh-Hans", "zh-Hant"]
    assert {v["id"] for v in variants} == {hans["id"], hant["id"], english["id"]}
    assert duplicate.status_code == 409 and duplicate.json()["error"]["field"] == "name"
    assert rendered["text"] == "Dear Ms Lee, your order will ship late."
    assert bad_language.status_code == 400 and bad_language.json()["error"]["field"] == "language"


def test_graphql_edits_and_deletes_scripts(alpha):
    api = admin(alpha)
    script = api.post(SCRIPTS, {"name": "致歉", "body": "{customer_name}您好"}).json()
    api.post(f"{SCRIPTS}/{script['id']}/approve")

    edited = api.graphql(
        f'mutation {{ updateReplyScript(id: {script["id"]}, body: "{{customer_name}}，您好") {{ body approval }} }}'
    ).json()["data"]["updateReplyScript"]
    deleted = api.graphql(f"mutation {{ deleteReplyScript(id: {script['id']}) }}").json()["data"]

    assert edited == {"body": "{customer_name}，您好", "approval": "DRAFT"}
    assert deleted == {"deleteReplyScript": True}
    assert api.get(f"{SCRIPTS}/{script['id']}").status_code == 404
