"""Usage metering and the plan's limits: mentions counted exactly once per batch (new ones only), the monthly quota
rejecting per item with its reset time while the batch stores what fits, 80% and 100% notices once a month, 402
`plan_limit` on seats, rules and brands, the plan's API rate limit, and the flush of API requests and snapshots."""

import time
from datetime import UTC, datetime

import pytest
from django_tenants.utils import tenant_context

from monitoring.models import Brand, Mention, MonitoringRule
from tenants.billing.models import Plan, UsageDay
from tenants.billing.usage import seats_used, usage_flush, utc_today
from tenants.identity.models import Invitation
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.models import Delivery
from tenants.notifications.services import channel_create
from tests.conftest import Api, key_auth

BATCH = "/api/v1/mentions/batch"


@pytest.fixture
def enforced(settings):
    settings.BILLING_ENFORCE_LIMITS = True


def plan_limits(**limits) -> None:
    """Alpha's plan (trial) with exactly these limits; the rest unlimited."""
    Plan.objects.filter(code="trial").update(limits=limits)


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_alpha():
    return tenant_context(Tenant.objects.get(slug="alpha"))


def usage(slug: str = "alpha") -> UsageDay:
    return UsageDay.objects.get(tenant__slug=slug, day=utc_today())


def next_month() -> str:
    today = utc_today()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return datetime(year, month, 1, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def test_usage_counts_only_newly_stored_mentions_once_per_batch(alpha, beta, item):
    api = admin(alpha)
    first = [item(external_id=f"u{i}") for i in range(3)]
    assert api.post(BATCH, {"mentions": first}).json()["accepted"] == 3
    assert usage().mentions == 3

    first[0]["metrics"] = {"likes": 50, "reposts": 2, "comments": 3, "views": 40}
    again = api.post(BATCH, {"mentions": [*first, item(external_id="u3"), item(external_id="u4")]}).json()

    assert (again["accepted"], again["updated"], again["unchanged"]) == (2, 1, 2)
    assert usage().mentions == 5
    assert not UsageDay.objects.filter(tenant__slug="beta").exists()
    with in_alpha():
        assert Mention.objects.count() == 5


def test_a_batch_beyond_the_monthly_quota_stores_what_fits_and_rejects_the_rest(alpha, item, enforced):
    plan_limits(mentions_per_month=5)
    api = admin(alpha)
    assert api.post(BATCH, {"mentions": [item(external_id=f"q{i}") for i in range(3)]}).json()["accepted"] == 3

    sent = [item(external_id=f"q{i}") for i in range(3, 7)] + [item(external_id="bad", published_at="never")]
    body = api.post(BATCH, {"mentions": sent}).json()

    assert (body["accepted"], body["rejected"]) == (2, 3)
    quota = [e for e in body["errors"] if e["field"] == "quota_exceeded"]
    assert [e["index"] for e in quota] == [2, 3]
    assert "mentions_per_month = 5" in quota[0]["message"] and next_month() in quota[0]["message"]
    assert [e["field"] for e in body["errors"] if e["index"] == 4] == ["published_at"]
    with in_alpha():
        assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["q0", "q1", "q2", "q3", "q4"]
    assert usage().mentions == 5


def test_at_the_quota_updates_and_re_sends_still_go_through(alpha, item, enforced):
    plan_limits(mentions_per_month=2)
    api = admin(alpha)
    one, two = item(external_id="k1"), item(external_id="k2")
    api.post(BATCH, {"mentions": [one, two]})
    one["text"] = "这家店的服务变差了"

    body = api.post(BATCH, {"mentions": [one, two, item(external_id="k3")]}).json()

    assert (body["accepted"], body["updated"], body["unchanged"], body["rejected"]) == (0, 1, 1, 1)
    assert body["errors"][0]["index"] == 2 and body["errors"][0]["field"] == "quota_exceeded"
    with in_alpha():
        assert Mention.objects.get(external_id="k1").text == "这家店的服务变差了"


def test_a_plan_change_lifts_the_quota_at_once(alpha, item, enforced):
    plan_limits(mentions_per_month=1)
    api = admin(alpha)
    api.post(BATCH, {"mentions": [item(external_id="p1")]})
    assert api.post(BATCH, {"mentions": [item(external_id="p2")]}).json()["rejected"] == 1

    plan_limits(mentions_per_month=10)

    assert api.post(BATCH, {"mentions": [item(external_id="p2")]}).json()["accepted"] == 1


def test_admins_are_told_once_at_80_and_once_at_100_percent(alpha, item, enforced, django_capture_on_commit_callbacks):
    plan_limits(mentions_per_month=10)
    with in_alpha():
        channel = channel_create(actor=SYSTEM, name="billing", kind="email", emails=["ops@alpha.example"])
    api = admin(alpha)

    def send(n: int, prefix: str) -> list[str]:
        api.post(BATCH, {"mentions": [item(external_id=f"{prefix}{i}") for i in range(n)]})
        with in_alpha():
            return list(Delivery.objects.filter(channel=channel).order_by("id").values_list("event_type", flat=True))

    assert send(7, "a") == []
    assert send(1, "b") == ["billing.quota_warning"]
    assert send(1, "c") == ["billing.quota_warning"]
    assert send(3, "d") == ["billing.quota_warning", "billing.quota_reached"]
    assert send(2, "e") == ["billing.quota_warning", "billing.quota_reached"]
    with in_alpha():
        reached = Delivery.objects.get(channel=channel, event_type="billing.quota_reached").payload["data"]
    assert reached["limit"] == {"name": "mentions_per_month", "value": 10}
    assert (reached["used"], reached["rejected"], reached["percent"]) == (10, 2, 100)
    assert reached["reset_at"].startswith(next_month())


def refused(response, limit: str, value: int) -> None:
    assert response.status_code == 402, response.content
    error = response.json()["error"]
    assert error["code"] == "plan_limit"
    assert error["limit"]["name"] == limit and error["limit"]["value"] == value
    assert limit in error["message"]


def test_brands_beyond_the_plan_are_a_402_naming_the_limit(alpha, enforced):
    plan_limits(brands=1)
    api = admin(alpha)
    first = api.post("/api/v1/brands", {"name": "极光", "expression": "极光"})
    assert first.status_code == 201, first.content

    refused(api.post("/api/v1/brands", {"name": "北辰", "expression": "北辰"}), "brands", 1)
    graphql = api.graphql('mutation { createBrand(input: {name: "北辰", expression: "北辰"}) { id } }').json()
    assert graphql["errors"][0]["extensions"]["code"] == "plan_limit"
    with in_alpha():
        assert list(Brand.objects.values_list("name", flat=True)) == ["极光"]

    # An archived brand frees its place; restoring it needs the place back.
    assert api.delete(f"/api/v1/brands/{first.json()['id']}").status_code in (200, 204)
    assert api.post("/api/v1/brands", {"name": "北辰", "expression": "北辰"}).status_code == 201
    refused(api.post(f"/api/v1/brands/{first.json()['id']}/restore"), "brands", 1)


def test_rules_beyond_the_plan_are_a_402(alpha, enforced):
    plan_limits(rules=2)
    api = admin(alpha)
    with in_alpha():
        existing = MonitoringRule.objects.filter(archived_at__isnull=True).count()
    plan_limits(rules=existing + 1)

    assert api.post("/api/v1/rules", {"name": "recall", "expression": "召回"}).status_code == 201
    refused(api.post("/api/v1/rules", {"name": "outage", "expression": "故障"}), "rules", existing + 1)
    with in_alpha():
        assert not MonitoringRule.objects.filter(name="outage").exists()


def test_seats_count_users_and_pending_invitations(alpha, make_user, enforced):
    make_user("alpha", "viewer")
    with in_alpha():
        seats = seats_used()
    plan_limits(seats=seats + 1)
    api = admin(alpha)

    assert api.post("/api/v1/invitations", {"email": "new@alpha.example", "role": "analyst"}).status_code == 201
    refused(api.post("/api/v1/invitations", {"email": "more@alpha.example", "role": "analyst"}), "seats", seats + 1)
    with in_alpha():
        assert list(Invitation.objects.values_list("email", flat=True)) == ["new@alpha.example"]


def test_limits_are_not_enforced_when_switched_off(alpha, settings):
    settings.BILLING_ENFORCE_LIMITS = False
    plan_limits(brands=0)

    assert admin(alpha).post("/api/v1/brands", {"name": "极光", "expression": "极光"}).status_code == 201


def fresh_minute() -> None:
    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.1)


