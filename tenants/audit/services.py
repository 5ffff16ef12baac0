"""Recording audit entries. Callers record inside the transaction of the change, so both commit or neither does."""

import re
from typing import Any

from django.db import models

from tenants.audit.context import current_origin
from tenants.audit.models import ActorType, AuditEntry
from tenants.identity.principals import Principal

ACTOR_NAME_CHARS = 254
# Keys that would put a credential into the log; recording one is a programming error, not a user's.
SECRET_KEYS = frozenset({"password", "secret", "robot_secret", "token", "access", "refresh", "key", "api_key"})


def _check_no_secrets(details: Any) -> None:
    if isinstance(details, dict):
        for key, value in details.items():
            if str(key).lower() in SECRET_KEYS:
                raise ValueError(f"audit details must not hold credentials ({key!r})")
            _check_no_secrets(value)
    elif isinstance(details, list | tuple):
        for value in details:
            _check_no_secrets(value)


def _snake(name: str) -> str:
    """NotificationChannel → notification_channel, ApiKey → api_key."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _actor_fields(actor: Principal | None, anonymous_name: str) -> dict[str, Any]:
    if actor is None:
        return {"actor_type": ActorType.ANONYMOUS, "actor_id": None, "actor_name": anonymous_name}
    if actor.kind == "user" and actor.user is not None:
        return {"actor_type": ActorType.USER, "actor_id": actor.id, "actor_name": actor.user.email}
    if actor.kind == "api_key":
        return {"actor_type": ActorType.API_KEY, "actor_id": actor.id, "actor_name": actor.name}
    return {"actor_type": ActorType.SYSTEM, "actor_id": None, "actor_name": actor.name}


def audit_record(
    *,
    actor: Principal | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: object = None,
    details: dict[str, Any] | None = None,
    anonymous_name: str = "",
) -> AuditEntry:
    """Append one entry to the current schema's audit log: `action` like `user.role_changed`, `rule.archived`.

    `target` is the object acted on (its type is its model name), or give `target_type` and `target_id`.
    `actor` None is an anonymous caller (a failed login), named by what it claimed to be (`anonymous_name`).
    The client address and user agent come from the request being handled, if any.
    """
    details = details or {}
    _check_no_secrets(details)
    if target is not None:
        target_type, target_id = target_type or _snake(type(target).__name__), target.pk
    origin = current_origin()
    return AuditEntry.objects.create(
        action=action,
        **_actor_fields(actor, anonymous_name[:ACTOR_NAME_CHARS]),
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        ip=origin.ip,
        user_agent=origin.user_agent,
        details=details,
    )
