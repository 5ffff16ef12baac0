"""Routes of the public host: billing admins, health and docs; no tenant data is reachable here."""

from django.urls import include, path

from api.graphql.schema import public_schema
from api.graphql.views import VigilGraphQLView
from api.rest.urls import public_urlpatterns
from config.urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("graphql/", VigilGraphQLView.as_view(schema=public_schema), name="graphql"),
    path("api/v1/", include(public_urlpatterns)),
]

handler400 = "api.rest.errors.bad_request_view"
handler403 = "api.rest.errors.permission_denied_view"
handler404 = "api.rest.errors.not_found_view"
handler500 = "api.rest.errors.server_error_view"
