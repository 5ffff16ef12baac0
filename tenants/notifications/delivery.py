"""Sending one delivery: sign and POST a webhook or send an email, log the attempt, schedule the next one."""

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tenants.notifications.dead_letters import dead_letters
from tenants.notifications.formats import envelope_ordered, render_body
from tenants.notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    NotificationChannel,
    WebhookFormat,
)
from tenants.notifications.network import DestinationRefused, post_pinned
from tenants.notifications.signing import dingtalk_signed_url, feishu_signed_body, signed_headers

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 3600
# Of a receiver's answer only this much is read, shown in the delivery log and searched for a chat robot's
# {"errcode": …} verdict (robots answer in well under 100 bytes).
REPLY_BYTES = 1024
# A robot's own error message, as its platform words it, is kept this long in the attempt's error.
CHAT_MESSAGE_CHARS = 200
# A task may arrive a little before its countdown when worker clocks differ.
DUE_TOLERANCE = timedelta(seconds=2)
# The sweep leaves deliveries to their own retry task for this long before deciding that task was lost.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 50


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""


def backoff_seconds(attempts_made: int) -> float:
    """10 s, 20 s, 40 s … up to an hour, spread by up to 10% so one outage's retries do not arrive together."""
    base = RETRY_BASE_SECONDS * 2 ** (attempts_made - 1)
    return min(base * random.uniform(1.0, 1.1), RETRY_MAX_SECONDS)


