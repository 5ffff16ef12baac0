"""GET /api/v1/cases/{id}/evaluation and GraphQL caseEvaluation / case { evaluation }: the case's score from explained
components, renormalised over the ones with data, and compared with the tenant's cases and drills of the scenario."""

from datetime import datetime, timedelta

import jsonschema
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention
from responses.models import (
    AffectedUser,
    CaseTask,
    CrisisCase,
    FollowUp,
    Statement,
    StatementApproval,
    TaskStatus,
)
from tests.conftest import Api, tenant_obj
from tests.responses.test_recovery import SETTLING, recovering_case
from tests.responses.test_response_effects import ANGRY, CALM, _inline, admin, mentions, publish

CASES = "/api/v1/cases"
WEIGHTS = {
    "timeliness": 0.20,
    "sla_compliance": 0.15,
    "spread_containment": 0.15,
    "sentiment_recovery": 0.15,
    "follow_up_closure": 0.15,
    "statement_consistency": 0.10,
    "tasks_on_time": 0.10,
}


def open_case(api: Api, slug: str, *, opened: datetime, scenario: str = "product_quality", **fields) -> int:
    case_id = api.post(
        CASES, {"title": "Battery fires", "severity": "II", "scenario": scenario, "activate_playbook": False, **fields}
    ).json()["id"]
    with tenant_context(tenant_obj(slug)):
        CrisisCase.objects.filter(pk=case_id).update(created_at=opened)
    return case_id


def task(slug: str, case_id: int, due: datetime | None, status: str = "open", done: datetime | None = None) -> None:
    with tenant_context(tenant_obj(slug)):
        CaseTask.objects.create(case_id=case_id, title="召回", due_at=due, status=status, completed_at=done)


def follow_up(slug: str, case_id: int, opened: datetime, due: datetime, **settled) -> None:
    with tenant_context(tenant_obj(slug)):
        person = AffectedUser.objects.create(case_id=case_id)
        row = FollowUp.objects.create(case_id=case_id, affected_user=person, type="complaint", due_at=due)
        FollowUp.objects.filter(pk=row.pk).update(created_at=opened, **settled)


def handled(api: Api, slug: str) -> dict:
    """A severity II case (targets: acknowledge 30 min, first statement 240) opened 20 hours ago, acknowledged after
    20 minutes, its first statement out after 360 after a 30-minute approval, the talk from 3 a minute (2 of them
    negative) to 2 a minute (3 in 5 negative) after it; four follow-ups and six tasks."""
    brand = api.post("/api/v1/brands", {"name": "星河手机", "expression": "星河", "kind": "own"}).json()
    now = timezone.now().replace(second=0, microsecond=0)
    opened = now - timedelta(hours=20)
    case_id = open_case(api, slug, opened=opened, brand_ids=[brand["id"]])
    assert api.post(f"{CASES}/{case_id}/transition", {"transition": "assess"}).status_code == 200
    t1 = opened + timedelta(minutes=360)
    mentions(slug, brand["id"], t1 - timedelta(minutes=120), [[ANGRY, ANGRY, CALM]] * 120)
    after = [[ANGRY, CALM], [ANGRY, CALM], [ANGRY, ANGRY], [ANGRY, ANGRY], [CALM, CALM]]
    mentions(slug, brand["id"], t1, after * 24)
    statement_id = publish(api, case_id, "weibo", t1)
    with tenant_context(tenant_obj(slug)):
        CrisisCase.objects.filter(pk=case_id).update(acknowledged_at=opened + timedelta(minutes=20))
        Statement.objects.filter(pk=statement_id).update(submitted_at=t1 - timedelta(minutes=60))
        StatementApproval.objects.create(
            statement_id=statement_id, version=1, role="commander", decision="approved", at=t1 - timedelta(minutes=30)
        )
    due = opened + timedelta(hours=12)
    follow_up(slug, case_id, opened, due, status="resolved", resolved_at=opened + timedelta(hours=10), csat=5)
    follow_up(slug, case_id, opened, due, status="closed", closed_at=opened + timedelta(hours=14), csat=3)
    follow_up(slug, case_id, opened, due)
    follow_up(slug, case_id, opened, due)
    two_hours = opened + timedelta(hours=2)
    task(slug, case_id, two_hours, "done", opened + timedelta(hours=1))
    task(slug, case_id, two_hours, "done", opened + timedelta(hours=3))
    task(slug, case_id, opened + timedelta(hours=4))
    task(slug, case_id, now + timedelta(days=1))
    task(slug, case_id, two_hours, TaskStatus.CANCELLED)
    task(slug, case_id, None, "done", opened)
    return {"case": case_id, "statement": statement_id, "opened": opened, "t1": t1}


