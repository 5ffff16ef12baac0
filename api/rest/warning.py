"""Early warning over REST: policies (and their backtests), alerts with acknowledge/resolve/silence, silences."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ArchivableCrudViewSet, TenantViewSet, int_param, list_param
from api.rest.cases import CaseSerializer
from monitoring.models import Alert, AlertEvent, Level, Silence, WarningPolicy
from monitoring.models.warning import AlertStatus, ScopeKind
from monitoring.warning import selectors, services
from monitoring.warning.backtest import backtest
from monitoring.warning.indicators import TYPES
from responses.cases.services import case_from_alert
from responses.models import Scenario
from responses.promotion import services as promotion_services
from responses.promotion.selectors import promotion_rule_of, with_promotion_rules


class _FromPromotionRule(serializers.Field):
    """A `promote_*` field of the policy, kept by responses on the policy's promotion rule."""

    def get_attribute(self, instance: WarningPolicy) -> Any:
        return getattr(promotion_rule_of(instance), str(self.field_name).removeprefix("promote_"))


class PromotionChoiceField(_FromPromotionRule, serializers.ChoiceField):
    pass


class PromotionBooleanField(_FromPromotionRule, serializers.BooleanField):
    pass


class PolicySerializer(serializers.ModelSerializer):
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices, required=False)
    indicators = serializers.JSONField(
        help_text=f"[{{key, type, window_minutes, params, weight}}]; types: {', '.join(TYPES)}"
    )
    thresholds = serializers.JSONField(required=False, help_text="{blue, yellow, orange, red}, increasing, 0–100")
    ahp_matrix = serializers.JSONField(
        required=False, allow_null=True, help_text="Pairwise comparisons, one row per indicator (weighting 'ahp')"
    )
    weighting = serializers.ChoiceField(choices=["direct", "ahp"], required=False)
    resolve_below = serializers.FloatField(required=False)
    promote_level = PromotionChoiceField(
        choices=Level.choices, required=False, allow_blank=True, help_text="Open a case at this level; empty: never."
    )
    promote_own_brands_only = PromotionBooleanField(required=False, help_text="Promote only alerts on own brands.")
    promote_scenario = PromotionChoiceField(choices=Scenario.choices, required=False)

    class Meta:
        model = WarningPolicy
        fields = [
            "id",
            "name",
            "description",
            "is_active",
            "scope_kind",
            "scope_ids",
            "indicators",
            "weighting",
            "ahp_matrix",
            "consistency_ratio",
            "thresholds",
            "realert_minutes",
            "resolve_below",
            "resolve_after",
            "promote_level",
            "promote_own_brands_only",
            "promote_scenario",
            "expires_at",
            "created_at",
            "updated_at",
            "archived_at",
            "archived_by",
        ]
        read_only_fields = [
            "id",
            "consistency_ratio",
            "expires_at",
            "created_at",
            "updated_at",
            "archived_at",
            "archived_by",
        ]
        extra_kwargs: dict[str, dict[str, object]] = {"name": {"validators": []}}
        validators: list[object] = []  # no DRF check of the live-name constraint either


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["kind", "level", "index_value", "actor", "note", "at"]


class AlertSerializer(serializers.ModelSerializer):
    policy_name = serializers.CharField(source="policy.name", read_only=True)
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "policy",
            "policy_name",
            "scope",
            "status",
            "level",
            "peak_level",
            "index_value",
            "peak_index",
            "indicators",
            "opened_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolution",
            "resolved_by",
            "last_evaluated_at",
            "events",
        ]


class SilenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Silence
        fields = [
            "id",
            "scope",
            "policy",
            "starts_at",
            "ends_at",
            "reason",
            "created_by",
            "created_at",
            "ended_at",
            "ended_by",
        ]


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class SilenceInput(serializers.Serializer):
    minutes = serializers.IntegerField(help_text="How long, 1 to 43200 (30 days).")
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class ScopeSilenceInput(SilenceInput):
    scope = serializers.CharField(max_length=40, help_text="'tenant', 'rule:<id>', 'brand:<id>' or '*'")
    policy = serializers.IntegerField(required=False, allow_null=True, default=None)


class BacktestInput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    step_minutes = serializers.IntegerField(required=False, default=1)
    scopes = serializers.ListField(child=serializers.CharField(max_length=40), required=False)


class BacktestOutput(serializers.Serializer):
    policy = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    step_minutes = serializers.IntegerField()
    scopes = serializers.ListField(child=serializers.CharField())
    evaluations = serializers.IntegerField()
    alerts = serializers.ListField(
        child=serializers.DictField(),
        help_text="{scope, opened_at, resolved_at, level, peak_level, peak_index, "
        "events: [{kind, at, level, index}], indicators}",
    )


