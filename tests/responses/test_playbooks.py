"""Playbooks (預案): versioned templates per scenario and severity; activating one on a case creates its tasks."""

from datetime import datetime, timedelta

import pytest
from django_tenants.utils import tenant_context

from responses.models import CaseEvent, CaseMember, CaseTask, Playbook, PlaybookActivation, PlaybookVersion
from responses.playbooks.selectors import playbook_match
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

PLAYBOOKS = "/api/v1/playbooks"
HOLDING = {
    "title": "Holding statement",
    "role": "communications",
    "due_minutes": 30,
    "priority": "critical",
    "checklist": ["Facts confirmed", "Legal review"],
}
VERIFY = {"title": "Verify the facts", "role": "analysis", "due_minutes": 120}
CONTENT = {
    "tasks": [HOLDING, VERIFY],
    "statements": [
        {
            "title": "First response",
            "body": "我们已关注到相关情况，正在核实。",
            "channels": ["weibo"],
            "required_approvals": ["legal", "commander"],
        }
    ],
    "contacts": [{"name": "王律师", "organisation": "Law firm", "email": "wang@law.example"}],
    "escalation": [{"after_minutes": 60, "condition": "no_statement", "notify_roles": ["commander"]}],
}


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def create(api: Api, name: str = "Data leak I", **fields) -> dict:
    body = {"name": name, "scenario": "data_leak", "severities": ["I"], "content": CONTENT} | fields
    response = api.post(PLAYBOOKS, body)
    assert response.status_code == 201, response.content
    return response.json()


def open_case(api: Api, **fields) -> dict:
    """A case that does not run its matching playbook by itself, so the tests activate explicitly."""
    body = {"title": "泄露事件", "scenario": "data_leak", "severity": "I", "activate_playbook": False}
    return api.post("/api/v1/cases", body | fields).json()


def counts(slug: str) -> dict[str, int]:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return {
            model.__name__: model.objects.count()
            for model in (Playbook, PlaybookVersion, PlaybookActivation, CaseTask, CaseEvent)
        }


def test_created_as_version_1_and_only_new_content_adds_a_version(alpha):
    api = admin(alpha)
    playbook = create(api)
    url = f"{PLAYBOOKS}/{playbook['id']}"
    longer = CONTENT | {"tasks": [HOLDING | {"due_minutes": 45}, VERIFY]}

    edited = api.patch(url, {"content": longer, "change_note": "More time for the statement"}).json()
    unchanged = api.patch(url, {"content": longer, "description": "Same tasks"}).json()
    versions = api.get(f"{url}/versions").json()["results"]

    assert playbook["current_version"] == 1
    assert playbook["content"]["tasks"][1] == {
        "title": "Verify the facts",
        "description": "",
        "role": "analysis",
        "due_minutes": 120,
        "priority": "normal",
        "checklist": [],
    }
    assert edited["current_version"] == 2 and edited["content"]["tasks"][0]["due_minutes"] == 45
    assert unchanged["current_version"] == 2 and unchanged["description"] == "Same tasks"
    assert [(v["number"], v["change_note"]) for v in versions] == [(1, ""), (2, "More time for the statement")]
    assert versions[0]["content"]["tasks"][0]["due_minutes"] == 30


def test_diff_shows_an_added_task_and_a_changed_due_time(alpha):
    api = admin(alpha)
    playbook = create(api)
    added = {"title": "Brief customer care", "role": "customer_care", "due_minutes": 60, "priority": "high"}
    api.patch(
        f"{PLAYBOOKS}/{playbook['id']}",
        {"content": CONTENT | {"tasks": [HOLDING | {"due_minutes": 15}, VERIFY, added]}},
    )

    diff = api.get(f"{PLAYBOOKS}/{playbook['id']}/diff?from=1&to=2").json()

    assert diff["from_version"] == 1 and diff["to_version"] == 2
    assert diff["sections"]["tasks"] == {
        "added": [added | {"description": "", "checklist": []}],
        "removed": [],
        "changed": [{"key": "Holding statement", "fields": {"due_minutes": {"old": 30, "new": 15}}}],
    }
    assert diff["sections"]["statements"] == {"added": [], "removed": [], "changed": []}
    assert '-      "due_minutes": 30,' in diff["text"] and '+      "due_minutes": 15,' in diff["text"]
    assert diff["text"].startswith("--- v1\n+++ v2\n")
    missing = api.get(f"{PLAYBOOKS}/{playbook['id']}/diff?from=1&to=9")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "to"


