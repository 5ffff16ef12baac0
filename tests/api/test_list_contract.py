"""The REST contract every list keeps: one envelope, the selector's order with `ordering` to change it, cursors
both ways, page_size bounds, unknown query parameters refused by name, one timestamp format."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.topics.services import topics_refresh
from tests.conftest import PUBLIC_ONLY_PATHS, Api, key_auth, tenant_obj

CASES = "/api/v1/cases"
ID_IN_PATH = re.compile(r"/([a-z-]+)/\{id\}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def open_case(api: Api, title: str = "Battery fires") -> dict[str, Any]:
    body = {"title": title, "scenario": "product_quality", "severity": "II", "activate_playbook": False}
    response = api.post(CASES, body)
    assert response.status_code == 201, response.content
    return dict(response.json())


def add_task(api: Api, case_id: int, title: str, due_at: Any = None) -> dict[str, Any]:
    body = {"title": title, **({"due_at": due_at.isoformat()} if due_at else {})}
    response = api.post(f"{CASES}/{case_id}/tasks", body)
    assert response.status_code == 201, response.content
    return dict(response.json())


def with_id(match: re.Match[str], ids: dict[str, int]) -> str:
    return f"/{match.group(1)}/{ids[match.group(1)]}"


def every_page(api: Api, path: str, page_size: int = 1) -> list[dict[str, Any]]:
    joiner = "&" if "?" in path else "?"
    page = api.get(f"{path}{joiner}page_size={page_size}").json()
    items = list(page["results"])
    while page["next_cursor"]:
        page = api.get(f"{path}{joiner}page_size={page_size}&cursor={page['next_cursor']}").json()
        items += page["results"]
    return items


def test_every_list_nested_ones_too_answers_in_one_envelope(alpha, billing_admin, item):
    api = admin(alpha)
    case = open_case(api)
    add_task(api, case["id"], "Call the supplier")
    statement = api.post(f"{CASES}/{case['id']}/statements", {"title": "Holding", "body": "We are on it."}).json()
    playbook = api.post("/api/v1/playbooks", {"name": "Leak", "scenario": "data_leak"}).json()
    channel = api.post("/api/v1/notification-channels", {"name": "ops", "kind": "email", "emails": ["o@x.example"]})
    ids: dict[str, int] = {"cases": case["id"], "statements": statement["id"], "playbooks": playbook["id"]}
    ids["notification-channels"] = channel.json()["id"]
    api.post("/api/v1/mentions/batch", {"mentions": [item(external_id="list-contract-1")]})
    ids["mentions"] = api.get("/api/v1/mentions?external_id=list-contract-1").json()["results"][0]["id"]
    with tenant_context(tenant_obj("alpha")):
        topics_refresh(settle_seconds=0)
    ids["topics"] = api.get(f"/api/v1/mentions/{ids['mentions']}").json()["topic"]
    schema = api.get("/api/schema/?format=json").json()
    paged: list[str] = [
        path
        for path, operations in schema["paths"].items()
        if "Paginated" in str(operations.get("get", {}).get("responses", {}).get("200", {}))
    ]

    bodies = {}
    for template in paged:
        # The platform tenant lists (invoices) go by slug.
        url = ID_IN_PATH.sub(lambda m: with_id(m, ids), template).replace("{slug}", "alpha")
        response = (billing_admin if template.startswith(PUBLIC_ONLY_PATHS) else api).get(url)
        assert response.status_code == 200, (url, response.content)
        bodies[template] = response.json()

    assert {
        "/api/v1/cases/{id}/tasks",
        "/api/v1/cases/{id}/members",
        "/api/v1/cases/{id}/statements",
        "/api/v1/cases/{id}/timeline",
        "/api/v1/statements/{id}/versions",
        "/api/v1/playbooks/{id}/versions",
        "/api/v1/notification-channels/{id}/deliveries",
        "/api/v1/sla-policies",
        "/api/v1/mentions",
        "/api/v1/mentions/{id}/cascade/nodes",
        "/api/v1/tasks",
    } < set(paged), "the nested lists and the ones that used to answer bare arrays are paged lists too"
    for template, body in bodies.items():
        assert set(body) == {"results", "next_cursor", "previous_cursor"}, template
        assert isinstance(body["results"], list), template
    assert [s["severity"] for s in bodies["/api/v1/sla-policies"]["results"]] == ["I", "II", "III", "IV"]


def test_tasks_come_soonest_due_first_and_page_both_ways_without_repeats(alpha):
    api = admin(alpha)
    case = open_case(api)
    now = timezone.now()
    later = add_task(api, case["id"], "later", now + timedelta(hours=5))
    undated = add_task(api, case["id"], "whenever")
    soon = add_task(api, case["id"], "soon", now + timedelta(hours=1))
    tie = add_task(api, case["id"], "soon too", now + timedelta(hours=1))
    tasks = f"{CASES}/{case['id']}/tasks"

    forward = every_page(api, tasks)
    second = api.get(f"{tasks}?page_size=2&cursor={api.get(f'{tasks}?page_size=2').json()['next_cursor']}").json()
    back = api.get(f"{tasks}?page_size=2&cursor={second['previous_cursor']}").json()

    assert [t["id"] for t in forward] == [soon["id"], tie["id"], later["id"], undated["id"]]
    assert [t["id"] for t in second["results"]] == [later["id"], undated["id"]]
    assert second["next_cursor"] is None
    assert [t["id"] for t in back["results"]] == [soon["id"], tie["id"]]
    assert back["previous_cursor"] is None and back["next_cursor"] is not None


def test_ordering_replaces_the_default_order_and_is_declared_as_an_enum(alpha):
    api = admin(alpha)
    names = ["Bravo", "Alpha", "Charlie"]
    created = [open_case(api, title) for title in names]
    mine = {c["id"] for c in created}

    def titles(query: str) -> list[str]:
        return [c["title"] for c in every_page(api, f"{CASES}?{query}", page_size=2) if c["id"] in mine]

    default = titles("status=detected")
    by_title = titles("ordering=title")
    by_title_down = titles("ordering=-title")
    refused = api.get(f"{CASES}?ordering=description")
    parameter = next(
        p
        for p in api.get("/api/schema/?format=json").json()["paths"][CASES]["get"]["parameters"]
        if p["name"] == "ordering"
    )

    assert default == ["Charlie", "Alpha", "Bravo"], "newest first, as the selector orders cases"
    assert by_title == ["Alpha", "Bravo", "Charlie"]
    assert by_title_down == ["Charlie", "Bravo", "Alpha"]
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "ordering"
    assert set(parameter["schema"]["enum"]) == {
        f"{sign}{name}" for name in ("created_at", "updated_at", "severity", "title") for sign in ("", "-")
    }


@pytest.mark.parametrize("size", ["0", "201", "-1", "ten", "1.5"])
def test_page_size_outside_1_to_200_is_400_naming_it(alpha, size):
    response = admin(alpha).get(f"/api/v1/tasks?page_size={size}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "page_size"


def test_a_cursor_not_made_by_the_api_or_for_another_ordering_is_400_naming_it(alpha):
    api = admin(alpha)
    for title in ("One", "Two"):
        open_case(api, title)
    by_title = api.get(f"{CASES}?ordering=title&page_size=1").json()["next_cursor"]

    forged = api.get(f"{CASES}?cursor=WyIyMDI2LTAxLTAxIiwgMV0")
    reused = api.get(f"{CASES}?ordering=-created_at&cursor={by_title}")
    elsewhere = api.get(f"/api/v1/rules?cursor={by_title}")

    for response in (forged, reused, elsewhere):
        assert response.status_code == 400, response.content
        assert response.json()["error"]["field"] == "cursor"


def test_every_operation_refuses_a_query_parameter_it_does_not_declare(alpha, billing_admin):
    api = admin(alpha)
    schema = api.get("/api/schema/?format=json").json()

    answers = {}
    for template, operations in schema["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template).replace("/sla-policies/1", "/sla-policies/I")
        for method in operations:
            caller = billing_admin if template.startswith(PUBLIC_ONLY_PATHS) else api
            answers[(method, template)] = caller.request(method, f"{path}?colour=blue", {} if method != "get" else None)

    assert len(answers) > 90
    for (method, template), response in answers.items():
        assert response.status_code == 400, (method, template, response.content)
        assert response.json()["error"] == {
            "code": "unknown_parameter",
            "message": response.json()["error"]["message"],
            "field": "colour",
        }, (method, template)
    assert "status" in answers[("get", "/api/v1/cases")].json()["error"]["message"], "the message lists what it takes"


def test_declared_filters_and_paging_parameters_are_accepted(alpha):
    api = admin(alpha)

    responses = [
        api.get("/api/v1/cases?status=detected&severity=II&is_drill=false&page_size=5&ordering=-created_at"),
        api.get("/api/v1/mentions?platform=weibo&since=2026-01-01T00:00:00Z&ordering=published_at"),
        api.get("/api/v1/mentions/search?q=&page_size=200&sort=time"),
        api.get("/api/v1/rules?archived=true&ordering=name"),
        api.get("/api/schema/?format=json"),
    ]

    assert [r.status_code for r in responses] == [200] * 5, [r.content[:200] for r in responses]


def test_timestamps_are_utc_with_microseconds_and_z_everywhere_in_rest(alpha):
    api = admin(alpha)
    case = open_case(api)
    task = add_task(api, case["id"], "Call the supplier", timezone.now() + timedelta(hours=1))

    listed = api.get(CASES).json()["results"][0]
    timeline = api.get(f"{CASES}/{case['id']}/timeline").json()["results"]
    keys = api.get("/api/v1/api-keys").json()["results"]

    assert TIMESTAMP.fullmatch(case["created_at"]) and TIMESTAMP.fullmatch(listed["updated_at"])
    assert all(TIMESTAMP.fullmatch(clock["due_at"]) for clock in case["sla"])
    assert TIMESTAMP.fullmatch(task["due_at"]) and TIMESTAMP.fullmatch(task["created_at"])
    assert all(TIMESTAMP.fullmatch(event["at"]) for event in timeline)
    assert all(TIMESTAMP.fullmatch(key["created_at"]) for key in keys)