def _error_text(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _chat_error(format: str, body: bytes) -> str | None:
    """Chat robots answer 200 with an error code inside when they refuse a message."""
    if format == WebhookFormat.GENERIC or format == WebhookFormat.SLACK:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    code = data.get("errcode", data.get("code"))
    if code in (None, 0):
        return None
    message = str(data.get("errmsg", data.get("msg", "")))[:CHAT_MESSAGE_CHARS]
    return f"{format} refused the message: code {code}, {message}".rstrip(", ")


def _robot_signed(channel: NotificationChannel, body: dict[str, Any], at: datetime) -> tuple[str, dict[str, Any]]:
    """The URL and body a DingTalk or Feishu robot with 加签 accepts; both as they are for every other channel.

    Both platforms refuse a timestamp more than an hour away from their clock, so each attempt signs anew.
    """
    secret = channel.robot_secret
    if secret and channel.format == WebhookFormat.DINGTALK:
        return dingtalk_signed_url(channel.url, secret=secret, timestamp_ms=int(at.timestamp() * 1000)), body
    if secret and channel.format == WebhookFormat.FEISHU:
        return channel.url, feishu_signed_body(body, secret=secret, timestamp_s=int(at.timestamp()))
    return channel.url, body


def _send_webhook(delivery: Delivery, at: datetime) -> Outcome:
    channel = delivery.channel
    url, message = _robot_signed(
        channel, render_body(channel.format, payload=delivery.payload, title=delivery.title, text=delivery.text), at
    )
    body = json.dumps(
        message,
        ensure_ascii=False,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    headers = signed_headers(secret=channel.secret, message_id=delivery.event_id, timestamp=at, body=body)
    try:
        response = post_pinned(
            url,
            content=body.encode("utf-8"),
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            read_limit=REPLY_BYTES,
        )
    except DestinationRefused as exc:
        return Outcome(ok=False, error=str(exc))
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    received = response.body
    # PostgreSQL text cannot hold NUL; whatever else a receiver answers is kept, decoded leniently.
    excerpt = received.decode("utf-8", errors="replace").replace("\x00", "")
    if not response.is_success:
        return Outcome(
            ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}", excerpt=excerpt
        )
    refusal = _chat_error(channel.format, received)
    return Outcome(ok=refusal is None, status_code=response.status_code, error=refusal or "", excerpt=excerpt)


def _send_email(delivery: Delivery) -> Outcome:
    envelope = json.dumps(envelope_ordered(delivery.payload), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    # Mail headers cannot hold line breaks.
    subject = " ".join(delivery.title.split())[:200]
    try:
        send_mail(
            subject,
            f"{delivery.text}\n\n-- \n{envelope}\n",
            settings.DEFAULT_FROM_EMAIL,
            list(delivery.channel.emails),
            fail_silently=False,
        )
    except Exception as exc:
        # Backends raise anything from SMTPException to OSError; every failure is an attempt to log and retry.
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    return Outcome(ok=True)


def _send(delivery: Delivery, at: datetime) -> Outcome:
    if delivery.channel.kind == ChannelKind.EMAIL:
        return _send_email(delivery)
    return _send_webhook(delivery, at)


def delivery_attempt(delivery_id: int, *, quarantine: bool = True) -> Delivery | None:
    """Make the next attempt of a due, pending delivery and record it; None if there is nothing to do now.

    Safe to call any number of times and from several workers: a delivery that succeeded, failed for good, is not
    due yet, or is being sent by someone else right now (row lock, skip_locked) is left alone.

    A delivery that raises instead of producing an outcome (it cannot even be rendered or signed) is poison:
    it fails at once, its attempt says why, and it is quarantined as a dead letter (unless `quarantine` is off,
    for the dead letter's own retry); retrying on schedule would only fail the same way.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        started_at = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > started_at + DUE_TOLERANCE:
            return None
        clock = time.monotonic()
        poison: Exception | None = None
        try:
            outcome = _send(delivery, started_at)
        except Exception as exc:
            poison = exc
            outcome = Outcome(ok=False, error=_error_text(exc)[:REPLY_BYTES])
        duration_ms = round((time.monotonic() - clock) * 1000)
        number = delivery.attempt_count + 1
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started_at,
            duration_ms=duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response_excerpt=outcome.excerpt,
        )
        delivery.attempt_count = number
        now = timezone.now()
        if outcome.ok:
            delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.SUCCEEDED, None, now
        elif poison is not None:
            # Logged where it is quarantined, by error class only: the message may quote the payload.
            delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.FAILED, None, now
        elif number >= delivery.max_attempts:
            delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.FAILED, None, now
            logger.warning("delivery %s to channel %s failed for good: %s", delivery.pk, delivery.channel_id, outcome)
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(number))
        delivery.save(update_fields=["status", "attempt_count", "next_attempt_at", "completed_at"])
    if poison is not None and quarantine:
        dead_letters().record(item_key=delivery.pk, reason=_error_text(poison))
    return delivery


def deliveries_retry_due(limit: int = SWEEP_BATCH) -> int:
    """Attempt pending deliveries whose retry is overdue (their task was lost or never sent); returns how many."""
    cutoff = timezone.now() - SWEEP_GRACE
    due: list[Any] = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    attempted = 0
    quarantine = dead_letters().guard()
    for delivery_id in due:
        with quarantine.item(delivery_id):
            attempted += delivery_attempt(delivery_id) is not None
    if quarantine.keys:
        # Out of the sweep's way: an item that raised before it could be attempted would head every sweep.
        Delivery.objects.filter(pk__in=quarantine.keys, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, completed_at=timezone.now()
        )
    return attempted


def delivery_dead_letter_retry(item_key: str) -> str | None:
    """Dead-letter retry: send the delivery once more, now; None once delivered, else why it was not."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=int(item_key)).first()
        if delivery is None or delivery.status == DeliveryStatus.SUCCEEDED:
            return None
        delivery.status, delivery.max_attempts = DeliveryStatus.PENDING, delivery.attempt_count + 1
        delivery.next_attempt_at, delivery.completed_at = timezone.now(), None
        delivery.save(update_fields=["status", "max_attempts", "next_attempt_at", "completed_at"])
    sent = delivery_attempt(delivery.pk, quarantine=False)
    if sent is not None and sent.status == DeliveryStatus.SUCCEEDED:
        return None
    last = DeliveryAttempt.objects.filter(delivery_id=delivery.pk).order_by("-number").first()
    return last.error if last and last.error else "The delivery was not sent."


def seconds_until(moment: datetime) -> float:
    return max((moment - timezone.now()).total_seconds(), 0.0)
