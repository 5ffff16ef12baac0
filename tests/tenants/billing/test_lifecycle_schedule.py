"""The billing lifecycle's clock (beat's `billing.lifecycle_sweep`): a past-due tenant is suspended after the grace
period and not before, unless it paid in between; a trial that ends without a subscription goes past due; a
canceled tenant (a billing admin's DELETE, or Stripe) is purged once its retention is over, schema and search
index gone and what went kept in the public audit log, unless it was reactivated first. Each change reaches the
tenant's own notification channels as a `billing.*` event."""

import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from jsonschema import Draft202012Validator

from config.beat import Scheduler
from config.celery import app as celery_app
from monitoring.search.index import alias_indices, tenant_index_delete
from tenants.audit.models import AuditEntry
from tenants.billing import lifecycle
from tenants.billing.lifecycle import lifecycle_sweep
from tenants.billing.models import BillingAccount, StatusChange
from tenants.billing.tasks import billing_lifecycle_sweep
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.catalogue import CATALOGUE
from tenants.notifications.models import Delivery
from tenants.notifications.services import channel_create
from tenants.services import tenant_create
from tests.api.test_stripe_webhook import deliver, event
from tests.conftest import PASSWORD, Api, key_auth
from tests.monitoring.test_warning import POLICIES, VOLUME_POLICY

TENANTS = "/api/v1/platform/tenants"
DAY = timedelta(days=1)
SENT = SimpleNamespace(id="sent")  # what apply_async answers, as far as the scheduler reads it


def account(slug: str = "alpha") -> BillingAccount:
    return BillingAccount.objects.select_related("plan").get(tenant__slug=slug)


def past_due_since(slug: str, when) -> None:
    BillingAccount.objects.filter(tenant__slug=slug).update(status="past_due", status_changed_at=when)


def schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None


def deliveries(slug: str, event_type: str) -> list[Delivery]:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return list(Delivery.objects.filter(event_type=event_type).order_by("id"))


@pytest.fixture
def channels(alpha, beta):
    """An email channel in each tenant, subscribed to everything."""
    for slug in ("alpha", "beta"):
        with tenant_context(Tenant.objects.get(slug=slug)):
            channel_create(actor=SYSTEM, name="billing watch", kind="email", emails=[f"ops@{slug}.example"])


@pytest.fixture
def omega(tenants):
    """A tenant of its own (schema and search index), for purging; removed afterwards if the test left it."""
    tenant_index_delete("omega")
    created = tenant_create(slug="omega", name="Omega PR", admin_email="admin@omega.example", admin_password=PASSWORD)
    # The test runs in one transaction: fire deferred FK checks now, so the schema can be dropped in it.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield created
    tenant_index_delete("omega")


# --- grace period ---


def test_a_past_due_tenant_is_suspended_after_the_grace_period_and_not_before(alpha, billing_admin):
    went_past_due = timezone.now()
    past_due_since("alpha", went_past_due)

    before = lifecycle_sweep(now=went_past_due + timedelta(days=settings.BILLING_GRACE_DAYS) - timedelta(minutes=1))
    assert before["suspended"] == 0
    assert billing_admin.get(f"{TENANTS}/alpha").json()["status"] == "past_due"

    after = lifecycle_sweep(now=went_past_due + timedelta(days=settings.BILLING_GRACE_DAYS, minutes=1))
    assert after == {"trial_expired": 0, "suspended": 1, "purged": 0, "failed": 0}
    assert billing_admin.get(f"{TENANTS}/alpha").json()["status"] == "suspended"
    # What the tenant notices: its writes are refused until billing is settled.
    refused = Api("alpha", auth=key_auth(alpha.api_key)).post(POLICIES, {**VOLUME_POLICY, "name": "New watch"})
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "payment_required"
    change = StatusChange.objects.filter(account__tenant__slug="alpha").latest("id")
    assert (change.from_status, change.to_status, change.actor_name) == ("past_due", "suspended", "system")
    assert change.reason == f"still past due after the {settings.BILLING_GRACE_DAYS}-day grace period"
    audited = AuditEntry.objects.filter(action="billing.status_changed").latest("id")
    assert audited.details["to"] == "suspended" and audited.actor_name == "system"


