"""Outgoing notifications against a real local HTTP receiver: signatures, formats, retries, email, API and isolation."""

import base64
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from config.celery import app as celery_app
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.delivery import delivery_attempt
from tenants.notifications.models import Delivery, NotificationChannel
from tenants.notifications.services import channel_create, notify
from tenants.notifications.tasks import webhooks_deliver, webhooks_retry_due
from tests.conftest import Api, key_auth, nodes
from tests.webhook_receiver import Receiver, allow_target, running_receiver

CHANNELS = "/api/v1/notification-channels"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    with running_receiver() as running:
        allow_target(settings, running.url)
        yield running


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def create_channel(tenant: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "ops hook", "kind": "webhook", **fields}
    response = admin(tenant).post(CHANNELS, body)
    assert response.status_code == 201, response.content
    return dict(response.json())


def alert_opened(slug: str = "alpha") -> list[Delivery]:
    with in_tenant(slug):
        return notify(
            event_type="alert.opened",
            data={"alert_id": 7, "level": "orange", "brand": "奶茶店"},
            title="Orange alert: 奶茶店",
            text="Negative mentions up 5x in 10 minutes.",
        )


def attempt(delivery_id: int, slug: str = "alpha") -> Delivery | None:
    with in_tenant(slug):
        return delivery_attempt(delivery_id)


def reload(delivery_id: int, slug: str = "alpha") -> Delivery:
    with in_tenant(slug):
        return Delivery.objects.prefetch_related("attempts").get(pk=delivery_id)


def make_due(delivery_id: int, slug: str = "alpha", ago: timedelta = timedelta(0)) -> None:
    with in_tenant(slug):
        Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now() - ago)


def channel_count(slug: str = "alpha") -> int:
    with in_tenant(slug):
        return NotificationChannel.objects.count()


