from django.conf import settings
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, Tenant


def tenant_get_by_slug(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug, is_active=True).first()


def tenant_get_by_host(*, host: str) -> Tenant | None:
    domain = Domain.objects.select_related("tenant").filter(domain=host, tenant__is_active=True).first()
    return domain.tenant if domain else None


def host_is_public(*, host: str) -> bool:
    return host == settings.BASE_DOMAIN or host in settings.PUBLIC_HOSTS


def tenant_list() -> list[Tenant]:
    return list(Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("slug"))