def test_the_sweep_is_idempotent(alpha):
    past_due_since("alpha", timezone.now() - 30 * DAY)
    lifecycle_sweep()
    changes = StatusChange.objects.filter(account__tenant__slug="alpha").count()

    again = lifecycle_sweep()

    assert again == {"trial_expired": 0, "suspended": 0, "purged": 0, "failed": 0}
    assert StatusChange.objects.filter(account__tenant__slug="alpha").count() == changes
    assert account().status == "suspended"


def test_an_invoice_paid_within_the_grace_period_prevents_the_suspension(alpha):
    BillingAccount.objects.filter(tenant__slug="alpha").update(stripe_customer_id="cus_alpha", status="active")
    assert deliver(event("invoice.payment_failed", {"object": "invoice", "customer": "cus_alpha"})).status_code == 200
    assert account().status == "past_due"
    assert deliver(event("invoice.paid", {"object": "invoice", "customer": "cus_alpha"})).status_code == 200

    lifecycle_sweep(now=timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS + 1))

    assert account().status == "active"


def test_one_tenant_failing_does_not_stop_the_others(alpha, beta, monkeypatch, caplog):
    overdue = timezone.now() - 30 * DAY
    past_due_since("alpha", overdue)
    past_due_since("beta", overdue)
    real_status_set = lifecycle.status_set

    def status_set_failing_for_beta(**kwargs):
        if kwargs["account"].tenant.slug == "beta":
            raise RuntimeError("admin@beta.example broke")
        return real_status_set(**kwargs)

    monkeypatch.setattr(lifecycle, "status_set", status_set_failing_for_beta)

    with caplog.at_level(logging.WARNING, logger="tenants.billing.lifecycle"):
        counts = lifecycle_sweep()

    assert counts["suspended"] == 1 and counts["failed"] == 1
    assert account("alpha").status == "suspended"
    assert account("beta").status == "past_due"  # its step rolled back, to be tried again next time
    beta_id = Tenant.objects.get(slug="beta").pk
    assert [r.getMessage() for r in caplog.records] == [
        f"billing lifecycle: suspended failed for tenant {beta_id} (RuntimeError)"
    ]


# --- trial expiry ---


def test_a_trial_that_ended_without_a_subscription_goes_past_due_and_gets_the_grace_period(alpha, beta):
    now = timezone.now()
    BillingAccount.objects.filter(tenant__slug="alpha").update(trial_end=now - timedelta(minutes=1))
    # beta's trial ended too, but it subscribed: Stripe moves it.
    BillingAccount.objects.filter(tenant__slug="beta").update(
        trial_end=now - timedelta(minutes=1), stripe_subscription_id="sub_beta"
    )

    counts = lifecycle_sweep(now=now)

    assert counts["trial_expired"] == 1 and counts["suspended"] == 0
    assert account("alpha").status == "past_due"
    assert StatusChange.objects.filter(account__tenant__slug="alpha").latest("id").reason == (
        "trial ended without a subscription"
    )
    assert account("beta").status == "trialing"
    # The grace period runs from the end of the trial.
    lifecycle_sweep(now=timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS, minutes=1))
    assert account("alpha").status == "suspended"


def test_a_running_trial_is_left_alone(alpha):
    BillingAccount.objects.filter(tenant__slug="alpha").update(trial_end=timezone.now() + DAY)

    assert lifecycle_sweep()["trial_expired"] == 0
    assert account().status == "trialing"


# --- DELETE: cancel now, purge later ---


def test_delete_cancels_the_tenant_and_schedules_its_purge(alpha, billing_admin):
    BillingAccount.objects.filter(tenant__slug="alpha").update(stripe_subscription_id="sub_alpha")
    before = timezone.now()

    response = billing_admin.delete(f"{TENANTS}/alpha")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["slug"] == "alpha" and body["status"] == "canceled"
    purge_at = account().purge_at
    assert before + timedelta(days=settings.BILLING_RETENTION_DAYS) <= purge_at
    assert purge_at <= timezone.now() + timedelta(days=settings.BILLING_RETENTION_DAYS)
    assert body["purge_at"] == purge_at.isoformat().replace("+00:00", "Z")
    audited = AuditEntry.objects.filter(action="billing.status_changed").latest("id")
    assert audited.details["to"] == "canceled" and audited.actor_name == "billing@vigil.example"
    # Nothing is deleted yet: the tenant still works and reads its data.
    assert Api("alpha", auth=key_auth(alpha.api_key)).get("/api/v1/mentions").status_code == 200
    # Deleting again changes nothing, the purge time included.
    again = billing_admin.delete(f"{TENANTS}/alpha")
    assert again.status_code == 202 and again.json()["purge_at"] == body["purge_at"]
    assert StatusChange.objects.filter(account__tenant__slug="alpha", to_status="canceled").count() == 1


