"""Dead letters over GraphQL: the same selectors and retry service as REST."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.graphql.permissions import actor
from monitoring.deadletters import selectors, services
from monitoring.models import DeadLetter as DeadLetterModel
from monitoring.models import DeadLetterKind as KindChoices

DeadLetterKind = strawberry.enum(KindChoices, name="DeadLetterKind")

MAX_PAGE = 200


@strawberry.type
class DeadLetter:
    id: strawberry.ID
    kind: str
    item_model: str
    item_key: str
    reason: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None

    @classmethod
    def from_model(cls, letter: DeadLetterModel) -> "DeadLetter":
        return cls(
            id=strawberry.ID(str(letter.pk)),
            kind=letter.kind,
            item_model=letter.item_model,
            item_key=letter.item_key,
            reason=letter.reason,
            attempts=letter.attempts,
            first_failed_at=letter.first_failed_at,
            last_failed_at=letter.last_failed_at,
            resolved_at=letter.resolved_at,
        )


@strawberry.type
class DeadLetterKindCount:
    kind: str
    open: int


@strawberry.type
class DeadLetterCounts:
    open: int
    by_kind: list[DeadLetterKindCount]


@strawberry.type
class DeadLettersQuery:
    @strawberry.field(description="Items background work quarantined, newest first; resolved=false: open ones.")
    def dead_letters(
        self,
        info: Info,
        kind: KindChoices | None = None,
        resolved: bool | None = None,
        first: int = 50,
        offset: int = 0,
    ) -> list[DeadLetter]:
        letters = selectors.dead_letter_list(actor=actor(info), kind=kind.value if kind else None, resolved=resolved)
        start = max(offset, 0)
        return [DeadLetter.from_model(x) for x in letters[start : start + max(1, min(first, MAX_PAGE))]]

    @strawberry.field(description="How many dead letters are open, per kind.")
    def dead_letter_counts(self, info: Info) -> DeadLetterCounts:
        by_kind = selectors.dead_letter_counts(actor=actor(info))
        return DeadLetterCounts(
            open=sum(by_kind.values()), by_kind=[DeadLetterKindCount(kind=k, open=n) for k, n in by_kind.items()]
        )


@strawberry.type
class DeadLettersMutation:
    @strawberry.mutation(description="Re-run the item now: resolved if it works, else reason and attempts update.")
    def retry_dead_letter(self, info: Info, id: int) -> DeadLetter:
        return DeadLetter.from_model(services.dead_letter_retry(actor=actor(info), dead_letter_id=id))
