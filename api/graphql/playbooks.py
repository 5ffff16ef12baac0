"""Playbooks (預案) over GraphQL: the same services as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.cases import Task
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from api.graphql.statements import Statement
from config.validation import UNSET
from responses import models
from responses.playbooks import selectors as playbook_selectors
from responses.playbooks import services as playbooks


@strawberry_django.type(models.PlaybookVersion)
class PlaybookVersion:
    number: int
    content: JSON
    change_note: str
    created_by: str
    created_at: datetime


CURRENT_CONTENT = "current_content"


@strawberry_django.type(models.Playbook)
class Playbook:
    id: strawberry.auto
    name: str
    description: str
    scenario: models.Scenario
    severities: list[models.Severity]
    is_active: bool
    current_version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    archived_by: str

    versions: Connection[PlaybookVersion] = connection(description="All versions, oldest first.")

    @strawberry_django.field(
        annotate={CURRENT_CONTENT: lambda info: playbook_selectors.current_content()},
        description="The current version's content.",
    )
    def content(self, root: models.Playbook) -> JSON:
        if hasattr(root, CURRENT_CONTENT):
            return cast(JSON, getattr(root, CURRENT_CONTENT))
        return cast(JSON, playbook_selectors.playbook_content(root))


@strawberry.type
class PlaybookActivation:
    id: int
    case_id: int
    playbook_id: int
    version: int
    activated_by: str
    activated_at: datetime
    tasks: list[Task] = strawberry.field(description="The tasks this activation created.")
    statements: list[Statement] = strawberry.field(description="Drafts made from the statement templates.")


@strawberry.type
class PlaybooksQuery:
    @connection(
        Connection[Playbook], description="Playbooks by name; `severity` also matches playbooks for any severity."
    )
    def playbooks(
        self,
        info: Info,
        scenario: models.Scenario | None = None,
        severity: models.Severity | None = None,
        is_active: bool | None = None,
        archived: bool = False,
    ) -> QuerySet[models.Playbook]:
        return playbook_selectors.playbook_list(
            actor=actor(info),
            scenario=scenario or "",
            severity=severity or "",
            is_active=is_active,
            archived=archived,
        )

    @strawberry.field
    def playbook(self, info: Info, id: int) -> Playbook:
        return cast(Playbook, playbook_selectors.playbook_get(actor=actor(info), playbook_id=id))

    @strawberry.field(description="Per section added, removed and changed items, and a unified text diff.")
    def playbook_diff(self, info: Info, id: int, from_version: int, to_version: int) -> JSON:
        diff = playbook_selectors.playbook_diff(
            actor=actor(info), playbook_id=id, from_version=from_version, to_version=to_version
        )
        return cast(JSON, diff)


def _given(value: Any) -> Any:
    return UNSET if value is None else value


@strawberry.type
class PlaybooksMutation:
    @strawberry.mutation
    def create_playbook(
        self,
        info: Info,
        name: str,
        scenario: models.Scenario,
        description: str = "",
        severities: list[models.Severity] | None = None,
        content: JSON | None = None,
        change_note: str = "",
    ) -> Playbook:
        return cast(
            Playbook,
            playbooks.playbook_create(
                actor=actor(info),
                name=name,
                scenario=scenario.value,
                description=description,
                severities=[s.value for s in severities or []],
                content=content,
                change_note=change_note,
            ),
        )

    @strawberry.mutation(description="Edit a playbook; new content adds a version. Omitted arguments stay as they are.")
    def update_playbook(
        self,
        info: Info,
        id: int,
        name: str | None = None,
        description: str | None = None,
        scenario: models.Scenario | None = None,
        severities: list[models.Severity] | None = None,
        is_active: bool | None = None,
        content: JSON | None = None,
        change_note: str = "",
    ) -> Playbook:
        return cast(
            Playbook,
            playbooks.playbook_update(
                actor=actor(info),
                playbook_id=id,
                name=_given(name),
                description=_given(description),
                scenario=scenario.value if scenario else UNSET,
                severities=UNSET if severities is None else [s.value for s in severities],
                is_active=_given(is_active),
                content=_given(content),
                change_note=change_note,
            ),
        )

    @strawberry.mutation
    def clone_playbook(self, info: Info, id: int, name: str, version: int | None = None) -> Playbook:
        return cast(Playbook, playbooks.playbook_clone(actor=actor(info), playbook_id=id, name=name, version=version))

    @strawberry.mutation(description="Archive: no longer matched or activated; cases that ran it keep it.")
    def delete_playbook(self, info: Info, id: int) -> bool:
        playbooks.playbook_archive(actor=actor(info), playbook_id=id)
        return True

    @strawberry.mutation(description="Bring back an archived playbook.")
    def restore_playbook(self, info: Info, id: int) -> Playbook:
        return cast(Playbook, playbooks.playbook_restore(actor=actor(info), playbook_id=id))

    @strawberry.mutation(description="Run a playbook on a case: creates its tasks, due relative to now.")
    def activate_playbook(
        self, info: Info, case_id: int, playbook_id: int, version: int | None = None
    ) -> PlaybookActivation:
        result = playbooks.playbook_activate(
            actor=actor(info), case_id=case_id, playbook_id=playbook_id, version=version
        )
        row = result.activation
        return PlaybookActivation(
            id=row.pk,
            case_id=row.case_id,
            playbook_id=row.playbook_id,
            version=row.version,
            activated_by=row.activated_by,
            activated_at=row.activated_at,
            tasks=cast(list[Task], result.tasks),
            statements=cast(list[Statement], result.statements),
        )
