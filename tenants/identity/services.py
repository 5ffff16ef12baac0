"""Writes on identities (users and API keys of the current tenant), and checking an API key."""

import hashlib
import hmac
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import AuthenticationFailedError, ConflictError, ErrorList, WrongTenantError
from config.lookups import locked_or_404
from tenants.audit.services import audit_record
from tenants.billing.quotas import plan_limit_check
from tenants.context import in_public_schema
from tenants.identity.models import ApiKey, User
from tenants.identity.principals import Principal, check_permission
from tenants.identity.roles import TENANT_ROLES, Role
from tenants.identity.tokens import PUBLIC_CLAIM_VALUE, current_tenant_slug

MIN_PASSWORD_LENGTH = 10


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def allowed_roles() -> frozenset[str]:
    """The roles a person or key of the current schema may hold: tenant roles, or billing admin in public."""
    if in_public_schema():
        return frozenset({Role.BILLING_ADMIN})
    return frozenset(TENANT_ROLES)


def _validate_role(errors: ErrorList, role: str) -> None:
    allowed = allowed_roles()
    if role not in allowed:
        errors.add("role", f"Unknown role '{role}'; expected one of {', '.join(sorted(allowed))}.")


def _admin_role() -> str:
    return Role.BILLING_ADMIN if in_public_schema() else Role.ADMIN


def _lock_admin_principals() -> tuple[set[int], set[int]]:
    """Lock every active admin user and key (users first, by id: one order for everyone, so no deadlock).

    Held until commit, so two admins demoting each other at once cannot both succeed: the second one waits and
    then counts without the first.
    """
    admin = _admin_role()
    users = User.objects.select_for_update().filter(role=admin, is_active=True).order_by("pk")
    keys = (
        ApiKey.objects.select_for_update()
        .filter(role=admin, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("pk")
    )
    return set(users.values_list("pk", flat=True)), set(keys.values_list("pk", flat=True))


def _refuse_last_admin(*, users: set[int], keys: set[int], field: str) -> None:
    if not users and not keys:
        raise ConflictError(
            "This is the tenant's last active admin credential; make another user or API key admin first.",
            field=field,
            code="last_admin",
        )


@transaction.atomic
def user_create(*, actor: Principal, email: str, password: str, role: str, name: str = "") -> User:
    """System bootstrap only (a new tenant's first admin, the demo team): people an admin adds are invited
    (tenants.identity.invitations) and choose their own password; no API face reaches this."""
    check_permission(actor, "users.manage")
    errors = ErrorList()
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        errors.add("email", "Enter a valid email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.add("password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")
    _validate_role(errors, role)
    if len(name) > 200:
        errors.add("name", "Name must be at most 200 characters.")
    errors.raise_if_any()
    if User.objects.filter(email=email).exists():
        raise ConflictError(f"A user with email '{email}' already exists.", field="email")
    user = User.objects.create_user(email=email, password=password, role=role, name=name)
    audit_record(actor=actor, action="user.created", target=user, details={"email": user.email, "role": role})
    return user


@transaction.atomic
def user_update(
    *, actor: Principal, user_id: int, role: str | None = None, name: str | None = None, is_active: bool | None = None
) -> User:
    check_permission(actor, "users.manage")
    admin_users, admin_keys = _lock_admin_principals()
    user = locked_or_404(User, user_id, "user")
    errors = ErrorList()
    if role is not None:
        _validate_role(errors, role)
    if name is not None and len(name) > 200:
        errors.add("name", "Name must be at most 200 characters.")
    if actor.user is not None and actor.user.pk == user.pk and (is_active is False or (role and role != user.role)):
        errors.add("role" if role else "is_active", "You cannot demote or deactivate yourself.")
    errors.raise_if_any()
    demoted = role is not None and role != _admin_role()
    if user.pk in admin_users and (demoted or is_active is False):
        _refuse_last_admin(users=admin_users - {user.pk}, keys=admin_keys, field="role" if demoted else "is_active")
    if role is not None and role != user.role:
        audit_record(
            actor=actor,
            action="user.role_changed",
            target=user,
            details={"email": user.email, "from": user.role, "to": role},
        )
    if role is not None:
        user.role = role
    if name is not None:
        user.name = name
    if is_active is not None and is_active != user.is_active:
        if is_active:
            # A reactivated user takes a seat again.
            plan_limit_check("seats")
        action = "user.reactivated" if is_active else "user.deactivated"
        audit_record(actor=actor, action=action, target=user, details={"email": user.email})
        user.is_active = is_active
    user.save()
    return user


@transaction.atomic
def api_key_create(*, actor: Principal, name: str, role: str, expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its full secret, which is not stored and cannot be shown again."""
    check_permission(actor, "api_keys.manage")
    errors = ErrorList()
    name = name.strip()
    if not name:
        errors.add("name", "Name is required.")
    elif len(name) > 100:
        errors.add("name", "Name must be at most 100 characters.")
    _validate_role(errors, role)
    if expires_at is not None and expires_at <= timezone.now():
        errors.add("expires_at", "Expiry must be in the future.")
    errors.raise_if_any()
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        role=role,
        prefix=prefix,
        hashed_secret=hash_secret(secret),
        expires_at=expires_at,
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="api_key.created",
        target=key,
        details={"name": name, "role": role, "prefix": prefix, "expires_at": expires_at},
    )
    return key, f"{current_tenant_slug() or PUBLIC_CLAIM_VALUE}.{prefix}.{secret}"


@transaction.atomic
def api_key_revoke(*, actor: Principal, key_id: int) -> ApiKey:
    check_permission(actor, "api_keys.manage")
    admin_users, admin_keys = _lock_admin_principals()
    key = locked_or_404(ApiKey, key_id, "API key")
    if key.pk in admin_keys:
        _refuse_last_admin(users=admin_users, keys=admin_keys - {key.pk}, field="id")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="api_key.revoked", target=key, details={"name": key.name, "prefix": key.prefix}
        )
    return key


def principal_from_api_key(raw: str) -> Principal:
    parts = raw.rsplit(".", 2)
    if len(parts) != 3:
        raise AuthenticationFailedError("API key is malformed.")
    slug, prefix, secret = parts
    if slug != (current_tenant_slug() or PUBLIC_CLAIM_VALUE):
        raise WrongTenantError("This API key belongs to another tenant.")
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.hashed_secret, hash_secret(secret)):
        raise AuthenticationFailedError("API key is not valid.")
    now = timezone.now()
    if key.revoked_at is not None:
        raise AuthenticationFailedError("API key has been revoked.")
    if key.expires_at is not None and key.expires_at <= now:
        raise AuthenticationFailedError("API key has expired.")
    # Touch last use at most once a minute so a busy integrator does not write on every request.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return Principal.for_api_key(key, current_tenant_slug())
