"""Issuing, refreshing and verifying JWTs, signed with a key ring.

Each token names its key (`kid` header) so keys can rotate without logging anyone out.

simplejwt signs with one key and sets no `kid`; these token classes swap in a backend that signs with the newest
key of settings.JWT_KEYS and verifies with whichever key the token names. A token without a known `kid` is invalid.
"""

import hmac
from functools import lru_cache
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken, TokenError
from rest_framework_simplejwt.tokens import Token

from config.errors import AuthenticationFailedError, WrongTenantError
from tenants.audit.services import audit_record
from tenants.context import current_tenant
from tenants.identity import login_limits
from tenants.identity.models import User
from tenants.identity.principals import Principal

ALGORITHM = "HS256"


class KeyRingTokenBackend(TokenBackend):
    def __init__(self, keys: tuple[tuple[str, str], ...]) -> None:
        super().__init__(ALGORITHM, keys[0][1])
        self.kid = keys[0][0]
        self.keys = dict(keys)

    def encode(self, payload: dict[str, Any]) -> str:
        return jwt.encode(payload, self.keys[self.kid], algorithm=ALGORITHM, headers={"kid": self.kid})

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise TokenBackendError("Token is invalid")
            payload: dict[str, Any] = jwt.decode(
                token, key, algorithms=[ALGORITHM], options={"verify_signature": verify}
            )
            return payload
        except jwt.ExpiredSignatureError as exc:
            raise TokenBackendExpiredToken("Token is expired") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError("Token is invalid") from exc


@lru_cache(maxsize=4)
def _backend(keys: tuple[tuple[str, str], ...]) -> KeyRingTokenBackend:
    return KeyRingTokenBackend(keys)


def token_backend() -> KeyRingTokenBackend:
    # Read per call (cached by value) so a settings change, e.g. in a test, takes effect at once.
    return _backend(tuple(settings.JWT_KEYS))


class AccessToken(tokens.AccessToken):
    @property
    def token_backend(self) -> TokenBackend:
        return token_backend()


class RefreshToken(tokens.RefreshToken):
    access_token_class = AccessToken

    @property
    def token_backend(self) -> TokenBackend:
        return token_backend()


TENANT_CLAIM = "tenant"
ROLE_CLAIM = "role"
PUBLIC_CLAIM_VALUE = "public"
# A fingerprint of the user's password hash: a new password (a reset) voids every token issued before it.
PASSWORD_CLAIM = "pwd"


def current_tenant_slug() -> str | None:
    tenant = current_tenant()
    return tenant.slug if tenant else None


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
    login_limits.login_check(email=email, address=address)
    user = authenticate(username=email.lower(), password=password)
    if not isinstance(user, User) or not user.is_active:
        login_limits.login_failed(email=email, address=address)
        audit_record(actor=None, action="auth.login_failed", anonymous_name=email.strip().lower())
        raise AuthenticationFailedError("Email or password is wrong.", field="password")
    login_limits.login_succeeded(email=email)
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
