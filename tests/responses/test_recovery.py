"""GET /api/v1/cases/{id}/recovery and GraphQL caseRecovery / case { recovery }: the case's talk hour by hour from
`recovering` against its pre-crisis baseline, and the beat's `case.recovered`, once."""

from datetime import datetime, timedelta

import jsonschema
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention
from responses.models import CaseEvent, CrisisCase
from responses.recovery.services import recovery_check
from tenants.notifications.models import Delivery
from tests.conftest import Api, tenant_obj
from tests.responses.test_response_effects import _inline, admin

CASES = "/api/v1/cases"
HOUR = timedelta(hours=1)


def stamp(at: datetime) -> str:
    """How both the API and webhooks write a time on the hour (config.timestamps)."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def hourly(slug: str, brand_id: int, start: datetime, per_hour: list[tuple[int, int]]) -> None:
    """For each hour from `start`, (mentions, of which negative): the negative ones angry, the others calm."""
    rows = [
        Mention(
            platform="weibo",
            external_id=f"rc-{brand_id}-{start.timestamp():.0f}-{hour}-{j}",
            text="星河手机",
            published_at=start + timedelta(hours=hour, seconds=1 + j),
            sentiment="negative" if j < negative else "neutral",
            emotion="angry" if j < negative else "neutral",
            matched_brands=[brand_id],
            content_hash=f"rc{brand_id}-{start.timestamp():.0f}-{hour}-{j}",
        )
        for hour, (total, negative) in enumerate(per_hour)
        for j in range(total)
    ]
    with tenant_context(tenant_obj(slug)):
        Mention.objects.bulk_create(rows)


def recovering_case(api: Api, slug: str, after: list[tuple[int, int]]) -> dict:
    """A case opened 30 hours ago on a brand whose week before was 4 mentions an hour, 1 of them negative, in
    `recovering` since 10 hours after opening, with `after` as its hours from then."""
    brand = api.post("/api/v1/brands", {"name": f"星河{len(after)}", "expression": "星河", "kind": "own"}).json()
    case_id = api.post(
        CASES, {"title": "Battery fires", "brand_ids": [brand["id"]], "activate_playbook": False}
    ).json()["id"]
    opened = timezone.now().replace(minute=0, second=0, microsecond=0) - 30 * HOUR
    recovering = opened + 10 * HOUR
    hourly(slug, brand["id"], opened - 7 * 24 * HOUR, [(4, 1)] * (7 * 24))
    hourly(slug, brand["id"], opened, [(30, 20)] * 10)
    hourly(slug, brand["id"], recovering, after)
    for transition in ("respond", "recover"):
        assert api.post(f"{CASES}/{case_id}/transition", {"transition": transition}).status_code == 200
    with tenant_context(tenant_obj(slug)):
        CrisisCase.objects.filter(pk=case_id).update(created_at=opened, recovering_at=recovering)
    return {"case": case_id, "opened": opened, "recovering": recovering}


# Too loud (10 > 4 × 1.2), within, too negative (2 of 4 against 1 in 4 + 5 points), then six hours within.
SETTLING = [(10, 2), (4, 1), (4, 2), (3, 0), (0, 0), (4, 1), (4, 1), (4, 1), (4, 1)]


def test_the_talk_is_measured_against_the_baseline_and_recovers_after_six_hours_within(alpha):
    api = admin(alpha)
    world = recovering_case(api, alpha.slug, SETTLING)

    response = api.get(f"{CASES}/{world['case']}/recovery")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["settings"] == {
        "baseline_days": 7,
        "volume_tolerance": 0.2,
        "negative_share_tolerance": 0.05,
        "sustained_hours": 6,
    }
    baseline = body["baseline"]
    assert (baseline["hours"], baseline["mentions"], baseline["per_hour"], baseline["negative_share"]) == (
        168,
        672,
        4.0,
        0.25,
    )
    assert baseline["emotion_mix"] == {
        "angry": 0.25,
        "fear": 0.0,
        "happy": 0.0,
        "neutral": 0.75,
        "sad": 0.0,
        "surprise": 0.0,
    }
    assert baseline["until"] == stamp(world["opened"])
    intervals = body["intervals"]
    # 20 whole hours since recovering (21 if the hour turned during the test).
    assert len(intervals) in (20, 21)
    assert [(i["mentions"], i["negative"], i["within"]) for i in intervals[:9]] == [
        (10, 2, False),
        (4, 1, True),
        (4, 2, False),
        (3, 0, True),
        (0, 0, True),
        (4, 1, True),
        (4, 1, True),
        (4, 1, True),
        (4, 1, True),
    ]
    loud, _, negative, quiet, silent = intervals[:5]
    assert (loud["volume_distance"], loud["negative_share"], loud["negative_share_distance"]) == (1.5, 0.2, -0.05)
    assert loud["emotion_distance"]["angry"] == -0.05 and loud["emotion_distance"]["neutral"] == 0.05
    assert (negative["volume_distance"], negative["negative_share_distance"]) == (0.0, 0.25)
    assert (quiet["volume_distance"], quiet["negative_share_distance"]) == (-0.25, -0.25)
    assert (silent["negative_share"], silent["negative_share_distance"], silent["emotion_distance"]) == (
        None,
        None,
        None,
    )
    recovered_at = world["recovering"] + 3 * HOUR
    assert (body["recovered"], body["hours_to_recovery"]) == (True, 3.0)
    assert body["recovered_at"] == stamp(recovered_at)
    assert body["explanation"].startswith(
        "Baseline over the 7 days before detection: 4 mentions an hour, 25.0% negative. Recovered at "
    )


def test_a_talk_still_heated_has_not_recovered_and_a_case_not_recovering_has_nothing_to_track(alpha):
    api = admin(alpha)
    heated = recovering_case(api, alpha.slug, [(4, 1), (4, 1), (9, 1)] * 8)
    fresh = api.post(CASES, {"title": "Fresh", "activate_playbook": False}).json()["id"]

    hot = api.get(f"{CASES}/{heated['case']}/recovery").json()
    nothing = api.get(f"{CASES}/{fresh}/recovery").json()

    assert hot["recovered"] is False and hot["recovered_at"] is None and hot["hours_to_recovery"] is None
    assert [i["within"] for i in hot["intervals"][:6]] == [True, True, False, True, True, False]
    assert "Not recovered in the" in hot["explanation"]
    assert (nothing["since"], nothing["intervals"], nothing["recovered"]) == (None, [], False)
    assert nothing["explanation"] == "The case has not reached recovering: nothing to track yet."
    assert (nothing["baseline"]["mentions"], nothing["baseline"]["negative_share"]) == (0, None)


def test_the_beat_announces_case_recovered_once(alpha, django_capture_on_commit_callbacks):
    api = admin(alpha)
    settled = recovering_case(api, alpha.slug, SETTLING)
    heated = recovering_case(api, alpha.slug, [(9, 1)] * 20)
    channel = api.post(
        "/api/v1/notification-channels",
        {"name": "ops", "kind": "email", "emails": ["ops@alpha.example"], "event_types": ["case.recovered"]},
    )
    assert channel.status_code == 201, channel.content

    with tenant_context(tenant_obj(alpha.slug)):
        with django_capture_on_commit_callbacks():
            first = recovery_check()
            second = recovery_check()
        deliveries = list(Delivery.objects.filter(event_type="case.recovered"))
        events = list(CaseEvent.objects.filter(kind="recovered"))

    assert [e.case_id for e in first] == [settled["case"]] and second == []
    assert [e.case_id for e in events] == [settled["case"]]
    assert heated["case"] not in [e.case_id for e in events]
    (delivery,) = deliveries
    data = delivery.payload["data"]
    recovered_at = settled["recovering"] + 3 * HOUR
    assert data["case"]["id"] == settled["case"] and data["hours_to_recovery"] == 3.0
    assert data["recovered_at"] == stamp(recovered_at)


def test_graphql_answers_what_rest_answers_on_both_fields(alpha):
    api = admin(alpha)
    world = recovering_case(api, alpha.slug, SETTLING)
    rest = api.get(f"{CASES}/{world['case']}/recovery").json()
    fields = (
        "caseId since recovered recoveredAt hoursToRecovery explanation settings { sustainedHours volumeTolerance } "
        "baseline { hours perHour negativeShare emotionMix { angry neutral } } "
        "intervals { at mentions negativeShare volumeDistance negativeShareDistance emotionDistance { angry } within }"
    )

    top = api.graphql(f"query($id: Int!) {{ caseRecovery(caseId: $id) {{ {fields} }} }}", {"id": world["case"]}).json()
    nested = api.graphql(f"query($id: Int!) {{ case(id: $id) {{ recovery {{ {fields} }} }} }}", {"id": world["case"]})

    assert "errors" not in top, top
    mine = top["data"]["caseRecovery"]
    assert mine == nested.json()["data"]["case"]["recovery"]
    assert (mine["recovered"], mine["hoursToRecovery"], mine["explanation"]) == (
        rest["recovered"],
        rest["hours_to_recovery"],
        rest["explanation"],
    )
    assert mine["baseline"] == {
        "hours": 168,
        "perHour": 4.0,
        "negativeShare": 0.25,
        "emotionMix": {"angry": 0.25, "neutral": 0.75},
    }
    assert [(i["mentions"], i["within"], i["volumeDistance"]) for i in mine["intervals"][:9]] == [
        (i["mentions"], i["within"], i["volume_distance"]) for i in rest["intervals"][:9]
    ]


def test_another_tenant_s_case_is_not_found_and_bad_ids_are_not_errors(alpha, beta):
    case_id = admin(alpha).post(CASES, {"title": "Mine", "activate_playbook": False}).json()["id"]
    theirs = admin(beta)

    rest = theirs.get(f"{CASES}/{case_id}/recovery")
    graphql = theirs.graphql(f"{{ caseRecovery(caseId: {case_id}) {{ recovered }} }}").json()
    wrong_type = admin(alpha).graphql('{ caseRecovery(caseId: "abc") { recovered } }').json()

    assert rest.status_code == 404 and rest.json()["error"]["code"] == "not_found"
    assert graphql["errors"][0]["extensions"]["code"] == "not_found"
    assert admin(alpha).get(f"{CASES}/999999/recovery").status_code == 404
    assert admin(alpha).get(f"{CASES}/1x/recovery").status_code == 404
    assert wrong_type["errors"][0]["message"] == 'Int cannot represent non-integer value: "abc"'


def test_every_tenant_role_reads_and_no_one_unauthenticated(alpha, make_user, login):
    case_id = admin(alpha).post(CASES, {"title": "Roles", "activate_playbook": False}).json()["id"]
    path = f"{CASES}/{case_id}/recovery"

    for role in ("viewer", "approver", "responder", "analyst"):
        user = make_user(alpha.slug, role, f"recovery-{role}@alpha.example")
        assert Api(alpha.slug, auth=login(alpha.slug, user.email)).get(path).status_code == 200, role
    assert Api(alpha.slug).get(path).status_code == 401


def test_the_answer_is_what_the_openapi_document_says(alpha):
    api = admin(alpha)
    world = recovering_case(api, alpha.slug, SETTLING)
    document = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    operation = document["paths"]["/api/v1/cases/{id}/recovery"]["get"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]

    body = api.get(f"{CASES}/{world['case']}/recovery").json()
    jsonschema.validate(body, _inline(answer, document["components"]["schemas"]))
