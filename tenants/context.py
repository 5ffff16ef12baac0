"""The tenant the database connection is bound to, typed (django-tenants adds these attributes at run time)."""

from typing import Any, cast

from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants.models import Tenant


def _tenant_connection() -> Any:
    return cast(Any, connection)


def current_schema() -> str:
    return str(_tenant_connection().schema_name)


def current_tenant() -> Tenant | None:
    """The tenant of the current request, task or tenant_context block; None in the public schema."""
    tenant = getattr(_tenant_connection(), "tenant", None)
    return tenant if isinstance(tenant, Tenant) else None


def in_public_schema() -> bool:
    return current_schema() == get_public_schema_name()


def use_public_schema() -> None:
    _tenant_connection().set_schema_to_public()


def use_tenant(tenant: Tenant) -> None:
    _tenant_connection().set_tenant(tenant)
