"""The post-crisis watch: resolving a case starts a warning policy on its scope that expires after the tenant's watch
period (GET /api/v1/cases/{id}/watch, GraphQL caseWatch); an alert it opens is a recurrence, on the timeline and sent
as `case.recurrence`; POST /api/v1/cases/{id}/watch/end (endCaseWatch) ends it; /api/v1/watch-settings sets the
period."""

from datetime import datetime, timedelta
from typing import Any

import jsonschema
from django.test import TestCase
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tenants.utils import tenant_context

from monitoring.models import Alert, AlertEvent, WarningPolicy
from monitoring.warning.engine import warning_scope_retry
from monitoring.warning.handlers import Change
from responses.models import CaseEvent, CrisisCase, WatchSettings
from responses.watch.handlers import alert_recurrence
from tenants.notifications.catalogue import CATALOGUE
from tenants.notifications.models import Delivery
from tests.conftest import Api, tenant_obj
from tests.responses.test_promotion import admin, surge
from tests.responses.test_promotion import watch as brand_volume_policy
from tests.responses.test_response_effects import _inline

CASES = "/api/v1/cases"
SETTINGS = "/api/v1/watch-settings"
WATCH_FIELDS = "policy active startedAt expiresAt recurrences { alert level openedAt }"


def at(value: str) -> datetime:
    parsed = parse_datetime(value)
    assert parsed is not None, value
    return parsed


def resolve(api: Api, case_id: int, *transitions: str) -> None:
    for transition in transitions or ("respond", "resolve"):
        response = api.post(f"{CASES}/{case_id}/transition", {"transition": transition})
        assert response.status_code == 200, (transition, response.content)


def promoted_case(api: Api, item: Any) -> dict[str, Any]:
    """A case the brand volume policy opened from a red alert on an own brand, resolved."""
    brand = brand_volume_policy(api)
    now = timezone.now()
    surge(api, item, 9, now)
    (case,) = api.get(CASES).json()["results"]
    resolve(api, case["id"])
    return {"case": case["id"], "brand": brand["id"], "alert": case["opened_from_alert"], "now": now}


def hand_case(api: Api, title: str = "Rumour", **fields: Any) -> int:
    response = api.post(CASES, {"title": title, "activate_playbook": False, **fields})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def watch_policies(slug: str) -> list[WarningPolicy]:
    with tenant_context(tenant_obj(slug)):
        return list(WarningPolicy.objects.filter(name__startswith="Post-crisis watch: "))


def test_resolving_watches_the_case_brands_with_the_opening_policys_indicators_for_14_days(alpha, item):
    api = admin(alpha)
    world = promoted_case(api, item)

    body = api.get(f"{CASES}/{world['case']}/watch").json()
    case = api.get(f"{CASES}/{world['case']}").json()
    policy = api.get(f"/api/v1/warning-policies/{body['policy']}").json()
    opening = api.get(f"/api/v1/alerts/{world['alert']}").json()
    template = api.get(f"/api/v1/warning-policies/{opening['policy']}").json()
    timeline = api.get(f"{CASES}/{world['case']}/timeline").json()["results"]

    assert body["active"] is True and body["recurrences"] == []
    assert at(body["started_at"]) == at(case["resolved_at"])
    assert at(body["expires_at"]) == at(case["resolved_at"]) + timedelta(days=14) == at(policy["expires_at"])
    assert policy["name"] == f"Post-crisis watch: {case['title']} (case #{case['id']})"
    assert (policy["scope_kind"], policy["scope_ids"]) == ("brand", [world["brand"]])
    for same in ("indicators", "thresholds", "weighting", "resolve_below", "resolve_after", "realert_minutes"):
        assert policy[same] == template[same], same
    assert template["expires_at"] is None
    assert [e["kind"] for e in timeline[-2:]] == ["transition", "watch_started"]
    assert timeline[-1]["data"] == {"policy_id": policy["id"], "expires_at": body["expires_at"]}