def test_delete_of_an_unknown_tenant_is_a_404(billing_admin):
    assert billing_admin.delete(f"{TENANTS}/nobody").status_code == 404


def test_tenant_users_cannot_delete_tenants(alpha, login):
    tenant_key = key_auth(alpha.api_key)
    # On a tenant's host the platform API does not exist.
    assert Api("alpha", auth=tenant_key).delete(f"{TENANTS}/alpha").status_code == 404
    assert Api("alpha", by_host=True, auth=tenant_key).delete(f"{TENANTS}/alpha").status_code == 404
    # On the public host a tenant's credentials are refused, and no credentials are a 401.
    for auth in (tenant_key, login("alpha", alpha.admin_email)):
        response = Api(None, auth=auth).delete(f"{TENANTS}/beta")
        assert response.status_code == 403 and response.json()["error"]["code"] == "wrong_tenant"
    assert Api(None).delete(f"{TENANTS}/alpha").status_code == 401
    # GraphQL on the tenant's host: its schema has no such mutation.
    graphql = Api("alpha", auth=tenant_key).graphql('mutation { deletePlatformTenant(slug: "alpha") { slug } }')
    assert graphql.json()["errors"][0]["extensions"]["code"] == "graphql_validation"

    assert account("alpha").status == "trialing" and account("alpha").purge_at is None
    assert account("beta").status == "trialing"
    assert not StatusChange.objects.filter(to_status="canceled").exists()


def test_graphql_deletes_through_the_same_service(alpha, billing_admin):
    body = billing_admin.graphql('mutation { deletePlatformTenant(slug: "alpha") { slug status purgeAt } }').json()

    assert "errors" not in body, body
    deleted = body["data"]["deletePlatformTenant"]
    assert deleted["status"] == "CANCELED"
    assert deleted["purgeAt"] == account().purge_at.isoformat().replace("+00:00", "Z")
    assert billing_admin.get(f"{TENANTS}/alpha").json()["purge_at"] == deleted["purgeAt"]
    unknown = billing_admin.graphql('mutation { deletePlatformTenant(slug: "nobody") { slug } }').json()
    assert unknown["errors"][0]["extensions"]["code"] == "not_found"


# --- purge ---


def test_a_canceled_tenant_is_purged_after_its_retention_and_not_before(omega, billing_admin, item, caplog):
    api = Api("omega", auth=key_auth(omega.api_key))
    assert api.post("/api/v1/mentions/batch", {"mentions": [item(), item()]}).json()["accepted"] == 2
    tenant_id = Tenant.objects.get(slug="omega").pk
    assert alias_indices("omega") != []
    purge_at = timezone.now() + timedelta(days=settings.BILLING_RETENTION_DAYS)
    assert billing_admin.delete(f"{TENANTS}/omega").status_code == 202

    early = lifecycle_sweep(now=purge_at - timedelta(minutes=1))
    assert early["purged"] == 0
    assert schema_exists("t_omega") and alias_indices("omega") != []

    with caplog.at_level(logging.INFO, logger="tenants.billing.lifecycle"):
        counts = lifecycle_sweep(now=purge_at + timedelta(minutes=1))

    assert counts == {"trial_expired": 0, "suspended": 0, "purged": 1, "failed": 0}
    assert not schema_exists("t_omega")
    assert alias_indices("omega") == []
    assert billing_admin.get(f"{TENANTS}/omega").status_code == 404
    assert not Tenant.objects.filter(slug="omega").exists()
    purged = AuditEntry.objects.get(action="tenant.purged")
    assert (purged.target_type, purged.target_id, purged.actor_name) == ("tenant", str(tenant_id), "system")
    assert purged.details["slug"] == "omega" and purged.details["schema"] == "t_omega"
    alias = f"{settings.ES_INDEX_PREFIX}-mentions-omega"
    assert purged.details["indices"] and all(name.startswith(alias) for name in purged.details["indices"])
    assert purged.details["rows"]["monitoring_mention"] == 2
    assert purged.details["rows"]["identity_user"] == 1
    assert purged.details["retention_days"] == settings.BILLING_RETENTION_DAYS
    logged = [r.getMessage() for r in caplog.records if r.name == "tenants.billing.lifecycle"]
    assert len(logged) == 1 and logged[0].startswith("purged tenant omega")
    assert "t_omega" in logged[0] and "'monitoring_mention': 2" in logged[0]
    # Run again, nothing is left to do.
    assert lifecycle_sweep(now=purge_at + DAY)["purged"] == 0


