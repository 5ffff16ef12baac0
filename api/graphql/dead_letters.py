"""Dead letters over GraphQL: the same selectors and retry service as REST."""

from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from monitoring import models
from monitoring.deadletters import selectors, services


@strawberry_django.type(models.DeadLetter)
class DeadLetter:
    id: strawberry.auto
    kind: models.DeadLetterKind
    item_model: str
    item_key: str
    reason: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None


@strawberry.type
class DeadLetterKindCount:
    kind: models.DeadLetterKind
    open: int


@strawberry.type
class DeadLetterCounts:
    open: int
    by_kind: list[DeadLetterKindCount] = strawberry.field(description="One row per kind with open letters.")


@strawberry.type
class DeadLettersQuery:
    @connection(
        Connection[DeadLetter], description="Items background work quarantined, newest first; resolved=false: open."
    )
    def dead_letters(
        self, info: Info, kind: models.DeadLetterKind | None = None, resolved: bool | None = None
    ) -> QuerySet[models.DeadLetter]:
        return selectors.dead_letter_list(actor=actor(info), kind=kind, resolved=resolved)

    @strawberry.field(description="How many dead letters are open, per kind.")
    def dead_letter_counts(self, info: Info) -> DeadLetterCounts:
        by_kind = selectors.dead_letter_counts(actor=actor(info))
        return DeadLetterCounts(
            open=sum(by_kind.values()),
            by_kind=[DeadLetterKindCount(kind=models.DeadLetterKind(k), open=n) for k, n in by_kind.items()],
        )


@strawberry.type
class DeadLettersMutation:
    @strawberry.mutation(description="Re-run the item now: resolved if it works, else reason and attempts update.")
    def retry_dead_letter(self, info: Info, id: int) -> DeadLetter:
        return cast(DeadLetter, services.dead_letter_retry(actor=actor(info), dead_letter_id=id))
