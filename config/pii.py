"""Personal data at rest: Fernet tokens under the keys of `VIGIL_PII_KEY` (settings.PII_KEYS, newest first).

Columns hold the token, never the text; only the services and selectors that own such data call `pii_decrypt`,
and they audit each read. Rotation: put a new key first, keep the old ones until `pii_rotate` has re-encrypted
every token.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.PII_KEYS))


def pii_encrypt(text: str) -> str:
    """The token of `text`; empty stays empty (nothing to hide, and a blank field reads as blank)."""
    if not text:
        return ""
    return _current().encrypt(text.encode("utf-8")).decode("ascii")


def pii_decrypt(token: str) -> str:
    """The text of a token; a token no configured key opens is an error of configuration, never shown as data."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise RuntimeError("personal data was encrypted with a key VIGIL_PII_KEY no longer lists") from None


def pii_rotate(token: str) -> str:
    """The token re-encrypted under the newest key."""
    return _current().rotate(token.encode("ascii")).decode("ascii") if token else ""