def closed_url(settings: Any) -> str:
    """An allowed loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    allow_target(settings, url)
    return url


def test_generic_delivery_is_signed_and_verifies(alpha, receiver):
    secret = create_channel(alpha, url=receiver.url)["secret"]

    (delivery,) = alert_opened()
    sent = attempt(delivery.pk)

    (request,) = receiver.requests
    envelope = Webhook(secret).verify(request.body, request.headers)
    assert envelope == {
        "id": delivery.event_id,
        "type": "alert.opened",
        "created_at": envelope["created_at"],
        "tenant": "alpha",
        "data": {"alert_id": 7, "level": "orange", "brand": "奶茶店"},
    }
    assert list(json.loads(request.body)) == ["id", "type", "created_at", "tenant", "data"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", envelope["created_at"])
    assert delivery.event_id.startswith("evt_") and len(delivery.event_id) == 36
    assert request.path == "/hooks/vigil"
    assert request.headers["webhook-id"] == delivery.event_id
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Vigil-Webhooks/1"
    assert sent is not None and sent.status == "succeeded"
    stored = reload(delivery.pk)
    (logged,) = stored.attempts.all()
    assert (stored.status, stored.attempt_count, stored.next_attempt_at) == ("succeeded", 1, None)
    assert (logged.number, logged.status_code, logged.error, logged.response_excerpt) == (1, 200, "", '{"ok": true}')


def test_tampered_body_or_wrong_secret_fails_verification(alpha, receiver):
    secret = create_channel(alpha, url=receiver.url)["secret"]
    (delivery,) = alert_opened()
    attempt(delivery.pk)
    (request,) = receiver.requests

    tampered = request.body.replace(b'"orange"', b'"blue"')

    assert tampered != request.body
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"k" * 32).decode()).verify(request.body, request.headers)


@pytest.mark.parametrize(
    ("format", "expected"),
    [
        (
            "slack",
            {
                "text": "*Orange alert: 奶茶店*\nNegative mentions up 5x in 10 minutes.",
                "blocks": [
                    {
                        "type": "section",
                        "text": {
                            "type": "mrkdwn",
                            "text": "*Orange alert: 奶茶店*\nNegative mentions up 5x in 10 minutes.",
                        },
                    }
                ],
            },
        ),
        (
            "wecom",
            {
                "msgtype": "markdown",
                "markdown": {"content": "## Orange alert: 奶茶店\nNegative mentions up 5x in 10 minutes."},
            },
        ),
        (
            "dingtalk",
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": "Orange alert: 奶茶店",
                    "text": "## Orange alert: 奶茶店\n\nNegative mentions up 5x in 10 minutes.",
                },
            },
        ),
        (
            "feishu",
            {"msg_type": "text", "content": {"text": "Orange alert: 奶茶店\nNegative mentions up 5x in 10 minutes."}},
        ),
    ],
)
def test_chat_formats_have_their_platform_shape_and_are_signed_too(alpha, receiver, format, expected):
    secret = create_channel(alpha, url=receiver.url, format=format)["secret"]

    (delivery,) = alert_opened()
    attempt(delivery.pk)

    (request,) = receiver.requests
    assert Webhook(secret).verify(request.body, request.headers) == expected
    assert request.headers["webhook-id"] == delivery.event_id
    assert reload(delivery.pk).status == "succeeded"


def test_slack_text_is_escaped(alpha, receiver):
    create_channel(alpha, url=receiver.url, format="slack")
    with in_tenant("alpha"):
        (delivery,) = notify(event_type="alert.opened", data={}, title="A & B", text="<!channel> x > y")

    attempt(delivery.pk)

    assert json.loads(receiver.requests[0].body)["text"] == "*A &amp; B*\n&lt;!channel&gt; x &gt; y"


def test_chat_robot_refusal_inside_a_200_is_a_failed_attempt(alpha, receiver):
    create_channel(alpha, url=receiver.url, format="dingtalk")
    receiver.reply_with(b'{"errcode": 310000, "errmsg": "keywords not in content"}')

    (delivery,) = alert_opened()
    attempt(delivery.pk)

    stored = reload(delivery.pk)
    (logged,) = stored.attempts.all()
    assert stored.status == "pending"
    assert logged.status_code == 200
    assert logged.error == "dingtalk refused the message: code 310000, keywords not in content"


def test_500_is_retried_with_backoff_then_succeeds_with_both_attempts_logged(alpha, receiver):
    create_channel(alpha, url=receiver.url)
    receiver.fail_first(1)
    (delivery,) = alert_opened()

    before = timezone.now()
    attempt(delivery.pk)
    after_first = reload(delivery.pk)
    early = attempt(delivery.pk)
    make_due(delivery.pk, ago=timedelta(minutes=1))
    with in_tenant("alpha"):
        swept = webhooks_retry_due.apply().get()

    assert after_first.status == "pending" and after_first.attempt_count == 1
    assert after_first.next_attempt_at is not None
    assert before + timedelta(seconds=10) <= after_first.next_attempt_at <= timezone.now() + timedelta(seconds=11)
    assert early is None, "an attempt before the backoff is over sends nothing"
    assert swept == 1
    stored = reload(delivery.pk)
    assert (stored.status, stored.attempt_count) == ("succeeded", 2)
    assert [(a.number, a.status_code, a.error) for a in stored.attempts.all()] == [(1, 500, "HTTP 500"), (2, 200, "")]
    assert stored.attempts.all()[0].response_excerpt == '{"error": "receiver told to fail"}'
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.event_id] * 2


def test_backoff_doubles_and_is_capped_at_an_hour():
    from tenants.notifications.delivery import backoff_seconds

    assert 10 <= backoff_seconds(1) <= 11
    assert 20 <= backoff_seconds(2) <= 22
    assert 80 <= backoff_seconds(4) <= 88
    assert backoff_seconds(20) == 3600


def test_delivery_fails_for_good_after_max_attempts(alpha, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    create_channel(alpha, url=receiver.url)
    receiver.fail_first(100, status=503)
    (delivery,) = alert_opened()

    for _ in range(3):
        make_due(delivery.pk)
        attempt(delivery.pk)
    after_failure = attempt(delivery.pk)

    stored = reload(delivery.pk)
    assert (stored.status, stored.attempt_count, stored.max_attempts, stored.next_attempt_at) == ("failed", 3, 3, None)
    assert stored.completed_at is not None
    assert [a.status_code for a in stored.attempts.all()] == [503, 503, 503]
    assert after_failure is None
    assert len(receiver.requests) == 3


def test_unreachable_url_is_logged_as_an_error_attempt(alpha, settings):
    create_channel(alpha, url=closed_url(settings))

    (delivery,) = alert_opened()
    attempt(delivery.pk)

    stored = reload(delivery.pk)
    (logged,) = stored.attempts.all()
    assert stored.status == "pending" and stored.next_attempt_at is not None
    assert logged.status_code is None
    assert logged.error.startswith("ConnectError")
    assert logged.response_excerpt == ""


def test_task_sends_in_the_tenant_it_was_given(alpha, receiver):
    create_channel(alpha, url=receiver.url)
    (delivery,) = alert_opened()

    with in_tenant("alpha"):
        result = webhooks_deliver.apply(args=[delivery.pk]).get()
        again = webhooks_deliver.apply(args=[delivery.pk]).get()

    assert (result, again) == ("succeeded", None)
    assert len(receiver.requests) == 1


def test_task_leaves_a_failed_attempt_pending_for_its_retry(alpha, receiver):
    create_channel(alpha, url=receiver.url)
    receiver.fail_first(1)
    (delivery,) = alert_opened()

    with in_tenant("alpha"):
        # Eagerly, Celery runs the retry at once instead of after its countdown; the delivery is not due yet.
        result = webhooks_deliver.apply(args=[delivery.pk]).get()

    stored = reload(delivery.pk)
    assert result is None
    assert (stored.status, stored.attempt_count) == ("pending", 1)
    assert len(receiver.requests) == 1


def test_retry_sweep_is_registered_and_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-retry-due"]

    assert entry["task"] == "notifications.webhooks_retry_due"
    assert entry["schedule"] == timedelta(seconds=60)
    assert {"notifications.webhooks_deliver", "notifications.webhooks_retry_due"} <= set(celery_app.tasks.keys())


def test_email_channel_sends_through_django_mail(alpha, mailoutbox):
    response = admin(alpha).post(
        CHANNELS, {"name": "on-call", "kind": "email", "emails": ["Duty@alpha.example", "pr@alpha.example"]}
    )

    (delivery,) = alert_opened()
    attempt(delivery.pk)

    (mail,) = mailoutbox
    assert response.json()["secret"] is None and response.json()["emails"] == ["duty@alpha.example", "pr@alpha.example"]
    assert mail.subject == "Orange alert: 奶茶店"
    assert mail.to == ["duty@alpha.example", "pr@alpha.example"]
    assert mail.from_email == settings.DEFAULT_FROM_EMAIL
    assert mail.body.startswith("Negative mentions up 5x in 10 minutes.\n")
    assert f'"id": "{delivery.event_id}"' in mail.body
    stored = reload(delivery.pk)
    (logged,) = stored.attempts.all()
    assert stored.status == "succeeded"
    assert (logged.status_code, logged.error) == (None, "")


def test_channels_get_only_the_event_types_they_subscribe_to(alpha, settings):
    settings.WEBHOOK_ALLOWED_TARGETS = ["127.0.0.1:9"]
    opened = create_channel(alpha, name="opened only", url="http://127.0.0.1:9/a", event_types=["alert.opened"])
    create_channel(alpha, name="sla only", url="http://127.0.0.1:9/b", event_types=["case.sla_breached"])
    everything = create_channel(alpha, name="everything", url="http://127.0.0.1:9/c")

    deliveries = alert_opened()

    assert sorted(d.channel_id for d in deliveries) == sorted([opened["id"], everything["id"]])
    assert len({d.event_id for d in deliveries}) == 1


def test_inactive_channel_gets_nothing(alpha, receiver):
    channel = create_channel(alpha, url=receiver.url)
    admin(alpha).patch(f"{CHANNELS}/{channel['id']}", {"is_active": False})

    deliveries = alert_opened()

    assert deliveries == []
    with in_tenant("alpha"):
        assert not Delivery.objects.exists()
    assert receiver.requests == []


def test_notify_refuses_an_unregistered_event_type(alpha):
    with in_tenant("alpha"), pytest.raises(ValueError, match=r"unknown event type 'alert\.exploded'"):
        notify(event_type="alert.exploded", data={}, title="x", text="y")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "webhook", "url": "ftp://example.com/hook"}, "url", "URL must start with http:// or https://."),
        ({"kind": "webhook", "url": "javascript:alert(1)"}, "url", "URL must start with http:// or https://."),
        ({"kind": "webhook", "url": "https://"}, "url", "URL has no host."),
        ({"kind": "webhook", "url": "https://example.com/" + "a" * 2000}, "url", None),
        ({"kind": "webhook"}, "url", "A webhook channel needs a URL."),
        ({"kind": "webhook", "url": "https://example.com", "format": "telegram"}, "format", None),
        (
            {"kind": "webhook", "url": "https://example.com", "event_types": ["alert.opened", "alert.exploded"]},
            "event_types",
            "Unknown event type 'alert.exploded'; expected any of ",
        ),
        ({"kind": "email", "emails": ["ok@alpha.example", "not-an-email"]}, "emails", None),
        ({"kind": "email", "emails": []}, "emails", "An email channel needs at least one address."),
        ({"kind": "email", "emails": [f"p{i}@alpha.example" for i in range(21)]}, "emails", "At most 20 addresses."),
        ({"kind": "email", "emails": ["a@alpha.example"], "format": "slack"}, "format", None),
        ({"kind": "pager", "url": "https://example.com"}, "kind", None),
        ({"kind": "webhook", "url": "https://example.com", "name": "  "}, "name", None),
    ],
)
def test_bad_channel_input_is_400_naming_the_field_and_writes_nothing(alpha, body, field, message):
    before = channel_count()

    response = admin(alpha).post(CHANNELS, {"name": "bad", **body})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    if message:
        assert response.json()["error"]["message"].startswith(message)
    assert channel_count() == before


def test_broken_unicode_name_is_400_over_rest_and_graphql(alpha):
    before = channel_count()

    rest = admin(alpha).post(CHANNELS, raw=b'{"name": "bad \\ud800", "kind": "webhook", "url": "https://example.com"}')
    graphql = admin(alpha).request(
        "post",
        "/graphql/",
        raw=(
            b'{"query": "mutation($n: String!) { createNotificationChannel(input: {name: $n, kind: WEBHOOK, '
            b'url: \\"https://example.com\\"}) { secret } }", "variables": {"n": "bad \\ud800"}}'
        ),
    )

    assert rest.status_code == 400
    assert rest.json()["error"]["field"] == "name" and rest.json()["error"]["code"] == "invalid_encoding"
    # GraphQL refuses it before the service, naming the variable that carried it.
    assert graphql.status_code == 400
    assert graphql.json()["errors"][0]["extensions"]["field"] == "variables.n"
    assert channel_count() == before


def test_unknown_event_type_over_graphql_names_the_field(alpha):
    response = admin(alpha).graphql(
        'mutation { createNotificationChannel(input: {name: "x", kind: WEBHOOK, url: "https://example.com", '
        'eventTypes: ["alert.exploded"]}) { secret } }'
    )

    error = response.json()["errors"][0]["extensions"]
    assert (error["code"], error["field"]) == ("invalid", "event_types")
    assert channel_count() == 0


def test_duplicate_name_is_409(alpha):
    create_channel(alpha, url="https://example.com/a")

    response = admin(alpha).post(CHANNELS, {"name": "ops hook", "kind": "webhook", "url": "https://example.com/b"})

    assert response.status_code == 409
    assert response.json()["error"]["field"] == "name"


def test_private_addresses_are_refused(alpha):
    literal = admin(alpha).post(CHANNELS, {"name": "meta", "kind": "webhook", "url": "http://169.254.169.254/x"})

    assert literal.status_code == 400
    assert literal.json()["error"] == {
        "code": "invalid",
        "message": "URL points to a private, loopback or reserved address.",
        "field": "url",
        "details": [{"field": "url", "message": "URL points to a private, loopback or reserved address."}],
    }
    assert channel_count() == 0


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_viewer_and_analyst_cannot_manage_channels_and_nothing_is_written(alpha, make_key, role):
    _key, raw = make_key("alpha", role)
    caller = Api("alpha", auth=key_auth(raw))
    before = channel_count()

    rest = caller.post(CHANNELS, {"name": "sneaky", "kind": "webhook", "url": "https://example.com"})
    graphql = caller.graphql(
        'mutation { createNotificationChannel(input: {name: "sneaky", kind: WEBHOOK, url: "https://example.com"}) '
        "{ secret } }"
    )

    assert rest.status_code == 403
    assert rest.json()["error"] == {
        "code": "permission_denied",
        "message": f"Role '{role}' may not notifications.manage.",
        "field": None,
    }
    assert graphql.json()["errors"][0]["extensions"]["code"] == "permission_denied"
    assert graphql.json()["data"] is None
    assert channel_count() == before


def test_analyst_reads_channels_and_deliveries_but_viewer_does_not(alpha, make_key):
    create_channel(alpha, url="https://example.com/a")
    _key, analyst = make_key("alpha", "analyst")
    _key, viewer = make_key("alpha", "viewer")

    assert Api("alpha", auth=key_auth(analyst)).get(CHANNELS).status_code == 200
    assert Api("alpha", auth=key_auth(analyst)).get("/api/v1/deliveries").status_code == 200
    assert Api("alpha", auth=key_auth(viewer)).get(CHANNELS).status_code == 403
    assert Api("alpha", auth=key_auth(viewer)).get("/api/v1/deliveries").status_code == 403


def test_secret_is_shown_once_and_masked_afterwards(alpha):
    created = create_channel(alpha, url="https://example.com/a")
    secret = created["secret"]
    masked = f"whsec_…{secret[-4:]}"
    api = admin(alpha)

    fetched = api.get(f"{CHANNELS}/{created['id']}").json()
    listed = api.get(CHANNELS).json()["results"]
    patched = api.patch(f"{CHANNELS}/{created['id']}", {"name": "renamed"}).json()
    graphql = nodes(
        api.graphql("{ notificationChannels { edges { node { name secret } } } }").json()["data"][
            "notificationChannels"
        ]
    )

    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert fetched["secret"] == masked
    assert [c["secret"] for c in listed] == [masked]
    assert patched["secret"] == masked and patched["name"] == "renamed"
    assert graphql == [{"name": "renamed", "secret": masked}]


def test_rotated_secret_signs_from_then_on(alpha, receiver):
    created = create_channel(alpha, url=receiver.url)
    rotated = admin(alpha).post(f"{CHANNELS}/{created['id']}/rotate-secret").json()

    (delivery,) = alert_opened()
    attempt(delivery.pk)

    (request,) = receiver.requests
    assert rotated["secret"] != created["secret"] and rotated["secret"].startswith("whsec_")
    assert Webhook(rotated["secret"]).verify(request.body, request.headers)["id"] == delivery.event_id
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(request.body, request.headers)


def test_test_endpoint_sends_a_ping_now_and_returns_the_delivery(alpha, receiver):
    created = create_channel(alpha, url=receiver.url, is_active=False)

    response = admin(alpha).post(f"{CHANNELS}/{created['id']}/test")

    body = response.json()
    (request,) = receiver.requests
    ping = Webhook(created["secret"]).verify(request.body, request.headers)
    assert response.status_code == 200
    assert (body["channel"], body["event_type"], body["status"], body["max_attempts"]) == (
        created["id"],
        "test.ping",
        "succeeded",
        1,
    )
    assert [(a["number"], a["status_code"], a["error"]) for a in body["attempts"]] == [(1, 200, "")]
    assert ping["type"] == "test.ping" and ping["id"] == body["event_id"]
    assert ping["data"] == {"channel": {"id": created["id"], "name": "ops hook"}, "requested_by": "default"}


def test_failed_test_ping_is_not_retried_and_can_be_redelivered(alpha, receiver):
    created = create_channel(alpha, url=receiver.url)
    receiver.fail_first(1, status=404)
    api = admin(alpha)

    tested = api.post(f"{CHANNELS}/{created['id']}/test").json()
    redelivered = api.post(f"/api/v1/deliveries/{tested['id']}/redeliver")
    again = api.post(f"/api/v1/deliveries/{tested['id']}/redeliver")

    assert (tested["status"], tested["next_attempt_at"]) == ("failed", None)
    assert tested["attempts"][0]["status_code"] == 404
    assert redelivered.status_code == 200
    assert redelivered.json()["status"] == "succeeded"
    assert [a["status_code"] for a in redelivered.json()["attempts"]] == [404, 200]
    assert again.status_code == 409
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


def test_delivery_log_filters_and_pages_newest_first(alpha, receiver):
    created = create_channel(alpha, url=receiver.url)
    api = admin(alpha)
    receiver.fail_first(1)
    api.post(f"{CHANNELS}/{created['id']}/test")
    api.post(f"{CHANNELS}/{created['id']}/test")
    (opened,) = alert_opened()

    everything = api.get("/api/v1/deliveries").json()
    failed = api.get("/api/v1/deliveries?status=failed").json()["results"]
    alerts = api.get("/api/v1/deliveries?event_type=alert.opened").json()["results"]
    first_page = api.get(f"{CHANNELS}/{created['id']}/deliveries?page_size=2").json()
    second_page = api.get(
        f"{CHANNELS}/{created['id']}/deliveries?page_size=2&cursor={first_page['next_cursor']}"
    ).json()
    bad_status = api.get("/api/v1/deliveries?status=lost")
    other_channel = api.get(f"/api/v1/deliveries?channel={created['id'] + 1000}").json()["results"]

    ids = [d["id"] for d in everything["results"]]
    assert ids == sorted(ids, reverse=True) and ids[0] == opened.pk
    assert [(d["event_type"], d["status"]) for d in failed] == [("test.ping", "failed")]
    assert [d["id"] for d in alerts] == [opened.pk]
    assert alerts[0]["payload"]["data"] == {"alert_id": 7, "level": "orange", "brand": "奶茶店"}
    assert [d["id"] for d in first_page["results"] + second_page["results"]] == ids
    assert bad_status.status_code == 400 and bad_status.json()["error"]["field"] == "status"
    assert other_channel == []


def test_graphql_manages_channels_and_reads_deliveries(alpha, receiver):
    api = admin(alpha)

    created = api.graphql(
        'mutation($url: String!) { createNotificationChannel(input: {name: "chat", kind: WEBHOOK, url: $url, '
        'format: FEISHU, eventTypes: ["alert.opened"]}) { secret channel { id format eventTypes } } }',
        {"url": receiver.url},
    ).json()["data"]["createNotificationChannel"]
    channel_id = created["channel"]["id"]
    updated = api.graphql(
        f"mutation {{ updateNotificationChannel(id: {channel_id}, input: {{format: WECOM, eventTypes: []}}) "
        "{ format eventTypes } }"
    ).json()["data"]["updateNotificationChannel"]
    tested = api.graphql(
        f"mutation {{ testNotificationChannel(id: {channel_id}) {{ status eventType "
        "attempts { edges { node { statusCode } } } } }"
    ).json()["data"]["testNotificationChannel"]
    listed = api.graphql(
        f'{{ deliveries(channelId: {channel_id}, status: SUCCEEDED, eventType: "test.ping", first: 10) '
        "{ edges { node { eventType status channelId attempts { edges { node { number statusCode } } } } } } }"
    ).json()["data"]["deliveries"]
    deleted = api.graphql(f"mutation {{ deleteNotificationChannel(id: {channel_id}) }}").json()["data"]

    assert created["secret"].startswith("whsec_")
    assert created["channel"]["format"] == "FEISHU" and created["channel"]["eventTypes"] == ["alert.opened"]
    assert updated == {"format": "WECOM", "eventTypes": []}
    assert tested == {
        "status": "SUCCEEDED",
        "eventType": "test.ping",
        "attempts": {"edges": [{"node": {"statusCode": 200}}]},
    }
    assert [{**d, "attempts": nodes(d["attempts"])} for d in nodes(listed)] == [
        {
            "eventType": "test.ping",
            "status": "SUCCEEDED",
            "channelId": channel_id,
            "attempts": [{"number": 1, "statusCode": 200}],
        }
    ]
    assert json.loads(receiver.requests[0].body)["msgtype"] == "markdown"
    assert deleted == {"deleteNotificationChannel": True}
    assert (
        api.graphql("{ notificationChannels { edges { node { id } } } }").json()["data"]["notificationChannels"][
            "edges"
        ]
        == []
    )
    with in_tenant("alpha"):
        assert NotificationChannel.objects.get(pk=channel_id).archived_at is not None


def test_delivery_list_queries_do_not_grow_with_the_page(alpha, settings, django_assert_max_num_queries):
    create_channel(alpha, url=closed_url(settings))
    for _ in range(3):
        (delivery,) = alert_opened()
        attempt(delivery.pk)
    api = admin(alpha)
    query = "{ deliveries(first: %d) { edges { node { id attempts { edges { node { number error } } } } } } }"

    with django_assert_max_num_queries(20) as one:
        page_of_one = api.graphql(query % 1).json()["data"]["deliveries"]
    with django_assert_max_num_queries(20) as three:
        page_of_three = api.graphql(query % 3).json()["data"]["deliveries"]

    assert [len(page_of_one["edges"]), len(page_of_three["edges"])] == [1, 3]
    assert len(one.captured_queries) == len(three.captured_queries)


def test_beta_cannot_see_or_use_alphas_channels_or_deliveries(alpha, beta, receiver):
    channel = create_channel(alpha, url=receiver.url)
    (delivery,) = alert_opened()
    attempt(delivery.pk)
    other = admin(beta)

    listed = other.get(CHANNELS).json()["results"]
    fetched = other.get(f"{CHANNELS}/{channel['id']}")
    tested = other.post(f"{CHANNELS}/{channel['id']}/test")
    patched = other.patch(f"{CHANNELS}/{channel['id']}", {"url": "https://evil.example"})
    deleted = other.request("delete", f"{CHANNELS}/{channel['id']}")
    nested = other.get(f"{CHANNELS}/{channel['id']}/deliveries")
    by_filter = other.get(f"/api/v1/deliveries?channel={channel['id']}").json()["results"]
    delivery_fetched = other.get(f"/api/v1/deliveries/{delivery.pk}")
    gql_channels = nodes(
        other.graphql("{ notificationChannels { edges { node { id } } } }").json()["data"]["notificationChannels"]
    )
    gql_deliveries = nodes(other.graphql("{ deliveries { edges { node { id } } } }").json()["data"]["deliveries"])
    gql_test = other.graphql(f"mutation {{ testNotificationChannel(id: {channel['id']}) {{ status }} }}").json()
    with_alpha_key = Api("beta", auth=key_auth(alpha.api_key)).get(CHANNELS)
    beta_deliveries = alert_opened("beta")

    assert listed == [] and by_filter == [] and gql_channels == [] and gql_deliveries == []
    assert [r.status_code for r in (fetched, tested, patched, deleted, nested, delivery_fetched)] == [404] * 6
    assert gql_test["errors"][0]["extensions"]["code"] == "not_found"
    assert with_alpha_key.status_code == 403
    assert beta_deliveries == []
    assert len(receiver.requests) == 1
    with in_tenant("alpha"):
        assert NotificationChannel.objects.get(pk=channel["id"]).url == receiver.url


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield


@pytest.fixture
def committed(django_db_blocker: Any) -> Iterator[None]:
    """Rows written for real, since the worker reads them on its own connection; removed afterwards."""
    with django_db_blocker.unblock():
        yield
        for slug in ("alpha", "beta"):
            with in_tenant(slug):
                Delivery.objects.all().delete()
                NotificationChannel.objects.all().delete()


def wait_for(condition: Any, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_worker_delivers_after_commit_in_the_sending_tenant(celery_worker, committed, receiver):
    with in_tenant("alpha"):
        channel = channel_create(actor=SYSTEM, name="live", kind="webhook", url=receiver.url)
        (delivery,) = notify(event_type="case.sla_breached", data={"case_id": 3}, title="SLA breached", text="Late.")

    assert wait_for(lambda: reload(delivery.pk).status == "succeeded"), "the worker never delivered"
    (request,) = receiver.requests
    event = Webhook(channel.secret).verify(request.body, request.headers)
    assert (event["id"], event["tenant"], event["data"]) == (delivery.event_id, "alpha", {"case_id": 3})
    with in_tenant("beta"):
        assert not Delivery.objects.exists()
