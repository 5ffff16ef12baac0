"""Crisis statements over REST: versions, ordered approvals, publishing per channel, retraction, consistency."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import VERSION_MAX, TenantViewSet, int_param
from responses.models import (
    CaseRole,
    Channel,
    Statement,
    StatementApproval,
    StatementPublication,
    StatementVersion,
)
from responses.statements import selectors
from responses.statements import services as statements


class StatementVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementVersion
        fields = ["number", "title", "body", "diff", "author", "created_at"]


class StatementApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementApproval
        fields = ["id", "version", "role", "approver", "approver_name", "decision", "comment", "at"]


class StatementPublicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementPublication
        fields = ["id", "version", "channel", "url", "published_at", "published_by", "retracted_at"]


class StatementSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    pending_approvals = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "case",
            "title",
            "status",
            "current_version",
            "published_version",
            "required_approvals",
            "pending_approvals",
            "supersedes",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "retracted_at",
            "retraction_reason",
        ]
        read_only_fields = fields

    def get_pending_approvals(self, statement: Statement) -> list[str]:
        return statements.pending_roles(statement)


class StatementDetailSerializer(StatementSerializer):
    body = serializers.SerializerMethodField()
    versions = StatementVersionSerializer(many=True, read_only=True)
    approvals = StatementApprovalSerializer(many=True, read_only=True)
    publications = StatementPublicationSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "body", "versions", "approvals", "publications"]
        read_only_fields = fields

    def get_body(self, statement: Statement) -> str:
        """The text of the current version."""
        return next(v.body for v in statement.versions.all() if v.number == statement.current_version)


class StatementCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    body = serializers.CharField()
    required_approvals = serializers.ListField(
        child=serializers.ChoiceField(choices=CaseRole.choices),
        required=False,
        help_text="Case roles that approve, in order; default legal then commander; [] for none.",
    )
    supersedes_id = serializers.IntegerField(required=False, allow_null=True)


class StatementEditInput(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=300)
    body = serializers.CharField(required=False)


class StatementApproveInput(serializers.Serializer):
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class StatementRejectInput(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class StatementPublishInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    url = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    published_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Defaults to now.")


class StatementRetractInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class StatementDiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    diff = serializers.CharField()


class ChannelStateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    statement_id = serializers.IntegerField()
    version = serializers.IntegerField()
    url = serializers.CharField()
    published_at = serializers.DateTimeField()
    flag = serializers.ChoiceField(choices=["outdated_version", "superseded"], allow_null=True)
    expected_statement_id = serializers.IntegerField()
    expected_version = serializers.IntegerField()


class StatementConsistencySerializer(serializers.Serializer):
    consistent = serializers.BooleanField()
    channels = ChannelStateSerializer(many=True)


class StatementViewSet(TenantViewSet):
    """One statement and its workflow; the case's list lives at `/cases/{id}/statements`."""

    model = Statement
    serializer_class = StatementDetailSerializer
    conflicts = {
        "partial_update": "The statement's status does not allow editing, or its case is closed",
        "submit": "The statement's status does not allow submitting, or its case is closed",
        "approve": "The statement is not awaiting approval, or its case is closed",
        "reject": "The statement is not awaiting approval, or its case is closed",
        "publish": "The statement is not approved, is already published on this channel, or its case is closed",
        "retract": "The statement is not published",
    }
    http_method_names = ["get", "post", "patch", "head"]

    def _detail(self, statement: Statement) -> Response:
        fresh = selectors.statement_get(actor=self.principal, statement_id=statement.pk)
        return Response(StatementDetailSerializer(fresh).data)

    @extend_schema(summary="One statement with its versions, approvals and publications")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        statement = selectors.statement_get(actor=self.principal, statement_id=int(kwargs["pk"]))
        return Response(StatementDetailSerializer(statement).data)

    @extend_schema(request=StatementEditInput, responses=StatementDetailSerializer, summary="Edit: a new version")
    def partial_update(self, request: Request, pk: str) -> Response:
        data = StatementEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            statements.statement_edit(actor=self.principal, statement_id=int(pk), **data.validated_data)
        )

    @extend_schema(request=None, responses=StatementDetailSerializer, summary="Submit for approval")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._detail(statements.statement_submit(actor=self.principal, statement_id=int(pk)))

    @extend_schema(
        request=StatementApproveInput,
        responses=StatementDetailSerializer,
        summary="Approve as the case role that is due next",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        data = StatementApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            statements.statement_approve(actor=self.principal, statement_id=int(pk), **data.validated_data)
        )

    @extend_schema(request=StatementRejectInput, responses=StatementDetailSerializer, summary="Send back to draft")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = StatementRejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            statements.statement_reject(actor=self.principal, statement_id=int(pk), **data.validated_data)
        )

    @extend_schema(
        request=StatementPublishInput,
        responses={201: StatementPublicationSerializer},
        summary="Record the current version as published on a channel",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        data = StatementPublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        publication = statements.statement_publish(actor=self.principal, statement_id=int(pk), **data.validated_data)
        return Response(StatementPublicationSerializer(publication).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StatementRetractInput, responses=StatementDetailSerializer, summary="Take it down")
    @action(detail=True, methods=["post"])
    def retract(self, request: Request, pk: str) -> Response:
        data = StatementRetractInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            statements.statement_retract(actor=self.principal, statement_id=int(pk), **data.validated_data)
        )

    @extend_schema(responses=StatementVersionSerializer(many=True), summary="All versions, oldest first")
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str) -> Response:
        found = selectors.statement_versions(actor=self.principal, statement_id=int(pk))
        return self.paged(found, StatementVersionSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("from", int), OpenApiParameter("to", int)],
        responses=StatementDiffSerializer,
        summary="Unified diff between two versions (default: the current one against the one before)",
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str) -> Response:
        result = selectors.statement_diff(
            actor=self.principal,
            statement_id=int(pk),
            from_version=int_param(request.query_params, "from", minimum=1, maximum=VERSION_MAX),
            to_version=int_param(request.query_params, "to", minimum=1, maximum=VERSION_MAX),
        )
        return Response(StatementDiffSerializer(result).data)
