"""Every route of every host, for the published OpenAPI schema (and the query-parameter check that reads it): a
tenant's routes and the public host's own (the platform API, Stripe's webhooks)."""

from django.urls import include, path

from api.rest.urls import public_only_urlpatterns
from config.urls import urlpatterns as tenant_urlpatterns

urlpatterns = [
    *tenant_urlpatterns,
    path("api/v1/", include(public_only_urlpatterns)),
]
