"""How the REST views appear in OpenAPI: security (a credential and the tenant), tags, operation ids, and the error
answers each operation can really give, all in the one `Error` shape.

drf-spectacular finds the authenticator extensions by subclass registration (api.apps imports this module) and uses
VigilAutoSchema for every view (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).
"""

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.rest import idempotency
from api.rest.errors import ErrorSerializer
from api.rest.permissions import IsAuthenticatedCaller
from tenants.middleware import TENANT_HEADER


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "api.rest.authentication.JWTAuthentication"
    name = "JWT"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from `POST /api/v1/auth/token`, sent as `Authorization: Bearer <token>`.",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.rest.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "The whole header value, scheme included: `Api-Key <tenant>.<prefix>.<secret>` "
                "(type it like that in Swagger UI's Authorize dialog)."
            ),
        }


TENANT_SCHEME = "Tenant"
TENANT_SCHEME_DEFINITION = {
    "type": "apiKey",
    "in": "header",
    "name": TENANT_HEADER,
    "description": (
        "The tenant's slug. Needed on every tenant operation unless the host names the tenant "
        "(`<slug>.<BASE_DOMAIN>`): without it a request reaches the public host, where a tenant's credential is a "
        "403 `wrong_tenant`. An unknown slug is a 404 `tenant_not_found`."
    ),
}
# Under these paths the tenant comes from X-Tenant or the host; /healthz and /readyz answer on any host.
TENANT_PATH_PREFIX = "/api/v1/"
# The public schema's own operations (billing admins, Stripe): no tenant to name.
PUBLIC_PATH_PREFIXES = ("/api/v1/platform/", "/api/v1/billing/stripe-webhook")
PUBLIC_ONLY_404 = "Asked on a tenant's host (or with `X-Tenant`): these operations exist on the public host only."
NEVER_SUSPENDED_PREFIXES = (*PUBLIC_PATH_PREFIXES, "/api/v1/billing", "/api/v1/mentions")
# RateLimitMiddleware counts every request under these, authenticated or not.
RATE_LIMITED_PREFIXES = ("/api/",)

# The view's module names its domain; a view in a module missing here fails schema generation instead of going
# untagged. SPECTACULAR_SETTINGS["TAGS"] describes each tag.
MODULE_TAGS = {
    "api.rest.identity": "identity",
    "api.rest.monitoring": "monitoring",
    "api.rest.analytics": "analytics",
    "api.rest.topics": "analytics",
    "api.rest.warning": "warning",
    "api.rest.cases": "cases",
    "api.rest.sla": "cases",
    "api.rest.evaluation": "cases",
    "api.rest.watch": "cases",
    "api.rest.commitments": "cases",
    "api.rest.aftercare": "aftercare",
    "api.rest.follow_ups": "aftercare",
    "api.rest.statements": "statements",
    "api.rest.scripts": "reply-scripts",
    "api.rest.playbooks": "playbooks",
    "api.rest.playbook_revisions": "playbooks",
    "api.rest.notifications": "notifications",
    "api.rest.audit": "audit",
    "api.rest.dead_letters": "dead-letters",
    "api.rest.health": "health",
    "api.rest.platform": "platform",
    "api.rest.billing": "billing",
}
# Standard viewset actions by the verb their operation id ends in (PATCH is the only update there is).
ACTION_VERBS = {
    "list": "list",
    "retrieve": "retrieve",
    "create": "create",
    "partial_update": "update",
    "destroy": "delete",
}
METHOD_VERBS = {"POST": "create", "PATCH": "update", "DELETE": "delete"}

ERRORS = {
    400: "Invalid input: `error.field` names the body field or query parameter (`error.details` lists every one).",
    401: "No credentials, or they are wrong, expired or revoked (`not_authenticated`, `authentication_failed`).",
    403: (
        "The caller's role may not do this (`permission_denied`), or the credential belongs to another tenant "
        "(`wrong_tenant`)."
    ),
    402: (
        "The tenant is suspended for an unpaid bill (`payment_required`): reads, exports and ingest still work, "
        "other changes do not."
    ),
    404: "Nothing with this id, or the caller may not see it (`not_found`).",
    422: "This `Idempotency-Key` was used with another body (`idempotency_key_reused`).",
    413: "The body is larger than the request limit (`payload_too_large`).",
    415: "The body is not in a media type this operation accepts (`unsupported_media_type`).",
    429: "Too many requests (`rate_limited`); wait as many seconds as `Retry-After` says.",
}
URI_TOO_LONG = (
    "The request line (path and query string) is longer than the web server takes (gunicorn: 4094 bytes; "
    "nginx: 8 KiB); put long searches in fewer or shorter parameters."
)
RETRY_AFTER_HEADER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds until the limit lets requests through."}
}
DIGITS_PATTERNS = ("^[0-9]+$", r"^\d+$")


IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_CHARS, "pattern": "^[ -~]+$"},
    OpenApiParameter.HEADER,
    description=(
        "Any unique string (a UUID). The same key with the same body within 24 hours replays the first "
        "successful answer (header `Idempotent-Replayed: true`) instead of running again; with another body it "
        "is a 422 `idempotency_key_reused`; while the first is still running, a 409 `idempotency_key_in_progress`."
    ),
)


