"""Turns request credentials into a Principal. Shared by the DRF authentication classes and the GraphQL view."""

import hashlib
import hmac

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import Token

from api import ratelimit
from api.audit.services import audit_record
from api.models import ApiKey, User
from api.principals import Principal
from api.tokens import AccessToken, RefreshToken
from config.errors import ApplicationError, AuthenticationFailedError, WrongTenantError
from tenants.context import current_tenant

TENANT_CLAIM = "tenant"
ROLE_CLAIM = "role"
PUBLIC_CLAIM_VALUE = "public"
# A fingerprint of the user's password hash: a new password (a reset) voids every token issued before it.
PASSWORD_CLAIM = "pwd"


def current_tenant_slug() -> str | None:
    tenant = current_tenant()
    return tenant.slug if tenant else None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_tenant_claim(token: Token) -> None:
    expected = current_tenant_slug() or PUBLIC_CLAIM_VALUE
    if token.get(TENANT_CLAIM) != expected:
        raise WrongTenantError("This token was issued for another tenant.")


def password_fingerprint(user: User) -> str:
    """An HMAC of the password hash (Django's session auth hash): changes whenever the password does."""
    return user.get_session_auth_hash()


def _active_user(token: Token) -> User:
    # Only the key holder can mint tokens, but a malformed claim must still be a 401, not a 500.
    user_id = token.get("user_id")
    text = str(user_id)
    if isinstance(user_id, bool) or not text.isascii() or not text.isdigit() or len(text) > 18:
        raise AuthenticationFailedError("Token is invalid or expired.")
    user = User.objects.filter(pk=int(text), is_active=True).first()
    if user is None:
        raise AuthenticationFailedError("The user of this token no longer exists or is inactive.")
    if not hmac.compare_digest(str(token.get(PASSWORD_CLAIM, "")), password_fingerprint(user)):
        raise AuthenticationFailedError("The password changed since this token was issued; log in again.")
    return user


def tokens_issue(*, email: str, password: str, address: str) -> dict[str, str]:
    """A token pair for a correct email and password; `address` is the client's, for the failure limits."""
    ratelimit.login_check(email=email, address=address)
    user = authenticate(username=email.lower(), password=password)
    if not isinstance(user, User) or not user.is_active:
        ratelimit.login_failed(email=email, address=address)
        audit_record(actor=None, action="auth.login_failed", anonymous_name=email.strip().lower())
        raise AuthenticationFailedError("Email or password is wrong.", field="password")
    ratelimit.login_succeeded(email=email)
    audit_record(actor=Principal.for_user(user, current_tenant_slug()), action="auth.login", target=user)
    refresh = RefreshToken.for_user(user)
    refresh[TENANT_CLAIM] = current_tenant_slug() or PUBLIC_CLAIM_VALUE
    refresh[ROLE_CLAIM] = user.role
    refresh[PASSWORD_CLAIM] = password_fingerprint(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def tokens_refresh(*, refresh: str) -> dict[str, str]:
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise AuthenticationFailedError("Refresh token is invalid or expired.", field="refresh") from exc
    _check_tenant_claim(token)
    user = _active_user(token)
    audit_record(actor=Principal.for_user(user, current_tenant_slug()), action="auth.token_refreshed", target=user)
    access = token.access_token
    access[ROLE_CLAIM] = user.role
    return {"access": str(access)}


def principal_from_bearer(raw: str) -> Principal:
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise AuthenticationFailedError("Token is invalid or expired.") from exc
    _check_tenant_claim(token)
    return Principal.for_user(_active_user(token), current_tenant_slug())


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


def principal_from_request(request: HttpRequest) -> Principal | None:
    """None when no credentials were sent; raises when credentials were sent but are bad."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return principal_from_bearer(value)
    if scheme.lower() == "api-key" and value:
        return principal_from_api_key(value)
    raise AuthenticationFailedError(
        "Authorization header must be 'Bearer <token>' or 'Api-Key <key>'.", field="Authorization"
    )


def request_principal(request: HttpRequest) -> Principal | None:
    """principal_from_request, looked up once per request: the rate limiter and the API faces share it."""
    cached = request.__dict__.get("_vigil_principal", _UNRESOLVED)
    if cached is _UNRESOLVED:
        try:
            cached = principal_from_request(request)
        except ApplicationError as exc:
            cached = exc
        request.__dict__["_vigil_principal"] = cached
    if isinstance(cached, ApplicationError):
        raise cached
    assert cached is None or isinstance(cached, Principal)
    return cached


_UNRESOLVED = object()
