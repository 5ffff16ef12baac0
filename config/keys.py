"""Start-up checks for the signing secrets: a production process refuses weak, missing or published keys."""

import base64
import binascii
import secrets

from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_LENGTH = 50
# Keys that were ever committed or documented: anyone can sign with them.
KNOWN_DEFAULTS = frozenset(
    {
        "dev-only-insecure-key-change-me-in-production-0123456789",
        "change-me-to-a-long-random-string",
        "another-long-random-string",
    }
)


def generate_secret() -> str:
    return secrets.token_urlsafe(48)


def checked_secret(name: str, value: str, *, debug: bool) -> str:
    """The secret itself; with DEBUG an unset one becomes a random per-process key, without DEBUG it refuses."""
    if value in KNOWN_DEFAULTS or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(f"{name} is a published default key; generate one (see README, 'Secrets').")
    if not value:
        if debug:
            return generate_secret()
        raise ImproperlyConfigured(f"{name} is not set; generate one (see README, 'Secrets').")
    if len(value) < MIN_SECRET_LENGTH and not debug:
        raise ImproperlyConfigured(f"{name} is shorter than {MIN_SECRET_LENGTH} characters; generate a longer one.")
    return value


def parse_jwt_keys(raw: str, *, debug: bool) -> list[tuple[str, str]]:
    """`kid1:secret1,kid2:secret2`, newest first: the first signs, all verify."""
    keys: list[tuple[str, str]] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        kid, sep, secret = entry.partition(":")
        if not sep or not kid.strip():
            raise ImproperlyConfigured("VIGIL_JWT_KEYS entries must be 'kid:secret', separated by commas.")
        kid = kid.strip()
        if kid in dict(keys):
            raise ImproperlyConfigured(f"VIGIL_JWT_KEYS names key id '{kid}' twice.")
        keys.append((kid, checked_secret(f"VIGIL_JWT_KEYS key '{kid}'", secret.strip(), debug=debug)))
    if not keys:
        if not debug:
            raise ImproperlyConfigured("VIGIL_JWT_KEYS is not set; generate one (see README, 'Secrets').")
        keys.append(("dev", generate_secret()))
    return keys


def generate_pii_key() -> str:
    """A Fernet key: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_pii_keys(raw: str) -> list[str]:
    """`VIGIL_PII_KEY`: one or more Fernet keys, comma-separated, newest first (the first encrypts, all decrypt).

    Required even with DEBUG: a random per-process key would leave the personal data written under it unreadable
    after a restart."""
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise ImproperlyConfigured("VIGIL_PII_KEY is not set; generate one (see README, 'Affected users').")
    for number, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"VIGIL_PII_KEY key {number} is not a Fernet key (32 bytes, URL-safe base64); generate one."
            )
    return keys
