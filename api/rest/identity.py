"""Auth, the caller, users and API keys. Views only parse, call a service or selector, and render."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import selectors, services
from api.authentication import tokens_issue, tokens_refresh
from api.models import ApiKey, User
from api.principals import Principal
from api.ratelimit import client_address
from api.rest import serializers as s
from api.rest.base import ApiView, TenantViewSet
from api.rest.schema import error_response


def principal(request: Request) -> Principal:
    assert isinstance(request.user, Principal)
    return request.user


class TokenObtainView(ApiView):
    authentication_classes: list[Any] = []
    required_permissions = {"post": None}

    @extend_schema(
        operation_id="auth_token_obtain",
        request=s.TokenObtainInput,
        responses={
            200: s.TokenPairOutput,
            401: error_response("Email or password is wrong, or the user is inactive (`authentication_failed`)."),
            429: error_response(
                "Too many requests, or too many failed logins for this email or address (`rate_limited`)."
            ),
        },
        summary="Log in with email and password: an access and a refresh token",
    )
    def post(self, request: Request) -> Response:
        data = s.TokenObtainInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(tokens_issue(**data.validated_data, address=client_address(request)))


class TokenRefreshView(ApiView):
    authentication_classes: list[Any] = []
    required_permissions = {"post": None}

    @extend_schema(
        operation_id="auth_token_refresh",
        request=s.TokenRefreshInput,
        responses={
            200: s.AccessTokenOutput,
            401: error_response(
                "The refresh token is invalid or expired, or its user is gone (`authentication_failed`)."
            ),
            403: error_response("The refresh token was issued for another tenant (`wrong_tenant`)."),
        },
        summary="Trade a refresh token for a new access token",
    )
    def post(self, request: Request) -> Response:
        data = s.TokenRefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(tokens_refresh(**data.validated_data))


class MeView(ApiView):
    required_permissions = {"get": "tenant.read"}

    @extend_schema(operation_id="me_retrieve", responses=s.MeOutput, summary="The caller, its role and its tenant")
    def get(self, request: Request) -> Response:
        return Response(s.MeOutput(selectors.me(actor=principal(request))).data)


class PublicMeView(MeView):
    required_permissions = {"get": "platform.read"}


@extend_schema_view(
    list=extend_schema(summary="The tenant's users"),
    retrieve=extend_schema(summary="One user"),
    create=extend_schema(summary="Add a user with a role and a password"),
    partial_update=extend_schema(summary="Change a user's name or role, or deactivate or reactivate them"),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = User
    serializer_class = s.UserOutput
    conflicts = {
        "create": "A user with this email exists",
        "partial_update": "This would leave the tenant without an active admin",
    }
    required_permissions = {
        "list": "users.read",
        "retrieve": "users.read",
        "create": "users.manage",
        "partial_update": "users.manage",
    }

    def select(self) -> Any:
        return selectors.user_list(actor=self.principal)

    @extend_schema(request=s.UserCreateInput, responses={201: s.UserOutput})
    def create(self, request: Request) -> Response:
        data = s.UserCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=self.principal, **data.validated_data)
        return Response(s.UserOutput(user).data, status=201)

    @extend_schema(request=s.UserUpdateInput, responses=s.UserOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = s.UserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(actor=self.principal, user_id=int(pk), **data.validated_data)
        return Response(s.UserOutput(user).data)


@extend_schema_view(
    list=extend_schema(summary="The tenant's API keys (never their secrets)"),
    retrieve=extend_schema(summary="One API key (never its secret)"),
    create=extend_schema(summary="Create an API key with a role; the key is shown only in this response"),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = ApiKey
    serializer_class = s.ApiKeyOutput
    conflicts = {"revoke": "This is the tenant's last admin credential"}
    required_permissions = {
        "list": "api_keys.read",
        "retrieve": "api_keys.read",
        "create": "api_keys.manage",
        "revoke": "api_keys.manage",
    }

    def select(self) -> Any:
        return selectors.api_key_list(actor=self.principal)

    @extend_schema(request=s.ApiKeyCreateInput, responses={201: s.ApiKeyCreatedOutput})
    def create(self, request: Request) -> Response:
        data = s.ApiKeyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        key, raw = services.api_key_create(actor=self.principal, **data.validated_data)
        key.key = raw  # type: ignore[attr-defined]
        return Response(s.ApiKeyCreatedOutput(key).data, status=201)

    @extend_schema(request=None, responses=s.ApiKeyOutput, summary="Revoke a key; it stops working at once")
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        key = services.api_key_revoke(actor=self.principal, key_id=int(pk))
        return Response(s.ApiKeyOutput(key).data)
