"""GET /api/v1/cases/{id}/response-effects and GraphQL caseResponseEffects / case { responseEffects }: what the case's
talk did around each statement publication, reply-script use and critical task done, with a verdict."""

import math
import statistics
from datetime import datetime, timedelta

import jsonschema
import numpy
from django.utils import timezone
from django_tenants.utils import tenant_context
from scipy import stats

from monitoring.models import Mention
from responses.models import CaseTask
from tests.conftest import Api, key_auth, tenant_obj

CASES = "/api/v1/cases"
Z80 = statistics.NormalDist().inv_cdf(0.9)


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def mentions(slug: str, brand_id: int, start: datetime, per_minute) -> None:
    """For each minute from `start`, the (sentiment, emotion) of the mentions published in it."""
    rows = []
    for minute, said in enumerate(per_minute):
        for j, (sentiment, emotion) in enumerate(said):
            rows.append(
                Mention(
                    platform="weibo",
                    external_id=f"fx-{start.timestamp():.0f}-{minute}-{j}",
                    text="星河手机",
                    published_at=start + timedelta(minutes=minute, seconds=1 + j),
                    sentiment=sentiment,
                    emotion=emotion,
                    matched_brands=[brand_id],
                    content_hash=f"{start.timestamp():.0f}{minute}{j}",
                )
            )
    with tenant_context(tenant_obj(slug)):
        Mention.objects.bulk_create(rows)


ANGRY = ("negative", "angry")
FEAR = ("negative", "fear")
CALM = ("neutral", "neutral")


def publish(api: Api, case_id: int, channel: str, at: datetime) -> int:
    statement = api.post(
        f"{CASES}/{case_id}/statements", {"title": f"说明 {channel}", "body": "我们已关注。", "required_approvals": []}
    ).json()
    assert api.post(f"/api/v1/statements/{statement['id']}/submit").status_code == 200
    published = api.post(
        f"/api/v1/statements/{statement['id']}/publish",
        {"channel": channel, "url": f"https://{channel}.example/s", "published_at": at.isoformat()},
    )
    assert published.status_code == 201, published.content
    return statement["id"]


