"""Alert handlers run after the alert's transaction commits: one that raises is counted and kept as a retryable
dead letter, and neither undoes the alert nor stops the other handlers or the other policies."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from monitoring.models import Alert, Silence, WarningPolicy
from monitoring.warning.engine import evaluate
from monitoring.warning.handlers import AlertHandlers, Change
from tests.monitoring.test_warning import POLICIES, VOLUME_POLICY, admin, in_tenant, post

DEAD_LETTERS = "/api/v1/dead-letters"
HERE = "tests.monitoring.test_alert_handlers"
seen: list[tuple[int, str]] = []
broken = {"yes": True}


def breaking(change: Change) -> None:
    """Writes, then raises (while `broken`): its write must not outlive it, the alert must."""
    Silence.objects.create(
        scope=change.scope, starts_at=change.at, ends_at=change.at + timedelta(minutes=1), reason="half done"
    )
    if broken["yes"]:
        raise RuntimeError("handler bug")
    seen.append((change.alert_id, f"retried {change.kind}"))


def recording(change: Change) -> None:
    seen.append((change.alert_id, change.kind))


@pytest.fixture
def two_policies(alpha, settings):
    seen.clear()
    broken["yes"] = True
    settings.VIGIL_ALERT_HANDLERS = [f"{HERE}.breaking", f"{HERE}.recording"]
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    for name in ("First watch", "Second watch"):
        assert api.post(POLICIES, {**VOLUME_POLICY, "name": name}).status_code == 201
    return api


def test_a_failing_handler_keeps_the_alert_and_lets_the_next_handler_and_policy_run(two_policies, item):
    api = two_policies
    post(api, item, 3, timezone.now())

    handlers = AlertHandlers()
    with in_tenant("alpha"), TestCase.captureOnCommitCallbacks(execute=True):
        changes = evaluate(handlers=handlers)
    with in_tenant("alpha"):
        alerts = {a.pk: list(a.events.values_list("kind", flat=True)) for a in Alert.objects.all()}
        half_done = Silence.objects.count()

    assert [c.kind for c in changes] == ["opened", "opened"]
    assert handlers.failures == 2
    assert list(alerts.values()) == [["opened"], ["opened"]]
    assert sorted(seen) == sorted((pk, "opened") for pk in alerts)
    assert half_done == 0
    letters = api.get(f"{DEAD_LETTERS}?kind=alert_handler").json()["results"]
    assert (
        sorted((x["item_model"], x["item_key"].split("/", 1)[1], x["reason"]) for x in letters)
        == [("monitoring.AlertEvent", f"notify/{HERE}.breaking", "RuntimeError: handler bug")] * 2
    )


def test_a_failed_handler_run_is_retried_from_its_dead_letter(two_policies, item):
    api = two_policies
    post(api, item, 3, timezone.now())
    with in_tenant("alpha"), TestCase.captureOnCommitCallbacks(execute=True):
        evaluate()
    first, second = api.get(f"{DEAD_LETTERS}?kind=alert_handler").json()["results"]

    again = api.post(f"{DEAD_LETTERS}/{first['id']}/retry").json()
    broken["yes"] = False
    fixed = api.post(f"{DEAD_LETTERS}/{first['id']}/retry").json()

    assert (again["resolved_at"], again["attempts"]) == (None, 2)
    assert fixed["resolved_at"] is not None
    assert [kind for _alert, kind in seen].count("retried opened") == 1
    with in_tenant("alpha"):
        assert Silence.objects.count() == 1  # the successful retry's write stays
    assert api.get(f"{DEAD_LETTERS}/{second['id']}").json()["resolved_at"] is None


def test_a_handler_that_cannot_be_imported_is_a_dead_letter_too(alpha, item, settings):
    seen.clear()
    settings.VIGIL_ALERT_HANDLERS = [f"{HERE}.no_such_handler", f"{HERE}.recording"]
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    api.post(POLICIES, VOLUME_POLICY)
    post(api, item, 3, timezone.now())

    handlers = AlertHandlers()
    with in_tenant("alpha"), TestCase.captureOnCommitCallbacks(execute=True):
        evaluate(handlers=handlers)

    assert handlers.failures == 1
    assert [kind for _alert, kind in seen] == ["opened"]
    (letter,) = api.get(f"{DEAD_LETTERS}?kind=alert_handler").json()["results"]
    assert letter["reason"].startswith("ImportError")
