"""No poison pills in notifications: a delivery that cannot even be rendered fails alone and is quarantined."""

from datetime import timedelta
from typing import Any

from django.db import connection

from tenants.notifications.models import Delivery
from tenants.notifications.tasks import webhooks_retry_due
from tests.api.test_notifications import admin, alert_opened, create_channel, in_tenant, make_due, reload
from tests.webhook_receiver import allow_target, running_receiver

DEAD_LETTERS = "/api/v1/dead-letters"


def test_one_unrenderable_delivery_does_not_hold_up_the_sweep(alpha, settings: Any):
    with running_receiver() as receiver:
        allow_target(settings, receiver.url)
        create_channel(alpha, url=receiver.url)
        deliveries = [alert_opened()[0] for _ in range(3)]
        broken = deliveries[0]
        # Stored without the envelope's keys (say, by an older release): the generic format cannot render it.
        with in_tenant("alpha"), connection.cursor() as cursor:
            cursor.execute("UPDATE notifications_delivery SET payload = '{\"data\": {}}' WHERE id = %s", [broken.pk])
        for delivery in deliveries:
            make_due(delivery.pk, ago=timedelta(minutes=1))

        with in_tenant("alpha"):
            swept = webhooks_retry_due.apply().get()
        sent = sorted(r.headers["webhook-id"] for r in receiver.requests)

        assert swept == 3
        assert sent == sorted(d.event_id for d in deliveries[1:])
        stored = reload(broken.pk)
        assert (stored.status, stored.attempt_count) == ("failed", 1)
        assert [a.error for a in stored.attempts.all()] == ["KeyError: 'id'"]
        (letter,) = admin(alpha).get(f"{DEAD_LETTERS}?kind=webhook_delivery").json()["results"]
        assert (letter["item_model"], letter["item_key"], letter["reason"]) == (
            "notifications.Delivery",
            str(broken.pk),
            "KeyError: 'id'",
        )
        with in_tenant("alpha"):
            assert webhooks_retry_due.apply().get() == 0, "the failed delivery is not tried again by the sweep"

        with in_tenant("alpha"):
            Delivery.objects.filter(pk=broken.pk).update(payload=deliveries[1].payload | {"id": broken.event_id})
        retried = admin(alpha).post(f"{DEAD_LETTERS}/{letter['id']}/retry").json()

        assert retried["resolved_at"] is not None
        assert len(receiver.requests) == 3
        assert (reload(broken.pk).status, reload(broken.pk).attempt_count) == ("succeeded", 2)


def test_a_retry_the_receiver_refuses_keeps_the_letter_open_with_the_new_reason(alpha, settings: Any):
    with running_receiver() as receiver:
        allow_target(settings, receiver.url)
        create_channel(alpha, url=receiver.url)
        (delivery,) = alert_opened()
        with in_tenant("alpha"), connection.cursor() as cursor:
            cursor.execute("UPDATE notifications_delivery SET payload = '{\"data\": {}}' WHERE id = %s", [delivery.pk])
        make_due(delivery.pk, ago=timedelta(minutes=1))
        with in_tenant("alpha"):
            webhooks_retry_due.apply().get()
        (letter,) = admin(alpha).get(f"{DEAD_LETTERS}?kind=webhook_delivery").json()["results"]

        with in_tenant("alpha"):
            Delivery.objects.filter(pk=delivery.pk).update(payload=alert_opened()[0].payload)
        receiver.fail_first(5)
        retried = admin(alpha).post(f"{DEAD_LETTERS}/{letter['id']}/retry").json()

    assert (retried["resolved_at"], retried["attempts"], retried["reason"]) == (None, 2, "HTTP 500")
    assert (reload(delivery.pk).status, reload(delivery.pk).attempt_count) == ("failed", 2)
