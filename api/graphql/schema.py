"""The two GraphQL schemas, composed from one Query and one Mutation class per area: a tenant's (served on tenant
hosts) and the public host's (the caller and the platform API for billing admins). Each advertises only what its
host serves."""

from datetime import datetime

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry_django.optimizer import DjangoOptimizerExtension

from api.graphql import enums  # noqa: F401 (makes the domain choices GraphQL enums before any type uses them)
from api.graphql.aftercare import AftercareMutation, AftercareQuery
from api.graphql.analytics import AnalyticsQuery
from api.graphql.audit import AuditQuery
from api.graphql.billing import BillingMutation, BillingQuery, PlatformMutation, PlatformQuery
from api.graphql.cases import CasesMutation, CasesQuery, ScriptsMutation, ScriptsQuery
from api.graphql.commitments import CommitmentsMutation, CommitmentsQuery
from api.graphql.dead_letters import DeadLettersMutation, DeadLettersQuery
from api.graphql.effects import EffectsQuery
from api.graphql.evaluation import EvaluationMutation, EvaluationQuery
from api.graphql.follow_ups import FollowUpsMutation, FollowUpsQuery
from api.graphql.identity import IdentityMutation, IdentityQuery, MeQuery, PasswordResetMutation
from api.graphql.limits import limit_extensions
from api.graphql.monitoring import MonitoringMutation, MonitoringQuery
from api.graphql.notifications import NotificationsMutation, NotificationsQuery
from api.graphql.paging import MAX_FIRST
from api.graphql.playbook_revisions import PlaybookRevisionsMutation, PlaybookRevisionsQuery
from api.graphql.playbooks import PlaybooksMutation, PlaybooksQuery
from api.graphql.propagation import PropagationQuery
from api.graphql.recovery import RecoveryQuery
from api.graphql.reports import ReportsMutation, ReportsQuery
from api.graphql.scalars import DateTime
from api.graphql.statements import StatementsMutation, StatementsQuery
from api.graphql.topics import TopicsMutation, TopicsQuery
from api.graphql.warning import WarningMutation, WarningQuery
from api.graphql.watch import WatchMutation, WatchQuery


@strawberry.type
class Query(
    MeQuery,
    IdentityQuery,
    MonitoringQuery,
    PropagationQuery,
    TopicsQuery,
    AnalyticsQuery,
    WarningQuery,
    NotificationsQuery,
    DeadLettersQuery,
    CasesQuery,
    EffectsQuery,
    EvaluationQuery,
    RecoveryQuery,
    WatchQuery,
    ReportsQuery,
    AftercareQuery,
    FollowUpsQuery,
    CommitmentsQuery,
    ScriptsQuery,
    StatementsQuery,
    PlaybooksQuery,
    PlaybookRevisionsQuery,
    AuditQuery,
    BillingQuery,
):
    pass


@strawberry.type
class Mutation(
    PasswordResetMutation,
    IdentityMutation,
    MonitoringMutation,
    TopicsMutation,
    WarningMutation,
    NotificationsMutation,
    DeadLettersMutation,
    CasesMutation,
    EvaluationMutation,
    WatchMutation,
    ReportsMutation,
    AftercareMutation,
    FollowUpsMutation,
    CommitmentsMutation,
    ScriptsMutation,
    StatementsMutation,
    PlaybooksMutation,
    PlaybookRevisionsMutation,
    BillingMutation,
):
    pass


@strawberry.type(name="Query")
class PublicQuery(MeQuery, PlatformQuery):
    pass


@strawberry.type(name="Mutation")
class PublicMutation(PasswordResetMutation, PlatformMutation):
    pass


def _schema(query: type, mutation: type) -> strawberry.Schema:
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        # The optimizer turns each list's selection into one query per level (select_related, prefetch). It reads
        # whole rows: trimming columns to the selection also drops those a nested page's cursor is made of.
        extensions=[*limit_extensions(), lambda: DjangoOptimizerExtension(enable_only_optimization=False)],
        config=StrawberryConfig(relay_max_results=MAX_FIRST),
        scalar_overrides={datetime: DateTime},
    )


schema = _schema(Query, Mutation)
public_schema = _schema(PublicQuery, PublicMutation)
