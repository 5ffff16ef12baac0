"""Follow-ups with affected users over REST: the list across cases, the lifecycle, notes, replies, compensation
approval, satisfaction; a case's follow-up board; the tenant's follow-up settings."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ApiView, TenantViewSet, list_param
from config.jsonsafe import INT_MAX
from responses.aftercare import follow_up_selectors as selectors
from responses.aftercare import follow_up_services as services
from responses.aftercare import settings as aftercare_settings
from responses.models import (
    CompensationApproval,
    FollowUp,
    FollowUpNote,
    FollowUpReply,
    FollowUpStatus,
    FollowUpType,
    ReplyChannel,
)
from tenants.identity.principals import Principal

AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class FollowUpNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpNote
        fields = ["id", "author", "text", "at"]


class FollowUpReplySerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(
        help_text="The text sent (it carries the person's details): for who may read their contacts, else null"
    )
    script_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = FollowUpReply
        fields = ["id", "script_id", "channel", "text", "sent_at", "sent_by"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_text(self, reply: FollowUpReply) -> str | None:
        texts = self.context.get("texts")
        if texts is None:
            return None
        return texts.text(reply, self.context["case_id"])


class FollowUpSerializer(serializers.ModelSerializer):
    case_id = serializers.IntegerField()
    affected_user_id = serializers.IntegerField()
    owner_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    overdue = serializers.SerializerMethodField()
    notes = FollowUpNoteSerializer(many=True)
    replies = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "case_id",
            "affected_user_id",
            "type",
            "status",
            "owner_id",
            "due_at",
            "overdue",
            "first_contact_at",
            "resolved_at",
            "closed_at",
            "compensation_amount",
            "compensation_currency",
            "compensation_approval",
            "compensation_decided_by",
            "compensation_decided_at",
            "csat",
            "nps",
            "notes",
            "replies",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, follow_up: FollowUp) -> bool:
        now = self.context["now"]
        return follow_up.status in (FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS) and follow_up.due_at < now

    @extend_schema_field(FollowUpReplySerializer(many=True))
    def get_replies(self, follow_up: FollowUp) -> list[dict[str, Any]]:
        context = {"texts": self.context.get("texts"), "case_id": follow_up.case_id}
        return list(FollowUpReplySerializer(follow_up.replies.all(), many=True, context=context).data)


class FollowUpCreateInput(serializers.Serializer):
    case_id = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    affected_user_id = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    type = serializers.ChoiceField(choices=FollowUpType.choices)
    owner_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=INT_MAX)
    due_at = serializers.DateTimeField(required=False, help_text="Default: now plus the type's SLA")
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_TEXT)
    compensation_amount = serializers.DecimalField(required=False, **AMOUNT)  # type: ignore[arg-type]
    compensation_currency = serializers.CharField(required=False, allow_blank=True, max_length=3)


class FollowUpUpdateInput(serializers.Serializer):
    owner_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=INT_MAX)
    due_at = serializers.DateTimeField(required=False)
    compensation_amount = serializers.DecimalField(required=False, allow_null=True, **AMOUNT)  # type: ignore[arg-type]
    compensation_currency = serializers.CharField(required=False, allow_blank=True, max_length=3)
    csat = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    nps = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10)


class FollowUpTransitionInput(serializers.Serializer):
    transition = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=services.MAX_TEXT)


class FollowUpNoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=services.MAX_TEXT)


class FollowUpReplyInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ReplyChannel.choices)
    script_id = serializers.IntegerField(required=False, min_value=1, max_value=INT_MAX)
    variables = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True),
        required=False,
        help_text="Added to (or overriding) the person's own: customer_name, handle, order_number, order_id, "
        "case_title",
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_TEXT)
    sent_at = serializers.DateTimeField(required=False, help_text="Default: now")


class FollowUpBulkInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=INT_MAX), min_length=1, max_length=services.BULK_LIMIT
    )
    action = serializers.ChoiceField(choices=list(services.BULK_ACTIONS))
    owner_id = serializers.IntegerField(required=False, min_value=1, max_value=INT_MAX, help_text="For assign")
    script_id = serializers.IntegerField(required=False, min_value=1, max_value=INT_MAX, help_text="For send_script")
    channel = serializers.ChoiceField(choices=ReplyChannel.choices, required=False, help_text="For send_script")
    variables = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False, help_text="For send_script"
    )
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=services.MAX_TEXT)


class FollowUpBulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class CompensationDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=services.MAX_TEXT)


def _context(principal: Principal) -> dict[str, Any]:
    return {"texts": selectors.reply_texts(actor=principal), "now": timezone.now()}


@extend_schema_view(
    list=extend_schema(
        summary="Follow-ups across cases, soonest due first, by case, type, status, owner or overdue",
        parameters=[
            OpenApiParameter("case", int),
            OpenApiParameter("type", str, many=True, enum=FollowUpType.values),
            OpenApiParameter("status", str, many=True, enum=FollowUpStatus.values),
            OpenApiParameter("owner", int, description="User id"),
            OpenApiParameter("overdue", str, enum=["true", "false"]),
        ],
    ),
    retrieve=extend_schema(summary="One follow-up with its notes and replies"),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    looks_up = ("create",)
    model = FollowUp
    serializer_class = FollowUpSerializer
    ordering_fields = ("due_at", "created_at")
    conflicts = {
        "create": "The affected user is archived or erased",
        "transition": "The status does not allow it, or the compensation is not approved",
        "replies": "The follow-up is closed, or the person was erased, or the reply script is not approved",
        "compensation": "No compensation is waiting for approval",
        "bulk": "One of the follow-ups refused the action (`error.field` names it as `ids.<n>`)",
    }

    def select(self) -> Any:
        params = self.request.query_params
        filters: dict[str, Any] = {
            "type": list_param(params, "type"),
            "status": list_param(params, "status"),
            **{name: params[name] for name in ("case", "owner", "overdue") if name in params},
        }
        return selectors.follow_up_list(actor=self.principal, filters=filters)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_context(self.principal)}

    def _one(self, follow_up: FollowUp, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.follow_up_get(actor=self.principal, follow_up_id=follow_up.pk)
        return Response(FollowUpSerializer(fresh, context=_context(self.principal)).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._one(selectors.follow_up_get(actor=self.principal, follow_up_id=int(kwargs["pk"])))

    @extend_schema(request=FollowUpCreateInput, responses={201: FollowUpSerializer}, summary="Open a follow-up")
    def create(self, request: Request) -> Response:
        data = FollowUpCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._one(services.follow_up_create(actor=self.principal, **data.validated_data), 201)

    @extend_schema(
        request=FollowUpUpdateInput,
        responses=FollowUpSerializer,
        summary="Change the owner, due time, compensation or satisfaction scores (CSAT 1–5, NPS 0–10)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = FollowUpUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._one(services.follow_up_update(actor=self.principal, follow_up_id=int(pk), **data.validated_data))

    @extend_schema(
        request=FollowUpTransitionInput, responses=FollowUpSerializer, summary="Move it: start, resolve, close, reopen"
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        data = FollowUpTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_transition(actor=self.principal, follow_up_id=int(pk), **data.validated_data)
        return self._one(follow_up)

    @extend_schema(request=FollowUpNoteInput, responses={201: FollowUpNoteSerializer}, summary="Add a note")
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        data = FollowUpNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.follow_up_note_add(actor=self.principal, follow_up_id=int(pk), **data.validated_data)
        return Response(FollowUpNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FollowUpReplyInput,
        responses={201: FollowUpSerializer},
        summary="Record a reply sent: a reply script rendered with the person's variables, or a text",
    )
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, pk: str) -> Response:
        data = FollowUpReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.follow_up_reply(actor=self.principal, follow_up_id=int(pk), **data.validated_data)
        return self._one(selectors.follow_up_get(actor=self.principal, follow_up_id=int(pk)), 201)

    @extend_schema(
        request=CompensationDecisionInput,
        responses=FollowUpSerializer,
        summary="Approve or reject a compensation above the tenant's threshold",
    )
    @action(detail=True, methods=["post"])
    def compensation(self, request: Request, pk: str) -> Response:
        data = CompensationDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_compensation_decide(
            actor=self.principal, follow_up_id=int(pk), **data.validated_data
        )
        return self._one(follow_up)

    @extend_schema(
        request=FollowUpBulkInput,
        responses=FollowUpBulkResultSerializer,
        summary="One action on many follow-ups, all or nothing: assign, send a reply script, close",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = FollowUpBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.follow_ups_bulk(actor=self.principal, **data.validated_data)
        return Response(FollowUpBulkResultSerializer({"updated": len(done), "ids": [f.pk for f in done]}).data)


class CountsByStatusSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed = serializers.IntegerField()


class CompensationTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    approval = serializers.ChoiceField(choices=CompensationApproval.choices)
    count = serializers.IntegerField()
    amount = serializers.CharField(help_text="Decimal, as text")


class FollowUpBoardSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    total = serializers.IntegerField()
    by_type = serializers.DictField(child=CountsByStatusSerializer(), help_text="Per follow-up type")
    by_status = CountsByStatusSerializer()
    overdue = serializers.IntegerField()
    overdue_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Soonest due first, at most 100")
    mean_minutes_to_first_contact = serializers.FloatField(allow_null=True)
    mean_minutes_to_resolution = serializers.FloatField(allow_null=True)
    compensation = CompensationTotalSerializer(many=True)
    compensation_pending = serializers.IntegerField()
    csat_mean = serializers.FloatField(allow_null=True)
    csat_responses = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True, help_text="% promoters (9–10) minus % detractors (0–6)")
    nps_responses = serializers.IntegerField()


class FollowUpBoardView(ApiView):
    @extend_schema(
        operation_id="follow_ups_board",
        responses=FollowUpBoardSerializer,
        summary="A case's follow-up board: counts by type and status, overdue, mean times to contact and resolve",
    )
    def get(self, request: Request, id: int) -> Response:
        board = selectors.follow_up_board(actor=request.user, case_id=id)  # type: ignore[arg-type]
        return Response(FollowUpBoardSerializer(board).data)


class FollowUpSettingsSerializer(serializers.Serializer):
    sla_minutes = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=aftercare_settings.MAX_SLA_MINUTES),
        required=False,
        help_text="Minutes from opening to due, per follow-up type",
    )
    compensation_approval_threshold = serializers.DecimalField(required=False, **AMOUNT)  # type: ignore[arg-type]
    compensation_threshold_currency = serializers.CharField(required=False, max_length=3)


class FollowUpSettingsView(ApiView):
    @extend_schema(
        operation_id="follow_up_settings_retrieve",
        responses=FollowUpSettingsSerializer,
        summary="The follow-up SLA per type and the compensation approval threshold",
    )
    def get(self, request: Request) -> Response:
        found = aftercare_settings.aftercare_settings_get(actor=request.user)  # type: ignore[arg-type]
        return Response(FollowUpSettingsSerializer(found).data)

    @extend_schema(
        operation_id="follow_up_settings_update",
        request=FollowUpSettingsSerializer,
        responses=FollowUpSettingsSerializer,
        summary="Change the follow-up SLAs or the compensation approval threshold (admins)",
    )
    def patch(self, request: Request) -> Response:
        data = FollowUpSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = aftercare_settings.aftercare_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            **data.validated_data,
        )
        return Response(FollowUpSettingsSerializer(found).data)