@extend_schema_view(
    list=extend_schema(summary="Warning policies (weighted indicators and level thresholds per scope)"),
    retrieve=extend_schema(summary="One warning policy"),
    create=extend_schema(summary="Add a warning policy"),
    partial_update=extend_schema(summary="Change a warning policy"),
)
class WarningPolicyViewSet(ArchivableCrudViewSet):
    model = WarningPolicy
    serializer_class = PolicySerializer
    conflicts = {
        "create": "A live warning policy has this name",
        "partial_update": "A live warning policy has this name, or this one is archived",
        "restore": "A live warning policy took this one's name meanwhile",
    }
    ordering_fields = ("name", "created_at", "updated_at")
    create_service = staticmethod(promotion_services.warning_policy_create)
    update_service = staticmethod(promotion_services.warning_policy_update)
    delete_service = staticmethod(services.policy_archive)
    restore_service = staticmethod(services.policy_restore)
    id_keyword = "policy_id"

    def select(self) -> Any:
        return with_promotion_rules(selectors.policy_list(actor=self.principal, archived=self.include_archived()))

    @extend_schema(
        request=BacktestInput,
        responses=BacktestOutput,
        summary="Alerts this policy would have raised over a past period (nothing is notified)",
    )
    @action(detail=True, methods=["post"])
    def backtest(self, request: Request, pk: str) -> Response:
        data = BacktestInput(data=request.data)
        data.is_valid(raise_exception=True)
        policy = selectors.policy_get(actor=self.principal, policy_id=int(pk))
        return Response(backtest(actor=self.principal, policy=policy, **data.validated_data))


class PromoteInput(serializers.Serializer):
    title = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)
    scenario = serializers.ChoiceField(choices=Scenario.choices, required=False, default=Scenario.OTHER)
    is_drill = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(summary="Alerts, newest first, by status, level, scope or policy"),
    retrieve=extend_schema(summary="One alert with its events"),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Alert
    serializer_class = AlertSerializer
    conflicts = {
        "acknowledge": "The alert is already acknowledged or resolved",
        "resolve": "The alert is already resolved",
        "promote": "The alert already opened a case",
    }
    ordering_fields = ("opened_at", "index_value", "peak_index", "last_evaluated_at")

    def select(self) -> Any:
        params = self.request.query_params
        return selectors.alert_list(
            actor=self.principal,
            status=list_param(params, "status"),
            level=list_param(params, "level"),
            scope=params.get("scope", ""),
            policy=int_param(params, "policy"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, many=True, enum=AlertStatus.values),
            OpenApiParameter("level", str, many=True, enum=Level.values),
            OpenApiParameter("scope", str),
            OpenApiParameter("policy", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, pk: str) -> Response:  # type: ignore[override]
        return Response(AlertSerializer(selectors.alert_get(actor=self.principal, alert_id=int(pk))).data)

    @extend_schema(request=NoteInput, responses=AlertSerializer, summary="Acknowledge: someone is looking at it")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_acknowledge(actor=self.principal, alert_id=int(pk), **data.validated_data)
        return Response(AlertSerializer(selectors.alert_get(actor=self.principal, alert_id=alert.pk)).data)

    @extend_schema(request=NoteInput, responses=AlertSerializer, summary="Resolve by hand, with a note")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_resolve(actor=self.principal, alert_id=int(pk), **data.validated_data)
        return Response(AlertSerializer(selectors.alert_get(actor=self.principal, alert_id=alert.pk)).data)

    @extend_schema(
        request=PromoteInput,
        responses={201: CaseSerializer},
        summary="Open a crisis case from this alert (severity follows its peak level)",
    )
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, pk: str) -> Response:
        data = PromoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_from_alert(actor=self.principal, alert_id=int(pk), **data.validated_data)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SilenceInput,
        responses={201: SilenceSerializer},
        summary="Silence the alert's scope (and policy) for a number of minutes",
    )
    @action(detail=True, methods=["post"])
    def silence(self, request: Request, pk: str) -> Response:
        data = SilenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        silence = services.alert_silence(actor=self.principal, alert_id=int(pk), **data.validated_data)
        return Response(SilenceSerializer(silence).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="Silences, current and past"))
class SilenceViewSet(mixins.ListModelMixin, TenantViewSet):
    model = Silence
    serializer_class = SilenceSerializer
    conflicts = {"end": "The silence has already ended"}
    ordering_fields = ("ends_at", "starts_at", "created_at")

    def select(self) -> Any:
        return selectors.silence_list(actor=self.principal)

    @extend_schema(
        request=ScopeSilenceInput,
        responses={201: SilenceSerializer},
        summary="Silence a scope (optionally for one policy) for a number of minutes",
    )
    def create(self, request: Request) -> Response:
        data = ScopeSilenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        silence = services.scope_silence(
            actor=self.principal, scope=v["scope"], minutes=v["minutes"], reason=v["reason"], policy_id=v["policy"]
        )
        return Response(SilenceSerializer(silence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=NoteInput,
        responses=SilenceSerializer,
        summary="End a silence now, before its planned end (a 409 once it has ended)",
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        silence = services.silence_end(actor=self.principal, silence_id=int(pk), **data.validated_data)
        return Response(SilenceSerializer(silence).data)
