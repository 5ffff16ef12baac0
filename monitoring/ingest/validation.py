"""Per-item validation of incoming mentions: a valid item becomes a MentionInput, an invalid one an ItemError."""

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.unicode import find_broken_text
from monitoring.ingest.payload import ItemError, Unparseable
from monitoring.models import Platform, Relation

MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 500
MAX_ID_CHARS = 128
MAX_URL_CHARS = 2000
MAX_NAME_CHARS = 200
# Real time zones run from UTC-12:00 to UTC+14:00; anything past that is a sender's bug (and PostgreSQL refuses
# offsets past ±15:59 for the whole batch).
MIN_OFFSET, MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)
PLATFORMS = frozenset(Platform.values)
RELATIONS = frozenset(Relation.values)
METRICS = ("likes", "reposts", "comments", "views")


@dataclass(frozen=True, slots=True)
class AuthorInput:
    external_id: str
    name: str
    followers: int
    verified: bool


@dataclass(frozen=True, slots=True)
class MentionInput:
    index: int
    platform: str
    external_id: str
    url: str
    title: str
    text: str
    published_at: datetime
    likes: int
    reposts: int
    comments: int
    views: int
    parent_external_id: str
    relation: str
    root_external_id: str
    author: AuthorInput | None
    raw: dict[str, Any]

    def content_hash(self) -> str:
        # Everything a re-send may legitimately change: edits, metrics, author stats.
        author = self.author
        parts = [
            self.url,
            self.title,
            self.text,
            self.published_at.isoformat(),
            str(self.likes),
            str(self.reposts),
            str(self.comments),
            str(self.views),
            self.parent_external_id,
            self.relation,
            f"{author.external_id}|{author.name}|{author.followers}|{author.verified}" if author else "",
        ]
        # Only when given, so the hashes of mentions stored before the field existed stay the same.
        if self.root_external_id:
            parts.append(self.root_external_id)
        return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


class _Invalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message


def _text(item: dict[str, Any], name: str, limit: int, *, required: bool = False, path: str = "") -> str:
    value = item.get(name)
    where = f"{path}{name}"
    if value is None:
        if required:
            raise _Invalid(where, "This field is required.")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name.endswith("id"):
        value = str(value)
    if not isinstance(value, str):
        raise _Invalid(where, f"Expected a string, got {type(value).__name__}.")
    if "\x00" in value:
        raise _Invalid(where, "Text must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Invalid(where, "Text is not valid Unicode (lone surrogate).") from None
    value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        raise _Invalid(where, f"At most {limit} characters allowed; got {len(value)}.")
    if required and not value.strip():
        raise _Invalid(where, "This field must not be empty.")
    return value


def _count(container: dict[str, Any], name: str, path: str) -> int:
    value = container.get(name, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{path}{name}", f"Expected a whole number, got {value!r}.")
    if value < 0 or value > 10**15:
        raise _Invalid(f"{path}{name}", "Must be between 0 and 10^15.")
    return value


def _published_at(item: dict[str, Any], now: datetime) -> datetime:
    value = item.get("published_at")
    if value is None:
        raise _Invalid("published_at", "This field is required.")
    if not isinstance(value, str):
        raise _Invalid("published_at", "Expected an ISO 8601 date-time string.")
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise _Invalid("published_at", f"'{value[:40]}' is not an ISO 8601 date-time.")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    offset = parsed.utcoffset()
    if offset is not None and not MIN_OFFSET <= offset <= MAX_OFFSET:
        raise _Invalid("published_at", f"'{value[:40]}' has a UTC offset outside -12:00 to +14:00.")
    earliest = settings.INGEST_EARLIEST_PUBLISHED_AT
    too_early = _Invalid("published_at", f"'{value[:40]}' is before {earliest.date().isoformat()}.")
    try:
        # Stored and compared in UTC: year 1 at +14:00 is 1 BC there, which no reader can load back.
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        raise too_early from None
    if parsed < earliest:
        raise too_early
    if parsed > now + timedelta(seconds=settings.INGEST_FUTURE_TOLERANCE_SECONDS):
        raise _Invalid("published_at", f"{parsed.isoformat()} is in the future.")
    return parsed


def _author(item: dict[str, Any]) -> AuthorInput | None:
    value = item.get("author")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Invalid("author", "Expected an object.")
    external_id = _text(value, "external_id", MAX_ID_CHARS, required=True, path="author.")
    verified = value.get("verified", False)
    if not isinstance(verified, bool):
        raise _Invalid("author.verified", "Expected true or false.")
    return AuthorInput(
        external_id=external_id,
        name=_text(value, "name", MAX_NAME_CHARS, path="author."),
        followers=_count(value, "followers", "author."),
        verified=verified,
    )


def _validate(index: int, item: Any, now: datetime) -> MentionInput:
    if isinstance(item, Unparseable):
        raise _Invalid("", item.reason)
    if not isinstance(item, dict):
        raise _Invalid("", "Expected an object.")
    broken = find_broken_text(item)
    if broken:
        raise _Invalid(broken, "Text contains a NUL character or broken Unicode (lone surrogate).")
    platform = item.get("platform")
    if not isinstance(platform, str) or platform.lower() not in PLATFORMS:
        raise _Invalid("platform", f"Unknown platform {platform!r}; expected one of {', '.join(sorted(PLATFORMS))}.")
    relation = item.get("relation") or ""
    if relation and (not isinstance(relation, str) or relation not in RELATIONS):
        raise _Invalid("relation", f"Unknown relation {relation!r}; expected repost, reply or quote.")
    parent = _text(item, "parent_external_id", MAX_ID_CHARS)
    if relation and not parent:
        raise _Invalid("parent_external_id", f"A {relation} needs the parent's external id.")
    # A plain repost may carry no words of its own; anything else must say something.
    text = _text(item, "text", MAX_TEXT_CHARS, required=relation != Relation.REPOST)
    url = _text(item, "url", MAX_URL_CHARS)
    if url and not url.startswith(("http://", "https://")):
        raise _Invalid("url", "Must be an http(s) URL.")
    metrics = item.get("metrics") or {}
    if not isinstance(metrics, dict):
        raise _Invalid("metrics", "Expected an object with likes, reposts, comments, views.")
    counts = {name: _count(metrics, name, "metrics.") for name in METRICS}
    return MentionInput(
        index=index,
        platform=platform.lower(),
        external_id=_text(item, "external_id", MAX_ID_CHARS, required=True),
        url=url,
        title=_text(item, "title", MAX_TITLE_CHARS),
        text=text,
        published_at=_published_at(item, now),
        parent_external_id=parent,
        relation=relation,
        root_external_id=_text(item, "root_external_id", MAX_ID_CHARS),
        author=_author(item),
        raw=item,
        **counts,
    )


def validate_items(items: list[tuple[int, Any]]) -> tuple[list[MentionInput], list[ItemError]]:
    now = timezone.now()
    valid: dict[tuple[str, str], MentionInput] = {}
    errors: list[ItemError] = []
    for index, item in items:
        try:
            mention = _validate(index, item, now)
        except _Invalid as exc:
            errors.append(ItemError(index, exc.field, exc.message))
            continue
        key = (mention.platform, mention.external_id)
        if key in valid:
            errors.append(
                ItemError(
                    index, "external_id", f"Duplicate of item {valid[key].index} in this batch ({key[0]}:{key[1]})."
                )
            )
            continue
        valid[key] = mention
    return list(valid.values()), errors
