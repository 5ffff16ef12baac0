"""Every event a tenant can be told about: its name, the sentence shown to integrators, and a JSON Schema of the
whole webhook body ({id, type, created_at, tenant, data}). `notify` refuses names not declared here, channels may
subscribe only to these, and the tests check each emitted body against its schema, so the catalogue cannot lie."""

from dataclasses import dataclass
from typing import Any

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# config.timestamps.format_timestamp: UTC, microseconds, Z.
TIMESTAMP: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"}
INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def one_of(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def record(**properties: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these keys, all present: a field added to a payload must be declared here first."""
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


LEVEL = one_of("blue", "yellow", "orange", "red")
SEVERITY = one_of("I", "II", "III", "IV")
CASE_STATUS = one_of("detected", "assessing", "responding", "recovering", "resolved", "reviewed")
CASE_ROLE = one_of("commander", "monitoring", "analysis", "communications", "resources", "legal", "customer_care")
TASK_STATUS = one_of("open", "in_progress", "done", "cancelled")
STATEMENT_STATUS = one_of("draft", "in_review", "approved", "published", "retracted", "superseded")
PUBLICATION_CHANNEL = one_of("weibo", "wechat", "douyin", "xiaohongshu", "website", "press", "email", "sms", "other")

ALERT = record(
    change=one_of("opened", "escalated", "reminded", "resolved"),
    alert_id=INTEGER,
    policy=record(id=INTEGER, name=STRING),
    scope=STRING,
    status=one_of("open", "acknowledged", "resolved"),
    level=LEVEL,
    peak_level=LEVEL,
    index=NUMBER,
    opened_at=TIMESTAMP,
    indicators=array({"type": "object"}),
)
USER = record(id=INTEGER, email=STRING, name=STRING)
CASE = record(id=INTEGER, title=STRING, status=CASE_STATUS, severity=SEVERITY, scenario=STRING, is_drill=BOOLEAN)
TASK = record(
    id=INTEGER,
    title=STRING,
    status=TASK_STATUS,
    priority=one_of("low", "normal", "high", "critical"),
    assignee=nullable(USER),
    assignee_role=nullable(CASE_ROLE),
    due_at=nullable(TIMESTAMP),
    completed_at=nullable(TIMESTAMP),
)
STATEMENT = record(
    id=INTEGER,
    title=STRING,
    status=STATEMENT_STATUS,
    current_version=INTEGER,
    published_version=nullable(INTEGER),
    required_approvals=array(CASE_ROLE),
    supersedes_id=nullable(INTEGER),
)


def case_step(**extra: dict[str, Any]) -> dict[str, Any]:
    """A step on a case's timeline: the case as it is after the step, who took it, when, and the timeline's words."""
    return record(case=CASE, actor=STRING, at=TIMESTAMP, summary=STRING, timeline_event_id=INTEGER, **extra)


def task_step(**extra: dict[str, Any]) -> dict[str, Any]:
    return case_step(task=TASK, **extra)


def follow_up_step(**extra: dict[str, Any]) -> dict[str, Any]:
    return case_step(follow_up=FOLLOW_UP, **extra)


def statement_step(**extra: dict[str, Any]) -> dict[str, Any]:
    return case_step(statement=STATEMENT, version=INTEGER, **extra)


TRANSITION = {"from_status": CASE_STATUS, "note": STRING}

FOLLOW_UP_STATUS = one_of("open", "in_progress", "resolved", "closed")
# A follow-up with an affected user, without anything about the person but their id (receivers are outside the tenant).
FOLLOW_UP = record(
    id=INTEGER,
    type=one_of("complaint", "inquiry", "apology", "compensation", "callback", "satisfaction_survey"),
    status=FOLLOW_UP_STATUS,
    affected_user_id=INTEGER,
    owner=nullable(USER),
    due_at=TIMESTAMP,
    first_contact_at=nullable(TIMESTAMP),
    compensation_amount=nullable(STRING),
    compensation_currency=STRING,
    compensation_approval=one_of("not_needed", "pending", "approved", "rejected"),
    csat=nullable(INTEGER),
    nps=nullable(INTEGER),
)
FOLLOW_UP_MOVE = {"from_status": FOLLOW_UP_STATUS}

# A promise a statement made the public, and where it stands.
COMMITMENT = record(
    id=INTEGER,
    kind=one_of("fix", "refund", "investigation", "compensation", "policy_change", "other"),
    description=STRING,
    status=one_of("open", "kept", "missed", "withdrawn"),
    due_at=TIMESTAMP,
    owner=nullable(USER),
    statement_id=INTEGER,
    follow_up_statement_id=nullable(INTEGER),
    task_id=nullable(INTEGER),
    kept_at=nullable(TIMESTAMP),
    missed_at=nullable(TIMESTAMP),
    withdrawn_reason=STRING,
)


def commitment_step(**extra: dict[str, Any]) -> dict[str, Any]:
    return case_step(commitment=COMMITMENT, **extra)


BILLING_STATUS = one_of("trialing", "active", "past_due", "suspended", "canceled")
PLAN = record(code=STRING, name=STRING)
# What the tenant is told of its billing account: who moved it (a platform billing admin is not named to the
# tenant), why, and what happens next (suspension at the end of the grace period, purge after cancellation).
BILLING_ACCOUNT = {
    "status": BILLING_STATUS,
    "plan": PLAN,
    "reason": STRING,
    "by": one_of("billing_admin", "system"),
    "at": TIMESTAMP,
    "trial_end": nullable(TIMESTAMP),
    "suspend_at": nullable(TIMESTAMP),
    "purge_at": nullable(TIMESTAMP),
}

# A monthly quota of the plan: which limit, its value, how much is used, what was refused, when it starts again.
QUOTA = record(
    limit=record(name=STRING, value=INTEGER),
    used=INTEGER,
    percent=INTEGER,
    rejected=INTEGER,
    plan=PLAN,
    period_start=STRING,
    reset_at=TIMESTAMP,
)


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    data: dict[str, Any]

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the generic-format webhook body of this event."""
        return {
            "$schema": JSON_SCHEMA_DIALECT,
            "title": self.name,
            "description": self.description,
            **record(
                id={"type": "string", "pattern": "^evt_[0-9a-f]{32}$"},
                type={"const": self.name},
                created_at=TIMESTAMP,
                tenant=STRING,
                data=self.data,
            ),
        }


_TYPES = [
    EventType("alert.opened", "An early-warning indicator crossed its threshold.", ALERT),
    EventType("alert.escalated", "An open alert reached a higher severity.", ALERT),
    EventType("alert.reminded", "An open alert is still at its level (periodic reminder).", ALERT),
    EventType("alert.resolved", "An alert was resolved or fell back below its threshold.", ALERT),
    EventType(
        "case.opened",
        "A crisis case was opened (by hand or promoted from an alert).",
        record(
            case_id=INTEGER,
            title=STRING,
            scenario=STRING,
            severity=SEVERITY,
            is_drill=BOOLEAN,
            opened_by=STRING,
            opened_from_alert=nullable(INTEGER),
            playbook=nullable(STRING),
        ),
    ),
    EventType(
        "case.updated",
        "A case's title, description, scenario, severity or topics changed.",
        case_step(changes={"type": "object", "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}}),
    ),
    EventType(
        "case.assessment_started", "Someone picked a case up and is judging how bad it is.", case_step(**TRANSITION)
    ),
    EventType(
        "case.response_started", "A case's response is running: statements, replies, tasks.", case_step(**TRANSITION)
    ),
    EventType("case.recovery_started", "A case's peak has passed; recovery and follow-ups.", case_step(**TRANSITION)),
    EventType(
        "case.recovered",
        "A case's talk came back to its pre-crisis baseline and stayed there (once per case; the recovery beat).",
        case_step(recovered_at=TIMESTAMP, hours_to_recovery=NUMBER),
    ),
    EventType("case.resolved", "A case was resolved: no more response work.", case_step(**TRANSITION)),
    EventType(
        "case.recurrence",
        "A resolved case's post-crisis watch opened an alert on the case's scope: the crisis may be recurring.",
        case_step(alert_id=INTEGER, level=LEVEL, opened_at=TIMESTAMP),
    ),
    EventType("case.reviewed", "A resolved case was closed after its after-action review.", case_step(**TRANSITION)),
    EventType(
        "report.generated",
        "A version of a case's review report (復盤報告) was stored: at the review (final) or on request.",
        case_step(version=INTEGER, trigger=one_of("reviewed", "requested"), final=BOOLEAN),
    ),
    EventType("case.reopened", "A resolved case flared up again and is responding once more.", case_step(**TRANSITION)),
    EventType("case.note_added", "A note was added to a case's timeline.", case_step(text=STRING)),
    EventType(
        "case.linked",
        "Alerts, brands or evidence mentions were linked to a case.",
        case_step(alert_ids=array(INTEGER), brand_ids=array(INTEGER), evidence_ids=array(INTEGER)),
    ),
    EventType(
        "case.member_added",
        "A user was given a role on a case's team.",
        case_step(member=record(user=USER, role=CASE_ROLE)),
    ),
    EventType(
        "case.member_removed",
        "A user no longer holds a role on a case's team.",
        case_step(member=record(user=USER, role=CASE_ROLE)),
    ),
    EventType(
        "case.sla_breached",
        "A crisis case missed an SLA target (acknowledge, first statement, resolve).",
        record(
            case_id=INTEGER,
            title=STRING,
            severity=SEVERITY,
            status=CASE_STATUS,
            is_drill=BOOLEAN,
            sla=one_of("acknowledge", "first_statement", "resolve"),
            due_at=TIMESTAMP,
            detected_at=TIMESTAMP,
        ),
    ),
    EventType(
        "case.escalated",
        "A playbook escalation rule fired on a case (e.g. no statement after 30 minutes).",
        record(
            case_id=INTEGER,
            title=STRING,
            severity=SEVERITY,
            playbook=STRING,
            condition=STRING,
            after_minutes=INTEGER,
            notify_roles=array(CASE_ROLE),
            notify_people=array(STRING),
        ),
    ),
    EventType(
        "playbook.activated",
        "A playbook ran on a case: its tasks were created and its statement templates drafted.",
        case_step(playbook=record(id=INTEGER, name=STRING, version=INTEGER), task_ids=array(INTEGER)),
    ),
    EventType(
        "playbook.revised",
        "An admin applied a playbook revision proposed by a case's review: the playbook has a new version.",
        case_step(playbook=record(id=INTEGER, name=STRING, version=INTEGER), revision_id=INTEGER, base_version=INTEGER),
    ),
    EventType("task.created", "A task was created on a case (by hand or by a playbook).", task_step()),
    EventType(
        "task.assigned",
        "A task was given to a person or a case role (at creation or later).",
        task_step(),
    ),
    EventType(
        "task.updated",
        "A task's title, description, priority or due date changed, or it went back from in progress to open.",
        task_step(changed=array(STRING)),
    ),
    EventType("task.started", "Work on a task began (open → in progress).", task_step(from_status=TASK_STATUS)),
    EventType("task.completed", "A task was done.", task_step(from_status=TASK_STATUS)),
    EventType("task.cancelled", "A task was cancelled.", task_step(from_status=TASK_STATUS)),
    EventType("task.reopened", "A done or cancelled task is open again.", task_step(from_status=TASK_STATUS)),
    EventType("statement.drafted", "A statement was drafted on a case (by hand or from a playbook).", statement_step()),
    EventType(
        "statement.revised", "A statement got a new version; approvals of the old one stop counting.", statement_step()
    ),
    EventType(
        "statement.submitted",
        "A statement version was submitted for approval by its required case roles, in order.",
        statement_step(approvals_due=array(CASE_ROLE)),
    ),
    EventType(
        "approval.granted",
        "One required case role approved a statement version (one event per approval step).",
        statement_step(approval=record(role=CASE_ROLE, approver=STRING, comment=STRING), still_due=array(CASE_ROLE)),
    ),
    EventType(
        "statement.approved",
        "A statement version has every approval it needs (or needed none) and may be published.",
        statement_step(),
    ),
    EventType(
        "statement.rejected",
        "A required approver sent a statement back to draft, with a reason.",
        statement_step(role=CASE_ROLE, comment=STRING),
    ),
    EventType(
        "publication.recorded",
        "A statement version was recorded as out on one channel (one event per channel).",
        statement_step(publication=record(channel=PUBLICATION_CHANNEL, url=STRING, published_at=TIMESTAMP)),
    ),
    EventType(
        "statement.published",
        "A statement version went live: its first publication on any channel.",
        statement_step(publication=record(channel=PUBLICATION_CHANNEL, url=STRING, published_at=TIMESTAMP)),
    ),
    EventType(
        "statement.retracted",
        "A statement was taken down from every channel it was on.",
        statement_step(channels=array(PUBLICATION_CHANNEL), reason=STRING),
    ),
    EventType(
        "statement.superseded",
        "A statement was replaced: its replacement was published.",
        statement_step(superseded_by=INTEGER),
    ),
    EventType(
        "billing.status_changed",
        "The tenant's billing status changed (trial ended, payment failed or settled, suspended, resumed, canceled).",
        record(from_status=BILLING_STATUS, **BILLING_ACCOUNT),
    ),
    EventType("follow_up.opened", "A follow-up with an affected user was opened on a case.", follow_up_step()),
    EventType(
        "follow_up.updated",
        "A follow-up's owner, due time, compensation or satisfaction scores changed.",
        follow_up_step(changed=array(STRING)),
    ),
    EventType("follow_up.started", "Work on a follow-up began (open → in progress).", follow_up_step(**FOLLOW_UP_MOVE)),
    EventType("follow_up.resolved", "A follow-up was resolved.", follow_up_step(**FOLLOW_UP_MOVE)),
    EventType("follow_up.closed", "A follow-up was closed.", follow_up_step(**FOLLOW_UP_MOVE)),
    EventType(
        "follow_up.reopened", "A resolved or closed follow-up is in progress again.", follow_up_step(**FOLLOW_UP_MOVE)
    ),
    EventType(
        "follow_up.reply_sent",
        "A reply was sent to the affected user (its channel and reply script; the text stays in the tenant).",
        follow_up_step(channel=STRING, script_id=nullable(INTEGER)),
    ),
    EventType(
        "follow_up.overdue",
        "A follow-up went past its due time while open or in progress (once per due time; VIGIL_SLA_CHECK_SECONDS).",
        follow_up_step(),
    ),
    EventType(
        "follow_up.compensation_decided",
        "A compensation above the tenant's threshold was approved or rejected.",
        follow_up_step(),
    ),
    EventType(
        "commitment.created",
        "A statement's promise (a fix, a refund programme, an investigation…) was recorded, with a case task to "
        "track it.",
        commitment_step(),
    ),
    EventType(
        "commitment.updated",
        "An open commitment's description, due time or owner changed.",
        commitment_step(changed=array(STRING)),
    ),
    EventType(
        "commitment.kept",
        "A commitment was kept: a published follow-up statement of the case reports it (kept_at after due_at: late).",
        commitment_step(),
    ),
    EventType(
        "commitment.missed",
        "An open commitment went past its due time (once; VIGIL_COMMITMENT_CHECK_SECONDS).",
        commitment_step(),
    ),
    EventType("commitment.withdrawn", "A commitment was withdrawn, with a reason.", commitment_step()),
    EventType(
        "billing.plan_changed",
        "The tenant moved to another plan; its limits and features apply at once.",
        record(from_plan=PLAN, limits={"type": "object"}, features={"type": "object"}, **BILLING_ACCOUNT),
    ),
    EventType(
        "billing.quota_warning",
        "The tenant used 80% of a monthly quota of its plan (once a month).",
        QUOTA,
    ),
    EventType(
        "billing.quota_reached",
        "The tenant reached a monthly quota of its plan: further mentions are rejected (quota_exceeded) until it "
        "resets (once a month).",
        QUOTA,
    ),
    EventType(
        "topic.emerging",
        "A hot topic's burst score (its mentions this hour against its own history) crossed the tenant's threshold "
        "(once, until it cools below half of it).",
        record(
            topic_id=INTEGER,
            label_terms=array(STRING),
            size=INTEGER,
            authors=INTEGER,
            burst=NUMBER,
            growth=NUMBER,
            threshold=NUMBER,
            first_seen=TIMESTAMP,
            last_seen=TIMESTAMP,
        ),
    ),
    EventType(
        "test.ping",
        "A test event sent on request from the API.",
        record(channel=record(id=INTEGER, name=STRING), requested_by=STRING),
    ),
]

CATALOGUE: dict[str, EventType] = {event_type.name: event_type for event_type in _TYPES}


def event_type_get(name: str) -> EventType:
    """The declared event type; an undeclared name is a programming error, not a caller's."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ValueError(f"unknown event type {name!r}; declare it in api/webhooks/catalogue.py") from None
