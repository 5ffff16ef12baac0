from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
slug_validator = RegexValidator(
    SLUG_PATTERN,
    "A slug is 3-40 characters of lowercase letters, digits and hyphens, starting with a letter.",
)


class Tenant(TenantMixin):
    """A PR agency's client workspace: one PostgreSQL schema and one Elasticsearch alias."""

    slug: models.CharField = models.CharField(max_length=40, unique=True, validators=[slug_validator])
    name: models.CharField = models.CharField(max_length=200)
    is_active: models.BooleanField = models.BooleanField(default=True)
    created_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)

    # Schemas are created explicitly by tenants.services.tenant_create, and dropped with the tenant.
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Domain(DomainMixin):
    pass
