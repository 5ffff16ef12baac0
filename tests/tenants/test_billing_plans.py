"""Plans and each tenant's billing account: default plans from the migration, a new tenant trialing on the default
plan, and a recorded history of status changes."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tenants.billing.models import BillingStatus, Plan, StatusChange
from tenants.billing.services import platform_tenant_update
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant


def test_the_default_plans_exist_with_their_limits(db):
    plans = {p.code: p for p in Plan.objects.all()}

    assert {"trial", "team", "agency", "enterprise"} <= set(plans)
    assert plans["trial"].limits["mentions_per_month"] == 10000
    assert plans["enterprise"].limits == {}  # unlimited


def test_a_new_tenant_is_trialing_on_the_default_plan_with_its_first_history_entry(alpha):
    account = Tenant.objects.get(slug="alpha").billing

    assert account.plan.code == "trial"
    assert account.status == BillingStatus.TRIALING
    assert account.trial_end is not None
    assert [(c.from_status, c.to_status, c.reason) for c in account.changes.all()] == [
        ("", "trialing", "tenant created")
    ]


def test_every_status_change_is_recorded_once(alpha):
    platform_tenant_update(actor=SYSTEM, slug="alpha", status="suspended")
    platform_tenant_update(actor=SYSTEM, slug="alpha", status="suspended")
    platform_tenant_update(actor=SYSTEM, slug="alpha", status="active")

    history = StatusChange.objects.filter(account__tenant__slug="alpha")
    assert [(c.from_status, c.to_status) for c in history] == [
        ("", "trialing"),
        ("trialing", "suspended"),
        ("suspended", "active"),
    ]


def test_tenant_list_prints_every_tenant_with_plan_and_status(tenants):
    out = StringIO()
    call_command("tenant_list", "--json", stdout=out)

    rows = json.loads(out.getvalue())
    assert [(r["slug"], r["plan"], r["status"]) for r in rows] == [
        ("alpha", "trial", "trialing"),
        ("beta", "trial", "trialing"),
    ]


@pytest.mark.parametrize(
    ("command", "instead"), [("delete_tenant", "tenant_delete"), ("clone_tenant", "tenant_create")]
)
def test_django_tenants_own_commands_are_refused_for_vigils(tenants, command, instead):
    with pytest.raises(CommandError, match=instead):
        call_command(command)

    assert Tenant.objects.filter(slug="alpha").exists()
