"""Reply scripts over REST: CRUD, approval, rendering with variables."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ServiceCrudViewSet
from config.jsonsafe import INT_MAX
from responses.models import ReplyScript, Scenario, ScriptLanguage
from responses.scripts import selectors as script_selectors
from responses.scripts import services as scripts


class ReplyScriptSerializer(serializers.ModelSerializer):
    scenarios = serializers.ListField(child=serializers.ChoiceField(choices=Scenario.choices), required=False)
    language = serializers.ChoiceField(choices=ScriptLanguage.choices, required=False)
    variables = serializers.SerializerMethodField()

    class Meta:
        model = ReplyScript
        fields = [
            "id",
            "name",
            "body",
            "variables",
            "scenarios",
            "tone",
            "language",
            "approval",
            "approved_by",
            "usage_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "approval", "approved_by", "usage_count", "created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, object]] = {"name": {"validators": []}}
        # Uniqueness of name + language is the service's check (409), not a serializer one.
        validators: list[object] = []

    def get_variables(self, script: ReplyScript) -> list[str]:
        return scripts.variables_of(script.body)


class RenderInput(serializers.Serializer):
    variables = serializers.DictField(child=serializers.CharField(max_length=1000, allow_blank=True))
    case_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=INT_MAX,
        help_text="The case the reply is for: the use goes on its timeline and into its response effects.",
    )


class RenderOutput(serializers.Serializer):
    text = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="Reply scripts, by scenario, language or name"),
    retrieve=extend_schema(summary="One reply script with its variables"),
    create=extend_schema(summary="Add a reply script (a draft until approved)"),
    partial_update=extend_schema(summary="Change a reply script; a changed body needs approval again"),
    destroy=extend_schema(summary="Delete a reply script"),
)
class ReplyScriptViewSet(ServiceCrudViewSet):
    model = ReplyScript
    serializer_class = ReplyScriptSerializer
    conflicts = {
        "create": "A reply script with this name exists in this language",
        "partial_update": "A reply script with this name exists in this language",
        "render": "The script is not approved",
    }
    ordering_fields = ("name", "usage_count", "created_at", "updated_at")
    create_service = staticmethod(scripts.script_create)
    update_service = staticmethod(scripts.script_update)
    delete_service = staticmethod(scripts.script_delete)
    id_keyword = "script_id"

    def select(self) -> Any:
        params = self.request.query_params
        return script_selectors.script_list(
            actor=self.principal,
            scenario=params.get("scenario", ""),
            language=params.get("language", ""),
            name=params.get("name", ""),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("scenario", str, enum=Scenario.values),
            OpenApiParameter("language", str, enum=ScriptLanguage.values),
            OpenApiParameter("name", str, description="One reply's language variants"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=ReplyScriptSerializer, summary="Approve the script for use")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return Response(ReplyScriptSerializer(scripts.script_approve(actor=self.principal, script_id=int(pk))).data)

    @extend_schema(
        request=RenderInput, responses=RenderOutput, summary="Fill in the variables; a missing one is a 400 naming it"
    )
    @action(detail=True, methods=["post"])
    def render(self, request: Request, pk: str) -> Response:
        data = RenderInput(data=request.data)
        data.is_valid(raise_exception=True)
        text = scripts.script_render(actor=self.principal, script_id=int(pk), **data.validated_data)
        return Response({"text": text})
