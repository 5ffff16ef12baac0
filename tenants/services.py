"""Tenant lifecycle: create (schema, domain, first admin, API key, search index) and delete (schema and indices).

The domain apps' parts (default warning policy, search index) are registered hooks (tenants/hooks.py).
"""

import re
import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django_tenants.utils import tenant_context

from config.errors import ConflictError, ErrorList, NotFoundError
from tenants import hooks
from tenants.billing.models import Plan
from tenants.billing.services import account_open, plan_for_code
from tenants.identity.principals import SYSTEM
from tenants.identity.roles import Role
from tenants.identity.services import api_key_create, user_create
from tenants.models import SLUG_PATTERN, Domain, Tenant

RESERVED_SLUGS = frozenset({"public", "www", "api", "admin", "static", "billing"})


@dataclass
class TenantCreated:
    slug: str
    name: str
    schema: str
    domain: str
    admin_email: str
    admin_password: str
    api_key: str
    search_index: str | None
    plan: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _validate(slug: str, name: str, admin_email: str, plan_code: str) -> Plan:
    errors = ErrorList()
    if not re.fullmatch(SLUG_PATTERN, slug):
        errors.add(
            "slug",
            "A slug is 3-40 characters of lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen.",
        )
    elif slug in RESERVED_SLUGS:
        errors.add("slug", f"'{slug}' is reserved.")
    if not name.strip():
        errors.add("name", "Name is required.")
    elif len(name) > 200:
        errors.add("name", "Name must be at most 200 characters.")
    try:
        validate_email(admin_email)
    except DjangoValidationError:
        errors.add("admin_email", "Enter a valid email address.")
    plan = plan_for_code(errors, plan_code)
    errors.raise_if_any()
    assert plan is not None
    if Tenant.objects.filter(slug=slug).exists():
        raise ConflictError(f"Tenant '{slug}' already exists.", field="slug")
    return plan


def tenant_create(
    *, slug: str, name: str, admin_email: str, admin_password: str | None = None, plan: str | None = None
) -> TenantCreated:
    """`plan` is a plan code (BILLING_DEFAULT_PLAN when omitted); the tenant starts trialing on it."""
    slug = slug.strip().lower()
    admin_email = admin_email.strip().lower()
    on_plan = _validate(slug, name, admin_email, plan or settings.BILLING_DEFAULT_PLAN)
    password = admin_password or secrets.token_urlsafe(12)

    tenant = Tenant(slug=slug, name=name.strip(), schema_name=f"t_{slug.replace('-', '_')}")
    with transaction.atomic():
        tenant.save()
        domain = Domain.objects.create(domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=tenant, is_primary=True)
        account_open(tenant=tenant, plan=on_plan)
    try:
        tenant.create_schema(check_if_exists=True, verbosity=0)
        with tenant_context(tenant):
            user_create(actor=SYSTEM, email=admin_email, password=password, role=Role.ADMIN, name="Administrator")
            _key, raw_key = api_key_create(actor=SYSTEM, name="default", role=Role.ADMIN)
            for setup in hooks.schema_setups():
                setup()
    except Exception:
        # A half-made tenant is worse than none: drop the schema and rows so the slug can be retried.
        tenant.delete(force_drop=True)
        raise

    search_index = hooks.search_index().ensure(slug)
    return TenantCreated(
        slug=slug,
        name=tenant.name,
        schema=tenant.schema_name,
        domain=domain.domain,
        admin_email=admin_email,
        admin_password=password,
        api_key=raw_key,
        search_index=search_index,
        plan=on_plan.code,
    )


def tenant_delete(*, slug: str) -> list[str]:
    """Drop the tenant's schema and rows and delete its search indices; returns the deleted index names."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise NotFoundError(f"No tenant '{slug}'.", field="slug")
    indices = hooks.search_index().delete(slug)
    tenant.delete(force_drop=True)
    return indices
