"""Writes on notification channels, and `notify`, the one entry point for anything that wants to tell a tenant."""

import logging
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.archive import archive, refuse_archived, restore
from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.timestamps import format_timestamp, with_timestamps
from config.unicode import find_broken_text
from config.validation import UNSET, required_text
from tenants.audit.services import audit_record
from tenants.context import current_schema, current_tenant
from tenants.identity.principals import Principal, check_permission
from tenants.notifications.catalogue import CATALOGUE, event_type_get
from tenants.notifications.delivery import delivery_attempt
from tenants.notifications.models import ChannelKind, Delivery, DeliveryStatus, NotificationChannel, WebhookFormat
from tenants.notifications.network import url_refused
from tenants.notifications.signing import secret_generate
from tenants.notifications.tasks import webhooks_deliver

logger = logging.getLogger(__name__)

MAX_EMAILS = 20
MAX_URL_LENGTH = 2000
MAX_ROBOT_SECRET_LENGTH = 200
ROBOT_SIGNED_FORMATS = (WebhookFormat.DINGTALK, WebhookFormat.FEISHU)


def _check_url(errors: ErrorList, url: str) -> str:
    url = url.strip()
    if not url:
        errors.add("url", "A webhook channel needs a URL.")
        return url
    if len(url) > MAX_URL_LENGTH:
        errors.add("url", f"URL must be at most {MAX_URL_LENGTH} characters.")
        return url
    if any(c.isspace() or ord(c) < 32 for c in url):
        errors.add("url", "URL must not contain spaces or control characters.")
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (parsing the port is what rejects 'host:abc' and out-of-range ports)
    except ValueError:
        errors.add("url", "URL is not valid.")
        return url
    if parts.scheme not in ("http", "https"):
        errors.add("url", "URL must start with http:// or https://.")
    elif not parts.hostname:
        errors.add("url", "URL has no host.")
    elif refused := url_refused(url):
        errors.add("url", refused)
    return url


def _check_format(errors: ErrorList, kind: str, format: str | None) -> str:
    if kind != ChannelKind.WEBHOOK:
        if format:
            errors.add("format", "Only webhook channels have a format.")
        return ""
    format = format or WebhookFormat.GENERIC
    if format not in WebhookFormat.values:
        errors.add("format", f"Unknown format '{format}'; expected one of {', '.join(WebhookFormat.values)}.")
    return format


def _check_robot_secret(errors: ErrorList, robot_secret: str, format: str) -> str:
    """The secret trimmed, as pasted from the robot's settings; empty means the robot does not use 加签."""
    robot_secret = robot_secret.strip()
    if not robot_secret:
        return ""
    if format not in ROBOT_SIGNED_FORMATS:
        errors.add(
            "robot_secret", "Only dingtalk and feishu channels sign with a robot secret (an empty one clears it)."
        )
    elif len(robot_secret) > MAX_ROBOT_SECRET_LENGTH:
        errors.add("robot_secret", f"Robot secret must be at most {MAX_ROBOT_SECRET_LENGTH} characters.")
    elif any(c.isspace() or ord(c) < 32 for c in robot_secret):
        errors.add("robot_secret", "Robot secret must not contain spaces or control characters.")
    return robot_secret


def _check_emails(errors: ErrorList, emails: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not cleaned:
        errors.add("emails", "An email channel needs at least one address.")
    elif len(cleaned) > MAX_EMAILS:
        errors.add("emails", f"At most {MAX_EMAILS} addresses.")
    for email in cleaned:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add("emails", f"'{email}' is not a valid email address.")
            break
    return cleaned


def _check_event_types(errors: ErrorList, event_types: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in event_types))
    unknown = [t for t in cleaned if t not in CATALOGUE]
    if unknown:
        errors.add("event_types", f"Unknown event type '{unknown[0]}'; expected any of {', '.join(sorted(CATALOGUE))}.")
    return cleaned


def _check_text(errors: ErrorList, values: dict[str, Any]) -> None:
    # REST refuses broken text in its parser; GraphQL variables reach us unchecked, and PostgreSQL would raise.
    broken = find_broken_text({k: v for k, v in values.items() if v is not UNSET and v is not None})
    if broken:
        errors.add(broken.split("[")[0], "Text contains a NUL character or broken Unicode (lone surrogate).")


def _unique_name(name: str, exclude: int | None = None) -> None:
    clash = NotificationChannel.objects.filter(name=name, archived_at__isnull=True)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ConflictError(f"A notification channel named '{name}' already exists.", field="name")


