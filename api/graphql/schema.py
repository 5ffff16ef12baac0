"""The GraphQL schema, composed from one Query and one Mutation class per area."""

import strawberry

from api.graphql.audit import AuditQuery
from api.graphql.billing import BillingMutation, BillingQuery
from api.graphql.cases import CasesMutation, CasesQuery, ScriptsMutation, ScriptsQuery
from api.graphql.dead_letters import DeadLettersMutation, DeadLettersQuery
from api.graphql.identity import IdentityMutation, IdentityQuery
from api.graphql.limits import limit_extensions
from api.graphql.monitoring import MonitoringMutation, MonitoringQuery
from api.graphql.notifications import NotificationsMutation, NotificationsQuery
from api.graphql.playbooks import PlaybooksMutation, PlaybooksQuery
from api.graphql.statements import StatementsMutation, StatementsQuery
from api.graphql.warning import WarningMutation, WarningQuery


@strawberry.type
class Query(
    IdentityQuery,
    MonitoringQuery,
    WarningQuery,
    NotificationsQuery,
    DeadLettersQuery,
    CasesQuery,
    ScriptsQuery,
    StatementsQuery,
    PlaybooksQuery,
    AuditQuery,
    BillingQuery,
):
    pass


@strawberry.type
class Mutation(
    IdentityMutation,
    MonitoringMutation,
    WarningMutation,
    NotificationsMutation,
    DeadLettersMutation,
    CasesMutation,
    ScriptsMutation,
    StatementsMutation,
    PlaybooksMutation,
    BillingMutation,
):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=limit_extensions(),
)
