"""DingTalk and Feishu robot 加签: the algorithms, signed deliveries to a local receiver, the write-only field."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from standardwebhooks.webhooks import Webhook

from tenants.notifications.models import NotificationChannel
from tenants.notifications.signing import dingtalk_sign, dingtalk_signed_url, feishu_sign, feishu_signed_body
from tests.api.test_notifications import CHANNELS, admin, alert_opened, attempt, channel_count, in_tenant, reload
from tests.conftest import nodes
from tests.webhook_receiver import Receiver, allow_target, running_receiver

DINGTALK_SECRET = "SEC5a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd"
FEISHU_SECRET = "qGx8mT3kZ2pLwR7vYb1sNd"
# 2025-01-01 00:00:00 UTC
FIXED_SECONDS = 1735689600
FIXED_MS = FIXED_SECONDS * 1000 + 123


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    with running_receiver() as running:
        allow_target(settings, running.url)
        yield running


def expected_dingtalk(secret: str, timestamp_ms: int | str) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def expected_feishu(secret: str, timestamp_s: int | str) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def create(tenant: Any, **fields: Any) -> Any:
    return admin(tenant).post(CHANNELS, {"name": "robot", "kind": "webhook", "url": "https://example.com/r", **fields})


def stored_robot_secret(channel_id: int, slug: str = "alpha") -> str:
    with in_tenant(slug):
        return NotificationChannel.objects.get(pk=channel_id).robot_secret


def test_dingtalk_sign_is_the_official_algorithm():
    sign = dingtalk_sign(secret=DINGTALK_SECRET, timestamp_ms=FIXED_MS)

    assert sign == expected_dingtalk(DINGTALK_SECRET, FIXED_MS)
    assert sign != expected_dingtalk(DINGTALK_SECRET, FIXED_MS + 1)
    assert len(base64.b64decode(sign)) == 32


def test_dingtalk_signed_url_appends_timestamp_and_url_encoded_sign():
    encoded = quote_plus(expected_dingtalk(DINGTALK_SECRET, FIXED_MS))

    with_token = dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc123", secret=DINGTALK_SECRET, timestamp_ms=FIXED_MS
    )
    without_query = dingtalk_signed_url("https://example.com/robot", secret=DINGTALK_SECRET, timestamp_ms=FIXED_MS)

    assert with_token == f"https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp={FIXED_MS}&sign={encoded}"
    assert without_query == f"https://example.com/robot?timestamp={FIXED_MS}&sign={encoded}"


def test_feishu_sign_is_the_official_algorithm():
    sign = feishu_sign(secret=FEISHU_SECRET, timestamp_s=FIXED_SECONDS)

    assert sign == expected_feishu(FEISHU_SECRET, FIXED_SECONDS)
    assert sign != expected_feishu(FEISHU_SECRET, FIXED_SECONDS + 1)


def test_feishu_signed_body_adds_timestamp_and_sign_at_the_top_level():
    body = {"msg_type": "text", "content": {"text": "hi"}}

    signed = feishu_signed_body(body, secret=FEISHU_SECRET, timestamp_s=FIXED_SECONDS)

    assert signed == {
        "timestamp": str(FIXED_SECONDS),
        "sign": expected_feishu(FEISHU_SECRET, FIXED_SECONDS),
        "msg_type": "text",
        "content": {"text": "hi"},
    }
    assert body == {"msg_type": "text", "content": {"text": "hi"}}


def test_dingtalk_delivery_carries_timestamp_and_sign_that_verify(alpha, receiver):
    created = create(alpha, format="dingtalk", url=f"{receiver.url}?access_token=tok", robot_secret=DINGTALK_SECRET)
    assert created.status_code == 201, created.content
    (delivery,) = alert_opened()

    before_ms = int(time.time() * 1000)
    attempt(delivery.pk)
    after_ms = int(time.time() * 1000)

    (request,) = receiver.requests
    parts = urlsplit(request.path)
    query = parse_qs(parts.query, strict_parsing=True)
    (timestamp,) = query["timestamp"]
    assert parts.path == "/hooks/vigil"
    assert list(query) == ["access_token", "timestamp", "sign"] and query["access_token"] == ["tok"]
    assert before_ms - 1000 <= int(timestamp) <= after_ms
    assert query["sign"] == [expected_dingtalk(DINGTALK_SECRET, timestamp)]
    body = Webhook(created.json()["secret"]).verify(request.body, request.headers)
    assert body["msgtype"] == "markdown" and "sign" not in body
    assert reload(delivery.pk).status == "succeeded"


def test_feishu_delivery_carries_timestamp_and_sign_in_the_body_that_verify(alpha, receiver):
    created = create(alpha, format="feishu", url=receiver.url, robot_secret=FEISHU_SECRET)
    assert created.status_code == 201, created.content
    (delivery,) = alert_opened()

    before = int(time.time())
    attempt(delivery.pk)
    after = int(time.time())

    (request,) = receiver.requests
    body = json.loads(request.body)
    assert request.path == "/hooks/vigil"
    assert list(body) == ["timestamp", "sign", "msg_type", "content"]
    assert isinstance(body["timestamp"], str) and before - 1 <= int(body["timestamp"]) <= after
    assert body["sign"] == expected_feishu(FEISHU_SECRET, body["timestamp"])
    assert body["content"] == {"text": "Orange alert: 奶茶店\nNegative mentions up 5x in 10 minutes."}
    assert Webhook(created.json()["secret"]).verify(request.body, request.headers) == body
    assert reload(delivery.pk).status == "succeeded"


def test_cleared_robot_secret_stops_signing(alpha, receiver):
    created = create(alpha, format="feishu", url=receiver.url, robot_secret=FEISHU_SECRET).json()

    patched = admin(alpha).patch(f"{CHANNELS}/{created['id']}", {"robot_secret": ""})
    (delivery,) = alert_opened()
    attempt(delivery.pk)

    assert patched.status_code == 200 and patched.json()["robot_signing"] is False
    assert stored_robot_secret(created["id"]) == ""
    assert list(json.loads(receiver.requests[0].body)) == ["msg_type", "content"]


def test_robot_secret_is_write_only_over_rest_and_graphql(alpha, receiver):
    api = admin(alpha)
    created = create(alpha, format="dingtalk", url=receiver.url, robot_secret=DINGTALK_SECRET)
    channel_id = created.json()["id"]
    responses = [
        created,
        api.get(f"{CHANNELS}/{channel_id}"),
        api.get(CHANNELS),
        api.patch(f"{CHANNELS}/{channel_id}", {"name": "renamed"}),
        api.post(f"{CHANNELS}/{channel_id}/rotate-secret"),
        api.post(f"{CHANNELS}/{channel_id}/test"),
        api.get("/api/v1/deliveries"),
        api.graphql("{ notificationChannels { edges { node { id name robotSigning secret } } } }"),
        api.graphql(
            'mutation($s: String!) { createNotificationChannel(input: {name: "gql", kind: WEBHOOK, '
            'url: "https://example.com/g", format: FEISHU, robotSecret: $s}) { secret channel { robotSigning } } }',
            {"s": FEISHU_SECRET},
        ),
        api.graphql(
            f'mutation {{ updateNotificationChannel(id: {channel_id}, input: {{robotSecret: "{DINGTALK_SECRET}"}}) '
            "{ robotSigning } }"
        ),
    ]
    asked_for_it = api.graphql("{ notificationChannels { edges { node { robotSecret } } } }").json()

    for response in responses:
        assert response.status_code in (200, 201), response.content
        assert b"robot_secret" not in response.content and b"robotSecret" not in response.content
        assert DINGTALK_SECRET.encode() not in response.content and FEISHU_SECRET.encode() not in response.content
    assert created.json()["robot_signing"] is True
    assert [c["robot_signing"] for c in responses[2].json()["results"]] == [True]
    assert nodes(responses[7].json()["data"]["notificationChannels"])[0]["robotSigning"] is True
    assert responses[8].json()["data"]["createNotificationChannel"]["channel"] == {"robotSigning": True}
    assert responses[9].json()["data"]["updateNotificationChannel"] == {"robotSigning": True}
    assert "Cannot query field 'robotSecret'" in asked_for_it["errors"][0]["message"]


def test_graphql_sets_and_clears_the_robot_secret(alpha):
    api = admin(alpha)
    created = api.graphql(
        'mutation { createNotificationChannel(input: {name: "gql", kind: WEBHOOK, url: "https://example.com/g", '
        f'format: DINGTALK, robotSecret: "  {DINGTALK_SECRET} "}}) {{ channel {{ id robotSigning }} }} }}'
    ).json()["data"]["createNotificationChannel"]["channel"]
    stored = stored_robot_secret(created["id"])

    cleared = api.graphql(
        f'mutation {{ updateNotificationChannel(id: {created["id"]}, input: {{robotSecret: ""}}) {{ robotSigning }} }}'
    ).json()["data"]["updateNotificationChannel"]

    assert created["robotSigning"] is True and stored == DINGTALK_SECRET
    assert cleared == {"robotSigning": False} and stored_robot_secret(created["id"]) == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"format": "slack"}, "Only dingtalk and feishu channels sign with a robot secret (an empty one clears it)."),
        ({}, "Only dingtalk and feishu channels sign with a robot secret (an empty one clears it)."),
        ({"format": "wecom"}, "Only dingtalk and feishu channels sign with a robot secret (an empty one clears it)."),
        (
            {"kind": "email", "url": "", "emails": ["ops@alpha.example"]},
            "Only dingtalk and feishu channels sign with a robot secret (an empty one clears it).",
        ),
        ({"format": "dingtalk", "robot_secret": "S" * 201}, "Ensure this field has no more than 200 characters."),
        (
            {"format": "feishu", "robot_secret": "SEC abc"},
            "Robot secret must not contain spaces or control characters.",
        ),
        (
            {"format": "dingtalk", "robot_secret": "SEC\u0007abc"},
            "Robot secret must not contain spaces or control characters.",
        ),
    ],
)
def test_bad_robot_secret_on_create_is_400_naming_it_and_writes_nothing(alpha, body, message):
    response = create(alpha, **{"robot_secret": DINGTALK_SECRET, **body})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "robot_secret"
    assert response.json()["error"]["message"] == message
    assert channel_count() == 0


def test_bad_robot_secret_over_graphql_names_it_and_writes_nothing(alpha):
    long_secret = "S" * 201

    wrong_format = admin(alpha).graphql(
        'mutation { createNotificationChannel(input: {name: "x", kind: WEBHOOK, url: "https://example.com", '
        'format: WECOM, robotSecret: "SECabc"}) { secret } }'
    )
    too_long = admin(alpha).graphql(
        'mutation { createNotificationChannel(input: {name: "x", kind: WEBHOOK, url: "https://example.com", '
        f'format: FEISHU, robotSecret: "{long_secret}"}}) {{ secret }} }}'
    )

    for response in (wrong_format, too_long):
        error = response.json()["errors"][0]["extensions"]
        assert (error["code"], error["field"]) == ("invalid", "robot_secret")
    assert too_long.json()["errors"][0]["message"] == "Robot secret must be at most 200 characters."
    assert channel_count() == 0


def test_bad_robot_secret_on_update_is_400_and_changes_nothing(alpha):
    api = admin(alpha)
    slack = create(alpha, name="slack", format="slack", robot_secret="").json()
    dingtalk = create(alpha, name="dingtalk", format="dingtalk", robot_secret=DINGTALK_SECRET).json()

    on_slack = api.patch(f"{CHANNELS}/{slack['id']}", {"robot_secret": DINGTALK_SECRET})
    to_slack = api.patch(f"{CHANNELS}/{dingtalk['id']}", {"format": "slack", "name": "moved"})
    too_long = api.patch(f"{CHANNELS}/{dingtalk['id']}", {"robot_secret": "S" * 201})
    cleared_and_moved = api.patch(f"{CHANNELS}/{dingtalk['id']}", {"format": "slack", "robot_secret": ""})

    for response in (on_slack, to_slack, too_long):
        assert response.status_code == 400, response.content
        assert response.json()["error"]["field"] == "robot_secret"
    assert to_slack.json()["error"]["message"] == (
        "Only dingtalk and feishu channels sign with a robot secret (an empty one clears it)."
    )
    assert stored_robot_secret(slack["id"]) == ""
    assert cleared_and_moved.status_code == 200
    assert cleared_and_moved.json()["format"] == "slack" and cleared_and_moved.json()["robot_signing"] is False
    assert cleared_and_moved.json()["name"] == "dingtalk"


def test_moving_between_dingtalk_and_feishu_keeps_the_secret(alpha):
    created = create(alpha, format="dingtalk", robot_secret=DINGTALK_SECRET).json()

    moved = admin(alpha).patch(f"{CHANNELS}/{created['id']}", {"format": "feishu"})

    assert moved.status_code == 200 and moved.json()["robot_signing"] is True
    assert stored_robot_secret(created["id"]) == DINGTALK_SECRET


def test_beta_cannot_set_or_clear_alphas_robot_secret(alpha, beta):
    created = create(alpha, format="feishu", robot_secret=FEISHU_SECRET).json()
    other = admin(beta)

    rest_set = other.patch(f"{CHANNELS}/{created['id']}", {"robot_secret": "stolen"})
    rest_clear = other.patch(f"{CHANNELS}/{created['id']}", {"robot_secret": ""})
    graphql = other.graphql(
        f'mutation {{ updateNotificationChannel(id: {created["id"]}, input: {{robotSecret: "stolen"}}) '
        "{ robotSigning } }"
    ).json()

    assert [rest_set.status_code, rest_clear.status_code] == [404, 404]
    assert graphql["errors"][0]["extensions"]["code"] == "not_found" and graphql["data"] is None
    assert stored_robot_secret(created["id"]) == FEISHU_SECRET
