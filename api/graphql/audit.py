"""The security audit log over GraphQL: the same selector as REST, read-only, admins only."""

from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql import permissions
from tenants.audit import models, selectors

MAX_PAGE = 200


@strawberry_django.type(models.AuditEntry)
class AuditEntry:
    id: strawberry.auto
    created_at: strawberry.auto
    action: strawberry.auto
    actor_type: str
    actor_id: int | None
    actor_name: strawberry.auto
    target_type: strawberry.auto
    target_id: strawberry.auto
    ip: str | None
    user_agent: strawberry.auto
    details: JSON


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description=(
            "The tenant's security audit log, newest first (admins only). `action`: codes, `auth.*` for a family; "
            "`actor`: an email or API key name, or `user:<id>` / `api_key:<id>`; `before`: entries older than this "
            "id (the next page after the last one shown)."
        )
    )
    def audit_log(
        self,
        info: Info,
        action: list[str] | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        target_type: list[str] | None = None,
        before: int | None = None,
        first: int = 50,
    ) -> list[AuditEntry]:
        entries = selectors.audit_list(
            actor=permissions.actor(info), actions=action, by=actor, since=since, until=until, target_types=target_type
        )
        if before is not None:
            entries = entries.filter(id__lt=before)
        return cast(list[AuditEntry], list(entries[: max(1, min(first, MAX_PAGE))]))