def test_the_plans_rate_limit_counts_all_of_a_tenants_callers_together(alpha, beta, make_key, enforced):
    plan_limits(api_requests_per_minute=3)
    _, other = make_key("alpha")
    fresh_minute()
    api, second = admin(alpha), Api("alpha", auth=key_auth(other))

    answers = [api.get("/api/v1/me"), second.get("/api/v1/me"), api.get("/api/v1/me")]
    over = second.get("/api/v1/me")

    assert [r.status_code for r in answers] == [200, 200, 200]
    assert answers[0]["RateLimit-Limit"] == "3" and answers[2]["RateLimit-Remaining"] == "0"
    assert over.status_code == 429 and over.json()["error"]["code"] == "rate_limited"
    # Beta is on the same plan but has its own counter.
    assert admin(beta).get("/api/v1/me").status_code == 200


def test_the_flush_writes_exact_api_requests_and_snapshots_seats_rules_and_brands(alpha, beta):
    api = admin(alpha)
    usage_flush()
    before = usage().api_requests
    api.post("/api/v1/brands", {"name": "极光", "expression": "极光"})
    for _ in range(4):
        api.get("/api/v1/me")

    usage_flush()
    usage_flush()  # a second flush adds nothing

    day = usage()
    assert day.api_requests - before == 5
    with in_alpha():
        rules = MonitoringRule.objects.filter(archived_at__isnull=True).count()
    assert (day.seats, day.rules, day.brands) == (1, rules, 1)
    assert usage("beta").brands == 0