def test_a_case_without_brands_watches_its_alerts_scope_else_the_whole_tenant_with_the_default_indicators(alpha):
    api = admin(alpha)
    rule = api.post("/api/v1/rules", {"name": "Recall", "expression": "召回"}).json()
    with tenant_context(tenant_obj(alpha.slug)):
        now = timezone.now()
        alert = Alert.objects.create(
            policy=WarningPolicy.objects.get(),
            scope=f"rule:{rule['id']}",
            status="resolved",
            level="orange",
            peak_level="orange",
            index_value=70,
            peak_index=70,
            indicators=[],
            opened_at=now,
            last_evaluated_at=now,
        )
    on_rule = hand_case(api, "Recall rumour")
    assert api.post(f"{CASES}/{on_rule}/links", {"alert_ids": [alert.pk]}).status_code == 200
    everywhere = hand_case(api, "Rumour")

    for case_id in (on_rule, everywhere):
        resolve(api, case_id)

    rule_watch, tenant_watch = (
        api.get(f"/api/v1/warning-policies/{api.get(f'{CASES}/{c}/watch').json()['policy']}").json()
        for c in (on_rule, everywhere)
    )
    assert (rule_watch["scope_kind"], rule_watch["scope_ids"]) == ("rule", [rule["id"]])
    assert (tenant_watch["scope_kind"], tenant_watch["scope_ids"]) == ("tenant", [])
    assert [(i["key"], i["type"]) for i in tenant_watch["indicators"]] == [
        ("volume", "volume_anomaly"),
        ("negative", "negative_ratio"),
    ]


def test_a_period_of_0_days_disables_the_watch(alpha):
    api = admin(alpha)
    changed = api.patch(SETTINGS, {"watch_days": 0})
    case_id = hand_case(api)

    resolve(api, case_id)

    assert changed.status_code == 200, changed.content
    assert changed.json() == {"watch_days": 0, "is_default": False} == api.get(SETTINGS).json()
    assert api.get(f"{CASES}/{case_id}/watch").json() == {
        "policy": None,
        "active": False,
        "started_at": None,
        "expires_at": None,
        "recurrences": [],
    }
    assert watch_policies(alpha.slug) == []


def test_a_drill_is_not_watched(alpha):
    api = admin(alpha)
    drill = hand_case(api, "Drill: rumour", is_drill=True)

    resolve(api, drill)

    assert api.get(f"{CASES}/{drill}/watch").json()["policy"] is None
    assert watch_policies(alpha.slug) == []


def test_the_period_set_is_the_one_a_resolution_uses(alpha):
    api = admin(alpha)
    default = api.get(SETTINGS).json()
    api.patch(SETTINGS, {"watch_days": 3})
    case_id = hand_case(api)

    resolve(api, case_id)

    body = api.get(f"{CASES}/{case_id}/watch").json()
    assert default == {"watch_days": 14, "is_default": True}
    assert at(body["expires_at"]) - at(body["started_at"]) == timedelta(days=3)


def test_reopening_ends_the_watch_and_resolving_again_restarts_the_same_policy(alpha):
    api = admin(alpha)
    case_id = hand_case(api)
    resolve(api, case_id)
    first = api.get(f"{CASES}/{case_id}/watch").json()

    resolve(api, case_id, "reopen")
    reopened = api.get(f"{CASES}/{case_id}/watch").json()
    resolve(api, case_id, "resolve")
    again = api.get(f"{CASES}/{case_id}/watch").json()

    assert reopened["policy"] == first["policy"] and reopened["active"] is False
    assert at(reopened["expires_at"]) <= timezone.now()
    assert again["policy"] == first["policy"] and again["active"] is True
    assert at(again["expires_at"]) > at(first["expires_at"])
    assert len(watch_policies(alpha.slug)) == 1
    kinds = [e["kind"] for e in api.get(f"{CASES}/{case_id}/timeline").json()["results"]]
    assert [k for k in kinds if k.startswith("watch_")] == ["watch_started", "watch_ended", "watch_started"]


def test_a_recurrence_goes_on_the_timeline_and_is_sent_as_case_recurrence(
    alpha, item, django_capture_on_commit_callbacks
):
    api = admin(alpha)
    world = promoted_case(api, item)
    channel = api.post(
        "/api/v1/notification-channels",
        {"name": "ops", "kind": "email", "emails": ["ops@alpha.example"], "event_types": ["case.recurrence"]},
    )
    assert channel.status_code == 201, channel.content
    policy_id = api.get(f"{CASES}/{world['case']}/watch").json()["policy"]

    surge(api, item, 9, world["now"] + timedelta(minutes=1))

    with tenant_context(tenant_obj(alpha.slug)):
        alert = Alert.objects.get(policy_id=policy_id)
        opened = AlertEvent.objects.get(alert=alert, kind="opened")
        retried = Change("opened", alert.pk, policy_id, alert.scope, opened.at, opened.level, 0.0, opened.pk, True)
        with django_capture_on_commit_callbacks(execute=True):
            alert_recurrence(retried)  # a handler run again (a dead letter's retry) adds nothing
        (delivery,) = Delivery.objects.filter(event_type="case.recurrence")
        entries = list(CaseEvent.objects.filter(case_id=world["case"], kind="recurrence"))
    body = api.get(f"{CASES}/{world['case']}/watch").json()

    assert alert.scope == f"brand:{world['brand']}" and alert.level == "red"
    assert len(entries) == 1
    assert entries[0].data == {"alert_id": alert.pk, "level": "red", "opened_at": body["recurrences"][0]["opened_at"]}
    assert body["recurrences"] == [{"alert": alert.pk, "level": "red", "opened_at": entries[0].data["opened_at"]}]
    jsonschema.validate(delivery.payload, CATALOGUE["case.recurrence"].schema)
    data = delivery.payload["data"]
    assert data["case"]["id"] == world["case"] and data["case"]["status"] == "resolved"
    assert (data["alert_id"], data["level"], data["timeline_event_id"]) == (alert.pk, "red", entries[0].pk)


