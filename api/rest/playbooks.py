"""Playbooks (預案) over REST: CRUD with versions, clone, the difference between two versions, activation on a case."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ARCHIVED_PARAM, VERSION_MAX, TenantViewSet, int_param
from api.rest.statements import StatementSerializer
from config.errors import ValidationError
from responses.models import CaseTask, Playbook, PlaybookActivation, PlaybookVersion, Scenario, Severity
from responses.playbooks import selectors as playbook_selectors
from responses.playbooks import services as playbooks

CONTENT_HELP = (
    "{tasks: [{title, description, role, due_minutes, priority, checklist}], "
    "statements: [{title, body, channels, required_approvals}], "
    "contacts: [{name, organisation, role, phone, email}], "
    "escalation: [{after_minutes, condition, notify_roles}]}"
)


class PlaybookSerializer(serializers.ModelSerializer):
    severities = serializers.ListField(child=serializers.ChoiceField(choices=Severity.choices), read_only=True)

    class Meta:
        model = Playbook
        fields = [
            "id",
            "name",
            "description",
            "scenario",
            "severities",
            "is_active",
            "current_version",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
            "archived_by",
        ]


class PlaybookDetailSerializer(PlaybookSerializer):
    content = serializers.SerializerMethodField(help_text="The current version's content.")

    class Meta(PlaybookSerializer.Meta):
        fields = [*PlaybookSerializer.Meta.fields, "content"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_content(self, playbook: Playbook) -> Any:
        return playbook_selectors.playbook_content(playbook)


class PlaybookInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    severities = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.choices), required=False, help_text="Empty: any severity."
    )
    # Checked by the service, which names the nested path of a problem (content.tasks.2.due_minutes).
    content = serializers.JSONField(required=False, help_text=CONTENT_HELP)
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PlaybookUpdateInput(PlaybookInput):
    is_active = serializers.BooleanField(required=False)


class PlaybookVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookVersion
        fields = ["number", "content", "change_note", "created_by", "created_at"]


class PlaybookCloneInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    version = serializers.IntegerField(required=False, min_value=1, help_text="Default: the current version.")


class PlaybookDiffOutput(serializers.Serializer):
    playbook_id = serializers.IntegerField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    sections = serializers.JSONField(help_text="Per section: added, removed, changed [{key, fields: {f: {old, new}}}]")
    text = serializers.CharField(help_text="Unified diff of the pretty-printed content.")


class PlaybookActivateInput(serializers.Serializer):
    case_id = serializers.IntegerField()
    version = serializers.IntegerField(required=False, min_value=1, help_text="Default: the current version.")


class PlaybookActivationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookActivation
        fields = ["id", "case", "playbook", "version", "activated_by", "activated_at"]


class PlaybookTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseTask
        fields = ["id", "case", "title", "description", "assignee_role", "priority", "status", "checklist", "due_at"]


class PlaybookActivationOutput(serializers.Serializer):
    activation = PlaybookActivationSerializer()
    tasks = PlaybookTaskSerializer(many=True)
    statements = StatementSerializer(many=True, help_text="Drafts made from the statement templates")


def _version_param(request: Request, name: str) -> int:
    version = int_param(request.query_params, name, minimum=1, maximum=VERSION_MAX)
    if version is None:
        raise ValidationError(f"'{name}' must be a version number.", field=name)
    return version


@extend_schema_view(list=extend_schema(summary="Playbooks, by scenario, severity or whether active"))
class PlaybookViewSet(mixins.ListModelMixin, TenantViewSet):
    model = Playbook
    serializer_class = PlaybookSerializer
    conflicts = {
        "create": "A playbook has this name",
        "partial_update": "A playbook has this name, or this one is archived",
        "restore": "A live playbook took this one's name meanwhile",
        "clone": "A playbook has this name",
        "activate": "The case is closed, the playbook is archived or inactive, or it already ran on this case",
    }
    ordering_fields = ("name", "created_at", "updated_at")

    def select(self) -> Any:
        params = self.request.query_params
        active = params.get("is_active")
        return playbook_selectors.playbook_list(
            actor=self.principal,
            scenario=params.get("scenario", ""),
            severity=params.get("severity", ""),
            is_active=None if active is None else active.lower() in ("1", "true", "yes"),
            archived=self.include_archived(),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("scenario", str, enum=Scenario.values),
            OpenApiParameter("severity", str, enum=Severity.values, description="Also matches 'any severity'."),
            OpenApiParameter("is_active", bool),
            ARCHIVED_PARAM,
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=PlaybookDetailSerializer, summary="One playbook with its current content")
    def retrieve(self, request: Request, pk: str) -> Response:
        playbook = playbook_selectors.playbook_get(actor=self.principal, playbook_id=int(pk))
        return Response(PlaybookDetailSerializer(playbook).data)

    @extend_schema(
        request=PlaybookInput, responses={201: PlaybookDetailSerializer}, summary="Add a playbook (its version 1)"
    )
    def create(self, request: Request) -> Response:
        data = PlaybookInput(data=request.data)
        data.is_valid(raise_exception=True)
        playbook = playbooks.playbook_create(actor=self.principal, **data.validated_data)
        return Response(PlaybookDetailSerializer(playbook).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PlaybookUpdateInput, responses=PlaybookDetailSerializer, summary="Edit; new content adds a version"
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = PlaybookUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        playbook = playbooks.playbook_update(actor=self.principal, playbook_id=int(pk), **data.validated_data)
        return Response(PlaybookDetailSerializer(playbook).data)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Archive: no longer matched or activated; cases that ran it keep it",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        playbooks.playbook_archive(actor=self.principal, playbook_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=PlaybookDetailSerializer, summary="Restore an archived playbook")
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        playbook = playbooks.playbook_restore(actor=self.principal, playbook_id=int(pk))
        return Response(PlaybookDetailSerializer(playbook).data)

    @extend_schema(request=None, responses=PlaybookVersionSerializer(many=True), summary="All versions, oldest first")
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str) -> Response:
        found = playbook_selectors.playbook_versions(actor=self.principal, playbook_id=int(pk))
        return self.paged(found, PlaybookVersionSerializer)

    @extend_schema(request=PlaybookCloneInput, responses={201: PlaybookDetailSerializer}, summary="Copy as a new one")
    @action(detail=True, methods=["post"])
    def clone(self, request: Request, pk: str) -> Response:
        data = PlaybookCloneInput(data=request.data)
        data.is_valid(raise_exception=True)
        playbook = playbooks.playbook_clone(actor=self.principal, playbook_id=int(pk), **data.validated_data)
        return Response(PlaybookDetailSerializer(playbook).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("from", int, required=True), OpenApiParameter("to", int, required=True)],
        responses=PlaybookDiffOutput,
        summary="What changed between two versions",
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str) -> Response:
        return Response(
            playbook_selectors.playbook_diff(
                actor=self.principal,
                playbook_id=int(pk),
                from_version=_version_param(request, "from"),
                to_version=_version_param(request, "to"),
            )
        )

    @extend_schema(
        request=PlaybookActivateInput,
        responses={201: PlaybookActivationOutput},
        summary="Run on a case: creates its tasks with due dates (case commanders and cases.command)",
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        data = PlaybookActivateInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = playbooks.playbook_activate(actor=self.principal, playbook_id=int(pk), **data.validated_data)
        body = PlaybookActivationOutput(vars(result)).data
        return Response(body, status=status.HTTP_201_CREATED)