@transaction.atomic
def channel_create(
    *,
    actor: Principal,
    name: str,
    kind: str,
    url: str = "",
    format: str | None = None,
    emails: list[str] | None = None,
    event_types: list[str] | None = None,
    is_active: bool = True,
    robot_secret: str = "",
) -> NotificationChannel:
    """Create a channel; a webhook gets a new signing secret, readable on the returned object this once."""
    check_permission(actor, "notifications.manage")
    errors = ErrorList()
    _check_text(
        errors,
        {"name": name, "url": url, "emails": emails, "event_types": event_types, "robot_secret": robot_secret},
    )
    errors.raise_if_any()
    name = required_text(errors, name)
    if kind not in ChannelKind.values:
        errors.add("kind", f"Unknown kind '{kind}'; expected webhook or email.")
        errors.raise_if_any()
    format = _check_format(errors, kind, format)
    robot_secret = _check_robot_secret(errors, robot_secret, format)
    cleaned_emails: list[str] = []
    if kind == ChannelKind.WEBHOOK:
        url = _check_url(errors, url)
        if emails:
            errors.add("emails", "Only email channels have addresses.")
    else:
        if url:
            errors.add("url", "Only webhook channels have a URL.")
        cleaned_emails = _check_emails(errors, emails or [])
    cleaned_types = _check_event_types(errors, event_types or [])
    errors.raise_if_any()
    _unique_name(name)
    channel = NotificationChannel.objects.create(
        name=name,
        kind=kind,
        url=url if kind == ChannelKind.WEBHOOK else "",
        format=format,
        secret=secret_generate() if kind == ChannelKind.WEBHOOK else "",
        robot_secret=robot_secret,
        emails=cleaned_emails,
        event_types=cleaned_types,
        is_active=is_active,
    )
    audit_record(actor=actor, action="channel.created", target=channel, details=_audit_details(channel))
    return channel


def _audit_details(channel: NotificationChannel, **extra: Any) -> dict[str, Any]:
    """What the audit log says of a channel: its URL's host only, since query strings carry robot tokens."""
    host = urlsplit(channel.url).hostname if channel.url else None
    return {"name": channel.name, "kind": channel.kind, "format": channel.format, "host": host, **extra}


@transaction.atomic
def channel_update(
    *,
    actor: Principal,
    channel_id: int,
    name: str = UNSET,
    url: str = UNSET,
    format: str = UNSET,
    emails: list[str] = UNSET,
    event_types: list[str] = UNSET,
    is_active: bool = UNSET,
    robot_secret: str = UNSET,
) -> NotificationChannel:
    check_permission(actor, "notifications.manage")
    channel = locked_or_404(NotificationChannel, channel_id, "notification channel")
    refuse_archived(channel, "notification channel")
    robot_secret_before = channel.robot_secret
    errors = ErrorList()
    _check_text(
        errors,
        {"name": name, "url": url, "emails": emails, "event_types": event_types, "robot_secret": robot_secret},
    )
    errors.raise_if_any()
    if name is not UNSET:
        channel.name = required_text(errors, name)
    webhook = channel.kind == ChannelKind.WEBHOOK
    if url is not UNSET:
        if webhook:
            channel.url = _check_url(errors, url)
        else:
            errors.add("url", "Only webhook channels have a URL.")
    if format is not UNSET:
        channel.format = _check_format(errors, channel.kind, format)
    if robot_secret is not UNSET or format is not UNSET:
        # A secret kept from before must still fit the new format: a Slack channel has no use for it.
        kept = channel.robot_secret if robot_secret is UNSET else robot_secret
        channel.robot_secret = _check_robot_secret(errors, kept, channel.format)
    if emails is not UNSET:
        if webhook:
            errors.add("emails", "Only email channels have addresses.")
        else:
            channel.emails = _check_emails(errors, emails)
    if event_types is not UNSET:
        channel.event_types = _check_event_types(errors, event_types)
    errors.raise_if_any()
    if name is not UNSET:
        _unique_name(channel.name, exclude=channel.pk)
    if is_active is not UNSET:
        channel.is_active = is_active
    given = {"name": name, "url": url, "format": format, "emails": emails, "event_types": event_types}
    changed = sorted(field for field, value in {**given, "is_active": is_active}.items() if value is not UNSET)
    channel.save()
    audit_record(actor=actor, action="channel.updated", target=channel, details=_audit_details(channel, fields=changed))
    if channel.robot_secret != robot_secret_before:
        audit_record(
            actor=actor,
            action="channel.robot_secret_changed",
            target=channel,
            details=_audit_details(channel, robot_signing=channel.robot_signing),
        )
    return channel


@transaction.atomic
def channel_archive(*, actor: Principal, channel_id: int) -> NotificationChannel:
    """What DELETE does: the channel gets no more deliveries (pending ones fail now); its delivery log stays."""
    check_permission(actor, "notifications.manage")
    channel, archived = archive(NotificationChannel, channel_id, "notification channel", actor=actor)
    if archived:
        Delivery.objects.filter(channel=channel, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, completed_at=timezone.now()
        )
    return channel


@transaction.atomic
def channel_restore(*, actor: Principal, channel_id: int) -> NotificationChannel:
    check_permission(actor, "notifications.manage")
    return restore(NotificationChannel, channel_id, "notification channel", actor=actor)[0]


