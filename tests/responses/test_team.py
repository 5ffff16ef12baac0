"""The case team: case roles held per case, what they allow beyond the tenant role, tasks for a role."""

from django_tenants.utils import tenant_context

from responses.models import CaseEvent, CaseMember, CaseTask, CrisisCase
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

CASES = "/api/v1/cases"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def open_case(api: Api) -> dict:
    response = api.post(CASES, {"title": "Data leak rumour", "scenario": "data_leak", "severity": "II"})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_responder_made_commander_steers_that_case_only(alpha, make_user, login):
    api = admin(alpha)
    mine, other = open_case(api), open_case(api)
    user = make_user("alpha", "responder", "cmd@alpha.example")
    added = api.post(f"{CASES}/{mine['id']}/members", {"user_id": user.pk, "role": "commander"})
    commander = Api("alpha", auth=login("alpha", "cmd@alpha.example"))

    steered = commander.post(f"{CASES}/{mine['id']}/transition", {"transition": "respond"})
    refused = commander.post(f"{CASES}/{other['id']}/transition", {"transition": "respond"})

    assert added.status_code == 201 and added.json()["email"] == "cmd@alpha.example"
    assert steered.status_code == 200 and steered.json()["status"] == "responding"
    assert refused.status_code == 403
    assert "commander" in refused.json()["error"]["message"]
    with in_tenant("alpha"):
        assert CrisisCase.objects.get(pk=other["id"]).status == "detected"
        assert CaseEvent.objects.filter(case_id=other["id"]).count() == 1


def test_staffing_is_listed_on_the_timeline_and_removable(alpha, make_user):
    api = admin(alpha)
    case = open_case(api)
    legal = make_user("alpha", "responder", "legal@alpha.example")
    member = api.post(f"{CASES}/{case['id']}/members", {"user_id": legal.pk, "role": "legal"}).json()
    twice = api.post(f"{CASES}/{case['id']}/members", {"user_id": legal.pk, "role": "legal"})

    team = api.get(f"{CASES}/{case['id']}/members").json()["results"]
    removed = api.delete(f"{CASES}/{case['id']}/members/{member['id']}")
    after = api.get(f"{CASES}/{case['id']}/members").json()["results"]
    kinds = [e["kind"] for e in api.get(f"{CASES}/{case['id']}/timeline").json()["results"]]

    assert [(m["email"], m["role"]) for m in team] == [("legal@alpha.example", "legal")]
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_member"
    assert removed.status_code == 204 and after == []
    assert kinds == ["opened", "member_added", "member_removed"]


def test_bad_member_input_is_400_naming_the_field_and_writes_nothing(alpha, make_user):
    api = admin(alpha)
    case = open_case(api)
    user = make_user("alpha", "analyst", "ana@alpha.example")

    unknown_role = api.post(f"{CASES}/{case['id']}/members", {"user_id": user.pk, "role": "spokesperson"})
    unknown_user = api.post(f"{CASES}/{case['id']}/members", {"user_id": 999_999, "role": "analysis"})

    assert unknown_role.status_code == 400 and unknown_role.json()["error"]["field"] == "role"
    assert unknown_user.status_code == 400 and unknown_user.json()["error"]["field"] == "user_id"
    with in_tenant("alpha"):
        assert CaseMember.objects.count() == 0


def test_responder_without_a_case_role_cannot_staff_a_case(alpha, make_user, login):
    api = admin(alpha)
    case = open_case(api)
    user = make_user("alpha", "responder", "r@alpha.example")
    responder = Api("alpha", auth=login("alpha", "r@alpha.example"))

    response = responder.post(f"{CASES}/{case['id']}/members", {"user_id": user.pk, "role": "commander"})

    assert response.status_code == 403
    with in_tenant("alpha"):
        assert CaseMember.objects.count() == 0


def test_a_task_for_a_role_reaches_whoever_holds_it(alpha, make_user, login):
    api = admin(alpha)
    case = open_case(api)
    care = make_user("alpha", "viewer", "care@alpha.example")
    make_user("alpha", "viewer", "out@alpha.example")
    api.post(f"{CASES}/{case['id']}/members", {"user_id": care.pk, "role": "customer_care"})
    task = api.post(
        f"{CASES}/{case['id']}/tasks",
        {"title": "Call back affected users", "assignee_role": "customer_care", "checklist": ["list", "call"]},
    ).json()
    agent = Api("alpha", auth=login("alpha", "care@alpha.example"))
    stranger = Api("alpha", auth=login("alpha", "out@alpha.example"))

    mine = agent.get("/api/v1/tasks").json()["results"]
    worked = agent.patch(f"/api/v1/tasks/{task['id']}", {"status": "done"})
    refused = stranger.patch(f"/api/v1/tasks/{task['id']}", {"status": "cancelled"})

    assert [t["title"] for t in mine] == ["Call back affected users"]
    assert task["checklist"] == [{"item": "list", "done": False}, {"item": "call", "done": False}]
    assert stranger.get("/api/v1/tasks").json()["results"] == []
    assert worked.status_code == 200 and worked.json()["status"] == "done"
    assert refused.status_code == 403
    with in_tenant("alpha"):
        assert CaseTask.objects.get().status == "done"


