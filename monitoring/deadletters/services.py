"""Quarantine for background work: an item that cannot be processed becomes a dead letter and the run goes on.

Poison is whatever raises while one item is handled (a row the driver cannot read, a document Elasticsearch
refuses, a policy the engine chokes on). Outages are not poison: database and Elasticsearch connection errors
propagate, so the caller's existing retry and back-off apply and nothing is set aside for them.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from elasticsearch import TransportError

from config.errors import ConflictError, ServiceUnavailableError
from config.lookups import locked_or_404
from monitoring.models import DeadLetter
from tenants.identity.principals import Principal, check_permission

logger = logging.getLogger(__name__)

REASON_CHARS = 1000
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, TransportError)

# Re-runs one item from its key: returns None when it went through, or why it still did not (its writes, e.g. a
# delivery's attempt log, are kept); raises when it fails outright (its writes are rolled back).
Retrier = Callable[[str], str | None]
_retriers: dict[str, Retrier] = {}


def reason_of(error: BaseException) -> str:
    message = " ".join(str(error).split())
    return (f"{type(error).__name__}: {message}" if message else type(error).__name__)[:REASON_CHARS]


def dead_letter_record(*, kind: str, item_model: str, item_key: object, reason: str) -> DeadLetter:
    """Set the item aside (or count one more failure on its open letter); logs the item, never its content."""
    key, now = str(item_key), timezone.now()
    with transaction.atomic():
        letter = DeadLetter.objects.select_for_update().filter(kind=kind, item_key=key, resolved_at=None).first()
        if letter is None:
            letter = DeadLetter.objects.create(
                kind=kind,
                item_model=item_model,
                item_key=key,
                reason=reason[:REASON_CHARS],
                first_failed_at=now,
                last_failed_at=now,
            )
        else:
            letter.attempts += 1
            letter.reason, letter.last_failed_at = reason[:REASON_CHARS], now
            letter.save(update_fields=["attempts", "reason", "last_failed_at"])
    # The reason may quote the item (Elasticsearch echoes the document): logs get the error class only.
    logger.warning(
        "quarantined %s %s %s (dead letter %s, %s failures): %s",
        kind,
        item_model,
        key,
        letter.pk,
        letter.attempts,
        reason.split(":", 1)[0],
    )
    return letter


def dead_letters_resolve(*, kind: str, item_keys: list[str]) -> int:
    """Close the open letters of items that have just been processed normally (e.g. a corrected mention)."""
    if not item_keys:
        return 0
    return DeadLetter.objects.filter(kind=kind, item_key__in=item_keys, resolved_at=None).update(
        resolved_at=timezone.now()
    )


class Quarantine:
    """Guards items one at a time: one that raises is recorded as a dead letter and skipped, not re-raised."""

    def __init__(self, kind: str, model: type[Model]) -> None:
        self.kind = kind
        self.item_model = model._meta.label
        self.keys: list[str] = []

    @property
    def quarantined(self) -> int:
        return len(self.keys)

    @contextmanager
    def item(self, key: object) -> Iterator[None]:
        # Inside a transaction a savepoint keeps a failed item from aborting it; outside, there is nothing to
        # protect and the item's own transactions (if any) are its unit of work.
        try:
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                yield
        except TRANSIENT:
            raise
        except Exception as exc:
            if str(key) in self.keys:
                return  # already set aside in this run (e.g. a case whose SLA and escalation both fail)
            self.keys.append(str(key))
            dead_letter_record(kind=self.kind, item_model=self.item_model, item_key=key, reason=reason_of(exc))


def dead_letter_retrier_register(kind: str, retrier: Retrier) -> None:
    """Each domain says how to re-run its items (see `Retrier`)."""
    _retriers[kind] = retrier


def dead_letter_retry(*, actor: Principal, dead_letter_id: int) -> DeadLetter:
    """Re-run the item now: it is resolved if that works; otherwise its reason and attempts are updated."""
    check_permission(actor, "dead_letters.manage")
    with transaction.atomic():
        letter = locked_or_404(DeadLetter, dead_letter_id, "dead letter")
        if letter.resolved_at is not None:
            raise ConflictError(f"Dead letter {dead_letter_id} is already resolved.", field="id")
        now = timezone.now()
        try:
            with transaction.atomic():
                failure = _retriers[letter.kind](letter.item_key)
        except TRANSIENT as exc:
            raise ServiceUnavailableError("A backing service is unavailable; retry later.") from exc
        except Exception as exc:
            failure = reason_of(exc)
        if failure is None:
            letter.resolved_at = now
        else:
            letter.attempts += 1
            letter.reason, letter.last_failed_at = failure[:REASON_CHARS], now
            logger.warning("retry of dead letter %s failed again: %s", letter.pk, failure.split(":", 1)[0])
        letter.save(update_fields=["attempts", "reason", "last_failed_at", "resolved_at"])
    return letter
