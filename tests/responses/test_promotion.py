"""Automatic promotion: a policy opens a crisis case when an alert on an own brand reaches its level."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Alert, WarningPolicy
from monitoring.warning.engine import evaluate
from responses.models import CrisisCase
from tenants.models import Tenant
from tests.conftest import Api, key_auth


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def watch(api: Api, kind: str = "own", promote_level: str = "orange", own_only: bool = True) -> dict:
    with in_tenant(api.slug or ""):
        # Archived, as DELETE does: a policy that raised alerts cannot be deleted (they keep pointing at it).
        WarningPolicy.objects.update(archived_at=timezone.now())
    brand = api.post("/api/v1/brands", {"name": f"星河{kind}", "kind": kind, "expression": "服务"}).json()
    policy = api.post(
        "/api/v1/warning-policies",
        {
            "name": "brand volume",
            "scope_kind": "brand",
            "indicators": [{"type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
            "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
            "promote_level": promote_level,
            "promote_own_brands_only": own_only,
            "promote_scenario": "service_failure",
        },
    )
    assert policy.status_code == 201, policy.content
    return brand


def surge(api: Api, item, count: int, now) -> None:
    response = api.post(
        "/api/v1/mentions/batch", {"mentions": [item(published_at=now.isoformat()) for _ in range(count)]}
    )
    assert response.status_code == 200, response.content
    # The alert handlers (promotion among them) run once the evaluation's transaction commits.
    with in_tenant(api.slug or ""), TestCase.captureOnCommitCallbacks(execute=True):
        evaluate(now=now)


def test_a_red_alert_on_an_own_brand_opens_a_case_by_itself(alpha, item):
    api = admin(alpha)
    brand = watch(api)
    now = timezone.now()

    surge(api, item, 3, now)  # yellow: below the promotion level
    with in_tenant("alpha"):
        assert CrisisCase.objects.count() == 0
    surge(api, item, 6, now + timedelta(seconds=30))  # red

    cases = api.get("/api/v1/cases").json()["results"]
    with in_tenant("alpha"):
        alert = Alert.objects.get()
    timeline = api.get(f"/api/v1/cases/{cases[0]['id']}/timeline").json()["results"]
    assert len(cases) == 1
    assert (cases[0]["severity"], cases[0]["scenario"]) == ("I", "service_failure")
    assert cases[0]["opened_from_alert"] == alert.pk and cases[0]["brands"] == [brand["id"]]
    assert cases[0]["opened_by"] == "system"
    assert timeline[1]["summary"].endswith("policy “brand volume” promotes orange and above")


def test_competitors_and_policies_without_a_level_never_promote(alpha, item):
    api = admin(alpha)
    watch(api, kind="competitor")
    surge(api, item, 9, timezone.now())
    with in_tenant("alpha"):
        assert Alert.objects.get().level == "red"
        assert CrisisCase.objects.count() == 0

    watch(api, kind="own", promote_level="")
    surge(api, item, 9, timezone.now() + timedelta(seconds=30))
    with in_tenant("alpha"):
        assert CrisisCase.objects.count() == 0


def test_any_scope_promotes_when_not_limited_to_own_brands(alpha, item):
    api = admin(alpha)
    watch(api, kind="competitor", promote_level="yellow", own_only=False)

    surge(api, item, 5, timezone.now())

    with in_tenant("alpha"):
        assert CrisisCase.objects.get().severity == "III"


def test_a_new_alert_on_a_scope_with_an_open_case_is_linked_not_duplicated(alpha, item):
    api = admin(alpha)
    watch(api, promote_level="yellow")
    now = timezone.now()
    surge(api, item, 5, now)
    with in_tenant("alpha"):
        first = Alert.objects.get()
        Alert.objects.filter(pk=first.pk).update(status="resolved", resolved_at=now)

    surge(api, item, 5, now + timedelta(seconds=30))

    with in_tenant("alpha"):
        case = CrisisCase.objects.get()
        assert sorted(case.alerts.values_list("pk", flat=True)) == sorted(Alert.objects.values_list("pk", flat=True))
        assert case.alerts.count() == 2
        assert case.events.filter(kind="alert_linked").count() == 2


def test_bad_promotion_settings_are_400_naming_the_field(alpha):
    api = admin(alpha)
    base = {
        "name": "p",
        "indicators": [{"type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
    }

    level = api.post("/api/v1/warning-policies", {**base, "promote_level": "purple"})
    scenario = api.post("/api/v1/warning-policies", {**base, "promote_scenario": "alien_invasion"})

    assert level.status_code == 400 and level.json()["error"]["field"] == "promote_level"
    assert scenario.status_code == 400 and scenario.json()["error"]["field"] == "promote_scenario"
    with in_tenant("alpha"):
        assert not WarningPolicy.objects.filter(name="p").exists()


def test_promotion_stays_in_the_tenant(alpha, beta, item):
    watch(admin(alpha))
    surge(admin(alpha), item, 9, timezone.now())

    assert admin(beta).get("/api/v1/cases").json()["results"] == []
    with in_tenant("alpha"):
        assert CrisisCase.objects.count() == 1


def test_promotion_settings_through_graphql(alpha):
    api = admin(alpha)

    created = api.graphql(
        """mutation { createWarningPolicy(input: {name: "gql", indicators: [{type: "volume", window_minutes: 15}],
           promoteLevel: RED, promoteOwnBrandsOnly: false, promoteScenario: DATA_LEAK})
           { promoteLevel promoteOwnBrandsOnly promoteScenario } }"""
    ).json()
    bad = api.graphql(
        """mutation { createWarningPolicy(input: {name: "gql2", indicators: [{type: "volume", window_minutes: 15}],
           promoteLevel: ULTRAVIOLET}) { id } }"""
    ).json()

    assert created["data"]["createWarningPolicy"] == {
        "promoteLevel": "RED",
        "promoteOwnBrandsOnly": False,
        "promoteScenario": "DATA_LEAK",
    }
    assert bad["errors"][0]["extensions"]["code"] == "graphql_validation"
    assert "ULTRAVIOLET" in bad["errors"][0]["message"]


def test_promotion_opens_the_case_only_once_the_alert_is_committed(alpha, item):
    api = admin(alpha)
    watch(api)
    now = timezone.now()
    api.post("/api/v1/mentions/batch", {"mentions": [item(published_at=now.isoformat()) for _ in range(9)]})

    with in_tenant("alpha"), TestCase.captureOnCommitCallbacks(execute=False) as after_commit:
        evaluate(now=now)
        before = CrisisCase.objects.count()
    with in_tenant("alpha"):
        for callback in after_commit:
            callback()
        after = list(CrisisCase.objects.values_list("opened_from_alert", flat=True))
        alert = Alert.objects.get()

    assert before == 0
    assert after == [alert.pk]


def test_a_playbook_that_fails_to_activate_keeps_the_alert_and_is_retried(alpha, item):
    from django.db import connection

    from responses.models import PlaybookVersion

    api = admin(alpha)
    watch(api)
    playbook = api.post(
        "/api/v1/playbooks",
        {
            "name": "outage",
            "scenario": "service_failure",
            "content": {"tasks": [{"title": "Holding statement", "due_minutes": 30}]},
        },
    ).json()
    # A stored version the activation cannot read (written before today's validation, say).
    with in_tenant("alpha"), connection.cursor() as cursor:
        cursor.execute(
            'UPDATE responses_playbookversion SET content = \'{"tasks": [{}], "statements": []}\' '
            "WHERE playbook_id = %s",
            [playbook["id"]],
        )

    surge(api, item, 9, timezone.now())

    with in_tenant("alpha"):
        alert = Alert.objects.get()
        assert list(alert.events.values_list("kind", flat=True)) == ["opened"]
        assert CrisisCase.objects.count() == 0
    (letter,) = api.get("/api/v1/dead-letters?kind=alert_handler").json()["results"]
    assert letter["item_key"].endswith("/responses.promotion.handlers.alert_promote")
    assert letter["reason"].startswith("KeyError")

    with in_tenant("alpha"):
        PlaybookVersion.objects.filter(playbook_id=playbook["id"]).update(
            content={
                "tasks": [
                    {
                        "title": "Holding statement",
                        "description": "",
                        "role": "communications",
                        "priority": "high",
                        "checklist": [],
                        "due_minutes": 30,
                    }
                ],
                "statements": [],
            }
        )
    retried = api.post(f"/api/v1/dead-letters/{letter['id']}/retry").json()

    assert retried["resolved_at"] is not None
    cases = api.get("/api/v1/cases").json()["results"]
    assert [c["opened_from_alert"] for c in cases] == [alert.pk]
    tasks = api.get(f"/api/v1/cases/{cases[0]['id']}/tasks").json()["results"]
    assert [t["title"] for t in tasks] == ["Holding statement"]