def test_a_tenant_reactivated_before_its_purge_is_not_purged(alpha, billing_admin):
    assert billing_admin.delete(f"{TENANTS}/alpha").status_code == 202

    resumed = billing_admin.patch(f"{TENANTS}/alpha", {"status": "active"})

    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["status"] == "active" and resumed.json()["purge_at"] is None
    counts = lifecycle_sweep(now=timezone.now() + timedelta(days=settings.BILLING_RETENTION_DAYS + 1))
    assert counts["purged"] == 0
    assert schema_exists("t_alpha") and alias_indices("alpha") != []
    assert StatusChange.objects.filter(account__tenant__slug="alpha").latest("id").reason == (
        "reactivated by a billing admin before the purge"
    )


def test_a_tenant_that_subscribes_again_at_stripe_is_not_purged(alpha):
    BillingAccount.objects.filter(tenant__slug="alpha").update(stripe_customer_id="cus_alpha", status="active")
    deliver(event("customer.subscription.deleted", {"object": "subscription", "id": "sub_1", "customer": "cus_alpha"}))
    assert account().status == "canceled" and account().purge_at is not None

    deliver(
        event(
            "customer.subscription.created",
            {"object": "subscription", "id": "sub_2", "customer": "cus_alpha", "status": "active", "items": {}},
        )
    )

    assert account().status == "active" and account().purge_at is None
    assert lifecycle_sweep(now=timezone.now() + timedelta(days=settings.BILLING_RETENTION_DAYS + 1))["purged"] == 0
    assert schema_exists("t_alpha")


def test_a_canceled_tenant_cannot_be_suspended(alpha, billing_admin):
    billing_admin.delete(f"{TENANTS}/alpha")

    response = billing_admin.patch(f"{TENANTS}/alpha", {"status": "suspended"})

    assert response.status_code == 409 and response.json()["error"]["code"] == "canceled"
    assert account().status == "canceled"


# --- billing.* notifications ---


def valid(delivery: Delivery) -> list[str]:
    validator = Draft202012Validator(CATALOGUE[delivery.event_type].schema)
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(delivery.payload)]


def test_a_status_change_reaches_the_tenants_own_channels(channels, billing_admin):
    assert billing_admin.patch(f"{TENANTS}/alpha", {"status": "suspended"}).status_code == 200

    [sent] = deliveries("alpha", "billing.status_changed")
    assert valid(sent) == []
    assert sent.payload["tenant"] == "alpha"
    data = sent.payload["data"]
    assert {k: data[k] for k in ("from_status", "status", "reason", "by", "suspend_at", "purge_at")} == {
        "from_status": "trialing",
        "status": "suspended",
        "reason": "suspended by a billing admin",
        "by": "billing_admin",
        "suspend_at": None,
        "purge_at": None,
    }
    assert data["plan"] == {"code": "trial", "name": "Trial"}
    # The platform's staff are not named to the tenant.
    assert "billing@vigil.example" not in str(sent.payload) + sent.text
    assert sent.title == "Billing: suspended"
    assert sent.text.startswith("The workspace is suspended for an unpaid bill")
    # Another tenant hears nothing of it.
    assert deliveries("beta", "billing.status_changed") == []


