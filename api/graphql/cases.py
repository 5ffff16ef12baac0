"""Crisis cases over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import Prefetch, QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.effects import ResponseEffects, response_effects
from api.graphql.enums import CaseTransition, SlaState
from api.graphql.evaluation import CaseEvaluation, evaluation
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from api.graphql.playbook_revisions import PlaybookRevisionInput
from api.graphql.recovery import CaseRecovery, recovery
from api.graphql.statements import Statement
from monitoring.models import Alert, Brand, Mention
from responses import models
from responses.cases import selectors, services, task_services
from responses.scripts import selectors as script_selectors
from responses.scripts import services as scripts
from responses.sla import selectors as sla_selectors
from responses.sla import services as sla
from responses.sla.selectors import Targets, case_sla, targets_by_severity
from responses.team import selectors as team_selectors
from responses.team import services as team


@strawberry_django.type(models.CaseEvent)
class CaseEvent:
    id: strawberry.auto
    kind: str = strawberry.field(description="What happened: opened, note, status_changed, task_created, …")
    actor: str
    at: datetime
    summary: str
    data: JSON


@strawberry_django.type(models.CaseTask)
class Task:
    id: strawberry.auto
    title: str
    description: str
    status: models.TaskStatus
    priority: models.TaskPriority
    due_at: datetime | None
    completed_at: datetime | None
    checklist: JSON

    @strawberry_django.field
    def case_id(self, root: models.CaseTask) -> int:
        return root.case_id

    @strawberry_django.field
    def assignee_id(self, root: models.CaseTask) -> int | None:
        return root.assignee_id

    @strawberry_django.field(description="The case role the task is assigned to, if any.")
    def assignee_role(self, root: models.CaseTask) -> models.CaseRole | None:
        return models.CaseRole(root.assignee_role) if root.assignee_role else None


@strawberry_django.type(models.CaseMember)
class CaseMember:
    id: strawberry.auto
    role: models.CaseRole
    assigned_by: str
    assigned_at: datetime

    @strawberry_django.field
    def user_id(self, root: models.CaseMember) -> int:
        return root.user_id

    @strawberry_django.field(select_related=["user"])
    def email(self, root: models.CaseMember) -> str:
        return root.user.email


@strawberry.type
class SlaClock:
    kind: models.SlaKind
    due_at: datetime
    met_at: datetime | None
    state: SlaState


@strawberry.type
class SlaTargets:
    severity: models.Severity
    acknowledge_minutes: int
    first_statement_minutes: int
    resolve_minutes: int
    is_default: bool


@strawberry_django.type(models.PlaybookActivation)
class CasePlaybook:
    version: int
    activated_by: str
    activated_at: datetime

    @strawberry_django.field
    def playbook_id(self, root: models.PlaybookActivation) -> int:
        return root.playbook_id

    @strawberry_django.field(select_related=["playbook"])
    def name(self, root: models.PlaybookActivation) -> str:
        return root.playbook.name


def _sla_targets(info: Info) -> dict[str, Targets]:
    """The targets of every severity, read once per request however many cases show their clocks."""
    cache = cast(dict[str, Any], info.context.__dict__.setdefault("vigil_cache", {}))
    if "sla_targets" not in cache:
        cache["sla_targets"] = targets_by_severity()
    return cast(dict[str, Targets], cache["sla_targets"])


@strawberry_django.type(models.CrisisCase)
class Case:
    id: strawberry.auto
    title: str
    description: str
    scenario: models.Scenario
    severity: models.Severity
    status: models.CaseStatus
    is_drill: bool
    topics: list[str]
    opened_by: str
    created_at: datetime
    acknowledged_at: datetime | None
    first_statement_at: datetime | None
    resolved_at: datetime | None
    lessons: JSON = strawberry_django.field(
        description="The review's lessons: went_well, went_wrong, root_cause, notes."
    )

    members: Connection[CaseMember] = connection(description="The case team: who holds which case role.")
    playbooks: Connection[CasePlaybook] = connection(
        field_name="playbook_activations", description="Playbooks run on the case, in order."
    )
    statements: Connection[Statement] = connection(description="The case's statements, oldest first.")
    tasks: Connection[Task] = connection(description="The case's tasks, soonest due first.")
    timeline: Connection[CaseEvent] = connection(field_name="events", description="What happened, oldest first.")

    @strawberry_django.field(
        description="SLA clocks: acknowledge, first statement, resolve (one per kind).",
    )
    def sla(self, root: models.CrisisCase, info: Info) -> list[SlaClock]:
        targets = _sla_targets(info)[root.severity]
        return [SlaClock(**clock) for clock in case_sla(root, targets)]

    @strawberry_django.field(prefetch_related=[Prefetch("alerts", queryset=Alert.objects.only("id"))])
    def alert_ids(self, root: models.CrisisCase) -> list[int]:
        return [a.pk for a in root.alerts.all()]

    @strawberry_django.field(prefetch_related=[Prefetch("brands", queryset=Brand.objects.only("id"))])
    def brand_ids(self, root: models.CrisisCase) -> list[int]:
        return [b.pk for b in root.brands.all()]

    @strawberry_django.field(prefetch_related=[Prefetch("evidence", queryset=Mention.objects.only("id"))])
    def evidence_ids(self, root: models.CrisisCase) -> list[int]:
        return [m.pk for m in root.evidence.all()]

    @strawberry_django.field
    def opened_from_alert_id(self, root: models.CrisisCase) -> int | None:
        return root.opened_from_alert_id

    @strawberry_django.field(
        description="The effect of each response on the case (as GET /api/v1/cases/{id}/response-effects); windows "
        "in minutes, 15 to 480, multiples of 5, default 120."
    )
    def response_effects(
        self,
        root: models.CrisisCase,
        info: Info,
        before: int | None = None,
        after: int | None = None,
        window: int | None = None,
    ) -> ResponseEffects:
        return response_effects(info, root.pk, before, after, window)

    @strawberry_django.field(description="The case's evaluation score (as GET /api/v1/cases/{id}/evaluation).")
    def evaluation(self, root: models.CrisisCase, info: Info) -> CaseEvaluation:
        return evaluation(info, root.pk)

    @strawberry_django.field(description="The case's reputation recovery (as GET /api/v1/cases/{id}/recovery).")
    def recovery(self, root: models.CrisisCase, info: Info) -> CaseRecovery:
        return recovery(info, root.pk)


def _bare(cases: QuerySet[models.CrisisCase]) -> QuerySet[models.CrisisCase]:
    # The selector prefetches what REST shows; here the optimizer fetches what the query asks for, once.
    return cases.prefetch_related(None)


@strawberry.input
class CaseInput:
    title: str
    description: str = ""
    scenario: models.Scenario = models.Scenario.OTHER
    severity: models.Severity = models.Severity.IV
    is_drill: bool = False
    topics: list[str] = strawberry.field(default_factory=list)
    brand_ids: list[int] = strawberry.field(default_factory=list)
    evidence_ids: list[int] = strawberry.field(default_factory=list)
    activate_playbook: bool = True


@strawberry.input(description="The after-action review's lessons; each is optional.")
class LessonsInput:
    went_well: str | None = None
    went_wrong: str | None = None
    root_cause: str | None = None
    notes: str | None = None


@strawberry.input(description="An action item from the review: it becomes a task on the case.")
class ActionItemInput:
    title: str
    owner_id: int | None = None
    due_at: datetime | None = None


@strawberry.type
class CasesQuery:
    @connection(Connection[Case], description="Crisis cases, newest first.")
    def cases(
        self,
        info: Info,
        status: list[models.CaseStatus] | None = None,
        severity: list[models.Severity] | None = None,
        scenario: list[models.Scenario] | None = None,
        is_drill: bool | None = None,
    ) -> QuerySet[models.CrisisCase]:
        found = selectors.case_list(
            actor=actor(info),
            status=[s.value for s in status or []],
            severity=[s.value for s in severity or []],
            scenario=[s.value for s in scenario or []],
            is_drill=is_drill,
        )
        return _bare(found)

    @strawberry.field
    def case(self, info: Info, id: int) -> Case:
        return cast(Case, selectors.case_get(actor=actor(info), case_id=id))

    @connection(Connection[CaseMember], description="The case team: who holds which case role.")
    def case_members(self, info: Info, case_id: int) -> QuerySet[models.CaseMember]:
        return team_selectors.case_members(actor=actor(info), case_id=case_id)

    @strawberry.field(description="SLA targets of every severity (one per severity), in minutes after a case opens.")
    def sla_policies(self, info: Info) -> list[SlaTargets]:
        return [SlaTargets(**vars(t)) for t in sla_selectors.sla_policies(actor=actor(info))]

    @connection(
        Connection[Task],
        description="Open tasks assigned to the caller or to a case role they hold, soonest due first.",
    )
    def my_tasks(self, info: Info) -> QuerySet[models.CaseTask]:
        return selectors.my_tasks(actor=actor(info))


@strawberry.type
class CasesMutation:
    @strawberry.mutation
    def create_case(self, info: Info, input: CaseInput) -> Case:
        return cast(Case, services.case_create(actor=actor(info), **vars(input)))

    @strawberry.mutation(description="Change a case's title, description, scenario, severity or topics.")
    def update_case(
        self,
        info: Info,
        id: int,
        title: str | None = None,
        description: str | None = None,
        scenario: models.Scenario | None = None,
        severity: models.Severity | None = None,
        topics: list[str] | None = None,
    ) -> Case:
        given: dict[str, Any] = {
            "title": title,
            "description": description,
            "topics": topics,
            "scenario": scenario,
            "severity": severity,
        }
        changes = {k: v for k, v in given.items() if v is not None}
        return cast(Case, services.case_update(actor=actor(info), case_id=id, **changes))

    @strawberry.mutation(description="Attach more alerts, brands or evidence mentions to a case.")
    def link_to_case(
        self,
        info: Info,
        id: int,
        alert_ids: list[int] | None = None,
        brand_ids: list[int] | None = None,
        evidence_ids: list[int] | None = None,
    ) -> Case:
        services.case_link(
            actor=actor(info), case_id=id, alert_ids=alert_ids, brand_ids=brand_ids, evidence_ids=evidence_ids
        )
        return cast(Case, selectors.case_get(actor=actor(info), case_id=id))

    @strawberry.mutation(
        description="Move a case: assess, respond, recover, resolve, review (with lessons, action items and playbook "
        "revisions), reopen."
    )
    def transition_case(
        self,
        info: Info,
        id: int,
        transition: CaseTransition,
        note: str = "",
        override_reason: str = "",
        lessons: LessonsInput | None = None,
        action_items: list[ActionItemInput] | None = None,
        playbook_revisions: list[PlaybookRevisionInput] | None = None,
    ) -> Case:
        given = None if lessons is None else {k: v for k, v in vars(lessons).items() if v is not None}
        items = None if action_items is None else [vars(item) for item in action_items]
        revisions = None if playbook_revisions is None else [vars(entry) for entry in playbook_revisions]
        return cast(
            Case,
            services.case_transition(
                actor=actor(info),
                case_id=id,
                transition=transition,
                note=note,
                override_reason=override_reason,
                lessons=given,
                action_items=items,
                playbook_revisions=revisions,
            ),
        )

    @strawberry.mutation
    def create_task(
        self,
        info: Info,
        case_id: int,
        title: str,
        description: str = "",
        priority: models.TaskPriority = models.TaskPriority.NORMAL,
        assignee_id: int | None = None,
        assignee_role: models.CaseRole | None = None,
        checklist: list[str] | None = None,
        due_at: datetime | None = None,
    ) -> Task:
        return cast(
            Task,
            task_services.task_create(
                actor=actor(info),
                case_id=case_id,
                title=title,
                description=description,
                priority=priority,
                assignee_id=assignee_id,
                assignee_role=assignee_role or "",
                checklist=list(checklist or []),
                due_at=due_at,
            ),
        )

    @strawberry.mutation
    def update_task(
        self,
        info: Info,
        id: int,
        title: str | None = None,
        description: str | None = None,
        status: models.TaskStatus | None = None,
        priority: models.TaskPriority | None = None,
        assignee_id: int | None = None,
        assignee_role: models.CaseRole | None = None,
        checklist: JSON | None = None,
        due_at: datetime | None = None,
    ) -> Task:
        given = (
            ("title", title),
            ("description", description),
            ("status", status),
            ("priority", priority),
            ("assignee_id", assignee_id),
            ("assignee_role", assignee_role),
            ("checklist", checklist),
            ("due_at", due_at),
        )
        changes: dict[str, Any] = {k: v for k, v in given if v is not None}
        return cast(Task, task_services.task_update(actor=actor(info), task_id=id, **changes))

    @strawberry.mutation(description="Give a user a case role.")
    def add_case_member(self, info: Info, case_id: int, user_id: int, role: models.CaseRole) -> CaseMember:
        return cast(CaseMember, team.case_member_add(actor=actor(info), case_id=case_id, user_id=user_id, role=role))

    @strawberry.mutation(description="Take a case role away.")
    def remove_case_member(self, info: Info, case_id: int, member_id: int) -> bool:
        team.case_member_remove(actor=actor(info), case_id=case_id, member_id=member_id)
        return True

    @strawberry.mutation(description="Change a severity's SLA targets (minutes after the case opens).")
    def update_sla_policy(
        self,
        info: Info,
        severity: models.Severity,
        acknowledge_minutes: int | None = None,
        first_statement_minutes: int | None = None,
        resolve_minutes: int | None = None,
    ) -> SlaTargets:
        given = {
            "acknowledge_minutes": acknowledge_minutes,
            "first_statement_minutes": first_statement_minutes,
            "resolve_minutes": resolve_minutes,
        }
        targets = sla.sla_policy_update(
            actor=actor(info), severity=severity, **{k: v for k, v in given.items() if v is not None}
        )
        return SlaTargets(**vars(targets))

    @strawberry.mutation
    def add_case_note(self, info: Info, id: int, text: str) -> CaseEvent:
        return cast(CaseEvent, services.case_note_add(actor=actor(info), case_id=id, text=text))

    @strawberry.mutation(description="Open a crisis case from an alert; severity follows its peak level.")
    def promote_alert(
        self,
        info: Info,
        alert_id: int,
        title: str = "",
        scenario: models.Scenario = models.Scenario.OTHER,
        is_drill: bool = False,
    ) -> Case:
        return cast(
            Case,
            services.case_from_alert(
                actor=actor(info), alert_id=alert_id, title=title, scenario=scenario, is_drill=is_drill
            ),
        )


@strawberry_django.type(models.ReplyScript)
class ReplyScript:
    id: strawberry.auto
    name: str
    body: str
    scenarios: list[models.Scenario]
    tone: str
    language: models.ScriptLanguage
    approval: models.ScriptApproval
    approved_by: str
    usage_count: int

    @strawberry_django.field
    def variables(self, root: models.ReplyScript) -> list[str]:
        return scripts.variables_of(root.body)


@strawberry.type
class ScriptsQuery:
    @connection(Connection[ReplyScript], description="Reply scripts by name, then language.")
    def reply_scripts(
        self,
        info: Info,
        scenario: models.Scenario | None = None,
        language: models.ScriptLanguage | None = None,
        name: str = "",
    ) -> QuerySet[models.ReplyScript]:
        caller = actor(info)
        return script_selectors.script_list(actor=caller, scenario=scenario or "", language=language or "", name=name)


@strawberry.type
class ScriptsMutation:
    @strawberry.mutation
    def create_reply_script(
        self,
        info: Info,
        name: str,
        body: str,
        scenarios: list[models.Scenario] | None = None,
        tone: str = "",
        language: models.ScriptLanguage = models.ScriptLanguage.ZH_HANS,
    ) -> ReplyScript:
        return cast(
            ReplyScript,
            scripts.script_create(
                actor=actor(info),
                name=name,
                body=body,
                scenarios=[s.value for s in scenarios or []],
                tone=tone,
                language=language,
            ),
        )

    @strawberry.mutation(description="Change a script; an edited body goes back to draft.")
    def update_reply_script(
        self,
        info: Info,
        id: int,
        name: str | None = None,
        body: str | None = None,
        scenarios: list[models.Scenario] | None = None,
        tone: str | None = None,
        language: models.ScriptLanguage | None = None,
    ) -> ReplyScript:
        given: dict[str, Any] = {"name": name, "body": body, "scenarios": scenarios, "tone": tone, "language": language}
        changes = {k: v for k, v in given.items() if v is not None}
        return cast(ReplyScript, scripts.script_update(actor=actor(info), script_id=id, **changes))

    @strawberry.mutation
    def delete_reply_script(self, info: Info, id: int) -> bool:
        scripts.script_delete(actor=actor(info), script_id=id)
        return True

    @strawberry.mutation
    def approve_reply_script(self, info: Info, id: int) -> ReplyScript:
        return cast(ReplyScript, scripts.script_approve(actor=actor(info), script_id=id))

    @strawberry.mutation(
        description="Fill in a script's variables; a missing one is an error naming it. With caseId the use goes on "
        "the case's timeline and into its response effects."
    )
    def render_reply_script(self, info: Info, id: int, variables: JSON, case_id: int | None = None) -> str:
        return scripts.script_render(
            actor=actor(info), script_id=id, variables=dict(cast(dict[str, Any], variables)), case_id=case_id
        )
