"""An affected user's contact details: checking them, and moving them in and out of their encrypted columns.

Nothing here logs, audits or decides who may read them: responses.aftercare.selectors does, on every read.
Error messages name the field, never the value.
"""

import re
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from config.errors import ErrorList
from config.pii import pii_decrypt, pii_encrypt
from responses.models import AffectedUser

# The API's names for the details, in the order they are shown; each lives in the `<name>_token` column.
CONTACT_FIELDS = ("handle", "phone", "email", "order_number")
_LIMITS = {"handle": 200, "phone": 32, "email": 254, "order_number": 100}
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{3,30}")


@dataclass(frozen=True)
class Contacts:
    handle: str = ""
    phone: str = ""
    email: str = ""
    order_number: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def filled(self) -> list[str]:
        return [name for name, value in asdict(self).items() if value]


def contacts_check(errors: ErrorList, given: dict[str, str]) -> dict[str, str]:
    """The given details trimmed; problems are recorded on `errors` under their field."""
    cleaned: dict[str, str] = {}
    for name, value in given.items():
        text = value.strip()
        if len(text) > _LIMITS[name]:
            errors.add(name, f"{name} must be at most {_LIMITS[name]} characters.")
        elif name == "phone" and text and not _PHONE.fullmatch(text):
            errors.add(name, "phone must be digits, optionally with a leading + and spaces, dashes or brackets.")
        elif name == "email" and text:
            try:
                validate_email(text)
            except DjangoValidationError:
                errors.add(name, "email is not an email address.")
        cleaned[name] = text
    return cleaned


def contacts_store(person: AffectedUser, given: dict[str, str]) -> list[str]:
    """Encrypt the given (checked) details onto the row; returns the names that changed."""
    current = contacts_open(person)
    changed = []
    for name, value in given.items():
        if getattr(current, name) != value:
            setattr(person, f"{name}_token", pii_encrypt(value))
            changed.append(name)
    return changed


def contacts_open(person: AffectedUser) -> Contacts:
    """Decrypt the row's details. Callers are the selectors that audit the read, and writes comparing values."""
    return Contacts(**{name: pii_decrypt(getattr(person, f"{name}_token")) for name in CONTACT_FIELDS})


def contacts_held(person: AffectedUser) -> list[str]:
    """Which details the row holds, without decrypting any."""
    return [name for name in CONTACT_FIELDS if getattr(person, f"{name}_token")]


def contacts_erase(person: AffectedUser) -> None:
    for name in CONTACT_FIELDS:
        setattr(person, f"{name}_token", "")
