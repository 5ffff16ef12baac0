"""One permission authority: every operation, through REST and through GraphQL, for every tenant role and for case
roles, is allowed or denied alike, and as README's "Who may do what" says.

The callers are one person per tenant role, plus viewers (the lowest tenant role) holding one case role each on the
cases below, so what a case role adds is seen on its own. Every call runs in a savepoint that is rolled back, so
each caller meets the same objects; they are made once per module.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from graphql import OperationDefinitionNode, build_schema, parse

from api.graphql.schema import schema
from monitoring.deadletters.services import dead_letter_record
from monitoring.ingest.payload import from_object
from monitoring.ingest.service import mentions_ingest
from monitoring.models import Alert, Mention
from monitoring.services import brand_archive, brand_create, rule_archive, rule_create
from monitoring.topics.services import topics_refresh
from monitoring.warning.services import policy_archive, policy_create, scope_silence
from responses.aftercare.follow_up_services import follow_up_create
from responses.aftercare.services import affected_user_create
from responses.cases.services import case_create, case_transition
from responses.cases.task_services import task_create
from responses.commitments.services import commitment_create
from responses.models import CaseRole
from responses.playbooks.revision_services import playbook_revision_propose
from responses.playbooks.services import playbook_activate, playbook_archive, playbook_create, playbook_update
from responses.scripts.services import script_approve, script_create
from responses.statements.services import statement_approve, statement_create, statement_publish, statement_submit
from responses.team.services import case_member_add
from tenants.audit.models import AuditEntry
from tenants.billing.models import Plan
from tenants.context import use_public_schema
from tenants.identity.invitations import invitation_create
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM
from tenants.identity.roles import TENANT_ROLES, Role, role_has_permission
from tenants.identity.services import api_key_create
from tenants.models import Tenant
from tenants.notifications.models import DeliveryStatus
from tenants.notifications.services import channel_archive, channel_create, notify
from tests.conftest import PASSWORD, Api

TENANT_CALLERS = [role.value for role in Role if role in TENANT_ROLES]
# Each a viewer holding this one role on the cases.
CASE_CALLERS = ["commander", "communications", "legal", "monitoring"]
CALLERS = TENANT_CALLERS + CASE_CALLERS
ALLOWED, DENIED = "allowed", "denied"


@dataclass(frozen=True)
class Ref:
    """An object of the world below, filled in when the operation runs."""

    name: str


class _Refs:
    def __getattr__(self, name: str) -> Ref:
        return Ref(name)


R = _Refs()


def may(permission: str, *case_roles: str) -> frozenset[str]:
    """The callers a tenant permission lets through, and the case roles that stand in for it on their case."""
    tenant = {role for role in TENANT_CALLERS if role_has_permission(role, permission)}
    # The case callers are viewers: whatever a viewer may do, they may too.
    inherited = set(CASE_CALLERS) if Role.VIEWER in tenant else set()
    return frozenset(tenant | inherited | set(case_roles))


ANY_MEMBER = tuple(CASE_CALLERS)
EVERYONE = frozenset(CALLERS)


@dataclass(frozen=True)
class Op:
    """One operation: its REST method and OpenAPI path (with the ids to fill in and a body), its GraphQL document
    (with variables), and who may do it."""

    method: str | None
    path: str | None
    gql: str
    allowed: frozenset[str]
    path_ids: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    variables: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def callers(self) -> list[str]:
        """Everyone on operations on a case; elsewhere the case callers are only viewers, so the tenant roles."""
        on_case = self.path is not None and self.path.startswith(CASE_PATHS)
        return CALLERS if on_case else TENANT_CALLERS

    @property
    def name(self) -> str:
        rest = f"{self.method} {self.path}" if self.method else "GraphQL only"
        return f"{rest} | {root_fields(self.gql)[0]}" + (f" ({self.note})" if self.note else "")


def root_fields(document: str) -> list[str]:
    (operation,) = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    return [selection.name.value for selection in operation.selection_set.selections]  # type: ignore[attr-defined]


V1 = "/api/v1"
# Taken without credentials (the mailed token is the proof), so no role is asked for: tests/api/test_invitations.py.
PUBLIC_INVITATION_PATH = f"{V1}/invitations/accept"
PUBLIC_FIELDS = {"acceptInvitation", "requestPasswordReset", "confirmPasswordReset"}
CASE_PATHS = (
    f"{V1}/cases/{{id}}",
    f"{V1}/follow-ups",
    f"{V1}/commitments",
    f"{V1}/tasks",
    f"{V1}/statements",
    f"{V1}/playbooks/{{id}}/activate",
)
POLICY = {
    "name": "Parity watch",
    "indicators": [{"key": "volume", "type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
    "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
    "resolve_below": 10,
}
PLAYBOOK_CONTENT = {"tasks": [{"title": "Holding line", "role": "communications", "due_minutes": 30}]}
# The parity playbook's v2 with one more task: what a review of the resolved case proposes.
REVISED_CONTENT = {
    "tasks": [
        *PLAYBOOK_CONTENT["tasks"],
        {"title": "Brief legal", "role": "legal", "due_minutes": 30},
        {"title": "Tell the regulator", "role": "legal", "due_minutes": 60},
    ]
}
EMAIL_CHANNEL: dict[str, Any] = {"name": "parity mail", "kind": "email", "emails": ["ops@parity.example"]}
SINCE = "2026-01-01T00:00:00Z"
FAR = "2099-01-01T00:00:00Z"
UNTIL = "2026-01-01T01:00:00Z"

OPS: list[Op] = [
    # The caller, people and keys.
    Op("GET", f"{V1}/me", "{ me { role } }", EVERYONE),
    Op("GET", f"{V1}/users", "{ users { edges { node { id } } } }", may("users.read")),
    Op("GET", f"{V1}/users/{{id}}", "{ users { edges { node { id } } } }", may("users.read"), {"id": R.spare_user}),
    # People join by invitation (users are never created with an admin-chosen password).
    Op("GET", f"{V1}/invitations", "{ invitations { edges { node { id } } } }", may("users.read")),
    Op(
        "GET",
        f"{V1}/invitations/{{id}}",
        "{ invitations { edges { node { id } } } }",
        may("users.read"),
        {"id": R.invitation},
    ),
    Op(
        "POST",
        f"{V1}/invitations",
        'mutation { inviteUser(input: {email: "new@parity.example", role: VIEWER}) { id } }',
        may("users.manage"),
        body={"email": "new@parity.example", "role": "viewer"},
    ),
    Op(
        "POST",
        f"{V1}/invitations/{{id}}/revoke",
        "mutation($id: Int!) { revokeInvitation(id: $id) { id } }",
        may("users.manage"),
        {"id": R.invitation},
        variables={"id": R.invitation},
    ),
    Op(
        "PATCH",
        f"{V1}/users/{{id}}",
        'mutation($id: Int!) { updateUser(id: $id, input: {name: "Renamed"}) { id } }',
        may("users.manage"),
        {"id": R.spare_user},
        {"name": "Renamed"},
        {"id": R.spare_user},
    ),
    Op("GET", f"{V1}/api-keys", "{ apiKeys { edges { node { id } } } }", may("api_keys.read")),
    Op(
        "GET",
        f"{V1}/api-keys/{{id}}",
        "{ apiKeys { edges { node { id } } } }",
        may("api_keys.read"),
        {"id": R.spare_key},
    ),
    Op(
        "POST",
        f"{V1}/api-keys",
        'mutation { createApiKey(name: "new key", role: VIEWER) { key } }',
        may("api_keys.manage"),
        body={"name": "new key", "role": "viewer"},
    ),
    Op(
        "POST",
        f"{V1}/api-keys/{{id}}/revoke",
        "mutation($id: Int!) { revokeApiKey(id: $id) { id } }",
        may("api_keys.manage"),
        {"id": R.spare_key},
        variables={"id": R.spare_key},
    ),
    Op("GET", f"{V1}/audit-log", "{ auditLog { edges { node { id } } } }", may("audit.read")),
    Op(
        "GET",
        f"{V1}/audit-log/{{id}}",
        "{ auditLog { edges { node { id } } } }",
        may("audit.read"),
        {"id": R.audit_entry},
    ),
    # Mentions, rules and brands.
    Op("GET", f"{V1}/mentions", "{ mentions { pageInfo { hasNextPage } } }", may("mentions.read")),
    Op(
        "GET",
        f"{V1}/mentions/{{id}}",
        "query($id: Int!) { mention(id: $id) { id } }",
        may("mentions.read"),
        {"id": R.mention},
        variables={"id": R.mention},
    ),
    Op(
        "GET",
        f"{V1}/mentions/{{id}}/cascade",
        "query($id: Int!) { mentionCascade(id: $id) { size } }",
        may("mentions.read"),
        {"id": R.mention},
        variables={"id": R.mention},
    ),
    Op(
        "GET",
        f"{V1}/mentions/{{id}}/cascade/nodes",
        "query($id: Int!) { mentionCascadeNodes(id: $id) { hasNextPage } }",
        may("mentions.read"),
        {"id": R.mention},
        variables={"id": R.mention},
    ),
    Op(
        "GET",
        f"{V1}/mentions/{{id}}/cascade/forecast",
        "query($id: Int!) { mentionCascadeForecast(id: $id) { method } }",
        may("mentions.read"),
        {"id": R.mention},
        variables={"id": R.mention},
    ),
    Op(
        None,
        None,
        "query($id: Int!) { mentionCascadeExport(id: $id, format: JSON) { filename } }",
        may("mentions.read"),
        variables={"id": R.mention},
        note="REST: GET /mentions/{id}/cascade?export=",
    ),
    Op(
        "GET",
        f"{V1}/analytics/key-nodes",
        '{ analyticsKeyNodes(scope: "tenant") { nodes } }',
        may("mentions.read"),
    ),
    Op(
        "GET",
        f"{V1}/analytics/forecast",
        '{ analyticsForecast(scope: "tenant") { trend } }',
        may("mentions.read"),
    ),
    Op(
        "GET",
        f"{V1}/analytics/trends",
        '{ analyticsTrends(scope: "tenant") { trend } }',
        may("mentions.read"),
    ),
    Op(
        "GET",
        f"{V1}/analytics/share-of-voice",
        "{ analyticsShareOfVoice { totalMentions } }",
        may("mentions.read"),
    ),
    Op("GET", f"{V1}/mentions/search", "{ searchMentions { totalCount } }", may("mentions.read")),
    # Hot topics.
    Op("GET", f"{V1}/topics", "{ topics { edges { node { id } } } }", may("mentions.read")),
    Op(
        "GET",
        f"{V1}/topics/{{id}}",
        "query($id: Int!) { topic(id: $id) { id cases { case } } }",
        may("mentions.read"),
        {"id": R.topic},
        variables={"id": R.topic},
    ),
    Op(
        "GET",
        f"{V1}/topics/{{id}}/mentions",
        "query($id: Int!) { topicMentions(topicId: $id) { edges { node { id } } } }",
        may("mentions.read"),
        {"id": R.topic},
        variables={"id": R.topic},
    ),
    Op("GET", f"{V1}/topic-settings", "{ topicSettings { emergingBurst } }", may("warning.read")),
    Op(
        "PATCH",
        f"{V1}/topic-settings",
        "mutation { updateTopicSettings(emergingBurst: 5) { emergingBurst } }",
        may("warning.manage"),
        body={"emerging_burst": 5},
    ),
    Op(
        "POST",
        f"{V1}/mentions/batch",
        "mutation($m: [JSON!]!) { ingestMentions(mentions: $m) { accepted } }",
        may("mentions.write"),
        body={"mentions": [R.new_item]},
        variables={"m": [R.new_item]},
    ),
    Op("GET", f"{V1}/rules", "{ rules { edges { node { id } } } }", may("rules.read")),
    Op("GET", f"{V1}/rules/{{id}}", "{ rules { edges { node { id } } } }", may("rules.read"), {"id": R.rule}),
    Op(
        "POST",
        f"{V1}/rules",
        'mutation { createRule(input: {name: "new rule", expression: "召回"}) { id } }',
        may("rules.manage"),
        body={"name": "new rule", "expression": "召回"},
    ),
    Op(
        "PATCH",
        f"{V1}/rules/{{id}}",
        'mutation($id: Int!) { updateRule(id: $id, input: {description: "edited"}) { id } }',
        may("rules.manage"),
        {"id": R.rule},
        {"description": "edited"},
        {"id": R.rule},
    ),
    Op(
        "DELETE",
        f"{V1}/rules/{{id}}",
        "mutation($id: Int!) { deleteRule(id: $id) }",
        may("rules.manage"),
        {"id": R.rule},
        variables={"id": R.rule},
    ),
    Op(
        "POST",
        f"{V1}/rules/{{id}}/restore",
        "mutation($id: Int!) { restoreRule(id: $id) { id } }",
        may("rules.manage"),
        {"id": R.archived_rule},
        variables={"id": R.archived_rule},
    ),
    Op("GET", f"{V1}/brands", "{ brands { edges { node { id } } } }", may("rules.read")),
    Op("GET", f"{V1}/brands/{{id}}", "{ brands { edges { node { id } } } }", may("rules.read"), {"id": R.brand}),
    Op(
        "POST",
        f"{V1}/brands",
        'mutation { createBrand(input: {name: "new brand", expression: "奶茶"}) { id } }',
        may("rules.manage"),
        body={"name": "new brand", "expression": "奶茶"},
    ),
    Op(
        "PATCH",
        f"{V1}/brands/{{id}}",
        "mutation($id: Int!) { updateBrand(id: $id, input: {isActive: false}) { id } }",
        may("rules.manage"),
        {"id": R.brand},
        {"is_active": False},
        {"id": R.brand},
    ),
    Op(
        "DELETE",
        f"{V1}/brands/{{id}}",
        "mutation($id: Int!) { deleteBrand(id: $id) }",
        may("rules.manage"),
        {"id": R.brand},
        variables={"id": R.brand},
    ),
    Op(
        "POST",
        f"{V1}/brands/{{id}}/restore",
        "mutation($id: Int!) { restoreBrand(id: $id) { id } }",
        may("rules.manage"),
        {"id": R.archived_brand},
        variables={"id": R.archived_brand},
    ),
    # Early warning.
    Op("GET", f"{V1}/warning-policies", "{ warningPolicies { edges { node { id } } } }", may("warning.read")),
    Op(
        "GET",
        f"{V1}/warning-policies/{{id}}",
        "{ warningPolicies { edges { node { id } } } }",
        may("warning.read"),
        {"id": R.policy},
    ),
    Op(None, None, "{ indicatorTypes { name } }", may("warning.read")),
    Op(
        "POST",
        f"{V1}/warning-policies",
        "mutation($p: WarningPolicyInput!) { createWarningPolicy(input: $p) { id } }",
        may("warning.manage"),
        body=POLICY | {"name": "new policy"},
        variables={
            "p": {
                "name": "new policy",
                "indicators": POLICY["indicators"],
                "thresholds": POLICY["thresholds"],
                "resolveBelow": POLICY["resolve_below"],
            }
        },
    ),
    Op(
        "PATCH",
        f"{V1}/warning-policies/{{id}}",
        'mutation($id: Int!) { updateWarningPolicy(id: $id, input: {description: "edited"}) { id } }',
        may("warning.manage"),
        {"id": R.policy},
        {"description": "edited"},
        {"id": R.policy},
    ),
    Op(
        "DELETE",
        f"{V1}/warning-policies/{{id}}",
        "mutation($id: Int!) { deleteWarningPolicy(id: $id) }",
        may("warning.manage"),
        {"id": R.policy},
        variables={"id": R.policy},
    ),
    Op(
        "POST",
        f"{V1}/warning-policies/{{id}}/restore",
        "mutation($id: Int!) { restoreWarningPolicy(id: $id) { id } }",
        may("warning.manage"),
        {"id": R.archived_policy},
        variables={"id": R.archived_policy},
    ),
    Op(
        "POST",
        f"{V1}/warning-policies/{{id}}/backtest",
        "query($id: Int!, $s: DateTime!, $u: DateTime!)"
        " { backtestPolicy(id: $id, start: $s, end: $u, stepMinutes: 10) }",
        may("warning.read"),
        {"id": R.policy},
        {"start": SINCE, "end": UNTIL, "step_minutes": 10},
        {"id": R.policy, "s": SINCE, "u": UNTIL},
    ),
    Op("GET", f"{V1}/alerts", "{ alerts { edges { node { id } } } }", may("warning.read")),
    Op(
        "GET",
        f"{V1}/alerts/{{id}}",
        "query($id: Int!) { alert(id: $id) { id } }",
        may("warning.read"),
        {"id": R.alert},
        variables={"id": R.alert},
    ),
    Op(
        "POST",
        f"{V1}/alerts/{{id}}/acknowledge",
        "mutation($id: Int!) { acknowledgeAlert(id: $id) { id } }",
        may("alerts.act"),
        {"id": R.alert},
        {},
        {"id": R.alert},
    ),
    Op(
        "POST",
        f"{V1}/alerts/{{id}}/resolve",
        "mutation($id: Int!) { resolveAlert(id: $id) { id } }",
        may("alerts.act"),
        {"id": R.alert},
        {},
        {"id": R.alert},
    ),
    Op(
        "POST",
        f"{V1}/alerts/{{id}}/silence",
        "mutation($id: Int!) { silenceAlert(id: $id, minutes: 30) { id } }",
        may("alerts.act"),
        {"id": R.alert},
        {"minutes": 30},
        {"id": R.alert},
    ),
    Op(
        "POST",
        f"{V1}/alerts/{{id}}/promote",
        "mutation($id: Int!) { promoteAlert(alertId: $id) { id } }",
        may("cases.work"),
        {"id": R.alert},
        {},
        {"id": R.alert},
    ),
    Op("GET", f"{V1}/silences", "{ silences { edges { node { id } } } }", may("warning.read")),
    Op(
        "POST",
        f"{V1}/silences",
        'mutation { silenceScope(scope: "tenant", minutes: 30) { id } }',
        may("alerts.act"),
        body={"scope": "tenant", "minutes": 30},
    ),
    Op(
        "POST",
        f"{V1}/silences/{{id}}/end",
        "mutation($id: Int!) { endSilence(id: $id) { id } }",
        may("alerts.act"),
        {"id": R.silence},
        {},
        {"id": R.silence},
    ),
    # Notifications and dead letters.
    Op(
        "GET",
        f"{V1}/notification-channels",
        "{ notificationChannels { edges { node { id } } } }",
        may("notifications.read"),
    ),
    Op(
        "GET",
        f"{V1}/notification-channels/{{id}}",
        "{ notificationChannels { edges { node { id } } } }",
        may("notifications.read"),
        {"id": R.channel},
    ),
    Op(
        "GET",
        f"{V1}/notification-channels/{{id}}/deliveries",
        "query($id: Int!) { deliveries(channelId: $id) { edges { node { id } } } }",
        may("notifications.read"),
        {"id": R.channel},
        variables={"id": R.channel},
    ),
    Op(
        "POST",
        f"{V1}/notification-channels",
        'mutation { createNotificationChannel(input: {name: "new mail", kind: EMAIL, emails: ["a@parity.example"]})'
        " { secret } }",
        may("notifications.manage"),
        body={"name": "new mail", "kind": "email", "emails": ["a@parity.example"]},
    ),
    Op(
        "PATCH",
        f"{V1}/notification-channels/{{id}}",
        'mutation($id: Int!) { updateNotificationChannel(id: $id, input: {name: "renamed"}) { id } }',
        may("notifications.manage"),
        {"id": R.channel},
        {"name": "renamed"},
        {"id": R.channel},
    ),
    Op(
        "DELETE",
        f"{V1}/notification-channels/{{id}}",
        "mutation($id: Int!) { deleteNotificationChannel(id: $id) }",
        may("notifications.manage"),
        {"id": R.channel},
        variables={"id": R.channel},
    ),
    Op(
        "POST",
        f"{V1}/notification-channels/{{id}}/restore",
        "mutation($id: Int!) { restoreNotificationChannel(id: $id) { id } }",
        may("notifications.manage"),
        {"id": R.archived_channel},
        variables={"id": R.archived_channel},
    ),
    Op(
        "POST",
        f"{V1}/notification-channels/{{id}}/test",
        "mutation($id: Int!) { testNotificationChannel(id: $id) { id } }",
        may("notifications.manage"),
        {"id": R.channel},
        variables={"id": R.channel},
    ),
    Op(
        "POST",
        f"{V1}/notification-channels/{{id}}/rotate-secret",
        "mutation($id: Int!) { rotateNotificationChannelSecret(id: $id) { secret } }",
        may("notifications.manage"),
        {"id": R.webhook_channel},
        variables={"id": R.webhook_channel},
    ),
    Op("GET", f"{V1}/webhook-event-types", "{ webhookEventTypes { name } }", may("tenant.read")),
    Op("GET", f"{V1}/deliveries", "{ deliveries { edges { node { id } } } }", may("notifications.read")),
    Op(
        "GET",
        f"{V1}/deliveries/{{id}}",
        "{ deliveries { edges { node { id } } } }",
        may("notifications.read"),
        {"id": R.delivery},
    ),
    Op(
        "POST",
        f"{V1}/deliveries/{{id}}/redeliver",
        "mutation($id: Int!) { redeliverDelivery(id: $id) { id } }",
        may("notifications.manage"),
        {"id": R.delivery},
        variables={"id": R.delivery},
    ),
    Op("GET", f"{V1}/dead-letters", "{ deadLetters { edges { node { id } } } }", may("dead_letters.read")),
    Op(
        "GET",
        f"{V1}/dead-letters/{{id}}",
        "{ deadLetters { edges { node { id } } } }",
        may("dead_letters.read"),
        {"id": R.dead_letter},
    ),
    Op("GET", f"{V1}/dead-letters/counts", "{ deadLetterCounts { open } }", may("dead_letters.read")),
    Op(
        "POST",
        f"{V1}/dead-letters/{{id}}/retry",
        "mutation($id: Int!) { retryDeadLetter(id: $id) { id } }",
        may("dead_letters.manage"),
        {"id": R.dead_letter},
        variables={"id": R.dead_letter},
    ),
    # Cases.
    Op("GET", f"{V1}/cases", "{ cases { edges { node { id } } } }", may("cases.read")),
    Op(
        "GET",
        f"{V1}/cases/{{id}}",
        "query($id: Int!) { case(id: $id) { id sla { state } playbooks { edges { node { name } } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases",
        'mutation { createCase(input: {title: "New case", activatePlaybook: false}) { id } }',
        may("cases.work"),
        body={"title": "New case", "activate_playbook": False},
    ),
    Op(
        "PATCH",
        f"{V1}/cases/{{id}}",
        "mutation($id: Int!) { updateCase(id: $id, severity: II) { id } }",
        may("cases.work", "commander"),
        {"id": R.case},
        {"severity": "II"},
        {"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/links",
        "mutation($id: Int!, $b: [Int!]) { linkToCase(id: $id, brandIds: $b) { id } }",
        may("cases.work", *ANY_MEMBER),
        {"id": R.case},
        {"brand_ids": [R.brand]},
        {"id": R.case, "b": [R.brand]},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/transition",
        "mutation($id: Int!) { transitionCase(id: $id, transition: ASSESS) { id } }",
        may("cases.work", *ANY_MEMBER),
        {"id": R.case},
        {"transition": "assess"},
        {"id": R.case},
        note="assess",
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/transition",
        "mutation($id: Int!) { transitionCase(id: $id, transition: RESPOND) { id } }",
        may("cases.command", "commander"),
        {"id": R.assessing_case},
        {"transition": "respond"},
        {"id": R.assessing_case},
        note="respond",
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/notes",
        'mutation($id: Int!) { addCaseNote(id: $id, text: "Called the supplier") { id } }',
        may("cases.work", *ANY_MEMBER),
        {"id": R.case},
        {"text": "Called the supplier"},
        {"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/timeline",
        "query($id: Int!) { case(id: $id) { timeline { edges { node { id } } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/members",
        "query($id: Int!) { caseMembers(caseId: $id) { edges { node { id } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/members",
        "mutation($id: Int!, $u: Int!) { addCaseMember(caseId: $id, userId: $u, role: RESOURCES) { id } }",
        may("cases.command", "commander"),
        {"id": R.case},
        {"user_id": R.spare_user, "role": "resources"},
        {"id": R.case, "u": R.spare_user},
    ),
    Op(
        "DELETE",
        f"{V1}/cases/{{id}}/members/{{member_id}}",
        "mutation($id: Int!, $m: Int!) { removeCaseMember(caseId: $id, memberId: $m) }",
        may("cases.command", "commander"),
        {"id": R.case, "member_id": R.spare_member},
        variables={"id": R.case, "m": R.spare_member},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/tasks",
        "query($id: Int!) { case(id: $id) { tasks { edges { node { id } } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/tasks",
        'mutation($id: Int!) { createTask(caseId: $id, title: "Call the press") { id } }',
        may("cases.work", "commander"),
        {"id": R.case},
        {"title": "Call the press"},
        {"id": R.case},
    ),
    # Commitments: everyone reads; who may add and work case tasks makes and works them.
    Op(
        "GET",
        f"{V1}/cases/{{id}}/commitments",
        "query($id: Int!) { caseCommitments(caseId: $id) { edges { node { id } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/commitments",
        "mutation($id: Int!, $s: Int!) { createCommitment(caseId: $id, statementId: $s, kind: FIX, "
        'description: "Replace the batteries", dueAt: "2099-01-01T00:00:00Z") { id } }',
        may("cases.work", "commander"),
        {"id": R.case},
        {"statement": R.draft_statement, "kind": "fix", "description": "Replace the batteries", "due_at": FAR},
        {"id": R.case, "s": R.draft_statement},
    ),
    Op(
        "GET",
        f"{V1}/commitments/{{id}}",
        "query($id: Int!) { commitment(id: $id) { id } }",
        may("cases.read"),
        {"id": R.commitment},
        variables={"id": R.commitment},
    ),
    Op(
        "PATCH",
        f"{V1}/commitments/{{id}}",
        'mutation($id: Int!) { updateCommitment(id: $id, description: "Replace and refund") { id } }',
        may("cases.work", "commander"),
        {"id": R.commitment},
        {"description": "Replace and refund"},
        {"id": R.commitment},
    ),
    Op(
        "POST",
        f"{V1}/commitments/{{id}}/keep",
        "mutation($id: Int!, $s: Int!) { keepCommitment(id: $id, followUpStatementId: $s) { id } }",
        may("cases.work", "commander"),
        {"id": R.commitment},
        {"follow_up_statement": R.published_statement},
        {"id": R.commitment, "s": R.published_statement},
    ),
    Op(
        "POST",
        f"{V1}/commitments/{{id}}/withdraw",
        'mutation($id: Int!) { withdrawCommitment(id: $id, reason: "Superseded") { id } }',
        may("cases.work", "commander"),
        {"id": R.commitment},
        {"reason": "Superseded"},
        {"id": R.commitment},
    ),
    # Affected users: everyone reads the list (contacts only for some, which is not a denial); customer care and
    # the commander work them; contacts are exported by who may read them, erased by admins, legal or commander.
    Op(
        "GET",
        f"{V1}/cases/{{id}}/affected-users",
        "query($id: Int!) { affectedUsers(caseId: $id) { edges { node { id contacts { phone } } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/affected-users",
        'mutation($id: Int!) { createAffectedUser(caseId: $id, platform: WEIBO, authorId: "new-fan") { created } }',
        may("cases.work", "commander"),
        {"id": R.case},
        {"platform": "weibo", "author_id": "new-fan"},
        {"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/affected-users/from-search",
        "mutation($id: Int!, $b: [Int!]) { affectedUsersFromSearch(caseId: $id, brandIds: $b) { added } }",
        may("cases.work", "commander"),
        {"id": R.case},
        {"brand_ids": [R.brand]},
        {"id": R.case, "b": [R.brand]},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/affected-users/{{affected_user_id}}",
        "query($id: Int!, $p: Int!) { affectedUser(caseId: $id, id: $p) { id contactsHeld } }",
        may("cases.read"),
        {"id": R.case, "affected_user_id": R.affected_user},
        variables={"id": R.case, "p": R.affected_user},
    ),
    Op(
        "PATCH",
        f"{V1}/cases/{{id}}/affected-users/{{affected_user_id}}",
        'mutation($id: Int!, $p: Int!) { updateAffectedUser(caseId: $id, affectedUserId: $p, phone: "95588") { id } }',
        may("cases.work", "commander"),
        {"id": R.case, "affected_user_id": R.affected_user},
        {"phone": "95588"},
        {"id": R.case, "p": R.affected_user},
    ),
    Op(
        "DELETE",
        f"{V1}/cases/{{id}}/affected-users/{{affected_user_id}}",
        "mutation($id: Int!, $p: Int!) { archiveAffectedUser(caseId: $id, affectedUserId: $p) { id } }",
        may("cases.work", "commander"),
        {"id": R.case, "affected_user_id": R.affected_user},
        variables={"id": R.case, "p": R.affected_user},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/affected-users/{{affected_user_id}}/export",
        "query($id: Int!, $p: Int!) { affectedUserExport(caseId: $id, affectedUserId: $p) }",
        may("contacts.read", "commander", "legal"),
        {"id": R.case, "affected_user_id": R.affected_user},
        variables={"id": R.case, "p": R.affected_user},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/affected-users/{{affected_user_id}}/erase",
        "mutation($id: Int!, $p: Int!) { eraseAffectedUser(caseId: $id, affectedUserId: $p) { id } }",
        may("contacts.erase", "commander", "legal"),
        {"id": R.case, "affected_user_id": R.affected_user},
        {"reason": "asked"},
        {"id": R.case, "p": R.affected_user},
    ),
    # Follow-ups: everyone reads; customer care and the commander work them; approvers, admins and the commander
    # decide a compensation above the threshold; admins set the SLAs.
    Op("GET", f"{V1}/follow-ups", "{ followUps { edges { node { id } } } }", may("cases.read")),
    Op(
        "POST",
        f"{V1}/follow-ups",
        "mutation($c: Int!, $p: Int!) { createFollowUp(caseId: $c, affectedUserId: $p, type: INQUIRY) { id } }",
        may("cases.work", "commander"),
        body={"case_id": R.case, "affected_user_id": R.affected_user, "type": "inquiry"},
        variables={"c": R.case, "p": R.affected_user},
    ),
    Op(
        "GET",
        f"{V1}/follow-ups/{{id}}",
        "query($id: Int!) { followUp(id: $id) { id replies { edges { node { text } } } } }",
        may("cases.read"),
        {"id": R.follow_up},
        variables={"id": R.follow_up},
    ),
    Op(
        "PATCH",
        f"{V1}/follow-ups/{{id}}",
        "mutation($id: Int!) { updateFollowUp(id: $id, csat: 4) { id } }",
        may("cases.work", "commander"),
        {"id": R.follow_up},
        {"csat": 4},
        {"id": R.follow_up},
    ),
    Op(
        "POST",
        f"{V1}/follow-ups/{{id}}/transition",
        "mutation($id: Int!) { transitionFollowUp(id: $id, transition: START) { id } }",
        may("cases.work", "commander"),
        {"id": R.follow_up},
        {"transition": "start"},
        {"id": R.follow_up},
    ),
    Op(
        "POST",
        f"{V1}/follow-ups/{{id}}/notes",
        'mutation($id: Int!) { addFollowUpNote(id: $id, text: "Called back") { id } }',
        may("cases.work", "commander"),
        {"id": R.follow_up},
        {"text": "Called back"},
        {"id": R.follow_up},
    ),
    Op(
        "POST",
        f"{V1}/follow-ups/{{id}}/replies",
        'mutation($id: Int!) { sendFollowUpReply(id: $id, channel: PHONE, text: "Called") { id } }',
        may("cases.work", "commander"),
        {"id": R.follow_up},
        {"channel": "phone", "text": "Called"},
        {"id": R.follow_up},
    ),
    Op(
        "POST",
        f"{V1}/follow-ups/{{id}}/compensation",
        "mutation($id: Int!) { decideCompensation(id: $id, decision: APPROVE) { id } }",
        may("compensation.approve", "commander"),
        {"id": R.pending_compensation},
        {"decision": "approve"},
        {"id": R.pending_compensation},
    ),
    Op(
        "POST",
        f"{V1}/follow-ups/bulk",
        "mutation($ids: [Int!]!, $o: Int!) { bulkFollowUps(ids: $ids, action: ASSIGN, ownerId: $o) { id } }",
        may("cases.work", "commander"),
        body={"ids": [R.follow_up], "action": "assign", "owner_id": R.spare_user},
        variables={"ids": [R.follow_up], "o": R.spare_user},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/follow-up-board",
        "query($id: Int!) { followUpBoard(caseId: $id) }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op("GET", f"{V1}/follow-up-settings", "{ followUpSettings { slaMinutes } }", may("cases.read")),
    Op(
        "PATCH",
        f"{V1}/follow-up-settings",
        "mutation($s: JSON) { updateFollowUpSettings(slaMinutes: $s) { slaMinutes } }",
        may("sla.manage"),
        body={"sla_minutes": {"callback": 60}},
        variables={"s": {"callback": 60}},
    ),
    Op("GET", f"{V1}/evaluation-settings", "{ evaluationSettings { weighting } }", may("cases.read")),
    Op(
        "PATCH",
        f"{V1}/evaluation-settings",
        'mutation { updateEvaluationSettings(weighting: "default") { isDefault } }',
        may("sla.manage"),
        body={"weighting": "default"},
    ),
    Op("GET", f"{V1}/watch-settings", "{ watchSettings { watchDays } }", may("cases.read")),
    Op(
        "PATCH",
        f"{V1}/watch-settings",
        "mutation { updateWatchSettings(watchDays: 7) { watchDays } }",
        may("sla.manage"),
        body={"watch_days": 7},
    ),
    Op("GET", f"{V1}/tasks", "{ myTasks { edges { node { id } } } }", may("cases.read")),
    Op(
        "PATCH",
        f"{V1}/tasks/{{id}}",
        "mutation($id: Int!) { updateTask(id: $id, status: IN_PROGRESS) { id } }",
        may("cases.work", "commander"),
        {"id": R.unassigned_task},
        {"status": "in_progress"},
        {"id": R.unassigned_task},
        note="unassigned task",
    ),
    Op(
        "PATCH",
        f"{V1}/tasks/{{id}}",
        "mutation($id: Int!) { updateTask(id: $id, status: IN_PROGRESS) { id } }",
        may("cases.work", "commander", "monitoring"),
        {"id": R.monitoring_task},
        {"status": "in_progress"},
        {"id": R.monitoring_task},
        note="task for the monitoring role",
    ),
    Op(
        "PATCH",
        f"{V1}/tasks/{{id}}",
        "mutation($id: Int!) { updateTask(id: $id, status: IN_PROGRESS) { id } }",
        may("cases.work", "commander", "legal"),
        {"id": R.legal_person_task},
        {"status": "in_progress"},
        {"id": R.legal_person_task},
        note="task assigned to the legal member by name",
    ),
    Op("GET", f"{V1}/sla-policies", "{ slaPolicies { severity } }", may("cases.read")),
    Op("GET", f"{V1}/sla-policies/{{severity}}", "{ slaPolicies { severity } }", may("cases.read"), {"severity": "I"}),
    Op(
        "PATCH",
        f"{V1}/sla-policies/{{severity}}",
        "mutation { updateSlaPolicy(severity: I, acknowledgeMinutes: 20) { severity } }",
        may("sla.manage"),
        {"severity": "I"},
        {"acknowledge_minutes": 20},
    ),
    # Statements.
    Op(
        "GET",
        f"{V1}/cases/{{id}}/statements",
        "query($id: Int!) { statements(caseId: $id) { edges { node { id } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/statements",
        'mutation($id: Int!) { createStatement(caseId: $id, title: "Holding", body: "We are looking into it.")'
        " { id } }",
        may("cases.work", "communications", "commander"),
        {"id": R.case},
        {"title": "Holding", "body": "We are looking into it."},
        {"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/response-effects",
        "query($id: Int!) { caseResponseEffects(caseId: $id) { caseId } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/evaluation",
        "query($id: Int!) { caseEvaluation(caseId: $id) { caseId } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/report",
        "query($id: Int!) { caseReport(caseId: $id) { version } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/report",
        "mutation($id: Int!) { generateCaseReport(caseId: $id) { version } }",
        may("cases.command", "commander"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/report/versions",
        "query($id: Int!) { caseReportVersions(caseId: $id) { edges { node { version } } } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/recovery",
        "query($id: Int!) { caseRecovery(caseId: $id) { caseId } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/watch",
        "query($id: Int!) { caseWatch(caseId: $id) { active } }",
        may("cases.read"),
        {"id": R.watched_case},
        variables={"id": R.watched_case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/watch/end",
        "mutation($id: Int!) { endCaseWatch(caseId: $id) { active } }",
        may("cases.command", "commander"),
        {"id": R.watched_case},
        variables={"id": R.watched_case},
    ),
    Op(
        "GET",
        f"{V1}/cases/{{id}}/statement-consistency",
        "query($id: Int!) { statementConsistency(caseId: $id) { consistent } }",
        may("cases.read"),
        {"id": R.case},
        variables={"id": R.case},
    ),
    Op(
        "GET",
        f"{V1}/statements/{{id}}",
        "query($id: Int!) { statement(id: $id) { id approvals { edges { node { role } } } "
        "publications { edges { node { channel } } } } }",
        may("cases.read"),
        {"id": R.published_statement},
        variables={"id": R.published_statement},
    ),
    Op(
        "GET",
        f"{V1}/statements/{{id}}/versions",
        "query($id: Int!) { statement(id: $id) { versions { edges { node { number } } } } }",
        may("cases.read"),
        {"id": R.draft_statement},
        variables={"id": R.draft_statement},
    ),
    Op(
        "GET",
        f"{V1}/statements/{{id}}/diff",
        "query($id: Int!) { statementDiff(id: $id) { diff } }",
        may("cases.read"),
        {"id": R.draft_statement},
        variables={"id": R.draft_statement},
    ),
    Op(
        "PATCH",
        f"{V1}/statements/{{id}}",
        'mutation($id: Int!) { editStatement(id: $id, body: "We are on it.") { id } }',
        may("cases.work", "communications", "commander"),
        {"id": R.draft_statement},
        {"body": "We are on it."},
        {"id": R.draft_statement},
    ),
    Op(
        "POST",
        f"{V1}/statements/{{id}}/submit",
        "mutation($id: Int!) { submitStatement(id: $id) { id } }",
        may("cases.work", "communications", "commander"),
        {"id": R.draft_statement},
        variables={"id": R.draft_statement},
    ),
    Op(
        "POST",
        f"{V1}/statements/{{id}}/approve",
        "mutation($id: Int!) { approveStatement(id: $id) { id } }",
        frozenset({"legal"}),
        {"id": R.review_statement},
        {},
        {"id": R.review_statement},
        note="legal is due",
    ),
    Op(
        "POST",
        f"{V1}/statements/{{id}}/reject",
        'mutation($id: Int!) { rejectStatement(id: $id, comment: "Too vague") { id } }',
        frozenset({"legal", "commander"}),
        {"id": R.review_statement},
        {"comment": "Too vague"},
        {"id": R.review_statement},
    ),
    Op(
        "POST",
        f"{V1}/statements/{{id}}/publish",
        "mutation($id: Int!) { publishStatement(id: $id, channel: PRESS) { id } }",
        may("cases.work", "communications", "commander"),
        {"id": R.approved_statement},
        {"channel": "press"},
        {"id": R.approved_statement},
    ),
    Op(
        "POST",
        f"{V1}/statements/{{id}}/retract",
        'mutation($id: Int!) { retractStatement(id: $id, reason: "Outdated") { id } }',
        may("cases.work", "communications", "commander"),
        {"id": R.published_statement},
        {"reason": "Outdated"},
        {"id": R.published_statement},
    ),
    # Playbooks.
    Op("GET", f"{V1}/playbooks", "{ playbooks { edges { node { id } } } }", may("playbooks.read")),
    Op(
        "GET",
        f"{V1}/playbooks/{{id}}",
        "query($id: Int!) { playbook(id: $id) { id content } }",
        may("playbooks.read"),
        {"id": R.playbook},
        variables={"id": R.playbook},
    ),
    Op(
        "GET",
        f"{V1}/playbooks/{{id}}/versions",
        "query($id: Int!) { playbook(id: $id) { versions { edges { node { number } } } } }",
        may("playbooks.read"),
        {"id": R.playbook},
        variables={"id": R.playbook},
    ),
    Op(
        "GET",
        f"{V1}/playbooks/{{id}}/diff",
        "query($id: Int!) { playbookDiff(id: $id, fromVersion: 1, toVersion: 2) }",
        may("playbooks.read"),
        {"id": R.playbook},
        variables={"id": R.playbook},
        note="?from=1&to=2",
    ),
    Op(
        "POST",
        f"{V1}/playbooks",
        'mutation { createPlaybook(name: "new playbook", scenario: OTHER) { id } }',
        may("playbooks.manage"),
        body={"name": "new playbook", "scenario": "other"},
    ),
    Op(
        "PATCH",
        f"{V1}/playbooks/{{id}}",
        'mutation($id: Int!) { updatePlaybook(id: $id, description: "edited") { id } }',
        may("playbooks.manage"),
        {"id": R.playbook},
        {"description": "edited"},
        {"id": R.playbook},
    ),
    Op(
        "DELETE",
        f"{V1}/playbooks/{{id}}",
        "mutation($id: Int!) { deletePlaybook(id: $id) }",
        may("playbooks.manage"),
        {"id": R.playbook},
        variables={"id": R.playbook},
    ),
    Op(
        "POST",
        f"{V1}/playbooks/{{id}}/restore",
        "mutation($id: Int!) { restorePlaybook(id: $id) { id } }",
        may("playbooks.manage"),
        {"id": R.archived_playbook},
        variables={"id": R.archived_playbook},
    ),
    Op(
        "POST",
        f"{V1}/playbooks/{{id}}/clone",
        'mutation($id: Int!) { clonePlaybook(id: $id, name: "copy") { id } }',
        may("playbooks.manage"),
        {"id": R.playbook},
        {"name": "copy"},
        {"id": R.playbook},
    ),
    Op(
        "POST",
        f"{V1}/playbooks/{{id}}/activate",
        "mutation($id: Int!, $c: Int!) { activatePlaybook(caseId: $c, playbookId: $id) { id } }",
        may("cases.command", "commander"),
        {"id": R.playbook},
        {"case_id": R.case},
        {"id": R.playbook, "c": R.case},
    ),
    # Playbook revisions: proposed by who steers a case, applied or rejected by admins.
    Op(
        "GET",
        f"{V1}/cases/{{id}}/playbook-revisions",
        "query($c: Int!) { casePlaybookRevisions(caseId: $c) { edges { node { id } } } }",
        may("cases.read"),
        {"id": R.resolved_case},
        variables={"c": R.resolved_case},
    ),
    Op(
        "POST",
        f"{V1}/cases/{{id}}/playbook-revisions",
        "mutation($c: Int!, $p: Int!, $content: JSON!) { proposePlaybookRevision(caseId: $c, playbook: $p, "
        'content: $content, rationale: "Brief legal sooner") { id } }',
        may("cases.command", "commander"),
        {"id": R.resolved_case},
        {"playbook": R.playbook, "content": REVISED_CONTENT, "rationale": "Brief legal sooner"},
        {"c": R.resolved_case, "p": R.playbook, "content": REVISED_CONTENT},
    ),
    Op(
        "GET",
        f"{V1}/playbook-revisions/{{id}}",
        "query($id: Int!) { playbookRevision(id: $id) { id diff } }",
        may("cases.read"),
        {"id": R.revision},
        variables={"id": R.revision},
    ),
    Op(
        "POST",
        f"{V1}/playbook-revisions/{{id}}/apply",
        "mutation($id: Int!) { applyPlaybookRevision(id: $id) { id } }",
        may("playbooks.manage"),
        {"id": R.revision},
        variables={"id": R.revision},
    ),
    Op(
        "POST",
        f"{V1}/playbook-revisions/{{id}}/reject",
        'mutation($id: Int!) { rejectPlaybookRevision(id: $id, reason: "Not now") { id } }',
        may("playbooks.manage"),
        {"id": R.revision},
        {"reason": "Not now"},
        {"id": R.revision},
    ),
    # Reply scripts.
    Op("GET", f"{V1}/reply-scripts", "{ replyScripts { edges { node { id } } } }", may("cases.read")),
    Op(
        "GET",
        f"{V1}/reply-scripts/{{id}}",
        "{ replyScripts { edges { node { id } } } }",
        may("cases.read"),
        {"id": R.script},
    ),
    Op(
        "POST",
        f"{V1}/reply-scripts",
        'mutation { createReplyScript(name: "new reply", body: "Thanks, {name}.") { id } }',
        may("scripts.manage"),
        body={"name": "new reply", "body": "Thanks, {name}."},
    ),
    Op(
        "PATCH",
        f"{V1}/reply-scripts/{{id}}",
        'mutation($id: Int!) { updateReplyScript(id: $id, tone: "warm") { id } }',
        may("scripts.manage"),
        {"id": R.script},
        {"tone": "warm"},
        {"id": R.script},
    ),
    Op(
        "DELETE",
        f"{V1}/reply-scripts/{{id}}",
        "mutation($id: Int!) { deleteReplyScript(id: $id) }",
        may("scripts.manage"),
        {"id": R.script},
        variables={"id": R.script},
    ),
    Op(
        "POST",
        f"{V1}/reply-scripts/{{id}}/approve",
        "mutation($id: Int!) { approveReplyScript(id: $id) { id } }",
        may("scripts.approve"),
        {"id": R.script},
        variables={"id": R.script},
    ),
    Op(
        "POST",
        f"{V1}/reply-scripts/{{id}}/render",
        'mutation($id: Int!) { renderReplyScript(id: $id, variables: {name: "Li"}) }',
        may("cases.work"),
        {"id": R.approved_script},
        {"variables": {"name": "Li"}},
        {"id": R.approved_script},
    ),
    # A tenant's own billing (Stripe calls go to stripe-mock).
    Op("GET", f"{V1}/billing", "{ billing { plan status } }", may("billing.read")),
    Op("GET", f"{V1}/billing/invoices", "{ billingInvoices { id } }", may("billing.read")),
    Op(
        "POST",
        f"{V1}/billing/checkout",
        'mutation { createBillingCheckout(plan: "team", successUrl: "https://a.example/ok", '
        'cancelUrl: "https://a.example/no") }',
        may("billing.manage"),
        body={"plan": "team", "success_url": "https://a.example/ok", "cancel_url": "https://a.example/no"},
    ),
    Op(
        "POST",
        f"{V1}/billing/portal",
        'mutation { createBillingPortal(returnUrl: "https://a.example/back") }',
        may("billing.manage"),
        body={"return_url": "https://a.example/back"},
    ),
]

# Query strings some REST operations need beside their path.
QUERY = {
    f"{V1}/playbooks/{{id}}/diff": "?from=1&to=2",
    f"{V1}/analytics/key-nodes": "?scope=tenant",
    f"{V1}/analytics/forecast": "?scope=tenant",
    f"{V1}/analytics/trends": "?scope=tenant",
}


# Logins are renewed this often: the module runs ~2,000 requests, which on a loaded machine outlast an access
# token (JWT_ACCESS_MINUTES, 15).
TOKEN_MAX_AGE_SECONDS = 120


@dataclass
class World:
    refs: dict[str, Any]
    emails: dict[str, str]
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def auth(self, caller: str) -> str:
        token, issued = self.tokens.get(caller, ("", 0.0))
        if time.monotonic() - issued > TOKEN_MAX_AGE_SECONDS:
            token, issued = _login(self.emails[caller]), time.monotonic()
            self.tokens[caller] = (token, issued)
        return token

    def fill(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.refs[value.name]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value

    def rest(self, caller: str, op: Op) -> str:
        assert op.method and op.path
        path = op.path.format(**self.fill(op.path_ids)) + QUERY.get(op.path, "")
        body = self.fill(op.body)
        with transaction.atomic():
            response = Api("alpha", auth=self.auth(caller)).request(op.method.lower(), path, body)
            transaction.set_rollback(True)
        if 200 <= response.status_code < 300:
            return ALLOWED
        code = response.json()["error"]["code"]
        return (
            DENIED if (response.status_code, code) == (403, "permission_denied") else f"{response.status_code} {code}"
        )

    def graphql(self, caller: str, op: Op) -> str:
        with transaction.atomic():
            response = Api("alpha", auth=self.auth(caller)).graphql(op.gql, self.fill(op.variables))
            transaction.set_rollback(True)
        errors = response.json().get("errors")
        if not errors:
            return ALLOWED
        code = errors[0]["extensions"]["code"]
        return DENIED if code == "permission_denied" else f"{code}: {errors[0]['message']}"


def _people(refs: dict[str, Any]) -> dict[str, User]:
    people = {
        role: User.objects.create_user(email=f"{role}@parity.example", password=PASSWORD, role=role)
        for role in TENANT_CALLERS
    }
    for case_role in CASE_CALLERS:
        people[case_role] = User.objects.create_user(
            email=f"viewer-{case_role}@parity.example", password=PASSWORD, role=Role.VIEWER
        )
    spare = User.objects.create_user(email="spare@parity.example", password=PASSWORD, role=Role.VIEWER)
    refs["invitation"] = invitation_create(actor=SYSTEM, email="invited@parity.example", role=Role.VIEWER).pk
    refs["spare_user"] = spare.pk
    refs["spare_key"] = api_key_create(actor=SYSTEM, name="spare key", role=Role.VIEWER)[0].pk
    return people


def _cases(refs: dict[str, Any], people: dict[str, User]) -> None:
    case = case_create(actor=SYSTEM, title="Parity case", activate_playbook=False)
    assessing = case_create(actor=SYSTEM, title="Parity case, assessing", activate_playbook=False)
    case_transition(actor=SYSTEM, case_id=assessing.pk, transition="assess")
    watched = case_create(actor=SYSTEM, title="Parity case, resolved and watched", activate_playbook=False)
    for transition in ("assess", "resolve"):
        case_transition(actor=SYSTEM, case_id=watched.pk, transition=transition)
    refs["watched_case"] = watched.pk
    for each in (case, assessing, watched):
        for case_role in CASE_CALLERS:
            case_member_add(actor=SYSTEM, case_id=each.pk, user_id=people[case_role].pk, role=case_role)
    refs["case"], refs["assessing_case"] = case.pk, assessing.pk
    refs["spare_member"] = case_member_add(
        actor=SYSTEM, case_id=case.pk, user_id=refs["spare_user"], role=CaseRole.CUSTOMER_CARE
    ).pk
    refs["unassigned_task"] = task_create(actor=SYSTEM, case_id=case.pk, title="Unassigned").pk
    refs["monitoring_task"] = task_create(
        actor=SYSTEM, case_id=case.pk, title="Watch", assignee_role=CaseRole.MONITORING
    ).pk
    refs["legal_person_task"] = task_create(
        actor=SYSTEM, case_id=case.pk, title="Check the wording", assignee_id=people["legal"].pk
    ).pk

    def statement(title: str) -> int:
        return statement_create(actor=SYSTEM, case_id=case.pk, title=title, body="We are looking into it.").pk

    refs["draft_statement"] = statement("Draft")
    refs["review_statement"] = statement("In review")
    statement_submit(actor=SYSTEM, statement_id=refs["review_statement"])
    for name in ("approved_statement", "published_statement"):
        refs[name] = statement(name)
        statement_submit(actor=SYSTEM, statement_id=refs[name])
        statement_approve(actor=SYSTEM, statement_id=refs[name])
        statement_approve(actor=SYSTEM, statement_id=refs[name])
    statement_publish(actor=SYSTEM, statement_id=refs["published_statement"], channel="press")
    refs["commitment"] = commitment_create(
        actor=SYSTEM,
        case_id=case.pk,
        statement=refs["draft_statement"],
        kind="fix",
        description="Replace the batteries",
        due_at=timezone.now() + timedelta(days=30),
    ).pk
    refs["affected_user"] = affected_user_create(
        actor=SYSTEM, case_id=case.pk, platform="weibo", author_id="parity-fan", phone="13800138000"
    )[0].pk
    refs["follow_up"] = follow_up_create(
        actor=SYSTEM, case_id=case.pk, affected_user_id=refs["affected_user"], type="complaint"
    ).pk
    refs["pending_compensation"] = follow_up_create(
        actor=SYSTEM,
        case_id=case.pk,
        affected_user_id=refs["affected_user"],
        type="compensation",
        compensation_amount=Decimal("900.00"),
        compensation_currency="CNY",
    ).pk


def _monitoring(refs: dict[str, Any], item: dict[str, Any]) -> None:
    mentions_ingest(actor=SYSTEM, payload=from_object({"mentions": [item]}))
    refs["mention"] = Mention.objects.get(external_id=item["external_id"]).pk
    topics_refresh(settle_seconds=0)
    refs["topic"] = Mention.objects.get(pk=refs["mention"]).topic_id
    refs["rule"] = rule_create(actor=SYSTEM, name="Parity rule", expression="召回").pk
    refs["archived_rule"] = rule_create(actor=SYSTEM, name="Old rule", expression="旧").pk
    rule_archive(actor=SYSTEM, rule_id=refs["archived_rule"])
    refs["brand"] = brand_create(actor=SYSTEM, name="Parity brand", expression="奶茶店").pk
    refs["archived_brand"] = brand_create(actor=SYSTEM, name="Old brand", expression="旧店").pk
    brand_archive(actor=SYSTEM, brand_id=refs["archived_brand"])
    policy = policy_create(actor=SYSTEM, **POLICY)
    refs["policy"] = policy.pk
    refs["archived_policy"] = policy_create(actor=SYSTEM, **POLICY | {"name": "Old policy"}).pk
    policy_archive(actor=SYSTEM, policy_id=refs["archived_policy"])
    now = timezone.now()
    refs["alert"] = Alert.objects.create(
        policy=policy,
        scope="tenant",
        level="orange",
        peak_level="orange",
        index_value=70,
        peak_index=70,
        indicators={},
        opened_at=now,
        last_evaluated_at=now,
    ).pk
    refs["silence"] = scope_silence(actor=SYSTEM, scope="rule:1", minutes=60).pk


def _notifications(refs: dict[str, Any]) -> None:
    channel = channel_create(actor=SYSTEM, **EMAIL_CHANNEL)
    refs["channel"] = channel.pk
    refs["archived_channel"] = channel_create(actor=SYSTEM, **EMAIL_CHANNEL | {"name": "old mail"}).pk
    channel_archive(actor=SYSTEM, channel_id=refs["archived_channel"])
    (delivery,) = notify(event_type="case.opened", data={"case_id": refs["case"]}, title="Case", text="Opened")
    delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["status"])
    refs["delivery"] = delivery.pk
    # After the notification above, which would otherwise have gone to it too.
    refs["webhook_channel"] = channel_create(
        actor=SYSTEM, name="parity hook", kind="webhook", url="https://hooks.parity.example/vigil"
    ).pk
    refs["dead_letter"] = dead_letter_record(
        kind="search_index", item_model="monitoring.Mention", item_key="999999", reason="DataError: boom"
    ).pk


def _playbooks_and_scripts(refs: dict[str, Any]) -> None:
    playbook = playbook_create(actor=SYSTEM, name="Parity playbook", scenario="other", content=PLAYBOOK_CONTENT)
    playbook_update(
        actor=SYSTEM,
        playbook_id=playbook.pk,
        content={"tasks": [*PLAYBOOK_CONTENT["tasks"], {"title": "Brief legal", "role": "legal", "due_minutes": 60}]},
    )
    refs["playbook"] = playbook.pk
    refs["archived_playbook"] = playbook_create(actor=SYSTEM, name="Old playbook", scenario="other").pk
    playbook_archive(actor=SYSTEM, playbook_id=refs["archived_playbook"])
    refs["script"] = script_create(actor=SYSTEM, name="Parity reply", body="Sorry, {name}.").pk
    refs["approved_script"] = script_create(actor=SYSTEM, name="Approved reply", body="Thanks, {name}.").pk
    script_approve(actor=SYSTEM, script_id=refs["approved_script"])


def _revisions(refs: dict[str, Any], people: dict[str, User]) -> None:
    """A resolved case that ran the parity playbook's current version, with a revision proposed by its review."""
    case = case_create(actor=SYSTEM, title="Parity case, resolved", activate_playbook=False)
    playbook_activate(actor=SYSTEM, case_id=case.pk, playbook_id=refs["playbook"])
    for case_role in CASE_CALLERS:
        case_member_add(actor=SYSTEM, case_id=case.pk, user_id=people[case_role].pk, role=case_role)
    for transition in ("assess", "resolve"):
        case_transition(actor=SYSTEM, case_id=case.pk, transition=transition)
    refs["resolved_case"] = case.pk
    refs["revision"] = playbook_revision_propose(
        actor=SYSTEM, case_id=case.pk, playbook=refs["playbook"], content=REVISED_CONTENT, rationale="Parity"
    ).pk


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, item_factory: Any) -> Iterator[World]:
    """Made once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            refs: dict[str, Any] = {"new_item": item_factory()}
            with tenant_context(Tenant.objects.get(slug="alpha")):
                people = _people(refs)
                _cases(refs, people)
                _monitoring(refs, item_factory())
                _notifications(refs)
                _playbooks_and_scripts(refs)
                _revisions(refs, people)
                # A price to check out on (the default plans have none).
                Plan.objects.filter(code="team").update(stripe_base_price_id="price_parity_team")
                refs["audit_entry"] = AuditEntry.objects.order_by("-id").values_list("pk", flat=True).first()
            use_public_schema()
            emails = {caller: person.email for caller, person in people.items()}
        yield World(refs, emails)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            use_public_schema()


def _login(email: str) -> str:
    response = Api("alpha").post(f"{V1}/auth/token", {"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return f"Bearer {response.json()['access']}"


@pytest.fixture(scope="module")
def item_factory() -> Any:
    numbers = iter(range(1, 1000))

    def make() -> dict[str, Any]:
        return {
            "platform": "weibo",
            "external_id": f"parity-{next(numbers)}",
            "text": "这家奶茶店的服务还不错",
            "published_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "author": {"external_id": "u1", "name": "小王"},
        }

    return make


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_rest_and_graphql_allow_and_deny_alike(db: None, world: World, op: Op) -> None:
    expected = {caller: ALLOWED if caller in op.allowed else DENIED for caller in op.callers}

    graphql = {caller: world.graphql(caller, op) for caller in op.callers}
    rest = {caller: world.rest(caller, op) for caller in op.callers} if op.method else expected

    assert {"rest": rest, "graphql": graphql} == {"rest": expected, "graphql": expected}


def test_every_rest_operation_has_a_row(tenants: Any) -> None:
    schema = Api(None).get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "patch", "put", "delete")
        and not path.startswith((f"{V1}/auth/", f"{V1}/platform/", f"{V1}/billing/stripe-webhook"))
        and path not in ("/healthz", "/readyz", PUBLIC_INVITATION_PATH)
    }

    assert documented - {(op.method, op.path) for op in OPS} == set()
    assert {(op.method, op.path) for op in OPS if op.method} - documented == set()


def test_every_graphql_field_has_a_row() -> None:
    built = build_schema(schema.as_str())
    assert built.query_type and built.mutation_type
    fields = set(built.query_type.fields) | set(built.mutation_type.fields)

    assert fields - {name for op in OPS for name in root_fields(op.gql)} - PUBLIC_FIELDS == set()
