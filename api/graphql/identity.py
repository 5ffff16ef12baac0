from datetime import datetime
from typing import cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from api import ratelimit
from api.graphql.enums import PrincipalKind
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from api.ratelimit import client_address
from tenants.identity import invitations, models, selectors, services
from tenants.identity.models import InvitationStatus
from tenants.identity.roles import Role


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


@strawberry_django.type(models.Invitation)
class Invitation:
    id: strawberry.auto
    email: strawberry.auto
    name: strawberry.auto
    role: Role
    invited_by: strawberry.auto
    created_at: strawberry.auto
    expires_at: strawberry.auto
    accepted_at: strawberry.auto
    revoked_at: strawberry.auto
    user_id: int | None = strawberry.field(description="The account made on acceptance.")

    @strawberry_django.field
    def status(self, root: models.Invitation) -> InvitationStatus:
        return InvitationStatus(root.status)


@strawberry.input
class InviteUserInput:
    email: str
    role: Role
    name: str = strawberry.field(default="", description="Suggested; the invitee may change it.")


@strawberry.input
class UserUpdateInput:
    role: Role | None = None
    name: str | None = None
    is_active: bool | None = None


@strawberry.type
class MeQuery:
    @strawberry.field(description="The caller, its role and its tenant.")
    def me(self, info: Info) -> Me:
        data = selectors.me(actor=actor(info))
        tenant = cast(dict[str, str] | None, data.pop("tenant"))
        return Me(**data, tenant=TenantSummary(**tenant) if tenant else None)  # type: ignore[arg-type]


@strawberry.type
class IdentityQuery:
    @connection(Connection[User], description="The tenant's users by id.")
    def users(self, info: Info) -> QuerySet[models.User]:
        return selectors.user_list(actor=actor(info))

    @connection(Connection[Invitation], description="Invitations, newest first, optionally of one status.")
    def invitations(self, info: Info, status: InvitationStatus | None = None) -> QuerySet[models.Invitation]:
        return invitations.invitation_list(actor=actor(info), status=status)

    @connection(Connection[ApiKey], description="The tenant's API keys, newest first.")
    def api_keys(self, info: Info) -> QuerySet[models.ApiKey]:
        return selectors.api_key_list(actor=actor(info))


@strawberry.type
class PasswordResetMutation:
    @strawberry.mutation(
        description="Ask for a password-reset link by email. Always true: whether the address has an account is "
        "not said. No credentials."
    )
    def request_password_reset(self, info: Info, email: str) -> bool:
        ratelimit.account_request_hit(address=client_address(info.context.request), email=email)
        invitations.password_reset_request(email=email)
        return True

    @strawberry.mutation(description="Set a new password with the mailed token; earlier tokens stop working.")
    def confirm_password_reset(self, info: Info, token: str, password: str) -> User:
        ratelimit.account_request_hit(address=client_address(info.context.request))
        return cast(User, invitations.password_reset_confirm(token=token, password=password))


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Invite a person by email with a role; the password link is mailed to them.")
    def invite_user(self, info: Info, input: InviteUserInput) -> Invitation:
        invitation = invitations.invitation_create(
            actor=actor(info), email=input.email, role=input.role, name=input.name
        )
        return cast(Invitation, invitation)

    @strawberry.mutation(description="Revoke an invitation; its link stops working.")
    def revoke_invitation(self, info: Info, id: int) -> Invitation:
        return cast(Invitation, invitations.invitation_revoke(actor=actor(info), invitation_id=id))

    @strawberry.mutation(
        description="Accept an invitation with the mailed token and one's own password. No credentials."
    )
    def accept_invitation(self, info: Info, token: str, password: str, name: str = "") -> User:
        ratelimit.account_request_hit(address=client_address(info.context.request))
        return cast(User, invitations.invitation_accept(token=token, name=name, password=password))

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