def by_name(body: dict) -> dict:
    return {c["name"]: c for c in body["components"]}


def test_every_component_is_computed_from_the_case_s_own_data(alpha):
    api = admin(alpha)
    world = handled(api, alpha.slug)

    response = api.get(f"{CASES}/{world['case']}/evaluation")

    assert response.status_code == 200, response.content
    body = response.json()
    parts = by_name(body)
    assert list(parts) == list(WEIGHTS)
    assert {name: c["value"] for name, c in parts.items()} == {
        # acknowledged in 20 of 30 minutes (100), first statement in 360 of 240 (half way to twice it: 50)
        "timeliness": 75.0,
        # acknowledge met, first statement met late, resolve still running
        "sla_compliance": 50.0,
        # 240 after against 360 forecast: ratio 2/3, 100 × (1.5 − 0.6667)
        "spread_containment": 83.33,
        # negative share 2/3 → 3/5, 6.67 points down: 50 + 5 × 6.67
        "sentiment_recovery": 83.33,
        # closure 2 of 4 (50), 1 of 2 settled by due (50), satisfaction (5 + 3) / 2 = 4 → 75
        "follow_up_closure": 58.33,
        # one live channel, consistent (100); approval 30 of 240 minutes → 87.5
        "statement_consistency": 93.75,
        # 1 on time, 1 late, 1 overdue; one not yet due, one cancelled and one without a due date left out
        "tasks_on_time": 33.33,
    }
    assert {name: c["weight"] for name, c in parts.items()} == WEIGHTS
    assert {name: c["effective_weight"] for name, c in parts.items()} == WEIGHTS
    assert parts["timeliness"]["inputs"] == {
        "detected_at": world["opened"].isoformat(),
        "acknowledge_target_minutes": 30,
        "acknowledge_minutes": 20.0,
        "first_statement_target_minutes": 240,
        "first_statement_minutes": 360.0,
    }
    assert parts["sla_compliance"]["inputs"] == {
        "met": 1,
        "met_late": 1,
        "breached": 0,
        "pending": 1,
        "not_applicable": 0,
        "recorded_breaches": [],
    }
    spread = parts["spread_containment"]["inputs"]
    assert (spread["statement_id"], spread["mentions_before"], spread["mentions_after"]) == (
        world["statement"],
        360,
        240,
    )
    assert (spread["forecast_mentions"], spread["ratio"], spread["after_minutes"]) == (360.0, 0.6667, 120)
    assert parts["sentiment_recovery"]["inputs"] == {
        "negative_share_before": 0.6667,
        "negative_share_after": 0.6,
        "change": -0.0667,
        "recovery_since": None,
        "recovered": None,
        "hours_to_recovery": None,
        "resolve_target_hours": 72.0,
    }
    assert parts["follow_up_closure"]["inputs"] == {
        "follow_ups": 4,
        "settled": 2,
        "closure_rate": 0.5,
        "settled_by_due": 1,
        "mean_hours_to_resolution": 12.0,
        "csat_answers": 2,
        "mean_csat": 4.0,
    }
    assert parts["statement_consistency"]["inputs"] == {
        "published_statements": 1,
        "live_channels": 1,
        "consistent_channels": 1,
        "mean_approval_minutes": 30.0,
        "first_statement_target_minutes": 240,
    }
    assert parts["tasks_on_time"]["inputs"] == {"on_time": 1, "late": 1, "overdue": 1, "not_yet_due": 1}
    expected = sum(WEIGHTS[name] * c["value"] for name, c in parts.items())
    assert body["score"] == round(expected, 2) == pytest.approx(68.96, abs=0.005)
    assert body["grade"] == "C"
    assert parts["timeliness"]["explanation"].startswith("Acknowledged after 20 min against 30")
    assert (
        "240 mentions in the 120 min after the first statement against 360 forecast"
        in (parts["spread_containment"]["explanation"])
    )
    assert all(c["explanation"] for c in body["components"])


