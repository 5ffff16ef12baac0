"""Crisis statements: versions with diffs, approvals by case roles in order, publishing per channel, retraction,
replacement, the consistency check across channels, GraphQL, isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from responses.models import CaseEvent, CrisisCase, Statement, StatementApproval, StatementPublication
from responses.team.services import case_member_add
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

CASES = "/api/v1/cases"
STATEMENTS = "/api/v1/statements"
V1 = "我们已关注到网友反映的电池起火问题。\n相关批次产品已暂停销售。\n调查结果将于48小时内公布。"
V2 = "我们已关注到网友反映的电池起火问题。\n相关批次产品已全部召回。\n调查结果将于48小时内公布。"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def open_case(api: Api) -> int:
    response = api.post(CASES, {"title": "Battery fires", "scenario": "product_quality", "severity": "II"})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def draft(api: Api, case_id: int, **fields) -> dict:
    response = api.post(f"{CASES}/{case_id}/statements", {"title": "关于电池问题的说明", "body": V1, **fields})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def member(make_user, login):
    """A person holding a case role on a case, signed in."""

    def make(case_id: int, role: str, tenant_role: str = "responder", slug: str = "alpha") -> Api:
        user = make_user(slug, tenant_role, f"{role}@{slug}.example")
        with in_tenant(slug):
            case_member_add(actor=SYSTEM, case_id=case_id, user_id=user.pk, role=role)
        return Api(slug, auth=login(slug, user.email))

    return make


def statement_events(api: Api, case_id: int) -> list[str]:
    kinds = [e["kind"] for e in api.get(f"{CASES}/{case_id}/timeline").json()["results"]]
    return [kind for kind in kinds if kind.startswith("statement_")]


def approved(api: Api, case_id: int, member, **fields) -> dict:
    """A statement approved by legal, then the commander."""
    statement = draft(api, case_id, **fields)
    api.post(f"{STATEMENTS}/{statement['id']}/submit")
    for role in ("legal", "commander"):
        response = member(case_id, role).post(f"{STATEMENTS}/{statement['id']}/approve")
        assert response.status_code == 200, response.content
    return response.json()


def test_full_flow_from_draft_to_published_on_two_channels(alpha, member):
    api = admin(alpha)
    case_id = open_case(api)
    legal, commander = member(case_id, "legal", "approver"), member(case_id, "commander")
    statement = draft(api, case_id)
    url = f"{STATEMENTS}/{statement['id']}"

    edited = api.patch(url, {"body": V2})
    submitted = api.post(f"{url}/submit")
    after_legal = legal.post(f"{url}/approve", {"comment": "措辞可以"})
    after_commander = commander.post(f"{url}/approve")
    weibo = api.post(f"{url}/publish", {"channel": "weibo", "url": "https://weibo.com/1234/Abc"})
    website = api.post(f"{url}/publish", {"channel": "website", "url": "https://example.com/news/1"})
    final = api.get(url).json()

    assert statement["status"] == "draft" and statement["current_version"] == 1
    assert edited.json()["current_version"] == 2
    assert edited.json()["versions"][1]["diff"] == (
        "--- v1\n+++ v2\n@@ -1,3 +1,3 @@\n 我们已关注到网友反映的电池起火问题。\n-相关批次产品已暂停销售。\n"
        "+相关批次产品已全部召回。\n 调查结果将于48小时内公布。"
    )
    assert api.get(f"{url}/diff?from=1&to=2").json()["diff"] == edited.json()["versions"][1]["diff"]
    assert submitted.json()["status"] == "in_review"
    assert submitted.json()["pending_approvals"] == ["legal", "commander"]
    assert (after_legal.json()["status"], after_legal.json()["pending_approvals"]) == ("in_review", ["commander"])
    assert after_commander.json()["status"] == "approved"
    assert weibo.status_code == 201 and website.status_code == 201
    assert (weibo.json()["channel"], weibo.json()["version"]) == ("weibo", 2)
    assert (final["status"], final["published_version"], final["body"]) == ("published", 2, V2)
    assert [(a["role"], a["decision"], a["comment"]) for a in final["approvals"]] == [
        ("legal", "approved", "措辞可以"),
        ("commander", "approved", ""),
    ]
    assert [p["channel"] for p in final["publications"]] == ["weibo", "website"]
    assert statement_events(api, case_id) == [
        "statement_created",
        "statement_edited",
        "statement_submitted",
        "statement_approved",
        "statement_approved",
        "statement_published",
        "statement_published",
    ]
    with in_tenant("alpha"):
        assert CrisisCase.objects.get().first_statement_at == Statement.objects.get().published_at


def test_approval_out_of_order_is_403_naming_the_role_due_and_writes_nothing(alpha, member):
    api = admin(alpha)
    case_id = open_case(api)
    commander = member(case_id, "commander")
    statement = draft(api, case_id)
    api.post(f"{STATEMENTS}/{statement['id']}/submit")

    response = commander.post(f"{STATEMENTS}/{statement['id']}/approve")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": f"Approval by legal is due first; commander@alpha.example does not hold legal on case {case_id}.",
        "field": None,
    }
    with in_tenant("alpha"):
        assert not StatementApproval.objects.exists()
        assert Statement.objects.get().status == "in_review"
        assert not CaseEvent.objects.filter(kind="statement_approved").exists()


def test_approvers_without_the_case_role_are_refused(alpha, make_user, login):
    api = admin(alpha)
    case_id = open_case(api)
    statement = draft(api, case_id)
    api.post(f"{STATEMENTS}/{statement['id']}/submit")
    make_user("alpha", "approver", "ann@alpha.example")
    approver = Api("alpha", auth=login("alpha", "ann@alpha.example"))

    by_person = approver.post(f"{STATEMENTS}/{statement['id']}/approve")
    by_admin_key = api.post(f"{STATEMENTS}/{statement['id']}/approve")

    assert by_person.status_code == 403 and by_admin_key.status_code == 403
    assert by_person.json()["error"]["message"] == (
        f"Only legal or commander on case {case_id} may decide on statement {statement['id']}."
    )
    with in_tenant("alpha"):
        assert not StatementApproval.objects.exists()
        assert Statement.objects.get().status == "in_review"


def test_a_viewer_holding_the_due_role_approves(alpha, member):
    api = admin(alpha)
    case_id = open_case(api)
    viewer = member(case_id, "legal", "viewer")
    statement = draft(api, case_id)
    api.post(f"{STATEMENTS}/{statement['id']}/submit")

    response = viewer.post(f"{STATEMENTS}/{statement['id']}/approve")

    assert response.status_code == 200
    assert response.json()["pending_approvals"] == ["commander"]
    with in_tenant("alpha"):
        assert list(StatementApproval.objects.values_list("role", "decision")) == [("legal", "approved")]


def test_reject_needs_a_comment_returns_to_draft_and_restarts_the_round(alpha, member):
    api = admin(alpha)
    case_id = open_case(api)
    legal, commander = member(case_id, "legal"), member(case_id, "commander")
    statement = draft(api, case_id)
    url = f"{STATEMENTS}/{statement['id']}"
    api.post(f"{url}/submit")
    legal.post(f"{url}/approve")

    silent = commander.post(f"{url}/reject", {"comment": "  "})
    rejected = commander.post(f"{url}/reject", {"comment": "不要承诺48小时"})
    resubmitted = api.post(f"{url}/submit")

    assert silent.status_code == 400 and silent.json()["error"]["field"] == "comment"
    assert rejected.json()["status"] == "draft"
    assert rejected.json()["approvals"][-1]["decision"] == "rejected"
    assert rejected.json()["approvals"][-1]["role"] == "commander"
    assert resubmitted.json()["pending_approvals"] == ["legal", "commander"]
    timeline = api.get(f"{CASES}/{case_id}/timeline").json()["results"]
    assert [e["summary"] for e in timeline if e["kind"] == "statement_rejected"] == [
        f"Statement #{statement['id']} v1 rejected by commander: 不要承诺48小时"
    ]


def test_editing_an_approved_statement_needs_approval_again(alpha, member):
    api = admin(alpha)
    case_id = open_case(api)
    statement = approved(api, case_id, member)
    url = f"{STATEMENTS}/{statement['id']}"

    unchanged = api.patch(url, {"body": V1})
    edited = api.patch(url, {"body": V2})
    publish = api.post(f"{url}/publish", {"channel": "weibo", "url": "https://weibo.com/1"})
    resubmitted = api.post(f"{url}/submit")

    assert unchanged.json()["status"] == "approved" and unchanged.json()["current_version"] == 1
    assert edited.json()["status"] == "draft" and edited.json()["current_version"] == 2
    assert publish.status_code == 409 and publish.json()["error"]["code"] == "invalid_transition"
    assert resubmitted.json()["pending_approvals"] == ["legal", "commander"]


def test_publishing_needs_approval_and_happens_once_per_channel(alpha):
    api = admin(alpha)
    case_id = open_case(api)
    gated = draft(api, case_id)
    free = draft(api, case_id, required_approvals=[])

    early = api.post(f"{STATEMENTS}/{gated['id']}/publish", {"channel": "weibo", "url": "https://weibo.com/1"})
    submitted = api.post(f"{STATEMENTS}/{free['id']}/submit")
    first = api.post(f"{STATEMENTS}/{free['id']}/publish", {"channel": "press"})
    again = api.post(f"{STATEMENTS}/{free['id']}/publish", {"channel": "press"})

    assert early.status_code == 409
    assert early.json()["error"] == {
        "code": "invalid_transition",
        "message": "A statement in 'draft' cannot be published.",
        "field": "status",
    }
    assert submitted.json()["status"] == "approved"
    assert first.status_code == 201 and first.json()["url"] == ""
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_published"
    with in_tenant("alpha"):
        assert StatementPublication.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "tiktok", "url": "https://x.example"}, "channel"),
        ({"channel": "website", "url": "javascript:alert(1)"}, "url"),
        ({"channel": "website", "url": "https://"}, "url"),
        ({"channel": "weibo"}, "url"),
        ({"channel": "press", "published_at": (timezone.now() + timedelta(days=1)).isoformat()}, "published_at"),
    ],
)
def test_bad_publication_is_400_naming_the_field(alpha, body, field):
    api = admin(alpha)
    statement = draft(api, open_case(api), required_approvals=[])
    api.post(f"{STATEMENTS}/{statement['id']}/submit")

    response = api.post(f"{STATEMENTS}/{statement['id']}/publish", body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    with in_tenant("alpha"):
        assert not StatementPublication.objects.exists()
        assert Statement.objects.get().status == "approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": " "}, "title"),
        ({"required_approvals": ["legal", "ceo"]}, "required_approvals.1"),
        ({"required_approvals": ["legal", "legal"]}, "required_approvals"),
        ({"supersedes_id": 999999}, "supersedes_id"),
    ],
)
def test_bad_statement_is_400_naming_the_field(alpha, body, field):
    api = admin(alpha)
    case_id = open_case(api)

    response = api.post(f"{CASES}/{case_id}/statements", {"title": "t", "body": "b", **body})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    with in_tenant("alpha"):
        assert not Statement.objects.exists()


def test_no_statements_on_a_closed_case_and_viewers_only_read(alpha, make_key):
    api = admin(alpha)
    case_id = open_case(api)
    _key, raw = make_key("alpha", "viewer")
    viewer = Api("alpha", auth=key_auth(raw))

    denied = viewer.post(f"{CASES}/{case_id}/statements", {"title": "t", "body": "b"})
    api.post(f"{CASES}/{case_id}/transition", {"transition": "assess"})
    api.post(f"{CASES}/{case_id}/transition", {"transition": "resolve"})
    closed = api.post(f"{CASES}/{case_id}/statements", {"title": "t", "body": "b"})

    assert denied.status_code == 403
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "case_closed"
    assert viewer.get(f"{CASES}/{case_id}/statements").json()["results"] == []
    with in_tenant("alpha"):
        assert not Statement.objects.exists()


def test_retraction_needs_a_reason_and_takes_every_channel_down(alpha):
    api = admin(alpha)
    case_id = open_case(api)
    statement = draft(api, case_id, required_approvals=[])
    url = f"{STATEMENTS}/{statement['id']}"
    api.post(f"{url}/submit")
    api.post(f"{url}/publish", {"channel": "weibo", "url": "https://weibo.com/1"})
    api.post(f"{url}/publish", {"channel": "wechat", "url": "https://mp.weixin.qq.com/s/abc"})

    unexplained = api.post(f"{url}/retract", {"reason": ""})
    retracted = api.post(f"{url}/retract", {"reason": "事实有误"})
    edit = api.patch(url, {"body": "新版本"})

    assert unexplained.status_code == 400 and unexplained.json()["error"]["field"] == "reason"
    body = retracted.json()
    assert (body["status"], body["retraction_reason"], body["published_version"]) == ("retracted", "事实有误", None)
    assert all(p["retracted_at"] for p in body["publications"])
    assert edit.status_code == 409
    assert api.get(f"{CASES}/{case_id}/statement-consistency").json() == {"consistent": True, "channels": []}
    assert statement_events(api, case_id)[-1] == "statement_retracted"


def test_a_replacement_supersedes_the_old_statement_when_first_published(alpha):
    api = admin(alpha)
    case_id = open_case(api)
    old = draft(api, case_id, required_approvals=[])
    api.post(f"{STATEMENTS}/{old['id']}/submit")
    api.post(f"{STATEMENTS}/{old['id']}/publish", {"channel": "website", "url": "https://example.com/1"})
    other_case = draft(api, open_case(api), required_approvals=[])

    foreign = api.post(f"{CASES}/{case_id}/statements", {"title": "t", "body": "b", "supersedes_id": other_case["id"]})
    new = draft(api, case_id, required_approvals=[], supersedes_id=old["id"])
    api.post(f"{STATEMENTS}/{new['id']}/submit")
    api.post(f"{STATEMENTS}/{new['id']}/publish", {"channel": "weibo", "url": "https://weibo.com/2"})
    consistency = api.get(f"{CASES}/{case_id}/statement-consistency").json()

    assert foreign.status_code == 400 and foreign.json()["error"]["field"] == "supersedes_id"
    assert new["supersedes"] == old["id"]
    assert api.get(f"{STATEMENTS}/{old['id']}").json()["status"] == "superseded"
    assert statement_events(api, case_id)[-2:] == ["statement_published", "statement_superseded"]
    assert consistency["consistent"] is False
    assert [
        (c["channel"], c["statement_id"], c["flag"], c["expected_statement_id"]) for c in consistency["channels"]
    ] == [
        ("website", old["id"], "superseded", new["id"]),
        ("weibo", new["id"], None, new["id"]),
    ]


def test_consistency_flags_a_channel_still_carrying_the_old_version(alpha):
    api = admin(alpha)
    case_id = open_case(api)
    statement = draft(api, case_id, required_approvals=[])
    url = f"{STATEMENTS}/{statement['id']}"
    api.post(f"{url}/submit")
    api.post(f"{url}/publish", {"channel": "weibo", "url": "https://weibo.com/1"})
    api.post(f"{url}/publish", {"channel": "website", "url": "https://example.com/1"})

    revising = api.patch(url, {"body": V2}).json()
    api.post(f"{url}/submit")
    api.post(f"{url}/publish", {"channel": "weibo", "url": "https://weibo.com/2"})
    consistency = api.get(f"{CASES}/{case_id}/statement-consistency").json()

    assert (revising["status"], revising["current_version"], revising["published_version"]) == ("draft", 2, 1)
    assert consistency["consistent"] is False
    assert [
        (c["channel"], c["version"], c["url"], c["flag"], c["expected_version"]) for c in consistency["channels"]
    ] == [
        ("website", 1, "https://example.com/1", "outdated_version", 2),
        ("weibo", 2, "https://weibo.com/2", None, 2),
    ]


def test_graphql_flow(alpha, member):
    api = admin(alpha)
    case_id = open_case(api)
    comms = member(case_id, "communications", "viewer")
    legal, commander = member(case_id, "legal", "approver"), member(case_id, "commander")

    created = comms.graphql(
        'mutation($case: Int!, $body: String!) { createStatement(caseId: $case, title: "说明", body: $body) '
        "{ id status } }",
        {"case": case_id, "body": V1},
    ).json()["data"]["createStatement"]
    sid = created["id"]
    comms.graphql(f"mutation {{ submitStatement(id: {sid}) {{ status }} }}")
    early = commander.graphql(f"mutation {{ approveStatement(id: {sid}) {{ status }} }}").json()
    legal.graphql(f'mutation {{ approveStatement(id: {sid}, comment: "ok") {{ status }} }}')
    final = commander.graphql(f"mutation {{ approveStatement(id: {sid}) {{ status pendingApprovals }} }}").json()
    published = comms.graphql(
        f'mutation {{ publishStatement(id: {sid}, channel: WEIBO, url: "https://weibo.com/9") {{ channel version }} }}'
    ).json()
    read = api.graphql(
        f"{{ statement(id: {sid}) {{ status publishedVersion versions {{ edges {{ node {{ number }} }} }} "
        "approvals { edges { node { role } } } publications { edges { node { channel url } } } } "
        f"statements(caseId: {case_id}) {{ edges {{ node {{ id }} }} }} "
        f"statementConsistency(caseId: {case_id}) {{ consistent channels {{ channel version flag }} }} }}"
    ).json()["data"]

    assert created["status"] == "DRAFT"
    assert early["errors"][0]["extensions"]["code"] == "permission_denied"
    assert "Approval by legal is due first" in early["errors"][0]["message"]
    assert final["data"]["approveStatement"] == {"status": "APPROVED", "pendingApprovals": []}
    assert published["data"]["publishStatement"] == {"channel": "WEIBO", "version": 1}
    statement = read["statement"]
    assert (statement["status"], statement["publishedVersion"]) == ("PUBLISHED", 1)
    assert nodes(statement["versions"]) == [{"number": 1}]
    assert nodes(statement["approvals"]) == [{"role": "LEGAL"}, {"role": "COMMANDER"}]
    assert nodes(statement["publications"]) == [{"channel": "WEIBO", "url": "https://weibo.com/9"}]
    assert nodes(read["statements"]) == [{"id": sid}]
    assert read["statementConsistency"] == {
        "consistent": True,
        "channels": [{"channel": "WEIBO", "version": 1, "flag": None}],
    }


def test_statements_are_per_tenant(alpha, beta):
    api = admin(alpha)
    case_id = open_case(api)
    statement = draft(api, case_id)
    api.post(f"{STATEMENTS}/{statement['id']}/submit")
    other = admin(beta)

    assert other.get(f"{STATEMENTS}/{statement['id']}").status_code == 404
    assert other.post(f"{STATEMENTS}/{statement['id']}/approve").status_code == 404
    assert other.get(f"{CASES}/{case_id}/statements").status_code == 404
    assert other.get(f"{CASES}/{case_id}/statement-consistency").status_code == 404
    assert other.graphql(f"{{ statement(id: {statement['id']}) {{ id }} }}").json()["errors"][0]["extensions"][
        "code"
    ] == ("not_found")
    with in_tenant("alpha"):
        assert not StatementApproval.objects.exists()


def test_graphql_diff_between_versions(alpha):
    api = admin(alpha)
    statement = draft(api, open_case(api))
    api.patch(f"{STATEMENTS}/{statement['id']}", {"body": V2})

    diff = api.graphql(f"{{ statementDiff(id: {statement['id']}, fromVersion: 1, toVersion: 2) {{ diff }} }}").json()
    missing = api.graphql(f"{{ statementDiff(id: {statement['id']}, fromVersion: 1, toVersion: 9) {{ diff }} }}").json()

    text = diff["data"]["statementDiff"]["diff"]
    assert text.startswith("--- v1\n+++ v2\n")
    assert "\n-相关批次产品已暂停销售。\n+相关批次产品已全部召回。\n" in text
    assert missing["errors"][0]["extensions"]["field"] == "to"
