"""Where a delivery that cannot even be attempted is set aside: the dead-letter store, registered at start-up.

The store belongs to monitoring, which tenants must not import; monitoring registers it here instead
(MonitoringConfig.ready), along with the retry of a delivery's dead letter.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


class Recorder(Protocol):
    def __call__(self, *, item_key: object, reason: str) -> object: ...


class Guard(Protocol):
    """Runs items one at a time; one that raises is recorded and skipped, and its key kept in `keys`."""

    keys: list[str]

    def item(self, key: object) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class DeadLetters:
    # Records one delivery by id, with why it failed.
    record: Recorder
    # A fresh guard for one sweep over deliveries.
    guard: Callable[[], Guard]


_store: DeadLetters | None = None


def dead_letters_register(store: DeadLetters) -> None:
    global _store
    _store = store


def dead_letters() -> DeadLetters:
    if _store is None:
        raise RuntimeError("no dead-letter store registered (monitoring registers it when Django starts)")
    return _store
