"""A playbook version's content: validated and normalised at write.

Content is `{"tasks": [...], "statements": [...], "contacts": [...], "escalation": [...]}`; every item is stored
with all its fields in a fixed order, so two versions compare (and diff as text) field by field
(responses.playbooks.diff).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from config.errors import ErrorList
from responses.models import CaseRole, TaskPriority

MAX_DUE_MINUTES = 30 * 24 * 60
CONDITIONS = ("no_acknowledgement", "no_statement", "not_resolved", "task_overdue")
LIMITS = {"tasks": 100, "statements": 20, "contacts": 50, "escalation": 20}
Content = dict[str, list[dict[str, Any]]]


class _Item:
    """Reads one item's fields, recording errors under `path.<field>`."""

    def __init__(self, errors: ErrorList, raw: dict[str, Any], path: str) -> None:
        self.errors, self.raw, self.path = errors, raw, path

    def text(self, key: str, *, limit: int, required: bool = False) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str):
            self.errors.add(f"{self.path}.{key}", "Must be text.")
            return ""
        value = value.strip()
        if required and not value:
            self.errors.add(f"{self.path}.{key}", "Required.")
        elif len(value) > limit:
            self.errors.add(f"{self.path}.{key}", f"At most {limit} characters.")
        return value

    def minutes(self, key: str) -> int:
        value = self.raw.get(key)
        # bool is an int in Python; `true` minutes is a mistake, not 1.
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DUE_MINUTES:
            self.errors.add(f"{self.path}.{key}", f"A whole number of minutes from 0 to {MAX_DUE_MINUTES} (30 days).")
            return 0
        return value

    def choice(self, key: str, allowed: list[str] | tuple[str, ...], *, default: str) -> str:
        value = self.raw.get(key, default)
        if value not in allowed:
            self.errors.add(f"{self.path}.{key}", f"Unknown value '{value}'; expected one of {', '.join(allowed)}.")
            return default
        return str(value)

    def texts(self, key: str, *, limit: int, each: int, allowed: list[str] | None = None) -> list[str]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or len(value) > limit:
            self.errors.add(f"{self.path}.{key}", f"A list of at most {limit} entries.")
            return []
        cleaned: list[str] = []
        for n, entry in enumerate(value):
            where = f"{self.path}.{key}.{n}"
            if not isinstance(entry, str) or not entry.strip() or len(entry) > each:
                self.errors.add(where, f"Each entry needs text of at most {each} characters.")
            elif allowed is not None and entry not in allowed:
                self.errors.add(where, f"Unknown value '{entry}'; expected one of {', '.join(allowed)}.")
            elif entry.strip() in cleaned:
                self.errors.add(where, f"'{entry}' is listed twice.")
            else:
                cleaned.append(entry.strip())
        return cleaned


def _task(item: _Item) -> dict[str, Any]:
    return {
        "title": item.text("title", limit=300, required=True),
        "description": item.text("description", limit=5000),
        "role": item.choice("role", ["", *CaseRole.values], default=""),
        "due_minutes": item.minutes("due_minutes"),
        "priority": item.choice("priority", TaskPriority.values, default=TaskPriority.NORMAL),
        "checklist": item.texts("checklist", limit=50, each=300),
    }


def _statement(item: _Item) -> dict[str, Any]:
    return {
        "title": item.text("title", limit=300, required=True),
        "body": item.text("body", limit=10_000, required=True),
        "channels": item.texts("channels", limit=20, each=50),
        "required_approvals": item.texts("required_approvals", limit=len(CaseRole), each=16, allowed=CaseRole.values),
    }


def _contact(item: _Item) -> dict[str, Any]:
    contact = {
        "name": item.text("name", limit=200, required=True),
        "organisation": item.text("organisation", limit=200),
        "role": item.text("role", limit=200),
        "phone": item.text("phone", limit=50),
        "email": item.text("email", limit=254),
    }
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except DjangoValidationError:
            item.errors.add(f"{item.path}.email", "Not an email address.")
    return contact


def _escalation(item: _Item) -> dict[str, Any]:
    return {
        "after_minutes": item.minutes("after_minutes"),
        "condition": item.choice("condition", CONDITIONS, default=CONDITIONS[0]),
        "notify_roles": item.texts("notify_roles", limit=len(CaseRole), each=16, allowed=CaseRole.values),
    }


def _escalation_key(rule: dict[str, Any]) -> str:
    return f"{rule['condition']} after {rule['after_minutes']} min"


# Per section: how to read an item, and the key that identifies it across versions (it must be unique).
SECTIONS: dict[str, tuple[Callable[[_Item], dict[str, Any]], Callable[[dict[str, Any]], str], str]] = {
    "tasks": (_task, lambda t: str(t["title"]), "title"),
    "statements": (_statement, lambda s: str(s["title"]), "title"),
    "contacts": (_contact, lambda c: str(c["name"]), "name"),
    "escalation": (_escalation, _escalation_key, "condition"),
}


def normalise_content(errors: ErrorList, content: Any, *, field: str = "content") -> Content:
    """The content with every section present and every item complete; problems go to `errors` by dotted path."""
    if not isinstance(content, dict):
        errors.add(field, "An object with tasks, statements, contacts and escalation.")
        return empty_content()
    for unknown in sorted(set(content) - set(SECTIONS)):
        errors.add(f"{field}.{unknown}", f"Unknown section; expected {', '.join(SECTIONS)}.")
    return {name: _section(errors, content.get(name, []), f"{field}.{name}", name) for name in SECTIONS}


def _section(errors: ErrorList, items: Any, path: str, name: str) -> list[dict[str, Any]]:
    read, key_of, key_field = SECTIONS[name]
    if not isinstance(items, list) or len(items) > LIMITS[name]:
        errors.add(path, f"A list of at most {LIMITS[name]} items.")
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, raw in enumerate(items):
        if not isinstance(raw, dict):
            errors.add(f"{path}.{n}", "Must be an object.")
            continue
        before = len(errors.items)
        entry = read(_Item(errors, raw, f"{path}.{n}"))
        for unknown in sorted(set(raw) - set(entry)):
            errors.add(f"{path}.{n}.{unknown}", f"Unknown field; expected {', '.join(entry)}.")
        if len(errors.items) == before and key_of(entry) in seen:
            # The diff matches items across versions by this key, so it has to identify one item.
            errors.add(f"{path}.{n}.{key_field}", f"'{key_of(entry)}' appears twice in {name}.")
        seen.add(key_of(entry))
        cleaned.append(entry)
    return cleaned


def empty_content() -> Content:
    return {name: [] for name in SECTIONS}
