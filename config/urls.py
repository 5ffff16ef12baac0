"""Routes of a tenant's host (or X-Tenant header)."""

from django.urls import include, path

from api.graphql.schema import schema
from api.graphql.views import VigilGraphQLView
from config.urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("graphql/", VigilGraphQLView.as_view(schema=schema), name="graphql"),
    path("api/v1/", include("api.rest.urls")),
]

handler400 = "api.rest.errors.bad_request_view"
handler403 = "api.rest.errors.permission_denied_view"
handler404 = "api.rest.errors.not_found_view"
handler500 = "api.rest.errors.server_error_view"
