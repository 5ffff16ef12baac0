"""Routes of a tenant's host (or X-Tenant header)."""

from django.urls import include, path

from config.urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("api/v1/", include("api.rest.urls")),
]
