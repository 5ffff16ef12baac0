"""Crisis cases: opening by hand and from alerts, the lifecycle with its permissions, the timeline, isolation."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Alert, WarningPolicy
from monitoring.warning.engine import evaluate
from responses.models import CaseEvent, CrisisCase
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

CASES = "/api/v1/cases"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def open_case(api: Api, **fields) -> dict:
    response = api.post(CASES, {"title": "Battery fires", "scenario": "product_quality", "severity": "II", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def test_full_lifecycle_is_timestamped_and_on_the_timeline(alpha):
    api = admin(alpha)
    case = open_case(api)

    for transition in ("assess", "respond", "recover", "resolve", "review"):
        response = api.post(f"{CASES}/{case['id']}/transition", {"transition": transition, "note": transition})
        assert response.status_code == 200, response.content
    final = api.get(f"{CASES}/{case['id']}").json()
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]

    assert final["status"] == "reviewed"
    assert all(final[f"{s}_at"] for s in ("assessing", "responding", "recovering", "resolved", "reviewed"))
    # The review writes the final review report in its transaction.
    # The resolution starts the post-crisis watch (tests/responses/test_case_watch.py).
    kinds = ["opened", *["transition"] * 4, "watch_started", "transition", "report_generated"]
    assert [e["kind"] for e in timeline] == kinds
    assert [e["summary"] for e in timeline[1:] if e["kind"] != "watch_started"] == [
        "detected → assessing: assess",
        "assessing → responding: respond",
        "responding → recovering: recover",
        "recovering → resolved: resolve",
        "resolved → reviewed: review",
        "Review report v1 generated (final)",
    ]


def test_invalid_transition_is_409_and_changes_nothing(alpha):
    api = admin(alpha)
    case = open_case(api)

    response = api.post(f"{CASES}/{case['id']}/transition", {"transition": "review"})
    unknown = api.post(f"{CASES}/{case['id']}/transition", {"transition": "explode"})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "invalid_transition",
        "field": "transition",
        "message": "A case in 'detected' cannot 'review'; allowed: assess, respond.",
    }
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "transition"
    with in_tenant("alpha"):
        assert CrisisCase.objects.get().status == "detected"
        assert CaseEvent.objects.count() == 1


def test_responder_works_cases_but_cannot_command_and_nothing_is_written(alpha, make_key):
    api = admin(alpha)
    case = open_case(api)
    _key, raw = make_key("alpha", "responder")
    responder = Api("alpha", auth=key_auth(raw))

    assessed = responder.post(f"{CASES}/{case['id']}/transition", {"transition": "assess"})
    denied = responder.post(f"{CASES}/{case['id']}/transition", {"transition": "resolve"})
    noted = responder.post(f"{CASES}/{case['id']}/notes", {"text": "Called the customer back"})

    assert assessed.status_code == 200
    assert denied.status_code == 403
    assert noted.status_code == 201
    with in_tenant("alpha"):
        assert CrisisCase.objects.get().status == "assessing"
        assert list(CaseEvent.objects.values_list("kind", flat=True)) == ["opened", "transition", "note"]


def test_viewer_reads_but_cannot_open_a_case(alpha, make_key):
    _key, raw = make_key("alpha", "viewer")
    viewer = Api("alpha", auth=key_auth(raw))

    assert viewer.get(CASES).status_code == 200
    assert viewer.post(CASES, {"title": "x"}).status_code == 403
    with in_tenant("alpha"):
        assert not CrisisCase.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x", "severity": "V"}, "severity"),
        ({"title": "x", "scenario": "alien invasion"}, "scenario"),
        ({"title": "x", "brand_ids": [999999]}, "brand_ids"),
    ],
)
def test_bad_case_input_is_400_naming_the_field(alpha, body, field):
    response = admin(alpha).post(CASES, body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    with in_tenant("alpha"):
        assert not CrisisCase.objects.exists()


def test_promoting_an_alert_opens_a_case_with_suggested_severity(alpha, item):
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    api.post(
        "/api/v1/warning-policies",
        {
            "name": "volume",
            "indicators": [{"type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
            "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
        },
    )
    now = timezone.now()
    api.post("/api/v1/mentions/batch", {"mentions": [item(published_at=now.isoformat()) for _ in range(9)]})
    with in_tenant("alpha"):
        evaluate(now=now)
        alert_id = Alert.objects.get().pk

    promoted = api.post(f"/api/v1/alerts/{alert_id}/promote", {"scenario": "safety_accident"})
    again = api.graphql(f"mutation {{ promoteAlert(alertId: {alert_id}) {{ id }} }}")

    case = promoted.json()
    assert promoted.status_code == 201
    assert (case["severity"], case["scenario"], case["opened_from_alert"]) == ("I", "safety_accident", alert_id)
    assert case["alert_ids"] == [alert_id]
    assert again.json()["errors"][0]["extensions"]["code"] == "already_promoted"
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]
    assert [e["kind"] for e in timeline] == ["opened", "alert_linked"]


def test_timeline_exports_as_csv(alpha):
    api = admin(alpha)
    case = open_case(api)
    api.post(f"{CASES}/{case['id']}/notes", {"text": "首份声明已提交法务审核"})

    response = api.get(f"{CASES}/{case['id']}/timeline?export=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeffat,kind".encode()), "a BOM, so Excel opens the Chinese as UTF-8"
    assert [r["kind"] for r in rows] == ["opened", "note"]
    assert rows[1]["summary"] == "首份声明已提交法务审核" and rows[1]["actor"] == "default"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", r["at"]) for r in rows)


def test_graphql_cases(alpha):
    api = admin(alpha)

    created = api.graphql(
        'mutation { createCase(input: {title: "Data leak rumour", scenario: DATA_LEAK, '
        "severity: III, isDrill: true}) { id status isDrill } }"
    ).json()["data"]["createCase"]
    moved = api.graphql(
        f"mutation {{ transitionCase(id: {created['id']}, transition: RESPOND) "
        "{ status timeline { edges { node { kind summary } } } } }"
    ).json()["data"]["transitionCase"]
    listed = nodes(api.graphql("{ cases(status: [RESPONDING]) { edges { node { id } } } }").json()["data"]["cases"])

    assert created["status"] == "DETECTED" and created["isDrill"] is True
    assert moved["status"] == "RESPONDING"
    assert nodes(moved["timeline"])[-1] == {"kind": "transition", "summary": "detected → responding"}
    assert listed == [{"id": created["id"]}]


def test_cases_are_per_tenant(alpha, beta):
    case = open_case(admin(alpha))

    assert admin(beta).get(CASES).json()["results"] == []
    assert admin(beta).get(f"{CASES}/{case['id']}").status_code == 404
    assert admin(beta).post(f"{CASES}/{case['id']}/transition", {"transition": "assess"}).status_code == 404
    assert admin(beta).graphql("{ cases { edges { node { id } } } }").json()["data"]["cases"]["edges"] == []


def test_critical_open_tasks_block_resolution_unless_overridden(alpha, make_user):
    api = admin(alpha)
    case = open_case(api)
    api.post(f"{CASES}/{case['id']}/transition", {"transition": "respond"})
    task = api.post(f"{CASES}/{case['id']}/tasks", {"title": "Holding statement", "priority": "critical"}).json()

    blocked = api.post(f"{CASES}/{case['id']}/transition", {"transition": "resolve"})
    forced = api.post(
        f"{CASES}/{case['id']}/transition", {"transition": "resolve", "override_reason": "statement published by HQ"}
    )

    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "open_critical_tasks"
    assert f"#{task['id']} Holding statement" in blocked.json()["error"]["message"]
    assert forced.status_code == 200 and forced.json()["status"] == "resolved"
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]
    assert timeline[-2]["summary"] == "responding → resolved: (override: statement published by HQ)"


def test_done_critical_tasks_let_the_case_resolve_and_show_in_my_tasks(alpha, make_user, login):
    api = admin(alpha)
    user = make_user("alpha", "responder", "rui@alpha.example")
    case = open_case(api)
    api.post(f"{CASES}/{case['id']}/transition", {"transition": "respond"})
    task = api.post(
        f"{CASES}/{case['id']}/tasks",
        {"title": "Call the injured customer", "priority": "critical", "assignee_id": user.pk},
    ).json()
    rui = Api("alpha", auth=login("alpha", "rui@alpha.example"))

    mine = rui.get("/api/v1/tasks").json()["results"]
    done = rui.patch(f"/api/v1/tasks/{task['id']}", {"status": "done"})
    resolved = api.graphql(f"mutation {{ transitionCase(id: {case['id']}, transition: RESOLVE) {{ status }} }}")
    bad = rui.patch(f"/api/v1/tasks/{task['id']}", {"status": "sleeping"})

    assert [t["title"] for t in mine] == ["Call the injured customer"]
    assert done.json()["status"] == "done" and done.json()["completed_at"]
    assert resolved.json()["data"]["transitionCase"]["status"] == "RESOLVED"
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"
    assert rui.get("/api/v1/tasks").json()["results"] == []


def test_viewer_cannot_add_tasks_and_nothing_is_written(alpha, make_key):
    case = open_case(admin(alpha))
    _key, raw = make_key("alpha", "viewer")

    response = Api("alpha", auth=key_auth(raw)).post(f"{CASES}/{case['id']}/tasks", {"title": "x"})

    assert response.status_code == 403
    with in_tenant("alpha"):
        from responses.models import CaseTask

        assert not CaseTask.objects.exists()


def test_tasks_are_per_tenant(alpha, beta):
    case = open_case(admin(alpha))
    task = admin(alpha).post(f"{CASES}/{case['id']}/tasks", {"title": "Draft statement"}).json()

    assert admin(beta).get(f"{CASES}/{case['id']}/tasks").status_code == 404
    assert admin(beta).post(f"{CASES}/{case['id']}/tasks", {"title": "x"}).status_code == 404
    assert admin(beta).patch(f"/api/v1/tasks/{task['id']}", {"status": "done"}).status_code == 404
    assert admin(alpha).get(f"{CASES}/{case['id']}/tasks").json()["results"][0]["status"] == "open"


def test_graphql_updates_cases_and_tasks(alpha):
    api = admin(alpha)
    case = open_case(api)
    task = api.post(f"{CASES}/{case['id']}/tasks", {"title": "Draft"}).json()

    updated = api.graphql(
        f'mutation {{ updateCase(id: {case["id"]}, severity: I, topics: ["电池"]) {{ severity topics }} }}'
    ).json()["data"]["updateCase"]
    renamed = api.graphql(
        f'mutation {{ updateTask(id: {task["id"]}, title: "Draft the apology", status: IN_PROGRESS) '
        "{ title status } }"
    ).json()["data"]["updateTask"]
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]

    assert updated == {"severity": "I", "topics": ["电池"]}
    assert renamed == {"title": "Draft the apology", "status": "IN_PROGRESS"}
    assert [e["summary"] for e in timeline[-2:]] == [
        f"Task #{task['id']} Draft the apology: open → in_progress",
        f"Task #{task['id']} Draft the apology: title changed",
    ]


def test_more_alerts_brands_and_evidence_can_be_linked_later(alpha, item):
    api = admin(alpha)
    case = open_case(api)
    brand = api.post("/api/v1/brands", {"name": "星河", "expression": "服务"}).json()
    api.post("/api/v1/mentions/batch", {"mentions": [item(), item()]})
    mentions = [m["id"] for m in api.get("/api/v1/mentions").json()["results"]]

    linked = api.post(f"{CASES}/{case['id']}/links", {"brand_ids": [brand["id"]], "evidence_ids": mentions})
    again = api.graphql(
        f"mutation {{ linkToCase(id: {case['id']}, evidenceIds: {mentions}) {{ brandIds evidenceIds }} }}"
    ).json()["data"]["linkToCase"]
    unknown = api.post(f"{CASES}/{case['id']}/links", {"brand_ids": [brand["id"]], "evidence_ids": [987654]})
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]

    assert linked.status_code == 200
    assert linked.json()["brands"] == [brand["id"]] and sorted(linked.json()["evidence"]) == sorted(mentions)
    assert again["brandIds"] == [brand["id"]] and sorted(again["evidenceIds"]) == sorted(mentions)
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "evidence_ids"
    assert [e["kind"] for e in timeline].count("linked") == 1
    assert timeline[-1]["summary"] == "Linked 1 brand, 2 evidence"


def test_viewer_cannot_link_and_other_tenants_cannot_see_the_case(alpha, beta, make_key):
    case = open_case(admin(alpha))
    _key, raw = make_key("alpha", "viewer")

    viewer = Api("alpha", auth=key_auth(raw)).post(f"{CASES}/{case['id']}/links", {"alert_ids": []})
    other = admin(beta).post(f"{CASES}/{case['id']}/links", {"alert_ids": []})

    assert viewer.status_code == 403 and other.status_code == 404
    with in_tenant("alpha"):
        assert CaseEvent.objects.filter(kind="linked").count() == 0


def test_reassigning_a_task_is_on_the_timeline(alpha, make_user):
    api = admin(alpha)
    case = open_case(api)
    user = make_user("alpha", "responder", "re@alpha.example")
    task = api.post(f"{CASES}/{case['id']}/tasks", {"title": "Call the blogger"}).json()

    api.patch(f"/api/v1/tasks/{task['id']}", {"assignee_id": user.pk, "priority": "high"})

    event = api.get(f"{CASES}/{case['id']}/timeline").json()["results"][-1]
    assert event["kind"] == "task_updated"
    assert event["summary"] == f"Task #{task['id']} Call the blogger: assignee_id, priority changed"
    assert event["data"] == {"task_id": task["id"], "assignee_id": str(user.pk), "priority": "high"}


def test_listing_cases_costs_the_same_queries_for_a_full_page(alpha, item):
    api = admin(alpha)
    api.post("/api/v1/mentions/batch", {"mentions": [item()]})
    mention = api.get("/api/v1/mentions").json()["results"][0]["id"]

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(CASES).status_code == 200
        return len(queries)

    open_case(api, evidence_ids=[mention])
    few = cost()
    for _ in range(10):
        open_case(api, evidence_ids=[mention])

    assert cost() == few