def test_an_ended_watch_is_neither_evaluated_nor_retried(alpha, item):
    api = admin(alpha)
    world = promoted_case(api, item)
    watch_id = api.get(f"{CASES}/{world['case']}/watch").json()["policy"]

    ended = api.post(f"{CASES}/{world['case']}/watch/end")
    surge(api, item, 9, world["now"] + timedelta(minutes=1))
    with tenant_context(tenant_obj(alpha.slug)), TestCase.captureOnCommitCallbacks(execute=True):
        # The dead-letter retry of a scope quarantined while the watch was live.
        warning_scope_retry(f"{watch_id}/brand:{world['brand']}")
    with tenant_context(tenant_obj(alpha.slug)):
        watch_alerts = Alert.objects.filter(policy_id=watch_id).count()
        recurrences = CaseEvent.objects.filter(kind="recurrence").count()

    assert ended.status_code == 200, ended.content
    assert ended.json()["policy"] == watch_id and ended.json()["active"] is False
    assert at(ended.json()["expires_at"]) <= timezone.now()
    assert watch_alerts == 0 and recurrences == 0
    timeline = api.get(f"{CASES}/{world['case']}/timeline").json()["results"]
    assert (timeline[-1]["kind"], timeline[-1]["summary"]) == ("watch_ended", "Post-crisis watch ended: ended by hand")


def test_an_expired_watch_opens_no_alert(alpha, item):
    """The engine's own clock decides: evaluated a minute after the watch's end, the surge alerts on nothing new."""
    api = admin(alpha)
    world = promoted_case(api, item)
    watch_id = api.get(f"{CASES}/{world['case']}/watch").json()["policy"]
    with tenant_context(tenant_obj(alpha.slug)):
        WarningPolicy.objects.filter(pk=watch_id).update(expires_at=world["now"] + timedelta(minutes=1))

    surge(api, item, 9, world["now"] + timedelta(minutes=2))

    with tenant_context(tenant_obj(alpha.slug)):
        assert Alert.objects.filter(policy_id=watch_id).count() == 0
        assert CaseEvent.objects.filter(kind="recurrence").count() == 0


def test_graphql_reads_and_ends_the_watch_as_rest_does(alpha):
    api = admin(alpha)
    case_id = hand_case(api)
    resolve(api, case_id)
    rest = api.get(f"{CASES}/{case_id}/watch").json()

    read = api.graphql(f"query($id: Int!) {{ caseWatch(caseId: $id) {{ {WATCH_FIELDS} }} }}", {"id": case_id}).json()
    policy = api.graphql(
        "query { warningPolicies { edges { node { id expiresAt } } } }",
    ).json()["data"]["warningPolicies"]["edges"]
    ended = api.graphql(
        f"mutation($id: Int!) {{ endCaseWatch(caseId: $id) {{ {WATCH_FIELDS} }} }}", {"id": case_id}
    ).json()
    again = api.graphql("mutation($id: Int!) { endCaseWatch(caseId: $id) { active } }", {"id": case_id}).json()
    rest_again = api.post(f"{CASES}/{case_id}/watch/end")

    watch = read["data"]["caseWatch"]
    assert (watch["policy"], watch["active"], watch["recurrences"]) == (rest["policy"], True, [])
    assert at(watch["startedAt"]) == at(rest["started_at"]) and at(watch["expiresAt"]) == at(rest["expires_at"])
    (listed,) = [e["node"]["expiresAt"] for e in policy if int(e["node"]["id"]) == rest["policy"]]
    assert at(listed) == at(rest["expires_at"])
    assert ended["data"]["endCaseWatch"]["active"] is False
    assert again["errors"][0]["extensions"]["code"] == "no_live_watch"
    assert rest_again.status_code == 409 and rest_again.json()["error"]["code"] == "no_live_watch"


