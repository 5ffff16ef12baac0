"""A suspended tenant: reads and exports work, ingest keeps storing mentions, other writes are a 402
`payment_required`, and the warning engine raises no alert for it until it is resumed."""

from django.test import TestCase
from django.utils import timezone

from monitoring.models import Alert, Mention, WarningPolicy
from monitoring.warning.engine import evaluate
from responses.team.services import case_member_add
from tenants.billing.platform import platform_tenant_delete
from tenants.billing.services import platform_tenant_update
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM
from tests.conftest import PASSWORD, Api, key_auth
from tests.monitoring.test_warning import POLICIES, VOLUME_POLICY, in_tenant, post

RULE = {"name": "Outage", "query": "outage"}


def suspend(slug: str) -> None:
    platform_tenant_update(actor=SYSTEM, slug=slug, status="suspended")


def test_a_suspended_tenant_reads_but_may_not_write(alpha):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    suspend("alpha")

    refused = api.post(POLICIES, {**VOLUME_POLICY, "name": "New watch"})
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "payment_required"
    assert api.get(POLICIES).status_code == 200
    assert api.get("/api/v1/mentions").status_code == 200
    assert api.get("/api/v1/audit-log").status_code == 200
    graphql = api.graphql("mutation { revokeApiKey(id: 999999) { id } }").json()
    assert graphql["errors"][0]["extensions"]["code"] == "payment_required"


def test_other_tenants_keep_writing_while_one_is_suspended(alpha, beta):
    suspend("alpha")

    created = Api("beta", auth=key_auth(beta.api_key)).post(POLICIES, {**VOLUME_POLICY, "name": "Beta watch"})
    assert created.status_code == 201


def test_a_suspended_tenant_keeps_ingesting_without_alerts_until_resumed(alpha, item):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    assert api.post(POLICIES, VOLUME_POLICY).status_code == 201
    suspend("alpha")

    post(api, item, 3, timezone.now())
    with in_tenant("alpha"), TestCase.captureOnCommitCallbacks(execute=True):
        held = evaluate()
        stored = Mention.objects.count()
        alerts_while_suspended = Alert.objects.count()

    assert stored == 3
    assert held == [] and alerts_while_suspended == 0

    platform_tenant_update(actor=SYSTEM, slug="alpha", status="active")
    with in_tenant("alpha"), TestCase.captureOnCommitCallbacks(execute=True):
        changes = evaluate()
    assert [c.kind for c in changes] == ["opened"]
    assert api.post(POLICIES, {**VOLUME_POLICY, "name": "Second watch"}).status_code == 201


def test_case_work_is_refused_too_whoever_grants_it(alpha, login):
    """Case actions are granted by tenant role or case role; a suspended tenant refuses both with a 402."""
    api = Api("alpha", auth=key_auth(alpha.api_key))
    case = api.post("/api/v1/cases", {"title": "Outage", "activate_playbook": False}).json()
    with in_tenant("alpha"):
        viewer = User.objects.create_user(email="cmd@alpha.example", password=PASSWORD, role="viewer")
        case_member_add(actor=SYSTEM, case_id=case["id"], user_id=viewer.pk, role="commander")
    suspend("alpha")

    by_role = api.post(f"/api/v1/cases/{case['id']}/transition", {"transition": "assess"})
    commander = Api("alpha", auth=login("alpha", viewer.email))
    by_case_role = commander.post(f"/api/v1/cases/{case['id']}/notes", {"text": "On it"})

    assert [by_role.status_code, by_case_role.status_code] == [402, 402]
    assert api.get(f"/api/v1/cases/{case['id']}").json()["status"] == "detected"
    timeline = api.get(f"/api/v1/cases/{case['id']}/timeline").json()["results"]
    assert [event["kind"] for event in timeline] == ["opened", "member_added"]


def test_a_canceled_tenant_awaiting_its_purge_reads_and_ingests_but_may_not_write_until_resumed(alpha, item):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    platform_tenant_delete(actor=SYSTEM, slug="alpha")

    refused = api.post(POLICIES, {**VOLUME_POLICY, "name": "After cancel"})
    ingested = api.post("/api/v1/mentions/batch", {"mentions": [item()]})

    assert refused.status_code == 402 and "canceled" in refused.json()["error"]["message"]
    assert api.get(POLICIES).status_code == 200
    assert ingested.status_code == 200 and ingested.json()["accepted"] == 1

    platform_tenant_update(actor=SYSTEM, slug="alpha", status="active")
    assert api.post(POLICIES, {**VOLUME_POLICY, "name": "After cancel"}).status_code == 201