def test_components_without_data_are_null_and_the_weights_renormalise(alpha):
    api = admin(alpha)
    now = timezone.now()
    quiet = open_case(api, alpha.slug, opened=now)
    tasks_only = open_case(api, alpha.slug, opened=now)
    task(alpha.slug, tasks_only, now - timedelta(hours=1), "done", now - timedelta(hours=2))
    task(alpha.slug, tasks_only, now - timedelta(hours=1))

    nothing = api.get(f"{CASES}/{quiet}/evaluation").json()
    some = api.get(f"{CASES}/{tasks_only}/evaluation").json()

    assert (nothing["score"], nothing["grade"]) == (None, None)
    assert all(c["value"] is None and c["effective_weight"] == 0.0 for c in nothing["components"])
    assert by_name(nothing)["spread_containment"]["explanation"] == (
        "No statement has been published: nothing to judge."
    )
    assert by_name(nothing)["follow_up_closure"]["explanation"] == "The case has no follow-ups."
    parts = by_name(some)
    assert parts["tasks_on_time"]["value"] == 50.0 and parts["tasks_on_time"]["effective_weight"] == 1.0
    assert (some["score"], some["grade"]) == (50.0, "D")
    assert [name for name, c in parts.items() if c["value"] is not None] == ["tasks_on_time"]
    assert parts["tasks_on_time"]["weight"] == 0.1


def test_the_comparison_scores_earlier_cases_and_drills_of_the_scenario(alpha):
    api = admin(alpha)
    now = timezone.now()
    hour, minute = timedelta(hours=1), timedelta(minutes=1)
    # Opened minutes ago, so that no SLA clock has run out and only the tasks are judged.
    good = open_case(api, alpha.slug, opened=now - 25 * minute)
    bad_drill = open_case(api, alpha.slug, opened=now - 20 * minute, is_drill=True)
    other_scenario = open_case(api, alpha.slug, opened=now - 15 * minute, scenario="data_leak")
    this = open_case(api, alpha.slug, opened=now - 10 * minute)
    later = open_case(api, alpha.slug, opened=now - 5 * minute)
    for case_id, on_time in ((good, 4), (bad_drill, 0), (other_scenario, 4), (this, 1), (later, 4)):
        for k in range(4):
            done = now - 3 * hour if k < on_time else now - hour
            task(alpha.slug, case_id, now - 2 * hour, "done", done)

    body = api.get(f"{CASES}/{this}/evaluation").json()

    assert body["score"] == 25.0
    previous, drills = body["comparison"]["previous_cases"], body["comparison"]["drills"]
    assert [c["case_id"] for c in previous["cases"]] == [good]
    assert (previous["count"], previous["mean_score"], previous["rank"], previous["out_of"]) == (1, 100.0, 2, 2)
    assert previous["cases"][0]["grade"] == "A"
    assert [c["case_id"] for c in drills["cases"]] == [bad_drill]
    assert (drills["count"], drills["mean_score"], drills["rank"], drills["out_of"]) == (1, 0.0, 1, 2)


def test_graphql_answers_what_rest_answers_on_both_fields(alpha):
    api = admin(alpha)
    world = handled(api, alpha.slug)
    rest = api.get(f"{CASES}/{world['case']}/evaluation").json()
    fields = (
        "caseId score grade components { name value weight effectiveWeight inputs explanation } "
        "comparison { previousCases { count meanScore rank outOf } drills { count rank } }"
    )

    top = api.graphql(f"query($id: Int!) {{ caseEvaluation(caseId: $id) {{ {fields} }} }}", {"id": world["case"]})
    nested = api.graphql(f"query($id: Int!) {{ case(id: $id) {{ evaluation {{ {fields} }} }} }}", {"id": world["case"]})

    mine, also = top.json(), nested.json()
    assert "errors" not in mine and "errors" not in also, (mine, also)
    assert mine["data"]["caseEvaluation"] == also["data"]["case"]["evaluation"]
    found = mine["data"]["caseEvaluation"]
    assert (found["caseId"], found["score"], found["grade"]) == (rest["case_id"], rest["score"], rest["grade"])
    assert found["components"] == [
        {
            "name": c["name"],
            "value": c["value"],
            "weight": c["weight"],
            "effectiveWeight": c["effective_weight"],
            "inputs": c["inputs"],
            "explanation": c["explanation"],
        }
        for c in rest["components"]
    ]
    assert found["comparison"]["previousCases"] == {"count": 0, "meanScore": None, "rank": 1, "outOf": 1}


def test_another_tenant_s_case_is_not_found_and_bad_ids_are_not_errors(alpha, beta):
    case_id = open_case(admin(alpha), alpha.slug, opened=timezone.now())
    theirs = admin(beta)

    rest = theirs.get(f"{CASES}/{case_id}/evaluation")
    graphql = theirs.graphql(f"{{ caseEvaluation(caseId: {case_id}) {{ score }} }}").json()
    wrong_type = admin(alpha).graphql('{ caseEvaluation(caseId: "abc") { score } }').json()

    assert rest.status_code == 404 and rest.json()["error"]["code"] == "not_found"
    assert graphql["errors"][0]["extensions"]["code"] == "not_found"
    assert admin(alpha).get(f"{CASES}/999999/evaluation").status_code == 404
    assert admin(alpha).get(f"{CASES}/abc/evaluation").status_code == 404
    assert wrong_type["errors"][0]["message"] == 'Int cannot represent non-integer value: "abc"'
    assert wrong_type.get("data") is None