def test_the_watch_stays_in_its_tenant(alpha, beta):
    api = admin(alpha)
    case_id = hand_case(api)
    resolve(api, case_id)

    other = admin(beta)
    read = other.get(f"{CASES}/{case_id}/watch")
    end = other.post(f"{CASES}/{case_id}/watch/end")
    gql = other.graphql("mutation($id: Int!) { endCaseWatch(caseId: $id) { active } }", {"id": case_id}).json()
    gql_read = other.graphql("query($id: Int!) { caseWatch(caseId: $id) { active } }", {"id": case_id}).json()

    assert read.status_code == 404 and end.status_code == 404
    assert gql["errors"][0]["extensions"]["code"] == gql_read["errors"][0]["extensions"]["code"] == "not_found"
    assert api.get(f"{CASES}/{case_id}/watch").json()["active"] is True
    other.patch(SETTINGS, {"watch_days": 0})
    assert api.get(SETTINGS).json() == {"watch_days": 14, "is_default": True}


def test_only_those_who_steer_the_case_end_its_watch(alpha, make_user, login):
    api = admin(alpha)
    case_id = hand_case(api)
    resolve(api, case_id)
    viewer = make_user(alpha.slug, "viewer", "watch-viewer@alpha.example")
    responder = make_user(alpha.slug, "responder", "watch-responder@alpha.example")
    as_viewer = Api(alpha.slug, auth=login(alpha.slug, viewer.email))
    as_responder = Api(alpha.slug, auth=login(alpha.slug, responder.email))

    refused = [
        as_viewer.post(f"{CASES}/{case_id}/watch/end"),
        as_responder.post(f"{CASES}/{case_id}/watch/end"),
        as_viewer.patch(SETTINGS, {"watch_days": 1}),
    ]
    gql = as_viewer.graphql("mutation($id: Int!) { endCaseWatch(caseId: $id) { active } }", {"id": case_id}).json()

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert {r.json()["error"]["code"] for r in refused} == {"permission_denied"}
    assert gql["errors"][0]["extensions"]["code"] == "permission_denied"
    assert as_viewer.get(f"{CASES}/{case_id}/watch").json()["active"] is True
    assert as_viewer.get(SETTINGS).json()["is_default"] is True
    with tenant_context(tenant_obj(alpha.slug)):
        assert WatchSettings.objects.count() == 0
        assert not CaseEvent.objects.filter(case_id=case_id, kind="watch_ended").exists()


def test_no_live_watch_unknown_cases_and_bad_periods_are_refused(alpha):
    api = admin(alpha)
    open_case = hand_case(api)

    never_resolved = api.post(f"{CASES}/{open_case}/watch/end")
    unknown = [api.get(f"{CASES}/999999/watch"), api.post(f"{CASES}/999999/watch/end")]
    bad = [api.patch(SETTINGS, body) for body in ({"watch_days": v} for v in (-1, 366, "two weeks", None))]
    bad.append(api.patch(SETTINGS, {}))
    gql = api.graphql("mutation { updateWatchSettings(watchDays: 400) { watchDays } }").json()

    assert never_resolved.status_code == 409
    assert never_resolved.json()["error"]["code"] == "no_live_watch"
    assert never_resolved.json()["error"]["field"] == "id"
    assert [r.status_code for r in unknown] == [404, 404]
    assert [r.status_code for r in bad] == [400] * 5
    assert {r.json()["error"]["field"] for r in bad} == {"watch_days"}
    assert gql["errors"][0]["extensions"]["field"] == "watch_days"
    with tenant_context(tenant_obj(alpha.slug)):
        assert WatchSettings.objects.count() == 0
        assert not CrisisCase.objects.filter(watch_policy__isnull=False).exists()


def test_the_answer_is_what_the_openapi_document_says(alpha, item):
    api = admin(alpha)
    world = promoted_case(api, item)
    surge(api, item, 9, world["now"] + timedelta(minutes=1))
    document = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    components = document["components"]["schemas"]

    for method, path in (("get", "/api/v1/cases/{id}/watch"), ("post", "/api/v1/cases/{id}/watch/end")):
        operation = document["paths"][path][method]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        body = getattr(api, method)(path.replace("{id}", str(world["case"]))).json()
        jsonschema.validate(body, _inline(answer, components))
        assert len(body["recurrences"]) == 1
        assert {"403", "404"} <= set(operation["responses"])
    assert "409" in document["paths"]["/api/v1/cases/{id}/watch/end"]["post"]["responses"]
