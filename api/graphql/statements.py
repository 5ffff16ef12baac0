"""Crisis statements over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import Prefetch, QuerySet
from strawberry.types import Info

from api.graphql.enums import ChannelFlag
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from responses import models
from responses.statements import selectors, services

# Where a list read puts the statement's approvals for `pendingApprovals`, fetched for all statements at once.
PENDING_APPROVED = "approved_for_pending"


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
    role: models.CaseRole
    approver_name: str
    decision: models.ApprovalDecision
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
    required_approvals: list[models.CaseRole]
    created_by: str
    created_at: datetime
    published_at: datetime | None
    retracted_at: datetime | None
    retraction_reason: str

    versions: Connection[StatementVersion] = connection(description="Every version of the text, oldest first.")
    approvals: Connection[StatementApproval] = connection(description="Approvals and rejections, oldest first.")
    publications: Connection[StatementPublication] = connection(description="Where it was published, oldest first.")

    @strawberry_django.field
    def case_id(self, root: models.Statement) -> int:
        return root.case_id

    @strawberry_django.field
    def supersedes_id(self, root: models.Statement) -> int | None:
        return root.supersedes_id

    @strawberry_django.field(
        prefetch_related=[
            Prefetch(
                "approvals",
                queryset=models.StatementApproval.objects.filter(decision=models.ApprovalDecision.APPROVED),
                to_attr=PENDING_APPROVED,
            )
        ],
        description="Roles still to approve the current version, next one first.",
    )
    def pending_approvals(self, root: models.Statement) -> list[models.CaseRole]:
        approved = getattr(root, PENDING_APPROVED, None)
        return [models.CaseRole(r) for r in services.pending_roles(root, approved=approved)]


@strawberry.type
class StatementChannelState:
    channel: models.Channel
    statement_id: int
    version: int
    url: str
    published_at: datetime
    flag: ChannelFlag | None = strawberry.field(description="null when the channel carries what is live")
    expected_statement_id: int
    expected_version: int


@strawberry.type
class StatementConsistency:
    consistent: bool
    channels: list[StatementChannelState] = strawberry.field(description="One row per channel published on.")


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
    @connection(Connection[Statement], description="A case's statements, oldest first.")
    def statements(self, info: Info, case_id: int) -> QuerySet[models.Statement]:
        # The selector prefetches what REST shows; here the optimizer fetches what the query asks for.
        return selectors.statement_list(actor=actor(info), case_id=case_id).prefetch_related(None)

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
        required_approvals: list[models.CaseRole] | None = None,
        supersedes_id: int | None = None,
    ) -> Statement:
        return cast(
            Statement,
            services.statement_create(
                actor=actor(info),
                case_id=case_id,
                title=title,
                body=body,
                required_approvals=None if required_approvals is None else [r.value for r in required_approvals],
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
                actor=actor(info), statement_id=id, channel=channel, url=url, published_at=published_at
            ),
        )

    @strawberry.mutation
    def retract_statement(self, info: Info, id: int, reason: str) -> Statement:
        return cast(Statement, services.statement_retract(actor=actor(info), statement_id=id, reason=reason))
