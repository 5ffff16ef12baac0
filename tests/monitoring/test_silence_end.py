"""Silences can be ended before their planned end: alerts notify again, the alert's history says so."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Alert, AlertEvent, Silence, WarningPolicy
from monitoring.warning.engine import evaluate
from tenants.models import Tenant
from tests.conftest import Api, key_auth

VOLUME_POLICY = {
    "name": "Volume watch",
    "indicators": [{"key": "volume", "type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
    "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
    "realert_minutes": 1,
}


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


@pytest.fixture
def silenced_alert(alpha, item) -> tuple[int, int]:
    """An open alert whose scope is silenced for an hour: (alert id, silence id)."""
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    api.post("/api/v1/warning-policies", VOLUME_POLICY)
    now = timezone.now()
    items = [item(published_at=(now - timedelta(seconds=i)).isoformat()) for i in range(5)]
    api.post("/api/v1/mentions/batch", {"mentions": items})
    with in_tenant("alpha"):
        evaluate(now=now)
        alert_id = Alert.objects.get().pk
    silence = api.post(f"/api/v1/alerts/{alert_id}/silence", {"minutes": 60, "reason": "known"}).json()
    return alert_id, silence["id"]


def test_ending_a_silence_early_lets_the_alert_remind_again_and_is_on_its_history(alpha, silenced_alert):
    alert_id, silence_id = silenced_alert
    api = admin(alpha)
    later = timezone.now() + timedelta(minutes=2)
    with in_tenant("alpha"):
        while_silenced = evaluate(now=later)

    ended = api.post(f"/api/v1/silences/{silence_id}/end", {"note": "campaign over"})
    with in_tenant("alpha"):
        after = evaluate(now=later + timedelta(seconds=5))
    again = api.post(f"/api/v1/silences/{silence_id}/end")

    assert while_silenced == []
    assert ended.status_code == 200
    body = ended.json()
    assert body["ended_at"] is not None and body["ended_by"] == "default"
    assert body["ends_at"] > body["ended_at"]  # the planned end is kept
    assert [c.kind for c in after] == ["reminded"]
    events = api.get(f"/api/v1/alerts/{alert_id}").json()["events"]
    assert [(e["kind"], e["note"]) for e in events if e["kind"] in ("silenced", "unsilenced")] == [
        ("silenced", "known"),
        ("unsilenced", "campaign over"),
    ]
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_graphql_ends_a_silence(alpha, silenced_alert):
    _alert_id, silence_id = silenced_alert

    ended = admin(alpha).graphql(f"mutation {{ endSilence(id: {silence_id}) {{ id endedAt endedBy }} }}").json()

    assert ended["data"]["endSilence"]["endedAt"] is not None
    assert ended["data"]["endSilence"]["endedBy"] == "default"


def test_a_silence_that_ran_out_cannot_be_ended(alpha):
    api = admin(alpha)
    with in_tenant("alpha"):
        now = timezone.now()
        old = Silence.objects.create(
            scope="tenant", starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
        )

    response = api.post(f"/api/v1/silences/{old.pk}/end")

    assert response.status_code == 409 and response.json()["error"]["field"] == "id"


def test_a_viewer_cannot_end_a_silence_and_nothing_is_written(alpha, silenced_alert, make_key):
    _alert_id, silence_id = silenced_alert
    _key, raw = make_key("alpha", "viewer")
    viewer = Api("alpha", auth=key_auth(raw))

    rest = viewer.post(f"/api/v1/silences/{silence_id}/end")
    gql = viewer.graphql(f"mutation {{ endSilence(id: {silence_id}) {{ id }} }}").json()

    assert rest.status_code == 403
    assert gql["errors"][0]["extensions"]["code"] == "permission_denied"
    with in_tenant("alpha"):
        assert Silence.objects.get(pk=silence_id).ended_at is None
        assert not AlertEvent.objects.filter(kind="unsilenced").exists()


def test_a_responder_ends_silences(alpha, silenced_alert, make_key):
    _alert_id, silence_id = silenced_alert
    _key, raw = make_key("alpha", "responder")

    assert Api("alpha", auth=key_auth(raw)).post(f"/api/v1/silences/{silence_id}/end").status_code == 200


def test_other_tenants_cannot_end_a_silence(alpha, beta, silenced_alert):
    _alert_id, silence_id = silenced_alert
    other = admin(beta)

    rest = other.post(f"/api/v1/silences/{silence_id}/end")
    gql = other.graphql(f"mutation {{ endSilence(id: {silence_id}) {{ id }} }}").json()

    assert rest.status_code == 404
    assert gql["errors"][0]["extensions"]["code"] == "not_found"
    with in_tenant("alpha"):
        assert Silence.objects.get(pk=silence_id).ended_at is None
