from responses.models.aftercare import (
    AffectedUser,
    AffectedUserSource,
    AftercareSettings,
    CompensationApproval,
    FollowUp,
    FollowUpNote,
    FollowUpReply,
    FollowUpStatus,
    FollowUpType,
    ReplyChannel,
)
from responses.models.cases import CaseEvent, CaseStatus, CrisisCase, Scenario, Severity
from responses.models.commitments import Commitment, CommitmentKind, CommitmentStatus
from responses.models.evaluation import EvaluationSettings
from responses.models.playbooks import Playbook, PlaybookActivation, PlaybookRevision, PlaybookVersion, RevisionStatus
from responses.models.promotion import PromotionRule
from responses.models.reports import CaseReport, ReportTrigger
from responses.models.scripts import ReplyScript, ScriptApproval, ScriptLanguage
from responses.models.sla import SlaBreach, SlaKind, SlaPolicy
from responses.models.statements import (
    ApprovalDecision,
    Channel,
    Statement,
    StatementApproval,
    StatementPublication,
    StatementStatus,
    StatementVersion,
)
from responses.models.tasks import CaseTask, TaskPriority, TaskStatus
from responses.models.team import CaseMember, CaseRole
from responses.models.watch import WatchSettings

__all__ = [
    "AffectedUser",
    "AffectedUserSource",
    "AftercareSettings",
    "ApprovalDecision",
    "CaseEvent",
    "CaseMember",
    "CaseReport",
    "CaseRole",
    "CaseStatus",
    "CaseTask",
    "Channel",
    "Commitment",
    "CommitmentKind",
    "CommitmentStatus",
    "CompensationApproval",
    "CrisisCase",
    "EvaluationSettings",
    "FollowUp",
    "FollowUpNote",
    "FollowUpReply",
    "FollowUpStatus",
    "FollowUpType",
    "Playbook",
    "PlaybookActivation",
    "PlaybookRevision",
    "PlaybookVersion",
    "PromotionRule",
    "ReplyChannel",
    "ReplyScript",
    "ReportTrigger",
    "RevisionStatus",
    "Scenario",
    "ScriptApproval",
    "ScriptLanguage",
    "Severity",
    "SlaBreach",
    "SlaKind",
    "SlaPolicy",
    "Statement",
    "StatementApproval",
    "StatementPublication",
    "StatementStatus",
    "StatementVersion",
    "TaskPriority",
    "TaskStatus",
    "WatchSettings",
]
