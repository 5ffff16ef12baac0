"""Crisis cases over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from responses import models, selectors, services

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
    resolved_at: datetime | None

    @strawberry.field
    def alert_ids(self) -> list[int]:
        return [a.pk for a in cast(models.CrisisCase, self).alerts.all()]

    @strawberry.field
    def opened_from_alert_id(self) -> int | None:
        return cast(models.CrisisCase, self).opened_from_alert_id

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


@strawberry.type
class CasesMutation:
    @strawberry.mutation
    def create_case(self, info: Info, input: CaseInput) -> Case:
        data = vars(input) | {"scenario": input.scenario.value, "severity": input.severity.value}
        return cast(Case, services.case_create(actor=actor(info), **data))

    @strawberry.mutation(description="Move a case: assess, respond, recover, resolve, review, reopen.")
    def transition_case(self, info: Info, id: int, transition: str, note: str = "") -> Case:
        return cast(Case, services.case_transition(actor=actor(info), case_id=id, transition=transition, note=note))

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
