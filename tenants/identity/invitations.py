"""Joining and recovering an account by mailed token: an admin invites a person by email with a role, the invitee
chooses their own password; a user who forgot theirs gets a reset link. No admin ever chooses a password.

Tokens are 256-bit random strings mailed once and stored only as SHA-256; each works once, until it expires
(settings.INVITATION_TTL_HOURS, PASSWORD_RESET_TTL_MINUTES). A used, expired, revoked or unknown token is one and
the same 400 naming `token`. Mail goes through Django's email backend, from a Celery task enqueued after the
transaction commits: an invitation that rolls back sends nothing, and a reset request answers as fast whether the
address has an account or not.
"""

import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from config.errors import ConflictError, ErrorList, ValidationError
from config.lookups import locked_or_404
from tenants.audit.services import audit_record
from tenants.billing.quotas import plan_limit_check
from tenants.context import current_tenant
from tenants.identity.models import Invitation, InvitationStatus, PasswordReset, User
from tenants.identity.principals import Principal, check_permission
from tenants.identity.services import MIN_PASSWORD_LENGTH, allowed_roles, hash_secret
from tenants.identity.tasks import account_mail_send
from tenants.identity.tokens import current_tenant_slug

logger = logging.getLogger(__name__)

MAX_PASSWORD_LENGTH = 200
BAD_TOKEN = "This link is invalid, already used or expired; ask for a new one."


