"""The review transition takes the lessons learned and the action items (each a task on the case), and every
transition refuses fields it does not know with a 400 naming them."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from responses.models import CaseTask, CrisisCase
from tests.conftest import Api, tenant_obj
from tests.responses.test_response_effects import admin

CASES = "/api/v1/cases"


def resolved_case(api: Api) -> int:
    case_id = api.post(CASES, {"title": "Battery fires", "activate_playbook": False}).json()["id"]
    for transition in ("assess", "resolve"):
        assert api.post(f"{CASES}/{case_id}/transition", {"transition": transition}).status_code == 200
    return case_id


def written(slug: str, case_id: int) -> tuple[str, dict, list[str]]:
    with tenant_context(tenant_obj(slug)):
        case = CrisisCase.objects.get(pk=case_id)
        return case.status, case.lessons, list(CaseTask.objects.filter(case=case).values_list("title", flat=True))


def test_a_review_stores_the_lessons_and_makes_each_action_item_a_task(alpha, make_user):
    api = admin(alpha)
    owner = make_user(alpha.slug, "responder", "review-owner@alpha.example")
    case_id = resolved_case(api)
    due = (timezone.now() + timedelta(days=14)).replace(microsecond=0)

    response = api.post(
        f"{CASES}/{case_id}/transition",
        {
            "transition": "review",
            "note": "Review meeting held.",
            "lessons": {
                "went_well": " Holding statement in 40 minutes. ",
                "root_cause": "A supplier's cells",
                "notes": "",
            },
            "action_items": [
                {"title": "Audit the supplier", "owner_id": owner.pk, "due_at": due.isoformat()},
                {"title": "Rewrite the recall playbook"},
            ],
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    lessons = {"went_well": "Holding statement in 40 minutes.", "root_cause": "A supplier's cells"}
    assert body["status"] == "reviewed" and body["lessons"] == lessons
    tasks = {t["title"]: t for t in api.get(f"{CASES}/{case_id}/tasks").json()["results"]}
    assert set(tasks) == {"Audit the supplier", "Rewrite the recall playbook"}
    audit = tasks["Audit the supplier"]
    assert (audit["assignee_id"], audit["status"], audit["description"]) == (
        owner.pk,
        "open",
        "Action item from the after-action review.",
    )
    assert audit["due_at"] == due.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    assert tasks["Rewrite the recall playbook"]["due_at"] is None
    timeline = api.get(f"{CASES}/{case_id}/timeline").json()["results"]
    review = next(e for e in timeline if e["kind"] == "transition" and e["data"]["transition"] == "review")
    assert review["data"]["lessons"] == lessons
    assert [e["kind"] for e in timeline[-3:]] == ["task_created", "task_created", "report_generated"]


def test_unknown_fields_are_400s_naming_them_and_write_nothing(alpha):
    api = admin(alpha)
    case_id = resolved_case(api)
    path = f"{CASES}/{case_id}/transition"

    refused = {
        "colour": {"transition": "review", "colour": "red"},
        "lessons.lesson": {"transition": "review", "lessons": {"lesson": "x"}},
        "action_items.1.priority": {
            "transition": "review",
            "action_items": [{"title": "Fine"}, {"title": "Audit", "priority": "high"}],
        },
        "action_items.0.title": {"transition": "review", "action_items": [{"owner_id": 1}]},
        "action_items.0.owner_id": {"transition": "review", "action_items": [{"title": "Audit", "owner_id": 999999}]},
        "lessons": {"transition": "reopen", "lessons": {"notes": "only for review"}},
        "action_items": {"transition": "reopen", "action_items": []},
    }
    for field, body in refused.items():
        response = api.post(path, body)
        assert response.status_code == 400, (field, response.content)
        assert response.json()["error"]["field"] == field, (field, response.json())

    assert written(alpha.slug, case_id) == ("resolved", {}, [])


def test_graphql_reviews_alike_and_names_a_bad_action_item(alpha, make_user):
    api = admin(alpha)
    owner = make_user(alpha.slug, "responder", "review-gql@alpha.example")
    case_id = resolved_case(api)
    mutation = (
        "mutation($id: Int!, $items: [ActionItemInput!]) { transitionCase(id: $id, transition: REVIEW, "
        'lessons: {wentWrong: "Slow approvals"}, actionItems: $items) { status lessons tasks { edges { node { title '
        "assigneeId } } } } }"
    )

    bad = api.graphql(mutation, {"id": case_id, "items": [{"title": "Audit", "ownerId": 999999}]}).json()
    untouched = written(alpha.slug, case_id)
    good = api.graphql(mutation, {"id": case_id, "items": [{"title": "Audit", "ownerId": owner.pk}]}).json()

    assert bad["errors"][0]["extensions"]["field"] == "action_items.0.owner_id"
    assert untouched == ("resolved", {}, [])
    assert "errors" not in good, good
    case = good["data"]["transitionCase"]
    assert (case["status"], case["lessons"]) == ("REVIEWED", {"went_wrong": "Slow approvals"})
    assert [e["node"] for e in case["tasks"]["edges"]] == [{"title": "Audit", "assigneeId": owner.pk}]


def test_a_viewer_may_not_review_and_nothing_is_written(alpha, make_user, login):
    case_id = resolved_case(admin(alpha))
    viewer = make_user(alpha.slug, "viewer", "review-viewer@alpha.example")

    response = Api(alpha.slug, auth=login(alpha.slug, viewer.email)).post(
        f"{CASES}/{case_id}/transition",
        {"transition": "review", "lessons": {"notes": "x"}, "action_items": [{"title": "Audit"}]},
    )

    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert written(alpha.slug, case_id) == ("resolved", {}, [])
