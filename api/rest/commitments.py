"""Commitments over REST: a case's commitments (by status, soonest due first) and making one; one commitment, its
changes, keeping it with a published follow-up statement, withdrawing it with a reason."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import TenantViewSet, list_param
from config.jsonsafe import INT_MAX
from responses.commitments import selectors, services
from responses.models import Commitment, CommitmentKind, CommitmentStatus


class CommitmentSerializer(serializers.ModelSerializer):
    case_id = serializers.IntegerField()
    statement = serializers.IntegerField(source="statement_id", help_text="The statement that made the promise")
    kind = serializers.ChoiceField(choices=CommitmentKind.choices)
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    owner_id = serializers.IntegerField(allow_null=True)
    task_id = serializers.IntegerField(allow_null=True, help_text="The case task that tracks it")
    follow_up_statement = serializers.IntegerField(
        source="follow_up_statement_id", allow_null=True, help_text="The published statement that reports it kept"
    )

    class Meta:
        model = Commitment
        fields = [
            "id",
            "case_id",
            "statement",
            "kind",
            "description",
            "due_at",
            "owner_id",
            "task_id",
            "status",
            "follow_up_statement",
            "kept_at",
            "missed_at",
            "withdrawn_at",
            "withdrawn_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CommitmentCreateInput(serializers.Serializer):
    statement = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, help_text="The statement of this case that made the promise"
    )
    kind = serializers.ChoiceField(choices=CommitmentKind.choices)
    description = serializers.CharField(max_length=services.MAX_TEXT)
    due_at = serializers.DateTimeField(help_text="In the future; the tracking task gets the same due time")
    owner_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=INT_MAX)


class CommitmentUpdateInput(serializers.Serializer):
    description = serializers.CharField(required=False, max_length=services.MAX_TEXT)
    due_at = serializers.DateTimeField(required=False, help_text="In the future")
    owner_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=INT_MAX)


class CommitmentKeepInput(serializers.Serializer):
    follow_up_statement = serializers.IntegerField(
        min_value=1,
        max_value=INT_MAX,
        help_text="Another statement of the same case, already published, that reports the promise kept",
    )


class CommitmentWithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_TEXT)


@extend_schema_view(
    list=extend_schema(
        operation_id="cases_commitments_list",
        summary="A case's commitments, soonest due first",
        parameters=[OpenApiParameter("status", str, many=True, enum=CommitmentStatus.values)],
    ),
)
class CaseCommitmentViewSet(mixins.ListModelMixin, TenantViewSet):
    """`/cases/{id}/commitments`: what the case's statements promised, and making a new one."""

    model = Commitment
    serializer_class = CommitmentSerializer
    ordering_fields = ("due_at", "created_at")

    def select(self) -> Any:
        found = selectors.case_commitments(
            actor=self.principal,
            case_id=int(self.kwargs["id"]),
            status=list_param(self.request.query_params, "status"),
        )
        return found

    @extend_schema(
        operation_id="cases_commitments_create",
        summary="Record a statement's promise; a case task with the same due time tracks it",
        request=CommitmentCreateInput,
        responses={201: CommitmentSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CommitmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        commitment = services.commitment_create(actor=self.principal, case_id=int(kwargs["id"]), **data.validated_data)
        return Response(CommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(retrieve=extend_schema(summary="One commitment"))
class CommitmentViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    model = Commitment
    serializer_class = CommitmentSerializer
    http_method_names = ["get", "post", "patch", "head"]
    conflicts = {
        "partial_update": "The commitment is no longer open (`invalid_transition`)",
        "keep": "The commitment is kept or withdrawn (`invalid_transition`), or the follow-up statement is not "
        "published (`statement_not_published`)",
        "withdraw": "The commitment is kept or withdrawn (`invalid_transition`)",
    }

    def _one(self, commitment: Commitment) -> Response:
        fresh = selectors.commitment_get(actor=self.principal, commitment_id=commitment.pk)
        return Response(CommitmentSerializer(fresh).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._one(selectors.commitment_get(actor=self.principal, commitment_id=int(kwargs["pk"])))

    @extend_schema(
        request=CommitmentUpdateInput,
        responses=CommitmentSerializer,
        summary="Change an open commitment's description, due time or owner (its task follows)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = CommitmentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._one(services.commitment_update(actor=self.principal, commitment_id=int(pk), **data.validated_data))

    @extend_schema(
        request=CommitmentKeepInput,
        responses=CommitmentSerializer,
        summary="Keep it: a published follow-up statement of the case reports it (its task is done)",
    )
    @action(detail=True, methods=["post"])
    def keep(self, request: Request, pk: str) -> Response:
        data = CommitmentKeepInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._one(services.commitment_keep(actor=self.principal, commitment_id=int(pk), **data.validated_data))

    @extend_schema(
        request=CommitmentWithdrawInput,
        responses=CommitmentSerializer,
        summary="Withdraw it, with a reason (its task is cancelled)",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        data = CommitmentWithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        commitment = services.commitment_withdraw(actor=self.principal, commitment_id=int(pk), **data.validated_data)
        return self._one(commitment)