def _token() -> tuple[str, str]:
    """A new token and the hash that is stored of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_secret(token)


def _link(path: str, token: str) -> str:
    query = {"token": token}
    if slug := current_tenant_slug():
        query = {"tenant": slug, **query}
    return f"{settings.ACCOUNT_LINK_BASE_URL.rstrip('/')}{path}?{urlencode(query)}"


def _mail_after_commit(template: str, to: str, context: dict[str, object]) -> None:
    tenant = current_tenant()
    context = {"tenant_name": tenant.name if tenant else "Vigil", **context}
    subject = render_to_string(f"accounts/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/{template}.txt", context)

    def enqueue() -> None:
        try:
            account_mail_send.delay(subject, body, to)
        except Exception:
            # The change is committed; an invitation stays pending (revoke and invite again), a reset can be asked
            # for again.
            logger.warning("could not enqueue the %s mail to %s", template, to, exc_info=True)

    transaction.on_commit(enqueue)


def _check_email(errors: ErrorList, email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        errors.add("email", "Enter a valid email address.")
    return email


def _check_password(errors: ErrorList, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.add("password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.add("password", f"Password must be at most {MAX_PASSWORD_LENGTH} characters.")


def _check_name(errors: ErrorList, name: str) -> str:
    name = name.strip()
    if len(name) > 200:
        errors.add("name", "Name must be at most 200 characters.")
    return name


def _pending(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def invitation_list(*, actor: Principal, status: str | None = None) -> QuerySet[Invitation]:
    """Newest first; `status` one of pending, accepted, revoked, expired."""
    check_permission(actor, "users.read")
    invitations = Invitation.objects.order_by("-id")
    if status is None:
        return invitations
    now = timezone.now()
    open_ = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    by_status: dict[str, QuerySet[Invitation]] = {
        InvitationStatus.PENDING: open_.filter(expires_at__gt=now),
        InvitationStatus.EXPIRED: open_.filter(expires_at__lte=now),
        InvitationStatus.ACCEPTED: invitations.filter(accepted_at__isnull=False),
        InvitationStatus.REVOKED: invitations.filter(accepted_at__isnull=True, revoked_at__isnull=False),
    }
    if status not in by_status:
        raise ValidationError(
            f"Unknown status '{status}'; expected one of {', '.join(InvitationStatus.values)}.", field="status"
        )
    return by_status[status]


@transaction.atomic
def invitation_create(*, actor: Principal, email: str, role: str, name: str = "") -> Invitation:
    """Invite a person to the current tenant; the link to choose a password is mailed to them, never returned."""
    check_permission(actor, "users.manage")
    errors = ErrorList()
    email = _check_email(errors, email)
    allowed = allowed_roles()
    if role not in allowed:
        errors.add("role", f"Unknown role '{role}'; expected one of {', '.join(sorted(allowed))}.")
    name = _check_name(errors, name)
    errors.raise_if_any()
    if User.objects.filter(email=email).exists():
        raise ConflictError(f"A user with email '{email}' already exists.", field="email")
    if _pending(Invitation.objects.filter(email=email)).exists():
        raise ConflictError(
            f"'{email}' already has a pending invitation; revoke it to invite again.",
            field="email",
            code="already_invited",
        )
    # A pending invitation holds the seat it will take.
    plan_limit_check("seats")
    token, token_hash = _token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        name=name,
        token_hash=token_hash,
        invited_by=actor.name,
        expires_at=timezone.now() + timedelta(hours=settings.INVITATION_TTL_HOURS),
    )
    audit_record(actor=actor, action="invitation.created", target=invitation, details={"email": email, "role": role})
    _mail_after_commit(
        "invitation",
        email,
        {
            "invitation": invitation,
            "link": _link("/invitations/accept", token),
            "hours": settings.INVITATION_TTL_HOURS,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Principal, invitation_id: int) -> Invitation:
    """Its link stops working at once; revoking twice is harmless, an accepted invitation cannot be revoked."""
    check_permission(actor, "users.manage")
    invitation = locked_or_404(Invitation, invitation_id, "invitation")
    if invitation.accepted_at is not None:
        raise ConflictError(
            f"Invitation {invitation_id} was accepted; deactivate the user instead.",
            field="id",
            code="invitation_accepted",
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="invitation.revoked", target=invitation, details={"email": invitation.email})
    return invitation


def _by_token(model: type[Invitation] | type[PasswordReset], token: str) -> Invitation | PasswordReset:
    """The row of an unused, unexpired token, locked; anything else is the one 400 on `token`."""
    if not isinstance(token, str) or not token.strip() or len(token) > 200:
        raise ValidationError(BAD_TOKEN, field="token", code="invalid_token")
    row = model.objects.select_for_update().filter(token_hash=hash_secret(token.strip())).first()
    now = timezone.now()
    usable = row is not None and row.expires_at > now
    if isinstance(row, Invitation):
        usable = usable and row.accepted_at is None and row.revoked_at is None
    elif isinstance(row, PasswordReset):
        usable = usable and row.used_at is None and row.user.is_active
    if row is None or not usable:
        raise ValidationError(BAD_TOKEN, field="token", code="invalid_token")
    return row


@transaction.atomic
def invitation_accept(*, token: str, name: str, password: str) -> User:
    """Create the invited user with the password they chose; the token is spent."""
    errors = ErrorList()
    name = _check_name(errors, name)
    _check_password(errors, password)
    errors.raise_if_any()
    invitation = _by_token(Invitation, token)
    assert isinstance(invitation, Invitation)
    if User.objects.filter(email=invitation.email).exists():
        raise ConflictError(
            f"An account for '{invitation.email}' already exists; log in or reset its password.", field="token"
        )
    user = User.objects.create_user(
        email=invitation.email, password=password, role=invitation.role, name=name or invitation.name
    )
    invitation.accepted_at, invitation.user = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "user"])
    audit_record(
        actor=Principal.for_user(user, current_tenant_slug()),
        action="invitation.accepted",
        target=user,
        details={"email": user.email, "role": user.role, "invitation_id": invitation.pk},
    )
    return user


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Mail a reset link if an active user has this address; the caller learns nothing either way."""
    errors = ErrorList()
    email = _check_email(errors, email)
    errors.raise_if_any()
    audit_record(actor=None, action="auth.password_reset_requested", anonymous_name=email)
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    token, token_hash = _token()
    PasswordReset.objects.create(
        user=user,
        token_hash=token_hash,
        expires_at=timezone.now() + timedelta(minutes=settings.PASSWORD_RESET_TTL_MINUTES),
    )
    _mail_after_commit(
        "password_reset",
        email,
        {
            "user": user,
            "link": _link("/password-reset/confirm", token),
            "minutes": settings.PASSWORD_RESET_TTL_MINUTES,
        },
    )


@transaction.atomic
def password_reset_confirm(*, token: str, password: str) -> User:
    """Set the new password. Every outstanding reset link of the user dies, and so does every token issued before
    (access and refresh tokens carry a fingerprint of the password: api.authentication.PASSWORD_CLAIM)."""
    errors = ErrorList()
    _check_password(errors, password)
    errors.raise_if_any()
    reset = _by_token(PasswordReset, token)
    assert isinstance(reset, PasswordReset)
    user = User.objects.select_for_update().get(pk=reset.user_id)
    user.set_password(password)
    user.save(update_fields=["password"])
    PasswordReset.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    audit_record(actor=Principal.for_user(user, current_tenant_slug()), action="auth.password_reset", target=user)
    return user
