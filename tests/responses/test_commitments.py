"""Commitments made in statements: each is tracked as a case task with its due time, kept only when a published
follow-up statement of the same case reports it, withdrawn only with a reason, and marked missed by the beat once past
due (with `commitment.missed`, whose body matches the catalogue). REST and GraphQL answer alike; another tenant sees
nothing; read-only roles may not write; bad input writes nothing."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tenants.utils import tenant_context
from jsonschema import Draft202012Validator

from monitoring.models import DeadLetter
from responses.commitments import services
from responses.models import CaseEvent, CaseTask, Commitment
from responses.tasks import commitments_check
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.catalogue import CATALOGUE
from tenants.notifications.models import Delivery
from tests.conftest import Api, key_auth, nodes

CASES = "/api/v1/cases"
COMMITMENTS = "/api/v1/commitments"


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def caller(make_key: Any, role: str) -> Api:
    _key, raw = make_key("alpha", role)
    return Api("alpha", auth=key_auth(raw))


def in_alpha() -> Any:
    return tenant_context(Tenant.objects.get(slug="alpha"))


def later(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def statement(api: Api, case_id: int, title: str, *, published: bool) -> int:
    made = api.post(
        f"{CASES}/{case_id}/statements", {"title": title, "body": "我们将全额退款。", "required_approvals": []}
    )
    assert made.status_code == 201, made.content
    if published:
        api.post(f"/api/v1/statements/{made.json()['id']}/submit")
        out = api.post(f"/api/v1/statements/{made.json()['id']}/publish", {"channel": "press"})
        assert out.status_code == 201, out.content
    return int(made.json()["id"])


def setup(api: Api) -> tuple[int, int]:
    """A case with a published statement that promised something."""
    case = api.post(CASES, {"title": "充电宝召回", "activate_playbook": False}).json()
    return case["id"], statement(api, case["id"], "致歉声明", published=True)


def commit(api: Api, case_id: int, statement_id: int, **fields: Any) -> Any:
    body = {
        "statement": statement_id,
        "kind": "refund",
        "description": "所有受影响用户全额退款",
        "due_at": later(days=7),
    }
    return api.post(f"{CASES}/{case_id}/commitments", {**body, **fields})


def nodes_of(page: dict[str, Any]) -> list[dict[str, Any]]:
    return list(page["results"])


def counts(case_id: int) -> tuple[int, int]:
    with in_alpha():
        return Commitment.objects.filter(case_id=case_id).count(), CaseTask.objects.filter(case_id=case_id).count()


def test_a_commitment_is_tracked_as_a_case_task_with_its_due_time(alpha, make_user):
    api = admin(alpha)
    case_id, promise = setup(api)
    owner = make_user("alpha", "responder", "refunds@alpha.example")
    due = later(days=3)

    made = commit(api, case_id, promise, due_at=due, owner_id=owner.pk)
    body = made.json()
    task = next(t for t in nodes_of(api.get(f"{CASES}/{case_id}/tasks").json()) if t["id"] == body["task_id"])

    assert made.status_code == 201, made.content
    assert body["status"] == "open" and body["statement"] == promise and body["kind"] == "refund"
    assert parse_datetime(task["due_at"]) == parse_datetime(due) == parse_datetime(body["due_at"])
    assert task["assignee_id"] == owner.pk and task["status"] == "open"
    assert task["title"] == "Commitment (A refund programme): 所有受影响用户全额退款"
    with in_alpha():
        kinds = list(CaseEvent.objects.filter(case_id=case_id).values_list("kind", flat=True))
    assert kinds[-2:] == ["task_created", "commitment_created"]


def test_changing_a_commitment_moves_its_task(alpha):
    api = admin(alpha)
    case_id, promise = setup(api)
    made = commit(api, case_id, promise).json()
    due = later(days=10)

    changed = api.patch(f"{COMMITMENTS}/{made['id']}", {"due_at": due, "description": "退款并补偿运费"})
    past = api.patch(f"{COMMITMENTS}/{made['id']}", {"due_at": later(days=-1)})
    with in_alpha():
        task = CaseTask.objects.get(pk=made["task_id"])

    assert changed.status_code == 200, changed.content
    assert changed.json()["description"] == "退款并补偿运费"
    assert task.due_at == parse_datetime(due) and task.description == "退款并补偿运费"
    assert past.status_code == 400 and past.json()["error"]["field"] == "due_at"
    assert parse_datetime(api.get(f"{COMMITMENTS}/{made['id']}").json()["due_at"]) == parse_datetime(due)


def test_a_statement_of_another_case_is_a_400_naming_statement_and_nothing_is_written(alpha):
    api = admin(alpha)
    case_id, _promise = setup(api)
    _other_case, elsewhere = setup(api)
    before = counts(case_id)

    refused = commit(api, case_id, elsewhere)

    assert refused.status_code == 400 and refused.json()["error"]["field"] == "statement"
    assert counts(case_id) == before


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha):
    api = admin(alpha)
    case_id, promise = setup(api)
    before = counts(case_id)

    answers = {
        "kind": commit(api, case_id, promise, kind="apology"),
        "due_at": commit(api, case_id, promise, due_at=later(minutes=-5)),
        "description": commit(api, case_id, promise, description="   "),
        "owner_id": commit(api, case_id, promise, owner_id=987654),
        "statement": commit(api, case_id, 987654),
    }

    assert {field: (r.status_code, r.json()["error"]["field"]) for field, r in answers.items()} == {
        field: (400, field) for field in answers
    }
    assert counts(case_id) == before


def test_keeping_needs_a_published_follow_up_statement_of_the_same_case(alpha):
    api = admin(alpha)
    case_id, promise = setup(api)
    _other_case, elsewhere = setup(api)
    made = commit(api, case_id, promise).json()
    draft = statement(api, case_id, "退款进展", published=False)
    keep = f"{COMMITMENTS}/{made['id']}/keep"

    unpublished = api.post(keep, {"follow_up_statement": draft})
    other_case = api.post(keep, {"follow_up_statement": elsewhere})
    same_one = api.post(keep, {"follow_up_statement": promise})
    missing = api.post(keep, {})
    still_open = api.get(f"{COMMITMENTS}/{made['id']}").json()
    api.post(f"/api/v1/statements/{draft}/submit")
    api.post(f"/api/v1/statements/{draft}/publish", {"channel": "press"})
    kept = api.post(keep, {"follow_up_statement": draft})
    again = api.post(keep, {"follow_up_statement": draft})
    with in_alpha():
        task = CaseTask.objects.get(pk=made["task_id"])

    assert unpublished.status_code == 409 and unpublished.json()["error"]["code"] == "statement_not_published"
    assert unpublished.json()["error"]["field"] == "follow_up_statement"
    assert other_case.status_code == 400 and other_case.json()["error"]["field"] == "follow_up_statement"
    assert same_one.status_code == 400 and same_one.json()["error"]["field"] == "follow_up_statement"
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "follow_up_statement"
    assert still_open["status"] == "open" and still_open["follow_up_statement"] is None
    assert kept.status_code == 200, kept.content
    assert kept.json()["status"] == "kept" and kept.json()["follow_up_statement"] == draft and kept.json()["kept_at"]
    assert task.status == "done" and task.completed_at is not None
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_withdrawing_needs_a_reason_and_cancels_the_task(alpha):
    api = admin(alpha)
    case_id, promise = setup(api)
    made = commit(api, case_id, promise).json()
    url = f"{COMMITMENTS}/{made['id']}/withdraw"

    no_reason = api.post(url, {"reason": "  "})
    absent = api.post(url, {})
    unchanged = api.get(f"{COMMITMENTS}/{made['id']}").json()
    withdrawn = api.post(url, {"reason": "监管部门接管了退款"})
    edit_after = api.patch(f"{COMMITMENTS}/{made['id']}", {"description": "改"})
    with in_alpha():
        task = CaseTask.objects.get(pk=made["task_id"])
        entry = CaseEvent.objects.filter(case_id=case_id, kind="commitment_withdrawn").get()

    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    assert absent.status_code == 400 and absent.json()["error"]["field"] == "reason"
    assert unchanged["status"] == "open"
    assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["withdrawn_reason"] == "监管部门接管了退款"
    assert task.status == "cancelled"
    assert entry.data["reason"] == "监管部门接管了退款"
    assert edit_after.status_code == 409


def test_the_beat_marks_a_past_due_commitment_missed_once_and_tells_the_channels(
    alpha, django_capture_on_commit_callbacks
):
    api = admin(alpha)
    case_id, promise = setup(api)
    api.post(
        "/api/v1/notification-channels",
        {"name": "pr desk", "kind": "email", "emails": ["pr@alpha.example"], "event_types": ["commitment.missed"]},
    )
    late = commit(api, case_id, promise, due_at=later(seconds=1)).json()
    on_time = commit(api, case_id, promise).json()
    with in_alpha():
        Commitment.objects.filter(pk=late["id"]).update(due_at=timezone.now() - timedelta(minutes=1))
        with django_capture_on_commit_callbacks():
            first = commitments_check()
            second = commitments_check()
        deliveries = list(Delivery.objects.filter(event_type="commitment.missed"))
        missed_entries = list(CaseEvent.objects.filter(case_id=case_id, kind="commitment_missed"))
    schema_errors = [
        e.message
        for d in deliveries
        for e in Draft202012Validator(CATALOGUE[d.event_type].schema).iter_errors(d.payload)
    ]

    assert (first["missed"], second["missed"]) == (1, 0)
    assert api.get(f"{COMMITMENTS}/{late['id']}").json()["status"] == "missed"
    assert api.get(f"{COMMITMENTS}/{on_time['id']}").json()["status"] == "open"
    assert [d.payload["data"]["commitment"]["id"] for d in deliveries] == [late["id"]]
    assert deliveries[0].payload["data"]["commitment"]["status"] == "missed"
    assert schema_errors == []
    assert [e.data["commitment_id"] for e in missed_entries] == [late["id"]]


def test_keeping_sends_commitment_kept_matching_the_catalogue(alpha, django_capture_on_commit_callbacks):
    api = admin(alpha)
    case_id, promise = setup(api)
    api.post(
        "/api/v1/notification-channels",
        {"name": "pr desk", "kind": "email", "emails": ["pr@alpha.example"], "event_types": ["commitment.kept"]},
    )
    made = commit(api, case_id, promise).json()
    report = statement(api, case_id, "退款完成", published=True)

    with in_alpha(), django_capture_on_commit_callbacks():
        services.commitment_keep(actor=SYSTEM, commitment_id=made["id"], follow_up_statement=report)
    with in_alpha():
        (delivery,) = Delivery.objects.filter(event_type="commitment.kept")

    assert list(Draft202012Validator(CATALOGUE["commitment.kept"].schema).iter_errors(delivery.payload)) == []
    assert delivery.payload["data"]["commitment"]["follow_up_statement_id"] == report


def test_one_failing_case_does_not_stop_the_others(alpha, monkeypatch):
    api = admin(alpha)
    first_case, first_promise = setup(api)
    second_case, second_promise = setup(api)
    broken = commit(api, first_case, first_promise, due_at=later(seconds=1)).json()
    fine = commit(api, second_case, second_promise, due_at=later(seconds=1)).json()
    real = services.case_commitments_check

    def poisoned(case_id: int, now: Any) -> list[Commitment]:
        if case_id == first_case:
            raise ValueError("unreadable row")
        return real(case_id, now)

    monkeypatch.setattr(services, "case_commitments_check", poisoned)
    with in_alpha():
        Commitment.objects.filter(pk__in=[broken["id"], fine["id"]]).update(
            due_at=timezone.now() - timedelta(minutes=1)
        )
        result = commitments_check()
        letters = list(DeadLetter.objects.filter(item_key=str(first_case)).values_list("kind", flat=True))

    assert result == {"missed": 1, "quarantined": 1}
    assert api.get(f"{COMMITMENTS}/{fine['id']}").json()["status"] == "missed"
    assert api.get(f"{COMMITMENTS}/{broken['id']}").json()["status"] == "open"
    assert letters == ["case_clock"]


def test_the_list_filters_by_status_and_orders_by_due_time(alpha):
    api = admin(alpha)
    case_id, promise = setup(api)
    far = commit(api, case_id, promise, due_at=later(days=20), kind="investigation").json()
    near = commit(api, case_id, promise, due_at=later(days=2), kind="fix").json()
    gone = commit(api, case_id, promise, due_at=later(days=5)).json()
    api.post(f"{COMMITMENTS}/{gone['id']}/withdraw", {"reason": "合并到另一项承诺"})
    url = f"{CASES}/{case_id}/commitments"

    everything = [c["id"] for c in api.get(url).json()["results"]]
    still_open = [c["id"] for c in api.get(f"{url}?status=open").json()["results"]]
    latest_first = [c["id"] for c in api.get(f"{url}?ordering=-due_at").json()["results"]]
    bad_status = api.get(f"{url}?status=lost")

    assert everything == [near["id"], gone["id"], far["id"]]
    assert still_open == [near["id"], far["id"]]
    assert latest_first == [far["id"], gone["id"], near["id"]]
    assert bad_status.status_code == 400 and bad_status.json()["error"]["field"] == "status"


CREATE = """mutation($c: Int!, $s: Int!, $d: DateTime!) {
  createCommitment(caseId: $c, statementId: $s, kind: FIX, description: "更换电池", dueAt: $d) {
    id status kind taskId statementId
  }
}"""


def test_graphql_answers_as_rest_does(alpha, make_key):
    api = admin(alpha)
    case_id, promise = setup(api)
    report = statement(api, case_id, "电池已更换", published=True)

    created = api.graphql(CREATE, {"c": case_id, "s": promise, "d": later(days=4)}).json()["data"]["createCommitment"]
    key = int(created["id"])
    updated = api.graphql(
        'mutation($id: Int!) { updateCommitment(id: $id, description: "免费更换电池") { description } }',
        {"id": key},
    ).json()["data"]["updateCommitment"]
    listed = api.graphql(
        "query($c: Int!) { caseCommitments(caseId: $c, status: [OPEN]) { edges { node { id status } } } }",
        {"c": case_id},
    ).json()["data"]["caseCommitments"]
    kept = api.graphql(
        "mutation($id: Int!, $s: Int!) { keepCommitment(id: $id, followUpStatementId: $s) "
        "{ status followUpStatementId } }",
        {"id": key, "s": report},
    ).json()["data"]["keepCommitment"]
    one = api.graphql("query($id: Int!) { commitment(id: $id) { status } }", {"id": key}).json()
    rest = api.get(f"{COMMITMENTS}/{key}").json()
    other_case = api.post(CASES, {"title": "另一案", "activate_playbook": False}).json()
    stranger = statement(api, other_case["id"], "别处的声明", published=True)
    wrong = api.graphql(CREATE, {"c": case_id, "s": stranger, "d": later(days=4)}).json()
    no_reason = api.graphql(
        'mutation($id: Int!) { withdrawCommitment(id: $id, reason: "") { id } }', {"id": key}
    ).json()
    denied = caller(make_key, "viewer").graphql(CREATE, {"c": case_id, "s": promise, "d": later(days=4)}).json()

    assert created["status"] == "OPEN" and created["kind"] == "FIX" and created["statementId"] == promise
    assert updated["description"] == "免费更换电池"
    assert nodes(listed) == [{"id": created["id"], "status": "OPEN"}]
    assert kept == {"status": "KEPT", "followUpStatementId": report}
    assert one["data"]["commitment"]["status"] == "KEPT" and rest["status"] == "kept"
    assert rest["description"] == "免费更换电池" and rest["task_id"] == created["taskId"]
    assert wrong["errors"][0]["extensions"]["field"] == "statement"
    assert no_reason["errors"][0]["extensions"]["field"] == "reason"
    assert denied["errors"][0]["extensions"]["code"] == "permission_denied"
    assert counts(case_id) == (1, 1)


def test_another_tenant_sees_and_touches_nothing(alpha, beta):
    api = admin(alpha)
    case_id, promise = setup(api)
    made = commit(api, case_id, promise).json()
    intruder = admin(beta)

    answers = [
        intruder.get(f"{CASES}/{case_id}/commitments"),
        intruder.get(f"{COMMITMENTS}/{made['id']}"),
        intruder.patch(f"{COMMITMENTS}/{made['id']}", {"description": "改掉"}),
        intruder.post(f"{COMMITMENTS}/{made['id']}/keep", {"follow_up_statement": promise}),
        intruder.post(f"{COMMITMENTS}/{made['id']}/withdraw", {"reason": "不做了"}),
        commit(intruder, case_id, promise),
    ]
    graphql = intruder.graphql("query($id: Int!) { commitment(id: $id) { id } }", {"id": made["id"]}).json()
    withdraw = intruder.graphql(
        'mutation($id: Int!) { withdrawCommitment(id: $id, reason: "不做了") { id } }', {"id": made["id"]}
    ).json()

    assert [r.status_code for r in answers] == [404] * len(answers)
    assert graphql["errors"][0]["extensions"]["code"] == "not_found"
    assert withdraw["errors"][0]["extensions"]["code"] == "not_found"
    after = api.get(f"{COMMITMENTS}/{made['id']}").json()
    assert after["status"] == "open" and after["description"] == made["description"]
    assert counts(case_id) == (1, 1)


def test_read_only_roles_may_read_but_not_write(alpha, make_key):
    api = admin(alpha)
    case_id, promise = setup(api)
    made = commit(api, case_id, promise).json()
    viewer = caller(make_key, "viewer")

    listed = viewer.get(f"{CASES}/{case_id}/commitments")
    writes = [
        commit(viewer, case_id, promise),
        viewer.patch(f"{COMMITMENTS}/{made['id']}", {"description": "改掉"}),
        viewer.post(f"{COMMITMENTS}/{made['id']}/keep", {"follow_up_statement": promise}),
        viewer.post(f"{COMMITMENTS}/{made['id']}/withdraw", {"reason": "不做了"}),
    ]

    assert listed.status_code == 200 and [c["id"] for c in listed.json()["results"]] == [made["id"]]
    assert [(r.status_code, r.json()["error"]["code"]) for r in writes] == [(403, "permission_denied")] * 4
    assert api.get(f"{COMMITMENTS}/{made['id']}").json()["status"] == "open"
    assert counts(case_id) == (1, 1)
