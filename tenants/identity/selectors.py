from django.db.models import QuerySet

from tenants.context import current_tenant, in_public_schema
from tenants.identity.models import ApiKey, User
from tenants.identity.principals import Principal, check_permission


def user_list(*, actor: Principal) -> QuerySet[User]:
    check_permission(actor, "users.read")
    return User.objects.all().order_by("id")


def api_key_list(*, actor: Principal) -> QuerySet[ApiKey]:
    check_permission(actor, "api_keys.read")
    return ApiKey.objects.all().order_by("-id")


def me(*, actor: Principal) -> dict[str, object]:
    """The caller, its role and its tenant, as /api/v1/me and GraphQL `me` show them."""
    check_permission(actor, "platform.read" if in_public_schema() else "tenant.read")
    tenant = current_tenant()
    tenant_info = {"slug": tenant.slug, "name": tenant.name} if tenant else None
    return {
        "kind": actor.kind,
        "id": actor.id,
        "name": actor.name,
        "email": actor.user.email if actor.user else None,
        "role": actor.role,
        "tenant": tenant_info,
    }