def test_clone_copies_a_version_under_a_new_name(alpha):
    api = admin(alpha)
    playbook = create(api)
    api.patch(f"{PLAYBOOKS}/{playbook['id']}", {"content": {"tasks": [VERIFY]}})

    clone = api.post(f"{PLAYBOOKS}/{playbook['id']}/clone", {"name": "Data leak II", "version": 1})
    taken = api.post(f"{PLAYBOOKS}/{playbook['id']}/clone", {"name": "Data leak I"})

    assert clone.status_code == 201
    body = clone.json()
    assert body["name"] == "Data leak II" and body["id"] != playbook["id"] and body["current_version"] == 1
    assert body["content"] == playbook["content"] and body["scenario"] == "data_leak"
    assert (
        api.get(f"{PLAYBOOKS}/{body['id']}/versions").json()["results"][0]["change_note"]
        == "Cloned from 'Data leak I' v1"
    )
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "name"


def test_activation_creates_the_tasks_due_relative_to_it_and_one_timeline_event(alpha):
    api = admin(alpha)
    playbook = create(api)
    case = open_case(api)

    response = api.post(f"{PLAYBOOKS}/{playbook['id']}/activate", {"case_id": case["id"]})

    assert response.status_code == 201, response.content
    activation, tasks = response.json()["activation"], response.json()["tasks"]
    activated_at = datetime.fromisoformat(activation["activated_at"])
    assert activation["case"] == case["id"] and activation["version"] == 1
    assert [(t["title"], t["assignee_role"], t["priority"], t["status"]) for t in tasks] == [
        ("Holding statement", "communications", "critical", "open"),
        ("Verify the facts", "analysis", "normal", "open"),
    ]
    assert [datetime.fromisoformat(t["due_at"]) - activated_at for t in tasks] == [
        timedelta(minutes=30),
        timedelta(minutes=120),
    ]
    assert tasks[0]["checklist"] == [
        {"item": "Facts confirmed", "done": False},
        {"item": "Legal review", "done": False},
    ]
    events = [
        e
        for e in api.get(f"/api/v1/cases/{case['id']}/timeline").json()["results"]
        if e["kind"] == "playbook_activated"
    ]
    assert len(events) == 1
    assert events[0]["data"] == {
        "playbook_id": playbook["id"],
        "playbook_name": "Data leak I",
        "version": 1,
        "task_ids": [t["id"] for t in tasks],
    }


def test_activating_twice_is_409_and_writes_nothing(alpha):
    api = admin(alpha)
    playbook = create(api)
    case = open_case(api)
    api.post(f"{PLAYBOOKS}/{playbook['id']}/activate", {"case_id": case["id"]})
    before = counts("alpha")

    again = api.post(f"{PLAYBOOKS}/{playbook['id']}/activate", {"case_id": case["id"]})

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_activated"
    assert counts("alpha") == before


def test_activating_on_a_closed_case_is_409(alpha):
    api = admin(alpha)
    playbook = create(api)
    case = open_case(api)
    api.post(f"/api/v1/cases/{case['id']}/transition", {"transition": "assess"})
    api.post(f"/api/v1/cases/{case['id']}/transition", {"transition": "resolve"})

    response = api.post(f"{PLAYBOOKS}/{playbook['id']}/activate", {"case_id": case["id"]})

    assert response.status_code == 409 and response.json()["error"]["code"] == "case_closed"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({"tasks": [VERIFY, VERIFY | {"title": "Call", "role": "boss"}]}, "content.tasks.1.role"),
        (
            {"tasks": [VERIFY, VERIFY | {"title": "Call"}, VERIFY | {"title": "Late", "due_minutes": -5}]},
            "content.tasks.2.due_minutes",
        ),
        ({"tasks": [VERIFY | {"due_minutes": 60 * 24 * 31}]}, "content.tasks.0.due_minutes"),
        ({"tasks": [VERIFY | {"priority": "urgent"}]}, "content.tasks.0.priority"),
        ({"tasks": [VERIFY | {"due_minute": 5}]}, "content.tasks.0.due_minute"),
        ({"tasks": [VERIFY, VERIFY]}, "content.tasks.1.title"),
        (
            {"statements": [{"title": "s", "body": "b", "required_approvals": ["ceo"]}]},
            "content.statements.0.required_approvals.0",
        ),
        ({"contacts": [{"name": "x", "email": "not-mail"}]}, "content.contacts.0.email"),
        ({"escalation": [{"after_minutes": 10, "condition": "moon_phase"}]}, "content.escalation.0.condition"),
        ({"tasks": [VERIFY] * 101}, "content.tasks"),
        ({"playbook": []}, "content.playbook"),
    ],
)
def test_invalid_content_is_400_naming_the_path_and_writes_nothing(alpha, content, field):
    api = admin(alpha)
    before = counts("alpha")

    response = api.post(PLAYBOOKS, {"name": "Bad", "scenario": "data_leak", "content": content})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert counts("alpha") == before


