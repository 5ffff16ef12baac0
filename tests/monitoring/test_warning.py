"""Early warning: policies and AHP, buckets from ingest, the alert lifecycle (open, escalate, remind, hysteresis,
auto-resolve), silences, acknowledgement, backtests, both faces, tenant isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.timestamps import format_timestamp
from monitoring.models import Alert, AlertStatus, MinuteBucket, WarningPolicy
from monitoring.warning.engine import evaluate
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

POLICIES = "/api/v1/warning-policies"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


VOLUME_POLICY = {
    "name": "Volume watch",
    "indicators": [{"key": "volume", "type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
    "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
    "resolve_below": 10,
    "resolve_after": 2,
    "realert_minutes": 10,
}


@pytest.fixture
def volume_policy(alpha):
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()  # the default policy would raise its own alerts
    response = api.post(POLICIES, VOLUME_POLICY)
    assert response.status_code == 201, response.content
    return response.json()


def post(api, item, count, at, **fields):
    items = [item(published_at=(at - timedelta(seconds=i)).isoformat(), **fields) for i in range(count)]
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == count


def test_every_new_tenant_has_a_default_policy(alpha):
    policies = admin(alpha).get(POLICIES).json()["results"]

    assert [p["name"] for p in policies] == ["Default early warning"]
    assert {i["type"] for i in policies[0]["indicators"]} >= {"volume_anomaly", "negative_ratio", "keyword_frequency"}


def test_ingest_fills_minute_buckets_for_each_scope(alpha, item):
    api = admin(alpha)
    rule = api.post("/api/v1/rules", {"name": "recall", "expression": "召回"}).json()
    at = timezone.now().replace(second=30, microsecond=0)
    post(api, item, 3, at, text="产品召回太差了")
    post(api, item, 2, at, text="天气不错")

    with in_tenant("alpha"):
        buckets = {b.scope: b for b in MinuteBucket.objects.filter(minute=at.replace(second=0))}
    assert buckets["tenant"].mentions == 5
    assert buckets[f"rule:{rule['id']}"].mentions == 3
    assert buckets[f"rule:{rule['id']}"].negative == 3


def test_resending_does_not_inflate_buckets(alpha, item):
    api = admin(alpha)
    one = item(external_id="same")
    api.post("/api/v1/mentions/batch", {"mentions": [one]})
    api.post("/api/v1/mentions/batch", {"mentions": [one]})

    with in_tenant("alpha"):
        assert sum(MinuteBucket.objects.filter(scope="tenant").values_list("mentions", flat=True)) == 1


def test_alert_opens_escalates_reminds_and_auto_resolves_with_hysteresis(alpha, item, volume_policy):
    api = admin(alpha)
    now = timezone.now()
    post(api, item, 3, now)
    with in_tenant("alpha"):
        opened = evaluate(now=now)
        again = evaluate(now=now + timedelta(seconds=30))
    post(api, item, 6, now + timedelta(minutes=1))
    with in_tenant("alpha"):
        escalated = evaluate(now=now + timedelta(minutes=1, seconds=10))
        reminded = evaluate(now=now + timedelta(minutes=12))
        # 16 minutes on, the window is empty: index 0 < resolve_below, once… and twice resolves it.
        first_quiet = evaluate(now=now + timedelta(minutes=17))
        resolved = evaluate(now=now + timedelta(minutes=18))
        alert = Alert.objects.get()
        events = list(alert.events.values_list("kind", "level"))

    assert [(c.kind, c.level, c.index) for c in opened] == [("opened", "blue", 30.0)]
    assert again == []
    assert [(c.kind, c.level) for c in escalated] == [("escalated", "red")]
    assert [c.kind for c in reminded] == ["reminded"]
    assert first_quiet == []
    assert [c.kind for c in resolved] == ["resolved"]
    assert events == [("opened", "blue"), ("escalated", "red"), ("reminded", "red"), ("resolved", "red")]
    assert alert.status == AlertStatus.RESOLVED and alert.resolution == "auto" and alert.peak_level == "red"
    assert alert.indicators[0]["key"] == "volume" and alert.indicators[0]["weight"] == 1.0


def test_between_resolve_below_and_blue_the_alert_stays_open(alpha, item, volume_policy):
    api = admin(alpha)
    now = timezone.now()
    post(api, item, 3, now)
    with in_tenant("alpha"):
        evaluate(now=now)
    # 1 mention left in the window: index 10, not below resolve_below (10) → no countdown.
    with in_tenant("alpha"):
        Alert.objects.update(level="blue")
        MinuteBucket.objects.filter(scope="tenant").update(mentions=1)
        for minute in range(1, 5):
            evaluate(now=now + timedelta(minutes=minute))
        assert Alert.objects.get().status == AlertStatus.OPEN


def test_one_live_alert_per_policy_and_scope(alpha, item, volume_policy):
    api = admin(alpha)
    now = timezone.now()
    post(api, item, 5, now)
    with in_tenant("alpha"):
        for second in range(0, 50, 10):
            evaluate(now=now + timedelta(seconds=second))
        assert Alert.objects.count() == 1


def test_silenced_scope_opens_nothing_until_the_silence_ends(alpha, item, volume_policy):
    api = admin(alpha)
    silence = api.post("/api/v1/silences", {"scope": "tenant", "minutes": 5, "reason": "planned campaign"})
    now = timezone.now()
    post(api, item, 5, now)
    with in_tenant("alpha"):
        during = evaluate(now=now + timedelta(minutes=1))
        after = evaluate(now=now + timedelta(minutes=6))

    assert silence.status_code == 201 and silence.json()["scope"] == "tenant"
    assert during == []
    assert [c.kind for c in after] == ["opened"]


def test_acknowledge_resolve_and_silence_through_both_faces(alpha, item, volume_policy, make_key):
    api = admin(alpha)
    now = timezone.now()
    post(api, item, 5, now)
    with in_tenant("alpha"):
        evaluate(now=now)
        alert_id = Alert.objects.get().pk
    _key, viewer_key = make_key("alpha", "viewer")

    denied = Api("alpha", auth=key_auth(viewer_key)).post(f"/api/v1/alerts/{alert_id}/acknowledge")
    acked = api.post(f"/api/v1/alerts/{alert_id}/acknowledge", {"note": "on it"})
    twice = api.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    listed = api.get("/api/v1/alerts?status=acknowledged&level=yellow,blue").json()["results"]
    silenced = api.graphql(f'mutation {{ silenceAlert(id: {alert_id}, minutes: 30, reason: "known") {{ scope }} }}')
    resolved = api.graphql(
        f"mutation {{ resolveAlert(id: {alert_id}) {{ status resolution events {{ edges {{ node {{ kind }} }} }} }} }}"
    )

    assert denied.status_code == 403
    assert acked.json()["status"] == "acknowledged" and acked.json()["acknowledged_by"] == "default"
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "invalid_transition"
    assert [a["id"] for a in listed] == [alert_id]
    assert silenced.json()["data"]["silenceAlert"]["scope"] == "tenant"
    data = resolved.json()["data"]["resolveAlert"]
    assert data["status"] == "RESOLVED" and data["resolution"] == "MANUAL"
    assert [e["kind"] for e in nodes(data["events"])] == ["opened", "acknowledged", "silenced", "resolved"]


def test_bad_alert_filters_are_400(alpha):
    response = admin(alpha).get("/api/v1/alerts?status=exploded")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "status"


def test_ahp_weights_and_consistency(alpha):
    api = admin(alpha)
    indicators = [
        {"key": k, "type": t, "window_minutes": 15}
        for k, t in (("v", "volume"), ("n", "negative_ratio"), ("k", "keyword_frequency"))
    ]

    consistent = api.post(
        POLICIES,
        {
            "name": "ahp ok",
            "indicators": indicators,
            "weighting": "ahp",
            "ahp_matrix": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]],
        },
    )
    inconsistent = api.post(
        POLICIES,
        {
            "name": "ahp bad",
            "indicators": indicators,
            "weighting": "ahp",
            "ahp_matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]],
        },
    )

    body = consistent.json()
    assert consistent.status_code == 201
    assert [round(i["weight"], 3) for i in body["indicators"]] == [0.637, 0.258, 0.105]
    assert 0 < body["consistency_ratio"] < 0.1
    assert inconsistent.status_code == 400
    assert inconsistent.json()["error"]["code"] == "inconsistent_matrix"
    assert inconsistent.json()["error"]["field"] == "ahp_matrix"
    assert "consistency ratio" in inconsistent.json()["error"]["message"]
    with in_tenant("alpha"):
        assert not WarningPolicy.objects.filter(name="ahp bad").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"indicators": [{"type": "vibes"}]}, "indicators[0].type"),
        ({"indicators": [{"type": "volume", "window_minutes": 0}]}, "indicators[0].window_minutes"),
        ({"indicators": [{"type": "volume", "params": {"hgih": 3}}]}, "indicators[0].params"),
        ({"thresholds": {"blue": 50, "yellow": 40, "orange": 60, "red": 80}}, "thresholds"),
        ({"scope_kind": "galaxy"}, "scope_kind"),
        ({"scope_kind": "rule", "scope_ids": [999999]}, "scope_ids"),
        ({"weighting": "ahp"}, "ahp_matrix"),
        ({"resolve_below": 50}, "resolve_below"),
    ],
)
def test_bad_policies_are_400_naming_the_field(alpha, change, field):
    response = admin(alpha).post(POLICIES, {**VOLUME_POLICY, "name": "bad", **change})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_backtest_lists_alerts_without_writing_or_notifying(alpha, item, volume_policy):
    api = admin(alpha)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)
    post(api, item, 9, start + timedelta(minutes=30, seconds=30))

    response = api.post(
        f"{POLICIES}/{volume_policy['id']}/backtest",
        {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(), "step_minutes": 1},
    )
    graphql = api.graphql(
        f'{{ backtestPolicy(id: {volume_policy["id"]}, start: "{start.isoformat()}", '
        f'end: "{(start + timedelta(hours=2)).isoformat()}", stepMinutes: 5) }}'
    )

    alerts = response.json()["alerts"]
    assert response.status_code == 200
    assert len(alerts) == 1
    assert alerts[0]["peak_level"] == "red"
    # Still red ten minutes on: the reminder (realert_minutes=10) is part of what would have happened.
    assert [e["kind"] for e in alerts[0]["events"]] == ["opened", "reminded", "resolved"]
    assert alerts[0]["opened_at"] == format_timestamp(start + timedelta(minutes=31))
    assert alerts[0]["resolved_at"] == format_timestamp(start + timedelta(minutes=47))
    assert len(graphql.json()["data"]["backtestPolicy"]["alerts"]) == 1
    with in_tenant("alpha"):
        assert not Alert.objects.exists()


def test_tenants_see_only_their_policies_and_alerts(alpha, beta, item, volume_policy):
    now = timezone.now()
    post(admin(alpha), item, 5, now)
    with in_tenant("alpha"):
        evaluate(now=now)
    with in_tenant("beta"):
        beta_changes = evaluate(now=now)

    assert beta_changes == []
    assert admin(beta).get("/api/v1/alerts").json()["results"] == []
    assert admin(beta).graphql("{ alerts { edges { node { id } } } }").json()["data"]["alerts"]["edges"] == []
    assert [p["name"] for p in admin(beta).get(POLICIES).json()["results"]] == ["Default early warning"]
    with in_tenant("alpha"):
        alert_id = Alert.objects.get().pk
    assert admin(beta).post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 404


def test_alert_changes_are_delivered_as_signed_webhooks(
    alpha, item, volume_policy, settings, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import Webhook

    from tenants.notifications.delivery import delivery_attempt
    from tenants.notifications.models import Delivery
    from tests.webhook_receiver import allow_target, running_receiver

    api = admin(alpha)
    now = timezone.now()
    with running_receiver() as receiver:
        allow_target(settings, receiver.url)
        channel = api.post(
            "/api/v1/notification-channels",
            {
                "name": "ops",
                "kind": "webhook",
                "url": receiver.url,
                "format": "generic",
                "event_types": ["alert.opened", "alert.escalated", "alert.resolved"],
            },
        ).json()
        post(api, item, 3, now)
        with in_tenant("alpha"), django_capture_on_commit_callbacks(execute=True):
            evaluate(now=now)
        with in_tenant("alpha"):
            for delivery in Delivery.objects.all():
                delivery_attempt(delivery.pk)
        request = receiver.requests[0]

    event = Webhook(channel["secret"]).verify(request.body, request.headers)
    assert event["type"] == "alert.opened"
    assert event["tenant"] == "alpha"
    assert event["data"]["level"] == "blue"
    assert event["data"]["policy"]["name"] == "Volume watch"
    assert event["data"]["indicators"][0]["explanation"].startswith("3 mentions in 15 min")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "galaxy:1", "minutes": 10}, "scope"),
        ({"scope": "rule:abc", "minutes": 10}, "scope"),
        ({"scope": "tenant", "minutes": 0}, "minutes"),
        ({"scope": "tenant", "minutes": 10, "policy": 999999}, "policy"),
    ],
)
def test_bad_silences_are_refused_naming_the_field(alpha, body, field):
    response = admin(alpha).post("/api/v1/silences", body)

    assert response.status_code in (400, 404)
    assert response.json()["error"]["field"] == field
    with in_tenant("alpha"):
        from monitoring.models import Silence

        assert not Silence.objects.exists()


def test_silences_and_brands_are_per_tenant(alpha, beta):
    admin(alpha).post("/api/v1/silences", {"scope": "tenant", "minutes": 10})
    admin(alpha).post("/api/v1/brands", {"name": "alpha brand", "expression": "x"})

    assert admin(beta).get("/api/v1/silences").json()["results"] == []
    empty: dict[str, list[object]] = {"edges": []}
    assert admin(beta).graphql("{ silences { edges { node { id } } } brands { edges { node { id } } } }").json()[
        "data"
    ] == {"silences": empty, "brands": empty}
    assert admin(beta).get("/api/v1/brands").json()["results"] == []


def _policy(name: str, kind: str) -> dict:
    # Blue at index 50: 150 mentions in 15 minutes, observed (volume) or forecast for the next 15 (forecast_size).
    return {
        **VOLUME_POLICY,
        "name": name,
        "indicators": [{"key": kind, "type": kind, "window_minutes": 15, "params": {"low": 0, "high": 300}}],
        "thresholds": {"blue": 50, "yellow": 70, "orange": 85, "red": 95},
    }


def _buckets(now, per_minute_ago):
    MinuteBucket.objects.filter(scope="tenant").delete()
    MinuteBucket.objects.bulk_create(
        [MinuteBucket(scope="tenant", minute=now - timedelta(minutes=a), mentions=n) for a, n in per_minute_ago.items()]
    )


@pytest.mark.parametrize(
    ("series", "opened_by"),
    [
        # A climb from 1 to 11 a minute over half an hour: 125 seen in the last 15 minutes, about 179 forecast.
        ({a: 1 if a > 30 else 1 + (31 - a) // 3 for a in range(1, 61)}, ["Forecast watch"]),
        # Level but noisy (6 and 10 a minute): 118 seen, about as many forecast; neither opens.
        ({a: 6 if a % 2 else 10 for a in range(1, 61)}, []),
    ],
    ids=["rising", "level"],
)
def test_forecast_size_opens_an_alert_before_volume_on_a_rise_only(alpha, series, opened_by):
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    forecast = api.post(POLICIES, _policy("Forecast watch", "forecast_size"))
    volume = api.post(POLICIES, _policy("Volume watch", "volume"))
    now = timezone.now().replace(second=0, microsecond=0)
    with in_tenant("alpha"):
        _buckets(now, series)
        changes = evaluate(now=now)

    alerts = api.get("/api/v1/alerts").json()["results"]
    assert forecast.status_code == volume.status_code == 201
    assert forecast.json()["indicators"][0]["params"]["bin_minutes"] == 5  # defaults filled in
    assert [c.kind for c in changes] == ["opened"] * len(opened_by)
    names = {forecast.json()["id"]: "Forecast watch", volume.json()["id"]: "Volume watch"}
    assert [names[a["policy"]] for a in alerts] == opened_by
    for alert in alerts:
        assert alert["indicators"][0]["type"] == "forecast_size"
        assert alert["indicators"][0]["explanation"].endswith("in the next 15 min, 125 in the last")


def test_forecast_size_policies_through_graphql_and_bad_thresholds_are_400(alpha):
    api = admin(alpha)
    types = api.graphql("{ indicatorTypes { name defaults } }").json()["data"]["indicatorTypes"]
    created = api.graphql(
        'mutation { createWarningPolicy(input: {name: "gql forecast", '
        'indicators: [{type: "forecast_size", window_minutes: 30, params: {low: 20, high: 400, bin_minutes: 10}}]}) '
        "{ id indicators } }"
    ).json()
    bad = api.post(
        POLICIES,
        {
            **_policy("bad forecast", "forecast_size"),
            "indicators": [{"type": "forecast_size", "params": {"low": 9, "high": 3}}],
        },
    )

    forecast_type = next(t for t in types if t["name"] == "forecast_size")
    assert forecast_type["defaults"]["bound"] == "mean" and forecast_type["defaults"]["history_bins"] == 12
    [indicator] = created["data"]["createWarningPolicy"]["indicators"]
    assert (indicator["type"], indicator["window_minutes"], indicator["params"]["bin_minutes"]) == (
        "forecast_size",
        30,
        10,
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "indicators[0].params.high"
    with in_tenant("alpha"):
        assert not WarningPolicy.objects.filter(name="bad forecast").exists()
