"""Follow-ups with affected users: due times from the per-type SLA, the lifecycle with reopen, replies rendered from
reply scripts with the person's variables, compensation approval above the tenant's threshold, satisfaction, and a
case's follow-up board."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tenants.utils import tenant_context

from responses.models import CaseEvent, FollowUp
from responses.tasks import case_clocks
from tenants.models import Tenant
from tenants.notifications.models import Delivery
from tests.conftest import Api, key_auth, nodes

FOLLOW_UPS = "/api/v1/follow-ups"


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def caller(make_key: Any, role: str) -> Api:
    _key, raw = make_key("alpha", role)
    return Api("alpha", auth=key_auth(raw))


def in_alpha() -> Any:
    return tenant_context(Tenant.objects.get(slug="alpha"))


def setup(api: Api) -> tuple[int, int]:
    case = api.post("/api/v1/cases", {"title": "外卖延误", "activate_playbook": False}).json()
    person = api.post(
        f"/api/v1/cases/{case['id']}/affected-users",
        {"platform": "weibo", "author_id": "fan-1", "handle": "王女士", "order_number": "A1024"},
    ).json()
    return case["id"], person["id"]


def open_follow_up(api: Api, case_id: int, person_id: int, **fields: Any) -> dict[str, Any]:
    response = api.post(FOLLOW_UPS, {"case_id": case_id, "affected_user_id": person_id, "type": "complaint", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def minutes_until(when: str) -> float:
    due = parse_datetime(when)
    assert due is not None
    return (due - timezone.now()).total_seconds() / 60


def test_due_time_comes_from_the_type_sla_which_the_tenant_can_change(alpha, make_key):
    api = admin(alpha)
    case_id, person_id = setup(api)

    callback = open_follow_up(api, case_id, person_id, type="callback")
    changed = api.patch("/api/v1/follow-up-settings", {"sla_minutes": {"callback": 30}})
    faster = open_follow_up(api, case_id, person_id, type="callback")
    survey = open_follow_up(api, case_id, person_id, type="satisfaction_survey")
    by_analyst = caller(make_key, "analyst").patch("/api/v1/follow-up-settings", {"sla_minutes": {"callback": 1}})
    bad_type = api.patch("/api/v1/follow-up-settings", {"sla_minutes": {"lunch": 30}})
    bad_minutes = api.patch("/api/v1/follow-up-settings", {"sla_minutes": {"callback": 0}})

    assert 239 < minutes_until(callback["due_at"]) <= 240
    assert changed.json()["sla_minutes"]["callback"] == 30 and changed.json()["sla_minutes"]["complaint"] == 1440
    assert 29 < minutes_until(faster["due_at"]) <= 30
    assert 10079 < minutes_until(survey["due_at"]) <= 10080
    assert by_analyst.status_code == 403
    assert bad_type.status_code == 400 and bad_type.json()["error"]["field"] == "sla_minutes.lunch"
    assert bad_minutes.status_code == 400 and bad_minutes.json()["error"]["field"].startswith("sla_minutes")
    assert api.get("/api/v1/follow-up-settings").json()["sla_minutes"]["callback"] == 30


def test_the_lifecycle_goes_open_in_progress_resolved_closed_and_reopens(alpha):
    api = admin(alpha)
    case_id, person_id = setup(api)
    follow_up = open_follow_up(api, case_id, person_id, note="用户投诉配送超时")
    url = f"{FOLLOW_UPS}/{follow_up['id']}/transition"

    steps = [api.post(url, {"transition": t}).json().get("status") for t in ("start", "resolve", "close")]
    refused = api.post(url, {"transition": "start"})
    reopened = api.post(url, {"transition": "reopen", "note": "用户说还没收到退款"})

    assert follow_up["status"] == "open" and [n["text"] for n in follow_up["notes"]] == ["用户投诉配送超时"]
    assert steps == ["in_progress", "resolved", "closed"]
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"
    assert "allowed: reopen" in refused.json()["error"]["message"]
    assert reopened.json()["status"] == "in_progress" and reopened.json()["resolved_at"] is None
    assert reopened.json()["notes"][-1]["text"] == "用户说还没收到退款"


def test_a_reply_is_the_script_rendered_with_the_person_s_variables(alpha, make_key):
    api = admin(alpha)
    case_id, person_id = setup(api)
    script = api.post(
        "/api/v1/reply-scripts", {"name": "道歉", "body": "{customer_name}您好，订单{order_id}的问题我们深表歉意。"}
    ).json()
    api.post(f"/api/v1/reply-scripts/{script['id']}/approve")
    follow_up = open_follow_up(api, case_id, person_id, type="apology")

    sent = api.post(f"{FOLLOW_UPS}/{follow_up['id']}/replies", {"channel": "direct_message", "script_id": script["id"]})
    seen_by_viewer = caller(make_key, "viewer").get(f"{FOLLOW_UPS}/{follow_up['id']}").json()
    neither = api.post(f"{FOLLOW_UPS}/{follow_up['id']}/replies", {"channel": "sms"})
    unapproved = api.post("/api/v1/reply-scripts", {"name": "草稿", "body": "Hi {customer_name}"}).json()
    draft = api.post(f"{FOLLOW_UPS}/{follow_up['id']}/replies", {"channel": "sms", "script_id": unapproved["id"]})

    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert [r["text"] for r in body["replies"]] == ["王女士您好，订单A1024的问题我们深表歉意。"]
    assert body["replies"][0]["channel"] == "direct_message" and body["replies"][0]["script_id"] == script["id"]
    assert body["status"] == "in_progress" and body["first_contact_at"]
    assert seen_by_viewer["replies"][0]["text"] is None
    assert neither.status_code == 400 and neither.json()["error"]["field"] == "script_id"
    assert draft.status_code == 409 and draft.json()["error"]["code"] == "not_approved"
    with in_alpha():
        timeline = " ".join(e.summary + str(e.data) for e in CaseEvent.objects.filter(case_id=case_id))
    assert "王女士" not in timeline and "A1024" not in timeline


def test_compensation_above_the_threshold_needs_approval_before_resolving(alpha, make_key):
    api = admin(alpha)
    case_id, person_id = setup(api)
    small = open_follow_up(
        api, case_id, person_id, type="compensation", compensation_amount="300.00", compensation_currency="cny"
    )
    large = open_follow_up(
        api, case_id, person_id, type="compensation", compensation_amount="800.00", compensation_currency="CNY"
    )
    foreign = open_follow_up(
        api, case_id, person_id, type="compensation", compensation_amount="50", compensation_currency="HKD"
    )
    resolve = f"{FOLLOW_UPS}/{large['id']}/transition"

    too_early = api.post(resolve, {"transition": "resolve"})
    by_responder = caller(make_key, "responder").post(
        f"{FOLLOW_UPS}/{large['id']}/compensation", {"decision": "approve"}
    )
    approved = caller(make_key, "approver").post(
        f"{FOLLOW_UPS}/{large['id']}/compensation", {"decision": "approve", "comment": "按规定赔付"}
    )
    twice = api.post(f"{FOLLOW_UPS}/{large['id']}/compensation", {"decision": "reject"})
    resolved = api.post(resolve, {"transition": "resolve"})

    assert small["compensation_approval"] == "not_needed" and small["compensation_currency"] == "CNY"
    assert large["compensation_approval"] == "pending" and foreign["compensation_approval"] == "pending"
    assert too_early.status_code == 409 and too_early.json()["error"]["code"] == "compensation_not_approved"
    assert by_responder.status_code == 403
    assert approved.json()["compensation_approval"] == "approved" and approved.json()["compensation_decided_by"]
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "not_pending"
    assert resolved.json()["status"] == "resolved"
    raised = api.patch(f"{FOLLOW_UPS}/{small['id']}", {"compensation_amount": "1200.00"}).json()
    assert raised["compensation_approval"] == "pending"


def test_the_board_counts_by_type_and_status_and_measures_contact_and_resolution(alpha):
    api = admin(alpha)
    case_id, person_id = setup(api)
    late = open_follow_up(api, case_id, person_id, due_at=(timezone.now() - timedelta(hours=1)).isoformat())
    done = open_follow_up(api, case_id, person_id, type="satisfaction_survey")
    api.post(f"{FOLLOW_UPS}/{done['id']}/replies", {"channel": "phone", "text": "回访电话"})
    api.post(f"{FOLLOW_UPS}/{done['id']}/transition", {"transition": "resolve"})
    api.patch(f"{FOLLOW_UPS}/{done['id']}", {"csat": 4, "nps": 9})
    bad_score = api.patch(f"{FOLLOW_UPS}/{done['id']}", {"csat": 6})

    board = api.get(f"/api/v1/cases/{case_id}/follow-up-board").json()

    assert bad_score.status_code == 400 and bad_score.json()["error"]["field"] == "csat"
    assert board["total"] == 2 and board["overdue"] == 1 and board["overdue_ids"] == [late["id"]]
    assert board["by_type"]["complaint"] == {"open": 1, "in_progress": 0, "resolved": 0, "closed": 0}
    assert board["by_type"]["satisfaction_survey"]["resolved"] == 1
    assert board["by_status"] == {"open": 1, "in_progress": 0, "resolved": 1, "closed": 0}
    assert 0 <= board["mean_minutes_to_first_contact"] < 1 and 0 <= board["mean_minutes_to_resolution"] < 1
    assert (board["csat_mean"], board["csat_responses"], board["nps"], board["nps_responses"]) == (4.0, 1, 100.0, 1)


def test_the_list_filters_by_case_type_status_owner_and_overdue(alpha, make_user):
    api = admin(alpha)
    case_id, person_id = setup(api)
    other_case, other_person = setup(api)
    owner = make_user("alpha", "responder", "care-owner@alpha.example")
    late = open_follow_up(api, case_id, person_id, due_at=(timezone.now() - timedelta(minutes=5)).isoformat())
    owned = open_follow_up(api, case_id, person_id, type="inquiry", owner_id=owner.pk)
    elsewhere = open_follow_up(api, other_case, other_person, type="callback")

    def ids(query: str) -> list[int]:
        response = api.get(f"{FOLLOW_UPS}?{query}")
        assert response.status_code == 200, response.content
        return [f["id"] for f in response.json()["results"]]

    assert ids(f"case={case_id}") == [late["id"], owned["id"]]
    # Soonest due first: a callback is due in 4 hours, an inquiry in 8.
    assert ids("type=callback,inquiry") == [elsewhere["id"], owned["id"]]
    assert ids(f"owner={owner.pk}") == [owned["id"]]
    assert ids("overdue=true") == [late["id"]]
    assert ids("overdue=false&status=open") == [elsewhere["id"], owned["id"]]
    for query, field in (("type=lunch", "type"), ("overdue=maybe", "overdue"), ("case=abc", "case")):
        response = api.get(f"{FOLLOW_UPS}?{query}")
        assert response.status_code == 400 and response.json()["error"]["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "lunch"}, "type"),
        ({"affected_user_id": 999999}, "affected_user_id"),
        ({"owner_id": 999999}, "owner_id"),
        ({"compensation_amount": "10.00", "compensation_currency": "CNY"}, "compensation_amount"),
        ({"type": "compensation", "compensation_amount": "-1"}, "compensation_amount"),
        ({"type": "compensation", "compensation_amount": "10", "compensation_currency": "元"}, "compensation_currency"),
        ({"due_at": "tomorrow"}, "due_at"),
        ({"case_id": "x"}, "case_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha, body, field):
    api = admin(alpha)
    case_id, person_id = setup(api)

    response = api.post(FOLLOW_UPS, {"case_id": case_id, "affected_user_id": person_id, "type": "complaint", **body})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    with in_alpha():
        assert not FollowUp.objects.exists()


def test_viewers_read_and_case_care_works_follow_ups(alpha, make_key, make_user, login):
    api = admin(alpha)
    case_id, person_id = setup(api)
    care = make_user("alpha", "viewer", "care2@alpha.example")
    api.post(f"/api/v1/cases/{case_id}/members", {"user_id": care.pk, "role": "customer_care"})
    viewer = caller(make_key, "viewer")
    as_care = Api("alpha", auth=login("alpha", "care2@alpha.example"))

    denied = viewer.post(FOLLOW_UPS, {"case_id": case_id, "affected_user_id": person_id, "type": "inquiry"})
    allowed = as_care.post(FOLLOW_UPS, {"case_id": case_id, "affected_user_id": person_id, "type": "inquiry"})
    move = viewer.post(f"{FOLLOW_UPS}/{allowed.json()['id']}/transition", {"transition": "start"})

    assert denied.status_code == 403
    assert allowed.status_code == 201
    assert move.status_code == 403
    assert [f["id"] for f in viewer.get(FOLLOW_UPS).json()["results"]] == [allowed.json()["id"]]
    with in_alpha():
        assert FollowUp.objects.get().status == "open"


def test_another_tenant_sees_and_changes_none_of_them(alpha, beta):
    api = admin(alpha)
    case_id, person_id = setup(api)
    follow_up = open_follow_up(api, case_id, person_id)
    intruder = admin(beta)

    assert intruder.get(FOLLOW_UPS).json()["results"] == []
    assert intruder.get(f"{FOLLOW_UPS}/{follow_up['id']}").status_code == 404
    assert intruder.get(f"/api/v1/cases/{case_id}/follow-up-board").status_code == 404
    assert intruder.post(f"{FOLLOW_UPS}/{follow_up['id']}/transition", {"transition": "start"}).status_code == 404
    assert intruder.patch(f"{FOLLOW_UPS}/{follow_up['id']}", {"csat": 1}).status_code == 404
    created = intruder.post(FOLLOW_UPS, {"case_id": case_id, "affected_user_id": person_id, "type": "inquiry"})
    assert created.status_code == 404
    graphql = intruder.graphql("{ followUps { edges { node { id } } } }").json()["data"]["followUps"]
    assert nodes(graphql) == []
    assert api.get(f"{FOLLOW_UPS}/{follow_up['id']}").json()["status"] == "open"


def test_graphql_works_follow_ups_through_the_same_services(alpha, make_key):
    api = admin(alpha)
    case_id, person_id = setup(api)

    created = api.graphql(
        """mutation($c: Int!, $p: Int!) { createFollowUp(caseId: $c, affectedUserId: $p, type: CALLBACK) {
             id status type } }""",
        {"c": case_id, "p": person_id},
    ).json()["data"]["createFollowUp"]
    moved = api.graphql(
        "mutation($id: Int!) { transitionFollowUp(id: $id, transition: START) { status } }", {"id": int(created["id"])}
    ).json()["data"]["transitionFollowUp"]
    listed = api.graphql(
        "query($c: Int!) { followUps(caseId: $c, statuses: [IN_PROGRESS]) { edges { node { id overdue } } } }",
        {"c": case_id},
    ).json()["data"]["followUps"]
    board = api.graphql("query($c: Int!) { followUpBoard(caseId: $c) }", {"c": case_id}).json()["data"]
    bad = api.graphql("mutation($id: Int!) { updateFollowUp(id: $id, nps: 11) { id } }", {"id": int(created["id"])})
    denied = caller(make_key, "viewer").graphql(
        'mutation($id: Int!) { addFollowUpNote(id: $id, text: "hi") { id } }', {"id": int(created["id"])}
    )

    assert created["status"] == "OPEN" and created["type"] == "CALLBACK"
    assert moved["status"] == "IN_PROGRESS"
    assert nodes(listed) == [{"id": created["id"], "overdue": False}]
    assert board["followUpBoard"]["by_status"]["in_progress"] == 1
    assert bad.json()["errors"][0]["extensions"]["field"] == "nps"
    assert denied.json()["errors"][0]["extensions"]["code"] == "permission_denied"


def test_the_beat_flags_a_follow_up_past_due_once_and_tells_the_channels(alpha, django_capture_on_commit_callbacks):
    api = admin(alpha)
    case_id, person_id = setup(api)
    channel = api.post(
        "/api/v1/notification-channels",
        {"name": "care desk", "kind": "email", "emails": ["care@alpha.example"], "event_types": ["follow_up.overdue"]},
    )
    assert channel.status_code == 201, channel.content
    late = open_follow_up(api, case_id, person_id, due_at=(timezone.now() - timedelta(minutes=1)).isoformat())
    open_follow_up(api, case_id, person_id)  # due tomorrow

    with in_alpha():
        with django_capture_on_commit_callbacks():
            first = case_clocks()
            second = case_clocks()
        deliveries = list(Delivery.objects.filter(event_type="follow_up.overdue"))
        overdue_events = list(CaseEvent.objects.filter(case_id=case_id, kind="follow_up_overdue"))
    moved = api.patch(f"{FOLLOW_UPS}/{late['id']}", {"due_at": (timezone.now() - timedelta(seconds=1)).isoformat()})
    with in_alpha():
        third = case_clocks()

    assert (first["follow_ups_overdue"], second["follow_ups_overdue"]) == (1, 0)
    assert [d.payload["data"]["follow_up"]["id"] for d in deliveries] == [late["id"]]
    assert "王女士" not in str(deliveries[0].payload) and "A1024" not in str(deliveries[0].payload)
    assert [e.data["follow_up_id"] for e in overdue_events] == [late["id"]]
    assert moved.status_code == 200 and third["follow_ups_overdue"] == 1


def test_bulk_actions_apply_to_all_or_to_none(alpha, make_user):
    api = admin(alpha)
    case_id, person_id = setup(api)
    owner = make_user("alpha", "responder", "bulk-owner@alpha.example")
    script = api.post(
        "/api/v1/reply-scripts", {"name": "回访", "body": "{customer_name}您好，请问问题解决了吗？"}
    ).json()
    api.post(f"/api/v1/reply-scripts/{script['id']}/approve")
    first, second, third = (open_follow_up(api, case_id, person_id)["id"] for _ in range(3))
    api.post(f"{FOLLOW_UPS}/{third}/transition", {"transition": "close"})

    assigned = api.post(f"{FOLLOW_UPS}/bulk", {"ids": [first, second], "action": "assign", "owner_id": owner.pk})
    refused = api.post(
        f"{FOLLOW_UPS}/bulk",
        {"ids": [first, third], "action": "send_script", "script_id": script["id"], "channel": "sms"},
    )
    sent = api.post(
        f"{FOLLOW_UPS}/bulk",
        {"ids": [first, second], "action": "send_script", "script_id": script["id"], "channel": "sms"},
    )
    closed = api.post(f"{FOLLOW_UPS}/bulk", {"ids": [first, second, third], "action": "close", "note": "批量结案"})
    unknown = api.post(f"{FOLLOW_UPS}/bulk", {"ids": [first, 999999], "action": "close"})
    no_owner = api.post(f"{FOLLOW_UPS}/bulk", {"ids": [first], "action": "assign"})

    assert assigned.json() == {"updated": 2, "ids": [first, second]}
    assert {api.get(f"{FOLLOW_UPS}/{i}").json()["owner_id"] for i in (first, second)} == {owner.pk}
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "ids.1"
    assert refused.json()["error"]["code"] == "closed"
    assert sent.status_code == 200, sent.content
    replies = api.get(f"{FOLLOW_UPS}/{first}").json()["replies"]
    assert [r["text"] for r in replies] == ["王女士您好，请问问题解决了吗？"]  # the refused request sent nothing
    assert closed.json()["updated"] == 3
    assert {api.get(f"{FOLLOW_UPS}/{i}").json()["status"] for i in (first, second, third)} == {"closed"}
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "ids.1"
    assert no_owner.status_code == 400 and no_owner.json()["error"]["field"] == "owner_id"