def test_invalid_content_on_update_adds_no_version(alpha):
    api = admin(alpha)
    playbook = create(api)

    response = api.patch(f"{PLAYBOOKS}/{playbook['id']}", {"content": {"tasks": [VERIFY | {"due_minutes": "soon"}]}})

    assert response.status_code == 400 and response.json()["error"]["field"] == "content.tasks.0.due_minutes"
    assert api.get(f"{PLAYBOOKS}/{playbook['id']}").json()["current_version"] == 1


@pytest.mark.parametrize(
    ("body", "field"), [({"scenario": "alien_invasion"}, "scenario"), ({"severities": ["V"]}, "severities")]
)
def test_unknown_enum_values_are_400(alpha, body, field):
    response = admin(alpha).post(PLAYBOOKS, {"name": "x", "scenario": "data_leak"} | body)

    assert response.status_code == 400 and response.json()["error"]["field"].startswith(field)
    assert counts("alpha")["Playbook"] == 0


@pytest.mark.parametrize("role", ["analyst", "responder"])
def test_only_admins_manage_playbooks_and_nothing_is_written(alpha, make_key, role):
    playbook = create(admin(alpha))
    _key, raw = make_key("alpha", role)
    api = Api("alpha", auth=key_auth(raw))
    before = counts("alpha")

    attempts = [
        api.post(PLAYBOOKS, {"name": "Mine", "scenario": "other"}),
        api.patch(f"{PLAYBOOKS}/{playbook['id']}", {"content": {"tasks": [VERIFY]}}),
        api.post(f"{PLAYBOOKS}/{playbook['id']}/clone", {"name": "Copy"}),
        api.request("delete", f"{PLAYBOOKS}/{playbook['id']}"),
    ]

    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    assert attempts[0].json()["error"]["code"] == "permission_denied"
    assert api.get(f"{PLAYBOOKS}/{playbook['id']}").status_code == 200
    assert counts("alpha") == before


def test_a_case_commander_activates_though_a_plain_responder_may_not(alpha, make_user, login):
    api = admin(alpha)
    playbook = create(api)
    case = open_case(api)
    commander = make_user("alpha", "responder", "commander@alpha.example")
    make_user("alpha", "responder", "helper@alpha.example")
    with tenant_context(Tenant.objects.get(slug="alpha")):
        CaseMember.objects.create(case_id=case["id"], user=commander, role="commander")
    url = f"{PLAYBOOKS}/{playbook['id']}/activate"
    before = counts("alpha")

    denied = Api("alpha", auth=login("alpha", "helper@alpha.example")).post(url, {"case_id": case["id"]})
    after_denied = counts("alpha")
    allowed = Api("alpha", auth=login("alpha", "commander@alpha.example")).post(url, {"case_id": case["id"]})

    assert denied.status_code == 403 and after_denied == before
    assert allowed.status_code == 201 and len(allowed.json()["tasks"]) == 2


def test_deleting_an_activated_playbook_archives_it_and_the_case_keeps_its_record(alpha):
    api = admin(alpha)
    used, unused = create(api), create(api, "Spare")
    case = open_case(api)
    api.post(f"{PLAYBOOKS}/{used['id']}/activate", {"case_id": case["id"]})

    archived = api.request("delete", f"{PLAYBOOKS}/{used['id']}")
    deleted = api.request("delete", f"{PLAYBOOKS}/{unused['id']}")
    again = api.post(f"{PLAYBOOKS}/{used['id']}/activate", {"case_id": open_case(api)["id"]})
    edited = api.patch(f"{PLAYBOOKS}/{used['id']}", {"description": "late edit"})

    assert archived.status_code == 204 and deleted.status_code == 204
    assert api.get(PLAYBOOKS).json()["results"] == []
    assert {p["name"] for p in api.get(f"{PLAYBOOKS}?archived=true").json()["results"]} == {"Data leak I", "Spare"}
    kept = api.get(f"{PLAYBOOKS}/{used['id']}").json()
    assert kept["archived_at"] is not None and kept["content"]["tasks"]
    assert again.status_code == 409 and again.json()["error"]["code"] == "archived"
    assert edited.status_code == 409 and edited.json()["error"]["code"] == "archived"
    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert PlaybookActivation.objects.filter(case_id=case["id"], playbook_id=used["id"]).exists()
        assert playbook_match(scenario="data_leak", severity="I") is None


