"""The security audit log over REST: read-only, admins only. Views parse, call the selector, render."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import TenantViewSet, list_param
from tenants.audit import selectors
from tenants.audit.models import AuditEntry


class AuditEntryOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "action",
            "actor_type",
            "actor_id",
            "actor_name",
            "target_type",
            "target_id",
            "ip",
            "user_agent",
            "details",
        ]


class AuditFilterInput(serializers.Serializer):
    action = serializers.CharField(
        required=False, max_length=1000, help_text="Codes, comma-separated or repeated; `auth.*` for a family."
    )
    actor = serializers.CharField(
        required=False, max_length=254, help_text="An email or API key name, or `user:<id>` / `api_key:<id>`."
    )
    since = serializers.DateTimeField(required=False, help_text="Entries at or after (ISO 8601).")
    until = serializers.DateTimeField(required=False, help_text="Entries at or before (ISO 8601).")
    target_type = serializers.CharField(
        required=False, max_length=50, help_text="Comma-separated or repeated: user, api_key, notification_channel…"
    )


@extend_schema_view(retrieve=extend_schema(summary="One audit log entry"))
class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Nothing here writes: every other method is a 405 (for callers allowed to read it)."""

    model = AuditEntry
    serializer_class = AuditEntryOutput
    ordering_fields = ("created_at", "action")

    def select(self) -> Any:
        return selectors.audit_list(actor=self.principal)

    @extend_schema(
        parameters=[AuditFilterInput],
        responses=AuditEntryOutput(many=True),
        summary="The tenant's security audit log, newest first",
    )
    def list(self, request: Request) -> Response:
        data = AuditFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        filters = data.validated_data
        entries = selectors.audit_list(
            actor=self.principal,
            actions=list_param(request.query_params, "action"),
            by=filters.get("actor"),
            since=filters.get("since"),
            until=filters.get("until"),
            target_types=list_param(request.query_params, "target_type"),
        )
        return self.paged(entries, AuditEntryOutput)
