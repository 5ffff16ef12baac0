"""The platform hears of every tenant's billing changes: each active billing admin is mailed a status or plan
change once it commits, and nothing when it rolls back."""

import pytest
from django.db import transaction
from django.test import TestCase

from tenants.billing.services import platform_tenant_update
from tenants.identity.principals import SYSTEM
from tenants.identity.tasks import account_mail_send


@pytest.fixture
def sent(monkeypatch):
    # The worker's queue is not what is under test: what would be handed to it is.
    mails: list[tuple[str, str, str]] = []
    monkeypatch.setattr(account_mail_send, "delay", lambda subject, body, to: mails.append((subject, body, to)))
    return mails


def test_billing_admins_are_mailed_a_tenant_s_suspension_and_plan_change(alpha, billing_admin, sent):
    with TestCase.captureOnCommitCallbacks(execute=True):
        platform_tenant_update(actor=SYSTEM, slug="alpha", status="suspended")
    with TestCase.captureOnCommitCallbacks(execute=True):
        platform_tenant_update(actor=SYSTEM, slug="alpha", plan="team")

    assert [to for _, _, to in sent] == ["billing@vigil.example", "billing@vigil.example"]
    assert sent[0][0] == "[Vigil platform] alpha: suspended"
    assert "billing.status_changed" in sent[0][1] and "alpha" in sent[0][1]
    assert "billing.plan_changed" in sent[1][1] and "Team" in sent[1][0]


def test_a_change_that_rolls_back_mails_no_one(alpha, billing_admin, sent):
    with TestCase.captureOnCommitCallbacks(execute=True):
        try:
            with transaction.atomic():
                platform_tenant_update(actor=SYSTEM, slug="alpha", status="suspended")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert sent == []
