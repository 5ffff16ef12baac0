"""SLA timers: targets per severity, clocks on each case, breaches recorded once, timelined and notified."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from responses.models import CaseEvent, CrisisCase, SlaBreach, SlaPolicy
from responses.sla.services import sla_check
from tenants.models import Tenant
from tenants.notifications.models import Delivery
from tests.conftest import Api, key_auth

CASES = "/api/v1/cases"
SLA = "/api/v1/sla-policies"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def open_case(api: Api, severity: str = "I", minutes_ago: int = 0) -> dict:
    case = api.post(CASES, {"title": "Factory fire", "scenario": "safety_accident", "severity": severity}).json()
    with in_tenant(api.slug or ""):
        CrisisCase.objects.filter(pk=case["id"]).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return case


def clocks(api: Api, case_id: int) -> dict[str, str]:
    return {c["kind"]: c["state"] for c in api.get(f"{CASES}/{case_id}").json()["sla"]}


def test_defaults_give_severity_one_a_holding_statement_within_an_hour(alpha):
    api = admin(alpha)

    listed = {p["severity"]: p for p in api.get(SLA).json()["results"]}
    case = api.get(f"{CASES}/{open_case(api, 'I')['id']}").json()
    due = {c["kind"]: c["due_at"] for c in case["sla"]}

    assert listed["I"] == {
        "severity": "I",
        "acknowledge_minutes": 15,
        "first_statement_minutes": 60,
        "resolve_minutes": 1440,
        "is_default": True,
    }
    assert list(listed) == ["I", "II", "III", "IV"]
    opened = CrisisCase._meta.get_field("created_at").to_python(case["created_at"])
    assert CrisisCase._meta.get_field("created_at").to_python(due["first_statement"]) - opened == timedelta(hours=1)


def test_clock_states_follow_the_case(alpha):
    api = admin(alpha)
    late = open_case(api, "I", minutes_ago=20)
    fresh = open_case(api, "I")

    api.post(f"{CASES}/{fresh['id']}/transition", {"transition": "assess"})
    api.post(f"{CASES}/{late['id']}/transition", {"transition": "assess"})

    assert clocks(api, fresh["id"]) == {"acknowledge": "met", "first_statement": "pending", "resolve": "pending"}
    assert clocks(api, late["id"]) == {"acknowledge": "met_late", "first_statement": "pending", "resolve": "pending"}


def test_a_breach_is_recorded_timelined_and_notified_once(alpha):
    api = admin(alpha)
    api.post(
        "/api/v1/notification-channels",
        {
            "name": "duty",
            "kind": "webhook",
            "url": "https://hooks.example.com/vigil",
            "event_types": ["case.sla_breached"],
        },
    )
    overdue = open_case(api, "I", minutes_ago=61)
    on_time = open_case(api, "I", minutes_ago=5)
    drill = api.post(CASES, {"title": "Drill", "severity": "IV", "is_drill": True}).json()

    with in_tenant("alpha"):
        first = sla_check()
        second = sla_check()
        deliveries = list(Delivery.objects.filter(event_type="case.sla_breached").order_by("id"))

    assert sorted(b.kind for b in first) == ["acknowledge", "first_statement"]
    assert second == []
    assert [d.payload["data"]["sla"] for d in deliveries] == ["acknowledge", "first_statement"]
    assert deliveries[1].payload["data"]["case_id"] == overdue["id"]
    assert deliveries[1].title == f"[Severity I] Case #{overdue['id']} Factory fire: time to first statement overdue"
    assert clocks(api, on_time["id"])["acknowledge"] == "pending"
    assert clocks(api, drill["id"])["acknowledge"] == "pending"
    timeline = api.get(f"{CASES}/{overdue['id']}/timeline").json()["results"]
    assert [e["kind"] for e in timeline].count("sla_breached") == 2


def test_closed_cases_are_not_flagged(alpha):
    api = admin(alpha)
    case = open_case(api, "I", minutes_ago=120)
    api.post(f"{CASES}/{case['id']}/transition", {"transition": "assess"})
    api.post(f"{CASES}/{case['id']}/transition", {"transition": "resolve"})

    with in_tenant("alpha"):
        assert sla_check() == []
    assert clocks(api, case["id"]) == {"acknowledge": "met_late", "first_statement": "not_applicable", "resolve": "met"}


def test_admin_changes_targets_through_both_faces(alpha):
    api = admin(alpha)

    rest = api.patch(f"{SLA}/II", {"first_statement_minutes": 90})
    graphql = api.graphql(
        "mutation { updateSlaPolicy(severity: III, acknowledgeMinutes: 45) { severity acknowledgeMinutes isDefault } }"
    ).json()["data"]["updateSlaPolicy"]
    case = open_case(api, "II", minutes_ago=100)

    assert rest.status_code == 200
    assert rest.json() == {
        "severity": "II",
        "acknowledge_minutes": 30,
        "first_statement_minutes": 90,
        "resolve_minutes": 4320,
        "is_default": False,
    }
    assert graphql == {"severity": "III", "acknowledgeMinutes": 45, "isDefault": False}
    assert clocks(api, case["id"])["first_statement"] == "breached"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"acknowledge_minutes": 0}, "acknowledge_minutes"),
        ({"resolve_minutes": "soon"}, "resolve_minutes"),
        ({"resolve_minutes": 10}, "resolve_minutes"),
    ],
)
def test_bad_targets_are_400_naming_the_field_and_write_nothing(alpha, body, field):
    response = admin(alpha).patch(f"{SLA}/I", body)

    assert response.status_code == 400 and response.json()["error"]["field"] == field
    with in_tenant("alpha"):
        assert SlaPolicy.objects.count() == 0


def test_unknown_severity_is_404_and_analysts_cannot_change_targets(alpha, make_key):
    _key, raw = make_key("alpha", "analyst")

    unknown = admin(alpha).patch(f"{SLA}/V", {"acknowledge_minutes": 5})
    analyst = Api("alpha", auth=key_auth(raw)).patch(f"{SLA}/I", {"acknowledge_minutes": 5})

    assert unknown.status_code == 404
    assert analyst.status_code == 403
    with in_tenant("alpha"):
        assert SlaPolicy.objects.count() == 0


def test_sla_targets_and_breaches_are_per_tenant(alpha, beta):
    admin(alpha).patch(f"{SLA}/I", {"acknowledge_minutes": 5})
    open_case(admin(alpha), "I", minutes_ago=30)

    with in_tenant("beta"):
        assert sla_check() == []
        assert SlaBreach.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert {p["severity"]: p["acknowledge_minutes"] for p in admin(beta).get(SLA).json()["results"]}["I"] == 15


def test_the_beat_task_checks_sla_and_escalations_of_the_current_tenant(alpha):
    from responses.tasks import case_clocks

    open_case(admin(alpha), "I", minutes_ago=61)

    with in_tenant("alpha"):
        first, second = case_clocks(), case_clocks()

    assert first == {"sla_breaches": 2, "escalations": 0, "follow_ups_overdue": 0, "quarantined": 0}
    assert second == {"sla_breaches": 0, "escalations": 0, "follow_ups_overdue": 0, "quarantined": 0}
