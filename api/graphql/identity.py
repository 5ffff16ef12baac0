from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from api import models, selectors, services
from api.graphql.enums import PrincipalKind
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from api.roles import Role


@strawberry.type
class TenantSummary:
    slug: str
    name: str


@strawberry.type
class Me:
    kind: PrincipalKind
    id: int
    name: str
    email: str | None
    role: Role
    tenant: TenantSummary | None


@strawberry_django.type(models.User)
class User:
    id: strawberry.auto
    email: strawberry.auto
    name: strawberry.auto
    role: Role
    is_active: strawberry.auto
    created_at: strawberry.auto


@strawberry_django.type(models.ApiKey)
class ApiKey:
    id: strawberry.auto
    name: strawberry.auto
    prefix: strawberry.auto
    role: Role
    created_at: strawberry.auto
    expires_at: strawberry.auto
    revoked_at: strawberry.auto
    last_used_at: strawberry.auto


@strawberry.type
class ApiKeyCreated:
    api_key: ApiKey
    key: str = strawberry.field(description="The full key. Shown only once.")


@strawberry.input
class UserCreateInput:
    email: str
    password: str
    role: Role
    name: str = ""


@strawberry.input
class UserUpdateInput:
    role: Role | None = None
    name: str | None = None
    is_active: bool | None = None


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The caller, its role and its tenant.")
    def me(self, info: Info) -> Me:
        data = selectors.me(actor=actor(info))
        tenant = cast(dict[str, str] | None, data.pop("tenant"))
        return Me(**data, tenant=TenantSummary(**tenant) if tenant else None)  # type: ignore[arg-type]

    @connection(Connection[User], description="The tenant's users by id.")
    def users(self, info: Info) -> QuerySet[models.User]:
        return selectors.user_list(actor=actor(info))

    @connection(Connection[ApiKey], description="The tenant's API keys, newest first.")
    def api_keys(self, info: Info) -> QuerySet[models.ApiKey]:
        return selectors.api_key_list(actor=actor(info))


@strawberry.type
class IdentityMutation:
    @strawberry.mutation
    def create_user(self, info: Info, input: UserCreateInput) -> User:
        user = services.user_create(
            actor=actor(info), email=input.email, password=input.password, role=input.role, name=input.name
        )
        return cast(User, user)

    @strawberry.mutation
    def update_user(self, info: Info, id: int, input: UserUpdateInput) -> User:
        user = services.user_update(
            actor=actor(info), user_id=id, role=input.role, name=input.name, is_active=input.is_active
        )
        return cast(User, user)

    @strawberry.mutation
    def create_api_key(self, info: Info, name: str, role: Role, expires_at: datetime | None = None) -> ApiKeyCreated:
        key, raw = services.api_key_create(actor=actor(info), name=name, role=role, expires_at=expires_at)
        return ApiKeyCreated(api_key=cast(ApiKey, key), key=raw)

    @strawberry.mutation
    def revoke_api_key(self, info: Info, id: int) -> ApiKey:
        return cast(ApiKey, services.api_key_revoke(actor=actor(info), key_id=id))