def test_a_failed_payment_tells_the_tenant_when_it_will_be_suspended(channels):
    BillingAccount.objects.filter(tenant__slug="alpha").update(stripe_customer_id="cus_alpha", status="active")

    deliver(event("invoice.payment_failed", {"object": "invoice", "customer": "cus_alpha"}))

    [sent] = deliveries("alpha", "billing.status_changed")
    assert valid(sent) == []
    suspend_at = account().status_changed_at + timedelta(days=settings.BILLING_GRACE_DAYS)
    data = sent.payload["data"]
    assert (data["from_status"], data["status"], data["by"]) == ("active", "past_due", "system")
    assert data["reason"] == "stripe invoice.payment_failed"
    assert data["suspend_at"] == suspend_at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert data["suspend_at"] in sent.text


def test_a_deletion_tells_the_tenant_when_its_data_is_purged(channels, billing_admin):
    billing_admin.delete(f"{TENANTS}/alpha")

    [sent] = deliveries("alpha", "billing.status_changed")
    assert valid(sent) == []
    purge_at = account().purge_at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert sent.payload["data"]["status"] == "canceled" and sent.payload["data"]["purge_at"] == purge_at
    assert f"deleted on {purge_at} unless it is reactivated" in sent.text


def test_a_plan_change_reaches_the_tenants_channels_with_the_new_limits(channels, billing_admin):
    assert billing_admin.patch(f"{TENANTS}/alpha", {"plan": "team"}).status_code == 200

    [sent] = deliveries("alpha", "billing.plan_changed")
    assert valid(sent) == []
    data = sent.payload["data"]
    assert data["from_plan"] == {"code": "trial", "name": "Trial"}
    assert data["plan"] == {"code": "team", "name": "Team"}
    assert data["limits"] == account().plan.limits and data["status"] == "trialing"
    assert sent.title == "Billing: now on the Team plan"
    assert deliveries("alpha", "billing.status_changed") == []
    audited = AuditEntry.objects.get(action="billing.plan_changed")
    assert audited.details == {"from": "trial", "to": "team", "reason": "changed by a billing admin"}


def test_a_change_that_rolls_back_tells_no_one(channels, billing_admin):
    # Suspending a canceled tenant is refused after nothing was written: no event either.
    billing_admin.delete(f"{TENANTS}/alpha")
    before = len(deliveries("alpha", "billing.status_changed"))

    assert billing_admin.patch(f"{TENANTS}/alpha", {"plan": "team", "status": "suspended"}).status_code == 409

    assert len(deliveries("alpha", "billing.status_changed")) == before
    assert deliveries("alpha", "billing.plan_changed") == []


# --- the schedule ---


def test_beat_sends_the_sweep_once_in_the_public_schema_and_tenant_entries_per_tenant(tenants, tmp_path, monkeypatch):
    assert settings.CELERY_BEAT_SCHEDULER == "config.beat:Scheduler"
    # Workers find the task by autodiscovery: tenants.billing is installed and its tasks module holds it.
    assert "tenants.billing" in settings.INSTALLED_APPS and "billing.lifecycle_sweep" in celery_app.tasks
    scheduler = Scheduler(app=celery_app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    scheduler.setup_schedule()
    sent = []

    def record(entry: Any, producer: Any = None, advance: bool = True) -> SimpleNamespace:
        sent.append((entry.task, getattr(connection, "schema_name", None)))
        return SENT

    monkeypatch.setattr(scheduler, "apply_async", record)

    try:
        scheduler.apply_entry(scheduler.schedule["billing-lifecycle@public"])
        scheduler.apply_entry(scheduler.schedule["webhooks-retry-due@__all_tenants_only__"])
    finally:
        scheduler.close()

    assert sent == [
        ("billing.lifecycle_sweep", "public"),
        ("notifications.webhooks_retry_due", "t_alpha"),
        ("notifications.webhooks_retry_due", "t_beta"),
    ]


def test_the_task_sweeps_from_the_public_schema_whatever_schema_it_is_given(alpha):
    past_due_since("alpha", timezone.now() - 30 * DAY)

    with schema_context("t_beta"):
        counts = billing_lifecycle_sweep.run()

    assert counts["suspended"] == 1
    assert account().status == "suspended"
    assert AuditEntry.objects.filter(action="billing.status_changed").exists()  # in the public audit log