def test_every_tenant_role_reads_and_no_one_unauthenticated(alpha, make_user, login):
    case_id = open_case(admin(alpha), alpha.slug, opened=timezone.now())
    path = f"{CASES}/{case_id}/evaluation"

    for role in ("viewer", "approver", "responder", "analyst"):
        user = make_user(alpha.slug, role, f"evaluation-{role}@alpha.example")
        assert Api(alpha.slug, auth=login(alpha.slug, user.email)).get(path).status_code == 200, role
    assert Api(alpha.slug).get(path).status_code == 401


def test_the_answer_is_what_the_openapi_document_says(alpha):
    api = admin(alpha)
    world = handled(api, alpha.slug)
    document = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    operation = document["paths"]["/api/v1/cases/{id}/evaluation"]["get"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]

    jsonschema.validate(
        api.get(f"{CASES}/{world['case']}/evaluation").json(), _inline(answer, document["components"]["schemas"])
    )


def test_sentiment_recovery_counts_the_time_back_to_the_baseline_against_the_resolve_target(alpha):
    api = admin(alpha)
    # Severity IV (resolve within 14 days, 336 h), back at its baseline 3 h after reaching recovering, no statement.
    world = recovering_case(api, alpha.slug, SETTLING)

    part = by_name(api.get(f"{CASES}/{world['case']}/evaluation").json())["sentiment_recovery"]

    assert part["value"] == round(100 * (1 - 3 / 336), 2) == 99.11
    assert part["inputs"] == {
        "negative_share_before": None,
        "negative_share_after": None,
        "change": None,
        "recovery_since": world["recovering"].isoformat(),
        "recovered": True,
        "hours_to_recovery": 3.0,
        "resolve_target_hours": 336.0,
    }
    assert part["explanation"] == (
        "Back at the pre-crisis baseline 3 h after recovery began, against the 336 h resolve target (100 at once, 0 "
        "at the target)."
    )


def reposts(slug: str, root: str, times: list[datetime]) -> list[Mention]:
    rows = [
        Mention(
            platform="weibo",
            external_id=f"{root}-{at.timestamp():.0f}-{i}",
            text="转发",
            published_at=at,
            parent_external_id=root,
            root_external_id=root,
            relation="repost",
            content_hash=f"{root}-{i}",
        )
        for i, at in enumerate(times)
    ]
    with tenant_context(tenant_obj(slug)):
        return Mention.objects.bulk_create(rows)


def test_spread_containment_also_weighs_the_case_s_cascades_against_their_forecast_at_the_statement(alpha):
    api = admin(alpha)
    world = handled(api, alpha.slug)
    published = world["opened"] + timedelta(minutes=360)
    with tenant_context(tenant_obj(alpha.slug)):
        root = Mention.objects.create(
            platform="weibo", external_id="fire", text="星河手机起火", published_at=published - timedelta(hours=1)
        )
    early = reposts(alpha.slug, "fire", [root.published_at + timedelta(minutes=1 + i) for i in range(40)])
    with tenant_context(tenant_obj(alpha.slug)):
        CrisisCase.objects.get(pk=world["case"]).evidence.add(root, early[5])

    def containment() -> dict:
        return by_name(api.get(f"{CASES}/{world['case']}/evaluation").json())["spread_containment"]

    stopped = containment()
    reposts(alpha.slug, "fire", [published + timedelta(minutes=1, seconds=i) for i in range(400)])
    spread = containment()

    # The evidence repost leads to the same original post, counted once.
    (before,), (row,) = stopped["inputs"]["cascades"], spread["inputs"]["cascades"]
    assert (row["mention_id"], row["size_at_statement"], before["size_now"], row["size_now"]) == (root.pk, 41, 41, 441)
    assert row["method"] == "seismic" and row["forecast_final_size"] == before["forecast_final_size"] >= 41
    for found in (stopped, spread):
        (part,) = found["inputs"]["cascades"]
        parts = (found["inputs"]["ratio"], part["size_now"] / part["forecast_final_size"])
        assert found["value"] == pytest.approx(sum(max(0.0, min(100.0, 100 * (1.5 - r))) for r in parts) / 2, abs=0.01)
        assert "largest cascade" in found["explanation"]
    assert stopped["value"] > spread["value"]