def error_response(description: str) -> OpenApiResponse:
    """An error answer in the `Error` shape, for views that declare one of their own in extend_schema."""
    return OpenApiResponse(ErrorSerializer, description=description)


class VigilAutoSchema(AutoSchema):
    """Operation ids are `<resource>_<action>` (`cases_transition`, `cases_list`); views may declare
    `conflicts = {action: "when it is a 409"}` for the actions whose service refuses a state with ConflictError."""

    def get_tags(self) -> list[str]:
        return [MODULE_TAGS[type(self.view).__module__]]

    def get_operation_id(self) -> str:
        action = getattr(self.view, "action", None)
        # /platform/tenants and /billing/invoices are one resource each: platform_tenants_list.
        match = re.match(rf"^{TENANT_PATH_PREFIX}((?:platform/|billing/)?[^/{{]+)", self.path)
        if action is None or match is None:
            # Plain views (auth, me, health) name their operation in extend_schema(operation_id=...).
            return super().get_operation_id()
        verb = ACTION_VERBS.get(action)
        if verb is None:
            verb = action
            if len(getattr(self.view, action).mapping) > 1:
                # /cases/{id}/tasks serves GET and POST: cases_tasks_list, cases_tasks_create.
                verb = f"{action}_{self._method_verb()}"
        return f"{match.group(1).replace('-', '_').replace('/', '_')}_{verb}"

    def _method_verb(self) -> str:
        if self.method == "GET":
            return "list" if self._is_list_view() else "retrieve"
        return METHOD_VERBS[self.method]

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") in DIGITS_PATTERNS:
                # Ids are routed by a digits-only pattern: whole numbers, which a generated client should type so.
                parameter["schema"] = {"type": "integer"}
        return parameters

    def get_auth(self) -> list[dict[str, list[str]]]:
        requirements: list[dict[str, list[str]]] = super().get_auth()
        if not self.path.startswith(TENANT_PATH_PREFIX) or self.path.startswith(PUBLIC_PATH_PREFIXES):
            return requirements
        self.registry.register_on_missing(
            ResolvedComponent(
                name=TENANT_SCHEME,
                type=ResolvedComponent.SECURITY_SCHEMA,
                object=TENANT_SCHEME,
                schema=TENANT_SCHEME_DEFINITION,
            )
        )
        if not self._authenticated():
            return [{TENANT_SCHEME: []}]
        # Each requirement is one credential AND the tenant: Swagger UI sends both once both are filled in.
        return [{**requirement, TENANT_SCHEME: []} for requirement in requirements]

    def _authenticated(self) -> bool:
        permissions = self.view.get_permissions()
        return bool(self.view.get_authenticators()) and any(isinstance(p, IsAuthenticatedCaller) for p in permissions)

    def _idempotent(self) -> bool:
        return self.method == "POST" and bool(getattr(self.view, "idempotent", False)) and self._authenticated()

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._idempotent():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _has_body(self) -> bool:
        return self.method in ("POST", "PATCH", "PUT") and self.get_request_serializer() is not None

    def _has_query_parameters(self) -> bool:
        return any(parameter["in"] == "query" for parameter in self._get_parameters())

    def _conflict(self) -> str | None:
        if self.method == "GET":
            return None
        conflicts: dict[str, str] = getattr(self.view, "conflicts", {})
        return conflicts.get(getattr(self.view, "action", None) or self.method.lower())

    def error_statuses(self) -> dict[int, str]:
        """The error answers this operation can give, each with when it does."""
        has_body = self._has_body()
        found: dict[int, str] = {}
        # Unknown query parameters are a 400 on every operation (api.rest.query_params).
        found[400] = ERRORS[400]
        if self._authenticated():
            found[401], found[403] = ERRORS[401], ERRORS[403]
        # A suspended tenant may still pay: billing's own writes never answer 402.
        if self._authenticated() and self.method != "GET" and not self.path.startswith(NEVER_SUSPENDED_PREFIXES):
            found[402] = ERRORS[402]
        action = getattr(self.view, "action", None) or self.method.lower()
        # An id in the path, or one the operation looks up from its query or body (a case, a brand, a scope).
        if "{" in self.path or action in getattr(self.view, "looks_up", ()):
            found[404] = ERRORS[404]
        elif self.path.startswith(PUBLIC_PATH_PREFIXES):
            found[404] = PUBLIC_ONLY_404
        conflict = self._conflict()
        if self._idempotent():
            conflict = f"{conflict}, or " if conflict else ""
            conflict += "a request with this `Idempotency-Key` is still running"
            found[422] = ERRORS[422]
        if conflict:
            found[409] = f"{conflict} (`error.code` says which conflict)."
        if has_body:
            found[413], found[415] = ERRORS[413], ERRORS[415]
        if self.path.startswith(RATE_LIMITED_PREFIXES):
            found[429] = ERRORS[429]
        return found

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description in self.error_statuses().items():
            if str(status) in responses:
                continue  # the view described this answer itself
            responses[str(status)] = self._get_response_for_code(
                error_response(description), str(status), direction=direction
            )
        if "429" in responses:
            responses["429"].setdefault("headers", RETRY_AFTER_HEADER)
        # Refused by the web server before Vigil sees the request, so not in the Error shape (an HTML page).
        responses.setdefault("414", {"description": URI_TOO_LONG})
        return dict(sorted(responses.items()))
