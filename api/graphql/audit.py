"""The security audit log over GraphQL: the same selector as REST, read-only, admins only."""

from datetime import datetime

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql import permissions
from api.graphql.paging import Connection, connection
from tenants.audit import models, selectors


@strawberry_django.type(models.AuditEntry)
class AuditEntry:
    id: strawberry.auto
    created_at: strawberry.auto
    action: str = strawberry.field(description="A code such as user.created or auth.login_failed (an open catalogue).")
    actor_type: models.ActorType
    actor_id: int | None
    actor_name: strawberry.auto
    target_type: strawberry.auto
    target_id: strawberry.auto
    ip: str | None
    user_agent: strawberry.auto
    details: JSON


@strawberry.type
class AuditQuery:
    @connection(
        Connection[AuditEntry],
        description=(
            "The tenant's security audit log, newest first (admins only). `action`: codes, `auth.*` for a family; "
            "`actor`: an email or API key name, or `user:<id>` / `api_key:<id>`."
        ),
    )
    def audit_log(
        self,
        info: Info,
        action: list[str] | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        target_type: list[str] | None = None,
    ) -> QuerySet[models.AuditEntry]:
        return selectors.audit_list(
            actor=permissions.actor(info), actions=action, by=actor, since=since, until=until, target_types=target_type
        )
