"""Auth, the caller, users and API keys. Views only parse, call a service or selector, and render."""

from typing import Any

from drf_spectacular.utils import extend_schema
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


def principal(request: Request) -> Principal:
    assert isinstance(request.user, Principal)
    return request.user


class TokenObtainView(ApiView):
    authentication_classes: list[Any] = []
    idempotent = False
    required_permissions = {"post": None}

    @extend_schema(request=s.TokenObtainInput, responses=s.TokenPairOutput, summary="Log in: JWT pair")
    def post(self, request: Request) -> Response:
        data = s.TokenObtainInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(tokens_issue(**data.validated_data, address=client_address(request)))


class TokenRefreshView(ApiView):
    authentication_classes: list[Any] = []
    idempotent = False
    required_permissions = {"post": None}

    @extend_schema(request=s.TokenRefreshInput, responses=s.AccessTokenOutput, summary="New access token")
    def post(self, request: Request) -> Response:
        data = s.TokenRefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(tokens_refresh(**data.validated_data))


class MeView(ApiView):
    required_permissions = {"get": "tenant.read"}

    @extend_schema(responses=s.MeOutput, summary="The caller, its role and its tenant")
    def get(self, request: Request) -> Response:
        return Response(s.MeOutput(selectors.me(actor=principal(request))).data)


class PublicMeView(MeView):
    required_permissions = {"get": "platform.read"}


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = User
    serializer_class = s.UserOutput
    ordering_fields = ("email", "name", "created_at")
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


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = ApiKey
    serializer_class = s.ApiKeyOutput
    ordering_fields = ("name", "created_at", "expires_at", "last_used_at")
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
