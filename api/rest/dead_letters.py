"""Dead letters over REST: what background work quarantined, how much is open, and retrying one."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import TenantViewSet
from monitoring.deadletters import selectors, services
from monitoring.models import DeadLetter, DeadLetterKind


class DeadLetterOutput(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields = [
            "id",
            "kind",
            "item_model",
            "item_key",
            "reason",
            "attempts",
            "first_failed_at",
            "last_failed_at",
            "resolved_at",
        ]


class DeadLetterFilterInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadLetterKind.choices, required=False)
    resolved = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="false: open ones only; true: resolved only."
    )


class DeadLetterCountsOutput(serializers.Serializer):
    open = serializers.IntegerField(help_text="Open dead letters of every kind.")
    by_kind = serializers.DictField(child=serializers.IntegerField(), help_text="Open dead letters per kind.")


@extend_schema_view(retrieve=extend_schema(summary="One dead letter"))
class DeadLetterViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    model = DeadLetter
    serializer_class = DeadLetterOutput
    conflicts = {"retry": "The dead letter is already resolved"}
    ordering_fields = ("last_failed_at", "first_failed_at", "attempts")

    def select(self) -> Any:
        return selectors.dead_letter_list(actor=self.principal)

    @extend_schema(
        parameters=[DeadLetterFilterInput],
        responses=DeadLetterOutput(many=True),
        summary="Items background work quarantined (search indexing, deliveries, warning scopes, case clocks)",
    )
    def list(self, request: Request) -> Response:
        data = DeadLetterFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        letters = selectors.dead_letter_list(
            actor=self.principal, kind=data.validated_data.get("kind"), resolved=data.validated_data["resolved"]
        )
        return self.paged(letters, DeadLetterOutput)

    @extend_schema(responses=DeadLetterCountsOutput, summary="How many dead letters are open, per kind")
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        by_kind = selectors.dead_letter_counts(actor=self.principal)
        return Response(DeadLetterCountsOutput({"open": sum(by_kind.values()), "by_kind": by_kind}).data)

    @extend_schema(
        request=None,
        responses=DeadLetterOutput,
        summary="Re-run the item now: resolved if it works, otherwise reason and attempts are updated",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        letter = services.dead_letter_retry(actor=self.principal, dead_letter_id=int(pk))
        return Response(DeadLetterOutput(letter).data)