def test_match_and_filters_prefer_the_severity_specific_playbook(alpha):
    api = admin(alpha)
    create(api, "Any leak", severities=[])
    specific = create(api, "Severe leak", severities=["I", "II"])
    retired = create(api, "Old leak", severities=["I"])
    api.patch(f"{PLAYBOOKS}/{retired['id']}", {"is_active": False})

    listed = api.get(f"{PLAYBOOKS}?scenario=data_leak&severity=III&is_active=true").json()["results"]
    inactive = api.post(f"{PLAYBOOKS}/{retired['id']}/activate", {"case_id": open_case(api)["id"]})
    with tenant_context(Tenant.objects.get(slug="alpha")):
        severe, mild, other = (
            playbook_match(scenario="data_leak", severity="II"),
            playbook_match(scenario="data_leak", severity="IV"),
            playbook_match(scenario="service_failure", severity="I"),
        )

    assert severe is not None and severe.pk == specific["id"]
    assert mild is not None and mild.name == "Any leak"
    assert other is None
    assert [p["name"] for p in listed] == ["Any leak"]
    assert inactive.status_code == 409 and inactive.json()["error"]["code"] == "playbook_inactive"


def test_graphql_create_activate_and_diff(alpha):
    api = admin(alpha)
    case = open_case(api)
    created = api.graphql(
        'mutation($content: JSON) { createPlaybook(name: "GQL", scenario: DATA_LEAK, severities: [I], '
        "content: $content) { id currentVersion content } }",
        {"content": {"tasks": [VERIFY]}},
    ).json()["data"]["createPlaybook"]
    pid = created["id"]
    updated = api.graphql(
        "mutation($id: Int!, $content: JSON) { updatePlaybook(id: $id, content: $content) { currentVersion } }",
        {"id": int(pid), "content": {"tasks": [VERIFY | {"due_minutes": 90}]}},
    ).json()["data"]["updatePlaybook"]
    diff = api.graphql(f"{{ playbookDiff(id: {pid}, fromVersion: 1, toVersion: 2) }}").json()["data"]["playbookDiff"]
    activated = api.graphql(
        f"mutation {{ activatePlaybook(caseId: {case['id']}, playbookId: {pid}) "
        "{ version tasks { title assigneeRole dueAt } } }"
    ).json()["data"]["activatePlaybook"]
    read = api.graphql(
        f"{{ playbook(id: {pid}) {{ scenario severities versions {{ edges {{ node {{ number }} }} }} }} }}"
    ).json()["data"]["playbook"]
    listed = nodes(
        api.graphql("{ playbooks(scenario: DATA_LEAK, severity: I) { edges { node { id } } } }").json()["data"][
            "playbooks"
        ]
    )

    assert created["currentVersion"] == 1 and created["content"]["tasks"][0]["due_minutes"] == 120
    assert updated == {"currentVersion": 2}
    assert diff["sections"]["tasks"]["changed"] == [
        {"key": "Verify the facts", "fields": {"due_minutes": {"old": 120, "new": 90}}}
    ]
    assert activated["version"] == 2 and activated["tasks"][0]["assigneeRole"] == "ANALYSIS"
    assert {**read, "versions": nodes(read["versions"])} == {
        "scenario": "DATA_LEAK",
        "severities": ["I"],
        "versions": [{"number": 1}, {"number": 2}],
    }
    assert listed == [{"id": pid}]


def test_playbooks_are_per_tenant(alpha, beta):
    playbook = create(admin(alpha))
    beta_case = open_case(admin(beta))
    before = counts("beta")

    seen = admin(beta).get(f"{PLAYBOOKS}/{playbook['id']}")
    activated = admin(beta).post(f"{PLAYBOOKS}/{playbook['id']}/activate", {"case_id": beta_case["id"]})
    listed = nodes(admin(beta).graphql("{ playbooks { edges { node { id } } } }").json()["data"]["playbooks"])

    assert seen.status_code == 404
    assert activated.status_code == 404 and activated.json()["error"]["field"] == "playbook_id"
    assert listed == []
    assert counts("beta") == before
