"""Crisis statements over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from strawberry.types import Info

from api.graphql.permissions import actor
from responses import models
from responses.statements import selectors, services

StatementStatus = strawberry.enum(models.StatementStatus, name="StatementStatus")
StatementChannel = strawberry.enum(models.Channel, name="StatementChannel")


@strawberry_django.type(models.StatementVersion)
class StatementVersion:
    number: int
    title: str
    body: str
    diff: str
    author: str
    created_at: datetime


@strawberry_django.type(models.StatementApproval)
class StatementApproval:
    id: strawberry.auto
    version: int
    role: str
    approver_name: str
    decision: str
    comment: str
    at: datetime


@strawberry_django.type(models.StatementPublication)
class StatementPublication:
    id: strawberry.auto
    version: int
    channel: models.Channel
    url: str
    published_at: datetime
    published_by: str
    retracted_at: datetime | None


@strawberry_django.type(models.Statement)
class Statement:
    id: strawberry.auto
    title: str
    status: models.StatementStatus
    current_version: int
    published_version: int | None
    required_approvals: list[str]
    created_by: str
    created_at: datetime
    published_at: datetime | None
    retracted_at: datetime | None
    retraction_reason: str

    @strawberry.field
    def case_id(self) -> int:
        return cast(models.Statement, self).case_id

    @strawberry.field
    def supersedes_id(self) -> int | None:
        return cast(models.Statement, self).supersedes_id

    @strawberry.field(description="Roles still to approve the current version, next one first.")
    def pending_approvals(self) -> list[str]:
        return services.pending_roles(cast(models.Statement, self))

    @strawberry.field
    def versions(self) -> list[StatementVersion]:
        return cast(list[StatementVersion], list(cast(models.Statement, self).versions.all()))

    @strawberry.field
    def approvals(self) -> list[StatementApproval]:
        return cast(list[StatementApproval], list(cast(models.Statement, self).approvals.all()))

    @strawberry.field
    def publications(self) -> list[StatementPublication]:
        return cast(list[StatementPublication], list(cast(models.Statement, self).publications.all()))


@strawberry.type
class StatementChannelState:
    channel: models.Channel
    statement_id: int
    version: int
    url: str
    published_at: datetime
    flag: str | None = strawberry.field(description="null, outdated_version or superseded")
    expected_statement_id: int
    expected_version: int


@strawberry.type
class StatementConsistency:
    consistent: bool
    channels: list[StatementChannelState]


def _consistency(result: dict[str, Any]) -> StatementConsistency:
    rows = [StatementChannelState(**(row | {"channel": models.Channel(row["channel"])})) for row in result["channels"]]
    return StatementConsistency(consistent=result["consistent"], channels=rows)


@strawberry.type
class StatementDiff:
    from_version: int
    to_version: int
    diff: str


@strawberry.type
class StatementsQuery:
    @strawberry.field(description="A case's statements, oldest first.")
    def statements(self, info: Info, case_id: int) -> list[Statement]:
        return cast(list[Statement], list(selectors.statement_list(actor=actor(info), case_id=case_id)))

    @strawberry.field
    def statement(self, info: Info, id: int) -> Statement:
        return cast(Statement, selectors.statement_get(actor=actor(info), statement_id=id))

    @strawberry.field(description="Unified diff of the body between two versions (default: the last change).")
    def statement_diff(
        self, info: Info, id: int, from_version: int | None = None, to_version: int | None = None
    ) -> StatementDiff:
        result = selectors.statement_diff(
            actor=actor(info), statement_id=id, from_version=from_version, to_version=to_version
        )
        return StatementDiff(**result)

    @strawberry.field(description="Which statement version each channel carries, with the disagreements flagged.")
    def statement_consistency(self, info: Info, case_id: int) -> StatementConsistency:
        return _consistency(selectors.statement_consistency(actor=actor(info), case_id=case_id))


@strawberry.type
class StatementsMutation:
    @strawberry.mutation(description="Draft a statement; requiredApprovals default to legal then commander.")
    def create_statement(
        self,
        info: Info,
        case_id: int,
        title: str,
        body: str,
        required_approvals: list[str] | None = None,
        supersedes_id: int | None = None,
    ) -> Statement:
        return cast(
            Statement,
            services.statement_create(
                actor=actor(info),
                case_id=case_id,
                title=title,
                body=body,
                required_approvals=required_approvals,
                supersedes_id=supersedes_id,
            ),
        )

    @strawberry.mutation(description="A new version when the text changes.")
    def edit_statement(self, info: Info, id: int, title: str | None = None, body: str | None = None) -> Statement:
        changes = {k: v for k, v in (("title", title), ("body", body)) if v is not None}
        return cast(Statement, services.statement_edit(actor=actor(info), statement_id=id, **changes))

    @strawberry.mutation
    def submit_statement(self, info: Info, id: int) -> Statement:
        return cast(Statement, services.statement_submit(actor=actor(info), statement_id=id))

    @strawberry.mutation(description="Approve as the case role that is due next.")
    def approve_statement(self, info: Info, id: int, comment: str = "") -> Statement:
        return cast(Statement, services.statement_approve(actor=actor(info), statement_id=id, comment=comment))

    @strawberry.mutation
    def reject_statement(self, info: Info, id: int, comment: str) -> Statement:
        return cast(Statement, services.statement_reject(actor=actor(info), statement_id=id, comment=comment))

    @strawberry.mutation(description="Record the current version as published on a channel.")
    def publish_statement(
        self,
        info: Info,
        id: int,
        channel: models.Channel,
        url: str = "",
        published_at: datetime | None = None,
    ) -> StatementPublication:
        return cast(
            StatementPublication,
            services.statement_publish(
                actor=actor(info), statement_id=id, channel=channel.value, url=url, published_at=published_at
            ),
        )

    @strawberry.mutation
    def retract_statement(self, info: Info, id: int, reason: str) -> Statement:
        return cast(Statement, services.statement_retract(actor=actor(info), statement_id=id, reason=reason))
