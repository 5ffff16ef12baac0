"""Auth, the caller, users and API keys. Views only parse, call a service or selector, and render."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import ratelimit
from api.ratelimit import client_address
from api.rest import serializers as s
from api.rest.base import ApiView, TenantViewSet
from api.rest.schema import error_response
from tenants.identity import invitations, selectors, services
from tenants.identity.models import ApiKey, Invitation, InvitationStatus, User
from tenants.identity.principals import Principal
from tenants.identity.tokens import tokens_issue, tokens_refresh

RESET_REQUESTED = "If an active account uses this address, a reset link is on its way."


def principal(request: Request) -> Principal:
    assert isinstance(request.user, Principal)
    return request.user


class TokenObtainView(ApiView):
    authentication_classes: list[Any] = []
    idempotent = False
    permission_classes: list[Any] = []

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
    idempotent = False
    permission_classes: list[Any] = []

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
    @extend_schema(operation_id="me_retrieve", responses=s.MeOutput, summary="The caller, its role and its tenant")
    def get(self, request: Request) -> Response:
        return Response(s.MeOutput(selectors.me(actor=principal(request))).data)


@extend_schema_view(
    list=extend_schema(summary="The tenant's users"),
    retrieve=extend_schema(summary="One user"),
    partial_update=extend_schema(summary="Change a user's name or role, or deactivate or reactivate them"),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = User
    serializer_class = s.UserOutput
    ordering_fields = ("email", "name", "created_at")
    conflicts = {
        "partial_update": "This would leave the tenant without an active admin",
    }

    def select(self) -> Any:
        return selectors.user_list(actor=self.principal)

    @extend_schema(request=s.UserUpdateInput, responses=s.UserOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = s.UserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(actor=self.principal, user_id=int(pk), **data.validated_data)
        return Response(s.UserOutput(user).data)


@extend_schema_view(retrieve=extend_schema(summary="One invitation"))
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """People join by invitation only: the invitee chooses their password (POST /invitations/accept)."""

    model = Invitation
    serializer_class = s.InvitationOutput
    conflicts = {
        "create": "A user has this address, or it has a pending invitation",
        "revoke": "The invitation was already accepted",
    }

    def select(self) -> Any:
        status = self.request.query_params.get("status") if self.action == "list" else None
        return invitations.invitation_list(actor=self.principal, status=status or None)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=InvitationStatus.values)],
        summary="Invitations, newest first",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.InvitationCreateInput,
        responses={201: s.InvitationOutput},
        summary="Invite a person by email with a role; the link to choose a password is mailed to them",
    )
    def create(self, request: Request) -> Response:
        data = s.InvitationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(actor=self.principal, **data.validated_data)
        return Response(s.InvitationOutput(invitation).data, status=201)

    @extend_schema(request=None, responses=s.InvitationOutput, summary="Revoke an invitation; its link stops working")
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        invitation = invitations.invitation_revoke(actor=self.principal, invitation_id=int(pk))
        return Response(s.InvitationOutput(invitation).data)


class InvitationAcceptView(ApiView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="invitations_accept",
        request=s.InvitationAcceptInput,
        responses={201: s.UserOutput},
        summary="Accept an invitation: the invitee's own password (no credentials; the mailed token)",
    )
    def post(self, request: Request) -> Response:
        data = s.InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.account_request_hit(address=client_address(request))
        user = invitations.invitation_accept(**data.validated_data)
        return Response(s.UserOutput(user).data, status=201)


class PasswordResetView(ApiView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="auth_password_reset",
        request=s.PasswordResetInput,
        responses={202: s.AcceptedOutput},
        summary="Ask for a password-reset link by email (always 202: whether the address has an account is not said)",
    )
    def post(self, request: Request) -> Response:
        data = s.PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.account_request_hit(address=client_address(request), email=data.validated_data["email"])
        invitations.password_reset_request(**data.validated_data)
        return Response({"detail": RESET_REQUESTED}, status=202)


class PasswordResetConfirmView(ApiView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=s.PasswordResetConfirmInput,
        responses=s.UserOutput,
        summary="Set a new password with the mailed token; every earlier token of the user stops working",
    )
    def post(self, request: Request) -> Response:
        data = s.PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.account_request_hit(address=client_address(request))
        user = invitations.password_reset_confirm(**data.validated_data)
        return Response(s.UserOutput(user).data)


@extend_schema_view(
    list=extend_schema(summary="The tenant's API keys (never their secrets)"),
    retrieve=extend_schema(summary="One API key (never its secret)"),
    create=extend_schema(summary="Create an API key with a role; the key is shown only in this response"),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = ApiKey
    serializer_class = s.ApiKeyOutput
    ordering_fields = ("name", "created_at", "expires_at", "last_used_at")
    conflicts = {"revoke": "This is the tenant's last admin credential"}

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
