"""Every enumerated value in the GraphQL schema is one of these enums, named the GraphQL way (`RESPONDING`).

Most are the models' own choices, so the database, REST (`responding`) and GraphQL share one list of values. The
others list values the domain keeps in a table or writes inline (tests/api/test_graphql_contract.py holds each to
its domain source). Codes from an open vocabulary that grows with features (timeline and alert event kinds, audit
actions, webhook event types) stay strings, as error codes do.
"""

from enum import StrEnum

import strawberry

from monitoring.models import (
    AlertStatus,
    BrandKind,
    DeadLetterKind,
    Emotion,
    Level,
    Platform,
    Relation,
    ScopeKind,
    Sentiment,
)
from responses.models import (
    AffectedUserSource,
    ApprovalDecision,
    CaseRole,
    CaseStatus,
    Channel,
    CommitmentKind,
    CommitmentStatus,
    CompensationApproval,
    FollowUpStatus,
    FollowUpType,
    ReplyChannel,
    RevisionStatus,
    Scenario,
    ScriptApproval,
    ScriptLanguage,
    Severity,
    SlaKind,
    StatementStatus,
    TaskPriority,
    TaskStatus,
)
from tenants.audit.models import ActorType
from tenants.billing.models import BillingStatus
from tenants.identity.models import InvitationStatus
from tenants.identity.roles import Role
from tenants.notifications.models import ChannelKind, DeliveryStatus, WebhookFormat

for choices, name in (
    (Platform, "Platform"),
    (Relation, "MentionRelation"),
    (Sentiment, "Sentiment"),
    (Emotion, "Emotion"),
    (BrandKind, "BrandKind"),
    (ScopeKind, "ScopeKind"),
    (Level, "AlertLevel"),
    (AlertStatus, "AlertStatus"),
    (DeadLetterKind, "DeadLetterKind"),
    (Scenario, "Scenario"),
    (Severity, "Severity"),
    (CaseStatus, "CaseStatus"),
    (CaseRole, "CaseRole"),
    (TaskStatus, "TaskStatus"),
    (TaskPriority, "TaskPriority"),
    (ScriptLanguage, "ScriptLanguage"),
    (ScriptApproval, "ScriptApproval"),
    (SlaKind, "SlaKind"),
    (StatementStatus, "StatementStatus"),
    (Channel, "StatementChannel"),
    (ApprovalDecision, "ApprovalDecision"),
    (ActorType, "AuditActorType"),
    (ChannelKind, "NotificationChannelKind"),
    (WebhookFormat, "WebhookFormat"),
    (DeliveryStatus, "DeliveryStatus"),
    (Role, "Role"),
    (InvitationStatus, "InvitationStatus"),
    (BillingStatus, "BillingStatus"),
    (AffectedUserSource, "AffectedUserSource"),
    (FollowUpType, "FollowUpType"),
    (FollowUpStatus, "FollowUpStatus"),
    (CompensationApproval, "CompensationApproval"),
    (ReplyChannel, "ReplyChannel"),
    (RevisionStatus, "PlaybookRevisionStatus"),
    (CommitmentKind, "CommitmentKind"),
    (CommitmentStatus, "CommitmentStatus"),
):
    strawberry.enum(choices, name=name)


@strawberry.enum(description="A step in a case's lifecycle (responses.cases.services.TRANSITIONS).")
class CaseTransition(StrEnum):
    ASSESS = "assess"
    RESPOND = "respond"
    RECOVER = "recover"
    RESOLVE = "resolve"
    REVIEW = "review"
    REOPEN = "reopen"


@strawberry.enum(description="How search results are ordered (monitoring.search.query.SORTS).")
class SearchSort(StrEnum):
    RELEVANCE = "relevance"
    TIME = "time"
    ENGAGEMENT = "engagement"


@strawberry.enum(description="What a search may count besides its hits (monitoring.search.query.AGGREGATIONS).")
class SearchAggregation(StrEnum):
    VOLUME = "volume"
    SENTIMENT = "sentiment"
    EMOTION = "emotion"
    AUTHORS = "authors"
    PLATFORMS = "platforms"
    TERMS = "terms"


@strawberry.enum(description="How a warning policy weighs its indicators.")
class PolicyWeighting(StrEnum):
    DIRECT = "direct"
    AHP = "ahp"


@strawberry.enum(description="Who is calling: a person, an API key or the system itself.")
class PrincipalKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    SYSTEM = "system"


@strawberry.enum(description="Where an SLA clock stands (responses.sla.selectors.case_sla).")
class SlaState(StrEnum):
    PENDING = "pending"
    MET = "met"
    MET_LATE = "met_late"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"


@strawberry.enum(description="How an alert was resolved: by a person, or by the engine once the index fell.")
class AlertResolution(StrEnum):
    MANUAL = "manual"
    AUTO = "auto"


@strawberry.enum(name="StatementChannelFlag", description="Why a channel disagrees with what is live elsewhere.")
class ChannelFlag(StrEnum):
    OUTDATED_VERSION = "outdated_version"
    SUPERSEDED = "superseded"


@strawberry.enum(description="A Stripe invoice's status, as Stripe names it (stripe.Invoice.status).")
class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"
    VOID = "void"
