"""Crisis cases over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from api.graphql.statements import Statement
from responses import models
from responses.cases import selectors, services, task_services
from responses.scripts import selectors as script_selectors
from responses.scripts import services as scripts
from responses.sla import selectors as sla_selectors
from responses.sla import services as sla
from responses.sla.selectors import case_sla
from responses.team import selectors as team_selectors
from responses.team import services as team

CaseStatus = strawberry.enum(models.CaseStatus, name="CaseStatus")
Scenario = strawberry.enum(models.Scenario, name="Scenario")
Severity = strawberry.enum(models.Severity, name="Severity")


@strawberry_django.type(models.CaseEvent)
class CaseEvent:
    id: strawberry.auto
    kind: str
    actor: str
    at: datetime
    summary: str
    data: JSON


TaskStatus = strawberry.enum(models.TaskStatus, name="TaskStatus")
TaskPriority = strawberry.enum(models.TaskPriority, name="TaskPriority")


@strawberry_django.type(models.CaseTask)
class Task:
    id: strawberry.auto
    title: str
    description: str
    status: models.TaskStatus
    priority: models.TaskPriority
    due_at: datetime | None
    completed_at: datetime | None
    assignee_role: str
    checklist: JSON

    @strawberry.field
    def case_id(self) -> int:
        return cast(models.CaseTask, self).case_id

    @strawberry.field
    def assignee_id(self) -> int | None:
        return cast(models.CaseTask, self).assignee_id


CaseRole = strawberry.enum(models.CaseRole, name="CaseRole")


@strawberry_django.type(models.CaseMember)
class CaseMember:
    id: strawberry.auto
    role: models.CaseRole
    assigned_by: str
    assigned_at: datetime

    @strawberry.field
    def user_id(self) -> int:
        return cast(models.CaseMember, self).user_id

    @strawberry.field
    def email(self) -> str:
        return cast(models.CaseMember, self).user.email


@strawberry.type
class SlaClock:
    kind: str
    due_at: datetime
    met_at: datetime | None
    state: str = strawberry.field(description="pending, met, met_late, breached or not_applicable")


@strawberry.type
class SlaTargets:
    severity: str
    acknowledge_minutes: int
    first_statement_minutes: int
    resolve_minutes: int
    is_default: bool


@strawberry.type
class CasePlaybook:
    playbook_id: int
    name: str
    version: int
    activated_by: str
    activated_at: datetime


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

    @strawberry.field
    def members(self) -> list[CaseMember]:
        return cast(list[CaseMember], list(cast(models.CrisisCase, self).members.select_related("user")))

    @strawberry.field(description="Playbooks run on the case, in order.")
    def playbooks(self) -> list[CasePlaybook]:
        runs = cast(models.CrisisCase, self).playbook_activations.select_related("playbook").order_by("id")
        return [
            CasePlaybook(
                playbook_id=r.playbook_id,
                name=r.playbook.name,
                version=r.version,
                activated_by=r.activated_by,
                activated_at=r.activated_at,
            )
            for r in runs
        ]

    @strawberry.field(description="The case's statements, oldest first.")
    def statements(self) -> list[Statement]:
        return cast(list[Statement], list(cast(models.CrisisCase, self).statements.order_by("id")))

    @strawberry.field(description="SLA clocks: acknowledge, first statement, resolve.")
    def sla(self) -> list[SlaClock]:
        return [SlaClock(**clock) for clock in case_sla(cast(models.CrisisCase, self))]

    @strawberry.field
    def alert_ids(self) -> list[int]:
        return [a.pk for a in cast(models.CrisisCase, self).alerts.all()]

    @strawberry.field
    def brand_ids(self) -> list[int]:
        return [b.pk for b in cast(models.CrisisCase, self).brands.all()]

    @strawberry.field
    def evidence_ids(self) -> list[int]:
        return list(cast(models.CrisisCase, self).evidence.values_list("pk", flat=True))

    @strawberry.field
    def opened_from_alert_id(self) -> int | None:
        return cast(models.CrisisCase, self).opened_from_alert_id

    @strawberry.field
    def tasks(self) -> list[Task]:
        return cast(list[Task], list(cast(models.CrisisCase, self).tasks.order_by("due_at", "id")))

    @strawberry.field
    def timeline(self) -> list[CaseEvent]:
        return cast(list[CaseEvent], list(cast(models.CrisisCase, self).events.order_by("at", "id")))


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


@strawberry.type
class CasesQuery:
    @strawberry.field(description="Crisis cases, newest first.")
    def cases(
        self,
        info: Info,
        status: list[models.CaseStatus] | None = None,
        severity: list[models.Severity] | None = None,
        is_drill: bool | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[Case]:
        found = selectors.case_list(
            actor=actor(info),
            status=[s.value for s in status or []],
            severity=[s.value for s in severity or []],
            is_drill=is_drill,
        )
        limit = max(1, min(limit, 200))
        return cast(list[Case], list(found[max(offset, 0) : max(offset, 0) + limit]))

    @strawberry.field
    def case(self, info: Info, id: int) -> Case:
        return cast(Case, selectors.case_get(actor=actor(info), case_id=id))

    @strawberry.field(description="The case team: who holds which case role.")
    def case_members(self, info: Info, case_id: int) -> list[CaseMember]:
        return cast(list[CaseMember], list(team_selectors.case_members(actor=actor(info), case_id=case_id)))

    @strawberry.field(description="SLA targets of every severity, in minutes after a case opens.")
    def sla_policies(self, info: Info) -> list[SlaTargets]:
        return [SlaTargets(**vars(t)) for t in sla_selectors.sla_policies(actor=actor(info))]

    @strawberry.field(description="Open tasks assigned to the caller or to a case role they hold, soonest due first.")
    def my_tasks(self, info: Info) -> list[Task]:
        return cast(list[Task], list(selectors.my_tasks(actor=actor(info))))


@strawberry.type
class CasesMutation:
    @strawberry.mutation
    def create_case(self, info: Info, input: CaseInput) -> Case:
        data = vars(input) | {"scenario": input.scenario.value, "severity": input.severity.value}
        return cast(Case, services.case_create(actor=actor(info), **data))

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
        given: dict[str, Any] = {"title": title, "description": description, "topics": topics}
        given |= {"scenario": scenario.value if scenario else None, "severity": severity.value if severity else None}
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

    @strawberry.mutation(description="Move a case: assess, respond, recover, resolve, review, reopen.")
    def transition_case(self, info: Info, id: int, transition: str, note: str = "", override_reason: str = "") -> Case:
        return cast(
            Case,
            services.case_transition(
                actor=actor(info), case_id=id, transition=transition, note=note, override_reason=override_reason
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
                priority=priority.value,
                assignee_id=assignee_id,
                assignee_role=assignee_role.value if assignee_role else "",
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
        changes: dict[str, Any] = {
            k: v.value
            for k, v in (("status", status), ("priority", priority), ("assignee_role", assignee_role))
            if v is not None
        }
        others = (
            ("title", title),
            ("description", description),
            ("assignee_id", assignee_id),
            ("checklist", checklist),
            ("due_at", due_at),
        )
        changes |= {k: v for k, v in others if v is not None}
        return cast(Task, task_services.task_update(actor=actor(info), task_id=id, **changes))

    @strawberry.mutation(description="Give a user a case role.")
    def add_case_member(self, info: Info, case_id: int, user_id: int, role: models.CaseRole) -> CaseMember:
        return cast(
            CaseMember, team.case_member_add(actor=actor(info), case_id=case_id, user_id=user_id, role=role.value)
        )

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
            actor=actor(info), severity=severity.value, **{k: v for k, v in given.items() if v is not None}
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
                actor=actor(info), alert_id=alert_id, title=title, scenario=scenario.value, is_drill=is_drill
            ),
        )


@strawberry_django.type(models.ReplyScript)
class ReplyScript:
    id: strawberry.auto
    name: str
    body: str
    scenarios: list[str]
    tone: str
    language: str
    approval: str
    approved_by: str
    usage_count: int

    @strawberry.field
    def variables(self) -> list[str]:
        return scripts.variables_of(cast(models.ReplyScript, self).body)


@strawberry.type
class ScriptsQuery:
    @strawberry.field
    def reply_scripts(self, info: Info, scenario: str = "", language: str = "", name: str = "") -> list[ReplyScript]:
        found = script_selectors.script_list(actor=actor(info), scenario=scenario, language=language, name=name)
        return cast(list[ReplyScript], list(found))


@strawberry.type
class ScriptsMutation:
    @strawberry.mutation
    def create_reply_script(
        self,
        info: Info,
        name: str,
        body: str,
        scenarios: list[str] | None = None,
        tone: str = "",
        language: str = "zh-Hans",
    ) -> ReplyScript:
        return cast(
            ReplyScript,
            scripts.script_create(
                actor=actor(info), name=name, body=body, scenarios=scenarios, tone=tone, language=language
            ),
        )

    @strawberry.mutation(description="Change a script; an edited body goes back to draft.")
    def update_reply_script(
        self,
        info: Info,
        id: int,
        name: str | None = None,
        body: str | None = None,
        scenarios: list[str] | None = None,
        tone: str | None = None,
        language: str | None = None,
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

    @strawberry.mutation(description="Fill in a script's variables; a missing one is an error naming it.")
    def render_reply_script(self, info: Info, id: int, variables: JSON) -> str:
        return scripts.script_render(actor=actor(info), script_id=id, variables=dict(cast(dict[str, Any], variables)))