def crisis(api: Api, slug: str) -> dict:
    """A case on one brand with a hand-made stream: a statement at T1 followed by a clear drop in volume and
    negativity, another at T2 followed by a surge, a critical task done at T0 with nothing said around it, and a
    reply script used just now."""
    brand = api.post("/api/v1/brands", {"name": "星河手机", "expression": "星河", "kind": "own"}).json()
    case_id = api.post(
        CASES,
        {"title": "Battery fires", "severity": "II", "brand_ids": [brand["id"]], "activate_playbook": False},
    ).json()["id"]
    now = timezone.now().replace(second=0, microsecond=0)
    t0, t1, t2 = now - timedelta(hours=20), now - timedelta(hours=10), now - timedelta(hours=4)
    two_hours = 120
    # Before T1: three a minute, two of them angry. After: one a minute, every fourth minute angry.
    mentions(slug, brand["id"], t1 - timedelta(minutes=two_hours), [[ANGRY, ANGRY, CALM]] * two_hours)
    mentions(slug, brand["id"], t1, [[ANGRY] if k % 4 == 0 else [CALM] for k in range(two_hours)])
    # Before T2: as before T1. After: the same three plus one more fearful mention every ten minutes, cumulatively.
    mentions(slug, brand["id"], t2 - timedelta(minutes=two_hours), [[ANGRY, ANGRY, CALM]] * two_hours)
    mentions(slug, brand["id"], t2, [[ANGRY, ANGRY, CALM] + [FEAR] * (k // 10) for k in range(two_hours)])
    calmed_id = publish(api, case_id, "weibo", t1)
    inflamed_id = publish(api, case_id, "website", t2)
    task = api.post(f"{CASES}/{case_id}/tasks", {"title": "召回批次", "priority": "critical"}).json()
    assert api.patch(f"/api/v1/tasks/{task['id']}", {"status": "done"}).status_code == 200
    with tenant_context(tenant_obj(slug)):
        CaseTask.objects.filter(pk=task["id"]).update(completed_at=t0)
    script = api.post("/api/v1/reply-scripts", {"name": "致歉", "body": "您好{name}，我们深表歉意。"}).json()
    assert api.post(f"/api/v1/reply-scripts/{script['id']}/approve").status_code == 200
    rendered = api.post(
        f"/api/v1/reply-scripts/{script['id']}/render", {"variables": {"name": "王"}, "case_id": case_id}
    )
    assert rendered.status_code == 200, rendered.content
    return {
        "case": case_id,
        "brand": brand["id"],
        "t0": t0,
        "t1": t1,
        "t2": t2,
        "calmed": calmed_id,
        "inflamed": inflamed_id,
        "task": task["id"],
        "script": script["id"],
    }


def expected_deviation(per_bin: float, bins: int) -> float:
    """What the flat Poisson forecast of a flat history gives: the larger of the Poisson deviation of the sum and
    the per-bin 80% intervals read as normal deviations, summed in quadrature."""
    low, high = stats.poisson(per_bin).ppf([0.1, 0.9])
    return round(max(math.sqrt(per_bin * bins), math.sqrt(bins * ((high - low) / (2 * Z80)) ** 2)), 4)


def test_a_drop_is_calmed_a_surge_inflamed_and_silence_no_change_in_time_order(alpha):
    api = admin(alpha)
    world = crisis(api, alpha.slug)

    link = api.get(f"{CASES}/{world['case']}").json()["response_effects"]
    response = api.get(link)

    assert link == f"{CASES}/{world['case']}/response-effects"
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["case_id"], body["scope"], body["before_minutes"], body["after_minutes"]) == (
        world["case"],
        f"case:{world['case']}",
        120,
        120,
    )
    kinds = [(a["kind"], a["verdict"]) for a in body["actions"]]
    assert kinds == [
        ("critical_task_completed", "no_change"),
        ("statement_published", "calmed"),
        ("statement_published", "inflamed"),
        ("reply_script_used", "no_change"),
    ]
    task, calmed, inflamed, script = body["actions"]

    assert task["task_id"] == world["task"]
    assert task["windows"]["before"]["mentions"] == task["windows"]["after"]["mentions"] == 0
    assert task["explanation"] == "No mentions in the 120 minutes before: nothing to compare with."

    deviation = expected_deviation(15, 24)
    assert calmed["statement_id"] == world["calmed"] and calmed["channel"] == "weibo" and calmed["version"] == 1
    before, after = calmed["windows"]["before"], calmed["windows"]["after"]
    assert before == {
        "minutes": 120,
        "mentions": 360,
        "per_hour": 180.0,
        "slope_per_hour": 0.0,
        "negative": 240,
        "negative_share": 0.6667,
        "emotions": {"angry": 240, "fear": 0, "happy": 0, "neutral": 120, "sad": 0, "surprise": 0},
        "emotion_mix": {"angry": 0.6667, "fear": 0.0, "happy": 0.0, "neutral": 0.3333, "sad": 0.0, "surprise": 0.0},
    }
    assert (after["minutes"], after["mentions"], after["per_hour"], after["slope_per_hour"]) == (120, 120, 60.0, 0.0)
    assert (after["negative"], after["negative_share"], after["complete"]) == (30, 0.25, True)
    assert after["emotions"]["angry"] == 30 and after["emotions"]["neutral"] == 90
    assert calmed["forecast"] == {
        "model": "ets_damped_trend",
        "bin_minutes": 5,
        "history_bins": 24,
        "minutes": 120,
        "mentions": 360.0,
        "deviation": deviation,
    }
    pooled = 270 / 480
    negative_z = (0.25 - 240 / 360) / math.sqrt(pooled * (1 - pooled) * (1 / 360 + 1 / 120))
    assert calmed["inputs"] == {
        "mentions_before": 360,
        "mentions_after": 120,
        "after_minutes_elapsed": 120,
        "forecast_mentions": 360.0,
        "forecast_deviation": deviation,
        "volume_z": round((120 - 360) / deviation, 4),
        "volume_signal": -1,
        "negative_share_before": 0.6667,
        "negative_share_after": 0.25,
        "negative_share_change": round(0.25 - 240 / 360, 4),
        "negative_z": round(negative_z, 4),
        "negative_signal": -1,
        "slope_before": 0.0,
        "slope_after": 0.0,
        "thresholds": {"z": 2.0, "share_change": 0.05},
    }
    assert calmed["explanation"].startswith("120 mentions in the 120 minutes after against 360 forecast")
    assert calmed["explanation"].endswith("negative share 67% → 25% (z " + f"{negative_z:+.2f}): the talk calmed.")

    ramp = [3 + k // 10 for k in range(120)]
    after = inflamed["windows"]["after"]
    assert inflamed["statement_id"] == world["inflamed"] and inflamed["channel"] == "website"
    assert (after["mentions"], after["negative"]) == (sum(ramp), sum(ramp) - 120) == (1020, 900)
    assert after["negative_share"] == round(900 / 1020, 4)
    assert after["emotions"]["fear"] == 660 and after["emotion_mix"]["fear"] == round(660 / 1020, 4)
    assert after["slope_per_hour"] == round(3600 * numpy.polyfit(range(120), ramp, 1)[0], 4)
    assert inflamed["windows"]["before"]["mentions"] == 360
    assert inflamed["forecast"]["mentions"] == 360.0
    assert inflamed["inputs"]["volume_z"] == round((1020 - 360) / deviation, 4)
    assert (inflamed["inputs"]["volume_signal"], inflamed["inputs"]["negative_signal"]) == (1, 1)
    assert inflamed["explanation"].endswith("the talk grew more heated.")

    assert script["script_id"] == world["script"] and script["windows"]["after"]["complete"] is False
    assert script["at"] >= calmed["at"]


def test_the_windows_follow_the_parameters(alpha):
    api = admin(alpha)
    world = crisis(api, alpha.slug)

    one_hour = api.get(f"{CASES}/{world['case']}/response-effects?window=60").json()
    uneven = api.get(f"{CASES}/{world['case']}/response-effects?before=30&after=90").json()

    calmed = one_hour["actions"][1]
    assert (one_hour["before_minutes"], one_hour["after_minutes"]) == (60, 60)
    assert (calmed["windows"]["before"]["mentions"], calmed["windows"]["after"]["mentions"]) == (180, 60)
    assert calmed["forecast"]["history_bins"] == 12 and calmed["verdict"] == "calmed"
    calmed = uneven["actions"][1]
    assert (calmed["windows"]["before"]["minutes"], calmed["windows"]["after"]["minutes"]) == (30, 90)
    assert (calmed["windows"]["before"]["mentions"], calmed["windows"]["after"]["mentions"]) == (90, 90)
    assert calmed["forecast"]["mentions"] == 270.0


def test_graphql_answers_what_rest_answers_on_both_fields(alpha):
    api = admin(alpha)
    world = crisis(api, alpha.slug)
    rest = api.get(f"{CASES}/{world['case']}/response-effects?window=60").json()
    fields = (
        "beforeMinutes actions { kind at statementId taskId scriptId verdict explanation "
        "windows { before { mentions negativeShare slopePerHour emotionMix { angry } } after { mentions complete } } "
        "forecast { mentions deviation } inputs { volumeZ negativeZ volumeSignal negativeSignal thresholdZ } }"
    )

    top = api.graphql(
        f"query($id: Int!) {{ caseResponseEffects(caseId: $id, window: 60) {{ {fields} }} }}", {"id": world["case"]}
    ).json()
    nested = api.graphql(
        f"query($id: Int!) {{ case(id: $id) {{ responseEffects(window: 60) {{ {fields} }} }} }}", {"id": world["case"]}
    ).json()

    assert "errors" not in top and "errors" not in nested, (top, nested)
    mine = top["data"]["caseResponseEffects"]
    assert mine["beforeMinutes"] == 60
    assert [a["kind"] for a in mine["actions"]] == [a["kind"] for a in rest["actions"]]
    # The script was used just now: its after window grows by the minute, so a clock tick between the three reads
    # may change it; the finished actions must agree exactly.
    done = [k for k, a in enumerate(rest["actions"]) if a["windows"]["after"]["complete"]]
    assert len(done) == 3
    assert [nested["data"]["case"]["responseEffects"]["actions"][k] for k in done] == [mine["actions"][k] for k in done]
    assert [(mine["actions"][k]["verdict"], mine["actions"][k]["explanation"]) for k in done] == [
        (rest["actions"][k]["verdict"], rest["actions"][k]["explanation"]) for k in done
    ]
    for theirs, ours in ((rest["actions"][k], mine["actions"][k]) for k in done):
        assert ours["inputs"]["volumeZ"] == theirs["inputs"]["volume_z"]
        assert ours["inputs"]["negativeZ"] == theirs["inputs"]["negative_z"]
        assert ours["forecast"] == {k: theirs["forecast"][k] for k in ("mentions", "deviation")}
        assert ours["windows"]["before"]["mentions"] == theirs["windows"]["before"]["mentions"]
        assert ours["windows"]["after"]["complete"] == theirs["windows"]["after"]["complete"]
    assert mine["actions"][1]["windows"]["before"]["emotionMix"]["angry"] == 0.6667


def test_a_case_with_nothing_done_has_no_actions(alpha):
    api = admin(alpha)
    case_id = api.post(CASES, {"title": "Quiet", "activate_playbook": False}).json()["id"]

    body = api.get(f"{CASES}/{case_id}/response-effects").json()

    assert body["actions"] == [] and body["case_id"] == case_id


def test_another_tenant_s_case_is_not_found_on_both_faces(alpha, beta):
    world = crisis(admin(alpha), alpha.slug)
    theirs = admin(beta)

    rest = theirs.get(f"{CASES}/{world['case']}/response-effects")
    graphql = theirs.graphql(f"{{ caseResponseEffects(caseId: {world['case']}) {{ caseId }} }}").json()
    missing = admin(alpha).get(f"{CASES}/999999/response-effects")

    assert rest.status_code == 404 and rest.json()["error"]["code"] == "not_found"
    assert graphql["errors"][0]["extensions"]["code"] == "not_found"
    assert missing.status_code == 404


def test_every_tenant_role_reads_and_no_one_unauthenticated(alpha, make_user, login):
    api = admin(alpha)
    case_id = api.post(CASES, {"title": "Roles", "activate_playbook": False}).json()["id"]
    path = f"{CASES}/{case_id}/response-effects"

    for role in ("viewer", "approver", "responder", "analyst"):
        user = make_user(alpha.slug, role, f"effects-{role}@alpha.example")
        assert Api(alpha.slug, auth=login(alpha.slug, user.email)).get(path).status_code == 200, role
    assert Api(alpha.slug).get(path).status_code == 401


def test_bad_windows_are_400s_naming_the_field(alpha):
    api = admin(alpha)
    case_id = api.post(CASES, {"title": "Bad input", "activate_playbook": False}).json()["id"]
    path = f"{CASES}/{case_id}/response-effects"

    cases = {
        "?window=7": "window",
        "?window=100000000000000000000000": "window",
        "?before=10000": "before",
        "?after=17": "after",
        "?after=-5": "after",
        "?before=abc": "before",
        "?window=60&before=60": "window",
    }
    for query, field in cases.items():
        response = api.get(path + query)
        assert response.status_code == 400, (query, response.content)
        assert response.json()["error"]["field"] == field, query
    graphql = api.graphql(f"{{ caseResponseEffects(caseId: {case_id}, after: 17) {{ caseId }} }}").json()
    assert graphql["errors"][0]["extensions"]["field"] == "after"


def test_a_script_used_for_an_unknown_case_is_a_404_and_counts_nothing(alpha):
    api = admin(alpha)
    script = api.post("/api/v1/reply-scripts", {"name": "致歉2", "body": "您好"}).json()
    api.post(f"/api/v1/reply-scripts/{script['id']}/approve")

    response = api.post(f"/api/v1/reply-scripts/{script['id']}/render", {"variables": {}, "case_id": 999999})

    assert response.status_code == 404 and response.json()["error"]["field"] == "case_id"
    assert api.get(f"/api/v1/reply-scripts/{script['id']}").json()["usage_count"] == 0


def _inline(node, components):
    """An OpenAPI 3.0 schema as plain JSON Schema: references inlined, `nullable` as a null alternative."""
    if isinstance(node, list):
        return [_inline(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inline(components[node["$ref"].rsplit("/", 1)[-1]], components)
    plain = {k: _inline(v, components) for k, v in node.items() if k not in ("nullable", "readOnly", "writeOnly")}
    return {"anyOf": [plain, {"type": "null"}]} if node.get("nullable") else plain


def test_the_answer_is_what_the_openapi_document_says(alpha):
    api = admin(alpha)
    world = crisis(api, alpha.slug)
    document = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    operation = document["paths"]["/api/v1/cases/{id}/response-effects"]["get"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]

    body = api.get(f"{CASES}/{world['case']}/response-effects").json()

    assert {p["name"] for p in operation["parameters"]} >= {"id", "before", "after", "window"}
    jsonschema.validate(body, _inline(answer, document["components"]["schemas"]))