@transaction.atomic
def channel_secret_rotate(*, actor: Principal, channel_id: int) -> NotificationChannel:
    """Replace a webhook's signing secret at once; the new one is readable on the returned object this once."""
    check_permission(actor, "notifications.manage")
    channel = locked_or_404(NotificationChannel, channel_id, "notification channel")
    refuse_archived(channel, "notification channel")
    if channel.kind != ChannelKind.WEBHOOK:
        raise ValidationError("Only webhook channels have a signing secret.", field="kind")
    channel.secret = secret_generate()
    channel.save(update_fields=["secret", "updated_at"])
    audit_record(actor=actor, action="channel.secret_rotated", target=channel, details=_audit_details(channel))
    return channel


def _envelope(event_id: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("notifications are sent per tenant; no tenant schema is active")
    return {
        "id": event_id,
        "type": event_type,
        "created_at": format_timestamp(timezone.now()),
        "tenant": tenant.slug,
        "data": with_timestamps(data),
    }


def _deliveries_create(
    channels: Iterable[NotificationChannel], *, payload: dict[str, Any], title: str, text: str, max_attempts: int
) -> list[Delivery]:
    now = timezone.now()
    return Delivery.objects.bulk_create(
        Delivery(
            channel=channel,
            event_id=payload["id"],
            event_type=payload["type"],
            title=title[:500],
            text=text,
            payload=payload,
            max_attempts=max_attempts,
            next_attempt_at=now,
        )
        for channel in channels
    )


def _enqueue(delivery_ids: list[int], schema: str) -> None:
    for delivery_id in delivery_ids:
        try:
            # The schema is named explicitly: on_commit may run after the caller left its tenant context.
            webhooks_deliver.apply_async(args=[delivery_id], headers={"_schema_name": schema})
        except Exception:
            logger.warning("could not enqueue delivery %s; the retry sweep will send it", delivery_id, exc_info=True)


def notify(*, event_type: str, data: dict[str, Any], title: str, text: str) -> list[Delivery]:
    """Queue one delivery of the event to every active channel subscribed to it, sent once the transaction commits.

    Runs in the current tenant's schema. `title` and `text` are what chat robots and email show; webhooks in the
    generic format get the envelope {id, type, created_at, tenant, data}.
    """
    event_type_get(event_type)
    payload = _envelope(f"evt_{uuid.uuid4().hex}", event_type, data)
    channels = NotificationChannel.objects.filter(is_active=True, archived_at__isnull=True).filter(
        Q(event_types=[]) | Q(event_types__contains=[event_type])
    )
    with transaction.atomic():
        deliveries = _deliveries_create(
            channels, payload=payload, title=title, text=text, max_attempts=settings.WEBHOOK_MAX_ATTEMPTS
        )
        ids, schema = [d.pk for d in deliveries], current_schema()
        transaction.on_commit(lambda: _enqueue(ids, schema))
    return deliveries


def _attempt_now(delivery_id: int) -> Delivery:
    delivery_attempt(delivery_id)
    return Delivery.objects.select_related("channel").prefetch_related("attempts").get(pk=delivery_id)


def channel_test(*, actor: Principal, channel_id: int) -> Delivery:
    """Send a `test.ping` to the channel now, even if it is inactive, and return the delivery with its attempt.

    A test is tried once: whoever pressed the button reads the result and fixes the channel, no retries needed.
    """
    check_permission(actor, "notifications.manage")
    channel = NotificationChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotFoundError(f"No notification channel {channel_id}.", field="id")
    refuse_archived(channel, "notification channel")
    payload = _envelope(
        f"evt_{uuid.uuid4().hex}",
        "test.ping",
        {"channel": {"id": channel.pk, "name": channel.name}, "requested_by": actor.name},
    )
    with transaction.atomic():
        (delivery,) = _deliveries_create(
            [channel],
            payload=payload,
            title="Vigil test notification",
            text=f"This is a test of the notification channel '{channel.name}'.",
            max_attempts=1,
        )
    return _attempt_now(delivery.pk)


def delivery_redeliver(*, actor: Principal, delivery_id: int) -> Delivery:
    """Try a failed delivery once more, now, with the same event id so receivers can tell it is a resend."""
    check_permission(actor, "notifications.manage")
    with transaction.atomic():
        delivery = locked_or_404(Delivery, delivery_id, "delivery")
        refuse_archived(delivery.channel, "notification channel", field="channel")
        if delivery.status != DeliveryStatus.FAILED:
            raise ConflictError(f"Delivery {delivery_id} is {delivery.status}; only failed ones are resent.")
        delivery.status = DeliveryStatus.PENDING
        delivery.max_attempts = delivery.attempt_count + 1
        delivery.next_attempt_at = timezone.now()
        delivery.completed_at = None
        delivery.save(update_fields=["status", "max_attempts", "next_attempt_at", "completed_at"])
    return _attempt_now(delivery_id)
