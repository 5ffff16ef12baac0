"""Playbooks at work: a new case runs its matching playbook (tasks and statement drafts), escalation rules fire once
when their condition still holds, and opening a case is notified."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from responses.models import CaseEvent, CrisisCase, PlaybookActivation
from responses.playbooks.escalation import escalation_check
from tenants.models import Tenant
from tenants.notifications.models import Delivery
from tests.conftest import Api, key_auth, nodes
from tests.responses.test_playbooks import create

CASES = "/api/v1/cases"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def subscribe(api: Api, *events: str) -> None:
    response = api.post(
        "/api/v1/notification-channels",
        {"name": "duty", "kind": "webhook", "url": "https://hooks.example.com/vigil", "event_types": list(events)},
    )
    assert response.status_code == 201, response.content


def test_a_new_case_runs_its_matching_playbook_with_tasks_and_statement_drafts(alpha):
    api = admin(alpha)
    create(api)
    create(api, name="Data leak, any severity", severities=[])

    case = api.post(CASES, {"title": "用户数据泄露", "scenario": "data_leak", "severity": "I"}).json()
    tasks = api.get(f"{CASES}/{case['id']}/tasks").json()["results"]
    statements = api.get(f"{CASES}/{case['id']}/statements").json()["results"]
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]

    assert [t["title"] for t in tasks] == ["Holding statement", "Verify the facts"]
    assert [(t["assignee_role"], t["priority"]) for t in tasks] == [
        ("communications", "critical"),
        ("analysis", "normal"),
    ]
    assert [(s["title"], s["status"], s["required_approvals"]) for s in statements] == [
        ("First response", "draft", ["legal", "commander"])
    ]
    assert [e["kind"] for e in timeline] == ["opened", "playbook_activated", "statement_created"]
    assert timeline[1]["actor"] == "system"
    assert timeline[1]["summary"] == "Playbook 'Data leak I' v1 activated: 2 task(s), 1 statement draft(s)"


def test_no_playbook_runs_when_asked_not_to_or_none_matches(alpha):
    api = admin(alpha)
    create(api)

    declined = api.post(CASES, {"title": "x", "scenario": "data_leak", "severity": "I", "activate_playbook": False})
    other = api.post(CASES, {"title": "y", "scenario": "data_leak", "severity": "III"})

    assert api.get(f"{CASES}/{declined.json()['id']}/tasks").json()["results"] == []
    assert api.get(f"{CASES}/{other.json()['id']}/tasks").json()["results"] == []
    with in_tenant("alpha"):
        assert PlaybookActivation.objects.count() == 0


def test_a_responder_opening_a_case_still_gets_the_playbook(alpha, make_key):
    api = admin(alpha)
    create(api)
    _key, raw = make_key("alpha", "responder")

    case = Api("alpha", auth=key_auth(raw)).post(CASES, {"title": "z", "scenario": "data_leak", "severity": "I"})

    assert case.status_code == 201
    assert len(api.get(f"{CASES}/{case.json()['id']}/tasks").json()["results"]) == 2


def test_opening_a_case_is_notified(alpha):
    api = admin(alpha)
    subscribe(api, "case.opened")
    create(api)

    case = api.post(CASES, {"title": "用户数据泄露", "scenario": "data_leak", "severity": "I", "is_drill": True}).json()

    with in_tenant("alpha"):
        delivery = Delivery.objects.get(event_type="case.opened")
    assert delivery.payload["data"]["case_id"] == case["id"]
    assert delivery.payload["data"]["playbook"] == "Data leak I"
    assert delivery.title == f"[Severity I] Case #{case['id']} opened (drill): 用户数据泄露"


def test_an_escalation_rule_fires_once_when_its_condition_still_holds(alpha, make_user):
    api = admin(alpha)
    subscribe(api, "case.escalated")
    create(api)
    commander = make_user("alpha", "responder", "boss@alpha.example")
    case = api.post(CASES, {"title": "泄露", "scenario": "data_leak", "severity": "I"}).json()
    api.post(f"{CASES}/{case['id']}/members", {"user_id": commander.pk, "role": "commander"})
    later = timezone.now() + timedelta(minutes=61)

    with in_tenant("alpha"):
        early = escalation_check(now=timezone.now() + timedelta(minutes=59))
        fired = escalation_check(now=later)
        again = escalation_check(now=later + timedelta(minutes=5))
        delivery = Delivery.objects.get(event_type="case.escalated")

    assert early == [] and again == []
    assert len(fired) == 1
    assert fired[0]["condition"] == "no_statement" and fired[0]["notify_people"] == ["boss@alpha.example"]
    assert delivery.payload["data"]["notify_roles"] == ["commander"]
    assert delivery.title == f"[Severity I] Case #{case['id']} 泄露: escalation, no statement has been published"


def test_an_escalation_rule_stays_quiet_once_its_condition_is_met(alpha):
    api = admin(alpha)
    create(api)
    case = api.post(CASES, {"title": "泄露", "scenario": "data_leak", "severity": "I"}).json()
    with in_tenant("alpha"):
        CrisisCase.objects.filter(pk=case["id"]).update(first_statement_at=timezone.now())
        fired = escalation_check(now=timezone.now() + timedelta(hours=2))

        assert fired == []
        assert not CaseEvent.objects.filter(kind="escalated").exists()


def test_escalations_stay_in_their_tenant(alpha, beta):
    create(admin(alpha))
    admin(alpha).post(CASES, {"title": "泄露", "scenario": "data_leak", "severity": "I"})

    with in_tenant("beta"):
        assert escalation_check(now=timezone.now() + timedelta(hours=2)) == []
    with in_tenant("alpha"):
        assert len(escalation_check(now=timezone.now() + timedelta(hours=2))) == 1


def test_the_case_shows_its_playbooks_and_statements_through_both_faces(alpha):
    api = admin(alpha)
    create(api)
    case = api.post(CASES, {"title": "泄露", "scenario": "data_leak", "severity": "I"}).json()

    graphql = api.graphql(
        f"{{ case(id: {case['id']}) {{ playbooks {{ edges {{ node {{ name version activatedBy }} }} }} "
        "statements { edges { node { title status } } } } }"
    ).json()["data"]["case"]

    assert [(p["name"], p["version"], p["activated_by"]) for p in case["playbooks"]] == [("Data leak I", 1, "system")]
    assert {name: nodes(connection) for name, connection in graphql.items()} == {
        "playbooks": [{"name": "Data leak I", "version": 1, "activatedBy": "system"}],
        "statements": [{"title": "First response", "status": "DRAFT"}],
    }
