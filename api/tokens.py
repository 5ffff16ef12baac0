"""JWTs signed with a key ring: each token names its key (`kid` header) so keys can rotate without logging anyone out.

simplejwt signs with one key and sets no `kid`; these token classes swap in a backend that signs with the newest
key of settings.JWT_KEYS and verifies with whichever key the token names. A token without a known `kid` is invalid.
"""

from functools import lru_cache
from typing import Any

import jwt
from django.conf import settings
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken

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