def test_a_viewer_made_commander_steers_the_case_in_both_faces(alpha, make_user, login):
    api = admin(alpha)
    case, other = open_case(api), open_case(api)
    user = make_user("alpha", "viewer", "vcmd@alpha.example")
    api.post(f"{CASES}/{case['id']}/members", {"user_id": user.pk, "role": "commander"})
    commander = Api("alpha", auth=login("alpha", "vcmd@alpha.example"))
    move = "mutation($id: Int!, $t: CaseTransition!) { transitionCase(id: $id, transition: $t) { status } }"

    by_rest = commander.post(f"{CASES}/{case['id']}/transition", {"transition": "respond"})
    by_graphql = commander.graphql(move, {"id": case["id"], "t": "RECOVER"})
    elsewhere_rest = commander.post(f"{CASES}/{other['id']}/transition", {"transition": "respond"})
    elsewhere_graphql = commander.graphql(move, {"id": other["id"], "t": "RESPOND"})

    assert by_rest.status_code == 200 and by_rest.json()["status"] == "responding"
    assert by_graphql.json() == {"data": {"transitionCase": {"status": "RECOVERING"}}}
    assert elsewhere_rest.status_code == 403 and elsewhere_rest.json()["error"]["code"] == "permission_denied"
    assert elsewhere_graphql.json()["errors"][0]["extensions"] == elsewhere_rest.json()["error"]
    with in_tenant("alpha"):
        assert CrisisCase.objects.get(pk=other["id"]).status == "detected"
        assert CaseEvent.objects.filter(case_id=other["id"]).count() == 1


def test_a_viewer_on_the_team_adds_notes_and_works_only_the_tasks_assigned_to_them(alpha, make_user, login):
    api = admin(alpha)
    case = open_case(api)
    user = make_user("alpha", "viewer", "watch@alpha.example")
    api.post(f"{CASES}/{case['id']}/members", {"user_id": user.pk, "role": "monitoring"})
    theirs = api.post(f"{CASES}/{case['id']}/tasks", {"title": "Watch Weibo", "assignee_id": user.pk}).json()
    others = api.post(f"{CASES}/{case['id']}/tasks", {"title": "Brief legal", "assignee_role": "legal"}).json()
    watcher = Api("alpha", auth=login("alpha", "watch@alpha.example"))

    note = watcher.post(f"{CASES}/{case['id']}/notes", {"text": "Volume doubled in an hour"})
    worked = watcher.patch(f"/api/v1/tasks/{theirs['id']}", {"status": "in_progress"})
    refused = watcher.patch(f"/api/v1/tasks/{others['id']}", {"status": "done"})
    staffing = watcher.post(f"{CASES}/{case['id']}/members", {"user_id": user.pk, "role": "commander"})

    assert note.status_code == 201 and note.json()["actor"] == "watch@alpha.example"
    assert worked.status_code == 200 and worked.json()["status"] == "in_progress"
    assert refused.status_code == 403 and "legal" in refused.json()["error"]["message"]
    assert staffing.status_code == 403
    with in_tenant("alpha"):
        assert CaseTask.objects.get(pk=others["id"]).status == "open"
        assert list(CaseMember.objects.values_list("role", flat=True)) == ["monitoring"]


def test_bad_task_role_and_checklist_are_400_naming_the_field(alpha):
    api = admin(alpha)
    case = open_case(api)

    role = api.post(f"{CASES}/{case['id']}/tasks", {"title": "x", "assignee_role": "janitor"})
    checklist = api.post(f"{CASES}/{case['id']}/tasks", {"title": "x", "checklist": [{"item": ""}]})

    assert role.status_code == 400 and role.json()["error"]["field"] == "assignee_role"
    assert checklist.status_code == 400 and checklist.json()["error"]["field"] == "checklist.0.item"
    with in_tenant("alpha"):
        assert CaseTask.objects.count() == 0


def test_graphql_team(alpha, make_user):
    api = admin(alpha)
    case = open_case(api)
    user = make_user("alpha", "responder", "comms@alpha.example")

    added = api.graphql(
        f"mutation {{ addCaseMember(caseId: {case['id']}, userId: {user.pk}, role: COMMUNICATIONS) "
        "{ id role email } }"
    ).json()["data"]["addCaseMember"]
    read = api.graphql(f"{{ case(id: {case['id']}) {{ members {{ edges {{ node {{ email role }} }} }} }} }}").json()[
        "data"
    ]["case"]
    removed = api.graphql(f"mutation {{ removeCaseMember(caseId: {case['id']}, memberId: {added['id']}) }}").json()

    assert added["role"] == "COMMUNICATIONS"
    assert nodes(read["members"]) == [{"email": "comms@alpha.example", "role": "COMMUNICATIONS"}]
    assert removed["data"]["removeCaseMember"] is True


def test_case_teams_are_per_tenant(alpha, beta, make_user):
    case = open_case(admin(alpha))
    user = make_user("beta", "responder", "b@beta.example")

    read = admin(beta).get(f"{CASES}/{case['id']}/members")
    write = admin(beta).post(f"{CASES}/{case['id']}/members", {"user_id": user.pk, "role": "legal"})

    assert read.status_code == 404 and write.status_code == 404
    with in_tenant("alpha"):
        assert CaseMember.objects.count() == 0
