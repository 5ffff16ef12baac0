"""SLA targets per severity over REST: every severity is listed with its effective targets (defaults until set)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import TenantViewSet
from responses.models import SlaPolicy
from responses.sla import selectors as sla_selectors
from responses.sla import services as sla


class SlaTargetsSerializer(serializers.Serializer):
    severity = serializers.CharField(read_only=True)
    acknowledge_minutes = serializers.IntegerField(min_value=1, max_value=sla.MAX_MINUTES, required=False)
    first_statement_minutes = serializers.IntegerField(min_value=1, max_value=sla.MAX_MINUTES, required=False)
    resolve_minutes = serializers.IntegerField(min_value=1, max_value=sla.MAX_MINUTES, required=False)
    is_default = serializers.BooleanField(read_only=True)


class SlaPolicyViewSet(TenantViewSet):
    model = SlaPolicy
    serializer_class = SlaTargetsSerializer
    lookup_field = "severity"
    lookup_value_regex = "I|II|III|IV"
    http_method_names = ["get", "patch", "head"]

    @extend_schema(responses=SlaTargetsSerializer(many=True), summary="SLA targets of every severity, I first")
    def list(self, request: Request) -> Response:
        # Four severities fit the default page; the envelope is the same as every other list's.
        return self.paged(sla_selectors.sla_policies(actor=self.principal), SlaTargetsSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("severity", str, OpenApiParameter.PATH, enum=["I", "II", "III", "IV"])],
        responses=SlaTargetsSerializer,
        summary="SLA targets of one severity",
    )
    def retrieve(self, request: Request, severity: str) -> Response:
        found = {t.severity: t for t in sla_selectors.sla_policies(actor=self.principal)}
        return Response(SlaTargetsSerializer(found[severity]).data)

    @extend_schema(
        parameters=[OpenApiParameter("severity", str, OpenApiParameter.PATH, enum=["I", "II", "III", "IV"])],
        request=SlaTargetsSerializer,
        responses=SlaTargetsSerializer,
        summary="Change a severity's targets (minutes after the case opened)",
    )
    def partial_update(self, request: Request, severity: str) -> Response:
        data = SlaTargetsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        given: dict[str, Any] = dict(data.validated_data)
        targets = sla.sla_policy_update(actor=self.principal, severity=severity, **given)
        return Response(SlaTargetsSerializer(targets).data)
