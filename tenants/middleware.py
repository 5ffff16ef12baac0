"""Resolves the tenant of each request, failing closed: an unknown tenant is a 404, never the public schema."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.utils import remove_www

from config.errors import NotFoundError
from tenants import selectors
from tenants.context import use_public_schema, use_tenant

TENANT_HEADER = "X-Tenant"


def _error(exc: NotFoundError) -> JsonResponse:
    return JsonResponse({"error": exc.as_dict()}, status=exc.status_code)


class TenantResolutionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        use_public_schema()
        host = remove_www(request.get_host().split(":")[0]).lower()
        slug = request.headers.get(TENANT_HEADER)
        tenant = None
        if slug is not None:
            tenant = selectors.tenant_get_by_slug(slug=slug.strip().lower())
            if tenant is None:
                return _error(NotFoundError(f"No tenant '{slug}'.", field=TENANT_HEADER, code="tenant_not_found"))
            host_tenant = selectors.tenant_get_by_host(host=host)
            if host_tenant is not None and host_tenant.pk != tenant.pk:
                # The host names one tenant and the header another: refuse rather than guess.
                return _error(
                    NotFoundError(f"No tenant '{slug}' on this host.", field=TENANT_HEADER, code="tenant_not_found")
                )
        elif not selectors.host_is_public(host=host):
            tenant = selectors.tenant_get_by_host(host=host)
            if tenant is None:
                return _error(NotFoundError(f"No tenant for host '{host}'.", field="Host", code="tenant_not_found"))

        request.tenant = tenant  # type: ignore[attr-defined]
        if tenant is None:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
        else:
            use_tenant(tenant)
        try:
            return self.get_response(request)
        finally:
            use_public_schema()
