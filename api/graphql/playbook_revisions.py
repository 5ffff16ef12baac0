"""Playbook revisions over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from responses import models
from responses.playbooks import revision_selectors as selectors
from responses.playbooks import revision_services as services
from responses.playbooks.diff import revision_diff


@strawberry_django.type(models.PlaybookRevision)
class PlaybookRevision:
    id: strawberry.auto
    base_version: int = strawberry_django.field(description="The version that ran on the case, proposed against.")
    content: JSON
    rationale: str
    status: models.RevisionStatus
    reason: str
    applied_version: int | None
    proposed_by: str
    proposed_at: datetime
    decided_by: str
    decided_at: datetime | None

    @strawberry_django.field
    def case_id(self, root: models.PlaybookRevision) -> int:
        return root.case_id

    @strawberry_django.field
    def playbook_id(self, root: models.PlaybookRevision) -> int:
        return root.playbook_id

    @strawberry_django.field(select_related=["playbook"])
    def playbook_name(self, root: models.PlaybookRevision) -> str:
        return root.playbook.name

    @strawberry_django.field(
        select_related=["playbook"],
        description="The playbook's version now; past baseVersion, the revision can no longer be applied.",
    )
    def current_version(self, root: models.PlaybookRevision) -> int:
        return root.playbook.current_version

    @strawberry_django.field(
        prefetch_related=["playbook__versions"],
        description="Against baseVersion: per section added, removed and changed items, and a unified text diff.",
    )
    def diff(self, root: models.PlaybookRevision) -> JSON:
        return cast(JSON, revision_diff(root))


@strawberry.input(description="A revision the review proposes to a playbook that ran on the case.")
class PlaybookRevisionInput:
    playbook: int
    content: JSON = strawberry.field(description="The whole proposed content: tasks, statements, contacts, escalation.")
    rationale: str


@strawberry.type
class PlaybookRevisionsQuery:
    @connection(Connection[PlaybookRevision], description="The playbook revisions a case's review proposed.")
    def case_playbook_revisions(self, info: Info, case_id: int) -> QuerySet[models.PlaybookRevision]:
        return selectors.case_playbook_revisions(actor=actor(info), case_id=case_id)

    @strawberry.field(description="One playbook revision, with its diff against the version that ran.")
    def playbook_revision(self, info: Info, id: int) -> PlaybookRevision:
        return cast(PlaybookRevision, selectors.playbook_revision_get(actor=actor(info), revision_id=id))


@strawberry.type
class PlaybookRevisionsMutation:
    @strawberry.mutation(
        description="Propose a revision of a playbook that ran on a resolved or reviewed case (who steers it)."
    )
    def propose_playbook_revision(
        self, info: Info, case_id: int, playbook: int, content: JSON, rationale: str
    ) -> PlaybookRevision:
        revision = services.playbook_revision_propose(
            actor=actor(info), case_id=case_id, playbook=playbook, content=content, rationale=rationale
        )
        return cast(PlaybookRevision, revision)

    @strawberry.mutation(description="Apply a proposed revision: it becomes the playbook's next version (admins).")
    def apply_playbook_revision(self, info: Info, id: int) -> PlaybookRevision:
        return cast(PlaybookRevision, services.playbook_revision_apply(actor=actor(info), revision_id=id))

    @strawberry.mutation(description="Reject a proposed revision with a reason (admins).")
    def reject_playbook_revision(self, info: Info, id: int, reason: str) -> PlaybookRevision:
        revision = services.playbook_revision_reject(actor=actor(info), revision_id=id, reason=reason)
        return cast(PlaybookRevision, revision)
