"""Commitments over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from responses import models
from responses.commitments import selectors, services


@strawberry_django.type(models.Commitment)
class Commitment:
    id: strawberry.auto
    kind: models.CommitmentKind
    description: str
    due_at: datetime
    status: models.CommitmentStatus
    kept_at: datetime | None
    missed_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_reason: str
    created_by: str
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field
    def case_id(self, root: models.Commitment) -> int:
        return root.case_id

    @strawberry_django.field(description="The statement that made the promise.")
    def statement_id(self, root: models.Commitment) -> int:
        return root.statement_id

    @strawberry_django.field
    def owner_id(self, root: models.Commitment) -> int | None:
        return root.owner_id

    @strawberry_django.field(description="The case task that tracks it.")
    def task_id(self, root: models.Commitment) -> int | None:
        return root.task_id

    @strawberry_django.field(description="The published statement that reports it kept.")
    def follow_up_statement_id(self, root: models.Commitment) -> int | None:
        return root.follow_up_statement_id


@strawberry.type
class CommitmentsQuery:
    @connection(Connection[Commitment], description="A case's commitments (all, or in these statuses), soonest due.")
    def case_commitments(
        self, info: Info, case_id: int, status: list[models.CommitmentStatus] | None = None
    ) -> QuerySet[models.Commitment]:
        statuses = [s.value for s in status or []]
        return selectors.case_commitments(actor=actor(info), case_id=case_id, status=statuses)

    @strawberry.field
    def commitment(self, info: Info, id: int) -> Commitment:
        return cast(Commitment, selectors.commitment_get(actor=actor(info), commitment_id=id))


@strawberry.type
class CommitmentsMutation:
    @strawberry.mutation(description="Record a statement's promise; a case task with the same due time tracks it.")
    def create_commitment(
        self,
        info: Info,
        case_id: int,
        statement_id: int,
        kind: models.CommitmentKind,
        description: str,
        due_at: datetime,
        owner_id: int | None = None,
    ) -> Commitment:
        return cast(
            Commitment,
            services.commitment_create(
                actor=actor(info),
                case_id=case_id,
                statement=statement_id,
                kind=kind.value,
                description=description,
                due_at=due_at,
                owner_id=owner_id,
            ),
        )

    @strawberry.mutation(description="Change an open commitment's description, due time or owner (its task follows).")
    def update_commitment(
        self,
        info: Info,
        id: int,
        description: str | None = None,
        due_at: datetime | None = None,
        owner_id: int | None = None,
    ) -> Commitment:
        given: dict[str, Any] = {"description": description, "due_at": due_at, "owner_id": owner_id}
        changes = {k: v for k, v in given.items() if v is not None}
        return cast(Commitment, services.commitment_update(actor=actor(info), commitment_id=id, **changes))

    @strawberry.mutation(description="Keep it: a published follow-up statement of the case reports it.")
    def keep_commitment(self, info: Info, id: int, follow_up_statement_id: int) -> Commitment:
        return cast(
            Commitment,
            services.commitment_keep(actor=actor(info), commitment_id=id, follow_up_statement=follow_up_statement_id),
        )

    @strawberry.mutation(description="Withdraw it, with a reason (its task is cancelled).")
    def withdraw_commitment(self, info: Info, id: int, reason: str) -> Commitment:
        return cast(Commitment, services.commitment_withdraw(actor=actor(info), commitment_id=id, reason=reason))
